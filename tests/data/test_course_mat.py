"""The data.mat loader on tiny MATLAB files written here."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io

from tf_course.data.course_mat import load_football_mat
from tf_course.data.validate import DataError


def write_mat(path, **arrays):
    scipy.io.savemat(path, arrays)
    return path


def arrays(m=5, mv=4, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "X": rng.normal(size=(m, 2)), "y": (rng.random((m, 1)) > 0.5).astype(np.uint8),
        "Xval": rng.normal(size=(mv, 2)), "yval": (rng.random((mv, 1)) > 0.5).astype(np.uint8),
    }


def test_load_transposes_like_the_course(tmp_path):
    a = arrays()
    train_X, train_Y, test_X, test_Y = load_football_mat(write_mat(tmp_path / "data.mat", **a))
    assert train_X.shape == (2, 5) and train_Y.shape == (1, 5)
    assert test_X.shape == (2, 4) and test_Y.shape == (1, 4)
    np.testing.assert_allclose(train_X, a["X"].T)
    np.testing.assert_array_equal(test_Y, a["yval"].T)


def test_missing_key(tmp_path):
    a = arrays()
    del a["Xval"]
    with pytest.raises(DataError, match=r"data\.mat: expected key 'Xval', found keys \['X', 'y', 'yval'\]"):
        load_football_mat(write_mat(tmp_path / "data.mat", **a))


def test_wrong_shape_and_row_mismatch(tmp_path):
    a = arrays()
    a["X"] = np.zeros((5, 3))
    with pytest.raises(DataError, match=r"key 'X': expected shape \(any, 2\), found \(5, 3\)"):
        load_football_mat(write_mat(tmp_path / "a.mat", **a))
    a = arrays()
    a["y"] = np.zeros((6, 1))
    with pytest.raises(DataError, match=r"expected as many rows in 'y' as in 'X' \(5\), found 6"):
        load_football_mat(write_mat(tmp_path / "b.mat", **a))


def test_nan_rejected(tmp_path):
    a = arrays()
    a["Xval"][1, 0] = np.nan
    with pytest.raises(DataError, match="key 'Xval': expected finite values, found 1 NaN"):
        load_football_mat(write_mat(tmp_path / "data.mat", **a))


def test_missing_and_corrupt(tmp_path):
    with pytest.raises(FileNotFoundError, match="data.mat"):
        load_football_mat(tmp_path / "data.mat")
    bad = tmp_path / "bad.mat"
    bad.write_bytes(b"\x00garbage" * 20)
    with pytest.raises(DataError, match="bad.mat: expected a MATLAB .mat file"):
        load_football_mat(bad)


@pytest.mark.course_data
def test_course_data_mat(course_file):
    train_X, train_Y, test_X, test_Y = load_football_mat(course_file("datasets/data.mat"))
    assert train_X.shape == (2, 211) and test_X.shape == (2, 200)
    # class counts from the reference sheet: y 105 zeros / 106 ones, yval 113 / 87
    assert int((train_Y == 0).sum()) == 105 and int((train_Y == 1).sum()) == 106
    assert int((test_Y == 0).sum()) == 113 and int((test_Y == 1).sum()) == 87
