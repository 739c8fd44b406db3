"""Content and style images: the course's (``nst/louvre_small.jpg``, ``nst/monet.jpg``) or generated ones.

Without the course files the package draws its own pair (:func:`generated_content`,
:func:`generated_style`): a "building under a sky" scene with edges and flat regions to keep, and
a colourful brush-stroke texture (Monet-like blues, greens and pinks in curved strokes) whose
Gram statistics differ clearly from the content's. Both are deterministic (a seed).

Images are float32 (1, H, W, 3) in [0, 1]; saving adds PNG text metadata (e.g. ``weights: random``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from tf_course.atomic import atomic_output
from tf_course.data.course_files import find_course_files
from tf_course.data.images import load_image_batch

COURSE_IMAGES = ("nst/louvre_small.jpg", "nst/monet.jpg")


def _grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres in [0, 1]: y (H, W) and x (H, W)."""
    y = (np.arange(height) + 0.5) / height
    x = (np.arange(width) + 0.5) / width
    return np.meshgrid(y, x, indexing="ij")


def generated_content(size: Sequence[int], seed: int = 0) -> np.ndarray:
    """A simple scene (1, H, W, 3) in [0, 1]: sky gradient, sun, a building with a roof and windows, a lawn."""
    height, width = (int(d) for d in size)
    rng = np.random.default_rng(seed)
    y, x = _grid(height, width)
    sky = np.stack([0.45 + 0.35 * y, 0.65 + 0.25 * y, 0.95 - 0.1 * y], -1)  # light blue, paler near the horizon
    image = sky
    sun = (x - 0.82) ** 2 + ((y - 0.18) * height / width) ** 2 < 0.006
    image[sun] = (1.0, 0.9, 0.5)
    lawn = y > 0.78
    image[lawn] = np.stack([0.25 + 0.1 * y, 0.55 + 0.05 * x, 0.2 + 0 * x], -1)[lawn]
    building = (x > 0.18) & (x < 0.72) & (y > 0.38) & (y <= 0.78)
    image[building] = (0.78, 0.72, 0.6)
    roof = (y > 0.16) & (y <= 0.38) & (np.abs(x - 0.45) < (y - 0.16) / 0.22 * 0.3)
    image[roof] = (0.45, 0.3, 0.25)
    for row in (0.45, 0.6):
        for col in np.linspace(0.23, 0.62, 5):
            window = (x > col) & (x < col + 0.06) & (y > row) & (y < row + 0.09)
            image[window] = (0.2, 0.25, 0.4)
    door = (x > 0.42) & (x < 0.5) & (y > 0.64) & (y <= 0.78)
    image[door] = (0.35, 0.2, 0.15)
    image = image + rng.normal(0.0, 0.01, image.shape)  # a little film grain
    return np.clip(image, 0.0, 1.0).astype(np.float32)[np.newaxis]


def generated_style(size: Sequence[int], seed: int = 0) -> np.ndarray:
    """A brush-stroke texture (1, H, W, 3) in [0, 1]: curved strokes of a blue-green-pink palette."""
    height, width = (int(d) for d in size)
    rng = np.random.default_rng(seed + 1)
    y, x = _grid(height, width)
    field = np.zeros((height, width))
    for _ in range(6):  # a smooth random field of curved waves
        kx, ky = rng.uniform(-14, 14, 2)
        phase = rng.uniform(0, 2 * np.pi)
        bend = rng.uniform(2, 5)
        field += np.sin(kx * x + ky * y + bend * np.sin(3 * y + 2 * x) + phase)
    strokes = np.sin(40 * x + 25 * y + 3 * field) * 0.5 + 0.5  # (H, W) in [0, 1]: the stroke pattern
    palette = np.array([[0.15, 0.3, 0.6], [0.3, 0.6, 0.55], [0.95, 0.7, 0.75], [0.95, 0.85, 0.45],
                        [0.45, 0.35, 0.65]])
    t = (np.tanh(field / 2) * 0.5 + 0.5) * (len(palette) - 1)
    low = np.clip(np.floor(t).astype(int), 0, len(palette) - 2)
    frac = (t - low)[..., None]
    colour = palette[low] * (1 - frac) + palette[low + 1] * frac
    image = colour * (0.6 + 0.4 * strokes[..., None]) + rng.normal(0.0, 0.02, colour.shape)
    return np.clip(image, 0.0, 1.0).astype(np.float32)[np.newaxis]


def load_images(
    data_dir: str | os.PathLike[str] | None, size: Sequence[int], seed: int = 0
) -> tuple[np.ndarray, np.ndarray, str]:
    """Content and style (1, H, W, 3) at ``size``: the course's when all are under ``data_dir``, else generated.

    Returns:
        ``(content, style, source)`` with source ``"course"`` or ``"generated"``.

    Raises:
        DataError: only one of the two course images is there (the all-or-none rule).
    """
    paths = find_course_files("style transfer", COURSE_IMAGES, data_dir)
    if paths is None:
        return generated_content(size, seed), generated_style(size, seed), "generated"
    content = load_image_batch(paths[0], size)[1]
    style = load_image_batch(paths[1], size)[1]
    return content, style, "course"


def to_uint8(image: np.ndarray) -> np.ndarray:
    """(1, H, W, 3) or (H, W, 3) float in [0, 1] -> uint8 (H, W, 3)."""
    array = np.asarray(image)
    array = array[0] if array.ndim == 4 else array
    return np.clip(np.round(array * 255.0), 0, 255).astype(np.uint8)


def save_png(image: np.ndarray, path: str | Path, metadata: Mapping[str, str] | None = None) -> Path:
    """Save a float image (1, H, W, 3) in [0, 1] as PNG (atomically), with ``metadata`` as PNG text chunks."""
    info = PngImagePlugin.PngInfo()
    for key, value in (metadata or {}).items():
        info.add_text(str(key), str(value))
    with atomic_output(path) as tmp:
        Image.fromarray(to_uint8(image)).save(tmp, format="PNG", pnginfo=info)
    return Path(path)
