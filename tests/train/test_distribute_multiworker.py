"""Two worker processes on localhost, MultiWorkerMirroredStrategy from TF_CONFIG, train HappyModel through
the course's ``fit`` helper; the result equals a one-worker run with the same global batch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import finish_workers, localhost_cluster, start_worker

# One process of the run: TF_CONFIG in its environment, argv = out folder. The strategy is created
# on the import of tf_course.train (before any TensorFlow op), then the HappyModel pipeline's own
# training function runs on a small slice of the synthetic Happy House data: 2 epochs of the
# global batch 16 (6 steps per epoch), with checkpoints, so the chief/worker saving is exercised.
WORKER = r"""
import json, sys, time
from pathlib import Path
t0 = time.process_time()
from tf_course.train import distribute
distribution = distribute.strategy()
import dataclasses
import numpy as np
from tf_course.data.synthetic import synthetic_happy_dataset
from tf_course.train.seeds import set_seed
from tf_course.vision.happy_model.pipeline import train_happy_model
from tf_course.vision.signs_convnet.model import evaluate_accuracy, train_signs_convnet

out = Path(sys.argv[1])
import tensorflow as tf
result = {"replicas": distribution.num_replicas_in_sync, "chief": distribute.is_chief(),
          "multi_worker": isinstance(distribution, tf.distribute.MultiWorkerMirroredStrategy)}
set_seed(0)
rng = np.random.default_rng(0)
x = rng.integers(0, 256, (160, 64, 64, 3), dtype=np.uint8)
y = (x[:, :32].mean(axis=(1, 2, 3)) // 4).astype(np.int64) % 6
model, history = train_signs_convnet(x[:128], y[:128], 0.009, 3, 32, shuffle=True, validation=(x[128:], y[128:]),
                                     verbose=False, checkpoint_dir=out / "signs_checkpoints")
np.savez(out / "signs_weights.npz", *model.get_weights())
result["signs"] = {**history.history, "test_accuracy": evaluate_accuracy(model, x[128:], y[128:])}

set_seed(0)
data = synthetic_happy_dataset(0)
small = dataclasses.replace(data, train=dataclasses.replace(data.train, x=data.train.x[:64], y=data.train.y[:64]),
                            test=dataclasses.replace(data.test, x=data.test.x[:16], y=data.test.y[:16]))
model, fit = train_happy_model(small, epochs=2, batch_size=16, checkpoint_dir=out / "happy_checkpoints")
result["happy"] = {**fit.history.history, "test_loss": fit.test_loss, "test_accuracy": fit.test_accuracy}
result["checkpoint_files"] = {kind: sorted(p.name for p in (out / f"{kind}_checkpoints").iterdir())
                              for kind in ("signs", "happy") if (out / f"{kind}_checkpoints").exists()}
result["cpu_s"] = time.process_time() - t0
(out / "result.json").write_text(json.dumps(result))
"""
@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two workers of one cluster, plus one process alone (a one-worker TF_CONFIG: the default strategy)."""
    root = tmp_path_factory.mktemp("multiworker")
    processes = {f"worker{i}": start_worker(WORKER, root / f"worker{i}", config)
                 for i, config in enumerate(localhost_cluster(2))}
    processes["alone"] = start_worker(WORKER, root / "alone", {"cluster": {"worker": ["localhost:1"]},
                                                               "task": {"type": "worker", "index": 0}})
    finish_workers(processes)
    return {name: (json.loads((root / name / "result.json").read_text()), np.load(root / name / "signs_weights.npz"))
            for name in processes}


def test_two_workers_train_under_multi_worker_mirrored_strategy(runs):
    for name in ("worker0", "worker1"):
        result = runs[name][0]
        assert result["multi_worker"] and result["replicas"] == 2
    assert runs["worker0"][0]["chief"] and not runs["worker1"][0]["chief"]
    assert not runs["alone"][0]["multi_worker"] and runs["alone"][0]["replicas"] == 1 and runs["alone"][0]["chief"]


def test_two_workers_equal_one_worker_with_the_same_global_batch(runs):
    """SIGNS ConvNet (train_signs_convnet: fit_resumable, Adam, shuffled global batches of 32, validation):
    every weight and every epoch's metric as in the one-worker run, to float round-off."""
    alone, alone_weights = runs["alone"]
    for name in ("worker0", "worker1"):
        result, weights = runs[name]
        assert weights.files == alone_weights.files
        for key in alone_weights.files:
            np.testing.assert_allclose(weights[key], alone_weights[key], rtol=1e-5, atol=1e-6, err_msg=f"{name} {key}")
        for metric in ("loss", "val_loss"):
            np.testing.assert_allclose(result["signs"][metric], alone["signs"][metric], rtol=1e-5, err_msg=metric)
        for metric in ("accuracy", "val_accuracy", "test_accuracy"):
            np.testing.assert_array_equal(result["signs"][metric], alone["signs"][metric], err_msg=metric)
    assert alone["signs"]["loss"][-1] < alone["signs"]["loss"][0]  # it did learn


def test_happy_model_trains_to_completion_under_two_workers(runs):
    """HappyModel through fit_image_classifier, its BatchNorm synchronized over the workers: the same
    losses to 1e-3. Not to round-off: the bias of conv0, followed by BatchNorm, has a zero gradient in
    exact arithmetic, and Adam scales the round-off noise of it to steps of the learning rate."""
    alone = runs["alone"][0]["happy"]
    for name in ("worker0", "worker1"):
        happy = runs[name][0]["happy"]
        np.testing.assert_allclose(happy["loss"], alone["loss"], rtol=1e-3)
        assert happy["test_loss"] == pytest.approx(alone["test_loss"], rel=1e-2)
    assert runs["worker0"][0]["happy"] == runs["worker1"][0]["happy"]  # the workers agree exactly


def test_only_the_chief_keeps_checkpoints(runs):
    kept = ["state.json", "weights-3.weights.h5"], ["state.json", "weights-2.weights.h5"]
    for name in ("worker0", "alone"):
        assert runs[name][0]["checkpoint_files"] == dict(zip(("signs", "happy"), kept))
    assert runs["worker1"][0]["checkpoint_files"] == {"signs": [], "happy": []}  # saved into workertemp_1, removed


def test_cpu_time_of_each_process(runs):
    for name, (result, _) in runs.items():
        assert result["cpu_s"] < 60, name  # a CI budget guard: each process, TensorFlow's start-up included
