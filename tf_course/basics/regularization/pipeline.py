"""Pipeline ``regularization``: goalkeeper data -> baseline / L2 / dropout, NumPy and Keras -> export L2.

Each run trains the course's ``[2, 20, 3, 1]`` network twice, with
:func:`tf_course.scratch.regularization.model` and with a Keras twin that starts from the same
``reg_utils`` initial parameters (full-batch SGD, learning rate 0.3, 30000 iterations):

* baseline: no regularization;
* L2 (``lambd = 0.7``): ``kernel_regularizer=L2(lambd / (2 m))`` on every kernel. With the whole
  training set in one batch the twin's loss is exactly the course's
  ``cross-entropy + lambd / (2 m) * sum ||W||^2`` and its gradient adds ``(lambd / m) W``;
* dropout (``keep_prob = 0.86``): ``Dropout(1 - keep_prob)`` after both hidden ReLUs. The course
  reseeds NumPy with 1 before every forward pass, so it trains with the *same* two masks at every
  iteration (a fixed thinned network); Keras draws fresh masks at every step (real dropout). The
  twin therefore follows a different path and its accuracies differ from the course's, within a
  few points (see the tests).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from tf_course.basics.mlp import export_binary_classifier
from tf_course.basics.twins import (
    TwinRun,
    train_from_course_parameters,
    twin_metrics,
)
from tf_course.data.datasets import load_football_dataset
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import regularization as scratch

NAME = "regularization"
HIDDEN_DIMS = [20, 3]
LEARNING_RATE = 0.3
ITERATIONS = 30000
QUICK_ITERATIONS = 3000
COST_EVERY = 1000  # scratch.model records the cost every 1000 iterations
LAMBD = 0.7
KEEP_PROB = 0.86
RUNS = {"baseline": (0.0, 1.0), "l2": (LAMBD, 1.0), "dropout": (0.0, KEEP_PROB)}  # name: (lambd, keep_prob)
EXPORTED = "l2"


def train_regularization(
    train_X: np.ndarray,
    train_Y: np.ndarray,
    num_iterations: int,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    name: str = NAME,
    verbose: bool = True,
    checkpoint_dir: Path | None = None,
) -> TwinRun:
    """Train the NumPy model and its Keras twin with L2 ``lambd`` or dropout ``keep_prob``.

    Args:
        train_X: (2, m) course layout; train_Y: (1, m).
        num_iterations: gradient-descent iterations for both.
        lambd: L2 strength (the twin uses ``L2(lambd / (2 m))``).
        keep_prob: probability of keeping a hidden unit (the twin uses ``Dropout(1 - keep_prob)``).
        name: the Keras model's name.
        verbose: print the course's costs and show the Keras progress.
        checkpoint_dir: where the Keras twin saves after every 1000 iterations (weights, SGD state,
            the dropout masks' random state, costs) and resumes from (None: no checkpoints); the
            NumPy model (deterministic) is trained again on a re-run.
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # nansum cost, as reg_utils
        parameters, costs = scratch.model(train_X, train_Y, LEARNING_RATE, num_iterations, print_cost=verbose,
                                          lambd=lambd, keep_prob=keep_prob)
    m = train_X.shape[1]
    model, history = train_from_course_parameters(
        scratch.initialize_parameters([train_X.shape[0], *HIDDEN_DIMS, 1]), train_X.T, train_Y.T,
        LEARNING_RATE, num_iterations, l2=lambd / (2 * m), dropout_rate=1.0 - keep_prob,
        name=name, verbose=verbose, steps_per_call=math.gcd(num_iterations, COST_EVERY),
        checkpoint_dir=checkpoint_dir,
    )
    return TwinRun(parameters, costs, model, history)


def run_with_models(ctx: RunContext) -> tuple[PipelineOutput, dict[str, TwinRun]]:
    """:func:`run`, also returning the trained runs (for the notebook's decision boundaries)."""
    (train_X, train_Y, test_X, test_Y), source = load_football_dataset(ctx.data_dir, seed=ctx.seed)  # (2, m), (1, m)
    iterations = QUICK_ITERATIONS if ctx.quick else ITERATIONS
    runs = {
        run_name: train_regularization(train_X, train_Y, iterations, lambd, keep_prob, f"{NAME}_{run_name}",
                                       ctx.verbose, ctx.checkpoint_dir(run_name))
        for run_name, (lambd, keep_prob) in RUNS.items()
    }
    metrics = twin_metrics(runs, {"train": (train_X, train_Y), "test": (test_X, test_Y)}, every=COST_EVERY)
    model = runs[EXPORTED].model
    metrics["params"] = int(model.count_params())
    data_source = {"football": source}

    output = export_binary_classifier(NAME, model, ctx.out_dir, test_X.T[:8], metrics, data_source)
    return output, runs


def run(ctx: RunContext) -> PipelineOutput:
    """Train baseline, L2 and dropout with NumPy and Keras, evaluate, export the L2 twin."""
    return run_with_models(ctx)[0]
