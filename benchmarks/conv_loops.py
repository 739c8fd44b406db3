"""C4W1 conv and pool layers: the course's loops vs vectorised NumPy vs tf.nn, in one run, with ratios.

All three compute, in float64 on the same input, a conv layer (``conv_forward`` / ``conv_backward``)
and a max-pool layer (``pool_forward`` / ``pool_backward``) on a course-sized batch: 64x64 RGB
images (the SIGNS / Happy input), eight 3x3 filters, pad 1, stride 1, then 2x2 max pooling:

- ``loops``: :mod:`tf_course.scratch.conv`, the course's four nested loops (timed once: slow);
- ``vectorized``: :mod:`tf_course.scratch.conv_vectorized`, sliding windows + tensordot + col2im;
- ``tf.nn``: ``tf.nn.conv2d`` / ``tf.nn.max_pool2d`` eagerly, backward by ``GradientTape``
  (:mod:`tf_course.vision.conv_step_by_step.tf_reference`, NumPy in and out).

The vectorised and TF variants are timed ``--repeats`` times and the best time is reported. The
results are checked to agree before any time is printed.

Threads: the loops run on one core, so by default OpenBLAS (under NumPy's tensordot) and
TensorFlow are limited to one thread as well (``--threads``). On a shared machine multithreaded
BLAS can also be much slower than one thread (threads spin waiting for busy cores).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CONV = {"pad": 1, "stride": 1}
POOL = {"f": 2, "stride": 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--m", type=int, default=4, help="batch size (images of 64x64x3)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS and TensorFlow threads (0: library default)")
    args = parser.parse_args()
    import tf_course  # noqa: F401 - before TensorFlow: any oneDNN default the package sets applies

    if args.threads:  # before NumPy / TensorFlow start their thread pools
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)

    import numpy as np
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    from tf_course.scratch import conv as loops
    from tf_course.scratch import conv_vectorized as vectorized
    from tf_course.vision.conv_step_by_step import tf_reference

    rng = np.random.default_rng(0)
    A_prev = rng.uniform(0, 1, (args.m, 64, 64, 3))  # (m, 64, 64, 3)
    W, b = 0.3 * rng.normal(size=(3, 3, 3, 8)), 0.1 * rng.normal(size=(1, 1, 1, 8))
    dZ = rng.normal(size=(args.m, 64, 64, 8))
    dP = rng.normal(size=(args.m, 32, 32, 8))

    def scratch(module) -> dict[str, Callable[[], object]]:
        Z, cache = module.conv_forward(A_prev, W, b, CONV)
        _, pool_cache = module.pool_forward(Z, POOL, "max")
        return {
            "conv forward": lambda: module.conv_forward(A_prev, W, b, CONV)[0],
            "conv backward": lambda: module.conv_backward(dZ, cache),
            "pool forward": lambda: module.pool_forward(Z, POOL, "max")[0],
            "pool backward": lambda: module.pool_backward(dP, pool_cache, "max"),
        }

    Z_ref = tf_reference.tf_conv_forward(A_prev, W, b, CONV)
    variants = {
        "loops": scratch(loops),
        "vectorized": scratch(vectorized),
        "tf.nn": {
            "conv forward": lambda: tf_reference.tf_conv_forward(A_prev, W, b, CONV),
            "conv backward": lambda: tf_reference.tf_conv_backward(dZ, A_prev, W, b, CONV),
            "pool forward": lambda: tf_reference.tf_pool_forward(Z_ref, POOL, "max"),
            "pool backward": lambda: tf_reference.tf_pool_backward(dP, Z_ref, POOL, "max"),
        },
    }
    steps = list(variants["loops"])

    def flat(result: object) -> list[np.ndarray]:
        return list(result) if isinstance(result, tuple) else [result]

    times: dict[str, dict[str, float]] = {name: {} for name in variants}
    outputs: dict[str, dict[str, list[np.ndarray]]] = {name: {} for name in variants}
    for name, fns in variants.items():
        repeats = 1 if name == "loops" else args.repeats
        for step in steps:
            best = float("inf")
            for _ in range(repeats):
                t0 = time.perf_counter()
                outputs[name][step] = flat(fns[step]())
                best = min(best, time.perf_counter() - t0)
            times[name][step] = best

    for name in ("vectorized", "tf.nn"):  # agreement first: a fast wrong answer is no answer
        diff = max(float(np.max(np.abs(x - y))) for step in steps
                   for x, y in zip(outputs[name][step], outputs["loops"][step]))
        print(f"max |{name} - loops| over all outputs: {diff:.2e}")
        if diff > 1e-9:
            raise SystemExit(f"{name} disagrees with the loops ({diff:.2e})")

    threads = args.threads or "default"
    print(f"\n{args.m} images 64x64x3, W (3, 3, 3, 8) pad 1 stride 1, max pool 2x2 stride 2, float64, "
          f"{threads} thread(s) (loops timed once, others best of {args.repeats}):")
    print(f"  {'step':14s}" + "".join(f"{name:>14s}" for name in variants)
          + "   speed-up: vectorized vs loops, tf.nn vs vectorized")
    for step in [*steps, "total"]:
        row = {name: (sum(t.values()) if step == "total" else t[step]) for name, t in times.items()}
        print(f"  {step:14s}" + "".join(f"{1000 * row[name]:12.2f}ms" for name in variants)
              + f"   {row['loops'] / row['vectorized']:28.1f}x {row['vectorized'] / row['tf.nn']:21.2f}x")
    total = {name: sum(t.values()) for name, t in times.items()}
    speedup = total["loops"] / total["vectorized"]
    verdict = "OK" if speedup >= 50 else "BELOW the 50x target"
    print(f"\nvectorized vs loops (forward + backward): {speedup:.0f}x ({verdict}); "
          f"tf.nn vs loops: {total['loops'] / total['tf.nn']:.0f}x")


if __name__ == "__main__":
    main()
