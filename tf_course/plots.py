"""Plot helpers shared by notebooks and pipelines (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np


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


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    ax: Any = None,
    title: str = "",
    step: float = 0.01,
    margin: float = 1.0,
) -> Any:
    """Shade the class ``predict`` gives each point of a grid and scatter the data on top.

    Args:
        predict: points (k, 2) -> labels or probabilities (k,) or (k, 1); shaded at 0.5.
        X: course-layout points (2, m).
        Y: labels (1, m).
        ax: matplotlib axes (a new figure when None).
        title: axes title.
        step: grid spacing (the course uses 0.01).
        margin: how far the grid reaches beyond the data.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    xx, yy = np.meshgrid(
        np.arange(X[0].min() - margin, X[0].max() + margin, step),
        np.arange(X[1].min() - margin, X[1].max() + margin, step),
    )
    grid = np.c_[xx.ravel(), yy.ravel()]  # (k, 2) points as rows
    Z = (np.asarray(predict(grid)).reshape(xx.shape) > 0.5).astype(float)  # (k,) -> grid shape
    ax.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], cmap=plt.cm.Spectral, vmin=0, vmax=1, alpha=0.4)  # 0 red, 1 blue
    ax.scatter(X[0], X[1], c=np.asarray(Y).ravel(), cmap=plt.cm.Spectral, vmin=0, vmax=1, s=12,
               edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax
