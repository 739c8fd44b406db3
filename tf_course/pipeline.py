"""What every assignment pipeline receives and returns."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunContext:
    """Settings of one ``tf-course run``, passed to each pipeline.

    Attributes:
        data_dir: the course data directory, or None (then pipelines use their stand-ins).
        out_dir: export root; a pipeline exports to ``out_dir/<name>/<version>/``. ``tf-course
            run`` passes :func:`export_root`: ``<out>`` for a full run, ``<out>/quick`` for a quick one.
        quick: train briefly (smoke runs, notebooks in tests).
        seed: the run's seed (already applied by the entry point).
        verbose: show progress.
        weights: pretrained weights for an assignment that can use them (``tf-course run yolo
            --weights yolo.h5``); None means train the offline default.
        checkpoint_root: this run's checkpoint folder (``<out>/.checkpoints/<assignment>/<run key>``,
            :func:`checkpoint_root`), removed by the entry point once the pipeline has succeeded;
            None: no checkpoints (tests, notebooks).
        options: the assignment's own choices given on the command line (``{"formats":
            "extended"}``; see ``registry.Option``); read them with :meth:`option`.
    """

    data_dir: Path | None
    out_dir: Path
    quick: bool = False
    seed: int = 0
    verbose: bool = True
    weights: Path | None = None
    checkpoint_root: Path | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    def option(self, name: str, default: str) -> str:
        """The value of the assignment's option ``name`` for this run, ``default`` when not given."""
        return self.options.get(name, default)

    def run_info(self) -> dict[str, Any]:
        """What made this run, for the export manifests (key ``"run"``): ``{"mode": "quick" |
        "full", "seed": int, "data_dir": str | None, "weights": str | None, "options": {name: value},
        "command": [argv...]}``."""
        return {"mode": "quick" if self.quick else "full", "seed": int(self.seed),
                "data_dir": None if self.data_dir is None else str(Path(self.data_dir).resolve()),
                "weights": None if self.weights is None else str(Path(self.weights).resolve()),
                "options": dict(self.options), "command": list(sys.argv)}

    def checkpoint_dir(self, *parts: str) -> Path | None:
        """The checkpoint folder of one training of the pipeline (``parts``, e.g. ``"tf1_recipe"``), or None."""
        return None if self.checkpoint_root is None else self.checkpoint_root.joinpath(*parts)


QUICK_EXPORTS = "quick"  # <out>/quick/<name>/<version>/: a quick run's exports


def export_root(out: Path, quick: bool) -> Path:
    """Where a run's exports go: ``out`` for a full run, ``out/quick`` for a quick (smoke-test) one.

    So a quick run after a full one never becomes the newest version under ``out/<name>/``, the
    one TF Serving (base path ``out/<name>``) and ``tf-course detect`` pick up.
    """
    return Path(out) / QUICK_EXPORTS if quick else Path(out)


def run_key(quick: bool, seed: int, data_dir: Path | None, weights: Path | None = None,
            options: Mapping[str, str] | None = None) -> str:
    """The part of a checkpoint path that depends on what changes a run's result.

    E.g. ``"full-seed0-standin"`` or ``"quick-seed3-data-1a2b3c4d"`` (hash of the resolved data and
    weights paths), so that a quick run never resumes a full one, nor a run on other data; options
    given (``{"formats": "extended"}``) add ``"-formats-extended"``, so they never resume each other either.
    """
    sources = [str(Path(p).resolve()) for p in (data_dir, weights) if p is not None]
    data = "data-" + hashlib.sha256("\0".join(sources).encode()).hexdigest()[:8] if sources else "standin"
    chosen = "".join(f"-{name}-{value}" for name, value in sorted((options or {}).items()))
    return f"{'quick' if quick else 'full'}-seed{int(seed)}-{data}{chosen}"


@dataclass
class PipelineOutput:
    """What a pipeline reports: metrics (fractions, lists of costs, ``params``), the source of
    each dataset (``"course"``, ``"generated"`` or ``"synthetic"``) and export paths."""

    metrics: dict[str, Any] = field(default_factory=dict)
    data_source: dict[str, str] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
