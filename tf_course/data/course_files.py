"""Finding the original course files under a data directory.

The data directory comes from ``--data-dir`` or the ``TF_COURSE_DATA`` environment variable;
inside it, files keep their course names (``datasets/train_catvnoncat.h5``, ``dinosaur/dinos.txt``).
Nothing is ever downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tf_course.data.validate import DataError

ENV_VAR = "TF_COURSE_DATA"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The course data directory: ``data_dir`` if given, else ``$TF_COURSE_DATA``, else None.

    Raises:
        FileNotFoundError: if a directory was named but does not exist.
    """
    chosen = data_dir if data_dir is not None else os.environ.get(ENV_VAR) or None
    if chosen is None:
        return None
    path = Path(chosen).expanduser()
    if not path.is_dir():
        source = "--data-dir" if data_dir is not None else f"${ENV_VAR}"
        raise FileNotFoundError(f"{source}: expected a directory of course files, found no directory at {path}")
    return path


def find_course_file(relative: str, data_dir: str | os.PathLike[str] | None) -> Path | None:
    """Path of course file ``relative`` (e.g. ``"datasets/data.mat"``) under ``data_dir``.

    Also accepts the file directly in ``data_dir`` (``data_dir/data.mat``), as users often copy
    course files flat. Returns None when there is no data directory or no such file.
    """
    if data_dir is None:
        return None
    data_dir = Path(data_dir)
    for candidate in (data_dir / relative, data_dir / Path(relative).name):
        if candidate.is_file():
            return candidate
    return None


def find_course_files(
    dataset: str,
    relatives: Sequence[str],
    data_dir: str | os.PathLike[str] | None,
    may_stand_alone: Sequence[str] = (),
) -> list[Path] | None:
    """The paths of all of a dataset's course files, or None when the stand-in is to be used.

    The rule every dataset follows: all files present -> their paths (the course's data); none
    present -> None (the stand-in); some present -> :class:`DataError` naming the missing ones
    (a half-copied data folder is never silently replaced by the stand-in).

    Args:
        dataset: the dataset's name, for the message (``"cat"``).
        relatives: its course files relative to the data directory (see :func:`find_course_file`).
        data_dir: the data directory, or None (-> None).
        may_stand_alone: files that the course's own snapshots ship without the others (``SIGNS``'s
            ``datasets/test_signs.h5``): when only these are present, the stand-in is used.

    Raises:
        DataError: ``"expected ... found only ..., missing ..."`` for a partial set.
    """
    if data_dir is None:
        return None
    found = {relative: find_course_file(relative, data_dir) for relative in relatives}
    present = [relative for relative, path in found.items() if path is not None]
    if len(present) == len(relatives):
        return [found[relative] for relative in relatives]
    if not present or set(present) <= set(may_stand_alone):
        return None
    missing = [relative for relative in relatives if found[relative] is None]
    raise DataError(f"{dataset} dataset under {data_dir}: expected all of {', '.join(relatives)} (or none, to use "
                    f"the stand-in), found only {', '.join(str(found[r]) for r in present)}; missing "
                    f"{', '.join(missing)}")
