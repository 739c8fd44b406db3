"""Keras callbacks shared by every ``model.fit`` of the package: epoch timing and progress."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, TextIO

import keras

from tf_course.train.progress import Progress


def steady_rate(seconds: Sequence[float], items_per_epoch: int) -> float:
    """Items per second over the steady epochs of ``seconds`` (wall-clock seconds per epoch).

    The first epoch (tracing, graph optimisation) is left out when there are later epochs.
    E.g. ``steady_rate([5.0, 1.0, 1.0], 100) == 100.0``.
    """
    steady = list(seconds[1:]) or list(seconds)
    if not steady or sum(steady) <= 0:
        raise ValueError(f"steady_rate: expected at least one epoch of positive duration, found {list(seconds)}")
    return items_per_epoch * len(steady) / sum(steady)


class EpochTimer(keras.callbacks.Callback):
    """Records each epoch's wall-clock duration in seconds (``.seconds``, one per epoch) and each
    training step's (``.step_seconds``: one list per epoch, the time from the previous step's end,
    or the epoch's start, to this step's end: its input, the step and the callbacks between)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self.step_seconds: list[list[float]] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.seconds, self.step_seconds = [], []

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = self._last = time.perf_counter()
        self.step_seconds.append([])

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        now = time.perf_counter()
        self.step_seconds[-1].append(now - self._last)
        self._last = now

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)

    def images_per_second(self, images_per_epoch: int) -> float:
        """Training throughput over the steady epochs (:func:`steady_rate`)."""
        return steady_rate(self.seconds, images_per_epoch)

    def _steps(self, images_per_epoch: int, batch_size: int) -> list[tuple[int, float]]:
        """``(images, seconds)`` of every step timed, in order (batches of ``batch_size``, the
        epoch's last one partial)."""
        sizes = [min(batch_size, images_per_epoch - start) for start in range(0, images_per_epoch, batch_size)]
        return [(sizes[min(i, len(sizes) - 1)], seconds) for epoch in self.step_seconds
                for i, seconds in enumerate(epoch)]

    def steady_images_per_second(self, images_per_epoch: int, batch_size: int) -> float:
        """Training throughput over every step but the training's first: the first one traces
        ``train_step`` and optimises its graph (for ResNet50 tens of seconds against about one per
        step after). With one step in all, that step's rate; without step times, :meth:`images_per_second`.

        E.g. steps of 9.0, 1.0, 1.0 s over 3 batches of 32: 64 / 2.0 = 32 images/s.
        """
        steps = self._steps(images_per_epoch, batch_size)
        steady = steps[1:] or steps
        if not steady:
            return self.images_per_second(images_per_epoch)
        seconds = sum(s for _, s in steady)
        if seconds <= 0:
            raise ValueError(f"steady_images_per_second: expected steps of positive duration, found {steady}")
        return sum(n for n, _ in steady) / seconds

    def first_epoch_overhead(self, images_per_epoch: int, batch_size: int) -> float | None:
        """Seconds the first epoch took beyond its images at the steady rate (tracing, graph
        optimisation, first kernel runs): ``seconds[0] - images_per_epoch / steady rate``; None
        when there is no step after the first to measure the steady rate by.

        E.g. epochs of 11.0 and 3.0 s, steps of 9.0, 1.0, 1.0 | 1.0, 1.0, 1.0 s of 32 images: 11 - 96 / 32 = 8 s.
        """
        if not self.seconds or len(self._steps(images_per_epoch, batch_size)) < 2:
            return None
        return self.seconds[0] - images_per_epoch / self.steady_images_per_second(images_per_epoch, batch_size)


class ProgressLogger(keras.callbacks.Callback):
    """:class:`~tf_course.train.progress.Progress` of ``model.fit``'s epochs (use with ``fit(verbose=0)``).

    Args:
        epochs: the ``epochs`` given to ``fit``.
        every: epochs between two lines when not on a TTY (every epoch by default).
        stream: see :class:`~tf_course.train.progress.Progress`.
    """

    def __init__(self, epochs: int, every: int = 1, stream: TextIO | None = None) -> None:
        super().__init__()
        self.epochs = epochs
        self.every = every
        self.stream = stream

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.progress = Progress(self.epochs, "epoch", every=self.every, stream=self.stream)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.progress.update(epoch + 1, logs)
