"""Loaders for the course's HDF5 image datasets (cat / non-cat, SIGNS, Happy House).

Every course file holds one split under the keys ``<split>_set_x`` (uint8 images,
(m, 64, 64, 3)), ``<split>_set_y`` (integer labels, (m,)) and ``list_classes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tf_course.data.images import scale_uint8
from tf_course.data.validate import DataError, check_array, require_file

IMAGE_SHAPE = (64, 64, 3)

#: Course file names per dataset: (train file, test file), relative to the data directory.
COURSE_H5 = {
    "cat": ("datasets/train_catvnoncat.h5", "datasets/test_catvnoncat.h5"),
    "signs": ("datasets/train_signs.h5", "datasets/test_signs.h5"),
    "happy": ("datasets/train_happy.h5", "datasets/test_happy.h5"),
}


@dataclass(frozen=True)
class ImageSplit:
    """One split: ``x`` uint8 (m, 64, 64, 3), ``y`` int64 (m,), ``classes`` (n_classes,)."""

    x: np.ndarray
    y: np.ndarray
    classes: np.ndarray


@dataclass(frozen=True)
class ImageDataset:
    """Train and test splits plus where they came from (``"course"`` or ``"synthetic"``)."""

    train: ImageSplit
    test: ImageSplit
    source: str


def load_h5_split(path: str | Path, split: str, image_shape: tuple[int, int, int] = IMAGE_SHAPE) -> ImageSplit:
    """Read and validate one split (``"train"`` or ``"test"``) of a course HDF5 file.

    Raises:
        FileNotFoundError: no file at ``path``.
        DataError: the file is not HDF5, a key is missing, or a shape/dtype is wrong.
    """
    import h5py

    path = require_file(Path(path), f"course {split} file")
    x_key, y_key = f"{split}_set_x", f"{split}_set_y"
    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"{path}: expected an HDF5 file, could not open it ({exc})") from exc
    with handle:
        for key in (x_key, y_key, "list_classes"):
            if key not in handle:
                raise DataError(
                    f"{path}: expected key {key!r}, found keys {sorted(handle.keys())}"
                )
        x = np.asarray(handle[x_key][()])
        y = np.asarray(handle[y_key][()])
        classes = np.asarray(handle["list_classes"][()])
    check_array(x, what=f"{path}: key {x_key!r}", shape=(None, *image_shape), dtype_kinds="u")
    check_array(y, what=f"{path}: key {y_key!r}", shape=(x.shape[0],), dtype_kinds="iu")
    check_array(classes, what=f"{path}: key 'list_classes'", shape=(None,))
    if y.size and (y.min() < 0 or y.max() >= len(classes)):
        raise DataError(
            f"{path}: key {y_key!r}: expected labels in [0, {len(classes) - 1}], "
            f"found values in [{y.min()}, {y.max()}]"
        )
    return ImageSplit(x=x.astype(np.uint8), y=y.astype(np.int64), classes=classes)


def flatten_images(x: np.ndarray) -> np.ndarray:
    """Course flattening: (m, h, w, c) uint8 -> (h*w*c, m) float64 in [0, 1].

    Same as the course's ``X.reshape(X.shape[0], -1).T / 255.`` (:func:`tf_course.data.images.scale_uint8`
    in float64).
    """
    return scale_uint8(x.reshape(x.shape[0], -1).T, np.float64)
