"""The course's ``predict`` for image files: detect, print "Found N boxes for ...", save annotated copies.

The detections come from a function of encoded image bytes (b,) -> padded dict (``boxes`` in pixels,
``scores``, ``classes``, ``num_detections``): either an in-memory :class:`Detector` built from weight
files, or the ``serving_default`` signature of an exported detector SavedModel (no retraining).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from tf_course.data.images import open_image, save_image
from tf_course.data.validate import require_file
from tf_course.detection.detector import Detector, trim
from tf_course.detection.draw import draw_boxes
from tf_course.export.saved_model import MANIFEST, SIGNATURE

DetectFn = Callable[[tf.Tensor], dict[str, tf.Tensor]]


@dataclass(frozen=True)
class ImageDetections:
    """One image's detections: scores (n,), boxes (n, 4) [top, left, bottom, right] pixels, classes (n,),
    the course's printed lines, and where the annotated copy was saved (None if not saved)."""

    image: Path
    scores: np.ndarray
    boxes: np.ndarray
    classes: np.ndarray
    lines: list[str]
    annotated: Path | None


def load_exported_detector(export_dir: str | Path) -> tuple[DetectFn, list[str]]:
    """An exported detector: ``saved_models/yolo`` (its newest version) or one version directory.

    Returns the ``serving_default`` function (encoded images (b,) -> detections) and the class names
    recorded in the export's manifest.
    """
    path = Path(export_dir)
    if not (path / "saved_model.pb").is_file():
        versions = sorted((p for p in path.glob("*") if p.name.isdigit() and (p / "saved_model.pb").is_file()),
                          key=lambda p: int(p.name))
        if not versions:
            raise FileNotFoundError(f"detector export: expected a SavedModel in {path} or in a numbered version "
                                    f"directory below it, found none (run `tf-course run yolo` first)")
        path = versions[-1]
    manifest = json.loads(require_file(path / MANIFEST, "detector export manifest").read_text())
    if "detector" not in manifest:
        raise ValueError(f"{path}: expected a detector export (manifest with 'detector'), found {sorted(manifest)}")
    signature = tf.saved_model.load(str(path)).signatures[SIGNATURE]
    return (lambda images: signature(images=images)), list(manifest["detector"]["class_names"])


def detector_function(detector: Detector) -> DetectFn:
    """An in-memory detector's encoded-image path, compiled once."""
    return tf.function(detector.detect_encoded, input_signature=[tf.TensorSpec((None,), tf.string)])


def predict(
    image_files: Sequence[str | Path],
    detect: DetectFn,
    class_names: Sequence[str],
    out_dir: str | Path | None = "out",
    verbose: bool = True,
) -> list[ImageDetections]:
    """Detect objects in each image file, print the course's lines, save annotated copies to ``out_dir``.

    Prints, per image, ``Found N boxes for NAME`` then one ``class score (left, top) (right, bottom)``
    line per box (highest score first). Annotated images keep the file name (``out_dir/NAME``).
    """
    results = []
    for image_file in image_files:
        path = Path(image_file)
        image = open_image(path)  # clear error for a missing or undecodable file before TF sees it
        detections = {k: np.asarray(v) for k, v in detect(tf.constant([path.read_bytes()])).items()}
        scores, boxes, classes = trim(detections, 0)
        lines = draw_boxes(image, scores, boxes, classes, class_names)
        annotated = save_image(image, Path(out_dir) / path.name) if out_dir is not None else None
        if verbose:
            print(f"Found {len(boxes)} boxes for {path.name}")
            for line in lines:
                print(f"  {line}")
        results.append(ImageDetections(path, scores, boxes, classes, lines, annotated))
    return results
