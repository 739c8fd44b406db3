"""YOLOv2 targets (YAD2K's preprocess_true_boxes) on hand-built boxes, and the k-means anchors."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.detection.boxes import corners_to_center_np
from tf_course.detection.data import generate_detection_dataset
from tf_course.detection.targets import (
    TOY_ANCHORS,
    encode_targets,
    kmeans_anchors,
    mean_best_iou,
    preprocess_true_boxes,
    shape_iou,
    true_boxes_xywhc,
)

ANCHORS = np.array([[1.0, 1.0], [2.0, 0.5]])  # grid cells
BOXES = np.array([[[0.1, 0.6, 0.4, 0.9],  # x 0.75, y 0.25, w 0.3, h 0.3
                   [0.6, 0.0, 0.8, 0.9],  # x 0.45, y 0.7, w 0.9, h 0.2
                   [0.0, 0.0, 0.0, 0.0]]], dtype=np.float32)  # padding
CLASSES = np.array([[1, 2, -1]], dtype=np.int32)


def test_true_boxes_layout():
    expected = [[0.75, 0.25, 0.3, 0.3, 1], [0.45, 0.7, 0.9, 0.2, 2], [0, 0, 0, 0, 0]]
    np.testing.assert_allclose(true_boxes_xywhc(BOXES, CLASSES)[0], expected, atol=1e-6)
    np.testing.assert_allclose(corners_to_center_np(np.array([0.0, 1.0, 2.0, 5.0])), [3.0, 1.0, 4.0, 2.0])


def test_shape_iou_hand_values():
    # (0.6, 0.6) vs (1, 1): 0.36 / (0.36 + 1 - 0.36) = 0.36; vs (2, 0.5): 0.3 / (0.36 + 1 - 0.3) = 0.283019
    np.testing.assert_allclose(shape_iou(np.array([0.6, 0.6]), ANCHORS), [0.36, 0.3 / 1.06])


def test_encoding_on_a_two_by_two_grid():
    true_boxes, mask, matching = encode_targets(BOXES, CLASSES, ANCHORS, (2, 2))
    assert true_boxes.shape == (1, 3, 5) and mask.shape == (1, 2, 2, 2, 1) and matching.shape == (1, 2, 2, 2, 5)
    assert mask.dtype == np.float32 and matching.dtype == np.float32
    # box 1 in grid cells: x 1.5, y 0.5, w = h = 0.6 -> row 0, col 1; best anchor 0 (IoU 0.36 > 0.283)
    # box 2: x 0.9, y 1.4, w 1.8, h 0.4 -> row 1, col 0; anchor 0 IoU 0.4 / 1.32 = 0.303,
    #        anchor 1 IoU 0.72 / (0.72 + 1 - 0.72) = 0.72 -> anchor 1
    expected_mask = np.zeros((2, 2, 2, 1), np.float32)
    expected_mask[0, 1, 0] = expected_mask[1, 0, 1] = 1
    np.testing.assert_array_equal(mask[0], expected_mask)
    expected = np.zeros((2, 2, 2, 5))
    expected[0, 1, 0] = [0.5, 0.5, np.log(0.6), np.log(0.6), 1]  # log(0.6 / 1) = -0.5108
    expected[1, 0, 1] = [0.9, 0.4, np.log(0.9), np.log(0.8), 2]  # log(1.8 / 2), log(0.4 / 0.5)
    np.testing.assert_allclose(matching[0], expected, atol=1e-5)


def test_non_square_grid_and_edge_centres():
    # grid 1 x 3: a box centred at x = 0.5 lies in column 1 (1.5 cells); a centre at x = 1.0 goes to the last column
    boxes = np.array([[0.0, 0.4, 1.0, 0.6], [0.0, 0.9, 1.0, 1.1]])  # (y_min, x_min, y_max, x_max)
    true_boxes = true_boxes_xywhc(boxes[np.newaxis].astype(np.float32), np.array([[0, 0]]))[0]
    mask, matching = preprocess_true_boxes(true_boxes, [[1.0, 1.0]], (1, 3))
    assert mask[0, :, 0, 0].tolist() == [0, 1, 1]
    np.testing.assert_allclose(matching[0, 1, 0, :2], [0.5, 0.5], atol=1e-6)  # x 1.5 - col 1, y 0.5 - row 0
    np.testing.assert_allclose(matching[0, 2, 0, :2], [1.0, 0.5], atol=1e-6)  # x 3.0 - col 2 (clipped)
    np.testing.assert_allclose(matching[0, 1, 0, 2:4], [np.log(0.6), 0.0], atol=1e-6)  # w 0.2 * 3, h 1 * 1


def test_later_box_wins_a_shared_cell_and_anchor():
    true_boxes = np.array([[0.2, 0.2, 0.1, 0.1, 0], [0.3, 0.3, 0.12, 0.12, 3]], np.float32)  # same cell, anchor 0
    mask, matching = preprocess_true_boxes(true_boxes, ANCHORS, (2, 2))
    assert mask.sum() == 1
    np.testing.assert_allclose(matching[0, 0, 0], [0.6, 0.6, np.log(0.24), np.log(0.24), 3], atol=1e-5)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"true_boxes: expected shape \(any, 5\), found \(2, 4\)"):
        preprocess_true_boxes(np.zeros((2, 4), np.float32), ANCHORS, (2, 2))
    with pytest.raises(ValueError, match=r"grid_shape: expected positive"):
        preprocess_true_boxes(np.zeros((2, 5), np.float32), ANCHORS, (0, 2))
    with pytest.raises(ValueError, match=r"classes: expected shape \(1, 3\), found \(1, 2\)"):
        encode_targets(BOXES, CLASSES[:, :2], ANCHORS, (2, 2))
    with pytest.raises(ValueError, match=r"anchors: expected positive finite sizes"):
        encode_targets(BOXES, CLASSES, [[1.0, -1.0]], (2, 2))


def test_kmeans_on_two_obvious_clusters():
    wh = np.array([[1.0, 1.0], [1.2, 0.8], [4.0, 1.0], [4.4, 1.2], [3.6, 0.8]])
    anchors = kmeans_anchors(wh, 2, seed=0)
    np.testing.assert_allclose(anchors, [[1.1, 0.9], [4.0, 1.0]])  # the cluster means, by area
    with pytest.raises(ValueError, match=r"expected at least 3 distinct boxes, found 2"):
        kmeans_anchors(np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0]]), 3)
    with pytest.raises(ValueError, match=r"expected positive widths and heights"):
        kmeans_anchors(np.array([[1.0, 0.0], [2.0, 2.0]]), 1)


def test_toy_anchors_are_the_kmeans_of_the_generated_boxes():
    data = generate_detection_dataset(1000, seed=0)
    wh = corners_to_center_np(data.boxes.astype(np.float64))[..., 2:][data.classes >= 0] * 6  # fractions -> cells
    anchors = kmeans_anchors(wh, 5, seed=0)
    np.testing.assert_allclose(anchors, TOY_ANCHORS, atol=5e-5)
    assert mean_best_iou(wh, TOY_ANCHORS) == pytest.approx(0.8277, abs=1e-4)
    assert mean_best_iou(wh, TOY_ANCHORS) > mean_best_iou(wh, kmeans_anchors(wh, 3, seed=0))
