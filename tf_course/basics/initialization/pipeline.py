"""Pipeline ``initialization``: circles -> zeros / random x10 / He, NumPy and Keras twin -> export He.

Each initialization trains the course's ``[2, 10, 5, 1]`` network twice, with
:func:`tf_course.scratch.initialization.model` and with a Keras twin that starts from the very same
initial parameters (full-batch SGD, learning rate 0.01, 15000 iterations).

The large random init (``W * 10``) saturates the output sigmoid: in float64 some ``a3`` are
exactly 0 or 1, so the NumPy cost (``nansum`` of ``log``) is ``inf`` at iteration 0. The twin's
loss is computed from the logits (Keras unwraps the sigmoid's input), so it reports a large but
finite cost there; the gradients are ``a3 - y`` in both, and from iteration 1000 on the two cost
curves agree (to 1e-3, except in the steep drop around iteration 7000).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from tf_course.basics.mlp import export_binary_classifier
from tf_course.basics.twins import TwinRun, train_from_course_parameters, twin_metrics
from tf_course.data.generated import load_circles
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import initialization as scratch

NAME = "initialization"
LAYERS_DIMS = [2, 10, 5, 1]
LEARNING_RATE = 0.01
ITERATIONS = 15000
QUICK_ITERATIONS = 3000
COST_EVERY = 1000  # scratch.model records the cost every 1000 iterations
INITIALIZERS = {
    "zeros": scratch.initialize_parameters_zeros,
    "random": scratch.initialize_parameters_random,
    "he": scratch.initialize_parameters_he,
}
EXPORTED = "he"


def train_initialization(
    initialization: str, train_X: np.ndarray, train_Y: np.ndarray, num_iterations: int, verbose: bool = True,
    checkpoint_dir: Path | None = None,
) -> TwinRun:
    """Train the NumPy model and its Keras twin from ``initialization``'s parameters.

    Args:
        initialization: ``"zeros"``, ``"random"`` or ``"he"``.
        train_X: (2, m) course layout; train_Y: (1, m).
        num_iterations: gradient-descent iterations for both.
        verbose: print the course's costs and show the Keras progress.
        checkpoint_dir: where the Keras twin saves after every 1000 iterations and resumes from
            (None: no checkpoints); the NumPy model (deterministic) is trained again on a re-run.
    """
    if initialization not in INITIALIZERS:
        raise ValueError(f"initialization must be one of {sorted(INITIALIZERS)}, got {initialization!r}")
    with np.errstate(divide="ignore", invalid="ignore"):  # x10 init: log(0) gives the course's inf cost
        parameters, costs = scratch.model(train_X, train_Y, LEARNING_RATE, num_iterations, print_cost=verbose,
                                          initialization=initialization)
    model, history = train_from_course_parameters(
        INITIALIZERS[initialization](LAYERS_DIMS), train_X.T, train_Y.T, LEARNING_RATE, num_iterations,
        name=f"{NAME}_{initialization}", verbose=verbose, steps_per_call=math.gcd(num_iterations, COST_EVERY),
        checkpoint_dir=checkpoint_dir,
    )
    return TwinRun(parameters, costs, model, history)


def run_with_models(ctx: RunContext) -> tuple[PipelineOutput, dict[str, TwinRun]]:
    """:func:`run`, also returning the trained runs (for the notebook's decision boundaries)."""
    train_X, train_Y, test_X, test_Y = load_circles()  # (2, 300), (1, 300), (2, 100), (1, 100)
    iterations = QUICK_ITERATIONS if ctx.quick else ITERATIONS
    runs = {init: train_initialization(init, train_X, train_Y, iterations, ctx.verbose, ctx.checkpoint_dir(init))
            for init in INITIALIZERS}
    metrics = twin_metrics(runs, {"train": (train_X, train_Y), "test": (test_X, test_Y)}, every=COST_EVERY)
    model = runs[EXPORTED].model
    metrics["params"] = int(model.count_params())
    data_source = {"circles": "generated"}

    output = export_binary_classifier(NAME, model, ctx.out_dir, test_X.T[:8], metrics, data_source)
    return output, runs


def run(ctx: RunContext) -> PipelineOutput:
    """Train the three initializations with NumPy and Keras, evaluate, export the He twin."""
    return run_with_models(ctx)[0]
