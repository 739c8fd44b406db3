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


def test_model_option_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``tf-course run trigger_word --model course`` reaches the pipeline as ``ctx.option("model")``."""
    from tf_course import cli, registry
    from tf_course.audio import pipeline
    from tf_course.pipeline import PipelineOutput, RunContext

    option = registry.get("trigger_word").option("model")
    assert option is not None and option.choices == ("compact", "course") and option.default == "compact"
    seen: list[RunContext] = []

    def record(ctx: RunContext) -> PipelineOutput:
        seen.append(ctx)
        return PipelineOutput(metrics={"model": pipeline.model_kind(ctx)})

    monkeypatch.setattr(pipeline, "run", record)
    for argv, kind in ((["--model", "course"], "course"), ([], "compact")):
        code = cli.main(["run", "trigger_word", *argv, "--quiet", "--out", str(tmp_path),
                         "--report", str(tmp_path / "report.json")])
        assert code == 0 and pipeline.model_kind(seen[-1]) == kind
    assert seen[0].options == {"model": "course"}
    assert pipeline.build_for(seen[0]).count_params() == COURSE_PARAMS
    assert pipeline.build_for(seen[1], pipeline.QUICK).count_params() < COURSE_PARAMS / 20
    with pytest.raises(ValueError, match="expected one of compact, course, found 'big'"):
        pipeline.model_kind(RunContext(data_dir=None, out_dir=tmp_path, options={"model": "big"}))


def test_choose_threshold_on_validation() -> None:
    """The highest validation recall with at most the bound of false accepts per hour; ties: the higher threshold."""
    from tf_course.audio.detect import choose_threshold

    keyword = np.zeros((2, 1375), np.float32)
    keyword[0, 500:520] = 0.7  # keyword (3000, 3600) ms -> steps 412..495 (+75 slack)
    keyword[1, 800:810] = 0.35  # a weaker keyword (6000, 6500) ms -> steps 825..893 (+75): 800 is before it
    keyword[1, 900:905] = 0.3
    keywords = [[(3000, 3600)], [(6000, 6500)]]
    free = np.zeros((36, 1375), np.float32)  # 0.1 h
    free[0, 100] = 0.32  # one false accept per 0.1 h below 0.32
    chosen = choose_threshold(keyword, keywords, free, max_false_accepts_per_hour=10.0)
    assert chosen == {"threshold": 0.25, "val_recall": 1.0, "val_false_accepts_per_hour": 10.0}
    strict = choose_threshold(keyword, keywords, free, max_false_accepts_per_hour=1.0)
    assert strict == {"threshold": 0.65, "val_recall": 0.5, "val_false_accepts_per_hour": 0.0}
