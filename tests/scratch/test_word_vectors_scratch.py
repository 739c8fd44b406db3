"""C5W2 word-vector operations in NumPy (course formulas) and their vectorised TF twins."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.scratch import word_vectors as wv


@pytest.fixture(scope="module")
def word_map():
    rng = np.random.default_rng(3)
    words = ["man", "woman", "king", "queen", "receptionist", "doctor"] + [f"w{i}" for i in range(300)]
    return {w: rng.normal(size=50) for w in words}


def test_cosine_similarity_values():
    assert wv.cosine_similarity(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == 0.0
    assert wv.cosine_similarity(np.array([1.0, 1.0]), np.array([2.0, 2.0])) == pytest.approx(1.0)
    assert wv.cosine_similarity(np.array([3.0, 4.0]), np.array([-3.0, -4.0])) == pytest.approx(-1.0)
    assert wv.cosine_similarity(np.array([1.0, 2.0]), np.array([2.0, 1.0])) == pytest.approx(0.8)
    assert wv.cosine_similarity(np.zeros(3), np.ones(3)) == 0.0  # the newer course version


def test_complete_analogy_on_planted_offset():
    # b - a = c' - c exactly for the answer; the loop finds it and skips the input words
    base = {"a": np.array([1.0, 0.0, 0.0]), "b": np.array([1.0, 1.0, 0.0]), "c": np.array([0.0, 0.0, 1.0]),
            "d": np.array([0.0, 1.0, 1.0]), "e": np.array([0.2, -1.0, 0.5])}
    assert wv.complete_analogy("A", "b", "c", base) == "d"


def test_neutralize_leaves_a_word_orthogonal_to_the_bias_axis(word_map):
    g = word_map["woman"] - word_map["man"]
    assert abs(wv.cosine_similarity(word_map["receptionist"], g)) > 1e-3
    e = wv.neutralize("receptionist", g, word_map)
    assert abs(wv.cosine_similarity(e, g)) < 1e-8
    # the orthogonal part is unchanged
    part = word_map["receptionist"] - e
    assert abs(wv.cosine_similarity(part, g)) == pytest.approx(1.0)


def test_equalize_gives_opposite_cosines_of_equal_magnitude(word_map):
    g = word_map["woman"] - word_map["man"]
    e1, e2 = wv.equalize(("man", "woman"), g, word_map)
    c1, c2 = wv.cosine_similarity(e1, g), wv.cosine_similarity(e2, g)
    assert c1 == pytest.approx(-c2, abs=1e-12)
    assert abs(c1) > 0.1
    # both share the same part orthogonal to g
    o1, o2 = e1 - wv.bias_component(e1, g), e2 - wv.bias_component(e2, g)
    np.testing.assert_allclose(o1, o2, atol=1e-12)
    # a neutralized word is equidistant from the equalized pair
    n = wv.neutralize("doctor", g, word_map)
    assert np.linalg.norm(n - e1) == pytest.approx(np.linalg.norm(n - e2))


def test_vectorised_analogies_equal_the_course_loop(word_map):
    from tf_course.text.word_vectors import ops

    words = list(word_map)
    matrix = np.stack([word_map[w] for w in words])
    rng = np.random.default_rng(0)
    triples = [tuple(words[i] for i in rng.choice(len(words), 3, replace=False)) for _ in range(12)]
    loop = [wv.complete_analogy(a, b, c, word_map) for a, b, c in triples]
    assert ops.complete_analogy_words(words, matrix, triples, dtype="float64") == loop


def test_vectorised_neutralize_and_nearest_neighbours(word_map):
    from tf_course.text.word_vectors import ops

    words = list(word_map)
    matrix = np.stack([word_map[w] for w in words])
    g = word_map["woman"] - word_map["man"]
    assert np.abs(ops.bias_cosines(ops.neutralize_rows(matrix, g), g)).max() < 1e-8
    np.testing.assert_allclose(ops.neutralize_rows(matrix, g)[4], wv.neutralize("receptionist", g, word_map))
    idx, cos = ops.nearest_neighbours(matrix, [0, 1], k=3)
    for q, row in zip([0, 1], idx):
        sims = [wv.cosine_similarity(matrix[q], m) if i != q else -2 for i, m in enumerate(matrix)]
        assert list(row) == list(np.argsort(sims)[::-1][:3])
    assert cos.shape == (2, 3)
