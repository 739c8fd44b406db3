"""The run report: JSON for machines, a table for people."""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tf_course.atomic import write_json_atomic


@dataclass
class ResultEntry:
    """One assignment's line in the report (``metrics`` beside the course's ``reference``)."""

    name: str
    section: str
    status: str  # "ok" or "failed"
    data_source: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    reference: dict[str, Any] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


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


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if all(isinstance(v, (int, float)) for v in value):
            return f"{_fmt(float(value[0]))} .. {_fmt(float(value[-1]))} ({len(value)})"
        return f"[{len(value)} items]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


def format_table(results: list[ResultEntry], quick: bool = False) -> str:
    """A plain-text table: assignment, metric, value, course reference, data (``quick`` adds a note)."""
    rows = [("assignment", "metric", "value", "course", "data")]
    for r in results:
        data = ", ".join(f"{k}={v}" for k, v in r.data_source.items()) or "-"
        if r.status != "ok":
            rows.append((r.name, "FAILED", (r.error or "").splitlines()[-1][:60] if r.error else "", "", data))
            continue
        for i, (key, value) in enumerate(r.metrics.items()):
            rows.append((r.name if i == 0 else "", key, _fmt(value), _fmt(r.reference.get(key)),
                         data if i == 0 else ""))
        rows.append((r.name if not r.metrics else "", "seconds", f"{r.seconds:.1f}", "", ""))
    widths = [max(len(row[c]) for row in rows) for c in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    note = ("Reference numbers are the course's; they apply only where the data is 'course' or "
            "'generated' (a 'synthetic' stand-in is a different task).")
    if quick:
        note += "\nQuick run: training was shortened, so the numbers are not comparable to the course's."
    return "\n".join(lines) + "\n" + note
