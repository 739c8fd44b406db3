"""Confusion matrix of the Emojify predictions (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

LABEL_NAMES = ("heart", "baseball", "smile", "disappointed", "food")


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], n_classes: int = 5) -> np.ndarray:
    """Counts (n_classes, n_classes): rows actual label, columns predicted label."""
    out = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(out, (np.asarray(y_true, dtype=np.int64).reshape(-1), np.asarray(y_pred, dtype=np.int64).reshape(-1)),
              1)
    return out


def plot_confusion_matrix(matrix: np.ndarray, title: str = "", ax: Any = None,
                          labels: Sequence[str] = LABEL_NAMES) -> Any:
    """Draw a confusion matrix (rows actual, columns predicted) with its counts; returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    matrix = np.asarray(matrix)
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center",
                color="white" if count > matrix.max() / 2 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    if title:
        ax.set_title(title)
    return ax
