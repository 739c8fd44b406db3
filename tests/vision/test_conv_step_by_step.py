"""C4W1 conv step by step: scratch layers vs tf.nn and GradientTape, the served model, the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tf_course.export.serving import image_classifier_serving_fn
from tf_course.scratch import conv as loops
from tf_course.scratch import conv_vectorized as vectorized
from tf_course.vision.conv_step_by_step import tf_reference
from tf_course.vision.conv_step_by_step.model import (
    CLASSES,
    build_conv_step_by_step_model,
    edge_filter_bank,
    generate_stripes,
    numpy_forward,
)

MODULES = pytest.mark.parametrize("impl", [loops, vectorized], ids=["loops", "vectorized"])
# float64: TF and NumPy agree to rounding; float32 TF vs the float64 scratch result on the same inputs.
DTYPES = pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-10), (np.float32, 1e-5)], ids=["f64", "f32"])
CONV_CONFIGS = [  # (A_prev shape, f, n_C, pad, stride)
    ((2, 5, 7, 4), 3, 8, 1, 2),  # the course's conv_forward test
    ((3, 4, 4, 3), 2, 8, 2, 2),  # the course's conv_backward test
    ((2, 7, 6, 2), 3, 3, 0, 1),
    ((1, 6, 6, 1), 2, 2, 2, 3),
]
POOL_CONFIGS = [((2, 5, 5, 3), 3, 1), ((2, 5, 5, 3), 3, 2), ((5, 5, 3, 2), 2, 1), ((2, 8, 7, 2), 2, 2)]


def _conv_inputs(shape, f, n_C, dtype, seed=0):
    rng = np.random.default_rng(seed)
    draw = [0.5 * rng.normal(size=s) for s in (shape, (f, f, shape[3], n_C), (1, 1, 1, n_C))]
    return [x.astype(dtype) for x in draw]  # float32 inputs; the scratch side computes them in float64


@MODULES
@DTYPES
@pytest.mark.parametrize("shape, f, n_C, pad, stride", CONV_CONFIGS)
def test_conv_forward_and_backward_match_tf(impl, dtype, atol, shape, f, n_C, pad, stride):
    A_prev, W, b = _conv_inputs(shape, f, n_C, dtype)
    hparameters = {"pad": pad, "stride": stride}
    Z, cache = impl.conv_forward(*(x.astype(np.float64) for x in (A_prev, W, b)), hparameters)
    Z_tf = tf_reference.tf_conv_forward(A_prev, W, b, hparameters)
    assert Z_tf.dtype == dtype and Z_tf.shape == Z.shape
    np.testing.assert_allclose(Z_tf, Z, rtol=0, atol=atol)

    dZ = (0.5 * np.random.default_rng(1).normal(size=Z.shape)).astype(dtype)
    grads = impl.conv_backward(dZ.astype(np.float64), cache)
    grads_tf = tf_reference.tf_conv_backward(dZ, A_prev, W, b, hparameters)
    for name, mine, theirs in zip(("dA_prev", "dW", "db"), grads, grads_tf):
        assert theirs.shape == mine.shape, name
        np.testing.assert_allclose(theirs, mine, rtol=0, atol=atol, err_msg=name)


@MODULES
@DTYPES
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("shape, f, stride", POOL_CONFIGS)
def test_pool_forward_and_backward_match_tf(impl, dtype, atol, mode, shape, f, stride):
    rng = np.random.default_rng(2)
    A_prev = rng.normal(size=shape).astype(dtype)  # continuous draws: no ties in any max window
    hparameters = {"f": f, "stride": stride}
    A, cache = impl.pool_forward(A_prev.astype(np.float64), hparameters, mode)
    np.testing.assert_allclose(tf_reference.tf_pool_forward(A_prev, hparameters, mode), A, rtol=0, atol=atol)
    dA = rng.normal(size=A.shape).astype(dtype)
    np.testing.assert_allclose(tf_reference.tf_pool_backward(dA, A_prev, hparameters, mode),
                               impl.pool_backward(dA.astype(np.float64), cache, mode), rtol=0, atol=atol)


# ----------------------------------------------------------------------------- the served model


def test_edge_filter_bank_detects_edge_orientation():
    W, b = edge_filter_bank()
    assert W.shape == (3, 3, 3, 8) and b.shape == (1, 1, 1, 8) and not b.any()
    # a vertical step edge (dark left, light right): only the +vertical filter (0) fires positively,
    # with Sobel gain 4 on a step of 1 (each channel carries a third of the filter)
    image = np.zeros((1, 5, 5, 3))
    image[:, :, 3:, :] = 1.0
    Z, _ = loops.conv_forward(image, W.astype(np.float64), b.astype(np.float64), {"pad": 0, "stride": 1})
    centre = Z[0, 1, 1]  # the window over columns 1..3, rows 1..3
    np.testing.assert_allclose(centre[[0, 1, 2, 3]], [4.0, -4.0, 0.0, 0.0], atol=1e-6)  # W is float32 /3
    # diagonal [[0,1,2],[-1,0,1],[-2,-1,0]]: right column sums to 3; anti-diagonal's ([0,-1,-2]) to -3
    np.testing.assert_allclose(centre[[4, 5, 6, 7]], [3.0, -3.0, -3.0, 3.0], atol=1e-6)


def test_keras_conv_layer_equals_numpy_conv_forward():
    rng = np.random.default_rng(0)
    model = build_conv_step_by_step_model(*edge_filter_bank())
    images, _ = generate_stripes(3, rng)
    conv_output = model.get_layer("conv")(tf.constant(images, tf.float32) / 255.0).numpy()  # (3, 64, 64, 8)
    np.testing.assert_allclose(conv_output, numpy_forward(images, model, conv_only=True), rtol=0, atol=1e-5)
    served = image_classifier_serving_fn(model)(tf.constant(images))["probabilities"].numpy()  # (3, 4)
    np.testing.assert_allclose(served, numpy_forward(images, model), rtol=0, atol=1e-6)
    assert model.count_params() == 3 * 3 * 3 * 8 + 8 + 8 * len(CLASSES) + len(CLASSES)  # 260
    assert not model.get_layer("conv").trainable


def test_model_rejects_wrong_filter_shapes():
    W, b = edge_filter_bank()
    with pytest.raises(ValueError, match=r"expected W \(3, 3, 3, n_C\).*found \(3, 3, 1, 8\)"):
        build_conv_step_by_step_model(W[:, :, :1], b)


def test_generated_stripes_are_seeded_uint8_images():
    images, labels = generate_stripes(8, np.random.default_rng(3))
    again, labels_again = generate_stripes(8, np.random.default_rng(3))
    assert images.dtype == np.uint8 and images.shape == (8, 64, 64, 3) and labels.shape == (8,)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, labels_again)
    assert set(labels) <= set(range(len(CLASSES)))


# ----------------------------------------------------------------------------- pipeline (quick mode)

COURSE_METRICS = {
    "conv_forward_mean": 0.5511276474566768,
    "pool_forward_max_mean": 1.367090136768317,
    "pool_forward_average_mean": 0.051780371316447214,
    "conv_backward_dA_mean": 1.4524377775388075,
    "conv_backward_dW_mean": 1.7269914583139097,
}
METRIC_KEYS = {
    "max_abs_diff_vs_tf_forward", "max_abs_diff_vs_tf_backward", "max_abs_diff_loop_vs_vectorized",
    "vectorized_speedup", "max_abs_diff_numpy_vs_served_conv", "params", *COURSE_METRICS,
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    from tf_course.pipeline import RunContext
    from tf_course.train import set_seed
    from tf_course.vision.conv_step_by_step import pipeline

    set_seed(0)
    out_dir = tmp_path_factory.mktemp("saved_models")
    return pipeline.run(RunContext(data_dir=None, out_dir=out_dir, quick=True, verbose=False))


def test_pipeline_quick_metrics(quick_run):
    from tf_course.registry import BY_NAME

    metrics = quick_run.metrics
    assert METRIC_KEYS <= set(metrics)
    assert set(BY_NAME["conv_step_by_step"].reference) <= set(metrics)
    assert quick_run.data_source == {"inputs": "generated"}
    for key, value in COURSE_METRICS.items():
        assert metrics[key] == pytest.approx(value, abs=1e-12), key
    assert metrics["max_abs_diff_vs_tf_forward"] < 1e-10
    assert metrics["max_abs_diff_vs_tf_backward"] < 1e-10
    assert metrics["max_abs_diff_loop_vs_vectorized"] < 1e-10
    assert metrics["max_abs_diff_numpy_vs_served_conv"] < 1e-5
    assert metrics["max_abs_diff_numpy_vs_served_probabilities"] < 1e-5
    assert metrics["vectorized_speedup"] > 0  # a timing: reported, never compared to a target
    assert metrics["params"] == 260


def test_pipeline_export_reloads_and_serves_uint8_images(quick_run):
    path = quick_run.exports[0]
    manifest = json.loads((Path(path) / "manifest.json").read_text())
    assert manifest["data_source"] == {"inputs": "generated"}
    assert manifest["metrics"]["conv_forward_mean"] == pytest.approx(COURSE_METRICS["conv_forward_mean"])
    assert set(manifest["signatures"]["serving_default"]["inputs"]) == {"images"}
    serve = tf.saved_model.load(path).signatures["serving_default"]
    images, _ = generate_stripes(5, np.random.default_rng(7))
    probabilities = serve(images=tf.constant(images))["probabilities"].numpy()
    assert probabilities.shape == (5, len(CLASSES))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)

