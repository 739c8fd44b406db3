"""MATLAB ``.mat`` files: a validated generic reader, and the course's ``datasets/data.mat`` (C2W1 regularization).

:func:`load_mat` wraps ``scipy.io.loadmat``: scipy's many ways of failing on an empty, short,
truncated or foreign file (``MatReadError``, ``ValueError``, ``OSError``, ``IndexError``...) become
one :class:`DataError` naming the file, and each requested key is checked for presence, shape
pattern and dtype kind (:func:`tf_course.data.validate.check_array`). ``struct_as_record`` and
``squeeze_me`` pass through, for nested struct files such as MatConvNet's
``imagenet-vgg-verydeep-19.mat``.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tf_course.data.validate import DataError, check_array, require_file


@dataclass(frozen=True)
class MatKey:
    """What one key of a ``.mat`` file must hold.

    Attributes:
        shape: shape pattern, ``None`` entries match any size; ``None`` for no shape check.
        dtype_kinds: accepted ``numpy.dtype.kind`` letters (``"f"``, ``"uif"``, ``"O"`` for cells and
            structs); ``None`` for no dtype check.
        finite: reject NaN and infinity (float arrays).
    """

    shape: Sequence[int | None] | None = None
    dtype_kinds: str | None = None
    finite: bool = False


KeySpec = MatKey | tuple  # a MatKey or the tuple (shape, dtype_kinds[, finite])


def _as_mat_key(key: str, spec: KeySpec) -> MatKey:
    if isinstance(spec, MatKey):
        return spec
    if isinstance(spec, tuple) and 1 <= len(spec) <= 3:
        return MatKey(*spec)
    raise ValueError(f"load_mat: key {key!r}: expected a MatKey or a (shape, dtype_kinds[, finite]) tuple, "
                     f"found {spec!r}")


def _read_error(path: Path, exc: BaseException) -> DataError:
    size = path.stat().st_size
    found = "an empty file" if size == 0 else f"{size} bytes scipy cannot read, corrupt or truncated"
    return DataError(f"{path}: expected a MATLAB .mat file, found {found} ({type(exc).__name__}: {exc})")


def load_mat(
    path: str | Path,
    keys: Mapping[str, KeySpec],
    *,
    what: str = "MATLAB .mat file",
    struct_as_record: bool = True,
    squeeze_me: bool = False,
) -> dict[str, np.ndarray]:
    """Read the variables ``keys`` of a MATLAB (v4 to v7.2) ``.mat`` file, each validated.

    Args:
        path: the file.
        keys: ``{name: MatKey(shape, dtype_kinds, finite)}`` or ``{name: (shape, dtype_kinds)}``.
        what: how to name the file when it is missing (e.g. ``"regularization data (data.mat)"``).
        struct_as_record, squeeze_me: passed to ``scipy.io.loadmat`` (MatConvNet's VGG files are
            usually read with ``struct_as_record=False, squeeze_me=True``).

    Returns:
        ``{name: np.asarray(value)}`` for the requested names, in the order of ``keys``.

    Raises:
        FileNotFoundError: nothing at ``path``.
        DataError: not a readable ``.mat`` file ("expected a MATLAB .mat file, found ..."), a key
            missing (naming the keys found), or a wrong shape, dtype or non-finite value.
    """
    import scipy.io
    from scipy.io.matlab import MatReadError

    specs = {key: _as_mat_key(key, spec) for key, spec in keys.items()}
    path = require_file(Path(path), what)
    try:
        mat = scipy.io.loadmat(path, struct_as_record=struct_as_record, squeeze_me=squeeze_me,
                               variable_names=list(specs) or None)
    except NotImplementedError as exc:  # scipy: "Please use HDF reader for matlab v7.3 files"
        raise DataError(f"{path}: expected a MATLAB v4-v7.2 .mat file, found a v7.3 (HDF5) file, which "
                        f"scipy.io.loadmat cannot read ({exc})") from exc
    except (MatReadError, ValueError, OSError, TypeError, IndexError, KeyError, EOFError, struct.error,
            zlib.error) as exc:
        raise _read_error(path, exc) from exc
    found = sorted(k for k in mat if not k.startswith("__"))
    arrays = {}
    for key, spec in specs.items():
        if key not in mat:
            raise DataError(f"{path}: expected key {key!r}, found keys {_all_keys(path) or found}")
        arrays[key] = check_array(np.asarray(mat[key]), what=f"{path}: key {key!r}", shape=spec.shape,
                                  dtype_kinds=spec.dtype_kinds, finite=spec.finite)
    return arrays


def _all_keys(path: Path) -> list[str]:
    """Every variable name in the file (``loadmat`` was asked for some only)."""
    import scipy.io

    try:
        return sorted(name for name, _, _ in scipy.io.whosmat(path))
    except Exception:  # only for an error message; the file was readable a moment ago
        return []


def load_football_mat(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read ``data.mat`` as the course does: train X.T, y.T and test Xval.T, yval.T.

    Returns:
        train_X (2, m_train) float64, train_Y (1, m_train), test_X (2, m_test),
        test_Y (1, m_test); the course file gives m_train 211 and m_test 200.

    Raises:
        FileNotFoundError: no file at ``path``.
        DataError: not a MATLAB file, a key missing, or a wrong shape / non-finite value.
    """
    columns = {"X": 2, "y": 1, "Xval": 2, "yval": 1}
    arrays = load_mat(path, {key: MatKey((None, cols), "uif", finite=True) for key, cols in columns.items()},
                      what="regularization data (data.mat)")
    path = Path(path)
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
