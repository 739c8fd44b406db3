"""Serving functions shared by topics: uint8 flattening/scaling, one-unit probabilities."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tf_course.export.serving import flatten_uint8_images, probability_serving_fn


def test_flatten_uint8_images_is_the_courses_x_over_255_bit_for_bit():
    images = np.arange(2 * 4 * 3 * 3, dtype=np.int64).reshape(2, 4, 3, 3).astype(np.uint8) * 7  # 0..497 wraps
    flat = flatten_uint8_images(tf.constant(images)).numpy()
    assert flat.shape == (2, 36) and flat.dtype == np.float32
    # the same float32 division as NumPy's (and the course's X / 255. rounded to float32)
    np.testing.assert_array_equal(flat, images.reshape(2, -1).astype(np.float32) / np.float32(255))
    assert flat[0, 0] == 0.0 and flat.max() == np.float32(images.max()) / np.float32(255)


def test_probability_serving_fn_returns_one_probability_per_example():
    inputs = keras.Input((4,))
    dense = keras.layers.Dense(1, activation="sigmoid")
    model = keras.Model(inputs, dense(inputs))
    dense.set_weights([np.array([[1.0], [0.0], [0.0], [0.0]], np.float32), np.zeros(1, np.float32)])
    out = probability_serving_fn(model, "p")(tf.constant([[0.0, 9, 9, 9], [2.0, 0, 0, 0]]))
    assert sorted(out) == ["p"] and out["p"].shape == (2,)
    np.testing.assert_allclose(out["p"].numpy(), [0.5, 1 / (1 + np.exp(-2.0))], rtol=1e-6)  # sigmoid(0), sigmoid(2)
    images = np.full((1, 2, 2, 1), 255, np.uint8)  # flattened to 4 ones: sigmoid(1 * 1)
    served = probability_serving_fn(model, "p", preprocess=flatten_uint8_images)(tf.constant(images))["p"]
    np.testing.assert_allclose(served.numpy(), [1 / (1 + np.exp(-1.0))], rtol=1e-6)
