"""Issue 11, item 8: no CUDA lines from ``tf-course`` on a machine without a GPU, no ANSI progress codes in a
piped log: neither from the Progress lines nor from Keras fit bars (the retracing warnings are fixed, not hidden)."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from tf_course.train.progress import Progress

NOISE = ("cuInit", "cudart", "cuda_", "absl::InitializeLog", "cpu_feature_guard", "\x1b[")


def _env_without_log_level():
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["MPLBACKEND"] = "Agg"
    return env


def test_the_quiet_import_prints_nothing_and_keeps_the_users_setting():
    code = ("import os\n"
            "from tf_course.console import import_tensorflow_quietly\n"
            "import_tensorflow_quietly()\n"
            "import tensorflow as tf\n"
            "print(os.environ['TF_CPP_MIN_LOG_LEVEL'], float(tf.reduce_sum(tf.ones(3))))\n")
    env = _env_without_log_level()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert (done.stdout, done.stderr) == ("2 3.0\n", "")
    env["TF_CPP_MIN_LOG_LEVEL"] = "1"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout == "1 3.0\n"


@pytest.mark.slow
def test_a_quick_run_writes_no_cuda_lines_or_ansi_codes_to_a_pipe(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tf_course", "run", "gradient_checking", "--quick",
                           "--out", str(tmp_path)], env=_env_without_log_level(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "[1/1] gradient_checking (C2W1 (2.1.9))\n"
    assert not [noise for noise in NOISE if noise in done.stdout]


def test_progress_lines_have_no_ansi_codes_when_not_a_tty():
    stream = io.StringIO()
    progress = Progress(4, "epoch", stream=stream, every=2)
    for done in range(1, 5):
        progress.update(done, {"loss": 1.0 / done})
    lines = stream.getvalue().splitlines()
    assert [line.rsplit("  (", 1)[0] for line in lines] == ["epoch 2/4  loss 0.5000", "epoch 4/4  loss 0.2500"]
    assert "\x1b" not in stream.getvalue() and "\r" not in stream.getvalue()


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_fit_progress_bars_become_epoch_lines_when_not_a_tty():
    from tf_course.train.fit import fit_verbosity

    # 1 is Keras' bar (ANSI/\r redraws); 2 is one line per epoch; 0 stays silent everywhere
    assert [fit_verbosity(v, _Stream(tty=False)) for v in (0, 1, 2)] == [0, 2, 2]
    assert [fit_verbosity(v, _Stream(tty=True)) for v in (0, 1, 2)] == [0, 1, 2]
