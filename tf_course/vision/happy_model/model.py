"""HappyModel (C4W2 Keras tutorial, 4.2.5): the course's architecture and layer names, in Keras 3.

    images (batch, 64, 64, 3) in [0, 1]
    -> ZeroPadding2D (3, 3)                       (batch, 70, 70, 3)
    -> conv0: Conv2D 32 filters 7x7, stride 1     (batch, 64, 64, 32)   4,736 params
    -> bn0: BatchNormalization (channels axis)    (batch, 64, 64, 32)     128 params (64 non-trainable)
    -> ReLU
    -> max_pool: MaxPooling2D (2, 2)              (batch, 32, 32, 32)
    -> Flatten                                    (batch, 32768)
    -> fc: Dense 1, sigmoid                       (batch, 1)           32,769 params

37,633 parameters in all (37,569 trainable, 64 non-trainable: bn0's moving mean and variance).
"""

from __future__ import annotations

import keras
from keras import layers

IMAGE_SHAPE = (64, 64, 3)


def build_happy_model(input_shape: tuple[int, int, int] = IMAGE_SHAPE, name: str = "HappyModel") -> keras.Model:
    """The course's ``HappyModel(input_shape)``: float images (batch, *input_shape) -> P(smiling) (batch, 1).

    Layers the course names keep its names (``conv0``, ``bn0``, ``max_pool``, ``fc``); the others
    are named here (``zero_padding``, ``relu0``, ``flatten``) so that the names are stable.
    Keras' default initialisers (Glorot uniform kernels, zero biases), as in the course.
    """
    X_input = keras.Input(input_shape, name="images")
    X = layers.ZeroPadding2D((3, 3), name="zero_padding")(X_input)  # (batch, 70, 70, 3)
    X = layers.Conv2D(32, (7, 7), strides=(1, 1), name="conv0")(X)  # (batch, 64, 64, 32)
    X = layers.BatchNormalization(axis=3, name="bn0")(X)
    X = layers.Activation("relu", name="relu0")(X)
    X = layers.MaxPooling2D((2, 2), name="max_pool")(X)  # (batch, 32, 32, 32)
    X = layers.Flatten(name="flatten")(X)  # (batch, 32768)
    X = layers.Dense(1, activation="sigmoid", name="fc")(X)  # (batch, 1)
    return keras.Model(inputs=X_input, outputs=X, name=name)


HappyModel = build_happy_model  # the course's name
