"""Mean average precision (PASCAL VOC, all-point interpolation) of padded detections.

For each class, the detections of all images are sorted by descending score (ties keep their
order: image, then rank in the image) and matched greedily: a detection is a true positive when
an unmatched ground-truth box of its class in its image has IoU >= ``iou_threshold`` with it (the
one with the highest IoU is taken and becomes matched), otherwise a false positive (so a
duplicate of an already found object counts as false). Precision and recall along that ranking
give AP as the area under the precision envelope (VOC 2010+ "all points"):
``sum_i (r_i - r_{i-1}) * max_{j >= i} p_j``. Classes without ground truth are left out of the mean.

This is VOC's rule with two small differences, both as the shared detection interface asks:
IoU >= threshold (VOC: >), and a detection whose best-overlapping box is already matched may
still match another unmatched box above the threshold (VOC counts it false).
"""

from __future__ import annotations

import numpy as np

from tf_course.data.validate import check_array
from tf_course.detection.boxes import iou_matrix_np


def average_precision(true_positive: np.ndarray, num_ground_truth: int) -> float:
    """VOC all-point AP of a ranking: ``true_positive`` bool (D,) in descending-score order, G >= 1 objects."""
    if num_ground_truth < 1:
        raise ValueError(f"average_precision: expected at least one ground-truth object, found {num_ground_truth}")
    hits = np.cumsum(np.asarray(true_positive, dtype=np.float64))
    ranks = np.arange(1, len(hits) + 1)
    recall = np.concatenate([[0.0], hits / num_ground_truth, [1.0]])
    precision = np.concatenate([[0.0], hits / ranks, [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]  # the envelope: best precision at any higher recall
    steps = np.flatnonzero(recall[1:] != recall[:-1])
    return float(np.sum((recall[steps + 1] - recall[steps]) * precision[steps + 1]))


def _check_detections(detections: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    missing = [key for key in ("boxes", "scores", "classes", "num_detections") if key not in detections]
    if missing:
        raise ValueError(f"mean_average_precision: detections: expected keys boxes, scores, classes, num_detections "
                         f"(YoloNMS output), missing {missing}")
    boxes = check_array(np.asarray(detections["boxes"]), what="mean_average_precision: detections['boxes']",
                        shape=(None, None, 4), dtype_kinds="f", finite=True)
    n, m = boxes.shape[:2]
    scores = check_array(np.asarray(detections["scores"]), what="mean_average_precision: detections['scores']",
                         shape=(n, m), dtype_kinds="f", finite=True)
    classes = check_array(np.asarray(detections["classes"]), what="mean_average_precision: detections['classes']",
                          shape=(n, m), dtype_kinds="iu")
    count = check_array(np.asarray(detections["num_detections"]),
                        what="mean_average_precision: detections['num_detections']", shape=(n,), dtype_kinds="iu")
    if np.any(count < 0) or np.any(count > m):
        raise ValueError(f"mean_average_precision: detections['num_detections']: expected values in 0..{m}, "
                         f"found {count.min()}..{count.max()}")
    return boxes, scores, classes, count


def mean_average_precision(
    detections: dict[str, np.ndarray],
    true_boxes: np.ndarray,
    true_classes: np.ndarray,
    num_classes: int,
    iou_threshold: float = 0.5,
) -> tuple[float, np.ndarray]:
    """mAP of padded detections against padded ground truth (see the module docstring).

    Args:
        detections: ``YoloNMS``'s output as NumPy: ``boxes`` (N, M, 4) corners, ``scores`` (N, M),
            ``classes`` (N, M) int, ``num_detections`` (N,); rows past ``num_detections[i]`` are ignored.
        true_boxes: (N, K, 4) corners in the same units as the detections (fractions of the image).
        true_classes: (N, K) int, -1 for padding rows.
        num_classes: C.
        iou_threshold: the IoU a detection needs with an object to count (0.5 for mAP@0.5).

    Returns:
        ``(map, ap_per_class)``: the mean over classes that have ground truth, and (C,) float64 APs
        (NaN for classes without ground truth).

    Raises:
        ValueError: inconsistent shapes, class indices outside 0..C-1, or no ground truth at all.
    """
    boxes, scores, classes, count = _check_detections(detections)
    n = boxes.shape[0]
    true_boxes = check_array(np.asarray(true_boxes), what="mean_average_precision: true_boxes", shape=(n, None, 4),
                             dtype_kinds="f", finite=True)
    true_classes = check_array(np.asarray(true_classes), what="mean_average_precision: true_classes",
                               shape=true_boxes.shape[:2], dtype_kinds="i")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"mean_average_precision: num_classes: expected an integer >= 1, found {num_classes!r}")
    if not 0.0 < iou_threshold <= 1.0:
        raise ValueError(f"mean_average_precision: iou_threshold: expected a value in (0, 1], found {iou_threshold}")
    if true_classes.size and (true_classes.min() < -1 or true_classes.max() >= num_classes):
        raise ValueError(f"mean_average_precision: true_classes: expected -1 or 0..{num_classes - 1}, "
                         f"found {true_classes.min()}..{true_classes.max()}")
    valid = np.arange(boxes.shape[1])[np.newaxis, :] < count[:, np.newaxis]  # (N, M)
    if np.any(classes[valid] < 0) or np.any(classes[valid] >= num_classes):
        raise ValueError(f"mean_average_precision: detections['classes']: expected 0..{num_classes - 1} in the first "
                         f"num_detections rows, found {classes[valid].min()}..{classes[valid].max()}")
    if not np.any(true_classes >= 0):
        raise ValueError("mean_average_precision: expected at least one ground-truth object, found only padding")

    ap = np.full(num_classes, np.nan)
    for c in range(num_classes):
        num_ground_truth = int(np.sum(true_classes == c))
        if num_ground_truth == 0:
            continue
        image_index, rank = np.nonzero(valid & (classes == c))  # row-major: image, then rank in the image
        order = np.argsort(-scores[image_index, rank], kind="stable")
        matched = {i: np.zeros(int(np.sum(true_classes[i] == c)), dtype=bool) for i in np.unique(image_index)}
        true_positive = np.zeros(len(order), dtype=bool)
        for d, k in enumerate(order):
            i = image_index[k]
            objects = true_boxes[i][true_classes[i] == c]  # (G_i, 4)
            if len(objects) == 0:
                continue
            overlaps = iou_matrix_np(boxes[i, rank[k]][np.newaxis], objects)[0]  # (G_i,)
            overlaps[matched[i] | (overlaps < iou_threshold)] = -1.0
            best = int(np.argmax(overlaps))
            if overlaps[best] >= 0:
                matched[i][best] = True
                true_positive[d] = True
        ap[c] = average_precision(true_positive, num_ground_truth)
    return float(np.nanmean(ap)), ap
