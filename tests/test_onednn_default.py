"""TensorFlow's oneDNN kernels (``TF_ENABLE_ONEDNN_OPTS``): ``tf-course``'s quiet import hides the notice TF
prints whenever they are on, and TF does run with them then."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(code: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL")}
    env.update(env_vars)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)


def test_the_quiet_import_runs_tensorflow_with_onednn_and_prints_no_notice():
    code = ("from tf_course.console import import_tensorflow_quietly\n"
            "import_tensorflow_quietly()\n"
            "from tensorflow.python.util import _pywrap_util_port\n"  # TF's own answer (private module)
            "print(_pywrap_util_port.IsMklEnabled())\n")
    done = _run(code, TF_ENABLE_ONEDNN_OPTS="1")
    assert (done.stdout, done.stderr) == ("True\n", "")
