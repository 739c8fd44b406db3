"""The course's ``img_to_encoding``, ``verify`` and ``who_is_it``, on a dict or a :class:`FaceDatabase`.

The course's messages are printed as it prints them:

- verify: ``It's younes, welcome in!`` / ``It's not kian, please go away``
- who_is_it: ``it's younes, the distance is 0.5992946`` / ``Not in the database.``
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tf_course.data.images import load_image_batch
from tf_course.faces.database import FaceDatabase

THRESHOLD = 0.7  # the course's door rule: same person when the distance is below it
Database = FaceDatabase | Mapping[str, np.ndarray]
Encoder = Callable[[np.ndarray], Any]


def model_image_size(model: Any, default: int = 96) -> tuple[int, int]:
    """(height, width) of a model's input, from ``model.input_shape`` (the default if unknown)."""
    shape = getattr(model, "input_shape", None)
    if shape is not None and len(shape) == 4 and shape[1] and shape[2]:
        return int(shape[1]), int(shape[2])
    return default, default


def l2_normalize(x: np.ndarray, axis: int = -1, epsilon: float = 1e-12) -> np.ndarray:
    """NumPy twin of ``tf.math.l2_normalize``."""
    x = np.asarray(x, dtype=np.float32)
    return x / np.sqrt(np.maximum(np.sum(np.square(x), axis=axis, keepdims=True), epsilon))


def encode_batch(images: np.ndarray, model: Encoder) -> np.ndarray:
    """Float images (b, h, w, 3) in [0, 1] -> L2-normalised embeddings (b, d), via ``model``.

    ``model`` is a Keras model (run in inference mode) or any callable of such a batch.
    """
    images = np.asarray(images, dtype=np.float32)
    predict = getattr(model, "predict_on_batch", None)
    out = predict(images) if predict is not None else model(images)
    return l2_normalize(np.asarray(out))


def img_to_encoding(image_path: str | Path, model: Encoder) -> np.ndarray:
    """An image file -> its (1, d) L2-normalised encoding, the course's ``img_to_encoding``.

    The image is opened as RGB, resized (nearest, like Keras' ``load_img``) to the model's input
    size when it differs, divided by 255 and rounded to 12 decimals, then encoded.

    Raises:
        FileNotFoundError, DataError: the file is missing or not an image (the message names it).
    """
    _, batch = load_image_batch(image_path, size=model_image_size(model), resample="nearest")
    batch = np.around(batch.astype(np.float64), decimals=12).astype(np.float32)  # (1, h, w, 3)
    return encode_batch(batch, model)


def _distance(encoding: np.ndarray, database: Database, identity: str) -> float:
    if isinstance(database, FaceDatabase):
        return database.distance(encoding, identity)
    if identity not in database:
        raise KeyError(f"expected a name in the database ({', '.join(database) or 'empty'}), found {identity!r}")
    return float(np.linalg.norm(encoding - database[identity]))


def verify(image_path: str | Path, identity: str, database: Database, model: Encoder,
           threshold: float = THRESHOLD) -> tuple[float, bool]:
    """Is the person in ``image_path`` ``identity``? The course's ``verify``.

    Returns:
        ``(dist, door_open)``: the L2 distance between the image's encoding and ``identity``'s, and
        whether it is below ``threshold`` (0.7). Prints the course's message.
    """
    encoding = img_to_encoding(image_path, model)
    dist = _distance(encoding, database, identity)
    if dist < threshold:
        print("It's " + str(identity) + ", welcome in!")
        door_open = True
    else:
        print("It's not " + str(identity) + ", please go away")
        door_open = False
    return dist, door_open


def who_is_it(image_path: str | Path, database: Database, model: Encoder,
              threshold: float = THRESHOLD) -> tuple[float, str | None]:
    """Who is in ``image_path``? The course's ``who_is_it``.

    Returns:
        ``(min_dist, identity)``: the smallest distance over the database and its name (the name is
        returned even above the threshold, as in the course; None for an empty database). Prints
        ``Not in the database.`` when ``min_dist > threshold``, else the course's ``it's NAME, the
        distance is D``.
    """
    encoding = img_to_encoding(image_path, model)
    if isinstance(database, FaceDatabase):
        min_dist, identity = database.nearest(encoding)
    else:
        min_dist, identity = 100.0, None  # the course's initial "large value"
        for name, db_enc in database.items():
            dist = float(np.linalg.norm(encoding - db_enc))
            if dist < min_dist:
                min_dist, identity = dist, name
    if min_dist > threshold:
        print("Not in the database.")
    else:
        print("it's " + str(identity) + ", the distance is " + str(np.float32(min_dist)))  # float32 as printed
    return min_dist, identity
