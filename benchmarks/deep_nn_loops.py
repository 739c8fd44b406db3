"""C1W4 deep net training loop: NumPy vs eager TF vs tf.function, in one run, with ratios.

All three train the course's L-layer network [12288, 20, 7, 5, 1] (ReLU, sigmoid output) by
full-batch gradient descent, lr 0.0075, on 209 cat-sized images (the synthetic stand-in), from
the same initial parameters, for the same number of iterations:

- ``numpy``: the course's ``L_model_forward`` / ``L_model_backward`` / ``update_parameters``
  (:func:`tf_course.scratch.deep_nn.train_full_batch`), float64 as in the course;
- ``eager``: the Keras twin stepped from Python with ``tf.GradientTape``, no ``tf.function``;
- ``trainer``: the Keras twin trained by :func:`tf_course.basics.mlp.train_full_batch` (the shared
  :class:`~tf_course.train.Trainer`'s ``fit_full_batch``: the batch passed to one compiled call of
  all iterations; the path the pipelines use), float32;
- ``whole_loop``: the Keras twin stepped by one ``tf.function`` holding the whole ``tf.range``
  loop, traced once (the floor for a Keras twin).

``--onednn on`` / ``off`` sets ``TF_ENABLE_ONEDNN_OPTS`` for the run (TensorFlow's oneDNN kernels;
TF 2.21 leaves them off on CPUs without AVX-512, as on the 2-core machine this was written on);
without it the environment's setting applies, else TF's default. ``tf_course`` is imported before
TensorFlow, so a default the package may set applies too. The header line says what TF runs with.

The variants run in turn, ``--repeats`` rounds (interleaved, so load on a shared machine hits
all of them alike); the median of each is reported, and the ratios of medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from thread_settings import apply_and_describe  # noqa: E402 - this folder, after the log level

LAYERS = [12288, 20, 7, 5, 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--onednn", choices=["default", "on", "off"], default="default",
                        help="TF_ENABLE_ONEDNN_OPTS for this run (default: the environment's)")
    args = parser.parse_args()
    settings = apply_and_describe(args.onednn)

    import keras
    import numpy as np
    import tensorflow as tf

    from tf_course.basics.mlp import build_mlp, set_course_parameters, train_full_batch
    from tf_course.data.course_h5 import flatten_images
    from tf_course.data.synthetic import synthetic_cat_dataset
    from tf_course.scratch import deep_nn

    data = synthetic_cat_dataset(0)
    X, Y = flatten_images(data.train.x), data.train.y.reshape(1, -1).astype(float)  # (12288, 209), (1, 209)
    np.random.seed(1)
    initial = deep_nn.initialize_parameters_deep_app(LAYERS)
    lr, n = 0.0075, args.iterations

    def build() -> keras.Model:
        return set_course_parameters(build_mlp(LAYERS, "relu", "sigmoid"), initial)

    def numpy_loop() -> float:
        params = {k: v.copy() for k, v in initial.items()}
        _, costs = deep_nn.train_full_batch(X, Y, params, lr, n, output_grad="dA", record_every=n)
        return costs[0]

    x32, y32 = tf.constant(X.T, tf.float32), tf.constant(Y.T, tf.float32)

    def eager_loop() -> float:
        model, opt = build(), keras.optimizers.SGD(lr)
        first = None
        for _ in range(n):
            with tf.GradientTape() as tape:
                cost = tf.reduce_mean(keras.losses.binary_crossentropy(y32, model(x32, training=True)))
            grads = tape.gradient(cost, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            first = float(cost) if first is None else first
        return first

    def trainer_loop() -> float:
        _, history = train_full_batch(build, X.T, Y.T, lambda: keras.optimizers.SGD(lr), n, verbose=False)
        return history.history["loss"][0]

    whole_model, whole_opt = build(), keras.optimizers.SGD(lr)
    whole_opt.build(whole_model.trainable_variables)

    @tf.function
    def whole(steps: tf.Tensor) -> tf.Tensor:
        first = tf.constant(0.0)
        for i in tf.range(steps):
            with tf.GradientTape() as tape:
                cost = tf.reduce_mean(keras.losses.binary_crossentropy(y32, whole_model(x32, training=True)))
            grads = tape.gradient(cost, whole_model.trainable_variables)
            whole_opt.apply_gradients(zip(grads, whole_model.trainable_variables))
            first = tf.where(i == 0, cost, first)
        return first

    def whole_loop() -> float:
        set_course_parameters(whole_model, initial)
        return float(whole(tf.constant(n)))

    variants = {"numpy": numpy_loop, "eager": eager_loop, "trainer": trainer_loop, "whole_loop": whole_loop}
    for name in ("trainer", "whole_loop"):  # warm-up: start-up and the one trace are not the loop's cost
        variants[name]()
    times: dict[str, list[float]] = {name: [] for name in variants}
    first_costs: dict[str, float] = {}
    for _ in range(args.repeats):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            first_costs[name] = fn()
            times[name].append(time.perf_counter() - t0)
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"deep net {LAYERS}, {n} full-batch iterations on 209 examples, median of {args.repeats} interleaved:")
    print(settings)
    for name, t in med.items():
        print(f"  {name:12s} {t:8.3f} s  {1000 * t / n:8.3f} ms/iteration  (first cost {first_costs[name]:.6f})")
    base = med["numpy"]
    print("  speed-up vs numpy: " + ", ".join(f"{name} {base / t:.2f}x" for name, t in med.items()))
    print(f"  ratio numpy / trainer = {base / med['trainer']:.2f}x  (goal >= 2.5; the pipeline's path)")
    print(f"  ratio numpy / whole_loop = {base / med['whole_loop']:.2f}x  (the floor of a Keras twin)")
    print(f"  trainer / whole_loop  = {med['trainer'] / med['whole_loop']:.2f}x  (the path's overhead)")


if __name__ == "__main__":
    main()
