"""NumPy vs the project's Trainer path vs one whole-loop tf.function, logistic regression, one run.

All train 12288 -> 1 logistic regression by full-batch gradient descent, lr 0.005, on 209
examples (the cat data's size, synthetic stand-in images) for the same number of iterations:

- ``numpy``: the course's ``optimize`` (:mod:`tf_course.scratch.logistic_regression`), float64;
- ``trainer``: :func:`tf_course.basics.logistic_regression.model.train_logistic_regression`, the
  path the pipeline uses (model build, shared :class:`~tf_course.train.Trainer`,
  ``fit_full_batch``: the batch passed to one compiled call of all iterations, history), float32;
- ``trainer_progress``: the same with progress on (``verbose=True``, lines to a discarded
  stream): the compiled calls are then sized to end about once a second;
- ``whole_loop``: the same Keras model and SGD stepped by one ``tf.function`` holding the whole
  ``tf.range`` loop, traced once (the floor for a Keras twin).

``--onednn on`` / ``off`` sets ``TF_ENABLE_ONEDNN_OPTS`` for the run (TensorFlow's oneDNN kernels;
TF 2.21 leaves them off on CPUs without AVX-512, as on the 2-core machine this was written on);
without it the environment's setting applies, else TF's default. ``tf_course`` is imported before
TensorFlow, so a default the package may set applies too. The header line says what TF runs with.

The variants run in turn, ``--repeats`` rounds (interleaved, so load on a shared machine hits
all of them alike); the median of each is reported, and the ratios of medians.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from thread_settings import apply_and_describe  # noqa: E402 - this folder, after the log level


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--onednn", choices=["default", "on", "off"], default="default",
                        help="TF_ENABLE_ONEDNN_OPTS for this run (default: the environment's)")
    args = parser.parse_args()
    settings = apply_and_describe(args.onednn)

    import keras
    import tensorflow as tf

    from tf_course.basics.logistic_regression.model import build_logistic_regression, train_logistic_regression
    from tf_course.data.course_h5 import flatten_images
    from tf_course.data.synthetic import synthetic_cat_dataset
    from tf_course.scratch.logistic_regression import initialize_with_zeros, optimize

    data = synthetic_cat_dataset(0)
    X, Y = flatten_images(data.train.x), data.train.y.reshape(1, -1)  # (12288, 209), (1, 209)
    n, lr = args.iterations, 0.005

    def numpy_loop() -> float:
        w, b = initialize_with_zeros(X.shape[0])
        _, _, costs = optimize(w, b, X, Y, n, lr)
        return float(costs[0])

    def trainer_loop() -> float:
        _, history = train_logistic_regression(X.T, Y.T, n, lr, verbose=False)
        return history.history["loss"][0]

    def trainer_progress() -> float:
        with contextlib.redirect_stderr(io.StringIO()):
            _, history = train_logistic_regression(X.T, Y.T, n, lr, verbose=True)
        return history.history["loss"][0]

    x32, y32 = tf.constant(X.T, tf.float32), tf.constant(Y.T, tf.float32)
    model, opt = build_logistic_regression(X.shape[0]), keras.optimizers.SGD(lr)
    opt.build(model.trainable_variables)

    @tf.function
    def whole(steps: tf.Tensor) -> tf.Tensor:
        first = tf.constant(0.0)
        for i in tf.range(steps):
            with tf.GradientTape() as tape:
                cost = tf.reduce_mean(keras.losses.binary_crossentropy(y32, model(x32, training=True)))
            grads = tape.gradient(cost, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            first = tf.where(i == 0, cost, first)
        return first

    def whole_loop() -> float:
        for v in model.trainable_variables:
            v.assign(tf.zeros_like(v))
        return float(whole(tf.constant(n)))

    variants = {"numpy": numpy_loop, "trainer": trainer_loop, "trainer_progress": trainer_progress,
                "whole_loop": whole_loop}
    for fn in variants.values():  # warm-up: start-up and the one trace are not the loop's cost
        fn()
    times: dict[str, list[float]] = {name: [] for name in variants}
    first_costs: dict[str, float] = {}
    for _ in range(args.repeats):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            first_costs[name] = fn()
            times[name].append(time.perf_counter() - t0)
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"logistic regression, {n} full-batch iterations on (12288, 209), median of {args.repeats} interleaved:")
    print(settings)
    for name, t in med.items():
        print(f"  {name:16s} {t:8.3f} s  {1000 * t / n:7.3f} ms/iteration  (first cost {first_costs[name]:.6f})")
    print(f"  ratio numpy / trainer    = {med['numpy'] / med['trainer']:.2f}x  (goal >= 1.0; the pipeline's path)")
    print(f"  ratio numpy / trainer_progress = {med['numpy'] / med['trainer_progress']:.2f}x  (with progress lines)")
    print(f"  ratio numpy / whole_loop = {med['numpy'] / med['whole_loop']:.2f}x  (the floor of a Keras twin)")
    print(f"  trainer / whole_loop     = {med['trainer'] / med['whole_loop']:.2f}x  (the path's overhead)")


if __name__ == "__main__":
    main()
