"""WAV files in and out without ffmpeg: int16 PCM, mono or stereo, any rate; pydub segments.

The trigger-word assignment's clips are 16-bit PCM WAV files at 44.1 kHz (mono and stereo mixed).
Python's ``wave`` module reads and writes them, so nothing here needs ffmpeg; pydub needs ffmpeg
(not installed on this machine) for every other format (MP3, OGG, M4A, FLAC, ...), which is why
a non-WAV file is refused with that explanation rather than handed to pydub.

- :func:`read_wav`: a WAV file -> :class:`Wav` (int16 samples ``(frames, channels)`` and the rate),
  with clear errors for a missing, empty, non-WAV, corrupt or truncated file, another sample width
  or (when ``expected_rate`` is given) another rate.
- :func:`write_wav`: int16 (or float in [-1, 1]) samples -> WAV file, atomically.
- :func:`load_segment` / :func:`save_segment`: the same for pydub ``AudioSegment`` (the course's
  audio objects), built from the samples directly so pydub never looks for ffmpeg.
"""

from __future__ import annotations

import struct
import warnings
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tf_course.atomic import atomic_output
from tf_course.data.validate import DataError, require_file

if TYPE_CHECKING:
    from pydub import AudioSegment

SAMPLE_RATE = 44100  # the course's clips
SAMPLE_WIDTH = 2  # bytes: int16 PCM
NO_FFMPEG = ("only uncompressed PCM WAV is read here; pydub needs ffmpeg for any other format (MP3, OGG, "
             "M4A, FLAC, ...) and ffmpeg is not installed: convert the file to 16-bit WAV first")


@dataclass(frozen=True)
class Wav:
    """Samples of a WAV file.

    Attributes:
        samples: int16 array ``(frames, channels)``.
        rate: frames per second.
    """

    samples: np.ndarray
    rate: int

    @property
    def channels(self) -> int:
        """1 (mono) or 2 (stereo)."""
        return int(self.samples.shape[1])

    @property
    def duration_ms(self) -> int:
        """Length in whole milliseconds, as pydub's ``len(segment)`` counts it."""
        return int(round(1000 * self.samples.shape[0] / self.rate))


def pydub_segment_class() -> type[AudioSegment]:
    """pydub's ``AudioSegment``, imported without its "Couldn't find ffmpeg" warning (WAV needs none)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
        from pydub import AudioSegment
    return AudioSegment


def read_wav(path: str | Path, expected_rate: int | None = None) -> Wav:
    """A 16-bit PCM WAV file as int16 samples ``(frames, channels)``.

    Args:
        path: the file.
        expected_rate: refuse any other sample rate (None: any).

    Raises:
        FileNotFoundError: nothing at ``path``.
        DataError: empty file, not a WAV file (with the ffmpeg explanation), corrupt header,
            truncated data, not 16-bit or another rate than ``expected_rate``; the message says
            what was expected and found, and names the file.
    """
    path = require_file(Path(path), "WAV audio")
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{path}: expected a WAV audio file, found an empty file (0 bytes)")
    with open(path, "rb") as handle:
        head = handle.read(12)
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX") or head[8:12] != b"WAVE":
        raise DataError(f"{path}: expected a WAV file (RIFF/WAVE header), found {_describe_header(head)}; "
                        f"{NO_FFMPEG}")
    try:
        with wave.open(str(path), "rb") as reader:
            channels, width, rate = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
            frames = reader.getnframes()
            data = reader.readframes(frames)
    except (wave.Error, EOFError, ValueError, RuntimeError, struct.error) as exc:
        raise DataError(f"{path}: expected a readable PCM WAV file, found a corrupt one ({exc})") from None
    if width != SAMPLE_WIDTH:
        raise DataError(f"{path}: expected 16-bit PCM samples, found {8 * width}-bit")
    if channels not in (1, 2):
        raise DataError(f"{path}: expected mono or stereo audio, found {channels} channels")
    if expected_rate is not None and rate != expected_rate:
        raise DataError(f"{path}: expected a sample rate of {expected_rate} Hz, found {rate} Hz")
    got = len(data) // (width * channels)
    if got != frames:
        raise DataError(f"{path}: expected {frames} frames as its header says, found {got} (truncated file)")
    samples = np.frombuffer(data, dtype="<i2").reshape(frames, channels).astype(np.int16)
    return Wav(samples, rate)


def _describe_header(head: bytes) -> str:
    signatures = {b"ID3": "an MP3 file", b"\xff\xfb": "an MP3 file", b"\xff\xf3": "an MP3 file",
                  b"OggS": "an OGG file", b"fLaC": "a FLAC file", b"\x1aE\xdf\xa3": "a WebM/Matroska file"}
    for magic, name in signatures.items():
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return "an MP4/M4A file"
    return f"the bytes {head[:12]!r}"


def as_int16(samples: np.ndarray) -> np.ndarray:
    """int16 samples unchanged; floats in [-1, 1] scaled by 32767 (clipped, rounded)."""
    samples = np.asarray(samples)
    if samples.dtype == np.int16:
        return samples
    if samples.dtype.kind != "f":
        raise DataError(f"WAV samples: expected int16 or float in [-1, 1], found dtype {samples.dtype}")
    return np.round(np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)


def write_wav(path: str | Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """Write samples ``(frames,)`` (mono) or ``(frames, channels)`` as a 16-bit PCM WAV file, atomically."""
    data = as_int16(samples)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] not in (1, 2):
        raise DataError(f"WAV samples: expected shape (frames,) or (frames, 1|2), found {tuple(np.shape(samples))}")
    path = Path(path)
    with atomic_output(path) as tmp:
        with wave.open(str(tmp), "wb") as writer:
            writer.setnchannels(data.shape[1])
            writer.setsampwidth(SAMPLE_WIDTH)
            writer.setframerate(int(rate))
            writer.writeframes(data.astype("<i2").tobytes())
    return path


def segment_from_samples(samples: np.ndarray, rate: int = SAMPLE_RATE) -> AudioSegment:
    """A pydub ``AudioSegment`` of int16 (or float in [-1, 1]) samples ``(frames,)`` or ``(frames, channels)``."""
    data = as_int16(samples)
    if data.ndim == 1:
        data = data[:, None]
    segment_class = pydub_segment_class()
    return segment_class(data=np.ascontiguousarray(data).astype("<i2").tobytes(), sample_width=SAMPLE_WIDTH,
                         frame_rate=int(rate), channels=int(data.shape[1]))


def segment_samples(segment: AudioSegment) -> np.ndarray:
    """int16 samples ``(frames, channels)`` of a 16-bit pydub ``AudioSegment``."""
    if segment.sample_width != SAMPLE_WIDTH:
        raise DataError(f"audio segment: expected 16-bit samples, found {8 * segment.sample_width}-bit")
    return np.frombuffer(segment.raw_data, dtype="<i2").reshape(-1, segment.channels).astype(np.int16)


def load_segment(path: str | Path, expected_rate: int | None = SAMPLE_RATE) -> AudioSegment:
    """A WAV file as a pydub ``AudioSegment`` (what the course's ``AudioSegment.from_wav`` gives), no ffmpeg.

    Raises:
        FileNotFoundError, DataError: as :func:`read_wav`.
    """
    wav = read_wav(path, expected_rate)
    return segment_from_samples(wav.samples, wav.rate)


def save_segment(segment: AudioSegment, path: str | Path) -> Path:
    """Write a pydub ``AudioSegment`` as a WAV file (atomically; the course's ``export(..., format="wav")``)."""
    return write_wav(path, segment_samples(segment), segment.frame_rate)
