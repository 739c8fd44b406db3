"""The tf.function training loop: history, checkpoint resume, distribution."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.train import History, Trainer
from tf_course.train.loop import seed_states

ROOT = Path(__file__).resolve().parents[2]


def _data(m=12, n=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(m, n)).astype("float32")
    y = (x[:, :1] + 0.3 * x[:, 1:2] > 0).astype("float32")
    return x, y


def _build(n=4):
    def build():
        inputs = keras.Input((n,))
        glorot = keras.initializers.GlorotUniform
        hidden = keras.layers.Dense(3, activation="tanh", kernel_initializer=glorot(seed=1))(inputs)
        outputs = keras.layers.Dense(1, activation="sigmoid", kernel_initializer=glorot(seed=2))(hidden)
        return keras.Model(inputs, outputs)

    return build


def _trainer():
    return Trainer(_build(), keras.losses.binary_crossentropy, lambda: keras.optimizers.Adam(0.05))


def test_full_batch_loss_is_cost_before_update_and_decreases():
    x, y = _data()
    trainer = _trainer()
    expected_first = float(np.mean(keras.losses.binary_crossentropy(y, trainer.model(x)).numpy()))
    history = trainer.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(12), epochs=30, verbose=False)
    assert history.epoch == list(range(30))
    assert history.history["loss"][0] == pytest.approx(expected_first, rel=1e-6)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]


def test_minibatch_epoch_loss_is_weighted_mean_over_examples():
    x, y = _data(m=10)
    trainer = Trainer(_build(), keras.losses.binary_crossentropy, lambda: keras.optimizers.SGD(0.0))
    # lr 0: weights never move, so the epoch loss is the plain mean over all 10 examples,
    # even with an uneven last batch (4 + 4 + 2)
    expected = float(np.mean(keras.losses.binary_crossentropy(y, trainer.model(x)).numpy()))
    history = trainer.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), epochs=2, verbose=False)
    assert history.history["loss"] == pytest.approx([expected, expected], rel=1e-6)


def test_resume_after_interruption_matches_uninterrupted_run(tmp_path):
    x, y = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(5)
    reference = _trainer()
    ref_history = reference.fit(dataset, epochs=8, verbose=False)

    def interrupt(epoch, logs):
        if epoch == 4:  # after epoch index 4: checkpoints exist for epochs 2 and 4 (every 2)
            raise KeyboardInterrupt

    first = _trainer()
    with pytest.raises(KeyboardInterrupt):
        first.fit(dataset, epochs=8, checkpoint_dir=tmp_path, checkpoint_every=2, verbose=False,
                  on_epoch_end=interrupt)
    assert (tmp_path / "checkpoint").is_file()

    resumed = _trainer()  # a new process would build fresh objects just like this
    history = resumed.fit(dataset, epochs=8, checkpoint_dir=tmp_path, checkpoint_every=2, verbose=False)
    assert int(resumed.epoch.numpy()) == 8
    assert history.epoch == list(range(8))
    np.testing.assert_allclose(history.history["loss"], ref_history.history["loss"], rtol=1e-5)
    for got, want in zip(resumed.model.get_weights(), reference.model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # Adam's step counter came back too, not just the weights
    assert int(resumed.optimizer.iterations.numpy()) == int(reference.optimizer.iterations.numpy())


def test_finished_run_is_not_trained_again(tmp_path):
    x, y = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(12)
    _trainer().fit(dataset, epochs=3, checkpoint_dir=tmp_path, verbose=False)
    again = _trainer()
    history = again.fit(dataset, epochs=3, checkpoint_dir=tmp_path, verbose=False)
    assert history.epoch == [0, 1, 2] and int(again.optimizer.iterations.numpy()) == 3


def test_unknown_length_dataset_is_rejected():
    x, y = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(4).repeat()
    with pytest.raises(ValueError, match="expected a finite dataset of known length.*found cardinality -1"):
        _trainer().fit(dataset, epochs=1, verbose=False)


def test_history_truncate_and_json_round_trip():
    h = History()
    for e in range(5):
        h.append(e, {"loss": 1.0 / (e + 1)})
    h.truncate(3)
    assert h.epoch == [0, 1, 2] and h.history["loss"] == pytest.approx([1.0, 0.5, 1 / 3])
    assert History.from_json(h.to_json()) == h


def test_mirrored_strategy_over_two_logical_cpus_matches_single_device():
    # the dataset loop, then the full-batch loop on a model built outside the strategy's scope
    # Logical devices must be configured before TensorFlow starts, so this runs in its own process.
    script = textwrap.dedent("""
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        import keras, numpy as np
        from tf_course.train import Trainer
        rng = np.random.default_rng(0)
        x = rng.normal(size=(10, 4)).astype("float32")
        y = (x[:, :1] > 0).astype("float32")
        ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)   # 4 + 4 + 2: uneven last batch
        def build():
            i = keras.Input((4,))
            return keras.Model(i, keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros")(i))
        out = {}
        for name, strategy in [("one", None), ("mirrored", tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))]:
            t = Trainer(build, keras.losses.binary_crossentropy, lambda: keras.optimizers.SGD(0.1), strategy=strategy)
            out[name] = (t.fit(ds, epochs=4, verbose=False).history["loss"], t.model.get_weights()[0])
            if strategy is not None:
                assert strategy.num_replicas_in_sync == 2, strategy.num_replicas_in_sync
        np.testing.assert_allclose(out["one"][0], out["mirrored"][0], rtol=1e-5)
        np.testing.assert_allclose(out["one"][1], out["mirrored"][1], rtol=1e-5, atol=1e-6)
        # full batch (each replica its contiguous share: rows 0-4 and 5-9), the model built outside the
        # strategy's scope (cloned into it, same weights)
        full = {}
        for name, strategy in [("one", None), ("mirrored", tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))]:
            outside = build()  # zero initial weights
            t = Trainer(lambda: outside, keras.losses.binary_crossentropy, lambda: keras.optimizers.SGD(0.1),
                        strategy=strategy)
            assert (t.model is outside) == (strategy is None)
            full[name] = (t.fit_full_batch(x, y, 6, verbose=False).history["loss"], t.model.get_weights()[0])
        np.testing.assert_allclose(full["one"][0], full["mirrored"][0], rtol=1e-5)
        np.testing.assert_allclose(full["one"][1], full["mirrored"][1], rtol=1e-5, atol=1e-6)
        assert full["one"][0][-1] < full["one"][0][0]
        print("OK", out["mirrored"][0])
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("OK")


def test_many_epochs_per_call_give_the_same_numbers_as_one_per_call(tmp_path):
    x, y = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(5)  # 3 batches per epoch (5 + 5 + 2)
    one = _trainer()
    reference = one.fit(dataset, epochs=20, verbose=False, epochs_per_call=1)
    many = _trainer()
    history = many.fit(dataset, epochs=20, verbose=False, epochs_per_call=7)  # calls of 7, 7, 6 epochs
    assert history == reference  # bit for bit
    assert int(many.epoch.numpy()) == 20 and int(many.optimizer.iterations.numpy()) == 60
    for got, want in zip(many.model.get_weights(), one.model.get_weights()):
        np.testing.assert_array_equal(got, want)
    # with checkpoints, calls end at each checkpoint (every 4 epochs): stop after 8 and resume to 20
    first = _trainer()
    first.fit(dataset, epochs=8, checkpoint_dir=tmp_path, checkpoint_every=4, verbose=False, epochs_per_call=7)
    assert sorted(p.name for p in tmp_path.glob("ckpt-*.index")) == ["ckpt-4.index", "ckpt-8.index"]
    resumed = _trainer()
    history = resumed.fit(dataset, epochs=20, checkpoint_dir=tmp_path, checkpoint_every=4, verbose=False,
                          epochs_per_call=7)
    assert history.epoch == list(range(20))
    np.testing.assert_allclose(history.history["loss"], reference.history["loss"], rtol=1e-5)
    with pytest.raises(ValueError, match="epochs_per_call: expected an integer >= 1 or None, found 0"):
        _trainer().fit(dataset, epochs=2, verbose=False, epochs_per_call=0)


def test_full_batch_run_is_a_few_compiled_calls(monkeypatch):
    x, y = _data()
    trainer = _trainer()
    calls = []
    trainer.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(12), epochs=1, verbose=False)
    original = trainer._train_epochs
    monkeypatch.setattr(trainer, "_train_epochs", lambda *args: calls.append(int(args[2])) or original(*args))
    # a second fit continues at epoch 1: epochs 1..200 in calls of ceil(201 / 50) = 5 epochs
    history = trainer.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(12), epochs=201, verbose=False)
    assert calls == [5] * 40 and history.epoch == list(range(1, 201))
    assert trainer.tracing_count == 1  # a new fit (new iterator) does not retrace


def _dropout_trainer():
    def build():
        glorot = keras.initializers.GlorotUniform
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(8, activation="relu", kernel_initializer=glorot(seed=1))(inputs)
        hidden = keras.layers.Dropout(0.5, seed=7, name="dropout")(hidden)
        outputs = keras.layers.Dense(1, activation="sigmoid", kernel_initializer=glorot(seed=2))(hidden)
        return keras.Model(inputs, outputs)

    return Trainer(build, keras.losses.binary_crossentropy, lambda: keras.optimizers.SGD(0.5))


def test_resume_continues_the_dropout_masks_and_keeps_epoch_metrics(tmp_path):
    """The dropout layer's SeedGenerator state is in the checkpoint; epoch_metrics values are in the history."""
    x, y = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(12)
    reference = _dropout_trainer()
    assert [v.name for v in seed_states(reference.model)] == ["seed_generator_state"]

    def metrics_of(trainer):
        return lambda epoch: {"mean_weight": float(np.mean(trainer.model.get_weights()[0])), "epoch": epoch}

    ref_history = reference.fit(dataset, epochs=6, verbose=False, epoch_metrics=metrics_of(reference))
    assert ref_history.history["epoch"] == [0, 1, 2, 3, 4, 5]

    def interrupt(epoch, logs):
        if epoch == 2:  # after the checkpoint of epoch 3 (checkpoint_every 1)
            raise KeyboardInterrupt

    first = _dropout_trainer()
    with pytest.raises(KeyboardInterrupt):
        first.fit(dataset, epochs=6, checkpoint_dir=tmp_path, verbose=False, on_epoch_end=interrupt,
                  epoch_metrics=metrics_of(first))
    resumed = _dropout_trainer()
    history = resumed.fit(dataset, epochs=6, checkpoint_dir=tmp_path, verbose=False, epoch_metrics=metrics_of(resumed))
    assert history == ref_history  # masks, losses and the metrics of epochs 0-2 (read back) as uninterrupted
    for got, want in zip(resumed.model.get_weights(), reference.model.get_weights()):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(seed_states(resumed.model)[0].numpy(), seed_states(reference.model)[0].numpy())
    with pytest.raises(ValueError, match="epochs_per_call None or 1 with epoch_metrics, found 2"):
        _trainer().fit(dataset, epochs=2, verbose=False, epochs_per_call=2, epoch_metrics=lambda epoch: {})


def test_fit_full_batch_gives_the_dataset_loops_numbers_in_one_call(monkeypatch):
    x, y = _data()
    reference = _trainer()
    ref_history = reference.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(12), epochs=40, verbose=False)
    trainer = _trainer()
    calls = []
    compiled = trainer.compiled

    def counting(*args):
        fn = compiled(*args)
        return lambda *inputs: calls.append(int(inputs[3])) or fn(*inputs)

    monkeypatch.setattr(trainer, "compiled", counting)
    history = trainer.fit_full_batch(x, y, 40, verbose=False)
    assert history == ref_history and calls == [40]  # bit for bit, all 40 iterations in one compiled call
    for got, want in zip(trainer.model.get_weights(), reference.model.get_weights()):
        np.testing.assert_array_equal(got, want)
    sparse = _trainer().fit_full_batch(x, y, 40, verbose=False, record_every=15, epochs_per_call=7)
    assert sparse.epoch == [0, 15, 30]
    assert sparse.history["loss"] == [ref_history.history["loss"][e] for e in (0, 15, 30)]
    with pytest.raises(ValueError, match="record_every: expected an integer >= 1, found 0"):
        _trainer().fit_full_batch(x, y, 2, verbose=False, record_every=0)


def test_fit_full_batch_resumes_from_its_checkpoints(tmp_path):
    x, y = _data()
    reference = _trainer().fit_full_batch(x, y, 20, verbose=False)
    first = _trainer()
    first.fit_full_batch(x, y, 8, checkpoint_dir=tmp_path, checkpoint_every=4, verbose=False, record_every=3)
    assert sorted(p.name for p in tmp_path.glob("ckpt-*.index")) == ["ckpt-4.index", "ckpt-8.index"]
    resumed = _trainer()  # a new process would build fresh objects just like this
    history = resumed.fit_full_batch(x, y, 20, checkpoint_dir=tmp_path, checkpoint_every=4, verbose=False,
                                     record_every=3)
    assert history.epoch == [0, 3, 6, 9, 12, 15, 18] and int(resumed.optimizer.iterations.numpy()) == 20
    np.testing.assert_allclose(history.history["loss"], [reference.history["loss"][e] for e in history.epoch],
                               rtol=1e-6)


def test_fit_full_batch_progress_lines_come_from_outside_the_compiled_loop(capsys):
    x, y = _data()
    history = _trainer().fit_full_batch(x, y, 30, verbose=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines and lines[-1].startswith("epoch 30/30  loss ") and len(history.epoch) == 30
