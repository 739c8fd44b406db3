"""Issue 11, item 6: ``tf-course detect`` survives its inputs: a clear message per bad file, the others go on,
exit 2 at the end; no overwritten outputs; 16-bit PNGs; flags that an export cannot honour are refused."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
from PIL import Image

from tf_course import cli
from tf_course.detection import pretrained
from tf_course.detection.assets import YOLO_ANCHORS
from tf_course.detection.keras2_h5 import write_keras2_h5
from tf_course.detection.predict import output_names, read_image
from tf_course.detection.yolov2 import build_yolov2
from tf_course.export.saved_model import MANIFEST


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """A tiny YOLOv2 (80 classes, 5 anchors, 64x64 input) in the course's yolo.h5 layout."""
    return write_keras2_h5(build_yolov2((64, 64, 3), width_divisor=32), tmp_path_factory.mktemp("w") / "yolo.h5")


def _jpeg(path, seed=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (48, 80, 3), dtype=np.uint8)).save(path)
    return path


def test_bad_files_are_reported_each_and_the_others_go_on(weights, tmp_path, capsys):
    good, other = _jpeg(tmp_path / "a" / "x.jpg"), _jpeg(tmp_path / "b" / "x.jpg", seed=1)
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff not really a JPEG")
    bomb = tmp_path / "bomb.png"
    Image.new("1", (15000, 15000)).save(bomb)  # 225 Mpixels: over PIL's decompression-bomb limit
    out = tmp_path / "out"
    code = cli.main(["detect", str(good), str(corrupt), str(bomb), str(other), "--weights", str(weights),
                     "--out", str(out), "--score-threshold", "0", "--max-boxes", "2"])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out.splitlines().count("Found 2 boxes for x.jpg") == 2
    err = captured.err.splitlines()
    assert err[0].startswith(f"tf-course detect: {corrupt}: expected a JPEG/PNG image, found undecodable")
    assert err[1].startswith(f"tf-course detect: {bomb}: expected an image of at most ")
    assert "decompression bomb" in err[1] and err[2] == "tf-course detect: 2 of 4 images failed"
    assert "Traceback" not in captured.err
    missing = tmp_path / "missing.jpg"
    assert cli.main(["detect", str(missing), str(good), "--weights", str(weights), "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"tf-course detect: image: expected a file at {missing}, found nothing there",
        "tf-course detect: 1 of 2 images failed"]
    # a/x.jpg and b/x.jpg: two annotated copies, neither overwritten
    assert sorted(p.name for p in out.iterdir()) == ["x-2.jpg", "x.jpg"]
    assert not np.array_equal(np.asarray(Image.open(out / "x.jpg")), np.asarray(Image.open(out / "x-2.jpg")))


def test_output_names_are_unique_in_input_order():
    assert output_names(["a/x.jpg", "b/x.jpg", "c/y.png", "d/x.jpg"]) == ["x.jpg", "x-2.jpg", "y.png", "x-3.jpg"]
    assert output_names(["a/x-2.jpg", "a/x.jpg", "b/x.jpg"]) == ["x-2.jpg", "x.jpg", "x-3.jpg"]


def test_out_naming_a_file_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    def no_work(**kwargs):
        raise AssertionError("the detector was loaded")

    monkeypatch.setattr(pretrained, "detection_function", no_work)
    taken = tmp_path / "out"
    taken.write_text("a file")
    assert cli.main(["detect", str(_jpeg(tmp_path / "x.jpg")), "--out", str(taken)]) == 2
    assert capsys.readouterr().err == (f"tf-course detect: --out: expected a folder for the annotated images "
                                       f"(existing or new), found a file at {taken}\n")


def test_a_model_of_any_input_size_is_a_clear_error(tmp_path, capsys):
    model = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(5 * 85, 1)])
    model.save(tmp_path / "free.keras")
    assert cli.main(["detect", str(_jpeg(tmp_path / "x.jpg")), "--weights", str(tmp_path / "free.keras"),
                     "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tf-course detect: {tmp_path / 'free.keras'}: expected a model with a fixed input size")
    assert "found input shape (None, None, None, 3)" in err


def test_16_bit_png_keeps_its_grey_levels(tmp_path):
    ramp = np.linspace(0, 65535, 32 * 64).reshape(32, 64).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "g16.png")
    image, data = read_image(tmp_path / "g16.png")
    pixels = np.asarray(image)
    assert image.mode == "RGB" and pixels.shape == (32, 64, 3)
    np.testing.assert_array_equal(pixels[..., 0], np.round(ramp / 257.0).astype(np.uint8))  # not all 255
    assert data == (tmp_path / "g16.png").read_bytes()  # TensorFlow decodes 16-bit PNGs itself


class _FakeExport:
    """Stands for an exported detector: padded detections (1 image, 4 slots, 3 found), scores 0.9, 0.6, 0.35."""

    def __call__(self, images):
        return {"boxes": np.arange(16, dtype=np.float32).reshape(1, 4, 4),
                "scores": np.array([[0.9, 0.6, 0.35, 0.0]], np.float32),
                "classes": np.array([[2, 0, 1, 0]], np.int64),
                "num_detections": np.array([3], np.int32)}


def _export_dir(tmp_path):
    version = tmp_path / "yolo" / "1"
    version.mkdir(parents=True)
    (version / "saved_model.pb").write_bytes(b"")
    detector = {"anchors": YOLO_ANCHORS.tolist(), "class_names": ["car", "bus", "person"], "max_boxes": 4,
                "score_threshold": 0.3, "iou_threshold": 0.5, "per_class": False}
    (version / MANIFEST).write_text(json.dumps({"detector": detector}))
    return tmp_path / "yolo"


def test_limits_without_weights_apply_to_the_exports_output(tmp_path, monkeypatch, capsys):
    models = _export_dir(tmp_path)
    monkeypatch.setattr(pretrained, "load_exported_detector", lambda path: (_FakeExport(), ["car", "bus", "person"]))
    image = _jpeg(tmp_path / "x.jpg")
    assert cli.main(["detect", str(image), "--models", str(models), "--out", str(tmp_path / "o"),
                     "--score-threshold", "0.5"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "Found 2 boxes for x.jpg"
    assert cli.main(["detect", str(image), "--models", str(models), "--out", str(tmp_path / "o"),
                     "--max-boxes", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Found 1 boxes for x.jpg" and lines[1].strip().startswith("person 0.90")


@pytest.mark.parametrize(("flag", "value", "expected"), [
    ("--score-threshold", "0.1", "--score-threshold: expected at least the export's 0.3"),
    ("--max-boxes", "20", "--max-boxes: expected at most the export's 4, found 20"),
    ("--iou-threshold", "0.4", "--iou-threshold: expected the export's 0.5"),
])
def test_limits_an_export_cannot_honour_are_refused(tmp_path, capsys, flag, value, expected):
    models = _export_dir(tmp_path)
    assert cli.main(["detect", str(_jpeg(tmp_path / "x.jpg")), "--models", str(models), flag, value,
                     "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tf-course detect: {expected}") and "use --weights" in err
