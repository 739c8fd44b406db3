"""Box ops: the course's IoU values, hand-computed literals, NumPy vs TF parity, degenerate boxes, bad shapes."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tf_course.detection.boxes import (
    center_to_corners,
    center_to_corners_np,
    corners_to_center,
    corners_to_center_np,
    iou,
    iou_matrix,
    iou_matrix_np,
    scale_boxes,
    yolo_boxes_to_corners,
)


def random_corners(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 4) corner boxes inside the unit square, sizes 0.05..0.5 (many overlap)."""
    centres = np.concatenate([rng.uniform(0, 1, (n, 2)), rng.uniform(0.05, 0.5, (n, 2))], axis=1)
    return center_to_corners_np(centres)


@pytest.mark.parametrize(
    ("box1", "box2", "expected"),
    [
        ((2, 1, 4, 3), (1, 2, 3, 4), 0.14285714285714285),  # the course's overlap: 1 / (4 + 4 - 1)
        ((1, 2, 3, 4), (5, 6, 7, 8), 0.0),  # no intersection
        ((1, 1, 2, 2), (2, 2, 3, 3), 0.0),  # touching at a vertex
        ((1, 1, 3, 3), (2, 3, 3, 4), 0.0),  # touching at an edge
    ],
)
def test_course_iou(box1, box2, expected):
    assert iou(box1, box2) == expected


def test_iou_matrix_hand_literal():
    # a0 = [0, 0, 2, 2] (area 4); b0 = [1, 1, 3, 3] (area 4): intersection 1x1 = 1, union 7 -> 1/7
    # a0 vs b1 = [0, 0, 1, 2] (area 2): intersection 2, union 4 -> 0.5
    # a1 = [0, 0, 1, 1] (area 1) vs b0: touch at (1, 1) -> 0; a1 vs b1: intersection 1, union 2 -> 0.5
    a = np.array([[0, 0, 2, 2], [0, 0, 1, 1]], dtype=np.float64)
    b = np.array([[1, 1, 3, 3], [0, 0, 1, 2]], dtype=np.float64)
    expected = [[1 / 7, 0.5], [0.0, 0.5]]
    np.testing.assert_allclose(iou_matrix_np(a, b), expected, rtol=1e-12)
    np.testing.assert_allclose(iou_matrix(a, b).numpy(), expected, rtol=1e-12)


def test_iou_matrix_agrees_with_course_iou():
    # the course's (x1, y1, x2, y2) (2, 1, 4, 3) and (1, 2, 3, 4) as [y_min, x_min, y_max, x_max]
    a, b = np.array([[1.0, 2, 3, 4]]), np.array([[2.0, 1, 4, 3]])
    assert iou_matrix_np(a, b)[0, 0] == pytest.approx(iou((2, 1, 4, 3), (1, 2, 3, 4)), rel=1e-15)


def test_iou_matrix_numpy_tf_parity_and_batching():
    rng = np.random.default_rng(0)
    a, b = random_corners(rng, 40), random_corners(rng, 30)
    expected = iou_matrix_np(a, b)  # (40, 30)
    assert expected.shape == (40, 30) and 0.05 < np.mean(expected > 0) < 0.9
    np.testing.assert_allclose(iou_matrix(a.astype(np.float32), b.astype(np.float32)).numpy(), expected, atol=1e-6)
    batched = iou_matrix(np.stack([a, a[::-1]]), np.stack([b, b]))  # (2, 40, 30)
    np.testing.assert_allclose(batched.numpy(), np.stack([expected, expected[::-1]]), atol=1e-12)


def test_iou_matrix_flipped_corners_are_normalised():
    rng = np.random.default_rng(1)
    a, b = random_corners(rng, 5), random_corners(rng, 6)
    flipped = a[:, [2, 3, 0, 1]]  # max corner first, as TF's NMS accepts
    np.testing.assert_allclose(iou_matrix_np(flipped, b), iou_matrix_np(a, b), rtol=1e-12)
    np.testing.assert_allclose(iou_matrix(flipped, b).numpy(), iou_matrix_np(a, b), rtol=1e-12)


def test_iou_matrix_zero_area_gives_zero_not_nan():
    point = np.array([[0.5, 0.5, 0.5, 0.5], [0.2, 0.1, 0.2, 0.9]])  # a point and a zero-height line
    box = np.array([[0.0, 0.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5]])
    np.testing.assert_array_equal(iou_matrix_np(point, box), np.zeros((2, 2)))
    np.testing.assert_array_equal(iou_matrix(point, box).numpy(), np.zeros((2, 2)))


@pytest.mark.parametrize("bad", [np.zeros((3, 5)), np.zeros(4), np.zeros((2, 3, 4))])
def test_iou_matrix_np_bad_shapes(bad):
    with pytest.raises(ValueError, match=r"iou_matrix_np: a: expected boxes of shape \(N, 4\), found shape"):
        iou_matrix_np(bad, np.zeros((2, 4)))


def test_iou_matrix_bad_shapes():
    with pytest.raises(ValueError, match=r"iou_matrix: b: expected boxes of shape \(\.\.\., 4\), found shape \(2, 3\)"):
        iou_matrix(np.zeros((2, 4)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"expected \(\.\.\., N, 4\) and \(\.\.\., M, 4\) boxes"):
        iou_matrix(np.zeros(4), np.zeros((2, 4)))


def test_yolo_boxes_to_corners_and_scale_hand_literal():
    # centre (x, y) = (0.5, 0.4), size (w, h) = (0.2, 0.6):
    # [y_min, x_min, y_max, x_max] = [0.4 - 0.3, 0.5 - 0.1, 0.4 + 0.3, 0.5 + 0.1] = [0.1, 0.4, 0.7, 0.6]
    corners = yolo_boxes_to_corners(tf.constant([[0.5, 0.4]]), tf.constant([[0.2, 0.6]]))
    np.testing.assert_allclose(corners.numpy(), [[0.1, 0.4, 0.7, 0.6]], rtol=1e-6)
    # times [h, w, h, w] = [720, 1280, 720, 1280] -> [72, 512, 504, 768]
    np.testing.assert_allclose(scale_boxes(corners, (720.0, 1280.0)).numpy(), [[72, 512, 504, 768]], rtol=1e-6)


def test_scale_boxes_bad_image_shape():
    with pytest.raises(ValueError, match=r"expected image_shape \(height, width\), found shape \(3,\)"):
        scale_boxes(tf.zeros([1, 4]), (720.0, 1280.0, 3.0))


def test_center_corner_conversions_round_trip_and_parity():
    rng = np.random.default_rng(2)
    centres = np.concatenate([rng.uniform(0, 1, (7, 3, 2)), rng.uniform(0.01, 1, (7, 3, 2))], axis=-1)  # (7, 3, 4)
    corners = center_to_corners_np(centres)
    np.testing.assert_allclose(center_to_corners(centres).numpy(), corners, rtol=1e-12)
    np.testing.assert_allclose(corners_to_center_np(corners), centres, atol=1e-12)
    np.testing.assert_allclose(corners_to_center(corners).numpy(), centres, atol=1e-12)
    # [x, y, w, h] = [0.5, 0.4, 0.2, 0.6] -> [0.1, 0.4, 0.7, 0.6]
    np.testing.assert_allclose(center_to_corners_np(np.array([0.5, 0.4, 0.2, 0.6])), [0.1, 0.4, 0.7, 0.6])


@pytest.mark.parametrize("fn", [center_to_corners_np, corners_to_center_np, center_to_corners, corners_to_center])
def test_conversions_bad_shapes(fn):
    with pytest.raises(ValueError, match=r"expected boxes of shape \(\.\.\., 4\), found shape \(2, 3\)"):
        fn(np.zeros((2, 3)))
