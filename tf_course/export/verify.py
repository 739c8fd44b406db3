"""Reload an export in a fresh Python process that cannot import ``tf_course`` and compare.

This is what a serving engineer does: plain TensorFlow, no project code. The child process
blocks ``import tf_course``, loads the SavedModel, runs ``serving_default`` on the given inputs
and hands the outputs back through an ``.npz`` file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

_CHILD = r"""
import sys
sys.modules["tf_course"] = None  # any `import tf_course` now raises ImportError
import numpy as np
import tensorflow as tf
try:
    import tf_course  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("tf_course is importable in the verification process")
inputs = dict(np.load(sys.argv[2]))
fn = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
outputs = fn(**{k: tf.constant(v) for k, v in inputs.items()})
np.savez(sys.argv[3], **{k: v.numpy() for k, v in outputs.items()})
"""


class ExportMismatch(AssertionError):
    """The reloaded export's outputs differ from the in-memory model's."""


def verify_in_fresh_process(
    export_dir: str | Path,
    inputs: dict[str, np.ndarray],
    expected: dict[str, np.ndarray],
    atol: float = 1e-5,
    timeout: float = 300.0,
) -> dict[str, float]:
    """Run ``serving_default`` of ``export_dir`` in a child process and compare to ``expected``.

    Args:
        export_dir: a SavedModel directory (``saved_models/<name>/<version>``).
        inputs: named input arrays, as the signature names them.
        expected: named outputs of the in-memory model for the same inputs.
        atol: largest allowed absolute difference per output.

    Returns:
        ``{output_name: max_abs_diff}``.

    Raises:
        ExportMismatch: an output is missing, has another shape, or differs by more than atol.
        RuntimeError: the child process failed (its stderr is included).
    """
    with tempfile.TemporaryDirectory(prefix="tf_course_verify_") as tmp:
        in_path, out_path = Path(tmp) / "inputs.npz", Path(tmp) / "outputs.npz"
        np.savez(in_path, **inputs)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        proc = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, str(Path(export_dir).resolve()), str(in_path), str(out_path)],
            cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"reloading {export_dir} in a fresh process failed:\n{proc.stderr[-4000:]}")
        with np.load(out_path) as got:
            outputs = {k: got[k] for k in got.files}
    diffs: dict[str, float] = {}
    for key, want in expected.items():
        if key not in outputs:
            raise ExportMismatch(f"{export_dir}: expected output {key!r}, found {sorted(outputs)}")
        have = outputs[key]
        if have.shape != np.shape(want):
            raise ExportMismatch(f"{export_dir}: output {key!r}: expected shape {np.shape(want)}, found {have.shape}")
        diffs[key] = float(np.max(np.abs(have.astype(np.float64) - np.asarray(want, np.float64)), initial=0.0))
        if diffs[key] > atol:
            raise ExportMismatch(f"{export_dir}: output {key!r} differs by {diffs[key]:.3g} (> {atol})")
    return diffs
