"""Pipeline ``conv_step_by_step``: NumPy CONV/POOL layers vs TensorFlow, then a served conv model.

1. The course's seeded test inputs go through the loop functions (:mod:`tf_course.scratch.conv`),
   the vectorised ones (:mod:`tf_course.scratch.conv_vectorized`) and ``tf.nn`` / ``GradientTape``
   (:mod:`.tf_reference`), all in float64: the course's values and the largest differences.
2. Loops vs vectorised timed once on a small input (a report, never an assertion).
3. The served model: a frozen Sobel filter bank in a Keras Conv2D, checked equal to the NumPy
   ``conv_forward``, with a dense softmax head trained on generated stripes (class = orientation);
   exported to take uint8 ``images (batch, 64, 64, 3)`` and return ``probabilities (batch, 4)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.data.images import image_dataset
from tf_course.export.serving import export_image_classifier, image_classifier_serving_fn
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import conv as loops
from tf_course.scratch import conv_vectorized as vectorized

from . import tf_reference
from .model import build_conv_step_by_step_model, edge_filter_bank, generate_stripes, numpy_forward

NAME = "conv_step_by_step"
POOL_MODES = ("max", "average")
# (train images, test images, epochs) of the dense head; the conv filters are fixed.
TRAINING = {"full": (800, 200, 20), "quick": (96, 32, 5)}
LEARNING_RATE = 0.1
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
    """Largest ``|a[k] - b[k]|`` over the keys starting with ``prefix`` (shapes must agree)."""
    keys = [k for k in a if k.startswith(prefix)]
    for k in keys:
        if a[k].shape != b[k].shape:
            raise ValueError(f"{k}: shapes differ, {a[k].shape} vs {b[k].shape}")
    return float(max(np.max(np.abs(a[k] - b[k])) for k in keys))


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


def course_metrics(results: dict[str, np.ndarray]) -> dict[str, float]:
    """The course's scalar checks from the loop version's :func:`scratch_results`."""
    return {
        "conv_forward_mean": float(np.mean(results["forward/conv"])),
        "pool_forward_max_mean": float(np.mean(results["forward/pool_max_stride1"])),
        "pool_forward_average_mean": float(np.mean(results["forward/pool_average_stride1"])),
        "conv_backward_dA_mean": float(np.mean(results["backward/conv_dA"])),
        "conv_backward_dW_mean": float(np.mean(results["backward/conv_dW"])),
    }


def train_served_model(ctx: RunContext) -> tuple[keras.Model, dict[str, Any]]:
    """Build the model around the edge-filter bank and fit its dense head on generated stripes.

    Returns the model and ``{"x_test": uint8 test images, "losses": per epoch, "test_accuracy"}``.
    """
    n_train, n_test, epochs = TRAINING["quick" if ctx.quick else "full"]
    rng = np.random.default_rng(ctx.seed)
    x_train, y_train = generate_stripes(n_train, rng)
    x_test, y_test = generate_stripes(n_test, rng)
    model = build_conv_step_by_step_model(*edge_filter_bank())
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy")
    history = model.fit(image_dataset(x_train, y_train, batch_size=32, shuffle=True), epochs=epochs,
                        shuffle=False, verbose=2 if ctx.verbose else 0)  # the dataset reshuffles each epoch
    probabilities = model(x_test.astype(np.float32) / 255.0, training=False).numpy()  # (n_test, 4), eager
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y_test))
    return model, {"x_test": x_test, "losses": [float(v) for v in history.history["loss"]], "test_accuracy": accuracy}


def run(ctx: RunContext) -> PipelineOutput:
    """Scratch vs TF metrics on the course's inputs, then train, check and export the served model."""
    cases = course_cases()
    loop, fast, reference = scratch_results(loops, cases), scratch_results(vectorized, cases), tf_results(cases)
    metrics: dict[str, Any] = {
        "max_abs_diff_vs_tf_forward": max(max_abs_diff(r, reference, "forward/") for r in (loop, fast)),
        "max_abs_diff_vs_tf_backward": max(max_abs_diff(r, reference, "backward/") for r in (loop, fast)),
        "max_abs_diff_loop_vs_vectorized": max_abs_diff(loop, fast),
        "vectorized_speedup": vectorized_speedup(np.random.default_rng(ctx.seed)),
        **course_metrics(loop),
    }

    model, training = train_served_model(ctx)
    serve = image_classifier_serving_fn(model)  # uint8 images -> /255 -> model -> probabilities
    sample = training["x_test"][:8]  # uint8 (8, 64, 64, 3)
    conv_model = keras.Model(model.input, model.get_layer("conv").output)  # the served Conv2D's output
    keras_Z = conv_model(sample.astype(np.float32) / 255.0, training=False).numpy()  # (8, 64, 64, 8)
    served_probabilities = serve(tf.constant(sample))["probabilities"].numpy()  # (8, 4); the export must match
    conv_diff = float(np.max(np.abs(numpy_forward(sample, model, conv_only=True) - keras_Z)))
    if not conv_diff <= SERVED_ATOL:  # the export's whole point: refuse to serve a conv the NumPy one disagrees with
        raise RuntimeError(f"the served Conv2D differs from the NumPy conv_forward by {conv_diff:.2e} "
                           f"(> {SERVED_ATOL})")
    metrics |= {
        "max_abs_diff_numpy_vs_served_conv": conv_diff,
        "max_abs_diff_numpy_vs_served_probabilities": float(np.max(np.abs(numpy_forward(sample, model)
                                                                           - served_probabilities))),
        "stripes_test_accuracy": training["test_accuracy"],
        "head_losses": training["losses"],
        "params": int(model.count_params()),
    }
    data_source = {"inputs": "generated"}

    result = export_image_classifier(NAME, model, ctx.out_dir, sample, metrics=metrics, data_source=data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
