"""Pipeline ``deep_nn``: cat data -> two-layer and L-layer networks, NumPy and Keras twins -> export.

The NumPy models are the course's application, ``two_layer_model`` ``(12288, 7, 1)`` and
``L_layer_model`` ``[12288, 20, 7, 5, 1]`` (learning rate 0.0075, 2500 iterations). Each twin
starts from the parameters the course's model starts from -- ``initialize_parameters`` (seed 1,
``randn * 0.01``) for the two-layer net, ``dnn_app_utils_v3``'s ``initialize_parameters_deep``
(seed 1, ``randn / sqrt(n[l-1])``) for the L-layer net -- and takes the same full-batch SGD steps
in float32. The L-layer twin is exported (uint8 images in, cat probability out).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from tf_course.basics.mlp import export_binary_classifier
from tf_course.basics.twins import TwinRun, train_from_course_parameters, twin_metrics
from tf_course.data.course_h5 import IMAGE_SHAPE, flatten_images
from tf_course.data.datasets import load_cat_dataset
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import deep_nn
from tf_course.scratch.deep_nn import Parameters

NAME = "deep_nn"
TWO_LAYER_DIMS = (12288, 7, 1)
L_LAYER_DIMS = (12288, 20, 7, 5, 1)
LEARNING_RATE = 0.0075
ITERATIONS = 2500
QUICK_ITERATIONS = 101  # records the costs of iterations 0 and 100
COST_EVERY = 100
EXPORTED = "l_layer"

NumpyModel = Callable[..., tuple[Parameters, list[float]]]
Initializer = Callable[[Sequence[int]], Parameters]
#: run name -> (the course's NumPy model, the initializer it starts from, its layer sizes).
MODELS: dict[str, tuple[NumpyModel, Initializer, tuple[int, ...]]] = {
    "two_layer": (deep_nn.two_layer_model, lambda dims: deep_nn.initialize_parameters(*dims), TWO_LAYER_DIMS),
    "l_layer": (deep_nn.L_layer_model, deep_nn.initialize_parameters_deep_app, L_LAYER_DIMS),
}


def train_twins(
    run_name: str, X: np.ndarray, Y: np.ndarray, num_iterations: int, verbose: bool = True,
    checkpoint_dir: Path | None = None,
) -> TwinRun:
    """Train ``run_name``'s NumPy model and its Keras twin from the same initial parameters.

    Args:
        run_name: ``"two_layer"`` or ``"l_layer"``.
        X: course-layout images (12288, m) in [0, 1]; Y: labels (1, m).
        num_iterations: gradient-descent iterations for both.
        verbose: print the course's costs (every 100 iterations) and show the Keras progress.
        checkpoint_dir: where the Keras twin saves every tenth of the run and resumes from (None:
            no checkpoints); the NumPy model (deterministic) is trained again on a re-run.
    """
    if run_name not in MODELS:
        raise ValueError(f"run_name must be one of {sorted(MODELS)}, got {run_name!r}")
    numpy_model, initializer, dims = MODELS[run_name]
    parameters, costs = numpy_model(X, Y, dims, LEARNING_RATE, num_iterations, print_cost=verbose)
    model, history = train_from_course_parameters(
        initializer(dims), X.T, Y.T, LEARNING_RATE, num_iterations, name=f"{run_name}_model", verbose=verbose,
        checkpoint_dir=checkpoint_dir,
    )
    return TwinRun(parameters, costs, model, history)


def run_with_models(ctx: RunContext) -> tuple[PipelineOutput, dict[str, TwinRun]]:
    """:func:`run`, also returning the trained runs (for the notebook)."""
    data = load_cat_dataset(ctx.data_dir, seed=ctx.seed)
    X_train, X_test = flatten_images(data.train.x), flatten_images(data.test.x)  # (12288, m)
    Y_train, Y_test = data.train.y.reshape(1, -1), data.test.y.reshape(1, -1)  # (1, m)
    iterations = QUICK_ITERATIONS if ctx.quick else ITERATIONS

    runs = {name: train_twins(name, X_train, Y_train, iterations, ctx.verbose, ctx.checkpoint_dir(name))
            for name in MODELS}
    metrics = twin_metrics(runs, {"train": (X_train, Y_train), "test": (X_test, Y_test)}, every=COST_EVERY)
    model = runs[EXPORTED].model
    metrics["params"] = int(model.count_params())
    metrics["two_layer_params"] = int(runs["two_layer"].model.count_params())
    data_source = {"cat": data.source}

    output = export_binary_classifier(NAME, model, ctx.out_dir, data.test.x[:8], metrics, data_source,
                                      image_shape=IMAGE_SHAPE, output_name="cat_probability")
    return output, runs


def run(ctx: RunContext) -> PipelineOutput:
    """Train both networks with NumPy and Keras, evaluate, export the L-layer twin."""
    return run_with_models(ctx)[0]
