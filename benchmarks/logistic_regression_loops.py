"""NumPy vs tf.function logistic-regression training loops, in one run, with the ratio.

Both train 12288 -> 1 logistic regression by full-batch gradient descent on 209 examples (the
cat data's size, synthetic stand-in images) for the same number of iterations. Each variant is
timed ``--repeats`` times; the best time is reported (the least disturbed by other load).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from tf_course.basics.logistic_regression.model import train_logistic_regression
    from tf_course.data.course_h5 import flatten_images
    from tf_course.data.synthetic import synthetic_cat_dataset
    from tf_course.scratch.logistic_regression import initialize_with_zeros, optimize

    data = synthetic_cat_dataset(0)
    X, Y = flatten_images(data.train.x), data.train.y.reshape(1, -1)  # (12288, 209), (1, 209)

    def numpy_loop() -> None:
        w, b = initialize_with_zeros(X.shape[0])
        optimize(w, b, X, Y, args.iterations, 0.005)

    def tf_function_loop() -> None:
        train_logistic_regression(X.T, Y.T, args.iterations, 0.005, verbose=False)

    tf_function_loop()  # warm-up: TensorFlow start-up and first tracing are not the loop's cost
    times = {}
    for name, fn in (("numpy", numpy_loop), ("tf.function", tf_function_loop)):
        best = float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        times[name] = best
    print(f"logistic regression, {args.iterations} full-batch iterations on (12288, 209):")
    for name, t in times.items():
        print(f"  {name:12s} {t:8.3f} s  ({1000 * t / args.iterations:.3f} ms/iteration)")
    print(f"  ratio numpy / tf.function = {times['numpy'] / times['tf.function']:.2f}x "
          "(>1: the tf.function loop is faster; includes its model build and tracing)")


if __name__ == "__main__":
    main()
