"""One entry point for YOLOv2 weight files, and their conversion to Keras 3 ``.keras``.

* ``.h5`` / ``.hdf5``: the course's Keras 2 ``model_data/yolo.h5`` (YAD2K), :mod:`.keras2_h5`;
* ``.cfg`` + ``.weights``: the original Darknet release, :mod:`.darknet` (give either file when the
  other lies beside it with the same stem, or both);
* ``.keras``: a Keras 3 file written by :func:`convert_to_keras`, with its :class:`YoloModelInfo`
  (anchors included when the source had them) in a ``<name>.keras.json`` file beside it.

Files with another suffix are recognised by their first bytes (HDF5 or zip signature).
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import keras

from tf_course.atomic import atomic_output, write_json_atomic
from tf_course.data.validate import DataError
from tf_course.detection.darknet import load_darknet
from tf_course.detection.keras2_h5 import DEFAULT_NUM_ANCHORS, load_keras2_h5
from tf_course.detection.yolov2 import YoloModelInfo

H5_SUFFIXES = (".h5", ".hdf5")
CFG_SUFFIX, WEIGHTS_SUFFIX = ".cfg", ".weights"
KERAS_SUFFIX = ".keras"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"


def info_path(keras_path: str | Path) -> Path:
    """Where :func:`convert_to_keras` keeps a ``.keras`` file's :class:`YoloModelInfo`: ``<name>.keras.json``."""
    keras_path = Path(keras_path)
    return keras_path.with_name(keras_path.name + ".json")


def weight_format(path: str | Path) -> str:
    """``"keras2_h5"``, ``"darknet"`` or ``"keras"`` from the suffix, else from the file's first bytes.

    Raises:
        FileNotFoundError: nothing at ``path``. ValueError: a file of none of these kinds.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in H5_SUFFIXES:
        return "keras2_h5"
    if suffix in (CFG_SUFFIX, WEIGHTS_SUFFIX):
        return "darknet"
    if suffix == KERAS_SUFFIX:
        return "keras"
    if not path.is_file():
        raise FileNotFoundError(f"YOLO weights: expected a file at {path}, found nothing there")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(HDF5_SIGNATURE):
        return "keras2_h5"
    if head.startswith(ZIP_SIGNATURE):
        return "keras"
    raise ValueError(f"{path}: expected YOLO weights as .h5/.hdf5 (Keras 2, YAD2K), .cfg + .weights (Darknet) or "
                     f".keras (Keras 3), found suffix {path.suffix!r} and neither an HDF5 nor a zip signature")


def darknet_pair(path: str | Path, other_path: str | Path | None = None) -> tuple[Path, Path]:
    """(cfg, weights) from one of them (the other beside it, same stem) or both, in either order.

    Raises:
        FileNotFoundError: a file is missing. ValueError: two paths that are not one cfg and one weights file.
    """
    path = Path(path)
    if other_path is None:
        is_cfg = path.suffix.lower() == CFG_SUFFIX
        other = path.with_suffix(WEIGHTS_SUFFIX if is_cfg else CFG_SUFFIX)
        cfg, weights = (path, other) if is_cfg else (other, path)
    else:
        paths = sorted([path, Path(other_path)], key=lambda p: p.suffix.lower() != CFG_SUFFIX)
        cfg, weights = paths
        if cfg.suffix.lower() != CFG_SUFFIX or weights.suffix.lower() == CFG_SUFFIX:
            raise ValueError(f"Darknet weights: expected one .cfg and one .weights path, found {path} and {other_path}")
    for what, file in (("Darknet cfg", cfg), ("Darknet weights", weights)):
        if not file.is_file():
            raise FileNotFoundError(f"{what}: expected a file at {file} (beside {path}), found nothing there")
    return cfg, weights


def info_from_model(model: keras.Model, num_anchors: int, *, format: str, source: str,
                    notes: tuple[str, ...] = ()) -> YoloModelInfo:
    """A :class:`YoloModelInfo` read off a model's input and (batch, gh, gw, A*(5+C)) output shapes.

    Raises:
        DataError: an output that is not rank 4 with a multiple of ``num_anchors`` channels above 5 each.
    """
    output_shape = model.output_shape
    channels = output_shape[-1] if isinstance(output_shape, tuple) and len(output_shape) == 4 else None
    if channels is None or channels % num_anchors or channels // num_anchors <= 5:
        raise DataError(f"{source}: expected a model with a (batch, grid_h, grid_w, {num_anchors} x (5 + classes)) "
                        f"output, found {output_shape}")
    return YoloModelInfo(format=format, source=source, input_shape=tuple(model.input_shape[1:]),
                         num_anchors=num_anchors, num_classes=channels // num_anchors - 5, notes=notes)


def _load_keras(path: Path, num_anchors: int) -> tuple[keras.Model, YoloModelInfo]:
    if not path.is_file():
        raise FileNotFoundError(f"Keras YOLO model: expected a file at {path}, found nothing there")
    try:
        model = keras.saving.load_model(path)
    except (ValueError, OSError, zipfile.BadZipFile, KeyError) as exc:
        raise DataError(f"{path}: expected a Keras 3 .keras model file, could not load it ({exc})") from exc
    sidecar = info_path(path)
    if sidecar.is_file():
        try:
            saved = YoloModelInfo.from_json(json.loads(sidecar.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise DataError(f"{sidecar}: expected the YoloModelInfo JSON written by convert_to_keras ({exc})") from exc
        channels = model.output_shape[-1]
        if channels != saved.num_anchors * (5 + saved.num_classes):
            raise DataError(f"{sidecar}: says {saved.num_anchors} anchors x (5 + {saved.num_classes}) output channels, "
                            f"found a model with {channels} in {path}; the JSON belongs to another model")
        notes = (f"converted from {saved.format} {saved.source}", *saved.notes)
        return model, replace(saved, format="keras", source=str(path), notes=notes)
    info = info_from_model(model, num_anchors, format="keras", source=str(path),
                           notes=(f"no {sidecar.name}: num_anchors assumed {num_anchors}",))
    return model, info


def load_yolo_weights(
    path: str | Path,
    other_path: str | Path | None = None,
    *,
    num_anchors: int = DEFAULT_NUM_ANCHORS,
    input_shape: tuple[int | None, int | None, int] | None = None,
    reorg_mode: str = "darknet",
    name: str = "yolov2",
) -> tuple[keras.Model, YoloModelInfo]:
    """Load a YOLOv2 from any supported file: (batch, H, W, 3) images -> (batch, H/32, W/32, A*(5+C)) raw outputs.

    Args:
        path: ``.h5``/``.hdf5``, ``.cfg`` or ``.weights`` (the other Darknet file beside it), or ``.keras``.
        other_path: the second Darknet file, when it is not beside the first with the same stem.
        num_anchors: A for files that do not say (Keras 2 HDF5, ``.keras`` without its JSON).
        input_shape: input size for a Keras 2 HDF5 file (default: its model config, else 608x608).
        reorg_mode: Darknet ``[reorg]`` order (see :class:`tf_course.detection.yolov2.SpaceToDepth`).
        name: the model's name (HDF5 and Darknet).

    Returns:
        ``(model, info)``.

    Raises:
        FileNotFoundError: a missing file. ValueError (DataError): an unknown, corrupt or mismatched file.
    """
    path = Path(path)
    kind = weight_format(path)
    if other_path is not None and kind != "darknet":
        raise ValueError(f"{path}: a second path ({other_path}) only goes with Darknet .cfg/.weights files")
    if kind == "darknet":
        cfg, weights = darknet_pair(path, other_path)
        return load_darknet(cfg, weights, reorg_mode=reorg_mode, name=name)
    if kind == "keras2_h5":
        return load_keras2_h5(path, num_anchors=num_anchors, input_shape=input_shape, name=name)
    return _load_keras(path, num_anchors)


def _keras_destination(dst_path: str | Path) -> Path:
    dst = Path(dst_path)
    if dst.suffix != KERAS_SUFFIX:
        raise ValueError(f"expected a Keras 3 destination ending in {KERAS_SUFFIX}, found {dst}")
    return dst


def save_keras_atomic(model: keras.Model, dst_path: str | Path) -> Path:
    """``model.save`` to a temporary ``.keras`` file beside ``dst_path``, then rename it over ``dst_path``."""
    dst = _keras_destination(dst_path)
    with atomic_output(dst) as tmp:  # the temporary name keeps the .keras suffix Keras asks for
        model.save(tmp)
    return dst


def convert_to_keras(
    src: str | Path | keras.Model,
    dst_path: str | Path,
    other_path: str | Path | None = None,
    *,
    info: YoloModelInfo | None = None,
    **load_options: object,
) -> tuple[Path, YoloModelInfo]:
    """Re-save YOLO weights (any file :func:`load_yolo_weights` reads, or a model) as a Keras 3 ``.keras`` file.

    The model is written atomically (temporary file in the same folder, then ``os.replace``), and
    its info as ``<dst>.json`` beside it (:func:`info_path`), also atomically.

    Args:
        src: a weight file path, or a ``keras.Model`` (then ``info`` describes it, if known).
        dst_path: the ``.keras`` file to write.
        other_path, load_options: passed to :func:`load_yolo_weights`.

    Returns:
        ``(dst_path, info)`` with ``info`` describing the source.
    """
    dst = _keras_destination(dst_path)
    if isinstance(src, keras.Model):
        model = src
        if info is None:
            anchors = int(load_options.get("num_anchors", DEFAULT_NUM_ANCHORS))
            info = info_from_model(model, anchors, format="model", source=f"model {model.name!r}")
    else:
        model, info = load_yolo_weights(src, other_path, **load_options)
    save_keras_atomic(model, dst)
    write_json_atomic(info_path(dst), info.to_json())
    return dst, info
