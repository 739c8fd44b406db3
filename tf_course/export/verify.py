"""Reload an export in a separate Python process that cannot import ``tf_course`` and compare.

This is what a serving engineer does: plain TensorFlow, no project code. The checker is a child
process (``python -I``, ``import tf_course`` blocked) that loads each requested SavedModel, runs
the requested signatures on the given inputs, and hands back their outputs (``.npz`` files in a
temporary directory that is always removed) and a description of every signature's inputs and
outputs (dtype, shape), which becomes the export's manifest entry ``signatures``.

TensorFlow's start-up (seconds) is paid once per run, not once per export: the checker is started
on the first request, or earlier with :func:`start_checker` (``tf-course run`` starts it before its
first pipeline, so that its TensorFlow import overlaps the run's own work), reused by later
requests (each loads its SavedModel afresh and drops it after), and shut down when this process
exits. If it dies, it is restarted once for the request. The child's first line says it is ready
and how long its TensorFlow import took; :func:`checker_startup` sums that and the time requests
were blocked waiting for it, which the run report shows as a line of its own.

Serving readiness (:func:`check_serving_ready`): TF Serving's layout ``<base>/<name>/<integer
version>/`` with ``saved_model.pb`` and ``variables/`` (:func:`check_serving_layout`), and every
signature's inputs and outputs named, as ``saved_model_cli show --all`` lists them, never the
positional names TensorFlow makes up (``output_0``, ``args_0``; :func:`check_signature_names`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

# The checker: one JSON request per line on stdin, one JSON reply per line on the original stdout
# (fd 1 is pointed at stderr so that nothing TensorFlow prints can corrupt the replies).
_CHILD = r"""
import time
started = time.monotonic()
import gc
import json
import os
import sys
import traceback
sys.modules["tf_course"] = None  # any `import tf_course` now raises ImportError
replies = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr
import numpy as np
import tensorflow as tf

def tf_course_blocked():
    try:
        import tf_course  # noqa: F401
    except ImportError:
        return True
    return False

if not tf_course_blocked():
    raise SystemExit("tf_course is importable in the verification process")

def spec_json(spec):
    return {"dtype": spec.dtype.name, "shape": None if spec.shape.rank is None else
            [None if d is None else int(d) for d in spec.shape.as_list()]}

def check(export_dir, signatures, folder):
    loaded = tf.saved_model.load(export_dir)
    description = {}
    for name in sorted(loaded.signatures):
        fn = loaded.signatures[name]
        _, inputs = fn.structured_input_signature
        description[name] = {"inputs": {k: spec_json(v) for k, v in sorted(inputs.items())},
                             "outputs": {k: spec_json(v) for k, v in sorted(fn.structured_outputs.items())}}
    with open(os.path.join(folder, "description.json"), "w") as handle:
        json.dump(description, handle)
    for i, signature in enumerate(signatures):
        if signature not in loaded.signatures:
            raise ValueError(f"expected signature {signature!r}, found {sorted(loaded.signatures)}")
        with np.load(os.path.join(folder, f"inputs{i}.npz")) as arrays:
            inputs = {k: tf.constant(arrays[k]) for k in arrays.files}
        outputs = loaded.signatures[signature](**inputs)
        arrays = {k: np.asarray(v.numpy()) for k, v in outputs.items()}  # a scalar string is bytes, not an array
        arrays = {k: a.astype(bytes) if a.dtype == object else a for k, a in arrays.items()}  # strings: not pickled
        np.savez(os.path.join(folder, f"outputs{i}.npz"), **arrays)

# the first line says the checker is ready: TensorFlow imported, in this many seconds (wall, CPU)
replies.write(json.dumps({"ready": True, "pid": os.getpid(), "startup_seconds": time.monotonic() - started,
                          "startup_cpu_seconds": time.process_time()}) + "\n")
replies.flush()
for line in sys.stdin:
    request = json.loads(line)
    try:
        if request.get("probe"):
            reply = {"ok": True, "isolated": sys.flags.isolated, "tf_course_blocked": tf_course_blocked(),
                     "pid": os.getpid()}
        else:
            check(request["export_dir"], request["signatures"], request["folder"])
            reply = {"ok": True}
    except Exception:
        reply = {"ok": False, "error": traceback.format_exc()[-4000:]}
    gc.collect()  # drop the loaded SavedModel before the next request
    replies.write(json.dumps(reply) + "\n")
    replies.flush()
"""

Arrays = Mapping[str, np.ndarray]


class ExportMismatch(AssertionError):
    """The reloaded export's outputs differ from the in-memory model's."""


class NotServingReady(AssertionError):
    """An export that TF Serving cannot serve as documented: another layout, or unnamed inputs/outputs."""


class CheckerDied(RuntimeError):
    """The checker process exited before answering a request."""


class Checker:
    """One ``python -I`` child without ``tf_course``, answering load-and-run requests until closed."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # read back only when something fails
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, env=env,
            start_new_session=True,  # Ctrl-C stops the parent's export, not the checker mid-reply
        )
        self._stdin: IO[bytes] = self.process.stdin  # type: ignore[assignment]  # PIPE: never None
        self._stdout: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        self._buffer = b""
        #: the child's first line once read: ``{"ready": True, "pid", "startup_seconds",
        #: "startup_cpu_seconds"}`` (its TensorFlow import); None before
        self.ready: dict[str, Any] | None = None
        #: seconds requests spent blocked waiting for that line (the start-up not overlapped with other work)
        self.waited_seconds = 0.0

    @property
    def alive(self) -> bool:
        """Whether the child process is still running."""
        return self.process.poll() is None

    def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait up to ``timeout`` seconds for its reply.

        Raises:
            CheckerDied: the child exited. RuntimeError: it did not answer in time (it is then killed).
        """
        deadline = time.monotonic() + timeout
        try:
            self._await_ready(deadline, timeout)
        except BaseException:  # Ctrl-C or a start-up past the deadline: not reused half-started
            self.close(kill=True)
            raise
        try:
            self._stdin.write((json.dumps(message) + "\n").encode())
            self._stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise CheckerDied(f"the checker process exited before the request:{self.stderr_tail()}") from exc
        try:
            return self._reply(deadline, timeout)
        except BaseException:  # Ctrl-C or a timeout mid-request: its late reply would answer the next one
            self.close(kill=True)
            raise

    def _await_ready(self, deadline: float, timeout: float) -> None:
        """Read the child's first line (TensorFlow imported) unless already read; the time blocked
        here is added to :attr:`waited_seconds`."""
        if self.ready is not None:
            return
        blocked = time.monotonic()
        try:
            hello = self._reply(deadline, timeout)
        finally:
            self.waited_seconds += time.monotonic() - blocked
        if not hello.get("ready"):
            raise RuntimeError(f"the checker process: expected its ready line first, found {hello}")
        self.ready = hello

    def _reply(self, deadline: float, timeout: float) -> dict[str, Any]:
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:  # a slow export, not a dead checker: no second try
                raise RuntimeError(f"the checker process did not answer within {timeout:.0f} s:{self.stderr_tail()}")
            ready, _, _ = select.select([self._stdout], [], [], remaining)
            if ready:
                chunk = os.read(self._stdout.fileno(), 1 << 16)
                if not chunk:
                    self.process.wait()
                    raise CheckerDied(f"the checker process exited (code {self.process.returncode}):"
                                      f"{self.stderr_tail()}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def stderr_tail(self, chars: int = 4000) -> str:
        """The end of what the child wrote to stderr, on a new line ("" if nothing)."""
        try:
            self._stderr.seek(0)
            text = self._stderr.read().decode(errors="replace")[-chars:]
        except (OSError, ValueError):  # already closed
            return ""
        return f"\n{text}" if text else ""

    def close(self, kill: bool = False) -> None:
        """Stop the child: end of input (it exits after its current request), or kill it."""
        if self.alive:
            try:
                if kill:
                    self.process.kill()
                else:
                    self._stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for stream in (self._stdin, self._stdout):
            stream.close()
        self._stderr.close()


_checker: Checker | None = None
_lock = threading.Lock()
#: start-up figures of the checkers this process started and then closed (:func:`checker_startup`)
_closed: list[tuple[dict[str, Any] | None, float]] = []


def _shutdown() -> None:
    global _checker
    if _checker is not None:
        _closed.append((_checker.ready, _checker.waited_seconds))
        _checker.close()
        _checker = None


atexit.register(_shutdown)


def _current_checker() -> Checker:
    global _checker
    if _checker is None or not _checker.alive:
        _shutdown()  # a dead one's pipes and stderr file
        _checker = Checker()
    return _checker


def start_checker() -> None:
    """Start the shared checker process now, without waiting for it (its TensorFlow import then
    overlaps whatever this process does next: ``tf-course run`` calls it before the first pipeline).

    A no-op when one is running. The first request waits for it to be ready; how long it waited
    and how long its start-up took: :func:`checker_startup`.
    """
    with _lock:
        _current_checker()


def checker_startup() -> dict[str, Any]:
    """What the checker processes of this process cost to start, for a run's report.

    Returns:
        ``{"started": n, "used": u, "startup_seconds": s, "startup_cpu_seconds": c, "waited_seconds": w}``:
        ``n`` checker processes started, ``u`` of them asked something, ``s`` / ``c`` the wall / CPU
        seconds the TensorFlow imports of those ``u`` took, ``w`` the seconds requests were blocked
        waiting for them (the part of the start-up that no other work overlapped).
    """
    with _lock:
        states = [*_closed, *([(_checker.ready, _checker.waited_seconds)] if _checker is not None else [])]
    ready = [hello for hello, _ in states if hello is not None]
    return {"started": len(states), "used": len(ready),
            "startup_seconds": round(sum(h["startup_seconds"] for h in ready), 3),
            "startup_cpu_seconds": round(sum(h["startup_cpu_seconds"] for h in ready), 3),
            "waited_seconds": round(sum(waited for _, waited in states), 3)}


def checker_waited_seconds() -> float:
    """Seconds requests of this process have been blocked waiting for a checker's start-up, so far."""
    return checker_startup()["waited_seconds"]


def _ask(message: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Send ``message`` to the shared checker (started on first use; restarted once if it died)."""
    with _lock:
        try:
            return _current_checker().request(message, timeout)
        except CheckerDied:
            _shutdown()  # the dead one's pipes and stderr file
            return _current_checker().request(message, timeout)


def checker_probe(timeout: float = 300.0) -> dict[str, Any]:
    """What the checker process reports about itself: ``pid``, ``isolated`` (``python -I``) and
    ``tf_course_blocked``; starts it if needed."""
    return _ask({"probe": True}, timeout)


def run_signatures(
    export_dir: str | Path,
    inputs: Mapping[str, Arrays],
    timeout: float = 300.0,
    work_dir: str | Path | None = None,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, dict[str, Any]]]:
    """Run signatures of the SavedModel ``export_dir`` in the checker process (no ``tf_course`` there).

    Args:
        export_dir: a SavedModel directory.
        inputs: ``{signature: {input_name: array}}``; every signature listed is run once.
        timeout: seconds the checker may take for this request (start-up included).
        work_dir: an existing, empty folder for the files the two processes exchange (the caller
            removes it; :func:`~tf_course.export.saved_model.export_and_check` passes one inside
            its working folder, so a killed export leaves nothing in the system's temporary
            folder); None: a ``tf_course_verify_*`` folder there, always removed.

    Returns:
        ``({signature: {output_name: array}}, description)`` where ``description`` is
        ``{signature: {"inputs": {name: {"dtype", "shape"}}, "outputs": {...}}}`` for every
        signature of the export (shape: a list with None for unknown dimensions).

    Raises:
        RuntimeError: the export could not be loaded or run (the checker's traceback is
            included), or the checker process died twice.
    """
    signatures = list(inputs)
    temporary = tempfile.TemporaryDirectory(prefix="tf_course_verify_") if work_dir is None else None
    with temporary or contextlib.nullcontext():
        folder = Path(temporary.name if temporary is not None else work_dir)  # type: ignore[arg-type]
        for i, signature in enumerate(signatures):
            np.savez(folder / f"inputs{i}.npz", **inputs[signature])
        request = {"export_dir": str(Path(export_dir).resolve()), "signatures": signatures, "folder": str(folder)}
        try:
            reply = _ask(request, timeout)
        except CheckerDied as exc:
            raise RuntimeError(f"reloading {export_dir} in the checker process failed: {exc}") from None
        if not reply["ok"]:
            raise RuntimeError(f"reloading {export_dir} in the checker process failed:\n{reply['error']}")
        outputs = {}
        for i, signature in enumerate(signatures):
            with np.load(folder / f"outputs{i}.npz") as got:
                outputs[signature] = {k: got[k] for k in got.files}
        description = json.loads((folder / "description.json").read_text())
    return outputs, description


def compare_outputs(where: str, outputs: Arrays, expected: Arrays, atol: float) -> dict[str, float]:
    """``{output_name: max_abs_diff}`` of ``outputs`` against ``expected``.

    Raises:
        ExportMismatch: an output is missing, has another shape, or differs by more than ``atol``.
    """
    diffs: dict[str, float] = {}
    for key, want in expected.items():
        if key not in outputs:
            raise ExportMismatch(f"{where}: expected output {key!r}, found {sorted(outputs)}")
        have, want = np.asarray(outputs[key]), np.asarray(want)
        if have.shape != want.shape:
            raise ExportMismatch(f"{where}: output {key!r}: expected shape {want.shape}, found {have.shape}")
        if have.dtype.kind in "SUO" or want.dtype.kind in "SUO":  # strings: equal or not
            diffs[key] = 0.0 if np.array_equal(have, want) else float("inf")
        else:
            diffs[key] = float(np.max(np.abs(have.astype(np.float64) - want.astype(np.float64)), initial=0.0))
        if not diffs[key] <= atol:  # NaN differs too
            raise ExportMismatch(f"{where}: output {key!r} differs by {diffs[key]:.3g} (> {atol})")
    return diffs


def verify_signatures(
    export_dir: str | Path,
    checks: Mapping[str, tuple[Arrays, Arrays]],
    atol: float | Mapping[str, float] = 1e-5,
    timeout: float = 300.0,
) -> dict[str, dict[str, float]]:
    """Run each signature of ``export_dir`` in the checker process and compare to the expected outputs.

    Args:
        export_dir: a SavedModel directory (``saved_models/<name>/<version>``).
        checks: ``{signature: (inputs, expected)}``: named input arrays, as the signature names
            them, and the named outputs the in-memory model gives for them.
        atol: largest allowed absolute difference per output; one for all signatures or
            ``{signature: atol}``.

    Returns:
        ``{signature: {output_name: max_abs_diff}}``.

    Raises:
        ExportMismatch: an output is missing, has another shape, or differs by more than atol.
        RuntimeError: the export could not be loaded or run (e.g. an unknown signature).
    """
    outputs, _ = run_signatures(export_dir, {s: inputs for s, (inputs, _) in checks.items()}, timeout)
    return {
        signature: compare_outputs(f"{export_dir} [{signature}]", outputs[signature], expected,
                                   atol[signature] if isinstance(atol, Mapping) else atol)
        for signature, (_, expected) in checks.items()
    }


#: the names TensorFlow gives an unnamed signature input (``args_0``) or output (``output_0``)
POSITIONAL_NAME = re.compile(r"^(output|outputs|args|input|inputs)_\d+$")


def check_signature_names(description: Mapping[str, Mapping[str, Any]], where: str) -> None:
    """Every signature in ``description`` (``{signature: {"inputs": {name: ...}, "outputs": {...}}}``,
    as :func:`run_signatures` returns it) has at least one input and one output, all named.

    Raises:
        NotServingReady: a signature without inputs or outputs, or with a positional name
            (:data:`POSITIONAL_NAME`: ``output_0``, ``args_0``...), which a client cannot rely on.
    """
    problems = []
    for signature, entry in sorted(description.items()):
        for kind in ("inputs", "outputs"):
            names = sorted(entry.get(kind, {}))
            positional = [n for n in names if POSITIONAL_NAME.match(n)]
            if not names:
                problems.append(f"[{signature}] no {kind}")
            elif positional:
                problems.append(f"[{signature}] {kind} {positional}")
    if not description:
        problems.append("no signature at all")
    if problems:
        raise NotServingReady(f"{where}: expected named inputs and outputs in every signature, found "
                              + "; ".join(problems))


def check_serving_layout(export_dir: str | Path, versioned: bool = True) -> None:
    """``export_dir`` is a SavedModel in TF Serving's layout: ``saved_model.pb`` and ``variables/``
    (``variables.index`` beside any ``variables.data-*``), and, when ``versioned``, its folder name
    an integer version (so its parent is the model base path ``<out>/<name>`` a server is given).

    Raises:
        NotServingReady: one line, "expected ..., found ..." and the path.
    """
    export_dir = Path(export_dir)
    if versioned and not export_dir.name.isdigit():
        raise NotServingReady(f"{export_dir}: expected an integer version folder <out>/<name>/<version>, "
                              f"found the folder name {export_dir.name!r}")
    if not (export_dir / "saved_model.pb").is_file():
        found = sorted(p.name for p in export_dir.iterdir()) if export_dir.is_dir() else "no such folder"
        raise NotServingReady(f"{export_dir}: expected a SavedModel (saved_model.pb), found {found}")
    variables = export_dir / "variables"
    if not variables.is_dir():
        raise NotServingReady(f"{export_dir}: expected a variables/ folder beside saved_model.pb, found none")
    if any(variables.glob("variables.data-*")) and not (variables / "variables.index").is_file():
        raise NotServingReady(f"{variables}: expected variables.index beside the variables.data-* files, found none")


def check_serving_ready(export_dir: str | Path, timeout: float = 300.0) -> dict[str, dict[str, Any]]:
    """:func:`check_serving_layout` of the published version folder ``export_dir``, then load it in the
    checker process (no ``tf_course``) and :func:`check_signature_names` of every signature.

    Returns:
        The description of every signature (see :func:`run_signatures`).

    Raises:
        NotServingReady: see the two checks. RuntimeError: the export could not be loaded.
    """
    check_serving_layout(export_dir)
    _, description = run_signatures(export_dir, {}, timeout)
    check_signature_names(description, str(export_dir))
    return description
