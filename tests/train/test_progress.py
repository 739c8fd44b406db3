"""Progress, ProgressLogger, EpochTimer and steady_rate: the one epoch timing and progress display."""

from __future__ import annotations

import io

import keras
import numpy as np
import pytest

from tf_course.train import EpochTimer, Progress, ProgressLogger, steady_rate


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_every_tenth_and_at_the_end_when_not_a_tty():
    stream = io.StringIO()
    progress = Progress(25, "epoch", stream=stream)  # every max(1, 25 // 10) = 2 epochs, and at 25
    for done in range(1, 26):
        progress.update(done, {"loss": 1.0 / done})
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[0] for line in lines] == [f"epoch {d}/25" for d in [*range(2, 25, 2), 25]]
    assert lines[-1].startswith("epoch 25/25  loss 0.0400  (") and lines[-1].endswith(" s)")


def test_chunked_updates_print_once_per_crossed_interval():
    stream = io.StringIO()
    progress = Progress(100, "step", every=30, stream=stream)
    for done in (20, 40, 50, 95, 100):  # crosses 30 at 40, 60 and 90 at 95, then the end
        progress.update(done, {"total": 2.0})
    assert [line.split("  ")[0] for line in stream.getvalue().splitlines()] == ["step 40/100", "step 95/100",
                                                                               "step 100/100"]


def test_silent_and_tty_modes(capsys):
    quiet = io.StringIO()
    progress = Progress(3, verbose=False, stream=quiet)
    for done in (1, 2, 3):
        progress.update(done, {"loss": 0.5})
    assert quiet.getvalue() == ""
    tty = FakeTTY()
    bar = Progress(3, stream=tty)  # a terminal: a Keras Progbar (written by Keras), no lines on the stream
    for done in (1, 2, 3):
        bar.update(done, {"loss": 0.5})
    assert tty.getvalue() == "" and "3/3" in capsys.readouterr().out
    with pytest.raises(ValueError, match="every: expected an integer >= 1, found 0"):
        Progress(3, every=0)


def test_steady_rate_leaves_out_the_first_epoch_when_there_are_later_ones():
    assert steady_rate([5.0, 1.0, 3.0], 100) == pytest.approx(100 * 2 / 4.0)  # 200 images in 4 s
    assert steady_rate([2.0], 100) == pytest.approx(50.0)  # one epoch: it is all there is
    with pytest.raises(ValueError, match=r"expected at least one epoch of positive duration, found \[\]"):
        steady_rate([], 100)


def test_epoch_timer_and_progress_logger_in_fit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 2), "float32"), np.ones((8, 1), "float32")
    timer, stream = EpochTimer(), io.StringIO()
    fitted = model.fit(x, y, epochs=3, batch_size=4, verbose=0, callbacks=[timer, ProgressLogger(3, stream=stream)])
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)
    assert timer.images_per_second(8) == pytest.approx(8 * 2 / sum(timer.seconds[1:]))
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[0] for line in lines] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert f"loss {fitted.history['loss'][1]:.4f}" in lines[1]
