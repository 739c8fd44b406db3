"""The one training history: what a loop, ``model.fit`` or a variable optimisation recorded.

Every training entry point of the package returns a :class:`History` (the compiled
:class:`~tf_course.train.loop.Trainer`, :func:`~tf_course.train.fit.fit_image_classifier`
through ``FitResult.history``, the YOLO trainer, :func:`~tf_course.train.optimize.optimize_variable`);
``model.fit``'s ``keras.callbacks.History`` converts with :meth:`History.from_keras`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class History:
    """What training recorded, laid out like ``keras.callbacks.History``.

    Attributes:
        epoch: the epoch (or step) index of each record, e.g. ``[0, 1, 2]``.
        history: ``history[name][i]`` is the value of ``name`` at ``epoch[i]``; for the full-batch
            :class:`~tf_course.train.loop.Trainer`, ``history["loss"][i]`` is computed before that
            epoch's update (the course's "cost after iteration i").
        seconds: wall-clock seconds of each epoch (``seconds[i]`` for ``epoch[i]``), when the
            training was timed (:class:`~tf_course.train.callbacks.EpochTimer`); else empty.
    """

    epoch: list[int] = field(default_factory=list)
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)

    def append(self, epoch: int, logs: Mapping[str, float], seconds: float | None = None) -> None:
        """Record ``logs`` (and optionally the epoch's wall-clock ``seconds``) for ``epoch``."""
        self.epoch.append(int(epoch))
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        if seconds is not None:
            self.seconds.append(float(seconds))

    def truncate(self, n_epochs: int) -> None:
        """Keep only entries of epochs ``< n_epochs`` (after a resume from an older checkpoint)."""
        keep = [i for i, e in enumerate(self.epoch) if e < n_epochs]
        self.epoch = [self.epoch[i] for i in keep]
        self.history = {k: [v[i] for i in keep] for k, v in self.history.items()}
        self.seconds = [self.seconds[i] for i in keep if i < len(self.seconds)]

    @property
    def total_seconds(self) -> float:
        """Sum of :attr:`seconds` (0.0 when untimed)."""
        return float(sum(self.seconds))

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return {"epoch": self.epoch, "history": self.history, "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> History:
        """Inverse of :meth:`to_json` (files written before ``seconds`` existed read as untimed)."""
        for key in ("epoch", "history"):
            if key not in data:
                raise ValueError(f"History.from_json: expected keys 'epoch' and 'history', found {sorted(data)}")
        return cls(epoch=[int(e) for e in data["epoch"]],
                   history={k: [float(x) for x in v] for k, v in data["history"].items()},
                   seconds=[float(s) for s in data.get("seconds", [])])

    @classmethod
    def from_keras(cls, keras_history: Any, seconds: Sequence[float] | None = None) -> History:
        """Convert the ``keras.callbacks.History`` that ``model.fit`` returns.

        Args:
            keras_history: has ``.epoch`` (list of int) and ``.history`` (``{name: [value per epoch]}``).
            seconds: optional wall-clock seconds per epoch (``EpochTimer.seconds``), one per epoch.

        Returns:
            A :class:`History` with the same epochs and values, as Python floats.
        """
        epochs = [int(e) for e in keras_history.epoch]
        values = {k: [float(v) for v in vs] for k, vs in keras_history.history.items()}
        for key, vs in values.items():
            if len(vs) != len(epochs):
                raise ValueError(f"History.from_keras: expected {len(epochs)} values of {key!r} (one per epoch), "
                                 f"found {len(vs)}")
        seconds = [float(s) for s in (seconds or [])]
        if seconds and len(seconds) != len(epochs):
            raise ValueError(f"History.from_keras: expected {len(epochs)} epoch durations, found {len(seconds)}")
        return cls(epoch=epochs, history=values, seconds=seconds)
