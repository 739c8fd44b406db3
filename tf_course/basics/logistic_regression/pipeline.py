"""Pipeline ``logistic_regression``: cat data -> NumPy model and Keras twin -> metrics -> export."""

from __future__ import annotations

from tf_course.basics.mlp import export_binary_classifier, keras_binary_accuracy
from tf_course.data.course_h5 import IMAGE_SHAPE, flatten_images
from tf_course.data.datasets import load_cat_dataset
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import logistic_regression as scratch

from .model import train_logistic_regression

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
        X_train.T, Y_train.T, iterations, LEARNING_RATE, verbose=ctx.verbose,
        checkpoint_dir=ctx.checkpoint_dir(),
    )
    metrics = {
        "scratch_train_accuracy": scratch.accuracy(d["Y_prediction_train"], Y_train),
        "scratch_test_accuracy": scratch.accuracy(d["Y_prediction_test"], Y_test),
        "scratch_costs": [float(c) for c in d["costs"]],
        "keras_train_accuracy": keras_binary_accuracy(model, X_train, Y_train),
        "keras_test_accuracy": keras_binary_accuracy(model, X_test, Y_test),
        "keras_costs": history.history["loss"][::100],
        "params": int(model.count_params()),
    }
    data_source = {"cat": data.source}

    return export_binary_classifier(NAME, model, ctx.out_dir, data.test.x[:8], metrics, data_source,
                                    image_shape=IMAGE_SHAPE, output_name="cat_probability")
