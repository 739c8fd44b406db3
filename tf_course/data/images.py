"""Images in and out of TensorFlow: the course's uint8 -> [0, 1] scaling and ``tf.data`` image pipelines.

The course feeds its models ``X / 255.``; here that scaling is one function, used by the training
input pipeline (:func:`image_dataset`) and by every exported serving function, so that training and
serving can never disagree.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def normalize_images(images: tf.Tensor) -> tf.Tensor:
    """uint8 pixels (..., H, W, C) -> float32 in [0, 1], the course's ``X / 255.``."""
    return tf.cast(images, tf.float32) / 255.0


def image_dataset(
    images: np.ndarray,
    labels: np.ndarray | None,
    batch_size: int,
    shuffle: bool = False,
) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of (images float32 [0, 1] (b, H, W, C), labels (b, ...)) batches.

    ``images`` stay uint8 in memory and are scaled per batch by :func:`normalize_images`, the
    function the serving signature uses. With ``labels=None`` the batches are images only. With
    ``shuffle`` the order changes every epoch; it is drawn from TensorFlow's global seed (set by
    the entry point), never from a seed set here.
    """
    if labels is not None and images.shape[0] != labels.shape[0]:
        raise ValueError(f"image_dataset: {images.shape[0]} images but {labels.shape[0]} labels")
    dataset = tf.data.Dataset.from_tensor_slices(images if labels is None else (images, labels))
    if shuffle:
        dataset = dataset.shuffle(images.shape[0], reshuffle_each_iteration=True)
    scale = normalize_images if labels is None else (lambda x, y: (normalize_images(x), y))
    return dataset.batch(batch_size).map(scale, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
