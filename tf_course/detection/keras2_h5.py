"""Read the course's Keras 2 ``model_data/yolo.h5`` (written by YAD2K) into :func:`build_yolov2`, and write that layout.

Keras 3 cannot ``load_model`` the file: its ``model_config`` holds a ``Lambda`` (YAD2K's
``space_to_depth_x2``). Reading the HDF5 weights, pairing layers and checking shapes are generic
(:mod:`tf_course.data.keras2_h5`); this module adds what is YOLO's: the YOLOv2 this file
describes (classes from the last convolution's kernel, width from the first, input size from the
config), its batch-norm epsilons, and ``SpaceToDepth`` written back as YAD2K's ``Lambda``.

Weights go to the layers of the same name; when the names differ (a file saved from a second model
built in the same Keras 2 session has ``conv2d_24...``), convolutions and batch norms are paired in
the order of their numbers. Every shape is checked before anything is assigned.
"""

from __future__ import annotations

from pathlib import Path

import keras

from tf_course.data import keras2_h5 as generic
from tf_course.data.keras2_h5 import (
    Keras2File,
    Keras2Layer,
    assign_pairs,
    config_epsilons,
    config_input_shape,
    in_number_order,
    read_keras2_h5,
)
from tf_course.data.validate import DataError
from tf_course.detection.yolov2 import DARKNET19, SpaceToDepth, YoloModelInfo, build_yolov2

__all__ = ["DEFAULT_INPUT_SIZE", "DEFAULT_NUM_ANCHORS", "Keras2File", "Keras2Layer", "keras2_model_config",
           "load_keras2_h5", "pair_layers", "read_keras2_h5", "write_keras2_h5"]

WHAT = "Keras 2 HDF5 weight file (e.g. model_data/yolo.h5)"
DEFAULT_INPUT_SIZE = 608
DEFAULT_NUM_ANCHORS = 5  # yolo_anchors.txt has 5 pairs; the file itself does not say


def pair_layers(model: keras.Model, file: Keras2File) -> tuple[list[tuple[keras.layers.Layer, Keras2Layer]], str]:
    """:func:`tf_course.data.keras2_h5.pair_layers` for a YOLOv2: by name, else by kind and number."""
    return generic.pair_layers(model, file, by_order=True, model_description="this YOLOv2")


def _image_input_shape(model_config: dict | None) -> tuple[int | None, ...] | None:
    """The config's (h, w, channels) input shape, None unless it is an image (rank-4 batch) input."""
    shape = config_input_shape(model_config)
    return shape if shape is not None and len(shape) == 3 else None


def _infer(file: Keras2File, num_anchors: int, input_shape: tuple[int | None, ...] | None
           ) -> tuple[tuple[int | None, int | None, int], int, int]:
    """(input_shape, num_classes, width_divisor) from the config and the kernels."""
    convs = in_number_order([layer for layer in file.layers if "kernel" in layer.kind], lambda x: x.name)
    heads = [layer for layer in convs if "bias" in layer.kind]
    if not convs or len(heads) != 1:
        raise DataError(f"{file.path}: expected convolutions without bias and one final convolution with a bias, "
                        f"found {len(convs)} convolutions of which {len(heads)} with a bias "
                        f"({[layer.name for layer in heads]})")
    first = dict(convs[0].weights)["kernel"]  # (kh, kw, channels, 32 / width_divisor)
    if first.ndim != 4 or first.shape[-1] < 1 or DARKNET19[0][0] % first.shape[-1]:
        raise DataError(f"{file.path}: layer {convs[0].name!r}: expected a (3, 3, channels, {DARKNET19[0][0]}/d) "
                        f"kernel, found {tuple(first.shape)}")
    width_divisor = DARKNET19[0][0] // first.shape[-1]
    filters = dict(heads[0].weights)["kernel"].shape[-1]  # A * (5 + C)
    if filters % num_anchors or filters // num_anchors <= 5:
        raise DataError(f"{file.path}: layer {heads[0].name!r}: expected {num_anchors} anchors x (5 + classes) "
                        f"output channels, found {filters}")
    shape = input_shape or _image_input_shape(file.model_config) or (DEFAULT_INPUT_SIZE, DEFAULT_INPUT_SIZE,
                                                                         int(first.shape[2]))
    if len(shape) != 3 or shape[2] != first.shape[2]:
        raise DataError(f"{file.path}: layer {convs[0].name!r}: expected input_shape (h, w, {first.shape[2]}) "
                        f"for its kernel {tuple(first.shape)}, found {tuple(shape)}")
    return tuple(shape), filters // num_anchors - 5, width_divisor


def load_keras2_h5(
    path: str | Path,
    *,
    num_anchors: int = DEFAULT_NUM_ANCHORS,
    input_shape: tuple[int | None, int | None, int] | None = None,
    name: str = "yolov2",
) -> tuple[keras.Model, YoloModelInfo]:
    """Build :func:`build_yolov2` to fit a Keras 2 / YAD2K HDF5 file and load its weights.

    The number of classes comes from the last convolution's kernel (A * (5 + C) output channels,
    A = ``num_anchors``), the width divisor from the first kernel, the input size from
    ``input_shape``, else the file's ``model_config``, else 608x608. Batch-norm epsilons in the
    config (YAD2K: Keras' 1e-3) are kept.

    Returns:
        ``(model, info)``: the Keras 3 model and a :class:`YoloModelInfo`.

    Raises:
        FileNotFoundError, DataError: see :func:`read_keras2_h5`, :func:`pair_layers`, :func:`assign_pairs`.
    """
    file = read_keras2_h5(path, WHAT)
    shape, num_classes, width_divisor = _infer(file, num_anchors, input_shape)
    try:
        model = build_yolov2(shape, num_anchors, num_classes, name=name, width_divisor=width_divisor)
    except ValueError as exc:
        raise DataError(f"{file.path}: the file does not describe a YOLOv2 this package can build ({exc})") from exc
    pairs, matched_by = pair_layers(model, file)
    assign_pairs(pairs, file.path)
    epsilons = config_epsilons(file.model_config)
    for layer, found in pairs:
        if found.name in epsilons and isinstance(layer, keras.layers.BatchNormalization):
            layer.epsilon = epsilons[found.name]
    notes = [f"keras_version {file.keras_version}"] if file.keras_version else []
    if width_divisor != 1:
        notes.append(f"width_divisor {width_divisor}")
    info = YoloModelInfo(format="keras2_h5", source=str(file.path), input_shape=shape, num_anchors=num_anchors,
                         num_classes=num_classes, matched_by=matched_by, notes=tuple(notes))
    return model, info


def keras2_model_config(model: keras.Model) -> dict:
    """A Keras-2-style ``model_config`` for ``model`` (layer classes and names, input shape, batch-norm
    epsilons), with :class:`SpaceToDepth` written as the ``Lambda`` YAD2K used."""
    return generic.keras2_model_config(
        model, class_name=lambda layer: "Lambda" if isinstance(layer, SpaceToDepth) else type(layer).__name__)


def write_keras2_h5(model: keras.Model, path: str | Path, *, full_model: bool = True,
                    keras_version: str = "2.1.5", model_config: dict | None = None) -> Path:
    """:func:`tf_course.data.keras2_h5.write_keras2_h5` with YAD2K's config (:func:`keras2_model_config`) by default."""
    return generic.write_keras2_h5(model, path, full_model=full_model, keras_version=keras_version,
                                   model_config=model_config or (keras2_model_config(model) if full_model else None))
