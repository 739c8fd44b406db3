"""The course's training-data synthesis (C5 W3, 5.3.3) with pydub, and a deterministic data set builder.

A 10 s background (``Ty = 1375`` output steps, pydub's 10,000 ms), 0-4 "activate" clips and 0-2
negative words overlaid at random non-overlapping times; labels are 50 ones right after each
activate's end. The helpers keep the course's signatures and its draws from NumPy's legacy global
generator (``np.random.seed(5)`` etc. reproduce the course's values); each also takes an optional
``rng`` (a ``np.random.RandomState``, same methods) so that the data set builder draws every
example from its own generator: example ``i`` of seed ``s`` is the same whatever the order or the
number of workers.

Unlike the course, :func:`insert_audio_clip` stops redrawing after 5 retries (the course's later
version): a clip that finds no free slot is left out (segment ``(10000, 10000)``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tf_course.audio.spectrogram import num_frames, spectrogram
from tf_course.data.audio import SAMPLE_RATE, DataError, load_segment, save_segment, segment_samples

if TYPE_CHECKING:
    from pydub import AudioSegment

TY = 1375  # output steps per 10 s
TX = 5511  # spectrogram frames per 10 s
CLIP_MS = 10000
CLIP_SAMPLES = SAMPLE_RATE * CLIP_MS // 1000  # 441,000
LABEL_STEPS = 50  # ones after an activate's end
RETRIES = 5
NO_SLOT = (10000, 10000)
RAW_KINDS = ("activates", "negatives", "backgrounds")


@dataclass
class RawAudio:
    """The clips examples are made of (pydub segments, in sorted file order) and where they came from."""

    activates: list[AudioSegment]
    negatives: list[AudioSegment]
    backgrounds: list[AudioSegment]
    source: str = "course"
    names: dict[str, list[str]] = field(default_factory=dict)


def _random(rng: Any) -> Any:
    return np.random if rng is None else rng


def load_raw_audio(path: str | Path) -> tuple[list[AudioSegment], list[AudioSegment], list[AudioSegment]]:
    """The course's ``load_raw_audio``: ``(activates, negatives, backgrounds)`` from ``path/{activates,...}/*.wav``.

    Files are read in sorted order (the course's ``os.listdir`` order is the file system's, so its
    first activate is 916 ms on Coursera and 721 ms, ``1.wav``, here). Every file must be 16-bit
    WAV at 44.1 kHz (:func:`tf_course.data.audio.load_segment`'s errors otherwise).
    """
    raw = load_raw(path)
    return raw.activates, raw.negatives, raw.backgrounds


def load_raw(path: str | Path) -> RawAudio:
    """:func:`load_raw_audio` as a :class:`RawAudio` (with file names); DataError for a missing or empty folder."""
    path = Path(path)
    clips: dict[str, list[AudioSegment]] = {}
    names: dict[str, list[str]] = {}
    for kind in RAW_KINDS:
        folder = path / kind
        files = sorted(p for p in folder.glob("*.wav")) if folder.is_dir() else []
        if not files:
            raise DataError(f"trigger-word raw data: expected WAV files in {folder}, found "
                            f"{'none' if folder.is_dir() else 'no such folder'}")
        clips[kind] = [load_segment(f, SAMPLE_RATE) for f in files]
        names[kind] = [f.name for f in files]
    short = [n for n, b in zip(names["backgrounds"], clips["backgrounds"]) if len(b) < CLIP_MS]
    if short:
        raise DataError(f"{path / 'backgrounds'}: expected backgrounds of at least {CLIP_MS} ms, found shorter "
                        f"ones: {', '.join(short)}")
    return RawAudio(clips["activates"], clips["negatives"], clips["backgrounds"], "course", names)


def get_random_time_segment(segment_ms: int, rng: Any = None) -> tuple[int, int]:
    """A random ``(start, end)`` in ms of a ``segment_ms`` clip inside 10,000 ms: start in [0, 10000 - segment_ms)."""
    segment_start = _random(rng).randint(low=0, high=CLIP_MS - segment_ms)
    return int(segment_start), int(segment_start + segment_ms - 1)


def is_overlapping(segment_time: tuple[int, int], previous_segments: Sequence[tuple[int, int]]) -> bool:
    """Whether ``segment_time`` overlaps any of ``previous_segments`` (end points inclusive)."""
    segment_start, segment_end = segment_time
    return any(segment_start <= previous_end and segment_end >= previous_start
               for previous_start, previous_end in previous_segments)


def insert_audio_clip(background: AudioSegment, audio_clip: AudioSegment,
                      previous_segments: list[tuple[int, int]],
                      rng: Any = None) -> tuple[AudioSegment, tuple[int, int]]:
    """Overlay ``audio_clip`` on ``background`` at a random free time; appends the segment to ``previous_segments``.

    Draws a segment, and redraws while it overlaps, at most :data:`RETRIES` times (the course's
    bounded loop). No free segment: the background unchanged and ``(10000, 10000)``.
    """
    segment_ms = len(audio_clip)
    segment_time = get_random_time_segment(segment_ms, rng)
    retry = RETRIES
    while is_overlapping(segment_time, previous_segments) and retry >= 0:
        segment_time = get_random_time_segment(segment_ms, rng)
        retry -= 1
    if is_overlapping(segment_time, previous_segments):
        return background, NO_SLOT
    previous_segments.append(segment_time)
    return background.overlay(audio_clip, position=segment_time[0]), segment_time


def insert_ones(y: np.ndarray, segment_end_ms: int) -> np.ndarray:
    """Set the 50 labels after ``segment_end_ms`` to 1 in ``y`` ``(1, Ty)`` (in place; clipped at Ty)."""
    ty = y.shape[1]
    segment_end_y = int(segment_end_ms * ty / 10000.0)
    y[0, segment_end_y + 1:min(segment_end_y + 1 + LABEL_STEPS, ty)] = 1
    return y


def match_target_amplitude(sound: AudioSegment, target_dbfs: float) -> AudioSegment:
    """``sound`` with its gain changed so that its RMS level is ``target_dbfs`` (silence unchanged)."""
    if sound.rms == 0:
        return sound
    return sound.apply_gain(target_dbfs - sound.dBFS)


@dataclass(frozen=True)
class Example:
    """One synthesised 10 s clip.

    Attributes:
        audio: the mixed pydub segment (the course's ``train.wav``).
        y: labels ``(1, Ty)``.
        activates: ``(start_ms, end_ms)`` of the inserted activates.
        negatives: those of the inserted negatives.
    """

    audio: AudioSegment
    y: np.ndarray
    activates: list[tuple[int, int]]
    negatives: list[tuple[int, int]]


def synthesize_example(background: AudioSegment, activates: Sequence[AudioSegment],
                       negatives: Sequence[AudioSegment], Ty: int = TY, rng: Any = None,  # noqa: N803 (course name)
                       background_db: float = -20.0, max_activates: int = 5, max_negatives: int = 3) -> Example:
    """The course's ``create_training_example`` without the spectrogram: the mix, its labels and segments.

    The course's draws in the course's order: background - 20 dB, ``randint(0, 5)`` activates
    (indices ``randint(len, size=n)``), each inserted and labelled, ``randint(0, 3)`` negatives,
    then :func:`match_target_amplitude` to -20 dBFS. ``max_activates=1`` gives keyword-free audio.
    """
    r = _random(rng)
    background = background[:CLIP_MS] + background_db
    y = np.zeros((1, Ty))
    previous_segments: list[tuple[int, int]] = []
    number_of_activates = r.randint(0, max_activates)
    random_indices = r.randint(len(activates), size=number_of_activates)
    inserted = []
    for i in random_indices:
        background, segment_time = insert_audio_clip(background, activates[i], previous_segments, rng)
        if segment_time != NO_SLOT:
            y = insert_ones(y, segment_time[1])
            inserted.append(segment_time)
    number_of_negatives = r.randint(0, max_negatives)
    random_indices = r.randint(len(negatives), size=number_of_negatives)
    others = []
    for i in random_indices:
        background, segment_time = insert_audio_clip(background, negatives[i], previous_segments, rng)
        if segment_time != NO_SLOT:
            others.append(segment_time)
    background = match_target_amplitude(background, -20.0)
    return Example(background, y, inserted, others)


def create_training_example(background: AudioSegment, activates: Sequence[AudioSegment],
                            negatives: Sequence[AudioSegment], Ty: int = TY, rng: Any = None,  # noqa: N803
                            wav_path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The course's ``create_training_example``: spectrogram ``x`` ``(101, 5511)`` and labels ``y`` ``(1, Ty)``.

    The course seeds NumPy with 18 inside the function; here the caller seeds (``np.random.seed(18)``
    reproduces it) or passes ``rng``. ``wav_path``: also write the mix there (the course's ``train.wav``);
    the spectrogram is the same either way (16-bit samples, first channel).
    """
    example = synthesize_example(background, activates, negatives, Ty, rng)
    if wav_path is not None:
        save_segment(example.audio, wav_path)
    x = spectrogram(segment_samples(example.audio)[:, 0])
    return x, example.y


# --- the data set builder ---------------------------------------------------------------------------

@dataclass
class WaveformSet:
    """Synthesised examples as 16-bit mono waveforms (the spectrogram is computed later, e.g. in the graph).

    Attributes:
        waveforms: int16 ``(n, 441000)``, first channel of each mix.
        y: float32 labels ``(n, Ty, 1)``.
        activates / negatives: per example, the inserted segments in ms.
        seconds: time the synthesis took.
    """

    waveforms: np.ndarray
    y: np.ndarray
    activates: list[list[tuple[int, int]]]
    negatives: list[list[tuple[int, int]]]
    seconds: float = 0.0

    def __len__(self) -> int:
        return int(self.waveforms.shape[0])

    @property
    def examples_per_second(self) -> float:
        """Synthesis throughput (examples per second of wall time)."""
        return len(self) / self.seconds if self.seconds > 0 else float("inf")


def example_rng(seed: int, index: int) -> np.random.RandomState:
    """The generator of example ``index`` of data set ``seed`` (independent of any other example)."""
    return np.random.RandomState([int(seed) % (2 ** 32), int(index)])


def _one(raw: RawAudio, seed: int, index: int, keyword_free: bool,
         background_db: float) -> tuple[np.ndarray, np.ndarray, Example]:
    rng = example_rng(seed, index)
    background = raw.backgrounds[index % len(raw.backgrounds)]
    example = synthesize_example(background, raw.activates, raw.negatives, TY, rng, background_db,
                                 max_activates=1 if keyword_free else 5, max_negatives=4 if keyword_free else 3)
    samples = segment_samples(example.audio)[:CLIP_SAMPLES, 0]
    if samples.shape[0] < CLIP_SAMPLES:
        samples = np.pad(samples, (0, CLIP_SAMPLES - samples.shape[0]))
    return samples, example.y[0].astype(np.float32), example


def synthesize_waveforms(raw: RawAudio, n: int, seed: int, *, keyword_free: bool = False,
                         background_db: float = -20.0, workers: int = 1, first: int = 0) -> WaveformSet:
    """``n`` examples made as the course makes them, deterministic for ``seed`` (backgrounds alternate).

    Args:
        raw: the clips.
        n: number of examples.
        seed: the data set's seed; example ``i`` uses :func:`example_rng` ``(seed, i)``.
        keyword_free: no activates (backgrounds and up to 3 negatives): false-accept audio.
        background_db: the background's gain before mixing (the course's -20 dB); the keyword's
            level over the background is what the report's recall is measured at.
        workers: processes (``os.fork``-based pool; 1 = in this process). Results do not depend on it.
        first: the index of the first example: ``first=k`` gives examples ``k .. k + n - 1`` of the same
            data set, so a long set can be made (and used) in chunks.
    """
    start = time.perf_counter()
    indices = list(range(first, first + n))
    if workers > 1 and n > 1 and hasattr(os, "fork"):
        results = _pool_map(raw, seed, indices, keyword_free, background_db, workers)
    else:
        results = []
        for i in indices:
            samples, y, example = _one(raw, seed, i, keyword_free, background_db)
            results.append((samples, y, example.activates, example.negatives))
    waveforms = np.stack([r[0] for r in results]) if results else np.zeros((0, CLIP_SAMPLES), np.int16)
    y = np.stack([r[1] for r in results])[..., None] if results else np.zeros((0, TY, 1), np.float32)
    return WaveformSet(waveforms, y, [r[2] for r in results], [r[3] for r in results], time.perf_counter() - start)


def _pool_map(raw: RawAudio, seed: int, indices: list[int], keyword_free: bool, background_db: float,
              workers: int) -> list[tuple[np.ndarray, np.ndarray, list, list]]:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    global _POOL_RAW
    _POOL_RAW = raw
    chunks = [indices[k::workers] for k in range(workers)]
    with context.Pool(workers) as pool:
        parts = pool.starmap(_pool_chunk, [(seed, chunk, keyword_free, background_db) for chunk in chunks])
    by_index = {i: r for part in parts for i, r in part}
    return [by_index[i] for i in indices]


_POOL_RAW: RawAudio | None = None


def _pool_chunk(seed: int, chunk: list[int], keyword_free: bool, background_db: float) -> list:
    assert _POOL_RAW is not None
    out = []
    for i in chunk:
        samples, y, example = _one(_POOL_RAW, seed, i, keyword_free, background_db)
        out.append((i, (samples, y, example.activates, example.negatives)))
    return out


def build_dataset(raw: RawAudio, n: int, seed: int, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """``n`` examples as the course's arrays: ``X`` float32 ``(n, 5511, 101)`` (spectrograms, time-major)
    and ``Y`` float32 ``(n, 1375, 1)``; deterministic for ``seed`` (see :func:`synthesize_waveforms`)."""
    data = synthesize_waveforms(raw, n, seed, **kwargs)
    x = np.zeros((n, num_frames(CLIP_SAMPLES), 101), np.float32)
    for i in range(n):
        x[i] = spectrogram(data.waveforms[i]).T
    return x, data.y
