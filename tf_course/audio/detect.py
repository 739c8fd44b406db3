"""Using a trained detector: ``detect_triggerword``, ``chime_on_activate`` and wake-word metrics.

A trigger is the course's chime rule: step ``i`` fires when its probability exceeds the threshold
(0.5) and more than 75 steps passed since the last firing (the counter starts at 0, so the first
possible firing is step 75). Metrics, as wake-word systems report them:

- event ``recall``: the fraction of inserted keywords with a trigger between the keyword's start
  and 75 steps (0.55 s) after its end (false reject rate = 1 - recall);
- ``false_accepts_per_hour``: triggers on keyword-free audio (backgrounds and negatives only),
  per hour of that audio; triggers matching no keyword in the keyword audio are counted too
  (``false_accepts_keyword_audio``);
- frame ``f1``: per output step, probability > threshold against the labels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tf_course.audio.spectrogram import graph_spectrogram
from tf_course.audio.synthesis import CLIP_MS, TY
from tf_course.data.audio import SAMPLE_RATE, load_segment, save_segment, segment_from_samples

if TYPE_CHECKING:
    from pydub import AudioSegment

THRESHOLD = 0.5
REFRACTORY = 75  # steps: one chime per 75 output steps at most
DETECTION_SLACK = 75  # steps after a keyword's end in which a trigger counts as detecting it


def trigger_steps(probabilities: np.ndarray, threshold: float = THRESHOLD, refractory: int = REFRACTORY) -> list[int]:
    """Steps where the course's ``chime_on_activate`` rings, for probabilities ``(Ty,)`` (or ``(Ty, 1)``)."""
    probabilities = np.asarray(probabilities).reshape(-1)
    fired, consecutive = [], 0
    for i, p in enumerate(probabilities):
        consecutive += 1
        if p > threshold and consecutive > refractory:
            fired.append(i)
            consecutive = 0
    return fired


def generated_chime(seconds: float = 0.4, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A two-tone bell (880 Hz and 1320 Hz, decaying), float in [-1, 1]: the chime without the course's file."""
    t = np.arange(int(seconds * rate)) / rate
    bell = (np.sin(2 * np.pi * 880 * t) + 0.5 * np.sin(2 * np.pi * 1320 * t)) * np.exp(-t * 8)
    return 0.5 * bell / np.abs(bell).max()


def load_chime(data_dir: str | Path | None = None) -> tuple[AudioSegment, str]:
    """The course's ``audio_examples/chime.wav`` (under ``data_dir`` or ``data_dir/trigger_word``) when present,
    else :func:`generated_chime`; with ``"course"`` or ``"generated"``."""
    if data_dir is not None:
        for candidate in (Path(data_dir) / "trigger_word" / "audio_examples" / "chime.wav",
                          Path(data_dir) / "audio_examples" / "chime.wav", Path(data_dir) / "chime.wav"):
            if candidate.is_file():
                return load_segment(candidate), "course"
    return segment_from_samples(generated_chime()), "generated"


def chime_on_activate(audio: AudioSegment, predictions: np.ndarray, threshold: float = THRESHOLD,
                      chime: AudioSegment | None = None, out_path: str | Path | None = None,
                      refractory: int = REFRACTORY) -> tuple[AudioSegment, list[int]]:
    """The course's ``chime_on_activate``: overlay ``chime`` where the detector fires; the audio and the steps.

    ``predictions``: ``(1, Ty, 1)`` or ``(Ty,)``. ``out_path``: also write the WAV (the course's
    ``chime_output.wav``).
    """
    chime = chime if chime is not None else load_chime()[0]
    probabilities = np.asarray(predictions).reshape(-1)
    steps = trigger_steps(probabilities, threshold, refractory)
    ty = probabilities.shape[0]
    for i in steps:
        audio = audio.overlay(chime, position=((i / ty) * audio.duration_seconds) * 1000)
    if out_path is not None:
        save_segment(audio, out_path)
    return audio, steps


def detect_triggerword(predict: Callable[[np.ndarray], np.ndarray], filename: str | Path,
                       plot: bool = False) -> np.ndarray:
    """The course's ``detect_triggerword``: probabilities ``(1, Ty, 1)`` of a WAV file (first channel).

    ``predict``: spectrograms ``(batch, Tx, 101)`` -> probabilities (e.g. ``model.predict``).
    ``plot``: draw the spectrogram and the probabilities (matplotlib, two rows).
    """
    x = graph_spectrogram(filename)
    predictions = np.asarray(predict(x.swapaxes(0, 1)[None].astype(np.float32)))
    if plot:
        plot_detection(x, predictions)
    return predictions


def plot_detection(x: np.ndarray, predictions: np.ndarray, chimes: Sequence[int] = (), fig=None,  # noqa: ANN001, ANN201
                   threshold: float = THRESHOLD):
    """Spectrogram (top) and probabilities with the chime steps and the threshold (bottom)."""
    import matplotlib.pyplot as plt

    from tf_course.audio.spectrogram import plot_spectrogram

    fig = fig if fig is not None else plt.figure(figsize=(9, 5))
    ax1, ax2 = fig.subplots(2, 1)
    plot_spectrogram(x, ax1)
    probabilities = np.asarray(predictions).reshape(-1)
    ax2.plot(probabilities, label="probability")
    for i, step in enumerate(chimes):
        ax2.axvline(step, color="red", linestyle="--", label="chime" if i == 0 else None)
    ax2.axhline(threshold, color="grey", linewidth=0.5)
    ax2.set_xlim(0, len(probabilities))
    ax2.set_ylim(0, 1)
    ax2.set_xlabel("output step")
    ax2.set_ylabel("probability")
    ax2.legend(loc="upper right")
    fig.tight_layout()
    return fig


def step_of_ms(ms: float, ty: int = TY) -> int:
    """The output step of a time in ms (the course's ``int(ms * Ty / 10000.0)``)."""
    return int(ms * ty / float(CLIP_MS))


def event_counts(probabilities: np.ndarray, keywords: Sequence[Sequence[tuple[int, int]]],
                 threshold: float = THRESHOLD) -> dict[str, int]:
    """Detected / inserted keywords and unmatched triggers over clips (probabilities ``(n, Ty[, 1])``)."""
    detected = total = false = 0
    for probs, segments in zip(np.asarray(probabilities).reshape(len(keywords), -1), keywords):
        fired = trigger_steps(probs, threshold)
        windows = [(step_of_ms(start), step_of_ms(end) + DETECTION_SLACK) for start, end in segments]
        matched = set()
        for step in fired:
            hits = [k for k, (lo, hi) in enumerate(windows) if lo <= step <= hi]
            if hits:
                matched.update(hits)
            else:
                false += 1
        detected += len(matched)
        total += len(windows)
    return {"detected": detected, "keywords": total, "false_triggers": false}


def frame_f1(probabilities: np.ndarray, labels: np.ndarray, threshold: float = THRESHOLD) -> float:
    """F1 of ``probabilities > threshold`` against 0/1 ``labels`` over all steps (0.0 if neither has a positive)."""
    pred = np.asarray(probabilities).reshape(-1) > threshold
    true = np.asarray(labels).reshape(-1) > 0.5
    tp = float(np.sum(pred & true))
    denominator = float(np.sum(pred) + np.sum(true))
    return 2 * tp / denominator if denominator else 0.0


def wake_word_metrics(keyword_probs: np.ndarray, keyword_labels: np.ndarray,
                      keywords: Sequence[Sequence[tuple[int, int]]], free_probs: np.ndarray,
                      clip_seconds: float = CLIP_MS / 1000, threshold: float = THRESHOLD) -> dict[str, Any]:
    """``recall``, ``false_reject_rate``, ``false_accepts_per_hour``, ``f1`` and the counts behind them."""
    events = event_counts(keyword_probs, keywords, threshold)
    free_clips = int(np.asarray(free_probs).shape[0])
    free_triggers = sum(len(trigger_steps(p, threshold)) for p in np.asarray(free_probs).reshape(free_clips, -1))
    hours = free_clips * clip_seconds / 3600.0
    recall = events["detected"] / events["keywords"] if events["keywords"] else float("nan")
    return {
        "recall": recall,
        "false_reject_rate": 1.0 - recall,
        "false_accepts_per_hour": free_triggers / hours if hours else float("nan"),
        "f1": frame_f1(keyword_probs, keyword_labels, threshold),
        "threshold": threshold,
        "keywords": events["keywords"],
        "keywords_detected": events["detected"],
        "false_accepts_keyword_audio": events["false_triggers"],
        "false_accepts": free_triggers,
        "keyword_free_hours": hours,
    }


THRESHOLD_GRID = tuple(round(0.05 * k, 2) for k in range(1, 20))  # 0.05 .. 0.95


def choose_threshold(keyword_probs: np.ndarray, keywords: Sequence[Sequence[tuple[int, int]]],
                     free_probs: np.ndarray, max_false_accepts_per_hour: float = 1.0,
                     grid: Sequence[float] = THRESHOLD_GRID, clip_seconds: float = CLIP_MS / 1000) -> dict[str, Any]:
    """The operating point chosen on a validation split (never the test split).

    Among the ``grid`` thresholds whose false accepts per hour on the validation keyword-free audio
    (``free_probs``) are at most ``max_false_accepts_per_hour``, the one with the highest event recall
    on the validation keyword audio (ties: the highest threshold, fewest false accepts). None meets
    the bound: the highest threshold. Returns ``{"threshold", "val_recall", "val_false_accepts_per_hour"}``.
    """
    free_clips = int(np.asarray(free_probs).shape[0])
    hours = free_clips * clip_seconds / 3600.0
    free = np.asarray(free_probs).reshape(free_clips, -1)
    best: tuple[float, float, float] | None = None  # (recall, threshold, fa/h)
    scores = []
    for threshold in sorted(grid):
        fa = sum(len(trigger_steps(p, threshold)) for p in free) / hours if hours else 0.0
        events = event_counts(keyword_probs, keywords, threshold)
        recall = events["detected"] / events["keywords"] if events["keywords"] else 0.0
        scores.append((threshold, recall, fa))
        if fa <= max_false_accepts_per_hour and (best is None or recall >= best[0]):
            best = (recall, threshold, fa)
    if best is None:
        threshold, recall, fa = scores[-1]
        best = (recall, threshold, fa)
    return {"threshold": float(best[1]), "val_recall": float(best[0]), "val_false_accepts_per_hour": float(best[2])}
