"""Pipeline ``gradient_checking``: the course's checks in NumPy, then the same network in TF.

1-D: ``gradient_check(x=2, theta=4)``. N-D: the course's test case (seed 1) through the NumPy
``backward_propagation_n`` (fixed, and the course's planted bugs) and ``gradient_check_n``; then
the same 47 parameters in ``build_mlp([4, 5, 3, 1])``: GradientTape against the NumPy backward
pass (float32 model) and a float64 TF gradient check. Exports the float32 model.
"""

from __future__ import annotations

import numpy as np

from tf_course.basics.mlp import export_binary_classifier, set_course_parameters
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import gradient_checking as gc

from .model import (
    build_gradient_check_model,
    gradient_check_n_test_case,
    tape_gradients,
    tf_gradient_check,
    to_float64,
)

NAME = "gradient_checking"


def run(ctx: RunContext) -> PipelineOutput:
    """Run the NumPy and TF gradient checks, report the differences, export the network.

    Nothing is trained, so quick and full mode are the same run (about a second).
    """
    x, y, parameters = gradient_check_n_test_case()  # x (4, 3), y (3,)
    _, cache = gc.forward_propagation_n(x, y, parameters)
    gradients = gc.backward_propagation_n(x, y, cache)
    buggy_gradients = gc.backward_propagation_n(x, y, cache, buggy=True)

    model = build_gradient_check_model(parameters)
    tape = tape_gradients(model, x, y)
    grad_diff = max(float(np.max(np.abs(tape[key] - gradients[key]))) for key in tape)
    check = tf_gradient_check(set_course_parameters(to_float64(model), parameters), x, y)  # float64 throughout

    metrics = {
        "difference_1d": gc.gradient_check(2, 4),
        "difference_nd": gc.gradient_check_n(parameters, gradients, x, y),
        "difference_nd_buggy": gc.gradient_check_n(parameters, buggy_gradients, x, y),
        "tf_vs_numpy_max_abs_grad_diff": grad_diff,
        "tf_difference_nd": check.difference,
        "params": int(model.count_params()),
    }
    data_source = {"test_case": "generated"}
    return export_binary_classifier(NAME, model, ctx.out_dir, x.T, metrics, data_source)
