"""The exported stylizer: content and style image in, stylised image out, the whole optimisation in the graph.

Signatures (one SavedModel, checked in a fresh process by
:func:`tf_course.export.saved_model.export_and_check` before it is published):

* ``serving_default``: ``content`` float32 (1, H, W, 3) and ``style`` float32 (1, h, w, 3), RGB in
  [0, 1], and ``steps`` int32 () -> ``image`` float32 (1, H, W, 3) in [0, 1];
* ``serve_encoded``: ``content`` and ``style`` as encoded JPEG/PNG strings (), ``steps`` int32 ()
  -> ``image`` float32 (1, H, W, 3) at the content's own size.

The style image is resized to the content's size; the loop is
:meth:`tf_course.style.transfer.StyleTransfer.stylize` with the transfer's recipe (TF2: Adam lr
0.01, pixels clipped to [0, 1]; TF1: Adam lr 2.0 in the mean-subtracted range, de-processed to
[0, 1]; start: content plus seeded noise), so the result equals the in-memory loop's for the same
steps. The manifest's ``stylizer.settings`` records the recipe's settings.
Everything the weights need (VGG19 body, mean pixel) is inside; nothing else is (no ``tf_course``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from tf_course.data.images import decode_image, normalize_images
from tf_course.export.saved_model import SIGNATURE, ExportResult, Signature, export_and_check
from tf_course.style.transfer import StyleTransfer

ENCODED_SIGNATURE = "serve_encoded"
OUTPUT = "image"


def _compiled_stylize(transfer: StyleTransfer) -> tf.types.experimental.PolymorphicFunction:
    """:meth:`StyleTransfer.stylize` traced once for any image size, shared by both signatures."""
    return tf.function(transfer.stylize, input_signature=[
        tf.TensorSpec((1, None, None, 3), tf.float32), tf.TensorSpec((1, None, None, 3), tf.float32),
        tf.TensorSpec((), tf.int32)])


def float_serving_fn(transfer: StyleTransfer, stylize: Callable | None = None):  # noqa: ANN201
    """``(content (1, H, W, 3), style (1, h, w, 3), steps ()) -> {"image": (1, H, W, 3)}``."""
    stylize = stylize or _compiled_stylize(transfer)

    def serve(content: tf.Tensor, style: tf.Tensor, steps: tf.Tensor) -> dict[str, tf.Tensor]:
        return {OUTPUT: stylize(content, style, steps)}

    return serve


def encoded_serving_fn(transfer: StyleTransfer, stylize: Callable | None = None):  # noqa: ANN201
    """``(content bytes (), style bytes (), steps ()) -> {"image": (1, H, W, 3)}``: decoded and scaled in the graph."""
    stylize = stylize or _compiled_stylize(transfer)

    def serve(content: tf.Tensor, style: tf.Tensor, steps: tf.Tensor) -> dict[str, tf.Tensor]:
        content_image = normalize_images(decode_image(content))[tf.newaxis]  # (1, H, W, 3) in [0, 1]
        style_image = normalize_images(decode_image(style))[tf.newaxis]
        return {OUTPUT: stylize(content_image, style_image, steps)}

    return serve


def encode_png(image: np.ndarray) -> bytes:
    """Float (1, H, W, 3) in [0, 1] -> PNG bytes."""
    from tf_course.style.images import to_uint8

    return tf.io.encode_png(to_uint8(image)).numpy()


def export_stylizer(
    name: str,
    transfer: StyleTransfer,
    out_dir: str | Path,
    sample_content: np.ndarray,
    sample_style: np.ndarray,
    sample_steps: int = 2,
    *,
    metrics: dict[str, Any] | None = None,
    data_source: dict[str, str] | None = None,
    manifest_extra: Mapping[str, Any] | None = None,
) -> ExportResult:
    """Export the stylizer (both signatures), verified on the samples in a separate process.

    Args:
        sample_content, sample_style: small float images (1, h, w, 3) in [0, 1] (h, w >= 16) the
            check runs ``sample_steps`` steps on.
    """
    specs = [tf.TensorSpec((1, None, None, 3), tf.float32, name="content"),
             tf.TensorSpec((1, None, None, 3), tf.float32, name="style"),
             tf.TensorSpec((), tf.int32, name="steps")]
    encoded_specs = [tf.TensorSpec((), tf.string, name="content"), tf.TensorSpec((), tf.string, name="style"),
                     tf.TensorSpec((), tf.int32, name="steps")]
    steps = np.int32(sample_steps)
    stylize = _compiled_stylize(transfer)  # one trace of the loop for both signatures
    # PNG round trips are exact on uint8 images: the encoded sample is the float one, quantised
    content_u8 = np.round(np.asarray(sample_content) * 255) / 255
    style_u8 = np.round(np.asarray(sample_style) * 255) / 255
    signatures = {
        SIGNATURE: Signature(float_serving_fn(transfer, stylize), specs,
                             {"content": np.asarray(sample_content, np.float32),
                              "style": np.asarray(sample_style, np.float32), "steps": steps}, atol=1e-4),
        ENCODED_SIGNATURE: Signature(encoded_serving_fn(transfer, stylize), encoded_specs,
                                     {"content": np.asarray(encode_png(content_u8)),
                                      "style": np.asarray(encode_png(style_u8)), "steps": steps}, atol=1e-4),
    }
    extra = {"stylizer": {"settings": _jsonable(dataclasses.asdict(transfer.settings)),
                          "inputs": "content, style: RGB in [0, 1] (serving_default) or encoded JPEG/PNG "
                                    "(serve_encoded); steps: Adam steps"},
             **(manifest_extra or {})}
    return export_and_check(name, signatures, [transfer.body], out_dir, metrics=metrics, data_source=data_source,
                            manifest_extra=extra)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
