"""The C4W1 SIGNS ConvNet (the 2021 notebook's ``convolutional_model``) as a Keras 3 functional model.

    images (batch, 64, 64, 3) in [0, 1]
    -> Z1: Conv2D 8 filters 4x4, stride 1, 'same'    (batch, 64, 64, 8)    392 params
    -> A1: ReLU
    -> P1: MaxPooling2D 8x8, stride 8, 'same'         (batch, 8, 8, 8)
    -> Z2: Conv2D 16 filters 2x2, stride 1, 'same'   (batch, 8, 8, 16)     528 params
    -> A2: ReLU
    -> P2: MaxPooling2D 4x4, stride 4, 'same'         (batch, 2, 2, 16)
    -> F: Flatten                                     (batch, 64)
    -> outputs: Dense 6, softmax                      (batch, 6)            390 params

1,310 parameters. Layer names are the course's tensor names. Keras' default initialisers
(Glorot uniform kernels, as the TF1 notebook's ``xavier_initializer``; zero biases).
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import layers

from tf_course.data.images import image_dataset
from tf_course.train import History, fit_resumable

IMAGE_SHAPE = (64, 64, 3)
N_CLASSES = 6


def build_signs_convnet(
    input_shape: tuple[int, int, int] = IMAGE_SHAPE, n_classes: int = N_CLASSES, name: str = "signs_convnet"
) -> keras.Model:
    """The course's ``convolutional_model(input_shape)``: float images in [0, 1] -> class probabilities.

    Args:
        input_shape: (height, width, channels) of one image.
        n_classes: units of the softmax output.

    Returns:
        A functional model, input ``images`` (batch, *input_shape), output (batch, n_classes).
    """
    input_img = keras.Input(shape=input_shape, name="images")
    Z1 = layers.Conv2D(8, (4, 4), strides=1, padding="same", name="Z1")(input_img)  # (batch, 64, 64, 8)
    A1 = layers.ReLU(name="A1")(Z1)
    P1 = layers.MaxPooling2D(pool_size=(8, 8), strides=(8, 8), padding="same", name="P1")(A1)  # (batch, 8, 8, 8)
    Z2 = layers.Conv2D(16, (2, 2), strides=1, padding="same", name="Z2")(P1)  # (batch, 8, 8, 16)
    A2 = layers.ReLU(name="A2")(Z2)
    P2 = layers.MaxPooling2D(pool_size=(4, 4), strides=(4, 4), padding="same", name="P2")(A2)  # (batch, 2, 2, 16)
    F = layers.Flatten(name="F")(P2)  # (batch, 64)
    outputs = layers.Dense(n_classes, activation="softmax", name="outputs")(F)  # (batch, n_classes)
    return keras.Model(inputs=input_img, outputs=outputs, name=name)


convolutional_model = build_signs_convnet  # the course's name


def train_signs_convnet(
    images: np.ndarray,
    labels: np.ndarray,
    learning_rate: float,
    epochs: int,
    batch_size: int = 64,
    shuffle: bool = True,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    n_classes: int = N_CLASSES,
    verbose: bool = True,
    checkpoint_dir: Path | None = None,
) -> tuple[keras.Model, History]:
    """Build :func:`build_signs_convnet` and train it with ``model.fit``, Adam and cross-entropy.

    Args:
        images: uint8 (m, 64, 64, 3); scaled to [0, 1] by the ``tf.data`` pipeline.
        labels: integer classes (m,).
        learning_rate: Adam's (the TF1 notebook: 0.009; the 2021 notebook's default ``"adam"``: 0.001).
        epochs: passes over the training set.
        batch_size: mini-batch size.
        shuffle: reshuffle every epoch (TF1: ``random_mini_batches``); the 2021 notebook did not.
        validation: optional uint8 test images and labels, evaluated after every epoch.
        n_classes: units of the softmax output (labels are in ``[0, n_classes)``).
        checkpoint_dir: save after every epoch and resume from there
            (:func:`~tf_course.train.checkpoints.fit_resumable`); None: no checkpoints.

    Returns:
        The trained (compiled) model and its history (``loss``, ``accuracy``, ``val_*``).
    """
    model = build_signs_convnet(images.shape[1:], n_classes=n_classes)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    validation_data = None if validation is None else image_dataset(*validation, batch_size)
    history = fit_resumable(model, image_dataset(images, labels, batch_size, shuffle=shuffle), epochs,
                            checkpoint_dir, validation_data=validation_data, shuffle=False,  # image_dataset shuffles
                            verbose=2 if verbose else 0)
    return model, history


def evaluate_accuracy(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy of a compiled model on uint8 images (m, 64, 64, 3) and integer labels (m,)."""
    return float(model.evaluate(image_dataset(images, labels, 256), verbose=0, return_dict=True)["accuracy"])
