"""Registered layers that replace the course's ``Lambda`` layers (a ``.keras`` file with a Lambda
cannot be loaded in safe mode, and a SavedModel should carry no Python closures)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tf_course")
class L2Normalization(keras.layers.Layer):
    """(batch, ..., d) -> same shape, each vector along ``axis`` scaled to unit L2 norm.

    The course's ``Lambda(lambda x: K.l2_normalize(x, axis=1))``: ``x / sqrt(max(sum(x^2), epsilon))``.
    """

    def __init__(self, axis: int = -1, epsilon: float = 1e-12, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.epsilon = float(epsilon)

    def call(self, inputs: Any) -> Any:
        square_sum = ops.sum(ops.square(inputs), axis=self.axis, keepdims=True)
        return inputs * ops.rsqrt(ops.maximum(square_sum, self.epsilon))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
