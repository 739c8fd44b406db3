"""Pipeline ``optimization``: moons -> NumPy gd / momentum / Adam and their Keras twins -> export.

The course's settings: ``[2, 5, 2, 1]``, learning rate 0.0007, mini-batches of 64 reshuffled
every epoch (seed 11, 12, ...), 10000 epochs, beta 0.9, Adam (0.9, 0.999, 1e-8). The Keras twins
start from the same parameters and see the same mini-batches (see :mod:`.model`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from tf_course.basics.mlp import export_binary_classifier, keras_binary_accuracy
from tf_course.data.generated import load_moons
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import optimization as scratch
from tf_course.scratch.deep_nn import Parameters
from tf_course.scratch.metrics import accuracy

from .model import COURSE_LAYER_DIMS, OptimizerName, course_optimizer, train_with_course_minibatches

NAME = "optimization"
OPTIMIZERS: tuple[OptimizerName, ...] = ("gd", "momentum", "adam")
LEARNING_RATE = 0.0007
MINI_BATCH_SIZE = 64
EPOCHS = 10000
QUICK_EPOCHS = 500
#: Costs are kept every this many epochs (the course's ``costs`` list).
COST_EVERY = 100


@dataclass
class OptimizerRun:
    """One optimizer trained both ways.

    Attributes:
        parameters: the NumPy model's final parameters (course layout).
        costs: NumPy epoch costs every ``COST_EVERY`` epochs.
        keras_model: the trained Keras twin.
        keras_costs: the twin's epoch costs every ``COST_EVERY`` epochs.
    """

    parameters: Parameters
    costs: list[float]
    keras_model: keras.Model
    keras_costs: list[float]


def compare_optimizers(
    X: np.ndarray, Y: np.ndarray, num_epochs: int = EPOCHS, verbose: bool = True,
    checkpoint_dir: Callable[[str], Path | None] | None = None,
) -> dict[str, OptimizerRun]:
    """Train ``scratch.optimization.model`` and its Keras twin with each optimizer.

    Args:
        X: features (2, m); Y: labels (1, m) (course layout).
        num_epochs: epochs of ``MINI_BATCH_SIZE`` mini-batches.
        checkpoint_dir: optimizer name -> the folder its Keras twin saves to and resumes from
            (``RunContext.checkpoint_dir``), or None: no checkpoints. The NumPy models
            (deterministic) are trained again on a re-run.

    Returns:
        ``{"gd": OptimizerRun, "momentum": ..., "adam": ...}``.
    """
    runs = {}
    for name in OPTIMIZERS:
        parameters, costs = scratch.model(X, Y, list(COURSE_LAYER_DIMS), name, LEARNING_RATE, MINI_BATCH_SIZE,
                                          num_epochs=num_epochs, print_cost=False)
        model, history = train_with_course_minibatches(
            X.T, Y.T, lambda name=name: course_optimizer(name, LEARNING_RATE), num_epochs, MINI_BATCH_SIZE,
            verbose=verbose, checkpoint_dir=checkpoint_dir(name) if checkpoint_dir is not None else None,
        )
        runs[name] = OptimizerRun(parameters, [float(c) for c in costs], model,
                                  history.history["loss"][::COST_EVERY])
    return runs


def run(ctx: RunContext) -> PipelineOutput:
    """Train the three optimizers both ways, report accuracies and costs, export the Adam twin."""
    X, Y = load_moons()  # (2, 300), (1, 300)
    runs = compare_optimizers(X, Y, QUICK_EPOCHS if ctx.quick else EPOCHS, verbose=ctx.verbose,
                              checkpoint_dir=ctx.checkpoint_dir)
    return report_and_export(ctx, X, Y, runs)


def report_and_export(ctx: RunContext, X: np.ndarray, Y: np.ndarray, runs: dict[str, OptimizerRun]) -> PipelineOutput:
    """Metrics of :func:`compare_optimizers`' runs on X (2, m), Y (1, m); exports the Adam twin.

    Metrics: ``{gd,momentum,adam}_accuracy`` (NumPy), ``keras_{...}_accuracy``, ``params`` and
    the cost curves ``{...}_costs`` / ``keras_{...}_costs`` (every ``COST_EVERY`` epochs).
    """
    metrics: dict[str, object] = {}
    for name, r in runs.items():
        metrics[f"{name}_accuracy"] = accuracy(scratch.predict(X, Y, r.parameters), Y)
    for name, r in runs.items():
        metrics[f"keras_{name}_accuracy"] = keras_binary_accuracy(r.keras_model, X, Y)
    model = runs["adam"].keras_model
    metrics["params"] = int(model.count_params())
    for name, r in runs.items():
        metrics[f"{name}_costs"] = r.costs
        metrics[f"keras_{name}_costs"] = r.keras_costs
    data_source = {"moons": "generated"}

    return export_binary_classifier(NAME, model, ctx.out_dir, X.T[:8], metrics, data_source)
