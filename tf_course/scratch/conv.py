"""C4W1 Convolutional model step by step: CONV and POOL layers in NumPy, forward and backward.

The course's loop implementations, kept as the readable reference (one output neuron per loop
step). Tensors are channels-last: activations ``(m, n_H, n_W, n_C)``, filters ``(f, f, n_C_prev,
n_C)``, biases ``(1, 1, 1, n_C)``. Output sizes::

    conv: n_H = floor((n_H_prev - f + 2 * pad) / stride) + 1      (n_W likewise)
    pool: n_H = floor((n_H_prev - f) / stride) + 1                  (no padding)

Each forward returns ``(output, cache)`` with the course's caches: ``(A_prev, W, b, hparameters)``
for conv, ``(A_prev, hparameters)`` for pool. :mod:`tf_course.scratch.conv_vectorized` computes
the same functions without Python loops over positions.

Deviations from the course code (the course's numbers are unchanged):

- ``conv_single_step`` adds ``b.item()``: the course's ``float(b)`` on a ``(1, 1, 1)`` array
  raises ``TypeError`` in NumPy >= 2.4.
- ``conv_backward`` removes the padding with ``[pad:pad + n_H_prev]``; the course's
  ``[pad:-pad]`` gives an empty array when ``pad == 0``.
- The seed's printed ``pool_forward`` slices ``A_prev[i, horiz, vert, c]`` (axes swapped); the
  graded notebook, and this module, slice ``A_prev[i, vert, horiz, c]``.
- Bad shapes and hyperparameters raise ``ValueError`` naming what was expected and found.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

ConvCache = tuple[np.ndarray, np.ndarray, np.ndarray, Mapping[str, int]]
PoolCache = tuple[np.ndarray, Mapping[str, int]]
POOL_MODES = ("max", "average")

__all__ = [
    "conv_backward",
    "conv_forward",
    "conv_single_step",
    "create_mask_from_window",
    "distribute_value",
    "pool_backward",
    "pool_forward",
    "zero_pad",
]


# ----------------------------------------------------------------------------- input checks


def _hyperparameter(hparameters: Mapping[str, int], key: str, who: str, minimum: int) -> int:
    if key not in hparameters:
        raise ValueError(f"{who}: hparameters needs {key!r}; found keys {sorted(hparameters)}")
    value = hparameters[key]
    if int(value) != value or value < minimum:
        raise ValueError(f"{who}: hparameters[{key!r}] must be an integer >= {minimum}; found {value!r}")
    return int(value)


def _check_4d(x: np.ndarray, name: str, who: str, layout: str) -> None:
    if np.ndim(x) != 4:
        raise ValueError(f"{who}: expected {name} of shape {layout}; found shape {np.shape(x)}")


def _output_size(n_prev: int, f: int, pad: int, stride: int, who: str, axis: str) -> int:
    """``floor((n_prev - f + 2 pad) / stride) + 1``, or ValueError if the window does not fit."""
    if n_prev + 2 * pad < f:
        raise ValueError(f"{who}: the {f}x{f} window does not fit {axis} = {n_prev} with pad {pad}")
    return (n_prev - f + 2 * pad) // stride + 1


def conv_output_shape(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: Mapping[str, int], who: str = "conv_forward"
) -> tuple[int, int, int, int, int, int, int]:
    """Check conv inputs; return ``(m, n_H, n_W, n_C, f, stride, pad)``.

    Raises ``ValueError`` when A_prev is not ``(m, n_H_prev, n_W_prev, n_C_prev)``, W is not
    ``(f, f, n_C_prev, n_C)``, b is not ``(1, 1, 1, n_C)``, or the hyperparameters are invalid.
    """
    _check_4d(A_prev, "A_prev", who, "(m, n_H_prev, n_W_prev, n_C_prev)")
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    if np.ndim(W) != 4 or W.shape[0] != W.shape[1] or W.shape[2] != n_C_prev:
        raise ValueError(f"{who}: expected W of shape (f, f, {n_C_prev}, n_C) to match A_prev {A_prev.shape}; "
                         f"found shape {np.shape(W)}")
    f, n_C = W.shape[0], W.shape[3]
    if np.shape(b) != (1, 1, 1, n_C):
        raise ValueError(f"{who}: expected b of shape (1, 1, 1, {n_C}); found shape {np.shape(b)}")
    stride = _hyperparameter(hparameters, "stride", who, 1)
    pad = _hyperparameter(hparameters, "pad", who, 0)
    n_H = _output_size(n_H_prev, f, pad, stride, who, "n_H_prev")
    n_W = _output_size(n_W_prev, f, pad, stride, who, "n_W_prev")
    return m, n_H, n_W, n_C, f, stride, pad


def pool_output_shape(
    A_prev: np.ndarray, hparameters: Mapping[str, int], mode: str, who: str = "pool_forward"
) -> tuple[int, int, int, int, int, int]:
    """Check pool inputs; return ``(m, n_H, n_W, n_C, f, stride)`` (``n_C = n_C_prev``)."""
    _check_4d(A_prev, "A_prev", who, "(m, n_H_prev, n_W_prev, n_C_prev)")
    if mode not in POOL_MODES:
        raise ValueError(f"{who}: mode must be one of {POOL_MODES}; found {mode!r}")
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f = _hyperparameter(hparameters, "f", who, 1)
    stride = _hyperparameter(hparameters, "stride", who, 1)
    n_H = _output_size(n_H_prev, f, 0, stride, who, "n_H_prev")
    n_W = _output_size(n_W_prev, f, 0, stride, who, "n_W_prev")
    return m, n_H, n_W, n_C, f, stride


def check_upstream_gradient(d_out: np.ndarray, expected: tuple[int, ...], name: str, who: str) -> None:
    """ValueError unless the upstream gradient has the forward output's shape."""
    if np.shape(d_out) != tuple(expected):
        raise ValueError(f"{who}: expected {name} of the forward output's shape {tuple(expected)}; "
                         f"found shape {np.shape(d_out)}")


# ----------------------------------------------------------------------------- forward


def zero_pad(X: np.ndarray, pad: int) -> np.ndarray:
    """Pad the images of X ``(m, n_H, n_W, n_C)`` with ``pad`` zeros on axes 1 and 2 only.

    Returns X_pad of shape ``(m, n_H + 2 pad, n_W + 2 pad, n_C)``.
    """
    _check_4d(X, "X", "zero_pad", "(m, n_H, n_W, n_C)")
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=(0, 0))


def conv_single_step(a_slice_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    """One output neuron: ``sum(a_slice_prev * W) + b``.

    Args:
        a_slice_prev: a window of the input, ``(f, f, n_C_prev)``.
        W: one filter, ``(f, f, n_C_prev)``.
        b: its bias, ``(1, 1, 1)`` (any one-element array or scalar).
    """
    if np.shape(a_slice_prev) != np.shape(W):
        raise ValueError(f"conv_single_step: expected a_slice_prev of W's shape {np.shape(W)}; "
                         f"found shape {np.shape(a_slice_prev)}")
    s = a_slice_prev * W  # element-wise product
    Z = np.sum(s)  # sum over all entries of the volume
    return Z + np.asarray(b).item()  # course: float(b), a TypeError for (1,1,1) arrays in NumPy >= 2.4


def conv_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: Mapping[str, int]
) -> tuple[np.ndarray, ConvCache]:
    """Forward pass of a convolution layer (no activation).

    Args:
        A_prev: previous activations, ``(m, n_H_prev, n_W_prev, n_C_prev)``.
        W: filters, ``(f, f, n_C_prev, n_C)``.
        b: biases, ``(1, 1, 1, n_C)``.
        hparameters: ``{"stride": int, "pad": int}``.

    Returns:
        Z ``(m, n_H, n_W, n_C)`` and cache ``(A_prev, W, b, hparameters)`` for :func:`conv_backward`.
    """
    m, n_H, n_W, n_C, f, stride, pad = conv_output_shape(A_prev, W, b, hparameters)
    Z = np.zeros([m, n_H, n_W, n_C])
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):  # loop over the batch of training examples
        a_prev_pad = A_prev_pad[i]  # (n_H_prev + 2 pad, n_W_prev + 2 pad, n_C_prev)
        for h in range(n_H):  # vertical axis of the output volume
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):  # horizontal axis of the output volume
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):  # channels (= filters) of the output volume
                    a_slice_prev = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    weights = W[:, :, :, c]
                    biases = b[:, :, :, c]
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, weights, biases)
    cache = (A_prev, W, b, hparameters)
    return Z, cache


def pool_forward(
    A_prev: np.ndarray, hparameters: Mapping[str, int], mode: str = "max"
) -> tuple[np.ndarray, PoolCache]:
    """Forward pass of a pooling layer (no padding).

    Args:
        A_prev: input, ``(m, n_H_prev, n_W_prev, n_C_prev)``.
        hparameters: ``{"f": int, "stride": int}``.
        mode: ``"max"`` or ``"average"``.

    Returns:
        A ``(m, n_H, n_W, n_C_prev)`` and cache ``(A_prev, hparameters)`` for :func:`pool_backward`.
    """
    m, n_H, n_W, n_C, f, stride = pool_output_shape(A_prev, hparameters, mode)
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]
                    if mode == "max":
                        A[i, h, w, c] = np.max(a_prev_slice)
                    else:
                        A[i, h, w, c] = np.mean(a_prev_slice)
    cache = (A_prev, hparameters)
    return A, cache


# ----------------------------------------------------------------------------- backward


def conv_backward(dZ: np.ndarray, cache: ConvCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a convolution layer.

    Args:
        dZ: gradient of the cost with respect to the conv output Z, ``(m, n_H, n_W, n_C)``.
        cache: ``(A_prev, W, b, hparameters)`` from :func:`conv_forward`.

    Returns:
        dA_prev ``(m, n_H_prev, n_W_prev, n_C_prev)``, dW ``(f, f, n_C_prev, n_C)``, db ``(1, 1, 1, n_C)``.
    """
    A_prev, W, b, hparameters = cache
    m, n_H, n_W, n_C, f, stride, pad = conv_output_shape(A_prev, W, b, hparameters, who="conv_backward")
    check_upstream_gradient(dZ, (m, n_H, n_W, n_C), "dZ", "conv_backward")
    _, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    dA_prev = np.zeros((m, n_H_prev, n_W_prev, n_C_prev))
    dW = np.zeros((f, f, n_C_prev, n_C))
    db = np.zeros((1, 1, 1, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_slice = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        dA_prev[i] = da_prev_pad[pad:pad + n_H_prev, pad:pad + n_W_prev, :]  # course: [pad:-pad] (empty if pad 0)
    return dA_prev, dW, db


def create_mask_from_window(x: np.ndarray) -> np.ndarray:
    """Boolean mask of x ``(f, f)``: True where x equals its maximum (every tie is True)."""
    return x == np.max(x)


def distribute_value(dz: float, shape: tuple[int, int]) -> np.ndarray:
    """Spread ``dz`` evenly over a ``(n_H, n_W)`` window: every entry is ``dz / (n_H n_W)``."""
    (n_H, n_W) = shape
    average = dz / (n_H * n_W)
    return np.ones(shape) * average


def pool_backward(dA: np.ndarray, cache: PoolCache, mode: str = "max") -> np.ndarray:
    """Backward pass of a pooling layer.

    Args:
        dA: gradient of the cost with respect to the pool output, ``(m, n_H, n_W, n_C)``.
        cache: ``(A_prev, hparameters)`` from :func:`pool_forward`.
        mode: ``"max"`` (the gradient goes to the window's maximum) or ``"average"`` (spread evenly).

    Returns:
        dA_prev, the gradient with respect to A_prev, ``(m, n_H_prev, n_W_prev, n_C)``.
    """
    A_prev, hparameters = cache
    m, n_H, n_W, n_C, f, stride = pool_output_shape(A_prev, hparameters, mode, who="pool_backward")
    check_upstream_gradient(dA, (m, n_H, n_W, n_C), "dA", "pool_backward")
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    if mode == "max":
                        a_prev_slice = a_prev[vert_start:vert_end, horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += mask * dA[i, h, w, c]
                    else:
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += distribute_value(
                            dA[i, h, w, c], (f, f)
                        )
    return dA_prev
