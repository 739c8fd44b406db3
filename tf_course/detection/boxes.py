"""Box operations: the course's ``iou``, batched IoU (NumPy reference and TF), centre <-> corner conversions.

Two layouts appear:

- the course's scalar :func:`iou` takes ``(x1, y1, x2, y2)`` tuples, exactly as in the notebook;
- everything else uses corner boxes ``[y_min, x_min, y_max, x_max]`` (the order of
  ``tf.image.non_max_suppression``), as fractions of the image unless a function says pixels,
  and centre boxes ``[x, y, w, h]`` (the order of ``yolo_head``'s ``box_xy`` and ``box_wh``).

The batched IoU functions follow ``tf.image.non_max_suppression``'s own IoU: corners may come in
either order (each box is normalised with min/max first), and a box of zero area has IoU 0 with
everything (not NaN).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf


def iou(box1: Sequence[float], box2: Sequence[float]) -> float:
    """The course's intersection over union of two ``(x1, y1, x2, y2)`` boxes (upper-left, lower-right).

    The intersection's width and height are clipped at 0, so disjoint boxes and boxes touching
    at an edge or a vertex give 0.0. ``(2, 1, 4, 3)`` vs ``(1, 2, 3, 4)`` gives 1 / 7.
    """
    (box1_x1, box1_y1, box1_x2, box1_y2) = box1
    (box2_x1, box2_y1, box2_x2, box2_y2) = box2

    xi1 = max(box1_x1, box2_x1)
    yi1 = max(box1_y1, box2_y1)
    xi2 = min(box1_x2, box2_x2)
    yi2 = min(box1_y2, box2_y2)
    inter_width = xi2 - xi1
    inter_height = yi2 - yi1
    inter_area = max(inter_width, 0) * max(inter_height, 0)

    box1_area = (box1_x2 - box1_x1) * (box1_y2 - box1_y1)
    box2_area = (box2_x2 - box2_x1) * (box2_y2 - box2_y1)
    union_area = box1_area + box2_area - inter_area
    return inter_area / union_area


def _check_boxes_np(boxes: np.ndarray, what: str, rank: int | None = None) -> np.ndarray:
    boxes = np.asarray(boxes)
    if boxes.ndim == 0 or boxes.shape[-1] != 4 or (rank is not None and boxes.ndim != rank):
        want = "(N, 4)" if rank == 2 else "(..., 4)"
        raise ValueError(f"{what}: expected boxes of shape {want}, found shape {boxes.shape}")
    if boxes.dtype.kind not in "fiu":
        raise ValueError(f"{what}: expected a numeric dtype, found {boxes.dtype}")
    return boxes


def _check_boxes_tf(boxes: tf.Tensor, what: str, rank: int | None = None) -> tf.Tensor:
    boxes = tf.convert_to_tensor(boxes)
    shape = boxes.shape
    bad_rank = shape.rank is not None and (shape.rank == 0 or (rank is not None and shape.rank != rank))
    bad_last = shape.rank is not None and shape.rank > 0 and shape[-1] is not None and shape[-1] != 4
    if bad_rank or bad_last:
        want = "(N, 4)" if rank == 2 else "(..., 4)"
        raise ValueError(f"{what}: expected boxes of shape {want}, found shape {tuple(shape)}")
    if not boxes.dtype.is_floating:
        boxes = tf.cast(boxes, tf.float32)
    return boxes


def iou_matrix_np(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` with every box in ``b`` (NumPy reference).

    Args:
        a: (N, 4) corner boxes ``[y_min, x_min, y_max, x_max]`` (corners in either order).
        b: (M, 4) corner boxes.

    Returns:
        (N, M) float64; 0 where either box has zero area.
    """
    a = _check_boxes_np(a, "iou_matrix_np: a", rank=2).astype(np.float64)
    b = _check_boxes_np(b, "iou_matrix_np: b", rank=2).astype(np.float64)
    a_lo, a_hi = np.minimum(a[:, :2], a[:, 2:]), np.maximum(a[:, :2], a[:, 2:])  # each (N, 2) as (y, x)
    b_lo, b_hi = np.minimum(b[:, :2], b[:, 2:]), np.maximum(b[:, :2], b[:, 2:])  # each (M, 2)
    inter_lo = np.maximum(a_lo[:, None, :], b_lo[None, :, :])  # (N, M, 2)
    inter_hi = np.minimum(a_hi[:, None, :], b_hi[None, :, :])  # (N, M, 2)
    inter = np.prod(np.clip(inter_hi - inter_lo, 0, None), axis=-1)  # (N, M)
    area_a = np.prod(a_hi - a_lo, axis=-1)  # (N,)
    area_b = np.prod(b_hi - b_lo, axis=-1)  # (M,)
    union = area_a[:, None] + area_b[None, :] - inter  # (N, M)
    valid = (area_a[:, None] > 0) & (area_b[None, :] > 0)
    return np.divide(inter, union, out=np.zeros_like(inter), where=valid)


def iou_matrix(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    """IoU of every box in ``a`` with every box in ``b`` (TF twin of :func:`iou_matrix_np`).

    Args:
        a: (..., N, 4) corner boxes ``[y_min, x_min, y_max, x_max]`` (corners in either order).
        b: (..., M, 4) corner boxes, same leading (batch) dimensions as ``a``.

    Returns:
        (..., N, M) in ``a``'s float dtype (float32 for integer input); 0 where either box has zero area.
    """
    a = _check_boxes_tf(a, "iou_matrix: a")
    b = tf.cast(_check_boxes_tf(b, "iou_matrix: b"), a.dtype)
    if (a.shape.rank is not None and a.shape.rank < 2) or (b.shape.rank is not None and b.shape.rank < 2):
        raise ValueError(f"iou_matrix: expected (..., N, 4) and (..., M, 4) boxes, found {a.shape} and {b.shape}")
    a_lo, a_hi = tf.minimum(a[..., :2], a[..., 2:]), tf.maximum(a[..., :2], a[..., 2:])  # each (..., N, 2)
    b_lo, b_hi = tf.minimum(b[..., :2], b[..., 2:]), tf.maximum(b[..., :2], b[..., 2:])  # each (..., M, 2)
    inter_lo = tf.maximum(a_lo[..., :, None, :], b_lo[..., None, :, :])  # (..., N, M, 2)
    inter_hi = tf.minimum(a_hi[..., :, None, :], b_hi[..., None, :, :])  # (..., N, M, 2)
    inter = tf.reduce_prod(tf.maximum(inter_hi - inter_lo, 0.0), axis=-1)  # (..., N, M)
    area_a = tf.reduce_prod(a_hi - a_lo, axis=-1)  # (..., N)
    area_b = tf.reduce_prod(b_hi - b_lo, axis=-1)  # (..., M)
    union = area_a[..., :, None] + area_b[..., None, :] - inter  # (..., N, M)
    valid = (area_a[..., :, None] > 0) & (area_b[..., None, :] > 0)
    return tf.where(valid, tf.math.divide_no_nan(inter, union), tf.zeros_like(inter))


def yolo_boxes_to_corners(box_xy: tf.Tensor, box_wh: tf.Tensor) -> tf.Tensor:
    """The course's helper: centres (x, y) and sizes (w, h) -> corners ``[y_min, x_min, y_max, x_max]``.

    Args:
        box_xy: (..., 2) centres ``(x, y)``.
        box_wh: (..., 2) sizes ``(w, h)``, same shape.

    Returns:
        (..., 4) corners in ``box_xy``'s units.
    """
    box_mins = box_xy - (box_wh / 2.0)  # (..., 2) as (x_min, y_min)
    box_maxes = box_xy + (box_wh / 2.0)  # (..., 2) as (x_max, y_max)
    return tf.concat(
        [
            box_mins[..., 1:2],  # y_min
            box_mins[..., 0:1],  # x_min
            box_maxes[..., 1:2],  # y_max
            box_maxes[..., 0:1],  # x_max
        ],
        axis=-1,
    )


def scale_boxes(boxes: tf.Tensor, image_shape: Sequence[float] | tf.Tensor) -> tf.Tensor:
    """The course's helper: corner boxes as fractions -> pixels, multiplying by ``[h, w, h, w]``.

    Args:
        boxes: (..., 4) corners ``[y_min, x_min, y_max, x_max]`` as fractions of the image.
        image_shape: ``(height, width)`` of the original image in pixels.

    Returns:
        (..., 4) corners in pixels.
    """
    boxes = tf.convert_to_tensor(boxes)
    image_shape = tf.cast(tf.convert_to_tensor(image_shape), boxes.dtype)
    if image_shape.shape.rank is not None and tuple(image_shape.shape) != (2,):
        raise ValueError(f"scale_boxes: expected image_shape (height, width), found shape {tuple(image_shape.shape)}")
    height, width = image_shape[0], image_shape[1]
    image_dims = tf.reshape(tf.stack([height, width, height, width]), [1, 4])  # (1, 4) broadcasts over boxes
    return boxes * image_dims


def center_to_corners(boxes: tf.Tensor) -> tf.Tensor:
    """(..., 4) centre boxes ``[x, y, w, h]`` -> (..., 4) corners ``[y_min, x_min, y_max, x_max]`` (TF)."""
    boxes = _check_boxes_tf(boxes, "center_to_corners: boxes")
    return yolo_boxes_to_corners(boxes[..., 0:2], boxes[..., 2:4])


def corners_to_center(boxes: tf.Tensor) -> tf.Tensor:
    """(..., 4) corners ``[y_min, x_min, y_max, x_max]`` -> (..., 4) centre boxes ``[x, y, w, h]`` (TF)."""
    boxes = _check_boxes_tf(boxes, "corners_to_center: boxes")
    mins = tf.reverse(boxes[..., 0:2], axis=[-1])  # (..., 2) as (x_min, y_min)
    maxes = tf.reverse(boxes[..., 2:4], axis=[-1])  # (..., 2) as (x_max, y_max)
    return tf.concat([(mins + maxes) / 2.0, maxes - mins], axis=-1)


def center_to_corners_np(boxes: np.ndarray) -> np.ndarray:
    """(..., 4) centre boxes ``[x, y, w, h]`` -> (..., 4) corners ``[y_min, x_min, y_max, x_max]`` (NumPy)."""
    boxes = _check_boxes_np(boxes, "center_to_corners_np: boxes")
    xy, half_wh = boxes[..., 0:2], boxes[..., 2:4] / 2.0  # each (..., 2) as (x, y)
    mins, maxes = (xy - half_wh)[..., ::-1], (xy + half_wh)[..., ::-1]  # each (..., 2) as (y, x)
    return np.concatenate([mins, maxes], axis=-1)


def corners_to_center_np(boxes: np.ndarray) -> np.ndarray:
    """(..., 4) corners ``[y_min, x_min, y_max, x_max]`` -> (..., 4) centre boxes ``[x, y, w, h]`` (NumPy)."""
    boxes = _check_boxes_np(boxes, "corners_to_center_np: boxes")
    mins, maxes = boxes[..., 1::-1], boxes[..., 3:1:-1]  # each (..., 2) as (x, y)
    return np.concatenate([(mins + maxes) / 2.0, maxes - mins], axis=-1)
