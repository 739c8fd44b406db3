"""Logistic regression as a Keras 3 functional model trained by full-batch gradient descent.

Same maths as the NumPy version: zero initialisation, sigmoid output, cross-entropy cost,
plain gradient descent on all examples at once (one "epoch" = one course iteration).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tf_course.train import History, Trainer


def build_logistic_regression(n_x: int = 12288, name: str = "logistic_regression") -> keras.Model:
    """Input (batch, n_x) float features -> Dense(1, sigmoid) probability (batch, 1)."""
    features = keras.Input(shape=(n_x,), name="features")
    probability = keras.layers.Dense(
        1, activation="sigmoid", kernel_initializer="zeros", bias_initializer="zeros", name="logistic"
    )(features)
    return keras.Model(features, probability, name=name)


def train_logistic_regression(
    X: np.ndarray,
    Y: np.ndarray,
    num_iterations: int = 2000,
    learning_rate: float = 0.005,
    strategy: tf.distribute.Strategy | None = None,
    checkpoint_dir: str | None = None,
    verbose: bool = True,
) -> tuple[keras.Model, History]:
    """Train the twin on X (m, n_x) and Y (m, 1) with full-batch SGD.

    Returns:
        The model and its history; ``history.history["loss"][i]`` is the cost before update i,
        the course's "cost after iteration i".
    """
    m, n_x = X.shape
    dataset = tf.data.Dataset.from_tensor_slices(
        (X.astype(np.float32), Y.reshape(m, 1).astype(np.float32))
    ).batch(m).cache()
    trainer = Trainer(
        lambda: build_logistic_regression(n_x),
        keras.losses.binary_crossentropy,
        lambda: keras.optimizers.SGD(learning_rate=learning_rate),
        strategy=strategy,
    )
    history = trainer.fit(dataset, num_iterations, checkpoint_dir=checkpoint_dir,
                          checkpoint_every=max(1, num_iterations // 10), verbose=verbose)
    return trainer.model, history


def image_serving_fn(model: keras.Model, output_name: str = "probability"):  # noqa: ANN201
    """A serving function: ``images`` (batch, h, w, 3) uint8 -> ``{output_name: (batch,)}``.

    Pixels are scaled to [0, 1] and flattened in the graph exactly as the course does
    (``X.reshape(m, -1) / 255``, row-major h, w, c).
    """
    n_x = int(model.inputs[0].shape[-1])

    def serve(images: tf.Tensor) -> dict[str, tf.Tensor]:
        x = tf.reshape(tf.cast(images, tf.float32) / 255.0, (-1, n_x))  # (batch, h*w*3)
        return {output_name: tf.reshape(model(x, training=False), (-1,))}  # (batch,)

    return serve
