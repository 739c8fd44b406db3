"""C2W1 Initialization: zeros vs large random vs He initialization of a 3-layer network.

Model (course): ``[2, 10, 5, 1]``, ``LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID``,
batch gradient descent, learning rate 0.01, 15000 iterations, the ``init_utils`` cost
(mean cross-entropy summed with ``np.nansum``, so the large random init reports ``inf`` at
iteration 0). Forward, backward and the update are the shared core of
:mod:`tf_course.scratch.deep_nn`; the ``init_utils`` names are re-exported from
:mod:`tf_course.scratch.nn_utils`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from tf_course.scratch import deep_nn
from tf_course.scratch.deep_nn import Parameters, update_parameters
from tf_course.scratch.nn_utils import backward_propagation, forward_propagation, predict
from tf_course.scratch.nn_utils import compute_cost as compute_loss

__all__ = [
    "backward_propagation",
    "compute_loss",
    "forward_propagation",
    "initialize_parameters_he",
    "initialize_parameters_random",
    "initialize_parameters_zeros",
    "model",
    "predict",
    "update_parameters",
]


def initialize_parameters_zeros(layers_dims: Sequence[int]) -> Parameters:
    """All-zero ``W{l}`` ``(n[l], n[l-1])`` and ``b{l}`` ``(n[l], 1)`` (fails to break symmetry)."""
    return deep_nn.initialize_layers(layers_dims, seed=None, weight_scale="zeros")


def initialize_parameters_random(layers_dims: Sequence[int]) -> Parameters:
    """Seed 3, ``W{l} = randn(n[l], n[l-1]) * 10``, zero biases."""
    return deep_nn.initialize_layers(layers_dims, seed=3, weight_scale=10)


def initialize_parameters_he(layers_dims: Sequence[int]) -> Parameters:
    """Seed 3, He initialization ``W{l} = randn(n[l], n[l-1]) * sqrt(2 / n[l-1])``, zero biases."""
    return deep_nn.initialize_layers(layers_dims, seed=3, weight_scale="he")


_INITIALIZERS = {
    "zeros": initialize_parameters_zeros,
    "random": initialize_parameters_random,
    "he": initialize_parameters_he,
}


def model(
    X: np.ndarray,
    Y: np.ndarray,
    learning_rate: float = 0.01,
    num_iterations: int = 15000,
    print_cost: bool = True,
    initialization: Literal["zeros", "random", "he"] = "he",
) -> tuple[Parameters, list[float]]:
    """Train the ``[n_x, 10, 5, 1]`` network on X ``(n_x, m)``, Y ``(1, m)`` by batch GD.

    ``initialization`` picks :func:`initialize_parameters_zeros`, ``_random`` or ``_he``.
    Returns ``(parameters, costs)``: ``costs`` holds the (nansum) cost of iterations 0, 1000,
    2000, ... (printed as well with ``print_cost``, the course's default).
    """
    if initialization not in _INITIALIZERS:
        raise ValueError(
            f"initialization must be one of {sorted(_INITIALIZERS)}, got {initialization!r}"
        )
    layers_dims = [X.shape[0], 10, 5, 1]
    parameters = _INITIALIZERS[initialization](layers_dims)
    return deep_nn.train_full_batch(
        X,
        Y,
        parameters,
        learning_rate,
        num_iterations,
        output_grad="dZ",
        ignore_nan=True,
        record_every=1000,
        print_every=1000 if print_cost else None,
    )
