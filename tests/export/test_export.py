"""Atomic SavedModel export, manifest, and reload-and-compare in a fresh process."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.export import export_serving, next_version, verify_in_fresh_process
from tf_course.export import saved_model as saved_model_module
from tf_course.export.verify import ExportMismatch


def _model():
    inputs = keras.Input((3,), name="features")
    outputs = keras.layers.Dense(2, activation="softmax", name="dense",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=0))(inputs)
    return keras.Model(inputs, outputs)


def _serve(model):
    def serve(values):
        return {"probabilities": model(tf.cast(values, tf.float32) / 10.0)}

    return serve


SPEC = [tf.TensorSpec((None, 3), tf.int32, name="values")]


def _export(model, out, **kw):
    return export_serving("toy", _serve(model), SPEC, [model], out, **kw)


def test_export_layout_manifest_and_fresh_process_reload(tmp_path):
    model = _model()
    result = _export(model, tmp_path, metrics={"accuracy": 0.5}, data_source={"toy": "synthetic"})
    assert result.path == tmp_path / "toy" / "1" and result.version == 1
    assert (result.path / "saved_model.pb").is_file() and (result.path / "variables").is_dir()
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest == result.manifest
    sig = manifest["signatures"]["serving_default"]
    assert sig["inputs"] == {"values": {"dtype": "int32", "shape": [None, 3]}}
    assert sig["outputs"] == {"probabilities": {"dtype": "float32", "shape": [None, 2]}}
    assert manifest["metrics"] == {"accuracy": 0.5} and manifest["data_source"] == {"toy": "synthetic"}
    assert manifest["tensorflow"] == tf.__version__ and manifest["keras"] == keras.__version__

    values = np.array([[1, 2, 3], [0, -5, 9]], dtype=np.int32)
    expected = model(values.astype(np.float32) / 10.0).numpy()
    diffs = verify_in_fresh_process(result.path, {"values": values}, {"probabilities": expected})
    assert diffs["probabilities"] < 1e-6


def test_versions_increment_and_existing_version_refused(tmp_path):
    model = _model()
    assert _export(model, tmp_path).version == 1
    assert _export(model, tmp_path).version == 2
    assert next_version(tmp_path / "toy") == 3
    with pytest.raises(FileExistsError, match="version directory .*toy/1 already exists"):
        _export(model, tmp_path, version=1)


def test_interrupted_export_leaves_no_version(tmp_path, monkeypatch):
    model = _model()

    def crash(path):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C after the SavedModel was written

    monkeypatch.setattr(saved_model_module, "describe_signatures", crash)
    with pytest.raises(KeyboardInterrupt):
        _export(model, tmp_path)
    assert sorted(p.name for p in (tmp_path / "toy").iterdir()) == []


def test_stale_temporary_dirs_are_removed_and_ignored(tmp_path):
    stale = tmp_path / "toy" / ".tmp-1-deadbeef"
    (stale / "variables").mkdir(parents=True)
    result = _export(_model(), tmp_path)
    assert result.version == 1 and not stale.exists()


def test_verify_detects_a_wrong_model(tmp_path):
    model = _model()
    result = _export(model, tmp_path)
    values = np.ones((1, 3), dtype=np.int32)
    wrong = model(values.astype(np.float32) / 10.0).numpy() + 0.1
    with pytest.raises(ExportMismatch, match="output 'probabilities' differs by 0.1"):
        verify_in_fresh_process(result.path, {"values": values}, {"probabilities": wrong})
    with pytest.raises(ExportMismatch, match=r"expected output 'scores', found \['probabilities'\]"):
        verify_in_fresh_process(result.path, {"values": values}, {"scores": wrong})


def test_extra_signature_is_exported_described_and_verifiable(tmp_path):
    model = _model()

    def serve_float(values):
        return {"probabilities": model(values)}

    extra = {"serve_float": (serve_float, [tf.TensorSpec((None, 3), tf.float32, name="values")])}
    result = _export(model, tmp_path, extra_signatures=extra)
    assert sorted(result.manifest["signatures"]) == ["serve_float", "serving_default"]
    assert result.manifest["signatures"]["serve_float"]["inputs"]["values"]["dtype"] == "float32"
    values = np.array([[1.0, 2.0, 3.0]], np.float32)
    expected = {"probabilities": model(values).numpy()}
    # the float signature skips the /10 scaling of serving_default: same model, different inputs
    verify_in_fresh_process(result.path, {"values": values}, expected, signature="serve_float")
    with pytest.raises(ExportMismatch):
        verify_in_fresh_process(result.path, {"values": values.astype(np.int32)}, expected)
