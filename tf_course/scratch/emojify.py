"""Emojify V1 (C5W2, seed 5.2.5) in NumPy: average the words' vectors, softmax regression, per-example SGD.

As the course (v3a): ``sentence_to_avg`` lower-cases and splits the sentence and averages the
vectors of the words it knows (zeros when it knows none); ``model`` draws W = randn(n_y, n_h) /
sqrt(n_h) (after ``np.random.seed(1)`` in the course's notebook; the v3a unit test seeds 10 itself
and calls ``model`` without reseeding: ``seed=None``), b = 0, and updates after every sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

EMOJI = {0: "\u2764\ufe0f", 1: "\u26be", 2: "\U0001f604", 3: "\U0001f61e", 4: "\U0001f374"}  # heart .. fork and knife


def label_to_emoji(label: int) -> str:
    """The emoji of a label 0-4 (0 heart, 1 baseball, 2 smile, 3 disappointed, 4 fork and knife)."""
    try:
        return EMOJI[int(label)]
    except KeyError:
        raise ValueError(f"emoji label: expected 0-4, found {label!r}") from None


def convert_to_one_hot(Y: np.ndarray, C: int) -> np.ndarray:
    """np.eye(C)[Y.reshape(-1)]: (m, C)."""
    return np.eye(C)[np.asarray(Y).reshape(-1)]


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax of a vector (n,) (max subtracted)."""
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum()


def _dim(word_to_vec_map: Mapping[str, np.ndarray]) -> int:
    return int(np.asarray(next(iter(word_to_vec_map.values()))).shape[0])


def sentence_to_avg(sentence: str, word_to_vec_map: Mapping[str, np.ndarray]) -> np.ndarray:
    """Mean of the vectors of the sentence's known (lower-cased) words, zeros if none: (n,) float."""
    avg = np.zeros((_dim(word_to_vec_map),))
    count = 0
    for w in sentence.lower().split():
        if w in word_to_vec_map:
            avg += word_to_vec_map[w]
            count += 1
    return avg / count if count > 0 else avg


def predict(X: Sequence[str], Y: np.ndarray | None, W: np.ndarray, b: np.ndarray,
            word_to_vec_map: Mapping[str, np.ndarray]) -> np.ndarray:
    """Predicted labels (m, 1) float (the course's layout) of sentences ``X`` (m,); ``Y`` is unused
    (the course's signature; accuracy is :func:`accuracy`)."""
    pred = np.zeros((len(X), 1))
    for j, sentence in enumerate(X):
        pred[j] = np.argmax(softmax(np.dot(W, sentence_to_avg(sentence, word_to_vec_map)) + b))
    return pred


def accuracy(pred: np.ndarray, Y: np.ndarray) -> float:
    """mean(pred == Y) for predictions (m, 1) or (m,)."""
    return float(np.mean(np.asarray(pred).reshape(-1) == np.asarray(Y).reshape(-1)))


def model(
    X: Sequence[str], Y: np.ndarray, word_to_vec_map: Mapping[str, np.ndarray], learning_rate: float = 0.01,
    num_iterations: int = 400, seed: int | None = 1, print_every: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
    """Train Emojify V1 with per-example SGD.

    Args:
        X: sentences (m,).
        Y: labels (m,) in 0..n_y-1.
        learning_rate, num_iterations: the course's 0.01 and 400.
        seed: ``np.random.seed(seed)`` before drawing W (None: the current global state).
        print_every: print the last example's cost every so many iterations (0: never).

    Returns:
        (pred (m, 1), W (n_y, n_h), b (n_y,), costs): ``costs`` is the last example's cost after
        every iteration (the course prints it every 100).
    """
    Y = np.asarray(Y).reshape(-1)
    if seed is not None:
        np.random.seed(seed)
    m = Y.shape[0]
    n_y = max(len(np.unique(Y)), int(Y.max()) + 1)
    n_h = _dim(word_to_vec_map)
    W = np.random.randn(n_y, n_h) / np.sqrt(n_h)
    b = np.zeros((n_y,))
    Y_oh = convert_to_one_hot(Y, C=n_y)
    averages = [sentence_to_avg(X[i], word_to_vec_map) for i in range(m)]
    costs = []
    cost = 0.0
    for t in range(num_iterations):
        for i in range(m):
            avg = averages[i]
            a = softmax(np.dot(W, avg) + b)
            cost = -np.sum(Y_oh[i] * np.log(a))
            dz = a - Y_oh[i]
            W = W - learning_rate * np.dot(dz.reshape(n_y, 1), avg.reshape(1, n_h))
            b = b - learning_rate * dz
        costs.append(float(cost))
        if print_every and t % print_every == 0:
            print(f"Epoch: {t} --- cost = {cost}")
    return predict(X, Y, W, b, word_to_vec_map), W, b, costs
