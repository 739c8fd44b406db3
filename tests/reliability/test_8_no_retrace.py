"""Issue 11, item 8: many Trainers in one process trace once each and log no tf.function retracing warning.

TensorFlow's "N out of the last M calls to <function> triggered tf.function retracing" detector keys
every ``tf.function`` by its Python code: one ``tf.function`` per Trainer around the same loop
looked like one function retracing at every new Trainer. Each Trainer now traces a
ConcreteFunction once (``Trainer.compiled``) and calls it directly; the warning is not filtered,
so the handler below would see it.
"""

from __future__ import annotations

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.basics.optimization.model import PermutationTrainer, build_course_model, course_permutations
from tf_course.train import Trainer

RETRACING = "triggered tf.function retracing"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def tf_log():
    """Every message of TensorFlow's Python logger (``tensorflow``, where the retracing warning goes)."""
    logger = tf.get_logger()
    handler = _Records()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _data(m=16, n=3):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(m, n)).astype("float32")
    return x, (x[:, :1] > 0).astype("float32")


def _build(n=3):
    inputs = keras.Input((n,))
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros")(inputs))


def test_the_handler_sees_the_warning_of_a_function_made_again_per_model(tf_log):
    """The control: one tf.function per model around the same code (the old loop) is warned about."""
    x, _ = _data()

    def make_step(model):
        @tf.function
        def step(batch):
            return model(batch)

        return step

    for _ in range(6):
        make_step(_build())(x)
    assert any(RETRACING in message for message in tf_log)


def test_many_trainers_in_one_process_trace_once_each_and_log_no_retracing(tf_log):
    x, y = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    trainers = []
    for lr in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        trainer = Trainer(_build, keras.losses.binary_crossentropy, lambda lr=lr: keras.optimizers.SGD(lr))
        trainer.fit(dataset, epochs=3, verbose=False)
        trainer.fit(dataset, epochs=5, verbose=False)  # a second fit, a new iterator: no new trace
        trainers.append(trainer)
    full = []
    for lr in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        trainer = Trainer(_build, keras.losses.binary_crossentropy, lambda lr=lr: keras.optimizers.SGD(lr))
        for epochs in (3, 7, 9):
            trainer.fit_full_batch(x, y, epochs, verbose=False, epochs_per_call=2)
        full.append(trainer)
    assert [t.tracing_count for t in trainers + full] == [1] * 12
    assert not [message for message in tf_log if RETRACING in message]


def test_permutation_trainers_trace_once_each_and_log_no_retracing(tf_log):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2)).astype("float32")  # (m, n_x)
    Y = (X[:, :1] * X[:, 1:] > 0).astype("float32")
    orders = course_permutations(40, 4, mini_batch_size=16)
    trainers = []
    for optimizer in (lambda: keras.optimizers.SGD(0.1), lambda: keras.optimizers.SGD(0.1, momentum=0.9),
                      lambda: keras.optimizers.Adam(0.01)) * 2:
        trainer = PermutationTrainer(lambda: build_course_model([2, 4, 3, 1]), keras.losses.binary_crossentropy,
                                     optimizer)
        trainer.fit_permutations(X, Y, orders[:2], mini_batch_size=16, chunk=1, verbose=False)
        trainer.fit_permutations(X, Y, orders, mini_batch_size=16, chunk=1, verbose=False)  # continues at 2
        trainers.append(trainer)
    assert [t.tracing_count for t in trainers] == [1] * 6
    assert [int(t.epoch.numpy()) for t in trainers] == [4] * 6
    assert not [message for message in tf_log if RETRACING in message]
