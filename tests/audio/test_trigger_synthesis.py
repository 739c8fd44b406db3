"""The course's synthesis helpers (C5W3 trigger word): reference values on clips the tests write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tf_course.audio.synthesis import (
    NO_SLOT,
    RawAudio,
    build_dataset,
    create_training_example,
    get_random_time_segment,
    insert_audio_clip,
    insert_ones,
    is_overlapping,
    load_raw,
    load_raw_audio,
    match_target_amplitude,
    synthesize_waveforms,
)
from tf_course.data.audio import DataError, segment_from_samples, segment_samples, write_wav

RATE = 44100


def _clip(ms: float, seed: int = 0, level: float = 3000.0, channels: int = 1) -> np.ndarray:
    frames = int(round(ms * RATE / 1000))
    return (np.random.default_rng(seed).standard_normal((frames, channels)) * level).astype(np.int16)


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A raw_data folder like the course's: activates (the first, sorted, 916 ms), negatives, 10 s backgrounds."""
    root = tmp_path_factory.mktemp("raw_data")
    for kind, lengths in (("activates", [916, 721, 1579]), ("negatives", [360, 579]),
                          ("backgrounds", [10000, 10000])):
        (root / kind).mkdir()
        for i, ms in enumerate(lengths):
            write_wav(root / kind / f"{i + 1}.wav", _clip(ms, seed=i, channels=2 if kind == "backgrounds" else 1),
                      RATE)
    return root


def test_is_overlapping_course_values() -> None:
    assert is_overlapping((950, 1430), [(2000, 2550), (260, 949)]) is False
    assert is_overlapping((2305, 2950), [(824, 1532), (1900, 2305), (3424, 3656)]) is True
    assert not is_overlapping((670, 1430), [])
    assert not is_overlapping((500, 1000), [(100, 499), (1001, 1100)])
    assert is_overlapping((750, 1250), [(100, 750), (1001, 1100)])
    assert is_overlapping((750, 1250), [(300, 600), (1250, 1500)])
    assert is_overlapping((750, 1250), [(300, 600), (600, 1500), (1600, 1800)])
    assert is_overlapping((800, 1100), [(300, 600), (900, 1000), (1600, 1800)])
    assert is_overlapping((900, 2500), [(2000, 2550), (260, 949)])
    assert not is_overlapping((2306, 2307), [(824, 1532), (1900, 2305), (3424, 3656)])


def test_load_raw_audio_sorted(raw_dir: Path) -> None:
    activates, negatives, backgrounds = load_raw_audio(raw_dir)
    assert [len(a) for a in activates] == [916, 721, 1579]
    assert [len(n) for n in negatives] == [360, 579]
    assert [len(b) for b in backgrounds] == [10000, 10000]


def test_insert_audio_clip_course_values(raw_dir: Path) -> None:
    activates, _, backgrounds = load_raw_audio(raw_dir)
    np.random.seed(5)
    audio, segment = insert_audio_clip(backgrounds[0], activates[0], [(3790, 4400)])
    assert segment == (2254, 3169)
    np.random.seed(5)
    previous = [(0, 4400)]
    audio, segment = insert_audio_clip(backgrounds[0], activates[0], previous)
    assert segment == (7286, 8201) and segment[0] > 4400 and segment[1] - segment[0] + 1 == len(activates[0])
    assert previous == [(0, 4400), (7286, 8201)]
    np.random.seed(5)
    audio, segment = insert_audio_clip(backgrounds[0], activates[0], [(0, 9999)])
    assert segment == NO_SLOT  # the bounded retries give up
    np.testing.assert_array_equal(segment_samples(audio), segment_samples(backgrounds[0]))
    np.random.seed(5)
    assert get_random_time_segment(721) == (2915, 3635)


def test_insert_ones_course_values() -> None:
    arr1 = insert_ones(np.zeros((1, 1375)), 9700)
    arr1 = insert_ones(arr1, 4251)
    assert (arr1[0][1333], arr1[0][634], arr1[0][635]) == (0.0, 1.0, 0.0)
    np.random.seed(0)
    end_y = int(np.random.randint(0, 1375 - 51))
    y = insert_ones(np.zeros((1, 1375)), end_y * 10000.0 / 1375 + 1e-6)
    assert y.sum() == 50 and y[0, end_y] == 0 and y[0, end_y + 1] == y[0, end_y + 50] == 1 and y[0, end_y + 51] == 0
    assert insert_ones(np.zeros((1, 1375)), 9990).sum() == 1375 - 1373 - 1  # clipped at Ty


def test_match_target_amplitude() -> None:
    segment = segment_from_samples(_clip(200, level=1000))
    assert abs(match_target_amplitude(segment, -20.0).dBFS + 20.0) < 0.05
    silence = segment_from_samples(np.zeros(100, np.int16))
    assert match_target_amplitude(silence, -20.0).rms == 0


def test_create_training_example_shapes(raw_dir: Path, tmp_path: Path) -> None:
    activates, negatives, backgrounds = load_raw_audio(raw_dir)
    np.random.seed(18)
    x, y = create_training_example(backgrounds[0], activates, negatives, 1375, wav_path=tmp_path / "train.wav")
    assert x.shape == (101, 5511) and y.shape == (1, 1375)
    assert np.all(x > 0) and 0 <= y.min() and y.max() <= 1
    assert y.sum() % 50 == 0 and y.sum() >= 50  # seed 18 draws activates
    from tf_course.audio.spectrogram import graph_spectrogram
    np.testing.assert_allclose(graph_spectrogram(tmp_path / "train.wav"), x, rtol=1e-12)


def test_builder_deterministic_and_shapes(raw_dir: Path) -> None:
    raw = load_raw(raw_dir)
    x, y = build_dataset(raw, 2, seed=3)
    assert x.shape == (2, 5511, 101) and y.shape == (2, 1375, 1) and x.dtype == np.float32
    again = synthesize_waveforms(raw, 3, seed=3)
    first = synthesize_waveforms(raw, 2, seed=3)
    np.testing.assert_array_equal(again.waveforms[:2], first.waveforms)  # example i does not depend on n
    np.testing.assert_array_equal(again.y[:2], y)
    assert again.activates[:2] == first.activates
    for labels, segments in zip(again.y, again.activates):
        assert labels.sum() == 50 * len(segments)
    free = synthesize_waveforms(raw, 3, seed=4, keyword_free=True)
    assert free.y.sum() == 0 and all(not s for s in free.activates)


def test_load_raw_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="expected WAV files in"):
        load_raw(tmp_path)
    assert isinstance(RawAudio([], [], []).source, str)


@pytest.mark.course_data
def test_course_clips_sorted_values(course_dir: Path) -> None:
    """Course raw_data, sorted: 721 / 731 ms first; seed 18 norm 38078998.53 (Coursera's order: 39745552.52)."""
    raw_path = course_dir / "trigger_word" / "raw_data"
    if not raw_path.is_dir():
        pytest.skip("trigger_word/raw_data is not in the course data directory")
    activates, negatives, backgrounds = load_raw_audio(raw_path)
    assert [len(a) for a in activates[:2]] == [721, 731] and len(backgrounds[0]) == 10000
    np.random.seed(5)
    assert insert_audio_clip(backgrounds[0], activates[7], [(3790, 4400)])[1] == (2254, 3169)  # 3_act2, 916 ms
    np.random.seed(18)
    x, y = create_training_example(backgrounds[0], activates, negatives, 1375)
    assert np.isclose(np.linalg.norm(x), 38078998.53) and y.sum() == 100
