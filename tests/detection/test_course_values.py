"""The course's seeded YOLO test inputs: the reference sheet's values, without touching TF's global seed."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tf_course.detection.course_values import course_unit_values, seeded_normal


def test_course_unit_values_are_the_reference_sheets():
    values = course_unit_values()
    assert values["filter_boxes_kept"] == 1789
    assert values["filter_score_2"] == pytest.approx(9.270486, rel=1e-6)
    assert values["nms_score_2"] == pytest.approx(8.147684, rel=1e-6)
    assert values["eval_score_2"] == pytest.approx(171.60194, rel=1e-6)
    assert values["iou"] == pytest.approx(1 / 7)  # intersection 1 / union (4 + 4 - 1)


def test_seeded_normal_equals_the_courses_global_seed_draws_bit_for_bit():
    shapes = ([19, 19, 5, 1], [19, 19, 5, 4], [7])
    tf.random.set_seed(10)  # the course's recipe, which this project's library code no longer runs
    expected = [tf.random.normal(s, mean=1, stddev=4, seed=1).numpy() for s in shapes]
    drawn = seeded_normal(*shapes)
    for want, got in zip(expected, drawn):
        assert got.dtype == tf.float32 and got.shape == want.shape
        np.testing.assert_array_equal(got.numpy(), want)
    # the stream continues across shapes: the second draw is not the first one's opening numbers
    assert not np.array_equal(drawn[1].numpy()[..., 0], drawn[0].numpy()[..., 0])


def test_seeded_normal_repeats_on_every_call():
    first, again = seeded_normal([3, 2], [4]), seeded_normal([3, 2], [4])
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def _caller_draws(between: bool) -> list[np.ndarray]:
    """A caller's seeded session: an op-seeded stateful draw twice and an op-seedless draw, with or
    without :func:`course_unit_values` in the middle."""
    tf.random.set_seed(1234)
    first = tf.random.uniform([4], seed=1).numpy()
    if between:
        course_unit_values()
    second = tf.random.uniform([4], seed=1).numpy()  # continues the (1234, 1) kernel's counter
    unseeded = tf.random.normal([4]).numpy()  # op seed from the global seed's sequence
    return [first, second, unseeded]


def test_course_unit_values_leave_the_callers_random_state_alone():
    from tensorflow.python.eager import context  # the global seed, to check it is not reset

    without, with_values = _caller_draws(between=False), _caller_draws(between=True)
    for a, b in zip(without, with_values):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(without[0], without[1])  # the counter did advance: the check can fail
    assert context.global_seed() == 1234
