"""C2W1 regularization: L2 and dropout parity of the Keras twin with the NumPy model, the pipeline,
the course numbers on data.mat."""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.basics.mlp import get_course_parameters
from tf_course.basics.regularization.pipeline import KEEP_PROB, LAMBD, RUNS, run
from tf_course.basics.twins import build_from_course_parameters, train_from_course_parameters
from tf_course.data.course_files import ENV_VAR
from tf_course.pipeline import RunContext
from tf_course.registry import BY_NAME
from tf_course.scratch import deep_nn
from tf_course.scratch import regularization as scratch
from tf_course.train import set_seed

REFERENCE = BY_NAME["regularization"].reference
LAYERS_DIMS = [2, 20, 3, 1]


def _toy(m: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """X (2, m), Y (1, m) and reg_utils parameters with non-zero biases."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, m))
    Y = (X[0:1] * X[1:2] + 0.3 * rng.normal(size=(1, m)) > 0).astype(float)
    params = scratch.initialize_parameters(LAYERS_DIMS)
    for l in (1, 2, 3):
        params[f"b{l}"] = 0.1 * rng.normal(size=params[f"b{l}"].shape)
    return X, Y, params


def _course_layout(grads: list[tf.Tensor]) -> dict[str, np.ndarray]:
    """[d kernel_1, d bias_1, ...] -> ``dW{l}`` (n[l], n[l-1]), ``db{l}`` (n[l], 1)."""
    out = {}
    for l, (d_kernel, d_bias) in enumerate(zip(grads[::2], grads[1::2]), 1):
        out[f"dW{l}"], out[f"db{l}"] = d_kernel.numpy().T, d_bias.numpy().reshape(-1, 1)
    return out


def test_l2_cost_and_gradients_match_numpy():
    X, Y, params = _toy()
    m = X.shape[1]
    model = build_from_course_parameters(params, l2=LAMBD / (2 * m))
    with tf.GradientTape() as tape:
        a3 = model(tf.constant(X.T, tf.float32), training=True)  # (m, 1)
        cross_entropy = tf.reduce_mean(keras.losses.binary_crossentropy(tf.constant(Y.T, tf.float32), a3))
        cost = cross_entropy + tf.add_n(model.losses)  # the three kernel penalties
    grads = _course_layout(tape.gradient(cost, model.trainable_variables))

    a3_np, cache = scratch.forward_propagation(X, params)
    np.testing.assert_allclose(a3.numpy().T, a3_np, atol=1e-6)
    assert len(model.losses) == 3  # kernels only, as the course (no bias penalty)
    assert float(cost) == pytest.approx(scratch.compute_cost_with_regularization(a3_np, Y, params, LAMBD), abs=1e-5)
    grads_np = scratch.backward_propagation_with_regularization(X, Y, cache, LAMBD)
    for key, value in grads.items():
        np.testing.assert_allclose(value, grads_np[key], atol=1e-5, err_msg=key)


@pytest.mark.parametrize("steps_per_call", [1, 50])
def test_l2_training_matches_numpy_training(steps_per_call):
    """The twin's first cost is the course's regularized cost; 300 iterations stay in step.

    With one step per call the cost is the trainer's own training loss (cross-entropy plus
    ``model.losses``); with 50 it is :func:`course_cost` every 50 iterations.
    """
    X, Y, params = _toy(m=60, seed=1)
    m = X.shape[1]
    params_np, costs_np = deep_nn.train_full_batch(X, Y, params, 0.3, 300, output_grad="dZ", ignore_nan=True,
                                                   lambd=LAMBD, record_every=50)
    a3, _ = scratch.forward_propagation(X, params)
    assert costs_np[0] == pytest.approx(scratch.compute_cost_with_regularization(a3, Y, params, LAMBD), abs=1e-12)
    model, history = train_from_course_parameters(params, X.T, Y.T, 0.3, 300, l2=LAMBD / (2 * m), verbose=False,
                                                  steps_per_call=steps_per_call)
    np.testing.assert_allclose(history.history["loss"][::50 // steps_per_call], costs_np, atol=1e-5)
    for key, value in get_course_parameters(model).items():
        np.testing.assert_allclose(value, params_np[key], atol=1e-4, err_msg=key)


def test_dropout_twin_without_dropout_is_the_plain_forward():
    X, _, params = _toy()
    model = build_from_course_parameters(params, dropout_rate=1 - KEEP_PROB)
    a3_np, _ = scratch.forward_propagation(X, params)
    for a3 in (model(tf.constant(X.T, tf.float32), training=False), model.predict(X.T, verbose=0)):
        np.testing.assert_allclose(np.asarray(a3).T, a3_np, atol=1e-6)


def test_dropout_gradients_match_numpy_with_the_same_masks():
    """Keras' Dropout is the course's inverted dropout: A * D / keep_prob, and the same gradients.

    The masks Keras draws are read back from the layer outputs and given to the course's
    ``backward_propagation_with_dropout``.
    """
    X, Y, params = _toy(m=200)
    model = build_from_course_parameters(params, dropout_rate=1 - KEEP_PROB)
    names = ["layer_1", "dropout_1", "layer_2", "dropout_2"]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names] + [model.output])
    with tf.GradientTape() as tape:
        A1, A1_dropped, A2, A2_dropped, a3 = probe(tf.constant(X.T, tf.float32), training=True)
        cost = tf.reduce_mean(keras.losses.binary_crossentropy(tf.constant(Y.T, tf.float32), a3))
    grads = _course_layout(tape.gradient(cost, model.trainable_variables))

    masks = []
    for A, dropped in ((A1, A1_dropped), (A2, A2_dropped)):
        A, dropped = A.numpy().T, dropped.numpy().T  # (n_l, m)
        kept = A > 0
        np.testing.assert_allclose(dropped[kept & (dropped != 0)], A[kept & (dropped != 0)] / KEEP_PROB, rtol=1e-6)
        masks.append(np.where(kept, dropped != 0, 1).astype(int))  # D is irrelevant where relu is 0
    dropped_fraction = 1 - np.mean(np.concatenate([d[a.numpy().T > 0] for d, a in zip(masks, (A1, A2))]))
    assert 0.07 < dropped_fraction < 0.21  # about 1 - keep_prob = 0.14

    # the course's forward with these masks, in its cache layout
    W, b = [params[f"W{l}"] for l in (1, 2, 3)], [params[f"b{l}"] for l in (1, 2, 3)]
    Z1 = W[0] @ X + b[0]
    A1_np = np.maximum(Z1, 0) * masks[0] / KEEP_PROB
    Z2 = W[1] @ A1_np + b[1]
    A2_np = np.maximum(Z2, 0) * masks[1] / KEEP_PROB
    Z3 = W[2] @ A2_np + b[2]
    A3_np = 1 / (1 + np.exp(-Z3))
    np.testing.assert_allclose(a3.numpy().T, A3_np, atol=1e-6)
    cache = (Z1, masks[0], A1_np, W[0], b[0], Z2, masks[1], A2_np, W[1], b[1], Z3, A3_np, W[2], b[2])
    grads_np = scratch.backward_propagation_with_dropout(X, Y, cache, KEEP_PROB)
    for key, value in grads.items():
        np.testing.assert_allclose(value, grads_np[key], atol=1e-5, err_msg=key)


def test_pipeline_quick(tmp_path):
    set_seed(0)
    out = run(RunContext(data_dir=None, out_dir=tmp_path, quick=True, verbose=False))
    accuracy_keys = {k for k in out.metrics if k.endswith("_accuracy")}
    assert accuracy_keys | {"params"} == set(REFERENCE)
    assert out.metrics["params"] == 127  # 2*20+20 + 20*3+3 + 3*1+1
    assert out.data_source == {"football": "synthetic"}
    # same start, same regularized cost (the Keras L2 penalty is lambd / (2 m) sum W^2)
    assert out.metrics["keras_l2_costs"][0] == pytest.approx(out.metrics["l2_costs"][0], abs=1e-6)
    assert out.metrics["keras_baseline_costs"][0] == pytest.approx(out.metrics["baseline_costs"][0], abs=1e-6)
    for name in ("baseline", "l2"):
        for split in ("train", "test"):
            key = f"{name}_{split}_accuracy"
            assert out.metrics[f"keras_{key}"] == pytest.approx(out.metrics[key], abs=0.03)

    serve = tf.saved_model.load(out.exports[0]).signatures["serving_default"]
    probability = serve(features=tf.constant([[0.0, 0.0], [0.3, -0.2], [-0.5, 0.4]], tf.float32))["probability"]
    assert probability.shape == (3,) and np.all((probability.numpy() >= 0) & (probability.numpy() <= 1))


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """The full pipeline on data.mat (30000 iterations x 3 runs x NumPy and Keras), run once."""
    data_dir = Path(os.environ.get(ENV_VAR, ""))
    if not (data_dir / "datasets" / "data.mat").is_file():
        pytest.skip(f"needs datasets/data.mat under ${ENV_VAR}")
    set_seed(0)
    out = run(RunContext(data_dir=data_dir, out_dir=tmp_path_factory.mktemp("saved_models"), verbose=False))
    assert out.data_source == {"football": "course"}
    return out.metrics


@pytest.mark.slow
@pytest.mark.course_data
@pytest.mark.parametrize("name", list(RUNS))
def test_course_accuracies(full_run, name):
    for split in ("train", "test"):
        key = f"{name}_{split}_accuracy"
        assert full_run[key] == pytest.approx(REFERENCE[key], abs=0.005)  # NumPy: exact on this machine
        # Keras dropout draws fresh masks each step (the course reuses one fixed mask): seeds 0-3
        # gave train 0.948-0.953 and test 0.925-0.945 against the course's 0.929 / 0.95.
        assert full_run[f"keras_{key}"] == pytest.approx(REFERENCE[key], abs=0.03)


@pytest.mark.slow
@pytest.mark.course_data
def test_course_costs(full_run):
    course = {"baseline": (0.6557412523481002, 0.16329987525724213, 0.13851642423245572),
              "l2": (0.6974484493131264, 0.26849188732822393, 0.2680916337127301),
              "dropout": (0.6543912405149825, 0.0610169865749056, 0.060582435798513114)}
    for name, costs in course.items():
        np.testing.assert_allclose(full_run[f"{name}_costs"][::10], costs, rtol=1e-6, err_msg=name)
    for name in ("baseline", "l2"):  # same start: the same first cost (L2 penalty included)
        assert full_run[f"keras_{name}_costs"][0] == pytest.approx(course[name][0], abs=1e-6)
    assert full_run["keras_l2_costs"][-1] == pytest.approx(full_run["l2_costs"][-1], abs=1e-3)
