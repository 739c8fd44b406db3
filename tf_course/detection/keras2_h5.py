"""Read the course's Keras 2 ``model_data/yolo.h5`` (written by YAD2K) into :func:`build_yolov2`, and write that layout.

Keras 3 cannot ``load_model`` the file: its ``model_config`` holds a ``Lambda`` (YAD2K's
``space_to_depth_x2``). The weights are plain HDF5 though, read here with h5py:

* full-model file (``model.save``): root attributes ``keras_version``, ``backend``, ``model_config``
  (JSON); group ``model_weights`` with attribute ``layer_names``;
* weights-only file (``save_weights``): ``layer_names`` at the root;
* per layer, a group with attribute ``weight_names`` (``conv2d_1/kernel:0``,
  ``batch_normalization_1/gamma:0``, ``beta``, ``moving_mean``, ``moving_variance``) and one
  dataset per weight at that relative path.

Weights go to the layers of the same name; when the names differ (a file saved from a second model
built in the same Keras 2 session has ``conv2d_24...``), convolutions and batch norms are paired in
the order of their numbers. Every shape is checked before anything is assigned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from tf_course.atomic import atomic_output
from tf_course.data.validate import DataError, check_array, require_file
from tf_course.detection.yolov2 import DARKNET19, SpaceToDepth, YoloModelInfo, build_yolov2

DEFAULT_INPUT_SIZE = 608
DEFAULT_NUM_ANCHORS = 5  # yolo_anchors.txt has 5 pairs; the file itself does not say
BN_WEIGHTS = ("gamma", "beta", "moving_mean", "moving_variance")


@dataclass(frozen=True)
class Keras2Layer:
    """One layer's weights from the file: ``weights`` holds (short name such as ``"kernel"``, array) in file order."""

    name: str
    weights: tuple[tuple[str, np.ndarray], ...]

    @property
    def kind(self) -> frozenset[str]:
        """The set of short weight names, e.g. {"kernel"} (a conv without bias) or the four batch-norm ones."""
        return frozenset(short for short, _ in self.weights)

    def describe(self) -> str:
        return ", ".join(f"{short} {tuple(array.shape)}" for short, array in self.weights)


@dataclass(frozen=True)
class Keras2File:
    """The parts of a Keras 2 HDF5 file that matter here; ``layers`` lists only layers with weights, in file order."""

    path: Path
    layers: tuple[Keras2Layer, ...]
    model_config: dict | None
    keras_version: str | None


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _short_name(weight_name: str) -> str:
    """``"conv2d_1/kernel:0"`` -> ``"kernel"``."""
    return weight_name.rsplit("/", 1)[-1].split(":", 1)[0]


def read_keras2_h5(path: str | Path) -> Keras2File:
    """Read the weights (and model config, if any) of a Keras 2 HDF5 full-model or weights-only file.

    Raises:
        FileNotFoundError: nothing at ``path``.
        DataError: not HDF5, truncated, no ``model_weights``/``layer_names``, a listed layer or
            weight missing, or a weight that is not a finite float array.
    """
    import h5py

    path = require_file(Path(path), "Keras 2 HDF5 weight file (e.g. model_data/yolo.h5)")
    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"{path}: expected a Keras 2 HDF5 file, could not open it as HDF5 (not HDF5, or "
                        f"truncated: {exc})") from exc
    with handle:
        if "model_weights" in handle:
            group = handle["model_weights"]
        elif "layer_names" in handle.attrs:
            group = handle  # weights-only file (save_weights)
        else:
            raise DataError(f"{path}: expected a Keras 2 model file (group 'model_weights') or weights file "
                            f"(root attribute 'layer_names'), found keys {sorted(handle.keys())} and attributes "
                            f"{sorted(handle.attrs.keys())}")
        if "layer_names" not in group.attrs:
            raise DataError(f"{path}: expected attribute 'layer_names' on {group.name!r}, "
                            f"found attributes {sorted(group.attrs.keys())}")
        layers = []
        try:
            for layer_name in (_text(name) for name in group.attrs["layer_names"]):
                if layer_name not in group:
                    raise DataError(f"{path}: layer {layer_name!r} is in 'layer_names' but has no group "
                                    f"in {group.name!r}")
                layer_group = group[layer_name]
                weight_names = [_text(name) for name in layer_group.attrs.get("weight_names", [])]
                weights = []
                for weight_name in weight_names:
                    if weight_name not in layer_group:
                        raise DataError(f"{path}: layer {layer_name!r}: weight {weight_name!r} is in 'weight_names' "
                                        f"but not in the file")
                    array = np.asarray(layer_group[weight_name][()])
                    check_array(array, what=f"{path}: layer {layer_name!r} weight {weight_name!r}",
                                dtype_kinds="f", finite=True)
                    weights.append((_short_name(weight_name), array))
                if weights:
                    layers.append(Keras2Layer(layer_name, tuple(weights)))
        except (OSError, KeyError, RuntimeError) as exc:  # h5py's errors on a damaged file
            raise DataError(f"{path}: could not read the weights, the file looks damaged or truncated ({exc})") from exc
        config_text = handle.attrs.get("model_config")
        version = handle.attrs.get("keras_version", group.attrs.get("keras_version"))
    model_config = None
    if config_text is not None:
        try:
            model_config = json.loads(_text(config_text))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: expected JSON in attribute 'model_config', could not parse it ({exc})") from exc
    if not layers:
        raise DataError(f"{path}: expected layers with weights, found none")
    return Keras2File(path, tuple(layers), model_config, None if version is None else _text(version))


def _config_layers(model_config: dict | None) -> list[dict]:
    if not isinstance(model_config, dict):
        return []
    config = model_config.get("config", {})
    found = config.get("layers", []) if isinstance(config, dict) else []
    return [layer for layer in found if isinstance(layer, dict)]


def _layer_config_name(layer: dict) -> str | None:
    return layer.get("name") or (layer.get("config") or {}).get("name")


def _config_input_shape(model_config: dict | None) -> tuple[int | None, ...] | None:
    for layer in _config_layers(model_config):
        if layer.get("class_name") == "InputLayer":
            config = layer.get("config") or {}
            shape = config.get("batch_input_shape") or config.get("batch_shape")
            if shape is not None and len(shape) == 4:
                return tuple(shape[1:])
    return None


def _config_epsilons(model_config: dict | None) -> dict[str, float]:
    return {_layer_config_name(layer): float(layer["config"]["epsilon"]) for layer in _config_layers(model_config)
            if layer.get("class_name") == "BatchNormalization" and "epsilon" in (layer.get("config") or {})}


def _number(name: str) -> int | None:
    match = re.search(r"_(\d+)$", name)
    return None if match is None else int(match.group(1))


def _in_number_order(items: list, name_of: Callable[[object], str]) -> list:
    """Items sorted by the number at the end of their name when every name has one, else as given."""
    numbers = [_number(name_of(item)) for item in items]
    if any(number is None for number in numbers):
        return list(items)
    return [item for _, item in sorted(zip(numbers, items), key=lambda pair: pair[0])]


def _variable_name(variable: keras.Variable) -> str:
    return variable.path.rsplit("/", 1)[-1]


def _model_kind(layer: keras.layers.Layer) -> frozenset[str]:
    return frozenset(_variable_name(v) for v in layer.weights)


def pair_layers(model: keras.Model, file: Keras2File) -> tuple[list[tuple[keras.layers.Layer, Keras2Layer]], str]:
    """Pair the model's weighted layers with the file's: by name when the names agree, else by kind and number.

    Returns:
        ``(pairs, matched_by)`` with ``matched_by`` ``"name"`` or ``"order"``.

    Raises:
        DataError: the layer counts differ (naming missing and unexpected layers).
    """
    model_layers = [layer for layer in model.layers if layer.weights]
    by_name = {layer.name: layer for layer in model_layers}
    if {layer.name for layer in file.layers} == set(by_name) and len(file.layers) == len(by_name):
        return [(by_name[layer.name], layer) for layer in file.layers], "name"
    kinds = {_model_kind(layer) for layer in model_layers} | {layer.kind for layer in file.layers}
    pairs = []
    for kind in sorted(kinds, key=sorted):
        ours = _in_number_order([layer for layer in model_layers if _model_kind(layer) == kind], lambda x: x.name)
        theirs = _in_number_order([layer for layer in file.layers if layer.kind == kind], lambda x: x.name)
        if len(ours) != len(theirs):
            missing = sorted(set(by_name) - {layer.name for layer in file.layers}, key=lambda n: (_number(n) or 0, n))
            unexpected = sorted({layer.name for layer in file.layers} - set(by_name))
            raise DataError(
                f"{file.path}: expected {len(model_layers)} layers with weights for this YOLOv2 "
                f"({len(ours)} with weights {sorted(kind)}), found {len(file.layers)} ({len(theirs)} with those "
                f"weights); missing layers: {missing or 'none'}; unexpected layers: {unexpected or 'none'}")
        pairs.extend(zip(ours, theirs))
    return pairs, "order"


def assign_pairs(pairs: Sequence[tuple[keras.layers.Layer, Keras2Layer]], path: Path) -> None:
    """Check every shape of every pair, then set the weights (weights matched by short name, else by order).

    Raises:
        DataError: naming the file layer, the model layer, the weight, the expected and the found shape.
    """
    plans = []
    for layer, found in pairs:
        names = [_variable_name(v) for v in layer.weights]
        where = f"{path}: layer {found.name!r}" + ("" if found.name == layer.name else f" (for {layer.name!r})")
        if len(found.weights) != len(names):
            expected = ", ".join(f"{n} {tuple(v.shape)}" for n, v in zip(names, layer.weights))
            raise DataError(f"{where}: expected {len(names)} weights ({expected}), "
                            f"found {len(found.weights)} ({found.describe()})")
        arrays = dict(found.weights)
        ordered = [arrays[n] for n in names] if set(arrays) == set(names) else [a for _, a in found.weights]
        for name, variable, array in zip(names, layer.weights, ordered):
            if tuple(array.shape) != tuple(variable.shape):
                raise DataError(f"{where} weight {name!r}: expected shape {tuple(variable.shape)}, "
                                f"found {tuple(array.shape)}")
        plans.append((layer, ordered))
    for layer, arrays in plans:
        layer.set_weights([np.asarray(a, dtype=np.float32) for a in arrays])


def _infer(file: Keras2File, num_anchors: int, input_shape: tuple[int | None, ...] | None
           ) -> tuple[tuple[int | None, int | None, int], int, int]:
    """(input_shape, num_classes, width_divisor) from the config and the kernels."""
    convs = _in_number_order([layer for layer in file.layers if "kernel" in layer.kind], lambda x: x.name)
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
    shape = input_shape or _config_input_shape(file.model_config) or (DEFAULT_INPUT_SIZE, DEFAULT_INPUT_SIZE,
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
    file = read_keras2_h5(path)
    shape, num_classes, width_divisor = _infer(file, num_anchors, input_shape)
    try:
        model = build_yolov2(shape, num_anchors, num_classes, name=name, width_divisor=width_divisor)
    except ValueError as exc:
        raise DataError(f"{file.path}: the file does not describe a YOLOv2 this package can build ({exc})") from exc
    pairs, matched_by = pair_layers(model, file)
    assign_pairs(pairs, file.path)
    epsilons = _config_epsilons(file.model_config)
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
    layers = []
    for layer in model.layers:
        config: dict = {"name": layer.name}
        if isinstance(layer, keras.layers.InputLayer):
            config["batch_input_shape"] = [None, *model.input_shape[1:]]
        if isinstance(layer, keras.layers.BatchNormalization):
            config["epsilon"] = layer.epsilon
        if isinstance(layer, keras.layers.Conv2D):
            config.update(filters=layer.filters, kernel_size=list(layer.kernel_size), use_bias=layer.use_bias)
        class_name = "Lambda" if isinstance(layer, SpaceToDepth) else type(layer).__name__
        layers.append({"class_name": class_name, "name": layer.name, "config": config})
    return {"class_name": "Model", "config": {"name": model.name, "layers": layers}}


def write_keras2_h5(model: keras.Model, path: str | Path, *, full_model: bool = True,
                    keras_version: str = "2.1.5", model_config: dict | None = None) -> Path:
    """Write ``model``'s weights in the Keras 2 HDF5 layout (full-model file or, with ``full_model=False``,
    weights-only), atomically, e.g. to make test fixtures or hand weights to Keras 2 tools.

    Weight names are Keras 2's ``<layer>/<weight>:0``; layers appear in ``model.layers`` order.
    """
    import h5py

    path = Path(path)
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as handle:
        if full_model:
            handle.attrs["keras_version"] = keras_version.encode()
            handle.attrs["backend"] = b"tensorflow"
            handle.attrs["model_config"] = json.dumps(model_config or keras2_model_config(model)).encode()
            group = handle.create_group("model_weights")
        else:
            group = handle
        group.attrs["keras_version"] = keras_version.encode()
        group.attrs["backend"] = b"tensorflow"
        group.attrs["layer_names"] = np.array([layer.name.encode() for layer in model.layers])
        for layer in model.layers:
            layer_group = group.create_group(layer.name)
            names = [f"{layer.name}/{_variable_name(v)}:0" for v in layer.weights]
            layer_group.attrs["weight_names"] = np.array([n.encode() for n in names], dtype="S")
            for weight_name, variable in zip(names, layer.weights):
                layer_group.create_dataset(weight_name, data=np.asarray(variable.numpy(), dtype=np.float32))
    return path
