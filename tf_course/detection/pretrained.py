"""Detectors from pretrained weight files or from an export: what ``tf-course detect`` and
``tf-course run yolo --weights`` use.

Anchors and class names come from the weight file when it holds them (Darknet's ``[region]``),
else from the course files (``yolo/model_data/yolo_anchors.txt`` / ``coco_classes.txt`` under the
data directory), else from the built-in copies of those files (:mod:`tf_course.detection.assets`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tf_course.detection.assets import COCO_CLASSES, YOLO_ANCHORS, read_anchors, read_classes
from tf_course.detection.detector import Detector, DetectorConfig
from tf_course.detection.predict import DetectFn, detector_function, load_exported_detector
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


def detection_function(
    weights: Path | None,
    models: Path,
    data_dir: Path | None = None,
    max_boxes: int = 10,
    score_threshold: float = 0.3,
    iou_threshold: float = 0.5,
) -> tuple[DetectFn, list[str]]:
    """Encoded images (b,) -> detections, and the class names: from ``weights`` if given, else the
    newest detector export under ``models`` (whose NMS settings were fixed at export time)."""
    if weights is not None:
        detector = pretrained_detector(weights, data_dir, max_boxes, score_threshold, iou_threshold)
        return detector_function(detector), list(detector.config.class_names)
    return load_exported_detector(models)
