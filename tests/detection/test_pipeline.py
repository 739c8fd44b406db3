"""The ``yolo`` pipeline: the offline toy run (shortened) and the pretrained-weights path on a tiny yolo.h5."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from tf_course import registry
from tf_course.cli import main
from tf_course.detection import pipeline
from tf_course.detection.assets import YOLO_ANCHORS
from tf_course.detection.keras2_h5 import write_keras2_h5
from tf_course.detection.yolov2 import build_yolov2
from tf_course.pipeline import RunContext

PRETRAINED_ONLY = {"boxes_found"}  # the course's "Found 10 boxes for test.jpg" needs the real weights


def test_toy_run_reports_the_registry_keys_draws_and_exports(tmp_path, monkeypatch):
    tiny = dataclasses.replace(pipeline.QUICK_SETTINGS, num_train=48, num_test=16, epochs=1)
    monkeypatch.setattr(pipeline, "QUICK_SETTINGS", tiny)
    out = pipeline.run(RunContext(data_dir=None, out_dir=tmp_path, quick=True, verbose=False))
    reference = registry.get("yolo").reference
    assert set(reference) - PRETRAINED_ONLY <= set(out.metrics)
    assert 0.0 <= out.metrics["map50"] <= 1.0 and out.metrics["test_images"] == 16
    for key in ("filter_score_2", "nms_score_2", "eval_score_2", "iou"):
        assert out.metrics[key] == pytest.approx(reference[key], rel=1e-5)
    assert out.metrics["yolov2_params"] == 50_983_561
    assert out.data_source == {"shapes": "generated"}
    assert out.exports == [str(tmp_path / "yolo" / "1")]
    drawn = sorted((tmp_path / pipeline.DETECTIONS_DIR).glob("held_out_*.png"))
    assert len(drawn) == pipeline.DRAWN_IMAGES and Image.open(drawn[0]).size == (96 * 4, 96 * 4)


@pytest.fixture(scope="module")
def tiny_course_files(tmp_path_factory):
    """A tiny YOLOv2 in the course's Keras 2 ``yolo.h5`` layout (80 classes, 5 anchors, 64x64 input) and a
    course-like data folder with one dash-cam-sized frame."""
    root = tmp_path_factory.mktemp("course")
    model = build_yolov2((64, 64, 3), width_divisor=32)
    weights = write_keras2_h5(model, root / "yolo.h5")
    images = root / "yolo" / "images"
    images.mkdir(parents=True)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (72, 128, 3), dtype=np.uint8)).save(images / "test.jpg")
    anchors = root / "yolo" / "model_data" / "yolo_anchors.txt"
    anchors.parent.mkdir(parents=True)
    anchors.write_text(", ".join(str(v) for v in YOLO_ANCHORS.ravel()))
    return root, weights


def test_pretrained_run_detects_on_course_frames_and_exports(tiny_course_files, tmp_path):
    root, weights = tiny_course_files
    out = pipeline.run(RunContext(data_dir=root, out_dir=tmp_path, quick=True, verbose=False, weights=weights))
    assert out.data_source == {"yolo_images": "course"}
    assert list(out.metrics["boxes_found"]) == ["test.jpg"] and 0 <= out.metrics["boxes_found"]["test.jpg"] <= 10
    assert out.metrics["params"] == build_yolov2((64, 64, 3), width_divisor=32).count_params()
    assert (tmp_path / pipeline.DETECTIONS_DIR / "test.jpg").is_file()
    assert (tmp_path / "yolo" / "1" / "saved_model.pb").is_file()


def test_cli_detect_with_weights_and_bad_weights(tiny_course_files, tmp_path, capsys):
    root, weights = tiny_course_files
    image = root / "yolo" / "images" / "test.jpg"
    assert main(["detect", str(image), "--weights", str(weights), "--out", str(tmp_path), "--score-threshold",
                 "0.0", "--max-boxes", "3"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Found 3 boxes for test.jpg"  # threshold 0: the 3 best boxes of 2x2x5 always pass
    assert len(printed) == 1 + 3 + 1 and (tmp_path / "test.jpg").is_file()
    corrupt = tmp_path / "corrupt.h5"
    corrupt.write_bytes(b"not an HDF5 file")
    assert main(["detect", str(image), "--weights", str(corrupt)]) == 2
    assert "corrupt.h5" in capsys.readouterr().err


def test_run_weights_flag_needs_one_assignment(tmp_path, capsys):
    assert main(["run", "--weights", str(tmp_path / "yolo.h5")]) == 2
    assert "--weights needs exactly one assignment" in capsys.readouterr().err
    assert main(["run", "happy_model", "--weights", str(tmp_path / "yolo.h5")]) == 2
    assert "happy_model does not use pretrained weights (only: yolo, " in capsys.readouterr().err
