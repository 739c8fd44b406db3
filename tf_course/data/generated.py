"""Datasets the course generates by code: planar flower, circles, moons.

Each loader reproduces the course's arrays bit for bit: it seeds NumPy's legacy global
generator exactly where the course's ``*_utils.load_*`` functions do, and draws in the same
order. X is (2, m) float64 and Y is (1, m) (features in rows, examples in columns, the
course's convention).
"""

from __future__ import annotations

import numpy as np


def load_planar_dataset() -> tuple[np.ndarray, np.ndarray]:
    """The C1W3 "flower": X (2, 400) float64, Y (1, 400) uint8 with 200 points per class.

    Seed 1, petals ``r = 4 sin(4t)`` with Gaussian noise 0.2 on both the angle and the radius.
    """
    np.random.seed(1)
    m = 400
    N = m // 2  # points per class
    a = 4  # maximum ray of the flower
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def load_circles() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """C2W1 initialization data: train X (2, 300), Y (1, 300); test X (2, 100), Y (1, 100).

    ``make_circles(300, noise=.05)`` after ``np.random.seed(1)`` and ``make_circles(100,
    noise=.05)`` after ``np.random.seed(2)`` (scikit-learn draws from the global generator
    when no ``random_state`` is given).
    """
    from sklearn.datasets import make_circles

    np.random.seed(1)
    train_X, train_Y = make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)
    test_X, test_Y = make_circles(n_samples=100, noise=0.05)
    return train_X.T, train_Y.reshape(1, -1), test_X.T, test_Y.reshape(1, -1)


def load_moons() -> tuple[np.ndarray, np.ndarray]:
    """C2W2 optimization data: X (2, 300), Y (1, 300) from ``make_moons(300, noise=.2)``, seed 3."""
    from sklearn.datasets import make_moons

    np.random.seed(3)
    train_X, train_Y = make_moons(n_samples=300, noise=0.2)
    return train_X.T, train_Y.reshape(1, -1)
