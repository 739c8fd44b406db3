"""Detector end to end: in-graph resize, head, NMS and pixel boxes; the export; predict and ``tf-course detect``.

The network is a hand-set 1x1-grid "model" whose output is fixed by its bias, so the expected box is
known exactly: t_xy = 0 puts the centre at sigmoid(0) = 0.5 of the cell, t_wh = log(0.5 / anchor)
makes the box half the image, so the box is [0.25, 0.25, 0.75, 0.75] of any image.
"""

from __future__ import annotations

import io
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tests.helpers import assert_served_export
from tf_course.cli import main
from tf_course.detection.detector import FLOAT_SIGNATURE, Detector, DetectorConfig, trim
from tf_course.detection.predict import detector_function, load_exported_detector, predict

ANCHORS = np.array([[1.0, 1.0], [2.0, 2.0]])
CLASSES = ("cat", "dog")
SIZE = 32


def _fixed_model(confident: bool = True) -> keras.Model:
    """(b, 32, 32, 3) -> (b, 1, 1, 2 * (5 + 2)) whatever the image: a zero kernel and a chosen bias."""
    inputs = keras.Input((SIZE, SIZE, 3))
    conv = keras.layers.Conv2D(len(ANCHORS) * 7, SIZE, strides=SIZE, name="out")
    outputs = conv(inputs)
    first = [0.0, 0.0, np.log(0.5 / 1.0), np.log(0.5 / 1.0), 10.0 if confident else -10.0, 0.0, 10.0]  # class 1
    second = [0.0, 0.0, 0.0, 0.0, -10.0, 0.0, 0.0]  # anchor 2: confidence sigmoid(-10), never kept
    conv.set_weights([np.zeros_like(conv.kernel.numpy()), np.array(first + second, np.float32)])
    return keras.Model(inputs, outputs)


def _png(height: int, width: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (height, width, 3), dtype=np.uint8)).save(
        buffer, format="PNG")
    return buffer.getvalue()


EXPECTED_SCORE = 1 / (1 + np.exp(-10.0)) * (np.exp(10.0) / (1 + np.exp(10.0)))  # sigmoid(10) * softmax([0, 10])[1]


def test_both_paths_return_the_box_in_each_images_pixels():
    detector = Detector(_fixed_model(), DetectorConfig(ANCHORS, CLASSES, max_boxes=3, score_threshold=0.5))
    out = detector.detect_encoded(tf.constant([_png(100, 200), _png(40, 60)]))
    assert out["boxes"].shape == (2, 3, 4) and out["num_detections"].numpy().tolist() == [1, 1]
    np.testing.assert_allclose(out["boxes"][0, 0], [25, 50, 75, 150], atol=1e-3)  # 0.25/0.75 of 100 x 200
    np.testing.assert_allclose(out["boxes"][1, 0], [10, 15, 30, 45], atol=1e-3)  # ... of 40 x 60
    np.testing.assert_allclose(out["scores"][:, 0], EXPECTED_SCORE, rtol=1e-5)
    assert out["classes"].numpy().tolist() == [[1, -1, -1], [1, -1, -1]]  # padding rows: class -1, box 0
    assert np.all(out["boxes"][:, 1:].numpy() == 0)
    floats = detector.detect_images(tf.zeros((1, 100, 200, 3)))
    np.testing.assert_allclose(floats["boxes"][0, 0], [25, 50, 75, 150], atol=1e-3)
    scores, boxes, classes = trim(out, 1)
    assert scores.shape == (1,) and boxes.shape == (1, 4) and classes.tolist() == [1]


def test_nothing_confident_gives_zero_detections_and_clean_padding():
    detector = Detector(_fixed_model(confident=False), DetectorConfig(ANCHORS, CLASSES))
    out = detector.detect_images(tf.zeros((2, 50, 50, 3)))
    assert out["num_detections"].numpy().tolist() == [0, 0]
    assert np.all(out["boxes"].numpy() == 0) and np.all(out["classes"].numpy() == -1)


def test_config_must_fit_the_network():
    with pytest.raises(ValueError, match=r"outputs 14 channels, expected 2 anchors x \(5 \+ 3 classes\) = 16"):
        Detector(_fixed_model(), DetectorConfig(ANCHORS, ("a", "b", "c")))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    detector = Detector(_fixed_model(), DetectorConfig(ANCHORS, CLASSES, max_boxes=3, score_threshold=0.5))
    result = detector.export("yolo", out, [_png(100, 200), _png(100, 200)], metrics={"map50": 1.0})
    return detector, result


def test_export_has_both_signatures_and_the_detector_config(exported):
    _, result = exported
    signatures = result.manifest["signatures"]
    assert sorted(signatures) == [FLOAT_SIGNATURE, "serving_default"]
    assert signatures["serving_default"]["inputs"]["images"] == {"dtype": "string", "shape": [None]}
    assert signatures[FLOAT_SIGNATURE]["inputs"]["images"]["shape"] == [None, None, None, 3]
    assert signatures["serving_default"]["outputs"]["boxes"]["shape"] == [None, 3, 4]
    on_disk = json.loads((result.path / "manifest.json").read_text())
    assert on_disk["detector"]["class_names"] == list(CLASSES) and on_disk["detector"]["max_boxes"] == 3
    assert sorted(p.name for p in result.path.parent.iterdir()) == ["1"]  # no temporary dir left beside it


def test_both_served_signatures_give_the_hand_computed_box_without_tf_course(exported):
    _, result = exported
    expected = {"boxes": np.array([[[25, 50, 75, 150], [0, 0, 0, 0], [0, 0, 0, 0]]] * 2, np.float32),  # 100 x 200
                "scores": np.array([[EXPECTED_SCORE, 0, 0]] * 2, np.float32),
                "classes": np.array([[1, -1, -1]] * 2, np.int32), "num_detections": np.array([1, 1], np.int32)}
    encoded = np.array([_png(100, 200), _png(100, 200)], dtype=bytes)
    assert_served_export(result.path, {"serving_default": ({"images": encoded}, expected),
                                       FLOAT_SIGNATURE: ({"images": np.zeros((2, 100, 200, 3), np.float32)}, expected)},
                         atol=1e-3)


def test_predict_prints_course_lines_and_saves_annotated_images(exported, tmp_path, capsys):
    detector, result = exported
    image = tmp_path / "street.png"
    image.write_bytes(_png(100, 200))
    for detect, names in ((detector_function(detector), CLASSES), load_exported_detector(result.path.parent)):
        found = predict([image], detect, names, out_dir=tmp_path / "out")
        assert found[0].lines == ["dog 1.00 (50, 25) (150, 75)"]
        assert capsys.readouterr().out.splitlines()[:2] == ["Found 1 boxes for street.png",
                                                           "  dog 1.00 (50, 25) (150, 75)"]
        assert Image.open(found[0].annotated).size == (200, 100)


def test_cli_detect_uses_the_newest_export(exported, tmp_path, capsys):
    _, result = exported
    image = tmp_path / "a.png"
    image.write_bytes(_png(40, 60))
    code = main(["detect", str(image), "--models", str(result.path.parent), "--out", str(tmp_path / "drawn")])
    assert code == 0
    assert "Found 1 boxes for a.png" in capsys.readouterr().out
    assert (tmp_path / "drawn" / "a.png").is_file()


def test_cli_detect_errors_are_clear(tmp_path, capsys):
    assert main(["detect", str(tmp_path / "a.png"), "--models", str(tmp_path)]) == 2
    assert "expected a SavedModel" in capsys.readouterr().err
    assert main(["detect", str(tmp_path / "a.png"), "--weights", str(tmp_path / "missing.h5")]) == 2
    assert "missing.h5" in capsys.readouterr().err


@pytest.mark.course_data
def test_in_graph_resize_matches_the_course_preprocessing_on_test_jpg(course_file):
    from tf_course.detection.detector import resize_images
    from tf_course.detection.draw import preprocess_image

    path = course_file("yolo/images/test.jpg")
    _, course = preprocess_image(path)  # PIL BICUBIC, / 255: (1, 608, 608, 3)
    decoded = tf.io.decode_image(path.read_bytes(), channels=3, expand_animations=False)  # (720, 1280, 3)
    ours = resize_images(tf.cast(decoded, tf.float32) / 255.0, (608, 608)).numpy()
    assert ours.shape == course.shape[1:]
    assert np.mean(np.abs(ours - course[0])) < 1 / 255  # under one grey level: measured 0.0034 (0.88 / 255)


def _jpeg(height: int, width: int) -> bytes:
    """A smooth (height, width) JPEG: a colour gradient, so downscaled decoding stays close to full decoding."""
    rows, cols = np.mgrid[0:height, 0:width]
    pixels = np.stack([255 * rows / height, 255 * cols / width, np.full((height, width), 128.0)], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


@pytest.mark.parametrize(("size", "target", "decoded"), [
    ((720, 1280), (96, 96), (180, 320)),  # ratio 8 would give 90 rows < 96: ratio 4
    ((720, 1280), (200, 200), (360, 640)),  # ratio 2
    ((720, 1280), (608, 608), (720, 1280)),  # not 2x smaller: full decode
    ((101, 203), (13, 13), (13, 26)),  # ratio 8, libjpeg rounds up: ceil(101 / 8) = 13
])
def test_jpeg_is_decoded_at_the_largest_ratio_that_keeps_the_target_size(size, target, decoded):
    from tf_course.detection.detector import decode_for_size

    image, original = decode_for_size(tf.constant(_jpeg(*size)), target)
    assert tuple(image.shape) == (*decoded, 3) and original.numpy().tolist() == list(size)
    full, full_size = decode_for_size(tf.constant(_jpeg(*size)), target, fast_jpeg=False)
    assert tuple(full.shape) == (*size, 3) and full_size.numpy().tolist() == list(size)


def test_fast_jpeg_boxes_are_in_the_original_pixels_and_png_still_decodes():
    detector = Detector(_fixed_model(), DetectorConfig(ANCHORS, CLASSES, max_boxes=3, score_threshold=0.5))
    assert detector.fast_jpeg
    out = detector.detect_encoded(tf.constant([_jpeg(720, 1280), _png(100, 200), _jpeg(40, 60)]))
    assert out["num_detections"].numpy().tolist() == [1, 1, 1]
    np.testing.assert_allclose(out["boxes"][:, 0], [[180, 320, 540, 960], [25, 50, 75, 150], [10, 15, 30, 45]],
                               atol=1e-3)  # 0.25 / 0.75 of 720 x 1280 (decoded at 90 x 160), 100 x 200, 40 x 60


def _smooth_seeded_model() -> keras.Model:
    """(b, 96, 96, 3) -> (b, 6, 6, 5 * 9): 16x16 means, then a seeded 1x1 convolution (scores spread by content)."""
    from tf_course.detection.targets import TOY_ANCHORS

    inputs = keras.Input((96, 96, 3))
    means = keras.layers.AveragePooling2D(16)(inputs)
    outputs = keras.layers.Conv2D(len(TOY_ANCHORS) * 9, 1, bias_initializer="zeros",
                                  kernel_initializer=keras.initializers.RandomNormal(stddev=3.0, seed=0))(means)
    return keras.Model(inputs, outputs)


@pytest.mark.course_data
def test_fast_jpeg_keeps_the_detections_on_the_course_frames(course_dir):
    from tf_course.detection.targets import TOY_ANCHORS

    frames = sorted((course_dir / "yolo" / "images").glob("*.jpg"))
    assert len(frames) >= 3, f"expected the course's yolo/images/*.jpg frames, found {frames}"
    data = tf.constant([path.read_bytes() for path in frames])  # 1280 x 720: decoded at ratio 4 for 96 x 96
    model, config = _smooth_seeded_model(), DetectorConfig(TOY_ANCHORS, ("a", "b", "c", "d"), score_threshold=0.3)
    fast = Detector(model, config).detect_encoded(data)
    full = Detector(model, config, fast_jpeg=False).detect_encoded(data)
    assert fast["num_detections"].numpy().tolist() == full["num_detections"].numpy().tolist()
    assert int(np.min(full["num_detections"])) > 0
    np.testing.assert_array_equal(fast["classes"], full["classes"])
    np.testing.assert_allclose(fast["scores"], full["scores"], atol=0.01)  # measured 0.0018 (area resize)
    np.testing.assert_allclose(fast["boxes"], full["boxes"], atol=4.0)  # pixels of 1280 x 720; measured 2.8
