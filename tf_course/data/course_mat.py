"""Loader for the course's MATLAB file ``datasets/data.mat`` (C2W1 regularization data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tf_course.data.validate import DataError, check_array, require_file


def load_football_mat(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read ``data.mat`` as the course does: train X.T, y.T and test Xval.T, yval.T.

    Returns:
        train_X (2, m_train) float64, train_Y (1, m_train), test_X (2, m_test),
        test_Y (1, m_test); the course file gives m_train 211 and m_test 200.

    Raises:
        FileNotFoundError: no file at ``path``.
        DataError: not a MATLAB file, a key missing, or a wrong shape / non-finite value.
    """
    import scipy.io

    path = require_file(Path(path), "regularization data (data.mat)")
    try:
        mat = scipy.io.loadmat(path)
    except (ValueError, OSError, TypeError) as exc:
        raise DataError(f"{path}: expected a MATLAB .mat file, could not read it ({exc})") from exc
    found = sorted(k for k in mat if not k.startswith("__"))
    arrays = {}
    for key, cols in (("X", 2), ("y", 1), ("Xval", 2), ("yval", 1)):
        if key not in mat:
            raise DataError(f"{path}: expected key {key!r}, found keys {found}")
        arrays[key] = check_array(
            np.asarray(mat[key]), what=f"{path}: key {key!r}", shape=(None, cols),
            dtype_kinds="uif", finite=True,
        )
    for x_key, y_key in (("X", "y"), ("Xval", "yval")):
        if arrays[x_key].shape[0] != arrays[y_key].shape[0]:
            raise DataError(
                f"{path}: expected as many rows in {y_key!r} as in {x_key!r} "
                f"({arrays[x_key].shape[0]}), found {arrays[y_key].shape[0]}"
            )
    return (
        arrays["X"].T.astype(np.float64),
        arrays["y"].T,
        arrays["Xval"].T.astype(np.float64),
        arrays["yval"].T,
    )
