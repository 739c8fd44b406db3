"""Issue 11, item 3 (export part): an export killed with SIGKILL at any moment leaves either no new
version or a complete verified one, never a half-made folder a server could load; the next export
(a new process) removes what the killed ones left, but never the working folder of a live export;
nothing is left in the temporary folder and no checker process outlives its exporter."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.export import Signature, export_and_check

pytestmark = pytest.mark.slow

# Exports a tiny model to argv[1]/toy and hangs at the point argv[2] after writing a marker file
# (argv[3]/<point>) holding its pid, for the test to SIGKILL it there.
SCRIPT = textwrap.dedent('''
    import json, os, shutil, sys, time
    from pathlib import Path
    import keras, numpy as np, tensorflow as tf
    from tf_course.export import Signature, export_and_check, saved_model, verify

    out, point, markers = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])

    def mark(label):
        (markers / f"{label}.tmp").write_text(str(os.getpid()))
        os.replace(markers / f"{label}.tmp", markers / label)

    def hang():
        mark(point)
        time.sleep(600)

    (markers / f"checker-{point}").write_text(str(verify.checker_probe()["pid"]))
    if point == "written":  # the SavedModel is in the working folder, not checked yet
        verify.run_signatures = lambda *args, **kwargs: hang()
    elif point == "verifying":  # the checker process has the request; its reply is not read yet
        real_request = verify.Checker.request
        def request(self, message, timeout):
            if "export_dir" not in message:
                return real_request(self, message, timeout)
            self._stdin.write((json.dumps(message) + "\\n").encode())
            self._stdin.flush()
            hang()
        verify.Checker.request = request
    elif point == "publishing":  # verified, manifest written, not yet renamed into place
        real_write = saved_model.write_json_atomic
        def write(path, data):
            real_write(path, data)
            hang()
        saved_model.write_json_atomic = write
    elif point == "published":  # renamed into place, the working folder not yet removed
        real_rmtree = shutil.rmtree
        def rmtree(path, *args, **kwargs):
            if Path(path).name.startswith(".tmp-pid") and (Path(path).parent / "1").is_dir():
                hang()
            return real_rmtree(path, *args, **kwargs)
        shutil.rmtree = rmtree
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(2, name="dense")(inputs))
    signature = Signature(lambda x: {"y": model(x)}, [tf.TensorSpec((None, 3), tf.float32, name="x")],
                          {"x": np.ones((2, 3), np.float32)})
    export_and_check("toy", {"serving_default": signature}, [model], out)
    mark("finished")
''')
POINTS = ("written", "verifying", "publishing", "published")


def _wait_for(path: Path, procs: list[subprocess.Popen], timeout: float = 400.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        for proc in procs:
            if proc.poll() is not None and not path.exists():
                raise AssertionError(f"expected the exporter to reach {path.name}, found it exited "
                                     f"(code {proc.returncode}): {proc.stderr.read()[-3000:]}")
        assert time.monotonic() < deadline, f"expected {path} within {timeout} s, found nothing"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_dead(pid: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _alive(pid)


def _leftovers(folder: Path) -> list[str]:
    """What is in ``folder`` but TensorFlow's own autograph files (``__autograph_generated_file*.py``,
    which TensorFlow removes when a process exits normally, so a SIGKILL leaves them)."""
    return sorted(p.name for p in folder.iterdir()
                  if not (p.is_file() and p.name.startswith("__autograph_generated_file") and p.suffix == ".py"))


def test_sigkill_at_any_point_of_an_export_leaves_nothing_half_made(tmp_path, monkeypatch):
    out, markers, scratch = tmp_path / "models", tmp_path / "markers", tmp_path / "tmp"
    for folder in (out, markers, scratch):
        folder.mkdir()
    script = tmp_path / "export_tiny.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "TMPDIR": str(scratch), "TF_CPP_MIN_LOG_LEVEL": "2"}
    # all four at once, on one assignment name: each one's clean-up must spare the others' live folders
    procs = {point: subprocess.Popen([sys.executable, str(script), str(out), point, str(markers)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for point in POINTS}
    try:
        for point, proc in procs.items():
            _wait_for(markers / point, [proc])
        base = out / "toy"
        working = sorted(p.name.split("-")[1] for p in base.glob(".tmp-*"))
        assert working == sorted(f"pid{proc.pid}" for proc in procs.values()), \
            "expected one live working folder per exporter, found one deleted by another's clean-up"
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGKILL)  # no-op for one that already exited
            proc.wait()
            proc.stderr.close()
    assert not (markers / "finished").exists()

    # only the export killed after its rename published a version, and it is complete and verified
    assert sorted(p.name for p in base.iterdir() if not p.name.startswith(".")) == ["1"]
    manifest = json.loads((base / "1" / "manifest.json").read_text())
    assert manifest["version"] == 1 and manifest["signatures"]["serving_default"]["outputs"]["y"]["shape"] == [None, 2]
    assert (base / "1" / "saved_model.pb").is_file()
    # no checker process outlives its killed exporter (it reads the end of its input and exits)
    for point in POINTS:
        checker = int((markers / f"checker-{point}").read_text())
        assert _wait_dead(checker), f"the checker process {checker} of the exporter killed at {point!r} still runs"
    assert _leftovers(scratch) == [], "expected nothing of tf_course left in the temporary folder"

    # the next export, in another process (this one), removes the killed exports' working folders
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(2, name="dense")(inputs))
    signature = Signature(lambda x: {"y": model(x)}, [tf.TensorSpec((None, 3), tf.float32, name="x")],
                          {"x": np.ones((2, 3), np.float32)})
    result = export_and_check("toy", {"serving_default": signature}, [model], out)
    assert result.version == 2
    assert sorted(p.name for p in base.iterdir()) == ["1", "2"]
    assert _leftovers(scratch) == []
