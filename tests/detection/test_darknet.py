"""Darknet cfg + weights -> Keras, against a NumPy port of Darknet's forward pass on a tiny YOLOv2-like cfg."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from tests.helpers import assert_keras_round_trip
from tf_course.data.validate import DataError
from tf_course.detection.darknet import (
    KERAS_BN_EPSILON,
    DarknetWeights,
    assign_darknet_weights,
    build_darknet_model,
    load_darknet,
    parse_cfg,
    reorg_reference,
    write_darknet_weights,
    yolov2_cfg,
)
from tf_course.detection.yolov2 import build_yolov2

# The layer types of yolov2.cfg, small: conv+bn+leaky, maxpool (2/2 and tiny-yolo's 2/1), a strided padded conv,
# route -4 (the passthrough source), 1x1 conv, reorg, route -1,-4, conv, final linear conv with bias, region.
# Sizes on a 32x32x3 input: 32x32x8, 16x16x8, 16x16x16, 16x16x8, 16x16x16 (layer 4), 16x16x16, 8x8x32, 8x8x32
# (layer 7), route -> layer 4, 16x16x8, reorg 8x8x32, route -> 8x8x(32+32), 8x8x32, 8x8x14 = 2 x (4 + 1 + 2).
TINY = [
    ("convolutional", {"batch_normalize": 1, "filters": 8, "size": 3, "stride": 1, "pad": 1, "activation": "leaky"}),
    ("maxpool", {"size": 2, "stride": 2}),
    ("convolutional", {"batch_normalize": 1, "filters": 16, "size": 3, "stride": 1, "pad": 1, "activation": "leaky"}),
    ("convolutional", {"batch_normalize": 1, "filters": 8, "size": 1, "stride": 1, "pad": 1, "activation": "leaky"}),
    ("convolutional", {"batch_normalize": 1, "filters": 16, "size": 3, "stride": 1, "pad": 1, "activation": "leaky"}),
    ("maxpool", {"size": 2, "stride": 1}),
    ("convolutional", {"batch_normalize": 1, "filters": 32, "size": 3, "stride": 2, "pad": 1, "activation": "leaky"}),
    ("convolutional", {"batch_normalize": 1, "filters": 32, "size": 3, "stride": 1, "pad": 1, "activation": "leaky"}),
    ("route", {"layers": "-4"}),
    ("convolutional", {"batch_normalize": 1, "filters": 8, "size": 1, "stride": 1, "pad": 1, "activation": "leaky"}),
    ("reorg", {"stride": 2}),
    ("route", {"layers": "-1, -4"}),
    ("convolutional", {"batch_normalize": 1, "filters": 32, "size": 3, "stride": 1, "pad": 1, "activation": "leaky"}),
    ("convolutional", {"filters": 14, "size": 1, "stride": 1, "pad": 1, "activation": "linear"}),
    ("region", {"anchors": "1.0,1.5, 2.5,3.0", "classes": 2, "coords": 4, "num": 2}),
]
INPUT = (32, 32, 3)


def cfg_text(layers=TINY, net=INPUT) -> str:
    lines = ["# a tiny YOLOv2", "[net]", "batch=1", f"height={net[0]}", f"width = {net[1]}", f"channels={net[2]}"]
    for kind, options in layers:
        lines += ["", f"[{kind}]", *(f"{key}={value}" for key, value in options.items())]
    return "\n".join(lines) + "\n"


def random_params(layers=TINY, channels: int = 3, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Darknet-layout parameters per conv: biases, scales, rolling mean/variance (if bn), kernel (out, in, h, w)."""
    rng, params, widths = np.random.default_rng(seed), [], []
    for kind, options in layers:
        if kind == "convolutional":
            n, size = options["filters"], options["size"]
            fan_in = channels * size * size
            p = {"biases": rng.normal(0, 0.2, n),
                 "kernel": rng.normal(0, (2 / fan_in) ** 0.5, (n, channels, size, size))}
            if options.get("batch_normalize"):
                p |= {"scales": rng.normal(1, 0.2, n), "mean": rng.normal(0, 0.2, n),
                      "variance": rng.uniform(0.3, 2, n)}
            params.append(p)
            channels = n
        elif kind == "route":
            here = len(widths)
            channels = sum(widths[int(v) + here if int(v) < 0 else int(v)] for v in options["layers"].split(","))
        elif kind == "reorg":
            channels *= options["stride"] ** 2
        widths.append(channels)
    return params


def weights_bytes(params, version=(0, 2, 0), seen=123456) -> bytes:
    """The .weights file: 3 int32 versions, seen (int64 from version 0.2), then float32 per conv in Darknet order."""
    major, minor, revision = version
    header = struct.pack("<3i", major, minor, revision) + struct.pack("<q" if major * 10 + minor >= 2 else "<i", seen)
    floats = []
    for p in params:
        floats += [p["biases"]] + ([p["scales"], p["mean"], p["variance"]] if "scales" in p else []) + [p["kernel"]]
    return header + np.concatenate([f.reshape(-1) for f in floats]).astype("<f4").tobytes()


def conv_nchw(x: np.ndarray, kernel: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """(c, h, w) * (out, c, k, k) with symmetric zero padding, Darknet's output size (h + 2p - k) / s + 1."""
    k = kernel.shape[-1]
    padded = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    out_h, out_w = ((n + 2 * padding - k) // stride + 1 for n in x.shape[1:])
    out = np.zeros((kernel.shape[0], out_h, out_w))
    for dy in range(k):
        for dx in range(k):
            patch = padded[:, dy:dy + stride * (out_h - 1) + 1:stride, dx:dx + stride * (out_w - 1) + 1:stride]
            out += np.einsum("oc,chw->ohw", kernel[:, :, dy, dx], patch)
    return out


def maxpool_nchw(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Darknet's maxpool: padding = size - 1, windows start at -(padding / 2), outside the input is -inf."""
    padding = size - 1
    offset = padding // 2
    out_h, out_w = ((n + padding - size) // stride + 1 for n in x.shape[1:])
    padded = np.pad(x, ((0, 0), (offset, size + stride * out_h), (offset, size + stride * out_w)),
                    constant_values=-np.inf)
    windows = [padded[:, dy:dy + stride * (out_h - 1) + 1:stride, dx:dx + stride * (out_w - 1) + 1:stride]
               for dy in range(size) for dx in range(size)]
    return np.max(windows, axis=0)


def darknet_forward(image: np.ndarray, params, layers=TINY) -> np.ndarray:
    """Darknet's forward pass for one (h, w, c) image, in float64 NCHW; returns the region's input as (h, w, c)."""
    x, outputs, convs = image.transpose(2, 0, 1).astype(np.float64), [], iter(params)
    for kind, options in layers:
        if kind == "convolutional":
            p = next(convs)
            padding = options["size"] // 2 if options.get("pad") else 0
            x = conv_nchw(x, p["kernel"], options["stride"], padding)
            if "scales" in p:  # normalize_cpu, scale_bias, add_bias
                x = (x - p["mean"][:, None, None]) / (np.sqrt(p["variance"]) + 1e-6)[:, None, None]
                x = x * p["scales"][:, None, None]
            x = x + p["biases"][:, None, None]
            if options["activation"] == "leaky":
                x = np.where(x > 0, x, 0.1 * x)
        elif kind == "maxpool":
            x = maxpool_nchw(x, options["size"], options["stride"])
        elif kind == "route":
            here = len(outputs)
            x = np.concatenate([outputs[int(v) + here if int(v) < 0 else int(v)] for v in options["layers"].split(",")])
        elif kind == "reorg":
            x = reorg_reference(x.transpose(1, 2, 0)[None], options["stride"])[0].transpose(2, 0, 1)
        outputs.append(x)
    return x.transpose(1, 2, 0)


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return np.random.default_rng(11).random((2, *INPUT)).astype(np.float32)


def write_pair(tmp_path, layers=TINY, params=None, stem="tiny", **header):
    params = random_params(layers) if params is None else params
    cfg, weights = tmp_path / f"{stem}.cfg", tmp_path / f"{stem}.weights"
    cfg.write_text(cfg_text(layers))
    weights.write_bytes(weights_bytes(params, **header))
    return cfg, weights, params


def test_tiny_cfg_matches_darknet_forward(tmp_path, images):
    cfg, weights, params = write_pair(tmp_path)
    model, info = load_darknet(cfg, weights)
    expected = np.stack([darknet_forward(image, params) for image in images])
    assert expected.shape == (2, 8, 8, 14) and np.abs(expected).max() > 1.0
    np.testing.assert_allclose(model(images).numpy(), expected, rtol=1e-4, atol=1e-4)
    assert (info.format, info.num_anchors, info.num_classes, info.input_shape) == ("darknet", 2, 2, INPUT)
    assert info.anchors == ((1.0, 1.5), (2.5, 3.0))
    assert "darknet weights version 0.2.0, seen 123456" in info.notes
    names = [layer.name for layer in model.layers]
    assert {"conv2d_1", "batch_normalization_1", "leaky_re_lu_1", "conv2d_9", "space_to_depth_x2",
            "concatenate_1", "zero_padding2d_1", "max_pooling2d_2"} <= set(names)  # 9 convolutions
    assert "batch_normalization_9" not in names and model.get_layer("conv2d_9").use_bias


@pytest.mark.parametrize("version", [(0, 1, 0), (1, 0, 0), (0, 2, 0)])
def test_header_seen_width(tmp_path, images, version):
    # seen is int32 before version 0.2 (0 * 10 + 1 = 1 < 2), int64 from it (1 * 10 + 0 = 10 >= 2)
    cfg, weights, params = write_pair(tmp_path, version=version, seen=77)
    model, info = load_darknet(cfg, weights)
    assert f"darknet weights version {'.'.join(map(str, version))}, seen 77" in info.notes
    np.testing.assert_allclose(model(images[:1]).numpy(), darknet_forward(images[0], params)[None], rtol=1e-4,
                               atol=1e-4)


def test_absolute_route_index(tmp_path, images):
    # in TINY, layer 8 is "route -4" = layer 4 and layer 11 "route -1,-4" = layers 10 and 7
    absolute = [(k, {"layers": {8: "4", 11: "10,7"}[i]} if k == "route" else o) for i, (k, o) in enumerate(TINY)]
    cfg, weights, params = write_pair(tmp_path, layers=absolute)
    relative, _ = load_darknet(*write_pair(tmp_path, params=params, stem="relative")[:2])
    model, _ = load_darknet(cfg, weights)
    np.testing.assert_allclose(model(images).numpy(), relative(images).numpy(), rtol=1e-6, atol=1e-6)


def test_batch_norm_epsilon_matches_darknet_for_small_variances():
    # One 1x1 conv + bn (6 = 1 anchor x (4 + 1 + 1 class) filters). Darknet divides by sqrt(var) + 1e-6: with
    # variance 0 by 1e-6, with 1e-10 by 1.1e-5; Keras' default epsilon 1e-3 would divide by ~0.0316 instead.
    # Folding the variances gives Darknet's numbers.
    layers = [("convolutional", {"batch_normalize": 1, "filters": 6, "size": 1, "stride": 1, "pad": 1,
                                 "activation": "linear"}),
              ("region", {"anchors": "1,1", "classes": 1, "coords": 4, "num": 1})]
    network = build_darknet_model(parse_cfg(cfg_text(layers, net=(2, 2, 1))))
    params = {"biases": np.zeros(6), "scales": np.ones(6), "mean": np.zeros(6),
              "variance": np.array([0.0, 1e-10, 1e-4, 1.0, 100.0, 0.25]), "kernel": np.ones((6, 1, 1, 1))}
    x = np.full((1, 2, 2, 1), 0.5, np.float32)
    # 0.5 / (sqrt(var) + 1e-6) = [5e5, 0.5 / 1.1e-5, 0.5 / 0.010001, 0.5 / 1.000001, 0.5 / 10.000001, 0.5 / 0.500001]
    expected = [500000.0, 45454.545, 49.995, 0.4999995, 0.049999995, 0.999998]
    floats = np.concatenate([params[k].reshape(-1) for k in ("biases", "scales", "mean", "variance", "kernel")])
    assign_darknet_weights(network, DarknetWeights(0, 2, 0, 0, floats.astype(np.float32)), "inline")
    assert network.model.get_layer("batch_normalization_1").epsilon == KERAS_BN_EPSILON
    np.testing.assert_allclose(network.model(x).numpy()[0, 0, 0], expected, rtol=2e-6)


def test_write_darknet_weights_round_trip_from_build_yolov2(tmp_path):
    # build_yolov2 (Keras epsilon 1e-3) -> Darknet file (variances unfolded) -> the cfg of the same network:
    # equal outputs when the reorg uses TensorFlow's order like the source; Darknet's order differs.
    source = build_yolov2((64, 64, 3), num_anchors=2, num_classes=1, width_divisor=16, space_to_depth_mode="tensorflow")
    rng = np.random.default_rng(5)
    for v in source.weights:
        values = np.abs(rng.normal(size=v.shape)) + 0.5 if "variance" in v.path else 0.3 * rng.normal(size=v.shape)
        v.assign(values.astype(np.float32))
    cfg, weights = tmp_path / "yolo.cfg", tmp_path / "yolo.weights"
    cfg.write_text(yolov2_cfg((64, 64, 3), anchors=((1.0, 2.0), (3.0, 4.0)), num_classes=1, width_divisor=16))
    write_darknet_weights(source, weights, version=(0, 1, 0), seen=5)
    assert weights.stat().st_size == 16 + 4 * source.count_params()  # Darknet stores as many floats as Keras params
    x = np.random.default_rng(6).random((2, 64, 64, 3)).astype(np.float32)
    same, info = load_darknet(cfg, weights, reorg_mode="tensorflow")
    np.testing.assert_allclose(same(x).numpy(), source(x).numpy(), rtol=1e-5, atol=1e-5)
    assert [layer.name for layer in same.layers] == [layer.name for layer in source.layers]
    assert info.anchors == ((1.0, 2.0), (3.0, 4.0)) and info.num_classes == 1
    darknet_order, _ = load_darknet(cfg, weights)
    assert not np.allclose(darknet_order(x).numpy(), source(x).numpy(), atol=1e-3)


# yolov2.cfg (yolov2-608) of the Darknet release, training options included; its three 1024-filter head convs:
HEAD_CONV = "\n[convolutional]\nbatch_normalize=1\nsize=3\nstride=1\npad=1\nfilters=1024\nactivation=leaky\n"
YOLOV2_CFG = """[net]
# Testing
batch=1
subdivisions=1
# Training
# batch=64
# subdivisions=8
width=608
height=608
channels=3
momentum=0.9
decay=0.0005
angle=0
saturation = 1.5
exposure = 1.5
hue=.1

learning_rate=0.001
burn_in=1000
max_batches = 500200
policy=steps
steps=400000,450000
scales=.1,.1
""" + "".join(
    f"\n[convolutional]\nbatch_normalize=1\nfilters={f}\nsize={s}\nstride=1\npad=1\nactivation=leaky\n" if f else
    "\n[maxpool]\nsize=2\nstride=2\n"
    for f, s in [(32, 3), (0, 0), (64, 3), (0, 0), (128, 3), (64, 1), (128, 3), (0, 0), (256, 3), (128, 1), (256, 3),
                 (0, 0), (512, 3), (256, 1), (512, 3), (256, 1), (512, 3), (0, 0), (1024, 3), (512, 1), (1024, 3),
                 (512, 1), (1024, 3)]
) + """
#######
""" + HEAD_CONV + HEAD_CONV + """
[route]
layers=-9

[convolutional]
batch_normalize=1
size=1
stride=1
pad=1
filters=64
activation=leaky

[reorg]
stride=2

[route]
layers=-1,-4
""" + HEAD_CONV + """
[convolutional]
size=1
stride=1
pad=1
filters=425
activation=linear


[region]
anchors =  0.57273, 0.677385, 1.87446, 2.06253, 3.33843, 5.47434, 7.88282, 3.52778, 9.77052, 9.16828
bias_match=1
classes=80
coords=4
num=5
softmax=1
jitter=.3
rescore=1

object_scale=5
noobject_scale=1
class_scale=1
coord_scale=1

absolute=1
thresh = .6
random=1
"""


def test_yolov2_cfg_has_the_course_parameter_count():
    network = build_darknet_model(parse_cfg(YOLOV2_CFG, "yolov2.cfg"))
    assert network.model.count_params() == 50_983_561  # as build_yolov2 and the course's yolo.h5
    assert network.model.output_shape == (None, 19, 19, 425)
    assert network.region.anchors[0] == (0.57273, 0.677385) and network.region.num_classes == 80
    assert len(network.convs) == 23
    # yolov2_cfg writes the same network (the [net] training options and the [region] training options aside)
    ours = parse_cfg(yolov2_cfg())
    theirs = parse_cfg(YOLOV2_CFG)
    assert [s.kind for s in ours] == [s.kind for s in theirs]
    for mine, real in zip(ours[1:-1], theirs[1:-1]):
        assert mine.options == real.options
    region = {k: ours[-1].options[k] for k in ("classes", "coords", "num")}
    assert region == {"classes": "80", "coords": "4", "num": "5"}


def test_truncated_and_oversized_weights(tmp_path):
    cfg, weights, _ = write_pair(tmp_path)
    data = weights.read_bytes()
    expected = (len(data) - 20) // 4
    weights.write_bytes(data[:-20])  # five floats short
    with pytest.raises(DataError, match=f"expected {expected:,} float32 values .* found {expected - 5:,} \\(-5\\)"):
        load_darknet(cfg, weights)
    weights.write_bytes(data + b"\0" * 12)  # three floats too many
    with pytest.raises(DataError, match=f"found {expected + 3:,} \\(\\+3\\)"):
        load_darknet(cfg, weights)
    weights.write_bytes(data + b"\0\0")
    with pytest.raises(DataError, match="whole float32 values .* 2 extra bytes"):
        load_darknet(cfg, weights)


def test_bad_headers(tmp_path):
    cfg, weights, _ = write_pair(tmp_path)
    weights.write_bytes(b"\0" * 10)
    with pytest.raises(DataError, match="header .* found a file of 10 bytes"):
        load_darknet(cfg, weights)
    weights.write_text("definitely not weights, just text")
    with pytest.raises(DataError, match="version numbers in 0..999, found .* not a Darknet .weights file"):
        load_darknet(cfg, weights)
    weights.write_bytes(struct.pack("<4i", 0, 2, 0, 0))  # version 0.2 needs a 20-byte header
    with pytest.raises(DataError, match="expected a 20-byte header for version 0.2.0, found a file of 16 bytes"):
        load_darknet(cfg, weights)
    with pytest.raises(FileNotFoundError, match="Darknet .weights file"):
        load_darknet(cfg, tmp_path / "absent.weights")


def test_weights_of_another_cfg(tmp_path):
    wider = [(k, {**o, "filters": 12} if o.get("filters") == 8 else o) for k, o in TINY]
    cfg, _, _ = write_pair(tmp_path)
    _, other_weights, _ = write_pair(tmp_path, layers=wider, stem="wider")
    with pytest.raises(DataError, match="for the 9 convolutions of the cfg, found .*belongs to another cfg"):
        load_darknet(cfg, other_weights)


def test_nan_and_negative_variance(tmp_path):
    params = random_params()
    params[2]["kernel"][0, 0, 0, 0] = np.nan
    cfg, weights, _ = write_pair(tmp_path, params=params)
    with pytest.raises(DataError, match="found 1 NaN or infinite"):
        load_darknet(cfg, weights)
    params = random_params()
    params[3]["variance"][:2] = -1.0
    cfg, weights, _ = write_pair(tmp_path, params=params)
    with pytest.raises(DataError, match="conv2d_4: expected non-negative rolling variances, found 2 negative"):
        load_darknet(cfg, weights)


@pytest.mark.parametrize("layers, message", [
    (TINY[:3] + [("shortcut", {"from": "-3"})], r"line \d+ \[shortcut\]: unsupported section type"),
    ([("convolutional", {"filters": 4, "size": 3, "pad": 1, "activation": "mish"})], "activation one of"),
    ([("convolutional", {"filters": 4, "groups": 2})], "groups=2 is not supported"),
    (TINY[:2] + [("route", {"layers": "-5"})], "-5 refers to layer -3, expected one of the 2 earlier layers"),
    (TINY[:2] + [("route", {"layers": "0,1"})], r"one height x width, found \[\(16, 16\), \(32, 32\)\]"),
    (TINY[:1] + [("reorg", {"stride": 2, "reverse": 1})], "reverse=1 is not supported"),
    (TINY[:1] + [("maxpool", {"size": 2, "stride": 2, "padding": 3})], "matches neither Keras 'valid' nor 'same'"),
    (TINY[:-1] + [("region", {"anchors": "1,1", "classes": 2, "num": 2})], "expected 4 positive anchor numbers"),
    (TINY[:-1] + [("region", {"anchors": "1,1,2,2", "classes": 3, "num": 2})], r"= 16 input channels, found 14"),
    (TINY + [("convolutional", {"filters": 4})], r"\[region\] to be the last section"),
    (TINY[:-1] + [("region", {"anchors": "1,1,2,2", "classes": 1, "coords": 5, "num": 2})], "coords=5 is not supp"),
])
def test_cfgs_the_builder_cannot_handle(layers, message):
    with pytest.raises(DataError, match=message):
        build_darknet_model(parse_cfg(cfg_text(layers)))


@pytest.mark.parametrize("text, message", [
    ("[convolutional]\nfilters=4\n", "expected the cfg to start with a \\[net\\] section, found convolutional"),
    ("filters=4\n[net]\n", "line 1: expected a \\[section\\] before options"),
    ("[net]\nwidth 32\n", "line 2: expected \\[section\\] or key=value"),
    ("[net\nwidth=3\n", "line 1: expected a section header"),
    ("", "found nothing"),
])
def test_unparseable_cfg_text(text, message):
    with pytest.raises(DataError, match=message):
        parse_cfg(text)


def test_net_section_and_region_required(tmp_path):
    with pytest.raises(DataError, match="\\[net\\]: expected option 'height'"):
        build_darknet_model(parse_cfg("[net]\nwidth=32\nchannels=3\n[convolutional]\nfilters=2\n"))
    cfg, weights, _ = write_pair(tmp_path, layers=TINY[:-1])
    with pytest.raises(DataError, match="expected a \\[region\\] section"):
        load_darknet(cfg, weights)


def test_keras_model_is_serializable(tmp_path, images):
    cfg, weights, _ = write_pair(tmp_path)
    model, _ = load_darknet(cfg, weights)
    reloaded = assert_keras_round_trip(model, images, tmp_path)  # from_config and .keras: outputs identical
    assert reloaded.get_layer("batch_normalization_3").epsilon == KERAS_BN_EPSILON
