"""The run report: JSON for machines, a table for people."""

from __future__ import annotations

import platform
import textwrap
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tf_course.atomic import write_json_atomic

if TYPE_CHECKING:
    from tf_course.pipeline import PipelineOutput


@dataclass
class ResultEntry:
    """One assignment's line in the report (``metrics`` beside the course's ``reference``).

    ``error`` is the whole message of a user error (``error_kind`` ``"user"``: a bad course file,
    a missing file) or the traceback of a bug (``"bug"``); ``fixed_seed``: the numbers do not
    depend on ``--seed``; ``notes``: what the metrics the course does not have mean. ``seconds``
    is the pipeline's own wall-clock time: the time its exports spent waiting for the run's shared
    export checker to start (``checker_wait_seconds``) is left out, and reported once for the run.
    """

    name: str
    section: str
    status: str  # "ok" or "failed"
    data_source: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    reference: dict[str, Any] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    error_kind: str | None = None  # "user" or "bug" when failed
    fixed_seed: bool = False
    notes: dict[str, str] = field(default_factory=dict)
    checker_wait_seconds: float = 0.0


def write_report(path: str | Path, results: list[ResultEntry], run: dict[str, Any]) -> Path:
    """Write ``{"run": {...}, "results": [...]}`` atomically to ``path``."""
    return write_json_atomic(path, {"run": run, "results": [asdict(r) for r in results]})


def run_info(**extra: Any) -> dict[str, Any]:
    """Run-level fields: library versions and machine, plus ``extra``."""
    import keras
    import numpy
    import tensorflow as tf

    import tf_course

    return {
        "tf_course": tf_course.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}",
        **extra,
    }


#: the run table's width limit (a terminal or a log viewer; long cells wrap inside their column)
TABLE_WIDTH = 100
_METRIC_WIDTH, _VALUE_WIDTH = 34, 30
#: data sources a course reference can stand beside: the course's files, or data generated as the course does
COMPARABLE_SOURCES = frozenset({"course", "generated"})


def _fmt(value: Any) -> str:
    """A metric value for the table: numbers to 6 significant digits, lists as ``first .. last (n)``."""
    if value is None:
        return "-"
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # a NumPy scalar
        value = value.item()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.6g}"  # inf, nan as such
    if hasattr(value, "tolist"):  # a NumPy array
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if len(value) == 1:
            return f"{_fmt(value[0])} (1)"
        return f"{_fmt(value[0])} .. {_fmt(value[-1])} ({len(value)})"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


def comparable(entry: ResultEntry) -> bool:
    """Whether the course's reference applies: every data source is 'course' or 'generated'."""
    return all(source in COMPARABLE_SOURCES for source in entry.data_source.values())


def _wrap(text: str, width: int, break_words: bool = True) -> list[str]:
    """``text`` in lines of at most ``width`` columns; ``break_words=False`` keeps a longer word (a path)
    whole on a line of its own, so it can still be copied (free text, not a column cell)."""
    return textwrap.wrap(text, width, break_long_words=break_words, break_on_hyphens=False) or [""]


def _rows(cells: tuple[str, str, str], widths: tuple[int, int, int], indent: str = "  ") -> list[str]:
    """One table row, each cell wrapped inside its column."""
    wrapped = [_wrap(cell, width) for cell, width in zip(cells, widths)]
    height = max(len(w) for w in wrapped)
    lines = []
    for i in range(height):
        parts = [(w[i] if i < len(w) else "").ljust(width) for w, width in zip(wrapped, widths)]
        lines.append((indent + "  ".join(parts)).rstrip())
    return lines


def checker_line(checker: Mapping[str, Any]) -> str:
    """The run table's line for the shared export checker (``checker``: what
    :func:`tf_course.export.verify.checker_startup` returns), e.g. ``"export checker (a fresh
    process without tf_course, shared by the run's exports): TensorFlow start-up 4.6 s, 0.3 s of it
    not overlapped with the pipelines (left out of their times)"``."""
    started = int(checker.get("started", 0))
    if not int(checker.get("used", started)):
        return "export checker: " + ("started, never asked (nothing was exported)" if started else "not started")
    processes = "" if started == 1 else f", {started} processes (restarted)"
    return (f"export checker (a fresh process without tf_course, shared by the run's exports{processes}): "
            f"TensorFlow start-up {float(checker.get('startup_seconds', 0.0)):.1f} s, "
            f"{float(checker.get('waited_seconds', 0.0)):.1f} s of it not overlapped with the pipelines "
            "(left out of their times)")


def format_table(
    results: list[ResultEntry], quick: bool = False, width: int = TABLE_WIDTH, exports: str | Path | None = None,
    checker: Mapping[str, Any] | None = None,
) -> str:
    """A plain-text report at most ``width`` columns wide: per assignment a header line (name, section,
    data, seconds), then its metrics beside the course's reference, then the export checker's
    start-up when ``checker`` is given (:func:`checker_line`), then a legend (which says where
    a quick run's exports went: ``exports``, e.g. ``saved_models/quick``).

    The reference is shown only where :func:`comparable` (never beside a synthetic stand-in's number);
    a failed assignment shows its whole error message (a bug's traceback is in the JSON report).
    """
    course_width = width - 2 - _METRIC_WIDTH - 2 - _VALUE_WIDTH - 2
    widths = (_METRIC_WIDTH, _VALUE_WIDTH, course_width)
    lines = _rows(("metric", "value", "course"), widths, indent="  ")
    lines.append("  " + "  ".join("-" * w for w in widths))
    notes: dict[str, str] = {}
    hidden = fixed = False
    for r in results:
        data = ", ".join(f"{k}={v}" for k, v in r.data_source.items()) or "-"
        seed_fixed = r.fixed_seed and r.status == "ok" and comparable(r)
        marks = " [seed fixed]" if seed_fixed else ""
        fixed |= seed_fixed
        head = f"{r.name} ({r.section})  data: {data}  {r.seconds:.1f} s{marks}"
        lines.extend(_wrap(head, width, break_words=False))
        if r.status != "ok":
            message = r.error or ""
            if r.error_kind == "bug":  # a traceback: its last line says what went wrong
                message = (message.strip().splitlines() or [""])[-1] + "  (traceback in the JSON report)"
            lines.extend("  " + line for line in _wrap(f"FAILED: {message}", width - 2, break_words=False))
            continue
        show_reference = comparable(r)
        hidden |= not show_reference and bool(r.reference)
        for key, value in r.metrics.items():
            reference = _fmt(r.reference.get(key)) if show_reference and key in r.reference else ""
            lines.extend(_rows((key, _fmt(value), reference), widths))
            if key in r.notes:
                notes[key] = r.notes[key]
    if checker is not None:
        lines.extend(_wrap(checker_line(checker), width, break_words=False))
    legend = ["Course: the course's published number, shown only where the data is the course's or "
              "generated as the course generates it."]
    if hidden:
        legend.append("Not shown beside a 'synthetic' stand-in: a different task, its numbers are not comparable.")
    if fixed:
        legend.append("[seed fixed]: the pipeline uses the course's own seeds; on this data --seed does not change "
                      "its numbers (it changes only a synthetic stand-in's data).")
    legend.extend(f"{key}: {note}." for key, note in notes.items())
    if quick:
        legend.append("Quick run: training was shortened, so the numbers are not comparable to the course's.")
        if exports is not None:
            legend.append(f"Quick run exports: {exports}/<name>/<version>/, apart from full runs' (never what "
                          "TF Serving or `tf-course detect` picks up).")
    for paragraph in legend:
        lines.extend(_wrap(paragraph, width, break_words=False))
    return "\n".join(lines)


def result_table(name: str, output: PipelineOutput, quick: bool = False, seconds: float = 0.0) -> str:
    """The run table of one pipeline's result, as ``tf-course run NAME`` prints it (for notebooks).

    Args:
        name: the assignment's registry name (its course reference and notes come from there).
        output: what its pipeline returned.
        quick: the pipeline ran in quick mode (the legend says the numbers are not the course's).
        seconds: how long it took, for the header line.
    """
    from tf_course import registry

    a = registry.get(name)
    entry = ResultEntry(name=a.name, section=a.section, status="ok", data_source=output.data_source,
                        metrics=output.metrics, reference=a.reference, exports=[str(p) for p in output.exports],
                        seconds=seconds, fixed_seed=a.fixed_seed, notes=a.metric_notes)
    return format_table([entry], quick=quick)
