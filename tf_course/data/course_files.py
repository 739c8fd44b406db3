"""Finding the original course files under a data directory.

The data directory comes from ``--data-dir`` or the ``TF_COURSE_DATA`` environment variable;
inside it, files keep their course names (``datasets/train_catvnoncat.h5``, ``dinosaur/dinos.txt``).
Nothing is ever downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path

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
