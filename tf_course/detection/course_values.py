"""The course's unit-test values for YOLO post-processing, recomputed (the report shows them beside the course's).

The course draws its test inputs as ``tf.random.set_seed(10)`` followed by successive
``tf.random.normal(shape, mean=1, stddev=4, seed=1)`` calls; the order of the calls matters.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from tf_course.detection.boxes import iou
from tf_course.detection.postprocess import yolo_eval, yolo_filter_boxes, yolo_non_max_suppression

COURSE_SEED = 10


def seeded_normal(*shapes: Sequence[int]) -> list[tf.Tensor]:
    """The course tests' inputs: ``set_seed(10)`` then one normal(mean 1, stddev 4, seed 1) draw per shape.

    Note: this resets TensorFlow's global seed, as the course's tests do; call it after training.
    """
    tf.random.set_seed(COURSE_SEED)
    return [tf.random.normal(list(shape), mean=1, stddev=4, seed=1) for shape in shapes]


def course_unit_values() -> dict[str, float]:
    """``scores[2]`` of the course's filter / NMS / ``yolo_eval`` tests and its IoU example."""
    confidence, boxes, probs = seeded_normal([19, 19, 5, 1], [19, 19, 5, 4], [19, 19, 5, 80])
    filter_scores, _, _ = yolo_filter_boxes(boxes, confidence, probs, threshold=0.5)
    scores, boxes, classes = seeded_normal([54], [54, 4], [54])
    nms_scores, _, _ = yolo_non_max_suppression(scores, boxes, classes)
    outputs = seeded_normal([19, 19, 5, 2], [19, 19, 5, 2], [19, 19, 5, 1], [19, 19, 5, 80])  # xy, wh, conf, probs
    eval_scores, _, _ = yolo_eval(tuple(outputs))
    return {
        "filter_score_2": float(filter_scores[2]),
        "filter_boxes_kept": int(filter_scores.shape[0]),
        "nms_score_2": float(nms_scores[2]),
        "eval_score_2": float(eval_scores[2]),
        "iou": float(iou((2, 1, 4, 3), (1, 2, 3, 4))),
    }
