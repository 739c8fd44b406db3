"""The course's YOLO post-processing on one image: ``yolo_filter_boxes``, ``yolo_non_max_suppression``, ``yolo_eval``.

These follow the TF2 notebook (argument orders included) and return variable-length tensors, so
they run eagerly or in a ``tf.function`` traced for one image; the batched, fixed-size, saveable
equivalent is :class:`tf_course.detection.nms.YoloNMS`. :func:`non_max_suppression_np` is a
NumPy reference of the greedy NMS that ``tf.image.non_max_suppression`` implements.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from tf_course.detection.boxes import iou_matrix_np, scale_boxes, yolo_boxes_to_corners


def yolo_filter_boxes(
    boxes: tf.Tensor, box_confidence: tf.Tensor, box_class_probs: tf.Tensor, threshold: float = 0.6
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Keep the boxes whose best class score ``confidence * prob`` is ``>= threshold`` (the course's filter).

    Args:
        boxes: (19, 19, 5, 4) corner boxes (any leading shape ``S``: (*S, 4)).
        box_confidence: (*S, 1) object confidence ``p_c``.
        box_class_probs: (*S, C) class probabilities.
        threshold: minimum best-class score to keep a box.

    Returns:
        ``scores`` (K,) the best class score, ``boxes`` (K, 4), ``classes`` (K,) int64 the best class,
        for the K kept boxes, in row-major order of ``S``.
    """
    box_scores = box_confidence * box_class_probs  # (*S, C)
    box_classes = tf.math.argmax(box_scores, axis=-1)  # (*S,)
    box_class_scores = tf.math.reduce_max(box_scores, axis=-1)  # (*S,)
    filtering_mask = box_class_scores >= threshold  # (*S,)
    scores = tf.boolean_mask(box_class_scores, filtering_mask)
    boxes = tf.boolean_mask(boxes, filtering_mask)
    classes = tf.boolean_mask(box_classes, filtering_mask)
    return scores, boxes, classes


def yolo_non_max_suppression(
    scores: tf.Tensor, boxes: tf.Tensor, classes: tf.Tensor, max_boxes: int = 10, iou_threshold: float = 0.5
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The course's class-agnostic NMS: ``tf.image.non_max_suppression`` then ``tf.gather``.

    Args:
        scores: (K,) scores; boxes: (K, 4) corners ``[y_min, x_min, y_max, x_max]``; classes: (K,).
        max_boxes: at most this many boxes are kept.
        iou_threshold: a box is dropped when its IoU with a kept, higher-scoring box is ``> iou_threshold``.

    Returns:
        ``scores`` (k,), ``boxes`` (k, 4), ``classes`` (k,) with k <= max_boxes, by descending score.
    """
    nms_indices = tf.image.non_max_suppression(boxes, scores, max_boxes, iou_threshold=iou_threshold)  # (k,)
    scores = tf.gather(scores, nms_indices)
    boxes = tf.gather(boxes, nms_indices)
    classes = tf.gather(classes, nms_indices)
    return scores, boxes, classes


def yolo_eval(
    yolo_outputs: Sequence[tf.Tensor],
    image_shape: Sequence[float] | tf.Tensor = (720.0, 1280.0),
    max_boxes: int = 10,
    score_threshold: float = 0.6,
    iou_threshold: float = 0.5,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The course's ``yolo_eval``: corners -> score filter -> pixels -> NMS, for one image.

    Args:
        yolo_outputs: ``(box_xy, box_wh, box_confidence, box_class_probs)`` as ``yolo_head`` returns
            them (TF2 course order), for one image: (19, 19, 5, 2), (19, 19, 5, 2), (19, 19, 5, 1),
            (19, 19, 5, 80) (a leading batch axis of 1 also works: boxes of a batch are pooled).
        image_shape: ``(height, width)`` of the original image in pixels.
        max_boxes, score_threshold, iou_threshold: as :func:`yolo_filter_boxes` / :func:`yolo_non_max_suppression`.

    Returns:
        ``scores`` (k,), ``boxes`` (k, 4) corners in pixels, ``classes`` (k,) int64, k <= max_boxes.
    """
    if len(yolo_outputs) != 4:
        raise ValueError(f"yolo_eval: expected yolo_outputs = (box_xy, box_wh, box_confidence, box_class_probs), "
                         f"found {len(yolo_outputs)} item(s)")
    box_xy, box_wh, box_confidence, box_class_probs = yolo_outputs
    boxes = yolo_boxes_to_corners(box_xy, box_wh)
    scores, boxes, classes = yolo_filter_boxes(boxes, box_confidence, box_class_probs, threshold=score_threshold)
    boxes = scale_boxes(boxes, image_shape)
    return yolo_non_max_suppression(scores, boxes, classes, max_boxes=max_boxes, iou_threshold=iou_threshold)


def non_max_suppression_np(
    boxes: np.ndarray,
    scores: np.ndarray,
    max_output_size: int,
    iou_threshold: float = 0.5,
    score_threshold: float = float("-inf"),
) -> np.ndarray:
    """Greedy NMS in NumPy, the reference for ``tf.image.non_max_suppression`` (same arguments and rules).

    Take the highest-scoring remaining box (ties: the lower index), keep it, drop every remaining box
    whose IoU with it is ``> iou_threshold``; repeat until ``max_output_size`` boxes are kept or none
    remain. Boxes scoring ``<= score_threshold`` are never candidates.

    Args:
        boxes: (N, 4) corners ``[y_min, x_min, y_max, x_max]`` (either order). scores: (N,).

    Returns:
        (k,) int64 indices into ``boxes``, by descending score, k <= max_output_size.
    """
    boxes = np.asarray(boxes)
    scores = np.asarray(scores)
    if scores.ndim != 1 or boxes.ndim != 2 or boxes.shape != (scores.shape[0], 4):
        raise ValueError(f"non_max_suppression_np: expected boxes (N, 4) and scores (N,), "
                         f"found {boxes.shape} and {scores.shape}")
    order = np.argsort(-scores, kind="stable")  # descending score, ties by lower index
    order = order[scores[order] > score_threshold]
    ious = iou_matrix_np(boxes[order], boxes[order])  # (n, n) in candidate order
    suppressed = np.zeros(order.size, dtype=bool)
    keep: list[int] = []
    for i in range(order.size):
        if len(keep) >= max_output_size:
            break
        if suppressed[i]:
            continue
        keep.append(int(order[i]))
        suppressed |= ious[i] > iou_threshold
    return np.asarray(keep, dtype=np.int64)
