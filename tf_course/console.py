"""What ``tf-course`` shows its user: one-line errors for user mistakes, a quiet TensorFlow start.

A *user error* is a bad input the user can fix: a course file that is not what the assignment
expects (:class:`~tf_course.data.validate.DataError`), a missing file, a path that is a file
where a folder is expected, an argument the command refuses (:class:`UsageError`). The commands
print it as one line ``tf-course: <message>`` (plus a hint) and exit 2; any other exception is a
bug and keeps its traceback (exit 1). ``--debug`` adds the traceback to user errors too.

Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import TextIO

from tf_course.data.validate import DataError

#: exit status of a user error (argparse's own usage errors exit 2 too)
USER_ERROR_STATUS = 2


class UsageError(ValueError):
    """A command-line argument the command refuses (a path of the wrong kind, a flag that cannot apply)."""


#: exceptions that are the user's to fix: reported in one line, never as a traceback (unless ``--debug``)
USER_ERRORS: tuple[type[BaseException], ...] = (
    DataError, UsageError, FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError,
    PermissionError,
)

#: stderr lines TensorFlow prints while starting on a machine without a GPU (dropped when none is found)
NO_GPU_NOISE = ("All log messages before absl::InitializeLog", "cudart_stub.cc", "cuda_platform.cc",
                "cuInit", "cuda_executor.cc", "cuda_diagnostics.cc", "Unable to register cu")

#: the notice TensorFlow prints at import whenever oneDNN is on (``TF_ENABLE_ONEDNN_OPTS=1``), whatever
#: ``TF_CPP_MIN_LOG_LEVEL`` says: always dropped
ONEDNN_NOTICE = "oneDNN custom operations are on"


def describe(exc: BaseException) -> str:
    """The message of ``exc`` as one would print it: an OSError's "strerror: filename", a KeyError unquoted."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.strerror}: {exc.filename}"
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


def print_user_error(exc: BaseException, hint: str | None = None, prefix: str = "tf-course",
                     stream: TextIO | None = None) -> int:
    """Print ``<prefix>: <message>`` (and ``hint: ...``) to stderr; return :data:`USER_ERROR_STATUS`."""
    stream = sys.stderr if stream is None else stream
    print(f"{prefix}: {describe(exc)}", file=stream)
    if hint:
        print(f"hint: {hint}", file=stream)
    return USER_ERROR_STATUS


def import_tensorflow_quietly(debug: bool = False) -> None:
    """Import TensorFlow without the CUDA lines it prints on a machine that has no GPU.

    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` (C++ info and warnings off) unless the user set it, then imports
    TensorFlow and looks for GPUs with the process's stderr captured. Those lines are written by
    native code before TensorFlow's logging is set up, so no setting silences them. The oneDNN
    notice (:data:`ONEDNN_NOTICE`) is always dropped; when no GPU is found, the lines in
    :data:`NO_GPU_NOISE` are dropped too; everything else is written back. With ``debug``, nothing
    is captured.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or debug:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        gpus: list[object] = []
        try:
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")  # CUDA initialises here, once per process
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines()
    for line in lines:
        if ONEDNN_NOTICE not in line and (gpus or not any(noise in line for noise in NO_GPU_NOISE)):
            print(line, file=sys.stderr)
