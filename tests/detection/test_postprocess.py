"""The course's YOLO post-processing: the reference sheet's seeded values, and the NumPy NMS reference."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tf_course.detection.boxes import center_to_corners_np
from tf_course.detection.course_values import course_unit_values, seeded_normal
from tf_course.detection.postprocess import (
    non_max_suppression_np,
    yolo_eval,
    yolo_filter_boxes,
    yolo_non_max_suppression,
)


def test_yolo_filter_boxes_course_values():
    box_confidence, boxes, box_class_probs = seeded_normal([19, 19, 5, 1], [19, 19, 5, 4], [19, 19, 5, 80])
    scores, boxes, classes = yolo_filter_boxes(boxes, box_confidence, box_class_probs, threshold=0.5)
    assert scores.shape == (1789,) and boxes.shape == (1789, 4) and classes.shape == (1789,)
    np.testing.assert_allclose(scores[2].numpy(), 9.270486, rtol=1e-5)
    np.testing.assert_allclose(boxes[2].numpy(), [4.6399336, 3.2303846, 4.431282, -2.202031], rtol=1e-5)
    assert int(classes[2]) == 8


def test_yolo_filter_boxes_hand_literal():
    # two boxes, three classes; scores = confidence * probs:
    # box 0: 0.9 * [0.1, 0.7, 0.2] = [0.09, 0.63, 0.18] -> best class 1, 0.63 >= 0.6 kept
    # box 1: 0.5 * [0.2, 0.3, 0.5] = [0.10, 0.15, 0.25] -> best class 2, 0.25 < 0.6 dropped
    boxes = tf.constant([[0.1, 0.1, 0.5, 0.5], [0.2, 0.2, 0.6, 0.6]])
    confidence = tf.constant([[0.9], [0.5]])
    probs = tf.constant([[0.1, 0.7, 0.2], [0.2, 0.3, 0.5]])
    scores, kept, classes = yolo_filter_boxes(boxes, confidence, probs)
    np.testing.assert_allclose(scores.numpy(), [0.63], rtol=1e-6)
    np.testing.assert_allclose(kept.numpy(), [[0.1, 0.1, 0.5, 0.5]])
    assert classes.numpy().tolist() == [1]


def test_yolo_non_max_suppression_course_values():
    scores, boxes, classes = seeded_normal([54], [54, 4], [54])
    scores, boxes, classes = yolo_non_max_suppression(scores, boxes, classes)
    assert scores.shape == (10,) and boxes.shape == (10, 4) and classes.shape == (10,)
    np.testing.assert_allclose(scores[2].numpy(), 8.147684, rtol=1e-5)
    np.testing.assert_allclose(boxes[2].numpy(), [6.0797963, 3.743308, 1.3914018, -0.34089637], rtol=1e-5)
    np.testing.assert_allclose(classes[2].numpy(), 1.7079165, rtol=1e-5)


def test_yolo_eval_course_values():
    yolo_outputs = seeded_normal([19, 19, 5, 2], [19, 19, 5, 2], [19, 19, 5, 1], [19, 19, 5, 80])
    scores, boxes, classes = yolo_eval(yolo_outputs)
    assert scores.shape == (10,) and boxes.shape == (10, 4) and classes.shape == (10,)
    np.testing.assert_allclose(scores[2].numpy(), 171.60194, rtol=1e-5)
    np.testing.assert_allclose(boxes[2].numpy(), [-1240.3483, -3212.5881, -645.78, 2024.3052], rtol=1e-5)
    assert int(classes[2]) == 16


def test_yolo_eval_hand_literal_scales_to_pixels():
    # one box at centre (x, y) = (0.5, 0.25), size (w, h) = (0.2, 0.1), confidence 1, class 0 prob 1:
    # corners [y_min, x_min, y_max, x_max] = [0.2, 0.4, 0.3, 0.6]; times [720, 1280, 720, 1280]
    # = [144, 512, 216, 768]
    outputs = (tf.constant([[0.5, 0.25]]), tf.constant([[0.2, 0.1]]), tf.constant([[1.0]]), tf.constant([[1.0, 0.0]]))
    scores, boxes, classes = yolo_eval(outputs)
    np.testing.assert_allclose(boxes.numpy(), [[144.0, 512.0, 216.0, 768.0]], rtol=1e-6)
    assert scores.numpy().tolist() == [1.0] and classes.numpy().tolist() == [0]


def test_yolo_eval_rejects_wrong_number_of_outputs():
    with pytest.raises(ValueError, match="box_xy, box_wh, box_confidence, box_class_probs"):
        yolo_eval((tf.zeros([1, 2]), tf.zeros([1, 2]), tf.zeros([1, 1])))


def test_non_max_suppression_np_hand_literal():
    # box 1 is box 0's top half: IoU = 0.5 / 1 = 0.5, not > 0.5, kept (TF's rule is a strict >);
    # box 2 is box 0 shifted by 0.1: IoU = 0.9 / 1.1 = 0.818 > 0.5, dropped; box 3 is disjoint, kept.
    boxes = np.array([[0, 0, 1, 1], [0, 0, 0.5, 1], [0.1, 0, 1.1, 1], [2, 2, 3, 3]], dtype=np.float32)
    scores = np.array([0.9, 0.5, 0.8, 0.1], dtype=np.float32)
    assert non_max_suppression_np(boxes, scores, 10, 0.5).tolist() == [0, 1, 3]
    assert non_max_suppression_np(boxes, scores, 2, 0.5).tolist() == [0, 1]
    assert non_max_suppression_np(boxes, scores, 10, 0.5, score_threshold=0.1).tolist() == [0, 1]
    assert tf.image.non_max_suppression(boxes, scores, 10, 0.5).numpy().tolist() == [0, 1, 3]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_non_max_suppression_np_equals_tf(seed: int):
    rng = np.random.default_rng(seed)
    centres = np.concatenate([rng.uniform(0, 1, (300, 2)), rng.uniform(0.02, 0.4, (300, 2))], axis=1)
    boxes = center_to_corners_np(centres).astype(np.float32)  # (300, 4) heavily overlapping
    scores = rng.uniform(0, 1, 300).astype(np.float32)
    for max_out, iou_threshold, score_threshold in ((20, 0.5, float("-inf")), (300, 0.3, 0.2), (50, 0.7, 0.5)):
        expected = tf.image.non_max_suppression(boxes, scores, max_out, iou_threshold, score_threshold).numpy()
        got = non_max_suppression_np(boxes, scores, max_out, iou_threshold, score_threshold)
        assert expected.size > 5
        np.testing.assert_array_equal(got, expected)


def test_non_max_suppression_np_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"expected boxes \(N, 4\) and scores \(N,\)"):
        non_max_suppression_np(np.zeros((3, 4)), np.zeros(2), 5)


def test_course_unit_values_for_the_report():
    values = course_unit_values()
    np.testing.assert_allclose([values["filter_score_2"], values["nms_score_2"], values["eval_score_2"]],
                               [9.270486, 8.147684, 171.60194], rtol=1e-5)
    assert values["filter_boxes_kept"] == 1789 and values["iou"] == pytest.approx(1 / 7)  # 1x1 overlap / (4 + 4 - 1)
