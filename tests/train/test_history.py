"""History: the one training history; conversion of model.fit's history, JSON, truncation."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tf_course.train import EpochTimer, History


def test_from_keras_keeps_epochs_values_and_keys():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype="float32")
    y = np.array([[1.0], [2.0], [3.0]], dtype="float32")  # y = x1 + 2 x2
    timer = EpochTimer()
    fitted = model.fit(x, y, epochs=4, batch_size=3, verbose=0, callbacks=[timer])
    history = History.from_keras(fitted, seconds=timer.seconds)
    assert history.epoch == [0, 1, 2, 3]
    assert history.history == {k: [float(v) for v in vs] for k, vs in fitted.history.items()}
    assert set(history.history) == {"loss", "mae"} and history.history["loss"][-1] < history.history["loss"][0]
    assert len(history.seconds) == 4 and history.total_seconds == pytest.approx(sum(timer.seconds))
    assert all(type(v) is float for v in history.history["loss"])


def test_from_keras_rejects_mismatched_lengths():
    class Fake:
        epoch = [0, 1]
        history = {"loss": [1.0]}

    with pytest.raises(ValueError, match="expected 2 values of 'loss' \\(one per epoch\\), found 1"):
        History.from_keras(Fake())
    Fake.history = {"loss": [1.0, 0.5]}
    with pytest.raises(ValueError, match="expected 2 epoch durations, found 3"):
        History.from_keras(Fake(), seconds=[1.0, 1.0, 1.0])


def test_json_round_trip_with_seconds_and_old_files_without():
    h = History()
    for e in range(4):
        h.append(e, {"loss": 1.0 / (e + 1)}, seconds=0.5 + e)
    h.truncate(2)
    assert h.epoch == [0, 1] and h.seconds == [0.5, 1.5] and h.total_seconds == 2.0
    assert History.from_json(h.to_json()) == h
    old = History.from_json({"epoch": [0, 1], "history": {"loss": [0.7, 0.6]}})  # written before `seconds`
    assert old.seconds == [] and old.history["loss"] == [0.7, 0.6] and old.total_seconds == 0.0
    with pytest.raises(ValueError, match=r"expected keys 'epoch' and 'history', found \['loss'\]"):
        History.from_json({"loss": [1.0]})
