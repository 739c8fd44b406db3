"""WAV reading and writing without ffmpeg (tf_course.data.audio), on files the tests write."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from tf_course.data.audio import (
    DataError,
    load_segment,
    read_wav,
    save_segment,
    segment_from_samples,
    segment_samples,
    write_wav,
)


def _samples(frames: int, channels: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-32768, 32767, size=(frames, channels), dtype=np.int16)


@pytest.mark.parametrize("channels", [1, 2])
def test_round_trip_int16(tmp_path: Path, channels: int) -> None:
    samples = _samples(4410, channels)
    path = write_wav(tmp_path / "a.wav", samples, 44100)
    wav = read_wav(path, expected_rate=44100)
    assert wav.rate == 44100 and wav.channels == channels and wav.duration_ms == 100
    np.testing.assert_array_equal(wav.samples, samples)
    with wave.open(str(path)) as reader:  # a standard file: the stdlib reads it too
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (channels, 2, 44100)


def test_mono_vector_and_floats(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "f.wav", np.array([0.0, 0.5, -1.0, 2.0]), 8000)
    wav = read_wav(path)
    assert wav.rate == 8000
    np.testing.assert_array_equal(wav.samples[:, 0], [0, 16384, -32767, 32767])


def test_pydub_segment_round_trip(tmp_path: Path) -> None:
    samples = _samples(44100, 2, seed=1)
    segment = segment_from_samples(samples)
    assert len(segment) == 1000 and segment.channels == 2 and segment.frame_rate == 44100
    save_segment(segment, tmp_path / "s.wav")
    loaded = load_segment(tmp_path / "s.wav")
    np.testing.assert_array_equal(segment_samples(loaded), samples)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="expected a file"):
        read_wav(tmp_path / "none.wav")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.wav").write_bytes(b"")
    with pytest.raises(DataError, match="found an empty file"):
        read_wav(tmp_path / "e.wav")


@pytest.mark.parametrize("head, found", [(b"ID3\x03\x00\x00\x00\x00\x00\x00\x00\x00", "an MP3 file"),
                                         (b"OggS" + b"\x00" * 20, "an OGG file"),
                                         (b"hello, not audio at all", "the bytes")])
def test_non_wav_names_ffmpeg(tmp_path: Path, head: bytes, found: str) -> None:
    (tmp_path / "x.mp3").write_bytes(head)
    with pytest.raises(DataError, match="expected a WAV file") as info:
        load_segment(tmp_path / "x.mp3")
    assert found in str(info.value) and "pydub needs ffmpeg" in str(info.value)
    assert "ffmpeg is not installed" in str(info.value)


def test_corrupt_and_truncated(tmp_path: Path) -> None:
    (tmp_path / "c.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunk")
    with pytest.raises(DataError, match="corrupt"):
        read_wav(tmp_path / "c.wav")
    good = write_wav(tmp_path / "t.wav", _samples(1000, 1), 44100).read_bytes()
    (tmp_path / "t.wav").write_bytes(good[:-500])
    with pytest.raises(DataError, match="truncated"):
        read_wav(tmp_path / "t.wav")


def test_wrong_rate_and_width(tmp_path: Path) -> None:
    write_wav(tmp_path / "r.wav", _samples(160, 1), 16000)
    with pytest.raises(DataError, match="expected a sample rate of 44100 Hz, found 16000 Hz"):
        load_segment(tmp_path / "r.wav")
    with wave.open(str(tmp_path / "u8.wav"), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(44100)
        writer.writeframes(bytes(100))
    with pytest.raises(DataError, match="expected 16-bit PCM samples, found 8-bit"):
        read_wav(tmp_path / "u8.wav")
