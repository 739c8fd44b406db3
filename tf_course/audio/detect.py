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
    # the course's loop (a counter of steps since the last chime, reset on a chime) over the steps above
    # the threshold only: step i fires when i - (the last firing, -1 at first) > refractory
    fired, last = [], -1
    for i in np.flatnonzero(np.asarray(probabilities).reshape(-1) > threshold):
        if i - last > refractory:
            fired.append(int(i))
            last = int(i)
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
TARGET_FALSE_ACCEPTS_PER_HOUR = 2.0  # the goal on the test split
CONFIDENCE = 0.95  # of the one-sided Poisson upper bound on the validation false accepts per hour
THRESHOLD_RULE = (  # the metrics' ``threshold_rule``; in full in :func:`choose_threshold`
    "on validation audio only: the highest threshold whose recall is within 1 standard error of the best "
    "among those whose 95% Poisson upper bound of false accepts/h is <= 2"
)


def poisson_upper(count: int, confidence: float = CONFIDENCE) -> float:
    """One-sided upper confidence bound of a Poisson mean given ``count`` events (Garwood, exact).

    ``chi2.ppf(confidence, 2 (count + 1)) / 2``: 0 events -> 3.00, 1 -> 4.74, 2 -> 6.30 at 95%.
    """
    from scipy.stats import chi2

    return float(chi2.ppf(confidence, 2 * (int(count) + 1)) / 2.0)


def threshold_scores(keyword_probs: np.ndarray, keywords: Sequence[Sequence[tuple[int, int]]],
                     free_probs: np.ndarray, grid: Sequence[float] = THRESHOLD_GRID,
                     clip_seconds: float = CLIP_MS / 1000) -> list[dict[str, float]]:
    """Per grid threshold (ascending): event ``recall`` on the keyword clips, ``false_accepts`` (count) on the
    keyword-free clips ``(n, Ty[, 1])`` and ``hours`` of that audio."""
    free_clips = int(np.asarray(free_probs).shape[0])
    hours = free_clips * clip_seconds / 3600.0
    free = np.asarray(free_probs).reshape(free_clips, -1)
    scores = []
    for threshold in sorted(grid):
        events = event_counts(keyword_probs, keywords, threshold)
        scores.append({"threshold": float(threshold),
                       "recall": events["detected"] / events["keywords"] if events["keywords"] else 0.0,
                       "keywords": events["keywords"],
                       "false_accepts": sum(len(trigger_steps(p, threshold)) for p in free),
                       "hours": hours})
    return scores


def choose_threshold(keyword_probs: np.ndarray, keywords: Sequence[Sequence[tuple[int, int]]],
                     free_probs: np.ndarray, max_false_accepts_per_hour: float = TARGET_FALSE_ACCEPTS_PER_HOUR,
                     grid: Sequence[float] = THRESHOLD_GRID, clip_seconds: float = CLIP_MS / 1000,
                     confidence: float = CONFIDENCE) -> dict[str, Any]:
    """The operating point chosen on a validation split (never the test split): :data:`THRESHOLD_RULE`.

    1. For each ``grid`` threshold: the validation event recall ``r`` (``K`` keywords) and the false
       accepts ``n`` on ``H`` hours of keyword-free audio (``free_probs``); the false accepts per hour
       are bounded by ``poisson_upper(n, confidence) / H``.
    2. Admissible: that bound <= ``max_false_accepts_per_hour``. (0 false accepts needs
       ``H >= 3.0 / max``: 1.5 h for 2 per hour; 3 h admit 1 false accept.) None admissible: the
       thresholds with the fewest false accepts (``val_bound_met`` False).
    3. The best admissible recall ``r*``; tolerance ``max(sqrt(r* (1 - r*) / K), 1 / K)`` (a
       difference smaller than the recall's standard error is noise); the HIGHEST admissible
       threshold with recall >= ``r* - tolerance`` (fewer false accepts at no real cost in recall).

    Returns ``{"threshold", "val_recall", "val_best_recall", "val_recall_tolerance", "val_false_accepts",
    "val_false_accepts_per_hour", "val_false_accepts_per_hour_upper", "val_keyword_free_hours",
    "val_bound_met"}``.
    """
    scores = threshold_scores(keyword_probs, keywords, free_probs, grid, clip_seconds)
    for s in scores:
        s["upper"] = poisson_upper(s["false_accepts"], confidence) / s["hours"] if s["hours"] else float("inf")
    admissible = [s for s in scores if s["upper"] <= max_false_accepts_per_hour]
    bound_met = bool(admissible)
    if not admissible:
        fewest = min(s["false_accepts"] for s in scores)
        admissible = [s for s in scores if s["false_accepts"] == fewest]
    best = max(s["recall"] for s in admissible)
    k = max(int(admissible[0]["keywords"]), 1)
    tolerance = max(float(np.sqrt(best * (1.0 - best) / k)), 1.0 / k)
    chosen = max((s for s in admissible if s["recall"] >= best - tolerance - 1e-12), key=lambda s: s["threshold"])
    hours = chosen["hours"]
    return {"threshold": chosen["threshold"], "val_recall": float(chosen["recall"]), "val_best_recall": float(best),
            "val_recall_tolerance": tolerance, "val_false_accepts": int(chosen["false_accepts"]),
            "val_false_accepts_per_hour": chosen["false_accepts"] / hours if hours else 0.0,
            "val_false_accepts_per_hour_upper": float(chosen["upper"]), "val_keyword_free_hours": hours,
            "val_bound_met": bound_met}
