"""Multi-worker training on TensorFlow's own engine, configured by the standard ``TF_CONFIG``.

``TF_CONFIG`` (JSON, one per process) names the cluster and this process's task::

    {"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}

When it names more than one task (``chief`` + ``worker``), :func:`strategy` is a
``tf.distribute.MultiWorkerMirroredStrategy`` (synchronous data parallelism: every worker holds a
copy of the variables, each step's gradients are all-reduced over the workers); otherwise (unset,
empty, or a one-task cluster) it is TensorFlow's default strategy and nothing changes.

What the Keras ``fit`` pipelines do under it (:func:`~tf_course.train.checkpoints.fit_resumable`):

- the model is rebuilt and compiled under ``strategy.scope()`` (:func:`replicate`), trained there,
  and its weights copied back to the caller's model, which evaluation and export then use;
- the dataset's batch size is the *global* batch: ``tf.distribute`` splits each batch over the
  workers (``AutoShardPolicy.DATA``, :func:`shard_by_data`), and the loss is scaled so each step's
  gradient is the mean over the global batch, as in a one-worker run with the same batch size;
- only the chief writes checkpoints and exports where they are asked to go; every other worker
  writes to a temporary folder of its own and removes it (TensorFlow's multi-worker rule: all
  workers save, since saving may need the collectives, but only the chief's copy is kept).

The strategy must exist before TensorFlow runs its first op (it configures the collective runtime
at start-up): an entry point calls :func:`strategy` first; a later first call raises
:class:`RuntimeError` saying so. Importing :mod:`tf_course.train.checkpoints` creates it when
``TF_CONFIG`` names a multi-worker cluster, so ``tf-course run`` needs nothing more.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

ENV_VAR = "TF_CONFIG"
#: task types MultiWorkerMirroredStrategy trains with (a parameter server needs another strategy)
TRAINING_TASKS = ("chief", "worker")


@dataclass(frozen=True)
class ClusterSpec:
    """What ``TF_CONFIG`` says about the cluster and this process.

    Attributes:
        cluster: ``{task type: ["host:port", ...]}`` (``chief`` and/or ``worker``).
        task_type, task_index: this process's task.
    """

    cluster: Mapping[str, tuple[str, ...]]
    task_type: str
    task_index: int

    @property
    def num_workers(self) -> int:
        """Training tasks in the cluster (the chief counts)."""
        return sum(len(self.cluster.get(t, ())) for t in TRAINING_TASKS)

    @property
    def is_chief(self) -> bool:
        """The task that keeps checkpoints and exports: ``chief`` 0, or ``worker`` 0 when there is no chief."""
        if "chief" in self.cluster:
            return self.task_type == "chief"
        return self.task_type == "worker" and self.task_index == 0

    @property
    def task_id(self) -> int:
        """This task's position among all training tasks (chief first): 0 .. num_workers - 1."""
        offset = len(self.cluster.get("chief", ())) if self.task_type == "worker" else 0
        return offset + self.task_index


def _malformed(expected: str, found: object) -> ValueError:
    text = found if isinstance(found, str) else json.dumps(found)
    if len(text) > 200:
        text = text[:200] + "..."
    return ValueError(f"{ENV_VAR}: expected {expected}, found {text}")


def parse_tf_config(text: str | None) -> ClusterSpec | None:
    """Parse a ``TF_CONFIG`` value; None when it is unset or blank (a single process).

    Raises:
        ValueError: one line, ``TF_CONFIG: expected ..., found ...``, for anything that is not a
            cluster of ``chief``/``worker`` tasks with this task among them.
    """
    if text is None or not text.strip():
        return None
    example = '{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": 0}}'
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _malformed(f"JSON like {example}", f"{text!r} ({exc.msg} at character {exc.pos})") from None
    if not isinstance(config, dict) or not isinstance(config.get("cluster"), dict) or not config["cluster"]:
        raise _malformed(f'an object with a non-empty "cluster", like {example}', config)
    cluster: dict[str, tuple[str, ...]] = {}
    for kind, addresses in config["cluster"].items():
        if kind not in TRAINING_TASKS:
            raise _malformed(f"cluster task types among {list(TRAINING_TASKS)} (MultiWorkerMirroredStrategy)",
                             f"{kind!r} in {json.dumps(config['cluster'])}")
        if (not isinstance(addresses, list) or not addresses
                or not all(isinstance(a, str) and a.rpartition(":")[2].isdigit() for a in addresses)):
            raise _malformed(f'cluster["{kind}"] a non-empty list of "host:port" strings', json.dumps(addresses))
        cluster[kind] = tuple(addresses)
    if len(cluster.get("chief", ())) > 1:
        raise _malformed('at most one "chief"', list(cluster["chief"]))
    task = config.get("task")
    if not isinstance(task, dict) or task.get("type") not in cluster:
        raise _malformed(f'"task": {{"type": one of {sorted(cluster)}, "index": int}}', task)
    index = task.get("index", 0)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(cluster[task["type"]]):
        raise _malformed(f'"task" "index" an int in 0..{len(cluster[task["type"]]) - 1} '
                         f'(the {task["type"]} list\'s positions)', task)
    return ClusterSpec(cluster=cluster, task_type=task["type"], task_index=index)


def cluster_spec(environ: Mapping[str, str] | None = None) -> ClusterSpec | None:
    """:func:`parse_tf_config` of ``$TF_CONFIG`` (``environ`` defaults to ``os.environ``)."""
    return parse_tf_config((os.environ if environ is None else environ).get(ENV_VAR))


def is_multi_worker(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``TF_CONFIG`` names more than one training task (ValueError if it is malformed)."""
    spec = cluster_spec(environ)
    return spec is not None and spec.num_workers > 1


def is_chief(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process keeps checkpoints and exports (True without a multi-worker ``TF_CONFIG``)."""
    spec = cluster_spec(environ)
    return spec is None or spec.num_workers == 1 or spec.is_chief


def worker_temp_name(environ: Mapping[str, str] | None = None) -> str:
    """The name of a non-chief worker's temporary save folder, ``workertemp_<task id>`` (TensorFlow's)."""
    spec = cluster_spec(environ)
    return f"workertemp_{0 if spec is None else spec.task_id}"


def save_dir(checkpoint_dir: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Any:
    """Where this process writes the checkpoints meant for ``checkpoint_dir``: the folder itself on the
    chief (and without a multi-worker ``TF_CONFIG``), ``<checkpoint_dir>/workertemp_<task id>`` on every
    other worker, which removes it after each save (TensorFlow's multi-worker saving rule)."""
    from pathlib import Path

    folder = Path(checkpoint_dir)
    return folder if is_chief(environ) else folder / worker_temp_name(environ)


_noticed: set[str] = set()


def notice_not_distributed(what: str, why: str) -> bool:
    """Under a multi-worker ``TF_CONFIG``, say once per process on stderr that ``what`` is not distributed.

    One line, ``tf-course: <what> runs on every worker alone, not distributed (<why>); only the
    chief's results are kept``: every worker computes the same thing (same seed, same data, no
    collectives), the chief keeps checkpoints and exports. Returns whether the line was printed
    (False without a multi-worker ``TF_CONFIG`` and after the first time for ``what``).
    """
    import sys

    if not is_multi_worker() or what in _noticed:
        return False
    _noticed.add(what)
    print(f"tf-course: {what} runs on every worker alone, not distributed ({why}); only the chief's results "
          "are kept", file=sys.stderr)
    return True


_strategy: Any = None


def strategy() -> Any:
    """The ``tf.distribute.Strategy`` to train under: created once per process and then reused.

    ``MultiWorkerMirroredStrategy`` (CPU ring all-reduce) when ``TF_CONFIG`` names more than one
    training task, else ``tf.distribute.get_strategy()`` (the default strategy; nothing changes).

    Raises:
        ValueError: ``TF_CONFIG`` is malformed (one line, see :func:`parse_tf_config`).
        RuntimeError: a multi-worker ``TF_CONFIG`` but TensorFlow already ran ops in this process.
    """
    global _strategy
    if _strategy is not None:
        return _strategy
    import tensorflow as tf

    if not is_multi_worker():
        return tf.distribute.get_strategy()
    options = tf.distribute.experimental.CommunicationOptions(
        implementation=tf.distribute.experimental.CommunicationImplementation.RING)
    try:
        _strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    except RuntimeError as exc:
        if "startup" not in str(exc):
            raise
        raise RuntimeError(f"{ENV_VAR} names a multi-worker cluster, so the strategy must be created before "
                           "TensorFlow runs its first op: call tf_course.train.distribute.strategy() at the start "
                           f"of the program (found: {exc})") from None
    return _strategy


def shard_by_data(dataset: Any) -> Any:
    """``dataset`` with ``AutoShardPolicy.DATA``: every worker reads all of it and keeps its part of
    each global batch (the right policy for an in-memory ``from_tensor_slices`` dataset, which has
    no files to shard by)."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def created_in_scope(model: Any, distribution: Any) -> bool:
    """Whether every variable of ``model`` was created under ``distribution.scope()`` (a model built
    outside it holds plain variables, which the strategy can neither mirror nor all-reduce)."""
    return all(distribution.extended.variable_created_in_scope(getattr(v, "value", v)) for v in model.variables)


def clone_in_scope(model: Any, distribution: Any) -> Any:
    """A copy of ``model`` built under ``distribution.scope()``, same weights (not compiled).

    ``keras.models.clone_model`` (so the model's layers must be serializable: registered custom
    layers, no Lambda), then the model's weights. Its BatchNormalization layers are
    ``synchronized``: their batch statistics are those of the global batch (all-reduced over the
    workers), as in a one-worker run, not of each worker's part of it.
    """
    import keras

    def clone_layer(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if isinstance(layer, keras.layers.BatchNormalization):
            config["synchronized"] = True
        return layer.__class__.from_config(config)

    with distribution.scope():
        clone = keras.models.clone_model(model, clone_function=clone_layer)
        clone.set_weights(model.get_weights())
    return clone


def replicate(model: Any, distribution: Any) -> Any:
    """A copy of the compiled ``model`` built and compiled under ``distribution.scope()``, same weights.

    :func:`clone_in_scope`, then the model's compile configuration (``get_compile_config``:
    optimizer, loss, metrics, ``jit_compile``...).

    Raises:
        ValueError: the model is not compiled, or its compile configuration cannot be rebuilt.
    """
    if not getattr(model, "compiled", False):
        raise ValueError(f"replicate: expected a compiled model, found {model.name!r} not compiled")
    config = model.get_compile_config()
    if config is None:
        raise ValueError(f"replicate: expected a model compiled with serializable arguments, found {model.name!r} "
                         "without a compile configuration")
    clone = clone_in_scope(model, distribution)
    with distribution.scope():
        try:
            clone.compile_from_config(config)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"replicate: expected the compile configuration of {model.name!r} to rebuild "
                             f"under the strategy, found {type(exc).__name__}: {exc}") from exc
    return clone


def copy_back(source: Any, target: Any) -> None:
    """Copy the weights (and, when both have built optimizers of the same shape, the optimizer
    state) of the trained replica ``source`` into ``target``."""
    target.set_weights(source.get_weights())
    mine, theirs = getattr(target, "optimizer", None), getattr(source, "optimizer", None)
    if mine is None or theirs is None or not theirs.built:
        return
    if not mine.built:
        mine.build(target.trainable_variables)
    if len(mine.variables) == len(theirs.variables):
        for a, b in zip(mine.variables, theirs.variables):
            if tuple(a.shape) == tuple(b.shape):
                a.assign(b.value if hasattr(b, "value") else b)


_sum_functions: dict[int, Any] = {}


def all_reduce_sum(distribution: Any, values: list[float]) -> Any:
    """The sum over all workers of each worker's ``values`` (float64 NumPy (len(values),)), a collective:
    every worker must call it, and it returns on each only once all have. Compiled once per strategy
    (an eager ``strategy.run`` of a multi-worker strategy warns of its overhead)."""
    import tensorflow as tf

    reduce = _sum_functions.get(id(distribution))
    if reduce is None:
        def total(value: tf.Tensor) -> tf.Tensor:
            per_replica = distribution.run(tf.identity, args=(value,))
            return distribution.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

        reduce = tf.function(total).get_concrete_function(tf.TensorSpec([None], tf.float64))
        _sum_functions[id(distribution)] = reduce
    return reduce(tf.constant(values, tf.float64)).numpy()


def barrier(distribution: Any) -> None:
    """Return once every worker has called it (a collective of one number; nothing with one worker).
    What a worker did before it (e.g. the chief's last checkpoint) is done when any worker passes it."""
    if distribution.num_replicas_in_sync > 1:
        all_reduce_sum(distribution, [0.0])


def require_same_checkpoint(distribution: Any, found: int, checkpoint_dir: Any) -> None:
    """Stop unless every worker found the same checkpoint (``found``: its epoch or number, 0 for
    none) in ``checkpoint_dir``, a collective: every worker of ``distribution`` must call it.

    Raises:
        ValueError: the workers found different checkpoints (a folder not shared by all of them).
    """
    if not consistent_across_workers(distribution, found):
        raise ValueError(f"{checkpoint_dir}: expected every worker to find the same checkpoint there, found "
                         "different ones (the folder must be on a filesystem all workers share); "
                         "rerun with --restart to start afresh")


def consistent_across_workers(distribution: Any, value: int) -> bool:
    """Whether every worker passed the same ``value`` (two all-reduces: the sum and the sum of squares;
    all equal iff ``n * sum(v**2) == sum(v)**2``), the same answer on every worker."""
    n = distribution.num_replicas_in_sync
    if n == 1:
        return True
    total = all_reduce_sum(distribution, [float(value), float(value) ** 2])
    return bool(abs(n * total[1] - total[0] ** 2) < 0.5)


@contextlib.contextmanager
def keras_metric_reduction_fix() -> Iterator[None]:
    """Within the block, Keras 3 reduces a multi-worker run's scalar logs (loss, metrics) correctly.

    Keras 3.15's ``reduce_per_replica`` reduces every log of a multi-worker
    ``MultiWorkerMirroredStrategy`` step with ``strategy.reduce("MEAN", v, axis=0)``, which fails on
    a scalar ("Invalid reduction dimension 0 for input with 0 dimensions", tensorflow/tensorflow
    #72388). In the block, a scalar is reduced with ``axis=None`` (the mean over the replicas; the
    logs of a synchronous step are already equal on all of them); everything else as Keras does.
    The functions ``fit`` traces in the block keep the fixed reduction.
    """
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer as keras_tf_trainer

    original = keras_tf_trainer.reduce_per_replica

    def reduce_per_replica(values: Any, strategy: Any, reduction: str) -> Any:
        if reduction not in ("auto", "mean") or not keras_tf_trainer._collective_all_reduce_multi_worker(strategy):
            return original(values, strategy, reduction)

        def reduce(value: Any) -> Any:
            local = strategy.experimental_local_results(value)[0]
            return strategy.reduce("MEAN", value, axis=None if local.shape.rank == 0 else 0)

        return tf.nest.map_structure(reduce, values)

    keras_tf_trainer.reduce_per_replica = reduce_per_replica
    try:
        yield
    finally:
        keras_tf_trainer.reduce_per_replica = original
