"""VGG19 feature extractor: Keras layer names; weights from Keras .h5, MatConvNet .mat and .keras files (small
files of the same structure, written here) give the activations of a direct computation; bad files are clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io

from tf_course.data.keras2_h5 import write_keras2_h5
from tf_course.data.validate import DataError
from tf_course.style.vgg import (
    BLOCK_DEPTHS,
    CONV_NAMES,
    KERAS_H5,
    MATCONVNET_MAT,
    build_vgg19,
    feature_extractor,
    find_vgg_weights,
    load_vgg19,
    read_keras_file,
    read_matconvnet,
    read_vgg_weights,
)

WIDTHS = (4, 4, 6, 6, 6)  # a narrow VGG19: same 16 convolutions, few channels


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).uniform(size=(1, 16, 24, 3)).astype(np.float32)


def _conv_relu(x, kernel, bias):
    """Direct 3x3 'same' convolution + ReLU in NumPy: x (H, W, in), kernel (3, 3, in, out) -> (H, W, out)."""
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    h, w = x.shape[:2]
    out = sum(np.einsum("hwi,io->hwo", padded[dy:dy + h, dx:dx + w], kernel[dy, dx].astype(np.float64))
              for dy in range(3) for dx in range(3))
    return np.maximum(out + bias, 0.0)


def _activations(body, images, names=("block1_conv1", "block1_conv2", "block3_conv1", "block5_conv4")):
    return [np.asarray(a) for a in feature_extractor(body, list(names))(images)]


def test_layer_names_shapes_and_seeded_random_weights(images):
    body = build_vgg19(widths=WIDTHS, seed=3)
    convs = [layer.name for layer in body.layers if layer.name.startswith("block") and "conv" in layer.name]
    assert tuple(convs) == CONV_NAMES and len(CONV_NAMES) == sum(BLOCK_DEPTHS) == 16
    assert [layer.name for layer in body.layers if layer.name.endswith("_pool")] == [
        f"block{b}_pool" for b in range(1, 5)]
    outputs = _activations(body, images)
    assert [a.shape for a in outputs] == [(1, 16, 24, 4), (1, 16, 24, 4), (1, 4, 6, 6), (1, 1, 1, 6)]
    again = _activations(build_vgg19(widths=WIDTHS, seed=3), images)
    for a, b in zip(outputs, again):
        np.testing.assert_array_equal(a, b)
    other = _activations(build_vgg19(widths=WIDTHS, seed=4), images)
    assert not np.allclose(outputs[0], other[0])
    with pytest.raises(ValueError, match="expected VGG19 layer names"):
        feature_extractor(body, ["conv4_2"])


def _caffe_input(images, mean_rgb=(123.68, 116.779, 103.939)):
    """What the weights see: 255 x - mean, channels reversed to BGR, float64 (H, W, 3)."""
    return (images[0].astype(np.float64) * 255.0 - np.asarray(mean_rgb))[..., ::-1]


def test_keras_h5_weights_give_the_same_activations(images, tmp_path):
    source = build_vgg19(widths=WIDTHS, seed=5)
    path = write_keras2_h5(source, tmp_path / KERAS_H5, full_model=False)  # Keras' save_weights layout
    weights = read_vgg_weights(path)
    assert weights.kind == "keras_h5" and weights.widths() == WIDTHS
    body = build_vgg19(weights)
    for got, want in zip(_activations(body, images), _activations(source, images)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    kernel, bias = (np.asarray(v) for v in source.get_layer("block1_conv1").weights)
    direct = _conv_relu(_caffe_input(images), kernel, bias)
    np.testing.assert_allclose(_activations(body, images)[0][0], direct, rtol=1e-4, atol=1e-3)


def _matconvnet_file(path, rng, mean_rgb=(100.0, 110.0, 120.0), drop=None):
    """A MatConvNet-structured VGG19 .mat: cell array ``layers`` of structs (name, type, weights {W, b}) with
    relu/pool layers between the convolutions, and ``normalization.averageImage``."""
    layers, kernels, previous = [], {}, 3
    for block, (depth, width) in enumerate(zip(BLOCK_DEPTHS, WIDTHS), 1):
        for i in range(1, depth + 1):
            name = f"conv{block}_{i}"
            W = rng.normal(0, 0.1, (3, 3, previous, width)).astype(np.float32)
            b = rng.normal(0, 0.1, (width, 1)).astype(np.float32)  # MatConvNet biases are columns
            kernels[name] = (W, b[:, 0])
            if name != drop:
                weights = np.empty((1, 2), dtype=object)
                weights[0, 0], weights[0, 1] = W, b
                layers.append({"name": name, "type": "conv", "weights": weights})
            layers.append({"name": f"relu{block}_{i}", "type": "relu"})
            previous = width
        layers.append({"name": f"pool{block}", "type": "pool"})
    cell = np.empty((1, len(layers)), dtype=object)
    for k, layer in enumerate(layers):
        cell[0, k] = layer
    average = np.broadcast_to(np.asarray(mean_rgb, np.float32), (4, 4, 3)).copy()
    scipy.io.savemat(path, {"layers": cell, "normalization": {"averageImage": average}})
    return kernels


def test_matconvnet_mat_converter_channel_order_and_mean(images, tmp_path):
    path = tmp_path / MATCONVNET_MAT
    kernels = _matconvnet_file(path, np.random.default_rng(6))
    weights = read_matconvnet(path)
    assert weights.kind == "matconvnet" and weights.widths() == WIDTHS
    assert weights.mean_rgb == pytest.approx((100.0, 110.0, 120.0))
    body = build_vgg19(weights, pooling="avg")  # the TF1 course's pooling
    got = _activations(body, images, ("block1_conv1", "block1_conv2", "block2_conv1"))
    # direct computation as MatConvNet does it: RGB input minus the file's mean, the file's kernels as they are
    x = images[0].astype(np.float64) * 255.0 - np.array([100.0, 110.0, 120.0])
    conv1_1 = _conv_relu(x, *kernels["conv1_1"])
    conv1_2 = _conv_relu(conv1_1, *kernels["conv1_2"])
    pooled = conv1_2.reshape(8, 2, 12, 2, -1).mean(axis=(1, 3))
    conv2_1 = _conv_relu(pooled, *kernels["conv2_1"])
    for g, want in zip(got, (conv1_1, conv1_2, conv2_1)):
        np.testing.assert_allclose(g[0], want, rtol=1e-4, atol=1e-3 * np.abs(want).max())


def test_keras_file_round_trip_and_course_file_discovery(images, tmp_path):
    source = build_vgg19(_read_mat(tmp_path))
    path = tmp_path / "vgg19.keras"
    source.save(path)
    weights = read_keras_file(path)
    assert weights.kind == "keras" and weights.mean_rgb == pytest.approx((100.0, 110.0, 120.0))
    for got, want in zip(_activations(build_vgg19(weights), images), _activations(source, images)):
        np.testing.assert_array_equal(got, want)

    data_dir = tmp_path / "course"
    (data_dir / "nst" / "pretrained-model").mkdir(parents=True)
    assert find_vgg_weights(data_dir) is None and find_vgg_weights(None) is None
    write_keras2_h5(source, data_dir / "nst" / "pretrained-model" / KERAS_H5, full_model=False)
    assert find_vgg_weights(data_dir) == data_dir / "nst" / "pretrained-model" / KERAS_H5
    body, found = load_vgg19(None, data_dir)
    assert found.kind == "keras_h5" and "random" not in found.describe()
    np.testing.assert_allclose(_activations(body, images)[-1], _activations(source, images)[-1], rtol=1e-5)


def _read_mat(tmp_path):
    path = tmp_path / "small.mat"
    _matconvnet_file(path, np.random.default_rng(7))
    return read_matconvnet(path)


def test_missing_or_corrupt_weight_files_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="expected a file"):
        load_vgg19(tmp_path / KERAS_H5)
    garbage = tmp_path / KERAS_H5
    garbage.write_bytes(b"not an HDF5 file at all")
    with pytest.raises(DataError, match="HDF5"):
        load_vgg19(garbage)
    short = tmp_path / MATCONVNET_MAT
    short.write_bytes(b"MATLAB 5.0 MAT-file, truncated")
    with pytest.raises(DataError, match="expected a MATLAB .mat file"):
        read_vgg_weights(short)
    partial = tmp_path / "partial.mat"
    _matconvnet_file(partial, np.random.default_rng(8), drop="conv3_2")
    with pytest.raises(DataError, match="missing block3_conv2"):
        read_vgg_weights(partial)
    other = tmp_path / "weights.npz"
    other.write_bytes(b"x")
    with pytest.raises(DataError, match="expected VGG19 weights as"):
        read_vgg_weights(other)
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"PK not really a zip")
    with pytest.raises(DataError, match="expected a .keras model file"):
        read_vgg_weights(broken)
    # a Keras file of another network: its layers are named, not silently replaced by random weights
    import keras

    tiny = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="dense")])
    wrong = write_keras2_h5(tiny, tmp_path / "other.h5", full_model=False)
    with pytest.raises(DataError, match="expected the 16 VGG19 convolutions"):
        read_vgg_weights(wrong)
