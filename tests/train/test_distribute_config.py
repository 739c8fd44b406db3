"""TF_CONFIG: which strategy it asks for, who is chief, and one clear line for a malformed one."""

from __future__ import annotations

import json

import pytest
import tensorflow as tf

from tf_course.train import distribute
from tf_course.train.distribute import cluster_spec, is_chief, is_multi_worker, parse_tf_config, worker_temp_name


def config(cluster: dict, kind: str = "worker", index: int = 0) -> dict[str, str]:
    return {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": kind, "index": index}})}


TWO = {"worker": ["host1:2222", "host2:2222"]}


def test_no_tf_config_or_one_worker_is_a_single_process():
    for environ in ({}, {"TF_CONFIG": ""}, {"TF_CONFIG": "  "}, config({"worker": ["localhost:1"]})):
        assert not is_multi_worker(environ) and is_chief(environ)
    assert cluster_spec({}) is None


def test_two_workers_worker_0_is_chief():
    assert is_multi_worker(config(TWO)) and is_chief(config(TWO))
    assert not is_chief(config(TWO, index=1)) and worker_temp_name(config(TWO, index=1)) == "workertemp_1"
    spec = cluster_spec(config(TWO, index=1))
    assert spec.num_workers == 2 and spec.task_id == 1 and spec.cluster == {"worker": ("host1:2222", "host2:2222")}


def test_a_chief_task_is_chief_and_workers_count_after_it():
    cluster = {"chief": ["host0:2222"], "worker": ["host1:2222"]}
    assert is_chief(config(cluster, "chief")) and not is_chief(config(cluster, "worker", 0))
    assert cluster_spec(config(cluster, "worker", 0)).task_id == 1 and is_multi_worker(config(cluster, "chief"))


@pytest.mark.parametrize("text, message", [
    ("{cluster", r"TF_CONFIG: expected JSON like \{.*\}, found '\{cluster' \(Expecting property name"),
    ('["a"]', r'TF_CONFIG: expected an object with a non-empty "cluster"'),
    ('{"task": {"type": "worker", "index": 0}}', r'non-empty "cluster"'),
    ('{"cluster": {"ps": ["h:1"]}, "task": {"type": "ps", "index": 0}}',
     r"TF_CONFIG: expected cluster task types among \['chief', 'worker'\].*, found 'ps'"),
    ('{"cluster": {"worker": "h:1"}, "task": {"type": "worker", "index": 0}}',
     r'expected cluster\["worker"\] a non-empty list of "host:port" strings, found "h:1"'),
    ('{"cluster": {"worker": ["h"]}, "task": {"type": "worker", "index": 0}}', r'"host:port" strings, found \["h"\]'),
    ('{"cluster": {"worker": ["h:1", "h:2"]}}', r'TF_CONFIG: expected "task": \{"type": one of \[\'worker\'\]'),
    ('{"cluster": {"worker": ["h:1", "h:2"]}, "task": {"type": "chief", "index": 0}}', r'"type": one of'),
    ('{"cluster": {"worker": ["h:1", "h:2"]}, "task": {"type": "worker", "index": 2}}',
     r'expected "task" "index" an int in 0..1'),
    ('{"cluster": {"worker": ["h:1", "h:2"]}, "task": {"type": "worker", "index": "0"}}', r'an int in 0..1'),
    ('{"cluster": {"chief": ["h:1", "h:2"]}, "task": {"type": "chief", "index": 0}}', r'at most one "chief"'),
])
def test_a_malformed_tf_config_is_one_clear_line(text, message):
    with pytest.raises(ValueError, match=message) as error:
        parse_tf_config(text)
    assert "\n" not in str(error.value) and str(error.value).startswith("TF_CONFIG: expected ")


def test_the_strategy_is_the_default_one_without_a_cluster_and_a_malformed_config_stops_it(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert distribute.strategy() is tf.distribute.get_strategy()
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["localhost:1"]}, "task": {"type": "worker", "index": 0}}')
    assert distribute.strategy().num_replicas_in_sync == 1
    monkeypatch.setenv("TF_CONFIG", "not json")
    with pytest.raises(ValueError, match="TF_CONFIG: expected JSON"):
        distribute.strategy()


def test_a_multi_worker_config_after_the_first_op_says_when_to_create_the_strategy(monkeypatch):
    tf.constant(1.0) + 1.0  # this process has run ops: too late to configure the collectives
    monkeypatch.setenv("TF_CONFIG", config({"worker": ["localhost:1", "localhost:2"]})["TF_CONFIG"])
    monkeypatch.setattr(distribute, "_strategy", None)
    with pytest.raises(RuntimeError, match=r"must be created before TensorFlow runs its first op.*strategy\(\)"):
        distribute.strategy()


def test_only_the_chief_saves_into_the_checkpoint_folder_itself(tmp_path):
    assert distribute.save_dir(tmp_path, {}) == tmp_path
    assert distribute.save_dir(tmp_path, config(TWO, index=0)) == tmp_path
    assert distribute.save_dir(tmp_path, config(TWO, index=1)) == tmp_path / "workertemp_1"


def test_what_is_not_distributed_says_so_once_and_only_on_a_cluster(monkeypatch, capsys):
    monkeypatch.setattr(distribute, "_noticed", set())
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert not distribute.notice_not_distributed("optimize_variable", "one variable")
    monkeypatch.setenv("TF_CONFIG", config(TWO, index=1)["TF_CONFIG"])
    assert distribute.notice_not_distributed("optimize_variable", "one variable")
    assert not distribute.notice_not_distributed("optimize_variable", "one variable")
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["tf-course: optimize_variable runs on every worker alone, not distributed (one variable); "
                     "only the chief's results are kept"]


def test_a_trainer_without_tf_config_has_no_strategy_and_a_malformed_one_stops_it(monkeypatch):
    import keras

    from tf_course.train import Trainer

    def build() -> keras.Model:
        inputs = keras.Input((3,))
        return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))

    monkeypatch.delenv("TF_CONFIG", raising=False)
    trainer = Trainer(build, keras.losses.binary_crossentropy, lambda: keras.optimizers.SGD(0.1))
    assert trainer.strategy is tf.distribute.get_strategy() and not trainer.multi_worker and trainer._plain
    monkeypatch.setenv("TF_CONFIG", "not json")
    with pytest.raises(ValueError, match="TF_CONFIG: expected JSON"):
        Trainer(build, keras.losses.binary_crossentropy, lambda: keras.optimizers.SGD(0.1))


def test_workers_that_found_different_checkpoints_stop_with_one_clear_line(monkeypatch, tmp_path):
    strategy = tf.distribute.get_strategy()
    distribute.require_same_checkpoint(strategy, 3, tmp_path)  # one worker: always the same
    monkeypatch.setattr(distribute, "consistent_across_workers", lambda distribution, value: False)
    with pytest.raises(ValueError, match=rf"{tmp_path}: expected every worker to find the same checkpoint there, "
                                         r"found different ones .*--restart"):
        distribute.require_same_checkpoint(strategy, 3, tmp_path)
