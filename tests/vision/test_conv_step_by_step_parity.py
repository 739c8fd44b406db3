"""C4W1 conv step by step, the comparisons the pipeline reports (:mod:`...conv_step_by_step.parity`)."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.scratch import conv as loops
from tf_course.scratch import conv_vectorized as vectorized
from tf_course.vision.conv_step_by_step import parity
from tf_course.vision.conv_step_by_step.model import build_conv_step_by_step_model, edge_filter_bank, generate_stripes

COURSE_METRICS = {  # the course's printed means (registry reference of conv_step_by_step)
    "conv_forward_mean": 0.5511276474566768,
    "pool_forward_max_mean": 1.367090136768317,
    "pool_forward_average_mean": 0.051780371316447214,
    "conv_backward_dA_mean": 1.4524377775388075,
    "conv_backward_dW_mean": 1.7269914583139097,
}


def test_max_abs_diff_hand_literal():
    a = {"forward/x": np.array([1.0, 2.0]), "forward/y": np.array([[0.0]]), "backward/z": np.array([5.0])}
    b = {"forward/x": np.array([1.5, 2.0]), "forward/y": np.array([[-0.25]]), "backward/z": np.array([2.0])}
    assert parity.max_abs_diff(a, b, "forward/") == 0.5  # max(|1 - 1.5|, |2 - 2|, |0 + 0.25|)
    assert parity.max_abs_diff(a, b, "backward/") == 3.0
    assert parity.max_abs_diff(a, b) == 3.0


def test_max_abs_diff_refuses_mismatches():
    a = {"forward/x": np.zeros((2, 3))}
    with pytest.raises(ValueError, match=r"forward/x: expected equal shapes, found \(2, 3\) and \(3, 2\)"):
        parity.max_abs_diff(a, {"forward/x": np.zeros((3, 2))})
    with pytest.raises(ValueError, match="forward/x: expected in both results, found only in the first"):
        parity.max_abs_diff(a, {})
    with pytest.raises(ValueError, match=r"expected keys starting with 'backward/', found \['forward/x'\]"):
        parity.max_abs_diff(a, a, "backward/")


@pytest.mark.parametrize("impl", [loops, vectorized], ids=["loops", "vectorized"])
def test_course_metrics_are_the_courses(impl):
    metrics = parity.course_metrics(parity.scratch_results(impl, parity.course_cases()))
    assert metrics == pytest.approx(COURSE_METRICS, abs=1e-12)


def test_scratch_vs_tf_metrics():
    metrics = parity.scratch_vs_tf_metrics(seed=0)
    assert set(metrics) == {"max_abs_diff_vs_tf_forward", "max_abs_diff_vs_tf_backward",
                            "max_abs_diff_loop_vs_vectorized", "vectorized_speedup", *COURSE_METRICS}
    for key, value in COURSE_METRICS.items():
        assert metrics[key] == pytest.approx(value, abs=1e-12), key
    # float64 everywhere: the three implementations agree to rounding, but are not bit-identical
    assert 0 < metrics["max_abs_diff_vs_tf_forward"] < 1e-10
    assert 0 < metrics["max_abs_diff_vs_tf_backward"] < 1e-10
    assert metrics["max_abs_diff_loop_vs_vectorized"] < 1e-10
    assert metrics["vectorized_speedup"] > 0  # a timing: reported, never compared to a target


def test_served_model_parity_and_its_refusal():
    model = build_conv_step_by_step_model(*edge_filter_bank())  # untrained head: parity holds for any weights
    images, _ = generate_stripes(4, np.random.default_rng(5))
    diffs = parity.served_model_parity(model, images)
    assert set(diffs) == {"max_abs_diff_numpy_vs_served_conv", "max_abs_diff_numpy_vs_served_probabilities"}
    # float32 Keras vs float64 NumPy: small, not zero (the check compares real numbers)
    assert 0 < diffs["max_abs_diff_numpy_vs_served_conv"] <= parity.SERVED_ATOL
    assert 0 <= diffs["max_abs_diff_numpy_vs_served_probabilities"] < 1e-5
    with pytest.raises(ValueError, match=r"expected the served Conv2D within 1e-12 of the NumPy conv_forward, "
                                         r"found a difference of \d\.\d\de-\d\d"):
        parity.served_model_parity(model, images, atol=1e-12)
