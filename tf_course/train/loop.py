"""A ``tf.function`` training loop that runs under any ``tf.distribute`` strategy.

One compiled call trains many epochs (``tf.range`` loops over epochs and over the distributed
dataset's batches run in the graph, each epoch's loss gathered in a ``TensorArray``), so a
full-batch run of thousands of one-step epochs is a few dozen calls, with the same numbers as one
call per epoch. Progress and checkpoints are handled between calls. A full-batch run
(:meth:`Trainer.fit_full_batch`) passes the batch itself to the compiled loop (no dataset
iterator) and, without progress or checkpoints to show, runs all its iterations in one call.

Each :class:`Trainer` traces its loop once per input structure: it asks ``tf.function`` for the
``ConcreteFunction`` of its inputs' specs (:meth:`Trainer.compiled`) and calls that directly,
so no call goes through ``tf.function``'s dispatch (argument matching and the process-wide
"frequent retracing" detector, which keys every ``tf.function`` by its Python code and so took
the one trace of each new Trainer for the same function retracing).
Losses are per-example and averaged over the *global* batch, so the result does not depend on
the number of replicas. With a ``checkpoint_dir`` the loop saves model, optimizer, epoch
counter and the state of the model's random layers (dropout's ``SeedGenerator``) through
``tf.train.CheckpointManager`` and, when started again, resumes from the last checkpoint with the
history recorded so far, the input order and the dropout masks of the epochs after it.

Without a ``strategy`` argument the Trainer trains under :func:`tf_course.train.distribute.strategy`:
TensorFlow's default strategy (nothing changes: no replicas, the same graph as a plain loop) unless
``TF_CONFIG`` names several workers, and then a ``MultiWorkerMirroredStrategy``. There, every
worker builds the model and optimizer under its scope (a model built outside it is cloned into
it), a dataset's batches are *global* batches split over the workers (``AutoShardPolicy.DATA``),
a full batch (:meth:`Trainer.fit_full_batch`, :meth:`Trainer.global_step`) is split into one
contiguous share per worker, each replica's gradient of ``sum(its losses) / global batch size``
is all-reduced (summed) before the update, so every step is the step of a one-worker run on the
same global batch, and the reported losses are sums over all workers. Only the chief keeps
checkpoints in ``checkpoint_dir``; every other worker saves into ``workertemp_<task id>`` inside
it and removes that after each save (:func:`~tf_course.train.distribute.save_dir`), and a resume
reads the chief's checkpoint on every worker (a folder all workers share). Layers that draw random
numbers (dropout) draw them per replica, so such a model does not repeat a one-worker run's masks.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from tf_course.atomic import write_json_atomic
from tf_course.train import distribute
from tf_course.train.checkpoints import skip_epochs
from tf_course.train.history import History
from tf_course.train.progress import Progress

PerExampleLoss = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]
HISTORY_FILE = "history.json"
CALLS_PER_RUN = 50  # compiled calls of a run without on_epoch_end (progress is updated between them)
PROGRESS_SECONDS = 1.0  # fit_full_batch with progress: calls sized to end about this often


def seed_states(model: keras.Model) -> list[keras.Variable]:
    """The state variables of every ``keras.random.SeedGenerator`` of ``model``'s layers, in layer order.

    A ``Dropout`` (or noise) layer draws its masks from its own ``SeedGenerator``, whose state (seed,
    counter) advances at every training call. It is a variable of the layer (``model.variables``)
    but not one ``tf.train.Checkpoint`` finds through the model's attributes, so a checkpoint of
    the model alone would restart the masks at the first step's after a resume.
    """
    states = []
    for layer in model._flatten_layers(include_self=True, recursive=True):
        for generator in getattr(layer, "_seed_generators", ()):
            if all(generator.state is not s for s in states):
                states.append(generator.state)
    return states


class Trainer:
    """Builds a model and optimizer under a strategy and trains them with a compiled loop.

    Args:
        build_model: returns a fresh ``keras.Model`` (called inside ``strategy.scope()``; a model
            whose variables were created outside it is cloned into it, same weights).
        loss: per-example loss ``loss(y_true, y_pred) -> (batch,)``.
        optimizer: returns a fresh ``keras.optimizers.Optimizer`` (called inside the scope).
        strategy: a ``tf.distribute.Strategy``; None: :func:`tf_course.train.distribute.strategy`
            (the default strategy, or ``MultiWorkerMirroredStrategy`` under a multi-worker ``TF_CONFIG``).

    Example:
        >>> trainer = Trainer(build, keras.losses.binary_crossentropy,
        ...                   lambda: keras.optimizers.SGD(0.005))
        >>> history = trainer.fit(dataset, epochs=2000)
    """

    def __init__(
        self,
        build_model: Callable[[], keras.Model],
        loss: PerExampleLoss,
        optimizer: Callable[[], keras.optimizers.Optimizer],
        strategy: tf.distribute.Strategy | None = None,
    ) -> None:
        self.strategy = strategy or distribute.strategy()  # ValueError for a malformed TF_CONFIG
        self.loss = loss
        #: trains under this process's MultiWorkerMirroredStrategy (TF_CONFIG names several workers)
        self.multi_worker = (distribute.is_multi_worker()
                             and isinstance(self.strategy, tf.distribute.MultiWorkerMirroredStrategy))
        default = self.strategy is tf.distribute.get_strategy() and not tf.distribute.has_strategy()
        with self.strategy.scope():
            model = build_model()
            if not default and not distribute.created_in_scope(model, self.strategy):  # plain variables
                model = distribute.clone_in_scope(model, self.strategy)
            self.model = model
            self.optimizer = optimizer()
            self.optimizer.build(self.model.trainable_variables)
            self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        # default strategy: no replicas
        self._plain = strategy is None and not tf.distribute.has_strategy() and not self.multi_worker
        self._concrete: dict[Any, Any] = {}  # (loop, input specs) -> its ConcreteFunction, traced once

    @property
    def tracing_count(self) -> int:
        """How many times this Trainer traced a compiled loop (one per loop and input structure)."""
        return len(self._concrete)

    def compiled(self, key: Any, fn: Callable[..., Any], *specs: Any) -> Any:
        """The ``ConcreteFunction`` of ``fn`` for ``specs``, traced at the first request for ``key``.

        ``specs``: ``tf.TensorSpec`` s, or values (an iterator) whose spec is taken. Later requests
        with the same ``key`` (which must identify the specs) return the same function without
        tracing; calling it runs the graph without ``tf.function``'s per-call dispatch.
        """
        concrete = self._concrete.get(key)
        if concrete is None:
            concrete = tf.function(fn).get_concrete_function(*specs)
            self._concrete[key] = concrete
        return concrete

    def _replica_step(self, x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """One update on one replica's share of a batch; returns (loss sum, example count)."""
        ctx = tf.distribute.get_replica_context()
        local_n = tf.shape(y)[0]
        global_n = ctx.all_reduce(tf.distribute.ReduceOp.SUM, local_n)
        with tf.GradientTape() as tape:
            per_example = self.loss(y, self.model(x, training=True))  # (local_batch,)
            n = tf.cast(local_n, per_example.dtype)
            loss = tf.reduce_sum(per_example) / tf.cast(global_n, per_example.dtype)
            # Weight penalties (kernel_regularizer), counted once across replicas.
            penalty = tf.add_n(self.model.losses) if self.model.losses else tf.zeros((), per_example.dtype)
            loss += tf.nn.scale_regularization_loss(penalty)
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
        # Reported epoch loss: mean per-example loss plus the penalty (the course's L2 "cost").
        return tf.reduce_sum(per_example) + penalty * n, n

    def _share_step(self, x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """:meth:`_replica_step` on this replica's contiguous share of the global batch ``x``, ``y``
        (rows ``m i // n`` to ``m (i + 1) // n`` for replica ``i`` of ``n``)."""
        ctx = tf.distribute.get_replica_context()
        m = tf.shape(y)[0]
        i, n = ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync
        begin, end = m * i // n, m * (i + 1) // n
        return self._replica_step(x[begin:end], y[begin:end])

    def global_step(self, x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """One update on the global batch ``x`` (m, ...), ``y`` (m, ...), from a compiled loop.

        Call it in the cross-replica context (a ``tf.function`` loop of the Trainer or a subclass,
        not inside ``strategy.run``). Every replica trains on its share of the batch and the
        gradients are all-reduced, so the update is a one-worker run's on the whole batch.

        Returns:
            (sum of the per-example losses plus ``m`` times the penalty, ``m``) over the whole
            global batch, as tensors: their ratio is the batch's mean loss.
        """
        if self._plain:  # the default strategy: one replica, the whole batch
            return self.strategy.run(self._replica_step, args=(x, y))
        loss_sum, n = self.strategy.run(self._share_step, args=(x, y))
        return (self.strategy.reduce(tf.distribute.ReduceOp.SUM, loss_sum, axis=None),
                self.strategy.reduce(tf.distribute.ReduceOp.SUM, n, axis=None))

    def _train_epochs_body(self, iterator: Any, steps: tf.Tensor, n_epochs: tf.Tensor) -> tf.Tensor:
        """``n_epochs`` epochs of ``steps`` batches; returns each epoch's mean loss, float32 (n_epochs,)."""
        strategy = self.strategy
        losses = tf.TensorArray(tf.float32, size=tf.cast(n_epochs, tf.int32))
        for e in tf.range(n_epochs):
            total = tf.constant(0.0)
            count = tf.constant(0.0)
            for _ in tf.range(steps):
                x, y = next(iterator)
                loss_sum, n = strategy.run(self._replica_step, args=(x, y))
                total += tf.cast(strategy.reduce(tf.distribute.ReduceOp.SUM, loss_sum, axis=None), tf.float32)
                count += tf.cast(strategy.reduce(tf.distribute.ReduceOp.SUM, n, axis=None), tf.float32)
            losses = losses.write(tf.cast(e, tf.int32), total / count)
        return losses.stack()

    def _train_epochs(self, iterator: Any, steps: tf.Tensor, n_epochs: tf.Tensor) -> tf.Tensor:
        """Run :meth:`_train_epochs_body` compiled, traced once per iterator element structure."""
        scalar = tf.TensorSpec((), tf.int64)
        fn = self.compiled(("epochs", str(iterator.element_spec)), self._train_epochs_body, iterator, scalar, scalar)
        return fn(iterator, steps, n_epochs)

    def _full_batch_body(self, x: tf.Tensor, y: tf.Tensor, first: tf.Tensor, n_epochs: tf.Tensor,
                         record_every: tf.Tensor) -> tf.Tensor:
        """Epochs ``first .. first + n_epochs - 1`` of one full-batch step each on ``x``, ``y``.

        Returns the losses of the epochs that are multiples of ``record_every``, float32 (records,).
        """
        offset = (first + record_every - 1) // record_every  # index of the first recorded epoch's record
        size = (first + n_epochs + record_every - 1) // record_every - offset
        losses = tf.TensorArray(tf.float32, size=tf.cast(size, tf.int32), element_shape=())
        for e in tf.range(first, first + n_epochs):
            loss_sum, n = self.global_step(x, y)
            if e % record_every == 0:
                losses = losses.write(tf.cast(e // record_every - offset, tf.int32),
                                      tf.cast(loss_sum, tf.float32) / tf.cast(n, tf.float32))
        return losses.stack()

    def fit(
        self,
        dataset: tf.data.Dataset,
        epochs: int,
        checkpoint_dir: str | Path | None = None,
        checkpoint_every: int = 1,
        max_to_keep: int = 3,
        verbose: bool = True,
        on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
        epochs_per_call: int | None = None,
        epoch_metrics: Callable[[int], Mapping[str, float]] | None = None,
    ) -> History:
        """Train until ``epochs`` epochs are done in total (resuming counts earlier ones).

        Args:
            dataset: finite, batched ``(x, y)`` global batches; one pass is one epoch.
            epochs: total number of epochs.
            checkpoint_dir: where to save and resume from; None for no checkpoints.
            checkpoint_every: save every this many epochs (and always after the last one).
            max_to_keep: checkpoints kept by the manager.
            verbose: show :class:`~tf_course.train.progress.Progress` (a bar on a TTY, else a line
                every tenth of the run) on stderr.
            on_epoch_end: called as ``on_epoch_end(epoch, logs)`` after each epoch.
            epochs_per_call: epochs run by one compiled call (a ``tf.range`` loop over epochs, the
                losses gathered in a ``TensorArray``); calls also end at every checkpoint. Default:
                1 with ``on_epoch_end`` (which may look at the model after each epoch), else
                ``ceil(epochs / 50)``, so that a full-batch run of thousands of tiny epochs is not
                thousands of calls.
            epoch_metrics: called as ``epoch_metrics(epoch)`` right after each epoch (e.g. an
                evaluation of ``self.model``); the values it returns join that epoch's logs, so
                they are in the history, saved with the checkpoint and restored on a resume.
                Runs one epoch per call (``epochs_per_call`` must be None or 1).

        Returns:
            The :class:`History` of all epochs, including those before a resume.
        """
        if epochs_per_call is not None and (isinstance(epochs_per_call, bool) or epochs_per_call < 1):
            raise ValueError(f"fit: epochs_per_call: expected an integer >= 1 or None, found {epochs_per_call!r}")
        if epoch_metrics is not None and epochs_per_call not in (None, 1):
            raise ValueError(f"fit: expected epochs_per_call None or 1 with epoch_metrics, found {epochs_per_call!r}")
        history, manager = History(), None
        if checkpoint_dir is not None:
            manager, history = self.open_checkpoint(checkpoint_dir, max_to_keep)
        steps = int(dataset.cardinality())
        if steps <= 0:
            raise ValueError(
                f"fit: expected a finite dataset of known length (batches per epoch), found "
                f"cardinality {steps}; use a batched, non-repeated tf.data.Dataset"
            )
        # A resume continues the dataset's per-epoch reshuffling where the checkpoint left it.
        skip_epochs(dataset, min(int(self.epoch.numpy()), epochs))
        # One iterator for the whole run: creating one per epoch costs far more than a
        # full-batch step on small data.
        repeated = distribute.shard_by_data(dataset.repeat()) if self.multi_worker else dataset.repeat()
        iterator = iter(self.strategy.experimental_distribute_dataset(repeated))
        steps_t = tf.constant(steps, dtype=tf.int64)
        start = int(self.epoch.numpy())
        progress = Progress(epochs, "epoch", verbose=verbose)
        one_per_call = on_epoch_end is not None or epoch_metrics is not None
        per_call = epochs_per_call or (1 if one_per_call else max(1, math.ceil(epochs / CALLS_PER_RUN)))
        epoch = start
        while epoch < epochs:
            stop = min(epoch + per_call, epochs)
            if manager is not None:  # end a call on every checkpoint
                stop = min(stop, (epoch // checkpoint_every + 1) * checkpoint_every)
            losses = self._train_epochs(iterator, steps_t, tf.constant(stop - epoch, tf.int64)).numpy()
            logs = [{"loss": float(loss)} for loss in losses]  # epochs epoch .. stop - 1
            if epoch_metrics is not None:  # one epoch per call: the model is that after epoch `epoch`
                logs[-1].update({k: float(v) for k, v in epoch_metrics(stop - 1).items()})
            for e, epoch_logs in enumerate(logs, epoch):
                history.append(e, epoch_logs)
            self.epoch.assign_add(stop - epoch)
            progress.update(stop, logs[-1])
            if manager is not None and (stop % checkpoint_every == 0 or stop == epochs):
                self.save_checkpoint(manager, history, stop)
            if on_epoch_end is not None:
                for e, epoch_logs in enumerate(logs, epoch):
                    on_epoch_end(e, epoch_logs)
            epoch = stop
        return history

    def fit_full_batch(
        self,
        x: Any,
        y: Any,
        epochs: int,
        checkpoint_dir: str | Path | None = None,
        checkpoint_every: int = 1,
        max_to_keep: int = 3,
        verbose: bool = True,
        record_every: int = 1,
        epochs_per_call: int | None = None,
    ) -> History:
        """Full-batch training: every epoch is one step on all of ``x`` (m, ...), ``y`` (m, ...).

        The batch is passed to the compiled loop as a tensor (no dataset iterator); each call runs
        many epochs in a ``tf.range`` loop, keeping the loss of every ``record_every``-th epoch (the
        loss before that epoch's update, as :meth:`fit` records it: the same numbers). Without
        progress (``verbose`` False) and checkpoints the whole run is one call; with progress,
        calls are sized to end about every :data:`PROGRESS_SECONDS`; calls also end at every
        checkpoint. Under a ``tf.distribute`` strategy each replica trains on its share of the
        batch (:meth:`global_step`).

        Args:
            x, y: the whole training set, e.g. float32 (m, n_x) and (m, 1).
            epochs: total number of epochs (iterations), earlier ones of a resumed run included.
            checkpoint_dir, checkpoint_every, max_to_keep, verbose: as for :meth:`fit`.
            record_every: record the loss of epochs 0, k, 2k, ... (k >= 1).
            epochs_per_call: fixed epochs per compiled call instead of the automatic sizing.

        Returns:
            The :class:`History` of the recorded epochs, including those before a resume.
        """
        for name, value in (("record_every", record_every), ("epochs_per_call", epochs_per_call or 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"fit_full_batch: {name}: expected an integer >= 1, found {value!r}")
        x, y = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
        history, manager = History(), None
        if checkpoint_dir is not None:
            manager, history = self.open_checkpoint(checkpoint_dir, max_to_keep)
        scalar = tf.TensorSpec((), tf.int64)
        key = ("full_batch", str(tf.TensorSpec.from_tensor(x)), str(tf.TensorSpec.from_tensor(y)))
        train = self.compiled(key, self._full_batch_body, tf.TensorSpec.from_tensor(x), tf.TensorSpec.from_tensor(y),
                              scalar, scalar, scalar)
        every_t = tf.constant(record_every, tf.int64)
        progress = Progress(epochs, "epoch", verbose=verbose)
        epoch = int(self.epoch.numpy())
        per_call = epochs_per_call or (max(1, math.ceil(epochs / CALLS_PER_RUN)) if verbose else epochs)
        logs: dict[str, float] = {}
        while epoch < epochs:
            stop = min(epoch + per_call, epochs)
            if manager is not None:  # end a call on every checkpoint
                stop = min(stop, (epoch // checkpoint_every + 1) * checkpoint_every)
            started = time.perf_counter()
            losses = train(x, y, tf.constant(epoch, tf.int64), tf.constant(stop - epoch, tf.int64), every_t).numpy()
            seconds = time.perf_counter() - started
            recorded = range(-(-epoch // record_every) * record_every, stop, record_every)
            for e, loss in zip(recorded, losses):
                history.append(e, {"loss": float(loss)})
            self.epoch.assign(stop)
            logs = {"loss": float(losses[-1])} if len(losses) else logs  # the latest recorded loss
            progress.update(stop, logs)
            if manager is not None and (stop % checkpoint_every == 0 or stop == epochs):
                self.save_checkpoint(manager, history, stop)
            if epochs_per_call is None and verbose:  # the next call ends about PROGRESS_SECONDS from now
                per_call = max(1, min(8 * per_call, int(PROGRESS_SECONDS * (stop - epoch) / max(seconds, 1e-6))))
            epoch = stop
        return history

    def open_checkpoint(
        self, checkpoint_dir: str | Path, max_to_keep: int = 3
    ) -> tuple[tf.train.CheckpointManager, History]:
        """Restore the last checkpoint under ``checkpoint_dir``, if any; return its manager and the history so far.

        The checkpoint holds model, optimizer, :attr:`epoch` and the states of the model's random
        layers (:func:`seed_states`), so that dropout after a resume draws the masks an
        uninterrupted run draws. The history is truncated to the restored epoch count.

        Multi-worker: every worker restores the chief's last checkpoint in ``checkpoint_dir`` (all
        of them must find the same one, else ValueError), and the manager of a worker other than
        the chief saves into its ``workertemp_<task id>`` (see :meth:`save_checkpoint`).

        Raises:
            ValueError: multi-worker, and the workers found different checkpoints.
        """
        objects: dict[str, Any] = {"model": self.model, "optimizer": self.optimizer, "epoch": self.epoch}
        rng = seed_states(self.model)
        if rng:  # only then: checkpoints of models without random layers keep their layout
            objects["rng"] = rng
        checkpoint = tf.train.Checkpoint(**objects)
        write_dir = distribute.save_dir(checkpoint_dir) if self.multi_worker else Path(checkpoint_dir)
        manager = tf.train.CheckpointManager(checkpoint, str(write_dir), max_to_keep=max_to_keep)
        latest = tf.train.latest_checkpoint(str(checkpoint_dir)) if self.multi_worker else manager.latest_checkpoint
        if self.multi_worker:
            found = 0 if latest is None else int(latest.rpartition("-")[2])
            distribute.require_same_checkpoint(self.strategy, found, checkpoint_dir)
        history = History()
        if latest:
            checkpoint.restore(latest).assert_existing_objects_matched()
            history = self._load_history(Path(checkpoint_dir))
            history.truncate(int(self.epoch.numpy()))
        return manager, history

    def save_checkpoint(self, manager: tf.train.CheckpointManager, history: History, epochs_done: int) -> None:
        """Save the history, then the checkpoint numbered ``epochs_done`` (see :meth:`open_checkpoint`).

        History first: a crash between the two leaves a history that is longer than the checkpoint,
        which the resume truncates, never one that is shorter. Every worker of a multi-worker run
        saves (saving may need the collectives); one that is not the chief saves into its
        ``workertemp_<task id>`` folder and removes it, and no worker goes on before all have
        (:func:`~tf_course.train.distribute.barrier`): then the chief's checkpoint is complete for
        any worker that reads it, and no temporary folder is left in ``checkpoint_dir``.
        """
        temporary = self.multi_worker and not distribute.is_chief()
        try:
            Path(manager.directory).mkdir(parents=True, exist_ok=True)
            write_json_atomic(Path(manager.directory) / HISTORY_FILE, history.to_json())
            manager.save(checkpoint_number=epochs_done)
        finally:
            if temporary:
                shutil.rmtree(manager.directory, ignore_errors=True)
        if self.multi_worker:
            distribute.barrier(self.strategy)

    @staticmethod
    def _load_history(checkpoint_dir: Path) -> History:
        path = checkpoint_dir / HISTORY_FILE
        if not path.is_file():
            return History()
        return History.from_json(json.loads(path.read_text(encoding="utf-8")))
