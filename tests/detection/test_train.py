"""Training and evaluation of the toy detector: flipped targets, the input pipeline, a short fit, mAP of
perfect outputs. (The full default run, mAP@0.5 >= 0.7, takes minutes and is left to the pipeline.)"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.detection.data import DetectionDataset, generate_detection_dataset, load_detection_splits
from tf_course.detection.targets import TOY_ANCHORS, encode_targets
from tf_course.detection.train import (
    DEFAULT_SETTINGS,
    QUICK_SETTINGS,
    detection_training_data,
    evaluate_detector,
    flip_targets_horizontally,
    predict_detections,
    train_toy_detector,
)
from tf_course.train import History


@pytest.fixture(scope="module")
def data() -> DetectionDataset:
    return generate_detection_dataset(48, seed=2)


def test_flipped_targets_equal_the_targets_of_flipped_boxes(data):
    true_boxes, mask, matching = encode_targets(data.boxes, data.classes, TOY_ANCHORS, (6, 6))
    images, f_boxes, f_mask, f_matching = flip_targets_horizontally(
        tf.constant(data.images), tf.constant(true_boxes), tf.constant(mask), tf.constant(matching))
    mirrored = data.boxes.copy()
    mirrored[..., 1], mirrored[..., 3] = 1 - data.boxes[..., 3], 1 - data.boxes[..., 1]  # x_min' = 1 - x_max
    mirrored[data.classes < 0] = 0
    e_boxes, e_mask, e_matching = encode_targets(mirrored, data.classes, TOY_ANCHORS, (6, 6))
    # a centre exactly on a cell border (a 1/32 chance per object: integer pixel edges, 16-pixel cells) keeps
    # its mirrored cell with x_cell = 1 where encoding would start the next cell with x_cell = 0
    centres = (data.boxes[..., 1] + data.boxes[..., 3]) / 2 * 6  # in cells
    border = np.any(np.isclose(centres, np.round(centres)) & (data.classes >= 0), axis=1)  # (N,)
    inner = ~border
    assert inner.sum() >= 30
    np.testing.assert_array_equal(images.numpy(), data.images[:, :, ::-1])
    np.testing.assert_allclose(f_boxes.numpy(), e_boxes, atol=1e-6)
    np.testing.assert_array_equal(f_mask.numpy()[inner], e_mask[inner])
    np.testing.assert_allclose(f_matching.numpy()[inner], e_matching[inner], atol=1e-5)
    np.testing.assert_array_equal(f_mask.numpy().sum(axis=(1, 2, 3, 4)), mask.sum(axis=(1, 2, 3, 4)))


def test_training_data_batches(data):
    keras.utils.set_random_seed(0)
    batches = list(detection_training_data(data, TOY_ANCHORS, (6, 6), batch_size=32))
    assert len(batches) == 2
    images, (true_boxes, mask, matching) = batches[0]
    assert images.shape == (32, 96, 96, 3) and images.dtype == tf.float32
    assert 0.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0
    assert true_boxes.shape == (32, 4, 5) and mask.shape == (32, 6, 6, 5, 1) and matching.shape == (32, 6, 6, 5, 5)
    # flips keep every object: one assigned anchor per object unless two collide
    total = sum(int(tf.reduce_sum(b[1][1])) for b in batches)
    _, e_mask, _ = encode_targets(data.boxes, data.classes, TOY_ANCHORS, (6, 6))
    assert abs(total - int(e_mask.sum())) <= 2


def test_a_short_fit_lowers_the_loss(data, capsys):
    keras.utils.set_random_seed(0)
    model, history = train_toy_detector(data, TOY_ANCHORS, epochs=3, batch_size=16, learning_rate=3e-3, verbose=1)
    lines = capsys.readouterr().err.splitlines()  # not a TTY: one progress line per epoch
    assert [line.split("  ")[0] for line in lines] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert f"loss {history.history['loss'][-1]:.4f}" in lines[-1]
    assert isinstance(history, History) and history.epoch == [0, 1, 2]
    assert set(history.history) == {"loss", "confidence", "classification", "coordinates"}
    assert len(history.seconds) == 3 and all(s > 0 for s in history.seconds)
    losses = history.history
    assert len(losses["loss"]) == 3 and losses["loss"][-1] < losses["loss"][0]
    assert losses["loss"][0] == pytest.approx(
        losses["confidence"][0] + losses["classification"][0] + losses["coordinates"][0], rel=1e-5)
    assert model.output.shape == (None, 6, 6, 45)
    result = evaluate_detector(model, data.subset(slice(0, 8)), TOY_ANCHORS)
    assert set(result) == {"map50", "ap_per_class", "num_images", "num_objects", "num_detections"}
    assert 0.0 <= result["map50"] <= 1.0 and list(result["ap_per_class"]) == list(data.class_names)


def test_the_same_seed_gives_the_same_training(data):
    small = data.subset(slice(0, 16))
    losses = []
    for _ in range(2):
        keras.utils.set_random_seed(1)
        model, history = train_toy_detector(small, TOY_ANCHORS, epochs=1, batch_size=8)
        losses.append((history.history["loss"], model.get_layer("conv2d_5").bias.numpy()))
    assert losses[0][0] == losses[1][0]
    np.testing.assert_array_equal(losses[0][1], losses[1][1])


class PerfectDetector:
    """Stands in for a model: returns raw outputs that decode exactly to the encoded targets."""

    def __init__(self, raw: np.ndarray) -> None:
        self.raw = tf.constant(raw)

    def __call__(self, images: tf.Tensor, training: bool = False) -> tf.Tensor:
        return self.raw


def test_perfect_outputs_score_map_one(data):
    subset = data.subset(slice(0, 16))
    _, mask, matching = encode_targets(subset.boxes, subset.classes, TOY_ANCHORS, (6, 6))
    assert mask.sum() == np.sum(subset.classes >= 0)  # no two objects share a cell and anchor here
    xy = np.clip(np.where(mask > 0, matching[..., 0:2], 0.5), 1e-6, 1 - 1e-6)  # sigmoid^-1 needs (0, 1)
    logits = 20.0 * np.eye(4)[matching[..., 4].astype(int)]
    raw = np.concatenate([np.log(xy / (1 - xy)), matching[..., 2:4], np.where(mask > 0, 20.0, -20.0), logits], -1)
    detector = PerfectDetector(raw.reshape(16, 6, 6, 45).astype(np.float32))
    result = evaluate_detector(detector, subset, TOY_ANCHORS)
    assert result["map50"] == 1.0
    assert result["num_detections"] == result["num_objects"] == int(mask.sum())
    found = predict_detections(detector, subset.images, TOY_ANCHORS, 4, score_threshold=0.5)
    first = found["boxes"][0, : found["num_detections"][0]]
    truth = subset.boxes[0][subset.classes[0] >= 0]
    np.testing.assert_allclose(np.sort(first, axis=0), np.sort(truth, axis=0), atol=1e-5)


def test_settings_and_errors(data):
    assert DEFAULT_SETTINGS.num_train > QUICK_SETTINGS.num_train and DEFAULT_SETTINGS.epochs > QUICK_SETTINGS.epochs
    with pytest.raises(ValueError, match=r"epochs: expected an integer >= 1, found 0"):
        train_toy_detector(data, TOY_ANCHORS, epochs=0)
    with pytest.raises(ValueError, match=r"learning_rate: expected a positive number, found -1"):
        train_toy_detector(data, TOY_ANCHORS, epochs=1, learning_rate=-1)
    inputs = keras.Input((96, 96, 3))
    wrong = keras.Model(inputs, keras.layers.Conv2D(7, 16, strides=16)(inputs))
    with pytest.raises(ValueError, match=r"expected 5 anchors x \(5 \+ 4\) = 45 output channels, found"):
        train_toy_detector(data, TOY_ANCHORS, epochs=1, model=wrong)
    with pytest.raises(ValueError, match=r"images: expected uint8 \(N, H, W, 3\), found float32"):
        predict_detections(wrong, data.images.astype(np.float32), TOY_ANCHORS, 4)


@pytest.mark.slow
@pytest.mark.full_training
def test_default_setting_reaches_map50_0_7_on_the_held_out_set():
    # the default `tf-course run yolo` training (4000 images, 10 epochs): ~5 min on 2 cores, the one long test
    # of the YOLO port; measured map50 0.908 / 0.900 / 0.896 for seeds 0 / 1 / 2 (issue target: >= 0.7)
    keras.utils.set_random_seed(0)
    settings = DEFAULT_SETTINGS
    train, test = load_detection_splits(0, settings.num_train, settings.num_test)
    model, history = train_toy_detector(train, TOY_ANCHORS, settings.epochs, settings.batch_size,
                                        settings.learning_rate)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    result = evaluate_detector(model, test, TOY_ANCHORS, settings.score_threshold, settings.iou_threshold,
                               settings.max_boxes)
    assert result["num_images"] == 500 and result["map50"] >= 0.7
    assert min(result["ap_per_class"].values()) >= 0.6  # every class is detected, not only the easy ones
