"""YOLOv2 training targets (YAD2K's ``preprocess_true_boxes``) and anchor selection by k-means.

Each true box is assigned to the grid cell containing its centre and, in that cell, to the
anchor whose (w, h) shape has the best IoU with the box's (both centred at the origin). The
target there is ``(x_cell, y_cell, log(w / anchor_w), log(h / anchor_h), class)``: the centre's
offset inside the cell (0..1, what ``sigmoid(t_xy)`` predicts) and the log size ratio (what
``t_wh`` predicts). When two boxes land on the same cell and anchor the later one wins, as in
YAD2K. Anchors are (width, height) in grid cells, like the course's ``yolo_anchors.txt``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tf_course.data.validate import check_array
from tf_course.detection.boxes import corners_to_center_np
from tf_course.detection.head import as_anchors

# k-means (1 - IoU distance, k = 5, seed 0) on the (w, h) boxes of generate_detection_dataset(1000, seed=0)
# (96-pixel images, a 6 x 6 grid; mean best IoU 0.83), see tests/detection/test_targets.py; grid cells, by area.
TOY_ANCHORS = np.array([
    [1.0342, 1.0326],
    [1.7424, 1.0864],
    [1.4511, 1.4469],
    [2.2303, 1.6562],
    [2.1589, 2.1917],
], dtype=np.float64)


def true_boxes_xywhc(boxes: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """YAD2K's ``true_boxes`` layout: (N, K, 5) float32 rows ``(x, y, w, h, class)`` as fractions, 0 for padding.

    Args:
        boxes: (N, K, 4) corners as fractions of the image.
        classes: (N, K) int class indices, -1 for padding rows.
    """
    boxes = check_array(np.asarray(boxes), what="true_boxes_xywhc: boxes", shape=(None, None, 4), dtype_kinds="f",
                        finite=True)
    classes = check_array(np.asarray(classes), what="true_boxes_xywhc: classes", shape=boxes.shape[:2],
                          dtype_kinds="i")
    centres = corners_to_center_np(boxes.astype(np.float64))  # (N, K, 4) (x, y, w, h)
    out = np.concatenate([centres, classes[..., np.newaxis].astype(np.float64)], axis=-1)
    out[classes < 0] = 0.0
    return out.astype(np.float32)


def shape_iou(wh: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """IoU of (w, h) shapes aligned at a common centre: wh (..., 2), anchors (A, 2) -> (..., A)."""
    wh = np.asarray(wh, dtype=np.float64)[..., np.newaxis, :]  # (..., 1, 2)
    inter = np.prod(np.minimum(wh, anchors), axis=-1)  # (..., A)
    return inter / (np.prod(wh, axis=-1) + np.prod(anchors, axis=-1) - inter)


def preprocess_true_boxes(true_boxes: np.ndarray, anchors: Sequence[float] | np.ndarray,
                          grid_shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Targets of one image, as YAD2K's ``preprocess_true_boxes``.

    Args:
        true_boxes: (K, 5) rows ``(x, y, w, h, class)`` as fractions of the image; rows with w or h
            equal to 0 are padding and skipped.
        anchors: A (width, height) pairs in grid cells.
        grid_shape: (grid_h, grid_w).

    Returns:
        ``detectors_mask`` float32 (gh, gw, A, 1): 1 where an object is assigned;
        ``matching_true_boxes`` float32 (gh, gw, A, 5): ``(x_cell, y_cell, log(w / anchor_w),
        log(h / anchor_h), class)`` there, 0 elsewhere.
    """
    anchors = as_anchors(anchors)
    grid_h, grid_w = (int(v) for v in grid_shape)
    if grid_h < 1 or grid_w < 1:
        raise ValueError(f"preprocess_true_boxes: grid_shape: expected positive (grid_h, grid_w), found {grid_shape}")
    true_boxes = check_array(np.asarray(true_boxes), what="preprocess_true_boxes: true_boxes", shape=(None, 5),
                             dtype_kinds="f", finite=True)
    detectors_mask = np.zeros((grid_h, grid_w, len(anchors), 1), dtype=np.float32)
    matching_true_boxes = np.zeros((grid_h, grid_w, len(anchors), 5), dtype=np.float32)
    for x, y, w, h, label in true_boxes.astype(np.float64):
        if w <= 0 or h <= 0:
            continue
        x, y, w, h = x * grid_w, y * grid_h, w * grid_w, h * grid_h  # -> grid cells
        row = min(int(np.floor(y)), grid_h - 1)  # a centre on the bottom/right edge belongs to the last cell
        col = min(int(np.floor(x)), grid_w - 1)
        best = int(np.argmax(shape_iou(np.array([w, h]), anchors)))  # first anchor on ties, as YAD2K's `>`
        detectors_mask[row, col, best] = 1.0
        matching_true_boxes[row, col, best] = (x - col, y - row, np.log(w / anchors[best, 0]),
                                               np.log(h / anchors[best, 1]), label)
    return detectors_mask, matching_true_boxes


def encode_targets(boxes: np.ndarray, classes: np.ndarray, anchors: Sequence[float] | np.ndarray,
                   grid_shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training targets for a batch of images (a :class:`~tf_course.detection.data.DetectionDataset`'s arrays).

    Args:
        boxes: (N, K, 4) corners ``[y_min, x_min, y_max, x_max]`` as fractions.
        classes: (N, K) int, -1 for padding rows.
        anchors: A (width, height) pairs in grid cells.
        grid_shape: (grid_h, grid_w).

    Returns:
        ``true_boxes`` float32 (N, K, 5) (:func:`true_boxes_xywhc`), ``detectors_mask`` float32
        (N, gh, gw, A, 1) and ``matching_true_boxes`` float32 (N, gh, gw, A, 5) (:func:`preprocess_true_boxes`).
    """
    true_boxes = true_boxes_xywhc(boxes, classes)
    per_image = [preprocess_true_boxes(row, anchors, grid_shape) for row in true_boxes]
    grid_h, grid_w = (int(v) for v in grid_shape)
    num_anchors = len(as_anchors(anchors))
    if not per_image:
        return (true_boxes, np.zeros((0, grid_h, grid_w, num_anchors, 1), np.float32),
                np.zeros((0, grid_h, grid_w, num_anchors, 5), np.float32))
    detectors_mask = np.stack([mask for mask, _ in per_image])
    matching_true_boxes = np.stack([matching for _, matching in per_image])
    return true_boxes, detectors_mask, matching_true_boxes


def kmeans_anchors(wh: np.ndarray, num_anchors: int, seed: int = 0, max_iterations: int = 300) -> np.ndarray:
    """Anchor shapes by k-means on box sizes with the YOLOv2 paper's distance ``1 - IoU(box, centroid)``.

    Args:
        wh: (M, 2) positive box widths and heights (any unit; the anchors come out in the same unit).
        num_anchors: k, at most the number of distinct boxes.
        seed: seeds the local generator that picks the k initial centroids among the boxes.
        max_iterations: stop after this many assignment rounds if the assignment still changes.

    Returns:
        (k, 2) float64 centroids (the mean (w, h) of their boxes), sorted by area.
    """
    wh = check_array(np.asarray(wh, dtype=np.float64), what="kmeans_anchors: wh", shape=(None, 2), finite=True)
    if np.any(wh <= 0):
        raise ValueError("kmeans_anchors: wh: expected positive widths and heights, found values <= 0")
    if isinstance(num_anchors, bool) or not isinstance(num_anchors, (int, np.integer)) or num_anchors < 1:
        raise ValueError(f"kmeans_anchors: num_anchors: expected an integer >= 1, found {num_anchors!r}")
    if len(np.unique(wh, axis=0)) < num_anchors:
        raise ValueError(f"kmeans_anchors: expected at least {num_anchors} distinct boxes, found "
                         f"{len(np.unique(wh, axis=0))}")
    rng = np.random.default_rng(seed)
    centroids = np.unique(wh, axis=0)[rng.choice(len(np.unique(wh, axis=0)), num_anchors, replace=False)]
    assignment = np.full(len(wh), -1)
    for _ in range(max_iterations):
        new_assignment = np.argmax(shape_iou(wh, centroids), axis=1)  # nearest = highest IoU
        if np.array_equal(new_assignment, assignment):
            break
        assignment = new_assignment
        for k in range(num_anchors):
            members = wh[assignment == k]
            if len(members):  # an empty cluster keeps its centroid
                centroids[k] = members.mean(axis=0)
    return centroids[np.argsort(np.prod(centroids, axis=1), kind="stable")]


def mean_best_iou(wh: np.ndarray, anchors: Sequence[float] | np.ndarray) -> float:
    """Average over boxes (M, 2) of the best shape IoU with any anchor (the paper's "Avg IOU")."""
    return float(np.mean(np.max(shape_iou(np.asarray(wh, dtype=np.float64), as_anchors(anchors)), axis=1)))
