"""Issue 11, item 1: a user error is one line ``tf-course: ...`` and exit 2; the report and the table keep the
whole message; a traceback only with ``--debug``; a real bug keeps its traceback and exits 1."""

from __future__ import annotations

import json

import pytest

from tests.reliability.course_like import write_course_h5
from tf_course import cli, registry
from tf_course.data.validate import DataError
from tf_course.registry import Assignment

BAD_SHAPE = "key 'train_set_x': expected shape (any, 64, 64, 3), found (209, 32, 32, 3)"


@pytest.fixture
def bad_cat_dir(tmp_path):
    """The course's cat files, the train images 32x32 instead of 64x64."""
    root = tmp_path / "data"
    write_course_h5(root / "datasets" / "train_catvnoncat.h5", "train", 209, (32, 32, 3))
    write_course_h5(root / "datasets" / "test_catvnoncat.h5", "test", 50)
    return root


def test_bad_course_file_is_one_line_exit_2_and_whole_in_report_and_table(bad_cat_dir, tmp_path, capsys):
    out = tmp_path / "models"
    code = cli.main(["run", "logistic_regression", "--quiet", "--data-dir", str(bad_cat_dir), "--out", str(out)])
    assert code == 2
    captured = capsys.readouterr()
    path = bad_cat_dir / "datasets" / "train_catvnoncat.h5"
    message = f"{path}: {BAD_SHAPE}"
    assert captured.err.splitlines() == [f"tf-course: logistic_regression: {message}",
                                         "hint: rerun with --debug for the traceback"]
    (entry,) = json.loads((out / "report.json").read_text())["results"]
    assert (entry["status"], entry["error"], entry["error_kind"]) == ("failed", message, "user")
    table = " ".join(captured.out.split())  # the table wraps long messages inside 100 columns
    assert f"FAILED: {message}" in table
    # 100 columns, but a path longer than a line stays whole (copyable) on a line of its own
    assert max(len(line) for line in captured.out.splitlines() if str(tmp_path) not in line) <= 100


def test_debug_adds_the_traceback(bad_cat_dir, tmp_path, capsys):
    code = cli.main(["run", "logistic_regression", "--quiet", "--debug", "--data-dir", str(bad_cat_dir),
                     "--out", str(tmp_path / "models")])
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and f"DataError: {bad_cat_dir}" in err


def test_run_yolo_with_garbage_weights_is_one_line(tmp_path, capsys):
    garbage = tmp_path / "garbage.h5"
    garbage.write_bytes(b"garbage" * 10)
    assert cli.main(["run", "yolo", "--quiet", "--weights", str(garbage), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"tf-course: yolo: {garbage}: expected a Keras 2 HDF5 file")
    assert len(err) == 2 and "Traceback" not in " ".join(err)


def test_a_bug_keeps_its_traceback_and_exits_1(tmp_path, monkeypatch, capsys):
    buggy = Assignment("logistic_regression", "C1W2", "bug", "tests.reliability.course_like:buggy_pipeline")
    monkeypatch.setattr(registry, "BY_NAME", {**registry.BY_NAME, "logistic_regression": buggy})
    report = tmp_path / "r.json"
    assert cli.main(["run", "logistic_regression", "--quiet", "--out", str(tmp_path), "--report", str(report)]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    (entry,) = json.loads(report.read_text())["results"]
    assert entry["error_kind"] == "bug" and entry["error"].rstrip().endswith("ZeroDivisionError: division by zero")


def test_a_commands_user_error_is_one_line_and_debug_shows_the_traceback(monkeypatch, capsys):
    def broken():
        raise DataError("x.h5: expected key 'a', found keys ['b']")

    monkeypatch.setattr(cli, "cmd_list", broken)
    assert cli.main(["list"]) == 2
    assert capsys.readouterr().err.splitlines() == ["tf-course: x.h5: expected key 'a', found keys ['b']",
                                                    "hint: rerun with --debug for the traceback"]
    assert cli.main(["list", "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.rstrip().endswith("found keys ['b']")


def test_bad_arguments_are_one_line(tmp_path, capsys):
    assert cli.main(["run", "happy_model", "--weights", str(tmp_path / "nothing.h5")]) == 2
    takers = ", ".join(a.name for a in registry.ASSIGNMENTS if a.takes_weights)  # yolo, style_transfer
    assert "yolo" in takers
    assert capsys.readouterr().err == ("tf-course: --weights: happy_model does not use pretrained weights "
                                       f"(only: {takers})\n")
