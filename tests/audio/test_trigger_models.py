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


def _validation_scores(keyword_peaks: list[float], free_spikes: list[float], free_clips: int) -> tuple:
    """One keyword per clip at (3000, 3600) ms (steps 412..495, +75 slack) peaking at ``keyword_peaks``;
    ``free_clips`` keyword-free clips, the first ones with one spike each (``free_spikes``)."""
    keyword = np.zeros((len(keyword_peaks), 1375), np.float32)
    keyword[:, 450:460] = np.asarray(keyword_peaks, np.float32)[:, None]
    free = np.zeros((free_clips, 1375), np.float32)
    for i, spike in enumerate(free_spikes):
        free[i, 100 + i] = spike
    return keyword, [[(3000, 3600)]] * len(keyword_peaks), free


def test_choose_threshold_rule() -> None:
    """The validation rule: FA/h bounded by the 95% Poisson upper bound, then the highest threshold within
    one standard error of the best recall; without enough audio for the bound, the fewest false accepts."""
    from tf_course.audio.detect import THRESHOLD_GRID, choose_threshold, poisson_upper, threshold_scores

    assert [round(poisson_upper(n), 4) for n in range(3)] == [2.9957, 4.7439, 6.2958]
    # 20 keywords: recall 1.0 below 0.25, 0.95 below 0.45, 0.9 below 0.9, then 0
    peaks = [0.9] * 18 + [0.45, 0.25]
    # 3 h (1080 clips of 10 s): false accepts 3 below 0.2, 2 below 0.3, 1 below 0.6, then 0
    keyword, keywords, free = _validation_scores(peaks, [0.6, 0.3, 0.2], 1080)
    scores = {s["threshold"]: s for s in threshold_scores(keyword, keywords, free)}
    assert [scores[t]["false_accepts"] for t in (0.15, 0.2, 0.25, 0.3, 0.55, 0.6)] == [3, 2, 2, 1, 1, 0]
    assert [scores[t]["recall"] for t in (0.2, 0.25, 0.4, 0.45, 0.85, 0.9)] == [1.0, 0.95, 0.95, 0.9, 0.9, 0.0]
    chosen = choose_threshold(keyword, keywords, free)
    # admissible (upper bound <= 2/h): 1 false accept in 3 h (4.74 / 3 = 1.58), not 2 (6.30 / 3 = 2.10), so
    # t >= 0.3; best recall 0.95 (t 0.3-0.4), tolerance max(sqrt(.95 .05 / 20), 1/20) = 0.05: the highest
    # threshold with recall >= 0.9 is 0.85 (the old rule, best recall first, took 0.4 with 1 false accept)
    assert chosen["threshold"] == 0.85 and chosen["val_recall"] == 0.9 and chosen["val_best_recall"] == 0.95
    assert chosen["val_recall_tolerance"] == pytest.approx(0.05)
    assert chosen["val_false_accepts"] == 0 and chosen["val_keyword_free_hours"] == pytest.approx(3.0)
    assert chosen["val_false_accepts_per_hour_upper"] == pytest.approx(2.9957 / 3, abs=1e-4)
    assert chosen["val_bound_met"] is True
    # a drop of 2 of 20 keywords (0.1 > the 0.05 tolerance) is not taken: 0.4 (recall 0.95, 1 false accept)
    keyword2, _, _ = _validation_scores([0.9] * 17 + [0.45, 0.45, 0.25], [], 0)
    chosen = choose_threshold(keyword2, keywords, free)
    assert (chosen["threshold"], chosen["val_recall"], chosen["val_false_accepts"]) == (0.4, 0.95, 1)
    assert chosen["val_false_accepts_per_hour_upper"] == pytest.approx(4.7439 / 3, abs=1e-4)
    # 30 min cannot show <= 2/h at 95% even with no false accept (3.0 / 0.5 = 6): the fewest false accepts
    # (none, t >= 0.6), then the same recall rule -> 0.85, with val_bound_met False
    short = choose_threshold(keyword, keywords, free[:180])
    assert (short["threshold"], short["val_false_accepts"], short["val_bound_met"]) == (0.85, 0, False)
    assert short["val_false_accepts_per_hour_upper"] == pytest.approx(2.9957 * 2, abs=1e-3)
    assert max(THRESHOLD_GRID) == 0.95 and min(THRESHOLD_GRID) == 0.05
