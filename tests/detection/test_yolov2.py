"""YOLOv2 network: the course's 50,983,561 parameters, YAD2K layer names, and the SpaceToDepth passthrough."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tests.helpers import assert_keras_round_trip
from tf_course.detection.darknet import reorg_reference
from tf_course.detection.yolov2 import SpaceToDepth, YoloModelInfo, build_yolov2

# yolov2.cfg / the course's yolo.h5 summary, as (kernel size, filters) per conv2d_i (i = 1..22, all with batch norm).
CONVS = [(3, 32), (3, 64), (3, 128), (1, 64), (3, 128), (3, 256), (1, 128), (3, 256), (3, 512), (1, 256), (3, 512),
         (1, 256), (3, 512), (3, 1024), (1, 512), (3, 1024), (1, 512), (3, 1024), (3, 1024), (3, 1024), (1, 64),
         (3, 1024)]
# The input channels of each: the previous conv's filters, except conv2d_19 (after conv2d_18), conv2d_21 (from
# conv2d_13: 512) and conv2d_22 (256 from space_to_depth + 1024 from conv2d_20 = 1280).
IN_CHANNELS = [3] + [f for _, f in CONVS[:19]] + [512, 1280]


def count_params(divisor: int, num_outputs: int) -> tuple[int, int]:
    """(trainable, non-trainable) from the table: conv k*k*in*out, batch norm 2*out trainable + 2*out moving."""
    trainable = non_trainable = 0
    for (size, filters), channels in zip(CONVS, IN_CHANNELS):
        out, inp = filters // divisor, channels if channels == 3 else channels // divisor
        trainable += size * size * inp * out + 2 * out
        non_trainable += 2 * out
    trainable += 1024 // divisor * num_outputs + num_outputs  # conv2d_23: 1x1 kernel + bias
    return trainable, non_trainable


@pytest.fixture(scope="module")
def full_model() -> keras.Model:
    return build_yolov2()


def test_course_parameter_counts(full_model):
    # Course summary of yolo.h5: Total 50,983,561 (trainable 50,962,889, non-trainable 20,672);
    # conv2d_23 (None, 19, 19, 425) with 1024 * 425 + 425 = 435,625 parameters.
    trainable = sum(int(np.prod(w.shape)) for w in full_model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in full_model.non_trainable_weights)
    assert (full_model.count_params(), trainable, non_trainable) == (50_983_561, 50_962_889, 20_672)
    assert count_params(1, 425) == (trainable, non_trainable)
    assert full_model.output_shape == (None, 19, 19, 425)
    assert full_model.get_layer("conv2d_23").count_params() == 435_625
    assert full_model.get_layer("space_to_depth_x2").output.shape == (None, 19, 19, 256)


def test_yad2k_layer_names_and_wiring(full_model):
    names = {layer.name for layer in full_model.layers}
    expected = ({"input_1", "space_to_depth_x2", "concatenate_1"} | {f"conv2d_{i}" for i in range(1, 24)}
                | {f"batch_normalization_{i}" for i in range(1, 23)} | {f"leaky_re_lu_{i}" for i in range(1, 23)}
                | {f"max_pooling2d_{i}" for i in range(1, 6)})
    assert names == expected
    # the passthrough conv reads leaky_re_lu_13 (38x38x512); the concatenation is [space_to_depth, conv20] (route -1,-4)
    def source(tensor) -> str:
        return tensor._keras_history.operation.name

    assert source(full_model.get_layer("conv2d_21").input) == "leaky_re_lu_13"
    assert full_model.get_layer("conv2d_21").input.shape == (None, 38, 38, 512)
    assert [source(t) for t in full_model.get_layer("concatenate_1").input] == ["space_to_depth_x2", "leaky_re_lu_20"]
    assert full_model.get_layer("conv2d_23").get_config()["activation"] == "linear"
    assert not full_model.get_layer("conv2d_1").use_bias and full_model.get_layer("conv2d_23").use_bias


def test_tiny_model_same_topology(full_model):
    tiny = build_yolov2((96, 96, 3), num_anchors=3, num_classes=2, name="tiny", width_divisor=16)
    assert [layer.name for layer in tiny.layers] == [layer.name for layer in full_model.layers]
    assert tiny.output_shape == (None, 3, 3, 21)  # 96 / 32 = 3; 3 anchors x (5 + 2)
    trainable, non_trainable = count_params(16, 21)
    assert tiny.count_params() == trainable + non_trainable
    out = tiny(np.zeros((2, 96, 96, 3), np.float32))
    assert out.shape == (2, 3, 3, 21)


def test_space_to_depth_hand_values():
    # Input (1, 2, 2, 4) holding value (2y + x) * 4 + c at row y, column x, channel c.
    x = np.arange(16, dtype=np.float32).reshape(1, 2, 2, 4)
    # TensorFlow: output channel (2*dy + dx) * 4 + c takes (dy, dx, c) -> exactly 0..15.
    tf_out = SpaceToDepth(2)(x).numpy()
    np.testing.assert_array_equal(tf_out.reshape(-1), np.arange(16))
    # Darknet: the NCHW buffer f = 4c + 2y + x is read as (1, 4, 4); out[k, j, i] takes row 2j + k // 2, column
    # 2i + k % 2 of it, giving NCHW indices [0,2,8,10, 1,3,9,11, 4,6,12,14, 5,7,13,15], i.e. values
    # (2y + x) * 4 + c = [0,8,2,10, 4,12,6,14, 1,9,3,11, 5,13,7,15].
    darknet_out = SpaceToDepth(2, mode="darknet")(x).numpy()
    expected = [0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15]
    np.testing.assert_array_equal(darknet_out.reshape(-1), expected)
    np.testing.assert_array_equal(reorg_reference(x, 2).reshape(-1), expected)


@pytest.mark.parametrize("stride, shape", [(2, (2, 4, 6, 8)), (2, (1, 6, 2, 12)), (3, (1, 6, 3, 9))])
def test_space_to_depth_darknet_matches_reorg_cpu(stride, shape):
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    layer = SpaceToDepth(stride, mode="darknet")
    np.testing.assert_array_equal(layer(x).numpy(), reorg_reference(x, stride))
    assert layer.compute_output_shape(shape) == (shape[0], shape[1] // stride, shape[2] // stride,
                                                 shape[3] * stride * stride)


def test_space_to_depth_unknown_spatial_size_and_config():
    inputs = keras.Input((None, None, 8))
    model = keras.Model(inputs, SpaceToDepth(2, mode="darknet", name="s2d")(inputs))
    for size in (4, 6):
        x = np.random.default_rng(size).normal(size=(1, size, size, 8)).astype(np.float32)
        np.testing.assert_array_equal(model(x).numpy(), reorg_reference(x, 2))
    layer = model.get_layer("s2d")
    assert layer.get_config()["block_size"] == 2 and layer.get_config()["mode"] == "darknet"
    clone = SpaceToDepth.from_config(layer.get_config())
    assert (clone.block_size, clone.mode, clone.name) == (2, "darknet", "s2d")


def test_keras_file_round_trip(tmp_path):
    model = build_yolov2((64, 64, 3), num_anchors=2, num_classes=1, width_divisor=32, space_to_depth_mode="tensorflow")
    x = np.random.default_rng(1).random((2, 64, 64, 3)).astype(np.float32)
    reloaded = assert_keras_round_trip(model, x, tmp_path)  # safe-mode .keras load: no Lambda; outputs identical
    assert isinstance(reloaded.get_layer("space_to_depth_x2"), SpaceToDepth)


@pytest.mark.parametrize("kwargs, message", [
    ({"block_size": 0}, "block_size a positive int"),
    ({"block_size": 2, "mode": "pytorch"}, "mode one of"),
])
def test_space_to_depth_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SpaceToDepth(**kwargs)


def test_space_to_depth_bad_input_shapes():
    with pytest.raises(ValueError, match=r"height to be a multiple of block_size 2, found input shape \(None, 5, 4,"):
        SpaceToDepth(2)(keras.Input((5, 4, 8)))
    with pytest.raises(ValueError, match="multiple of block_size\\*\\*2 = 4, found input shape \\(None, 4, 4, 6\\)"):
        SpaceToDepth(2, mode="darknet")(keras.Input((4, 4, 6)))


@pytest.mark.parametrize("kwargs, message", [
    ({"input_shape": (100, 100, 3)}, r"multiple of 32.*\(100, 100, 3\)"),
    ({"input_shape": (64, 64)}, "input_shape \\(height, width, channels\\)"),
    ({"width_divisor": 3}, "width_divisor a divisor of 32"),
    ({"num_classes": 0}, "num_classes a positive int"),
    ({"num_anchors": 2.5}, "num_anchors a positive int"),
])
def test_build_yolov2_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_yolov2(**kwargs)


def test_model_info_json_round_trip():
    info = YoloModelInfo(format="darknet", source="a.cfg + a.weights", input_shape=(608, 608, 3), num_anchors=2,
                         num_classes=80, anchors=((0.5, 0.75), (2.0, 3.0)), matched_by="cfg order", notes=("x",))
    assert YoloModelInfo.from_json(info.to_json()) == info
