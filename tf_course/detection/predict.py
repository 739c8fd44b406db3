"""The course's ``predict`` for image files: detect, print "Found N boxes for ...", save annotated copies.

The detections come from a function of encoded image bytes (b,) -> padded dict (``boxes`` in pixels,
``scores``, ``classes``, ``num_detections``): either an in-memory :class:`Detector` built from weight
files, or the ``serving_default`` signature of an exported detector SavedModel (no retraining).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf
from PIL import Image

from tf_course.data.images import open_image, save_image
from tf_course.data.validate import DataError, require_file
from tf_course.detection.detector import Detector, trim
from tf_course.detection.draw import draw_boxes
from tf_course.export.saved_model import MANIFEST, SIGNATURE

DetectFn = Callable[[tf.Tensor], dict[str, tf.Tensor]]

#: PIL format names of the files ``tf.io.decode_image`` reads (others are detected on a PNG copy)
TF_FORMATS = ("JPEG", "PNG", "BMP", "GIF")


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


def exported_detector_dir(export_dir: str | Path) -> Path:
    """The version directory of a detector export: ``export_dir`` itself or its newest numbered version."""
    path = Path(export_dir)
    if not (path / "saved_model.pb").is_file():
        versions = sorted((p for p in path.glob("*") if p.name.isdigit() and (p / "saved_model.pb").is_file()),
                          key=lambda p: int(p.name))
        if not versions:
            raise FileNotFoundError(f"detector export: expected a SavedModel in {path} or in a numbered version "
                                    f"directory below it, found none (run `tf-course run yolo` first)")
        path = versions[-1]
    return path


def exported_detector_config(export_dir: str | Path) -> dict[str, Any]:
    """The ``detector`` entry of an export's manifest: anchors, class_names, max_boxes, score_threshold, ..."""
    path = exported_detector_dir(export_dir)
    manifest = json.loads(require_file(path / MANIFEST, "detector export manifest").read_text())
    if "detector" not in manifest:
        raise ValueError(f"{path}: expected a detector export (manifest with 'detector'), found {sorted(manifest)}")
    return dict(manifest["detector"])


def load_exported_detector(export_dir: str | Path) -> tuple[DetectFn, list[str]]:
    """An exported detector: ``saved_models/yolo`` (its newest version) or one version directory.

    Returns the ``serving_default`` function (encoded images (b,) -> detections) and the class names
    recorded in the export's manifest.
    """
    path = exported_detector_dir(export_dir)
    config = exported_detector_config(path)
    signature = tf.saved_model.load(str(path)).signatures[SIGNATURE]
    return (lambda images: signature(images=images)), list(config["class_names"])


def detector_function(detector: Detector) -> DetectFn:
    """An in-memory detector's encoded-image path, compiled once."""
    return tf.function(detector.detect_encoded, input_signature=[tf.TensorSpec((None,), tf.string)])


def read_image(path: str | Path) -> tuple[Image.Image, bytes]:
    """An image file as an 8-bit RGB PIL image (to draw on) and the bytes to detect on.

    16-bit images are scaled to 8 bits (PIL's own ``convert("RGB")`` clips them to white); the
    bytes are the file's own, or a PNG of the 8-bit image when TensorFlow cannot decode the file's
    format (TIFF, WebP, ...).

    Raises:
        FileNotFoundError: nothing at ``path``.
        DataError: not a decodable image, or too large for PIL's decompression-bomb limit.
    """
    path = Path(path)
    image_format = None
    try:
        with Image.open(require_file(path, "image")) as probe:
            mode, image_format = probe.mode, probe.format
            if mode.startswith("I;16") or mode == "I":
                pixels = np.asarray(probe, dtype=np.float64)  # (H, W) in [0, 65535]
                image = Image.fromarray(np.clip(np.round(pixels / 257.0), 0, 255).astype(np.uint8)).convert("RGB")
            else:
                image = None
    except Image.DecompressionBombError as exc:
        raise DataError(f"{path}: expected an image of at most {2 * Image.MAX_IMAGE_PIXELS:,} pixels, found a larger "
                        f"one ({exc})") from None
    except (OSError, ValueError, SyntaxError):
        image = None  # open_image below names the problem
    if image is None:
        image = open_image(path)
    data = path.read_bytes()
    if image_format not in TF_FORMATS:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        data = buffer.getvalue()
    return image, data


def output_names(image_files: Sequence[str | Path]) -> list[str]:
    """Names of the annotated copies: the file's name, made unique with ``-2``, ``-3`` ... in input order
    when two inputs share a name (``a/x.jpg b/x.jpg`` -> ``x.jpg``, ``x-2.jpg``)."""
    counts = Counter(Path(f).name for f in image_files)
    used: set[str] = set()
    names = []
    for image_file in image_files:
        path = Path(image_file)
        name, k = path.name, 1
        while counts[path.name] > 1 and name in used:
            k += 1
            name = f"{path.stem}-{k}{path.suffix}"
        used.add(name)
        names.append(name)
    return names


def _detect_one(path: Path, detect: DetectFn, class_names: Sequence[str], annotated_path: Path | None,
                verbose: bool) -> ImageDetections:
    image, data = read_image(path)  # clear error for a missing or undecodable file before TF sees it
    detections = {k: np.asarray(v) for k, v in detect(tf.constant([data])).items()}
    scores, boxes, classes = trim(detections, 0)
    lines = draw_boxes(image, scores, boxes, classes, class_names)
    annotated = save_image(image, annotated_path) if annotated_path is not None else None
    if verbose:
        print(f"Found {len(boxes)} boxes for {path.name}")
        for line in lines:
            print(f"  {line}")
    return ImageDetections(path, scores, boxes, classes, lines, annotated)


def predict(
    image_files: Sequence[str | Path],
    detect: DetectFn,
    class_names: Sequence[str],
    out_dir: str | Path | None = "out",
    verbose: bool = True,
) -> list[ImageDetections]:
    """Detect objects in each image file, print the course's lines, save annotated copies to ``out_dir``.

    Prints, per image, ``Found N boxes for NAME`` then one ``class score (left, top) (right, bottom)``
    line per box (highest score first). Annotated images keep the file name (``out_dir/NAME``; two
    inputs of one name get ``-2``, ... see :func:`output_names`). The first bad file raises.
    """
    return predict_each(image_files, detect, class_names, out_dir, verbose, user_errors=())[0]


def predict_each(
    image_files: Sequence[str | Path],
    detect: DetectFn,
    class_names: Sequence[str],
    out_dir: str | Path | None = "out",
    verbose: bool = True,
    user_errors: tuple[type[BaseException], ...] = (DataError, FileNotFoundError, PermissionError, IsADirectoryError),
) -> tuple[list[ImageDetections], list[tuple[Path, BaseException]]]:
    """:func:`predict`, but a file that fails with one of ``user_errors`` is recorded and the others go on.

    Returns:
        The detections of the files that worked and ``(file, error)`` of those that did not.
    """
    names = output_names(image_files)
    done, failed = [], []
    for image_file, name in zip(image_files, names):
        path = Path(image_file)
        try:
            done.append(_detect_one(path, detect, class_names,
                                    Path(out_dir) / name if out_dir is not None else None, verbose))
        except user_errors as exc:
            failed.append((path, exc))
    return done, failed
