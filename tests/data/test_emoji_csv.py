"""Emojify CSV reader, course-file discovery, the held-out split and the generated sentences."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.data.emoji_csv import holdout_split, load_emoji_dataset, read_csv
from tf_course.data.validate import DataError


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf8")
    return path


ROWS = "never talk to me again,3,,\nI am proud of your achievements,2,,\nMiss you so much,0,, [0]\nfood is life,4,,\n"


def test_read_csv_like_the_course(tmp_path):
    x, y = read_csv(_write(tmp_path / "train_emoji.csv", ROWS + "\n"))
    assert list(x) == ["never talk to me again", "I am proud of your achievements", "Miss you so much", "food is life"]
    assert y.dtype == np.int64 and list(y) == [3, 2, 0, 4]


@pytest.mark.parametrize("bad, message", [
    ("just a sentence", r"line 3: expected 'sentence,label', found 1 column"),
    ("a sentence,7", r"line 3: expected a label 0-4 in column 2, found '7'"),
    ("a sentence,x", r"line 3: expected a label 0-4 in column 2, found 'x'"),
])
def test_read_csv_errors_name_the_line(tmp_path, bad, message):
    lines = ROWS.splitlines()
    path = _write(tmp_path / "t.csv", "\n".join(lines[:2] + [bad] + lines[2:]) + "\n")
    with pytest.raises(DataError, match=message):
        read_csv(path)


def test_missing_and_empty(tmp_path):
    with pytest.raises(FileNotFoundError, match="found nothing at"):
        read_csv(tmp_path / "none.csv")
    with pytest.raises(DataError, match="found none"):
        read_csv(_write(tmp_path / "e.csv", "\n"))


def test_dataset_from_a_data_dir_holds_out_part_of_train(tmp_path):
    rows = "".join(f"sentence {i},{i % 5}\n" for i in range(50))
    _write(tmp_path / "emojify" / "train_emoji.csv", rows)
    data = load_emoji_dataset(tmp_path, seed=0)
    assert data.source == "course" and "held-out 20% of train_emoji.csv (10 sentences)" == data.test_set
    assert len(data.y_train) == 40 and sorted(np.bincount(data.y_test)) == [2] * 5
    assert not set(data.x_train) & set(data.x_test)
    _write(tmp_path / "emojify" / "test_emoji.csv", "food is life,4\n")
    data = load_emoji_dataset(tmp_path)
    assert data.test_set == "test_emoji.csv" and len(data.y_train) == 50 and list(data.y_test) == [4]


def test_test_file_alone_is_an_error(tmp_path):
    _write(tmp_path / "emojify" / "test_emoji.csv", "food is life,4\n")
    with pytest.raises(DataError, match="expected emojify/train_emoji.csv beside"):
        load_emoji_dataset(tmp_path)


def test_generated_sentences_offline():
    data = load_emoji_dataset(None, seed=3)
    assert data.source == "synthetic" and len(data.y_train) == 400 and len(data.y_test) == 100
    assert np.bincount(data.y_train).tolist() == [80] * 5
    assert max(len(s.split()) for s in data.x_train) <= 10
    again = load_emoji_dataset(None, seed=3)
    assert list(again.x_train) == list(data.x_train)


def test_holdout_split_is_stratified():
    x = np.array([f"s{i}" for i in range(11)])
    y = np.array([0] * 6 + [1] * 4 + [2])
    xt, yt, xh, yh = holdout_split(x, y, 0.5, seed=1)
    assert np.bincount(yh, minlength=3).tolist() == [3, 2, 0] and len(xt) == 6


@pytest.mark.course_data
def test_course_training_sentences(course_file, course_dir):
    x, y = read_csv(course_file("emojify/train_emoji.csv"))
    assert len(x) == 132 and np.bincount(y).tolist() == [22, 19, 38, 36, 17]
    assert max(len(s.split()) for s in x) == 10  # the course's maxLen
    data = load_emoji_dataset(course_dir, seed=0)
    assert data.source == "course" and len(data.y_train) == 106 and len(data.y_test) == 26
