"""Dataset entry points: the course files when present, else their synthetic stand-ins."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tf_course.data.course_files import find_course_files
from tf_course.data.course_h5 import COURSE_H5, ImageDataset, load_h5_split
from tf_course.data.course_mat import load_football_mat
from tf_course.data.synthetic import (
    synthetic_cat_dataset,
    synthetic_football_dataset,
    synthetic_happy_dataset,
    synthetic_signs_dataset,
)

#: course files that the course's own snapshots ship alone: present without the others, the stand-in is used
STANDS_ALONE = {"signs": ("datasets/test_signs.h5",)}


def load_course_h5_dataset(name: str, data_dir: Path | None) -> ImageDataset | None:
    """Load course dataset ``name`` (``"cat"``, ``"signs"``, ``"happy"``) if both files exist.

    Returns None when the data directory has neither file (or only one listed in
    :data:`STANDS_ALONE`); raises ``DataError`` when only one file is there (naming the missing
    one), or when a file is there but malformed (a broken course file is never silently replaced).
    """
    paths = find_course_files(name, COURSE_H5[name], data_dir, STANDS_ALONE.get(name, ()))
    if paths is None:
        return None
    train_path, test_path = paths
    return ImageDataset(
        train=load_h5_split(train_path, "train"),
        test=load_h5_split(test_path, "test"),
        source="course",
    )


def load_cat_dataset(data_dir: Path | None, seed: int = 0) -> ImageDataset:
    """Cat / non-cat images from the course files, or the synthetic stand-in (``source`` says)."""
    return load_course_h5_dataset("cat", data_dir) or synthetic_cat_dataset(seed)


def load_signs_dataset(data_dir: Path | None, seed: int = 0) -> ImageDataset:
    """SIGNS (6 hand signs) from ``train_signs.h5`` + ``test_signs.h5``, else the digits stand-in.

    Both files are needed: the course's test file alone cannot train a model, so with only
    ``test_signs.h5`` present the stand-in is used for both splits (``source`` says so).
    """
    return load_course_h5_dataset("signs", data_dir) or synthetic_signs_dataset(seed)


def load_happy_dataset(data_dir: Path | None, seed: int = 0) -> ImageDataset:
    """Happy House (smiling or not) from the course files, else the synthetic smiley faces."""
    return load_course_h5_dataset("happy", data_dir) or synthetic_happy_dataset(seed)


def load_football_dataset(
    data_dir: Path | None, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], str]:
    """C2W1 regularization data from ``datasets/data.mat``, else the synthetic stand-in.

    Returns:
        ``(train_X (2, m), train_Y (1, m), test_X (2, m_test), test_Y (1, m_test))`` and the
        source, ``"course"`` or ``"synthetic"``.
    """
    paths = find_course_files("football", ("datasets/data.mat",), data_dir)
    if paths is None:
        return synthetic_football_dataset(seed), "synthetic"
    return load_football_mat(paths[0]), "course"
