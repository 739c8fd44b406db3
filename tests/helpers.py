"""Round-trip assertions shared by the tests (``from tests.helpers import ...``).

- :func:`assert_keras_round_trip`: a Keras layer or model survives ``get_config``/``from_config``
  and a ``.keras`` save/load with the same outputs.
- :func:`assert_served_export`: an exported SavedModel, reloaded in a separate process that cannot
  import ``tf_course`` (the checker of :mod:`tf_course.export.verify`), gives the expected outputs
  per signature.
- :func:`quick_run`: ``tf-course run NAME --quick --seed 0`` on the stand-ins, cached per worker, shared
  by ``tests/test_whole_course.py`` and topic tests marked :func:`whole_course_group` (CI pays it once).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from tf_course import cli
from tf_course.data.course_files import ENV_VAR
from tf_course.export.verify import compare_outputs, run_signatures

Arrays = Mapping[str, np.ndarray]


def _flat(outputs: Any) -> list[np.ndarray]:
    return [np.asarray(x) for x in keras.tree.flatten(outputs)]


def _assert_same_outputs(what: str, got: Any, want: Any) -> None:
    got, want = _flat(got), _flat(want)
    assert len(got) == len(want), f"{what}: expected {len(want)} outputs, found {len(got)}"
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_array_equal(g, w, err_msg=f"{what}: output {i}")


def _as_model(layer: keras.layers.Layer, inputs: Any) -> keras.Model:
    """A functional model around ``layer`` with one ``keras.Input`` per input array (batch dim free)."""
    symbolic = keras.tree.map_structure(
        lambda x: keras.Input(shape=np.shape(x)[1:], dtype=str(np.asarray(x).dtype)), inputs)
    return keras.Model(symbolic, layer(symbolic))


def assert_keras_round_trip(layer_or_model: keras.layers.Layer, inputs: Any, tmp_path: Path) -> keras.Model:
    """``layer_or_model`` rebuilt from its config, and saved to / loaded from ``.keras``, gives the same outputs.

    Args:
        layer_or_model: a built or unbuilt layer, or a model (custom classes must be registered
            serializable).
        inputs: an array, or a list / dict of arrays, with a batch axis; what the object is called on.
        tmp_path: where the ``.keras`` file goes.

    Returns:
        The model loaded from the ``.keras`` file (a layer is wrapped in a functional model).
    """
    expected = layer_or_model(inputs)
    clone = type(layer_or_model).from_config(layer_or_model.get_config())
    clone(inputs)  # builds the clone's weights
    clone.set_weights(layer_or_model.get_weights())
    assert clone.get_config() == layer_or_model.get_config(), "get_config/from_config: the configs differ"
    _assert_same_outputs("get_config/from_config", clone(inputs), expected)

    model = layer_or_model if isinstance(layer_or_model, keras.Model) else _as_model(layer_or_model, inputs)
    path = Path(tmp_path) / "round_trip.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe mode: a Lambda layer would be refused here
    _assert_same_outputs(".keras save/load", loaded(inputs), expected)
    return loaded


def assert_served_export(
    export_dir: str | Path,
    checks: Mapping[str, tuple[Arrays, Arrays]],
    atol: float = 1e-5,
) -> dict[str, dict[str, np.ndarray]]:
    """Each signature of ``export_dir``, run in a process without ``tf_course``, gives ``expected``.

    Args:
        export_dir: a SavedModel directory (``<out>/<name>/<version>``).
        checks: ``{signature: (inputs, expected)}``: named input arrays and the named outputs they
            must give (same shape, within ``atol``).

    Returns:
        ``{signature: {output_name: array}}``, the served outputs, for further assertions.
    """
    outputs, _ = run_signatures(export_dir, {signature: inputs for signature, (inputs, _) in checks.items()})
    for signature, (_, expected) in checks.items():
        compare_outputs(f"{export_dir} [{signature}]", outputs[signature], expected, atol)
    return outputs


_HIDE_SKLEARN = (
    "import importlib.abc, sys\n"
    "class Hide(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] == 'sklearn':\n"
    "            raise ModuleNotFoundError(name)\n"
    "sys.meta_path.insert(0, Hide())\n"
)


def run_without_sklearn(code: str) -> str:
    """Run ``code`` in a fresh Python where ``import sklearn`` fails (as after ``pip install .`` without
    the test extra); assert it exits 0 and return its stdout."""
    done = subprocess.run([sys.executable, "-c", _HIDE_SKLEARN + code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- localhost clusters of worker processes (MultiWorkerMirroredStrategy from TF_CONFIG) --------------------------

#: a hang guard for a cluster (a collective waiting for a dead peer); a quiet 2-core machine needs about 60 s
CLUSTER_TIMEOUT_S = 600


def free_ports(n: int) -> list[int]:
    """``n`` distinct localhost ports nobody listens on now (bound, read, released together)."""
    import socket

    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def localhost_cluster(n: int) -> list[dict[str, Any]]:
    """The ``TF_CONFIG`` of each of ``n`` workers of one cluster on free localhost ports (worker 0 is chief)."""
    cluster = {"worker": [f"localhost:{port}" for port in free_ports(n)]}
    return [{"cluster": cluster, "task": {"type": "worker", "index": i}} for i in range(n)]


def start_worker(script: str, out: Path, tf_config: Mapping[str, Any] | None, *args: str) -> subprocess.Popen:
    """``python -c script out *args`` in the repository root with ``tf_config`` as ``TF_CONFIG`` (None:
    unset), one OpenMP thread, no GPU; ``out`` is created. stdout and stderr together in ``.stdout``."""
    import json
    import os

    out.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1", OMP_NUM_THREADS="1")
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    return subprocess.Popen([sys.executable, "-c", script, str(out), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=Path(__file__).resolve().parents[1])


def finish_workers(processes: Mapping[str, subprocess.Popen], timeout_s: float = CLUSTER_TIMEOUT_S) -> dict[str, str]:
    """Wait for all (killing every one left at the deadline, then failing); assert each exited 0.

    Returns:
        ``{name: its output}``.
    """
    import time

    import pytest

    deadline, logs = time.monotonic() + timeout_s, {}
    try:
        for name, process in processes.items():
            logs[name] = process.communicate(timeout=max(1.0, deadline - time.monotonic()))[0]
    except subprocess.TimeoutExpired:
        for process in processes.values():
            process.kill()
        pytest.fail(f"multi-worker training did not finish within {timeout_s} s: "
                    + "; ".join(f"{n}: {p.communicate()[0][-1500:]}" for n, p in processes.items()))
    for name, process in processes.items():
        assert process.returncode == 0, f"{name} exited {process.returncode}:\n{logs[name][-4000:]}"
    return logs


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _quick_run(name: str, out: Path) -> dict[str, Any]:
    """``tf-course run NAME --quick --seed 0 --out OUT``; the report's entry for NAME."""
    assert cli.main(["run", name, "--quick", "--quiet", "--seed", "0", "--out", str(out)]) == 0
    (entry,) = json.loads((out / "report.json").read_text())["results"]
    assert entry["name"] == name and entry["status"] == "ok"
    entry["out"] = str(out)
    return entry


_RUNS: dict[tuple[str, int], dict[str, Any]] = {}  # (name, run) -> report entry, cached per xdist worker


def whole_course_group(name: str) -> pytest.MarkDecorator:
    """The xdist group of ``name``'s quick runs: every test that uses them (both runs of the whole-course
    module, a topic test sharing run 1) on one worker, which then runs each once."""
    return pytest.mark.xdist_group(f"whole_course_{name}")


def quick_run(name: str, k: int, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The report entry of quick run ``k`` (1 or 2) of ``name`` with seed 0 on the stand-ins (cached)."""
    if (name, k) not in _RUNS:
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv(ENV_VAR, raising=False)  # CI sets the course folder: these runs use the stand-ins
            cpu = _cpu_seconds()
            entry = _quick_run(name, tmp_path_factory.mktemp(f"{name}_run{k}"))
            entry["cpu_seconds"] = _cpu_seconds() - cpu
        print(f"\n{name}: quick run {k}: {entry['cpu_seconds']:.1f} CPU-s")
        _RUNS[name, k] = entry
    return _RUNS[name, k]
