"""The neural-style-transfer optimisation: costs of a generated image, the course's loop, an in-graph stylizer.

:class:`StyleTransfer` holds a VGG19 feature extractor (style layers, then the content layer) and
the cost settings. Given a content and a style image it computes the fixed targets once (the
content activations a_C and the style Gram matrices G_S), then:

* :meth:`StyleTransfer.run`: the course's loop. The generated image is a ``tf.Variable``
  initialised as the TF2 course does (content plus uniform noise in [-0.25, 0.25], clipped to
  [0, 1]), minimised by Adam (lr 0.01) with the pixels clipped to [0, 1] after every step, through
  :func:`tf_course.train.optimize.optimize_variable` (a compiled step, costs history, a callback
  every N steps for intermediate images and progress);
* :meth:`StyleTransfer.stylize`: the same loop as one TensorFlow graph (a ``tf.while_loop`` whose
  state is the image and Adam's two moments, Keras' Adam update written out), for the exported
  stylizer. It creates no variables at all, so it can be traced for any image size and serves
  concurrent requests without sharing state; it gives the same image as :meth:`run` for the same
  number of steps (to float32 rounding).

The noise is drawn with ``tf.random.stateless_uniform`` from ``noise_seed``, so both paths, and
the export reloaded elsewhere, start from the same image.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from tf_course.style.costs import (
    CONTENT_LAYER,
    STYLE_LAYERS,
    activation_gram,
    content_cost,
    layer_style_cost_from_gram,
)
from tf_course.style.vgg import feature_extractor
from tf_course.train.history import History
from tf_course.train.optimize import optimize_variable

ADAM_BETA_1, ADAM_BETA_2, ADAM_EPSILON = 0.9, 0.999, 1e-7  # keras.optimizers.Adam's defaults (the course's)


@dataclass(frozen=True)
class TransferSettings:
    """Costs and optimiser of a style transfer (defaults: the TF2 course).

    Attributes:
        style_layers: (VGG19 layer, weight) per style layer.
        content_layer: the layer of the content cost.
        alpha, beta: total cost = alpha J_content + beta J_style (+ variation_weight * total variation).
        learning_rate: Adam's learning rate (pixels in [0, 1]).
        noise: half-width of the uniform noise added to the content image at the start.
        noise_seed: seed of that noise (``tf.random.stateless_uniform``).
        variation_weight: weight of the total variation of the generated image (0: the course).
    """

    style_layers: tuple[tuple[str, float], ...] = STYLE_LAYERS
    content_layer: str = CONTENT_LAYER
    alpha: float = 10.0
    beta: float = 40.0
    learning_rate: float = 0.01
    noise: float = 0.25
    noise_seed: int = 0
    variation_weight: float = 0.0


def initial_image(content: tf.Tensor, noise: float = 0.25, seed: int = 0) -> tf.Tensor:
    """The course's start: content (1, H, W, 3) in [0, 1] plus uniform noise in [-noise, noise], clipped to [0, 1]."""
    content = tf.convert_to_tensor(content, tf.float32)
    drawn = tf.random.stateless_uniform(tf.shape(content), seed=tf.constant([seed, 0], tf.int64),
                                        minval=-noise, maxval=noise)
    return tf.clip_by_value(content + drawn, 0.0, 1.0)


def match_size(style: tf.Tensor, content: tf.Tensor) -> tf.Tensor:
    """``style`` (1, h, w, 3) resized (bilinear) to ``content``'s height and width, unchanged if equal."""
    style = tf.convert_to_tensor(style, tf.float32)
    size = tf.shape(content)[1:3]
    same = tf.reduce_all(tf.equal(tf.shape(style)[1:3], size))
    return tf.cond(same, lambda: style, lambda: tf.clip_by_value(tf.image.resize(style, size), 0.0, 1.0))


@dataclass(frozen=True)
class Targets:
    """What the costs compare against: a_C (1, h, w, c) of the content layer, G_S (1, c_l, c_l) per style layer."""

    content: tf.Tensor
    grams: tuple[tf.Tensor, ...]


class StyleTransfer:
    """Costs and loops of a style transfer on one VGG19 body.

    Args:
        body: the VGG19 body (:func:`tf_course.style.vgg.build_vgg19`); its layers are shared.
        settings: the costs and optimiser.
    """

    def __init__(self, body: keras.Model, settings: TransferSettings | None = None) -> None:
        self.settings = settings or TransferSettings()
        self.body = body
        layers = [name for name, _ in self.settings.style_layers] + [self.settings.content_layer]
        self.extractor = feature_extractor(body, layers)

    def outputs(self, images: tf.Tensor) -> list[tf.Tensor]:
        """The course's ``vgg_model_outputs``: style layers' activations, then the content layer's."""
        out = self.extractor(images, training=False)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def targets(self, content: tf.Tensor, style: tf.Tensor) -> Targets:
        """a_C of ``content`` and the Gram matrices of ``style`` (resized to ``content``'s size)."""
        content = tf.convert_to_tensor(content, tf.float32)
        a_C = self.outputs(content)[-1]
        a_S = self.outputs(match_size(style, content))[:-1]
        return Targets(a_C, tuple(activation_gram(a) for a in a_S))

    def costs(self, image: tf.Tensor, targets: Targets) -> dict[str, tf.Tensor]:
        """``{"total", "content", "style"[, "variation"]}`` scalars of the generated ``image`` (1, H, W, 3)."""
        s = self.settings
        a_G = self.outputs(image)
        J_content = content_cost(targets.content, a_G[-1])
        J_style = tf.add_n([w * layer_style_cost_from_gram(g, a) for (_, w), g, a in
                            zip(s.style_layers, targets.grams, a_G[:-1])])
        total = s.alpha * J_content + s.beta * J_style
        costs = {"total": total, "content": J_content, "style": J_style}
        if s.variation_weight:
            costs["variation"] = tf.reduce_sum(tf.image.total_variation(image))
            costs["total"] = total + s.variation_weight * costs["variation"]
        return costs

    def run(
        self,
        content: np.ndarray,
        style: np.ndarray,
        steps: int,
        *,
        every: int | None = None,
        on_image: Callable[[int, np.ndarray, Mapping[str, float]], None] | None = None,
        verbose: bool = False,
    ) -> tuple[np.ndarray, History, float]:
        """The course's loop on a ``tf.Variable``: returns (image (1, H, W, 3), costs history, seconds per step).

        Args:
            content, style: float images (1, H, W, 3) in [0, 1] (style resized to the content's size).
            steps: Adam steps.
            every: call ``on_image(step, image, costs)`` every ``every`` steps (intermediate images);
                also the steps per compiled call.
            verbose: progress on stderr.

        ``seconds per step`` leaves out the first compiled call (tracing): it is measured over the
        later calls, or over all steps when there is only one.
        """
        targets = self.targets(content, style)
        generated = tf.Variable(initial_image(content, self.settings.noise, self.settings.noise_seed),
                                name="generated_image")
        optimizer = keras.optimizers.Adam(learning_rate=self.settings.learning_rate)
        every = every or max(1, steps // 10)
        stamps: list[tuple[int, float]] = []

        def callback(step: int, variable: tf.Variable, losses: dict[str, float]) -> None:
            stamps.append((step, time.perf_counter()))
            if on_image is not None:
                on_image(step, variable.numpy(), losses)

        start = time.perf_counter()
        history = optimize_variable(generated, lambda image: self.costs(image, targets), optimizer, steps,
                                    callback_every=every, callback=callback, clip=(0.0, 1.0), verbose=verbose)
        end = time.perf_counter()
        if len(stamps) >= 2:
            seconds = (stamps[-1][1] - stamps[0][1]) / (stamps[-1][0] - stamps[0][0])
        else:
            seconds = (end - start) / steps
        return generated.numpy(), history, float(seconds)

    def stylize(self, content: tf.Tensor, style: tf.Tensor, steps: tf.Tensor) -> tf.Tensor:
        """The whole loop in the graph: content (1, H, W, 3), style (1, h, w, 3), steps () -> image (1, H, W, 3).

        Keras' Adam update, step for step (m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
        x -= m lr sqrt(1 - b2^t) / (1 - b1^t) / (sqrt(v) + eps)), then the clip to [0, 1].
        """
        s = self.settings
        content = tf.convert_to_tensor(content, tf.float32)
        targets = self.targets(content, style)
        image = initial_image(content, s.noise, s.noise_seed)
        lr = tf.constant(s.learning_rate, tf.float32)
        beta_1, beta_2 = tf.constant(ADAM_BETA_1, tf.float32), tf.constant(ADAM_BETA_2, tf.float32)

        def step(i: tf.Tensor, x: tf.Tensor, m: tf.Tensor, v: tf.Tensor) -> tuple[tf.Tensor, ...]:
            with tf.GradientTape() as tape:
                tape.watch(x)
                total = self.costs(x, targets)["total"]
            g = tape.gradient(total, x)
            t = tf.cast(i + 1, tf.float32)
            alpha = lr * tf.sqrt(1 - tf.pow(beta_2, t)) / (1 - tf.pow(beta_1, t))
            m = m + (g - m) * (1 - ADAM_BETA_1)
            v = v + (tf.square(g) - v) * (1 - ADAM_BETA_2)
            x = x - (m * alpha) / (tf.sqrt(v) + ADAM_EPSILON)
            return i + 1, tf.clip_by_value(x, 0.0, 1.0), m, v

        steps = tf.cast(steps, tf.int32)
        zeros = tf.zeros_like(image)
        _, image, _, _ = tf.while_loop(lambda i, *_: i < steps, step, (tf.constant(0), image, zeros, zeros))
        return image


def history_costs(history: History, names: Sequence[str] = ("content", "style", "total")) -> dict[str, list[float]]:
    """The per-step costs of a run, ``{name: [cost before step 0, ..., before the last step]}``."""
    return {name: list(history.history[name]) for name in names}
