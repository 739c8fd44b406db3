"""Resumable ``model.fit``: model and optimizer state plus the history, saved atomically after every epoch.

Keras 3.15's ``keras.callbacks.BackupAndRestore`` is not enough for "a re-run after SIGKILL ends
with the same numbers": it restores model and optimizer weights and the epoch, but writes the
weights file and its epoch file in place one after the other (a kill between them pairs epoch k
with the weights of epoch k + 1, a kill inside the write leaves a torn file), keeps no history of
the epochs before the kill, and leaves the input order alone: a ``tf.data`` shuffle with
``reshuffle_each_iteration`` draws epoch k's order from a seed generator that a fresh process
starts at epoch 0's, so a resumed run would see epoch 0's order again.

:func:`fit_resumable` does the three: :class:`EpochCheckpoint` writes ``weights-<k>.weights.h5``
(model and optimizer variables, ``model.save_weights``) under a temporary name and renames it,
then ``state.json`` (epoch k, the :class:`~tf_course.train.history.History` so far) atomically,
then removes the previous weights file, so ``state.json`` always names a complete weights file;
on a resume the dataset's shuffle is advanced past the k epochs done (:func:`skip_epochs`), so
epoch k sees the order it has in an uninterrupted run. An uninterrupted run is unchanged: the
callback only reads the model.

Under a multi-worker ``TF_CONFIG`` (:mod:`tf_course.train.distribute`) :func:`fit_resumable` trains
a replica of the model built and compiled under the ``MultiWorkerMirroredStrategy``'s scope, on the
dataset as the global batch, and copies the trained weights back; only the chief keeps checkpoints
in ``checkpoint_dir``, every other worker saves into ``<checkpoint_dir>/workertemp_<task id>`` and
removes it (TensorFlow's multi-worker saving rule), and a resume reads the chief's checkpoint on
every worker (so ``checkpoint_dir`` must be on a filesystem the workers share; workers that find
different checkpoints stop with a ValueError instead of training out of step).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from tf_course.atomic import write_json_atomic
from tf_course.train import distribute
from tf_course.train.eager import eager_if_few_steps, fit_steps
from tf_course.train.history import History

try:  # the collectives must be configured before TensorFlow's first op: here, at import, when TF_CONFIG asks
    if distribute.is_multi_worker():
        distribute.strategy()
except (ValueError, RuntimeError):  # malformed TF_CONFIG, or ops already ran: fit_resumable raises it, one line
    pass

STATE_FILE = "state.json"
#: Iterators ``model.fit`` creates per epoch over a dataset of known length (Keras 3.15's
#: ``EpochIterator``: one when the epoch starts, one more when it has seen every batch, dropped
#: unread at the next epoch's start); tests/reliability/test_3_resume.py checks it.
KERAS_FIT_ITERATORS_PER_EPOCH = 2
TMP_PREFIX = ".tmp-"


def skip_epochs(dataset: tf.data.Dataset, epochs: int, iterators_per_epoch: int = 1) -> None:
    """Advance ``dataset``'s per-epoch reshuffling by ``epochs`` epochs without reading a batch.

    A ``shuffle(..., reshuffle_each_iteration=True)`` draws a new order each time an iterator is
    created (from a seed generator seeded by the global seed); creating ``epochs *
    iterators_per_epoch`` iterators makes the next one, the first of the resumed training, use the
    order the uninterrupted run used at epoch ``epochs`` (``iterators_per_epoch``: how many the
    training creates per epoch, 1 for a ``repeat()``, :data:`KERAS_FIT_ITERATORS_PER_EPOCH` for ``fit``).
    """
    for _ in range(epochs * iterators_per_epoch):
        iter(dataset)


def build_before_fit(model: keras.Model, dataset: tf.data.Dataset) -> None:
    """Create the optimizer's and the compiled metrics' variables eagerly, before ``model.fit`` traces.

    Without a ``tf.distribute`` strategy Keras 3.15 creates them inside the first trace of its
    ``train_function``; a ``tf.function`` whose first trace creates variables is traced a second
    time, so the whole ``train_step`` (for ResNet50 tens of seconds) was traced twice. The variables
    start as Keras would start them (optimizer slots and metric totals zero), so no number changes;
    the dataset is not read (the metrics are built from its ``element_spec`` on zeros, so its
    shuffling is untouched).
    """
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) < 2:
        return  # not (x, y): nothing to build the metrics from

    def zeros(tensor_spec: tf.TensorSpec) -> tf.Tensor:
        return tf.zeros([1, *[d or 1 for d in tensor_spec.shape[1:]]], tensor_spec.dtype)

    outputs = getattr(model, "outputs", None)  # None for a subclassed model: Keras builds in the trace
    if not outputs:
        return
    y_pred = [zeros(tf.TensorSpec(t.shape, t.dtype)) for t in outputs]
    y_pred = y_pred[0] if len(y_pred) == 1 else y_pred
    model.compute_metrics(None, tf.nest.map_structure(zeros, spec[1]), y_pred)
    model.reset_metrics()


def _weights_name(epoch: int) -> str:
    return f"weights-{epoch}.weights.h5"


def read_state(checkpoint_dir: str | Path) -> tuple[int, History, Path] | None:
    """``(epochs done, history, weights file)`` of the last complete checkpoint, or None when there is none.

    Raises:
        ValueError: ``state.json`` exists but is not a checkpoint state or names a missing weights file.
    """
    path = Path(checkpoint_dir) / STATE_FILE
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        epoch, history, weights = int(state["epoch"]), History.from_json(state["history"]), state["weights"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: expected a checkpoint state with 'epoch', 'history', 'weights', found {exc!r}; "
                         "rerun with --restart to start afresh") from exc
    weights_path = Path(checkpoint_dir) / weights
    if not weights_path.is_file():
        raise ValueError(f"{path}: expected the weights file {weights_path} it names, found nothing there; "
                         "rerun with --restart to start afresh")
    return epoch, history, weights_path


class EpochLog(keras.callbacks.Callback):
    """Appends each epoch's logs and wall-clock seconds to a :class:`History` (``.history``).

    Args:
        history: the epochs before this ``fit`` (restored from a checkpoint); None: empty.
    """

    def __init__(self, history: History | None = None) -> None:
        super().__init__()
        self.history = history if history is not None else History()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.history.append(epoch, logs or {}, seconds=time.perf_counter() - self._start)


class EpochCheckpoint(EpochLog):
    """:class:`EpochLog` that also saves model + optimizer variables and the history after every epoch, atomically.

    Args:
        checkpoint_dir: folder of ``state.json`` and one ``weights-<epoch>.weights.h5``.
        history: see :class:`EpochLog`.
        temporary: save into ``checkpoint_dir`` and remove it after every save (a non-chief worker
            of a multi-worker run: it must save, as saving may need the collectives, but keeps nothing).
        distribution: a multi-worker strategy: after each save every worker waits for all the others
            (:func:`~tf_course.train.distribute.barrier`), so no worker's temporary folder is still inside
            the shared checkpoint folder when the chief goes on; None: no wait.
    """

    def __init__(self, checkpoint_dir: str | Path, history: History | None = None, temporary: bool = False,
                 distribution: tf.distribute.Strategy | None = None) -> None:
        super().__init__(history)
        self.checkpoint_dir = Path(checkpoint_dir)
        self.temporary = temporary
        self.distribution = distribution

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        super().on_epoch_end(epoch, logs)
        try:
            self._save(epoch)
        finally:
            if self.temporary:
                shutil.rmtree(self.checkpoint_dir, ignore_errors=True)
        if self.distribution is not None:
            distribute.barrier(self.distribution)

    def _save(self, epoch: int) -> None:
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        done = epoch + 1
        name = _weights_name(done)
        tmp = self.checkpoint_dir / f"{TMP_PREFIX}{name}"
        self.model.save_weights(tmp, overwrite=True)
        os.replace(tmp, self.checkpoint_dir / name)
        previous = read_state(self.checkpoint_dir)
        write_json_atomic(self.checkpoint_dir / STATE_FILE,
                          {"epoch": done, "weights": name, "history": self.history.to_json()})
        if previous is not None and previous[2].name != name:
            previous[2].unlink(missing_ok=True)


def fit_resumable(
    model: keras.Model,
    dataset: tf.data.Dataset,
    epochs: int,
    checkpoint_dir: str | Path | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    eager_when_short: bool = False,
    **fit_kwargs: Any,
) -> History:
    """``model.fit(dataset, epochs=epochs, ...)`` that continues from ``checkpoint_dir`` when it holds a checkpoint.

    Args:
        model: a compiled, built model.
        dataset: the training ``tf.data.Dataset``, created before the call (its shuffle is advanced
            on a resume, see :func:`skip_epochs`).
        epochs: total number of epochs, counting those done before a resume.
        checkpoint_dir: where :class:`EpochCheckpoint` saves after every epoch; None: a plain ``fit``.
        callbacks: more callbacks (they see only this process's epochs).
        eager_when_short: train eagerly when the whole fit (``epochs`` x batches) is at most
            :data:`~tf_course.train.eager.EAGER_MAX_STEPS` steps (:mod:`tf_course.train.eager`; one
            worker only). For models whose steps are cheap eagerly and costly to trace (convolutional,
            unrolled); not for a ``keras.layers.GRU`` over 1,375 frames, whose eager time loop is slower.
        **fit_kwargs: passed to ``model.fit`` (``verbose``, ``validation_data``, ...; not ``initial_epoch``).
            ``shuffle`` defaults to False: ``dataset`` is a ``tf.data.Dataset``, which shuffles itself
            (Keras ignores ``shuffle=True`` for one, with a warning).

    Under a multi-worker ``TF_CONFIG`` the model (compiled with serializable arguments) is trained
    as a replica under the strategy (:func:`~tf_course.train.distribute.replicate`), on ``dataset``
    as the global batch, and its weights and optimizer state are copied back into ``model``.

    Returns:
        The :class:`History` of all ``epochs`` epochs (``history["loss"]`` etc., ``seconds`` per epoch),
        those restored from the checkpoint first. The checkpoint is left in place (the caller removes
        it once the whole run has succeeded).
    """
    if "initial_epoch" in fit_kwargs:
        raise ValueError("fit_resumable: expected no initial_epoch (it comes from the checkpoint), "
                         f"found initial_epoch={fit_kwargs['initial_epoch']}")
    fit_kwargs.setdefault("shuffle", False)
    distribution = distribute.strategy()  # ValueError for a malformed TF_CONFIG
    if not distribute.is_multi_worker():
        with eager_if_few_steps(model, fit_steps(dataset, epochs) if eager_when_short else None):
            return _fit(model, dataset, epochs, checkpoint_dir, callbacks, fit_kwargs)
    replica = model if model.distribute_strategy is distribution else distribute.replicate(model, distribution)
    if isinstance(fit_kwargs.get("validation_data"), tf.data.Dataset):
        fit_kwargs["validation_data"] = distribute.shard_by_data(fit_kwargs["validation_data"])
    # Keras 3.15 reads one batch from a fresh iterator before training a model that carries its own
    # strategy (Trainer._maybe_symbolic_build), which shifts every epoch's shuffle against a one-worker
    # run; build_before_fit builds everything it would, so the model trains with the strategy of the
    # enclosing scope instead (Keras' `distribute_strategy` falls back to it), as a one-worker model does.
    own, replica._distribute_strategy = replica._distribute_strategy, None
    try:
        with distribution.scope(), distribute.keras_metric_reduction_fix():  # optimizer slots and metric
            # totals are created as the strategy's variables
            history = _fit(replica, distribute.shard_by_data(dataset), epochs, checkpoint_dir, callbacks, fit_kwargs,
                           distribution=distribution)
    finally:
        replica._distribute_strategy = own
    if replica is not model:
        distribute.copy_back(replica, model)
    return history


def _fit(
    model: keras.Model,
    dataset: tf.data.Dataset,
    epochs: int,
    checkpoint_dir: str | Path | None,
    callbacks: Sequence[keras.callbacks.Callback],
    fit_kwargs: dict[str, Any],
    distribution: tf.distribute.Strategy | None = None,
) -> History:
    """:func:`fit_resumable` on one strategy: ``distribution`` None for the default one, else a
    multi-worker strategy under whose scope this runs."""
    build_before_fit(model, dataset)
    if checkpoint_dir is None:
        log = EpochLog()
        model.fit(dataset, epochs=epochs, callbacks=[*callbacks, log], **fit_kwargs)
        return log.history
    checkpoint_dir = Path(checkpoint_dir)
    chief = distribution is None or distribute.is_chief()
    if chief:
        for stray in checkpoint_dir.glob(f"{TMP_PREFIX}*"):  # a kill inside a save
            stray.unlink()
    history, initial_epoch = History(), 0
    state = read_state(checkpoint_dir)  # every worker resumes from the chief's checkpoint
    if distribution is not None:
        distribute.require_same_checkpoint(distribution, 0 if state is None else state[0], checkpoint_dir)
    if state is not None:
        initial_epoch, history, weights = state
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(weights)
        history.truncate(initial_epoch)
        skip_epochs(dataset, min(initial_epoch, epochs), KERAS_FIT_ITERATORS_PER_EPOCH)
    checkpoint = EpochCheckpoint(checkpoint_dir if chief else distribute.save_dir(checkpoint_dir), history,
                                 temporary=not chief, distribution=distribution)
    if initial_epoch < epochs:
        model.fit(dataset, epochs=epochs, initial_epoch=initial_epoch, callbacks=[*callbacks, checkpoint],
                  **fit_kwargs)
    return checkpoint.history
