"""export_and_check: write, verify in a fresh process, manifest, then publish; nothing left on failure."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_served_export
from tf_course.export import (
    ExportMismatch,
    Signature,
    export_and_check,
    next_version,
    saved_model,
    verify_signatures,
)
from tf_course.export import verify as verify_module
from tf_course.export.saved_model import recording_run, remove_stale_work


def _model():
    inputs = keras.Input((3,), name="features")
    outputs = keras.layers.Dense(2, activation="softmax", name="dense",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=0))(inputs)
    return keras.Model(inputs, outputs)


VALUES = np.array([[1, 2, 3], [0, -5, 9]], dtype=np.int32)


def _scaled(model):
    """serving_default: int32 values (batch, 3) -> /10 -> model -> probabilities (batch, 2)."""

    def serve(values):
        return {"probabilities": model(tf.cast(values, tf.float32) / 10.0)}

    return Signature(serve, [tf.TensorSpec((None, 3), tf.int32, name="values")], {"values": VALUES})


def _float(model, serve=None, atol=1e-5):
    """serve_float: float32 values (batch, 3) -> model -> probabilities (batch, 2), no scaling."""

    def serve_float(values):
        return {"probabilities": model(values)}

    return Signature(serve or serve_float, [tf.TensorSpec((None, 3), tf.float32, name="values")],
                     {"values": np.array([[0.5, -1.0, 2.0]], np.float32)}, atol)


def _export(model, out, signatures=None, **kw):
    return export_and_check("toy", signatures or {"serving_default": _scaled(model)}, [model], out, **kw)


def _expected(model, values):
    return {"probabilities": model(np.asarray(values, np.float32)).numpy()}


def test_export_layout_manifest_and_fresh_process_reload(tmp_path):
    model = _model()
    result = _export(model, tmp_path, metrics={"accuracy": 0.5}, data_source={"toy": "synthetic"})
    assert result.path == tmp_path / "toy" / "1" and result.version == 1
    assert sorted(p.name for p in (tmp_path / "toy").iterdir()) == ["1"]  # the temporary dir was renamed
    assert (result.path / "saved_model.pb").is_file() and (result.path / "variables").is_dir()
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest == result.manifest
    assert sorted(manifest["signatures"]) == ["serving_default"]
    sig = manifest["signatures"]["serving_default"]
    assert sig["inputs"] == {"values": {"dtype": "int32", "shape": [None, 3]}}
    assert sig["outputs"] == {"probabilities": {"dtype": "float32", "shape": [None, 2]}}
    assert manifest["metrics"] == {"accuracy": 0.5} and manifest["data_source"] == {"toy": "synthetic"}
    assert manifest["tensorflow"] == tf.__version__ and manifest["keras"] == keras.__version__
    assert manifest["name"] == "toy" and manifest["version"] == 1

    values = np.array([[4, 4, 4]], dtype=np.int32)
    diffs = verify_signatures(
        result.path, {"serving_default": ({"values": values}, _expected(model, values / 10.0))})
    assert diffs["serving_default"]["probabilities"] < 1e-6


def test_two_signatures_round_trip_and_the_manifest_describes_both(tmp_path):
    model = _model()
    result = _export(model, tmp_path, {"serving_default": _scaled(model), "serve_float": _float(model)},
                     manifest_extra={"class_names": ["no", "yes"]})
    signatures = result.manifest["signatures"]
    assert sorted(signatures) == ["serve_float", "serving_default"]
    assert signatures["serving_default"]["inputs"] == {"values": {"dtype": "int32", "shape": [None, 3]}}
    assert signatures["serve_float"]["inputs"] == {"values": {"dtype": "float32", "shape": [None, 3]}}
    for sig in signatures.values():
        assert sig["outputs"] == {"probabilities": {"dtype": "float32", "shape": [None, 2]}}
    assert result.manifest["class_names"] == ["no", "yes"]

    floats = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], np.float32)
    served = assert_served_export(result.path, {
        "serving_default": ({"values": VALUES}, _expected(model, VALUES / 10.0)),
        "serve_float": ({"values": floats}, _expected(model, floats)),  # no /10: same model, other inputs
    })
    # the float signature on the same numbers skips the scaling: its outputs differ
    assert not np.allclose(served["serve_float"]["probabilities"], _expected(model, floats / 10.0)["probabilities"])
    with pytest.raises(ExportMismatch, match=r"\[serve_float\]: output 'probabilities' differs by"):
        assert_served_export(result.path, {"serve_float": ({"values": floats}, _expected(model, floats / 10.0))})


def test_a_mismatching_signature_fails_and_leaves_no_version_and_no_temporary_dir(tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"  # the process's temporary folder for this test: leftovers are visible here
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    model = _model()

    def drifting(values):  # +0.5 only in the traced (exported) graph, not when called eagerly
        out = model(values)
        return {"probabilities": out if tf.executing_eagerly() else out + 0.5}

    signatures = {"serving_default": _scaled(model), "serve_float": _float(model, serve=drifting, atol=0.1)}
    with pytest.raises(ExportMismatch, match=r"export toy v1 \[serve_float\]: output 'probabilities' differs by "
                                             r"0\.5 \(> 0\.1\)"):
        _export(model, tmp_path / "out", signatures)
    assert list((tmp_path / "out" / "toy").iterdir()) == []  # neither "1" nor ".tmp-pid<pid>-..."
    assert list(scratch.iterdir()) == []  # the .npz exchange folder tf_course_verify_* is gone too
    assert _export(model, tmp_path / "out").version == 1  # the failed export took no version number


def test_serving_default_is_required(tmp_path):
    model = _model()
    message = r"export toy: expected a 'serving_default' signature, found \['serve_float'\]"
    with pytest.raises(ValueError, match=message):
        _export(model, tmp_path, {"serve_float": _float(model)})
    assert not (tmp_path / "toy").exists()


@pytest.mark.parametrize(("sample", "message"), [
    ({"features": VALUES}, r"expected a sample for the inputs \['values'\], found \['features'\]"),
    ({"values": VALUES[:, :2]}, r"input 'values': expected shape \(None, 3\), found \(2, 2\)"),
])
def test_the_sample_must_fit_the_inputs(tmp_path, sample, message):
    model = _model()
    signature = Signature(_scaled(model).fn, [tf.TensorSpec((None, 3), tf.int32, name="values")], sample)
    with pytest.raises(ValueError, match=r"export toy \[serving_default\]: " + message):
        _export(model, tmp_path, {"serving_default": signature})


def test_inputs_need_names_and_manifest_extra_cannot_replace_standard_keys(tmp_path):
    model = _model()
    unnamed = Signature(_scaled(model).fn, [tf.TensorSpec((None, 3), tf.int32)], {"values": VALUES})
    with pytest.raises(ValueError, match=r"expected one distinct name per input TensorSpec, found \[None\]"):
        _export(model, tmp_path, {"serving_default": unnamed})
    with pytest.raises(ValueError, match=r"may not replace standard manifest keys \['metrics'\]"):
        _export(model, tmp_path, manifest_extra={"metrics": {}})


def test_versions_increment_and_existing_version_refused(tmp_path):
    model = _model()
    assert _export(model, tmp_path).version == 1
    assert _export(model, tmp_path).version == 2
    assert next_version(tmp_path / "toy") == 3
    with pytest.raises(FileExistsError, match="version directory .*toy/1 already exists"):
        _export(model, tmp_path, version=1)


def test_interrupted_export_leaves_no_version(tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while the export was being checked

    monkeypatch.setattr(verify_module, "run_signatures", crash)
    with pytest.raises(KeyboardInterrupt):
        _export(_model(), tmp_path)
    assert sorted(p.name for p in (tmp_path / "toy").iterdir()) == []


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


def test_stale_temporary_dirs_are_removed_but_a_live_exports_is_kept(tmp_path):
    old_layout = tmp_path / "toy" / ".tmp-1-deadbeef"  # before the pid was in the name
    dead = tmp_path / "toy" / f".tmp-pid{_dead_pid()}-0badf00d"
    for folder in (old_layout, dead):
        (folder / "model" / "variables").mkdir(parents=True)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"]) as other:
        try:  # another process exporting "toy" right now
            live = tmp_path / "toy" / f".tmp-pid{other.pid}-12345678"
            (live / "model").mkdir(parents=True)
            result = _export(_model(), tmp_path)
            assert result.version == 1 and not old_layout.exists() and not dead.exists()
            assert live.is_dir(), "a live export's working folder was deleted"
        finally:
            other.kill()
    assert remove_stale_work(tmp_path / "toy") == [live]  # its process is gone now


def test_two_exports_racing_for_a_version_both_publish(tmp_path, monkeypatch):
    model = _model()
    assert _export(model, tmp_path).version == 1
    # as if another process published version 2 between this export's choice of 2 and its rename
    monkeypatch.setattr(saved_model, "next_version", lambda base: 2 if not (base / "3").exists() else 4)
    (tmp_path / "toy" / "2").mkdir()
    (tmp_path / "toy" / "2" / "saved_model.pb").write_bytes(b"other export")
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self.name == "2" else real_exists(self))
    result = _export(model, tmp_path)
    assert result.version == 3 and result.path == tmp_path / "toy" / "3"
    assert json.loads((result.path / "manifest.json").read_text())["version"] == 3
    assert (tmp_path / "toy" / "2" / "saved_model.pb").read_bytes() == b"other export"
    with pytest.raises(FileExistsError, match=r"expected version directory .*toy/2 to be free"):
        _export(model, tmp_path, version=2)
    assert sorted(p.name for p in (tmp_path / "toy").iterdir()) == ["1", "2", "3"]


def test_the_manifest_records_the_run_and_nothing_goes_to_the_temporary_folder(tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    model = _model()
    assert _export(model, tmp_path / "out").manifest["run"] == {}  # outside a run
    run = {"mode": "quick", "seed": 3, "data_dir": None, "command": ["tf-course", "run", "--quick"]}
    with recording_run(run):
        result = _export(model, tmp_path / "out")
    assert json.loads((result.path / "manifest.json").read_text())["run"] == run
    assert _export(model, tmp_path / "out").manifest["run"] == {}  # the block ended
    assert list(scratch.iterdir()) == []  # the exchange files lived in the export's working folder
    assert sorted(p.name for p in (tmp_path / "out" / "toy").iterdir()) == ["1", "2", "3"]


def test_verify_detects_a_wrong_model(tmp_path):
    model = _model()
    result = _export(model, tmp_path)
    values = np.ones((1, 3), dtype=np.int32)
    wrong = _expected(model, values / 10.0)["probabilities"] + 0.1
    with pytest.raises(ExportMismatch, match="output 'probabilities' differs by 0.1"):
        verify_signatures(result.path, {"serving_default": ({"values": values},
                                                                             {"probabilities": wrong})})
    with pytest.raises(ExportMismatch, match=r"expected output 'scores', found \['probabilities'\]"):
        verify_signatures(result.path, {"serving_default": ({"values": values}, {"scores": wrong})})
    with pytest.raises(RuntimeError, match=r"expected signature 'serve_float', found \['serving_default'\]"):
        verify_signatures(result.path, {"serve_float": ({"values": values}, {})})
