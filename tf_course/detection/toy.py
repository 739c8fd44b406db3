"""A small YOLOv2-style detector for the generated shapes (the offline stand-in for the course's ``yolo.h5``).

Darknet-style like YOLOv2 (3x3 ``conv_bn_leaky`` blocks doubling in width, 2x2 max-pooling), but
narrow and shallow, and it starts with a 2x2 space-to-depth (YOLOv2's passthrough layer, here on
the input: (96, 96, 3) -> (48, 48, 12)), so that no convolution runs at full resolution: on the
2-core CPU a training step of this network runs at about 200 images/s, against about 70 for the
same idea with a first 16-filter convolution at 96x96 and two 256-filter head blocks. On 96x96
images, space-to-depth and three poolings give a 6x6 grid (stride 16). The last layer is a
1x1 convolution with bias giving the raw (batch, gh, gw, A * (5 + C)) tensor laid out exactly like
YOLOv2's, so :func:`~tf_course.detection.head.yolo_head`, the YOLOv2 loss and ``YoloNMS`` apply
unchanged. Input: float images in [0, 1], as the course's ``preprocess_image`` gives them.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import layers

from tf_course.detection.blocks import conv_bn_leaky
from tf_course.detection.yolov2 import SpaceToDepth

TOY_SPACE_TO_DEPTH = 2  # input block size folded into channels first
TOY_WIDTHS = (32, 64, 128)  # one 3x3 block then a 2x2 pool per width
TOY_HEAD_WIDTHS = (256,)  # 3x3 blocks at the grid resolution before the output convolution
OBJECTNESS_PRIOR = 0.01  # initial confidence: the output bias of t_o starts at logit(0.01)


def build_toy_detector(
    input_shape: tuple[int, int, int] = (96, 96, 3),
    num_anchors: int = 5,
    num_classes: int = 4,
    widths: Sequence[int] = TOY_WIDTHS,
    head_widths: Sequence[int] = TOY_HEAD_WIDTHS,
    space_to_depth: int = TOY_SPACE_TO_DEPTH,
    name: str = "toy_yolo",
) -> keras.Model:
    """The toy detector: (b, H, W, 3) floats in [0, 1] -> raw (b, H / s, W / s, A * (5 + C)).

    The stride is ``s = space_to_depth * 2 ** len(widths)`` (16 by default). Layers are named like
    the course's YOLOv2 (``input_1``, ``space_to_depth_x2``, ``conv2d_i``, ``batch_normalization_i``,
    ``leaky_re_lu_i``, ``max_pooling2d_i``); the output convolution, with bias, is the last ``conv2d_i``.
    Its confidence biases start at ``logit(OBJECTNESS_PRIOR)`` (RetinaNet's prior): with ~3 objects
    among 180 anchor boxes, starting every confidence at 0.5 makes the first steps spend
    themselves on pushing the 177 empty ones down.

    Raises:
        ValueError: H or W not divisible by the stride, or non-positive sizes.
    """
    if isinstance(space_to_depth, bool) or not isinstance(space_to_depth, int) or space_to_depth < 1:
        raise ValueError(f"build_toy_detector: space_to_depth: expected an integer >= 1, found {space_to_depth!r}")
    stride = space_to_depth * 2 ** len(widths)
    if len(input_shape) != 3 or any(int(v) <= 0 for v in input_shape):
        raise ValueError(f"build_toy_detector: input_shape: expected positive (H, W, channels), found {input_shape}")
    if input_shape[0] % stride or input_shape[1] % stride:
        raise ValueError(f"build_toy_detector: input_shape: expected H and W divisible by the stride {stride} "
                         f"(space-to-depth {space_to_depth} x 2 ** {len(widths)} poolings), found {input_shape[:2]}")
    if num_anchors < 1 or num_classes < 1 or not widths or any(w < 1 for w in (*widths, *head_widths)):
        raise ValueError(f"build_toy_detector: expected num_anchors, num_classes and widths >= 1, found "
                         f"{num_anchors}, {num_classes}, {tuple(widths)}, {tuple(head_widths)}")
    inputs = keras.Input(shape=tuple(int(v) for v in input_shape), name="input_1")
    x = inputs
    if space_to_depth > 1:  # (b, H, W, 3) -> (b, H / s2d, W / s2d, 3 * s2d ** 2)
        x = SpaceToDepth(space_to_depth, name=f"space_to_depth_x{space_to_depth}")(x)
    index = 0
    for pool, filters in enumerate(widths, start=1):  # (b, H, W, c) -> (b, H / 2, W / 2, filters)
        index += 1
        x = conv_bn_leaky(x, int(filters), 3, index)
        x = layers.MaxPooling2D(2, 2, padding="same", name=f"max_pooling2d_{pool}")(x)
    for filters in head_widths:
        index += 1
        x = conv_bn_leaky(x, int(filters), 3, index)
    output_layer = layers.Conv2D(num_anchors * (5 + num_classes), 1, padding="same", name=f"conv2d_{index + 1}")
    outputs = output_layer(x)  # (b, gh, gw, A * (5 + C))
    bias = np.zeros((num_anchors, 5 + num_classes), dtype=np.float32)
    bias[:, 4] = np.log(OBJECTNESS_PRIOR / (1 - OBJECTNESS_PRIOR))  # t_o of every anchor
    output_layer.bias.assign(bias.reshape(-1))
    return keras.Model(inputs, outputs, name=name)
