"""Two worker processes on localhost train the course's custom ``Trainer`` loop under the
MultiWorkerMirroredStrategy that ``TF_CONFIG`` configures; the result equals a one-worker run with the
same global batch (the strategy of ``test_distribute_multiworker.py``, which trains through Keras ``fit``).

Two Trainer paths, each through a pipeline's own training function in quick settings:

- the mini-batch dataset loop (:meth:`Trainer.fit`): ``train_tf_intro`` (the TensorFlow-intro twin:
  307,615 parameters, Adam, global batches of 32 reshuffled every epoch, the last one of 4), with
  checkpoints in a folder the two workers share, then run again to more epochs: a resume of the
  chief's checkpoint on both workers;
- the full-batch loop (:meth:`Trainer.fit_full_batch`, one contiguous share of the batch per worker):
  ``train_from_course_parameters`` (the deep_nn/initialization twins: SGD from the course's initial
  parameters, one step per course iteration, 101 examples: shares of 50 and 51).

And ``optimize_variable`` (style transfer: no batch to split) says in one line that it runs on every
worker alone.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import finish_workers, localhost_cluster, start_worker

# One process: TF_CONFIG in its environment, argv = out folder, checkpoint folder (shared by the workers).
WORKER = r"""
import json, sys, time
from pathlib import Path
t0 = time.process_time()
from tf_course.train import distribute
distribution = distribute.strategy()  # before TensorFlow's first op
import keras
import numpy as np
import tensorflow as tf
from tf_course.basics.tf_intro.model import train_tf_intro
from tf_course.basics.twins import train_from_course_parameters
from tf_course.scratch.deep_nn import initialize_parameters_deep_app
from tf_course.train.optimize import optimize_variable
from tf_course.train.seeds import set_seed

out, checkpoints = Path(sys.argv[1]), Path(sys.argv[2])
result = {"multi_worker": isinstance(distribution, tf.distribute.MultiWorkerMirroredStrategy),
          "replicas": distribution.num_replicas_in_sync, "chief": distribute.is_chief()}
set_seed(0)
rng = np.random.default_rng(0)
images = rng.integers(0, 256, (100, 64, 64, 3), dtype=np.uint8)
labels = (images[:, :32].mean(axis=(1, 2, 3)) // 4).astype(np.int64) % 6
train_tf_intro(images, labels, num_epochs=4, minibatch_size=32, learning_rate=0.001, verbose=False,
               checkpoint_dir=checkpoints)
result["files_after_4"] = sorted(p.name for p in checkpoints.iterdir())
model, history = train_tf_intro(images, labels, num_epochs=6, minibatch_size=32, learning_rate=0.001,
                                verbose=False, checkpoint_dir=checkpoints)  # resumes after epoch 4
result["files_after_6"] = sorted(p.name for p in checkpoints.iterdir())
result["intro"] = history.history
np.savez(out / "intro.npz", *model.get_weights())

X = rng.normal(size=(101, 20)).astype(np.float32)
Y = (X[:, :1] + X[:, 1:2] > 0).astype(np.float32)
model, history = train_from_course_parameters(initialize_parameters_deep_app([20, 7, 5, 1]), X, Y, 0.05, 30,
                                              name="twin", verbose=False)
result["twin"] = history.history
np.savez(out / "twin.npz", *model.get_weights())

variable = tf.Variable([1.0, 2.0])
result["optimized"] = optimize_variable(variable, lambda v: {"total": tf.reduce_sum(v * v)},
                                        keras.optimizers.SGD(0.1), 3, verbose=False).history["total"]
result["cpu_s"] = time.process_time() - t0
(out / "result.json").write_text(json.dumps(result))
"""
NOT_DISTRIBUTED = "tf-course: optimize_variable (style transfer) runs on every worker alone, not distributed"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two workers of one cluster (one checkpoint folder), and one process without TF_CONFIG."""
    root = tmp_path_factory.mktemp("trainer_multiworker")
    shared = str(root / "cluster_checkpoints")
    processes = {f"worker{i}": start_worker(WORKER, root / f"worker{i}", config, shared)
                 for i, config in enumerate(localhost_cluster(2))}
    processes["alone"] = start_worker(WORKER, root / "alone", None, str(root / "alone_checkpoints"))
    logs = finish_workers(processes)
    return {name: (json.loads((root / name / "result.json").read_text()), logs[name],
                   {part: np.load(root / name / f"{part}.npz") for part in ("intro", "twin")})
            for name in processes}


def test_the_trainer_runs_under_the_multi_worker_strategy(runs):
    for name in ("worker0", "worker1"):
        assert runs[name][0]["multi_worker"] and runs[name][0]["replicas"] == 2
    assert runs["worker0"][0]["chief"] and not runs["worker1"][0]["chief"]
    alone = runs["alone"][0]
    assert not alone["multi_worker"] and alone["replicas"] == 1 and alone["chief"]


@pytest.mark.parametrize("part", ["intro", "twin"])
def test_two_workers_equal_one_worker_with_the_same_global_batch(runs, part):
    """Every weight and every epoch's loss as in the one-worker run, to float round-off (the gradient
    is summed from two halves); the two workers hold the same model bit for bit."""
    alone, _, alone_weights = runs["alone"]
    for name in ("worker0", "worker1"):
        result, _, weights = runs[name]
        assert weights[part].files == alone_weights[part].files
        for key in alone_weights[part].files:
            np.testing.assert_allclose(weights[part][key], alone_weights[part][key], rtol=1e-5, atol=1e-5,
                                       err_msg=f"{name} {part} {key}")
        np.testing.assert_allclose(result[part]["loss"], alone[part]["loss"], rtol=1e-5, err_msg=f"{name} {part}")
    for key in alone_weights[part].files:
        np.testing.assert_array_equal(runs["worker0"][2][part][key], runs["worker1"][2][part][key])
    losses = alone[part]["loss"]
    assert len(losses) == {"intro": 6, "twin": 30}[part] and losses[-1] < losses[0]  # it trained to the end


def test_only_the_chief_keeps_checkpoints_and_every_worker_resumes_from_them(runs):
    """After 4 epochs and after the resumed run to 6, the shared folder holds the chief's checkpoints
    only (worker 1 saved into workertemp_1 inside it and removed that), as the one-worker run's folder."""
    kept = {"files_after_4": [f"ckpt-{k}.{ext}" for k in (2, 3, 4) for ext in ("data-00000-of-00001", "index")],
            "files_after_6": [f"ckpt-{k}.{ext}" for k in (4, 5, 6) for ext in ("data-00000-of-00001", "index")]}
    for name in runs:
        for key, files in kept.items():
            assert runs[name][0][key] == sorted(["checkpoint", "history.json", *files]), (name, key)


def test_optimize_variable_says_it_is_not_distributed(runs):
    for name, (result, log, _) in runs.items():
        assert (NOT_DISTRIBUTED in log) == (name != "alone"), name
        assert result["optimized"] == pytest.approx([5.0, 3.2, 2.048])  # the same steps on every worker


def test_cpu_time_of_each_process(runs):
    for name, (result, _, _) in runs.items():
        assert result["cpu_s"] < 45, name  # a CI budget guard: each process, TensorFlow's start-up included
