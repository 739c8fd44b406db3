"""Pipeline ``trigger_word`` (C5 W3, 5.3.3): synthesise examples -> train -> wake-word metrics -> export.

Data: the course's ``trigger_word/raw_data`` (activates, negatives, backgrounds; under ``--data-dir``)
when present, else the package's stand-in clips (:mod:`tf_course.audio.standin`); the report's
``data_source`` says which. Training and held-out examples are synthesised as the course does
(:mod:`tf_course.audio.synthesis`, background -20 dB, disjoint seeds); the spectrogram is computed
by ``tf.signal`` in the input pipeline (the same function the exports use).

Model: ``compact`` (default, :func:`tf_course.audio.models.build_compact_model`) or ``course``
(``TF_COURSE_TRIGGER_MODEL=course``, the course's 523,329-parameter network). Training stops at
the end of an epoch once its time budget (``max_seconds``, 14 minutes by default) is spent.

Metrics (held-out synthesised audio, threshold 0.5, the course's 75-step chime rule): ``recall``
(events; false reject rate = 1 - recall) with the keyword level relative to the background
(``snr_db``), ``false_accepts_per_hour`` on keyword-free audio (at least 1 hour in a full run;
``keyword_free_hours`` says how much), frame ``f1``, ``params`` and ``course_model_params``.

Exports (``trigger_word``): ``serving_default`` (float32 waveforms ``(batch, 441000)`` in [-1, 1)
at 44.1 kHz -> ``probabilities`` ``(batch, 1375, 1)``), ``spectrogram`` and ``streaming`` (chunk +
state -> new steps' probabilities + next state, :mod:`tf_course.audio.streaming`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.audio.detect import wake_word_metrics
from tf_course.audio.models import COURSE_PARAMS, build_course_model, build_model
from tf_course.audio.standin import standin_raw_audio
from tf_course.audio.streaming import (
    CHUNK_80MS,
    INT16_SCALE,
    initial_state,
    make_serving_fn,
    make_spectrogram_fn,
    make_stream_fn,
    stream_specs,
    waveform_spectrogram,
)
from tf_course.audio.synthesis import CLIP_SAMPLES, RawAudio, WaveformSet, load_raw, synthesize_waveforms
from tf_course.export.saved_model import Signature, export_and_check
from tf_course.pipeline import PipelineOutput, RunContext

NAME = "trigger_word"
MODEL_ENV = "TF_COURSE_TRIGGER_MODEL"
RAW_DIRS = ("trigger_word/raw_data", "raw_data")


@dataclass(frozen=True)
class Settings:
    """Sizes of one run."""

    train_examples: int
    eval_examples: int
    keyword_free_clips: int  # 360 = one hour
    epochs: int
    batch_size: int
    learning_rate: float
    max_seconds: float
    model_kwargs: dict[str, Any]


QUICK = Settings(6, 3, 3, 1, 3, 3e-3, 60.0, {"filters": 8, "units": 8})
DEFAULT = Settings(600, 100, 360, 40, 16, 2e-3, 14 * 60.0, {})


def find_raw_data(data_dir: Path | None) -> Path | None:
    """``<data_dir>/trigger_word/raw_data`` (or ``<data_dir>/raw_data``) when it exists, else None."""
    if data_dir is None:
        return None
    for relative in RAW_DIRS:
        candidate = Path(data_dir) / relative
        if candidate.is_dir():
            return candidate
    return None


def load_audio(ctx: RunContext) -> RawAudio:
    """The course's raw clips under ``ctx.data_dir``, else the stand-in (seeded by ``ctx.seed``)."""
    path = find_raw_data(ctx.data_dir)
    return load_raw(path) if path is not None else standin_raw_audio(ctx.seed)


def spectrogram_dataset(data: WaveformSet, batch_size: int, shuffle_seed: int | None = None) -> tf.data.Dataset:
    """``(spectrogram (5511, 101), labels (1375, 1))`` batches; the spectrogram computed by ``tf.signal``."""
    dataset = tf.data.Dataset.from_tensor_slices((data.waveforms, data.y))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(data), seed=shuffle_seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).map(
        lambda w, y: (waveform_spectrogram(tf.cast(w, tf.float32) / INT16_SCALE), y),
        num_parallel_calls=tf.data.AUTOTUNE).prefetch(1)


class TimeBudget(keras.callbacks.Callback):
    """Stop training at the end of the epoch in which ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.start = time.perf_counter()
        self.epochs = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs = epoch + 1
        if time.perf_counter() - self.start > self.seconds:
            self.model.stop_training = True


def predict_waveforms(model: keras.Model, waveforms: np.ndarray, batch_size: int = 8) -> np.ndarray:
    """Probabilities ``(n, 1375)`` of int16 waveforms ``(n, 441000)`` (spectrogram by ``tf.signal``)."""
    serve = tf.function(make_serving_fn(model), reduce_retracing=True)
    out = []
    for start in range(0, len(waveforms), batch_size):
        chunk = waveforms[start:start + batch_size].astype(np.float32) / INT16_SCALE
        out.append(serve(tf.constant(chunk))["probabilities"].numpy()[..., 0])
    return np.concatenate(out) if out else np.zeros((0, 1375), np.float32)


def keyword_level_db(raw: RawAudio, background_db: float = -20.0) -> float:
    """Mean keyword RMS level over the (attenuated) backgrounds' RMS level, in dB: the recall's SNR."""
    keyword = np.mean([a.dBFS for a in raw.activates])
    background = np.mean([b.dBFS for b in raw.backgrounds]) + background_db
    return float(keyword - background)


def _say(ctx: RunContext, message: str) -> None:
    if ctx.verbose:
        print(f"trigger_word: {message}", flush=True)


def run(ctx: RunContext) -> PipelineOutput:
    """Synthesise, train, evaluate (recall, false accepts per hour, f1), export three signatures."""
    settings = QUICK if ctx.quick else DEFAULT
    kind = os.environ.get(MODEL_ENV, "compact")
    raw = load_audio(ctx)
    seed = int(ctx.seed)
    train = synthesize_waveforms(raw, settings.train_examples, seed * 3 + 1)
    keyword = synthesize_waveforms(raw, settings.eval_examples, seed * 3 + 2)
    free = synthesize_waveforms(raw, settings.keyword_free_clips, seed * 3 + 3, keyword_free=True)

    _say(ctx, f"synthesised {len(train)} + {len(keyword)} + {len(free)} examples from {raw.source} clips")
    keras.utils.set_random_seed(seed)
    model = build_model(kind, **(settings.model_kwargs if kind == "compact" else {}))
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss="binary_crossentropy")
    budget = TimeBudget(settings.max_seconds)
    start = time.perf_counter()
    history = model.fit(spectrogram_dataset(train, settings.batch_size, shuffle_seed=seed), epochs=settings.epochs,
                        verbose=2 if ctx.verbose else 0, callbacks=[budget])
    train_seconds = time.perf_counter() - start

    _say(ctx, f"trained {budget.epochs} epoch(s) in {train_seconds:.0f} s")
    keyword_probs = predict_waveforms(model, keyword.waveforms)
    free_probs = predict_waveforms(model, free.waveforms)
    metrics: dict[str, Any] = wake_word_metrics(keyword_probs, keyword.y, keyword.activates, free_probs)
    metrics.update({
        "snr_db": keyword_level_db(raw),
        "params": int(model.count_params()),
        "course_model_params": int(build_course_model().count_params()),
        "model": kind,
        "train_examples": len(train),
        "epochs": budget.epochs,
        "losses": [float(v) for v in history.history["loss"]],
        "train_seconds": train_seconds,
        "train_examples_per_second": len(train) * budget.epochs / train_seconds,
        "synthesis_examples_per_second": train.examples_per_second,
    })
    assert metrics["course_model_params"] == COURSE_PARAMS
    _say(ctx, f"evaluated: recall {metrics['recall']:.3f}, false accepts/h {metrics['false_accepts_per_hour']:.2f}")
    data_source = {"trigger_word": raw.source}
    result = export_detector(model, ctx.out_dir, keyword.waveforms[:1], metrics, data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])


def export_detector(model: keras.Model, out_dir: Path, sample: np.ndarray, metrics: dict[str, Any] | None = None,
                    data_source: dict[str, str] | None = None) -> Any:
    """Export ``serving_default``, ``spectrogram`` and ``streaming``, checked in a fresh process."""
    waveform = (np.asarray(sample)[:, :CLIP_SAMPLES].astype(np.float32) / INT16_SCALE)
    state = initial_state(model, waveform.shape[0])
    spec = tf.TensorSpec([None, CLIP_SAMPLES], tf.float32, name="waveform")
    any_length = tf.TensorSpec([None, None], tf.float32, name="waveform")
    signatures = {
        "serving_default": Signature(make_serving_fn(model), [spec], {"waveform": waveform}, atol=1e-4),
        "spectrogram": Signature(make_spectrogram_fn(), [any_length], {"waveform": waveform[:, :44100]},
                                 atol=1e-2),
        "streaming": Signature(make_stream_fn(model), stream_specs(model),
                               {"chunk": waveform[:, :CHUNK_80MS], **state}, atol=1e-4),
    }
    return export_and_check(NAME, signatures, track=[model], out_dir=out_dir, metrics=metrics,
                            data_source=data_source,
                            manifest_extra={"trigger_word": {"sample_rate": 44100, "chunk_80ms": CHUNK_80MS,
                                                             "input_scale": "int16 / 32768",
                                                             "threshold": 0.5, "refractory_steps": 75}})
