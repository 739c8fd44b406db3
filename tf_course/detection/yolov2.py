"""The YOLOv2 network of the course (``yolo.h5``): Darknet-19 body, passthrough (space-to-depth) and head.

:func:`build_yolov2` rebuilds the graph that YAD2K's ``yad2k.py`` wrote into the course's Keras 2
``model_data/yolo.h5`` from Darknet's ``yolov2.cfg``, with the same layer names (``input_1``,
``conv2d_1..23``, ``batch_normalization_1..22``, ``leaky_re_lu_1..22``, ``max_pooling2d_1..5``,
``space_to_depth_x2``, ``concatenate_1``), so that file's weights load by name. For a
608x608x3 input the output is the raw (batch, 19, 19, A * (5 + C)) tensor that
:func:`tf_course.detection.head.yolo_head` decodes; with A = 5 anchors and C = 80 classes
the model has 50,983,561 parameters (50,962,889 trainable, 20,672 batch-norm moving statistics).

The passthrough ("reorg") layer is the serializable :class:`SpaceToDepth`, not a ``Lambda``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import tensorflow as tf
from keras import layers

from tf_course.detection.blocks import conv_bn_leaky

#: Darknet-19 up to its 13th convolution (the passthrough source) and its 18th: (filters, kernel size)
#: per ``conv2d_i``, ``"M"`` for a 2x2 / stride 2 max pool. Filter counts before ``width_divisor``.
DARKNET19: tuple[tuple[int, int] | str, ...] = (
    (32, 3), "M",
    (64, 3), "M",
    (128, 3), (64, 1), (128, 3), "M",
    (256, 3), (128, 1), (256, 3), "M",
    (512, 3), (256, 1), (512, 3), (256, 1), (512, 3), "M",  # conv2d_13 (38x38 for 608) feeds the passthrough
    (1024, 3), (512, 1), (1024, 3), (512, 1), (1024, 3),
)  # fmt: skip
PASSTHROUGH_SOURCE = 13  # conv2d_13 / leaky_re_lu_13: the last 2x-resolution feature map
PASSTHROUGH_FILTERS = 64  # conv2d_21, 1x1
HEAD_FILTERS = 1024  # conv2d_19, conv2d_20 and conv2d_22, 3x3
SPACE_TO_DEPTH_MODES = ("tensorflow", "darknet")
GRID_STRIDE = 32  # input pixels per output grid cell


@keras.saving.register_keras_serializable(package="tf_course")
class SpaceToDepth(keras.layers.Layer):
    """YOLOv2's passthrough / Darknet ``[reorg]``: (b, h, w, c) -> (b, h/s, w/s, c*s*s), s = ``block_size``.

    Args:
        block_size: s; the height and width must be multiples of it.
        mode: ``"tensorflow"`` (default): ``tf.nn.space_to_depth`` order, output channel
            ``(dy * s + dx) * c + k`` holds input channel k at offset (dy, dx) of each s x s block;
            this is what YAD2K and so the course's ``yolo.h5`` use.
            ``"darknet"``: the order of Darknet's ``reorg_cpu(..., forward=0)`` as the ``[reorg]``
            layer of ``yolov2.cfg`` runs it. Darknet reads its NCHW input buffer as if it were
            (c/s², h*s, w*s), gathers that into (c, h, w) and hands the buffer on as (c*s², h/s, w/s),
            which mixes channels and positions differently from TensorFlow (a known YAD2K
            discrepancy). Needs c to be a multiple of s².
    """

    def __init__(self, block_size: int = 2, mode: str = "tensorflow", **kwargs):
        super().__init__(**kwargs)
        if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
            raise ValueError(f"SpaceToDepth: expected block_size a positive int, found {block_size!r}")
        if mode not in SPACE_TO_DEPTH_MODES:
            raise ValueError(f"SpaceToDepth: expected mode one of {SPACE_TO_DEPTH_MODES}, found {mode!r}")
        self.block_size = block_size
        self.mode = mode

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) != 4:
            raise ValueError(f"SpaceToDepth: expected a (batch, height, width, channels) input, found {input_shape}")
        s = self.block_size
        for axis, size in (("height", input_shape[1]), ("width", input_shape[2])):
            if size is not None and size % s:
                raise ValueError(f"SpaceToDepth: expected the {axis} to be a multiple of block_size {s}, "
                                 f"found input shape {tuple(input_shape)}")
        channels = input_shape[3]
        if self.mode == "darknet" and (channels is None or channels % (s * s)):
            raise ValueError(f"SpaceToDepth(mode='darknet'): expected a known channel count that is a multiple of "
                             f"block_size**2 = {s * s}, found input shape {tuple(input_shape)}")
        super().build(input_shape)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        s = self.block_size
        if self.mode == "tensorflow":
            return tf.nn.space_to_depth(inputs, s)
        shape = tf.shape(inputs)
        batch, height, width = shape[0], shape[1], shape[2]
        channels = inputs.shape[3]
        x = tf.transpose(inputs, [0, 3, 1, 2])  # -> (b, c, h, w): Darknet's NCHW buffer
        # Darknet's view of that buffer: (b, c/s², h*s, w*s) = (b, c2, j, dy, i, dx) with row j*s+dy, column i*s+dx.
        x = tf.reshape(x, [batch, channels // (s * s), height, s, width, s])
        # out[k, j, i] with k = (dy*s + dx) * c/s² + c2  ->  (b, dy, dx, c2, j, i) = (b, c, h, w)
        x = tf.transpose(x, [0, 3, 5, 1, 2, 4])
        # The (c, h, w) buffer is handed on as (c*s², h/s, w/s).
        x = tf.reshape(x, [batch, channels * s * s, height // s, width // s])
        return tf.transpose(x, [0, 2, 3, 1])  # -> (b, h/s, w/s, c*s²)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        s = self.block_size
        batch, height, width, channels = input_shape
        return (batch, None if height is None else height // s, None if width is None else width // s,
                None if channels is None else channels * s * s)

    def get_config(self) -> dict:
        return {**super().get_config(), "block_size": self.block_size, "mode": self.mode}


def _check_yolov2_args(input_shape: tuple[int | None, int | None, int], num_anchors: int, num_classes: int,
                       width_divisor: int) -> None:
    if len(input_shape) != 3 or not isinstance(input_shape[2], int) or input_shape[2] < 1:
        raise ValueError(f"build_yolov2: expected input_shape (height, width, channels), found {input_shape}")
    for axis, size in zip(("height", "width"), input_shape[:2]):
        if size is not None and (size < GRID_STRIDE or size % GRID_STRIDE):
            raise ValueError(f"build_yolov2: expected the input {axis} to be a positive multiple of {GRID_STRIDE} "
                             f"(five 2x2 poolings, then the 2x2 passthrough), found input_shape {input_shape}")
    for what, value in (("num_anchors", num_anchors), ("num_classes", num_classes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"build_yolov2: expected {what} a positive int, found {value!r}")
    if isinstance(width_divisor, bool) or not isinstance(width_divisor, int) or width_divisor < 1 \
            or DARKNET19[0][0] % width_divisor:
        raise ValueError(f"build_yolov2: expected width_divisor a divisor of {DARKNET19[0][0]} "
                         f"(1, 2, 4, 8, 16 or 32), found {width_divisor!r}")


def build_yolov2(
    input_shape: tuple[int | None, int | None, int] = (608, 608, 3),
    num_anchors: int = 5,
    num_classes: int = 80,
    name: str = "yolov2",
    width_divisor: int = 1,
    space_to_depth_mode: str = "tensorflow",
) -> keras.Model:
    """YOLOv2 as in the course's ``yolo.h5``: (batch, H, W, 3) images in [0, 1] -> (batch, H/32, W/32, A*(5+C)).

    Args:
        input_shape: (height, width, channels); height and width multiples of 32 (or None).
        num_anchors: A.
        num_classes: C.
        name: the model's name.
        width_divisor: divides every filter count except the last convolution's A*(5+C), for tiny
            test models with the same topology and layer names (1, 2, 4, 8, 16 or 32).
        space_to_depth_mode: the passthrough's channel order, ``"tensorflow"`` (the course's
            ``yolo.h5``) or ``"darknet"`` (Darknet's ``reorg``); see :class:`SpaceToDepth`.

    Returns:
        A functional ``keras.Model`` named ``name`` with YAD2K's layer names.
    """
    input_shape = tuple(input_shape)
    _check_yolov2_args(input_shape, num_anchors, num_classes, width_divisor)
    inputs = keras.Input(shape=input_shape, name="input_1")
    x, index, pools = inputs, 0, 0
    for item in DARKNET19:
        if item == "M":
            pools += 1
            x = layers.MaxPooling2D(2, 2, padding="same", name=f"max_pooling2d_{pools}")(x)
            continue
        filters, kernel_size = item
        index += 1
        x = conv_bn_leaky(x, filters // width_divisor, kernel_size, index)
        if index == PASSTHROUGH_SOURCE:
            passthrough = x  # (b, H/16, W/16, 512/d)
    for _ in range(2):  # conv2d_19, conv2d_20 (b, H/32, W/32, 1024/d)
        index += 1
        x = conv_bn_leaky(x, HEAD_FILTERS // width_divisor, 3, index)
    index += 1  # conv2d_21: (b, H/16, W/16, 64/d) -> space_to_depth (b, H/32, W/32, 256/d)
    passthrough = conv_bn_leaky(passthrough, PASSTHROUGH_FILTERS // width_divisor, 1, index)
    passthrough = SpaceToDepth(2, mode=space_to_depth_mode, name="space_to_depth_x2")(passthrough)
    x = layers.Concatenate(name="concatenate_1")([passthrough, x])  # Darknet's route -1,-4: (b, H/32, W/32, 1280/d)
    index += 1
    x = conv_bn_leaky(x, HEAD_FILTERS // width_divisor, 3, index)
    index += 1
    outputs = layers.Conv2D(num_anchors * (5 + num_classes), 1, padding="same", name=f"conv2d_{index}")(x)
    return keras.Model(inputs, outputs, name=name)


@dataclass(frozen=True)
class YoloModelInfo:
    """What a weight file said about the YOLO model loaded from it.

    Attributes:
        format: ``"keras2_h5"`` (YAD2K / course ``yolo.h5``), ``"darknet"`` (cfg + weights) or ``"keras"``.
        source: the file(s) read.
        input_shape: the model's (height, width, channels).
        num_anchors: A; ``num_classes``: C (the output has A * (5 + C) channels).
        anchors: (A, 2) anchor (width, height) pairs in grid cells when the file holds them
            (Darknet's ``[region]``), else None (the course keeps them in ``yolo_anchors.txt``).
        matched_by: how weights were matched to layers (``"name"``, ``"order"`` or ``"cfg order"``).
        notes: anything else worth telling (version numbers, epsilon choices).
    """

    format: str
    source: str
    input_shape: tuple[int | None, int | None, int]
    num_anchors: int
    num_classes: int
    anchors: tuple[tuple[float, float], ...] | None = None
    matched_by: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        """A JSON-ready dict (tuples as lists)."""
        return {"format": self.format, "source": self.source, "input_shape": list(self.input_shape),
                "num_anchors": self.num_anchors, "num_classes": self.num_classes,
                "anchors": None if self.anchors is None else [list(pair) for pair in self.anchors],
                "matched_by": self.matched_by, "notes": list(self.notes)}

    @classmethod
    def from_json(cls, data: dict) -> YoloModelInfo:
        """Inverse of :meth:`to_json`."""
        anchors = data.get("anchors")
        return cls(format=data["format"], source=data["source"], input_shape=tuple(data["input_shape"]),
                   num_anchors=int(data["num_anchors"]), num_classes=int(data["num_classes"]),
                   anchors=None if anchors is None else tuple((float(w), float(h)) for w, h in anchors),
                   matched_by=data.get("matched_by"), notes=tuple(data.get("notes", ())))
