"""Issue 11, item 4: a data folder holding some of a dataset's course files but not all is an error naming
the missing ones; all -> the course's data, none -> the stand-in."""

from __future__ import annotations

import pytest

from tests.reliability.course_like import write_course_h5
from tf_course import cli
from tf_course.data.course_files import find_course_files
from tf_course.data.datasets import load_cat_dataset, load_signs_dataset
from tf_course.data.validate import DataError

CAT = ("datasets/train_catvnoncat.h5", "datasets/test_catvnoncat.h5")


def test_the_rule_all_none_some(tmp_path):
    assert find_course_files("cat", CAT, None) is None
    assert find_course_files("cat", CAT, tmp_path) is None  # none: the stand-in
    train = write_course_h5(tmp_path / CAT[0], "train", 4)
    with pytest.raises(DataError) as err:
        find_course_files("cat", CAT, tmp_path)
    assert str(err.value) == (f"cat dataset under {tmp_path}: expected all of {', '.join(CAT)} (or none, to use the "
                              f"stand-in), found only {train}; missing datasets/test_catvnoncat.h5")
    test = write_course_h5(tmp_path / "test_catvnoncat.h5", "test", 2)  # flat copies count too
    assert find_course_files("cat", CAT, tmp_path) == [train, test]


def test_a_file_the_course_ships_alone_still_means_the_stand_in(tmp_path):
    write_course_h5(tmp_path / "datasets" / "test_signs.h5", "test", 3)  # the course snapshots' state
    assert load_signs_dataset(tmp_path).source == "synthetic"
    write_course_h5(tmp_path / "datasets" / "train_signs.h5", "train", 5)
    assert load_signs_dataset(tmp_path).source == "course"
    (tmp_path / "datasets" / "test_signs.h5").unlink()
    with pytest.raises(DataError, match="missing datasets/test_signs.h5"):
        load_signs_dataset(tmp_path)


def test_loaders_use_all_or_none(tmp_path):
    assert load_cat_dataset(tmp_path).source == "synthetic"
    write_course_h5(tmp_path / CAT[0], "train", 4)
    write_course_h5(tmp_path / CAT[1], "test", 2)
    data = load_cat_dataset(tmp_path)
    assert data.source == "course" and data.train.x.shape == (4, 64, 64, 3) and data.test.x.shape == (2, 64, 64, 3)


def test_run_with_only_the_train_file_fails_naming_the_test_file(tmp_path, capsys):
    write_course_h5(tmp_path / "data" / CAT[0], "train", 4)
    assert cli.main(["run", "logistic_regression", "--quiet", "--data-dir", str(tmp_path / "data"),
                     "--out", str(tmp_path / "models")]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith("tf-course: logistic_regression: cat dataset under ")
    assert first.endswith("missing datasets/test_catvnoncat.h5")
