"""Keras twins of the course's fully connected models, started from the course's exact parameters.

The course's C2W1 models are ``[2, n_1, n_2, 1]`` ReLU networks trained by batch gradient descent
from a fixed initialization (``initialize_parameters_zeros/_random/_he``, ``reg_utils``'s
``W / sqrt(n[l-1])``). The twin is :func:`tf_course.basics.mlp.build_mlp` with those exact
initial parameters copied in, trained with plain SGD on the whole training set per step, so one
Keras step is one course iteration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.basics.mlp import (
    build_mlp,
    keras_binary_accuracy,
    set_course_parameters,
    shared_trainer,
    train_full_batch,
)
from tf_course.scratch.deep_nn import Parameters, predict
from tf_course.scratch.metrics import accuracy
from tf_course.train import History


def layer_dims_of(parameters: Mapping[str, np.ndarray]) -> list[int]:
    """``[n_x, n_1, ..., n_L]`` read from course parameters ``W{l}`` of shape (n[l], n[l-1])."""
    if "W1" not in parameters:
        raise ValueError(f"expected course parameters W1, b1, ...; found keys {sorted(parameters)}")
    dims = [int(np.shape(parameters["W1"])[1])]
    l = 1
    while f"W{l}" in parameters:
        dims.append(int(np.shape(parameters[f"W{l}"])[0]))
        l += 1
    return dims


def build_from_course_parameters(
    parameters: Mapping[str, np.ndarray],
    l2: float = 0.0,
    dropout_rate: float = 0.0,
    name: str = "mlp",
) -> keras.Model:
    """A ReLU/sigmoid :func:`build_mlp` shaped like ``parameters`` and holding their values.

    Args:
        parameters: course dict ``W{l}`` (n[l], n[l-1]), ``b{l}`` (n[l], 1).
        l2: Keras L2 factor on every kernel; ``lambd / (2 m)`` gives the course's penalty.
        dropout_rate: dropout after each hidden ReLU (``1 - keep_prob``).
        name: model name.

    Returns:
        Input ``features`` (batch, n_x) -> sigmoid probability (batch, 1).
    """
    model = build_mlp(layer_dims_of(parameters), "relu", "sigmoid", l2=l2, dropout_rate=dropout_rate, name=name)
    return set_course_parameters(model, parameters)


def course_cost(model: keras.Model, X: np.ndarray, Y: np.ndarray) -> float:
    """The course's cost of the model on X (m, n_x), Y (m, 1), in inference mode (no dropout).

    Mean binary cross-entropy (Keras takes it from the sigmoid's logits, so it stays finite where
    the course's ``log(a3)`` is ``inf``) plus the kernel penalties ``model.losses``.
    """
    probabilities = model(tf.constant(X, tf.float32), training=False)  # (m, 1)
    cross_entropy = tf.reduce_mean(keras.losses.binary_crossentropy(tf.constant(Y, tf.float32), probabilities))
    return float(cross_entropy + tf.add_n(model.losses)) if model.losses else float(cross_entropy)


def train_from_course_parameters(
    parameters: Mapping[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    learning_rate: float,
    num_iterations: int,
    l2: float = 0.0,
    dropout_rate: float = 0.0,
    name: str = "mlp",
    verbose: bool = True,
    steps_per_call: int = 1,
    checkpoint_dir: str | Path | None = None,
) -> tuple[keras.Model, History]:
    """Full-batch SGD from the course's initial ``parameters`` on X (m, n_x), Y (m, 1).

    Every step is one course iteration on the whole training set, run by the compiled
    :class:`~tf_course.train.Trainer` loop. With ``steps_per_call`` 1 this is
    :func:`tf_course.basics.mlp.train_full_batch` and the history holds the training cost of every
    iteration. On tiny networks one compiled call per step costs several times the step itself;
    ``steps_per_call=K`` runs K steps (the same full batch repeated) per call and records the
    cost every K iterations with :func:`course_cost`.

    With a ``checkpoint_dir`` the :class:`~tf_course.train.Trainer` saves model, optimizer, the
    dropout layers' random state and the history (every tenth of the run with ``steps_per_call``
    1, after every call of K steps otherwise) and a re-run resumes from the last save
    (:meth:`~tf_course.train.Trainer.fit`), with the same numbers as an uninterrupted run: the
    course's costs recorded before the save are read back from the checkpoint's history.

    Returns:
        The trained model and its history: ``history.history["loss"][i]`` is the cost before
        iteration ``history.epoch[i]`` (0, 1, 2, ... or 0, K, 2K, ...). Without dropout it is the
        course's cost (cross-entropy plus L2 penalty); with dropout and K > 1 it is the cost of the
        whole network, not of a thinned one.
    """
    def build() -> keras.Model:
        return build_from_course_parameters(parameters, l2=l2, dropout_rate=dropout_rate, name=name)

    def optimizer() -> keras.optimizers.Optimizer:
        return keras.optimizers.SGD(learning_rate=learning_rate)

    if steps_per_call == 1:
        return train_full_batch(build, X, Y, optimizer, num_iterations, checkpoint_dir=checkpoint_dir, verbose=verbose)
    if steps_per_call < 1 or num_iterations % steps_per_call:
        raise ValueError(
            f"steps_per_call must be a positive divisor of num_iterations={num_iterations}, got {steps_per_call}"
        )
    X32, Y32 = X.astype(np.float32), Y.reshape(X.shape[0], -1).astype(np.float32)  # (m, n_x), (m, 1)
    dataset = tf.data.Dataset.from_tensors((X32, Y32)).repeat(steps_per_call)  # one epoch = K full-batch steps
    model = build()
    trainer = shared_trainer(model, build, optimizer, f"tensors {X32.shape} {Y32.shape} repeat {steps_per_call}")
    initial_cost = course_cost(trainer.model, X32, Y32)  # before a resume restores trained weights

    def cost_after(epoch: int) -> dict[str, float]:
        return {"cost": course_cost(trainer.model, X32, Y32)}  # the cost before iteration (epoch + 1) K

    calls = trainer.fit(dataset, num_iterations // steps_per_call, checkpoint_dir=checkpoint_dir, verbose=verbose,
                        epoch_metrics=cost_after)
    history = History()
    history.append(0, {"loss": initial_cost})
    for epoch, cost in zip(calls.epoch, calls.history["cost"]):
        done = (epoch + 1) * steps_per_call  # iterations done
        if done < num_iterations:
            history.append(done, {"loss": cost})
    if trainer.model is not model:
        model.set_weights(trainer.model.get_weights())
    return model, history


@dataclass
class TwinRun:
    """One course model trained twice from the same initial parameters.

    Attributes:
        parameters: the NumPy model's trained ``W{l}`` (n[l], n[l-1]), ``b{l}`` (n[l], 1).
        costs: the NumPy model's cost at iterations 0, 1000, 2000, ... (may hold ``inf``).
        model: the trained Keras twin, input ``features`` (batch, n_x) -> (batch, 1).
        history: the twin's history (see :func:`train_from_course_parameters`).
    """

    parameters: Parameters
    costs: list[float]
    model: keras.Model
    history: History


def twin_metrics(
    runs: Mapping[str, TwinRun],
    splits: Mapping[str, tuple[np.ndarray, np.ndarray]],
    every: int = 1000,
) -> dict[str, Any]:
    """Accuracies and cost curves of every run, NumPy and Keras side by side.

    Args:
        runs: run name (``"he"``, ``"l2"``, ...) -> :class:`TwinRun`.
        splits: split name (``"train"``, ``"test"``) -> (X (n_x, m), Y (1, m)) in course layout.
        every: iterations between two recorded NumPy costs; the Keras costs of the same
            iterations are taken from the history.

    Returns:
        ``{run}_{split}_accuracy`` (NumPy) and ``keras_{run}_{split}_accuracy`` for every run and
        split, then ``{run}_costs`` and ``keras_{run}_costs``. A cost that is not finite (the
        NumPy ``inf`` of ``log(0)``) is written as None so the metrics stay strict JSON.
    """
    metrics: dict[str, Any] = {}
    for prefix in ("", "keras_"):
        for name, run in runs.items():
            for split, (X, Y) in splits.items():
                if prefix:
                    value = keras_binary_accuracy(run.model, X, Y)
                else:
                    value = accuracy(predict(X, Y, run.parameters), Y)
                metrics[f"{prefix}{name}_{split}_accuracy"] = value
    for name, run in runs.items():
        metrics[f"{name}_costs"] = [float(c) if np.isfinite(c) else None for c in run.costs]
        losses = run.history.history["loss"]
        metrics[f"keras_{name}_costs"] = [c for i, c in zip(run.history.epoch, losses) if i % every == 0]
    return metrics
