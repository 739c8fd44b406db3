"""C4W1 CONV and POOL layers without loops over positions: same names, signatures and caches.

The functions of :mod:`tf_course.scratch.conv`, computed on all windows at once. A strided view
of the padded input lists every window without copying::

    sliding_window_view(A_prev_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]  # (m, n_H, n_W, n_C_prev, f, f)
    # transposed (a view) to (m, n_H, n_W, f, f, n_C_prev): [i, h, w] is the loops' a_slice_prev

- conv forward: one ``tensordot`` of the windows with W (im2col then a matrix product).
- conv backward: ``dW`` is a ``tensordot`` of the windows with dZ; ``dA_prev`` is col2im, a
  scatter-add of ``dZ . W`` over the ``f * f`` kernel offsets (the only Python loop, f^2 steps).
- pool: ``max`` / ``mean`` over the window axes; pool backward puts ``mask * dA`` (max) or
  ``dA / f^2`` (average) back with the same col2im.

Caches are the course's, so a cache from either module works with either backward function.
Results keep the floating dtype of the inputs (float64 for the course's data; the loop version
always returns float64). ``zero_pad``, ``conv_single_step``, ``create_mask_from_window`` and ``distribute_value`` act on
one window and are the loop module's.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tf_course.scratch.conv import (
    ConvCache,
    PoolCache,
    check_upstream_gradient,
    conv_output_shape,
    conv_single_step,
    create_mask_from_window,
    distribute_value,
    pool_output_shape,
    zero_pad,
)

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


def windows(X: np.ndarray, f: int, stride: int, n_H: int, n_W: int) -> np.ndarray:
    """Read-only view of the ``f x f`` windows of X ``(m, H, W, C)`` at the given stride.

    Returns ``(m, n_H, n_W, f, f, C)``; entry ``[i, h, w, p, q, c]`` is
    ``X[i, h * stride + p, w * stride + q, c]``, so ``windows(...)[i, h, w]`` is the loop
    version's ``a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]``.
    """
    view = sliding_window_view(X, (f, f), axis=(1, 2))  # (m, H - f + 1, W - f + 1, C, f, f)
    view = view[:, : (n_H - 1) * stride + 1 : stride, : (n_W - 1) * stride + 1 : stride]  # (m, n_H, n_W, C, f, f)
    return view.transpose(0, 1, 2, 4, 5, 3)  # (m, n_H, n_W, f, f, C), still a view


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int], stride: int) -> np.ndarray:
    """Scatter-add window values back to an image: the adjoint of :func:`windows`.

    Args:
        cols: ``(m, n_H, n_W, f, f, C)`` values per window position.
        shape: ``(m, H, W, C)`` of the (padded) image the windows were taken from.
        stride: the windows' stride.

    Returns:
        ``(m, H, W, C)``: each entry summed over every window that covers it.
    """
    _, n_H, n_W, f, _, _ = cols.shape
    out = np.zeros(shape, dtype=cols.dtype)
    for p in range(f):  # f * f strided adds, each over all (i, h, w, c) at once
        for q in range(f):
            out[:, p : p + (n_H - 1) * stride + 1 : stride, q : q + (n_W - 1) * stride + 1 : stride] += (
                cols[:, :, :, p, q, :]
            )
    return out


def conv_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: Mapping[str, int]
) -> tuple[np.ndarray, ConvCache]:
    """:func:`tf_course.scratch.conv.conv_forward` as one tensordot.

    A_prev ``(m, n_H_prev, n_W_prev, n_C_prev)``, W ``(f, f, n_C_prev, n_C)``, b ``(1, 1, 1, n_C)``,
    hparameters ``{"stride", "pad"}`` -> Z ``(m, n_H, n_W, n_C)``, cache ``(A_prev, W, b, hparameters)``.
    """
    _, n_H, n_W, _, f, stride, pad = conv_output_shape(A_prev, W, b, hparameters)
    cols = windows(zero_pad(A_prev, pad), f, stride, n_H, n_W)  # (m, n_H, n_W, f, f, n_C_prev)
    # contract (f, f, n_C_prev) of the windows with (f, f, n_C_prev) of W -> (m, n_H, n_W, n_C)
    Z = np.tensordot(cols, W, axes=3) + b.reshape(-1)
    return Z, (A_prev, W, b, hparameters)


def conv_backward(dZ: np.ndarray, cache: ConvCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`tf_course.scratch.conv.conv_backward` with two tensordots and col2im.

    dZ ``(m, n_H, n_W, n_C)`` -> dA_prev ``(m, n_H_prev, n_W_prev, n_C_prev)``,
    dW ``(f, f, n_C_prev, n_C)``, db ``(1, 1, 1, n_C)``.
    """
    A_prev, W, b, hparameters = cache
    m, n_H, n_W, n_C, f, stride, pad = conv_output_shape(A_prev, W, b, hparameters, who="conv_backward")
    check_upstream_gradient(dZ, (m, n_H, n_W, n_C), "dZ", "conv_backward")
    _, n_H_prev, n_W_prev, _ = A_prev.shape
    A_prev_pad = zero_pad(A_prev, pad)
    cols = windows(A_prev_pad, f, stride, n_H, n_W)  # (m, n_H, n_W, f, f, n_C_prev)
    # dW[p, q, k, c] = sum_{i,h,w} cols[i, h, w, p, q, k] dZ[i, h, w, c] -> (f, f, n_C_prev, n_C)
    dW = np.tensordot(cols, dZ, axes=([0, 1, 2], [0, 1, 2]))
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    # dcols[i, h, w, p, q, k] = sum_c dZ[i, h, w, c] W[p, q, k, c] -> (m, n_H, n_W, f, f, n_C_prev)
    dcols = np.tensordot(dZ, W, axes=([3], [3]))
    dA_prev_pad = col2im(dcols, A_prev_pad.shape, stride)
    dA_prev = dA_prev_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :]
    return dA_prev, dW, db


def pool_forward(
    A_prev: np.ndarray, hparameters: Mapping[str, int], mode: str = "max"
) -> tuple[np.ndarray, PoolCache]:
    """:func:`tf_course.scratch.conv.pool_forward` as one reduction over the window axes.

    A_prev ``(m, n_H_prev, n_W_prev, n_C)``, hparameters ``{"f", "stride"}``, mode ``"max"`` or
    ``"average"`` -> A ``(m, n_H, n_W, n_C)``, cache ``(A_prev, hparameters)``.
    """
    _, n_H, n_W, _, f, stride = pool_output_shape(A_prev, hparameters, mode)
    cols = windows(A_prev, f, stride, n_H, n_W)  # (m, n_H, n_W, f, f, n_C)
    A = cols.max(axis=(3, 4)) if mode == "max" else cols.mean(axis=(3, 4))
    if not np.issubdtype(A.dtype, np.floating):
        A = A.astype(np.float64)  # integer images: the loop version's float64 output
    return A, (A_prev, hparameters)


def pool_backward(dA: np.ndarray, cache: PoolCache, mode: str = "max") -> np.ndarray:
    """:func:`tf_course.scratch.conv.pool_backward` with a window mask and col2im.

    dA ``(m, n_H, n_W, n_C)`` -> dA_prev ``(m, n_H_prev, n_W_prev, n_C)``. In ``max`` mode every
    entry equal to its window's maximum receives the gradient (the course's mask, ties included).
    """
    A_prev, hparameters = cache
    m, n_H, n_W, n_C, f, stride = pool_output_shape(A_prev, hparameters, mode, who="pool_backward")
    check_upstream_gradient(dA, (m, n_H, n_W, n_C), "dA", "pool_backward")
    if mode == "max":
        cols = windows(A_prev, f, stride, n_H, n_W)  # (m, n_H, n_W, f, f, n_C)
        mask = cols == cols.max(axis=(3, 4), keepdims=True)  # create_mask_from_window on every window
        dcols = mask * dA[:, :, :, None, None, :]
    else:
        dcols = np.broadcast_to(dA[:, :, :, None, None, :] / (f * f), (m, n_H, n_W, f, f, n_C))  # distribute_value
    return col2im(dcols, A_prev.shape, stride)
