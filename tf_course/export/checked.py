"""Export a serving function and prove the export reproduces it: the pipelines' one call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.export.saved_model import ExportResult, export_serving
from tf_course.export.verify import verify_in_fresh_process


def export_and_check(
    name: str,
    serve: Callable[..., dict[str, tf.Tensor]],
    input_spec: tf.TensorSpec,
    track: Sequence[keras.Model | keras.layers.Layer],
    out_dir: str | Path,
    sample: np.ndarray,
    *,
    metrics: dict[str, Any] | None = None,
    data_source: dict[str, str] | None = None,
    atol: float = 1e-5,
) -> ExportResult:
    """:func:`export_serving` with one named input, then reload it in a fresh process.

    ``sample`` (a small batch matching ``input_spec``) goes through the in-memory ``serve`` and
    through the reloaded export; outputs must agree within ``atol`` (else ``ExportMismatch``).
    """
    if not input_spec.name:
        raise ValueError("export_and_check: input_spec needs a name (the signature's input name)")
    result = export_serving(name, serve, [input_spec], track, out_dir, metrics=metrics, data_source=data_source)
    sample = np.asarray(sample, dtype=input_spec.dtype.as_numpy_dtype)
    expected = {k: v.numpy() for k, v in serve(tf.constant(sample)).items()}
    verify_in_fresh_process(result.path, {input_spec.name: sample}, expected, atol=atol)
    return result
