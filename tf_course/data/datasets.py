"""Dataset entry points: the course files when present, else their synthetic stand-ins."""

from __future__ import annotations

from pathlib import Path

from tf_course.data.course_files import find_course_file
from tf_course.data.course_h5 import COURSE_H5, ImageDataset, load_h5_split
from tf_course.data.synthetic import synthetic_cat_dataset


def load_course_h5_dataset(name: str, data_dir: Path | None) -> ImageDataset | None:
    """Load course dataset ``name`` (``"cat"``, ``"signs"``, ``"happy"``) if both files exist.

    Returns None when the data directory lacks either file; raises ``DataError`` when a file is
    there but malformed (a broken course file is an error, never silently replaced).
    """
    train_name, test_name = COURSE_H5[name]
    train_path = find_course_file(train_name, data_dir)
    test_path = find_course_file(test_name, data_dir)
    if train_path is None or test_path is None:
        return None
    return ImageDataset(
        train=load_h5_split(train_path, "train"),
        test=load_h5_split(test_path, "test"),
        source="course",
    )


def load_cat_dataset(data_dir: Path | None, seed: int = 0) -> ImageDataset:
    """Cat / non-cat images from the course files, or the synthetic stand-in (``source`` says)."""
    return load_course_h5_dataset("cat", data_dir) or synthetic_cat_dataset(seed)
