"""Pipeline ``planar_classification``: flower data -> NumPy ``nn_model`` and Keras twin -> sweep -> export.

The NumPy model is the course's ``nn_model(X, Y, n_h=4)`` (learning rate 1.2, 10000 iterations);
the twin starts from the same seed-2 parameters and takes the same full-batch steps. The course's
hidden-layer-size experiment (5000 iterations per size) is reported as ``accuracy_by_hidden_size``
with the sizes as string keys (JSON). All accuracies are training accuracies, as in the course.
"""

from __future__ import annotations

import keras

from tf_course.basics.mlp import export_binary_classifier, keras_binary_accuracy
from tf_course.data.generated import load_planar_dataset
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import planar
from tf_course.scratch.deep_nn import Parameters
from tf_course.scratch.metrics import accuracy

from .model import train_planar_classifier

NAME = "planar_classification"
N_H = 4
LEARNING_RATE = 1.2
ITERATIONS = 10000
QUICK_ITERATIONS = 1000
SWEEP_ITERATIONS = 5000
QUICK_SWEEP_ITERATIONS = 300
COST_EVERY = 1000


def run_with_models(ctx: RunContext) -> tuple[PipelineOutput, Parameters, keras.Model]:
    """:func:`run`, also returning the trained NumPy parameters and Keras twin (for decision boundaries)."""
    X, Y = load_planar_dataset()  # (2, 400), (1, 400)
    iterations = QUICK_ITERATIONS if ctx.quick else ITERATIONS

    parameters, costs = planar.nn_model(X, Y, N_H, iterations, print_cost=ctx.verbose, return_costs=True)
    sweep = planar.hidden_layer_sweep(X, Y, num_iterations=QUICK_SWEEP_ITERATIONS if ctx.quick else SWEEP_ITERATIONS)
    initial = planar.initialize_parameters(X.shape[0], N_H, Y.shape[0])  # nn_model's seed-2 starting point
    model, history = train_planar_classifier(initial, X.T, Y.T, iterations, LEARNING_RATE, verbose=ctx.verbose)
    metrics = {
        "accuracy": accuracy(planar.predict(parameters, X), Y),
        "costs": [float(c) for c in costs],
        "keras_accuracy": keras_binary_accuracy(model, X, Y),
        "keras_costs": history.history["loss"][::COST_EVERY],
        "accuracy_by_hidden_size": {str(n_h): value for n_h, value in sweep.items()},
        "params": int(model.count_params()),
    }
    data_source = {"planar": "generated"}

    output = export_binary_classifier(NAME, model, ctx.out_dir, X.T[:8], metrics, data_source)
    return output, parameters, model


def run(ctx: RunContext) -> PipelineOutput:
    """Train both implementations with the course's settings, run the sweep, export the Keras twin."""
    return run_with_models(ctx)[0]
