"""GloVe text reader: the course's return values, vocabulary filter, malformed lines by number."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.data.glove import find_glove, load_glove, read_glove_vecs, read_glove_vecs_indexed
from tf_course.data.validate import DataError

LINES = ["the 0.1 0.2 -0.3", "cucumber 1 2 3", "apple -1.5 0 2e-1", "zebra 0 0 1"]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def test_read_glove_vecs_returns_the_course_values(tmp_path):
    path = _write(tmp_path / "glove.6B.50d.txt", LINES)
    words, word_to_vec_map = read_glove_vecs(path)
    assert words == {"the", "cucumber", "apple", "zebra"}
    np.testing.assert_allclose(word_to_vec_map["apple"], [-1.5, 0.0, 0.2], rtol=1e-6)
    word_to_index, index_to_word, _ = read_glove_vecs_indexed(path)
    # 1-based, sorted order (the course's emo_utils); 0 is left for padding
    assert word_to_index == {"apple": 1, "cucumber": 2, "the": 3, "zebra": 4}
    assert index_to_word[2] == "cucumber"


def test_matrix_vocabulary_filter_and_embedding_rows(tmp_path):
    path = _write(tmp_path / "g.txt", LINES)
    vectors = load_glove(path, vocabulary={"zebra", "the", "unknown"})
    assert vectors.words == ["the", "zebra"] and vectors.matrix.shape == (2, 3) and vectors.dim == 3
    assert vectors.matrix.dtype == np.float32
    emb = vectors.embedding_matrix({"zebra": 1, "the": 2, "unknown": 3})
    np.testing.assert_allclose(emb, [[0, 0, 0], [0, 0, 1], [0.1, 0.2, -0.3], [0, 0, 0]], rtol=1e-6)
    assert "zebra" in vectors and "apple" not in vectors
    with pytest.raises(KeyError, match="apple"):
        vectors.vector("apple")


@pytest.mark.parametrize("bad, message", [
    ("pear 1 2", r"line 3: expected a word and 3 numbers, found 2"),
    ("pear 1 x 2", r"line 3: expected numbers after 'pear', found 'x'"),
    ("pear 1 nan 2", r"line 3: expected finite numbers"),
])
def test_malformed_line_is_reported_with_its_number(tmp_path, bad, message):
    path = _write(tmp_path / "g.txt", LINES[:2] + [bad] + LINES[2:])
    with pytest.raises(DataError, match=message):
        load_glove(path)
    with pytest.raises(DataError, match=message):  # even when the word is filtered out
        load_glove(path, vocabulary={"the"})


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="found nothing at"):
        load_glove(tmp_path / "nope.txt")
    with pytest.raises(DataError, match="empty file"):
        load_glove(_write(tmp_path / "empty.txt", []))


def test_found_under_the_data_dir_by_its_course_name(tmp_path):
    assert find_glove(None) is None and find_glove(tmp_path) is None
    _write(tmp_path / "glove.6B.50d.txt", LINES)
    assert find_glove(tmp_path) == tmp_path / "glove.6B.50d.txt"
