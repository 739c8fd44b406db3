"""The course's FaceNet weights: one CSV row per file, exported from OpenFace's Torch model.

Files (``weights_dir/<file>.csv``): ``<conv>_w`` flattened (out, in, kh, kw) and ``<conv>_b``;
``<bn>_w/_b/_m/_v`` (gamma, beta, moving mean, moving variance); ``dense_w`` flattened (128, 736)
and ``dense_b`` for the layer ``dense_layer``. Conv kernels are transposed to Keras'
(kh, kw, in, out), the dense matrix to (736, 128) (the flatten before it sees a 1x1 map, so the
channels-first and channels-last orders agree).

:func:`load_weights_from_FaceNet` reads every file the model needs, checks each length against the
layer, and names every missing or mis-sized file in one error before changing any weight. With
``allow_missing=True`` it loads what is there and reports the rest: a partial model is never the
course's (the shared copy lacks five large files: see ``facenet_nn4_small2.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from tf_course.data.validate import DataError

BN_SUFFIXES = ("w", "b", "m", "v")  # gamma, beta, moving mean, moving variance (Keras' weight order)


@dataclass
class FaceNetWeightsReport:
    """What :func:`load_weights_from_FaceNet` did.

    Attributes:
        loaded: names of the layers whose weights were set.
        missing_files: CSV files (stem, e.g. ``"inception_5a_1x1_conv_w"``) that are absent.
        skipped_layers: layers left as they were because a file was missing.
    """

    loaded: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    skipped_layers: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every weighted layer was loaded: only then is the model the course's."""
        return not self.missing_files and not self.skipped_layers


def weight_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The model's Conv2D, BatchNormalization and Dense layers, in model order."""
    kinds = (keras.layers.Conv2D, keras.layers.BatchNormalization, keras.layers.Dense)
    return [layer for layer in model.layers if isinstance(layer, kinds)]


def _file_stems(layer: keras.layers.Layer) -> list[str]:
    """CSV stems of one layer, in its ``get_weights()`` order."""
    if isinstance(layer, keras.layers.BatchNormalization):
        return [f"{layer.name}_{s}" for s in BN_SUFFIXES]
    prefix = "dense" if layer.name == "dense_layer" else layer.name
    return [f"{prefix}_w", f"{prefix}_b"]


def expected_files(model: keras.Model) -> dict[str, tuple[int, ...]]:
    """``{csv stem: course shape}`` for every file the model's weights need (conv (out, in, kh, kw))."""
    files: dict[str, tuple[int, ...]] = {}
    for layer in weight_layers(model):
        for stem, weight in zip(_file_stems(layer), layer.get_weights()):
            shape = weight.shape
            if weight.ndim == 4:  # keras (kh, kw, in, out) <- course (out, in, kh, kw)
                shape = (shape[3], shape[2], shape[0], shape[1])
            elif weight.ndim == 2:  # keras (in, out) <- course (out, in)
                shape = (shape[1], shape[0])
            files[stem] = tuple(int(d) for d in shape)
    return files


def read_csv_row(path: Path) -> np.ndarray:
    """One comma-separated row of numbers -> float32 (n,); DataError naming the file otherwise."""
    text = Path(path).read_text(encoding="utf-8", errors="replace").strip()
    try:
        return np.array([float(v) for v in text.replace("\n", ",").split(",") if v.strip()], dtype=np.float32)
    except ValueError as exc:
        raise DataError(f"{path}: expected one row of comma-separated numbers, found {exc}") from None


def _to_keras(values: np.ndarray, course_shape: tuple[int, ...]) -> np.ndarray:
    array = values.reshape(course_shape)
    if array.ndim == 4:
        return np.transpose(array, (2, 3, 1, 0))  # (out, in, kh, kw) -> (kh, kw, in, out)
    if array.ndim == 2:
        return array.T  # (out, in) -> (in, out)
    return array


def load_weights_from_FaceNet(  # noqa: N802 (the course's name)
    model: keras.Model, weights_dir: str | Path, allow_missing: bool = False
) -> FaceNetWeightsReport:
    """Set every conv / batch-norm / dense layer of ``model`` from the course's CSV files.

    Args:
        model: :func:`tf_course.faces.model.faceRecoModel` (or any model with the course's names).
        weights_dir: the folder of CSV files (the course's ``weights/``).
        allow_missing: load the layers whose files are all present and report the rest, instead of
            raising on a missing file. Mis-sized and unreadable files always raise.

    Returns:
        A :class:`FaceNetWeightsReport` (``complete`` only when every file was there).

    Raises:
        FileNotFoundError: ``weights_dir`` is not a folder.
        DataError: files missing (unless ``allow_missing``), of the wrong length or not numbers;
            the message lists every such file with what was expected and found. No weight is
            changed then.
    """
    folder = Path(weights_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"FaceNet weights: expected a folder of CSV files, found nothing at {folder}"
                                if not folder.exists() else
                                f"FaceNet weights: expected a folder of CSV files, found a file at {folder}")
    shapes = expected_files(model)
    report = FaceNetWeightsReport()
    problems: list[str] = []
    values: dict[str, np.ndarray] = {}
    for stem, shape in shapes.items():
        path = folder / f"{stem}.csv"
        if not path.is_file():
            report.missing_files.append(stem)
            continue
        try:
            row = read_csv_row(path)
        except DataError as exc:
            problems.append(str(exc))
            continue
        size = int(np.prod(shape))
        if row.size != size:
            problems.append(f"{path.name}: expected {size} values (shape {shape}), found {row.size}")
            continue
        values[stem] = _to_keras(row, shape)
    if report.missing_files and not allow_missing:
        problems.insert(0, f"missing {len(report.missing_files)} file(s): "
                           + ", ".join(f"{s}.csv" for s in report.missing_files))
    if problems:
        raise DataError(f"FaceNet weights in {folder}: expected {len(shapes)} CSV files matching the model, "
                        f"found problems:\n  " + "\n  ".join(problems))
    for layer in weight_layers(model):
        stems = _file_stems(layer)
        if all(s in values for s in stems):
            layer.set_weights([values[s] for s in stems])
            report.loaded.append(layer.name)
        else:
            report.skipped_layers.append(layer.name)
    return report
