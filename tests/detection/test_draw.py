"""preprocess_image, generate_colors, draw_boxes and save_image on images the tests write."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from tf_course.data.validate import DataError
from tf_course.detection.draw import draw_boxes, generate_colors, preprocess_image, save_image


def _write_image(path, height=30, width=40):
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = (255, 0, 0)  # left half red, right half black
    Image.fromarray(pixels).save(path)
    return path


def test_preprocess_image_resizes_bicubic_and_scales(tmp_path):
    image, data = preprocess_image(_write_image(tmp_path / "a.png"), model_image_size=(16, 24))
    assert image.size == (40, 30) and data.shape == (1, 16, 24, 3) and data.dtype == np.float32
    expected = np.asarray(image.resize((24, 16), Image.BICUBIC), np.float32) / 255.0
    np.testing.assert_array_equal(data[0], expected)
    assert data[0, 8, 0, 0] == 1.0 and data[0, 8, -1, 0] == 0.0  # red on the left, black on the right


@pytest.mark.course_data
def test_preprocess_course_frame(course_file):
    image, data = preprocess_image(course_file("yolo/images/test.jpg"))
    assert image.size == (1280, 720) and data.shape == (1, 608, 608, 3)
    assert 0.0 <= data.min() and data.max() <= 1.0


def test_missing_and_corrupt_images_fail_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="image: expected a file"):
        preprocess_image(tmp_path / "none.jpg")
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(DataError, match="bad.jpg: expected a JPEG/PNG image"):
        preprocess_image(tmp_path / "bad.jpg")


def test_generate_colors_is_fixed_and_leaves_global_random_alone():
    random.seed(123)
    before = random.random()
    random.seed(123)
    colors = generate_colors(["a", "b", "c", "d"])
    assert random.random() == before  # the course seeds the global generator; this must not
    assert sorted(colors) == sorted([(255, 0, 0), (127, 255, 0), (0, 255, 255), (127, 0, 255)])  # hues 0, .25, .5, .75
    assert colors == generate_colors(["a", "b", "c", "d"])


def test_draw_boxes_prints_course_lines_rounds_clips_and_draws(tmp_path):
    image = Image.new("RGB", (100, 60))
    boxes = np.array([[10.4, 20.6, 50.5, 70.49], [-5.0, 90.0, 70.0, 130.0]])  # [top, left, bottom, right]
    lines = draw_boxes(image, np.array([0.891, 0.5]), boxes, np.array([1, 0]), ["bus", "car"],
                       colors=[(255, 0, 0), (0, 255, 0)])
    # floor(x + 0.5): top 10, left 21, bottom 51, right 70; the second is clipped to the 100x60 image
    assert lines == ["car 0.89 (21, 10) (70, 51)", "bus 0.50 (90, 0) (100, 60)"]
    pixels = np.asarray(image)
    assert tuple(pixels[30, 21]) == (0, 255, 0)  # left edge of the car box in the car colour
    assert tuple(pixels[30, 45]) == (0, 0, 0)  # inside stays untouched
    with pytest.raises(DataError, match=r"class ids in \[0, 2\), found \[7\]"):
        draw_boxes(image, np.array([0.5]), np.zeros((1, 4)), np.array([7]), ["bus", "car"])
    with pytest.raises(DataError, match="as many scores, boxes and classes"):
        draw_boxes(image, np.array([0.5, 0.4]), np.zeros((1, 4)), np.array([0]), ["bus", "car"])


def test_draw_nothing_and_save_atomically(tmp_path):
    image = Image.new("RGB", (8, 8), (1, 2, 3))
    assert draw_boxes(image, np.zeros(0), np.zeros((0, 4)), np.zeros(0, int), ["a"]) == []
    path = save_image(image, tmp_path / "out" / "x.jpg")
    assert Image.open(path).format == "JPEG" and sorted(p.name for p in path.parent.iterdir()) == ["x.jpg"]
