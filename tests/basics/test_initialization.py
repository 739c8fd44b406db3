"""C2W1 initialization: parity of the Keras twin with the NumPy model, the pipeline, the course numbers."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.basics.initialization.pipeline import INITIALIZERS, LAYERS_DIMS, run
from tf_course.basics.mlp import get_course_parameters
from tf_course.basics.twins import (
    build_from_course_parameters,
    layer_dims_of,
    train_from_course_parameters,
)
from tf_course.data.generated import load_circles
from tf_course.pipeline import RunContext
from tf_course.registry import BY_NAME
from tf_course.scratch import deep_nn
from tf_course.scratch import initialization as scratch
from tf_course.train import set_seed

REFERENCE = BY_NAME["initialization"].reference


def _forward_and_gradients(model: keras.Model, X: np.ndarray, Y: np.ndarray):
    """Twin output (1, m), mean binary cross-entropy and course-layout gradients for X (2, m)."""
    with tf.GradientTape() as tape:
        a3 = model(tf.constant(X.T, tf.float32), training=True)  # (m, 1)
        cost = tf.reduce_mean(keras.losses.binary_crossentropy(tf.constant(Y.T, tf.float32), a3))
    grads = tape.gradient(cost, model.trainable_variables)
    by_layer = {}
    for l, (d_kernel, d_bias) in enumerate(zip(grads[::2], grads[1::2]), 1):
        by_layer[f"dW{l}"], by_layer[f"db{l}"] = d_kernel.numpy().T, d_bias.numpy().reshape(-1, 1)
    return a3.numpy().T, float(cost), by_layer


def test_layer_dims_and_parameter_copy():
    params = scratch.initialize_parameters_he(LAYERS_DIMS)
    assert layer_dims_of(params) == [2, 10, 5, 1]
    model = build_from_course_parameters(params, name="twin")
    assert model.count_params() == REFERENCE["params"] == 91  # 2*10+10 + 10*5+5 + 5*1+1
    for key, value in get_course_parameters(model).items():
        np.testing.assert_allclose(value, params[key], atol=1e-7)  # float64 -> float32
    with pytest.raises(ValueError, match="W1"):
        layer_dims_of({"w": np.zeros((1, 2))})


def test_forward_and_gradients_match_numpy_he():
    train_X, train_Y, _, _ = load_circles()
    X, Y = train_X[:, :40], train_Y[:, :40]
    params = scratch.initialize_parameters_he(LAYERS_DIMS)
    a3, cost, grads = _forward_and_gradients(build_from_course_parameters(params), X, Y)
    a3_np, cache = scratch.forward_propagation(X, params)
    grads_np = scratch.backward_propagation(X, Y, cache)
    np.testing.assert_allclose(a3, a3_np, atol=1e-6)
    assert cost == pytest.approx(scratch.compute_loss(a3_np, Y), abs=1e-6)
    for key, value in grads.items():
        np.testing.assert_allclose(value, grads_np[key], atol=1e-5, err_msg=key)


def test_random_x10_init_inf_cost_in_numpy_finite_in_keras_same_gradients():
    """W * 10 saturates the sigmoid: NumPy's nansum cost is inf, Keras computes it from the logits.

    Keras' binary_crossentropy sees that its input came out of a sigmoid and uses the logits
    (``sigmoid_cross_entropy_with_logits``), so nothing is clipped at 1e-7: the cost is large but
    finite and the gradient is exactly ``a3 - y`` as in the course's backward pass.
    """
    train_X, train_Y, _, _ = load_circles()
    params = scratch.initialize_parameters_random(LAYERS_DIMS)
    a3_np, cache = scratch.forward_propagation(train_X, params)
    with np.errstate(divide="ignore", invalid="ignore"):
        assert scratch.compute_loss(a3_np, train_Y) == np.inf
    assert np.any((a3_np == 1.0) | (a3_np == 0.0))  # exactly saturated in float64

    model = build_from_course_parameters(params)
    _, cost, grads = _forward_and_gradients(model, train_X, train_Y)
    assert math.isfinite(cost) and cost > 100
    grads_np = scratch.backward_propagation(train_X, train_Y, cache)
    for key, value in grads.items():  # entries up to ~1e2; float32 relative rounding
        np.testing.assert_allclose(value, grads_np[key], rtol=1e-4, atol=1e-3, err_msg=key)


@pytest.mark.parametrize("steps_per_call", [1, 50])
def test_training_matches_numpy_training_he(steps_per_call):
    train_X, train_Y, _, _ = load_circles()
    start = scratch.initialize_parameters_he(LAYERS_DIMS)
    params_np, costs_np = deep_nn.train_full_batch(train_X, train_Y, start, 0.01, 300, output_grad="dZ",
                                                   ignore_nan=True, record_every=50)
    model, history = train_from_course_parameters(start, train_X.T, train_Y.T, 0.01, 300, verbose=False,
                                                  steps_per_call=steps_per_call)
    assert history.epoch == list(range(0, 300, steps_per_call))
    np.testing.assert_allclose(history.history["loss"][::50 // steps_per_call], costs_np, atol=1e-5)
    for key, value in get_course_parameters(model).items():
        np.testing.assert_allclose(value, params_np[key], atol=1e-4, err_msg=key)
    with pytest.raises(ValueError, match="steps_per_call"):
        train_from_course_parameters(start, train_X.T, train_Y.T, 0.01, 300, verbose=False, steps_per_call=7)


def test_pipeline_quick(tmp_path):
    set_seed(0)
    out = run(RunContext(data_dir=None, out_dir=tmp_path, quick=True, verbose=False))
    accuracy_keys = {k for k in out.metrics if k.endswith("_accuracy")}
    assert accuracy_keys | {"params"} == set(REFERENCE)
    assert out.metrics["params"] == 91
    assert out.data_source == {"circles": "generated"}
    assert out.metrics["random_costs"][0] is None  # inf at iteration 0, stored as None
    assert len(out.metrics["keras_random_costs"]) == len(out.metrics["random_costs"]) == 3  # 0, 1000, 2000
    assert out.metrics["he_costs"][0] == pytest.approx(0.8830537463419761, abs=1e-12)
    np.testing.assert_allclose(out.metrics["keras_he_costs"], out.metrics["he_costs"], atol=1e-5)
    for init in INITIALIZERS:  # 3000 iterations: the twins agree with NumPy already
        for split in ("train", "test"):
            key = f"{init}_{split}_accuracy"
            assert out.metrics[f"keras_{key}"] == pytest.approx(out.metrics[key], abs=0.03)

    serve = tf.saved_model.load(out.exports[0]).signatures["serving_default"]
    _, _, test_X, _ = load_circles()
    probability = serve(features=tf.constant(test_X.T[:5], tf.float32))["probability"].numpy()
    assert probability.shape == (5,) and np.all((probability >= 0) & (probability <= 1))


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """The full pipeline (15000 iterations x 3 inits x NumPy and Keras), run once."""
    set_seed(0)
    return run(RunContext(data_dir=None, out_dir=tmp_path_factory.mktemp("saved_models"), verbose=False))


@pytest.mark.slow
@pytest.mark.parametrize("init", list(INITIALIZERS))
def test_course_numbers(full_run, init):
    metrics = full_run.metrics
    for split in ("train", "test"):
        key = f"{init}_{split}_accuracy"
        assert metrics[key] == pytest.approx(REFERENCE[key], abs=1e-12)  # generated data: exact
        assert metrics[f"keras_{key}"] == pytest.approx(REFERENCE[key], abs=0.03)
    assert len(metrics[f"{init}_costs"]) == len(metrics[f"keras_{init}_costs"]) == 15


@pytest.mark.slow
def test_course_costs(full_run):
    metrics = full_run.metrics
    assert metrics["zeros_costs"] == [pytest.approx(math.log(2), abs=1e-12)] * 15
    np.testing.assert_allclose(metrics["keras_zeros_costs"], math.log(2), atol=1e-6)
    assert metrics["he_costs"][0] == pytest.approx(0.8830537463419761, abs=1e-12)
    assert metrics["he_costs"][14] == pytest.approx(0.07357895962677362, abs=1e-6)
    assert metrics["keras_he_costs"][0] == pytest.approx(0.8830537463419761, abs=1e-6)
    assert metrics["keras_he_costs"][14] == pytest.approx(0.07357895962677362, abs=1e-3)
    # x10 init: inf (NumPy) against a finite logit cost (Keras) at 0, the same curve afterwards
    # (0.018 apart at 7000, in the middle of the steep drop from 0.54 to 0.40; 5e-4 elsewhere)
    assert metrics["random_costs"][0] is None and metrics["keras_random_costs"][0] > 100
    np.testing.assert_allclose(metrics["keras_random_costs"][1:], metrics["random_costs"][1:], atol=0.025)
    assert metrics["keras_random_costs"][14] == pytest.approx(metrics["random_costs"][14], abs=1e-3)
    np.testing.assert_allclose(metrics["random_costs"][14], 0.38275100578285265, atol=1e-3)
