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
    """Records each epoch's wall-clock duration in seconds (``.seconds``, one per epoch)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.seconds = []

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)

    def images_per_second(self, images_per_epoch: int) -> float:
        """Training throughput over the steady epochs (:func:`steady_rate`)."""
        return steady_rate(self.seconds, images_per_epoch)


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
