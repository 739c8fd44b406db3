"""Activations and their backward passes, as the course's ``dnn_utils`` defines them.

All functions work elementwise on arrays of any shape.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """Sigmoid ``1 / (1 + exp(-z))`` of a scalar or array (same shape out)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU ``max(0, z)`` (same shape out)."""
    return np.maximum(0, z)


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * s * (1 - s) with s = sigmoid(Z); dA and Z have the same shape."""
    s = sigmoid(Z)
    return dA * s * (1 - s)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA where Z > 0, else 0; dA and Z have the same shape."""
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ
