"""The course's text assets: class names (``coco_classes.txt``) and anchors (``yolo_anchors.txt``).

``COCO_CLASSES`` and ``YOLO_ANCHORS`` are the values of the course's ``model_data`` files (the 80
COCO names in YOLOv2's order, Darknet spellings such as "motorbike"; the 5 YOLOv2-COCO anchors in
grid cells), so that the package works when those files are absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tf_course.data.validate import DataError, require_file
from tf_course.detection.head import as_anchors

COCO_CLASSES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorbike", "aeroplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "sofa",
    "pottedplant", "bed", "diningtable", "toilet", "tvmonitor", "laptop", "mouse", "remote", "keyboard",
    "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush",
)

YOLO_ANCHORS: np.ndarray = np.array(
    [[0.57273, 0.677385], [1.87446, 2.06253], [3.33843, 5.47434], [7.88282, 3.52778], [9.77052, 9.16828]]
)  # (5, 2) width, height in cells of the 19x19 grid


def read_classes(classes_path: str | Path) -> list[str]:
    """The course's ``read_classes``: one class name per line (blank lines ignored) -> list of names."""
    path = require_file(Path(classes_path), "class names file")
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not names:
        raise DataError(f"{path}: expected one class name per line, found no names")
    return names


def read_anchors(anchors_path: str | Path) -> np.ndarray:
    """The course's ``read_anchors``: comma-separated floats (one line) -> float64 (A, 2) (width, height)."""
    path = require_file(Path(anchors_path), "anchors file")
    text = path.read_text(encoding="utf-8").replace("\n", ",")
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise DataError(f"{path}: expected comma-separated numbers, found {text[:80]!r}") from exc
    try:
        return as_anchors(values)
    except ValueError as exc:
        raise DataError(f"{path}: {exc}") from exc
