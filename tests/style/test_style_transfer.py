"""The NST loop (course init, Adam, clip) and the exported stylizer: reloaded in a fresh process without tf_course,
it returns the in-memory loop's image for the same steps (a narrow VGG19 keeps the test small)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_served_export
from tf_course.export.saved_model import SIGNATURE
from tf_course.style.export import ENCODED_SIGNATURE, encode_png, export_stylizer
from tf_course.style.images import generated_content, generated_style
from tf_course.style.transfer import StyleTransfer, TransferSettings, initial_image
from tf_course.style.vgg import build_vgg19

SIZE = (24, 32)
STEPS = 6


@pytest.fixture(scope="module")
def transfer():
    return StyleTransfer(build_vgg19(widths=(8, 8, 8, 16, 16), seed=0))


def _uint8_exact(image):
    """Quantised to k / 255, so that a PNG of it decodes to the same floats."""
    return (np.round(image * 255) / np.float32(255)).astype(np.float32)


@pytest.fixture(scope="module")
def images():
    return _uint8_exact(generated_content(SIZE)), _uint8_exact(generated_style(SIZE))


@pytest.fixture(scope="module")
def loop(transfer, images):
    seen = []
    image, history, seconds = transfer.run(*images, STEPS, every=2,
                                           on_image=lambda step, img, costs: seen.append((step, costs["total"])))
    return image, history, seconds, seen


def test_initial_image_is_content_plus_clipped_noise(images):
    content = images[0]
    start = initial_image(content).numpy()
    assert start.shape == content.shape and start.min() >= 0.0 and start.max() <= 1.0
    inside = (content > 0.25) & (content < 0.75)
    assert np.all(np.abs(start - content)[inside] <= 0.25 + 1e-6)
    assert np.abs(start - content).max() > 0.2  # the noise is there
    np.testing.assert_array_equal(start, initial_image(content).numpy())  # seeded: the same every time


def test_loop_lowers_the_cost_and_reports(loop):
    image, history, seconds, seen = loop
    assert image.shape == (1, *SIZE, 3) and image.min() >= 0.0 and image.max() <= 1.0
    assert history.epoch == list(range(STEPS))
    total = history.history["total"]
    assert total[-1] < total[0]
    np.testing.assert_allclose(total, 10 * np.array(history.history["content"]) +
                               40 * np.array(history.history["style"]), rtol=1e-5)
    assert [step for step, _ in seen] == [2, 4, 6]
    assert seconds > 0


def test_total_variation_option(images):
    body = build_vgg19(widths=(4, 4, 4, 4, 4), seed=1)
    smooth = StyleTransfer(body, TransferSettings(variation_weight=0.5))
    targets = smooth.targets(*images)
    costs = smooth.costs(tf.constant(images[0]), targets)
    variation = float(tf.reduce_sum(tf.image.total_variation(tf.constant(images[0]))))
    assert float(costs["variation"]) == pytest.approx(variation, rel=1e-6)
    assert float(costs["total"]) == pytest.approx(10 * float(costs["content"]) + 40 * float(costs["style"]) +
                                                  0.5 * variation, rel=1e-5)


def test_exported_stylizer_equals_the_in_memory_loop(transfer, images, loop, tmp_path):
    # the export's own check (fresh process) runs a style image of another size than the content: resized in the graph
    sample = [generated_content((16, 16), seed=2), generated_style((20, 28), seed=2)]
    result = export_stylizer("style_transfer", transfer, tmp_path, *sample, 1,
                             metrics={"weights": "random"}, manifest_extra={"weights": "random"})
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["weights"] == "random" and set(manifest["signatures"]) == {SIGNATURE, ENCODED_SIGNATURE}
    content, style = images
    encoded = {"content": np.asarray(encode_png(content)), "style": np.asarray(encode_png(style))}
    served = assert_served_export(result.path, {
        SIGNATURE: ({"content": content, "style": style, "steps": np.int32(STEPS)}, {"image": loop[0]}),
        ENCODED_SIGNATURE: ({**encoded, "steps": np.int32(STEPS)}, {"image": loop[0]}),
    }, atol=1e-4)
    assert served[SIGNATURE]["image"].shape == served[ENCODED_SIGNATURE]["image"].shape == (1, *SIZE, 3)
