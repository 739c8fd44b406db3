"""The data.mat loader on tiny MATLAB files written here."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io

from tf_course.data.course_mat import MatKey, load_football_mat, load_mat
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


# --- the generic reader ------------------------------------------------------------------------------------------


def test_load_mat_validates_keys_shapes_and_dtypes(tmp_path):
    path = write_mat(tmp_path / "w.mat", W=np.arange(6.0).reshape(2, 3), names=np.array(["ab", "cd"]), n=np.int32(7))
    arrays = load_mat(path, {"W": MatKey((2, None), "f"), "n": ((1, 1), "i")})
    assert list(arrays) == ["W", "n"]  # only what was asked, in that order
    np.testing.assert_array_equal(arrays["W"], [[0, 1, 2], [3, 4, 5]])
    assert arrays["n"].tolist() == [[7]]  # MATLAB has no scalars: (1, 1)
    with pytest.raises(DataError, match=r"w.mat: key 'W': expected shape \(3, any\), found \(2, 3\)"):
        load_mat(path, {"W": ((3, None), "f")})
    with pytest.raises(DataError, match=r"w.mat: key 'names': expected dtype float, found <U2"):
        load_mat(path, {"names": (None, "f")})
    with pytest.raises(DataError, match=r"w.mat: expected key 'b', found keys \['W', 'n', 'names'\]"):
        load_mat(path, {"W": (None, "f"), "b": (None, "f")})
    with pytest.raises(ValueError, match=r"key 'W': expected a MatKey or a \(shape, dtype_kinds\[, finite\]\) tuple"):
        load_mat(path, {"W": "f"})


def test_load_mat_empty_short_truncated_and_foreign_files(tmp_path):
    whole = write_mat(tmp_path / "whole.mat", X=np.arange(2000.0).reshape(1000, 2)).read_bytes()
    cases = {"empty.mat": (b"", "found an empty file"),
             "short.mat": (whole[:60], "found 60 bytes scipy cannot read, corrupt or truncated"),
             "half.mat": (whole[: len(whole) // 2], f"found {len(whole) // 2} bytes scipy cannot read"),
             "text.mat": (b"\x00garbage" * 20, "found 160 bytes scipy cannot read")}
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(DataError, match=f"{name}: expected a MATLAB .mat file, {message}"):
            load_mat(tmp_path / name, {"X": ((None, 2), "f")})
    with pytest.raises(FileNotFoundError, match="MATLAB .mat file: expected a file at .*absent.mat"):
        load_mat(tmp_path / "absent.mat", {})


def test_load_mat_nested_structs_pass_options_through(tmp_path):
    # MatConvNet's layout in miniature: layers is a 1 x n cell of structs with name / weights fields
    layer = np.zeros((1, 1), dtype=[("name", "O"), ("weights", "O")])
    layer[0, 0]["name"], layer[0, 0]["weights"] = "conv1_1", np.full((3, 3, 3, 2), 0.5)
    cells = np.empty((1, 2), dtype=object)
    cells[0, 0], cells[0, 1] = layer, layer
    path = tmp_path / "vgg.mat"
    scipy.io.savemat(path, {"layers": cells})
    records = load_mat(path, {"layers": ((1, 2), "O")})["layers"]  # scipy's defaults: record arrays
    assert records[0, 1][0, 0]["name"][0] == "conv1_1"
    squeezed = load_mat(path, {"layers": ((2,), "O")}, struct_as_record=False, squeeze_me=True)["layers"]
    assert squeezed[1].name == "conv1_1" and squeezed[1].weights.shape == (3, 3, 3, 2)
