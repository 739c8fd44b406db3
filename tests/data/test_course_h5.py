"""Course HDF5 loaders on tiny files written here in the course's format."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from tf_course.data.course_files import find_course_file, resolve_data_dir
from tf_course.data.course_h5 import flatten_images, load_h5_split
from tf_course.data.datasets import load_cat_dataset, load_course_h5_dataset
from tf_course.data.validate import DataError


def write_split(path: Path, split: str, x: np.ndarray, y: np.ndarray, classes=None, skip=()) -> Path:
    """A course-format file: <split>_set_x, <split>_set_y, list_classes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    classes = np.array([b"non-cat", b"cat"]) if classes is None else classes
    with h5py.File(path, "w") as f:
        for key, value in ((f"{split}_set_x", x), (f"{split}_set_y", y), ("list_classes", classes)):
            if key not in skip:
                f.create_dataset(key, data=value)
    return path


def images(m: int, seed: int = 0, shape=(64, 64, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(m, *shape), dtype=np.uint8)


def test_load_split_round_trips_values(tmp_path):
    x, y = images(3), np.array([1, 0, 1], dtype=np.int64)
    split = load_h5_split(write_split(tmp_path / "train.h5", "train", x, y), "train")
    np.testing.assert_array_equal(split.x, x)
    np.testing.assert_array_equal(split.y, y)
    assert split.x.dtype == np.uint8 and split.y.dtype == np.int64
    assert list(split.classes) == [b"non-cat", b"cat"]


def test_flatten_matches_course_reshape():
    x = images(2, seed=3)
    flat = flatten_images(x)
    assert flat.shape == (64 * 64 * 3, 2)
    # course: X.reshape(m, -1).T / 255. ; the first column starts with image 0's first pixel RGB
    np.testing.assert_allclose(flat[:3, 0], x[0, 0, 0, :] / 255.0)
    np.testing.assert_allclose(flat[3:6, 1], x[1, 0, 1, :] / 255.0)


def test_missing_key_names_file_and_keys(tmp_path):
    path = write_split(tmp_path / "t.h5", "test", images(2), np.array([0, 1]), skip=("test_set_y",))
    expected = r"t\.h5: expected key 'test_set_y', found keys \['list_classes', 'test_set_x'\]"
    with pytest.raises(DataError, match=expected):
        load_h5_split(path, "test")


def test_wrong_split_key(tmp_path):
    path = write_split(tmp_path / "t.h5", "test", images(2), np.array([0, 1]))
    with pytest.raises(DataError, match="expected key 'train_set_x'"):
        load_h5_split(path, "train")


def test_wrong_image_shape(tmp_path):
    path = write_split(tmp_path / "t.h5", "train", images(2, shape=(32, 32, 3)), np.array([0, 1]))
    with pytest.raises(DataError, match=r"'train_set_x': expected shape \(any, 64, 64, 3\), found \(2, 32, 32, 3\)"):
        load_h5_split(path, "train")


def test_wrong_dtype(tmp_path):
    path = write_split(tmp_path / "t.h5", "train", images(2).astype(np.float32), np.array([0, 1]))
    with pytest.raises(DataError, match="'train_set_x': expected dtype unsigned int, found float32"):
        load_h5_split(path, "train")


def test_label_count_and_range(tmp_path):
    path = write_split(tmp_path / "a.h5", "train", images(2), np.array([0, 1, 1]))
    with pytest.raises(DataError, match=r"'train_set_y': expected shape \(2,\), found \(3,\)"):
        load_h5_split(path, "train")
    path = write_split(tmp_path / "b.h5", "train", images(2), np.array([0, 2]))
    with pytest.raises(DataError, match=r"expected labels in \[0, 1\], found values in \[0, 2\]"):
        load_h5_split(path, "train")


def test_missing_and_corrupt_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="expected a file at .*nothere.h5"):
        load_h5_split(tmp_path / "nothere.h5", "train")
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"this is not hdf5")
    with pytest.raises(DataError, match="bad.h5: expected an HDF5 file"):
        load_h5_split(bad, "train")


def test_course_dataset_found_by_course_names_else_none(tmp_path):
    assert load_course_h5_dataset("cat", tmp_path) is None
    write_split(tmp_path / "datasets/train_catvnoncat.h5", "train", images(4), np.array([0, 1, 1, 0]))
    with pytest.raises(DataError, match="missing datasets/test_catvnoncat.h5"):  # issue 11: no silent stand-in
        load_course_h5_dataset("cat", tmp_path)
    write_split(tmp_path / "datasets/test_catvnoncat.h5", "test", images(2), np.array([1, 0]))
    data = load_course_h5_dataset("cat", tmp_path)
    assert data is not None and data.source == "course"
    assert data.train.x.shape == (4, 64, 64, 3) and data.test.y.tolist() == [1, 0]


def test_flat_layout_and_data_dir_resolution(tmp_path, monkeypatch):
    write_split(tmp_path / "train_catvnoncat.h5", "train", images(1), np.array([1]))
    assert find_course_file("datasets/train_catvnoncat.h5", tmp_path) == tmp_path / "train_catvnoncat.h5"
    assert find_course_file("datasets/train_catvnoncat.h5", None) is None
    monkeypatch.setenv("TF_COURSE_DATA", str(tmp_path))
    assert resolve_data_dir(None) == tmp_path
    assert resolve_data_dir(tmp_path / "..") == tmp_path / ".."
    monkeypatch.delenv("TF_COURSE_DATA")
    assert resolve_data_dir(None) is None
    with pytest.raises(FileNotFoundError, match="--data-dir: expected a directory of course files"):
        resolve_data_dir(tmp_path / "missing")


def test_synthetic_cat_standin_has_course_layout():
    data = load_cat_dataset(None, seed=0)
    assert data.source == "synthetic"
    assert data.train.x.shape == (209, 64, 64, 3) and data.train.x.dtype == np.uint8
    assert data.test.x.shape == (50, 64, 64, 3)
    assert data.train.y.dtype == np.int64 and int(data.train.y.sum()) == 72 and int(data.test.y.sum()) == 33
    assert list(data.train.classes) == [b"non-cat", b"cat"]
    again = load_cat_dataset(None, seed=0)
    np.testing.assert_array_equal(again.train.x, data.train.x)
    # a real task: mean warm-minus-cool colour separates the classes most of the time
    warmth = data.train.x[..., 0].mean(axis=(1, 2)) - data.train.x[..., 2].mean(axis=(1, 2))
    assert warmth[data.train.y == 1].mean() > warmth[data.train.y == 0].mean() + 10


@pytest.mark.course_data
def test_course_cat_files(course_dir):
    data = load_cat_dataset(course_dir)
    assert data.source == "course"
    assert data.train.x.shape == (209, 64, 64, 3) and data.test.x.shape == (50, 64, 64, 3)
    assert int(data.train.y.sum()) == 72 and int(data.test.y.sum()) == 33
    # the course's "sanity check after reshaping": train_set_x_flatten[0:5, 0]
    np.testing.assert_array_equal(data.train.x.reshape(209, -1).T[0:5, 0], [17, 31, 56, 22, 33])


def test_signs_and_happy_standins_have_course_layout(tmp_path):
    from tf_course.data.datasets import load_happy_dataset, load_signs_dataset

    # only the course's test file present: not enough to train, so the stand-in is used
    write_split(tmp_path / "datasets/test_signs.h5", "test", images(6), np.arange(6), classes=np.arange(6))
    signs = load_signs_dataset(tmp_path)
    assert signs.source == "synthetic"
    assert signs.train.x.shape[1:] == (64, 64, 3) and signs.train.x.dtype == np.uint8
    assert 900 <= signs.train.x.shape[0] <= 1080 and signs.test.x.shape == (120, 64, 64, 3)
    assert np.bincount(signs.test.y).tolist() == [20] * 6 and sorted(set(signs.train.y.tolist())) == list(range(6))
    happy = load_happy_dataset(None)
    assert happy.source == "synthetic"
    assert happy.train.x.shape == (600, 64, 64, 3) and happy.test.x.shape == (150, 64, 64, 3)
    assert happy.train.y.dtype == np.int64 and set(happy.test.y.tolist()) == {0, 1}


@pytest.mark.course_data
def test_course_test_signs_file(course_file):
    split = load_h5_split(course_file("datasets/test_signs.h5"), "test")
    assert split.x.shape == (120, 64, 64, 3)
    assert np.bincount(split.y).tolist() == [20] * 6  # 20 images per class
    assert (int(split.x.min()), int(split.x.max())) == (3, 241)  # pixel range from the reference sheet
