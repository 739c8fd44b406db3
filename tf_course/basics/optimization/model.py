"""Keras 3 twins of the C2W2 optimizers and the course's mini-batch training on given shuffles.

The course network ``[2, 5, 2, 1]`` (:func:`tf_course.basics.mlp.build_mlp`) starts from
:func:`tf_course.scratch.optimization.initialize_parameters` and is trained by
``keras.optimizers`` whose hyperparameters are mapped onto the course's update rules
(:func:`course_optimizer`). The mini-batches are exactly those of the course's
``random_mini_batches`` (seed 11, 12, ... before epoch 0, 1, ...): their column orders are
precomputed (:func:`course_permutations`) and a compiled loop (:class:`PermutationTrainer`)
runs many epochs per ``tf.function`` call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from tf_course.basics.mlp import build_mlp, set_course_parameters
from tf_course.scratch import optimization as scratch
from tf_course.train import History, Progress, Trainer

OptimizerName = Literal["gd", "momentum", "adam"]
LearningRate = float | keras.optimizers.schedules.LearningRateSchedule
#: The course's ``layers_dims`` for the moons data.
COURSE_LAYER_DIMS: tuple[int, ...] = (2, 5, 2, 1)
#: ``model()`` increments the shuffling seed (initially 10) before each epoch.
FIRST_SEED = 11


def course_optimizer(
    optimizer: OptimizerName,
    learning_rate: LearningRate = 0.0007,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> keras.optimizers.Optimizer:
    """The ``keras.optimizers`` object that performs the course's update rule.

    - ``"gd"``: ``SGD(learning_rate)``: ``w -= lr g``, the course's rule exactly.
    - ``"momentum"``: ``SGD(learning_rate * (1 - beta), momentum=beta)``. Keras keeps
      ``u = beta u - lr_k g`` and does ``w += u``; the course keeps ``v = beta v + (1 - beta) g``
      and does ``w -= alpha v``. With ``u = -alpha v`` the course's rule reads
      ``u = beta u - alpha (1 - beta) g``, so the two agree exactly when
      ``lr_k = alpha (1 - beta)`` (while the learning rate is constant; with a decaying rate Keras
      scales each gradient by the rate of its own step, the course scales the whole velocity by
      the current rate).
    - ``"adam"``: ``Adam(learning_rate, beta_1=beta1, beta_2=beta2, epsilon=epsilon)``. Keras
      folds the bias corrections into the step size, ``w -= lr sqrt(1 - beta2^t) / (1 - beta1^t)
      * v / (sqrt(s) + eps)``, which is the course's ``lr v_hat / (sqrt(s_hat) + eps')`` with
      ``eps' = eps / sqrt(1 - beta2^t)``: epsilon sits outside the bias correction. The two
      differ only by that scaling of epsilon (at most ``1/sqrt(1 - 0.999) ~ 32`` at ``t = 1``,
      fading to 1), negligible next to ``sqrt(s_hat)`` with ``eps = 1e-8``.

    ``learning_rate`` may be a float or a ``LearningRateSchedule`` (for momentum it is scaled
    by ``1 - beta`` either way).
    """
    if optimizer == "gd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    if optimizer == "momentum":
        return keras.optimizers.SGD(learning_rate=_scaled(learning_rate, 1 - beta), momentum=beta)
    if optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta1, beta_2=beta2, epsilon=epsilon)
    raise ValueError(f"optimizer must be 'gd', 'momentum' or 'adam', got {optimizer!r}")


def _scaled(learning_rate: LearningRate, factor: float) -> LearningRate:
    if isinstance(learning_rate, CourseLearningRateDecay):
        return CourseLearningRateDecay(**{**learning_rate.get_config(),
                                          "initial_learning_rate": learning_rate.initial_learning_rate * factor})
    if isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        raise ValueError(f"cannot scale a {type(learning_rate).__name__} for momentum; use CourseLearningRateDecay")
    return learning_rate * factor


@keras.saving.register_keras_serializable(package="tf_course")
class CourseLearningRateDecay(keras.optimizers.schedules.LearningRateSchedule):
    """The course's epoch-wise decay as a schedule of optimizer steps.

    ``model(..., decay=update_lr)`` sets the rate after epoch ``i`` to ``update_lr(lr0, i, rate)
    = lr0 / (1 + rate i)``; ``decay=schedule_lr_decay`` to ``lr0 / (1 + rate floor(i /
    time_interval))``. Both are ``keras.optimizers.schedules.InverseTimeDecay`` of the epoch
    number (``decay_steps=1``, or ``decay_steps=time_interval`` with ``staircase=True``). The rate
    set after epoch ``i`` is used during epoch ``i + 1``, so step ``k`` (0-based) of epoch
    ``e = k // steps_per_epoch`` uses the inverse-time decay of epoch ``max(e - 1, 0)``.

    Args:
        initial_learning_rate: ``learning_rate0``.
        decay_rate: the course's ``decay_rate``.
        steps_per_epoch: mini-batches per epoch.
        time_interval: None for ``update_lr``; the interval of ``schedule_lr_decay`` otherwise.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_rate: float,
        steps_per_epoch: int,
        time_interval: int | None = None,
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_rate = decay_rate
        self.steps_per_epoch = steps_per_epoch
        self.time_interval = time_interval
        self.epoch_schedule = keras.optimizers.schedules.InverseTimeDecay(
            initial_learning_rate, decay_steps=time_interval or 1, decay_rate=decay_rate,
            staircase=time_interval is not None,
        )

    def __call__(self, step: tf.Tensor) -> tf.Tensor:
        epoch = tf.math.floordiv(tf.cast(step, tf.int64), self.steps_per_epoch)
        return self.epoch_schedule(tf.maximum(epoch - 1, 0))

    def get_config(self) -> dict[str, float | int | None]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_rate": self.decay_rate,
                "steps_per_epoch": self.steps_per_epoch, "time_interval": self.time_interval}


def course_permutations(m: int, num_epochs: int, mini_batch_size: int = 64, first_seed: int = FIRST_SEED) -> np.ndarray:
    """The column orders of the course's mini-batches, epoch by epoch: int32 ``(num_epochs, m)``.

    Row ``e`` lists the example indices of ``random_mini_batches(X, Y, mini_batch_size,
    first_seed + e)`` in batch order (the course function is run on the index row itself, so the
    order is the course's by construction). Cutting a row into ``mini_batch_size`` slices gives
    that epoch's mini-batches.
    """
    index = np.arange(m).reshape(1, m)  # (1, m): the "features" are the column numbers
    rows = np.empty((num_epochs, m), dtype=np.int32)
    for e in range(num_epochs):
        batches = scratch.random_mini_batches(index, index, mini_batch_size, first_seed + e)
        rows[e] = np.concatenate([batch_x[0] for batch_x, _ in batches])
    return rows


class PermutationTrainer(Trainer):
    """A :class:`Trainer` whose epochs follow precomputed example orders.

    One ``tf.function`` call runs ``chunk`` whole epochs (nested ``tf.range`` loops over epochs
    and over each epoch's mini-batches, the last one possibly smaller), so Python runs once per
    ``chunk`` epochs, not per step. Each update is the parent's replica step (per-example loss
    averaged over the mini-batch, then ``optimizer.apply_gradients``). The recorded loss of an
    epoch is the mean per-example loss over its mini-batches, each taken before its mini-batch's
    update: the course's "summed mini-batch cost / m". The loop is not XLA-compiled: with
    ``jit_compile=True`` around the whole loop TF 2.21 on CPU gave wrong costs (0.763 instead of
    0.702 at epoch 0) and was slower.
    """

    def fit_permutations(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        permutations: np.ndarray,
        mini_batch_size: int = 64,
        chunk: int = 100,
        verbose: bool = True,
        checkpoint_dir: str | Path | None = None,
        checkpoint_every: int | None = None,
    ) -> History:
        """Train one epoch per row of ``permutations`` (int ``(epochs, m)``) on X (m, n_x), Y (m, 1).

        With a ``checkpoint_dir``, model, optimizer (Adam's moments and step), the epoch counter and
        the history are saved every ``checkpoint_every`` epochs (a multiple of ``chunk``; default:
        about a tenth of the run, whole chunks) and after the last; a re-run resumes after the last
        saved epoch with the next row of ``permutations``, so it ends with the numbers of an
        uninterrupted run.

        Returns:
            A :class:`History` with ``history["loss"][e]`` the cost of epoch ``e`` (all epochs,
            those restored from the checkpoint included).
        """
        m = X.shape[0]
        if permutations.ndim != 2 or permutations.shape[1] != m:
            raise ValueError(f"permutations must have shape (epochs, {m}), got {permutations.shape}")
        features = tf.constant(X, tf.float32)  # (m, n_x)
        labels = tf.constant(np.reshape(Y, (m, -1)), tf.float32)  # (m, 1)
        starts = list(range(0, m, mini_batch_size))
        bounds = [[s, min(s + mini_batch_size, m)] for s in starts]  # (batches, 2)

        def body(orders: tf.Tensor, features: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
            n_epochs = tf.shape(orders)[0]
            edges = tf.constant(bounds, tf.int32)
            costs = tf.TensorArray(tf.float32, size=n_epochs)
            for e in tf.range(n_epochs):
                total = tf.constant(0.0)
                for k in tf.range(len(starts)):
                    idx = orders[e, edges[k, 0] : edges[k, 1]]  # (batch,)
                    # one update on the whole mini-batch; under a multi-worker strategy each worker
                    # trains its share and the loss sums are reduced over the workers
                    loss_sum, _ = self.global_step(tf.gather(features, idx), tf.gather(labels, idx))
                    total += tf.cast(loss_sum, tf.float32)
                costs = costs.write(e, total / m)
            return costs.stack()  # (n_epochs,)

        # Traced once per Trainer and data shape (a ConcreteFunction called directly, see Trainer.compiled).
        train_epochs = self.compiled(
            ("permutations", str(tf.TensorSpec.from_tensor(features)), str(tf.TensorSpec.from_tensor(labels)),
             mini_batch_size), body,
            tf.TensorSpec((None, m), tf.int32), tf.TensorSpec.from_tensor(features), tf.TensorSpec.from_tensor(labels))

        epochs = permutations.shape[0]
        every = checkpoint_every or chunk * max(1, math.ceil(epochs / chunk / 10))
        if every % chunk:
            raise ValueError(f"fit_permutations: expected checkpoint_every a multiple of chunk={chunk}, found {every}")
        history, manager = History(), None
        if checkpoint_dir is not None:
            manager, history = self.open_checkpoint(checkpoint_dir)
        start = min(int(self.epoch.numpy()), epochs)
        progress = Progress(epochs, "epoch", verbose=verbose)
        for begin in range(start, epochs, chunk):
            costs = train_epochs(tf.constant(permutations[begin : begin + chunk], tf.int32), features, labels).numpy()
            for e, cost in enumerate(costs, begin):
                history.append(e, {"loss": float(cost)})
            self.epoch.assign_add(len(costs))
            done = begin + len(costs)
            progress.update(done, {"loss": float(costs[-1])})
            if manager is not None and (done % every == 0 or done == epochs):
                self.save_checkpoint(manager, history, done)
        return history


def build_course_model(layer_dims: Sequence[int] = COURSE_LAYER_DIMS) -> keras.Model:
    """``build_mlp(layer_dims)`` holding the course's initial parameters (He-scaled, seed 3)."""
    return set_course_parameters(build_mlp(layer_dims, name="optimization_mlp"),
                                 scratch.initialize_parameters(layer_dims))


def train_with_course_minibatches(
    X: np.ndarray,
    Y: np.ndarray,
    optimizer: Callable[[], keras.optimizers.Optimizer],
    num_epochs: int = 10000,
    mini_batch_size: int = 64,
    layer_dims: Sequence[int] = COURSE_LAYER_DIMS,
    verbose: bool = True,
    checkpoint_dir: str | Path | None = None,
) -> tuple[keras.Model, History]:
    """The Keras twin of ``scratch.optimization.model`` on X (m, n_x), Y (m, 1).

    Same initial parameters, same mini-batch sequence, one ``optimizer()`` update per
    mini-batch. With a ``checkpoint_dir`` it saves and resumes (see
    :meth:`PermutationTrainer.fit_permutations`). Returns the model and its per-epoch :class:`History`.
    """
    trainer = PermutationTrainer(lambda: build_course_model(layer_dims), keras.losses.binary_crossentropy, optimizer)
    permutations = course_permutations(X.shape[0], num_epochs, mini_batch_size)
    history = trainer.fit_permutations(X, Y, permutations, mini_batch_size, verbose=verbose,
                                       checkpoint_dir=checkpoint_dir)
    return trainer.model, history
