"""The YOLOv2 loss (YAD2K semantics) on hand-computed 1x1 and 2x2 grids, perfect predictions, gradients."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tf_course.detection.data import generate_detection_dataset
from tf_course.detection.loss import yolo_loss, yolo_loss_terms
from tf_course.detection.targets import TOY_ANCHORS, encode_targets

ONE = [[1.0, 1.0]]  # one anchor of one grid cell


def one_cell_case() -> tuple:
    """1x1 grid, A = 1, C = 2, all raw outputs 0 -> box (0.5, 0.5, 1, 1), confidence 0.5, probs (0.5, 0.5).

    True box (x 0.5, y 0.5, w 0.5, h 0.5) of class 1 -> target (0.5, 0.5, log 0.5, log 0.5, 1).
    """
    output = tf.zeros((1, 1, 1, 7))
    true_boxes = tf.constant([[[0.5, 0.5, 0.5, 0.5, 1.0]]])
    mask = tf.ones((1, 1, 1, 1, 1))
    matching = tf.constant(np.array([0.5, 0.5, np.log(0.5), np.log(0.5), 1.0], np.float32).reshape(1, 1, 1, 1, 5))
    return output, true_boxes, mask, matching


def test_one_cell_hand_computed():
    terms = yolo_loss_terms(*one_cell_case(), ONE, 2)
    # confidence: object_scale 5 * (1 - 0.5)^2 = 1.25 (no no-object term: the only anchor is assigned)
    # classes: (0 - 0.5)^2 + (1 - 0.5)^2 = 0.5
    # coordinates: (0.5 - sigmoid 0)^2 * 2 + (log 0.5 - 0)^2 * 2 = 2 * 0.480453 = 0.960906
    np.testing.assert_allclose(terms["confidence"].numpy(), [1.25], rtol=1e-6)
    np.testing.assert_allclose(terms["classification"].numpy(), [0.5], rtol=1e-6)
    np.testing.assert_allclose(terms["coordinates"].numpy(), [2 * np.log(0.5) ** 2], rtol=1e-6)
    # total: 0.5 * (1.25 + 0.5 + 0.960906) = 1.355453
    np.testing.assert_allclose(yolo_loss(*one_cell_case(), ONE, 2).numpy(), [1.355453], rtol=1e-6)


def test_one_cell_options():
    ce = yolo_loss_terms(*one_cell_case(), ONE, 2, class_loss="crossentropy")
    np.testing.assert_allclose(ce["classification"].numpy(), [np.log(2.0)], rtol=1e-6)  # -log 0.5
    rescored = yolo_loss_terms(*one_cell_case(), ONE, 2, rescore_confidence=True)
    # target = IoU of the predicted 1x1 box with the true 0.5x0.5 box = 0.25: 5 * (0.25 - 0.5)^2 = 0.3125
    np.testing.assert_allclose(rescored["confidence"].numpy(), [0.3125], rtol=1e-6)
    with pytest.raises(ValueError, match=r"class_loss: expected one of \('squared', 'crossentropy'\), found 'hinge'"):
        yolo_loss_terms(*one_cell_case(), ONE, 2, class_loss="hinge")


def two_by_two_case(extra_true_box: bool) -> tuple:
    """2x2 grid, A = 1 anchor of 1x1 cells, C = 2: with zero box outputs every cell predicts its own
    cell (w = h = 0.5 of the image). Confidence logits (0, log 3; 0, -log 3) -> (0.5, 0.75; 0.5, 0.25).
    One true box exactly on cell (0, 0), class 0: target (0.5, 0.5, 0, 0, 0), predicted perfectly.
    """
    output = np.zeros((1, 2, 2, 7), np.float32)
    output[0, 0, 1, 4], output[0, 1, 1, 4] = np.log(3.0), -np.log(3.0)
    boxes = [[0.25, 0.25, 0.5, 0.5, 0.0]] + ([[0.75, 0.75, 0.5, 0.5, 1.0]] if extra_true_box else [[0.0] * 5])
    mask = np.zeros((1, 2, 2, 1, 1), np.float32)
    mask[0, 0, 0] = 1
    matching = np.zeros((1, 2, 2, 1, 5), np.float32)
    matching[0, 0, 0] = [0.5, 0.5, 0.0, 0.0, 0.0]
    return tf.constant(output), tf.constant([boxes], tf.float32), tf.constant(mask), tf.constant(matching)


def test_two_by_two_no_object_and_ignore():
    terms = yolo_loss_terms(*two_by_two_case(extra_true_box=False), ONE, 2)
    # object 5 * 0.5^2 = 1.25; no-object 0.75^2 + 0.5^2 + 0.25^2 = 0.875 (the other cells' boxes only touch the
    # true box: IoU 0 <= 0.6)
    np.testing.assert_allclose(terms["confidence"].numpy(), [2.125], rtol=1e-6)
    np.testing.assert_allclose(terms["classification"].numpy(), [0.5], rtol=1e-6)
    np.testing.assert_allclose(terms["coordinates"].numpy(), [0.0], atol=1e-12)
    np.testing.assert_allclose(yolo_loss(*two_by_two_case(False), ONE, 2).numpy(), [0.5 * (2.125 + 0.5)], rtol=1e-6)
    # a second true box on cell (1, 1) that no anchor was assigned to (as when it lost a collision): that
    # cell's box has IoU 1 > 0.6 with it, so its no-object term 0.25^2 = 0.0625 is ignored -> 2.0625
    ignored = yolo_loss_terms(*two_by_two_case(extra_true_box=True), ONE, 2)
    np.testing.assert_allclose(ignored["confidence"].numpy(), [2.0625], rtol=1e-6)


def perfect_output(detectors_mask: np.ndarray, matching: np.ndarray, num_classes: int) -> np.ndarray:
    """Raw outputs (N, gh, gw, A * (5 + C)) that decode exactly to the targets, with saturated logits."""
    xy = np.where(detectors_mask > 0, matching[..., 0:2], 0.5)  # any value in (0, 1) where nothing is assigned
    xy = np.clip(xy, 1e-7, 1 - 1e-7)  # a centre on a cell edge has offset 0: sigmoid^-1 would be -inf
    raw_xy = np.log(xy / (1 - xy))  # sigmoid^-1
    confidence = np.where(detectors_mask > 0, 30.0, -30.0)  # sigmoid(+-30) = 1 or 9e-14
    logits = 30.0 * np.eye(num_classes)[matching[..., 4].astype(int)]
    raw = np.concatenate([raw_xy, matching[..., 2:4], confidence, logits], axis=-1)  # (N, gh, gw, A, 5 + C)
    return raw.reshape(*raw.shape[:3], -1).astype(np.float32)


def test_perfect_predictions_give_zero_loss():
    data = generate_detection_dataset(8, seed=5)
    true_boxes, mask, matching = encode_targets(data.boxes, data.classes, TOY_ANCHORS, (6, 6))
    output = perfect_output(mask, matching, data.num_classes)
    terms = yolo_loss_terms(output, true_boxes, mask, matching, TOY_ANCHORS, data.num_classes)
    for name in ("confidence", "classification", "coordinates"):
        np.testing.assert_allclose(terms[name].numpy(), np.zeros(8), atol=1e-6, err_msg=name)
    # and a wrong class costs 2 per object with squared error: (1 - 0)^2 + (0 - 1)^2
    wrong = matching.copy()
    wrong[..., 4] = (wrong[..., 4] + 1) % data.num_classes
    terms = yolo_loss_terms(perfect_output(mask, wrong, data.num_classes), true_boxes, mask, matching,
                            TOY_ANCHORS, data.num_classes)
    np.testing.assert_allclose(terms["classification"].numpy(), 2 * mask.sum(axis=(1, 2, 3, 4)), rtol=1e-6)


def test_gradients_are_finite_and_graph_mode_matches_eager():
    data = generate_detection_dataset(4, seed=6)
    true_boxes, mask, matching = encode_targets(data.boxes, data.classes, TOY_ANCHORS, (6, 6))
    output = tf.Variable(tf.random.stateless_normal((4, 6, 6, 45), seed=(1, 2), stddev=3.0))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(yolo_loss(output, true_boxes, mask, matching, TOY_ANCHORS, 4))
    gradient = tape.gradient(loss, output).numpy()
    assert np.all(np.isfinite(gradient)) and np.abs(gradient).max() > 0

    @tf.function(input_signature=[tf.TensorSpec((None, None, None, 45)), tf.TensorSpec((None, None, 5)),
                                  tf.TensorSpec((None, None, None, 5, 1)), tf.TensorSpec((None, None, None, 5, 5))])
    def graph_loss(out, boxes, det_mask, match):
        return yolo_loss(out, boxes, det_mask, match, TOY_ANCHORS, 4)

    np.testing.assert_allclose(graph_loss(output, true_boxes, mask, matching).numpy(),
                               yolo_loss(output, true_boxes, mask, matching, TOY_ANCHORS, 4).numpy(), rtol=1e-6)


def test_bad_shapes():
    output, true_boxes, mask, matching = one_cell_case()
    with pytest.raises(ValueError, match=r"true_boxes: expected \(batch, K, 5\), found shape \(1, 4\)"):
        yolo_loss(output, true_boxes[0, :, :4], mask, matching, ONE, 2)
    with pytest.raises(ValueError, match=r"expected 1 anchors x \(5 \+ 3\) = 8 channels, found 7"):
        yolo_loss(output, true_boxes, mask, matching, ONE, 3)
    with pytest.raises(ValueError, match=r"expected detectors_mask \(b, gh, gw, 1, 1\)"):
        yolo_loss(output, true_boxes, mask[0], matching, ONE, 2)
