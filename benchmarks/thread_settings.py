"""What the loop benchmarks share: oneDNN set before TensorFlow is imported, and the thread settings.

Imported by the scripts in this folder (run as ``python benchmarks/<name>.py``, so this folder is on
``sys.path``).
"""

from __future__ import annotations

import os


def apply_and_describe(onednn: str) -> str:
    """Set ``TF_ENABLE_ONEDNN_OPTS`` for ``onednn`` ``"on"`` / ``"off"`` (``"default"``: leave it), then
    import TensorFlow and describe both libraries' thread settings in one line."""
    if onednn != "default":
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if onednn == "on" else "0"
    state = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset: TF's default, off on CPUs without AVX-512")
    import tensorflow as tf

    threads = (tf.config.threading.get_intra_op_parallelism_threads(),
               tf.config.threading.get_inter_op_parallelism_threads())
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "unset (all cores)")
    return (f"  {os.cpu_count()} cores; TF_ENABLE_ONEDNN_OPTS {state}; TF intra/inter-op threads {threads} "
            f"(0 = all cores); OPENBLAS_NUM_THREADS {blas}")
