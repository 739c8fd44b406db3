"""Reload an export in a fresh Python process that cannot import ``tf_course`` and compare.

This is what a serving engineer does: plain TensorFlow, no project code. The child process
(``python -I``, ``import tf_course`` blocked) loads the SavedModel once, runs the requested
signatures on the given inputs, and hands back their outputs (``.npz`` files in a temporary
directory that is always removed) and a description of every signature's inputs and outputs
(dtype, shape), which becomes the export's manifest entry ``signatures``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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

def spec_json(spec):
    return {"dtype": spec.dtype.name, "shape": None if spec.shape.rank is None else
            [None if d is None else int(d) for d in spec.shape.as_list()]}

loaded = tf.saved_model.load(sys.argv[1])
description = {}
for name in sorted(loaded.signatures):
    fn = loaded.signatures[name]
    _, inputs = fn.structured_input_signature
    description[name] = {"inputs": {k: spec_json(v) for k, v in sorted(inputs.items())},
                         "outputs": {k: spec_json(v) for k, v in sorted(fn.structured_outputs.items())}}
with open("description.json", "w") as handle:
    json.dump(description, handle)
for i, signature in enumerate(json.loads(sys.argv[2])):
    if signature not in loaded.signatures:
        raise SystemExit(f"expected signature {signature!r}, found {sorted(loaded.signatures)}")
    inputs = dict(np.load(f"inputs{i}.npz"))
    outputs = loaded.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()})
    np.savez(f"outputs{i}.npz", **{k: v.numpy() for k, v in outputs.items()})
"""

Arrays = Mapping[str, np.ndarray]


class ExportMismatch(AssertionError):
    """The reloaded export's outputs differ from the in-memory model's."""


def run_in_fresh_process(
    export_dir: str | Path,
    inputs: Mapping[str, Arrays],
    timeout: float = 300.0,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, dict[str, Any]]]:
    """Run signatures of the SavedModel ``export_dir`` in a child process without ``tf_course``.

    Args:
        export_dir: a SavedModel directory.
        inputs: ``{signature: {input_name: array}}``; every signature listed is run once.
        timeout: seconds the child may take.

    Returns:
        ``({signature: {output_name: array}}, description)`` where ``description`` is
        ``{signature: {"inputs": {name: {"dtype", "shape"}}, "outputs": {...}}}`` for every
        signature of the export (shape: a list with None for unknown dimensions).

    Raises:
        RuntimeError: the child process failed (its stderr is included).
    """
    signatures = list(inputs)
    with tempfile.TemporaryDirectory(prefix="tf_course_verify_") as tmp:
        for i, signature in enumerate(signatures):
            np.savez(Path(tmp) / f"inputs{i}.npz", **inputs[signature])
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        proc = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, str(Path(export_dir).resolve()), json.dumps(signatures)],
            cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"reloading {export_dir} in a fresh process failed:\n{proc.stderr[-4000:]}")
        outputs = {}
        for i, signature in enumerate(signatures):
            with np.load(Path(tmp) / f"outputs{i}.npz") as got:
                outputs[signature] = {k: got[k] for k in got.files}
        description = json.loads((Path(tmp) / "description.json").read_text())
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


def verify_signatures_in_fresh_process(
    export_dir: str | Path,
    checks: Mapping[str, tuple[Arrays, Arrays]],
    atol: float | Mapping[str, float] = 1e-5,
    timeout: float = 300.0,
) -> dict[str, dict[str, float]]:
    """Run each signature of ``export_dir`` in a fresh process and compare to the expected outputs.

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
        RuntimeError: the child process failed (e.g. an unknown signature; its stderr is included).
    """
    outputs, _ = run_in_fresh_process(export_dir, {s: inputs for s, (inputs, _) in checks.items()}, timeout)
    return {
        signature: compare_outputs(f"{export_dir} [{signature}]", outputs[signature], expected,
                                   atol[signature] if isinstance(atol, Mapping) else atol)
        for signature, (_, expected) in checks.items()
    }
