"""load_yolo_weights / convert_to_keras: dispatch on .h5, .cfg + .weights and .keras files, atomic re-save."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import pytest

from tf_course.data.validate import DataError
from tf_course.detection.darknet import write_darknet_weights, yolov2_cfg
from tf_course.detection.keras2_h5 import write_keras2_h5
from tf_course.detection.weights import convert_to_keras, info_path, load_yolo_weights, weight_format
from tf_course.detection.yolov2 import build_yolov2

SHAPE = (64, 64, 3)
ANCHORS = ((0.5, 0.75), (2.0, 1.5))


@pytest.fixture(scope="module")
def source() -> keras.Model:
    """A tiny YOLOv2 (2 anchors, 2 classes -> 14 channels on a 2x2 grid) with random weights and statistics."""
    model = build_yolov2(SHAPE, num_anchors=2, num_classes=2, name="source", width_divisor=16)
    rng = np.random.default_rng(21)
    for v in model.weights:
        values = rng.uniform(0.5, 1.5, v.shape) if "variance" in v.path else rng.normal(0, 0.3, v.shape)
        v.assign(values.astype(np.float32))
    return model


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    return np.random.default_rng(22).random((2, *SHAPE)).astype(np.float32)


@pytest.fixture(scope="module")
def files(tmp_path_factory, source):
    """The same weights as yolo.h5 (Keras 2 layout) and as yolo.cfg + yolo.weights (Darknet)."""
    folder = tmp_path_factory.mktemp("weights")
    write_keras2_h5(source, folder / "yolo.h5")
    (folder / "yolo.cfg").write_text(yolov2_cfg(SHAPE, anchors=ANCHORS, num_classes=2, width_divisor=16))
    write_darknet_weights(source, folder / "yolo.weights")
    return folder


def assert_same(model: keras.Model, reference: keras.Model, batch: np.ndarray) -> None:
    expected = reference(batch).numpy()
    assert np.abs(expected).max() > 1.0
    np.testing.assert_allclose(model(batch).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_h5(files, source, batch):
    model, info = load_yolo_weights(files / "yolo.h5", num_anchors=2)
    assert (info.format, info.num_anchors, info.num_classes, info.input_shape) == ("keras2_h5", 2, 2, SHAPE)
    assert_same(model, source, batch)


@pytest.mark.parametrize("given", [("yolo.cfg",), ("yolo.weights",), ("yolo.weights", "yolo.cfg")])
def test_darknet_from_either_or_both_paths(files, source, batch, given):
    # the source's passthrough uses TensorFlow's order (YAD2K), so the Darknet files reproduce it with that order
    model, info = load_yolo_weights(*(files / name for name in given), reorg_mode="tensorflow")
    assert (info.format, info.anchors, info.num_classes) == ("darknet", ANCHORS, 2)
    assert_same(model, source, batch)


def test_darknet_pair_in_another_folder(files, tmp_path, source, batch):
    weights = tmp_path / "elsewhere.weights"
    weights.write_bytes((files / "yolo.weights").read_bytes())
    model, _ = load_yolo_weights(files / "yolo.cfg", weights, reorg_mode="tensorflow")
    assert_same(model, source, batch)
    with pytest.raises(FileNotFoundError, match="Darknet cfg: expected a file at .*elsewhere.cfg"):
        load_yolo_weights(weights)  # no elsewhere.cfg beside it
    with pytest.raises(ValueError, match="one .cfg and one .weights path"):
        load_yolo_weights(weights, weights)


@pytest.mark.parametrize("name, other", [("yolo.h5", None), ("yolo.cfg", None)])
def test_convert_to_keras_round_trip(files, tmp_path, batch, name, other):
    dst = tmp_path / "out" / "yolo.keras"
    path, info = convert_to_keras(files / name, dst, other, num_anchors=2)
    assert path == dst and dst.is_file() and info_path(dst).is_file()
    original, _ = load_yolo_weights(files / name, num_anchors=2)
    reloaded, reloaded_info = load_yolo_weights(dst)
    np.testing.assert_array_equal(reloaded(batch).numpy(), original(batch).numpy())
    assert reloaded_info.format == "keras" and reloaded_info.source == str(dst)
    assert (reloaded_info.num_anchors, reloaded_info.num_classes, reloaded_info.anchors) == (
        2, 2, ANCHORS if name == "yolo.cfg" else None)
    assert reloaded_info.notes[0] == f"converted from {info.format} {info.source}"
    assert sorted(p.name for p in dst.parent.iterdir()) == ["yolo.keras", "yolo.keras.json"]  # no temp files left


def test_convert_a_model_and_keras_without_json(tmp_path, source, batch):
    dst = tmp_path / "model.keras"
    _, info = convert_to_keras(source, dst, num_anchors=2)
    assert (info.format, info.num_classes) == ("model", 2)
    info_path(dst).unlink()
    model, inferred = load_yolo_weights(dst, num_anchors=2)  # 14 channels = 2 x (5 + 2)
    assert_same(model, source, batch)
    assert (inferred.num_anchors, inferred.num_classes, inferred.anchors) == (2, 2, None)
    with pytest.raises(DataError, match="5 x \\(5 \\+ classes\\)\\) output, found \\(None, 2, 2, 14\\)"):
        load_yolo_weights(dst)  # 14 channels do not split into 5 anchors


def test_stale_json_is_rejected(tmp_path, source):
    dst = tmp_path / "model.keras"
    convert_to_keras(source, dst, num_anchors=2)
    data = json.loads(info_path(dst).read_text())
    info_path(dst).write_text(json.dumps({**data, "num_classes": 80}))
    with pytest.raises(DataError, match="says 2 anchors x \\(5 \\+ 80\\) output channels, found a model with 14"):
        load_yolo_weights(dst)


def test_failed_conversion_keeps_the_old_file(tmp_path):
    dst = tmp_path / "yolo.keras"
    dst.write_bytes(b"previous model")
    bad = tmp_path / "bad.h5"
    bad.write_text("not HDF5")
    with pytest.raises(DataError, match="could not open it as HDF5"):
        convert_to_keras(bad, dst)
    assert dst.read_bytes() == b"previous model"
    assert sorted(os.listdir(tmp_path)) == ["bad.h5", "yolo.keras"]


def test_save_failure_leaves_no_temporary_file(tmp_path, monkeypatch, source):
    dst = tmp_path / "yolo.keras"

    def broken_save(self, path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        convert_to_keras(source, dst, num_anchors=2)
    assert os.listdir(tmp_path) == []


def test_format_from_signature(files, tmp_path, source, batch):
    renamed = tmp_path / "yolo.bin"
    renamed.write_bytes((files / "yolo.h5").read_bytes())
    assert weight_format(renamed) == "keras2_h5"
    model, _ = load_yolo_weights(renamed, num_anchors=2)
    assert_same(model, source, batch)


def test_missing_and_unknown_files(tmp_path, files):
    with pytest.raises(FileNotFoundError, match="nothing there"):
        load_yolo_weights(tmp_path / "absent.h5")
    with pytest.raises(FileNotFoundError, match="nothing there"):
        load_yolo_weights(tmp_path / "absent.keras")
    with pytest.raises(FileNotFoundError, match="nothing there"):
        load_yolo_weights(tmp_path / "absent.bin")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="suffix '.txt' and neither an HDF5 nor a zip signature"):
        load_yolo_weights(text)
    with pytest.raises(ValueError, match="only goes with Darknet"):
        load_yolo_weights(files / "yolo.h5", files / "yolo.cfg")
    with pytest.raises(ValueError, match="ending in .keras, found .*yolo.h5"):
        convert_to_keras(files / "yolo.h5", tmp_path / "yolo.h5")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="expected a Keras 3 .keras model file"):
        load_yolo_weights(corrupt)
