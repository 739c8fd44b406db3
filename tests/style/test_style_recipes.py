"""The TF1 course's recipe (Adam lr 2.0 in VGG's mean-subtracted range, the course's start and de-processing) and
the XLA-compiled step (``jit_compile``): a narrow VGG19 on a tiny image keeps each test to a few steps."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.style.images import generated_content, generated_style
from tf_course.style.transfer import (
    COURSE_MEANS,
    RECIPE_POOLING,
    StyleTransfer,
    TransferSettings,
    from_mean_subtracted,
    initial_mean_subtracted,
    recipe_settings,
    to_mean_subtracted,
)
from tf_course.style.vgg import build_vgg19
from tf_course.train.optimize import optimize_variable

SIZE = (24, 32)
STEPS = 6


@pytest.fixture(scope="module")
def images():
    return generated_content(SIZE), generated_style(SIZE)


@pytest.fixture(scope="module")
def tf1(images):
    body = build_vgg19(widths=(8, 8, 8, 16, 16), seed=0, pooling=RECIPE_POOLING["tf1"])
    transfer = StyleTransfer(body, recipe_settings("tf1"))
    seen = []
    image, history, _ = transfer.run(*images, STEPS, every=3, on_image=lambda step, img, c: seen.append(img))
    return transfer, image, history, seen


def test_recipes_are_the_two_courses():
    tf2, tf1 = recipe_settings("tf2"), recipe_settings("tf1", noise_seed=3)
    assert tf2 == TransferSettings() and (tf2.learning_rate, tf2.pixel_range) == (0.01, "unit")
    assert (tf1.learning_rate, tf1.pixel_range, tf1.noise, tf1.noise_ratio) == (2.0, "mean_subtracted", 20.0, 0.6)
    assert tf1.means == COURSE_MEANS == (123.68, 116.779, 103.939) and tf1.noise_seed == 3
    assert tf1.content_layer == "block4_conv2" and RECIPE_POOLING == {"tf2": "max", "tf1": "avg"}
    assert (tf1.alpha, tf1.beta, tf1.style_layers) == (tf2.alpha, tf2.beta, tf2.style_layers)
    with pytest.raises(ValueError, match="recipe: expected one of"):
        recipe_settings("tf3")
    with pytest.raises(ValueError, match="pixel_range: expected one of"):
        dataclasses.replace(tf2, pixel_range="0..255")


def test_tf1_start_and_pixel_range_handling(images):
    content = images[0]
    start = initial_mean_subtracted(content, seed=5).numpy()
    centred = 255.0 * content - np.array(COURSE_MEANS, np.float32)  # the course's reshape_and_normalize_image
    np.testing.assert_allclose(to_mean_subtracted(content).numpy(), centred, atol=1e-4)
    noise = (start - 0.4 * centred) / 0.6  # generate_noise_image: noise * 0.6 + content * 0.4
    assert np.abs(noise).max() <= 20.0 + 1e-3 and np.abs(noise).max() > 19.0 and abs(noise.mean()) < 1.0
    np.testing.assert_array_equal(start, initial_mean_subtracted(content, seed=5).numpy())  # seeded
    # de-processing (the course's save_image, scaled to [0, 1]): + MEANS, clipped to [0, 255]
    np.testing.assert_allclose(from_mean_subtracted(centred).numpy(), content, atol=1e-5)
    extreme = np.array([[[[-200.0, 0.0, 200.0]]]], np.float32)
    np.testing.assert_allclose(from_mean_subtracted(extreme).numpy(), [[[[0.0, 116.779 / 255, 1.0]]]], atol=1e-6)
    np.testing.assert_allclose(from_mean_subtracted(extreme, clip=False).numpy(),
                               [[[[-76.32 / 255, 116.779 / 255, 303.939 / 255]]]], atol=1e-5)


def test_tf1_loop_lowers_the_cost_and_deprocesses(tf1, images):
    transfer, image, history, seen = tf1
    total = history.history["total"]
    assert total[-1] < 0.7 * total[0] and all(np.isfinite(total))
    np.testing.assert_allclose(total, 10 * np.array(history.history["content"]) +
                               40 * np.array(history.history["style"]), rtol=1e-5)
    assert image.shape == (1, *SIZE, 3) and image.min() >= 0.0 and image.max() <= 1.0
    assert transfer.clip is None  # the TF1 course does not clip while optimising
    # the first cost is that of the course's start, seen by VGG as (x + MEANS) / 255 (unclipped)
    targets = transfer.targets(*images)
    first = transfer.costs(from_mean_subtracted(transfer.start(images[0]), clip=False), targets)["total"]
    assert float(first) == pytest.approx(total[0], rel=1e-5)
    np.testing.assert_allclose(seen[-1], image)  # intermediate images are de-processed too
    # the in-graph stylizer (the export's loop) follows the same recipe: the same image
    stylized = tf.function(transfer.stylize)(images[0], images[1], tf.constant(STEPS)).numpy()
    np.testing.assert_allclose(stylized, image, atol=1e-4)


def test_jit_compile_step_agrees_with_the_default_step(images):
    transfer = StyleTransfer(build_vgg19(widths=(4, 4, 8, 8, 8), seed=2))
    plain_image, plain, _ = transfer.run(*images, 3, every=3)
    jit_image, jit, _ = transfer.run(*images, 3, every=3, jit_compile=True)
    for name in ("total", "content", "style"):
        np.testing.assert_allclose(jit.history[name], plain.history[name], rtol=1e-4)
    np.testing.assert_allclose(jit_image, plain_image, atol=1e-4)


def test_jit_compile_without_xla_support_is_a_clear_error():
    def loss(x):  # numpy_function has no XLA kernel: what XLA's absence on a machine looks like
        return {"total": tf.reduce_sum(tf.numpy_function(lambda a: a, [x], tf.float32) * x)}

    with pytest.raises(RuntimeError, match="jit_compile=True: expected XLA to compile the step on this machine, "
                                           "found: .*unsupported operations.*PyFunc"):
        optimize_variable(tf.Variable(tf.ones((3,))), loss, keras.optimizers.Adam(0.1), 2, verbose=False,
                          jit_compile=True)
    with pytest.raises(ValueError, match="jit_compile: expected True or False"):
        optimize_variable(tf.Variable(tf.ones((3,))), loss, keras.optimizers.Adam(0.1), 2, jit_compile="yes")
