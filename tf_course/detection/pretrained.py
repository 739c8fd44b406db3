"""Detectors from pretrained weight files or from an export: what ``tf-course detect`` and
``tf-course run yolo --weights`` use.

Anchors and class names come from the weight file when it holds them (Darknet's ``[region]``),
else from the course files (``yolo/model_data/yolo_anchors.txt`` / ``coco_classes.txt`` under the
data directory), else from the built-in copies of those files (:mod:`tf_course.detection.assets`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from tf_course.data.validate import DataError
from tf_course.detection.assets import COCO_CLASSES, YOLO_ANCHORS, read_anchors, read_classes
from tf_course.detection.detector import Detector, DetectorConfig
from tf_course.detection.predict import (
    DetectFn,
    detector_function,
    exported_detector_config,
    load_exported_detector,
)
from tf_course.detection.weights import load_yolo_weights

MODEL_DATA = Path("yolo") / "model_data"


def course_anchors_and_classes(data_dir: Path | None) -> tuple[np.ndarray, tuple[str, ...]]:
    """The course's anchors (A, 2) and class names: its files under ``data_dir`` when present, else built in."""
    folder = data_dir / MODEL_DATA if data_dir is not None else None
    anchors_file = folder / "yolo_anchors.txt" if folder is not None else None
    classes_file = folder / "coco_classes.txt" if folder is not None else None
    anchors = read_anchors(anchors_file) if anchors_file is not None and anchors_file.is_file() else YOLO_ANCHORS
    names = read_classes(classes_file) if classes_file is not None and classes_file.is_file() else COCO_CLASSES
    return anchors, tuple(names)


def pretrained_detector(
    weights: Path,
    data_dir: Path | None = None,
    max_boxes: int = 10,
    score_threshold: float = 0.3,
    iou_threshold: float = 0.5,
) -> Detector:
    """A :class:`Detector` from ``yolo.h5`` (course / YAD2K), Darknet cfg + weights, or ``.keras``.

    The defaults are the course's TF2 ``predict`` (10 boxes, score >= 0.3, IoU 0.5, the course's
    class-agnostic NMS over each box's best class).

    Raises:
        ValueError: the anchors or class names do not fit the network's output depth.
    """
    model, info = load_yolo_weights(weights)
    if len(model.input_shape) != 4 or any(d is None for d in model.input_shape[1:]):
        raise DataError(f"{weights}: expected a model with a fixed input size such as (None, 608, 608, 3) (images "
                        f"are resized to it), found input shape {model.input_shape}; save the model with "
                        f"keras.Input((608, 608, 3))")
    course_anchors, names = course_anchors_and_classes(data_dir)
    anchors = np.asarray(info.anchors, dtype=np.float64) if info.anchors is not None else course_anchors
    if len(names) != info.num_classes:
        raise ValueError(f"{weights}: the network predicts {info.num_classes} classes, but the class names list "
                         f"has {len(names)} (put a matching coco_classes.txt in {MODEL_DATA} of --data-dir)")
    if len(anchors) != info.num_anchors:
        raise ValueError(f"{weights}: the network has {info.num_anchors} anchors per cell, but the anchors file "
                         f"has {len(anchors)}")
    config = DetectorConfig(anchors, names, max_boxes=max_boxes, score_threshold=score_threshold,
                            iou_threshold=iou_threshold, per_class=False)
    return Detector(model, config)


def limit_detections(detect: DetectFn, score_threshold: float | None, max_boxes: int | None) -> DetectFn:
    """``detect`` keeping, per image, only boxes scoring >= ``score_threshold`` and the ``max_boxes``
    best of those (applied after the export's NMS; None leaves a setting as the export's)."""
    def limited(images: tf.Tensor) -> dict[str, np.ndarray]:
        found = {key: np.asarray(value) for key, value in detect(images).items()}
        scores, counts = found["scores"], found["num_detections"].astype(np.int64)
        keep = np.zeros(scores.shape, dtype=bool)  # (b, max_boxes of the export)
        for b, n in enumerate(counts):
            order = np.argsort(-scores[b, :n], kind="stable")
            if score_threshold is not None:
                order = order[scores[b, order] >= score_threshold]
            keep[b, order[:max_boxes]] = True
        out = {key: np.zeros_like(value) for key, value in found.items()}
        for b in range(len(counts)):
            rows = np.flatnonzero(keep[b])
            rows = rows[np.argsort(-scores[b, rows], kind="stable")]
            for key in ("boxes", "scores", "classes"):
                out[key][b, :len(rows)] = found[key][b, rows]
            out["num_detections"][b] = len(rows)
        return out

    return limited


def _export_limits(models: Path, max_boxes: int | None, score_threshold: float | None,
                   iou_threshold: float | None) -> tuple[float | None, int | None]:
    """Check the settings asked of an export against those it was exported with; what to apply after it."""
    config = exported_detector_config(models)
    fixed = f"the export in {models} was made with max_boxes {config['max_boxes']}, score_threshold " \
            f"{config['score_threshold']}, iou_threshold {config['iou_threshold']}"
    if iou_threshold is not None and iou_threshold != config["iou_threshold"]:
        raise ValueError(f"--iou-threshold: expected the export's {config['iou_threshold']} (its NMS is part of the "
                         f"export), found {iou_threshold}; use --weights to choose it ({fixed})")
    if score_threshold is not None and score_threshold < config["score_threshold"]:
        raise ValueError(f"--score-threshold: expected at least the export's {config['score_threshold']} (lower "
                         f"scoring boxes are not in its output), found {score_threshold}; use --weights ({fixed})")
    if max_boxes is not None and max_boxes > config["max_boxes"]:
        raise ValueError(f"--max-boxes: expected at most the export's {config['max_boxes']}, found {max_boxes}; "
                         f"use --weights ({fixed})")
    return score_threshold, max_boxes


def detection_function(
    weights: Path | None,
    models: Path,
    data_dir: Path | None = None,
    max_boxes: int | None = None,
    score_threshold: float | None = None,
    iou_threshold: float | None = None,
) -> tuple[DetectFn, list[str]]:
    """Encoded images (b,) -> detections, and the class names: from ``weights`` if given, else the
    newest detector export under ``models``.

    With ``weights``, None settings are the course's (10 boxes, score 0.3, IoU 0.5). An export's NMS
    settings were fixed when it was made: a stricter ``score_threshold`` or smaller ``max_boxes`` is
    applied to its output; a looser one, or another ``iou_threshold``, is refused (ValueError).
    """
    if weights is not None:
        detector = pretrained_detector(weights, data_dir, 10 if max_boxes is None else max_boxes,
                                       0.3 if score_threshold is None else score_threshold,
                                       0.5 if iou_threshold is None else iou_threshold)
        return detector_function(detector), list(detector.config.class_names)
    if max_boxes is None and score_threshold is None and iou_threshold is None:
        return load_exported_detector(models)
    score_threshold, max_boxes = _export_limits(models, max_boxes, score_threshold, iou_threshold)
    detect, names = load_exported_detector(models)
    return limit_detections(detect, score_threshold, max_boxes), names
