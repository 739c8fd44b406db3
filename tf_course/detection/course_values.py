"""The course's unit-test values for YOLO post-processing, recomputed (the report shows them beside the course's).

The course draws its test inputs as ``tf.random.set_seed(10)`` followed by successive
``tf.random.normal(shape, mean=1, stddev=4, seed=1)`` calls; the order of the calls matters: in eager
mode the calls share one random kernel (seeds ``(10, 1)``) whose stream continues from draw to draw.
:func:`seeded_normal` reproduces those numbers bit for bit without touching TensorFlow's global seed:
it runs the same kernel, with the same two seeds, as one node of a private ``tf.function`` that it
calls once per shape (a graph node keeps its stream across calls, as the eager kernel does).
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from tf_course.detection.boxes import iou
from tf_course.detection.postprocess import yolo_eval, yolo_filter_boxes, yolo_non_max_suppression

COURSE_SEED = 10  # the course's tf.random.set_seed(10)
COURSE_OP_SEED = 1  # its tf.random.normal(..., seed=1)
COURSE_MEAN, COURSE_STDDEV = 1.0, 4.0


def _standard_normal_stream() -> tf.types.experimental.ConcreteFunction:
    """A fresh ``shape (n,) int32 -> float32 tensor of that shape`` function: successive calls continue one
    standard-normal stream seeded ``(COURSE_SEED, COURSE_OP_SEED)``, the eager stream after ``set_seed(10)``."""

    def draw(shape: tf.Tensor) -> tf.Tensor:
        return tf.raw_ops.RandomStandardNormal(shape=shape, dtype=tf.float32, seed=COURSE_SEED, seed2=COURSE_OP_SEED)

    function = tf.function(draw, input_signature=[tf.TensorSpec([None], tf.int32)], autograph=False)
    return function.get_concrete_function()


def seeded_normal(*shapes: Sequence[int]) -> list[tf.Tensor]:
    """The course tests' inputs: what ``set_seed(10)`` then one ``normal(shape, mean=1, stddev=4, seed=1)``
    per shape returns (float32 tensors of those shapes), bit for bit.

    TensorFlow's global seed, its operation-seed sequence and the kernels of other random ops are left
    as they were: a draw after this call equals the same draw without it.
    """
    draw = _standard_normal_stream()
    # tf.random.normal's own arithmetic on the standard draws: rnd * stddev + mean, float32, eager
    return [draw(tf.constant(list(shape), tf.int32)) * tf.constant(COURSE_STDDEV) + tf.constant(COURSE_MEAN)
            for shape in shapes]


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
