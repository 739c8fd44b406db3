"""The served "conv step by step" model: a fixed edge-filter bank checked against the NumPy conv.

``CONV -> RELU -> MAXPOOL -> GLOBAL AVERAGE POOL -> DENSE(softmax)`` on 64x64 RGB images. The
Conv2D layer holds a hand-made filter bank (Sobel edges in four orientations, both signs) in the
course's layout ``W (f, f, n_C_prev, n_C)``, which is also Keras' kernel layout; it is frozen, so
the served convolution is exactly the one :func:`tf_course.scratch.conv.conv_forward` computes
with ``pad 1, stride 1`` (Keras ``padding="same"`` for a 3x3 filter). Only the dense head is
trained, on generated stripe images whose class is the stripes' orientation.
"""

from __future__ import annotations

import keras
import numpy as np

from tf_course.data.images import scale_uint8
from tf_course.scratch import conv_vectorized as conv

IMAGE_SHAPE = (64, 64, 3)
CLASSES = ("horizontal", "vertical", "diagonal", "anti_diagonal")  # stripes like "-", "|", "/", "\\"
CONV_HPARAMETERS = {"pad": 1, "stride": 1}  # Keras padding="same" for f = 3, stride 1
POOL_HPARAMETERS = {"f": 2, "stride": 2}
_ANGLES = {"horizontal": 90.0, "vertical": 0.0, "diagonal": 45.0, "anti_diagonal": 135.0}  # wave direction


def edge_filter_bank() -> tuple[np.ndarray, np.ndarray]:
    """Eight 3x3 Sobel filters on the mean of R, G and B: vertical, horizontal, diagonal and
    anti-diagonal edges, each with both signs (ReLU keeps one polarity per filter).

    Returns:
        W ``(3, 3, 3, 8)`` and b ``(1, 1, 1, 8)`` (zeros), float32, course layout.
    """
    gx = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)  # responds to vertical edges
    diagonal = np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]], dtype=np.float32)
    kernels = [gx, gx.T, diagonal, diagonal[:, ::-1]]  # vertical, horizontal, diagonal, anti-diagonal
    kernels = [k for kernel in kernels for k in (kernel, -kernel)]  # 8 x (3, 3)
    bank = np.stack(kernels, axis=-1)  # (3, 3, 8)
    W = np.repeat(bank[:, :, None, :], 3, axis=2) / 3.0  # (3, 3, 3, 8): same filter on each channel / 3
    return W.astype(np.float32), np.zeros((1, 1, 1, len(kernels)), np.float32)


def build_conv_step_by_step_model(
    W: np.ndarray, b: np.ndarray, num_classes: int = len(CLASSES), name: str = "conv_step_by_step"
) -> keras.Model:
    """Functional model on float images ``(batch, 64, 64, 3)`` in [0, 1] -> ``(batch, num_classes)``.

    Layers: ``conv`` (Conv2D, weights W ``(3, 3, 3, n_C)`` and b ``(1, 1, 1, n_C)``, padding same,
    frozen), ``relu``, ``max_pool`` (2x2, stride 2), ``global_average_pool``, ``dense`` (softmax).
    """
    if np.ndim(W) != 4 or W.shape[:3] != (3, 3, IMAGE_SHAPE[2]) or np.shape(b) != (1, 1, 1, W.shape[3]):
        raise ValueError(f"expected W (3, 3, {IMAGE_SHAPE[2]}, n_C) and b (1, 1, 1, n_C); "
                         f"found {np.shape(W)} and {np.shape(b)}")
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    conv_layer = keras.layers.Conv2D(W.shape[3], 3, padding="same", trainable=False, name="conv")
    x = conv_layer(images)  # (batch, 64, 64, n_C)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.MaxPooling2D(2, strides=2, name="max_pool")(x)  # (batch, 32, 32, n_C)
    x = keras.layers.GlobalAveragePooling2D(name="global_average_pool")(x)  # (batch, n_C)
    probabilities = keras.layers.Dense(num_classes, activation="softmax", name="dense")(x)
    conv_layer.set_weights([np.asarray(W, np.float32), np.asarray(b, np.float32).reshape(-1)])
    return keras.Model(images, probabilities, name=name)


def numpy_forward(images: np.ndarray, model: keras.Model, conv_only: bool = False) -> np.ndarray:
    """The served model's forward pass with the NumPy scratch functions, in float64.

    Args:
        images: uint8 ``(m, 64, 64, 3)``.
        model: a :func:`build_conv_step_by_step_model` model (its weights are read).
        conv_only: return the conv output Z ``(m, 64, 64, n_C)`` instead of the probabilities.

    Returns:
        Z ``(m, 64, 64, n_C)`` or probabilities ``(m, num_classes)``.
    """
    kernel, bias = model.get_layer("conv").get_weights()  # (3, 3, 3, n_C), (n_C,)
    x = scale_uint8(images, np.float64)
    Z, _ = conv.conv_forward(x, kernel.astype(np.float64), bias.astype(np.float64).reshape(1, 1, 1, -1),
                             CONV_HPARAMETERS)
    if conv_only:
        return Z
    A, _ = conv.pool_forward(np.maximum(Z, 0.0), POOL_HPARAMETERS, mode="max")  # (m, 32, 32, n_C)
    features = A.mean(axis=(1, 2))  # (m, n_C)
    dense_kernel, dense_bias = model.get_layer("dense").get_weights()  # (n_C, classes), (classes,)
    logits = features @ dense_kernel.astype(np.float64) + dense_bias
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def generate_stripes(m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Noisy two-colour sinusoidal stripes; the label is the orientation (index into ``CLASSES``).

    Each image draws a class, an angle within 10 degrees of the class's, a period of 6 to 16
    pixels, a phase, a dark and a light colour (each channel at least 55 apart) and pixel noise
    (standard deviation 8).

    Returns:
        images uint8 ``(m, 64, 64, 3)`` and labels int64 ``(m,)``.
    """
    labels = rng.integers(0, len(CLASSES), size=m)
    angles = np.deg2rad(np.array([_ANGLES[CLASSES[k]] for k in labels]) + rng.uniform(-10, 10, m))  # (m,)
    period = rng.uniform(6, 16, m)
    phase = rng.uniform(0, 2 * np.pi, m)
    rows, cols = np.mgrid[0 : IMAGE_SHAPE[0], 0 : IMAGE_SHAPE[1]].astype(np.float64)  # (64, 64) each
    along = cols[None] * np.cos(angles)[:, None, None] + rows[None] * np.sin(angles)[:, None, None]  # (m, 64, 64)
    wave = 0.5 + 0.5 * np.sin(2 * np.pi * along / period[:, None, None] + phase[:, None, None])  # (m, 64, 64)
    background, foreground = rng.uniform(0, 100, (m, 3)), rng.uniform(155, 255, (m, 3))  # contrast >= 55
    images = background[:, None, None, :] + (foreground - background)[:, None, None, :] * wave[..., None]
    images = images + rng.normal(0, 8, images.shape)  # (m, 64, 64, 3)
    return np.clip(np.rint(images), 0, 255).astype(np.uint8), labels.astype(np.int64)
