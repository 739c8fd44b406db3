"""C2W1 Regularization: L2 weight decay and inverted dropout on a 3-layer network.

Model (course): ``[n_x, 20, 3, 1]``, ``LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID``,
``reg_utils`` initialization (seed 3, ``W / sqrt(n[l-1])``), batch gradient descent with
learning rate 0.3 for 30000 iterations, the ``reg_utils`` nansum cross-entropy. Either an L2
penalty (``lambd > 0``) or dropout on both hidden layers (``keep_prob < 1``), not both.

The math is the shared core of :mod:`tf_course.scratch.deep_nn` (L2 term and dropout masks are
options of its forward/backward); this module keeps the course's names and tuple caches.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tf_course.scratch import deep_nn
from tf_course.scratch.deep_nn import Parameters, update_parameters
from tf_course.scratch.nn_utils import (
    backward_propagation,
    cache_from_layers,
    compute_cost,
    forward_propagation,
    layers_from_cache,
    predict,
)

__all__ = [
    "backward_propagation",
    "backward_propagation_with_dropout",
    "backward_propagation_with_regularization",
    "compute_cost",
    "compute_cost_with_regularization",
    "forward_propagation",
    "forward_propagation_with_dropout",
    "initialize_parameters",
    "model",
    "predict",
    "update_parameters",
]


def initialize_parameters(layer_dims: Sequence[int]) -> Parameters:
    """``reg_utils.initialize_parameters``: seed 3, ``W{l} = randn(n[l], n[l-1]) / sqrt(n[l-1])``.

    Biases ``b{l}`` ``(n[l], 1)`` are zeros.
    """
    return deep_nn.initialize_layers(layer_dims, seed=3, weight_scale="xavier")


def compute_cost_with_regularization(
    A3: np.ndarray, Y: np.ndarray, parameters: Parameters, lambd: float
) -> float:
    """Cross-entropy (nansum) of A3 ``(1, m)`` plus ``lambd / (2 m) * sum_l ||W{l}||_F^2``."""
    m = Y.shape[1]
    return compute_cost(A3, Y) + deep_nn.l2_cost(parameters, lambd, m)


def backward_propagation_with_regularization(
    X: np.ndarray, Y: np.ndarray, cache: Sequence[np.ndarray], lambd: float
) -> dict[str, np.ndarray]:
    """Gradients of the L2-regularized cost: every ``dW{l}`` gets ``+ (lambd / m) W{l}``.

    X ``(n_x, m)``, Y ``(1, m)``, ``cache`` the tuple from :func:`forward_propagation`.
    Returns ``dZ{l}``, ``dW{l}``, ``db{l}``, ``dA{l-1}``.
    """
    AL, caches, _ = layers_from_cache(X, cache)
    return deep_nn.backward_pass(AL - Y, caches, "relu", lambd=lambd)


def forward_propagation_with_dropout(
    X: np.ndarray, parameters: Parameters, keep_prob: float = 0.5
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Forward pass with inverted dropout after each hidden ReLU: X ``(n_x, m)`` -> A3 ``(1, m)``.

    As the course, ``np.random.seed(1)`` is set at the top of every call (so the masks are the
    same at every iteration); ``D1`` is drawn before ``D2``, ``D = rand(...) < keep_prob`` and
    ``A = A * D / keep_prob``. Returns ``(A3, cache)`` with the tuple cache
    ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)``.
    """
    np.random.seed(1)
    AL, caches, masks = deep_nn.forward_pass(X, parameters, "relu", keep_prob)
    return AL, cache_from_layers(AL, caches, masks)


def backward_propagation_with_dropout(
    X: np.ndarray, Y: np.ndarray, cache: Sequence[np.ndarray], keep_prob: float
) -> dict[str, np.ndarray]:
    """Gradients through the dropout network of :func:`forward_propagation_with_dropout`.

    Each hidden ``dA{l}`` is multiplied by its mask ``D{l}`` and divided by ``keep_prob``
    (the returned ``dA{l}`` are these masked values). Returns ``dZ{l}``, ``dW{l}``, ``db{l}``,
    ``dA{l-1}``.
    """
    AL, caches, masks = layers_from_cache(X, cache, with_masks=True)
    return deep_nn.backward_pass(AL - Y, caches, "relu", masks=masks, keep_prob=keep_prob)


def model(
    X: np.ndarray,
    Y: np.ndarray,
    learning_rate: float = 0.3,
    num_iterations: int = 30000,
    print_cost: bool = True,
    lambd: float = 0,
    keep_prob: float = 1,
) -> tuple[Parameters, list[float]]:
    """Train the ``[n_x, 20, 3, 1]`` network on X ``(n_x, m)``, Y ``(1, m)``.

    ``lambd > 0`` adds L2 regularization, ``keep_prob < 1`` dropout (reseeded to 1 at every
    iteration, as the course's dropout forward does); using both raises ``ValueError``.
    Returns ``(parameters, costs)`` with the cost of iterations 0, 1000, 2000, ...; prints it
    every 10000 iterations with ``print_cost`` (the course's default).
    """
    if lambd != 0 and keep_prob != 1:
        raise ValueError(
            f"use L2 regularization or dropout, not both: got lambd={lambd}, keep_prob={keep_prob}"
        )
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    layers_dims = [X.shape[0], 20, 3, 1]
    parameters = initialize_parameters(layers_dims)
    return deep_nn.train_full_batch(
        X,
        Y,
        parameters,
        learning_rate,
        num_iterations,
        output_grad="dZ",
        ignore_nan=True,
        lambd=lambd,
        keep_prob=keep_prob,
        dropout_seed=1,
        record_every=1000,
        print_every=10000 if print_cost else None,
    )
