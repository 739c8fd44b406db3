"""Pipeline ``logistic_regression``: cat data -> NumPy model and Keras twin -> metrics -> export."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tf_course.data.course_h5 import IMAGE_SHAPE, flatten_images
from tf_course.data.datasets import load_cat_dataset
from tf_course.export import export_serving, verify_in_fresh_process
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import logistic_regression as scratch

from .model import image_serving_fn, train_logistic_regression

NAME = "logistic_regression"
LEARNING_RATE = 0.005
ITERATIONS = 2000
QUICK_ITERATIONS = 200


def run(ctx: RunContext) -> PipelineOutput:
    """Train both implementations with the course's settings, evaluate, export the Keras twin."""
    data = load_cat_dataset(ctx.data_dir, seed=ctx.seed)
    X_train, X_test = flatten_images(data.train.x), flatten_images(data.test.x)  # (12288, m)
    Y_train, Y_test = data.train.y.reshape(1, -1), data.test.y.reshape(1, -1)  # (1, m)
    iterations = QUICK_ITERATIONS if ctx.quick else ITERATIONS

    d = scratch.model(X_train, Y_train, X_test, Y_test, iterations, LEARNING_RATE)
    model, history = train_logistic_regression(
        X_train.T, Y_train.T, iterations, LEARNING_RATE, verbose=ctx.verbose
    )
    p_train = model.predict(X_train.T.astype(np.float32), verbose=0).T  # (1, m)
    p_test = model.predict(X_test.T.astype(np.float32), verbose=0).T
    metrics = {
        "scratch_train_accuracy": scratch.accuracy(d["Y_prediction_train"], Y_train),
        "scratch_test_accuracy": scratch.accuracy(d["Y_prediction_test"], Y_test),
        "scratch_costs": [float(c) for c in d["costs"]],
        "keras_train_accuracy": scratch.accuracy((p_train > 0.5).astype(float), Y_train),
        "keras_test_accuracy": scratch.accuracy((p_test > 0.5).astype(float), Y_test),
        "keras_costs": history.history["loss"][::100],
        "params": int(model.count_params()),
    }
    data_source = {"cat": data.source}

    result = export_serving(
        NAME,
        image_serving_fn(model, "cat_probability"),
        [tf.TensorSpec((None, *IMAGE_SHAPE), tf.uint8, name="images")],
        [model],
        ctx.out_dir,
        metrics=metrics,
        data_source=data_source,
    )
    sample = data.test.x[:8]  # (8, 64, 64, 3) uint8
    expected = model.predict(flatten_images(sample).T, verbose=0).reshape(-1)  # (8,)
    verify_in_fresh_process(result.path, {"images": sample}, {"cat_probability": expected})
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
