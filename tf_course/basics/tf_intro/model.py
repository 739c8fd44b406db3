"""The SIGNS classifier of C2W3 as a Keras 3 functional model, trained by a ``tf.function`` loop.

LINEAR(25) -> RELU -> LINEAR(12) -> RELU -> LINEAR(6) -> SOFTMAX on flattened 64x64x3 images,
Glorot (Xavier) uniform weights and zero biases as the TF1 notebook's ``xavier_initializer``,
Adam with learning rate 0.0001 on mini-batches of 32 reshuffled every epoch (the course's
``random_mini_batches``, here a ``tf.data`` pipeline), softmax cross-entropy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tf_course.basics.mlp import build_mlp
from tf_course.data.images import image_dataset
from tf_course.export.serving import OUTPUT_NAME, flatten_uint8_images
from tf_course.train import History, Trainer
from tf_course.train.loop import CALLS_PER_RUN

from .ops import LAYER_DIMS


def build_tf_intro_model(n_x: int = LAYER_DIMS[0], name: str = "tf_intro") -> keras.Model:
    """Input ``features`` (batch, n_x) -> Dense ``layer_1`` (25, relu) -> ``layer_2`` (12, relu)
    -> ``layer_3`` (6, softmax): class probabilities (batch, 6). 307,615 parameters for n_x 12288."""
    return build_mlp([n_x, *LAYER_DIMS[1:]], hidden_activation="relu", output_activation="softmax", name=name)


def train_tf_intro(
    images: np.ndarray,
    labels: np.ndarray,
    num_epochs: int = 1500,
    minibatch_size: int = 32,
    learning_rate: float = 0.0001,
    verbose: bool = True,
    checkpoint_dir: Path | None = None,
) -> tuple[keras.Model, History]:
    """Train :func:`build_tf_intro_model` on uint8 images (m, 64, 64, 3) and integer labels (m,).

    The ``tf.data`` pipeline keeps the pixels uint8, reshuffles every epoch (like the course's
    ``random_mini_batches``: ``floor(m / 32)`` full batches and a last smaller one) and scales
    each batch to [0, 1]; the shuffling follows TensorFlow's global seed.

    ``checkpoint_dir``: save every ``num_epochs / 50`` epochs there and resume from it (None: no checkpoints).

    Returns:
        The model and its :class:`History`; ``history.history["loss"][e]`` is the mean
        cross-entropy over the examples of epoch ``e`` (the course printed the sum of the
        mini-batch means divided by 32, about ``ceil(m / 32) / 32`` times this).
    """
    m = images.shape[0]
    flat = np.asarray(images).reshape(m, -1)  # (m, 64, 64, 3) -> (m, 12288), the course's flattening order
    trainer = Trainer(
        lambda: build_tf_intro_model(flat.shape[1]),
        keras.losses.sparse_categorical_crossentropy,
        lambda: keras.optimizers.Adam(learning_rate=learning_rate),
    )
    dataset = image_dataset(flat, np.asarray(labels, np.int64), minibatch_size, shuffle=True)
    history = trainer.fit(dataset, num_epochs, verbose=verbose, checkpoint_dir=checkpoint_dir,
                          checkpoint_every=max(1, math.ceil(num_epochs / CALLS_PER_RUN)))
    return trainer.model, history


def serving_fn(model: keras.Model) -> Callable[[tf.Tensor], dict[str, tf.Tensor]]:
    """uint8 ``images`` (batch, 64, 64, 3) -> flattened and scaled in the graph -> model ->
    ``{"probabilities": (batch, 6)}``. Export with a ``tf.TensorSpec((None, 64, 64, 3), tf.uint8)``."""

    def serve(images: tf.Tensor) -> dict[str, tf.Tensor]:
        return {OUTPUT_NAME: model(flatten_uint8_images(images), training=False)}

    return serve


def categorical_accuracy(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of uint8 images (m, 64, 64, 3) whose most probable class is ``labels`` (m,)."""
    probabilities = serving_fn(model)(tf.constant(images))[OUTPUT_NAME].numpy()  # (m, 6)
    return float(np.mean(np.argmax(probabilities, axis=-1) == np.asarray(labels).reshape(-1)))
