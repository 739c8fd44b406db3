"""C5W1 Dinosaur Island name sampler: names per second, in memory and from the exported SavedModel.

Builds the Keras twin (untrained by default: sampling costs the same; ``--epochs N`` trains it N
epochs on the made-up names first), exports it with the pipeline's ``export_sampler`` into a
temporary folder, then times ``serving_default(count, temperature, seed)`` for several counts:

- ``NumPy course sample``: the course's ``sample`` (one name per call, Python loop; n_a = 50);
- ``in memory``: :class:`tf_course.sequence.dinosaur_names.model.NameSampler` ``sample``;
- ``SavedModel``: the reloaded export's ``serving_default`` signature (what a server runs).

Each variant is called ``--repeats`` times after a warm-up call; the best time is reported as
names per second (goal: >= 1,000 for the SavedModel at count 1000) and as a ratio to NumPy.
Before timing, the reloaded export is checked to return the in-memory names for the same seed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def best_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up (tracing)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=0, help="train the twin first (0: untrained weights)")
    parser.add_argument("--temperature", type=float, default=1.0)
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    from tf_course.data.names import generate_names
    from tf_course.scratch import dinosaur
    from tf_course.sequence.dinosaur_names.model import NameSampler, build_name_model
    from tf_course.sequence.dinosaur_names.pipeline import UNITS, export_sampler, train_keras_twin

    names = generate_names(1500)
    if args.epochs:
        model, _ = train_keras_twin(names, args.epochs)
    else:
        model = build_name_model(UNITS)
    sampler = NameSampler(model)
    with tempfile.TemporaryDirectory() as folder:
        export = export_sampler(sampler, folder, {}, {"dinosaur": "synthetic"})
        served = tf.saved_model.load(export).signatures["serving_default"]

        def request(count: int) -> dict[str, tf.Tensor]:
            return {"count": tf.constant(count, tf.int32), "temperature": tf.constant(args.temperature, tf.float32),
                    "seed": tf.constant(0, tf.int64)}

        check = served(**request(50))["names"].numpy()
        in_memory = sampler.sample(*request(50).values())["names"].numpy()
        assert (check == in_memory).all(), "the reloaded export's names differ from the in-memory sampler's"
        print(f"check: the SavedModel returns the in-memory names ({len(check)} names, seed 0)")

        char_to_ix, _ = dinosaur.vocabulary()
        parameters = dinosaur.initialize_parameters(50, 27, 27)
        rng = np.random.default_rng(0)
        parameters = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in parameters.items()}
        numpy_count = 100
        numpy_seconds = best_seconds(lambda: [dinosaur.sample(parameters, char_to_ix, s) for s in range(numpy_count)],
                                     max(1, args.repeats // 2))
        numpy_rate = numpy_count / numpy_seconds
        print(f"{'variant':28s} {'count':>6s} {'names/s':>10s} {'x NumPy':>8s}")
        print(f"{'NumPy course sample':28s} {numpy_count:6d} {numpy_rate:10.0f} {1.0:8.2f}")
        for count in args.counts:
            for label, fn in (("in memory (tf.function)", lambda c=count: sampler.sample(*request(c).values())),
                              ("SavedModel serving_default", lambda c=count: served(**request(c)))):
                rate = count / best_seconds(fn, args.repeats)
                print(f"{label:28s} {count:6d} {rate:10.0f} {rate / numpy_rate:8.2f}")
    print("goal: SavedModel >= 1000 names/s at count 1000")


if __name__ == "__main__":
    main()
