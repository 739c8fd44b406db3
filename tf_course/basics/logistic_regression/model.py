"""Logistic regression as a Keras 3 functional model trained by full-batch gradient descent.

Same maths as the NumPy version: zero initialisation, sigmoid output, cross-entropy cost,
plain gradient descent on all examples at once (one "epoch" = one course iteration).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tf_course.basics.mlp import build_mlp, train_full_batch
from tf_course.train import History


def build_logistic_regression(n_x: int = 12288, name: str = "logistic_regression") -> keras.Model:
    """Input ``features`` (batch, n_x) -> ``layer_1`` Dense(1, sigmoid) (batch, 1), zero weights."""
    model = build_mlp([n_x, 1], output_activation="sigmoid", name=name)
    layer = model.get_layer("layer_1")
    layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])  # initialize_with_zeros
    return model


def train_logistic_regression(
    X: np.ndarray,
    Y: np.ndarray,
    num_iterations: int = 2000,
    learning_rate: float = 0.005,
    strategy: tf.distribute.Strategy | None = None,
    checkpoint_dir: str | None = None,
    verbose: bool = True,
) -> tuple[keras.Model, History]:
    """Train the twin on X (m, n_x) and Y (m, 1) with full-batch SGD.

    Returns:
        The model and its history; ``history.history["loss"][i]`` is the cost before update i,
        the course's "cost after iteration i".
    """
    return train_full_batch(
        lambda: build_logistic_regression(X.shape[1]), X, Y,
        lambda: keras.optimizers.SGD(learning_rate=learning_rate), num_iterations,
        strategy=strategy, checkpoint_dir=checkpoint_dir, verbose=verbose,
    )
