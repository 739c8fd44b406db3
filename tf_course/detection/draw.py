"""The course's ``preprocess_image``, ``generate_colors`` and ``draw_boxes``.

Opening, saving and scaling images are generic and live in :mod:`tf_course.data.images`
(``open_image`` and ``save_image`` are imported here for the course's ``predict``).
"""

from __future__ import annotations

import colorsys
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tf_course.data.images import load_image_batch, open_image, save_image
from tf_course.data.validate import DataError, check_array

__all__ = ["box_label_lines", "draw_boxes", "generate_colors", "open_image", "preprocess_image", "save_image"]


def preprocess_image(
    image_path: str | Path, model_image_size: tuple[int, int] = (608, 608)
) -> tuple[Image.Image, np.ndarray]:
    """The course's ``preprocess_image``: the image and its (1, h, w, 3) float32 model input.

    Args:
        image_path: a JPEG/PNG file (any size, converted to RGB).
        model_image_size: (height, width) of the model input.

    Returns:
        ``(image, image_data)``: the original PIL image (for drawing) and the image resized with
        PIL's BICUBIC filter to ``model_image_size``, divided by 255, with a batch axis
        (:func:`tf_course.data.images.load_image_batch`).
    """
    return load_image_batch(image_path, model_image_size, resample="bicubic")


def generate_colors(class_names: Sequence[str]) -> list[tuple[int, int, int]]:
    """One RGB colour per class: evenly spaced hues, shuffled with the course's fixed seed 10101.

    The course seeds Python's global ``random``; a private ``random.Random(10101)`` gives the same
    order without touching global state.
    """
    hsv = [(i / len(class_names), 1.0, 1.0) for i in range(len(class_names))]
    colors = [tuple(int(255 * c) for c in colorsys.hsv_to_rgb(*x)) for x in hsv]
    random.Random(10101).shuffle(colors)
    return colors  # type: ignore[return-value]


def box_label_lines(
    scores: np.ndarray, boxes: np.ndarray, classes: np.ndarray, class_names: Sequence[str],
    image_size: tuple[int, int],
) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
    """The course's printed box lines: ``(label "car 0.89", (left, top), (right, bottom))`` per box.

    Args:
        scores: (n,); boxes: (n, 4) pixel corners [top, left, bottom, right]; classes: (n,) ints.
        image_size: the PIL ``(width, height)``; corners are rounded and clipped to it as the course does.
    """
    width, height = image_size
    lines = []
    for score, box, cls in zip(scores, boxes, classes):
        top, left, bottom, right = (float(v) for v in box)
        top, left = max(0, int(np.floor(top + 0.5))), max(0, int(np.floor(left + 0.5)))
        bottom, right = min(height, int(np.floor(bottom + 0.5))), min(width, int(np.floor(right + 0.5)))
        lines.append((f"{class_names[int(cls)]} {float(score):.2f}", (left, top), (right, bottom)))
    return lines


def draw_boxes(
    image: Image.Image,
    out_scores: np.ndarray,
    out_boxes: np.ndarray,
    out_classes: np.ndarray,
    class_names: Sequence[str],
    colors: Sequence[tuple[int, int, int]] | None = None,
) -> list[str]:
    """The course's ``draw_boxes``: draw each box with its "class score" label on ``image`` (in place).

    Args:
        image: a PIL RGB image; boxes are in its pixel coordinates.
        out_scores: (n,); out_boxes: (n, 4) [top, left, bottom, right] pixels; out_classes: (n,) ints.
        class_names: names indexed by class id.
        colors: one RGB colour per class (default :func:`generate_colors`).

    Returns:
        The course's printed lines, e.g. ``"car 0.89 (367, 300) (745, 648)"``, in input order.
    """
    out_boxes = check_array(np.asarray(out_boxes, dtype=np.float64).reshape(-1, 4) if np.size(out_boxes) else
                            np.zeros((0, 4)), what="draw_boxes: out_boxes", shape=(None, 4), finite=True)
    out_scores, out_classes = np.asarray(out_scores).reshape(-1), np.asarray(out_classes).reshape(-1).astype(int)
    if not len(out_scores) == len(out_boxes) == len(out_classes):
        raise DataError(f"draw_boxes: expected as many scores, boxes and classes, found {len(out_scores)}, "
                        f"{len(out_boxes)}, {len(out_classes)}")
    bad = [int(c) for c in out_classes if not 0 <= c < len(class_names)]
    if bad:
        raise DataError(f"draw_boxes: expected class ids in [0, {len(class_names)}), found {bad}")
    colors = list(colors) if colors is not None else generate_colors(class_names)
    font = ImageFont.load_default(size=max(10, int(np.floor(3e-2 * image.size[1] + 0.5))))
    thickness = max(1, (image.size[0] + image.size[1]) // 300)
    draw = ImageDraw.Draw(image)
    lines = box_label_lines(out_scores, out_boxes, out_classes, class_names, image.size)
    for (label, (left, top), (right, bottom)), cls in reversed(list(zip(lines, out_classes))):
        color = colors[cls]
        for k in range(thickness):  # nested rectangles, as the course draws them
            draw.rectangle([left + k, top + k, right - k, bottom - k], outline=color)
        text_left, text_top, text_right, text_bottom = draw.textbbox((0, 0), label, font=font)
        text_w, text_h = text_right - text_left, text_bottom - text_top
        origin = (left, top - text_h - 2) if top - text_h - 2 >= 0 else (left, top + 1)
        draw.rectangle([origin, (origin[0] + text_w + 2, origin[1] + text_h + 2)], fill=color)
        draw.text((origin[0] + 1, origin[1] - text_top + 1), label, fill=(0, 0, 0), font=font)
    return [f"{label} {tl} {br}" for label, tl, br in lines]
