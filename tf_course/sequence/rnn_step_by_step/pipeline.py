"""Pipeline ``rnn_step_by_step``: the course's NumPy cells against Keras, gradient checks, an LSTM export.

1. The course's reference values (seeded as its tests) from :mod:`tf_course.scratch.rnn`.
2. Parity (:mod:`.parity`): the course's weights mapped into Keras' ``SimpleRNN``, ``LSTM`` and
   ``GRU(reset_after=False)`` layers, and the course cells run by ``keras.layers.RNN``, give the
   NumPy outputs and gradients (float32 layers; float64 too).
3. Float64 gradient checks of every NumPy backward pass (cells and sequences).
4. Export: the course's LSTM (``keras.layers.RNN(CourseLSTMCell(5))`` + softmax head, the
   notebook's seed-1 weights): ``serving_default``: ``x`` float32 ``(batch, T, 3)`` ->
   ``y`` ``(batch, T, 2)`` probabilities.

Nothing is trained, so quick and full mode are the same run.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.export import Signature, export_and_check
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import rnn
from tf_course.sequence.rnn_step_by_step import parity
from tf_course.sequence.rnn_step_by_step.cells import CourseLSTMCell

NAME = "rnn_step_by_step"


def course_values() -> dict[str, float]:
    """A few of the course's printed values, recomputed with its seeding (reference sheet C5W1)."""
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 7), np.random.randn(5, 10)
    parameters = rnn.random_parameters("lstm", 3, 5, 2)
    a, y, c, _ = rnn.lstm_forward(x, a0, parameters)
    case = parity.course_case("rnn")
    grads = rnn.rnn_backward(case.da, rnn.rnn_forward(case.x, case.a0, case.parameters)[2])
    return {"lstm_forward_a_4_3_6": float(a[4][3][6]), "lstm_forward_y_1_4_3": float(y[1][4][3]),
            "lstm_forward_c_1_2_1": float(c[1][2][1]), "rnn_backward_dWax_3_1": float(grads["dWax"][3][1]),
            "rnn_backward_da0_2_3": float(grads["da0"][2][3])}


def gradient_checks() -> dict[str, float]:
    """``{"<kind>_<cell|sequence>": largest relative difference}`` of the float64 gradient checks."""
    return {f"{kind}_{scope}": max(rnn.gradient_check(kind, sequence=scope == "sequence").values())
            for kind in parity.KINDS for scope in ("cell", "sequence")}


def build_course_lstm_model(parameters: dict[str, np.ndarray] | None = None) -> keras.Model:
    """``RNN(CourseLSTMCell(5))`` -> softmax head, ``(batch, T, 3) -> (batch, T, 2)``, course weights (seed 1)."""
    if parameters is None:
        np.random.seed(1)
        np.random.randn(3, 10, 7), np.random.randn(5, 10)  # the notebook draws x and a0 first
        parameters = rnn.random_parameters("lstm", 3, 5, 2)
    n_y, n_a = parameters["Wy"].shape
    n_x = parameters["Wf"].shape[1] - n_a
    inputs = keras.Input((None, n_x), name="x")
    states = keras.layers.RNN(CourseLSTMCell(n_a, name="course_lstm_cell"), return_sequences=True,
                              name="course_lstm")(inputs)
    outputs = keras.layers.Dense(n_y, activation="softmax", name="y")(states)
    model = keras.Model(inputs, outputs, name="course_lstm_model")
    model.get_layer("course_lstm").cell.set_course_parameters(parameters)
    model.get_layer("y").set_weights([parameters["Wy"].T, parameters["by"].ravel()])
    return model


def run_details(ctx: RunContext) -> tuple[PipelineOutput, dict[str, Any]]:
    """:func:`run`, also returning the per-case parities and gradient checks (for the notebook)."""
    parities32 = parity.all_parities("float32")
    parities64 = parity.all_parities("float64")
    checks = gradient_checks()

    def worst(parities: dict[str, dict[str, float]], prefix: str) -> float:
        return max(max(v.values()) for k, v in parities.items() if k.startswith(prefix))

    metrics: dict[str, Any] = {
        "max_abs_diff_vs_keras": worst(parities32, "keras_"),
        "max_abs_diff_course_cells": worst(parities32, "course_cell_"),
        "max_abs_diff_vs_keras_float64": worst(parities64, "keras_"),
        "gradient_check_difference": max(checks.values()),
        "gru_reset_after_true_max_abs_diff": parity.gru_reset_after_difference(),
        **course_values(),
    }
    model = build_course_lstm_model()
    metrics["params"] = int(model.count_params())

    @tf.function(reduce_retracing=True)
    def serve(x: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"y": model(x, training=False)}

    spec = tf.TensorSpec((None, None, 3), tf.float32, name="x")
    np.random.seed(1)
    sample = np.random.randn(3, 10, 7).transpose(1, 2, 0)[:4]  # the notebook's x, Keras layout (4, 7, 3)
    data_source = {"test_case": "generated"}
    result = export_and_check(NAME, {"serving_default": Signature(serve, [spec], {"x": sample})}, [model],
                              ctx.out_dir, metrics=metrics, data_source=data_source)
    output = PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
    return output, {"parities_float32": parities32, "parities_float64": parities64, "gradient_checks": checks,
                    "model": model}


def run(ctx: RunContext) -> PipelineOutput:
    """Reference values, Keras parity, gradient checks, and the course LSTM exported."""
    return run_details(ctx)[0]
