"""C5W3 NMT model: one_step_attention, the course's summary and 52,960 parameters, Adam with decay, round trip."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_keras_round_trip
from tf_course.sequence.nmt_attention.model import SharedLayers, compile_course, forward, modelf, one_step_attention

# The course's summary (type, output shape, parameters), in its order:
# Bidirectional 2 * 4 * (32 * (37 + 32) + 32) = 17,920; densor1 128 * 10 + 10 = 1,290; densor2 11;
# post-attention LSTM 4 * (64 * (64 + 64) + 64) = 33,024; output 64 * 11 + 11 = 715.
SUMMARY = [
    ("InputLayer", (None, 30, 37), 0),
    ("InputLayer", (None, 64), 0),
    ("Bidirectional", (None, 30, 64), 17920),
    ("RepeatVector", (None, 30, 64), 0),
    ("Concatenate", (None, 30, 128), 0),
    ("Dense", (None, 30, 10), 1290),
    ("Dense", (None, 30, 1), 11),
    ("Activation", (None, 30, 1), 0),
    ("Dot", (None, 1, 64), 0),
    ("InputLayer", (None, 64), 0),
    ("LSTM", [(None, 64), (None, 64), (None, 64)], 33024),
    ("Dense", (None, 11), 715),
]


@pytest.fixture(scope="module")
def model() -> keras.Model:
    keras.utils.set_random_seed(1)
    return modelf(30, 10, 32, 64, 37, 11)


def _shape(output):
    return [tuple(t.shape) for t in output] if isinstance(output, (list, tuple)) else tuple(output.shape)


def test_summary_and_parameter_count(model):
    rows = [(type(layer).__name__, _shape(layer.output), layer.count_params()) for layer in model.layers]
    assert rows == SUMMARY
    assert model.count_params() == 52960
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 52960 and not model.non_trainable_weights
    assert len(model.outputs) == 10
    assert [layer.name for layer in model.layers][:3] == ["X", "s0", "bidirectional"]
    assert model.get_layer("densor1").activation.__name__ == "tanh"
    assert model.get_layer("densor2").activation.__name__ == "relu"
    assert model.get_layer("output_layer").activation.__name__ == "softmax"


def test_one_step_attention_as_the_course_tests_it():
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 1, (10, 30, 64)).astype(np.float32)
    s_prev = rng.uniform(0, 1, (10, 64)).astype(np.float32)
    context = np.asarray(one_step_attention(a, s_prev))
    assert context.shape == (10, 1, 64)
    assert np.all((context > 0) & (context < 1))  # a convex combination of values in (0, 1)
    shared = SharedLayers.create()
    np.testing.assert_allclose(np.asarray(one_step_attention(a, s_prev, shared)).sum(), np.asarray(
        one_step_attention(a, s_prev, shared)).sum())  # the same layers: the same context


def test_forward_equals_the_model_and_alphas_are_distributions(model):
    x = keras.ops.one_hot(np.random.default_rng(1).integers(0, 37, (4, 30)), 37)
    zeros = tf.zeros((4, 64))
    probabilities, alphas = forward(model, x)
    np.testing.assert_allclose(np.stack([np.asarray(o) for o in model([x, zeros, zeros])], 1),
                               np.asarray(probabilities), atol=1e-6)
    assert probabilities.shape == (4, 10, 11) and alphas.shape == (4, 10, 30)
    np.testing.assert_allclose(np.asarray(alphas).sum(-1), 1.0, atol=1e-5)


def test_adam_with_the_courses_decay(model):
    compile_course(model)
    optimizer = model.optimizer
    schedule = optimizer.learning_rate if callable(optimizer.learning_rate) else optimizer._learning_rate
    # Keras 2's decay: lr / (1 + decay * iterations)
    for step, want in ((0, 0.005), (1, 0.005 / 1.01), (100, 0.0025), (1000, 0.005 / 11)):
        np.testing.assert_allclose(float(optimizer._learning_rate(step)), want, rtol=1e-6)
    assert schedule is not None
    assert (optimizer.beta_1, optimizer.beta_2) == (0.9, 0.999)


def test_keras_round_trip(model, tmp_path):
    x = tf.one_hot(np.random.default_rng(2).integers(0, 37, (2, 30)), 37)
    zeros = tf.zeros((2, 64))
    optimizer = getattr(model, "optimizer", None)  # Keras sets the attribute only in compile()
    if optimizer is not None and not optimizer.built:  # compiled by an earlier test, never trained:
        optimizer.build(model.trainable_variables)  # saved unbuilt, Keras warns it skips its variables
    assert_keras_round_trip(model, [x, zeros, zeros], tmp_path)
