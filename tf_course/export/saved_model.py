"""Write ``<out>/<name>/<version>/`` SavedModels atomically, with a ``manifest.json``.

The layout is TF Serving's (base path / integer version). The export is written to a hidden
temporary directory beside the version directory and renamed into place only when complete,
so an interrupted export never leaves a half-written version for a server to pick up.
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
import tensorflow as tf

import tf_course
from tf_course.atomic import write_json_atomic

SIGNATURE = "serving_default"
MANIFEST = "manifest.json"
_TMP_PREFIX = ".tmp-"


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


def _spec_json(spec: tf.TensorSpec) -> dict[str, Any]:
    return {"dtype": spec.dtype.name, "shape": [None if d is None else int(d) for d in spec.shape]}


def describe_signatures(saved_model_dir: Path) -> dict[str, dict[str, Any]]:
    """Inputs and outputs (dtype, shape) of every signature of a SavedModel on disk (loaded once)."""
    loaded = tf.saved_model.load(str(saved_model_dir))
    described = {}
    for name, fn in loaded.signatures.items():
        _, inputs = fn.structured_input_signature
        described[name] = {
            "inputs": {k: _spec_json(v) for k, v in sorted(inputs.items())},
            "outputs": {k: _spec_json(v) for k, v in sorted(fn.structured_outputs.items())},
        }
    return described


def export_serving(
    name: str,
    serve: Callable[..., dict[str, tf.Tensor]],
    input_signature: Sequence[tf.TensorSpec],
    track: Sequence[keras.Model | keras.layers.Layer],
    out_dir: str | Path,
    *,
    metrics: dict[str, Any] | None = None,
    data_source: dict[str, str] | None = None,
    version: int | None = None,
    extra_signatures: Mapping[str, tuple[Callable[..., dict[str, tf.Tensor]], Sequence[tf.TensorSpec]]] | None = None,
    manifest_extra: Mapping[str, Any] | None = None,
) -> ExportResult:
    """Export ``serve`` as the ``serving_default`` signature of a SavedModel.

    Args:
        name: assignment name; the export goes to ``out_dir/name/<version>/``.
        serve: a Python function of the input tensors returning a dict of named output tensors
            (the signature's outputs). It should contain the pre- and post-processing serving
            needs (e.g. uint8 images in).
        input_signature: one named ``tf.TensorSpec`` per argument of ``serve``; the names are
            the signature's input names.
        track: the Keras models / layers whose variables ``serve`` uses.
        out_dir: the export root, usually ``saved_models/``.
        metrics: recorded in the manifest.
        data_source: recorded in the manifest (``{"cat": "course"}``).
        version: the version number; the next free one when None.
        extra_signatures: more signatures beside ``serving_default``: ``{name: (fn, input_signature)}``
            (e.g. a detector's float-image signature beside its encoded-image one).
        manifest_extra: more manifest entries a client needs (e.g. ``{"class_names": [...]}``); they
            may not replace the standard keys.

    Returns:
        An :class:`ExportResult`. Raises ``FileExistsError`` if ``version`` already exists.
    """
    base = Path(out_dir) / name
    base.mkdir(parents=True, exist_ok=True)
    for stale in base.glob(f"{_TMP_PREFIX}*"):  # left by an interrupted export
        shutil.rmtree(stale, ignore_errors=True)
    version = next_version(base) if version is None else int(version)
    final = base / str(version)
    if final.exists():
        raise FileExistsError(f"export {name}: version directory {final} already exists")
    tmp = base / f"{_TMP_PREFIX}{version}-{uuid.uuid4().hex[:8]}"
    try:
        archive = keras.export.ExportArchive()
        for obj in track:
            archive.track(obj)
        endpoints = {SIGNATURE: (serve, input_signature), **(extra_signatures or {})}
        for endpoint, (fn, spec) in endpoints.items():
            archive.add_endpoint(name=endpoint, fn=fn, input_signature=list(spec))
        _quiet_tf_logging()
        archive.write_out(str(tmp), verbose=False)
        manifest = {
            "name": name,
            "version": version,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "signatures": describe_signatures(tmp),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "tf_course": tf_course.__version__,
            "metrics": metrics or {},
            "data_source": data_source or {},
        }
        clash = sorted(set(manifest) & set(manifest_extra or {}))
        if clash:
            raise ValueError(f"export {name}: manifest_extra may not replace standard manifest keys {clash}")
        manifest.update(manifest_extra or {})
        write_json_atomic(tmp / MANIFEST, manifest)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportResult(path=final, version=version, manifest=manifest)
