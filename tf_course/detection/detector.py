"""A YOLO detector end to end: images in, boxes in original-image pixels out, all in one graph.

:class:`Detector` wraps a raw YOLO network (YOLOv2 or the toy detector: (batch, S, S, 3) float
images in [0, 1] -> (batch, gh, gw, A * (5 + C))) with the in-graph pre- and post-processing a
server needs:

    encoded JPEG/PNG strings (batch,)  --decode (large JPEG: DCT-downscaled), resize, / 255-->  (batch, S, S, 3)
    float images (batch, H, W, 3) in [0, 1]  --resize-->                           (batch, S, S, 3)
        -> network -> YoloHead -> YoloNMS -> boxes scaled to each image's own (height, width)

Outputs (batch-padded, ``max_boxes`` rows per image): ``boxes`` float32 (batch, max_boxes, 4)
[top, left, bottom, right] in the original image's pixels, clipped to the image; ``scores`` float32
(batch, max_boxes); ``classes`` int32 (batch, max_boxes), -1 for padding; ``num_detections`` int32
(batch,). The export has two signatures with these outputs: ``serving_default`` (input ``images``,
tf.string (batch,)) and ``serve_float`` (input ``images``, float32 (batch, H, W, 3)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.data.images import resize_images
from tf_course.detection.head import YoloHead, as_anchors
from tf_course.detection.nms import YoloNMS, map_over_batch
from tf_course.export import ExportResult, Signature, export_and_check
from tf_course.export.saved_model import SIGNATURE

FLOAT_SIGNATURE = "serve_float"
INPUT_NAME = "images"
OUTPUT_KEYS = ("boxes", "scores", "classes", "num_detections")


@dataclass(frozen=True)
class DetectorConfig:
    """What turns a raw YOLO output into detections.

    Attributes:
        anchors: (A, 2) anchor (width, height) pairs in grid cells.
        class_names: C names, indexed by class id.
        max_boxes, score_threshold, iou_threshold, per_class: the :class:`YoloNMS` settings; the
            defaults are the course's TF2 ``predict`` (10 boxes, score 0.3, IoU 0.5, one
            class-agnostic NMS over each box's best class).
    """

    anchors: np.ndarray
    class_names: tuple[str, ...]
    max_boxes: int = 10
    score_threshold: float = 0.3
    iou_threshold: float = 0.5
    per_class: bool = False

    def to_json(self) -> dict[str, Any]:
        """The config as JSON-friendly values (it goes into the export's manifest)."""
        return {"anchors": as_anchors(self.anchors).tolist(), "class_names": list(self.class_names),
                "max_boxes": self.max_boxes, "score_threshold": self.score_threshold,
                "iou_threshold": self.iou_threshold, "per_class": self.per_class}


JPEG_RATIOS = (8, 4, 2)  # libjpeg's DCT-domain downscaling factors, largest first


def jpeg_ratio_index(original: tf.Tensor, size: Sequence[int]) -> tf.Tensor:
    """Which decode a JPEG of ``original`` (H, W) int32 (2,) gets for ``size``: () int32 index.

    ``i < len(JPEG_RATIOS)`` means decode at ``JPEG_RATIOS[i]``, the largest ratio whose output
    ``ceil(H / r) x ceil(W / r)`` keeps both sides >= ``size``; ``len(JPEG_RATIOS)`` means a full
    decode. The output shrinks as the ratio grows, so the ratios that do not fit come first and
    the index is their count (one reduction, no chain of conditionals).
    """
    ratios = tf.constant(JPEG_RATIOS, tf.int32)  # (R,)
    scaled = (original[tf.newaxis, :] + ratios[:, tf.newaxis] - 1) // ratios[:, tf.newaxis]  # (R, 2): ceil(H / r)...
    fits = tf.reduce_all(scaled >= tf.constant([int(d) for d in size], tf.int32), axis=1)  # (R,)
    return tf.reduce_sum(tf.cast(tf.logical_not(fits), tf.int32))


def decode_for_size(data: tf.Tensor, size: Sequence[int], fast_jpeg: bool = True) -> tuple[tf.Tensor, tf.Tensor]:
    """One encoded image () -> (uint8 (h, w, 3) to be resized to ``size``, its original (H, W) int32 (2,)).

    With ``fast_jpeg`` a JPEG at least twice the target size in both sides is decoded already
    downscaled in the DCT domain (``tf.io.decode_jpeg(ratio=r)``, r the largest of 8, 4, 2 that
    keeps both sides >= ``size``; output ceil(H / r) x ceil(W / r)), which skips most of the
    decoding and of the antialiased resize. The original size comes from the JPEG header
    (``tf.io.extract_jpeg_shape``). Other formats (PNG, BMP, GIF) and smaller JPEGs decode fully.
    """
    return _decode_and_maybe_resize(data, size, fast_jpeg, resize=False)


def preprocess_for_size(data: tf.Tensor, size: Sequence[int], fast_jpeg: bool = True) -> tuple[tf.Tensor, tf.Tensor]:
    """One encoded image () -> (float32 ``size`` + (3,) in [0, 1], its original (H, W) int32 (2,)).

    :func:`decode_for_size`, then the resize: a fully decoded image gets the antialiased bicubic
    resize (:func:`~tf_course.data.images.resize_images`, the stand-in for the course's PIL
    BICUBIC); a JPEG decoded downscaled in the DCT domain gets an area (box-filter) resize of the
    uint8 pixels, antialiased too, several times cheaper than the bicubic one (see
    ``benchmarks/detector_front_end.py``) and closer to it than bilinear. On the course's three
    1280x720 frames to 96 x 96 (ratio 4) the result differs from full decode + bicubic by 0.0051
    on average (bicubic after ratio 4: 0.0036; bilinear without antialias: 0.0115, and it
    reorders two detections of a seeded detector on one frame).
    """
    return _decode_and_maybe_resize(data, size, fast_jpeg, resize=True)


def _decode_and_maybe_resize(data: tf.Tensor, size: Sequence[int], fast_jpeg: bool,
                             resize: bool) -> tuple[tf.Tensor, tf.Tensor]:
    size = tuple(int(d) for d in size)

    def finish(image: tf.Tensor, downscaled: bool) -> tf.Tensor:
        if not resize:
            image.set_shape([None, None, 3])
            return image
        if downscaled:  # box filter on the uint8 pixels: a mean of them, so in [0, 255] and no clip needed
            resized = tf.image.resize(image, size, method="area") / 255.0
        else:
            resized = resize_images(tf.cast(image, tf.float32) / 255.0, size)
        resized.set_shape([*size, 3])
        return resized

    def full() -> tuple[tf.Tensor, tf.Tensor]:
        image = tf.io.decode_image(data, channels=3, expand_animations=False)  # (H, W, 3) uint8
        image.set_shape([None, None, 3])
        return finish(image, False), tf.shape(image)[:2]

    if not fast_jpeg:
        return full()

    def jpeg() -> tuple[tf.Tensor, tf.Tensor]:
        original = tf.io.extract_jpeg_shape(data)[:2]  # (2,) int32 (H, W), from the header only
        branches = [lambda r=ratio: finish(tf.io.decode_jpeg(data, channels=3, ratio=r), True)
                    for ratio in JPEG_RATIOS]
        branches.append(lambda: finish(tf.io.decode_jpeg(data, channels=3), False))
        return tf.switch_case(jpeg_ratio_index(original, size), branches), original

    return tf.cond(tf.io.is_jpeg(data), jpeg, full)


class Detector:
    """A raw YOLO network plus decoding, NMS and resizing, batched and in-graph.

    Args:
        model: (batch, S_h, S_w, 3) float images in [0, 1] -> (batch, gh, gw, A * (5 + C)).
        config: anchors, class names and NMS settings (A and C must match the model's output depth).
        fast_jpeg: decode large JPEGs downscaled in the DCT domain (:func:`decode_for_size`).
    """

    def __init__(self, model: keras.Model, config: DetectorConfig, fast_jpeg: bool = True):
        anchors = as_anchors(config.anchors)
        num_classes = len(config.class_names)
        depth = model.output_shape[-1]
        if depth != anchors.shape[0] * (5 + num_classes):
            raise ValueError(f"Detector: the model outputs {depth} channels, expected {anchors.shape[0]} anchors x "
                             f"(5 + {num_classes} classes) = {anchors.shape[0] * (5 + num_classes)}")
        self.model, self.config, self.fast_jpeg = model, config, fast_jpeg
        self.input_size = tuple(int(d) for d in model.input_shape[1:3])  # (S_h, S_w)
        self.head = YoloHead(anchors, num_classes, name="yolo_head")
        self.nms = YoloNMS(config.max_boxes, config.score_threshold, config.iou_threshold, config.per_class,
                           name="yolo_nms")

    def detect_resized(self, resized: tf.Tensor, image_sizes: tf.Tensor) -> dict[str, tf.Tensor]:
        """Network + head + NMS on model-sized images; boxes scaled to ``image_sizes`` (b, 2) (height, width)."""
        detections = self.nms(self.head(self.model(resized, training=False)))
        scale = tf.tile(tf.cast(image_sizes, tf.float32), [1, 2])[:, tf.newaxis, :]  # (b, 2) -> (b, 1, 4) [h,w,h,w]
        boxes = tf.clip_by_value(detections["boxes"] * scale, 0.0, scale)  # padding rows are 0 and stay 0
        return {**detections, "boxes": boxes}

    def detect_images(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """Float images (b, H, W, 3) in [0, 1] (one size per batch) -> detections in their pixels."""
        images = tf.convert_to_tensor(images, tf.float32)
        sizes = tf.tile(tf.shape(images)[tf.newaxis, 1:3], [tf.shape(images)[0], 1])  # (b, 2)
        return self.detect_resized(resize_images(images, self.input_size), sizes)

    def detect_encoded(self, image_bytes: tf.Tensor) -> dict[str, tf.Tensor]:
        """Encoded JPEG/PNG/BMP/GIF strings (b,) of any sizes -> detections in each image's pixels.

        Each image is decoded and resized by :func:`preprocess_for_size`. A batch of one (the
        usual served request) skips the ``tf.map_fn`` loop over the batch: a graph of unknown
        batch size chooses at run time between the two (``tf.cond``), a known batch size in Python.
        """
        height, width = self.input_size
        resized, sizes = map_over_batch(  # -> (b, S_h, S_w, 3), (b, 2)
            lambda data: preprocess_for_size(data, self.input_size, self.fast_jpeg),
            tf.convert_to_tensor(image_bytes, tf.string),
            (tf.TensorSpec((height, width, 3), tf.float32), tf.TensorSpec((2,), tf.int32)))
        return self.detect_resized(resized, sizes)

    def signatures(self, sample_encoded: Sequence[bytes], atol: float = 1e-3) -> dict[str, Signature]:
        """The export's two signatures, each with its check sample.

        ``serving_default``: encoded images (batch,) tf.string, sampled by ``sample_encoded`` (a few
        image files' bytes of one size); ``serve_float``: float32 (batch, H, W, 3) in [0, 1], sampled
        by the same images decoded. The reloaded export must return the in-memory detector's boxes
        and scores within ``atol`` and the same classes and counts.
        """
        encoded = np.array(list(sample_encoded), dtype=bytes)  # (k,) fixed-width bytes: JPEG/PNG never end in NUL
        decoded = np.stack([tf.io.decode_image(b, channels=3, expand_animations=False).numpy() for b in encoded])
        floats = decoded.astype(np.float32) / 255.0  # (k, H, W, 3)
        return {
            SIGNATURE: Signature(self.detect_encoded, [tf.TensorSpec((None,), tf.string, name=INPUT_NAME)],
                                 {INPUT_NAME: encoded}, atol),
            FLOAT_SIGNATURE: Signature(self.detect_images,
                                       [tf.TensorSpec((None, None, None, 3), tf.float32, name=INPUT_NAME)],
                                       {INPUT_NAME: floats}, atol),
        }

    def export(
        self,
        name: str,
        out_dir: str | Path,
        sample_encoded: Sequence[bytes],
        *,
        metrics: dict[str, Any] | None = None,
        data_source: dict[str, str] | None = None,
        atol: float = 1e-3,
    ) -> ExportResult:
        """Export both :meth:`signatures` to ``out_dir/name/<version>/``, checked in a fresh process first.

        The manifest's ``detector`` entry is the :class:`DetectorConfig` (anchors, class names, NMS).
        """
        return export_and_check(name, self.signatures(sample_encoded, atol), [self.model], out_dir,  # head, NMS:
                                metrics=metrics, data_source=data_source,  # no weights to track
                                manifest_extra={"detector": self.config.to_json()})


def trim(detections: dict[str, tf.Tensor | np.ndarray], index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Image ``index``'s valid rows of padded detections -> (scores (n,), boxes (n, 4), classes (n,))."""
    n = int(np.asarray(detections["num_detections"])[index])
    return (np.asarray(detections["scores"])[index, :n], np.asarray(detections["boxes"])[index, :n],
            np.asarray(detections["classes"])[index, :n])
