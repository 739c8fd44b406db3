"""Input validation with errors that name what was expected and what was found."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


class DataError(ValueError):
    """A data file or array is not what an assignment expects (key, shape, dtype, values)."""


def describe_shape(shape: Sequence[int | None]) -> str:
    """Render a shape pattern, ``None`` meaning any size: ``(None, 64, 64, 3)``."""
    return "(" + ", ".join("any" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def check_array(
    array: np.ndarray,
    *,
    what: str,
    shape: Sequence[int | None] | None = None,
    dtype_kinds: str | None = None,
    finite: bool = False,
) -> np.ndarray:
    """Check an array's shape pattern, dtype kind and finiteness; return it unchanged.

    Args:
        array: the array to check.
        what: how to name it in an error, e.g. ``"train_catvnoncat.h5: key 'train_set_x'"``.
        shape: expected shape; ``None`` entries match any size.
        dtype_kinds: accepted ``numpy.dtype.kind`` letters, e.g. ``"ui"`` for integers,
            ``"f"`` for floats.
        finite: reject NaN and infinity.

    Raises:
        DataError: naming ``what`` with the expected and found shape, dtype or values.
    """
    if shape is not None:
        ok = array.ndim == len(shape) and all(
            want is None or want == got for want, got in zip(shape, array.shape)
        )
        if not ok:
            raise DataError(
                f"{what}: expected shape {describe_shape(shape)}, found {tuple(array.shape)}"
            )
    if dtype_kinds is not None and array.dtype.kind not in dtype_kinds:
        names = {"u": "unsigned int", "i": "int", "f": "float", "b": "bool", "S": "bytes",
                 "U": "str", "O": "object"}
        wanted = " or ".join(names.get(k, k) for k in dtype_kinds)
        raise DataError(f"{what}: expected dtype {wanted}, found {array.dtype}")
    if finite and array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise DataError(f"{what}: expected finite values, found {bad} NaN or infinite value(s)")
    return array


def require_file(path: Path, what: str) -> Path:
    """Return ``path`` if it is a file, else raise ``FileNotFoundError`` naming ``what``."""
    if not path.is_file():
        raise FileNotFoundError(f"{what}: expected a file at {path}, found nothing there")
    return path
