"""Pipeline ``trigger_word`` (C5 W3, 5.3.3): synthesise examples -> train -> wake-word metrics -> export.

Data: the course's ``trigger_word/raw_data`` (activates, negatives, backgrounds; under ``--data-dir``)
when present, else the package's stand-in clips (:mod:`tf_course.audio.standin`); the report's
``data_source`` says which. Training and held-out examples are synthesised as the course does
(:mod:`tf_course.audio.synthesis`, background -20 dB, disjoint seeds); the spectrogram is computed
by ``tf.signal`` in the input pipeline (the same function the exports use).

Model: ``compact`` (default, :func:`tf_course.audio.models.build_compact_model`) or ``course``
(``tf-course run trigger_word --model course``: the course's 523,329-parameter network; the
registry's option ``model``, read with ``ctx.option("model", "compact")``). The compact model
trains all its epochs (10 in a full run, about 650 CPU-s: a stop by the clock would make two runs with
the same seed differ on a loaded machine); the course's model, about 0.6 examples/s here, stops at the
end of the epoch in which its CPU-time budget (``max_cpu_seconds``, :data:`COURSE_MODEL_CPU_SECONDS`)
is spent, and says so.

Metrics (held-out synthesised audio, the course's 75-step chime rule): the threshold is chosen on
a separate validation split (100 keyword clips and 3 h of keyword-free audio, other seeds), never on
the test split, by :func:`tf_course.audio.detect.choose_threshold` (``threshold_rule`` in the metrics:
the highest threshold whose validation recall is within one standard error of the best among those
whose 95% Poisson upper bound of false accepts per hour is <= 2); then on the test split ``recall``
(events; false reject rate = 1 - recall) with the keyword level relative to the background (``snr_db``),
``false_accepts_per_hour`` on keyword-free audio (1 hour in a full run; ``keyword_free_hours`` says how much),
frame ``f1``, the same three at the course's 0.5 (``recall_at_0.5`` ...), ``params`` and ``course_model_params``.

Exports (``trigger_word``): ``serving_default`` (float32 waveforms ``(batch, 441000)`` in [-1, 1)
at 44.1 kHz -> ``probabilities`` ``(batch, 1375, 1)``), ``spectrogram`` and ``streaming`` (chunk +
state -> new steps' probabilities + next state, :mod:`tf_course.audio.streaming`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.audio.detect import (
    TARGET_FALSE_ACCEPTS_PER_HOUR,
    THRESHOLD,
    THRESHOLD_RULE,
    choose_threshold,
    wake_word_metrics,
)
from tf_course.audio.models import COURSE_PARAMS, build_course_model, build_model
from tf_course.audio.spectrogram import num_frames
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
from tf_course.train import fit_resumable

NAME = "trigger_word"
MODEL_OPTION = "model"  # tf-course run trigger_word --model {compact,course}
MODELS = ("compact", "course")
RAW_DIRS = ("trigger_word/raw_data", "raw_data")


@dataclass(frozen=True)
class Settings:
    """Sizes of one run.

    ``max_cpu_seconds``: None trains every epoch; a number stops training at the end of the epoch
    in which the process has used that much CPU time for training (CPU time, not wall time; on a
    quiet 2-core machine the wall time is between a half and all of it).
    """

    train_examples: int
    eval_examples: int
    keyword_free_clips: int  # 360 = one hour
    val_examples: int  # validation keyword clips (threshold choice)
    val_keyword_free_clips: int  # validation keyword-free clips (1080 = 3 h; made and scored in chunks of 180)
    epochs: int
    batch_size: int
    learning_rate: float
    max_cpu_seconds: float | None
    model_kwargs: dict[str, Any]


QUICK = Settings(6, 3, 3, 3, 3, 1, 3, 3e-3, None, {"filters": 8, "units": 8})
DEFAULT = Settings(400, 100, 360, 100, 1080, 10, 16, 2e-3, None, {})
#: training CPU-seconds of ``--model course`` (its 10 epochs would take about two hours here)
COURSE_MODEL_CPU_SECONDS = 800.0
VAL_CHUNK = 180  # keyword-free validation clips synthesised and scored at a time (160 MB of int16 waveforms)


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


def spectrograms(waveforms: np.ndarray, batch_size: int = 16) -> np.ndarray:
    """float32 spectrograms ``(n, 5511, 101)`` of int16 waveforms ``(n, 441000)`` (``tf.signal``, as the exports)."""
    spec = tf.function(lambda w: waveform_spectrogram(tf.cast(w, tf.float32) / INT16_SCALE), reduce_retracing=True)
    out = np.zeros((len(waveforms), num_frames(waveforms.shape[1]), 101), np.float32)
    for start in range(0, len(waveforms), batch_size):
        out[start:start + batch_size] = spec(tf.constant(waveforms[start:start + batch_size])).numpy()
    return out


def spectrogram_dataset(data: WaveformSet, batch_size: int, shuffle_seed: int | None = None) -> tf.data.Dataset:
    """``(spectrogram (5511, 101), labels (1375, 1))`` batches; the spectrograms computed once by ``tf.signal``
    (the same function the exports use) and kept in memory (2.2 MB per example)."""
    dataset = tf.data.Dataset.from_tensor_slices((spectrograms(data.waveforms), data.y))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(data), seed=shuffle_seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(1)


class TimeBudget(keras.callbacks.Callback):
    """Stop training at the end of the epoch in which ``cpu_seconds`` of process CPU time were spent training
    (never when ``cpu_seconds`` is None).

    Records ``wall_seconds`` and ``cpu_seconds`` of the training.
    """

    def __init__(self, cpu_seconds: float | None) -> None:
        super().__init__()
        self.budget = cpu_seconds
        self.start_cpu = time.process_time()
        self.start_wall = time.perf_counter()
        self.epochs = 0
        self.cpu_seconds = 0.0
        self.wall_seconds = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.start_cpu = time.process_time()
        self.start_wall = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs = epoch + 1
        self.cpu_seconds = time.process_time() - self.start_cpu
        self.wall_seconds = time.perf_counter() - self.start_wall
        if self.budget is not None and self.cpu_seconds > self.budget:
            self.model.stop_training = True


def predict_waveforms(model: keras.Model, waveforms: np.ndarray, batch_size: int = 8,
                      serve: Any = None) -> np.ndarray:
    """Probabilities ``(n, 1375)`` of int16 waveforms ``(n, 441000)`` (spectrogram by ``tf.signal``).

    ``serve``: a traced :func:`make_serving_fn` of ``model`` to reuse across calls (traced here otherwise).
    """
    serve = serve if serve is not None else tf.function(make_serving_fn(model), reduce_retracing=True)
    out = []
    for start in range(0, len(waveforms), batch_size):
        chunk = waveforms[start:start + batch_size].astype(np.float32) / INT16_SCALE
        out.append(serve(tf.constant(chunk))["probabilities"].numpy()[..., 0])
    return np.concatenate(out) if out else np.zeros((0, 1375), np.float32)


def keyword_free_probabilities(model: keras.Model, raw: RawAudio, n: int, seed: int, workers: int = 1,
                               serve: Any = None, chunk: int = VAL_CHUNK) -> np.ndarray:
    """Probabilities ``(n, 1375)`` of ``n`` keyword-free clips of data set ``seed``, made and scored ``chunk`` clips
    at a time (the same clips as one :func:`synthesize_waveforms` call; memory stays at one chunk's waveforms)."""
    serve = serve if serve is not None else tf.function(make_serving_fn(model), reduce_retracing=True)
    parts = [predict_waveforms(model, synthesize_waveforms(raw, min(chunk, n - first), seed, keyword_free=True,
                                                           workers=workers, first=first).waveforms, serve=serve)
             for first in range(0, n, chunk)]
    return np.concatenate(parts) if parts else np.zeros((0, 1375), np.float32)


def keyword_level_db(raw: RawAudio, background_db: float = -20.0) -> float:
    """Mean keyword RMS level over the (attenuated) backgrounds' RMS level, in dB: the recall's SNR."""
    keyword = np.mean([a.dBFS for a in raw.activates])
    background = np.mean([b.dBFS for b in raw.backgrounds]) + background_db
    return float(keyword - background)


def _say(ctx: RunContext, message: str) -> None:
    if ctx.verbose:
        print(f"trigger_word: {message}", flush=True)


def model_kind(ctx: RunContext) -> str:
    """The model the run trains: the option ``--model`` (``"compact"`` by default, or ``"course"``)."""
    kind = ctx.option(MODEL_OPTION, "compact")
    if kind not in MODELS:
        raise ValueError(f"trigger_word --model: expected one of {', '.join(MODELS)}, found {kind!r}")
    return kind


def build_for(ctx: RunContext, settings: Settings | None = None) -> keras.Model:
    """The run's model (:func:`model_kind`), sized by ``settings`` for the compact one."""
    settings = settings if settings is not None else (QUICK if ctx.quick else DEFAULT)
    kind = model_kind(ctx)
    return build_model(kind, **(settings.model_kwargs if kind == "compact" else {}))


def run(ctx: RunContext) -> PipelineOutput:
    """Synthesise, train, choose the threshold on validation audio, evaluate on test audio, export."""
    settings = QUICK if ctx.quick else DEFAULT
    kind = model_kind(ctx)
    if kind == "course" and not ctx.quick:
        settings = replace(settings, max_cpu_seconds=COURSE_MODEL_CPU_SECONDS)
        _say(ctx, f"the course's model trains until {COURSE_MODEL_CPU_SECONDS:.0f} CPU-s are spent "
                  "(end of that epoch): its metrics depend on this machine's speed")
    raw = load_audio(ctx)
    seed = int(ctx.seed)
    workers = 1 if ctx.quick else 2
    train = synthesize_waveforms(raw, settings.train_examples, seed * 5 + 1, workers=workers)
    keyword = synthesize_waveforms(raw, settings.eval_examples, seed * 5 + 2, workers=workers)
    free = synthesize_waveforms(raw, settings.keyword_free_clips, seed * 5 + 3, keyword_free=True, workers=workers)
    val_keyword = synthesize_waveforms(raw, settings.val_examples, seed * 5 + 4, workers=workers)
    _say(ctx, f"synthesised {len(train)} training, {len(val_keyword)} validation and "
              f"{len(keyword)} + {len(free)} test examples from {raw.source} clips")
    keras.utils.set_random_seed(seed)
    model = build_for(ctx, settings)
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss="binary_crossentropy")
    budget = TimeBudget(settings.max_cpu_seconds)
    # resumable: a killed run continues after its last completed epoch (<out>/.checkpoints/trigger_word/...)
    history = fit_resumable(model, spectrogram_dataset(train, settings.batch_size, shuffle_seed=seed), settings.epochs,
                            ctx.checkpoint_dir("detector"), callbacks=[budget], verbose=2 if ctx.verbose else 0)
    _say(ctx, f"trained {budget.epochs} epoch(s) in {budget.wall_seconds:.0f} s ({budget.cpu_seconds:.0f} CPU-s)")

    serve = tf.function(make_serving_fn(model), reduce_retracing=True)  # traced once for the four sets
    val_free_probs = keyword_free_probabilities(model, raw, settings.val_keyword_free_clips, seed * 5 + 5,
                                                workers, serve)
    chosen = choose_threshold(predict_waveforms(model, val_keyword.waveforms, serve=serve), val_keyword.activates,
                              val_free_probs, TARGET_FALSE_ACCEPTS_PER_HOUR)
    _say(ctx, f"threshold {chosen['threshold']:.2f} chosen on validation audio: recall {chosen['val_recall']:.3f} "
              f"(best {chosen['val_best_recall']:.3f}), {chosen['val_false_accepts']} false accepts in "
              f"{chosen['val_keyword_free_hours']:.1f} h (95% upper bound "
              f"{chosen['val_false_accepts_per_hour_upper']:.2f}/h)")
    keyword_probs = predict_waveforms(model, keyword.waveforms, serve=serve)
    free_probs = predict_waveforms(model, free.waveforms, serve=serve)
    metrics: dict[str, Any] = wake_word_metrics(keyword_probs, keyword.y, keyword.activates, free_probs,
                                                threshold=chosen["threshold"])
    at_course = wake_word_metrics(keyword_probs, keyword.y, keyword.activates, free_probs, threshold=THRESHOLD)
    metrics.update({
        **chosen,
        "threshold_rule": THRESHOLD_RULE,
        "recall_at_0.5": at_course["recall"],
        "false_accepts_per_hour_at_0.5": at_course["false_accepts_per_hour"],
        "f1_at_0.5": at_course["f1"],
        "snr_db": keyword_level_db(raw),
        "params": int(model.count_params()),
        "course_model_params": int(build_course_model().count_params()),
        "model": kind,
        "train_examples": len(train),
        "epochs": len(history.history["loss"]),  # with those a resumed run restored from its checkpoint
        "losses": [float(v) for v in history.history["loss"]],
        "train_seconds": budget.wall_seconds,
        "train_cpu_seconds": budget.cpu_seconds,
        "train_examples_per_second": len(train) * budget.epochs / max(budget.wall_seconds, 1e-9),  # this process
        "train_examples_per_cpu_second": len(train) * budget.epochs / max(budget.cpu_seconds, 1e-9),
        "synthesis_examples_per_second": train.examples_per_second,
    })
    assert metrics["course_model_params"] == COURSE_PARAMS
    _say(ctx, f"evaluated at threshold {metrics['threshold']:.2f} (chosen on validation audio): recall "
              f"{metrics['recall']:.3f}, false accepts/h {metrics['false_accepts_per_hour']:.2f}")
    data_source = {"trigger_word": raw.source}
    result = export_detector(model, ctx.out_dir, keyword.waveforms[:1], metrics, data_source,
                             threshold=chosen["threshold"])
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])


def export_detector(model: keras.Model, out_dir: Path, sample: np.ndarray, metrics: dict[str, Any] | None = None,
                    data_source: dict[str, str] | None = None, threshold: float = THRESHOLD) -> Any:
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
                                                             "threshold": threshold, "refractory_steps": 75}})
