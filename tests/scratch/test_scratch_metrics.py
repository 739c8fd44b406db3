"""Accuracy helper."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.scratch.metrics import accuracy


def test_accuracy_counts_matching_columns() -> None:
    predictions = np.array([[True, False, True, True]])
    Y = np.array([[1, 0, 0, 1]], dtype=np.uint8)
    assert accuracy(predictions, Y) == 0.75


def test_accuracy_rejects_shape_mismatch() -> None:
    with pytest.raises(ValueError, match=r"\(1, 3\)"):
        accuracy(np.zeros((1, 3)), np.zeros((1, 4)))
