"""The YOLOv2 loss, as YAD2K's ``yolo_loss`` (the course's helper library) computes it.

Per grid cell and anchor, with ``mask`` = 1 where :func:`~tf_course.detection.targets.preprocess_true_boxes`
assigned an object:

- confidence: ``object_scale * mask * (1 - confidence)^2`` plus
  ``no_object_scale * (1 - mask) * (1 - ignore) * confidence^2``, where ``ignore`` = 1 when the
  predicted box's best IoU with any true box of the image is above ``ignore_iou`` (0.6): a good box
  predicted by an unassigned anchor is not pushed to confidence 0;
- classes: ``class_scale * mask * sum_c (onehot_c - softmax_c)^2`` (YAD2K), or with
  ``class_loss="crossentropy"`` ``class_scale * mask * -log softmax_true``;
- coordinates: ``coordinates_scale * mask * sum((sigmoid(t_x), sigmoid(t_y), t_w, t_h) - target)^2``
  against the encoded targets ``(x_cell, y_cell, log(w / anchor_w), log(h / anchor_h))``;

and the loss is half their sum. YAD2K sums over the whole batch; :func:`yolo_loss` returns one
value per image (sum over the batch = YAD2K's number), so a mean over the batch does not change
with the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from tf_course.detection.boxes import center_to_corners, iou_matrix
from tf_course.detection.head import as_anchors, yolo_head

OBJECT_SCALE = 5.0
NO_OBJECT_SCALE = 1.0
CLASS_SCALE = 1.0
COORDINATES_SCALE = 1.0
IGNORE_IOU = 0.6
CLASS_LOSSES = ("squared", "crossentropy")


def _best_iou_with_true_boxes(pred_xy: tf.Tensor, pred_wh: tf.Tensor, true_boxes: tf.Tensor) -> tf.Tensor:
    """Best IoU of each predicted box with any true box of its image.

    pred_xy, pred_wh: (b, gh, gw, A, 2) fractions; true_boxes: (b, K, 5) ``(x, y, w, h, class)``
    (padding rows have w = h = 0 and so IoU 0). Returns (b, gh, gw, A, 1).
    """
    pred = center_to_corners(tf.concat([pred_xy, pred_wh], axis=-1))  # (b, gh, gw, A, 4) corners
    flat = tf.reshape(pred, [tf.shape(pred)[0], -1, 4])  # -> (b, gh * gw * A, 4)
    iou = iou_matrix(flat, center_to_corners(true_boxes[..., 0:4]))  # (b, gh * gw * A, K)
    best = tf.reduce_max(iou, axis=-1) if true_boxes.shape[1] != 0 else tf.zeros_like(iou[..., 0])
    return tf.reshape(best, tf.concat([tf.shape(pred)[:-1], [1]], axis=0))  # -> (b, gh, gw, A, 1)


def yolo_loss_terms(
    yolo_output: tf.Tensor,
    true_boxes: tf.Tensor,
    detectors_mask: tf.Tensor,
    matching_true_boxes: tf.Tensor,
    anchors: Sequence[float] | np.ndarray,
    num_classes: int,
    rescore_confidence: bool = False,
    class_loss: str = "squared",
) -> dict[str, tf.Tensor]:
    """The three YOLOv2 loss terms of each image (already times their scales, not yet halved).

    Args:
        yolo_output: (b, gh, gw, A * (5 + C)) raw network output.
        true_boxes: (b, K, 5) ``(x, y, w, h, class)`` fractions, zero rows for padding.
        detectors_mask: (b, gh, gw, A, 1).
        matching_true_boxes: (b, gh, gw, A, 5) encoded targets.
        anchors: A (width, height) pairs in grid cells.
        num_classes: C.
        rescore_confidence: YAD2K's option: the object confidence target is the predicted box's best
            IoU instead of 1.
        class_loss: ``"squared"`` (YAD2K) or ``"crossentropy"``.

    Returns:
        ``{"confidence", "classification", "coordinates"}``, each (b,) float32.
    """
    if class_loss not in CLASS_LOSSES:
        raise ValueError(f"yolo_loss: class_loss: expected one of {CLASS_LOSSES}, found {class_loss!r}")
    anchors = as_anchors(anchors)
    num_anchors = len(anchors)
    yolo_output = tf.convert_to_tensor(yolo_output)
    dtype = yolo_output.dtype
    true_boxes = tf.cast(true_boxes, dtype)
    detectors_mask = tf.cast(detectors_mask, dtype)
    matching_true_boxes = tf.cast(matching_true_boxes, dtype)
    if true_boxes.shape.rank != 3 or (true_boxes.shape[-1] is not None and true_boxes.shape[-1] != 5):
        raise ValueError(f"yolo_loss: true_boxes: expected (batch, K, 5), found shape {true_boxes.shape}")
    if detectors_mask.shape.rank != 5 or matching_true_boxes.shape.rank != 5:
        raise ValueError(f"yolo_loss: expected detectors_mask (b, gh, gw, {num_anchors}, 1) and matching_true_boxes "
                         f"(b, gh, gw, {num_anchors}, 5), found {detectors_mask.shape} and {matching_true_boxes.shape}")

    pred_xy, pred_wh, pred_confidence, pred_class_probs = yolo_head(yolo_output, anchors, num_classes)
    shape = tf.shape(yolo_output)
    feats = tf.reshape(yolo_output, [-1, shape[1], shape[2], num_anchors, num_classes + 5])  # (b, gh, gw, A, 5 + C)
    pred_boxes = tf.concat([tf.sigmoid(feats[..., 0:2]), feats[..., 2:4]], axis=-1)  # (b, gh, gw, A, 4)

    best_ious = _best_iou_with_true_boxes(pred_xy, pred_wh, true_boxes)  # (b, gh, gw, A, 1)
    object_detections = tf.cast(best_ious > IGNORE_IOU, dtype)
    no_object_weights = NO_OBJECT_SCALE * (1 - object_detections) * (1 - detectors_mask)
    no_objects_loss = no_object_weights * tf.square(pred_confidence)
    object_target = tf.stop_gradient(best_ious) if rescore_confidence else 1.0
    objects_loss = OBJECT_SCALE * detectors_mask * tf.square(object_target - pred_confidence)
    confidence_loss = objects_loss + no_objects_loss  # (b, gh, gw, A, 1)

    matching_classes = tf.one_hot(tf.cast(matching_true_boxes[..., 4], tf.int32), num_classes, dtype=dtype)
    if class_loss == "squared":
        classification_loss = CLASS_SCALE * detectors_mask * tf.square(matching_classes - pred_class_probs)
    else:
        log_probs = tf.nn.log_softmax(feats[..., 5:], axis=-1)  # (b, gh, gw, A, C)
        classification_loss = -CLASS_SCALE * detectors_mask * matching_classes * log_probs

    coordinates_loss = COORDINATES_SCALE * detectors_mask * tf.square(matching_true_boxes[..., 0:4] - pred_boxes)

    def per_image(term: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(term, axis=[1, 2, 3, 4])  # (b, gh, gw, A, n) -> (b,)

    return {"confidence": per_image(confidence_loss), "classification": per_image(classification_loss),
            "coordinates": per_image(coordinates_loss)}


def yolo_loss(
    yolo_output: tf.Tensor,
    true_boxes: tf.Tensor,
    detectors_mask: tf.Tensor,
    matching_true_boxes: tf.Tensor,
    anchors: Sequence[float] | np.ndarray,
    num_classes: int,
    rescore_confidence: bool = False,
    class_loss: str = "squared",
) -> tf.Tensor:
    """YOLOv2 loss per image, (b,) float32: half the sum of :func:`yolo_loss_terms` (same arguments)."""
    terms = yolo_loss_terms(yolo_output, true_boxes, detectors_mask, matching_true_boxes, anchors, num_classes,
                            rescore_confidence, class_loss)
    return 0.5 * (terms["confidence"] + terms["classification"] + terms["coordinates"])
