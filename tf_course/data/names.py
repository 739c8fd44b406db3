"""Names datasets for character-level language models (C5W1 Dinosaur Island).

- :func:`read_names`: the course's ``dinos.txt`` (one name per line, letters only), read and
  validated, lower-cased as the course reads it;
- :func:`generate_names`: the offline stand-in, made-up "dinosaur-like" names built from seeded
  syllable rules (a start, one or two middle syllables and a Greek-ish ending such as ``saurus``);
  they are invented by this module, not the course's data;
- :func:`load_names`: the course's file from a data directory (all-or-none rule of
  :func:`tf_course.data.course_files.find_course_files`), else the stand-in.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tf_course.data.course_files import find_course_files
from tf_course.data.validate import DataError, require_file

DINOS_FILE = "dinosaur/dinos.txt"
ALPHABET = frozenset(string.ascii_lowercase)

_ONSETS = ("b", "br", "c", "ch", "d", "dr", "g", "gr", "h", "k", "l", "m", "n", "p", "pr", "r", "s", "st", "t",
           "tr", "v", "z", "", "")
_VOWELS = ("a", "e", "i", "o", "u", "a", "o", "ia", "eo", "y")
_CODAS = ("", "", "", "n", "r", "s", "l", "x", "m", "nt", "ph")
_ENDINGS = ("saurus", "saurus", "saurus", "raptor", "don", "odon", "ceratops", "suchus", "nykus", "mimus",
            "ops", "tops", "lophus", "venator", "pteryx", "titan", "onyx", "ia", "osaurus", "ornis")


@dataclass(frozen=True)
class Names:
    """A list of lower-case names and where they came from (``"course"`` or ``"synthetic"``, the stand-in)."""

    names: list[str]
    source: str
    path: Path | None = None

    @property
    def text(self) -> str:
        """The names joined by newlines, as the course's ``data`` string (no trailing newline)."""
        return "\n".join(self.names)


def parse_names(text: str, where: str = "names") -> list[str]:
    """Lower-cased names of ``text``, one per line (blank lines are skipped).

    Raises:
        DataError: ``"expected letters a-z, found ..."`` naming the first bad line, or no names at all.
    """
    names = []
    for number, line in enumerate(text.splitlines(), start=1):
        name = line.strip().lower()
        if not name:
            continue
        bad = sorted(set(name) - ALPHABET)
        if bad:
            raise DataError(f"{where}: line {number}: expected only the letters a-z in a name, found {bad} "
                            f"in {line.strip()!r}")
        names.append(name)
    if not names:
        raise DataError(f"{where}: expected one name per line, found no names")
    return names


def read_names(path: str | os.PathLike[str]) -> Names:
    """Read and validate a names file (the course's ``dinos.txt``: one name per line, letters only).

    Raises:
        FileNotFoundError: no file at ``path``.
        DataError: not UTF-8 / ASCII text, a non-letter in a name, or no names.
    """
    path = require_file(Path(path), "names file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: expected UTF-8 text with one name per line, found undecodable bytes "
                        f"({exc.reason} at byte {exc.start})") from None
    return Names(parse_names(text, str(path)), "course", path)


def generate_names(count: int = 1500, seed: int = 0) -> list[str]:
    """``count`` distinct made-up dinosaur-like names from syllable rules, deterministic for ``seed``.

    Each name is ``onset + vowel [+ coda] + (1-2 more syllables) + ending``, e.g. ``"brantosaurus"``,
    lower case a-z only, between 5 and 30 characters.
    """
    if count < 1:
        raise ValueError(f"generate_names: expected count >= 1, found {count}")
    rng = np.random.default_rng(seed)
    names: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(names) < count:
        attempts += 1
        if attempts > 100 * count:
            raise ValueError(f"generate_names: could not make {count} distinct names, found {len(names)}")
        syllables = 1 + int(rng.integers(1, 3))
        parts = []
        for i in range(syllables):
            onset = _ONSETS[int(rng.integers(len(_ONSETS)))]
            if i > 0 and not onset:
                onset = "l"
            parts.append(onset + _VOWELS[int(rng.integers(len(_VOWELS)))] + _CODAS[int(rng.integers(len(_CODAS)))])
        name = "".join(parts) + _ENDINGS[int(rng.integers(len(_ENDINGS)))]
        if 5 <= len(name) <= 30 and name not in seen:
            seen.add(name)
            names.append(name)
    return names


def load_names(data_dir: str | os.PathLike[str] | None, count: int = 1500, seed: int = 0) -> Names:
    """The course's ``dinosaur/dinos.txt`` under ``data_dir`` if present, else :func:`generate_names`."""
    paths = find_course_files("dinosaur", [DINOS_FILE], data_dir)
    if paths is not None:
        return read_names(paths[0])
    return Names(generate_names(count, seed), "synthetic")
