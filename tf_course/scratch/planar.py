"""C1W3: planar data classification with one hidden (tanh) layer, from scratch.

Model: ``X (n_x, m) -> LINEAR -> TANH -> LINEAR -> SIGMOID -> A2 (1, m)``, trained by batch
gradient descent with learning rate 1.2. The math is the generic core of
:mod:`tf_course.scratch.deep_nn` with a tanh hidden layer; this module keeps the course's
names, signatures and dictionary caches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, overload

import numpy as np

from tf_course.scratch import deep_nn
from tf_course.scratch.deep_nn import Parameters
from tf_course.scratch.metrics import accuracy

__all__ = [
    "backward_propagation",
    "compute_cost",
    "forward_propagation",
    "hidden_layer_sweep",
    "initialize_parameters",
    "layer_sizes",
    "nn_model",
    "predict",
    "update_parameters",
]

SWEEP_HIDDEN_SIZES = (1, 2, 3, 4, 5, 20, 50)


def layer_sizes(X: np.ndarray, Y: np.ndarray) -> tuple[int, int, int]:
    """``(n_x, n_h, n_y)`` for X ``(n_x, m)`` and Y ``(n_y, m)``; n_h is fixed to 4 (course)."""
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x: int, n_h: int, n_y: int) -> Parameters:
    """Seed 2, ``randn * 0.01``: W1 ``(n_h, n_x)``, b1 ``(n_h, 1)``, W2 ``(n_y, n_h)``, b2 zeros."""
    return deep_nn.initialize_layers([n_x, n_h, n_y], seed=2, weight_scale=0.01)


def forward_propagation(
    X: np.ndarray, parameters: Parameters
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``A2 = sigmoid(W2 tanh(W1 X + b1) + b2)``: X ``(n_x, m)`` -> A2 ``(1, m)``.

    Returns ``(A2, cache)`` with cache ``{"Z1", "A1"}`` ``(n_h, m)`` and ``{"Z2", "A2"}``
    ``(1, m)``.
    """
    A2, caches, _ = deep_nn.forward_pass(X, parameters, hidden_activation="tanh")
    (_X, _W1, _b1), Z1 = caches[0]
    (A1, _W2, _b2), Z2 = caches[1]
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2: np.ndarray, Y: np.ndarray, parameters: Parameters | None = None) -> float:
    """Mean cross-entropy of A2 ``(1, m)`` against Y ``(1, m)`` as a float.

    ``parameters`` is accepted (and unused) for the course's signature.
    """
    return deep_nn.cross_entropy_cost(A2, Y)


def backward_propagation(
    parameters: Parameters, cache: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray
) -> dict[str, np.ndarray]:
    """Gradients ``dW1 (n_h, n_x)``, ``db1 (n_h, 1)``, ``dW2 (1, n_h)``, ``db2 (1, 1)``.

    ``dZ2 = A2 - Y``, ``dZ1 = W2^T dZ2 * (1 - A1^2)``, ``dW = dZ A_prev^T / m``,
    ``db`` = row means of dZ. The tanh derivative is computed as ``1 - tanh(Z1)^2``, which is
    exactly ``1 - A1^2`` for a cache made by :func:`forward_propagation`.
    """
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    A1, A2 = cache["A1"], cache["A2"]
    caches = [((X, W1, b1), cache["Z1"]), ((A1, W2, b2), cache["Z2"])]
    grads = deep_nn.backward_pass(A2 - Y, caches, hidden_activation="tanh")
    return {k: grads[k] for k in ("dW1", "db1", "dW2", "db2")}


def update_parameters(
    parameters: Parameters, grads: dict[str, np.ndarray], learning_rate: float = 1.2
) -> Parameters:
    """One gradient-descent step with the course's default learning rate 1.2 (new dict)."""
    return deep_nn.update_parameters(parameters, grads, learning_rate)


@overload
def nn_model(
    X: np.ndarray,
    Y: np.ndarray,
    n_h: int,
    num_iterations: int = ...,
    print_cost: bool = ...,
    learning_rate: float = ...,
    return_costs: Literal[False] = ...,
) -> Parameters: ...


@overload
def nn_model(
    X: np.ndarray,
    Y: np.ndarray,
    n_h: int,
    num_iterations: int = ...,
    print_cost: bool = ...,
    learning_rate: float = ...,
    *,
    return_costs: Literal[True],
) -> tuple[Parameters, list[float]]: ...


def nn_model(
    X: np.ndarray,
    Y: np.ndarray,
    n_h: int,
    num_iterations: int = 10000,
    print_cost: bool = False,
    learning_rate: float = 1.2,
    return_costs: bool = False,
) -> Parameters | tuple[Parameters, list[float]]:
    """Train the one-hidden-layer network on X ``(n_x, m)``, Y ``(1, m)`` by batch GD.

    As the course: ``np.random.seed(3)``, then :func:`initialize_parameters` (seed 2),
    ``num_iterations`` steps of forward / cost / backward / update (learning rate 1.2), printing
    the cost every 1000 iterations with ``print_cost``.

    Returns the trained parameters (the course's return value), or ``(parameters, costs)`` with
    ``return_costs=True``, where ``costs`` holds the cost of iterations 0, 1000, 2000, ...
    """
    np.random.seed(3)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    parameters, costs = deep_nn.train_full_batch(
        X,
        Y,
        parameters,
        learning_rate,
        num_iterations,
        hidden_activation="tanh",
        output_grad="dZ",
        record_every=1000,
        print_every=1000 if print_cost else None,
    )
    return (parameters, costs) if return_costs else parameters


def predict(parameters: Parameters, X: np.ndarray) -> np.ndarray:
    """Boolean predictions ``A2 > 0.5`` of shape ``(1, m)`` for X ``(n_x, m)``."""
    A2, _ = forward_propagation(X, parameters)
    return A2 > 0.5


def hidden_layer_sweep(
    X: np.ndarray,
    Y: np.ndarray,
    hidden_layer_sizes: Iterable[int] = SWEEP_HIDDEN_SIZES,
    num_iterations: int = 5000,
) -> dict[int, float]:
    """The course's hidden-layer-size experiment: ``{n_h: training accuracy}``.

    Trains :func:`nn_model` for each size (5000 iterations, learning rate 1.2) and measures
    the accuracy of :func:`predict` on the training data.
    """
    results: dict[int, float] = {}
    for n_h in hidden_layer_sizes:
        parameters = nn_model(X, Y, n_h, num_iterations=num_iterations)
        results[n_h] = accuracy(predict(parameters, X), Y)
    return results
