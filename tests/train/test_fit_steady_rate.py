"""EpochTimer's per-step times: throughput over the steady steps and the first epoch's overhead (issue 10)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tf_course.train.callbacks import EpochTimer


def _timer(steps: list[list[float]], epochs: list[float]) -> EpochTimer:
    timer = EpochTimer()
    timer.step_seconds, timer.seconds = steps, epochs
    return timer


def test_the_steady_rate_leaves_out_the_first_step_only():
    timer = _timer([[9.0, 1.0, 1.0], [1.0, 1.0, 1.0]], [11.0, 3.0])
    assert timer.steady_images_per_second(96, 32) == pytest.approx(5 * 32 / 5.0)
    assert timer.first_epoch_overhead(96, 32) == pytest.approx(11.0 - 96 / 32.0)
    # one epoch of 2 steps (a quick run): the second step alone is steady
    quick = _timer([[30.0, 2.0]], [32.5])
    assert quick.steady_images_per_second(64, 32) == pytest.approx(16.0)
    assert quick.first_epoch_overhead(64, 32) == pytest.approx(32.5 - 4.0)
    # a partial last batch counts its own images: 70 images = 32 + 32 + 6
    partial = _timer([[5.0, 2.0, 0.5]], [7.5])
    assert partial.steady_images_per_second(70, 32) == pytest.approx(38 / 2.5)
    single = _timer([[4.0]], [4.0])  # one step in all: its own rate, no overhead to tell apart
    assert single.steady_images_per_second(32, 32) == pytest.approx(8.0) and single.first_epoch_overhead(32, 32) is None


def test_the_timer_records_one_time_per_step_in_fit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    timer = EpochTimer()
    model.fit(np.ones((10, 2), "float32"), np.ones((10, 1), "float32"), epochs=2, batch_size=4, verbose=0,
              callbacks=[timer])
    assert [len(epoch) for epoch in timer.step_seconds] == [3, 3] and len(timer.seconds) == 2
    assert all(s > 0 for epoch in timer.step_seconds for s in epoch)
    assert sum(timer.step_seconds[0]) <= timer.seconds[0]
    assert timer.steady_images_per_second(10, 4) == pytest.approx(
        (6 + 10) / (sum(timer.step_seconds[0][1:]) + sum(timer.step_seconds[1])))
    steady = timer.steady_images_per_second(10, 4)
    assert timer.first_epoch_overhead(10, 4) == pytest.approx(timer.seconds[0] - 10 / steady)
