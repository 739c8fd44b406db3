"""Pipeline ``yolo``: a YOLO detector trained (or loaded) -> mAP / detections -> annotated images -> export.

Offline default (no weights): the course's pretrained ``yolo.h5`` is not available, so a small
YOLOv2-style detector (same head and NMS, the YOLOv2 loss, a narrow Darknet-style body) is trained
on generated images of shapes with known boxes (:mod:`tf_course.detection.data`), and its mAP@0.5
is measured on a held-out generated set (report metric ``map50``).

With ``--weights`` (the course's ``yolo.h5``, Darknet ``yolov2.cfg`` + ``yolov2.weights``, or a
``.keras`` re-save) the pretrained 608x608 YOLOv2 runs on the course's dash-cam frames when the
data directory has them (``yolo/images/*.jpg``), printing the course's "Found N boxes" lines.

Both export the detector with the same signatures (:mod:`tf_course.detection.detector`): encoded
images or float images in, ``boxes`` in original-image pixels, ``scores``, ``classes``,
``num_detections`` out. Annotated images go to ``<out>/yolo_detections/``. The report also
recomputes the course's unit values (filter, NMS, ``yolo_eval``, IoU) and the parameter count of
the full YOLOv2 network.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from tf_course.detection.course_values import course_unit_values
from tf_course.detection.data import DetectionDataset, load_detection_splits
from tf_course.detection.detector import Detector, DetectorConfig
from tf_course.detection.predict import detector_function, predict
from tf_course.detection.pretrained import pretrained_detector
from tf_course.detection.targets import TOY_ANCHORS
from tf_course.detection.train import DEFAULT_SETTINGS, QUICK_SETTINGS, evaluate_detector, train_toy_detector
from tf_course.detection.yolov2 import build_yolov2
from tf_course.pipeline import PipelineOutput, RunContext

NAME = "yolo"
DETECTIONS_DIR = "yolo_detections"
DRAWN_IMAGES = 6  # held-out images drawn with their detections
DRAW_SCALE = 4  # drawn at 4x their size (the detector resizes in the graph, boxes come back in these pixels)
SERVING_SCORE_THRESHOLD = 0.3  # the exported toy detector's NMS settings (mAP uses a lower threshold)
SERVING_IOU_THRESHOLD = 0.45


def encode_png(image: np.ndarray, scale: int = 1) -> bytes:
    """uint8 (H, W, 3) -> PNG bytes, enlarged ``scale`` times (nearest neighbour)."""
    pil = Image.fromarray(np.asarray(image, dtype=np.uint8))
    if scale != 1:
        pil = pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()


def write_sample_images(dataset: DetectionDataset, folder: Path, count: int, scale: int = DRAW_SCALE) -> list[Path]:
    """Save the first ``count`` images of ``dataset`` as enlarged PNG files (inputs for ``predict``)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(min(count, len(dataset))):
        path = folder / f"held_out_{i}.png"
        path.write_bytes(encode_png(dataset.images[i], scale))
        paths.append(path)
    return paths


def _run_toy(ctx: RunContext) -> tuple[Detector, dict[str, Any], dict[str, str], DetectionDataset]:
    settings = QUICK_SETTINGS if ctx.quick else DEFAULT_SETTINGS
    train, test = load_detection_splits(ctx.seed, settings.num_train, settings.num_test)
    model, history = train_toy_detector(train, TOY_ANCHORS, settings.epochs, settings.batch_size,
                                        settings.learning_rate, verbose=1 if ctx.verbose else 0,
                                        checkpoint_dir=ctx.checkpoint_dir("toy"))
    evaluation = evaluate_detector(model, test, TOY_ANCHORS, settings.score_threshold, settings.iou_threshold,
                                   settings.max_boxes)
    metrics: dict[str, Any] = {
        "map50": evaluation["map50"],
        **{f"ap50_{name}": value for name, value in evaluation["ap_per_class"].items()},
        "params": int(model.count_params()),
        "epochs": settings.epochs,
        "train_images": len(train),
        "test_images": len(test),
        "epoch_losses": history.history["loss"],
        "train_seconds": history.total_seconds,
    }
    config = DetectorConfig(TOY_ANCHORS, train.class_names, max_boxes=settings.max_boxes,
                            score_threshold=SERVING_SCORE_THRESHOLD, iou_threshold=SERVING_IOU_THRESHOLD,
                            per_class=True)
    return Detector(model, config), metrics, {"shapes": train.source}, test


def run(ctx: RunContext) -> PipelineOutput:
    """Train the toy detector (or load ``ctx.weights``), evaluate, draw detections, export, check the export."""
    draw_dir = ctx.out_dir / DETECTIONS_DIR
    if ctx.weights is not None:
        detector = pretrained_detector(ctx.weights, ctx.data_dir)
        images = sorted((ctx.data_dir / "yolo" / "images").glob("*.jpg")) if ctx.data_dir is not None else []
        metrics: dict[str, Any] = {"params": int(detector.model.count_params())}
        data_source = {"yolo_images": "course" if images else "none"}
    else:
        detector, metrics, data_source, test = _run_toy(ctx)
        images = write_sample_images(test, draw_dir / "inputs", DRAWN_IMAGES)
    found = predict(images, detector_function(detector), detector.config.class_names, draw_dir, verbose=ctx.verbose)
    if ctx.weights is not None:  # the course's "Found N boxes for test.jpg"
        metrics["boxes_found"] = {r.image.name: len(r.boxes) for r in found}
    else:
        metrics["boxes_drawn"] = sum(len(r.boxes) for r in found)
    metrics["yolov2_params"] = int(build_yolov2().count_params())  # the course's 608x608 network, not trained here
    samples = [p.read_bytes() for p in images[:2]]
    if not samples:  # pretrained weights without course images: a grey frame still checks the export
        samples = [encode_png(np.full((*detector.input_size, 3), 128, np.uint8))]
    result = detector.export(NAME, ctx.out_dir, samples, metrics=metrics, data_source=data_source)
    metrics.update(course_unit_values())  # last: it resets TensorFlow's global seed, as the course's tests do
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
