"""A short Keras ``fit`` can run eagerly: tracing and optimising a train step may cost more than the steps.

Keras traces ``train_step`` into a graph and lets Grappler optimise it before the first step runs.
For ResNet50 that costs tens of CPU seconds (cProfile puts most of it in the Adam update of its 214
variables); a smoke run of 2 or 3 steps then spends most of its time there. Measured on this
project's 2-core machine (CPU seconds, same data and seed, at low priority beside another run):
``tf-course run resnet50 --quick`` (2 steps of 32 images) 80 with an eager fit against 125 traced;
the NMT quick run's 3 steps 6 against 41 for the fit. A step costs more eagerly (every op is
dispatched from Python), and a recurrent layer's time loop runs in Python: ``tf-course run
trigger_word --quick`` (a GRU over 1,375 frames, 2 steps) took 153 CPU-s with an eager fit against
69 traced. So a caller opts in (``fit_resumable(..., eager_when_short=True)``) for models whose
steps are cheap eagerly, and :data:`EAGER_MAX_STEPS` bounds the fits that go eager.

The rule looks at the whole training (``epochs`` times the batches of one epoch), never at what is
left after a resume, so a resumed run trains exactly as the uninterrupted one did. Eager and traced
steps compute the same model; their float32 round-off differs (Grappler fuses some ops), so a
pipeline's numbers change only where its training crosses the rule, and each run of one pipeline
with one seed stays bit for bit the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keras
import tensorflow as tf

#: A ``fit`` of at most this many steps (epochs x batches per epoch) runs eagerly.
EAGER_MAX_STEPS = 10


def fit_steps(dataset: tf.data.Dataset, epochs: int) -> int | None:
    """``epochs`` times the batches of ``dataset``; None when its length is infinite or unknown."""
    batches = int(dataset.cardinality())
    return None if batches < 0 else batches * epochs


def runs_eagerly(steps: int | None) -> bool:
    """Whether a training of ``steps`` steps runs eagerly (:data:`EAGER_MAX_STEPS`; unknown: no)."""
    return steps is not None and steps <= EAGER_MAX_STEPS


@contextmanager
def eager_if_few_steps(model: keras.Model, steps: int | None) -> Iterator[bool]:
    """Within the block ``model`` trains eagerly when ``steps`` is at most :data:`EAGER_MAX_STEPS`.

    A model compiled with ``run_eagerly=True`` stays eager. Keras keeps the train function it made
    first, so the model's is dropped on entry and on exit when the mode changes: later fits trace
    as compiled.

    Yields:
        True when the block runs eagerly.
    """
    eager = runs_eagerly(steps) and not model.run_eagerly
    if not eager:
        yield bool(model.run_eagerly)
        return
    model.run_eagerly, model.train_function = True, None
    try:
        yield True
    finally:
        model.run_eagerly, model.train_function = False, None
