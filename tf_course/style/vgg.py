"""VGG19 feature extractor (Keras 3 functional, Keras' layer names) and every weight file the course used.

The network is VGG19's 16 convolutions (3x3, same padding, ReLU) in five blocks of 2, 2, 4, 4, 4
layers, named ``block1_conv1`` ... ``block5_conv4`` as in ``keras.applications.VGG19``, with a
2x2 pooling after each of the first four blocks (``block1_pool`` ...; max pooling as in Keras and
the TF2 course, or average pooling as in the TF1 course's ``load_vgg_model``). Its input is RGB
images in [0, 1] of any size (m, H, W, 3); a :class:`~tf_course.style.layers.VGGPreprocess` layer
first turns them into what the weights expect (Caffe/Keras: ``255 x`` minus the ImageNet mean,
channels reversed to BGR).

Weights (:func:`load_vgg19`):

* Keras' ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`` (the TF2 course): read layer by
  name with :mod:`tf_course.data.keras2_h5`;
* MatConvNet's ``imagenet-vgg-verydeep-19.mat`` (the TF1 course): ``conv1_1`` ... ``conv5_4`` become
  ``block1_conv1`` ... ``block5_conv4``; MatConvNet's first layer reads RGB, so its kernel's input
  channels are reversed to take the same BGR input as the Keras weights, and the file's own
  average image (``normalization.averageImage``, else the course's ``MEANS``) is subtracted;
* a ``.keras`` file of this extractor or of ``keras.applications.VGG19`` (a re-save of either);
* none: seeded random weights (``weights: random``). Random VGG features still transfer colour
  and texture (He, Wang and Hopcroft, NeurIPS 2016), so the offline run is a real, weaker, style
  transfer; every report of it says ``weights: random``.

A file that is named but missing or unreadable is an error, never a fall-back to random weights.
Channel widths are read from the file (64, 128, 256, 512, 512 for VGG19), so tests can use small
files of the same structure.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from tf_course.data.course_files import find_course_file
from tf_course.data.validate import DataError, require_file
from tf_course.style.layers import IMAGENET_MEAN_RGB, VGGPreprocess

#: convolutions per block of VGG19
BLOCK_DEPTHS = (2, 2, 4, 4, 4)
#: output channels per block of VGG19
VGG19_WIDTHS = (64, 128, 256, 512, 512)
CONV_NAMES = tuple(f"block{b}_conv{i}" for b, depth in enumerate(BLOCK_DEPTHS, 1) for i in range(1, depth + 1))
KERAS_H5 = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
MATCONVNET_MAT = "imagenet-vgg-verydeep-19.mat"
#: where the course keeps the files, relative to the data directory (also found flat in it)
COURSE_WEIGHT_FILES = (f"nst/pretrained-model/{KERAS_H5}", f"pretrained-model/{KERAS_H5}", f"nst/{KERAS_H5}",
                       f"nst/pretrained-model/{MATCONVNET_MAT}", f"pretrained-model/{MATCONVNET_MAT}",
                       f"nst/{MATCONVNET_MAT}")
POOLINGS = ("max", "avg")


@dataclass
class VGGWeights:
    """Weights of the 16 convolutions in Keras layout: ``{name: (kernel (3, 3, in, out), bias (out,))}``.

    Attributes:
        kind: ``"keras_h5"``, ``"matconvnet"``, ``"keras"`` or ``"random"``.
        path: the file (None for random weights).
        mean_rgb: the mean pixel to subtract (R, G, B in 0..255), with BGR input (see VGGPreprocess).
        seed: the seed of random weights.
    """

    kind: str
    path: Path | None = None
    layers: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    mean_rgb: tuple[float, float, float] = IMAGENET_MEAN_RGB
    seed: int | None = None

    def describe(self) -> str:
        """``"random (seed 0)"`` or ``"keras_h5 /path/to/file.h5"``: what ``weights:`` reports."""
        return f"random (seed {self.seed})" if self.kind == "random" else f"{self.kind} {self.path}"

    def widths(self) -> tuple[int, ...]:
        """Output channels per block, from the kernels (VGG19: 64, 128, 256, 512, 512)."""
        return tuple(self.layers[f"block{b}_conv1"][0].shape[-1] for b in range(1, len(BLOCK_DEPTHS) + 1))


def build_vgg19(
    weights: VGGWeights | None = None,
    *,
    widths: Sequence[int] = VGG19_WIDTHS,
    pooling: str = "max",
    seed: int = 0,
    name: str = "vgg19_features",
) -> keras.Model:
    """The VGG19 convolutional body: RGB images in [0, 1] (m, H, W, 3) -> block5_conv4 (m, H/16, W/16, 512).

    Args:
        weights: the weights to set (their widths and mean pixel are used); None: random weights.
        widths: output channels per block when ``weights`` is None.
        pooling: ``"max"`` (Keras, TF2 course) or ``"avg"`` (TF1 course).
        seed: seed of the random initialisation (each layer its own, derived from it).
        name: the model's name.
    """
    if pooling not in POOLINGS:
        raise ValueError(f"build_vgg19: expected pooling in {POOLINGS}, found {pooling!r}")
    if weights is not None:
        widths = weights.widths()
    if len(widths) != len(BLOCK_DEPTHS):
        raise ValueError(f"build_vgg19: expected {len(BLOCK_DEPTHS)} block widths, found {list(widths)}")
    mean_rgb = IMAGENET_MEAN_RGB if weights is None else weights.mean_rgb
    images = keras.Input((None, None, 3), name="image")
    x = VGGPreprocess(mean_rgb=mean_rgb)(images)
    index = 0
    for block, (depth, width) in enumerate(zip(BLOCK_DEPTHS, widths), 1):
        if block > 1:
            pool = keras.layers.MaxPooling2D if pooling == "max" else keras.layers.AveragePooling2D
            x = pool(2, strides=2, name=f"block{block - 1}_pool")(x)
        for i in range(1, depth + 1):
            x = keras.layers.Conv2D(int(width), 3, padding="same", activation="relu", name=f"block{block}_conv{i}",
                                    kernel_initializer=keras.initializers.GlorotUniform(seed=seed * 1000 + index),
                                    bias_initializer="zeros")(x)
            index += 1
    model = keras.Model(images, x, name=name)
    if weights is not None and weights.kind != "random":
        set_vgg_weights(model, weights)
    return model


def set_vgg_weights(model: keras.Model, weights: VGGWeights) -> None:
    """Set the 16 convolutions of ``model`` from ``weights`` (all shapes checked first)."""
    where = weights.path or weights.kind
    plans = []
    for conv in CONV_NAMES:
        layer = model.get_layer(conv)
        kernel, bias = weights.layers[conv]
        for what, array, variable in (("kernel", kernel, layer.kernel), ("bias", bias, layer.bias)):
            if tuple(array.shape) != tuple(variable.shape):
                raise DataError(f"{where}: layer {conv!r} {what}: expected shape {tuple(variable.shape)}, "
                                f"found {tuple(array.shape)}")
        plans.append((layer, kernel, bias))
    for layer, kernel, bias in plans:
        layer.set_weights([np.asarray(kernel, np.float32), np.asarray(bias, np.float32)])


def feature_extractor(body: keras.Model, layer_names: Sequence[str], name: str = "vgg19_extractor") -> keras.Model:
    """A model sharing ``body``'s layers: images (m, H, W, 3) in [0, 1] -> the outputs of ``layer_names``, in order.

    The course's ``get_layer_outputs(vgg, STYLE_LAYERS + [content_layer])``.
    """
    unknown = [n for n in layer_names if n not in {layer.name for layer in body.layers}]
    if unknown:
        raise ValueError(f"feature_extractor: expected VGG19 layer names ({', '.join(CONV_NAMES)}), found {unknown}")
    return keras.Model(body.input, [body.get_layer(n).output for n in layer_names], name=name)


# --- reading weight files -------------------------------------------------------------------------------------------

def _check_chain(path: Path, layers: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Every kernel (3, 3, in, out) with in = the previous out (3 first), bias (out,), widths constant per block."""
    previous = 3
    for conv in CONV_NAMES:
        kernel, bias = layers[conv]
        block_first = layers[conv.split("_")[0] + "_conv1"][0]
        if kernel.ndim != 4 or kernel.shape[:3] != (3, 3, previous) or kernel.shape[3] != block_first.shape[-1]:
            raise DataError(f"{path}: layer {conv!r}: expected a kernel of shape (3, 3, {previous}, "
                            f"{block_first.shape[-1] if conv != 'block1_conv1' else 'n'}), found {kernel.shape}")
        if bias.shape != (kernel.shape[3],):
            raise DataError(f"{path}: layer {conv!r}: expected a bias of shape ({kernel.shape[3]},), "
                            f"found {bias.shape}")
        if not (np.all(np.isfinite(kernel)) and np.all(np.isfinite(bias))):
            raise DataError(f"{path}: layer {conv!r}: expected finite weights, found NaN or infinity")
        previous = kernel.shape[3]


def _missing(path: Path, found: Sequence[str], what: str, listed: Sequence[str] | None = None) -> DataError:
    """``found``: the convolutions read (Keras names); ``listed``: the file's own layer names (default ``found``)."""
    missing = [n for n in CONV_NAMES if n not in found]
    listed = found if listed is None else listed
    return DataError(f"{path}: expected the 16 VGG19 convolutions {what}, found {len(CONV_NAMES) - len(missing)} "
                     f"(missing {', '.join(missing)}; layers in the file: {', '.join(listed) or 'none'})")


def read_keras_h5(path: str | Path) -> VGGWeights:
    """Keras' VGG19 weights file (``save_weights`` layout, layers ``block1_conv1`` ...): Keras layout already."""
    from tf_course.data.keras2_h5 import read_keras2_h5

    file = read_keras2_h5(path, what=f"VGG19 weights ({KERAS_H5})")
    by_name = {layer.name: layer for layer in file.layers}
    if not set(CONV_NAMES) <= set(by_name):
        raise _missing(file.path, list(by_name), f"({', '.join(CONV_NAMES[:2])}, ...)")
    layers = {}
    for conv in CONV_NAMES:
        arrays = [np.asarray(a, np.float32) for _, a in by_name[conv].weights]
        kernels = [a for a in arrays if a.ndim == 4]
        biases = [a for a in arrays if a.ndim == 1]
        if len(arrays) != 2 or len(kernels) != 1 or len(biases) != 1:
            raise DataError(f"{file.path}: layer {conv!r}: expected a kernel and a bias, found "
                            f"{by_name[conv].describe()}")
        layers[conv] = (kernels[0], biases[0])
    _check_chain(file.path, layers)
    return VGGWeights("keras_h5", file.path, layers)


def _field(struct: object, *names: str) -> object:
    for name in names:
        if hasattr(struct, name):
            return getattr(struct, name)
    return None


def _text(value: object) -> str:
    return str(np.asarray(value).squeeze()) if value is not None else ""


def read_matconvnet(path: str | Path) -> VGGWeights:
    """MatConvNet's ``imagenet-vgg-verydeep-19.mat``: ``layers`` (a cell array of structs with ``name``,
    ``type`` and ``weights`` = {W (3, 3, in, out), b}) -> Keras layout.

    ``conv{b}_{i}`` becomes ``block{b}_conv{i}``; ``conv1_1``'s input channels are reversed (RGB ->
    the BGR input of :class:`VGGPreprocess`); the mean pixel is the file's
    ``normalization.averageImage`` averaged over its pixels (R, G, B), else the course's MEANS
    (123.68, 116.779, 103.939). The fully connected layers (fc6 ...) are ignored.
    """
    from tf_course.data.course_mat import MatKey, load_mat

    path = Path(path)
    arrays = load_mat(path, {"layers": MatKey(None, "O")}, what=f"VGG19 weights ({MATCONVNET_MAT})",
                      struct_as_record=False, squeeze_me=True)
    layers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    names = []
    for layer in np.atleast_1d(arrays["layers"]).ravel():
        name = _text(_field(layer, "name"))
        names.append(name)
        if not (name.startswith("conv") and "_" in name):
            continue
        block, _, index = name[4:].partition("_")
        weights = _field(layer, "weights")
        if weights is not None:
            parts = list(np.atleast_1d(np.asarray(weights, dtype=object)).ravel())
        else:
            parts = [_field(layer, "filters"), _field(layer, "biases")]
        if len(parts) != 2 or any(p is None for p in parts):
            raise DataError(f"{path}: layer {name!r}: expected weights {{W, b}}, found {len(parts)} arrays")
        kernel = np.asarray(parts[0], np.float32)
        bias = np.asarray(parts[1], np.float32).reshape(-1)
        if kernel.ndim != 4:
            raise DataError(f"{path}: layer {name!r}: expected a kernel (3, 3, in, out), found shape {kernel.shape}")
        layers[f"block{block}_conv{index}"] = (kernel, bias)
    if not set(CONV_NAMES) <= set(layers):
        raise _missing(path, list(layers), "(conv1_1, conv1_2, ...)", names)
    layers = {conv: layers[conv] for conv in CONV_NAMES}
    kernel, bias = layers["block1_conv1"]
    layers["block1_conv1"] = (np.ascontiguousarray(kernel[:, :, ::-1, :]), bias)  # RGB -> BGR input channels
    _check_chain(path, layers)
    return VGGWeights("matconvnet", path, layers, mean_rgb=_matconvnet_mean(path))


def _matconvnet_mean(path: Path) -> tuple[float, float, float]:
    """The file's average image per channel (R, G, B), from ``normalization`` or ``meta.normalization``."""
    import scipy.io

    from tf_course.data.course_mat import MatKey, load_mat

    try:
        names = {name for name, _, _ in scipy.io.whosmat(path)}
    except Exception:  # the file was read a moment ago; no normalisation then
        names = set()
    key = "normalization" if "normalization" in names else "meta" if "meta" in names else None
    if key is None:
        return IMAGENET_MEAN_RGB
    value = load_mat(path, {key: MatKey()}, struct_as_record=False, squeeze_me=True)[key]
    struct = value.item() if isinstance(value, np.ndarray) and value.dtype == object and value.size == 1 else value
    if key == "meta":
        struct = _field(struct, "normalization")
    average = _field(struct, "averageImage") if struct is not None else None
    if average is None:
        return IMAGENET_MEAN_RGB
    average = np.asarray(average, np.float64)
    if average.size < 3 or average.shape[-1] != 3 or not np.all(np.isfinite(average)):
        raise DataError(f"{path}: normalization.averageImage: expected (..., 3) finite values, found {average.shape}")
    mean = average.reshape(-1, 3).mean(axis=0)
    return (float(mean[0]), float(mean[1]), float(mean[2]))


def _walk(layer: keras.layers.Layer) -> list[keras.layers.Layer]:
    found = [layer]
    for sub in getattr(layer, "layers", []) or []:
        found.extend(_walk(sub))
    return found


def read_keras_file(path: str | Path) -> VGGWeights:
    """A ``.keras`` file of this extractor (its VGGPreprocess mean is kept) or of ``keras.applications.VGG19``."""
    path = require_file(Path(path), "VGG19 weights (.keras)")
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as exc:  # zip, JSON and h5 errors alike: not a loadable .keras file
        raise DataError(f"{path}: expected a .keras model file with VGG19 layers, could not load it "
                        f"({type(exc).__name__}: {exc})") from exc
    by_name = {layer.name: layer for layer in _walk(model)}
    if not set(CONV_NAMES) <= set(by_name):
        raise _missing(path, [n for n, layer in by_name.items() if layer.weights], "(block1_conv1, ...)")
    layers = {}
    for conv in CONV_NAMES:
        arrays = by_name[conv].get_weights()
        if len(arrays) != 2:
            raise DataError(f"{path}: layer {conv!r}: expected a kernel and a bias, found {len(arrays)} arrays")
        layers[conv] = (np.asarray(arrays[0], np.float32), np.asarray(arrays[1], np.float32))
    _check_chain(path, layers)
    preprocess = [layer for layer in by_name.values() if isinstance(layer, VGGPreprocess)]
    mean = tuple(preprocess[0].mean_rgb) if preprocess else IMAGENET_MEAN_RGB
    return VGGWeights("keras", path, layers, mean_rgb=mean)  # type: ignore[arg-type]


def read_vgg_weights(path: str | Path) -> VGGWeights:
    """Read a VGG19 weight file by its suffix: ``.h5``/``.hdf5`` (Keras), ``.mat`` (MatConvNet), ``.keras``.

    Raises:
        FileNotFoundError: nothing at ``path``.
        DataError: an unknown suffix, or a file that is not what its suffix says, or not VGG19.
    """
    path = Path(path)
    require_file(path, "VGG19 weights")
    suffix = path.suffix.lower()
    if suffix in (".h5", ".hdf5"):
        return read_keras_h5(path)
    if suffix == ".mat":
        return read_matconvnet(path)
    if suffix == ".keras":
        return read_keras_file(path)
    raise DataError(f"{path}: expected VGG19 weights as {KERAS_H5} (.h5), {MATCONVNET_MAT} (.mat) or a .keras "
                    f"file, found the suffix {suffix or '(none)'!r}")


def find_vgg_weights(data_dir: str | os.PathLike[str] | None) -> Path | None:
    """The course's VGG19 weight file under ``data_dir`` (the Keras .h5 first, then the .mat), or None."""
    for relative in COURSE_WEIGHT_FILES:
        found = find_course_file(relative, data_dir)
        if found is not None:
            return found
    return None


def load_vgg19(
    weights: str | Path | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    seed: int = 0,
    pooling: str = "max",
    download: bool = False,
) -> tuple[keras.Model, VGGWeights]:
    """The VGG19 body with the best weights available, and what they are.

    Order: ``weights`` (a file; an error if missing or unreadable), the course's files under
    ``data_dir``, ``keras.applications`` ImageNet weights with ``download``, else seeded random
    weights (``VGGWeights.kind == "random"``: say so).
    """
    if weights is None:
        weights = find_vgg_weights(data_dir)
    if weights is not None:
        read = read_vgg_weights(weights)
        return build_vgg19(read, pooling=pooling), read
    if download:
        applications = keras.applications.VGG19(include_top=False, weights="imagenet")
        layers = {conv: tuple(applications.get_layer(conv).get_weights()) for conv in CONV_NAMES}
        read = VGGWeights("keras", Path("~/.keras/models", KERAS_H5).expanduser(), layers)  # where Keras caches it
        return build_vgg19(read, pooling=pooling), read
    random = VGGWeights("random", seed=int(seed))
    return build_vgg19(None, pooling=pooling, seed=seed), random
