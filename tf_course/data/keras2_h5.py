"""Keras 2 HDF5 weight files (``model.save`` / ``save_weights`` of Keras 2.x): read, assign to Keras 3, write.

The course ships several such files (YOLO's ``yolo.h5``, FaceNet, trigger word, date translation).
Keras 3 cannot always ``load_model`` them (Lambda layers, renamed arguments), but the weights are
plain HDF5, read here with h5py:

* full-model file (``model.save``): root attributes ``keras_version``, ``backend``, ``model_config``
  (JSON); group ``model_weights`` with attribute ``layer_names``;
* weights-only file (``save_weights``): ``layer_names`` at the root;
* per layer, a group with attribute ``weight_names`` (``dense_1/kernel:0``, ``lstm_1/recurrent_kernel:0``,
  ``bidirectional_1/forward_lstm_1/kernel:0``, ...) and one dataset per weight at that relative path.

A file layer's arrays go to the Keras 3 layer of the same name (or, optionally, paired by kind and
number, see :func:`pair_layers`); within a layer, weights are matched by short name (``kernel``,
``gamma``, ``embeddings``...) when those are unique, else taken in file order, which is Keras' own
order for Dense, Conv, BatchNormalization, Embedding, LSTM, GRU and Bidirectional. Every shape is
checked before anything is assigned. Nothing here knows any particular model.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from tf_course.atomic import atomic_output
from tf_course.data.validate import DataError, check_array, require_file

MATCHED_BY = ("name", "order")


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
        """``"kernel (3, 3, 3, 32), bias (32,)"``: the weights' short names and shapes, in file order."""
        return ", ".join(f"{short} {tuple(array.shape)}" for short, array in self.weights)


@dataclass(frozen=True)
class Keras2File:
    """The parts of a Keras 2 HDF5 file that matter here; ``layers`` lists only layers with weights, in file order."""

    path: Path
    layers: tuple[Keras2Layer, ...]
    model_config: dict | None
    keras_version: str | None

    def layer(self, name: str) -> Keras2Layer:
        """The file's layer ``name``; DataError naming the layers present when there is none."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise DataError(f"{self.path}: expected a layer {name!r} with weights, found {[x.name for x in self.layers]}")


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def short_weight_name(weight_name: str) -> str:
    """``"conv2d_1/kernel:0"`` -> ``"kernel"`` (Keras 2 file names and Keras 3 variable paths alike)."""
    return weight_name.rsplit("/", 1)[-1].split(":", 1)[0]


def read_keras2_h5(path: str | Path, what: str = "Keras 2 HDF5 weight file") -> Keras2File:
    """Read the weights (and model config, if any) of a Keras 2 HDF5 full-model or weights-only file.

    Args:
        path: the ``.h5`` file.
        what: how to name the file when it is missing (e.g. ``"... (e.g. model_data/yolo.h5)"``).

    Returns:
        A :class:`Keras2File`: layers with weights (float arrays, file order), the parsed
        ``model_config`` (None for a weights-only file) and the Keras version.

    Raises:
        FileNotFoundError: nothing at ``path``.
        DataError: not HDF5, truncated, no ``model_weights``/``layer_names``, a listed layer or
            weight missing, or a weight that is not a finite float array.
    """
    import h5py

    path = require_file(Path(path), what)
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
                    weights.append((short_weight_name(weight_name), array))
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


# --- the model_config JSON ---------------------------------------------------------------------------------------

def config_layers(model_config: dict | None) -> list[dict]:
    """The layer entries (``{"class_name": ..., "config": {...}}``) of a Keras 2 ``model_config``; [] if none."""
    if not isinstance(model_config, dict):
        return []
    config = model_config.get("config", {})
    found = config.get("layers", []) if isinstance(config, dict) else config if isinstance(config, list) else []
    return [layer for layer in found if isinstance(layer, dict)]  # Sequential of Keras 2.1: config is the list


def config_layer_name(layer: dict) -> str | None:
    """A ``model_config`` layer entry's name (Keras 2 puts it at the top level and/or in ``config``)."""
    return layer.get("name") or (layer.get("config") or {}).get("name")


def config_input_shape(model_config: dict | None) -> tuple[int | None, ...] | None:
    """The first ``InputLayer``'s shape without the batch axis (``batch_input_shape[1:]``), or None."""
    for layer in config_layers(model_config):
        if layer.get("class_name") == "InputLayer":
            config = layer.get("config") or {}
            shape = config.get("batch_input_shape") or config.get("batch_shape")
            if shape is not None and len(shape) >= 1:
                return tuple(shape[1:])
    return None


def config_epsilons(model_config: dict | None) -> dict[str, float]:
    """``{layer name: epsilon}`` of the config's BatchNormalization layers (Keras 2's default was 1e-3)."""
    return {config_layer_name(layer): float(layer["config"]["epsilon"]) for layer in config_layers(model_config)
            if layer.get("class_name") == "BatchNormalization" and "epsilon" in (layer.get("config") or {})}


# --- pairing the file's layers with a Keras 3 model's --------------------------------------------------------------

def _number(name: str) -> int | None:
    match = re.search(r"_(\d+)$", name)
    return None if match is None else int(match.group(1))


def in_number_order(items: list, name_of: Callable[[object], str]) -> list:
    """Items sorted by the number at the end of their name when every name has one, else as given."""
    numbers = [_number(name_of(item)) for item in items]
    if any(number is None for number in numbers):
        return list(items)
    return [item for _, item in sorted(zip(numbers, items), key=lambda pair: pair[0])]


def _prefix(name: str) -> str:
    """``"batch_normalization_12"`` -> ``"batch_normalization"``."""
    return re.sub(r"_\d+$", "", name)


def _variable_name(variable: keras.Variable) -> str:
    return variable.path.rsplit("/", 1)[-1]


def _model_kind(layer: keras.layers.Layer) -> frozenset[str]:
    return frozenset(_variable_name(v) for v in layer.weights)


def _weighted_layers(model: keras.Model) -> list[keras.layers.Layer]:
    return [layer for layer in model.layers if layer.weights]


def _by_name(model: keras.Model, file: Keras2File, model_description: str
             ) -> list[tuple[keras.layers.Layer, Keras2Layer]]:
    model_layers = {layer.name: layer for layer in _weighted_layers(model)}
    missing = [name for name in model_layers if name not in {layer.name for layer in file.layers}]
    unexpected = [layer.name for layer in file.layers if layer.name not in model_layers]
    if missing or unexpected:
        raise DataError(f"{file.path}: expected the {len(model_layers)} layers with weights of {model_description} "
                        f"by name, found {len(file.layers)}; missing layers: {missing or 'none'}; unexpected "
                        f"layers: {unexpected or 'none'}")
    return [(model_layers[layer.name], layer) for layer in file.layers]


def pair_layers(model: keras.Model, file: Keras2File, *, by_order: bool = True,
                model_description: str = "this model") -> tuple[list[tuple[keras.layers.Layer, Keras2Layer]], str]:
    """Pair the model's weighted layers with the file's: by name when the names agree, else by kind and number.

    "By kind and number" (``by_order=True``): layers with the same set of weight names (a conv
    without bias, a batch norm, ...) and, when both sides have the same name prefixes, the same
    prefix (``lstm`` / ``gru``), are paired in the order of the numbers ending their names, e.g. a
    file saved from the second model of a Keras 2 session (``conv2d_24``, ...) onto ``conv2d_1``, ...

    Returns:
        ``(pairs, matched_by)`` with ``matched_by`` ``"name"`` or ``"order"``.

    Raises:
        DataError: the names differ and ``by_order`` is off, or the layer counts of a kind differ
            (naming missing and unexpected layers).
    """
    model_layers = _weighted_layers(model)
    by_name = {layer.name: layer for layer in model_layers}
    if {layer.name for layer in file.layers} == set(by_name) and len(file.layers) == len(by_name):
        return [(by_name[layer.name], layer) for layer in file.layers], "name"
    if not by_order:
        return _by_name(model, file, model_description), "name"  # raises, naming the differences
    # Group by weight names, and by name prefix too ("lstm" vs "gru": same weight names) when the prefixes agree.
    ours_keys = [(_model_kind(layer), _prefix(layer.name)) for layer in model_layers]
    theirs_keys = [(layer.kind, _prefix(layer.name)) for layer in file.layers]
    with_prefix = Counter(ours_keys) == Counter(theirs_keys)
    key_of_ours = dict(zip((id(x) for x in model_layers), ours_keys if with_prefix else
                           [(kind, "") for kind, _ in ours_keys]))
    key_of_theirs = dict(zip((id(x) for x in file.layers), theirs_keys if with_prefix else
                             [(kind, "") for kind, _ in theirs_keys]))
    pairs = []
    for key in sorted(set(key_of_ours.values()) | set(key_of_theirs.values()), key=lambda k: (sorted(k[0]), k[1])):
        kind = key[0]
        ours = in_number_order([x for x in model_layers if key_of_ours[id(x)] == key], lambda x: x.name)
        theirs = in_number_order([x for x in file.layers if key_of_theirs[id(x)] == key], lambda x: x.name)
        if len(ours) != len(theirs):
            missing = sorted(set(by_name) - {layer.name for layer in file.layers}, key=lambda n: (_number(n) or 0, n))
            unexpected = sorted({layer.name for layer in file.layers} - set(by_name))
            raise DataError(
                f"{file.path}: expected {len(model_layers)} layers with weights for {model_description} "
                f"({len(ours)} with weights {sorted(kind)}), found {len(file.layers)} ({len(theirs)} with those "
                f"weights); missing layers: {missing or 'none'}; unexpected layers: {unexpected or 'none'}")
        pairs.extend(zip(ours, theirs))
    return pairs, "order"


def assign_pairs(pairs: Sequence[tuple[keras.layers.Layer, Keras2Layer]], path: Path) -> None:
    """Check every shape of every pair, then set the weights.

    Within a layer, arrays are matched to variables by short name when the names are unique on both
    sides and the same; otherwise (e.g. ``Bidirectional``: ``kernel`` twice) in file order.

    Raises:
        DataError: naming the file layer, the model layer, the weight, the expected and the found shape;
            nothing is assigned then.
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
        unique = len(arrays) == len(found.weights) and len(set(names)) == len(names)
        ordered = [arrays[n] for n in names] if unique and set(arrays) == set(names) else [a for _, a in found.weights]
        for name, variable, array in zip(names, layer.weights, ordered):
            if tuple(array.shape) != tuple(variable.shape):
                raise DataError(f"{where} weight {name!r}: expected shape {tuple(variable.shape)}, "
                                f"found {tuple(array.shape)}")
        plans.append((layer, ordered))
    for layer, arrays in plans:
        layer.set_weights([np.asarray(a, dtype=v.dtype) for a, v in zip(arrays, layer.weights)])


def load_weights_by_name(model: keras.Model, path: str | Path, *, by_order: bool = False,
                         model_description: str = "this model") -> tuple[Keras2File, str]:
    """Set a built Keras 3 model's weights from a Keras 2 HDF5 file, layer by layer.

    Every layer of ``model`` with weights must be in the file and vice versa (by name; with
    ``by_order``, by kind and number when the names differ, see :func:`pair_layers`). Shapes are
    all checked before any weight is assigned.

    Returns:
        ``(file, matched_by)``: what was read (its ``model_config`` may hold settings such as
        batch-norm epsilons, :func:`config_epsilons`) and ``"name"`` or ``"order"``.

    Raises:
        FileNotFoundError: nothing at ``path``.
        DataError: an unreadable file, missing or unexpected layers, a wrong weight count or shape
            (naming the layer, the weight, the expected and the found shape).
    """
    file = read_keras2_h5(path)
    pairs, matched_by = pair_layers(model, file, by_order=by_order, model_description=model_description)
    assign_pairs(pairs, file.path)
    return file, matched_by


# --- writing the layout ------------------------------------------------------------------------------------------

def keras2_model_config(model: keras.Model, class_name: Callable[[keras.layers.Layer], str] | None = None) -> dict:
    """A Keras-2-style ``model_config`` for ``model``: layer classes and names, the input shape,
    batch-norm epsilons and conv/dense sizes. ``class_name(layer)`` overrides a layer's class name
    (e.g. to write a custom layer as the ``Lambda`` Keras 2 used)."""
    layers = []
    for layer in model.layers:
        config: dict = {"name": layer.name}
        if isinstance(layer, keras.layers.InputLayer):
            config["batch_input_shape"] = [None, *model.input_shape[1:]]
        if isinstance(layer, keras.layers.BatchNormalization):
            config["epsilon"] = layer.epsilon
        if isinstance(layer, keras.layers.Conv2D):
            config.update(filters=layer.filters, kernel_size=list(layer.kernel_size), use_bias=layer.use_bias)
        if isinstance(layer, keras.layers.Dense):
            config.update(units=layer.units, use_bias=layer.use_bias)
        name = class_name(layer) if class_name is not None else type(layer).__name__
        layers.append({"class_name": name, "name": layer.name, "config": config})
    return {"class_name": "Model", "config": {"name": model.name, "layers": layers}}


def _file_weight_names(layer: keras.layers.Layer) -> list[str]:
    """Keras 2 names ``<layer>/<weight>:0``; where short names repeat (Bidirectional), the path below the layer."""
    shorts = [_variable_name(v) for v in layer.weights]
    if len(set(shorts)) == len(shorts):
        return [f"{layer.name}/{short}:0" for short in shorts]
    names = []
    for variable in layer.weights:
        parts = variable.path.split("/")
        below = parts[parts.index(layer.name) + 1:] if layer.name in parts else parts[-1:]
        names.append(f"{layer.name}/{'/'.join(below)}:0")
    return names


def write_keras2_h5(model: keras.Model, path: str | Path, *, full_model: bool = True,
                    keras_version: str = "2.1.5", model_config: dict | None = None) -> Path:
    """Write ``model``'s weights in the Keras 2 HDF5 layout (full-model file or, with ``full_model=False``,
    weights-only), atomically, e.g. to make test fixtures or hand weights to Keras 2 tools.

    Weight names are Keras 2's ``<layer>/<weight>:0``; layers appear in ``model.layers`` order;
    arrays are float32. ``model_config`` defaults to :func:`keras2_model_config`.
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
            names = _file_weight_names(layer)
            layer_group.attrs["weight_names"] = np.array([n.encode() for n in names], dtype="S")
            for weight_name, variable in zip(names, layer.weights):
                layer_group.create_dataset(weight_name, data=np.asarray(variable.numpy(), dtype=np.float32))
    return path
