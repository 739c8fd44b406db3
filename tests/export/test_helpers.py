"""The shared round-trip assertions of tests/helpers.py pass on sound objects and fail on broken ones."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tests.helpers import assert_keras_round_trip


@keras.saving.register_keras_serializable(package="tf_course_tests")
class Scale(keras.layers.Layer):
    """x * factor * w, w a trainable (units,) weight; ``forget`` leaves ``factor`` out of the config."""

    def __init__(self, factor: float = 1.0, forget: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.factor, self.forget = factor, forget

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="random_normal", name="w")

    def call(self, x):
        return x * self.factor * self.w

    def get_config(self):
        config = super().get_config()
        config["forget"] = self.forget
        if not self.forget:
            config["factor"] = self.factor
        return config


X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, 4.0]], np.float32)


def test_a_custom_layer_and_a_functional_model_round_trip(tmp_path):
    keras.utils.set_random_seed(0)
    loaded = assert_keras_round_trip(Scale(2.0, name="scale"), X, tmp_path)
    assert isinstance(loaded, keras.Model) and loaded.get_layer("scale").factor == 2.0
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2, name="dense")(Scale(3.0)(inputs)))
    loaded = assert_keras_round_trip(model, X, tmp_path)
    np.testing.assert_array_equal(loaded.get_layer("dense").kernel.numpy(), model.get_layer("dense").kernel.numpy())


def test_a_config_that_forgets_an_argument_fails(tmp_path):
    with pytest.raises(AssertionError, match="get_config/from_config"):
        assert_keras_round_trip(Scale(2.0, forget=True), X, tmp_path)
