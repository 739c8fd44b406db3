"""basics.mlp.CourseDense: keras Dense's forward pass and gradients, the kernel's in the faster layout."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tf_course.basics.mlp import ROW_MAJOR_GRAD_MIN_FEATURES, CourseDense, build_mlp


def _forward_and_gradients(layer: keras.layers.Layer, x: tf.Tensor, dz: tf.Tensor) -> list[np.ndarray]:
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = layer(x)
        loss = tf.reduce_sum(z * dz)  # dz: the upstream gradient (m, units)
    grads = tape.gradient(loss, [x, layer.kernel.value, layer.bias.value])
    return [z.numpy()] + [g.numpy() for g in grads]


def test_course_dense_equals_keras_dense():
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(209, 1500)), tf.float32)
    dz = tf.constant(rng.normal(size=(209, 7)), tf.float32)
    dense, course = keras.layers.Dense(7, activation="relu"), CourseDense(7, activation="relu")
    dense.build(x.shape), course.build(x.shape)
    course.set_weights(dense.get_weights())
    ours, theirs = _forward_and_gradients(course, x, dz), _forward_and_gradients(dense, x, dz)
    np.testing.assert_array_equal(ours[0], theirs[0])  # forward: the same product
    np.testing.assert_array_equal(ours[1], theirs[1])  # input gradient: the same product
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5, atol=1e-4)  # kernel: other summation order
    assert np.abs(ours[2]).max() > 1  # real sums over 209 examples, not zeros
    np.testing.assert_array_equal(ours[3], theirs[3])  # bias


def test_build_mlp_uses_it_for_wide_inputs_only_and_it_round_trips(tmp_path):
    model = build_mlp([ROW_MAJOR_GRAD_MIN_FEATURES, 5, 1])
    assert [type(layer) for layer in model.layers[1:]] == [CourseDense, keras.layers.Dense]
    assert [type(layer) for layer in build_mlp([2, 5, 1]).layers[1:]] == [keras.layers.Dense] * 2
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(again.get_layer("layer_1"), CourseDense)
    x = np.random.default_rng(1).normal(size=(3, ROW_MAJOR_GRAD_MIN_FEATURES)).astype(np.float32)
    np.testing.assert_array_equal(again.predict_on_batch(x), model.predict_on_batch(x))
