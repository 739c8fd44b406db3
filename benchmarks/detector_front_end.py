"""The detector's served call at batch 1 on a 1280x720 JPEG: full decode vs DCT-domain downscaled decode.

For the toy detector (96 x 96 input, seeded weights; the timing does not depend on them) and the
course's ``yolo/images/test.jpg`` when ``TF_COURSE_DATA`` is set (else a synthetic 1280x720 JPEG),
it times, as compiled ``tf.function`` calls:

- ``decode+resize``: :func:`tf_course.detection.detector.decode_for_size` then the antialiased
  bicubic resize to 96 x 96, with ``fast_jpeg`` False (full decode) and True (decode at ratio 4);
- ``served call``: the whole :meth:`Detector.detect_encoded` (decode, resize, network, head, NMS).

Old and new paths run in turn, ``--repeats`` rounds of ``--calls`` calls (interleaved, so load on
a shared machine hits both alike); it prints each path's p50 over all calls and the ratios, and
the mean absolute difference of the two preprocessed images (0-1 scale).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf
    from PIL import Image

    from tf_course.data.images import resize_images
    from tf_course.detection.detector import Detector, DetectorConfig, decode_for_size
    from tf_course.detection.targets import TOY_ANCHORS
    from tf_course.detection.toy import build_toy_detector

    course = Path(os.environ.get("TF_COURSE_DATA", "/nonexistent")) / "yolo" / "images" / "test.jpg"
    if course.is_file():
        data, source = course.read_bytes(), str(course)
    else:
        rng = np.random.default_rng(0)
        pixels = np.clip(rng.normal(128, 40, (720, 1280, 3)), 0, 255).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
        data, source = buffer.getvalue(), "synthetic 1280x720 JPEG"
    keras.utils.set_random_seed(0)
    model = build_toy_detector(num_anchors=len(TOY_ANCHORS))
    config = DetectorConfig(TOY_ANCHORS, ("a", "b", "c", "d"))
    size = tuple(int(d) for d in model.input_shape[1:3])
    encoded = tf.constant([data])

    def front_end(fast: bool) -> tf.types.experimental.PolymorphicFunction:
        @tf.function(input_signature=[tf.TensorSpec((), tf.string)])
        def preprocess(one: tf.Tensor) -> tf.Tensor:
            image, _ = decode_for_size(one, size, fast)
            return resize_images(tf.cast(image, tf.float32) / 255.0, size)
        return preprocess

    def served(fast: bool) -> tf.types.experimental.PolymorphicFunction:
        return tf.function(Detector(model, config, fast_jpeg=fast).detect_encoded,
                           input_signature=[tf.TensorSpec((None,), tf.string)])

    fns = {("decode+resize", "old"): (front_end(False), encoded[0]),
           ("decode+resize", "new"): (front_end(True), encoded[0]),
           ("served call", "old"): (served(False), encoded),
           ("served call", "new"): (served(True), encoded)}
    for fn, arg in fns.values():  # warm-up: tracing
        tf.nest.map_structure(lambda t: t.numpy(), fn(arg))
    times: dict[tuple[str, str], list[float]] = {key: [] for key in fns}
    for _ in range(args.repeats):
        for key, (fn, arg) in fns.items():
            for _ in range(args.calls):
                t0 = time.perf_counter()
                tf.nest.map_structure(lambda t: t.numpy(), fn(arg))
                times[key].append(time.perf_counter() - t0)
    old_image, new_image = fns["decode+resize", "old"][0](encoded[0]), fns["decode+resize", "new"][0](encoded[0])
    print(f"detector front end, batch 1, {source}, toy detector {size[0]}x{size[1]}, "
          f"p50 of {args.repeats} x {args.calls} interleaved calls:")
    for part in ("decode+resize", "served call"):
        old, new = (1000 * statistics.median(times[part, path]) for path in ("old", "new"))
        print(f"  {part:14s} old {old:7.2f} ms   new {new:7.2f} ms   old / new = {old / new:.2f}x")
    print(f"  preprocessed images differ by {float(tf.reduce_mean(tf.abs(old_image - new_image))):.4f} "
          "on average (0-1 scale)")


if __name__ == "__main__":
    main()
