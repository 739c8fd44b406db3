"""The course's ``compile -> fit -> evaluate`` for image classifiers, on ``tf_course.data.images`` input.

Shared by the Keras-tutorial pipelines (HappyModel, ResNet50): adam with Keras' defaults, the
course's loss, ``accuracy``; images stay uint8 in memory and are scaled to [0, 1] per batch by
the same function the exported serving signature uses.

:func:`recalibrate_batch_norm` ("precise BatchNorm") optionally replaces the BatchNorm moving
statistics after training by the training set's statistics under the final weights. A deep
network trained for only a few hundred steps (ResNet50 here) otherwise evaluates with moving
averages that still remember its first steps (momentum 0.99): near-chance test accuracy while
the training accuracy, measured with batch statistics, is high. The weights are not changed.

Under a multi-worker ``TF_CONFIG`` (:mod:`tf_course.train.distribute`) the training runs on every
worker under ``MultiWorkerMirroredStrategy``: :func:`~tf_course.train.checkpoints.fit_resumable`
trains a copy of the model built and compiled under the strategy's scope, ``batch_size`` is the
global batch (split over the workers), and the trained weights come back to ``model``; the
evaluation and the BatchNorm recalibration then run on each worker alone, on its full copy.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from tf_course.data.images import image_dataset
from tf_course.train.callbacks import EpochTimer, steady_rate
from tf_course.train.checkpoints import fit_resumable
from tf_course.train.history import History


def fit_verbosity(verbose: int, stream: object = None) -> int:
    """``fit``'s verbosity for where its output goes: the progress bar (1) only on a terminal.

    Keras redraws its bar with ANSI cursor codes and carriage returns; written to a pipe or a log
    file they become noise, so there a bar turns into one line per epoch (2). ``stream`` defaults
    to ``sys.stdout``.
    """
    stream = sys.stdout if stream is None else stream
    is_tty = getattr(stream, "isatty", None)
    return 2 if verbose == 1 and not (is_tty is not None and is_tty()) else verbose


@dataclass
class FitResult:
    """What :func:`fit_image_classifier` measured.

    Attributes:
        history: ``fit``'s per-epoch values, ``history.history == {"loss": [...], "accuracy": [...]}``,
            with each epoch's wall-clock seconds in ``history.seconds``.
        images_per_second: training throughput over the steady steps: every step but the first,
            which traces the train step and optimises its graph
            (:meth:`~tf_course.train.callbacks.EpochTimer.steady_images_per_second`).
        test_loss, test_accuracy: ``model.evaluate`` on the test set (after the BatchNorm
            recalibration when there was one).
        before_recalibration: ``{"test_loss", "test_accuracy"}`` with the moving statistics
            ``fit`` left, when BatchNorm was recalibrated; else None.
        first_epoch_overhead: seconds the first epoch took beyond its images at the steady rate
            (tracing, graph optimisation; :meth:`~tf_course.train.callbacks.EpochTimer.first_epoch_overhead`);
            None with a single training step, or when every epoch was restored from a checkpoint.
    """

    history: History
    images_per_second: float
    test_loss: float
    test_accuracy: float
    before_recalibration: dict[str, float] | None = None
    first_epoch_overhead: float | None = None

    @property
    def epoch_seconds(self) -> list[float]:
        """Wall-clock seconds of each epoch (``history.seconds``)."""
        return self.history.seconds


def recalibrate_batch_norm(model: keras.Model, images: np.ndarray, batch_size: int) -> int:
    """Set every BatchNorm layer's moving mean and variance to its statistics over ``images``.

    One pass over ``images`` (uint8 (m, H, W, C)) in training mode, eagerly, with each layer's
    momentum set before every batch so that the moving statistics become the example-weighted
    average of the batch means and variances (Wu & Johnson, "Rethinking 'Batch' in BatchNorm",
    2021). Only the moving statistics change; the momenta are restored afterwards.

    Returns:
        The number of BatchNorm layers recalibrated (those in ``model.layers``).
    """
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    seen = 0
    try:
        for batch in image_dataset(images, None, batch_size):  # (b, H, W, C) float32 in [0, 1]
            size = int(batch.shape[0])
            for layer in norms:  # moving = moving * seen / (seen + b) + batch statistic * b / (seen + b)
                layer.momentum = seen / (seen + size)
            model(batch, training=True)
            seen += size
    finally:
        for layer, momentum in zip(norms, momenta):
            layer.momentum = momentum
    return len(norms)


def fit_image_classifier(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    loss: str,
    epochs: int,
    batch_size: int,
    verbose: int = 0,
    jit_compile: bool | str = "auto",
    recalibrate: bool = False,
    checkpoint_dir: str | Path | None = None,
) -> FitResult:
    """``model.compile(adam, loss, accuracy)``, ``fit`` on ``train``, ``evaluate`` on ``test``.

    Args:
        model: a classifier of float images in [0, 1].
        train, test: ``(images uint8 (m, H, W, C), labels)``, labels as ``loss`` expects them
            ((m, 1) for binary cross-entropy, one-hot (m, n_classes) for categorical).
        batch_size: the global batch size (a multi-worker run splits each batch over its workers).
        verbose: ``fit``'s verbosity (0 silent, 1 progress bar, 2 one line per epoch); 1 becomes 2
            when standard output is not a terminal (:func:`fit_verbosity`).
        jit_compile: XLA for the train step; Keras' ``"auto"`` means off on a CPU-only machine
            (where it is slower, see ``benchmarks/resnet50_training.py``).
        recalibrate: after ``fit``, evaluate, then :func:`recalibrate_batch_norm` on the training
            images and evaluate again.
        checkpoint_dir: save model, optimizer and history there after every epoch and resume from
            it (:func:`~tf_course.train.checkpoints.fit_resumable`); None: no checkpoints.

    A fit of at most :data:`~tf_course.train.eager.EAGER_MAX_STEPS` steps (ResNet50's quick run: 2)
    runs eagerly: tracing its train step would cost more (:mod:`tf_course.train.eager`).
    """
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"], jit_compile=jit_compile)
    timer = EpochTimer()
    history = fit_resumable(model, image_dataset(*train, batch_size, shuffle=True), epochs, checkpoint_dir,
                            callbacks=[timer], shuffle=False,  # image_dataset reshuffles every epoch
                            verbose=fit_verbosity(verbose), eager_when_short=True)  # a smoke run's 2 steps

    def evaluate() -> dict[str, float]:
        test_loss, test_accuracy = model.evaluate(image_dataset(*test, batch_size), verbose=0)
        return {"test_loss": float(test_loss), "test_accuracy": float(test_accuracy)}

    before = None
    if recalibrate:
        before = evaluate()
        recalibrate_batch_norm(model, train[0], batch_size)
    images = len(train[0])
    return FitResult(
        history=history,
        images_per_second=timer.steady_images_per_second(images, batch_size) if timer.seconds else steady_rate(
            history.seconds, images),
        **evaluate(),
        before_recalibration=before,
        first_epoch_overhead=timer.first_epoch_overhead(images, batch_size),
    )
