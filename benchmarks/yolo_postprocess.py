"""C4W3 YOLO post-processing: per-image eager (the course) vs per-image tf.function vs the batched YoloNMS layer.

All variants take the same batch of ``yolo_head`` outputs, decoded once beforehand from random
(19, 19, 5, 85) raw network outputs (80 classes, the course's 5 anchors; confidences and class
logits are shifted so that a few hundred boxes per image pass the score threshold, the case where
NMS has work to do). Timed, for the whole batch:

- ``eager loop``: the course's ``yolo_eval`` called eagerly on each image in a Python loop;
- ``tf.function loop``: the same ``yolo_eval`` wrapped in one ``tf.function`` (traced once for
  the per-image shapes), called on each image in a Python loop;
- ``YoloNMS agnostic`` / ``YoloNMS per-class``: :class:`tf_course.detection.nms.YoloNMS`
  (``per_class=False``, the course's semantics, and ``per_class=True``) in a ``tf.function`` with an
  unknown batch size, one call on the whole batch.

Every variant is timed ``--repeats`` times after a warm-up call (tracing excluded) and the best
time is reported, as milliseconds per image and as a speed-up over the eager loop. Before any
time is printed, the agnostic layer's detections are checked to equal ``yolo_eval``'s.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ANCHORS = [[0.57, 0.68], [1.87, 2.06], [3.34, 5.47], [7.88, 3.53], [9.77, 9.17]]  # the course's yolo_anchors.txt
IMAGE_SHAPE = (720.0, 1280.0)  # the course's road images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=16, help="images per batch")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--max-boxes", type=int, default=10)
    parser.add_argument("--score-threshold", type=float, default=0.6)
    parser.add_argument("--iou-threshold", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: library default)")
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    from tf_course.detection.head import yolo_head
    from tf_course.detection.nms import YoloNMS
    from tf_course.detection.postprocess import yolo_eval

    rng = np.random.default_rng(0)
    raw = rng.normal(0, 1, (args.batch, 19, 19, 5, 85)).astype(np.float32)
    raw[..., 4] += 2  # confidences mostly sigmoid(2) ~ 0.88
    raw[..., 5:] *= 4  # peaked class probabilities
    outputs = yolo_head(raw.reshape(args.batch, 19, 19, 425), ANCHORS, 80)  # 4 tensors (batch, 19, 19, 5, *)
    images = [tuple(t[i] for t in outputs) for i in range(args.batch)]  # per image: (19, 19, 5, *)
    settings = {"max_boxes": args.max_boxes, "score_threshold": args.score_threshold,
                "iou_threshold": args.iou_threshold}

    def eval_one(xy: tf.Tensor, wh: tf.Tensor, conf: tf.Tensor, probs: tf.Tensor) -> tuple[tf.Tensor, ...]:
        return yolo_eval((xy, wh, conf, probs), IMAGE_SHAPE, **settings)

    eval_graph = tf.function(eval_one, input_signature=[tf.TensorSpec(t.shape, tf.float32) for t in images[0]])
    spec = [tf.TensorSpec([None, 19, 19, 5, c], tf.float32) for c in (2, 2, 1, 80)]
    layers = {per_class: YoloNMS(per_class=per_class, **settings) for per_class in (False, True)}
    batched = {per_class: tf.function(lambda xy, wh, conf, probs, layer=layer: layer((xy, wh, conf, probs)),
                                      input_signature=spec) for per_class, layer in layers.items()}

    variants: dict[str, Callable[[], object]] = {
        "eager loop": lambda: [eval_one(*image) for image in images],
        "tf.function loop": lambda: [eval_graph(*image) for image in images],
        "YoloNMS agnostic": lambda: batched[False](*outputs),
        "YoloNMS per-class": lambda: batched[True](*outputs),
    }

    # agreement first: the class-agnostic layer must give the course's detections on every image
    eager, layer = variants["eager loop"](), variants["YoloNMS agnostic"]()
    scale = np.array([*IMAGE_SHAPE, *IMAGE_SHAPE], dtype=np.float32)
    candidates = 0
    for i, (scores, boxes, classes) in enumerate(eager):
        n = int(layer["num_detections"][i])
        if n != scores.shape[0] or not (
            np.allclose(layer["scores"][i, :n], scores, rtol=1e-6)
            and np.allclose(layer["boxes"][i, :n] * scale, boxes, rtol=1e-5, atol=1e-3)
            and np.array_equal(layer["classes"][i, :n], classes)
        ):
            raise SystemExit(f"YoloNMS(per_class=False) disagrees with yolo_eval on image {i}")
        candidates += int(np.sum(np.max(images[i][2] * images[i][3], axis=-1) >= args.score_threshold))
    print(f"YoloNMS(per_class=False) equals yolo_eval on all {args.batch} images; "
          f"{candidates / args.batch:.0f} boxes per image pass the score threshold {args.score_threshold}")

    times: dict[str, float] = {}
    for name, fn in variants.items():
        fn()  # warm-up (tracing for the tf.function variants)
        best = float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            result = fn()
            np.asarray(result[-1][0] if isinstance(result, list) else result["num_detections"])  # force completion
            best = min(best, time.perf_counter() - t0)
        times[name] = best

    threads = args.threads or "default"
    print(f"\n{args.batch} images, yolo_head outputs (19, 19, 5, 85), max_boxes {args.max_boxes}, "
          f"iou {args.iou_threshold}, {threads} thread(s), best of {args.repeats}:")
    print(f"  {'variant':20s}{'ms/batch':>12s}{'ms/image':>12s}{'vs eager loop':>16s}")
    for name, seconds in times.items():
        print(f"  {name:20s}{1000 * seconds:12.2f}{1000 * seconds / args.batch:12.3f}"
              f"{times['eager loop'] / seconds:15.1f}x")


if __name__ == "__main__":
    main()
