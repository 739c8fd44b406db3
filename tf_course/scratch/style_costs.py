"""Neural style transfer costs in NumPy (C4W4 "Art generation"), the course's formulas and names.

Shapes follow the TF2 course: activations are (m, n_H, n_W, n_C) with m = 1; the content and
style costs take the *lists* of VGG outputs the course's ``vgg_model_outputs`` returns, whose last
element is the content layer (block5_conv4) and the others the style layers.

- :func:`compute_content_cost`: J = sum((a_C - a_G)^2) / (4 n_H n_W n_C) on the last outputs;
- :func:`gram_matrix`: G = A A^T for A (n_C, n_H n_W);
- :func:`compute_layer_style_cost`: sum((G_S - G_G)^2) / (4 n_C^2 (n_H n_W)^2);
- :func:`compute_style_cost`: sum over ``STYLE_LAYERS`` of weight * layer cost;
- :func:`total_cost`: alpha J_content + beta J_style (alpha 10, beta 40);
- :func:`total_variation` (beyond the course): sum of absolute differences of neighbouring pixels,
  the definition of ``tf.image.total_variation``.

Every function computes in float64 (the TensorFlow twins in :mod:`tf_course.style.costs` agree
within 1e-6 relative on float32 inputs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: The TF2 course's style layers and their weights (the content layer, block5_conv4, comes last).
STYLE_LAYERS: tuple[tuple[str, float], ...] = (
    ("block1_conv1", 0.2),
    ("block2_conv1", 0.2),
    ("block3_conv1", 0.2),
    ("block4_conv1", 0.2),
    ("block5_conv1", 0.2),
)
CONTENT_LAYER = "block5_conv4"


def _activations(a: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 4:
        raise ValueError(f"{name}: expected activations of shape (m, n_H, n_W, n_C), found shape {a.shape}")
    return a


def compute_content_cost(content_output: Sequence[np.ndarray], generated_output: Sequence[np.ndarray]) -> float:
    """Content cost of the last outputs: sum((a_C - a_G)^2) / (4 n_H n_W n_C).

    Args:
        content_output: the content image's VGG outputs; only the last, a_C (m, n_H, n_W, n_C), is used.
        generated_output: the generated image's outputs; the last, a_G, has a_C's shape.

    Returns:
        J_content, a float (the course's ``compute_content_cost``).
    """
    a_C = _activations(content_output[-1], "compute_content_cost: a_C")
    a_G = _activations(generated_output[-1], "compute_content_cost: a_G")
    if a_C.shape != a_G.shape:
        raise ValueError(f"compute_content_cost: expected a_G of a_C's shape {a_C.shape}, found {a_G.shape}")
    _, n_H, n_W, n_C = a_G.shape
    return float(np.sum(np.square(a_C - a_G)) / (4 * n_H * n_W * n_C))


def gram_matrix(A: np.ndarray) -> np.ndarray:
    """Style (Gram) matrix: A (n_C, n_H*n_W) -> A A^T (n_C, n_C)."""
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"gram_matrix: expected A of shape (n_C, n_H*n_W), found shape {A.shape}")
    return A @ A.T


def unroll(a: np.ndarray) -> np.ndarray:
    """(1, n_H, n_W, n_C) -> (n_C, n_H*n_W): the course's transpose of a (n_H*n_W, n_C) reshape."""
    _, n_H, n_W, n_C = a.shape
    return np.reshape(a, (n_H * n_W, n_C)).T


def compute_layer_style_cost(a_S: np.ndarray, a_G: np.ndarray) -> float:
    """One layer's style cost: sum((G_S - G_G)^2) / (4 n_C^2 (n_H n_W)^2), for a_S, a_G (1, n_H, n_W, n_C)."""
    a_S = _activations(a_S, "compute_layer_style_cost: a_S")
    a_G = _activations(a_G, "compute_layer_style_cost: a_G")
    if a_S.shape != a_G.shape or a_G.shape[0] != 1:
        raise ValueError(f"compute_layer_style_cost: expected a_S and a_G of one shape (1, n_H, n_W, n_C), "
                         f"found {a_S.shape} and {a_G.shape}")
    _, n_H, n_W, n_C = a_G.shape
    GS, GG = gram_matrix(unroll(a_S)), gram_matrix(unroll(a_G))
    return float(np.sum(np.square(GS - GG)) / (4 * n_C**2 * (n_H * n_W) ** 2))


def compute_style_cost(
    style_image_output: Sequence[np.ndarray],
    generated_image_output: Sequence[np.ndarray],
    STYLE_LAYERS: Sequence[tuple[str, float]] = STYLE_LAYERS,  # noqa: N803 (the course's name)
) -> float:
    """Weighted sum of the layer style costs over all outputs but the last (the content layer).

    Args:
        style_image_output: the style image's outputs, one per style layer, then the content layer.
        generated_image_output: the generated image's outputs, in the same order.
        STYLE_LAYERS: (layer name, weight) per style layer; only the weights are used, in order.
    """
    a_S, a_G = list(style_image_output[:-1]), list(generated_image_output[:-1])
    if not len(a_S) == len(a_G) == len(STYLE_LAYERS):
        raise ValueError(f"compute_style_cost: expected {len(STYLE_LAYERS)} style outputs (one per style layer) "
                         f"and a content output last, found {len(a_S)} and {len(a_G)} style outputs")
    return float(sum(weight * compute_layer_style_cost(s, g) for (_, weight), s, g in zip(STYLE_LAYERS, a_S, a_G)))


def total_cost(J_content: float, J_style: float, alpha: float = 10, beta: float = 40) -> float:  # noqa: N803
    """J = alpha J_content + beta J_style."""
    return alpha * J_content + beta * J_style


def total_variation(images: np.ndarray) -> np.ndarray:
    """Sum of |differences| of vertically and horizontally neighbouring pixels, per image.

    images (m, n_H, n_W, n_C) -> (m,), as ``tf.image.total_variation``; (n_H, n_W, n_C) -> a 0-d array.
    """
    x = np.asarray(images, dtype=np.float64)
    if x.ndim not in (3, 4):
        raise ValueError(f"total_variation: expected images (m, n_H, n_W, n_C) or (n_H, n_W, n_C), found {x.shape}")
    axes = (-3, -2, -1)
    return (np.sum(np.abs(np.diff(x, axis=-3)), axis=axes) + np.sum(np.abs(np.diff(x, axis=-2)), axis=axes))
