"""Plot helpers shared by notebooks and pipelines (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def plot_costs(
    costs: Mapping[str, Sequence[float]],
    every: int = 100,
    title: str = "",
    ax: Any = None,
) -> Any:
    """Plot one or more cost curves recorded every ``every`` iterations; returns the axes.

    Args:
        costs: label -> costs, e.g. ``{"NumPy": [...], "Keras": [...]}``.
        every: iterations between two recorded costs (the x axis is in iterations).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for label, values in costs.items():
        ax.plot([i * every for i in range(len(values))], list(values), label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    if title:
        ax.set_title(title)
    if len(costs) > 1:
        ax.legend()
    return ax
