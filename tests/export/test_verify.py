"""The checker process: isolated from tf_course, reused across exports, restarted once if it dies, stopped at exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.export import Signature, export_and_check
from tf_course.export import verify as verify_module
from tf_course.export.verify import checker_probe, run_signatures

VALUES = np.array([[1.0, 2.0]], np.float32)


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="ones", name="dense")(inputs))
    signature = Signature(lambda x: {"y": model(x)}, [tf.TensorSpec((None, 2), tf.float32, name="x")], {"x": VALUES})
    return export_and_check("tiny", {"serving_default": signature}, [model], tmp_path_factory.mktemp("out")).path


def _served(export_dir):
    outputs, description = run_signatures(export_dir, {"serving_default": {"x": VALUES}})
    assert description["serving_default"]["outputs"] == {"y": {"dtype": "float32", "shape": [None, 1]}}
    return outputs["serving_default"]["y"]


def test_the_checker_runs_isolated_without_tf_course_and_is_reused(export_dir):
    probe = checker_probe()
    assert probe["ok"] and probe["isolated"] == 1 and probe["tf_course_blocked"] is True
    assert probe["pid"] != os.getpid()
    np.testing.assert_array_equal(_served(export_dir), [[3.0]])  # 1 * 1 + 1 * 2, bias 0
    np.testing.assert_array_equal(_served(export_dir), [[3.0]])
    assert checker_probe()["pid"] == probe["pid"]  # one TensorFlow start-up for all requests


def test_an_error_in_a_request_keeps_the_checker(export_dir):
    pid = checker_probe()["pid"]
    with pytest.raises(RuntimeError, match=r"expected signature 'other', found \['serving_default'\]"):
        run_signatures(export_dir, {"other": {"x": VALUES}})
    with pytest.raises(RuntimeError, match="No such file|does not exist|SavedModel file does not exist"):
        run_signatures(export_dir.parent / "absent", {"serving_default": {"x": VALUES}})
    assert checker_probe()["pid"] == pid


def test_a_dead_checker_is_restarted_once(export_dir):
    pid = checker_probe()["pid"]
    os.kill(pid, signal.SIGKILL)
    verify_module._checker.process.wait(timeout=30)  # it is dead before the next request
    np.testing.assert_array_equal(_served(export_dir), [[3.0]])
    assert checker_probe()["pid"] != pid


def test_a_request_cut_short_never_hands_its_late_reply_to_the_next_one(export_dir):
    pid = checker_probe()["pid"]
    with pytest.raises(RuntimeError, match="did not answer within 0 s"):
        run_signatures(export_dir, {"serving_default": {"x": VALUES}}, timeout=1e-6)
    before = verify_module.checker_startup()
    verify_module.start_checker()  # what `tf-course run` does first: start it, do not wait for it
    started = verify_module._checker
    assert started.process.pid != pid and started.ready is None
    assert checker_probe()["pid"] == started.process.pid  # the interrupted checker was killed, not reused
    np.testing.assert_array_equal(_served(export_dir), [[3.0]])
    # its ready line (read by the first request) says how long its TensorFlow import took
    assert started.ready["pid"] == started.process.pid and started.ready["startup_seconds"] > 0
    after = verify_module.checker_startup()
    assert (after["started"], after["used"]) == (before["started"] + 1, before["used"] + 1)
    assert after["startup_seconds"] > before["startup_seconds"]
    assert after["waited_seconds"] == pytest.approx(before["waited_seconds"] + started.waited_seconds, abs=2e-3)


def test_the_checker_stops_when_its_parent_exits(tmp_path):
    # load verify.py alone (NumPy only) in a short-lived parent that starts a checker and exits
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('verify', {str(Path(verify_module.__file__))!r})\n"
        "verify = importlib.util.module_from_spec(spec); spec.loader.exec_module(verify)\n"
        "print(verify.checker_probe()['pid'], flush=True)\n"
    )
    parent = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True)
    pid = int(parent.stdout.split()[-1])
    deadline = time.monotonic() + 30
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited


def test_string_outputs_come_back_from_the_checker_and_compare_as_strings(tmp_path):
    # a tf.string output is an object array in NumPy; the checker must send it back without pickling
    words = tf.constant(["no", "yes"])

    def label(x):
        return {"label": tf.gather(words, tf.cast(tf.reduce_sum(x, axis=1) > 2.5, tf.int32))}

    signature = Signature(label, [tf.TensorSpec((None, 2), tf.float32, name="x")],
                          {"x": np.array([[1.0, 2.0], [0.0, 1.0]], np.float32)})
    result = export_and_check("strings", {"serving_default": signature}, [], tmp_path)
    outputs, _ = run_signatures(result.path, {"serving_default": {"x": VALUES}})
    assert outputs["serving_default"]["label"].tolist() == [b"yes"]  # 1 + 2 = 3 > 2.5


def test_a_scalar_string_output_verifies(tmp_path):
    signature = Signature(lambda x: {"best": tf.strings.as_string(tf.reduce_max(x))},
                          [tf.TensorSpec((None, 2), tf.float32, name="x")], {"x": VALUES})
    result = export_and_check("scalar_string", {"serving_default": signature}, [], tmp_path)
    outputs, _ = run_signatures(result.path, {"serving_default": {"x": VALUES}})
    assert outputs["serving_default"]["best"].shape == () and outputs["serving_default"]["best"] == b"2.000000"
