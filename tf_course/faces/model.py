"""The course's ``faceRecoModel`` (OpenFace nn4.small2.v1) channels-last, and a compact encoder.

``faceRecoModel``: input (batch, 96, 96, 3) RGB in [0, 1] -> (batch, 128) L2-normalised
embeddings, 3,743,280 parameters, the course's layer names (``conv1``, ``bn1``, ...,
``inception_5b_1x1_bn``, ``dense_layer``) so that :func:`tf_course.faces.weights.load_weights_from_FaceNet`
can fill it from the course's CSV files. The course's network is channels-first; here every
convolution, pooling and padding is channels-last and the batch norms normalise the last axis.
The course's Keras port has no local response normalisation (OpenFace's Torch model has; the
CSV weights were exported for the LRN-free graph), so neither has this one. The final
``Lambda(l2_normalize)`` is the registered :class:`~tf_course.faces.layers.L2Normalization`.

``compact_encoder``: a small convnet with the same interface (images in [0, 1] -> 128-d
unit vectors), trained from scratch with triplet losses by the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from tf_course.faces.layers import L2Normalization

INPUT_SHAPE = (96, 96, 3)
EMBEDDING_SIZE = 128
PARAMS = 3_743_280  # the course's "Total Params"
BN_EPS = 1e-5


def _conv_bn(x: keras.KerasTensor, name: str, filters: int, kernel: int = 1, strides: int = 1,
             eps: float = BN_EPS) -> keras.KerasTensor:
    """conv (``name`` + conv suffix given by the caller) -> bn -> relu; ``name`` is (conv_name, bn_name)."""
    conv_name, bn_name = name
    x = layers.Conv2D(filters, kernel, strides=strides, name=conv_name)(x)
    x = layers.BatchNormalization(axis=-1, epsilon=eps, name=bn_name)(x)
    return layers.Activation("relu", name=f"{conv_name}_relu")(x)


def _branch(x: keras.KerasTensor, layer: str, cv1_out: int, cv2_out: int | None = None, cv2_kernel: int = 3,
            cv2_strides: int = 1, padding: int | tuple | None = None) -> keras.KerasTensor:
    """The course's ``fr_utils.conv2d_bn``: 1x1 conv -> bn -> relu [-> pad [-> conv -> bn -> relu]]."""
    num = "" if cv2_out is None else "1"
    x = _conv_bn(x, (f"{layer}_conv{num}", f"{layer}_bn{num}"), cv1_out)
    if padding is None:
        return x
    x = layers.ZeroPadding2D(padding, name=f"{layer}_pad")(x)
    if cv2_out is None:
        return x
    return _conv_bn(x, (f"{layer}_conv2", f"{layer}_bn2"), cv2_out, cv2_kernel, cv2_strides)


def _concat(block: str, branches: Sequence[keras.KerasTensor]) -> keras.KerasTensor:
    return layers.Concatenate(axis=-1, name=f"{block}_concat")(list(branches))


def faceRecoModel(input_shape: Sequence[int] = INPUT_SHAPE) -> keras.Model:  # noqa: N802 (course name)
    """The course's FaceNet (nn4.small2), channels-last: (batch, 96, 96, 3) -> (batch, 128) unit vectors.

    Args:
        input_shape: (96, 96, 3). The course's ``(3, 96, 96)`` is accepted and read as channels-first
            of the same image (the model itself is always channels-last).
    """
    shape = tuple(int(d) for d in input_shape)
    if shape == (3, 96, 96):
        shape = INPUT_SHAPE
    if shape != INPUT_SHAPE:
        raise ValueError(f"faceRecoModel: expected input_shape (96, 96, 3), found {tuple(input_shape)}")
    inputs = keras.Input(shape, name="input_image")
    x = layers.ZeroPadding2D(3, name="pad1")(inputs)
    x = _conv_bn(x, ("conv1", "bn1"), 64, 7, 2, eps=1e-3)  # bn1: Keras' default epsilon in the course
    x = layers.ZeroPadding2D(1, name="pad2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = _conv_bn(x, ("conv2", "bn2"), 64)
    x = layers.ZeroPadding2D(1, name="pad3")(x)
    x = _conv_bn(x, ("conv3", "bn3"), 192, 3)
    x = layers.ZeroPadding2D(1, name="pad4")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)  # (12, 12, 192)

    # inception 3a (12x12 -> 256 ch)
    b = "inception_3a"
    pool = layers.MaxPooling2D(3, strides=2, name=f"{b}_pool")(x)
    x = _concat(b, [_branch(x, f"{b}_3x3", 96, 128, 3, padding=1),
                    _branch(x, f"{b}_5x5", 16, 32, 5, padding=2),
                    _branch(pool, f"{b}_pool", 32, padding=((3, 4), (3, 4))),
                    _branch(x, f"{b}_1x1", 64)])
    # inception 3b (-> 320 ch)
    b = "inception_3b"
    pool = layers.AveragePooling2D(3, strides=3, name=f"{b}_pool")(x)
    x = _concat(b, [_branch(x, f"{b}_3x3", 96, 128, 3, padding=1),
                    _branch(x, f"{b}_5x5", 32, 64, 5, padding=2),
                    _branch(pool, f"{b}_pool", 64, padding=4),
                    _branch(x, f"{b}_1x1", 64)])
    # inception 3c (12x12 -> 6x6, 640 ch)
    b = "inception_3c"
    pool = layers.MaxPooling2D(3, strides=2, name=f"{b}_pool")(x)
    x = _concat(b, [_branch(x, f"{b}_3x3", 128, 256, 3, 2, padding=1),
                    _branch(x, f"{b}_5x5", 32, 64, 5, 2, padding=2),
                    layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"{b}_pool_pad")(pool)])
    # inception 4a (-> 640 ch)
    b = "inception_4a"
    pool = layers.AveragePooling2D(3, strides=3, name=f"{b}_pool")(x)
    x = _concat(b, [_branch(x, f"{b}_3x3", 96, 192, 3, padding=1),
                    _branch(x, f"{b}_5x5", 32, 64, 5, padding=2),
                    _branch(pool, f"{b}_pool", 128, padding=2),
                    _branch(x, f"{b}_1x1", 256)])
    # inception 4e (6x6 -> 3x3, 1024 ch)
    b = "inception_4e"
    pool = layers.MaxPooling2D(3, strides=2, name=f"{b}_pool")(x)
    x = _concat(b, [_branch(x, f"{b}_3x3", 160, 256, 3, 2, padding=1),
                    _branch(x, f"{b}_5x5", 64, 128, 5, 2, padding=2),
                    layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"{b}_pool_pad")(pool)])
    # inception 5a (-> 736 ch)
    b = "inception_5a"
    pool = layers.AveragePooling2D(3, strides=3, name=f"{b}_pool")(x)
    x = _concat(b, [_branch(x, f"{b}_3x3", 96, 384, 3, padding=1),
                    _branch(pool, f"{b}_pool", 96, padding=1),
                    _branch(x, f"{b}_1x1", 256)])
    # inception 5b (-> 736 ch)
    b = "inception_5b"
    pool = layers.MaxPooling2D(3, strides=2, name=f"{b}_pool")(x)
    x = _concat(b, [_branch(x, f"{b}_3x3", 96, 384, 3, padding=1),
                    _branch(pool, f"{b}_pool", 96, padding=1),
                    _branch(x, f"{b}_1x1", 256)])

    x = layers.AveragePooling2D(3, strides=1, name="final_pool")(x)  # (1, 1, 736)
    x = layers.Flatten(name="flatten")(x)  # 1x1 spatial: same order as the course's channels-first flatten
    x = layers.Dense(EMBEDDING_SIZE, name="dense_layer")(x)
    outputs = L2Normalization(axis=1, name="l2_normalize")(x)
    return keras.Model(inputs, outputs, name="FaceRecoModel")


def compact_encoder(image_size: int = 64, width: int = 32, embedding_size: int = EMBEDDING_SIZE,
                    name: str = "compact_face_encoder") -> keras.Model:
    """A small convnet face encoder: (batch, s, s, 3) in [0, 1] -> (batch, embedding_size) unit vectors.

    Four stride-2 stages (conv -> BN -> ReLU, widths w, 2w, 4w, 4w), a second 3x3 conv per stage
    from the second on, global average pooling, a dense projection and L2 normalisation.
    """
    inputs = keras.Input((image_size, image_size, 3), name="input_image")
    x = inputs
    for stage, filters in enumerate((width, 2 * width, 4 * width, 4 * width), start=1):
        x = layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False, name=f"stage{stage}_conv1")(x)
        x = layers.BatchNormalization(name=f"stage{stage}_bn1")(x)
        x = layers.Activation("relu", name=f"stage{stage}_relu1")(x)
        if stage > 1:
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"stage{stage}_conv2")(x)
            x = layers.BatchNormalization(name=f"stage{stage}_bn2")(x)
            x = layers.Activation("relu", name=f"stage{stage}_relu2")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(embedding_size, name="embedding")(x)
    outputs = L2Normalization(axis=1, name="l2_normalize")(x)
    return keras.Model(inputs, outputs, name=name)
