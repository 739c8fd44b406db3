"""Servable face encoder and verifier (one SavedModel, three signatures), and loading it back.

- ``serving_default``: ``images`` float32 (batch, S, S, 3) in [0, 1] -> ``embeddings`` (batch, 128),
  L2-normalised.
- ``serve_bytes``: ``images`` encoded JPEG/PNG strings (batch,) of any size -> decoded, resized to
  S x S (bicubic, antialiased) -> ``embeddings``.
- ``verify``: ``image_a``, ``image_b`` float32 (batch, S, S, 3) -> ``distance`` (batch,) L2 between
  the embeddings, ``same`` (batch,) bool ``distance < threshold``, and ``threshold`` () the
  threshold used (the evaluation's, or the course's 0.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.data.images import decode_image, resize_images
from tf_course.export.saved_model import SIGNATURE, ExportResult, Signature, export_and_check

BYTES_SIGNATURE = "serve_bytes"
VERIFY_SIGNATURE = "verify"


class FaceServer(tf.Module):
    """The functions behind the export's signatures (the encoder's weights tracked)."""

    def __init__(self, encoder: keras.Model, threshold: float) -> None:
        super().__init__()
        self.encoder = encoder
        self.size = int(encoder.input_shape[1])
        self.threshold = float(threshold)

    def embed(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """float32 (b, S, S, 3) in [0, 1] -> {"embeddings": (b, d)}."""
        return {"embeddings": self.encoder(tf.convert_to_tensor(images, tf.float32), training=False)}

    def embed_bytes(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """Encoded images (b,) -> {"embeddings": (b, d)}."""
        size = (self.size, self.size)

        def decode(data: tf.Tensor) -> tf.Tensor:
            return resize_images(tf.cast(decode_image(data), tf.float32) / 255.0, size)

        decoded = tf.map_fn(decode, tf.convert_to_tensor(images, tf.string),
                            fn_output_signature=tf.TensorSpec((*size, 3), tf.float32))
        return self.embed(decoded)

    def verify(self, image_a: tf.Tensor, image_b: tf.Tensor) -> dict[str, tf.Tensor]:
        """Two float32 batches (b, S, S, 3) -> distance (b,), same (b,) bool, threshold ()."""
        a, b = self.embed(image_a)["embeddings"], self.embed(image_b)["embeddings"]
        distance = tf.sqrt(tf.reduce_sum(tf.square(a - b), axis=-1))
        threshold = tf.constant(self.threshold, tf.float32)
        return {"distance": distance, "same": distance < threshold, "threshold": threshold}

    def signatures(self, sample: np.ndarray, encoded: Sequence[bytes]) -> dict[str, Signature]:
        """Signatures with their check samples: uint8 images (k, S, S, 3) and their encoded bytes."""
        s = self.size
        floats = np.asarray(sample, dtype=np.float32) / 255.0
        image = tf.TensorSpec((None, s, s, 3), tf.float32, name="images")
        return {
            SIGNATURE: Signature(self.embed, [image], {"images": floats}, atol=1e-4),
            BYTES_SIGNATURE: Signature(self.embed_bytes, [tf.TensorSpec((None,), tf.string, name="images")],
                                       {"images": np.array(list(encoded), dtype=bytes)}, atol=1e-4),
            VERIFY_SIGNATURE: Signature(
                self.verify, [tf.TensorSpec((None, s, s, 3), tf.float32, name="image_a"),
                              tf.TensorSpec((None, s, s, 3), tf.float32, name="image_b")],
                {"image_a": floats, "image_b": floats[::-1].copy()}, atol=1e-4),
        }


def encode_png(images: np.ndarray) -> list[bytes]:
    """uint8 (k, h, w, 3) -> PNG bytes per image (lossless, so the bytes signature sees the same pixels)."""
    return [tf.io.encode_png(tf.constant(img)).numpy() for img in np.asarray(images, dtype=np.uint8)]


def export_face_encoder(name: str, encoder: keras.Model, out_dir: str | Path, sample: np.ndarray, *,
                        threshold: float, metrics: dict[str, Any] | None = None,
                        data_source: dict[str, str] | None = None) -> ExportResult:
    """Export encoder and verifier to ``out_dir/name/<version>/``, checked in a fresh process first.

    The manifest's ``faces`` entry records the input size, embedding size and threshold.
    """
    server = FaceServer(encoder, threshold)
    return export_and_check(name, server.signatures(sample, encode_png(sample)), [encoder], out_dir,
                            metrics=metrics, data_source=data_source,
                            manifest_extra={"faces": {"image_size": server.size,
                                                      "embedding_size": int(encoder.output_shape[-1]),
                                                      "threshold": server.threshold}})


class ExportedEncoder:
    """A face-encoder export used like a Keras encoder by :mod:`tf_course.faces.recognition`:
    ``input_shape`` and a call on float images (b, S, S, 3) -> embeddings (b, d) as NumPy."""

    def __init__(self, export_dir: str | Path) -> None:
        from tf_course.data.validate import DataError

        self.path = Path(export_dir)
        try:
            loaded = tf.saved_model.load(str(self.path))
        except (OSError, ValueError, tf.errors.OpError) as exc:
            raise DataError(f"{self.path}: expected a face-encoder SavedModel, found an unreadable one "
                            f"({exc})") from None
        if SIGNATURE not in loaded.signatures:
            raise DataError(f"{self.path}: expected a {SIGNATURE!r} signature, found {sorted(loaded.signatures)}")
        self._loaded = loaded
        self._fn = loaded.signatures[SIGNATURE]
        spec = self._fn.structured_input_signature[1].get("images")
        if spec is None or spec.dtype != tf.float32 or spec.shape.rank != 4:
            raise DataError(f"{self.path}: expected a face encoder taking float32 images (b, S, S, 3), found {spec}")
        self.input_shape = tuple(spec.shape.as_list())

    def __call__(self, images: np.ndarray) -> np.ndarray:
        return self._fn(images=tf.constant(images, tf.float32))["embeddings"].numpy()
