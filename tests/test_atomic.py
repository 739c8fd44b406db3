"""Atomic writes: readers see the old file or the new one, never half, and no temporary files stay."""

from __future__ import annotations

import json
import stat

import pytest

from tf_course.atomic import atomic_output, write_json_atomic, write_text_atomic


def test_write_text_and_json_replace_the_file_readably(tmp_path):
    path = write_text_atomic(tmp_path / "sub" / "a.txt", "one")
    assert path.read_text() == "one"
    write_json_atomic(path, {"x": [1, 2]})
    assert json.loads(path.read_text()) == {"x": [1, 2]}
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.txt"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = write_text_atomic(tmp_path / "model.keras", "old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_output(path) as tmp:
        assert tmp.parent == path.parent and tmp.suffix == ".keras"  # writers that read the suffix still work
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]
