"""Export named signatures as a SavedModel, prove the reloaded export reproduces them, then publish.

The layout is TF Serving's (base path / integer version): ``<out>/<name>/<version>/`` holding the
SavedModel and a ``manifest.json``. :func:`export_and_check` is the only writer:

1. write the SavedModel (one endpoint per :class:`Signature`, each traced once, every variable
   stored once: :mod:`tf_course.export.writer`) into a hidden working folder
   ``<out>/<name>/.tmp-pid<pid>-<random>/model`` beside the version directories (``<pid>``: the
   exporting process);
2. run every signature in memory on its ``sample``, and the written SavedModel in a separate
   ``python -I`` process that cannot import ``tf_course`` (:mod:`tf_course.export.verify`), which
   also describes every signature's inputs and outputs; outputs must agree within ``atol``, and
   the export must be serving-ready: ``saved_model.pb`` and ``variables/``, every signature's
   inputs and outputs named (:func:`~tf_course.export.verify.check_serving_ready`). The files
   the two processes exchange stay in the working folder (``.../io``), not in ``/tmp``;
3. write ``manifest.json`` and only then rename ``model`` to ``<version>`` (atomic), and remove
   the working folder.

So a server never sees a half-written or unverified version. A failed check removes the working
folder; a killed export (SIGKILL, power loss) leaves it, and the next export of that name removes
it, and any other working folder whose process is gone, never one of a live export.

Where an export goes and what run made it are the caller's: ``tf-course run --quick`` passes
``<out>/quick`` as ``out_dir`` (so a smoke test never becomes the newest version a server or
``detect`` picks up), and the entry point describes the run (:func:`recording_run`), which every
manifest of the run records under ``"run"``.

In a multi-worker run (``TF_CONFIG``, :mod:`tf_course.train.distribute`) every worker exports, as
TensorFlow's multi-worker saving rule asks, but only the chief into ``out_dir``: every other worker
exports and verifies into a temporary folder of its own (``tf_course_workertemp_<task id>_*``),
which is removed when the export returns.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as _dt
import errno
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

import tf_course
from tf_course.atomic import write_json_atomic
from tf_course.export import verify
from tf_course.export.writer import write_saved_model
from tf_course.train import distribute

SIGNATURE = "serving_default"
MANIFEST = "manifest.json"
_TMP_PREFIX = ".tmp-"
#: the run that is exporting (set by the entry point with :func:`recording_run`); manifest key "run"
_RUN: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar("tf_course_run", default=None)


@dataclass(frozen=True)
class Signature:
    """One named endpoint of an export, with the sample that proves the export reproduces it.

    Attributes:
        fn: a function of the input tensors, in ``inputs`` order, returning a dict of named output
            tensors (the signature's outputs). It holds the pre- and post-processing serving needs
            (e.g. uint8 images in, probabilities out).
        inputs: one ``tf.TensorSpec`` per argument of ``fn``; their names are the signature's
            input names.
        sample: a small input batch per input name, run through ``fn`` and the reloaded export.
        atol: largest allowed absolute difference between the two, per output.
    """

    fn: Callable[..., Mapping[str, tf.Tensor]]
    inputs: Sequence[tf.TensorSpec]
    sample: Mapping[str, np.ndarray]
    atol: float = 1e-5

    def sample_arrays(self, where: str) -> dict[str, np.ndarray]:
        """The sample as arrays of the specs' dtypes, checked against the specs (ValueError if not)."""
        names = [spec.name for spec in self.inputs]
        if not all(names) or len(set(names)) != len(names):
            raise ValueError(f"{where}: expected one distinct name per input TensorSpec, found {names}")
        if sorted(self.sample) != sorted(names):
            raise ValueError(f"{where}: expected a sample for the inputs {sorted(names)}, found {sorted(self.sample)}")
        arrays = {}
        for spec in self.inputs:
            value = np.asarray(self.sample[spec.name])
            if spec.dtype != tf.string:  # strings stay fixed-width bytes (np.load refuses object arrays)
                value = value.astype(spec.dtype.as_numpy_dtype, copy=False)
            if not spec.shape.is_compatible_with(value.shape):
                raise ValueError(f"{where}: input {spec.name!r}: expected shape {spec.shape}, found {value.shape}")
            arrays[spec.name] = value
        return arrays

    def expected(self, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The in-memory outputs of ``fn`` on ``arrays`` (from :meth:`sample_arrays`)."""
        outputs = self.fn(*[tf.constant(arrays[spec.name], spec.dtype) for spec in self.inputs])
        return {k: np.asarray(v) for k, v in outputs.items()}


@dataclass(frozen=True)
class ExportResult:
    """Where an export landed and what its manifest says."""

    path: Path
    version: int
    manifest: dict[str, Any]


def next_version(base: Path) -> int:
    """One more than the largest integer version directory under ``base`` (1 if none)."""
    versions = [int(p.name) for p in base.glob("*") if p.is_dir() and p.name.isdigit()]
    return max(versions, default=0) + 1


def _quiet_tf_logging() -> None:
    """Silence TensorFlow's "INFO: Assets written to ..." lines (they drown notebook output)."""
    tf.get_logger().setLevel("WARNING")


@contextlib.contextmanager
def recording_run(run: Mapping[str, Any]) -> Iterator[None]:
    """Within the block, every export's manifest records ``run`` under ``"run"``.

    The entry point describes the run once (``{"mode": "quick" | "full", "seed": int, "data_dir":
    str | None, "command": [argv...]}``, see :meth:`tf_course.pipeline.RunContext.run_info`), so
    no pipeline has to pass it along. Outside such a block the manifest's ``"run"`` is ``{}``.
    """
    token = _RUN.set(dict(run))
    try:
        yield
    finally:
        _RUN.reset(token)


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _owner_pid(folder: Path) -> int | None:
    """The pid in a working folder's name ``.tmp-pid<pid>-<random>``; None for another name."""
    parts = folder.name[len(_TMP_PREFIX):].split("-")
    digits = parts[0].removeprefix("pid")
    return int(digits) if len(parts) == 2 and parts[0].startswith("pid") and digits.isdigit() else None


def remove_stale_work(base: Path) -> list[Path]:
    """Remove the working folders under ``base`` that a killed export left, and return them.

    A folder ``.tmp-pid<pid>-<random>`` is stale when no process ``pid`` runs; one of a live process
    (another export of the same name right now) is kept. A ``.tmp-*`` folder of another name (the
    older layout ``.tmp-<version>-<random>``) is stale.
    """
    removed = []
    for folder in sorted(base.glob(f"{_TMP_PREFIX}*")):
        pid = _owner_pid(folder)
        if pid is not None and (pid == os.getpid() or _pid_alive(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _publish(model_dir: Path, base: Path, version: int, pinned: bool, manifest: dict[str, Any]) -> int:
    """Write the manifest into ``model_dir`` and rename it to ``base/<version>``; the version it got.

    A directory is renamed onto an existing one only if that is empty, and a version directory
    never is, so two exports of one name at once cannot replace each other: the later one takes
    the next free version (or, for a ``pinned`` version, fails with FileExistsError).
    """
    while True:
        manifest["version"] = version
        write_json_atomic(model_dir / MANIFEST, manifest)
        final = base / str(version)
        try:
            if final.exists():
                raise FileExistsError(errno.EEXIST, "exists", str(final))
            model_dir.rename(final)
            return version
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            if pinned:
                raise FileExistsError(f"export {manifest['name']}: expected version directory {final} to be "
                                      f"free, found it taken by another export") from None
            version = max(version + 1, next_version(base))


def export_and_check(
    name: str,
    signatures: Mapping[str, Signature],
    track: Sequence[keras.Model | keras.layers.Layer],
    out_dir: str | Path,
    *,
    metrics: dict[str, Any] | None = None,
    data_source: dict[str, str] | None = None,
    manifest_extra: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> ExportResult:
    """Export ``signatures`` to ``out_dir/name/<version>/``, verified in a separate process before publishing.

    Args:
        name: assignment name.
        signatures: ``{signature_name: Signature}``; must contain ``"serving_default"`` (e.g. a
            detector adds ``"serve_float"`` beside its encoded-image ``serving_default``).
        track: the Keras models / layers the signatures' functions use (their lookup tables are saved;
            the variables the functions use are saved whatever ``track`` holds).
        out_dir: the export root, usually ``saved_models/``.
        metrics: recorded in the manifest.
        data_source: recorded in the manifest (``{"cat": "course"}``).
            The manifest's ``"run"`` is the run :func:`recording_run` describes (``{}`` outside one).
        manifest_extra: more manifest entries a client needs (e.g. ``{"detector": {...}}``); they
            may not replace the standard keys.
        version: the version number; the next free one when None (if another export of the same
            name publishes that one first, the one after).

    Returns:
        An :class:`ExportResult`; ``manifest["signatures"]`` describes every signature's inputs and
        outputs (dtype, shape) as the reloaded export reports them.

    Raises:
        ValueError: no ``serving_default``, unnamed inputs, a sample that does not fit its specs,
            or ``manifest_extra`` clashing with a standard key.
        FileExistsError: ``version`` already exists.
        ExportMismatch: the reloaded export's outputs differ from the in-memory ones.
        NotServingReady: an output with a positional name (``output_0``) or no output.

    A non-chief worker of a multi-worker ``TF_CONFIG`` exports into a temporary folder that is
    removed before this returns (the returned ``path`` no longer exists); only the chief publishes.
    """
    kwargs = {"metrics": metrics, "data_source": data_source, "manifest_extra": manifest_extra, "version": version}
    if distribute.is_chief():
        return _export_and_check(name, signatures, track, out_dir, **kwargs)
    with tempfile.TemporaryDirectory(prefix=f"tf_course_{distribute.worker_temp_name()}_") as temporary:
        return _export_and_check(name, signatures, track, temporary, **kwargs)


def _export_and_check(
    name: str,
    signatures: Mapping[str, Signature],
    track: Sequence[keras.Model | keras.layers.Layer],
    out_dir: str | Path,
    *,
    metrics: dict[str, Any] | None = None,
    data_source: dict[str, str] | None = None,
    manifest_extra: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> ExportResult:
    """:func:`export_and_check` into ``out_dir``."""
    where = f"export {name}"
    if SIGNATURE not in signatures:
        raise ValueError(f"{where}: expected a {SIGNATURE!r} signature, found {sorted(signatures)}")
    samples = {sig: signature.sample_arrays(f"{where} [{sig}]") for sig, signature in signatures.items()}
    standard = {"name", "version", "created", "signatures", "tensorflow", "keras", "tf_course", "metrics",
                "data_source", "run"}
    clash = sorted(standard & set(manifest_extra or {}))
    if clash:
        raise ValueError(f"{where}: manifest_extra may not replace standard manifest keys {clash}")

    base = Path(out_dir) / name
    base.mkdir(parents=True, exist_ok=True)
    remove_stale_work(base)  # left by killed exports; never a live export's
    pinned = version is not None
    version = next_version(base) if version is None else int(version)
    final = base / str(version)
    if final.exists():
        raise FileExistsError(f"{where}: version directory {final} already exists")
    work = base / f"{_TMP_PREFIX}pid{os.getpid()}-{uuid.uuid4().hex[:8]}"
    model_dir, exchange = work / "model", work / "io"
    try:
        exchange.mkdir(parents=True)
        _quiet_tf_logging()
        write_saved_model(model_dir, {sig: (signature.fn, signature.inputs) for sig, signature in signatures.items()},
                          track)
        expected = {sig: signature.expected(samples[sig]) for sig, signature in signatures.items()}
        verify.check_serving_layout(model_dir, versioned=False)  # the version folder's name is ours
        outputs, description = verify.run_signatures(model_dir, samples, work_dir=exchange)
        verify.check_signature_names(description, f"{where} v{version}")
        for sig, signature in signatures.items():
            verify.compare_outputs(f"{where} v{version} [{sig}]", outputs[sig], expected[sig], signature.atol)
        manifest = {
            "name": name,
            "version": version,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "signatures": description,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "tf_course": tf_course.__version__,
            "metrics": metrics or {},
            "data_source": data_source or {},
            "run": dict(_RUN.get() or {}),
            **(manifest_extra or {}),
        }
        version = _publish(model_dir, base, version, pinned, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # after a publish: only the exchange files
    return ExportResult(path=base / str(version), version=version, manifest=manifest)
