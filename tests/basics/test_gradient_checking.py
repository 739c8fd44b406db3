"""C2W1 gradient checking: the TF twin's gradients against the NumPy backward pass, a float64
TF gradient check, and the pipeline's course numbers (nothing is trained: one mode)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from numpy.testing import assert_allclose

from tests.helpers import assert_served_export
from tf_course.basics.gradient_checking.model import (
    build_gradient_check_model,
    gradient_check_n_test_case,
    tape_gradients,
    tf_cost,
    tf_gradient_check,
    to_float64,
)
from tf_course.basics.mlp import set_course_parameters
from tf_course.registry import BY_NAME
from tf_course.scratch import deep_nn
from tf_course.scratch import gradient_checking as gc

GRAD_KEYS = ["dW1", "db1", "dW2", "db2", "dW3", "db3"]


@pytest.fixture(scope="module")
def case():
    x, y, parameters = gradient_check_n_test_case()
    cost, cache = gc.forward_propagation_n(x, y, parameters)
    return x, y, parameters, cost, cache


def test_test_case_is_the_course_draw(case):
    x, y, parameters, _, _ = case
    np.random.seed(1)  # the course's testCases.gradient_check_n_test_case
    assert_allclose(x, np.random.randn(4, 3), rtol=0)
    assert x[0, 0] == pytest.approx(1.62434536, abs=1e-8)  # randn after seed 1 starts 1.62434536
    for key, shape in gc.COURSE_SHAPES.items():
        assert_allclose(parameters[key], np.random.randn(*shape), rtol=0, err_msg=key)
    np.testing.assert_array_equal(y, [1, 1, 0])


def test_float32_twin_forward_and_tape_gradients_match_numpy(case):
    x, y, parameters, cost, cache = case
    model = build_gradient_check_model(parameters)
    assert model.count_params() == 47
    AL, _, _ = deep_nn.forward_pass(x, parameters, "relu")
    assert_allclose(model(tf.constant(x.T, tf.float32)).numpy().T, AL, atol=1e-6)
    assert float(tf_cost(model, x, y)) == pytest.approx(cost, abs=1e-6)
    tape = tape_gradients(model, x, y)
    numpy_grads = gc.backward_propagation_n(x, y, cache)
    for key in GRAD_KEYS:
        assert tape[key].shape == numpy_grads[key].shape
        assert_allclose(tape[key], numpy_grads[key], atol=1e-5, err_msg=key)


def _float64_model(parameters):
    """The float64 twin holding the course's float64 parameters (no float32 rounding)."""
    return set_course_parameters(to_float64(build_gradient_check_model()), parameters)


def test_float64_clone_matches_numpy_to_rounding(case):
    x, y, parameters, cost, cache = case
    rounded = to_float64(build_gradient_check_model(parameters))  # float32 parameters, float64 maths
    assert {w.dtype for w in rounded.weights} == {"float64"}
    assert [layer.name for layer in rounded.layers] == ["features", "layer_1", "layer_2", "layer_3"]
    assert float(tf_cost(rounded, x, y)) == pytest.approx(cost, rel=1e-7)
    model = _float64_model(parameters)
    assert float(tf_cost(model, x, y)) == pytest.approx(cost, rel=1e-13)
    tape = tape_gradients(model, x, y)
    numpy_grads = gc.backward_propagation_n(x, y, cache)
    for key in GRAD_KEYS:
        assert_allclose(tape[key], numpy_grads[key], atol=1e-13, err_msg=key)


def test_tf_gradient_check_passes_and_catches_the_course_bugs(case):
    x, y, parameters, _, cache = case
    model = _float64_model(parameters)
    before = [w.copy() for w in model.get_weights()]
    check = tf_gradient_check(model, x, y)
    for w, w0 in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, w0)  # weights restored
    assert check.grad.shape == check.gradapprox.shape == (47, 1)
    assert check.keys[0] == "W1" and check.keys[-1] == "b3"
    assert check.difference < 2e-7  # the course's threshold
    # TF's finite differences against the NumPy backward passes: the course's two differences
    fixed = gc.gradients_to_vector(gc.backward_propagation_n(x, y, cache))
    buggy = gc.gradients_to_vector(gc.backward_propagation_n(x, y, cache, buggy=True))
    assert_allclose(check.grad, fixed, atol=1e-13)

    def difference(grad):
        return np.linalg.norm(grad - check.gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(check.gradapprox))

    assert difference(fixed) < 2e-7
    assert difference(buggy) == pytest.approx(0.2850931567761624, rel=1e-6)


def test_tf_gradient_check_needs_float64(case):
    x, y, parameters, _, _ = case
    with pytest.raises(ValueError, match="float64"):
        tf_gradient_check(build_gradient_check_model(parameters), x, y)


def test_pipeline_course_numbers(tmp_path, case):
    from tf_course.basics.gradient_checking.pipeline import run
    from tf_course.pipeline import RunContext

    x, _, parameters, _, _ = case
    out = run(RunContext(data_dir=None, out_dir=tmp_path, quick=True, verbose=False))
    reference = BY_NAME["gradient_checking"].reference
    metrics = out.metrics
    assert set(reference) <= set(metrics)
    assert out.data_source == {"test_case": "generated"}
    assert metrics["difference_1d"] == pytest.approx(2.919335883291695e-10, rel=1e-6)
    # ~1e-7 is finite-difference rounding noise: it moves by ~1e-5 (relative) between BLAS kernels
    assert metrics["difference_nd"] == pytest.approx(reference["difference_nd"], rel=1e-3)
    assert metrics["difference_nd_buggy"] == pytest.approx(0.2850931567761624, rel=1e-9)
    assert metrics["params"] == reference["params"] == 47
    assert metrics["tf_difference_nd"] < 2e-7
    assert 0 < metrics["tf_vs_numpy_max_abs_grad_diff"] < 1e-5

    AL, _, _ = deep_nn.forward_pass(x, parameters, "relu")  # (1, 3)
    served = assert_served_export(out.exports[0], {"serving_default": ({"features": x.T.astype(np.float32)},
                                                                       {"probability": AL[0]})}, atol=1e-6)
    assert served["serving_default"]["probability"].shape == (3,)
