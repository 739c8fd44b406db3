"""The course's spectrogram, ``plt.specgram(data, NFFT=200, Fs=8000, noverlap=120)``, without matplotlib.

Frames of 200 samples every 80 samples (no padding), a symmetric Hann window (``np.hanning(200)``,
not SciPy's periodic default), no detrending, power spectral density scaling
``|rfft(w * x)|**2 / (Fs * sum(w**2))`` doubled for every bin but DC and Nyquist: 101 frequencies.
``Fs=8000`` is the course's nominal rate (the clips are 44.1 kHz): it only scales the values.
10 s at 44.1 kHz (441,000 samples) gives ``(101, 5511)``; inputs to the models are its transpose
``(5511, 101)``.

- :func:`spectrogram` (SciPy, float64): equal to ``matplotlib.mlab.specgram`` within about 1e-15.
- :func:`tf_spectrogram` (``tf.signal``, float32, batched): the same values within about 3e-7
  relative, so it can live inside an exported graph (serving takes raw waveforms).
- :func:`graph_spectrogram`: the course's function of a WAV file (first channel).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.signal
import tensorflow as tf

from tf_course.data.audio import read_wav

NFFT = 200
FS = 8000
NOVERLAP = 120
HOP = NFFT - NOVERLAP  # 80 samples
N_FREQ = NFFT // 2 + 1  # 101


def num_frames(samples: int) -> int:
    """Spectrogram frames of ``samples`` samples: 5511 for 441,000."""
    return max(0, (samples - NOVERLAP) // HOP)


def spectrogram(data: np.ndarray, nfft: int = NFFT, fs: float = FS, noverlap: int = NOVERLAP) -> np.ndarray:
    """PSD spectrogram ``(nfft // 2 + 1, frames)`` of a 1-D signal, as ``matplotlib.mlab.specgram`` computes it.

    Args:
        data: samples ``(n,)`` (any numeric dtype; int16 WAV samples in the course).
        nfft, fs, noverlap: the course's 200, 8000 and 120.
    """
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 1:
        raise ValueError(f"spectrogram: expected a 1-D signal, found shape {data.shape}")
    if data.shape[0] < nfft:
        raise ValueError(f"spectrogram: expected at least {nfft} samples, found {data.shape[0]}")
    _, _, pxx = scipy.signal.spectrogram(data, fs=fs, window=np.hanning(nfft), nperseg=nfft, noverlap=noverlap,
                                         nfft=nfft, detrend=False, return_onesided=True, scaling="density",
                                         mode="psd")
    return pxx


def graph_spectrogram(wav_file: str | Path) -> np.ndarray:
    """The course's ``graph_spectrogram`` without the plot: spectrogram ``(101, frames)`` of the first channel."""
    return spectrogram(read_wav(wav_file).samples[:, 0])


def plot_spectrogram(x: np.ndarray, ax=None, title: str = "spectrogram"):  # noqa: ANN001, ANN201 (matplotlib)
    """Draw a ``(101, frames)`` spectrogram in dB (matplotlib imported here only)."""
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.gca()
    ax.imshow(10 * np.log10(np.asarray(x) + 1e-10), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xlabel("frame")
    ax.set_ylabel("frequency bin")
    ax.set_title(title)
    return ax


def _tf_scale(nfft: int, fs: float) -> np.ndarray:
    window = np.hanning(nfft)
    scale = np.full(nfft // 2 + 1, 2.0 / (fs * np.sum(window ** 2)))
    scale[0] /= 2.0
    if nfft % 2 == 0:
        scale[-1] /= 2.0
    return scale.astype(np.float32)


def tf_spectrogram(waveforms: tf.Tensor, nfft: int = NFFT, fs: float = FS, noverlap: int = NOVERLAP) -> tf.Tensor:
    """Batched float32 twin of :func:`spectrogram`, time-major: ``(..., n)`` samples -> ``(..., frames, 101)``.

    ``tf.signal.stft`` with a symmetric Hann window (``hann_window(periodic=False)``) and the PSD
    scale; graph-friendly (exported signatures compute the spectrogram from raw samples).
    """
    waveforms = tf.convert_to_tensor(waveforms, tf.float32)
    window = tf.signal.hann_window(nfft, periodic=False, dtype=tf.float32)
    stft = tf.signal.stft(waveforms, frame_length=nfft, frame_step=nfft - noverlap, fft_length=nfft,
                          window_fn=lambda length, dtype: window, pad_end=False)
    power = tf.math.real(stft) ** 2 + tf.math.imag(stft) ** 2
    return power * tf.constant(_tf_scale(nfft, fs))
