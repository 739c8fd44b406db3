"""Images in and out: files (PIL), the course's uint8 -> [0, 1] scaling, in-graph decode/resize, ``tf.data``.

The course feeds its models ``X / 255.``; here that scaling is one function for tensors
(:func:`normalize_images`, used by the training input pipeline :func:`image_dataset` and by every
exported serving function, so that training and serving can never disagree) and one for NumPy
arrays (:func:`scale_uint8`, for eager and course-parity code).

Files: :func:`open_image` (any PIL-readable file -> RGB, clear errors), :func:`load_image_batch`
(open, resize with PIL, scale, add a batch axis: the course's ``preprocess_image`` pattern) and
:func:`save_image` (atomic). In the graph: :func:`decode_image` (encoded bytes -> uint8) and
:func:`resize_images` (bicubic with antialiasing, the stand-in for PIL's BICUBIC).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image, UnidentifiedImageError

from tf_course.atomic import atomic_output
from tf_course.data.validate import DataError, require_file

#: PIL resampling filters by name, for :func:`load_image_batch`.
RESAMPLING = {
    "nearest": Image.NEAREST,
    "bilinear": Image.BILINEAR,
    "bicubic": Image.BICUBIC,
    "lanczos": Image.LANCZOS,
}


def normalize_images(images: tf.Tensor) -> tf.Tensor:
    """uint8 pixels (..., H, W, C) -> float32 in [0, 1], the course's ``X / 255.``."""
    return tf.cast(images, tf.float32) / 255.0


def scale_uint8(pixels: np.ndarray, dtype: type | np.dtype = np.float32) -> np.ndarray:
    """NumPy twin of :func:`normalize_images`: uint8 pixels (any shape) -> ``dtype`` in [0, 1].

    The division is done in ``dtype`` (float32: the same values as :func:`normalize_images`;
    float64: the course's ``X / 255.`` on a uint8 array).
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"scale_uint8: expected a float dtype, found {dtype}")
    return np.asarray(pixels, dtype=dtype) / dtype.type(255)


def open_image(image_path: str | Path) -> Image.Image:
    """An image file (JPEG, PNG, BMP, GIF: whatever PIL reads) as a fully loaded RGB PIL image.

    Raises:
        FileNotFoundError: nothing at ``image_path``.
        DataError: the file cannot be read, or is not a decodable image (corrupt, truncated,
            another format); the message names the file.
    """
    path = require_file(Path(image_path), "image")
    try:
        with Image.open(path) as image:
            return image.convert("RGB")  # convert() loads the pixels: truncated data fails here
    except PermissionError as exc:
        raise DataError(f"{path}: expected a readable image file, found no permission to read it ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:  # SyntaxError: PIL's bad-header error
        raise DataError(f"{path}: expected a JPEG/PNG image, found undecodable data ({exc})") from exc


def load_image_batch(
    image_path: str | Path,
    size: Sequence[int] | None = None,
    resample: str = "bicubic",
) -> tuple[Image.Image, np.ndarray]:
    """Open an image, resize it with PIL, scale it to [0, 1] and add a batch axis.

    Args:
        image_path: an image file (any size, converted to RGB).
        size: (height, width) of the result; ``None`` keeps the image's own size.
        resample: a PIL filter name from :data:`RESAMPLING` (the course's YOLO uses ``"bicubic"``,
            Keras' ``load_img`` ``"nearest"``).

    Returns:
        ``(image, batch)``: the original PIL image (e.g. to draw on) and float32 (1, h, w, 3) in [0, 1].

    Raises:
        FileNotFoundError, DataError: see :func:`open_image`. ValueError: an unknown ``resample`` or bad ``size``.
    """
    if resample not in RESAMPLING:
        raise ValueError(f"load_image_batch: expected resample in {sorted(RESAMPLING)}, found {resample!r}")
    image = open_image(image_path)
    resized = image
    if size is not None:
        if len(size) != 2 or any(int(d) < 1 for d in size):
            raise ValueError(f"load_image_batch: expected size (height, width) of positive ints, found {size!r}")
        height, width = (int(d) for d in size)
        resized = image.resize((width, height), RESAMPLING[resample])  # PIL sizes are (width, height)
    return image, scale_uint8(np.asarray(resized))[np.newaxis]  # (h, w, 3) -> (1, h, w, 3)


def save_image(image: Image.Image, path: str | Path, quality: int = 90) -> Path:
    """Save ``image`` atomically; the format follows the suffix (PNG when unknown, JPEG at ``quality``)."""
    image_format = Image.registered_extensions().get(Path(path).suffix.lower(), "PNG")
    with atomic_output(path) as tmp:
        image.save(tmp, format=image_format, quality=quality)
    return Path(path)


def decode_image(data: tf.Tensor) -> tf.Tensor:
    """One encoded JPEG/PNG/BMP/GIF string () -> uint8 (H, W, 3), in the graph (first frame of a GIF)."""
    image = tf.io.decode_image(data, channels=3, expand_animations=False)  # (H, W, 3) uint8
    image.set_shape([None, None, 3])
    return image


def resize_images(images: tf.Tensor, size: Sequence[int]) -> tf.Tensor:
    """(b, H, W, C) or (H, W, C) float in [0, 1] -> same rank at ``size`` (height, width), clipped to [0, 1].

    Bicubic with antialiasing, the in-graph stand-in for PIL's BICUBIC resize of
    :func:`load_image_batch` (on the course's 1280x720 ``yolo/images/test.jpg`` -> 608x608 the two
    differ by 0.0034 on average, less than one grey level; without antialiasing by 0.010).
    """
    resized = tf.image.resize(images, size, method="bicubic", antialias=True)
    return tf.clip_by_value(resized, 0.0, 1.0)  # bicubic overshoots at edges


def image_dataset(
    images: np.ndarray,
    labels: np.ndarray | None,
    batch_size: int,
    shuffle: bool = False,
) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of (images float32 [0, 1] (b, H, W, C), labels (b, ...)) batches.

    ``images`` stay uint8 in memory and are scaled per batch by :func:`normalize_images`, the
    function the serving signature uses. With ``labels=None`` the batches are images only. With
    ``shuffle`` the order changes every epoch; it is drawn from TensorFlow's global seed (set by
    the entry point), never from a seed set here.
    """
    if labels is not None and images.shape[0] != labels.shape[0]:
        raise ValueError(f"image_dataset: expected as many labels as images ({images.shape[0]}), "
                         f"found {labels.shape[0]}")
    dataset = tf.data.Dataset.from_tensor_slices(images if labels is None else (images, labels))
    if shuffle:
        dataset = dataset.shuffle(images.shape[0], reshuffle_each_iteration=True)
    scale = normalize_images if labels is None else (lambda x, y: (normalize_images(x), y))
    return dataset.batch(batch_size).map(scale, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
