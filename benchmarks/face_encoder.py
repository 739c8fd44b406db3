"""Face encoders at batch 1: p50 / p90 latency of one embedding, compiled call vs Keras predict.

Encoders (random weights: latency does not depend on them):

- ``compact``: the pipeline's triplet-trained encoder (:func:`tf_course.faces.model.compact_encoder`,
  64x64 input, the default run's size);
- ``facenet``: the course's nn4.small2 ``faceRecoModel`` (96x96, 3.7M parameters).

Each is timed as a ``tf.function`` call (what a SavedModel signature runs) and as ``predict_on_batch``
(the course's ``img_to_encoding``), after warm-up, ``--repeats`` times; the script prints the
medians and the ratios. The issue's target: one face embedded in under 50 ms (p50, batch 1).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's tf_course, not an installed copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    from tf_course.faces.model import compact_encoder, faceRecoModel

    results = {}
    for name, model in (("compact", compact_encoder(64, 16)), ("facenet", faceRecoModel())):
        x = np.random.default_rng(0).random((1, *model.input_shape[1:])).astype(np.float32)
        call = tf.function(lambda images, m=model: m(images, training=False))
        ways = (("tf.function", lambda c=call, x=x: c(x).numpy()),
                ("predict_on_batch", lambda m=model, x=x: m.predict_on_batch(x)))
        for way, fn in ways:
            for _ in range(5):
                fn()
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            p50, p90 = np.percentile(times, [50, 90]) * 1000
            results[name, way] = p50
            print(f"{name:8s} {way:17s} params {model.count_params():>9,d}  p50 {p50:7.2f} ms  p90 {p90:7.2f} ms")
    for name in ("compact", "facenet"):
        print(f"{name}: predict_on_batch / tf.function = "
              f"{results[name, 'predict_on_batch'] / results[name, 'tf.function']:.2f}x")
    ratio = results["facenet", "tf.function"] / results["compact", "tf.function"]
    print(f"facenet / compact (tf.function) = {ratio:.2f}x")
    print("target: p50 < 50 ms per face:", "met" if results["compact", "tf.function"] < 50 else "NOT met", "(compact)")


if __name__ == "__main__":
    main()
