"""tf_course.data.names: reading and validating a names file, the seeded stand-in, the all-or-none rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tf_course.data.names import DINOS_FILE, generate_names, load_names, parse_names, read_names
from tf_course.data.validate import DataError


def test_read_names(tmp_path: Path) -> None:
    path = tmp_path / "dinos.txt"
    path.write_text("Aachenosaurus\nAardonyx\n\nzuul")
    names = read_names(path)
    assert names.names == ["aachenosaurus", "aardonyx", "zuul"]
    assert names.source == "course" and names.path == path
    assert names.text == "aachenosaurus\naardonyx\nzuul"


def test_read_names_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="expected a file at"):
        read_names(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("abc\nt-rex\n")
    with pytest.raises(DataError, match=r"line 2: expected only the letters a-z in a name, found \['-'\]"):
        read_names(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(DataError, match="expected one name per line, found no names"):
        read_names(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataError, match="expected UTF-8 text"):
        read_names(binary)
    assert parse_names("Ab\r\nCd\r\n") == ["ab", "cd"]


def test_generate_names_seeded() -> None:
    names = generate_names(300, seed=0)
    assert names == generate_names(300, seed=0)
    assert names != generate_names(300, seed=1)
    assert len(set(names)) == 300
    assert all(name.isalpha() and name.islower() and 5 <= len(name) <= 30 for name in names)
    with pytest.raises(ValueError, match="expected count >= 1"):
        generate_names(0)


def test_load_names_all_or_none(tmp_path: Path) -> None:
    standin = load_names(None, count=50)
    assert standin.source == "synthetic" and len(standin.names) == 50
    assert load_names(tmp_path, count=20).source == "synthetic"  # no course file: the stand-in
    (tmp_path / "dinosaur").mkdir()
    (tmp_path / DINOS_FILE).write_text("Aardonyx\nZuul")
    course = load_names(tmp_path)
    assert course.source == "course" and course.names == ["aardonyx", "zuul"]
