"""Keras 3 twin of the C1W3 one-hidden-layer network: ``features -> Dense(n_h, tanh) -> Dense(1, sigmoid)``.

The twin is :func:`tf_course.basics.mlp.build_mlp` holding the course's initial parameters
(``initialize_parameters``: seed 2, ``randn * 0.01``), trained with plain SGD on all examples at
once, so one Keras step is one course iteration of ``nn_model``.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np

from tf_course.basics.mlp import build_mlp, set_course_parameters, train_full_batch
from tf_course.train import History


def build_planar_classifier(parameters: Mapping[str, np.ndarray], name: str = "planar_classifier") -> keras.Model:
    """Input ``features`` (batch, n_x) -> ``layer_1`` Dense(n_h, tanh) -> ``layer_2`` Dense(n_y, sigmoid).

    Args:
        parameters: course dict ``W1`` (n_h, n_x), ``b1`` (n_h, 1), ``W2`` (n_y, n_h), ``b2`` (n_y, 1),
            copied into the model.
        name: model name.

    Returns:
        The model, output (batch, n_y).
    """
    n_h, n_x = np.shape(parameters["W1"])
    n_y = np.shape(parameters["W2"])[0]
    return set_course_parameters(build_mlp([n_x, n_h, n_y], "tanh", "sigmoid", name=name), parameters)


def train_planar_classifier(
    parameters: Mapping[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    num_iterations: int = 10000,
    learning_rate: float = 1.2,
    verbose: bool = True,
) -> tuple[keras.Model, History]:
    """Full-batch SGD from the course's initial ``parameters`` on X (m, n_x), Y (m, 1).

    Returns:
        The trained model and its history; ``history.history["loss"][i]`` is the cost before
        update i, the course's "cost after iteration i".
    """
    return train_full_batch(
        lambda: build_planar_classifier(parameters), X, Y,
        lambda: keras.optimizers.SGD(learning_rate=learning_rate), num_iterations, verbose=verbose,
    )
