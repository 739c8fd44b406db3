"""Pipeline ``conv_step_by_step``: NumPy CONV/POOL layers vs TensorFlow, then a served conv model.

1. The course's seeded test inputs go through the loop functions (:mod:`tf_course.scratch.conv`),
   the vectorised ones (:mod:`tf_course.scratch.conv_vectorized`) and ``tf.nn`` / ``GradientTape``
   (:mod:`.tf_reference`), all in float64: the course's values and the largest differences
   (the comparisons live in :mod:`.parity`).
2. Loops vs vectorised timed once on a small input (a report, never an assertion).
3. The served model: a frozen Sobel filter bank in a Keras Conv2D, checked equal to the NumPy
   ``conv_forward``, with a dense softmax head trained on generated stripes (class = orientation);
   exported to take uint8 ``images (batch, 64, 64, 3)`` and return ``probabilities (batch, 4)``.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from tf_course.data.images import image_dataset, scale_uint8
from tf_course.export.serving import export_image_classifier
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.train import fit_resumable

from .model import build_conv_step_by_step_model, edge_filter_bank, generate_stripes
from .parity import scratch_vs_tf_metrics, served_model_parity

NAME = "conv_step_by_step"
# (train images, test images, epochs) of the dense head; the conv filters are fixed.
TRAINING = {"full": (800, 200, 20), "quick": (96, 32, 5)}
LEARNING_RATE = 0.1


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
    history = fit_resumable(model, image_dataset(x_train, y_train, batch_size=32, shuffle=True), epochs,
                            ctx.checkpoint_dir(), shuffle=False,  # the dataset reshuffles each epoch
                            verbose=2 if ctx.verbose else 0)
    probabilities = model(scale_uint8(x_test), training=False).numpy()  # (n_test, 4), eager
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y_test))
    return model, {"x_test": x_test, "losses": [float(v) for v in history.history["loss"]], "test_accuracy": accuracy}


def run(ctx: RunContext) -> PipelineOutput:
    """Scratch vs TF metrics on the course's inputs, then train, check and export the served model."""
    metrics: dict[str, Any] = scratch_vs_tf_metrics(ctx.seed)

    model, training = train_served_model(ctx)
    sample = training["x_test"][:8]  # uint8 (8, 64, 64, 3)
    metrics |= served_model_parity(model, sample)  # raises if the served conv is not NumPy's (SERVED_ATOL)
    metrics |= {
        "stripes_test_accuracy": training["test_accuracy"],
        "head_losses": training["losses"],
        "params": int(model.count_params()),
    }
    data_source = {"inputs": "generated"}

    result = export_image_classifier(NAME, model, ctx.out_dir, sample, metrics=metrics, data_source=data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
