"""Class names and anchors files (the course's model_data/*.txt)."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.data.validate import DataError
from tf_course.detection.assets import COCO_CLASSES, YOLO_ANCHORS, read_anchors, read_classes


def test_read_classes_and_anchors_round_trip_the_course_formats(tmp_path):
    (tmp_path / "coco_classes.txt").write_text("\n".join(COCO_CLASSES) + "\n")
    (tmp_path / "yolo_anchors.txt").write_text(", ".join(str(v) for v in YOLO_ANCHORS.ravel()) + "\n")
    names = read_classes(tmp_path / "coco_classes.txt")
    assert len(names) == 80 and names[2] == "car" and names[5] == "bus" and names[9] == "traffic light"
    np.testing.assert_array_equal(read_anchors(tmp_path / "yolo_anchors.txt"), YOLO_ANCHORS)


@pytest.mark.course_data
def test_course_anchor_file_matches_the_built_in_anchors(course_file):
    np.testing.assert_allclose(read_anchors(course_file("yolo/model_data/yolo_anchors.txt")), YOLO_ANCHORS)


@pytest.mark.parametrize("text, message", [
    ("", "found no numbers|expected"),
    ("1, 2, x", "expected comma-separated numbers"),
    ("1, 2, 3", r"expected \(num_anchors, 2\)"),
    ("1, -2", "expected positive finite sizes"),
    ("1, nan", "expected positive finite sizes"),
])
def test_bad_anchor_files_say_what_was_expected(tmp_path, text, message):
    (tmp_path / "a.txt").write_text(text)
    with pytest.raises(DataError, match=message):
        read_anchors(tmp_path / "a.txt")


def test_missing_or_empty_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="anchors file: expected a file"):
        read_anchors(tmp_path / "nope.txt")
    (tmp_path / "c.txt").write_text("\n \n")
    with pytest.raises(DataError, match="found no names"):
        read_classes(tmp_path / "c.txt")
