"""``yolo_head``: the YOLOv2 output encoding -> boxes, confidences and class probabilities.

The network's last convolution gives, per grid cell and anchor, 5 + C raw numbers
``(t_x, t_y, t_w, t_h, t_o, class logits...)``. The YOLOv2 paper decodes them as

    b_x = (sigmoid(t_x) + c_x) / grid_w      b_w = anchor_w * exp(t_w) / grid_w
    b_y = (sigmoid(t_y) + c_y) / grid_h      b_h = anchor_h * exp(t_h) / grid_h
    confidence = sigmoid(t_o)                class_probs = softmax(logits)

with ``(c_x, c_y)`` the cell's column and row and the anchors in grid-cell units (the course's
``yolo_anchors.txt``). Coordinates come out as fractions of the image (0..1). YAD2K (the
course's helper) divides both x and y by the grid *height*; that only matters for non-square
grids, where this version divides x by the width as the paper does.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf


def as_anchors(anchors: Sequence[float] | np.ndarray) -> np.ndarray:
    """Anchors as float64 (A, 2) (width, height) in grid cells; a flat list of 2A numbers is accepted."""
    array = np.asarray(anchors, dtype=np.float64)
    if array.ndim == 1 and array.size % 2 == 0 and array.size > 0:
        array = array.reshape(-1, 2)
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
        raise ValueError(f"anchors: expected (num_anchors, 2) width/height pairs, found shape {np.shape(anchors)}")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"anchors: expected positive finite sizes, found {array.tolist()}")
    return array


def grid_offsets(grid_h: int | tf.Tensor, grid_w: int | tf.Tensor, dtype: tf.DType = tf.float32) -> tf.Tensor:
    """Cell offsets (1, grid_h, grid_w, 1, 2): ``[..., 0]`` is the column (x), ``[..., 1]`` the row (y)."""
    cols, rows = tf.meshgrid(tf.range(grid_w), tf.range(grid_h))  # each (grid_h, grid_w)
    offsets = tf.cast(tf.stack([cols, rows], axis=-1), dtype)  # (grid_h, grid_w, 2)
    return offsets[tf.newaxis, :, :, tf.newaxis, :]  # -> (1, grid_h, grid_w, 1, 2)


def yolo_head(
    feats: tf.Tensor, anchors: Sequence[float] | np.ndarray, num_classes: int
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
    """Decode the raw YOLO output, as the course's ``yolo_head`` (TF2 output order).

    Args:
        feats: (batch, grid_h, grid_w, A * (5 + C)) or (batch, grid_h, grid_w, A, 5 + C) raw outputs.
        anchors: A anchor (width, height) pairs in grid cells, (A, 2) or flat.
        num_classes: C.

    Returns:
        ``box_xy`` (batch, gh, gw, A, 2) centres (x, y), ``box_wh`` (batch, gh, gw, A, 2) sizes (w, h),
        both as fractions of the image; ``box_confidence`` (batch, gh, gw, A, 1);
        ``box_class_probs`` (batch, gh, gw, A, C).
    """
    anchors = as_anchors(anchors)
    num_anchors = anchors.shape[0]
    feats = tf.convert_to_tensor(feats)
    depth = num_anchors * (num_classes + 5)
    if feats.shape.rank == 4 and feats.shape[-1] is not None and feats.shape[-1] != depth:
        raise ValueError(f"yolo_head: expected {num_anchors} anchors x (5 + {num_classes}) = {depth} channels, "
                         f"found {feats.shape[-1]} (input shape {feats.shape})")
    if feats.shape.rank not in (4, 5):
        raise ValueError(f"yolo_head: expected a rank-4 or rank-5 tensor, found shape {feats.shape}")
    shape = tf.shape(feats)
    grid_h, grid_w = shape[1], shape[2]
    feats = tf.reshape(feats, [-1, grid_h, grid_w, num_anchors, num_classes + 5])  # -> (b, gh, gw, A, 5 + C)
    grid_wh = tf.cast(tf.stack([grid_w, grid_h]), feats.dtype)  # (2,) as (w, h), broadcasts on the last axis
    box_xy = (tf.sigmoid(feats[..., 0:2]) + grid_offsets(grid_h, grid_w, feats.dtype)) / grid_wh
    box_wh = tf.exp(feats[..., 2:4]) * tf.constant(anchors, feats.dtype) / grid_wh  # anchors (A, 2) broadcast
    box_confidence = tf.sigmoid(feats[..., 4:5])
    box_class_probs = tf.nn.softmax(feats[..., 5:], axis=-1)
    return box_xy, box_wh, box_confidence, box_class_probs


@keras.saving.register_keras_serializable(package="tf_course")
class YoloHead(keras.layers.Layer):
    """:func:`yolo_head` as a serializable layer: raw (b, gh, gw, A*(5+C)) -> (box_xy, box_wh, confidence, probs).

    Args:
        anchors: A (width, height) pairs in grid cells (stored in the config as a list of pairs).
        num_classes: C.
    """

    def __init__(self, anchors: Sequence[Sequence[float]] | np.ndarray, num_classes: int, **kwargs):
        super().__init__(**kwargs)
        self.anchors = as_anchors(anchors).tolist()
        self.num_classes = int(num_classes)

    def call(self, feats: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
        return yolo_head(feats, self.anchors, self.num_classes)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[tuple[int | None, ...], ...]:
        batch, grid_h, grid_w = input_shape[:3]
        base = (batch, grid_h, grid_w, len(self.anchors))
        return (*base, 2), (*base, 2), (*base, 1), (*base, self.num_classes)

    def get_config(self) -> dict:
        return {**super().get_config(), "anchors": self.anchors, "num_classes": self.num_classes}
