"""C1W2: logistic regression with a neural-network mindset, in NumPy (course names).

Shapes (course notation): X is (n_x, m) with one example per column, Y is (1, m) of 0/1,
w is (n_x, 1) and b a scalar.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tf_course.scratch.activations import sigmoid
from tf_course.scratch.metrics import accuracy

__all__ = ["accuracy", "sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"]


def initialize_with_zeros(dim: int) -> tuple[np.ndarray, float]:
    """w of zeros (dim, 1) and b = 0.0."""
    return np.zeros((dim, 1)), 0.0


def propagate(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray) -> tuple[dict[str, Any], float]:
    """Cost and gradients of the cross-entropy for the current w (n_x, 1) and b.

    Returns:
        grads: ``{"dw": (n_x, 1), "db": float}`` and cost: float.
    """
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)  # (1, m)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = X @ (A - Y).T / m  # (n_x, 1)
    db = np.sum(A - Y) / m
    return {"dw": dw, "db": float(db)}, float(np.squeeze(cost))


def optimize(
    w: np.ndarray,
    b: float,
    X: np.ndarray,
    Y: np.ndarray,
    num_iterations: int = 100,
    learning_rate: float = 0.009,
    print_cost: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], list[float]]:
    """Gradient descent; returns params {w, b}, the last grads {dw, db}, costs every 100 steps."""
    w = np.array(w, dtype=float, copy=True)
    costs: list[float] = []
    grads: dict[str, Any] = {}
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    return {"w": w, "b": b}, grads, costs


def predict(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """0/1 predictions (1, m): 1 where sigmoid(w.T X + b) > 0.5."""
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(w.T @ X + b)
    return (A > 0.5).astype(float)


def model(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    X_test: np.ndarray,
    Y_test: np.ndarray,
    num_iterations: int = 2000,
    learning_rate: float = 0.5,
    print_cost: bool = False,
) -> dict[str, Any]:
    """Train from zeros and predict; returns the course's dict (costs, predictions, w, b, ...).

    Also prints the course's train/test accuracy lines when ``print_cost`` is set.
    """
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print(f"train accuracy: {100 * accuracy(Y_prediction_train, Y_train)} %")
        print(f"test accuracy: {100 * accuracy(Y_prediction_test, Y_test)} %")
    return {
        "costs": costs,
        "Y_prediction_test": Y_prediction_test,
        "Y_prediction_train": Y_prediction_train,
        "w": w,
        "b": b,
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }
