"""Reload an export in a fresh Python process that cannot import ``tf_course`` and compare.

This is what a serving engineer does: plain TensorFlow, no project code. The child process
blocks ``import tf_course``, loads the SavedModel once, runs ``serving_default`` (or other
signatures) on the given inputs and hands the outputs back through ``.npz`` files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

_CHILD = r"""
import json
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
loaded = tf.saved_model.load(sys.argv[1])
for i, signature in enumerate(json.loads(sys.argv[2])):
    inputs = dict(np.load(f"inputs{i}.npz"))
    outputs = loaded.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()})
    np.savez(f"outputs{i}.npz", **{k: v.numpy() for k, v in outputs.items()})
"""


class ExportMismatch(AssertionError):
    """The reloaded export's outputs differ from the in-memory model's."""


def verify_in_fresh_process(
    export_dir: str | Path,
    inputs: dict[str, np.ndarray],
    expected: dict[str, np.ndarray],
    atol: float = 1e-5,
    timeout: float = 300.0,
    signature: str = "serving_default",
) -> dict[str, float]:
    """Run one signature of ``export_dir`` in a child process and compare to ``expected``.

    Args:
        export_dir: a SavedModel directory (``saved_models/<name>/<version>``).
        inputs: named input arrays, as the signature names them.
        expected: named outputs of the in-memory model for the same inputs.
        atol: largest allowed absolute difference per output.
        signature: which of the export's signatures to run.

    Returns:
        ``{output_name: max_abs_diff}``.

    Raises:
        ExportMismatch: an output is missing, has another shape, or differs by more than atol.
        RuntimeError: the child process failed (its stderr is included).
    """
    return verify_signatures_in_fresh_process(export_dir, {signature: (inputs, expected)}, atol, timeout)[signature]


def verify_signatures_in_fresh_process(
    export_dir: str | Path,
    checks: dict[str, tuple[dict[str, np.ndarray], dict[str, np.ndarray]]],
    atol: float = 1e-5,
    timeout: float = 300.0,
) -> dict[str, dict[str, float]]:
    """:func:`verify_in_fresh_process` for several signatures, loading the export once.

    Args:
        checks: ``{signature: (inputs, expected)}``.

    Returns:
        ``{signature: {output_name: max_abs_diff}}``.
    """
    signatures = list(checks)
    with tempfile.TemporaryDirectory(prefix="tf_course_verify_") as tmp:
        for i, signature in enumerate(signatures):
            np.savez(Path(tmp) / f"inputs{i}.npz", **checks[signature][0])
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        proc = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, str(Path(export_dir).resolve()), json.dumps(signatures)],
            cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"reloading {export_dir} in a fresh process failed:\n{proc.stderr[-4000:]}")
        outputs = []
        for i in range(len(signatures)):
            with np.load(Path(tmp) / f"outputs{i}.npz") as got:
                outputs.append({k: got[k] for k in got.files})
    return {signature: _compare(export_dir, signature, got, checks[signature][1], atol)
            for signature, got in zip(signatures, outputs)}


def _compare(export_dir: str | Path, signature: str, outputs: dict[str, np.ndarray],
             expected: dict[str, np.ndarray], atol: float) -> dict[str, float]:
    diffs: dict[str, float] = {}
    for key, want in expected.items():
        where = f"{export_dir} [{signature}]"
        if key not in outputs:
            raise ExportMismatch(f"{where}: expected output {key!r}, found {sorted(outputs)}")
        have = outputs[key]
        if have.shape != np.shape(want):
            raise ExportMismatch(f"{where}: output {key!r}: expected shape {np.shape(want)}, found {have.shape}")
        diffs[key] = float(np.max(np.abs(have.astype(np.float64) - np.asarray(want, np.float64)), initial=0.0))
        if diffs[key] > atol:
            raise ExportMismatch(f"{where}: output {key!r} differs by {diffs[key]:.3g} (> {atol})")
    return diffs
