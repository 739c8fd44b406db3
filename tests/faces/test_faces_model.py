"""faceRecoModel (nn4.small2, channels-last) and the course's CSV weight loader."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from tests.helpers import assert_keras_round_trip
from tf_course.data.validate import DataError
from tf_course.faces.layers import L2Normalization
from tf_course.faces.model import PARAMS, faceRecoModel
from tf_course.faces.weights import expected_files, load_weights_from_FaceNet

SHARED_COPY_MISSING = ["inception_3c_3x3_conv2_w", "inception_4e_3x3_conv2_w", "inception_5a_3x3_conv2_w",
                       "inception_5a_1x1_conv_w", "inception_5b_3x3_conv2_w"]


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return faceRecoModel()  # built once for the module (3.7M parameters)


def test_facereco_model_structure(model):
    assert model.count_params() == PARAMS == 3_743_280
    assert model.input_shape == (None, 96, 96, 3) and model.output_shape == (None, 128)
    names = {layer.name for layer in model.layers}
    for name in ("conv1", "bn1", "conv3", "inception_3a_pool_conv", "inception_4a_1x1_bn",
                 "inception_3c_3x3_conv2", "inception_5b_pool_bn", "dense_layer"):
        assert name in names
    assert not any(isinstance(layer, keras.layers.Lambda) for layer in model.layers)
    assert model.get_layer("bn1").epsilon == pytest.approx(1e-3)
    assert model.get_layer("bn2").epsilon == pytest.approx(1e-5)
    assert model.get_layer("inception_3a_concat").output.shape[1:] == (12, 12, 256)
    assert model.get_layer("inception_3b_concat").output.shape[1:] == (12, 12, 320)
    assert model.get_layer("inception_3c_concat").output.shape[1:] == (6, 6, 640)
    assert model.get_layer("inception_4e_concat").output.shape[1:] == (3, 3, 1024)
    assert model.get_layer("inception_5b_concat").output.shape[1:] == (3, 3, 736)
    files = expected_files(model)
    assert len(files) == 224 and files["conv1_w"] == (64, 3, 7, 7) and files["dense_w"] == (128, 736)
    assert files["inception_5a_3x3_conv2_w"] == (384, 96, 3, 3) and files["inception_3a_5x5_conv1_w"] == (16, 192, 1, 1)
    assert set(SHARED_COPY_MISSING) <= set(files)


def test_facereco_model_encodes_unit_vectors_and_resaves(model, tmp_path):
    x = np.random.default_rng(0).random((2, 96, 96, 3)).astype(np.float32)
    y = model.predict_on_batch(x)
    np.testing.assert_allclose(np.linalg.norm(y, axis=1), 1.0, atol=1e-5)
    path = tmp_path / "facenet.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe mode: no Lambda
    np.testing.assert_allclose(loaded.predict_on_batch(x), y, atol=1e-6)


def test_l2_normalization_round_trip(tmp_path):
    x = np.array([[3.0, 4.0], [0.0, 0.0]], np.float32)
    layer = L2Normalization(axis=1)
    np.testing.assert_allclose(layer(x), [[0.6, 0.8], [0.0, 0.0]], atol=1e-7)
    assert_keras_round_trip(layer, x, tmp_path)


# ---------------------------------------------------------------- the CSV loader on small files the test writes

def _tiny_model() -> keras.Model:
    inputs = keras.Input((4, 4, 2))
    x = keras.layers.Conv2D(3, 2, name="conv1")(inputs)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.Flatten()(keras.layers.GlobalAveragePooling2D(keepdims=True)(x))
    return keras.Model(inputs, keras.layers.Dense(5, name="dense_layer")(x))


def _write(folder: Path, stem: str, values: np.ndarray) -> None:
    (folder / f"{stem}.csv").write_text(",".join(repr(float(v)) for v in np.ravel(values)) + "\n")


@pytest.fixture
def tiny_csvs(tmp_path):
    rng = np.random.default_rng(1)
    course = {"conv1_w": rng.normal(size=(3, 2, 2, 2)), "conv1_b": rng.normal(size=3),
              "bn1_w": rng.random(3) + 0.5, "bn1_b": rng.normal(size=3), "bn1_m": rng.normal(size=3),
              "bn1_v": rng.random(3) + 0.5, "dense_w": rng.normal(size=(5, 3)), "dense_b": rng.normal(size=5)}
    for stem, values in course.items():
        _write(tmp_path, stem, values)
    return tmp_path, course


def test_loader_transposes_course_layout(tiny_csvs):
    folder, course = tiny_csvs
    model = _tiny_model()
    report = load_weights_from_FaceNet(model, folder)
    assert report.complete and report.loaded == ["conv1", "bn1", "dense_layer"]
    kernel, bias = model.get_layer("conv1").get_weights()
    np.testing.assert_allclose(kernel, np.transpose(course["conv1_w"], (2, 3, 1, 0)), rtol=1e-6)
    np.testing.assert_allclose(bias, course["conv1_b"], rtol=1e-6)
    gamma, beta, mean, var = model.get_layer("bn1").get_weights()
    np.testing.assert_allclose([gamma, beta, mean, var], [course[f"bn1_{s}"] for s in "wbmv"], rtol=1e-6)
    np.testing.assert_allclose(model.get_layer("dense_layer").get_weights()[0], course["dense_w"].T, rtol=1e-6)


def test_loader_names_missing_and_missized_files(tiny_csvs):
    folder, course = tiny_csvs
    (folder / "bn1_v.csv").unlink()
    _write(folder, "dense_w", np.zeros(14))
    model = _tiny_model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(DataError) as info:
        load_weights_from_FaceNet(model, folder)
    message = str(info.value)
    assert "bn1_v.csv" in message and "dense_w.csv: expected 15 values (shape (5, 3)), found 14" in message
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)  # nothing changed
    _write(folder, "dense_w", course["dense_w"])
    report = load_weights_from_FaceNet(model, folder, allow_missing=True)
    assert not report.complete and report.missing_files == ["bn1_v"] and report.skipped_layers == ["bn1"]
    (folder / "conv1_b.csv").write_text("0.1,abc,0.3\n")
    with pytest.raises(DataError, match="conv1_b.csv: expected one row of comma-separated numbers"):
        load_weights_from_FaceNet(model, folder, allow_missing=True)
    with pytest.raises(FileNotFoundError, match="expected a folder of CSV files"):
        load_weights_from_FaceNet(model, folder / "nope")


@pytest.mark.course_data
def test_course_csvs_load_into_their_layers(model, course_file):
    folder = course_file("facenet/weights/conv1_w.csv").parent
    with pytest.raises(DataError) as info:
        load_weights_from_FaceNet(model, folder)  # strict: the shared copy is incomplete
    assert all(f"{stem}.csv" in str(info.value) for stem in SHARED_COPY_MISSING)
    report = load_weights_from_FaceNet(model, folder, allow_missing=True)
    assert sorted(report.missing_files) == sorted(SHARED_COPY_MISSING)
    assert not report.complete and len(report.loaded) == 70 and len(report.skipped_layers) == 5
    present = {p.stem for p in folder.glob("*.csv")}
    files = expected_files(model)
    assert len(present & set(files)) == 219  # every present file the model needs was loaded
    conv1 = np.loadtxt(folder / "conv1_w.csv", delimiter=",", dtype=np.float32).reshape(64, 3, 7, 7)
    np.testing.assert_array_equal(model.get_layer("conv1").get_weights()[0], np.transpose(conv1, (2, 3, 1, 0)))
    dense = np.loadtxt(folder / "dense_w.csv", delimiter=",", dtype=np.float32).reshape(128, 736)
    np.testing.assert_array_equal(model.get_layer("dense_layer").get_weights()[0], dense.T)
    bn_v = np.loadtxt(folder / "inception_5b_pool_bn_v.csv", delimiter=",", dtype=np.float32)
    np.testing.assert_array_equal(model.get_layer("inception_5b_pool_bn").get_weights()[3], bn_v)
