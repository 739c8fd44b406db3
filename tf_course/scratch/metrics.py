"""Accuracy of 0/1 predictions, shared by the scratch models."""

from __future__ import annotations

import numpy as np


def accuracy(predictions: np.ndarray, Y: np.ndarray) -> float:
    """Fraction of columns where ``predictions`` (1, m) equals the labels ``Y`` (1, m).

    Predictions may be bool or 0/1 numbers; labels 0/1 numbers or bool.
    """
    predictions = np.asarray(predictions)
    Y = np.asarray(Y)
    if predictions.shape != Y.shape:
        raise ValueError(
            f"predictions and labels must have the same shape, got {predictions.shape} "
            f"and {Y.shape}"
        )
    return float(np.mean(predictions.astype(int) == Y.astype(int)))
