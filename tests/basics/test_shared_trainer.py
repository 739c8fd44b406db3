"""basics.mlp's shared compiled loop: the numbers of a fresh Trainer, one trace per architecture, no retracing."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tf_course.basics import mlp
from tf_course.basics.twins import build_from_course_parameters, train_from_course_parameters
from tf_course.scratch.initialization import initialize_parameters_he, initialize_parameters_random
from tf_course.train import Trainer
from tf_course.train.seeds import set_seed

DIMS = [2, 10, 5, 1]
RNG = np.random.default_rng(0)
X = RNG.normal(size=(120, 2))  # (m, n_x)
Y = (X[:, :1] * X[:, 1:] > 0).astype(float)  # (m, 1)


def _fresh_trainer_run(build, iterations: int) -> tuple[list[float], list[np.ndarray]]:
    """What train_full_batch did before sharing: a new Trainer per call."""
    m = X.shape[0]
    dataset = tf.data.Dataset.from_tensor_slices((X.astype(np.float32), Y.astype(np.float32))).batch(m).cache()
    trainer = Trainer(build, keras.losses.binary_crossentropy, lambda: keras.optimizers.SGD(0.1))
    # the dataset loop: train_full_batch's fit_full_batch must give its numbers bit for bit
    history = trainer.fit(dataset, iterations, checkpoint_every=max(1, iterations // 10), verbose=False)
    return history.history["loss"], trainer.model.get_weights()


def test_shared_trainer_gives_a_fresh_trainers_numbers_with_one_trace():
    mlp._SHARED_TRAINERS.clear()
    models = []
    for init in (initialize_parameters_random, initialize_parameters_he, initialize_parameters_random):
        parameters = init(DIMS)
        for dropout in (0.0, 0.2):  # with dropout the loop is not shared (the generator is the model's)
            def build(p=parameters, d=dropout):
                return build_from_course_parameters(p, dropout_rate=d)
            set_seed(5)
            losses, weights = _fresh_trainer_run(build, 30)
            set_seed(5)
            model, history = mlp.train_full_batch(build, X, Y, lambda: keras.optimizers.SGD(0.1), 30, verbose=False)
            assert history.history["loss"] == losses
            for ours, fresh in zip(model.get_weights(), weights):
                np.testing.assert_array_equal(ours, fresh)
            models.append(model)
    assert len(mlp._SHARED_TRAINERS) == 1  # one architecture without dropout
    (trainer,) = mlp._SHARED_TRAINERS.values()
    assert trainer.tracing_count == 1  # three runs, one trace
    assert len({id(m) for m in models}) == len(models) and all(m is not trainer.model for m in models)
    assert not np.array_equal(models[0].get_weights()[0], models[2].get_weights()[0])  # each kept its own weights


def test_twins_with_steps_per_call_share_the_loop_and_keep_their_numbers():
    mlp._SHARED_TRAINERS.clear()
    runs = [train_from_course_parameters(initialize_parameters_he(DIMS), X, Y, 0.1, 40, verbose=False,
                                         steps_per_call=10) for _ in range(2)]
    assert runs[0][1].history == runs[1][1].history and runs[0][1].epoch == [0, 10, 20, 30]
    (trainer,) = mlp._SHARED_TRAINERS.values()
    assert trainer.tracing_count == 1


def test_keras_binary_accuracy_calls_the_model_without_retracing():
    model = build_from_course_parameters(initialize_parameters_he(DIMS))
    Xc, Yc = X.T, Y.T  # course layout (n_x, m), (1, m)
    expected = float(np.mean((model(Xc.T.astype(np.float32)).numpy().reshape(1, -1) > 0.5) == (Yc > 0.5)))
    assert mlp.keras_binary_accuracy(model, Xc, Yc) == expected
    assert mlp.keras_binary_accuracy(model, Xc[:, :7], Yc[:, :7]) == float(
        np.mean((model(Xc[:, :7].T.astype(np.float32)).numpy().reshape(1, -1) > 0.5) == (Yc[:, :7] > 0.5)))
    assert model.predict_function is None  # no compiled predict step was built
