"""Datasets the course generates by code: planar flower, circles, moons.

Each loader reproduces the course's arrays bit for bit: it seeds NumPy's legacy global
generator exactly where the course's ``*_utils.load_*`` functions do, and draws in the same
order. X is (2, m) float64 and Y is (1, m) (features in rows, examples in columns, the
course's convention).

The course calls scikit-learn's ``make_circles`` / ``make_moons``; :func:`make_circles` and
:func:`make_moons` here are the same algorithm in NumPy (scikit-learn 1.4-1.9's, for an int
``n_samples``, ``shuffle=True`` and the global generator), equal bit for bit and drawing the same
numbers from the global generator (tests/data/test_generated.py compares them with scikit-learn).
scikit-learn is not a run-time dependency: Keras imports it inside ``import tensorflow`` whenever it
is installed, about a second per process (``benchmarks/import_time.py``).
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


def _shuffle_and_noise(X: np.ndarray, y: np.ndarray, noise: float | None) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``shuffle`` then ``X += normal(scale=noise)``, drawing from the global generator."""
    indices = np.arange(X.shape[0])
    np.random.shuffle(indices)
    X, y = X[indices], y[indices]
    if noise is not None:
        X += np.random.normal(scale=noise, size=X.shape)
    return X, y


def make_circles(n_samples: int = 100, *, noise: float | None = None,
                 factor: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """``sklearn.datasets.make_circles(n_samples, noise=noise, factor=factor)`` (shuffled, global generator).

    Returns X (n_samples, 2) float64, a large circle of radius 1 (the first ``n_samples // 2``
    points before shuffling, label 0) around a small one of radius ``factor`` (label 1), plus
    Gaussian noise of standard deviation ``noise``; y (n_samples,) intp.
    """
    if not 0 <= factor < 1 or n_samples < 1:
        raise ValueError(f"expected n_samples >= 1 and 0 <= factor < 1, found {n_samples} and {factor}")
    n_samples_out = n_samples // 2
    n_samples_in = n_samples - n_samples_out
    # so as not to have the first point = last point, endpoint=False (as scikit-learn)
    linspace_out = np.linspace(0, 2 * np.pi, n_samples_out, endpoint=False)
    linspace_in = np.linspace(0, 2 * np.pi, n_samples_in, endpoint=False)
    outer_circ_x = np.cos(linspace_out)
    outer_circ_y = np.sin(linspace_out)
    inner_circ_x = np.cos(linspace_in) * factor
    inner_circ_y = np.sin(linspace_in) * factor
    X = np.vstack([np.append(outer_circ_x, inner_circ_x), np.append(outer_circ_y, inner_circ_y)]).T
    y = np.hstack([np.zeros(n_samples_out, dtype=np.intp), np.ones(n_samples_in, dtype=np.intp)])
    return _shuffle_and_noise(X, y, noise)


def make_moons(n_samples: int = 100, *, noise: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``sklearn.datasets.make_moons(n_samples, noise=noise)`` (shuffled, global generator).

    Returns X (n_samples, 2) float64, two interleaving half circles (the upper one, label 0, is
    the first ``n_samples // 2`` points before shuffling), plus Gaussian noise of standard
    deviation ``noise``; y (n_samples,) intp.
    """
    if n_samples < 1:
        raise ValueError(f"expected n_samples >= 1, found {n_samples}")
    n_samples_out = n_samples // 2
    n_samples_in = n_samples - n_samples_out
    outer_circ_x = np.cos(np.linspace(0, np.pi, n_samples_out))
    outer_circ_y = np.sin(np.linspace(0, np.pi, n_samples_out))
    inner_circ_x = 1 - np.cos(np.linspace(0, np.pi, n_samples_in))
    inner_circ_y = 1 - np.sin(np.linspace(0, np.pi, n_samples_in)) - 0.5
    X = np.vstack([np.append(outer_circ_x, inner_circ_x), np.append(outer_circ_y, inner_circ_y)]).T
    y = np.hstack([np.zeros(n_samples_out, dtype=np.intp), np.ones(n_samples_in, dtype=np.intp)])
    return _shuffle_and_noise(X, y, noise)


def load_circles() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """C2W1 initialization data: train X (2, 300), Y (1, 300); test X (2, 100), Y (1, 100).

    ``make_circles(300, noise=.05)`` after ``np.random.seed(1)`` and ``make_circles(100,
    noise=.05)`` after ``np.random.seed(2)`` (scikit-learn draws from the global generator
    when no ``random_state`` is given; :func:`make_circles` does the same).
    """
    np.random.seed(1)
    train_X, train_Y = make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)
    test_X, test_Y = make_circles(n_samples=100, noise=0.05)
    return train_X.T, train_Y.reshape(1, -1), test_X.T, test_Y.reshape(1, -1)


def load_moons() -> tuple[np.ndarray, np.ndarray]:
    """C2W2 optimization data: X (2, 300), Y (1, 300) from ``make_moons(300, noise=.2)``, seed 3."""
    np.random.seed(3)
    train_X, train_Y = make_moons(n_samples=300, noise=0.2)
    return train_X.T, train_Y.reshape(1, -1)
