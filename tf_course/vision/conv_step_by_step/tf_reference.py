"""TensorFlow twins of the C4W1 scratch layers: ``tf.nn`` forward ops and ``GradientTape`` gradients.

Same arguments and layouts as :mod:`tf_course.scratch.conv` (channels-last, W ``(f, f, n_C_prev,
n_C)``, b ``(1, 1, 1, n_C)``); computations run in the inputs' dtype (float64 gives agreement to
about 1e-12, float32 to about 1e-5). The backward functions return the gradients of
``sum(output * upstream)``, i.e. the vector-Jacobian product the scratch backward passes compute.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import tensorflow as tf

_POOLS = {"max": tf.nn.max_pool2d, "average": tf.nn.avg_pool2d}


def _conv(A_prev: tf.Tensor, W: tf.Tensor, b: tf.Tensor, hparameters: Mapping[str, int]) -> tf.Tensor:
    pad = int(hparameters["pad"])
    padding = [[0, 0], [pad, pad], [pad, pad], [0, 0]]  # explicit zero padding of axes 1 and 2
    return tf.nn.conv2d(A_prev, W, strides=int(hparameters["stride"]), padding=padding) + b


def _pool(A_prev: tf.Tensor, hparameters: Mapping[str, int], mode: str) -> tf.Tensor:
    if mode not in _POOLS:
        raise ValueError(f"mode must be one of {tuple(_POOLS)}; found {mode!r}")
    return _POOLS[mode](A_prev, ksize=int(hparameters["f"]), strides=int(hparameters["stride"]), padding="VALID")


def tf_conv_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: Mapping[str, int]) -> np.ndarray:
    """``tf.nn.conv2d`` with explicit padding, plus b: Z ``(m, n_H, n_W, n_C)``."""
    return _conv(tf.constant(A_prev), tf.constant(W), tf.constant(b), hparameters).numpy()


def tf_pool_forward(A_prev: np.ndarray, hparameters: Mapping[str, int], mode: str = "max") -> np.ndarray:
    """``tf.nn.max_pool2d`` / ``tf.nn.avg_pool2d`` with ``padding="VALID"``: A ``(m, n_H, n_W, n_C)``."""
    return _pool(tf.constant(A_prev), hparameters, mode).numpy()


def tf_conv_backward(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GradientTape gradients of ``sum(conv(A_prev) * dZ)``: dA_prev, dW, db in the scratch shapes."""
    variables = [tf.Variable(A_prev), tf.Variable(W), tf.Variable(b)]
    with tf.GradientTape() as tape:
        Z = _conv(*variables, hparameters)
        objective = tf.reduce_sum(Z * tf.constant(dZ, Z.dtype))
    return tuple(g.numpy() for g in tape.gradient(objective, variables))


def tf_pool_backward(
    dA: np.ndarray, A_prev: np.ndarray, hparameters: Mapping[str, int], mode: str = "max"
) -> np.ndarray:
    """GradientTape gradient of ``sum(pool(A_prev) * dA)``: dA_prev ``(m, n_H_prev, n_W_prev, n_C)``."""
    A_prev_var = tf.Variable(A_prev)
    with tf.GradientTape() as tape:
        A = _pool(A_prev_var, hparameters, mode)
        objective = tf.reduce_sum(A * tf.constant(dA, A.dtype))
    return tape.gradient(objective, A_prev_var).numpy()
