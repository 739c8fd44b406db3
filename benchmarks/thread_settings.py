"""What the loop benchmarks share: oneDNN set before TensorFlow is imported, and the thread settings.

Imported by the scripts in this folder (run as ``python benchmarks/<name>.py``, so this folder is on
``sys.path``).
"""

from __future__ import annotations

import os


def apply_and_describe(onednn: str) -> str:
    """Set ``TF_ENABLE_ONEDNN_OPTS`` for ``onednn`` ``"on"`` / ``"off"`` (``"default"``: leave it), import
    ``tf_course`` (before TensorFlow, so that any default the package sets applies) and TensorFlow, and
    describe whether TF runs with oneDNN and both libraries' thread settings in one line."""
    user = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    import tf_course  # noqa: F401 - before TensorFlow, which reads TF_ENABLE_ONEDNN_OPTS once, when imported

    if onednn != "default":
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if onednn == "on" else "0"
        source = f"--onednn {onednn}"
    else:
        source = "from the environment" if user is not None else "not set by --onednn or the environment"
    import tensorflow as tf

    try:
        from tensorflow.python.util import _pywrap_util_port

        running = "on" if _pywrap_util_port.IsMklEnabled() else "off"
    except (ImportError, AttributeError):  # a private module: describe the variable only
        running = "unknown"
    state = f"{os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset')} ({source}; oneDNN {running})"
    threads = (tf.config.threading.get_intra_op_parallelism_threads(),
               tf.config.threading.get_inter_op_parallelism_threads())
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "unset (all cores)")
    return (f"  {os.cpu_count()} cores; TF_ENABLE_ONEDNN_OPTS {state}; TF intra/inter-op threads {threads} "
            f"(0 = all cores); OPENBLAS_NUM_THREADS {blas}")
