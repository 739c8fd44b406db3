"""Darknet ``yolov2.cfg`` + ``yolov2.weights`` (the original YOLOv2 release) -> a Keras 3 model, and back.

The cfg is parsed into a functional model section by section. Supported sections: ``[net]``
(``width``, ``height``, ``channels``), ``[convolutional]`` (``batch_normalize``, ``filters``, ``size``,
``stride``, ``pad``/``padding``, ``activation`` leaky or linear), ``[maxpool]`` (``size``, ``stride``,
``padding`` where Keras ``valid``/``same`` pooling reproduces it), ``[route]`` (one or more
``layers``, negative = relative, else absolute), ``[reorg]`` (``stride``) and a final ``[region]``
(``anchors``, ``classes``, ``num``, ``coords``). Layers are named like YAD2K's (``conv2d_i``,
``batch_normalization_i`` and ``leaky_re_lu_i`` with i the convolution's number in cfg order,
``max_pooling2d_j``, ``concatenate_j``, ``space_to_depth_x2``), so ``yolov2.cfg`` gives the layer
names and parameter count (50,983,561) of :func:`tf_course.detection.yolov2.build_yolov2`.

The ``.weights`` file: int32 major, minor, revision; ``seen`` as int64 when
major*10 + minor >= 2 (and both < 1000), else int32; then float32 values, for each convolution in
cfg order: biases, and with batch norm the scales (gamma), rolling means and rolling variances,
then the kernel as (out, in, h, w).

Batch norm: Darknet normalises with ``(x - mean) / (sqrt(var) + 1e-6)`` (epsilon on the standard
deviation), Keras with ``(x - mean) / sqrt(var + epsilon)``. No single Keras epsilon equals that for
every variance (it would have to be ``2e-6 * sqrt(var) + 1e-12``), so the loader uses
``epsilon = 1e-12`` and stores ``moving_variance = (sqrt(var) + 1e-6)**2 - 1e-12``: then
``sqrt(moving_variance + epsilon) = sqrt(var) + 1e-6`` and the outputs are Darknet's up to float32
rounding. :func:`write_darknet_weights` undoes this with each batch norm's own epsilon.

The ``[reorg]`` layer defaults to Darknet's own channel order (``reorg_mode="darknet"``); YAD2K
(and so the course's ``yolo.h5``) used TensorFlow's ``space_to_depth`` order instead (``"tensorflow"``).
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from tf_course.atomic import atomic_output
from tf_course.data.validate import DataError, require_file
from tf_course.detection.blocks import LEAKY_SLOPE
from tf_course.detection.yolov2 import (
    DARKNET19,
    HEAD_FILTERS,
    PASSTHROUGH_FILTERS,
    PASSTHROUGH_SOURCE,
    SPACE_TO_DEPTH_MODES,
    SpaceToDepth,
    YoloModelInfo,
)

DARKNET_BN_EPSILON = 1e-6  # added to sqrt(variance) by Darknet's normalize_cpu
KERAS_BN_EPSILON = 1e-12  # the Keras epsilon used for Darknet batch norms (see the module docstring)
SUPPORTED_SECTIONS = ("convolutional", "maxpool", "route", "reorg", "region")
ACTIVATIONS = ("leaky", "linear")
HEADER_INT64_SEEN_FROM = 2  # major * 10 + minor at or above this: ``seen`` is int64
#: yolov2.cfg's [region] anchors (COCO), (width, height) in grid cells; the course's yolo_anchors.txt.
COCO_ANCHORS = ((0.57273, 0.677385), (1.87446, 2.06253), (3.33843, 5.47434), (7.88282, 3.52778), (9.77052, 9.16828))


@dataclass(frozen=True)
class CfgSection:
    """One ``[kind]`` section of a cfg: its options as strings and the line it starts on."""

    kind: str
    options: dict[str, str]
    line: int
    source: str = "<cfg>"

    def where(self) -> str:
        return f"{self.source} line {self.line} [{self.kind}]"

    def integer(self, key: str, default: int | None = None, minimum: int | None = None) -> int:
        """Option ``key`` as an int (``default`` when absent; required when ``default`` is None)."""
        if key not in self.options:
            if default is None:
                raise DataError(f"{self.where()}: expected option {key!r}, found options {sorted(self.options)}")
            return default
        try:
            value = int(self.options[key])
        except ValueError:
            raise DataError(f"{self.where()}: expected an integer for {key!r}, found {self.options[key]!r}") from None
        if minimum is not None and value < minimum:
            raise DataError(f"{self.where()}: expected {key} >= {minimum}, found {value}")
        return value

    def require_defaults(self, defaults: dict[str, int]) -> None:
        """Raise for any of these integer options set to something other than its default (unsupported)."""
        for key, default in defaults.items():
            if self.integer(key, default) != default:
                raise DataError(f"{self.where()}: {key}={self.options[key]} is not supported by this converter "
                                f"(only {key}={default})")

    def integers(self, key: str) -> list[int]:
        try:
            return [int(part) for part in self.options[key].split(",") if part.strip()]
        except KeyError:
            raise DataError(f"{self.where()}: expected option {key!r}, found options {sorted(self.options)}") from None
        except ValueError:
            raise DataError(f"{self.where()}: expected comma-separated integers for {key!r}, "
                            f"found {self.options[key]!r}") from None

    def floats(self, key: str) -> list[float]:
        try:
            return [float(part) for part in self.options.get(key, "").split(",") if part.strip()]
        except ValueError:
            raise DataError(f"{self.where()}: expected comma-separated numbers for {key!r}, "
                            f"found {self.options[key]!r}") from None


def parse_cfg(text: str, source: str = "<cfg>") -> list[CfgSection]:
    """Split Darknet cfg text into sections; ``#``/``;`` start comments. The first section must be ``[net]``.

    Raises:
        DataError: a line that is neither ``[section]`` nor ``key=value``, an option before any
            section, or no ``[net]`` first.
    """
    sections: list[CfgSection] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"[#;]", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                raise DataError(f"{source} line {number}: expected a section header like [convolutional], "
                                f"found {raw!r}")
            sections.append(CfgSection(line[1:-1].strip().lower(), {}, number, source))
        elif "=" in line:
            if not sections:
                raise DataError(f"{source} line {number}: expected a [section] before options, found {raw!r}")
            key, value = line.split("=", 1)
            sections[-1].options[key.strip()] = value.strip()
        else:
            raise DataError(f"{source} line {number}: expected [section] or key=value, found {raw!r}")
    if not sections or sections[0].kind not in ("net", "network"):
        first = sections[0].kind if sections else "nothing"
        raise DataError(f"{source}: expected the cfg to start with a [net] section, found {first}")
    return sections


@dataclass(frozen=True)
class ConvSpec:
    """A ``[convolutional]`` section as built: its Keras layers and what its weights look like in the file."""

    index: int  # the i of conv2d_i, 1-based, cfg order
    filters: int
    size: int
    in_channels: int
    batch_normalize: bool
    conv: layers.Conv2D = field(repr=False)
    batch_norm: layers.BatchNormalization | None = field(repr=False)

    @property
    def num_floats(self) -> int:
        """biases (+ scales, means, variances) + kernel."""
        return self.filters * (4 if self.batch_normalize else 1) + self.filters * self.in_channels * self.size ** 2


@dataclass(frozen=True)
class RegionSpec:
    """The ``[region]`` section: anchors (A, 2) in grid cells, C classes, A anchors, ``coords`` = 4."""

    anchors: tuple[tuple[float, float], ...]
    num_classes: int
    num_anchors: int
    coords: int


@dataclass(frozen=True)
class DarknetNetwork:
    """A cfg built as a Keras model, with its convolutions in cfg (= weight file) order and its region."""

    model: keras.Model
    convs: tuple[ConvSpec, ...]
    region: RegionSpec | None
    input_shape: tuple[int, int, int]


class _Builder:
    """Walks the sections, keeping every layer's output tensor and (h, w, c) for routes."""

    def __init__(self, reorg_mode: str):
        self.reorg_mode = reorg_mode
        self.outputs: list[tuple[keras.KerasTensor, tuple[int, int, int]]] = []
        self.convs: list[ConvSpec] = []
        self.counts: dict[str, int] = {}
        self.region: RegionSpec | None = None

    def count(self, kind: str) -> int:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]

    def on_convolutional(self, section: CfgSection, x: keras.KerasTensor, shape: tuple[int, int, int]):
        h, w, c = shape
        filters = section.integer("filters", 1, minimum=1)
        size = section.integer("size", 1, minimum=1)
        stride = section.integer("stride", 1, minimum=1)
        padding = size // 2 if section.integer("pad", 0) else section.integer("padding", 0, minimum=0)
        batch_normalize = bool(section.integer("batch_normalize", 0))
        activation = section.options.get("activation", "logistic")
        section.require_defaults({"groups": 1, "dilation": 1, "binary": 0, "xnor": 0})
        if activation not in ACTIVATIONS:
            raise DataError(f"{section.where()}: expected activation one of {ACTIVATIONS}, found {activation!r}")
        out_h, out_w = ((n + 2 * padding - size) // stride + 1 for n in (h, w))  # Darknet's output size
        if out_h < 1 or out_w < 1:
            raise DataError(f"{section.where()}: a {size}x{size} convolution does not fit its {h}x{w} input")
        index = self.count("conv")
        if stride == 1 and 2 * padding == size - 1:
            keras_padding = "same"
        else:
            keras_padding = "valid"
            if padding:  # Darknet pads symmetrically; Keras "same" would pad more at the bottom/right
                x = layers.ZeroPadding2D(padding, name=f"zero_padding2d_{self.count('pad')}")(x)
        conv = layers.Conv2D(filters, size, strides=stride, padding=keras_padding, use_bias=not batch_normalize,
                             name=f"conv2d_{index}")
        x = conv(x)
        batch_norm = None
        if batch_normalize:
            batch_norm = layers.BatchNormalization(epsilon=KERAS_BN_EPSILON, name=f"batch_normalization_{index}")
            x = batch_norm(x)
        if activation == "leaky":
            x = layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"leaky_re_lu_{index}")(x)
        self.convs.append(ConvSpec(index, filters, size, c, batch_normalize, conv, batch_norm))
        return x, (out_h, out_w, filters)

    def on_maxpool(self, section: CfgSection, x: keras.KerasTensor, shape: tuple[int, int, int]):
        h, w, c = shape
        stride = section.integer("stride", 1, minimum=1)
        size = section.integer("size", stride, minimum=1)
        padding = section.integer("padding", size - 1, minimum=0)
        out = [(n + padding - size) // stride + 1 for n in (h, w)]  # Darknet: windows start at -padding // 2
        if padding // 2 == 0 and all(o == (n - size) // stride + 1 and n >= size for o, n in zip(out, (h, w))):
            keras_padding = "valid"
        elif all(o == math.ceil(n / stride) and padding // 2 == max((o - 1) * stride + size - n, 0) // 2
                 for o, n in zip(out, (h, w))):
            keras_padding = "same"
        else:
            raise DataError(f"{section.where()}: size={size} stride={stride} padding={padding} on a {h}x{w} input "
                            f"matches neither Keras 'valid' nor 'same' pooling; not supported")
        x = layers.MaxPooling2D(size, stride, padding=keras_padding, name=f"max_pooling2d_{self.count('pool')}")(x)
        return x, (out[0], out[1], c)

    def on_route(self, section: CfgSection, x: keras.KerasTensor, shape: tuple[int, int, int]):
        current = len(self.outputs)
        chosen = []
        for value in section.integers("layers"):
            index = current + value if value < 0 else value
            if not 0 <= index < current:
                raise DataError(f"{section.where()}: layers={section.options['layers']}: {value} refers to layer "
                                f"{index}, expected one of the {current} earlier layers (0..{current - 1})")
            chosen.append(self.outputs[index])
        if not chosen:
            raise DataError(f"{section.where()}: expected at least one layer in 'layers'")
        sizes = {s[:2] for _, s in chosen}
        if len(sizes) != 1:
            raise DataError(f"{section.where()}: expected routed layers of one height x width, found {sorted(sizes)}")
        if len(chosen) == 1:
            return chosen[0]
        x = layers.Concatenate(name=f"concatenate_{self.count('concat')}")([t for t, _ in chosen])
        h, w = sizes.pop()
        return x, (h, w, sum(s[2] for _, s in chosen))

    def on_reorg(self, section: CfgSection, x: keras.KerasTensor, shape: tuple[int, int, int]):
        h, w, c = shape
        stride = section.integer("stride", 1, minimum=1)
        section.require_defaults({"reverse": 0, "flatten": 0, "extra": 0})
        if h % stride or w % stride or (self.reorg_mode == "darknet" and c % (stride * stride)):
            raise DataError(f"{section.where()}: stride {stride} needs height and width multiples of {stride}"
                            + (f" and channels a multiple of {stride * stride}" if self.reorg_mode == "darknet" else "")
                            + f", found {h}x{w}x{c}")
        number = self.count("reorg")
        name = f"space_to_depth_x{stride}" + ("" if number == 1 else f"_{number}")
        x = SpaceToDepth(stride, mode=self.reorg_mode, name=name)(x)
        return x, (h // stride, w // stride, c * stride * stride)

    def on_region(self, section: CfgSection, x: keras.KerasTensor, shape: tuple[int, int, int]):
        num = section.integer("num", 1, minimum=1)
        classes = section.integer("classes", 20, minimum=1)
        section.require_defaults({"coords": 4})  # (x, y, w, h): the encoding yolo_head decodes
        coords = 4
        anchors = section.floats("anchors")
        if len(anchors) != 2 * num or any(a <= 0 for a in anchors):
            raise DataError(f"{section.where()}: expected {2 * num} positive anchor numbers for num={num}, "
                            f"found {len(anchors)}: {anchors}")
        if shape[2] != num * (coords + 1 + classes):
            raise DataError(f"{section.where()}: expected {num} x ({coords} + 1 + {classes}) = "
                            f"{num * (coords + 1 + classes)} input channels, found {shape[2]}")
        pairs = tuple((anchors[i], anchors[i + 1]) for i in range(0, len(anchors), 2))
        self.region = RegionSpec(pairs, classes, num, coords)
        return x, shape


def build_darknet_model(
    sections: list[CfgSection], *, reorg_mode: str = "darknet", name: str = "yolov2"
) -> DarknetNetwork:
    """Build the Keras model of parsed cfg ``sections`` (output: the input of ``[region]``, else the last layer).

    Args:
        sections: from :func:`parse_cfg`.
        reorg_mode: channel order of ``[reorg]``: ``"darknet"`` (Darknet's) or ``"tensorflow"`` (YAD2K's).
        name: the model's name.

    Raises:
        DataError: an unsupported section or option, a bad route, a size mismatch.
    """
    if reorg_mode not in SPACE_TO_DEPTH_MODES:
        raise ValueError(f"build_darknet_model: expected reorg_mode one of {SPACE_TO_DEPTH_MODES}, "
                         f"found {reorg_mode!r}")
    net = sections[0]
    input_shape = tuple(net.integer(key, minimum=1) for key in ("height", "width", "channels"))
    inputs = keras.Input(shape=input_shape, name="input_1")
    builder = _Builder(reorg_mode)
    x, shape = inputs, input_shape
    for position, section in enumerate(sections[1:], start=1):
        if section.kind not in SUPPORTED_SECTIONS:
            raise DataError(f"{section.where()}: unsupported section type [{section.kind}] "
                            f"(supported: [net], {', '.join(f'[{k}]' for k in SUPPORTED_SECTIONS)})")
        if builder.region is not None:
            raise DataError(f"{section.where()}: expected [region] to be the last section")
        if section.kind == "region" and position == 1:
            raise DataError(f"{section.where()}: expected layers before [region]")
        x, shape = getattr(builder, f"on_{section.kind}")(section, x, shape)
        builder.outputs.append((x, shape))
    if not builder.convs:
        raise DataError(f"{net.source}: expected at least one [convolutional] section")
    model = keras.Model(inputs, x, name=name)
    return DarknetNetwork(model, tuple(builder.convs), builder.region, input_shape)


@dataclass(frozen=True)
class DarknetWeights:
    """A ``.weights`` file: header numbers and the float32 values after it."""

    major: int
    minor: int
    revision: int
    seen: int
    values: np.ndarray


def read_darknet_weights(path: str | Path) -> DarknetWeights:
    """Read a Darknet ``.weights`` file (header, then little-endian float32 values).

    Raises:
        FileNotFoundError: nothing at ``path``.
        DataError: shorter than its header, version numbers outside 0..999 (not a Darknet file),
            or a body that is not whole float32 values.
    """
    path = require_file(Path(path), "Darknet .weights file")
    data = path.read_bytes()
    if len(data) < 16:
        raise DataError(f"{path}: expected a Darknet weights header (3 int32 versions + seen), "
                        f"found a file of {len(data)} bytes")
    major, minor, revision = struct.unpack_from("<3i", data)
    if not all(0 <= v < 1000 for v in (major, minor, revision)):
        raise DataError(f"{path}: expected a Darknet weights header with version numbers in 0..999, "
                        f"found {major}.{minor}.{revision}; not a Darknet .weights file?")
    wide_seen = major * 10 + minor >= HEADER_INT64_SEEN_FROM
    header = 20 if wide_seen else 16
    if len(data) < header:
        raise DataError(f"{path}: expected a {header}-byte header for version {major}.{minor}.{revision}, "
                        f"found a file of {len(data)} bytes")
    (seen,) = struct.unpack_from("<q" if wide_seen else "<i", data, 12)
    body = len(data) - header
    if body % 4:
        raise DataError(f"{path}: expected whole float32 values after the {header}-byte header, "
                        f"found {body} bytes ({body // 4} values and {body % 4} extra bytes)")
    values = np.frombuffer(data, dtype="<f4", offset=header).astype(np.float32)
    return DarknetWeights(major, minor, revision, seen, values)


def assign_darknet_weights(network: DarknetNetwork, weights: DarknetWeights, source: str | Path) -> None:
    """Set every convolution's (and batch norm's) weights from ``weights.values`` in cfg order.

    Raises:
        DataError: the value count differs from the cfg's (both numbers given), NaN/infinite
            values, or negative variances.
    """
    expected = sum(spec.num_floats for spec in network.convs)
    found = weights.values.size
    if found != expected:
        raise DataError(f"{source}: expected {expected:,} float32 values for the {len(network.convs)} convolutions "
                        f"of the cfg, found {found:,} ({found - expected:+,}); the file is truncated or belongs "
                        f"to another cfg")
    bad = int(found - np.count_nonzero(np.isfinite(weights.values)))
    if bad:
        raise DataError(f"{source}: expected finite weights, found {bad} NaN or infinite value(s)")
    offset = 0

    def take(count: int) -> np.ndarray:
        nonlocal offset
        offset += count
        return weights.values[offset - count:offset]

    for spec in network.convs:
        n = spec.filters
        biases = take(n)
        if spec.batch_normalize:
            scales, means, variances = take(n), take(n), take(n)
            if np.any(variances < 0):
                raise DataError(f"{source}: conv2d_{spec.index}: expected non-negative rolling variances, "
                                f"found {int(np.sum(variances < 0))} negative")
        kernel = take(n * spec.in_channels * spec.size ** 2).reshape(n, spec.in_channels, spec.size, spec.size)
        kernel = kernel.transpose(2, 3, 1, 0)  # (out, in, h, w) -> Keras (h, w, in, out)
        spec.conv.set_weights([kernel] if spec.batch_normalize else [kernel, biases])
        if spec.batch_norm is not None:
            std = np.sqrt(variances.astype(np.float64)) + DARKNET_BN_EPSILON  # Darknet's denominator
            folded = np.maximum(std ** 2 - spec.batch_norm.epsilon, 0.0).astype(np.float32)
            spec.batch_norm.set_weights([scales, biases, means, folded])


def reorg_reference(x: np.ndarray, stride: int) -> np.ndarray:
    """Darknet's ``[reorg]`` order as a plain NumPy loop (slow; the reference for ``SpaceToDepth(mode="darknet")``).

    A port of ``reorg_cpu(input, w, h, c, batch, stride, forward=0, output)`` with the layer's input
    sizes, as ``forward_reorg_layer`` calls it: NHWC (b, h, w, c) in, NHWC (b, h/s, w/s, c*s*s) out,
    Darknet's NCHW buffers in between.
    """
    batch, h, w, c = x.shape
    flat = np.ascontiguousarray(x.transpose(0, 3, 1, 2)).reshape(-1)  # Darknet's input buffer (NCHW)
    out = np.empty_like(flat)
    out_c = c // (stride * stride)
    for b in range(batch):
        for k in range(c):
            for j in range(h):
                for i in range(w):
                    in_index = i + w * (j + h * (k + c * b))
                    c2, offset = k % out_c, k // out_c
                    w2, h2 = i * stride + offset % stride, j * stride + offset // stride
                    out_index = w2 + w * stride * (h2 + h * stride * (c2 + out_c * b))
                    out[in_index] = flat[out_index]  # forward == 0 reads the buffer as (c/s², h*s, w*s)
    # the next layer reads the buffer as (b, c*s*s, h/s, w/s)
    return out.reshape(batch, c * stride * stride, h // stride, w // stride).transpose(0, 2, 3, 1)


def load_darknet(
    cfg_path: str | Path, weights_path: str | Path, *, reorg_mode: str = "darknet", name: str = "yolov2"
) -> tuple[keras.Model, YoloModelInfo]:
    """Build the model of a YOLOv2 Darknet cfg and load its ``.weights``.

    Returns:
        ``(model, info)``; ``info.anchors``/``num_classes``/``num_anchors`` come from ``[region]``.

    Raises:
        FileNotFoundError: a file is missing. DataError: see :func:`parse_cfg`,
        :func:`build_darknet_model`, :func:`read_darknet_weights`, :func:`assign_darknet_weights`;
        also a cfg without ``[region]``.
    """
    cfg_path = require_file(Path(cfg_path), "Darknet .cfg file")
    try:
        text = cfg_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{cfg_path}: expected a Darknet cfg text file, found undecodable bytes ({exc})") from exc
    network = build_darknet_model(parse_cfg(text, str(cfg_path)), reorg_mode=reorg_mode, name=name)
    if network.region is None:
        raise DataError(f"{cfg_path}: expected a [region] section (a YOLOv2 detector cfg), found none")
    weights = read_darknet_weights(weights_path)
    assign_darknet_weights(network, weights, weights_path)
    region = network.region
    notes = (f"darknet weights version {weights.major}.{weights.minor}.{weights.revision}, seen {weights.seen}",
             f"reorg mode {reorg_mode}",
             f"batch norm epsilon {KERAS_BN_EPSILON:g} with variances folded to match Darknet's "
             f"sqrt(var) + {DARKNET_BN_EPSILON:g}")
    info = YoloModelInfo(format="darknet", source=f"{cfg_path} + {weights_path}", input_shape=network.input_shape,
                         num_anchors=region.num_anchors, num_classes=region.num_classes, anchors=region.anchors,
                         matched_by="cfg order", notes=notes)
    return network.model, info


def _numbered_convs(model: keras.Model) -> list[tuple[int, layers.Conv2D]]:
    convs = []
    for layer in model.layers:
        match = re.fullmatch(r"conv2d_(\d+)", layer.name)
        if match and isinstance(layer, layers.Conv2D):
            convs.append((int(match.group(1)), layer))
    return sorted(convs, key=lambda pair: pair[0])


def write_darknet_weights(model: keras.Model, path: str | Path, *, version: tuple[int, int, int] = (0, 2, 0),
                          seen: int = 0) -> Path:
    """Write the ``conv2d_i`` / ``batch_normalization_i`` weights of ``model`` as a Darknet ``.weights`` file.

    Convolutions go in the order of i (cfg order for :func:`build_yolov2` and
    :func:`build_darknet_model`). Variances are unfolded with each batch norm's epsilon, so the
    Darknet file computes what the Keras model computes. Written atomically.
    """
    convs = _numbered_convs(model)
    if not convs:
        raise ValueError(f"write_darknet_weights: expected layers named conv2d_<i> in model {model.name!r}, found none")
    names = {layer.name for layer in model.layers}
    major, minor, revision = version
    chunks = [struct.pack("<3i", major, minor, revision),
              struct.pack("<q" if major * 10 + minor >= HEADER_INT64_SEEN_FROM else "<i", seen)]
    for index, conv in convs:
        kernel = conv.kernel.numpy().transpose(3, 2, 0, 1)  # Keras (h, w, in, out) -> Darknet (out, in, h, w)
        bias = conv.bias.numpy() if conv.use_bias else np.zeros(conv.filters, np.float32)
        bn_name = f"batch_normalization_{index}"
        if bn_name in names:
            bn = model.get_layer(bn_name)
            gamma, beta, mean, variance = (w.astype(np.float64) for w in bn.get_weights())
            std = np.sqrt(variance + bn.epsilon) - DARKNET_BN_EPSILON
            parts = [beta, gamma, mean - bias, np.maximum(std, 0.0) ** 2]  # a conv bias folds into the mean
        else:
            parts = [bias]
        chunks.extend(np.asarray(p, dtype="<f4").tobytes() for p in (*parts, kernel))
    path = Path(path)
    with atomic_output(path) as tmp:
        tmp.write_bytes(b"".join(chunks))
    return path


def yolov2_cfg(
    input_shape: tuple[int, int, int] = (608, 608, 3),
    anchors: tuple[tuple[float, float], ...] = COCO_ANCHORS,
    num_classes: int = 80,
    width_divisor: int = 1,
) -> str:
    """Darknet cfg text of :func:`tf_course.detection.yolov2.build_yolov2`'s network (``yolov2.cfg`` without
    its training options), e.g. to hand a Keras-trained YOLOv2 to Darknet with :func:`write_darknet_weights`.
    ``width_divisor`` divides the filter counts as in ``build_yolov2``."""
    height, width, channels = input_shape
    lines = ["[net]", f"width={width}", f"height={height}", f"channels={channels}"]
    section_of_conv = {}  # conv number -> layer index (sections after [net])

    def add(kind: str, **options: object) -> None:
        lines.extend(["", f"[{kind}]", *(f"{key}={value}" for key, value in options.items())])

    def conv(filters: int, size: int, batch_normalize: bool = True) -> None:
        section_of_conv[len(section_of_conv) + 1] = sum(line.startswith("[") for line in lines) - 1
        options = {"batch_normalize": 1} if batch_normalize else {}
        add("convolutional", **options, filters=filters, size=size, stride=1, pad=1,
            activation="leaky" if batch_normalize else "linear")

    for item in DARKNET19:
        if item == "M":
            add("maxpool", size=2, stride=2)
        else:
            conv(item[0] // width_divisor, item[1])
    conv(HEAD_FILTERS // width_divisor, 3)
    conv(HEAD_FILTERS // width_divisor, 3)
    head = len(section_of_conv)  # conv2d_20, concatenated after the passthrough
    here = sum(line.startswith("[") for line in lines) - 1  # index the next section gets
    add("route", layers=section_of_conv[PASSTHROUGH_SOURCE] - here)
    conv(PASSTHROUGH_FILTERS // width_divisor, 1)
    add("reorg", stride=2)
    here = sum(line.startswith("[") for line in lines) - 1
    add("route", layers=f"-1,{section_of_conv[head] - here}")
    conv(HEAD_FILTERS // width_divisor, 3)
    conv(len(anchors) * (5 + num_classes), 1, batch_normalize=False)
    add("region", anchors=", ".join(f"{value:g}" for pair in anchors for value in pair), classes=num_classes,
        coords=4, num=len(anchors))
    return "\n".join(lines) + "\n"
