"""Issue 18, the whole course in quick mode, one case per implemented assignment of the registry:

- determinism: two ``tf-course run NAME --quick --seed 0`` runs (the CLI, in this process, as a user's
  ``tf-course run`` runs them one after another) report identical metrics, every value exactly
  (NaN equal to NaN), except the few that measure time (:data:`TIMED`, listed by name with why);
- serving: every export of the run is reloaded in the export checker's child process (``python -I``,
  ``import tf_course`` blocked: plain TensorFlow, as a server has it; :mod:`tf_course.export.verify`)
  and each of its signatures is run on a real input this test makes: a drawn picture as uint8 pixels,
  as floats or as PNG/JPEG bytes, sentences, date strings, a 10 s waveform, points, a sequence. The
  signatures' names, dtypes and shapes are the documented ones (:data:`SERVING`); the outputs are
  finite, probabilities are in [0, 1] and sum to 1 where they are a distribution, and two signatures
  of one export that compute the same thing agree. The second run's export, fed the same inputs,
  gives the same outputs bit for bit: the same seed gives the same weights.

Both runs use the stand-ins (no course files) and pay the full quick run each; the cases spread
over the xdist workers (one group per assignment). CI runs both for all 21.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.helpers import quick_run
from tests.helpers import whole_course_group as _group
from tf_course import registry
from tf_course.export.verify import checker_probe, run_signatures

pytestmark = pytest.mark.slow

IMPLEMENTED = [a.name for a in registry.ASSIGNMENTS if a.implemented]
NO_EXPORT = {"word_vectors"}  # vectors and a report, no model to serve

# Metrics that measure time (wall or CPU seconds, throughput): they differ between two runs by nature,
# so they are left out of the comparison, by name. Every other metric must be identical.
TIMED: dict[str, dict[str, str]] = {
    "conv_step_by_step": {"vectorized_speedup": "ratio of two wall-clock timings (loops / vectorised)"},
    "happy_model": {"images_per_second": "training throughput (wall clock)"},
    "resnet50": {"epoch_seconds": "wall clock per epoch", "images_per_second": "training throughput (wall clock)",
                 "first_epoch_overhead_seconds": "wall clock of the first epoch's tracing and graph optimisation"},
    "yolo": {"train_seconds": "wall clock of the training"},
    "style_transfer": {"seconds_per_step": "wall clock per Adam step"},
    "face_recognition": {"train_seconds": "wall clock of the training",
                         "generate_seconds": "wall clock of the synthetic faces' generation"},
    "word_vectors": {"train_seconds": "wall clock of the skip-gram training"},
    "emojify": {"v2_train_seconds": "wall clock of V2's training", "vector_seconds": "wall clock of the vectors"},
    "nmt_attention": {"epoch_seconds": "wall clock per epoch", "train_seconds": "wall clock of the training",
                      "evaluate_seconds": "wall clock of the evaluation"},
    "trigger_word": {"train_seconds": "wall clock of the training", "train_cpu_seconds": "CPU time of the training",
                     "train_examples_per_second": "throughput (wall clock)",
                     "train_examples_per_cpu_second": "throughput (CPU time)",
                     "synthesis_examples_per_second": "throughput of the example synthesis (wall clock)"},
}


# ----------------------------------------------------------------------------------------------------------
# The two runs


EVERY = [pytest.param(n, marks=_group(n)) for n in IMPLEMENTED]


def _differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Where two JSON values differ: dict keys, list lengths, values (exactly; NaN equals NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{where}: keys {sorted(set(a) ^ set(b))} in one run only"]
        return [d for k in a for d in _differences(a[k], b[k], f"{where}/{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} != {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return []
    if isinstance(a, tuple) and isinstance(b, tuple):  # (path under <out>, its bytes)
        return [] if a == b else [f"{where}: {a[0]} differs from {b[0]}"]
    if type(a) is not type(b) or a != b:
        return [f"{where}: {a!r} != {b!r}"]
    return []


def _files_in_out(metrics: Mapping[str, Any], out: str) -> dict[str, Any]:
    """``metrics`` with each string naming a path under the run's ``out`` folder (style transfer's
    ``generated_image``) replaced by ``("<out>/...", the file's bytes)``: the two runs write to two
    folders, and what they wrote must be the same."""
    def relative(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(out + "/"):
            path = Path(value)
            return "<out>" + value[len(out):], path.read_bytes() if path.is_file() else None
        return value

    return {k: relative(v) for k, v in metrics.items()}


@pytest.mark.parametrize("name", EVERY)
def test_the_same_seed_gives_identical_metrics(name, tmp_path_factory):
    first, second = quick_run(name, 1, tmp_path_factory), quick_run(name, 2, tmp_path_factory)
    name = first["name"]
    timed = TIMED.get(name, {})
    missing = sorted(set(timed) - set(first["metrics"]))
    assert not missing, f"{name}: TIMED lists metrics the pipeline no longer reports: {missing}"
    untimed = [_files_in_out({k: v for k, v in entry["metrics"].items() if k not in timed}, entry["out"])
               for entry in (first, second)]
    assert untimed[0], f"{name}: no metric to compare"
    assert _differences(*untimed) == []
    assert first["data_source"] == second["data_source"]
    assert len(first["exports"]) == len(second["exports"]) == (0 if name in NO_EXPORT else 1)


# ----------------------------------------------------------------------------------------------------------
# Real inputs


def face_picture(size: int, smile: bool = True, seed: int = 0) -> np.ndarray:
    """uint8 (size, size, 3): a lit face on a backdrop (skin-coloured disc, hair, eyes, brows, a mouth)."""
    rng = np.random.default_rng(seed)
    y, x = (np.mgrid[0:size, 0:size] + 0.5) / size
    image = np.stack([0.35 + 0.3 * y, 0.45 + 0.2 * x, 0.75 - 0.2 * y], -1)  # soft wall gradient
    face = ((x - 0.5) / 0.32) ** 2 + ((y - 0.52) / 0.4) ** 2 < 1
    image[face] = [0.87, 0.68, 0.55]
    image[face] *= (1.05 - 0.35 * np.clip(x - 0.3, 0, 1))[face, None]  # light from the left
    image[(((x - 0.5) / 0.36) ** 2 + ((y - 0.3) / 0.26) ** 2 < 1) & (y < 0.3)] = [0.25, 0.15, 0.08]  # hair
    for cx in (0.38, 0.62):
        image[((x - cx) / 0.05) ** 2 + ((y - 0.45) / 0.035) ** 2 < 1] = [0.1, 0.1, 0.12]  # eyes
        image[(np.abs(x - cx) < 0.07) & (np.abs(y - 0.38) < 0.012)] = [0.3, 0.2, 0.1]  # brows
    curve = 0.7 + (0.06 if smile else -0.06) * (1 - ((x - 0.5) / 0.14) ** 2)
    image[(np.abs(x - 0.5) < 0.14) & (np.abs(y - curve) < 0.02)] = [0.6, 0.15, 0.2]  # mouth
    image += rng.normal(0, 0.015, image.shape)  # sensor noise
    return np.clip(np.round(image * 255), 0, 255).astype(np.uint8)


def hand_picture(size: int, fingers: int = 3) -> np.ndarray:
    """uint8 (size, size, 3): a hand showing ``fingers`` fingers (palm, raised fingers, folded thumb)."""
    y, x = (np.mgrid[0:size, 0:size] + 0.5) / size
    image = np.stack([0.8 - 0.1 * y, 0.8 - 0.1 * y, 0.78 - 0.1 * y], -1)  # light backdrop
    skin = [0.85, 0.62, 0.5]
    image[((x - 0.5) / 0.22) ** 2 + ((y - 0.68) / 0.2) ** 2 < 1] = skin  # palm
    image[(np.abs(x - 0.5) < 0.13) & (y > 0.8)] = skin  # wrist
    for i in range(fingers):
        cx = 0.36 + 0.28 * i / max(fingers - 1, 1)
        image[(np.abs(x - cx) < 0.045) & (y > 0.18 + 0.04 * abs(i - 1)) & (y < 0.6)] = skin
    image[(np.abs(x - 0.27) < 0.05) & (np.abs(y - 0.62) < 0.1)] = [0.78, 0.56, 0.45]  # thumb, in shade
    return np.clip(np.round(image * 255), 0, 255).astype(np.uint8)


def street_picture(height: int = 120, width: int = 160) -> np.ndarray:
    """uint8 (height, width, 3): a road under a sky with two cars (bodies, windows, wheels)."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3))
    image[:] = [0.55, 0.7, 0.9]  # sky
    image[y > 0.45 * height] = [0.35, 0.35, 0.37]  # road
    image[(y > 0.7 * height) & (y < 0.72 * height) & ((x // 12) % 2 == 0)] = [0.9, 0.9, 0.85]  # lane marks
    for left, top, colour in ((20, 50, [0.7, 0.1, 0.1]), (95, 58, [0.1, 0.25, 0.6])):
        image[(y >= top) & (y < top + 22) & (x >= left) & (x < left + 48)] = colour  # body
        image[(y >= top - 10) & (y < top) & (x >= left + 10) & (x < left + 38)] = [0.75, 0.85, 0.95]  # window
        for wheel in (left + 10, left + 38):
            image[(x - wheel) ** 2 + (y - top - 22) ** 2 < 36] = [0.05, 0.05, 0.05]
    return np.round(image * 255).astype(np.uint8)


def encode(image: np.ndarray, kind: str = "png") -> bytes:
    """uint8 (H, W, 3) -> PNG or JPEG bytes (by PIL: the client's side, not TensorFlow's)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=kind.upper(), **({"quality": 90} if kind == "jpeg" else {}))
    return buffer.getvalue()


def flower_points() -> np.ndarray:
    """float32 (6, 2): points of the planar 'flower' (petals at r = sin(2 theta)), some between petals."""
    theta = np.array([0.3, 0.8, 1.9, 2.6, 3.5, 5.1])
    radius = 4 * np.abs(np.sin(2 * theta)) * np.array([1, 0.5, 1, 0.2, 0.8, 1])
    return np.stack([radius * np.sin(theta), radius * np.cos(theta)], -1).astype(np.float32)


def waveform(seconds: float = 10.0, rate: int = 44100) -> np.ndarray:
    """float32 (1, seconds * rate) in [-1, 1): room noise with a spoken-like burst (voiced harmonics, 0.5 s)."""
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.02 * rng.standard_normal(t.size)
    burst = (t > 4.0) & (t < 4.5)
    envelope = np.sin(np.pi * (t[burst] - 4.0) / 0.5) ** 2
    pitch = 140 * (1 + 0.1 * np.sin(2 * np.pi * 3 * t[burst]))
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    signal[burst] += envelope * sum(0.3 / k * np.sin(k * phase) for k in range(1, 6))
    return np.clip(signal, -1, 0.999).astype(np.float32)[None]


SENTENCES = ["I love you so much", "Let us play baseball tonight", "I am so happy for you", "This is so sad",
             "food is ready lets eat", ""]
DATES = ["3 May 1979", "Tue 10 Jul 2007", "21th of August 2016", "March 3 2001", "5/4/09", "saturday may 9 2018"]
PREFIXES = ["", "tyranno", "Brachio", "stego saurus"]


def _pictures(size: int) -> np.ndarray:
    return np.stack([face_picture(size, smile=True), face_picture(size, smile=False, seed=1), hand_picture(size)])


def _image_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    return {"serving_default": {"images": _pictures(64)}}


def _feature_inputs(width: int) -> Callable[[str], dict[str, dict[str, np.ndarray]]]:
    def inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
        points = flower_points()
        if width != 2:  # gradient checking's 4 features: the points and their squares
            points = np.concatenate([points, points**2], axis=1)[:, :width]
        return {"serving_default": {"features": points}}

    return inputs


def _yolo_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    street = street_picture()
    return {"serving_default": {"images": np.array([encode(street, "png"), encode(street[:96, 16:144], "jpeg")])},
            "serve_float": {"images": (street.astype(np.float32) / 255)[None]}}


def _faces_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    pictures = _pictures(32)
    floats = pictures.astype(np.float32) / 255
    return {"serving_default": {"images": floats},
            "serve_bytes": {"images": np.array([encode(p) for p in pictures])},
            "verify": {"image_a": floats[[0, 0, 1]], "image_b": floats[[0, 1, 2]]}}


def _style_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    content = face_picture(48)[:, :, :]
    style = np.tile(hand_picture(24), (2, 2, 1))  # a repeated pattern
    return {"serving_default": {"content": (content.astype(np.float32) / 255)[None],
                                "style": (style.astype(np.float32) / 255)[None], "steps": np.int32(2)},
            "serve_encoded": {"content": np.array(encode(content)), "style": np.array(encode(style)),
                              "steps": np.int32(2)}}


def _rnn_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    t = np.linspace(0, 2 * np.pi, 8)
    x = np.stack([np.sin(t), np.cos(t), np.sin(2 * t)], -1)
    return {"serving_default": {"x": np.stack([x, -x]).astype(np.float32)}}  # (2, 8, 3)


def _dinosaur_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    return {"serving_default": {"count": np.int32(5), "temperature": np.float32(1.0), "seed": np.int64(7)},
            "next_char": {"prefixes": np.array([p.encode() for p in PREFIXES])}}


def _emojify_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    return {"serving_default": {"sentences": np.array([s.encode() for s in SENTENCES])}}


def _nmt_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    dates = np.array([d.encode() for d in DATES])
    return {"serving_default": {"dates": dates}, "translate_with_attention": {"dates": dates}}


def _trigger_inputs(name: str) -> dict[str, dict[str, np.ndarray]]:
    wave = waveform()
    return {"serving_default": {"waveform": wave},
            "spectrogram": {"waveform": wave[:, :44100]},
            "streaming": {"chunk": wave, "buffer": np.zeros((1, 1320), np.float32), "filled": np.int32(0),
                          "h1": np.zeros((1, 8), np.float32), "h2": np.zeros((1, 8), np.float32)}}


# The documented serving interface: {assignment: ({signature: {"inputs"|"outputs": {name: "dtype[shape]"}}},
# its real inputs)}; "?" is a dimension of any size.


def _sig(inputs: str, outputs: str) -> dict[str, dict[str, str]]:
    """``_sig("x: float32[?,3]", "y: float32[?]; z: int32[]")`` -> {"inputs": {"x": ...}, "outputs": {...}}."""
    def parse(text: str) -> dict[str, str]:
        return dict(tuple(part.replace(" ", "").split(":")) for part in text.split(";"))

    return {"inputs": parse(inputs), "outputs": parse(outputs)}


def _classifier(output: str) -> dict[str, Any]:
    return {"serving_default": _sig("images: uint8[?,64,64,3]", output)}


def _binary(width: int) -> dict[str, Any]:
    return {"serving_default": _sig(f"features: float32[?,{width}]", "probability: float32[?]")}


_DETECTIONS = "boxes: float32[?,20,4]; classes: int32[?,20]; num_detections: int32[?]; scores: float32[?,20]"
_EMBEDDINGS = "embeddings: float32[?,128]"
_STATE = "buffer: float32[?,1320]; filled: int32[]; h1: float32[?,8]; h2: float32[?,8]"

SERVING: dict[str, tuple[dict[str, Any], Callable[[str], dict[str, dict[str, np.ndarray]]]]] = {
    "logistic_regression": (_classifier("cat_probability: float32[?]"), _image_inputs),
    "planar_classification": (_binary(2), _feature_inputs(2)),
    "deep_nn": (_classifier("cat_probability: float32[?]"), _image_inputs),
    "initialization": (_binary(2), _feature_inputs(2)),
    "regularization": (_binary(2), _feature_inputs(2)),
    "gradient_checking": (_binary(4), _feature_inputs(4)),
    "optimization": (_binary(2), _feature_inputs(2)),
    "tf_intro": (_classifier("probabilities: float32[?,6]"), _image_inputs),
    "conv_step_by_step": (_classifier("probabilities: float32[?,4]"), _image_inputs),
    "signs_convnet": (_classifier("probabilities: float32[?,6]"), _image_inputs),
    "happy_model": (_classifier("probabilities: float32[?,2]"), _image_inputs),
    "resnet50": (_classifier("probabilities: float32[?,6]"), _image_inputs),
    "yolo": ({"serving_default": _sig("images: string[?]", _DETECTIONS),
              "serve_float": _sig("images: float32[?,?,?,3]", _DETECTIONS)}, _yolo_inputs),
    "style_transfer": (
        {"serving_default": _sig("content: float32[1,?,?,3]; style: float32[1,?,?,3]; steps: int32[]",
                                 "image: float32[1,?,?,3]"),
         "serve_encoded": _sig("content: string[]; style: string[]; steps: int32[]", "image: float32[1,?,?,3]")},
        _style_inputs),
    "face_recognition": (
        {"serving_default": _sig("images: float32[?,32,32,3]", _EMBEDDINGS),
         "serve_bytes": _sig("images: string[?]", _EMBEDDINGS),
         "verify": _sig("image_a: float32[?,32,32,3]; image_b: float32[?,32,32,3]",
                        "distance: float32[?]; same: bool[?]; threshold: float32[]")},
        _faces_inputs),
    "rnn_step_by_step": ({"serving_default": _sig("x: float32[?,?,3]", "y: float32[?,?,2]")}, _rnn_inputs),
    "dinosaur_names": (
        {"serving_default": _sig("count: int32[]; seed: int64[]; temperature: float32[]",
                                 "ids: int32[?,50]; lengths: int32[?]; names: string[?]"),
         "next_char": _sig("prefixes: string[?]", "probabilities: float32[?,27]")},
        _dinosaur_inputs),
    "emojify": ({"serving_default": _sig("sentences: string[?]", "label: int64[?]; probabilities: float32[?,5]")},
                _emojify_inputs),
    "nmt_attention": (
        {"serving_default": _sig("dates: string[?]", "iso_dates: string[?]"),
         "translate_with_attention": _sig("dates: string[?]", "attention_weights: float32[?,10,30]; "
                                                              "iso_dates: string[?]; probabilities: float32[?,10,11]")},
        _nmt_inputs),
    "trigger_word": (
        {"serving_default": _sig("waveform: float32[?,441000]", "probabilities: float32[?,1375,1]"),
         "spectrogram": _sig("waveform: float32[?,?]", "spectrogram: float32[?,?,101]"),
         "streaming": _sig(f"chunk: float32[?,?]; {_STATE}", f"probabilities: float32[?,?,1]; {_STATE}")},
        _trigger_inputs),
}


def _spec(entry: Mapping[str, Any]) -> str:
    shape = "?" if entry["shape"] is None else ",".join("?" if d is None else str(d) for d in entry["shape"])
    return f"{entry['dtype']}[{shape}]"


def _documented(description: Mapping[str, Any]) -> dict[str, Any]:
    return {signature: {kind: {k: _spec(v) for k, v in entry[kind].items()} for kind in ("inputs", "outputs")}
            for signature, entry in description.items()}


# ----------------------------------------------------------------------------------------------------------
# What the outputs must show


def _distribution(p: np.ndarray, axis: int = -1) -> None:
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, atol=1e-5)


def _finite(outputs: Mapping[str, Mapping[str, np.ndarray]]) -> None:
    for signature, arrays in outputs.items():
        for key, array in arrays.items():
            if array.dtype.kind == "f":
                assert np.all(np.isfinite(array)), f"[{signature}] {key}: not finite"


def _check_probability(out: dict, inputs: dict) -> None:
    (key,) = out["serving_default"]
    p = out["serving_default"][key]
    n = len(next(iter(inputs["serving_default"].values())))
    assert p.shape[0] == n
    if p.ndim == 1:  # a sigmoid
        assert np.all((p >= 0) & (p <= 1))
    else:  # a softmax over the classes
        _distribution(p)


def _check_yolo(out: dict, inputs: dict) -> None:
    street = inputs["serve_float"]["images"][0]
    sizes = [street.shape[:2], (96, 128)]  # the PNG, and the JPEG cropped to 96 x 128
    for signature, images in (("serving_default", sizes), ("serve_float", sizes[:1])):
        d = out[signature]
        assert d["num_detections"].shape == (len(images),)
        for i, (height, width) in enumerate(images):
            n = int(d["num_detections"][i])
            assert 0 <= n <= 20
            scores, boxes, classes = d["scores"][i], d["boxes"][i], d["classes"][i]
            assert np.all((scores[:n] > 0) & (scores[:n] <= 1)) and np.all(np.diff(scores[:n]) <= 0)
            assert np.all(scores[n:] == 0) and np.all(boxes[n:] == 0)
            assert np.all(boxes[:n] >= -1e-3) and np.all(boxes[:n, [0, 2]] <= height + 1e-3)
            assert np.all(boxes[:n, [1, 3]] <= width + 1e-3) and np.all(classes[:n] >= 0)
    # the PNG's pixels are exact: the bytes signature sees the float one's image
    for key in ("boxes", "scores"):
        np.testing.assert_allclose(out["serving_default"][key][:1], out["serve_float"][key], atol=1e-3)
    np.testing.assert_array_equal(out["serving_default"]["num_detections"][:1], out["serve_float"]["num_detections"])


def _check_faces(out: dict, inputs: dict) -> None:
    embeddings = out["serving_default"]["embeddings"]
    assert embeddings.shape == (3, 128)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(out["serve_bytes"]["embeddings"], embeddings, atol=1e-3)  # PNG: the same pixels
    verify = out["verify"]
    a, b = embeddings[[0, 0, 1]], embeddings[[0, 1, 2]]
    np.testing.assert_allclose(verify["distance"], np.linalg.norm(a - b, axis=1), atol=1e-4)
    assert verify["distance"][0] < 1e-3 and verify["same"][0]  # the same picture twice
    np.testing.assert_array_equal(verify["same"], verify["distance"] < verify["threshold"])
    assert 0 < float(verify["threshold"]) < 2


def _check_style(out: dict, inputs: dict) -> None:
    image = out["serving_default"]["image"]
    assert image.shape == inputs["serving_default"]["content"].shape  # the content's size
    assert np.all((image >= 0) & (image <= 1))
    np.testing.assert_allclose(out["serve_encoded"]["image"], image, atol=1e-4)  # PNG: the same pixels


def _check_rnn(out: dict, inputs: dict) -> None:
    y = out["serving_default"]["y"]
    assert y.shape == (2, 8, 2)
    _distribution(y)


def _check_dinosaur(out: dict, inputs: dict) -> None:
    sample = out["serving_default"]
    names = [n.decode() for n in sample["names"]]
    assert len(names) == 5 and sample["ids"].shape == (5, 50)
    for name, length, ids in zip(names, sample["lengths"], sample["ids"]):
        assert re.fullmatch(r"[A-Z][a-z]*", name), name
        assert len(name) == length == np.count_nonzero(ids)
        assert np.all(ids[:length] >= 1) and np.all(ids[:length] <= 26) and np.all(ids[length:] == 0)
        assert name.lower() == "".join(chr(ord("a") - 1 + i) for i in ids[:length])
    p = out["next_char"]["probabilities"]
    assert p.shape == (len(PREFIXES), 27)
    _distribution(p)


def _check_emojify(out: dict, inputs: dict) -> None:
    p, label = out["serving_default"]["probabilities"], out["serving_default"]["label"]
    assert p.shape == (len(SENTENCES), 5)
    _distribution(p)
    np.testing.assert_array_equal(label, p.argmax(axis=1))


def _check_nmt(out: dict, inputs: dict) -> None:
    iso = out["serving_default"]["iso_dates"]
    assert iso.shape == (len(DATES),)
    for text in iso:  # a quick model's dates may be wrong, never malformed: 10 characters of its vocabulary
        assert re.fullmatch(rb"[0-9-]{10}", text), text
    attention = out["translate_with_attention"]
    np.testing.assert_array_equal(attention["iso_dates"], iso)
    _distribution(attention["probabilities"])
    _distribution(attention["attention_weights"])  # each output step attends over the 30 input characters
    vocabulary = "-0123456789"  # the course's machine vocabulary, index -> character
    greedy = ["".join(vocabulary[i] for i in row).encode() for row in attention["probabilities"].argmax(-1)]
    assert list(iso) == greedy  # the ISO string is the most likely character at each of the 10 steps


def _check_trigger(out: dict, inputs: dict) -> None:
    p = out["serving_default"]["probabilities"]
    assert p.shape == (1, 1375, 1) and np.all((p >= 0) & (p <= 1))
    spectrogram = out["spectrogram"]["spectrogram"]
    assert spectrogram.shape[:1] == (1,) and spectrogram.shape[2] == 101 and spectrogram.shape[1] > 500
    stream = out["streaming"]
    # the whole clip as one chunk from the empty state: the 1375 steps of the whole-clip signature
    assert stream["probabilities"].shape == (1, 1375, 1)
    np.testing.assert_allclose(stream["probabilities"], p, atol=1e-4)
    assert 0 <= int(stream["filled"]) < 1320 and stream["h1"].shape == stream["h2"].shape == (1, 8)


CHECKS: dict[str, Callable[[dict, dict], None]] = {
    **{name: _check_probability for name in ("logistic_regression", "planar_classification", "deep_nn",
                                              "initialization", "regularization", "gradient_checking",
                                              "optimization", "tf_intro", "conv_step_by_step", "signs_convnet",
                                              "happy_model", "resnet50")},
    "yolo": _check_yolo, "style_transfer": _check_style, "face_recognition": _check_faces,
    "rnn_step_by_step": _check_rnn, "dinosaur_names": _check_dinosaur, "emojify": _check_emojify,
    "nmt_attention": _check_nmt, "trigger_word": _check_trigger,
}


def test_every_implemented_assignment_is_covered():
    assert set(SERVING) == set(CHECKS) == set(IMPLEMENTED) - NO_EXPORT


def _served(name: str, k: int, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """(inputs, outputs of every signature) of run ``k``'s export, in the checker's process."""
    inputs = SERVING[name][1](name)
    outputs, description = run_signatures(quick_run(name, k, tmp_path_factory)["exports"][0], inputs)
    return inputs, {"outputs": outputs, "description": description}


@pytest.mark.parametrize("name", EVERY)
def test_every_export_serves_real_inputs_in_a_process_without_tf_course(name, tmp_path_factory):
    if name in NO_EXPORT:
        assert quick_run(name, 1, tmp_path_factory)["exports"] == []
        return
    documented = SERVING[name][0]
    probe = checker_probe()
    assert probe["isolated"] and probe["tf_course_blocked"]
    inputs, served = _served(name, 1, tmp_path_factory)
    outputs = served["outputs"]
    assert set(inputs) == set(documented)  # every signature is run
    assert _documented(served["description"]) == documented
    for signature, arrays in outputs.items():
        assert set(arrays) == set(documented[signature]["outputs"])
    _finite(outputs)
    CHECKS[name](outputs, inputs)


@pytest.mark.parametrize("name", [p for p in EVERY if p.values[0] not in NO_EXPORT])
def test_the_second_runs_export_serves_the_same_outputs(name, tmp_path_factory):
    """The same seed gives the same weights: run 2's export answers run 1's inputs bit for bit."""
    _, first = _served(name, 1, tmp_path_factory)
    _, again = _served(name, 2, tmp_path_factory)
    for signature, arrays in first["outputs"].items():
        for key, array in arrays.items():
            np.testing.assert_array_equal(again["outputs"][signature][key], array, err_msg=f"[{signature}] {key}")
