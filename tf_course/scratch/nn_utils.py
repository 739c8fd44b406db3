"""The course's ``init_utils`` / ``reg_utils`` / ``opt_utils`` / ``gc_utils`` network helpers, once.

C2W1 and C2W2 ship the same ``LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID`` helpers
in four files. Here they are written once, for any number of layers, on top of the generic core
in :mod:`tf_course.scratch.deep_nn`, keeping the course's flat tuple cache::

    (Z1, A1, W1, b1, Z2, A2, W2, b2, ..., ZL, AL, WL, bL)

and, for dropout, a mask after each hidden pre-activation::

    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, ..., ZL, AL, WL, bL)

Shapes: X ``(n_x, m)``, ``Z{l}``/``A{l}``/``D{l}`` ``(n[l], m)``, ``W{l}`` ``(n[l], n[l-1])``,
``b{l}`` ``(n[l], 1)``; hidden ``A{l}`` are post-dropout when masks are present.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tf_course.scratch import deep_nn
from tf_course.scratch.deep_nn import LayerCache, Parameters

__all__ = [
    "backward_propagation",
    "cache_from_layers",
    "compute_cost",
    "forward_propagation",
    "layers_from_cache",
    "predict",
]


def cache_from_layers(
    AL: np.ndarray, caches: Sequence[LayerCache], masks: Sequence[np.ndarray] = ()
) -> tuple[np.ndarray, ...]:
    """Flatten :func:`deep_nn.forward_pass` caches into the course's tuple cache."""
    flat: list[np.ndarray] = []
    L = len(caches)
    for l in range(1, L + 1):
        (_A_prev, W, b), Z = caches[l - 1]
        A = AL if l == L else caches[l][0][0]
        if l < L and len(masks):
            flat += [Z, masks[l - 1], A, W, b]
        else:
            flat += [Z, A, W, b]
    return tuple(flat)


def layers_from_cache(
    X: np.ndarray, cache: Sequence[np.ndarray], with_masks: bool = False
) -> tuple[np.ndarray, list[LayerCache], list[np.ndarray]]:
    """Inverse of :func:`cache_from_layers`: ``(AL, caches, masks)`` from a tuple cache.

    ``X`` is the network input (the ``A_prev`` of layer 1, which the tuple does not hold).
    """
    group = 5 if with_masks else 4
    if (len(cache) + (1 if with_masks else 0)) % group:
        raise ValueError(
            f"a {'dropout ' if with_masks else ''}cache holds {group} arrays per "
            f"{'hidden ' if with_masks else ''}layer, got a tuple of {len(cache)}"
        )
    caches: list[LayerCache] = []
    masks: list[np.ndarray] = []
    A_prev = X
    i = 0
    while i < len(cache):
        last = i + 4 == len(cache)
        if with_masks and not last:
            Z, D, A, W, b = cache[i : i + 5]
            masks.append(D)
            i += 5
        else:
            Z, A, W, b = cache[i : i + 4]
            i += 4
        caches.append(((A_prev, W, b), Z))
        A_prev = A
    return A_prev, caches, masks


def forward_propagation(
    X: np.ndarray, parameters: Parameters
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """``[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID``: X ``(n_x, m)`` -> ``(AL (1, m), cache)``.

    ``cache`` is the course's flat tuple ``(Z1, A1, W1, b1, ..., ZL, AL, WL, bL)``.
    """
    AL, caches, _ = deep_nn.forward_pass(X, parameters, "relu")
    return AL, cache_from_layers(AL, caches)


def backward_propagation(
    X: np.ndarray, Y: np.ndarray, cache: Sequence[np.ndarray]
) -> dict[str, np.ndarray]:
    """Gradients of the mean cross-entropy for a tuple cache from :func:`forward_propagation`.

    Starts from ``dZL = AL - Y``; returns ``dZ{l}``, ``dW{l}``, ``db{l}``, ``dA{l-1}``.
    """
    AL, caches, _ = layers_from_cache(X, cache)
    return deep_nn.backward_pass(AL - Y, caches, "relu")


def compute_cost(a3: np.ndarray, Y: np.ndarray) -> float:
    """``reg_utils.compute_cost`` / ``init_utils.compute_loss``: mean cross-entropy with nansum.

    a3 and Y are ``(1, m)``. ``0 * log(0)`` terms are dropped; ``1 * log(0)`` still gives inf.
    """
    return deep_nn.cross_entropy_cost(a3, Y, ignore_nan=True)


def predict(
    X: np.ndarray, y: np.ndarray | None, parameters: Parameters, print_accuracy: bool = False
) -> np.ndarray:
    """0/1 int predictions ``(1, m)``: ``AL > 0.5`` (same as :func:`deep_nn.predict`)."""
    return deep_nn.predict(X, y, parameters, print_accuracy)
