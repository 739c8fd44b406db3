"""The toy detector: output layout, layer names, initial confidence, save/load, argument errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_keras_round_trip
from tf_course.detection.head import yolo_head
from tf_course.detection.nms import YoloNMS
from tf_course.detection.targets import TOY_ANCHORS
from tf_course.detection.toy import OBJECTNESS_PRIOR, build_toy_detector


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return build_toy_detector()


def test_output_layout_and_parameters(model):
    assert model.input.shape == (None, 96, 96, 3)
    assert model.output.shape == (None, 6, 6, 5 * (5 + 4))  # stride 16, A * (5 + C) = 45 channels
    # convolutions without bias 3*3*(12*32 + 32*64 + 64*128 + 128*256) = 390,528; batch norms
    # 4 * (32 + 64 + 128 + 256) = 1,920 (gamma, beta, moving mean and variance); output 1x1 conv
    # 256 * 45 + 45 = 11,565 -> 404,013
    assert model.count_params() == 404_013
    names = [layer.name for layer in model.layers]
    assert names[:3] == ["input_1", "space_to_depth_x2", "conv2d_1"]
    assert names[-4:] == ["conv2d_4", "batch_normalization_4", "leaky_re_lu_4", "conv2d_5"]
    assert "max_pooling2d_3" in names and "max_pooling2d_4" not in names


def test_initial_confidence_is_the_prior(model):
    images = tf.random.stateless_uniform((2, 96, 96, 3), seed=(0, 1))
    _, _, confidence, probs = yolo_head(model(images, training=False), TOY_ANCHORS, 4)
    # the raw t_o is bias logit(0.01) plus a small random term from the initial 1x1 kernel
    assert abs(float(tf.reduce_mean(confidence)) - OBJECTNESS_PRIOR) < 0.01
    np.testing.assert_allclose(tf.reduce_sum(probs, -1).numpy(), 1.0, rtol=1e-5)
    bias = model.get_layer("conv2d_5").bias.numpy().reshape(5, 9)
    np.testing.assert_allclose(bias[:, 4], np.log(0.01 / 0.99), rtol=1e-6)
    np.testing.assert_array_equal(np.delete(bias, 4, axis=1), 0.0)


def test_head_and_nms_apply_unchanged(model):
    raw = model(tf.zeros((3, 96, 96, 3)), training=False)
    out = YoloNMS(max_boxes=7, score_threshold=0.0)(yolo_head(raw, TOY_ANCHORS, 4))
    assert out["boxes"].shape == (3, 7, 4) and out["num_detections"].numpy().tolist() == [7, 7, 7]


def test_save_and_load_keras_format(model, tmp_path):
    images = tf.random.stateless_uniform((2, 96, 96, 3), seed=(3, 4)).numpy()
    loaded = assert_keras_round_trip(model, images, tmp_path)  # from_config and .keras: outputs identical
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


def test_other_sizes_and_errors():
    small = build_toy_detector((64, 128, 3), num_anchors=2, num_classes=3, widths=(8, 16), head_widths=(),
                               space_to_depth=1)
    assert small.output.shape == (None, 16, 32, 16)  # stride 4, 2 * (5 + 3) channels
    with pytest.raises(ValueError, match=r"expected H and W divisible by the stride 16 .*found \(100, 96\)"):
        build_toy_detector((100, 96, 3))
    with pytest.raises(ValueError, match=r"space_to_depth: expected an integer >= 1, found 0"):
        build_toy_detector(space_to_depth=0)
    with pytest.raises(ValueError, match=r"expected num_anchors, num_classes and widths >= 1"):
        build_toy_detector(num_classes=0)
