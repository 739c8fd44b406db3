"""Keras 2 / YAD2K HDF5 (the course's yolo.h5 layout) -> build_yolov2, on tiny files written here with h5py."""

from __future__ import annotations

import json

import h5py
import keras
import numpy as np
import pytest

from tf_course.data.validate import DataError
from tf_course.detection.keras2_h5 import load_keras2_h5, read_keras2_h5, write_keras2_h5
from tf_course.detection.yolov2 import build_yolov2

SHAPE = (64, 64, 3)


def random_model(num_anchors: int = 5, num_classes: int = 3, seed: int = 0) -> keras.Model:
    """A tiny YOLOv2 (width / 16, 64x64 input -> 2x2 grid) with random weights and batch-norm statistics."""
    model = build_yolov2(SHAPE, num_anchors, num_classes, name="source", width_divisor=16)
    rng = np.random.default_rng(seed)
    for v in model.weights:  # positive variances; scale 0.3 keeps activations of order 1
        values = np.abs(rng.normal(size=v.shape)) + 0.5 if "variance" in v.path else 0.3 * rng.normal(size=v.shape)
        v.assign(values.astype(np.float32))
    return model


def keras2_config(model: keras.Model, epsilon: float = 0.001) -> dict:
    """The parts of a YAD2K model_config the loader reads: the input layer and batch-norm epsilons, and the Lambda."""
    layers = [{"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [None, *SHAPE]}},
              {"class_name": "Lambda", "config": {"name": "space_to_depth_x2", "function": ["4wEAAAAA", None, None]}}]
    layers += [{"class_name": "BatchNormalization", "config": {"name": layer.name, "epsilon": epsilon}}
               for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    return {"class_name": "Model", "config": {"name": "model_1", "layers": layers}}


def write_keras2_layout(model: keras.Model, path, *, full_model: bool = True, rename=None, order=None, skip=(),
                        replace=None, epsilon: float = 0.001) -> None:
    """Write ``model``'s weights as Keras 2.x ``model.save`` (or ``save_weights``) lays them out.

    rename: layer name -> name in the file; order: layer names in file order; skip: layers left out;
    replace: {(layer, weight): array} to write instead of the model's value.
    """
    rename, replace = rename or {}, replace or {}
    names = order or [layer.name for layer in model.layers]
    with h5py.File(path, "w") as handle:
        if full_model:
            handle.attrs["keras_version"] = b"2.1.5"
            handle.attrs["backend"] = b"tensorflow"
            handle.attrs["model_config"] = json.dumps(keras2_config(model, epsilon)).encode()
            group = handle.create_group("model_weights")
        else:
            group = handle
        group.attrs["layer_names"] = np.array([rename.get(n, n).encode() for n in names if n not in skip])
        for name in names:
            if name in skip:
                continue
            layer, file_name = model.get_layer(name), rename.get(name, name)
            layer_group = group.create_group(file_name)
            weight_names = []
            for v in layer.weights:
                short = v.path.rsplit("/", 1)[-1]
                weight_names.append(f"{file_name}/{short}:0")
                layer_group.create_dataset(weight_names[-1], data=replace.get((name, short), v.numpy()))
            layer_group.attrs["weight_names"] = np.array([n.encode() for n in weight_names], dtype="S")


@pytest.fixture(scope="module")
def source() -> keras.Model:
    return random_model()


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    return np.random.default_rng(7).random((2, *SHAPE)).astype(np.float32)


def assert_same_outputs(model: keras.Model, reference: keras.Model, batch: np.ndarray) -> None:
    expected = reference(batch).numpy()
    assert np.abs(expected).max() > 1.0  # a real signal, not zeros
    np.testing.assert_allclose(model(batch).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_full_model_file_loads_by_name(tmp_path, source, batch):
    path = tmp_path / "yolo.h5"
    write_keras2_layout(source, path)
    model, info = load_keras2_h5(path)
    assert_same_outputs(model, source, batch)
    assert (info.format, info.num_anchors, info.num_classes, info.input_shape) == ("keras2_h5", 5, 3, SHAPE)
    assert info.matched_by == "name" and "keras_version 2.1.5" in info.notes and "width_divisor 16" in info.notes
    assert model.output_shape == (None, 2, 2, 40)  # 64 / 32 = 2; 5 x (5 + 3) = 40


def test_weights_only_file(tmp_path, source, batch):
    path = tmp_path / "weights.h5"
    write_keras2_layout(source, path, full_model=False)
    model, info = load_keras2_h5(path, input_shape=SHAPE)
    assert_same_outputs(model, source, batch)
    _, default = load_keras2_h5(path)  # no model_config: the course's 608x608
    assert default.input_shape == (608, 608, 3)


def test_other_names_load_by_order(tmp_path, source, batch):
    # A second model built in one Keras 2 session is numbered on: conv2d_24.., batch_normalization_23..; and
    # Keras 2 lists layers by depth, so conv2d_21 comes before batch_normalization_20 in layer_names.
    rename = {}
    for layer in source.layers:
        kind, _, number = layer.name.rpartition("_")
        if number.isdigit():
            offset = {"conv2d": 23, "batch_normalization": 22, "leaky_re_lu": 22, "max_pooling2d": 5, "input": 1,
                      "concatenate": 1}[kind]
            rename[layer.name] = f"{kind}_{int(number) + offset}"
    order = [layer.name for layer in source.layers]
    order.remove("conv2d_21")
    order.insert(order.index("batch_normalization_20"), "conv2d_21")
    path = tmp_path / "renamed.h5"
    write_keras2_layout(source, path, rename=rename, order=order)
    assert [layer.name for layer in read_keras2_h5(path).layers][:2] == ["conv2d_24", "batch_normalization_23"]
    model, info = load_keras2_h5(path)
    assert info.matched_by == "order"
    assert_same_outputs(model, source, batch)


def test_batch_norm_epsilon_from_config(tmp_path, batch):
    source = random_model(seed=3)
    for layer in source.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.epsilon = 1e-5
    path = tmp_path / "eps.h5"
    write_keras2_layout(source, path, epsilon=1e-5)
    model, _ = load_keras2_h5(path)
    assert model.get_layer("batch_normalization_7").epsilon == 1e-5
    assert_same_outputs(model, source, batch)


def test_other_anchor_count(tmp_path, batch):
    source = random_model(num_anchors=3, num_classes=2, seed=4)  # 3 x (5 + 2) = 21 channels
    path = tmp_path / "a3.h5"
    write_keras2_layout(source, path)
    model, info = load_keras2_h5(path, num_anchors=3)
    assert (info.num_anchors, info.num_classes) == (3, 2)
    assert_same_outputs(model, source, batch)
    with pytest.raises(DataError, match="expected 5 anchors x \\(5 \\+ classes\\) output channels, found 21"):
        load_keras2_h5(path)  # 21 channels do not split into 5 anchors


def test_library_writer_matches_keras2_layout(tmp_path, source, batch):
    ours, theirs = tmp_path / "ours.h5", tmp_path / "theirs.h5"
    write_keras2_h5(source, ours)
    write_keras2_layout(source, theirs)
    with h5py.File(ours) as a, h5py.File(theirs) as b:
        assert list(a["model_weights"].attrs["layer_names"]) == list(b["model_weights"].attrs["layer_names"])
        assert list(a["model_weights/conv2d_23"].attrs["weight_names"]) == [b"conv2d_23/kernel:0", b"conv2d_23/bias:0"]
        np.testing.assert_array_equal(a["model_weights/batch_normalization_4/batch_normalization_4/gamma:0"][()],
                                      b["model_weights/batch_normalization_4/batch_normalization_4/gamma:0"][()])
        assert json.loads(a.attrs["model_config"])["config"]["layers"][0]["config"]["batch_input_shape"] == [
            None, *SHAPE]
    model, _ = load_keras2_h5(ours)
    assert_same_outputs(model, source, batch)


def test_wrong_number_of_classes(tmp_path, source):
    # the last conv's bias says 5 x (5 + 4) = 45 outputs, its kernel 40
    path = tmp_path / "classes.h5"
    write_keras2_layout(source, path, replace={("conv2d_23", "bias"): np.zeros(45, np.float32)})
    with pytest.raises(DataError, match=r"layer 'conv2d_23' weight 'bias': expected shape \(40,\), found \(45,\)"):
        load_keras2_h5(path)


def test_missing_layer(tmp_path, source):
    path = tmp_path / "missing.h5"
    write_keras2_layout(source, path, skip=("conv2d_5",))
    # 22 convolutions + 22 batch norms + conv2d_23 = 45 layers with weights
    message = r"expected 45 layers with weights .* found 44 .*missing layers: \['conv2d_5'\]"
    with pytest.raises(DataError, match=message):
        load_keras2_h5(path)


def test_wrong_kernel_shape(tmp_path, source):
    path = tmp_path / "kernel.h5"  # conv2d_7 is 1x1, 16 -> 8 channels at width / 16
    write_keras2_layout(source, path, replace={("conv2d_7", "kernel"): np.zeros((3, 3, 16, 8), np.float32)})
    message = r"'conv2d_7' weight 'kernel': expected shape \(1, 1, 16, 8\), found \(3, 3, 16, 8\)"
    with pytest.raises(DataError, match=message):
        load_keras2_h5(path)


def test_nan_weight(tmp_path, source):
    path = tmp_path / "nan.h5"
    gamma = np.full(2, np.nan, np.float32)  # batch_normalization_1 has 32 / 16 = 2 channels
    write_keras2_layout(source, path, replace={("batch_normalization_1", "gamma"): gamma})
    with pytest.raises(DataError, match="batch_normalization_1/gamma:0.*expected finite values, found 2 NaN"):
        load_keras2_h5(path)


def test_not_hdf5_and_truncated(tmp_path, source):
    text = tmp_path / "yolo.h5"
    text.write_text("not an HDF5 file\n")
    with pytest.raises(DataError, match="expected a Keras 2 HDF5 file, could not open it as HDF5"):
        load_keras2_h5(text)
    whole = tmp_path / "whole.h5"
    write_keras2_layout(source, whole)
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DataError, match="truncated"):
        load_keras2_h5(truncated)
    with pytest.raises(FileNotFoundError, match="nothing there"):
        load_keras2_h5(tmp_path / "absent.h5")


def test_hdf5_without_model_weights(tmp_path):
    path = tmp_path / "dataset.h5"
    with h5py.File(path, "w") as handle:
        handle["train_set_x"] = np.zeros((2, 4), np.uint8)
    with pytest.raises(DataError, match=r"group 'model_weights'.*found keys \['train_set_x'\]"):
        load_keras2_h5(path)


def test_listed_layer_without_group(tmp_path, source):
    path = tmp_path / "listed.h5"
    write_keras2_layout(source, path)
    with h5py.File(path, "a") as handle:
        del handle["model_weights/conv2d_3"]
    with pytest.raises(DataError, match="layer 'conv2d_3' is in 'layer_names' but has no group"):
        read_keras2_h5(path)
