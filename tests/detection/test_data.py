"""The generated detection data set: determinism, tight boxes, overlap rules, validation."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.detection.boxes import iou_matrix_np
from tf_course.detection.data import (
    CLASS_NAMES,
    MAX_BOX_IOU,
    MIN_VISIBLE,
    DetectionDataset,
    generate_detection_dataset,
    load_detection_splits,
    render_scene,
)


@pytest.fixture(scope="module")
def small() -> DetectionDataset:
    return generate_detection_dataset(40, seed=3)


def test_shapes_dtypes_and_padding(small):
    assert small.images.shape == (40, 96, 96, 3) and small.images.dtype == np.uint8
    assert small.boxes.shape == (40, 4, 4) and small.boxes.dtype == np.float32
    assert small.classes.shape == (40, 4) and small.classes.dtype == np.int32
    assert small.class_names == CLASS_NAMES == ("circle", "square", "triangle", "car")
    assert small.source == "generated" and len(small) == 40 and small.num_classes == 4
    counts = np.sum(small.classes >= 0, axis=1)
    assert counts.min() >= 1 and counts.max() <= 4 and counts.max() > counts.min()
    # real rows come first, padding rows are class -1 with zero boxes
    for row_classes, row_boxes, n in zip(small.classes, small.boxes, counts):
        assert np.all(row_classes[:n] >= 0) and np.all(row_classes[n:] == -1)
        np.testing.assert_array_equal(row_boxes[n:], 0.0)
    assert set(np.unique(small.classes[small.classes >= 0])) == {0, 1, 2, 3}


def test_same_seed_same_data_other_seed_other_data(small):
    again = generate_detection_dataset(40, seed=3)
    np.testing.assert_array_equal(again.images, small.images)
    np.testing.assert_array_equal(again.boxes, small.boxes)
    np.testing.assert_array_equal(again.classes, small.classes)
    other = generate_detection_dataset(40, seed=4)
    assert not np.array_equal(other.images, small.images)


def test_generation_leaves_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.rand(3)
    np.random.seed(123)
    generate_detection_dataset(2, seed=0)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_boxes_are_tight_around_the_drawn_pixels():
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(25):
        scene = render_scene(rng)
        size = scene.image.shape[0]
        for box, mask in zip(scene.boxes, scene.masks):
            rows, cols = np.nonzero(mask)
            y_min, x_min, y_max, x_max = np.rint(box * size).astype(int)  # pixel edges
            np.testing.assert_allclose(box * size, [y_min, x_min, y_max, x_max], atol=1e-4)
            # every pixel inside, and the pixels touch all four sides (first/last row and column)
            assert rows.min() == y_min and rows.max() == y_max - 1
            assert cols.min() == x_min and cols.max() == x_max - 1
            checked += 1
    assert checked > 40


def test_visible_pixels_show_the_object_and_overlap_rules_hold():
    rng = np.random.default_rng(11)
    for _ in range(25):
        scene = render_scene(rng)
        n = len(scene.classes)
        for i in range(n):
            visible = scene.masks[i] & ~np.any(scene.masks[i + 1:], axis=0)  # later objects are drawn on top
            assert visible.sum() >= MIN_VISIBLE * scene.masks[i].sum()
            if scene.classes[i] != CLASS_NAMES.index("car"):  # a car's wheels are another colour
                colour = scene.image[visible].astype(float).mean(axis=0)
                # pixel noise has standard deviation <= 10 and averages out over the object
                np.testing.assert_allclose(colour, scene.colours[i], atol=6.0)
        if n > 1:
            ious = iou_matrix_np(scene.boxes, scene.boxes)[~np.eye(n, dtype=bool)]
            assert ious.max() <= MAX_BOX_IOU + 1e-6


def test_splits_have_a_fixed_held_out_set():
    train_a, test_a = load_detection_splits(seed=0, num_train=6, num_test=5)
    train_b, test_b = load_detection_splits(seed=1, num_train=6, num_test=5)
    np.testing.assert_array_equal(test_a.images, test_b.images)
    assert not np.array_equal(train_a.images, train_b.images)
    assert not any(np.array_equal(a, b) for a in train_a.images for b in test_a.images)
    # a smaller held-out set (the quick setting's) is the start of a larger one
    _, test_c = load_detection_splits(seed=0, num_train=1, num_test=3)
    np.testing.assert_array_equal(test_c.images, test_a.images[:3])


def test_subset_and_image_size(small):
    part = small.subset(slice(2, 5))
    assert len(part) == 3 and part.image_size == (96, 96)
    np.testing.assert_array_equal(part.boxes, small.boxes[2:5])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_images": 0}, "num_images: expected an integer >= 1, found 0"),
        ({"num_images": 2.5}, "num_images: expected an integer >= 1, found 2.5"),
        ({"num_images": 2, "image_size": 16}, "image_size: expected an integer >= 32, found 16"),
        ({"num_images": 2, "max_objects": 0}, "max_objects: expected an integer >= 1, found 0"),
        ({"num_images": 2, "seed": -1}, "seed: expected a non-negative integer, found -1"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        generate_detection_dataset(**kwargs)


def test_scene_with_a_subset_of_classes():
    scene = render_scene(np.random.default_rng(0), image_size=64, max_objects=3, class_names=("car",))
    assert scene.image.shape == (64, 64, 3) and set(scene.classes.tolist()) == {0}
    with pytest.raises(ValueError, match=r"class_names: expected names among .*found \('dog',\)"):
        render_scene(np.random.default_rng(0), class_names=("dog",))


def test_dataset_validation():
    images = np.zeros((2, 8, 8, 3), np.uint8)
    boxes = np.array([[[0.1, 0.1, 0.5, 0.5]], [[0.0, 0.0, 0.0, 0.0]]], np.float32)
    classes = np.array([[0], [-1]], np.int32)
    DetectionDataset(images, boxes, classes, ("a",))  # valid
    with pytest.raises(ValueError, match=r"images: expected dtype uint8, found uint16"):
        DetectionDataset(images.astype(np.uint16), boxes, classes, ("a",))
    with pytest.raises(ValueError, match=r"boxes: expected shape \(2, any, 4\), found \(1, 1, 4\)"):
        DetectionDataset(images, boxes[:1], classes, ("a",))
    with pytest.raises(ValueError, match=r"boxes: expected finite values, found 2 NaN"):
        DetectionDataset(images, np.where(boxes == 0.5, np.nan, boxes).astype(np.float32), classes, ("a",))
    with pytest.raises(ValueError, match=r"classes: expected -1 \(padding\) or 0\.\.0, found values from -1 to 1"):
        DetectionDataset(images, boxes, np.array([[1], [-1]], np.int32), ("a",))
    with pytest.raises(ValueError, match=r"y_min < y_max"):
        DetectionDataset(images, boxes[:, :, [2, 1, 0, 3]], classes, ("a",))
