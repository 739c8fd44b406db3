"""Synthetic stand-ins with the course files' shapes, dtypes and label layout.

They are used when a course file is absent, and the run report labels them ``synthetic``.
They are real (learnable, not trivially separable) tasks, not noise, so that every pipeline
trains and evaluates meaningfully offline. Generation uses its own ``numpy.random.Generator``
and never touches global random state.
"""

from __future__ import annotations

import numpy as np

from tf_course.data.course_h5 import IMAGE_SHAPE, ImageDataset, ImageSplit
from tf_course.data.digits import load_digits_0_5

CAT_CLASSES = np.array([b"non-cat", b"cat"])


def blob_images(labels: np.ndarray, rng: np.random.Generator, confusion: float = 0.12) -> np.ndarray:
    """Images (m, 64, 64, 3) uint8 with a warm blob for label 1 and a cool blob for label 0.

    Each image is a random background colour with a gradient and pixel noise, plus one
    elliptical blob at a random place and size. The blob's hue follows the label except for a
    ``confusion`` fraction of images, whose hue comes from the other class, so a linear model
    cannot reach 100% on held-out images.
    """
    m = labels.shape[0]
    h, w, _ = IMAGE_SHAPE
    rows, cols = np.mgrid[0:h, 0:w].astype(np.float32)  # (h, w) each
    background = rng.uniform(40, 200, size=(m, 1, 1, 3)).astype(np.float32)
    slope = rng.uniform(-0.8, 0.8, size=(m, 1, 1, 1)).astype(np.float32)
    images = background + slope * rows[None, :, :, None]  # (m, h, w, 3)
    cy, cx = rng.uniform(16, 48, size=(2, m, 1, 1)).astype(np.float32)
    ry, rx = rng.uniform(8, 20, size=(2, m, 1, 1)).astype(np.float32)
    inside = ((rows - cy) / ry) ** 2 + ((cols - cx) / rx) ** 2 <= 1.0  # (m, h, w)
    hue = labels.astype(bool) ^ (rng.random(m) < confusion)
    warm = rng.normal([220, 140, 50], 25, size=(m, 3))
    cool = rng.normal([60, 130, 210], 25, size=(m, 3))
    colour = np.where(hue[:, None], warm, cool).astype(np.float32)  # (m, 3)
    images = np.where(inside[..., None], colour[:, None, None, :], images)
    images += rng.normal(0, 18, size=images.shape).astype(np.float32)
    return np.clip(images, 0, 255).astype(np.uint8)


def _split(n: int, n_pos: int, rng: np.random.Generator) -> ImageSplit:
    labels = np.zeros(n, dtype=np.int64)
    labels[rng.choice(n, size=n_pos, replace=False)] = 1
    return ImageSplit(x=blob_images(labels, rng), y=labels, classes=CAT_CLASSES)


def synthetic_cat_dataset(seed: int = 0) -> ImageDataset:
    """Stand-in for the cat / non-cat files: 209 train (72 positive), 50 test (33 positive).

    Same shapes and dtypes as the course: x uint8 (m, 64, 64, 3), y int64 (m,),
    classes ``[b'non-cat', b'cat']``.
    """
    rng = np.random.default_rng(seed)
    return ImageDataset(train=_split(209, 72, rng), test=_split(50, 33, rng), source="synthetic")


def synthetic_football_dataset(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stand-in for ``data.mat``: 2-D points, train (2, 211) / (1, 211), test (2, 200) / (1, 200).

    Like the course's goalkeeper data, the two classes are split by a wavy boundary across a
    field of about [-0.8, 0.5] x [-0.8, 0.8], with label noise near it, so an unregularised
    network can overfit the training set.
    """
    rng = np.random.default_rng(seed)

    def make(m: int) -> tuple[np.ndarray, np.ndarray]:
        X = np.stack([rng.uniform(-0.8, 0.5, m), rng.uniform(-0.8, 0.8, m)])  # (2, m)
        boundary = 0.25 * np.sin(4.0 * X[1]) - 0.15
        margin = X[0] - boundary
        flip = rng.random(m) < 0.12 * np.exp(-np.abs(margin) / 0.1)  # noisy near the boundary
        Y = ((margin > 0) ^ flip).astype(np.uint8).reshape(1, m)
        return X, Y

    train_X, train_Y = make(211)
    test_X, test_Y = make(200)
    return train_X, train_Y, test_X, test_Y


def _split_counts(labels: np.ndarray, per_class_test: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) with ``per_class_test`` test examples of every class, shuffled."""
    test = np.concatenate([rng.choice(np.flatnonzero(labels == c), per_class_test, replace=False)
                           for c in np.unique(labels)])
    train = np.setdiff1d(np.arange(labels.size), test)
    return rng.permutation(train), rng.permutation(test)


def synthetic_signs_dataset(seed: int = 0) -> ImageDataset:
    """Stand-in for SIGNS: scikit-learn's handwritten digits 0-5 as 64x64 RGB images.

    The 1,083 real 8x8 digit scans of classes 0-5 (as SIGNS' 0-5 fingers; bundled in
    :mod:`tf_course.data.digits`, equal to ``sklearn.datasets.load_digits()``'s, so scikit-learn is not
    needed), upsampled to 64x64 with bilinear interpolation, tinted with a random colour on a random
    background with pixel noise; 20 test images per class (120, like ``test_signs.h5``) and the rest for training.
    Shapes and dtypes as the course files: x uint8 (m, 64, 64, 3), y int64 (m,), classes 0..5.
    """
    from scipy.ndimage import zoom

    rng = np.random.default_rng(seed)
    digits, labels = load_digits_0_5()  # (m, 8, 8) float64 0-16, (m,) int64
    ink = digits / 16.0  # (m, 8, 8) in [0, 1]
    ink = np.clip(zoom(ink, (1, 8, 8), order=1), 0.0, 1.0)  # (m, 64, 64)
    m = ink.shape[0]
    background = rng.uniform(20, 120, size=(m, 1, 1, 3))
    colour = rng.uniform(150, 255, size=(m, 1, 1, 3))
    images = background + ink[..., None] * (colour - background) + rng.normal(0, 10, size=(m, 64, 64, 3))
    images = np.clip(images, 0, 255).astype(np.uint8)
    classes = np.arange(6, dtype=np.int64)
    train, test = _split_counts(labels, 20, rng)
    return ImageDataset(
        train=ImageSplit(x=images[train], y=labels[train], classes=classes),
        test=ImageSplit(x=images[test], y=labels[test], classes=classes),
        source="synthetic",
    )


def smiley_images(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Faces (m, 64, 64, 3) uint8: label 1 smiles (mouth curving up), label 0 does not.

    Each face has a random position, size, skin tone and background, two eyes, and a mouth
    drawn as a parabola whose curvature is positive (smile) or zero-to-negative (neutral or
    frown), with pixel noise: the Happy House task in miniature.
    """
    m = labels.shape[0]
    rows, cols = np.mgrid[0:64, 0:64].astype(np.float32)  # (64, 64)
    cy, cx = rng.uniform(26, 38, size=(2, m, 1, 1)).astype(np.float32)
    radius = rng.uniform(17, 24, size=(m, 1, 1)).astype(np.float32)
    background = rng.uniform(0, 255, size=(m, 1, 1, 3)).astype(np.float32)
    skin = rng.normal([225, 185, 150], 20, size=(m, 1, 1, 3)).astype(np.float32)
    face = ((rows - cy) ** 2 + (cols - cx) ** 2) <= radius**2  # (m, 64, 64)
    images = np.where(face[..., None], skin, background)
    eye_dy, eye_dx = 0.3 * radius, 0.35 * radius
    eyes = np.zeros_like(face)
    for side in (-1.0, 1.0):
        eyes |= ((rows - (cy - eye_dy)) ** 2 + (cols - (cx + side * eye_dx)) ** 2) <= (0.1 * radius) ** 2
    curvature = np.where(labels == 1, rng.uniform(0.8, 1.6, m), rng.uniform(-1.2, 0.15, m)).astype(np.float32)
    u = (cols - cx) / (0.45 * radius)  # -1..1 across the mouth
    mouth_y = cy + 0.4 * radius + curvature[:, None, None] * 0.25 * radius * (u**2 - 1) * -1.0
    mouth = (np.abs(u) <= 1.0) & (np.abs(rows - mouth_y) <= 1.2)
    features = (eyes | mouth) & face
    images = np.where(features[..., None], np.float32(40.0), images)
    images += rng.normal(0, 12, size=images.shape).astype(np.float32)
    return np.clip(images, 0, 255).astype(np.uint8)


def synthetic_happy_dataset(seed: int = 0) -> ImageDataset:
    """Stand-in for Happy House: 600 train / 150 test smiling-or-not faces, 64x64 RGB uint8.

    Shapes, dtypes and layout as ``train_happy.h5`` / ``test_happy.h5``; y int64 (m,) in {0, 1}.
    """
    rng = np.random.default_rng(seed)
    classes = np.array([0, 1], dtype=np.int64)

    def split(n: int) -> ImageSplit:
        labels = rng.permutation(np.arange(n) % 2).astype(np.int64)
        return ImageSplit(x=smiley_images(labels, rng), y=labels, classes=classes)

    return ImageDataset(train=split(600), test=split(150), source="synthetic")
