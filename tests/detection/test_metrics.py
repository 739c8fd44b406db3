"""mAP (VOC all-point interpolation) on hand-built detections."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.detection.boxes import iou_matrix_np
from tf_course.detection.metrics import average_precision, mean_average_precision

A = [0.0, 0.0, 0.5, 0.5]
B = [0.5, 0.5, 1.0, 1.0]
C = [0.2, 0.5, 0.6, 0.9]
FAR = [0.9, 0.0, 1.0, 0.1]  # overlaps none of A, B, C


def detections(rows: list[list[tuple[list[float], float, int]]], max_boxes: int = 5) -> dict[str, np.ndarray]:
    """YoloNMS-like padded arrays from per-image lists of (box, score, class)."""
    n = len(rows)
    out = {"boxes": np.zeros((n, max_boxes, 4), np.float32), "scores": np.zeros((n, max_boxes), np.float32),
           "classes": np.full((n, max_boxes), -1, np.int32), "num_detections": np.zeros(n, np.int32)}
    for i, row in enumerate(rows):
        for j, (box, score, label) in enumerate(row):
            out["boxes"][i, j], out["scores"][i, j], out["classes"][i, j] = box, score, label
        out["num_detections"][i] = len(row)
    return out


def truth(rows: list[list[tuple[list[float], int]]], max_objects: int = 4) -> tuple[np.ndarray, np.ndarray]:
    boxes = np.zeros((len(rows), max_objects, 4), np.float32)
    classes = np.full((len(rows), max_objects), -1, np.int32)
    for i, row in enumerate(rows):
        for j, (box, label) in enumerate(row):
            boxes[i, j], classes[i, j] = box, label
    return boxes, classes


TRUE_BOXES, TRUE_CLASSES = truth([[(A, 0), (B, 1)], [(C, 0)]])


def test_iou_matrix():
    # A and [0, 0.25, 0.5, 0.75]: intersection 0.5 * 0.25 = 0.125, union 0.25 + 0.25 - 0.125 = 0.375 -> 1/3
    np.testing.assert_allclose(iou_matrix_np(np.array([A]), np.array([[0, 0.25, 0.5, 0.75], B, A])),
                               [[1 / 3, 0.0, 1.0]])


def test_perfect_detections():
    found = detections([[(A, 0.9, 0), (B, 0.8, 1)], [(C, 0.7, 0)]])
    mean, ap = mean_average_precision(found, TRUE_BOXES, TRUE_CLASSES, 2)
    assert mean == 1.0
    np.testing.assert_array_equal(ap, [1.0, 1.0])


def test_false_positive_ranked_first():
    found = detections([[(FAR, 0.95, 0), (A, 0.9, 0), (B, 0.8, 1)], [(C, 0.7, 0)]])
    mean, ap = mean_average_precision(found, TRUE_BOXES, TRUE_CLASSES, 2)
    # class 0 ranking FP, TP, TP: precision 0, 1/2, 2/3 at recall 0, 1/2, 1; the envelope is 2/3 at both
    # recall steps -> AP = 1/2 * 2/3 + 1/2 * 2/3 = 2/3; class 1 perfect -> mAP (2/3 + 1) / 2 = 5/6
    np.testing.assert_allclose(ap, [2 / 3, 1.0])
    assert mean == pytest.approx(5 / 6)
    # ranked last instead, the false positive costs nothing
    last = detections([[(FAR, 0.1, 0), (A, 0.9, 0), (B, 0.8, 1)], [(C, 0.7, 0)]])
    assert mean_average_precision(last, TRUE_BOXES, TRUE_CLASSES, 2)[1][0] == 1.0


def test_duplicate_detection_is_a_false_positive():
    found = detections([[(A, 0.9, 0), (A, 0.8, 0), (B, 0.8, 1)], [(C, 0.7, 0)]])
    ap = mean_average_precision(found, TRUE_BOXES, TRUE_CLASSES, 2)[1]
    # class 0 ranking TP, FP (A again), TP: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1
    # -> AP = 1/2 * 1 + 1/2 * 2/3 = 5/6
    assert ap[0] == pytest.approx(5 / 6)


def test_missed_objects_lower_recall():
    boxes, classes = truth([[(A, 0), (B, 0), (C, 0), (FAR, 0)]])
    found = detections([[(A, 0.9, 0), (C, 0.5, 0)]])
    # recall reaches 2/4 at precision 1 and never more -> AP = 0.5
    assert mean_average_precision(found, boxes, classes, 1) == (0.5, pytest.approx(np.array([0.5])))
    # nothing detected at all -> AP 0
    none = detections([[]])
    assert mean_average_precision(none, boxes, classes, 1)[0] == 0.0


def test_wrong_class_and_classes_without_ground_truth():
    found = detections([[(A, 0.9, 2), (A, 0.8, 0), (B, 0.8, 1), (FAR, 0.99, 2)], [(C, 0.7, 0)]])
    mean, ap = mean_average_precision(found, TRUE_BOXES, TRUE_CLASSES, 3)
    # class 2 has no object: its detections are not in any class's ranking and it is left out of the mean
    assert np.isnan(ap[2])
    np.testing.assert_array_equal(ap[:2], [1.0, 1.0])
    assert mean == 1.0


def test_iou_threshold_is_inclusive():
    boxes, classes = truth([[([0.0, 0.0, 0.5, 0.5], 0)]])
    found = detections([[([0.0, 0.0, 0.5, 0.25], 0.9, 0)]])  # IoU 0.125 / 0.25 = 0.5 exactly
    assert mean_average_precision(found, boxes, classes, 1, iou_threshold=0.5)[0] == 1.0
    assert mean_average_precision(found, boxes, classes, 1, iou_threshold=0.6)[0] == 0.0


def test_a_detection_may_match_the_second_best_object_when_the_best_is_taken():
    g1, g2 = [0.0, 0.0, 0.5, 0.5], [0.0, 0.1, 0.5, 0.6]
    boxes, classes = truth([[(g1, 0), (g2, 0)]])
    # second detection: IoU 0.23 / 0.27 = 0.852 with g1 (already matched), 0.22 / 0.28 = 0.786 with g2
    found = detections([[(g1, 0.9, 0), ([0.0, 0.04, 0.5, 0.54], 0.8, 0)]])
    assert mean_average_precision(found, boxes, classes, 1)[0] == 1.0  # (VOC's devkit would say 0.5)


def test_padding_rows_are_ignored():
    found = detections([[(A, 0.9, 0), (B, 0.8, 1)], [(C, 0.7, 0)]])
    found["boxes"][0, 2], found["scores"][0, 2], found["classes"][0, 2] = FAR, 0.99, 0  # past num_detections
    assert mean_average_precision(found, TRUE_BOXES, TRUE_CLASSES, 2)[0] == 1.0


def test_average_precision_ranking():
    # TP, FP, TP, FP, TP over 4 objects: precision 1, 1/2, 2/3, 1/2, 3/5 at recall 1/4, 1/4, 1/2, 1/2, 3/4
    # envelope 1 at 1/4, 2/3 at 1/2, 3/5 at 3/4 -> AP = 1/4 * (1 + 2/3 + 3/5) = 0.566667
    assert average_precision(np.array([1, 0, 1, 0, 1], bool), 4) == pytest.approx((1 + 2 / 3 + 3 / 5) / 4)
    with pytest.raises(ValueError, match="at least one ground-truth object, found 0"):
        average_precision(np.array([True]), 0)


def test_bad_inputs():
    found = detections([[(A, 0.9, 0)], [(C, 0.7, 0)]])
    with pytest.raises(ValueError, match=r"missing \['num_detections'\]"):
        mean_average_precision({k: v for k, v in found.items() if k != "num_detections"}, TRUE_BOXES,
                               TRUE_CLASSES, 2)
    with pytest.raises(ValueError, match=r"true_boxes: expected shape \(2, any, 4\), found \(1, 4, 4\)"):
        mean_average_precision(found, TRUE_BOXES[:1], TRUE_CLASSES[:1], 2)
    with pytest.raises(ValueError, match=r"true_classes: expected -1 or 0\.\.0, found -1\.\.1"):
        mean_average_precision(found, TRUE_BOXES, TRUE_CLASSES, 1)
    bad = dict(found, classes=np.where(found["classes"] == 0, 5, found["classes"]).astype(np.int32))
    with pytest.raises(ValueError, match=r"detections\['classes'\]: expected 0\.\.1 in the first num_detections"):
        mean_average_precision(bad, TRUE_BOXES, TRUE_CLASSES, 2)
    with pytest.raises(ValueError, match=r"num_detections'\]: expected values in 0\.\.5, found 1\.\.6"):
        mean_average_precision(dict(found, num_detections=np.array([1, 6], np.int32)), TRUE_BOXES, TRUE_CLASSES, 2)
    nan_scores = dict(found, scores=np.full((2, 5), np.nan, np.float32))
    with pytest.raises(ValueError, match=r"scores'\]: expected finite values"):
        mean_average_precision(nan_scores, TRUE_BOXES, TRUE_CLASSES, 2)
    with pytest.raises(ValueError, match="expected at least one ground-truth object, found only padding"):
        mean_average_precision(found, TRUE_BOXES, np.full_like(TRUE_CLASSES, -1), 2)
