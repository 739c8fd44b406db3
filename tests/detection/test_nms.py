"""YoloNMS: config round trip and validation, saving, zero candidates, parity with the course's yolo_eval."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.detection.boxes import yolo_boxes_to_corners
from tf_course.detection.head import YoloHead, yolo_head
from tf_course.detection.nms import YoloNMS
from tf_course.detection.postprocess import non_max_suppression_np, yolo_eval

ANCHORS = [[0.57, 0.68], [1.87, 2.06], [3.34, 5.47], [7.88, 3.53], [9.77, 9.17]]  # the course's yolo_anchors.txt


def raw_outputs(batch: int, classes: int = 80, grid: int = 19, seed: int = 0) -> np.ndarray:
    """(batch, grid, grid, 5 * (5 + classes)) raw network outputs with a few confident boxes."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(0, 1, (batch, grid, grid, 5, 5 + classes)).astype(np.float32)
    raw[..., 5:] *= 4  # peaked softmax: a clear best class
    raw[..., 4] += 2  # confidences mostly above 0.5
    return raw.reshape(batch, grid, grid, -1)


def head_outputs(raw: np.ndarray, classes: int = 80) -> tuple[tf.Tensor, ...]:
    return yolo_head(raw, ANCHORS, classes)


def assert_padding(result: dict, image: int, num: int, max_boxes: int) -> None:
    assert int(result["num_detections"][image]) == num
    np.testing.assert_array_equal(np.asarray(result["boxes"])[image, num:], np.zeros((max_boxes - num, 4)))
    np.testing.assert_array_equal(np.asarray(result["scores"])[image, num:], np.zeros(max_boxes - num))
    np.testing.assert_array_equal(np.asarray(result["classes"])[image, num:], -np.ones(max_boxes - num))


def test_config_round_trip():
    layer = YoloNMS(max_boxes=7, score_threshold=0.3, iou_threshold=0.45, per_class=False, name="nms")
    config = layer.get_config()
    assert {k: config[k] for k in ("max_boxes", "score_threshold", "iou_threshold", "per_class")} == {
        "max_boxes": 7, "score_threshold": 0.3, "iou_threshold": 0.45, "per_class": False}
    clone = YoloNMS.from_config(config)
    assert clone.get_config() == config and clone.name == "nms"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_boxes": 0}, "max_boxes an integer >= 1, found 0"),
        ({"max_boxes": 2.5}, "max_boxes an integer >= 1, found 2.5"),
        ({"max_boxes": True}, "max_boxes an integer >= 1, found True"),
        ({"score_threshold": 1.5}, r"score_threshold a number in \[0, 1\], found 1.5"),
        ({"iou_threshold": -0.1}, r"iou_threshold a number in \[0, 1\], found -0.1"),
        ({"iou_threshold": "0.5"}, r"iou_threshold a number in \[0, 1\], found '0.5'"),
        ({"per_class": 1}, "per_class True or False, found 1"),
    ],
)
def test_bad_config(kwargs, message):
    with pytest.raises(ValueError, match=message):
        YoloNMS(**kwargs)


def test_bad_inputs():
    xy, wh, conf, probs = head_outputs(raw_outputs(1, classes=3, grid=2), classes=3)
    with pytest.raises(ValueError, match=r"expected \(box_xy, box_wh, box_confidence, box_class_probs\)"):
        YoloNMS()((xy, wh, conf))
    with pytest.raises(ValueError, match=r"box_confidence of shape \(batch, grid_h, grid_w, anchors, 1\), found"):
        YoloNMS()((xy, wh, probs, probs))
    with pytest.raises(ValueError, match=r"box_xy of shape .* found \(2, 5, 2\)"):
        YoloNMS()((xy[0, 0], wh, conf, probs))


def test_per_class_false_equals_course_yolo_eval_per_image():
    # the reference sheet's yolo_eval inputs (set_seed(10), normal mean 1 stddev 4 seed 1, xy/wh/conf/probs),
    # then two more images drawn the same way; the course's yolo_eval runs on each image alone
    tf.random.set_seed(10)
    shapes = ([19, 19, 5, 2], [19, 19, 5, 2], [19, 19, 5, 1], [19, 19, 5, 80])
    images = [[tf.random.normal(s, mean=1, stddev=4, seed=1) for s in shapes] for _ in range(3)]
    batched = tuple(tf.stack([image[i] for image in images]) for i in range(4))  # each (3, 19, 19, 5, *)
    result = YoloNMS(max_boxes=10, score_threshold=0.6, iou_threshold=0.5, per_class=False)(batched)
    for index, image in enumerate(images):
        scores, boxes, classes = yolo_eval(image, image_shape=(1.0, 1.0))  # boxes as fractions
        if index == 0:  # the course's value, unscaled: [-1240.3483 -3212.5881 -645.78 2024.3052] / [h, w, h, w]
            np.testing.assert_allclose(boxes[2].numpy() * [720, 1280, 720, 1280],
                                       [-1240.3483, -3212.5881, -645.78, 2024.3052], rtol=1e-5)
        assert int(result["num_detections"][index]) == 10 == scores.shape[0]
        order = np.argsort(-scores.numpy(), kind="stable")
        got_order = np.argsort(-result["scores"][index].numpy(), kind="stable")
        np.testing.assert_allclose(result["scores"][index].numpy()[got_order], scores.numpy()[order], rtol=1e-6)
        np.testing.assert_allclose(result["boxes"][index].numpy()[got_order], boxes.numpy()[order], rtol=1e-6)
        np.testing.assert_array_equal(result["classes"][index].numpy()[got_order], classes.numpy()[order])


def test_per_class_true_equals_numpy_per_class_nms():
    raw = raw_outputs(2, classes=4, grid=8, seed=3)
    xy, wh, conf, probs = head_outputs(raw, classes=4)
    result = YoloNMS(max_boxes=6, score_threshold=0.3, iou_threshold=0.4, per_class=True)((xy, wh, conf, probs))
    boxes = yolo_boxes_to_corners(xy, wh).numpy().reshape(2, -1, 4)  # (2, 320, 4)
    scores = (conf * probs).numpy().reshape(2, -1, 4)  # (2, 320, 4)
    for image in range(2):
        found = []  # (score, class, box index) over classes, each class NMSed alone
        for c in range(4):
            kept = non_max_suppression_np(boxes[image], np.where(scores[image, :, c] >= 0.3, scores[image, :, c],
                                                                  -1.0), 6, 0.4, score_threshold=-0.5)
            found += [(scores[image, i, c], c, i) for i in kept]
        found = sorted(found, key=lambda t: -t[0])[:6]
        assert len(found) == 6 and len({c for _, c, _ in found}) > 1
        assert int(result["num_detections"][image]) == 6
        np.testing.assert_allclose(result["scores"][image].numpy(), [s for s, _, _ in found], rtol=1e-6)
        np.testing.assert_array_equal(result["classes"][image].numpy(), [c for _, c, _ in found])
        np.testing.assert_allclose(result["boxes"][image].numpy(), boxes[image, [i for _, _, i in found]], atol=1e-6)


def overlapping_pair() -> tuple[tf.Tensor, ...]:
    """A 1x2 grid, one anchor, two classes: two boxes of different classes overlapping heavily.

    Box 0: centre (0.50, 0.5), size 0.4 x 0.4, confidence 0.9, class 0 -> score 0.9.
    Box 1: centre (0.52, 0.5), same size, confidence 0.8, class 1 -> score 0.8.
    IoU = (0.38 * 0.4) / (0.16 + 0.16 - 0.152) = 0.152 / 0.168 = 0.905 > 0.5.
    """
    xy = tf.constant([[[[[0.50, 0.5]], [[0.52, 0.5]]]]])  # (1, 1, 2, 1, 2)
    wh = tf.fill([1, 1, 2, 1, 2], 0.4)
    conf = tf.constant([[[[[0.9]], [[0.8]]]]])  # (1, 1, 2, 1, 1)
    probs = tf.constant([[[[[1.0, 0.0]], [[0.0, 1.0]]]]])  # (1, 1, 2, 1, 2)
    return xy, wh, conf, probs


def test_per_class_keeps_overlapping_boxes_of_different_classes():
    inputs = overlapping_pair()
    per_class = YoloNMS(max_boxes=3, per_class=True)(inputs)
    agnostic = YoloNMS(max_boxes=3, per_class=False)(inputs)
    # corners [y_min, x_min, y_max, x_max]: box 0 = [0.3, 0.3, 0.7, 0.7], box 1 = [0.3, 0.32, 0.7, 0.72]
    np.testing.assert_allclose(per_class["boxes"][0, :2].numpy(), [[0.3, 0.3, 0.7, 0.7], [0.3, 0.32, 0.7, 0.72]],
                               atol=1e-6)
    np.testing.assert_allclose(per_class["scores"][0].numpy(), [0.9, 0.8, 0.0], atol=1e-7)
    assert per_class["classes"][0].numpy().tolist() == [0, 1, -1]
    assert_padding(per_class, 0, 2, 3)
    np.testing.assert_allclose(agnostic["boxes"][0, 0].numpy(), [0.3, 0.3, 0.7, 0.7], atol=1e-6)
    np.testing.assert_allclose(agnostic["scores"][0].numpy(), [0.9, 0.0, 0.0], atol=1e-7)
    assert agnostic["classes"][0].numpy().tolist() == [0, -1, -1]
    assert_padding(agnostic, 0, 1, 3)


def test_score_threshold_is_inclusive():
    # the course keeps score >= threshold: box 0 scores exactly 0.9 * 1.0 = 0.9 (float32 0.9 both sides)
    inputs = overlapping_pair()
    for per_class in (True, False):
        result = YoloNMS(max_boxes=3, score_threshold=float(np.float32(0.9)), per_class=per_class)(inputs)
        assert int(result["num_detections"][0]) == 1


@pytest.mark.parametrize("per_class", [True, False])
def test_zero_candidates_and_mixed_batch(per_class: bool):
    raw = raw_outputs(2, classes=5, grid=4, seed=1)
    xy, wh, conf, probs = head_outputs(raw, classes=5)
    assert_padding(YoloNMS(max_boxes=4, score_threshold=1.0, per_class=per_class)((xy, wh, conf, probs)), 1, 0, 4)
    conf = tf.concat([conf[:1], tf.zeros_like(conf[1:])], axis=0)  # image 1: confidence 0 everywhere
    result = YoloNMS(max_boxes=4, score_threshold=0.5, per_class=per_class)((xy, wh, conf, probs))
    assert int(result["num_detections"][0]) == 4 and np.all(result["scores"][0].numpy() >= 0.5)
    assert np.all(result["classes"][0].numpy() >= 0)
    assert_padding(result, 1, 0, 4)
    empty = YoloNMS(max_boxes=4, per_class=per_class)(tuple(x[:0] for x in (xy, wh, conf, probs)))  # batch of 0
    assert empty["boxes"].shape == (0, 4, 4) and empty["num_detections"].shape == (0,)


@pytest.mark.parametrize("per_class", [True, False])
def test_tf_function_unknown_batch(per_class: bool):
    layer = YoloNMS(max_boxes=5, score_threshold=0.5, per_class=per_class)
    spec = [tf.TensorSpec([None, None, None, 5, c], tf.float32) for c in (2, 2, 1, 80)]
    run = tf.function(lambda xy, wh, conf, probs: layer((xy, wh, conf, probs)), input_signature=spec)
    for batch in (3, 1):
        inputs = head_outputs(raw_outputs(batch, seed=batch))
        eager, graph = layer(inputs), run(*inputs)
        assert graph["boxes"].shape == (batch, 5, 4) and graph["classes"].dtype == tf.int32
        for key in eager:
            np.testing.assert_allclose(graph[key].numpy(), eager[key].numpy(), atol=1e-6)
        assert np.all(graph["num_detections"].numpy() == 5)


def build_model(per_class: bool) -> keras.Model:
    raw = keras.Input((19, 19, 425), name="raw")
    outputs = YoloNMS(score_threshold=0.5, per_class=per_class, name="nms")(YoloHead(ANCHORS, 80, name="head")(raw))
    return keras.Model(raw, outputs, name="postprocess")


@pytest.mark.parametrize("per_class", [True, False])
def test_keras_save_load_identical(tmp_path: Path, per_class: bool):
    model = build_model(per_class)
    raw = raw_outputs(2)
    before = model(raw)
    path = tmp_path / "postprocess.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_layer("nms").get_config() == model.get_layer("nms").get_config()
    after = loaded(raw)
    assert set(after) == {"boxes", "scores", "classes", "num_detections"}
    assert int(np.min(before["num_detections"])) > 0
    for key in before:
        np.testing.assert_array_equal(np.asarray(after[key]), np.asarray(before[key]))


def test_saved_model_export_reload(tmp_path: Path):
    model = build_model(per_class=True)
    raw = raw_outputs(3, seed=5)
    expected = model(raw)
    model.export(str(tmp_path / "saved"), verbose=False)
    reloaded = tf.saved_model.load(str(tmp_path / "saved"))
    got = reloaded.serve(tf.constant(raw))
    for key in expected:
        np.testing.assert_allclose(np.asarray(got[key]), np.asarray(expected[key]), atol=1e-6)
