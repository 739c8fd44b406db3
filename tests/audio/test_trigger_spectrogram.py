"""graph_spectrogram: SciPy equals matplotlib.mlab.specgram, tf.signal equals both (C5W3 trigger word)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib import mlab

from tf_course.audio.spectrogram import graph_spectrogram, num_frames, spectrogram, tf_spectrogram
from tf_course.data.audio import write_wav


@pytest.fixture(scope="module")
def ten_seconds() -> np.ndarray:
    """10 s at 44.1 kHz of int16 noise plus a tone, stereo (the course's file layout)."""
    rng = np.random.default_rng(7)
    t = np.arange(441000) / 44100
    left = 3000 * rng.standard_normal(441000) + 8000 * np.sin(2 * np.pi * 440 * t)
    return np.stack([left, -left], axis=1).clip(-32768, 32767).astype(np.int16)


def test_course_shape_and_mlab_parity(ten_seconds: np.ndarray, tmp_path: Path) -> None:
    path = write_wav(tmp_path / "ten.wav", ten_seconds, 44100)
    x = graph_spectrogram(path)
    assert x.shape == (101, 5511) and num_frames(441000) == 5511
    reference, freqs, _ = mlab.specgram(ten_seconds[:, 0].astype(np.float64), NFFT=200, Fs=8000, noverlap=120)
    assert reference.shape == (101, 5511) and freqs[-1] == 4000
    np.testing.assert_allclose(x, reference, rtol=1e-6, atol=0)


def test_tf_signal_parity(ten_seconds: np.ndarray) -> None:
    short = ten_seconds[:44100, 0]  # 1 s: 549 frames
    reference = spectrogram(short)
    got = tf_spectrogram(np.stack([short, short[::-1]]).astype(np.float32)).numpy()
    assert got.shape == (2, 549, 101)
    scale = reference.max()
    np.testing.assert_allclose(got[0].T, reference, rtol=1e-4, atol=1e-6 * scale)
    np.testing.assert_allclose(got[1].T, spectrogram(short[::-1]), rtol=1e-4, atol=1e-6 * scale)
    assert np.linalg.norm(got[0].T - reference) / np.linalg.norm(reference) < 1e-6


def test_spectrogram_errors() -> None:
    with pytest.raises(ValueError, match="expected a 1-D signal"):
        spectrogram(np.zeros((300, 2)))
    with pytest.raises(ValueError, match="expected at least 200 samples"):
        spectrogram(np.zeros(100))
