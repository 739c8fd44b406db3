"""Emojify V1 in NumPy: the course's v3a unit-test values (toy 2-d vocabulary)."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.scratch import emojify as e

TOY = {"a": [3, 3], "synonym_of_a": [3, 3], "a_nw": [2, 4], "a_s": [3, 2], "a_n": [3, 4], "c": [-2, 1],
       "c_n": [-2, 2], "c_ne": [-1, 2], "c_e": [-1, 1], "c_se": [-1, 0], "c_s": [-2, 0], "c_sw": [-3, 0],
       "c_w": [-3, 1], "c_nw": [-3, 2]}


@pytest.fixture
def toy():
    return {k: np.array(v) for k, v in TOY.items()}


def test_sentence_to_avg_values(toy):
    np.testing.assert_allclose(e.sentence_to_avg("a a_nw c_w a_s", toy), [1.25, 2.5])
    np.testing.assert_allclose(e.sentence_to_avg("love a a_nw c_w a_s", toy), [1.25, 2.5])
    assert np.array_equal(e.sentence_to_avg("love", toy), [0, 0])
    np.testing.assert_allclose(e.sentence_to_avg("c_se foo a a_nw c_w a_s deeplearning c_nw", toy), [0.1666667, 2.0],
                               rtol=1e-6)
    np.testing.assert_allclose(e.sentence_to_avg("A A_NW", toy), [2.5, 3.5])  # lower-cased


def test_model_v3a_values(toy):
    X = np.asarray(["a a_s synonym_of_a a_n c_sw", "a a_s a_n c_sw", "a_s  a a_n", "synonym_of_a a a_s a_n c_sw",
                    " a_s a_n", " a a_s a_n c ", " a_n  a c c c_e", "c c_nw c_n c c_ne", "c_e c c_se c_s",
                    "c_nw c a_s c_e c_e", "c_e a_nw c_sw", "c_sw c c_ne c_ne"])
    Y = np.asarray([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    np.random.seed(10)
    pred, W, b, costs = e.model(X, Y, toy, 0.0025, 110, seed=None)
    assert W.shape == (2, 2) and len(costs) == 110
    np.testing.assert_array_equal(pred.reshape(-1), Y)
    np.testing.assert_allclose(b, [-0.22027238, 0.22027238], rtol=1e-6)
    np.testing.assert_allclose(W, [[1.06474529, 0.13598282], [-1.21593447, 0.36386752]], rtol=1e-6)
    assert b[0] == pytest.approx(-b[1])


def test_labels_and_one_hot():
    assert [e.label_to_emoji(i) for i in range(5)] == ["\u2764\ufe0f", "\u26be", "\U0001f604", "\U0001f61e",
                                                       "\U0001f374"]
    with pytest.raises(ValueError, match="expected 0-4, found 5"):
        e.label_to_emoji(5)
    np.testing.assert_array_equal(e.convert_to_one_hot(np.array([0]), 5), [[1, 0, 0, 0, 0]])  # X_train[50]'s label
    np.testing.assert_allclose(e.softmax(np.array([0.0, np.log(3.0)])), [0.25, 0.75])
