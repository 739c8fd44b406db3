"""Offline stand-in for the course's ``raw_data``: keyword, non-keyword and background clips made here.

Nothing is recorded or downloaded. The "keyword" is a spectro-temporal pattern that no negative
has: two harmonic syllables, the first rising in pitch and the second falling, separated by a
short gap, ending in a burst of high-frequency noise (a synthetic "ac-ti-vate"). Pitch (140-320 Hz
fundamental, 4 harmonics), syllable lengths and the total duration (about 450-900 ms) vary per clip.
Negatives are other patterns at the same pitches and levels: one flat syllable with vibrato, a
falling-then-rising pair (the keyword's mirror image), three short pips, a band of noise, a
single long rising glide. Backgrounds are 10 s of coloured noise with a mains-like hum and soft
random clicks. All are 16-bit 44.1 kHz mono pydub segments, deterministic for a seed.
"""

from __future__ import annotations

import numpy as np

from tf_course.audio.synthesis import CLIP_SAMPLES, RawAudio
from tf_course.data.audio import SAMPLE_RATE, segment_from_samples

RATE = SAMPLE_RATE


def _envelope(n: int, attack: float = 0.08, release: float = 0.15) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n, endpoint=False)
    env = np.minimum(1.0, t / attack) * np.minimum(1.0, (1.0 - t) / release)
    return np.clip(env, 0.0, 1.0)


def _harmonic(f_start: float, f_end: float, seconds: float, rng: np.random.RandomState,
              vibrato: float = 0.0) -> np.ndarray:
    """A harmonic syllable whose fundamental glides from ``f_start`` to ``f_end`` (Hz)."""
    n = max(1, int(seconds * RATE))
    t = np.arange(n) / RATE
    f = np.geomspace(f_start, f_end, n) * (1.0 + vibrato * np.sin(2 * np.pi * 6.0 * t))
    phase = 2 * np.pi * np.cumsum(f) / RATE
    weights = np.array([1.0, 0.6, 0.4, 0.25]) * rng.uniform(0.7, 1.3, 4)
    wave = sum(w * np.sin((k + 1) * phase) for k, w in enumerate(weights))
    return wave * _envelope(n)


def _noise_burst(seconds: float, rng: np.random.RandomState, low: float, high: float) -> np.ndarray:
    n = max(1, int(seconds * RATE))
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1.0 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0.0
    burst = np.fft.irfft(spectrum, n)
    return burst / (np.abs(burst).max() + 1e-9) * _envelope(n, 0.05, 0.3)


def _gap(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE))


def keyword_clip(rng: np.random.RandomState) -> np.ndarray:
    """One stand-in keyword: rising syllable, gap, falling syllable, high noise burst; float in [-1, 1]."""
    f0 = rng.uniform(140, 320)
    speed = rng.uniform(0.75, 1.35)
    parts = [_harmonic(f0, f0 * 1.7, 0.22 * speed, rng), _gap(0.05 * speed),
             _harmonic(f0 * 1.8, f0 * 0.9, 0.25 * speed, rng), _gap(0.03 * speed),
             0.6 * _noise_burst(0.09 * speed, rng, 4000, 9000)]
    return _normalise(np.concatenate(parts), rng)


def negative_clip(rng: np.random.RandomState) -> np.ndarray:
    """One stand-in non-keyword (one of five other patterns); float in [-1, 1]."""
    f0 = rng.uniform(140, 320)
    speed = rng.uniform(0.75, 1.35)
    kind = rng.randint(5)
    if kind == 0:  # one flat syllable with vibrato
        wave = _harmonic(f0, f0, 0.35 * speed, rng, vibrato=0.03)
    elif kind == 1:  # the keyword's mirror: falling then rising
        wave = np.concatenate([_harmonic(f0 * 1.7, f0, 0.22 * speed, rng), _gap(0.05 * speed),
                               _harmonic(f0 * 0.9, f0 * 1.8, 0.25 * speed, rng)])
    elif kind == 2:  # three short pips
        pip = [np.concatenate([_harmonic(f0 * r, f0 * r, 0.08 * speed, rng), _gap(0.06 * speed)])
               for r in (1.0, 1.3, 1.0)]
        wave = np.concatenate(pip)
    elif kind == 3:  # a band of noise ("sh")
        wave = _noise_burst(0.3 * speed, rng, 1500, 6000)
    else:  # one long rising glide
        wave = _harmonic(f0, f0 * 2.2, 0.55 * speed, rng)
    return _normalise(wave, rng)


def _normalise(wave: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    return wave / (np.abs(wave).max() + 1e-9) * rng.uniform(0.3, 0.8)


def background_clip(rng: np.random.RandomState, samples: int = CLIP_SAMPLES) -> np.ndarray:
    """10 s of coloured noise, a hum and soft clicks; float in [-1, 1]."""
    white = rng.standard_normal(samples)
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(samples, 1.0 / RATE)
    tilt = rng.uniform(0.5, 1.2)  # 1/f**(tilt/2) amplitude
    spectrum /= np.maximum(freqs, 20.0) ** (tilt / 2)
    noise = np.fft.irfft(spectrum, samples)
    noise /= noise.std() + 1e-12
    t = np.arange(samples) / RATE
    hum_f = rng.choice([50.0, 60.0])
    hum = sum(a * np.sin(2 * np.pi * hum_f * k * t + rng.uniform(0, 2 * np.pi))
              for k, a in ((1, 0.5), (2, 0.25), (3, 0.1)))
    clicks = np.zeros(samples)
    for position in rng.randint(0, samples - 200, size=rng.randint(5, 30)):
        clicks[position:position + 200] += rng.uniform(-2, 2) * np.exp(-np.arange(200) / 30.0)
    wave = noise + rng.uniform(0.2, 1.0) * hum + clicks
    return wave / (np.abs(wave).max() + 1e-9) * 0.9


def standin_raw_audio(seed: int = 0, activates: int = 10, negatives: int = 10, backgrounds: int = 2) -> RawAudio:
    """The offline ``raw_data``: ``activates`` keywords, ``negatives`` non-keywords and ``backgrounds`` 10 s
    backgrounds (the course's 10 / 10 / 2 by default), deterministic for ``seed``."""
    rng = np.random.RandomState([int(seed) % (2 ** 32), 5333])
    kws = [segment_from_samples(keyword_clip(rng)) for _ in range(activates)]
    negs = [segment_from_samples(negative_clip(rng)) for _ in range(negatives)]
    bgs = [segment_from_samples(background_clip(rng)) for _ in range(backgrounds)]
    names = {"activates": [f"keyword_{i}" for i in range(activates)],
             "negatives": [f"negative_{i}" for i in range(negatives)],
             "backgrounds": [f"background_{i}" for i in range(backgrounds)]}
    return RawAudio(kws, negs, bgs, "synthetic", names)
