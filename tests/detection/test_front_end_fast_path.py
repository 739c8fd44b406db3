"""The served detector's fast front end: DCT-domain JPEG decode + area resize, and the batch-of-one path.

A batch of one (the usual served request) skips the ``tf.map_fn`` loops of the decode and of the
class-agnostic NMS; these tests check it returns what the batched path returns, that the fast
decode keeps the detections of the full decode + bicubic path (a synthetic JPEG here, the course's
frames through a reloaded SavedModel in the ``course_data`` test), and which DCT ratio is chosen.
"""

from __future__ import annotations

import io

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tf_course.data.images import resize_images
from tf_course.detection.detector import (
    JPEG_RATIOS,
    Detector,
    DetectorConfig,
    jpeg_ratio_index,
    preprocess_for_size,
)
from tf_course.detection.nms import YoloNMS
from tf_course.detection.targets import TOY_ANCHORS

SIZE = (96, 96)
SERVED = [tf.TensorSpec((None,), tf.string, name="images")]  # the export's serving_default input: unknown batch size


def _smooth_seeded_model() -> keras.Model:
    """(b, 96, 96, 3) -> (b, 6, 6, 5 * 9): 16x16 means, then a seeded 1x1 convolution (scores spread by content)."""
    inputs = keras.Input((*SIZE, 3))
    means = keras.layers.AveragePooling2D(16)(inputs)
    outputs = keras.layers.Conv2D(len(TOY_ANCHORS) * 9, 1, bias_initializer="zeros",
                                  kernel_initializer=keras.initializers.RandomNormal(stddev=3.0, seed=0))(means)
    return keras.Model(inputs, outputs)


def _encode(pixels: np.ndarray, image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=image_format, **({"quality": 90} if image_format == "JPEG" else {}))
    return buffer.getvalue()


def _street_like(height: int = 720, width: int = 1280, seed: int = 0) -> np.ndarray:
    """(height, width, 3) uint8: a 9 x 16 grid of random colours, smoothly upscaled, plus pixel noise."""
    rng = np.random.default_rng(seed)
    grid = Image.fromarray(rng.integers(0, 256, (9, 16, 3), dtype=np.uint8)).resize((width, height), Image.BILINEAR)
    noisy = np.asarray(grid, np.float64) + rng.normal(0.0, 12.0, (height, width, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def detectors() -> tuple[Detector, Detector]:
    """The same seeded network behind the fast front end and behind full decode + bicubic."""
    model = _smooth_seeded_model()
    config = DetectorConfig(TOY_ANCHORS, ("a", "b", "c", "d"), score_threshold=0.3)
    return Detector(model, config), Detector(model, config, fast_jpeg=False)


def _assert_same_detections(got: dict, want: dict, score_atol: float, box_atol: float) -> None:
    np.testing.assert_array_equal(got["num_detections"], want["num_detections"])
    np.testing.assert_array_equal(got["classes"], want["classes"])
    np.testing.assert_allclose(got["scores"], want["scores"], atol=score_atol)
    np.testing.assert_allclose(got["boxes"], want["boxes"], atol=box_atol)


@pytest.mark.parametrize(("original", "index"), [
    ((720, 1280), 1),  # ratio 8: 90 rows < 96; ratio 4: 180 x 320
    ((768, 768), 0),  # ratio 8: exactly 96 x 96
    ((761, 2000), 0),  # ceil(761 / 8) = 96
    ((760, 2000), 1),  # ceil(760 / 8) = 95
    ((192, 192), 2),  # ratio 2: 96 x 96
    ((191, 1000), 2),  # ceil(191 / 2) = 96
    ((100, 100), 3),  # not 2x larger: full decode
])
def test_the_largest_ratio_that_keeps_the_model_size_is_chosen(original, index):
    assert int(jpeg_ratio_index(tf.constant(original, tf.int32), SIZE)) == index
    if index < len(JPEG_RATIOS):
        ratio = JPEG_RATIOS[index]
        assert all(-(-side // ratio) >= target for side, target in zip(original, SIZE))


def test_fast_preprocessing_stays_close_to_full_decode_and_bicubic_on_a_synthetic_jpeg():
    data = tf.constant(_encode(_street_like(), "JPEG"))
    fast, original = preprocess_for_size(data, SIZE)  # ratio 4, area resize
    full, full_original = preprocess_for_size(data, SIZE, fast_jpeg=False)  # full decode, antialiased bicubic
    assert fast.shape == full.shape == (*SIZE, 3) and original.numpy().tolist() == [720, 1280]
    assert full_original.numpy().tolist() == [720, 1280]
    decoded = tf.io.decode_jpeg(data, channels=3)
    np.testing.assert_allclose(full, resize_images(tf.cast(decoded, tf.float32) / 255.0, SIZE), atol=1e-6)
    assert 0.0 <= float(tf.reduce_min(fast)) and float(tf.reduce_max(fast)) <= 1.0
    assert float(tf.reduce_mean(tf.abs(fast - full))) < 0.01  # measured 0.0050


def test_batch_of_one_equals_the_batched_path_and_the_full_decode_detections(detectors):
    fast, full = detectors
    jpeg, png = _encode(_street_like(seed=1), "JPEG"), _encode(_street_like(200, 300, seed=2), "PNG")
    served, served_full = tf.function(fast.detect_encoded, input_signature=SERVED), tf.function(
        full.detect_encoded, input_signature=SERVED)
    one = served(tf.constant([jpeg]))  # the tf.cond's batch-of-one branch
    both = served(tf.constant([jpeg, png]))  # the map_fn branch
    assert int(one["num_detections"][0]) > 0
    _assert_same_detections({k: v[:1] for k, v in both.items()}, one, 1e-5, 1e-3)
    _assert_same_detections(fast.detect_encoded(tf.constant([jpeg])), one, 1e-5, 1e-3)  # eager: batch known
    _assert_same_detections(one, served_full(tf.constant([jpeg])), 0.01, 4.0)  # same detections as full decode
    png_alone = served(tf.constant([png]))  # a PNG decodes fully on both paths
    _assert_same_detections({k: v[1:] for k, v in both.items()}, png_alone, 1e-5, 1e-3)
    empty = served(tf.constant([], tf.string))
    assert empty["boxes"].shape == (0, fast.config.max_boxes, 4)


def test_nms_batch_of_one_equals_the_batched_map_fn():
    rng = np.random.default_rng(0)
    shape = (3, 4, 4, 2)
    head = (rng.uniform(0.1, 0.9, (*shape, 2)), rng.uniform(0.05, 0.4, (*shape, 2)),
            rng.uniform(0.0, 1.0, (*shape, 1)), rng.dirichlet(np.ones(3), shape))
    head = tuple(tf.constant(x, tf.float32) for x in head)
    nms = YoloNMS(max_boxes=5, score_threshold=0.2, iou_threshold=0.4, per_class=False)
    spec = [tf.TensorSpec((None, *x.shape[1:]), tf.float32) for x in head]
    run = tf.function(lambda *x: nms(x), input_signature=spec)
    batched = run(*head)
    assert batched["num_detections"].numpy().min() > 0
    for i in range(3):
        single = run(*(x[i:i + 1] for x in head))
        for key in batched:
            np.testing.assert_array_equal(single[key], batched[key][i:i + 1])


@pytest.mark.course_data
def test_the_served_export_keeps_the_full_decode_detections_on_the_course_frames(course_dir, detectors, tmp_path):
    fast, full = detectors
    frames = sorted((course_dir / "yolo" / "images").glob("*.jpg"))
    assert len(frames) >= 3, f"expected the course's yolo/images/*.jpg frames, found {frames}"
    data = [path.read_bytes() for path in frames]  # 1280 x 720: decoded at ratio 4 for 96 x 96
    module = tf.Module()
    module.model = fast.model
    module.serve = tf.function(fast.detect_encoded, input_signature=SERVED)
    tf.saved_model.save(module, str(tmp_path / "detector"), signatures={"serving_default": module.serve})
    signature = tf.saved_model.load(str(tmp_path / "detector")).signatures["serving_default"]
    want = full.detect_encoded(tf.constant(data))
    assert int(np.min(want["num_detections"])) > 0
    for i, one in enumerate(data):  # batch of one, as a server gets them
        _assert_same_detections(signature(images=tf.constant([one])), {k: v[i:i + 1] for k, v in want.items()},
                                0.01, 4.0)  # measured 0.0018 and 2.8 px of 1280 x 720
    _assert_same_detections(signature(images=tf.constant(data)), want, 0.01, 4.0)
