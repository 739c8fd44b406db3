"""Generated face-like images of many identities: the offline stand-in for a face dataset.

Each identity is a fixed set of traits drawn from its own seed (face shape, skin tone, hair colour
and style, eye spacing / size / colour, eyebrows, nose, mouth width, ears, glasses, beard). Each
image of it varies what a camera varies:

- pose: in-plane rotation, scale, shift, and a yaw that moves the features sideways and narrows
  the face;
- lighting: brightness, a directional gradient, a colour cast;
- expression: smile or frown, open mouth, eye openness, raised eyebrows;
- background: a random colour with a gradient and stripes, and pixel noise.

Images are rendered with NumPy (soft-edged ellipses on a coordinate grid, a batch at a time), uint8
(n, s, s, 3). Everything is a function of the seeds: the same call gives the same pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_TRAITS = 20


@dataclass(frozen=True)
class Variation:
    """How much images of one identity differ (1.0: the default; 0: a frontal, evenly lit passport photo)."""

    pose: float = 1.0
    lighting: float = 1.0
    expression: float = 1.0
    background: float = 1.0
    noise: float = 1.0


def identity_traits(identity: int, seed: int = 0) -> np.ndarray:
    """The traits of one identity: (N_TRAITS,) uniform [0, 1) numbers from its own seed."""
    return np.random.default_rng([int(seed), int(identity), 7331]).random(N_TRAITS)


def _soft(inside: np.ndarray, softness: float) -> np.ndarray:
    """Signed distance-like value (> 0 inside) -> mask in [0, 1] with a soft edge."""
    return np.clip(inside * (1.0 / softness) + 0.5, 0.0, 1.0)  # a linear ramp one "softness" wide


def _ellipse(x: np.ndarray, y: np.ndarray, cx: np.ndarray, cy: np.ndarray, rx: np.ndarray, ry: np.ndarray,
             softness: float) -> np.ndarray:
    """Soft mask of ellipses; all parameters (n, 1, 1), grid (n, s, s)."""
    r = np.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2)
    return _soft(1.0 - r, softness)


def _paint(canvas: np.ndarray, mask: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Blend ``color`` (n, 3) into ``canvas`` (n, s, s, 3) where ``mask`` (n, s, s)."""
    m = mask[..., None].astype(np.float32, copy=False)
    return canvas + (np.asarray(color, np.float32)[:, None, None, :] - canvas) * m


def render_faces(traits: np.ndarray, rng: np.random.Generator, size: int = 64,
                 variation: Variation = Variation()) -> np.ndarray:
    """Render one image per row of ``traits`` (n, N_TRAITS) -> uint8 (n, size, size, 3).

    ``rng`` draws the per-image variation (pose, lighting, expression, background, noise).
    """
    t = np.asarray(traits, dtype=np.float32)
    n = t.shape[0]

    def col(v: np.ndarray) -> np.ndarray:
        return np.asarray(v, dtype=np.float32).reshape(n, 1, 1)

    def draw(low: float, high: float, scale: float) -> np.ndarray:
        return col(rng.uniform(low, high, n) * scale)

    # ---- per-image variation
    v = variation
    angle = draw(-0.3, 0.3, v.pose)  # radians
    scale = 1.0 + draw(-0.1, 0.1, v.pose)
    shift_x, shift_y = draw(-0.1, 0.1, v.pose), draw(-0.1, 0.1, v.pose)
    yaw = draw(-1.0, 1.0, v.pose)
    smile = draw(-1.0, 1.0, v.expression)
    mouth_open = draw(0.0, 1.0, v.expression) * (rng.random((n, 1, 1)) < 0.35)
    eye_open = 1.0 - draw(0.0, 0.6, v.expression)
    brow_raise = draw(0.0, 0.06, v.expression)

    # grid in [-1, 1], then the inverse pose transform into face coordinates
    lin = ((np.arange(size) + 0.5) / size * 2.0 - 1.0).astype(np.float32)
    gy, gx = np.meshgrid(lin, lin, indexing="ij")
    gx, gy = gx[None], gy[None]
    u, w = (gx - shift_x) / scale, (gy - shift_y) / scale
    cos, sin = np.cos(angle), np.sin(angle)
    x, y = cos * u + sin * w, -sin * u + cos * w
    soft = 2.0 / size * 1.5

    # ---- identity traits (each in [0, 1))
    face_rx = 0.48 + 0.14 * col(t[:, 0])
    face_ry = 0.62 + 0.14 * col(t[:, 1])
    skin = np.stack([0.35 + 0.6 * t[:, 2], 0.25 + 0.5 * t[:, 2] * (0.7 + 0.3 * t[:, 3]),
                     0.18 + 0.45 * t[:, 2] * (0.5 + 0.5 * t[:, 3])], axis=1)
    hair_palette = np.array([[0.05, 0.04, 0.03], [0.3, 0.18, 0.08], [0.55, 0.35, 0.15], [0.85, 0.7, 0.35],
                             [0.6, 0.15, 0.05], [0.6, 0.6, 0.6], [0.15, 0.15, 0.2]])
    hair = hair_palette[(t[:, 4] * len(hair_palette)).astype(int)] * (0.8 + 0.4 * t[:, 5:6])
    hair_height = 0.05 + 0.35 * col(t[:, 6])
    hairline = -0.55 + 0.35 * col(t[:, 7])
    eye_dx = 0.14 + 0.12 * col(t[:, 8])
    eye_y = -0.2 + 0.15 * col(t[:, 9])
    eye_r = 0.06 + 0.05 * col(t[:, 10])
    iris_palette = np.array([[0.1, 0.3, 0.7], [0.15, 0.5, 0.2], [0.35, 0.2, 0.08], [0.05, 0.05, 0.05],
                             [0.45, 0.45, 0.5]])
    iris = iris_palette[(t[:, 11] * len(iris_palette)).astype(int)]
    nose_len = 0.1 + 0.18 * col(t[:, 12])
    nose_w = 0.04 + 0.06 * col(t[:, 13])
    mouth_y = 0.3 + 0.15 * col(t[:, 14])
    mouth_w = 0.12 + 0.14 * col(t[:, 15])
    brow_tilt = -0.25 + 0.5 * col(t[:, 16])
    brow_thick = 0.015 + 0.03 * col(t[:, 17])
    glasses = col(t[:, 18] > 0.75)
    beard = col(t[:, 19] > 0.7)

    # ---- background: colour, gradient, stripes
    bg = rng.uniform(0.0, 1.0, (n, 3)) * v.background + 0.5 * (1 - v.background)
    canvas = np.broadcast_to(bg[:, None, None, :], (n, size, size, 3)).astype(np.float32)
    grad_dir = rng.uniform(0, 2 * np.pi, n)
    ramp = (np.cos(grad_dir)[:, None, None] * gx + np.sin(grad_dir)[:, None, None] * gy) * draw(0, 0.3, v.background)
    freq = draw(2, 10, 1.0)
    stripes = np.sin(freq * (gx * np.cos(angle * 3) + gy)) * draw(0, 0.12, v.background)
    canvas = canvas + (ramp + stripes)[..., None]

    # yaw: features slide sideways, the far half of the face narrows
    feat_dx = 0.12 * yaw
    face_cx = 0.04 * yaw
    rx_eff = face_rx * (1.0 - 0.08 * np.abs(yaw))

    # hair behind the head, ears, face
    canvas = _paint(canvas, _ellipse(x, y, face_cx, -0.12 - hair_height * 0.3, rx_eff + 0.07, face_ry * 0.55 +
                                     hair_height, soft), hair)
    for side in (-1.0, 1.0):
        ear_visible = np.clip(1.0 - side * yaw, 0.0, 1.0)
        canvas = _paint(canvas, _ellipse(x, y, face_cx + side * (rx_eff + 0.01), -0.02 + 0 * x, 0.07 + 0 * x,
                                         0.13 + 0 * x, soft) * ear_visible, skin * 0.9)
    face = _ellipse(x, y, face_cx, 0.05, rx_eff, face_ry, soft)
    canvas = _paint(canvas, face, skin)
    # fringe: hair over the face above the hairline
    canvas = _paint(canvas, face * _soft(hairline - y, soft), hair)
    # beard: lower face
    canvas = _paint(canvas, face * _soft(y - (mouth_y - 0.08), soft * 2) * beard * 0.85, hair)

    # eyes, irises, eyebrows, glasses
    for side in (-1.0, 1.0):
        ex = feat_dx + side * eye_dx * (1.0 - 0.25 * side * yaw)
        white = _ellipse(x, y, ex, eye_y, eye_r * 1.4, eye_r * eye_open, soft)
        canvas = _paint(canvas, white, np.full((n, 3), 0.95))
        canvas = _paint(canvas, white * _ellipse(x, y, ex + 0.02 * yaw, eye_y, eye_r * 0.7, eye_r * 0.7, soft), iris)
        canvas = _paint(canvas, white * _ellipse(x, y, ex + 0.02 * yaw, eye_y, eye_r * 0.3, eye_r * 0.3, soft),
                        np.zeros((n, 3)))
        by = eye_y - eye_r - 0.06 - brow_raise
        bx = x - ex
        brow_center = by + side * brow_tilt * bx
        brow = _soft(brow_thick - np.abs(y - brow_center), soft) * _soft(eye_r * 1.6 - np.abs(bx), soft)
        canvas = _paint(canvas, brow, hair * 0.7)
        ring = np.abs(np.sqrt((x - ex) ** 2 + (y - eye_y) ** 2) - eye_r * 1.9)
        canvas = _paint(canvas, _soft(0.018 - ring, soft) * glasses, np.full((n, 3), 0.1))

    # nose: a shaded ridge
    nose_top = eye_y + 0.05
    nose = (_soft(nose_w - np.abs(x - feat_dx * 1.2), soft) * _soft(y - nose_top, soft)
            * _soft(nose_top + nose_len - y, soft))
    canvas = _paint(canvas, nose * 0.5, skin * 0.6)

    # mouth: a curved band, thicker when open
    mx = x - feat_dx
    curve = mouth_y - 0.25 * smile * (mx / mouth_w) ** 2 * mouth_w
    thick = 0.018 + 0.05 * mouth_open
    mouth = _soft(thick - np.abs(y - curve), soft) * _soft(mouth_w - np.abs(mx), soft)
    canvas = _paint(canvas, mouth, np.tile([[0.55, 0.12, 0.15]], (n, 1)) * (1.0 - 0.5 * mouth_open[:, 0]))

    # lighting: brightness, directional gradient, colour cast; then noise
    light_dir = rng.uniform(0, 2 * np.pi, n)
    light = (1.0 + draw(-0.35, 0.25, v.lighting)
             + (np.cos(light_dir)[:, None, None] * gx + np.sin(light_dir)[:, None, None] * gy)
             * draw(0, 0.35, v.lighting))
    cast = 1.0 + rng.uniform(-0.1, 0.1, (n, 3)) * v.lighting
    canvas = canvas * light[..., None] * cast[:, None, None, :]
    canvas = canvas + rng.normal(0.0, 0.03 * v.noise, canvas.shape).astype(np.float32)
    return np.clip(np.round(canvas * 255.0), 0, 255).astype(np.uint8)


def generate_faces(n_identities: int, images_per_identity: int, size: int = 64, seed: int = 0,
                   first_identity: int = 0, variation: Variation = Variation(),
                   chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Images of identities ``first_identity .. first_identity + n_identities - 1``.

    Returns:
        ``(images, labels)``: uint8 (n_identities * images_per_identity, size, size, 3), grouped by
        identity, and int32 identity numbers (same length).
    """
    if n_identities < 1 or images_per_identity < 1 or size < 16:
        raise ValueError(f"generate_faces: expected n_identities >= 1, images_per_identity >= 1 and size >= 16, "
                         f"found {n_identities}, {images_per_identity}, {size}")
    labels = np.repeat(np.arange(first_identity, first_identity + n_identities, dtype=np.int32),
                       images_per_identity)
    traits = np.stack([identity_traits(i, seed) for i in range(first_identity, first_identity + n_identities)])
    traits = np.repeat(traits, images_per_identity, axis=0)
    rng = np.random.default_rng([int(seed), int(first_identity), int(n_identities), 4242])
    images = np.concatenate([render_faces(traits[i:i + chunk], rng, size, variation)
                             for i in range(0, len(labels), chunk)])
    return images, labels
