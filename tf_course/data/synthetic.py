"""Synthetic stand-ins with the course files' shapes, dtypes and label layout.

They are used when a course file is absent, and the run report labels them ``synthetic``.
They are real (learnable, not trivially separable) tasks, not noise, so that every pipeline
trains and evaluates meaningfully offline. Generation uses its own ``numpy.random.Generator``
and never touches global random state.
"""

from __future__ import annotations

import numpy as np

from tf_course.data.course_h5 import IMAGE_SHAPE, ImageDataset, ImageSplit

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
