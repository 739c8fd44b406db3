"""What every assignment pipeline receives and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunContext:
    """Settings of one ``tf-course run``, passed to each pipeline.

    Attributes:
        data_dir: the course data directory, or None (then pipelines use their stand-ins).
        out_dir: export root; a pipeline exports to ``out_dir/<name>/<version>/``.
        quick: train briefly (smoke runs, notebooks in tests).
        seed: the run's seed (already applied by the entry point).
        verbose: show progress.
        weights: pretrained weights for an assignment that can use them (``tf-course run yolo
            --weights yolo.h5``); None means train the offline default.
    """

    data_dir: Path | None
    out_dir: Path
    quick: bool = False
    seed: int = 0
    verbose: bool = True
    weights: Path | None = None


@dataclass
class PipelineOutput:
    """What a pipeline reports: metrics (fractions, lists of costs, ``params``), the source of
    each dataset (``"course"``, ``"generated"`` or ``"synthetic"``) and export paths."""

    metrics: dict[str, Any] = field(default_factory=dict)
    data_source: dict[str, str] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
