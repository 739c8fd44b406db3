"""ResNet50 (C4W2, 4.2.6): the course's identity and convolutional blocks and ResNet50, in Keras 3.

Blocks (``X`` (m, n_H, n_W, n_C) in, ``F1, F2, F3 = filters``; BatchNorm on the channels axis):

    identity_block        X -> Conv F1 1x1 valid -> BN -> ReLU -> Conv F2 fxf same -> BN -> ReLU
                            -> Conv F3 1x1 valid -> BN -> Add(X) -> ReLU             (m, n_H, n_W, F3)
    convolutional_block   X -> Conv F1 1x1 stride s valid -> BN -> ReLU -> Conv F2 fxf same -> BN
                            -> ReLU -> Conv F3 1x1 valid -> BN -> Add(shortcut) -> ReLU
                          shortcut: X -> Conv F3 1x1 stride s valid -> BN   (m, ceil(n_H/s), ceil(n_W/s), F3)

Layer names follow the course: ``res{stage}{block}_branch2a|2b|2c`` and ``res{stage}{block}_branch1``
(shortcut) for the convolutions, ``bn{stage}{block}_branch...`` for their BatchNorms; the layers the
course leaves unnamed get stable names here (``res2a_branch2a_relu``, ``res2a_add``, ``res2a_relu``).

Initialisers follow the 2024 notebook: every convolution gets a fresh ``initializer(seed=0)``,
``RandomUniform`` (Keras default range +-0.05) in identity blocks and ``GlorotUniform`` in
convolutional blocks, the stem and the classifier.

``training`` is passed to every BatchNorm call. The course defaults it to True, which in its
functional ResNet50 freezes BatchNorm in training mode (batch statistics even at test time);
here the default is None, so the model's own mode decides (moving statistics in ``evaluate`` and
serving). Pass ``training=True`` / ``False`` to reproduce the course's block outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import keras
import numpy as np
import tensorflow as tf
from keras import layers

IMAGE_SHAPE = (64, 64, 3)
Initializer = Callable[..., keras.initializers.Initializer]
# a symbolic tensor (building a model) or a concrete one (running a block eagerly, as the course's tests do)
Tensor: TypeAlias = keras.KerasTensor | tf.Tensor | np.ndarray
# (stage, filters, stride of the convolutional block, number of identity blocks)
STAGES = ((2, (64, 64, 256), 1, 2), (3, (128, 128, 512), 2, 3), (4, (256, 256, 1024), 2, 5),
          (5, (512, 512, 2048), 2, 2))


def _conv_bn(
    X: Tensor, filters: int, kernel_size: int, strides: int, padding: str, name: str, bn_name: str,
    initializer: Initializer, training: bool | None,
) -> Tensor:
    """Conv2D (``name``, ``initializer(seed=0)``) then BatchNormalization on the channels axis (``bn_name``)."""
    X = layers.Conv2D(filters, (kernel_size, kernel_size), strides=(strides, strides), padding=padding,
                      kernel_initializer=initializer(seed=0), name=name)(X)
    return layers.BatchNormalization(axis=3, name=bn_name)(X, training=training)


def _main_path(
    X: Tensor, f: int, filters: Sequence[int], s: int, names: tuple[str, str], initializer: Initializer,
    training: bool | None,
) -> Tensor:
    """The three CONV -> BN (-> ReLU) components shared by both blocks; the first has stride ``s``."""
    conv_name_base, bn_name_base = names
    F1, F2, F3 = filters
    X = _conv_bn(X, F1, 1, s, "valid", conv_name_base + "2a", bn_name_base + "2a", initializer, training)
    X = layers.Activation("relu", name=conv_name_base + "2a_relu")(X)
    X = _conv_bn(X, F2, f, 1, "same", conv_name_base + "2b", bn_name_base + "2b", initializer, training)
    X = layers.Activation("relu", name=conv_name_base + "2b_relu")(X)
    return _conv_bn(X, F3, 1, 1, "valid", conv_name_base + "2c", bn_name_base + "2c", initializer, training)


def _names(stage: int | str, block: str) -> tuple[str, str]:
    return f"res{stage}{block}_branch", f"bn{stage}{block}_branch"


def _merge(X: Tensor, X_shortcut: Tensor, stage: int | str, block: str) -> Tensor:
    """Final step: add the shortcut to the main path, then ReLU."""
    X = layers.Add(name=f"res{stage}{block}_add")([X, X_shortcut])  # the course's order (fixes model.layers order)
    return layers.Activation("relu", name=f"res{stage}{block}_relu")(X)


def identity_block(
    X: Tensor,
    f: int,
    filters: Sequence[int],
    training: bool | None = None,
    initializer: Initializer = keras.initializers.RandomUniform,
    *,
    stage: int | str = 2,
    block: str = "a",
) -> Tensor:
    """The course's identity block: input and output have the same shape (m, n_H, n_W, n_C).

    Args:
        X: input (m, n_H, n_W, n_C), a Keras tensor or an array (then the block runs eagerly,
            as in the course's tests); ``n_C`` must equal ``filters[2]``.
        f: size of the middle convolution's window.
        filters: ``[F1, F2, F3]``, the numbers of filters of the three convolutions.
        training: passed to the BatchNorm calls (None: the model's mode).
        initializer: called as ``initializer(seed=0)`` for each convolution's kernel.
        stage, block: keyword-only; name the layers (``res{stage}{block}_branch2a``, ...). The positional
            order is the course's ``identity_block(X, f, filters, training, initializer)``.

    Returns:
        The block's output (m, n_H, n_W, F3).
    """
    names = _names(stage, block)
    X_shortcut = X
    X = _main_path(X, f, filters, 1, names, initializer, training)
    return _merge(X, X_shortcut, stage, block)


def convolutional_block(
    X: Tensor,
    f: int,
    filters: Sequence[int],
    s: int = 2,
    training: bool | None = None,
    initializer: Initializer = keras.initializers.GlorotUniform,
    *,
    stage: int | str = 2,
    block: str = "a",
) -> Tensor:
    """The course's convolutional block: a strided 1x1 convolution on the shortcut changes the shape.

    Args:
        X: input (m, n_H_prev, n_W_prev, n_C_prev), a Keras tensor or an array.
        f, filters, training, initializer, stage, block: as :func:`identity_block` (the positional order is
            the course's ``convolutional_block(X, f, filters, s, training, initializer)``).
        s: stride of the first main-path convolution and of the shortcut convolution.

    Returns:
        The block's output (m, ceil(n_H_prev / s), ceil(n_W_prev / s), F3).
    """
    names = _names(stage, block)
    X_shortcut = X
    X = _main_path(X, f, filters, s, names, initializer, training)
    X_shortcut = _conv_bn(X_shortcut, filters[2], 1, s, "valid", names[0] + "1", names[1] + "1", initializer,
                          training)  # shortcut path
    return _merge(X, X_shortcut, stage, block)


def build_resnet50(
    input_shape: tuple[int, int, int] = IMAGE_SHAPE,
    classes: int = 6,
    training: bool | None = None,
    name: str = "ResNet50",
) -> keras.Model:
    """The course's ``ResNet50(input_shape, classes)``: float images (batch, 64, 64, 3) -> softmax (batch, classes).

    Stem: ZeroPadding2D (3, 3) -> ``conv1`` 64 7x7 stride 2 -> ``bn_conv1`` -> ReLU -> MaxPool 3x3 stride 2
    (batch, 15, 15, 64); stages 2-5 (:data:`STAGES`): one convolutional block (``a``) and 2 / 3 / 5 / 2
    identity blocks (``b``, ``c``, ...), f = 3, ending at (batch, 2, 2, 2048); ``avg_pool`` 2x2
    (batch, 1, 1, 2048) -> Flatten -> ``fc{classes}`` softmax. 23,600,006 parameters and 177 layers
    for classes = 6.
    """
    glorot = keras.initializers.GlorotUniform
    X_input = keras.Input(input_shape, name="images")
    X = layers.ZeroPadding2D((3, 3), name="conv1_pad")(X_input)  # (batch, 70, 70, 3)
    X = _conv_bn(X, 64, 7, 2, "valid", "conv1", "bn_conv1", glorot, training)  # (batch, 32, 32, 64)
    X = layers.Activation("relu", name="conv1_relu")(X)
    X = layers.MaxPooling2D((3, 3), strides=(2, 2), name="pool1")(X)  # (batch, 15, 15, 64)
    for stage, filters, s, n_identity in STAGES:
        X = convolutional_block(X, 3, filters, s=s, stage=stage, block="a", training=training)
        for block in "bcdef"[:n_identity]:
            X = identity_block(X, 3, filters, stage=stage, block=block, training=training)
    X = layers.AveragePooling2D((2, 2), name="avg_pool")(X)  # (batch, 1, 1, 2048)
    X = layers.Flatten(name="flatten")(X)  # (batch, 2048)
    X = layers.Dense(classes, activation="softmax", kernel_initializer=glorot(seed=0), name=f"fc{classes}")(X)
    return keras.Model(inputs=X_input, outputs=X, name=name)


ResNet50 = build_resnet50  # the course's name
