"""optimize_variable: convergence, recorded losses, callbacks, clipping, determinism, NaN detection."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.train import History, optimize_variable

TARGET = np.array([[0.2, 0.9, -0.4], [0.5, 0.1, 1.3]], dtype=np.float32)  # (2, 3)


def squared_distance(variable: tf.Variable) -> dict[str, tf.Tensor]:
    """``total = ||x - target||^2``, split into the two rows' terms."""
    rows = tf.reduce_sum(tf.square(variable - TARGET), axis=1)  # (2,)
    return {"total": rows[0] + rows[1], "first_row": rows[0], "second_row": rows[1]}


def test_adam_converges_to_the_target_and_records_every_step():
    x = tf.Variable(tf.zeros((2, 3)))
    history = optimize_variable(x, squared_distance, keras.optimizers.Adam(0.05), 400, verbose=False)
    np.testing.assert_allclose(x.numpy(), TARGET, atol=1e-3)
    assert isinstance(history, History) and history.epoch == list(range(400))
    assert list(history.history) == ["total", "first_row", "second_row"]  # loss_fn's order
    assert all(len(values) == 400 for values in history.history.values())
    # step 0 is recorded before the first update: ||0 - target||^2 = 0.04+0.81+0.16 + 0.25+0.01+1.69 = 2.96
    assert history.history["total"][0] == pytest.approx(2.96, rel=1e-6)
    assert history.history["first_row"][0] == pytest.approx(1.01, rel=1e-6)
    totals = history.history["total"]
    assert totals[-1] < 1e-8 < totals[100] < totals[10] < totals[0]
    assert all(later < earlier for earlier, later in zip(totals[:30], totals[1:31]))  # Adam overshoots later on
    np.testing.assert_allclose(np.add(history.history["first_row"], history.history["second_row"]), totals,
                               rtol=1e-5, atol=1e-12)


def test_plain_sgd_steps_match_the_closed_form():
    # x_{k+1} = x_k - lr * 2 (x_k - t) = t + (1 - 2 lr)(x_k - t): with lr 0.25 the distance halves each step,
    # so the loss before step k is 2.96 / 4^k
    x = tf.Variable(tf.zeros((2, 3)))
    history = optimize_variable(x, squared_distance, keras.optimizers.SGD(0.25), 5, callback_every=2,
                                callback=lambda *args: None, verbose=False)
    np.testing.assert_allclose(history.history["total"], [2.96 / 4**k for k in range(5)], rtol=1e-5)


def test_callback_is_called_every_n_steps_with_the_steps_done():
    x = tf.Variable(tf.zeros((2, 3)))
    calls = []

    def callback(step, variable, losses):
        calls.append((step, variable.numpy().copy(), losses))

    history = optimize_variable(x, squared_distance, keras.optimizers.Adam(0.05), 25, callback_every=10,
                                callback=callback, verbose=False)
    assert [step for step, _, _ in calls] == [10, 20]  # 25 is not a multiple of 10
    assert set(calls[0][2]) == {"total", "first_row", "second_row"}
    # the losses passed are those of the last step of the chunk (step index 9, before its update)
    assert calls[0][2]["total"] == pytest.approx(history.history["total"][9], rel=1e-6)
    assert calls[1][2]["total"] == pytest.approx(history.history["total"][19], rel=1e-6)
    # the variable passed is the one after 10 updates: its loss is the recorded loss of step 10
    assert float(squared_distance(tf.constant(calls[0][1]))["total"]) == pytest.approx(
        history.history["total"][10], rel=1e-5)


def test_clip_keeps_the_variable_in_range():
    x = tf.Variable(tf.fill((2, 3), 0.5))
    seen = []
    optimize_variable(x, squared_distance, keras.optimizers.Adam(0.1), 60, callback_every=1,
                      callback=lambda step, v, losses: seen.append(v.numpy().copy()), clip=(0.0, 1.0), verbose=False)
    values = np.stack(seen)  # (60, 2, 3)
    assert values.min() >= 0.0 and values.max() <= 1.0
    # the entries whose target is outside [0, 1] end on the bounds, the others on the target
    np.testing.assert_allclose(x.numpy(), np.clip(TARGET, 0.0, 1.0), atol=2e-2)
    assert x.numpy()[0, 2] == 0.0 and x.numpy()[1, 2] == 1.0


def test_the_same_seed_gives_the_same_history():
    def run():
        keras.utils.set_random_seed(3)
        x = tf.Variable(tf.random.uniform((2, 3)))
        noise = tf.random.normal((2, 3))
        return optimize_variable(x, lambda v: {"total": tf.reduce_sum(tf.square(v - noise))},
                                 keras.optimizers.Adam(0.01), 30, verbose=False)

    first, second = run(), run()
    assert first == second and first.history["total"][0] != first.history["total"][-1]


def test_a_nan_loss_raises_naming_the_step():
    x = tf.Variable([4.0])

    def loss(v):  # d sqrt(v)/dv = 1 / (2 sqrt(v)); SGD(8): v = 4 -> 4 - 8/4 = 2 -> 2 - 8/(2 sqrt 2) = -0.83
        return {"value": v[0], "total": tf.reduce_sum(tf.sqrt(v))}  # sqrt(-0.83) = nan at step 2

    with pytest.raises(ValueError, match=r"expected a finite loss, found nan at step 2 \(loss 'total'\)"):
        optimize_variable(x, loss, keras.optimizers.SGD(8.0), 10, verbose=False)


def test_progress_lines_on_a_non_tty_stream(capsys):
    x = tf.Variable(tf.zeros((2, 3)))
    optimize_variable(x, squared_distance, keras.optimizers.Adam(0.05), 40, callback_every=10,
                      callback=lambda *args: None)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("  ")[0] for line in lines] == ["step 10/40", "step 20/40", "step 30/40", "step 40/40"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"steps": 0}, r"steps: expected an integer >= 1, found 0"),
    ({"steps": 5, "callback": print}, r"expected callback_every with a callback"),
    ({"steps": 5, "clip": (1.0, 0.0)}, r"clip: expected \(low, high\) with low < high"),
])
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimize_variable(tf.Variable([1.0]), squared_distance, keras.optimizers.SGD(0.1), **kwargs)


def test_loss_fn_without_total_is_rejected():
    with pytest.raises(ValueError, match=r"expected loss_fn to return a dict with a 'total' loss, found keys \['l2'\]"):
        optimize_variable(tf.Variable([1.0]), lambda v: {"l2": tf.reduce_sum(v * v)}, keras.optimizers.SGD(0.1), 3,
                          verbose=False)
