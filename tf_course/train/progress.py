"""The one progress display of long loops: a Keras progress bar on a terminal, coarse lines otherwise.

On a TTY (``stream.isatty()``) :class:`Progress` drives a ``keras.utils.Progbar``; in a log file
or a notebook's captured output, where a bar would print hundreds of carriage returns, it prints
one line every ``every`` units (and at the end)::

    epoch 3/10  loss 0.1234  confidence 0.0456  (12 s)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import TextIO

import keras


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """Progress of a loop of ``total`` units (epochs, steps).

    Args:
        total: number of units of the whole run.
        unit_name: ``"epoch"`` or ``"step"``, shown in the bar and the lines.
        verbose: False shows nothing.
        every: units between two lines when not on a TTY; ``max(1, total // 10)`` when None.
        stream: where to write the lines; ``sys.stderr`` (looked up at creation) when None. The
            bar is shown when this stream is a TTY (Keras writes it to stdout).
    """

    def __init__(self, total: int, unit_name: str = "epoch", verbose: bool = True, every: int | None = None,
                 stream: TextIO | None = None) -> None:
        if every is not None and every < 1:
            raise ValueError(f"Progress: every: expected an integer >= 1, found {every!r}")
        self.total = int(total)
        self.unit_name = unit_name
        self.verbose = bool(verbose)
        self.every = int(every) if every is not None else max(1, self.total // 10)
        self.stream = sys.stderr if stream is None else stream
        self._bar = (keras.utils.Progbar(self.total, verbose=1, unit_name=unit_name)
                     if self.verbose and _is_tty(self.stream) else None)
        self._start = time.perf_counter()
        self._printed = 0  # units done at the last printed line

    def update(self, done: int, logs: Mapping[str, float] | None = None) -> None:
        """Report that ``done`` units of :attr:`total` are finished, with the latest ``logs``."""
        logs = {key: float(value) for key, value in (logs or {}).items()}
        if self._bar is not None:
            self._bar.stateful_metrics.update(logs)  # show the latest values, not running means
            self._bar.update(done, values=list(logs.items()))
            return
        if not self.verbose or done <= self._printed:
            return
        if done // self.every > self._printed // self.every or done >= self.total:
            print(self.line(done, logs), file=self.stream, flush=True)
            self._printed = done

    def line(self, done: int, logs: Mapping[str, float]) -> str:
        """``"epoch 3/10  loss 0.1234  (12 s)"``: the non-TTY line for ``done`` units and ``logs``."""
        values = "".join(f"  {key} {float(value):.4f}" for key, value in logs.items())
        return f"{self.unit_name} {done}/{self.total}{values}  ({time.perf_counter() - self._start:.0f} s)"
