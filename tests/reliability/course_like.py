"""Small course-like files and pipelines for the reliability tests (importable as ``tests.reliability.course_like``)."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np


def write_course_h5(path: Path, split: str, m: int, image_shape: tuple[int, ...] = (64, 64, 3)) -> Path:
    """A course-layout HDF5 split: ``<split>_set_x`` uint8 (m, *image_shape), ``<split>_set_y``, ``list_classes``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as handle:
        handle[f"{split}_set_x"] = rng.integers(0, 255, (m, *image_shape), dtype=np.uint8)
        handle[f"{split}_set_y"] = rng.integers(0, 2, m, dtype=np.int64)
        handle["list_classes"] = np.array([b"non-cat", b"cat"])
    return path


def buggy_pipeline(ctx: object) -> None:
    """A pipeline with a bug (not a user error)."""
    raise ZeroDivisionError("division by zero")  # stands for any bug in a pipeline
