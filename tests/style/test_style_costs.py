"""C4W4 NST costs: the course's values, zero for identical inputs, NumPy/TF parity, symbolic tensors, Keras layers."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_keras_round_trip
from tf_course.scratch import style_costs as np_costs
from tf_course.style import costs
from tf_course.style.layers import (
    ContentCost,
    GramMatrix,
    LayerStyleCost,
    StyleCost,
    TotalCost,
    TotalVariation,
    VGGPreprocess,
)


def _course_normal(*shapes):
    """The course tests' draws: tf.random.set_seed(1), then tf.random.normal(shape, mean=1, stddev=4) per shape."""
    tf.random.set_seed(1)
    return [tf.random.normal(shape, mean=1, stddev=4) for shape in shapes]


def test_content_cost_course_value_and_zero():
    a_C, a_G = _course_normal([1, 1, 4, 4, 3], [1, 1, 4, 4, 3])
    assert float(costs.compute_content_cost(a_C, a_G)) == pytest.approx(7.0568767, rel=1e-6)
    assert float(costs.compute_content_cost(a_C, a_C)) == 0.0
    assert np_costs.compute_content_cost(a_C.numpy(), a_G.numpy()) == pytest.approx(7.0568767, rel=1e-6)


def test_gram_matrix_course_row():
    (A,) = _course_normal([3, 2])
    GA = costs.gram_matrix(A).numpy()
    assert GA.shape == (3, 3)
    # course 63.193256, -26.729713, -7.732155; TF 2.21's seed stream: 63.1888, -26.721275, -7.7320204
    np.testing.assert_allclose(GA[0], [63.193256, -26.729713, -7.732155], rtol=1e-3)
    np.testing.assert_allclose(GA[0], [63.1888, -26.721275, -7.7320204], rtol=1e-6)
    np.testing.assert_allclose(np_costs.gram_matrix(A.numpy()), GA, rtol=1e-6)


def test_layer_style_cost_course_value_and_zero():
    a_S, a_G = _course_normal([1, 4, 4, 3], [1, 4, 4, 3])
    J = float(costs.compute_layer_style_cost(a_S, a_G))
    assert J == pytest.approx(14.01649, rel=1e-3)
    assert J == pytest.approx(14.017808, rel=1e-6)  # TF 2.21's stream
    assert float(costs.compute_layer_style_cost(a_G, a_G)) == 0.0
    assert np_costs.compute_layer_style_cost(a_S.numpy(), a_G.numpy()) == pytest.approx(J, rel=1e-6)


def test_total_cost_course_values():
    assert float(costs.total_cost(0.2, 0.8)) == pytest.approx(34, rel=1e-6)
    assert float(costs.total_cost(0.3, 0.5, alpha=3, beta=8)) == pytest.approx(4.9, rel=1e-6)
    assert np_costs.total_cost(0.2, 0.8) == pytest.approx(34)
    assert np_costs.total_cost(0.3, 0.5, 3, 8) == pytest.approx(4.9)
    np.random.seed(3)  # the TF1 course's test
    J_content, J_style = np.random.randn(), np.random.randn()
    assert np_costs.total_cost(J_content, J_style) == pytest.approx(35.34667875478276, rel=1e-12)


def _outputs(rng, sizes=((8, 8, 3), (4, 4, 5), (2, 2, 6))):
    """Style outputs of three layers then a content output, float32 (1, h, w, c) each."""
    return [rng.normal(1.0, 2.0, (1, *s)).astype(np.float32) for s in sizes]


def test_numpy_and_tensorflow_agree_within_1e_6():
    rng = np.random.default_rng(0)
    style, generated, content = _outputs(rng), _outputs(rng), _outputs(rng)
    layers = (("a", 0.5), ("b", 0.3))
    pairs = [
        (costs.compute_content_cost(content, generated), np_costs.compute_content_cost(content, generated)),
        (costs.compute_style_cost(style, generated, layers), np_costs.compute_style_cost(style, generated, layers)),
        (costs.compute_layer_style_cost(style[0], generated[0]),
         np_costs.compute_layer_style_cost(style[0], generated[0])),
        (costs.gram_matrix(np_costs.unroll(style[1])), np_costs.gram_matrix(np_costs.unroll(style[1]))),
        (costs.activation_gram(style[1])[0], np_costs.gram_matrix(np_costs.unroll(style[1]))),
        (costs.total_variation(style[0]), np_costs.total_variation(style[0])),
        (costs.total_cost(1.25, 0.75, 10, 40), np_costs.total_cost(1.25, 0.75, 10, 40)),
    ]
    for got, want in pairs:
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    # identical inputs cost nothing; a constant image has no variation
    assert np_costs.compute_style_cost(style, style, layers) == 0.0
    assert float(costs.compute_style_cost(style, style, layers)) == 0.0
    assert float(costs.total_variation(np.full((1, 5, 5, 3), 0.3, np.float32))[0]) == 0.0


def test_costs_inside_tf_function_with_unknown_sizes():
    rng = np.random.default_rng(1)
    a, b = (rng.normal(size=(1, 6, 7, 4)).astype(np.float32) for _ in range(2))
    spec = tf.TensorSpec((1, None, None, 4), tf.float32)

    @tf.function(input_signature=[spec, spec])
    def both(x, y):
        return costs.compute_content_cost([x], [y]), costs.compute_layer_style_cost(x, y)

    content, style = both(a, b)
    assert float(content) == pytest.approx(np_costs.compute_content_cost([a], [b]), rel=1e-6)
    assert float(style) == pytest.approx(np_costs.compute_layer_style_cost(a, b), rel=1e-6)


def test_costs_on_symbolic_keras_tensors_build_a_model():
    x, y = keras.Input((4, 4, 3)), keras.Input((4, 4, 3))
    J_content = costs.compute_content_cost([x], [y])
    J_style = costs.compute_style_cost([x, y], [y, x], (("block1_conv1", 1.0),))
    J = costs.total_cost(J_content, J_style)
    assert all(keras.utils.is_keras_tensor(t) for t in (J_content, J_style, J))
    model = keras.Model([x, y], [J_content, J_style, J, costs.total_variation(x)])
    a_S, a_G = _course_normal([1, 4, 4, 3], [1, 4, 4, 3])
    got = [np.asarray(v) for v in model([a_S, a_G])]
    J_c = np_costs.compute_content_cost([a_S.numpy()], [a_G.numpy()])
    J_s = np_costs.compute_layer_style_cost(a_S.numpy(), a_G.numpy())
    np.testing.assert_allclose(got[:3], [J_c, J_s, 10 * J_c + 40 * J_s], rtol=1e-6)


def test_cost_layers_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    a, b = (rng.normal(size=(1, 4, 5, 3)).astype(np.float32) for _ in range(2))
    c, d = (rng.normal(size=(1, 2, 2, 6)).astype(np.float32) for _ in range(2))
    images = rng.uniform(size=(2, 6, 6, 3)).astype(np.float32)
    for layer, inputs in [(GramMatrix(), a), (ContentCost(), [a, b]), (LayerStyleCost(), [a, b]),
                          (StyleCost([0.7]), [[a, c], [b, d]]), (TotalVariation(), images),
                          (VGGPreprocess(mean_rgb=(100.0, 110.0, 120.0)), images)]:
        assert_keras_round_trip(layer, inputs, tmp_path)
    np.testing.assert_allclose(StyleCost([0.7])([[a, c], [b, d]]), 0.7 * np_costs.compute_layer_style_cost(a, b),
                               rtol=1e-6)
    scalars = [np.float32([1.5]), np.float32([0.5])]  # (batch=1,) each
    total = TotalCost(alpha=3, beta=8)
    assert float(np.squeeze(total(scalars))) == pytest.approx(8.5)
    assert TotalCost.from_config(total.get_config()).get_config() == total.get_config()


def test_vgg_preprocess_is_keras_caffe_normalisation():
    rng = np.random.default_rng(3)
    images = rng.uniform(size=(1, 4, 4, 3)).astype(np.float32)
    want = keras.applications.vgg19.preprocess_input(images * 255.0)
    np.testing.assert_allclose(VGGPreprocess()(images), want, rtol=1e-6, atol=1e-4)
    course_tf2 = VGGPreprocess(scale=1.0, mean_rgb=(0, 0, 0), bgr=False)
    np.testing.assert_array_equal(course_tf2(images), images)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="expected activations of shape"):
        np_costs.compute_layer_style_cost(np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="expected 5 style outputs"):
        costs.compute_style_cost([np.zeros((1, 2, 2, 3), np.float32)] * 3, [np.zeros((1, 2, 2, 3), np.float32)] * 3)
