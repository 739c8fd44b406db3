"""The style-transfer costs as serializable Keras layers (no weights; ``.keras`` round trips, no Lambda).

============================  =====================================================  ==========
layer                          inputs                                                 output
============================  =====================================================  ==========
:class:`GramMatrix`            activations (m, n_H, n_W, n_C)                         (m, n_C, n_C)
:class:`ContentCost`           ``[a_C, a_G]``, each (m, n_H, n_W, n_C)                scalar
:class:`LayerStyleCost`        ``[a_S, a_G]``, each (m, n_H, n_W, n_C)                scalar
:class:`StyleCost`             ``[style_outputs, generated_outputs]``: two lists of   scalar
                               activations, style layers first, content layer last
:class:`TotalCost`             ``[J_content, J_style]`` scalars                       scalar
:class:`TotalVariation`        images (m, n_H, n_W, n_C)                              (m,)
:class:`VGGPreprocess`         RGB images (m, n_H, n_W, 3) in [0, 1]                  (m, n_H, n_W, 3)
============================  =====================================================  ==========

Each layer computes with :mod:`tf_course.style.costs` (TensorFlow ops), so a model made of them
gives the same numbers as the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import tensorflow as tf

from tf_course.style import costs

#: ImageNet mean pixel (R, G, B) in 0..255, the Caffe/Keras VGG and MatConvNet normalisation.
IMAGENET_MEAN_RGB = (123.68, 116.779, 103.939)


@keras.saving.register_keras_serializable(package="tf_course")
class GramMatrix(keras.layers.Layer):
    """Per-example Gram matrix: (m, n_H, n_W, n_C) -> (m, n_C, n_C), G = A A^T with A (n_C, n_H n_W)."""

    def __init__(self, name: str | None = "gram_matrix", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def call(self, a: tf.Tensor) -> tf.Tensor:
        return costs.activation_gram(a)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        return (input_shape[0], input_shape[-1], input_shape[-1])


@keras.saving.register_keras_serializable(package="tf_course")
class ContentCost(keras.layers.Layer):
    """``[a_C, a_G]`` (m, n_H, n_W, n_C) each -> sum((a_C - a_G)^2) / (4 n_H n_W n_C), a scalar."""

    def __init__(self, name: str | None = "content_cost", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def call(self, inputs: Sequence[tf.Tensor]) -> tf.Tensor:
        a_C, a_G = inputs
        return costs.content_cost(a_C, a_G)

    def compute_output_shape(self, input_shape: Any) -> tuple[int, ...]:
        return ()


@keras.saving.register_keras_serializable(package="tf_course")
class LayerStyleCost(keras.layers.Layer):
    """``[a_S, a_G]`` (m, n_H, n_W, n_C) each -> sum((G_S - G_G)^2) / (4 n_C^2 (n_H n_W)^2), a scalar."""

    def __init__(self, name: str | None = "layer_style_cost", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def call(self, inputs: Sequence[tf.Tensor]) -> tf.Tensor:
        a_S, a_G = inputs
        return costs.layer_style_cost(a_S, a_G)

    def compute_output_shape(self, input_shape: Any) -> tuple[int, ...]:
        return ()


@keras.saving.register_keras_serializable(package="tf_course")
class StyleCost(keras.layers.Layer):
    """``[style_outputs, generated_outputs]`` -> sum_l weight_l * J_style_layer(a_S[l], a_G[l]), a scalar.

    Both lists hold one activation (m, n_H, n_W, n_C) per style layer, then the content layer's
    (ignored here), as the course's ``vgg_model_outputs`` returns them.

    Args:
        layer_weights: one weight per style layer (the course: 0.2 for each of five layers).
    """

    def __init__(self, layer_weights: Sequence[float] = tuple(w for _, w in costs.STYLE_LAYERS),
                 name: str | None = "style_cost", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.layer_weights = [float(w) for w in layer_weights]

    def call(self, inputs: Sequence[Sequence[tf.Tensor]]) -> tf.Tensor:
        style_outputs, generated_outputs = inputs
        a_S, a_G = list(style_outputs)[:-1], list(generated_outputs)[:-1]
        if not len(a_S) == len(a_G) == len(self.layer_weights):
            raise ValueError(f"{self.name}: expected {len(self.layer_weights)} style outputs and the content output "
                             f"last, found {len(a_S)} and {len(a_G)} style outputs")
        return tf.add_n([w * costs.layer_style_cost(s, g) for w, s, g in zip(self.layer_weights, a_S, a_G)])

    def compute_output_shape(self, input_shape: Any) -> tuple[int, ...]:
        return ()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer_weights": list(self.layer_weights)}


@keras.saving.register_keras_serializable(package="tf_course")
class TotalCost(keras.layers.Layer):
    """``[J_content, J_style]`` -> alpha J_content + beta J_style (course: alpha 10, beta 40)."""

    def __init__(self, alpha: float = 10.0, beta: float = 40.0, name: str | None = "total_cost",
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.alpha, self.beta = float(alpha), float(beta)

    def call(self, inputs: Sequence[tf.Tensor]) -> tf.Tensor:
        J_content, J_style = inputs
        return self.alpha * J_content + self.beta * J_style

    def compute_output_shape(self, input_shape: Any) -> tuple[int, ...]:
        return ()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}


@keras.saving.register_keras_serializable(package="tf_course")
class TotalVariation(keras.layers.Layer):
    """Images (m, n_H, n_W, n_C) -> (m,): sum of |differences| of neighbouring pixels (a smoothness cost)."""

    def __init__(self, name: str | None = "total_variation", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def call(self, images: tf.Tensor) -> tf.Tensor:
        return tf.image.total_variation(images)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        return (input_shape[0],)


@keras.saving.register_keras_serializable(package="tf_course")
class VGGPreprocess(keras.layers.Layer):
    """RGB images in [0, 1] (m, n_H, n_W, 3) -> what VGG weights expect, (m, n_H, n_W, 3).

    ``x * scale - mean_rgb``, then the channels reversed to BGR when ``bgr``. The defaults are the
    Caffe normalisation of Keras' VGG19 weights (``keras.applications.vgg19.preprocess_input`` of
    ``255 x``); the MatConvNet file is converted to the same BGR input (its own mean). The TF2
    course feeds [0, 1] RGB images unchanged: ``VGGPreprocess(scale=1, mean_rgb=(0, 0, 0), bgr=False)``.
    """

    def __init__(self, scale: float = 255.0, mean_rgb: Sequence[float] = IMAGENET_MEAN_RGB, bgr: bool = True,
                 name: str | None = "vgg_preprocess", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if len(mean_rgb) != 3:
            raise ValueError(f"VGGPreprocess: expected mean_rgb of 3 values (R, G, B), found {list(mean_rgb)}")
        self.scale, self.mean_rgb, self.bgr = float(scale), [float(m) for m in mean_rgb], bool(bgr)

    def call(self, images: tf.Tensor) -> tf.Tensor:
        x = tf.cast(images, self.compute_dtype) * self.scale - tf.constant(self.mean_rgb, self.compute_dtype)
        return x[..., ::-1] if self.bgr else x

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "mean_rgb": list(self.mean_rgb), "bgr": self.bgr}
