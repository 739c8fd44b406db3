"""Neural style transfer costs in TensorFlow: the course's functions, on eager, graph and symbolic tensors.

The formulas and names are the course's (see :mod:`tf_course.scratch.style_costs`, their NumPy twins,
which agree within 1e-6 relative):

- :func:`compute_content_cost(content_output, generated_output) <compute_content_cost>`: on the
  last outputs, sum((a_C - a_G)^2) / (4 n_H n_W n_C);
- :func:`gram_matrix`: A A^T, A (n_C, n_H n_W) (or batched, (m, n_C, n_H n_W));
- :func:`compute_layer_style_cost`: sum((G_S - G_G)^2) / (4 n_C^2 (n_H n_W)^2);
- :func:`compute_style_cost`: weighted sum over ``STYLE_LAYERS`` (all outputs but the last);
- :func:`total_cost`: alpha J_content + beta J_style (alpha 10, beta 40);
- :func:`total_variation`: sum of |neighbour differences| per image (beyond the course).

Sizes are read at run time (``tf.shape``), so the functions work inside a ``tf.function`` with
unknown image sizes. Called on symbolic Keras tensors (``keras.Input`` and what follows), they
return the output of the matching Keras layer of :mod:`tf_course.style.layers`.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf

from tf_course.scratch.style_costs import CONTENT_LAYER, STYLE_LAYERS

__all__ = ["CONTENT_LAYER", "STYLE_LAYERS", "compute_content_cost", "gram_matrix", "activation_gram",
           "compute_layer_style_cost", "layer_style_cost_from_gram", "compute_style_cost", "total_cost",
           "total_variation", "content_cost", "layer_style_cost"]


def _symbolic(*tensors: object) -> bool:
    return any(keras.utils.is_keras_tensor(t) for t in tensors)


def _float(value: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
    return tf.cast(value, dtype)


def content_cost(a_C: tf.Tensor, a_G: tf.Tensor) -> tf.Tensor:
    """sum((a_C - a_G)^2) / (4 n_H n_W n_C) for activations (m, n_H, n_W, n_C) -> scalar."""
    a_C = tf.convert_to_tensor(a_C)
    a_G = tf.cast(a_G, a_C.dtype)
    shape = tf.shape(a_G)
    denominator = 4 * _float(shape[1] * shape[2] * shape[3], a_G.dtype)
    return tf.reduce_sum(tf.square(a_C - a_G)) / denominator


def compute_content_cost(content_output: Sequence[tf.Tensor], generated_output: Sequence[tf.Tensor]) -> tf.Tensor:
    """The course's content cost of the last outputs (the content layer): a scalar tensor.

    Args:
        content_output: the content image's VGG outputs (a list, or a tensor whose last entry along
            axis 0 is a_C (m, n_H, n_W, n_C)).
        generated_output: the generated image's outputs, same layout.
    """
    a_C, a_G = content_output[-1], generated_output[-1]
    if _symbolic(a_C, a_G):
        from tf_course.style.layers import ContentCost

        return ContentCost()([a_C, a_G])
    return content_cost(a_C, a_G)


def gram_matrix(A: tf.Tensor) -> tf.Tensor:  # noqa: N803 (the course's name)
    """A A^T: A (n_C, n_H*n_W) -> (n_C, n_C); batched (m, n_C, n_H*n_W) -> (m, n_C, n_C)."""
    if _symbolic(A):
        return keras.ops.matmul(A, keras.ops.swapaxes(A, -1, -2))
    A = tf.convert_to_tensor(A)
    return tf.matmul(A, A, transpose_b=True)


def activation_gram(a: tf.Tensor) -> tf.Tensor:
    """Gram matrices of activations: (m, n_H, n_W, n_C) -> (m, n_C, n_C), per example."""
    a = tf.convert_to_tensor(a)
    shape = tf.shape(a)
    unrolled = tf.reshape(a, tf.stack([shape[0], shape[1] * shape[2], shape[3]]))  # (m, n_H*n_W, n_C)
    return tf.matmul(unrolled, unrolled, transpose_a=True)  # (m, n_C, n_C)


def layer_style_cost_from_gram(GS: tf.Tensor, a_G: tf.Tensor) -> tf.Tensor:  # noqa: N803
    """sum((GS - G(a_G))^2) / (4 n_C^2 (n_H n_W)^2) with GS (m, n_C, n_C) precomputed -> scalar."""
    a_G = tf.convert_to_tensor(a_G)
    GG = activation_gram(a_G)
    shape = tf.shape(a_G)
    n_C = _float(shape[3], a_G.dtype)
    n_HW = _float(shape[1] * shape[2], a_G.dtype)
    return tf.reduce_sum(tf.square(tf.cast(GS, a_G.dtype) - GG)) / (4 * n_C**2 * n_HW**2)


def layer_style_cost(a_S: tf.Tensor, a_G: tf.Tensor) -> tf.Tensor:
    """One layer's style cost for activations a_S, a_G (m, n_H, n_W, n_C) -> scalar (summed over m)."""
    a_S = tf.convert_to_tensor(a_S)
    return layer_style_cost_from_gram(activation_gram(a_S), tf.cast(a_G, a_S.dtype))


def compute_layer_style_cost(a_S: tf.Tensor, a_G: tf.Tensor) -> tf.Tensor:
    """The course's ``compute_layer_style_cost(a_S, a_G)``: a scalar tensor (a symbolic one on Keras tensors)."""
    if _symbolic(a_S, a_G):
        from tf_course.style.layers import LayerStyleCost

        return LayerStyleCost()([a_S, a_G])
    return layer_style_cost(a_S, a_G)


def compute_style_cost(
    style_image_output: Sequence[tf.Tensor],
    generated_image_output: Sequence[tf.Tensor],
    STYLE_LAYERS: Sequence[tuple[str, float]] = STYLE_LAYERS,  # noqa: N803 (the course's name)
) -> tf.Tensor:
    """Weighted sum of the layer style costs of all outputs but the last (the content layer)."""
    a_S, a_G = list(style_image_output[:-1]), list(generated_image_output[:-1])
    if not len(a_S) == len(a_G) == len(STYLE_LAYERS):
        raise ValueError(f"compute_style_cost: expected {len(STYLE_LAYERS)} style outputs (one per style layer) "
                         f"and a content output last, found {len(a_S)} and {len(a_G)} style outputs")
    if _symbolic(*a_S, *a_G):
        from tf_course.style.layers import StyleCost

        return StyleCost([float(w) for _, w in STYLE_LAYERS])([list(style_image_output), list(generated_image_output)])
    J_style = 0.0
    for (_, weight), s, g in zip(STYLE_LAYERS, a_S, a_G):
        J_style += weight * layer_style_cost(s, g)
    return J_style


@tf.function
def _total_cost(J_content: tf.Tensor, J_style: tf.Tensor, alpha: tf.Tensor, beta: tf.Tensor) -> tf.Tensor:  # noqa: N803
    return alpha * J_content + beta * J_style


def total_cost(J_content: tf.Tensor, J_style: tf.Tensor, alpha: float = 10, beta: float = 40) -> tf.Tensor:  # noqa: N803
    """J = alpha J_content + beta J_style (the course decorates it with ``@tf.function``; so does this)."""
    if _symbolic(J_content, J_style):
        from tf_course.style.layers import TotalCost

        return TotalCost(alpha=alpha, beta=beta)([J_content, J_style])
    J_content = tf.convert_to_tensor(J_content, tf.float32) if not tf.is_tensor(J_content) else J_content
    J_style = tf.cast(J_style, J_content.dtype)
    return _total_cost(J_content, J_style, tf.constant(alpha, J_content.dtype), tf.constant(beta, J_content.dtype))


def total_variation(images: tf.Tensor) -> tf.Tensor:
    """Sum of |neighbour differences| per image: (m, n_H, n_W, n_C) -> (m,) (``tf.image.total_variation``)."""
    if _symbolic(images):
        from tf_course.style.layers import TotalVariation

        return TotalVariation()(images)
    return tf.image.total_variation(tf.convert_to_tensor(images))
