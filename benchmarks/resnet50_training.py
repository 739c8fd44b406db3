"""C4W2 ResNet50 training throughput: ``model.fit`` with and without XLA (``jit_compile``), in one run.

Both variants build the course's ResNet50 (23,600,006 parameters) from the same seed, compile it
as the course does (adam, categorical cross-entropy, accuracy) and train on the same batches of
the SIGNS data (or its stand-in, the digits 0-5) through the pipeline's ``tf.data`` input
(:func:`tf_course.data.images.image_dataset`), batch 32 as in the course. The first
``--warmup`` steps (one trace of ``train_step``, as in the pipelines: the optimizer and metric
variables are built before ``fit``, see ``build_before_fit``; graph optimisation, XLA compilation)
are timed separately; the rate is measured over the
next ``--steps`` steps, from per-batch timestamps, and reported as training images per second.

Timings on a shared machine are noisy: read the ratio, run twice, and never turn a time into a test
assertion. Example: ``python benchmarks/resnet50_training.py --steps 6``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=6, help="timed training steps per variant")
    parser.add_argument("--warmup", type=int, default=2, help="untimed first steps (tracing, XLA compilation)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--data-dir", default=None, help="course data folder (default: $TF_COURSE_DATA)")
    args = parser.parse_args()

    import keras
    import numpy as np

    from tf_course.data.course_files import resolve_data_dir
    from tf_course.data.datasets import load_signs_dataset
    from tf_course.data.images import image_dataset
    from tf_course.train import set_seed
    from tf_course.train.checkpoints import build_before_fit
    from tf_course.vision.resnet50.model import build_resnet50

    data = load_signs_dataset(resolve_data_dir(args.data_dir), seed=0)
    n = args.batch_size * (args.warmup + args.steps)
    reps = -(-n // data.train.x.shape[0])  # repeat the training set if it is smaller than the run
    images = np.concatenate([data.train.x] * reps)[:n]  # (n, 64, 64, 3) uint8
    labels = keras.utils.to_categorical(np.concatenate([data.train.y] * reps)[:n], 6)  # (n, 6)

    class Stamps(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.times = [time.perf_counter()]

        def on_train_batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter())

    print(f"data: {data.source}; batch {args.batch_size}; {args.warmup} warm-up + {args.steps} timed steps")
    rates = {}
    for jit in (False, True):
        set_seed(0)
        model = build_resnet50(data.train.x.shape[1:], classes=6)
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"], jit_compile=jit)
        stamps = Stamps()
        dataset = image_dataset(images, labels, args.batch_size)
        # as fit_resumable does: optimizer and metric variables built before fit traces, else
        # tf.function traces train_step a second time (variables created in the first trace)
        build_before_fit(model, dataset)
        model.fit(dataset, epochs=1, shuffle=False, verbose=0, callbacks=[stamps])
        t = np.asarray(stamps.times)
        warmup_s, timed_s = t[args.warmup] - t[0], t[-1] - t[args.warmup]
        rates[jit] = args.batch_size * args.steps / timed_s
        print(f"jit_compile={jit!s:5}  warm-up {warmup_s:6.1f} s  steady {rates[jit]:6.2f} images/s "
              f"({timed_s / args.steps:5.2f} s/step)")
    print(f"jit_compile=True / False: {rates[True] / rates[False]:.2f}x")


if __name__ == "__main__":
    main()
