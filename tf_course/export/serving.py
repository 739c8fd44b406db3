"""Image classifiers in and out of the graph: the same uint8 -> [0, 1] scaling for training and serving.

The course feeds its models ``X / 255.``; here that scaling happens inside TensorFlow, once for the
``tf.data`` training pipeline (:func:`image_dataset`) and once inside the exported serving
function (:func:`image_classifier_serving_fn`), so that a server sends raw uint8 pixels and gets
the probabilities of every class back:

    images uint8 (batch, H, W, C) -> / 255 -> model -> probabilities float32 (batch, n_classes)

A one-unit sigmoid model (a binary classifier such as HappyModel) returns ``p`` (batch, 1); its
served ``probabilities`` are ``[1 - p, p]`` (batch, 2), the same layout as a softmax model's.

A one-unit classifier can also be served as one probability per example
(:func:`probability_serving_fn`, ``(batch,)``), optionally behind the course's flattening of uint8
images (:func:`flatten_uint8_images`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.data.images import normalize_images
from tf_course.export.saved_model import SIGNATURE, ExportResult, Signature, export_and_check

INPUT_NAME = "images"
OUTPUT_NAME = "probabilities"


def class_probabilities(outputs: tf.Tensor) -> tf.Tensor:
    """A classifier's output (batch, n) -> probabilities of all classes (batch, max(n, 2)).

    A softmax output (n >= 2) is returned as it is; a sigmoid output ``p`` (batch, 1) becomes
    ``[1 - p, p]`` (batch, 2), so that column ``k`` is always P(class k).
    """
    if outputs.shape[-1] == 1:
        return tf.concat([1.0 - outputs, outputs], axis=-1)  # (batch, 1) -> (batch, 2)
    return outputs


def image_classifier_serving_fn(
    model: keras.Model, output_name: str = OUTPUT_NAME
) -> Callable[[tf.Tensor], dict[str, tf.Tensor]]:
    """A serving function: uint8 images (batch, H, W, C) -> ``{output_name: (batch, n_classes)}``.

    The scaling to [0, 1] runs in the graph; the model runs in inference mode (BatchNorm uses its
    moving statistics). Export it with ``tf.TensorSpec((None, H, W, C), tf.uint8, name="images")``.
    """

    def serve(images: tf.Tensor) -> dict[str, tf.Tensor]:
        return {output_name: class_probabilities(model(normalize_images(images), training=False))}

    return serve


def flatten_uint8_images(images: tf.Tensor) -> tf.Tensor:
    """(batch, h, w, c) uint8 -> (batch, h*w*c) float32 in [0, 1], the course's flattening of ``X / 255.``."""
    shape = tf.shape(images)
    return tf.reshape(normalize_images(images), (shape[0], -1))  # (batch, h, w, c) -> (batch, h*w*c)


def probability_serving_fn(
    model: keras.Model,
    output_name: str = "probability",
    preprocess: Callable[[tf.Tensor], tf.Tensor] | None = None,
) -> Callable[[tf.Tensor], dict[str, tf.Tensor]]:
    """A serving function: input -> ``{output_name: (batch,)}`` for a one-unit classifier.

    ``preprocess`` runs in the graph first (e.g. :func:`flatten_uint8_images`). The signature's
    input name is the ``name`` of the ``tf.TensorSpec`` it is exported with.
    """

    def serve(inputs: tf.Tensor) -> dict[str, tf.Tensor]:
        x = preprocess(inputs) if preprocess is not None else inputs
        return {output_name: tf.reshape(model(x, training=False), (-1,))}  # (batch, 1) -> (batch,)

    return serve


def export_image_classifier(
    name: str,
    model: keras.Model,
    out_dir: str | Path,
    sample: np.ndarray,
    *,
    metrics: dict[str, Any] | None = None,
    data_source: dict[str, str] | None = None,
    output_name: str = OUTPUT_NAME,
) -> ExportResult:
    """Export ``model`` behind :func:`image_classifier_serving_fn` and check the reloaded export.

    Args:
        name: assignment name; the SavedModel goes to ``out_dir/name/<version>/``.
        model: a Keras classifier taking float images in [0, 1] of shape (batch, *sample.shape[1:]).
        sample: a few uint8 images (k, H, W, C), run through the export in a separate process.
        output_name: the signature's output name.

    Returns:
        Where the export landed (``.path``) and its manifest.
    """
    sample = np.asarray(sample)
    if sample.ndim != 4 or sample.dtype != np.uint8:
        raise ValueError(f"export_image_classifier: expected a uint8 sample (k, H, W, C), found {sample.dtype} "
                         f"{sample.shape}")
    signature = Signature(image_classifier_serving_fn(model, output_name),
                          [tf.TensorSpec((None, *sample.shape[1:]), tf.uint8, name=INPUT_NAME)], {INPUT_NAME: sample})
    return export_and_check(name, {SIGNATURE: signature}, [model], out_dir, metrics=metrics, data_source=data_source)
