"""Trigger-word models: the course's parameter counts, the compact model, streaming = whole clip."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_keras_round_trip
from tf_course.audio.detect import chime_on_activate, trigger_steps, wake_word_metrics
from tf_course.audio.models import COURSE_PARAMS, build_compact_model, build_course_model, build_model
from tf_course.audio.streaming import make_serving_fn, make_stream_fn, stream_clip
from tf_course.data.audio import read_wav, segment_from_samples


def test_course_model_summary() -> None:
    model = build_course_model()
    assert model.count_params() == COURSE_PARAMS == 523_329
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert (trainable, COURSE_PARAMS - trainable) == (522_425, 904)
    assert model.output_shape == (None, 1375, 1)
    counts = {layer.name: layer.count_params() for layer in model.layers}
    assert (counts["conv"], counts["gru_1"], counts["gru_2"], counts["head"]) == (297_136, 125_184, 99_072, 129)
    assert model.get_layer("conv_dropout").rate == 0.8  # Keras' meaning: drop 80% (see models.py)


def test_compact_model_shapes(tmp_path: Path) -> None:
    model = build_compact_model()
    assert model.input_shape == (None, 5511, 101) and model.output_shape == (None, 1375, 1)
    assert model.count_params() < COURSE_PARAMS / 4
    with pytest.raises(ValueError, match="expected 'compact' or 'course'"):
        build_model("big")
    tiny = build_compact_model(input_shape=(63, 101), filters=4, units=4)  # 63 frames -> 13 steps
    x = np.random.default_rng(0).uniform(0, 1e5, (2, 63, 101)).astype(np.float32)
    assert_keras_round_trip(tiny, x, tmp_path)


@pytest.fixture(scope="module")
def tiny_model() -> keras.Model:
    keras.utils.set_random_seed(1)
    model = build_compact_model(input_shape=(None, 101), filters=6, units=5)
    for layer in model.layers:  # non-trivial inference statistics
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.moving_mean.shape[0]
            layer.moving_mean.assign(np.linspace(-0.5, 0.5, n).astype(np.float32))
            layer.moving_variance.assign(np.linspace(0.5, 2.0, n).astype(np.float32))
    return model


def test_streaming_equals_whole_clip(tiny_model: keras.Model) -> None:
    rng = np.random.default_rng(3)
    waveform = (rng.standard_normal((2, 44100)) * 0.1).astype(np.float32)  # 1 s: 134 steps
    whole = tf.function(make_serving_fn(tiny_model))(tf.constant(waveform))["probabilities"].numpy()[..., 0]
    assert whole.shape == (2, 134)
    stream = tf.function(make_stream_fn(tiny_model), reduce_retracing=True)
    streamed = stream_clip(stream, tiny_model, waveform)  # 80 ms chunks
    np.testing.assert_allclose(streamed, whole, atol=1e-4)
    odd = stream_clip(stream, tiny_model, waveform, chunk=1000)  # chunks shorter than one step's context too
    np.testing.assert_allclose(odd, whole, atol=1e-4)


def test_triggers_chime_and_metrics(tmp_path: Path) -> None:
    probs = np.zeros(1375)
    probs[[10, 100, 120, 180, 400]] = 0.9
    assert trigger_steps(probs) == [100, 180, 400]  # none before step 75, one per 75 steps
    audio = segment_from_samples(np.zeros(441000, np.int16))
    chime = segment_from_samples(np.full(4410, 1000, np.int16))
    chimed, steps = chime_on_activate(audio, probs[None, :, None], chime=chime, out_path=tmp_path / "chime.wav")
    assert steps == [100, 180, 400]
    samples = read_wav(tmp_path / "chime.wav").samples[:, 0]
    assert samples[int(100 / 1375 * 441000) + 10] == 1000 and samples[1000] == 0
    labels = np.zeros((1, 1375, 1))
    labels[0, 100:150] = 1
    metrics = wake_word_metrics(probs[None], labels, [[(600, 700), (5000, 5600)]], np.zeros((360, 1375)))
    assert metrics["recall"] == 0.5 and metrics["false_accepts_per_hour"] == 0.0
    assert metrics["keyword_free_hours"] == 1.0 and metrics["false_accepts_keyword_audio"] == 2
    assert metrics["f1"] == pytest.approx(2 * 2 / (5 + 50))  # steps 100 and 120 are labelled
