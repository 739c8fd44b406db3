"""The conv step-by-step comparisons: NumPy scratch layers vs ``tf.nn`` / ``GradientTape`` on the
course's inputs, loops vs vectorised, and the NumPy forward pass vs the served Keras model.

The pipeline reports these numbers; the functions take arrays and models and return plain floats.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.data.images import scale_uint8
from tf_course.export.serving import image_classifier_serving_fn
from tf_course.scratch import conv as loops
from tf_course.scratch import conv_vectorized as vectorized

from . import tf_reference
from .model import numpy_forward

POOL_MODES = ("max", "average")
SERVED_ATOL = 1e-5  # float32 Keras Conv2D vs the float64 NumPy conv_forward on [0, 1] images
SPEEDUP_SHAPE = (2, 16, 16, 3)  # input of the loops-vs-vectorised timing; W (3, 3, 3, 8), pad 1, stride 1


def course_cases() -> dict[str, dict[str, Any]]:
    """The course's test inputs: each drawn after ``np.random.seed(1)`` (here ``RandomState(1)``).

    Keys: ``conv`` (A_prev (2,5,7,4), W (3,3,4,8), b (1,1,1,8), pad 1, stride 2), ``pool``
    (A_prev (2,5,5,3), f 3, strides 1 and 2), ``conv_backward`` (A_prev (10,4,4,3), W (2,2,3,8),
    b (1,1,1,8), pad 2, stride 2; dZ is the forward output) and ``pool_backward`` (A_prev
    (5,5,3,2), f 2, stride 1, dA (5,4,2,2)).
    """
    rs = np.random.RandomState(1)
    conv = {"A_prev": rs.randn(2, 5, 7, 4), "W": rs.randn(3, 3, 4, 8), "b": rs.randn(1, 1, 1, 8),
            "hparameters": {"pad": 1, "stride": 2}}
    pool = {"A_prev": np.random.RandomState(1).randn(2, 5, 5, 3), "f": 3, "strides": (1, 2)}
    rs = np.random.RandomState(1)
    conv_backward = {"A_prev": rs.randn(10, 4, 4, 3), "W": rs.randn(2, 2, 3, 8), "b": rs.randn(1, 1, 1, 8),
                     "hparameters": {"pad": 2, "stride": 2}}
    rs = np.random.RandomState(1)
    pool_backward = {"A_prev": rs.randn(5, 5, 3, 2), "hparameters": {"stride": 1, "f": 2}}
    pool_backward["dA"] = rs.randn(5, 4, 2, 2)
    return {"conv": conv, "pool": pool, "conv_backward": conv_backward, "pool_backward": pool_backward}


def scratch_results(module: Any, cases: dict[str, dict[str, Any]]) -> dict[str, np.ndarray]:
    """Every course case through ``module`` (loops or vectorised); keys ``forward/...``, ``backward/...``."""
    c, p, cb, pb = cases["conv"], cases["pool"], cases["conv_backward"], cases["pool_backward"]
    out = {"forward/conv": module.conv_forward(c["A_prev"], c["W"], c["b"], c["hparameters"])[0]}
    for stride in p["strides"]:
        for mode in POOL_MODES:
            out[f"forward/pool_{mode}_stride{stride}"] = module.pool_forward(
                p["A_prev"], {"f": p["f"], "stride": stride}, mode)[0]
    Z, cache = module.conv_forward(cb["A_prev"], cb["W"], cb["b"], cb["hparameters"])
    out["forward/conv_backward_Z"] = Z
    out["backward/conv_dA"], out["backward/conv_dW"], out["backward/conv_db"] = module.conv_backward(Z, cache)
    for mode in POOL_MODES:
        _, pool_cache = module.pool_forward(pb["A_prev"], pb["hparameters"], mode)
        out[f"backward/pool_{mode}"] = module.pool_backward(pb["dA"], pool_cache, mode)
    return out


def tf_results(cases: dict[str, dict[str, Any]]) -> dict[str, np.ndarray]:
    """The same keys as :func:`scratch_results`, from ``tf.nn`` and ``GradientTape`` (float64)."""
    c, p, cb, pb = cases["conv"], cases["pool"], cases["conv_backward"], cases["pool_backward"]
    out = {"forward/conv": tf_reference.tf_conv_forward(c["A_prev"], c["W"], c["b"], c["hparameters"])}
    for stride in p["strides"]:
        for mode in POOL_MODES:
            out[f"forward/pool_{mode}_stride{stride}"] = tf_reference.tf_pool_forward(
                p["A_prev"], {"f": p["f"], "stride": stride}, mode)
    Z = tf_reference.tf_conv_forward(cb["A_prev"], cb["W"], cb["b"], cb["hparameters"])
    out["forward/conv_backward_Z"] = Z
    out["backward/conv_dA"], out["backward/conv_dW"], out["backward/conv_db"] = tf_reference.tf_conv_backward(
        Z, cb["A_prev"], cb["W"], cb["b"], cb["hparameters"])
    for mode in POOL_MODES:
        out[f"backward/pool_{mode}"] = tf_reference.tf_pool_backward(pb["dA"], pb["A_prev"], pb["hparameters"], mode)
    return out


def max_abs_diff(a: dict[str, np.ndarray], b: dict[str, np.ndarray], prefix: str = "") -> float:
    """Largest ``|a[k] - b[k]|`` over the keys of ``a`` starting with ``prefix`` (``b`` must have them,
    same shapes)."""
    keys = [k for k in a if k.startswith(prefix)]
    if not keys:
        raise ValueError(f"expected keys starting with {prefix!r}, found {sorted(a)}")
    for k in keys:
        if k not in b:
            raise ValueError(f"{k}: expected in both results, found only in the first")
        if a[k].shape != b[k].shape:
            raise ValueError(f"{k}: expected equal shapes, found {a[k].shape} and {b[k].shape}")
    return float(max(np.max(np.abs(a[k] - b[k])) for k in keys))


def course_metrics(results: dict[str, np.ndarray]) -> dict[str, float]:
    """The course's scalar checks from the loop version's :func:`scratch_results`."""
    return {
        "conv_forward_mean": float(np.mean(results["forward/conv"])),
        "pool_forward_max_mean": float(np.mean(results["forward/pool_max_stride1"])),
        "pool_forward_average_mean": float(np.mean(results["forward/pool_average_stride1"])),
        "conv_backward_dA_mean": float(np.mean(results["backward/conv_dA"])),
        "conv_backward_dW_mean": float(np.mean(results["backward/conv_dW"])),
    }


def _layer_pass(module: Any, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> None:
    """conv forward + backward and max-pool forward + backward, the work the speed-up times."""
    Z, cache = module.conv_forward(A_prev, W, b, {"pad": 1, "stride": 1})
    module.conv_backward(Z, cache)
    A, pool_cache = module.pool_forward(Z, {"f": 2, "stride": 2}, "max")
    module.pool_backward(A, pool_cache, "max")


def _time_once(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def vectorized_speedup(rng: np.random.Generator) -> float:
    """Loop time / vectorised time for one conv + pool forward and backward pass, each timed once.

    A report only: on a busy machine a single timing is noisy (never assert on it).
    """
    A_prev = rng.standard_normal(SPEEDUP_SHAPE)
    W, b = rng.standard_normal((3, 3, SPEEDUP_SHAPE[3], 8)), rng.standard_normal((1, 1, 1, 8))
    _layer_pass(vectorized, A_prev[:1, :4, :4], W, b)  # untimed warm-up (first BLAS call, allocations)
    loop_time = _time_once(lambda: _layer_pass(loops, A_prev, W, b))
    return loop_time / _time_once(lambda: _layer_pass(vectorized, A_prev, W, b))


def scratch_vs_tf_metrics(seed: int) -> dict[str, float]:
    """The course's inputs through the loop and vectorised scratch layers and through TF (float64).

    Returns the largest forward and backward differences to TF over both scratch versions, the loop
    vs vectorised difference, the timing ratio (``vectorized_speedup``, from ``seed``) and the
    course's scalar checks (:func:`course_metrics` of the loop version).
    """
    cases = course_cases()
    loop, fast, reference = scratch_results(loops, cases), scratch_results(vectorized, cases), tf_results(cases)
    return {
        "max_abs_diff_vs_tf_forward": max(max_abs_diff(r, reference, "forward/") for r in (loop, fast)),
        "max_abs_diff_vs_tf_backward": max(max_abs_diff(r, reference, "backward/") for r in (loop, fast)),
        "max_abs_diff_loop_vs_vectorized": max_abs_diff(loop, fast),
        "vectorized_speedup": vectorized_speedup(np.random.default_rng(seed)),
        **course_metrics(loop),
    }


def served_model_parity(model: keras.Model, images: np.ndarray, atol: float = SERVED_ATOL) -> dict[str, float]:
    """The NumPy forward pass (:func:`.model.numpy_forward`, float64) vs the model as it is served.

    Args:
        model: a :func:`.model.build_conv_step_by_step_model` model.
        images: uint8 ``(m, 64, 64, 3)``.
        atol: the largest conv-output difference accepted.

    Returns:
        ``max_abs_diff_numpy_vs_served_conv`` (the Conv2D output ``(m, 64, 64, n_C)``) and
        ``max_abs_diff_numpy_vs_served_probabilities`` (the serving function's ``(m, classes)``).

    Raises:
        ValueError: the served convolution differs from NumPy's by more than ``atol`` (the export's
            whole point: never serve a conv the NumPy one disagrees with).
    """
    serve = image_classifier_serving_fn(model)  # uint8 images -> /255 -> model -> probabilities
    conv_model = keras.Model(model.input, model.get_layer("conv").output)  # the served Conv2D's output
    keras_Z = conv_model(scale_uint8(images), training=False).numpy()  # (m, 64, 64, n_C)
    served_probabilities = serve(tf.constant(images))["probabilities"].numpy()  # (m, classes)
    conv_diff = float(np.max(np.abs(numpy_forward(images, model, conv_only=True) - keras_Z)))
    if not conv_diff <= atol:
        raise ValueError(f"expected the served Conv2D within {atol} of the NumPy conv_forward, "
                         f"found a difference of {conv_diff:.2e}")
    return {
        "max_abs_diff_numpy_vs_served_conv": conv_diff,
        "max_abs_diff_numpy_vs_served_probabilities": float(np.max(np.abs(numpy_forward(images, model)
                                                                           - served_probabilities))),
    }
