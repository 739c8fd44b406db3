"""Trigger word: spectrogram implementations, synthesis throughput and streaming real-time factor, in one run.

    python benchmarks/trigger_word.py [--repeats 3]

Prints medians and ratios (no thresholds are asserted):
- the course's spectrogram of 10 s at 44.1 kHz: SciPy (``tf_course.audio.spectrogram``) vs
  ``matplotlib.mlab.specgram`` vs ``tf.signal`` (float32, eager and ``tf.function``), with their
  largest relative differences;
- synthesis throughput (examples per second) of the course's pydub recipe on the stand-in clips,
  with and without the spectrogram, in one process and with 2 worker processes;
- the streaming signature's real-time factor (compute time / audio time) for 80 ms chunks of a
  10 s clip with the compact model (untrained weights: the cost does not depend on them).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np


def _median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm up (tracing, caches)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import tensorflow as tf
    from matplotlib import mlab

    from tf_course.audio.models import build_compact_model
    from tf_course.audio.spectrogram import spectrogram, tf_spectrogram
    from tf_course.audio.standin import standin_raw_audio
    from tf_course.audio.streaming import CHUNK_80MS, make_stream_fn, stream_clip
    from tf_course.audio.synthesis import build_dataset, synthesize_waveforms

    rng = np.random.default_rng(0)
    clip = (rng.standard_normal(441000) * 3000).astype(np.int16)
    reference = mlab.specgram(clip.astype(np.float64), NFFT=200, Fs=8000, noverlap=120)[0]
    tf_fn = tf.function(tf_spectrogram)
    batch = tf.constant(clip[None].astype(np.float32))
    scipy_s = _median_seconds(lambda: spectrogram(clip), args.repeats)
    mlab_s = _median_seconds(lambda: mlab.specgram(clip.astype(np.float64), NFFT=200, Fs=8000, noverlap=120),
                             args.repeats)
    tf_eager_s = _median_seconds(lambda: tf_spectrogram(batch).numpy(), args.repeats)
    tf_graph_s = _median_seconds(lambda: tf_fn(batch).numpy(), args.repeats)
    scipy_err = float(np.max(np.abs(spectrogram(clip) - reference) / reference))
    tf_err = float(np.linalg.norm(tf_fn(batch).numpy()[0].T - reference) / np.linalg.norm(reference))
    print("spectrogram of 10 s at 44.1 kHz -> (101, 5511), median seconds:")
    print(f"  scipy      {scipy_s:.4f}   (max relative difference to mlab {scipy_err:.1e})")
    print(f"  mlab       {mlab_s:.4f}   scipy/mlab time ratio {scipy_s / mlab_s:.2f}")
    print(f"  tf eager   {tf_eager_s:.4f}   tf.function {tf_graph_s:.4f}   tf.function/scipy {tf_graph_s / scipy_s:.2f}"
          f"   (relative L2 difference to mlab {tf_err:.1e})")

    raw = standin_raw_audio(0)
    n = 12
    wave_one = synthesize_waveforms(raw, n, seed=1)
    wave_two = synthesize_waveforms(raw, n, seed=1, workers=2)
    assert np.array_equal(wave_one.waveforms, wave_two.waveforms), "workers changed the examples"
    start = time.perf_counter()
    build_dataset(raw, n, seed=1)
    with_spec = n / (time.perf_counter() - start)
    print(f"synthesis ({n} examples of 10 s): {wave_one.examples_per_second:.1f} examples/s (1 process), "
          f"{wave_two.examples_per_second:.1f} examples/s (2 processes, same examples), "
          f"{with_spec:.1f} examples/s with the SciPy spectrogram")

    model = build_compact_model(input_shape=(None, 101))
    stream = tf.function(make_stream_fn(model), reduce_retracing=True)
    waveform = clip[None].astype(np.float32) / 32768.0
    stream_clip(stream, model, waveform[:, :44100])  # trace
    seconds = _median_seconds(lambda: stream_clip(stream, model, waveform), max(1, args.repeats // 2))
    chunks = int(np.ceil(441000 / CHUNK_80MS))
    print(f"streaming 10 s in {chunks} chunks of 80 ms: {seconds:.2f} s, real-time factor {seconds / 10.0:.3f}, "
          f"{1000 * seconds / chunks:.1f} ms per chunk")


if __name__ == "__main__":
    main()
