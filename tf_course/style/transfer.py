"""The neural-style-transfer optimisation: costs of a generated image, the course's loop, an in-graph stylizer.

:class:`StyleTransfer` holds a VGG19 feature extractor (style layers, then the content layer) and
the cost settings. Given a content and a style image it computes the fixed targets once (the
content activations a_C and the style Gram matrices G_S), then:

* :meth:`StyleTransfer.run`: the course's loop. The generated image is a ``tf.Variable``
  initialised as the course does, minimised by Adam through
  :func:`tf_course.train.optimize.optimize_variable` (a compiled step, ``jit_compile`` optional,
  costs history, a callback every N steps for intermediate images and progress);
* :meth:`StyleTransfer.stylize`: the same loop as one TensorFlow graph (a ``tf.while_loop`` whose
  state is the image and Adam's two moments, Keras' Adam update written out), for the exported
  stylizer. It creates no variables at all, so it can be traced for any image size and serves
  concurrent requests without sharing state; it gives the same image as :meth:`run` for the same
  number of steps (to float32 rounding).

Two recipes (:data:`RECIPES`, :func:`recipe_settings`), the two versions of the course:

* ``tf2`` (default; the TF2 course): the variable is the RGB image in [0, 1], started at the
  content plus uniform noise in [-0.25, 0.25] clipped to [0, 1]; Adam lr 0.01; the pixels are
  clipped to [0, 1] after every step; content layer ``block5_conv4``; max pooling.
* ``tf1`` (the TF1 course, ``nst_utils``): the variable lives in VGG's mean-subtracted pixel range
  (RGB in 0..255 minus the course's ``MEANS`` (123.68, 116.779, 103.939)), started at
  ``noise_ratio * U(-20, 20) + (1 - noise_ratio) * (255 content - MEANS)`` with ``noise_ratio``
  0.6 (``generate_noise_image``); Adam lr 2.0; no clipping while optimising; content layer
  ``block4_conv2`` (the course's ``conv4_2``); average pooling. The result is de-processed as
  the course's ``save_image``: ``+ MEANS``, clipped to [0, 255] (here divided by 255: [0, 1]).
  VGG sees the same pixels either way: the variable is mapped back to [0, 1] RGB
  (``(x + MEANS) / 255``, linear, unclipped) before the network's own input normalisation.

The noise is drawn with ``tf.random.stateless_uniform`` from ``noise_seed``, so both paths, and
the export reloaded elsewhere, start from the same image.
"""

from __future__ import annotations

import dataclasses
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
#: the TF1 course's ``CONFIG.MEANS`` (R, G, B in 0..255), subtracted from the image it optimises
COURSE_MEANS = (123.68, 116.779, 103.939)
#: the value spaces of the optimised variable
PIXEL_RANGES = ("unit", "mean_subtracted")


@dataclass(frozen=True)
class TransferSettings:
    """Costs and optimiser of a style transfer (defaults: the TF2 course).

    Attributes:
        style_layers: (VGG19 layer, weight) per style layer.
        content_layer: the layer of the content cost.
        alpha, beta: total cost = alpha J_content + beta J_style (+ variation_weight * total variation).
        learning_rate: Adam's learning rate (in the units of ``pixel_range``).
        noise: half-width of the uniform start noise (``unit``: added to the content in [0, 1];
            ``mean_subtracted``: in 0..255 pixel units, blended by ``noise_ratio``).
        noise_seed: seed of that noise (``tf.random.stateless_uniform``).
        variation_weight: weight of the total variation of the generated image (0: the course).
        pixel_range: what the optimised variable holds: ``"unit"`` (RGB in [0, 1], clipped to
            [0, 1] after every step: the TF2 course) or ``"mean_subtracted"`` (RGB in 0..255
            minus ``means``, not clipped: the TF1 course).
        noise_ratio: ``mean_subtracted`` start: ``noise_ratio * noise + (1 - noise_ratio) * content``.
        means: the mean pixel (R, G, B) subtracted in ``mean_subtracted``.
    """

    style_layers: tuple[tuple[str, float], ...] = STYLE_LAYERS
    content_layer: str = CONTENT_LAYER
    alpha: float = 10.0
    beta: float = 40.0
    learning_rate: float = 0.01
    noise: float = 0.25
    noise_seed: int = 0
    variation_weight: float = 0.0
    pixel_range: str = "unit"
    noise_ratio: float = 0.6
    means: tuple[float, float, float] = COURSE_MEANS

    def __post_init__(self) -> None:
        if self.pixel_range not in PIXEL_RANGES:
            raise ValueError(f"TransferSettings: pixel_range: expected one of {PIXEL_RANGES}, "
                             f"found {self.pixel_range!r}")
        if not 0.0 <= self.noise_ratio <= 1.0:
            raise ValueError(f"TransferSettings: noise_ratio: expected a value in [0, 1], found {self.noise_ratio}")


#: the two courses' loops: ``tf2`` (default) and ``tf1`` (see the module docstring)
RECIPES: dict[str, TransferSettings] = {
    "tf2": TransferSettings(),
    "tf1": TransferSettings(content_layer="block4_conv2", learning_rate=2.0, noise=20.0,
                            pixel_range="mean_subtracted", noise_ratio=0.6, means=COURSE_MEANS),
}
#: VGG19 pooling of each recipe (the TF1 course's ``load_vgg_model`` averages)
RECIPE_POOLING = {"tf2": "max", "tf1": "avg"}


def recipe_settings(recipe: str = "tf2", **overrides: object) -> TransferSettings:
    """The settings of ``recipe`` (``"tf2"`` or ``"tf1"``), with ``overrides`` (e.g. ``noise_seed=3``)."""
    if recipe not in RECIPES:
        raise ValueError(f"style transfer: recipe: expected one of {sorted(RECIPES)}, found {recipe!r}")
    return dataclasses.replace(RECIPES[recipe], **overrides)  # type: ignore[arg-type]


def initial_image(content: tf.Tensor, noise: float = 0.25, seed: int = 0) -> tf.Tensor:
    """The course's start: content (1, H, W, 3) in [0, 1] plus uniform noise in [-noise, noise], clipped to [0, 1]."""
    content = tf.convert_to_tensor(content, tf.float32)
    drawn = tf.random.stateless_uniform(tf.shape(content), seed=tf.constant([seed, 0], tf.int64),
                                        minval=-noise, maxval=noise)
    return tf.clip_by_value(content + drawn, 0.0, 1.0)


def initial_mean_subtracted(
    content: tf.Tensor, noise: float = 20.0, noise_ratio: float = 0.6, seed: int = 0,
    means: tuple[float, float, float] = COURSE_MEANS,
) -> tf.Tensor:
    """The TF1 course's start (``generate_noise_image``) in the mean-subtracted range, (1, H, W, 3).

    ``noise_ratio * U(-noise, noise) + (1 - noise_ratio) * (255 content - means)``, content in [0, 1].
    """
    content = tf.convert_to_tensor(content, tf.float32)
    drawn = tf.random.stateless_uniform(tf.shape(content), seed=tf.constant([seed, 0], tf.int64),
                                        minval=-noise, maxval=noise)
    return noise_ratio * drawn + (1.0 - noise_ratio) * to_mean_subtracted(content, means)


def to_mean_subtracted(image: tf.Tensor, means: tuple[float, float, float] = COURSE_MEANS) -> tf.Tensor:
    """RGB in [0, 1] -> the course's mean-subtracted range: ``255 image - means`` (the course's
    ``reshape_and_normalize_image``)."""
    return 255.0 * tf.convert_to_tensor(image, tf.float32) - tf.constant(means, tf.float32)


def from_mean_subtracted(x: tf.Tensor, means: tuple[float, float, float] = COURSE_MEANS, *,
                         clip: bool = True) -> tf.Tensor:
    """The course's ``save_image`` de-processing, scaled to [0, 1]: ``clip(x + means, 0, 255) / 255``.

    ``clip=False``: the linear map alone (what the network sees while optimising).
    """
    pixels = tf.convert_to_tensor(x, tf.float32) + tf.constant(means, tf.float32)
    if clip:
        pixels = tf.clip_by_value(pixels, 0.0, 255.0)
    return pixels / 255.0


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

    @property
    def clip(self) -> tuple[float, float] | None:
        """The range the variable is clipped to after every step: (0, 1) for ``unit``, None (TF1) else."""
        return (0.0, 1.0) if self.settings.pixel_range == "unit" else None

    def start(self, content: tf.Tensor) -> tf.Tensor:
        """The variable's start value (1, H, W, 3) for ``content`` in [0, 1], in the recipe's range."""
        s = self.settings
        if s.pixel_range == "unit":
            return initial_image(content, s.noise, s.noise_seed)
        return initial_mean_subtracted(content, s.noise, s.noise_ratio, s.noise_seed, s.means)

    def network_image(self, x: tf.Tensor) -> tf.Tensor:
        """The variable ``x`` as the [0, 1] RGB image the network takes (identity for ``unit``; linear, unclipped)."""
        if self.settings.pixel_range == "unit":
            return x
        return from_mean_subtracted(x, self.settings.means, clip=False)

    def deprocess(self, x: tf.Tensor) -> tf.Tensor:
        """The variable ``x`` as the result image in [0, 1] (``unit``: itself, already clipped; TF1: ``save_image``)."""
        if self.settings.pixel_range == "unit":
            return tf.convert_to_tensor(x)
        return from_mean_subtracted(x, self.settings.means, clip=True)

    def variable_costs(self, x: tf.Tensor, targets: Targets) -> dict[str, tf.Tensor]:
        """:meth:`costs` of the variable ``x`` (in the recipe's range)."""
        return self.costs(self.network_image(x), targets)

    def run(
        self,
        content: np.ndarray,
        style: np.ndarray,
        steps: int,
        *,
        every: int | None = None,
        on_image: Callable[[int, np.ndarray, Mapping[str, float]], None] | None = None,
        verbose: bool = False,
        jit_compile: bool = False,
    ) -> tuple[np.ndarray, History, float]:
        """The course's loop on a ``tf.Variable``: returns (image (1, H, W, 3), costs history, seconds per step).

        Args:
            content, style: float images (1, H, W, 3) in [0, 1] (style resized to the content's size).
            steps: Adam steps.
            every: call ``on_image(step, image, costs)`` every ``every`` steps (intermediate images,
                de-processed to [0, 1]); also the steps per compiled call.
            verbose: progress on stderr.
            jit_compile: compile the step with XLA (a ``RuntimeError`` if XLA cannot, here).

        The returned image is de-processed (:meth:`deprocess`): RGB in [0, 1] for either recipe.

        ``seconds per step`` leaves out the first compiled call (tracing): it is measured over the
        later calls, or over all steps when there is only one.
        """
        targets = self.targets(content, style)
        generated = tf.Variable(self.start(content), name="generated_image")
        optimizer = keras.optimizers.Adam(learning_rate=self.settings.learning_rate)
        every = every or max(1, steps // 10)
        stamps: list[tuple[int, float]] = []

        def callback(step: int, variable: tf.Variable, losses: dict[str, float]) -> None:
            stamps.append((step, time.perf_counter()))
            if on_image is not None:
                on_image(step, self.deprocess(variable).numpy(), losses)

        start = time.perf_counter()
        history = optimize_variable(generated, lambda x: self.variable_costs(x, targets), optimizer, steps,
                                    callback_every=every, callback=callback, clip=self.clip,
                                    jit_compile=jit_compile, verbose=verbose)
        end = time.perf_counter()
        if len(stamps) >= 2:
            seconds = (stamps[-1][1] - stamps[0][1]) / (stamps[-1][0] - stamps[0][0])
        else:
            seconds = (end - start) / steps
        return self.deprocess(generated).numpy(), history, float(seconds)

    def stylize(self, content: tf.Tensor, style: tf.Tensor, steps: tf.Tensor) -> tf.Tensor:
        """The whole loop in the graph: content (1, H, W, 3), style (1, h, w, 3), steps () -> image (1, H, W, 3).

        Keras' Adam update, step for step (m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
        x -= m lr sqrt(1 - b2^t) / (1 - b1^t) / (sqrt(v) + eps)), then the recipe's clip (TF2: to
        [0, 1]); the result de-processed to [0, 1] as :meth:`run`'s.
        """
        s = self.settings
        content = tf.convert_to_tensor(content, tf.float32)
        targets = self.targets(content, style)
        image = self.start(content)
        clip = self.clip
        lr = tf.constant(s.learning_rate, tf.float32)
        beta_1, beta_2 = tf.constant(ADAM_BETA_1, tf.float32), tf.constant(ADAM_BETA_2, tf.float32)

        def step(i: tf.Tensor, x: tf.Tensor, m: tf.Tensor, v: tf.Tensor) -> tuple[tf.Tensor, ...]:
            with tf.GradientTape() as tape:
                tape.watch(x)
                total = self.variable_costs(x, targets)["total"]
            g = tape.gradient(total, x)
            t = tf.cast(i + 1, tf.float32)
            alpha = lr * tf.sqrt(1 - tf.pow(beta_2, t)) / (1 - tf.pow(beta_1, t))
            m = m + (g - m) * (1 - ADAM_BETA_1)
            v = v + (tf.square(g) - v) * (1 - ADAM_BETA_2)
            x = x - (m * alpha) / (tf.sqrt(v) + ADAM_EPSILON)
            if clip is not None:
                x = tf.clip_by_value(x, *clip)
            return i + 1, x, m, v

        steps = tf.cast(steps, tf.int32)
        zeros = tf.zeros_like(image)
        _, image, _, _ = tf.while_loop(lambda i, *_: i < steps, step, (tf.constant(0), image, zeros, zeros))
        return self.deprocess(image)


def history_costs(history: History, names: Sequence[str] = ("content", "style", "total")) -> dict[str, list[float]]:
    """The per-step costs of a run, ``{name: [cost before step 0, ..., before the last step]}``."""
    return {name: list(history.history[name]) for name in names}
