"""Export named signatures as a SavedModel, prove the reloaded export reproduces them, then publish.

The layout is TF Serving's (base path / integer version): ``<out>/<name>/<version>/`` holding the
SavedModel and a ``manifest.json``. :func:`export_and_check` is the only writer:

1. write the SavedModel (one endpoint per :class:`Signature`) into a hidden temporary directory
   ``<out>/<name>/.tmp-<version>-<random>`` beside the version directories;
2. run every signature in memory on its ``sample``, and the written SavedModel in a separate
   ``python -I`` process that cannot import ``tf_course`` (:mod:`tf_course.export.verify`), which
   also describes every signature's inputs and outputs; outputs must agree within ``atol``;
3. write ``manifest.json`` and only then rename the temporary directory to ``<version>``.

So a server never sees a half-written or unverified version: a failed check or an interrupted
export leaves no version directory and no temporary directory.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

import tf_course
from tf_course.atomic import write_json_atomic
from tf_course.export import verify

SIGNATURE = "serving_default"
MANIFEST = "manifest.json"
_TMP_PREFIX = ".tmp-"


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
        track: the Keras models / layers whose variables the signatures' functions use.
        out_dir: the export root, usually ``saved_models/``.
        metrics: recorded in the manifest.
        data_source: recorded in the manifest (``{"cat": "course"}``).
        manifest_extra: more manifest entries a client needs (e.g. ``{"detector": {...}}``); they
            may not replace the standard keys.
        version: the version number; the next free one when None.

    Returns:
        An :class:`ExportResult`; ``manifest["signatures"]`` describes every signature's inputs and
        outputs (dtype, shape) as the reloaded export reports them.

    Raises:
        ValueError: no ``serving_default``, unnamed inputs, a sample that does not fit its specs,
            or ``manifest_extra`` clashing with a standard key.
        FileExistsError: ``version`` already exists.
        ExportMismatch: the reloaded export's outputs differ from the in-memory ones.
    """
    where = f"export {name}"
    if SIGNATURE not in signatures:
        raise ValueError(f"{where}: expected a {SIGNATURE!r} signature, found {sorted(signatures)}")
    samples = {sig: signature.sample_arrays(f"{where} [{sig}]") for sig, signature in signatures.items()}
    standard = {"name", "version", "created", "signatures", "tensorflow", "keras", "tf_course", "metrics",
                "data_source"}
    clash = sorted(standard & set(manifest_extra or {}))
    if clash:
        raise ValueError(f"{where}: manifest_extra may not replace standard manifest keys {clash}")

    base = Path(out_dir) / name
    base.mkdir(parents=True, exist_ok=True)
    for stale in base.glob(f"{_TMP_PREFIX}*"):  # left by an interrupted export
        shutil.rmtree(stale, ignore_errors=True)
    version = next_version(base) if version is None else int(version)
    final = base / str(version)
    if final.exists():
        raise FileExistsError(f"{where}: version directory {final} already exists")
    tmp = base / f"{_TMP_PREFIX}{version}-{uuid.uuid4().hex[:8]}"
    try:
        archive = keras.export.ExportArchive()
        for obj in track:
            archive.track(obj)
        for sig, signature in signatures.items():
            archive.add_endpoint(name=sig, fn=signature.fn, input_signature=list(signature.inputs))
        _quiet_tf_logging()
        archive.write_out(str(tmp), verbose=False)
        expected = {sig: signature.expected(samples[sig]) for sig, signature in signatures.items()}
        outputs, description = verify.run_signatures(tmp, samples)
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
            **(manifest_extra or {}),
        }
        write_json_atomic(tmp / MANIFEST, manifest)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportResult(path=final, version=version, manifest=manifest)
