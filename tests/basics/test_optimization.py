"""C2W2 optimization: Keras optimizers against the course's update rules, training parity,
the pipeline in quick mode and the course's accuracies in full mode."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from numpy.testing import assert_allclose

from tf_course.basics.mlp import get_course_parameters
from tf_course.basics.optimization.model import (
    COURSE_LAYER_DIMS,
    CourseLearningRateDecay,
    build_course_model,
    course_optimizer,
    course_permutations,
    train_with_course_minibatches,
)
from tf_course.data.generated import load_moons
from tf_course.registry import BY_NAME
from tf_course.scratch import optimization as opt
from tf_course.scratch.nn_utils import backward_propagation, forward_propagation

SHAPES = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 3), "b2": (3, 1)}


def _course_case() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The course's update test case: seed 1, W1, b1, W2, b2, then dW1, db1, dW2, db2."""
    rng = np.random.RandomState(1)
    parameters = {k: rng.randn(*s) for k, s in SHAPES.items()}
    grads = {"d" + k: rng.randn(*s) for k, s in SHAPES.items()}
    return parameters, grads


def _keras_step(optimizer: keras.optimizers.Optimizer, parameters, grads, steps_done: int = 0):
    """One ``apply_gradients`` on float32 variables holding ``parameters`` (course layout)."""
    variables = [keras.Variable(parameters[k].astype("float32"), name=k) for k in SHAPES]
    optimizer.build(variables)
    optimizer.iterations.assign(steps_done)  # the step count t - 1 the update starts from
    optimizer.apply_gradients([(tf.constant(grads["d" + k], tf.float32), v) for k, v in zip(SHAPES, variables)])
    return {k: v.numpy() for k, v in zip(SHAPES, variables)}


def _assert_params(got, expected, atol=1e-6):
    for key in SHAPES:
        assert_allclose(got[key], expected[key], atol=atol, rtol=0, err_msg=key)


def test_sgd_step_is_update_parameters_with_gd():
    parameters, grads = _course_case()
    got = _keras_step(course_optimizer("gd", 0.01), parameters, grads)
    _assert_params(got, opt.update_parameters_with_gd(parameters, grads, 0.01))
    assert_allclose(got["W1"][0], [1.63535156, -0.62320365, -0.53718766], atol=1e-6)  # the course's printout


def test_sgd_momentum_step_is_update_parameters_with_momentum():
    parameters, grads = _course_case()
    optimizer = course_optimizer("momentum", 0.01, beta=0.9)
    assert optimizer.learning_rate.numpy() == pytest.approx(0.01 * (1 - 0.9))  # lr_keras = alpha (1 - beta)
    got = _keras_step(optimizer, parameters, grads)
    expected, v = opt.update_parameters_with_momentum(parameters, grads, opt.initialize_velocity(parameters), 0.9, 0.01)
    _assert_params(got, expected)
    assert_allclose(got["b2"][:, 0], [-0.87809283, 0.04055394, 0.58207317], atol=1e-6)
    # Keras' momentum buffer u is -alpha v
    for key, u in zip(SHAPES, optimizer.momentums):
        assert_allclose(u.numpy(), -0.01 * v["d" + key], atol=1e-8, err_msg=key)


def test_two_momentum_steps_stay_equal():
    parameters, grads = _course_case()
    optimizer = course_optimizer("momentum", 0.01, beta=0.9)
    variables = [keras.Variable(parameters[k].astype("float32")) for k in SHAPES]
    v = opt.initialize_velocity(parameters)
    for scale in (1.0, -0.5):  # a second, different gradient
        g = {k: scale * val for k, val in grads.items()}
        optimizer.apply_gradients([(tf.constant(g["d" + k], tf.float32), var) for k, var in zip(SHAPES, variables)])
        parameters, v = opt.update_parameters_with_momentum(parameters, g, v, 0.9, 0.01)
    _assert_params({k: var.numpy() for k, var in zip(SHAPES, variables)}, parameters)


@pytest.mark.parametrize("t", [1, 2])
def test_adam_step_is_update_parameters_with_adam(t):
    parameters, grads = _course_case()
    optimizer = course_optimizer("adam", 0.01, beta1=0.9, beta2=0.999, epsilon=1e-8)
    got = _keras_step(optimizer, parameters, grads, steps_done=t - 1)
    v, s = opt.initialize_adam(parameters)
    expected, v, s = opt.update_parameters_with_adam(parameters, grads, v, s, t, 0.01, 0.9, 0.999, 1e-8)
    _assert_params(got, expected)
    if t == 2:  # the course's printed test (t=2 with zero moments)
        assert_allclose(got["W1"][0], [1.63178673, -0.61919778, -0.53561312], atol=1e-6)
    # Keras' moments are the course's v and s
    for key, m_k, v_k in zip(SHAPES, optimizer._momentums, optimizer._velocities):
        assert_allclose(m_k.numpy(), v["d" + key], atol=1e-7, err_msg=key)
        assert_allclose(v_k.numpy(), s["d" + key], atol=1e-9, rtol=1e-5, err_msg=key)


def test_course_optimizer_rejects_unknown_name():
    with pytest.raises(ValueError, match="rmsprop"):
        course_optimizer("rmsprop")  # type: ignore[arg-type]


def test_inverse_time_decay_gives_update_lr():
    # update_lr(0.5, 2, 1) = 0.5 / 3 (course value 0.16666666666666666)
    for lr0, epoch, rate in [(0.5, 2, 1), (1, 2, 1), (0.0007, 137, 0.3)]:
        schedule = keras.optimizers.schedules.InverseTimeDecay(lr0, decay_steps=1, decay_rate=rate)
        assert float(schedule(epoch)) == pytest.approx(opt.update_lr(lr0, epoch, rate), rel=1e-6)


@pytest.mark.parametrize("lr0, epoch, rate, interval, expected", [
    (0.5, 100, 1, 100, 0.25), (0.5, 10, 1, 100, 0.5), (0.3, 1000, 0.25, 100, 0.085714285714285714),
    (0.3, 100, 0.25, 100, 0.24), (0.5, 100, 0.3, 100, 0.3846153846153846),
])
def test_staircase_inverse_time_decay_gives_schedule_lr_decay(lr0, epoch, rate, interval, expected):
    schedule = keras.optimizers.schedules.InverseTimeDecay(lr0, decay_steps=interval, decay_rate=rate,
                                                           staircase=True)
    assert opt.schedule_lr_decay(lr0, epoch, rate, interval) == pytest.approx(expected, rel=1e-12)
    assert float(schedule(epoch)) == pytest.approx(expected, rel=1e-6)


def test_course_learning_rate_decay_per_step():
    """Step k of epoch e = k // 5 uses the rate the course sets after epoch e - 1."""
    per_step = CourseLearningRateDecay(0.3, 0.25, steps_per_epoch=5, time_interval=100)
    smooth = CourseLearningRateDecay(0.5, 1.0, steps_per_epoch=5)
    for step in [0, 4, 5, 9, 10, 499, 500, 504, 505, 5000, 5004, 5005]:
        epoch = step // 5
        used = 0.3 if epoch == 0 else opt.schedule_lr_decay(0.3, epoch - 1, 0.25, 100)
        assert float(per_step(step)) == pytest.approx(used, rel=1e-6), step
        used = 0.5 if epoch == 0 else opt.update_lr(0.5, epoch - 1, 1.0)
        assert float(smooth(step)) == pytest.approx(used, rel=1e-6), step
    restored = CourseLearningRateDecay.from_config(per_step.get_config())
    assert float(restored(777)) == float(per_step(777))


def test_course_permutations_are_random_mini_batches_columns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 150))
    Y = (rng.random((1, 150)) > 0.5).astype(float)
    orders = course_permutations(150, 3, mini_batch_size=64)
    assert orders.shape == (3, 150) and orders.dtype == np.int32
    for e in range(3):
        batches = opt.random_mini_batches(X, Y, 64, seed=11 + e)
        starts = [0, 64, 128]
        for (batch_X, batch_Y), start in zip(batches, starts, strict=True):
            idx = orders[e, start : start + 64]
            np.testing.assert_array_equal(X[:, idx], batch_X)
            np.testing.assert_array_equal(Y[:, idx], batch_Y)


def test_twin_starts_at_course_parameters_forward_and_gradients():
    X, Y = load_moons()
    X, Y = X[:, :64], Y[:, :64]
    model = build_course_model()
    parameters = opt.initialize_parameters(list(COURSE_LAYER_DIMS))
    for key, value in get_course_parameters(model).items():
        assert_allclose(value, parameters[key], atol=1e-7, err_msg=key)
    a3, cache = forward_propagation(X, parameters)
    grads = backward_propagation(X, Y, cache)
    with tf.GradientTape() as tape:
        out = model(tf.constant(X.T, tf.float32))  # (m, 1)
        cost = tf.reduce_mean(keras.losses.binary_crossentropy(tf.constant(Y.T, tf.float32), out))
    assert_allclose(out.numpy().T, a3, atol=1e-6)
    assert float(cost) == pytest.approx(opt.compute_cost(a3, Y) / 64, abs=1e-6)
    tape_grads = tape.gradient(cost, model.trainable_variables)  # kernel_1, bias_1, kernel_2, ...
    for l in range(1, 4):
        assert_allclose(tape_grads[2 * l - 2].numpy().T, grads[f"dW{l}"], atol=1e-5)
        assert_allclose(tape_grads[2 * l - 1].numpy(), grads[f"db{l}"][:, 0], atol=1e-5)


@pytest.mark.parametrize("name, learning_rate, decay, interval", [
    ("gd", 0.0007, None, None),
    ("momentum", 0.0007, None, None),
    ("adam", 0.0007, None, None),
    ("gd", 0.1, opt.update_lr, None),
    ("adam", 0.01, opt.schedule_lr_decay, 100),
])
def test_keras_training_follows_numpy_training(name, learning_rate, decay, interval):
    """201 epochs of 5 mini-batches: the same costs every 100 epochs and the same parameters."""
    X, Y = load_moons()
    epochs = 201
    course_decay = None
    rate = learning_rate
    if decay is opt.update_lr:
        course_decay = decay
        rate = CourseLearningRateDecay(learning_rate, 1.0, steps_per_epoch=5)
    elif decay is opt.schedule_lr_decay:
        def course_decay(lr0, i, r):
            return opt.schedule_lr_decay(lr0, i, r, interval)
        rate = CourseLearningRateDecay(learning_rate, 1.0, steps_per_epoch=5, time_interval=interval)
    parameters, costs = opt.model(X, Y, list(COURSE_LAYER_DIMS), name, learning_rate, num_epochs=epochs,
                                  print_cost=False, decay=course_decay, decay_rate=1.0)
    model, history = train_with_course_minibatches(X.T, Y.T, lambda: course_optimizer(name, rate), epochs,
                                                   verbose=False)
    assert len(history.history["loss"]) == epochs
    assert_allclose(history.history["loss"][::100], costs, atol=1e-5)
    # Adam divides by sqrt(s): where a gradient component is tiny, float32 rounding (and Keras'
    # epsilon placement) change that step by up to lr, so its parameters drift further (1.6e-3
    # seen) from the float64 run while the costs stay within 1e-5.
    atol = 2e-4 if name != "adam" else 1e-2
    for key, value in get_course_parameters(model).items():
        assert_allclose(value, parameters[key], atol=atol, err_msg=key)


def test_pipeline_quick(tmp_path):
    from tf_course.basics.optimization.pipeline import QUICK_EPOCHS, run
    from tf_course.pipeline import RunContext

    out = run(RunContext(data_dir=None, out_dir=tmp_path, quick=True, verbose=False))
    reference = BY_NAME["optimization"].reference
    assert set(reference) <= set(out.metrics)
    assert out.data_source == {"moons": "generated"}
    assert out.metrics["params"] == reference["params"] == 30
    assert len(out.metrics["keras_adam_costs"]) == QUICK_EPOCHS // 100
    for name in ("gd", "momentum", "adam"):
        assert abs(out.metrics[f"keras_{name}_accuracy"] - out.metrics[f"{name}_accuracy"]) <= 0.01
        assert_allclose(out.metrics[f"keras_{name}_costs"], out.metrics[f"{name}_costs"], atol=1e-4)
    # after 500 epochs Adam is well ahead of plain gradient descent
    assert out.metrics["adam_accuracy"] > out.metrics["gd_accuracy"] + 0.1

    serve = tf.saved_model.load(out.exports[0]).signatures["serving_default"]
    X, _ = load_moons()
    probability = serve(features=tf.constant(X.T[:5], tf.float32))["probability"].numpy()
    assert probability.shape == (5,) and np.all((probability > 0) & (probability < 1))


# The course's epoch costs (summed mini-batch cost / m) printed at epochs 0, 1000 and 9000.
COURSE_COSTS = {"gd": [0.702405, 0.668101, 0.468014], "momentum": [0.702413, 0.668167, 0.468160],
                "adam": [0.702166, 0.167845, 0.129118]}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gd", "momentum", "adam"])
def test_full_mode_keras_twins_reach_course_accuracies(name):
    """The pipeline's full-mode Keras training (10000 epochs, ~15 s each on 2 idle cores).

    The NumPy side of full mode is ``scratch.optimization.model`` with these same settings,
    checked against the course (accuracies and printed costs) by
    ``tests/scratch/test_scratch_optimization.py::test_model_on_moons``; it is not run twice.
    """
    from tf_course.basics.mlp import keras_binary_accuracy
    from tf_course.basics.optimization import pipeline

    X, Y = load_moons()
    model, history = train_with_course_minibatches(
        X.T, Y.T, lambda: course_optimizer(name, pipeline.LEARNING_RATE), pipeline.EPOCHS, pipeline.MINI_BATCH_SIZE,
        verbose=False,
    )
    reference = BY_NAME["optimization"].reference
    assert keras_binary_accuracy(model, X, Y) == pytest.approx(reference[f"keras_{name}_accuracy"], abs=0.03)
    # float32 stays within 4e-5 of the float64 course run for all 10000 epochs (measured)
    assert_allclose(np.array(history.history["loss"])[[0, 1000, 9000]], COURSE_COSTS[name], atol=1e-4)
