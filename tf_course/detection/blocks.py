"""The Darknet building block shared by YOLOv2 and the small detectors: conv -> batch norm -> leaky ReLU."""

from __future__ import annotations

import keras
from keras import layers

LEAKY_SLOPE = 0.1  # Darknet's leaky activation


def conv_bn_leaky(x: keras.KerasTensor, filters: int, kernel_size: int, index: int) -> keras.KerasTensor:
    """Darknet ``[convolutional] batch_normalize=1 activation=leaky``: (b, h, w, c) -> (b, h, w, filters).

    The layers are named like the course's Keras 2 ``yolo.h5`` (``conv2d_{index}``,
    ``batch_normalization_{index}``, ``leaky_re_lu_{index}``), so its weights load by name.
    The convolution has no bias: the batch norm's beta plays that role, as in Darknet.
    """
    x = layers.Conv2D(filters, kernel_size, padding="same", use_bias=False, name=f"conv2d_{index}")(x)
    x = layers.BatchNormalization(name=f"batch_normalization_{index}")(x)
    return layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"leaky_re_lu_{index}")(x)
