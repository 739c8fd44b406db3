"""The course's TensorFlow functions (C2W3), rewritten for TF2 eager execution.

The TF1 notebook built a graph of placeholders and ran it in a ``tf.Session``; in TF2 every
function simply computes its value. Names and layouts are the course's: examples are *columns*
(``X`` (n_x, m), labels one-hot (C, m)), parameters ``W{l}`` (n[l], n[l-1]) and ``b{l}`` (n[l], 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

#: Layer sizes of the SIGNS classifier: 64*64*3 pixels -> 25 -> 12 -> 6 classes.
LAYER_DIMS = (12288, 25, 12, 6)


def linear_function() -> tf.Tensor:
    """``Y = WX + b`` with the course's seeded random matrices (float64 constants).

    X (3, 1), W (4, 3) and b (4, 1) are drawn in that order by ``randn`` after seed 1 (the
    course's ``np.random.seed(1)``; a private ``RandomState(1)`` gives the same numbers without
    touching NumPy's global generator).

    Returns:
        Y, float64 tensor of shape (4, 1).
    """
    rs = np.random.RandomState(1)
    X = tf.constant(rs.randn(3, 1), name="X")
    W = tf.constant(rs.randn(4, 3), name="W")
    b = tf.constant(rs.randn(4, 1), name="b")
    return tf.add(tf.matmul(W, X), b)  # (4, 3) @ (3, 1) + (4, 1) -> (4, 1)


def sigmoid(z: float | np.ndarray | tf.Tensor) -> tf.Tensor:
    """Sigmoid of ``z`` (scalar or array of any shape), computed in float32."""
    return keras.activations.sigmoid(tf.cast(z, tf.float32))


def cost(logits: np.ndarray | tf.Tensor, labels: np.ndarray | tf.Tensor) -> tf.Tensor:
    """Element-wise sigmoid cross-entropy ``-(y log a + (1 - y) log(1 - a))``, ``a = sigmoid(z)``.

    Args:
        logits: z, the output of the last linear unit, any shape.
        labels: y (0 or 1), same shape.

    Returns:
        float32 tensor of the per-element costs, same shape as ``logits``.
    """
    z = tf.cast(logits, tf.float32)
    y = tf.cast(labels, tf.float32)
    return tf.nn.sigmoid_cross_entropy_with_logits(logits=z, labels=y)


def one_hot_matrix(labels: Sequence[int] | np.ndarray | tf.Tensor | int, C: int) -> tf.Tensor:
    """One-hot encode ``labels`` (m,) with classes on axis 0: float32 (C, m); a scalar gives (C,).

    Column ``j`` has a single 1 in row ``labels[j]``.
    """
    return tf.one_hot(labels, depth=C, axis=0)


def ones(shape: Sequence[int] | int) -> tf.Tensor:
    """A float32 tensor of ones of the given shape."""
    return tf.ones(shape)


def initialize_parameters(layer_dims: Sequence[int] = LAYER_DIMS) -> dict[str, tf.Variable]:
    """The 2021 TF2 notebook's initialisation: ``GlorotNormal(seed=1)`` for every W and b.

    (The TF1 notebook used Xavier-uniform weights and zero biases, as the Keras model built by
    :func:`tf_course.basics.tf_intro.model.build_tf_intro_model` does.) The seeded initializer is
    course behaviour; its values in Keras 3 differ from TF 2.3's.

    Returns:
        ``W{l}`` (n[l], n[l-1]) and ``b{l}`` (n[l], 1) as float32 ``tf.Variable``.
    """
    initializer = keras.initializers.GlorotNormal(seed=1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = tf.Variable(initializer(shape=(layer_dims[l], layer_dims[l - 1])), name=f"W{l}")
        parameters[f"b{l}"] = tf.Variable(initializer(shape=(layer_dims[l], 1)), name=f"b{l}")
    return parameters


def forward_propagation(X: np.ndarray | tf.Tensor, parameters: dict[str, tf.Tensor]) -> tf.Tensor:
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR, stopping at the logits (no softmax).

    Args:
        X: examples as columns, (n_x, m).
        parameters: ``W1, b1, W2, b2, W3, b3`` in course layout.

    Returns:
        Z3, the logits, (6, m).
    """
    A = tf.cast(X, tf.float32)
    L = len(parameters) // 2
    for l in range(1, L + 1):
        Z = tf.add(tf.matmul(parameters[f"W{l}"], A), parameters[f"b{l}"])  # (n[l], m)
        A = tf.nn.relu(Z) if l < L else Z
    return A


def compute_cost(logits: np.ndarray | tf.Tensor, labels: np.ndarray | tf.Tensor) -> tf.Tensor:
    """Mean softmax cross-entropy of logits (C, m) against one-hot labels (C, m), examples as columns."""
    logits_rows = tf.transpose(tf.cast(logits, tf.float32))  # (C, m) -> (m, C)
    labels_rows = tf.transpose(tf.cast(labels, tf.float32))  # (C, m) -> (m, C)
    return tf.reduce_mean(keras.losses.categorical_crossentropy(labels_rows, logits_rows, from_logits=True))
