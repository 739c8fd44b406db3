"""tf_course.scratch is NumPy only: importing it must not import TensorFlow or Keras."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Imported by name; every other module found in the package is imported as well.
MODULES = ["activations", "conv", "conv_vectorized", "deep_nn", "gradient_checking", "initialization", "metrics",
           "nn_utils", "optimization", "planar", "regularization"]


def test_scratch_imports_no_tensorflow() -> None:
    root = Path(__file__).resolve().parents[2]
    code = (
        "import importlib, pkgutil, sys\n"
        + "".join(f"import tf_course.scratch.{name}\n" for name in MODULES)
        + "import tf_course.scratch as pkg\n"
        "for info in pkgutil.iter_modules(pkg.__path__):\n"
        "    importlib.import_module('tf_course.scratch.' + info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tensorflow', 'keras', 'tf_keras', 'jax', 'torch'))\n"
        "assert not bad, bad\n"
        "print(len([m for m in sys.modules if m.startswith('tf_course.scratch.')]))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]))
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= len(MODULES)
