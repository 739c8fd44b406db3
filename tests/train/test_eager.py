"""tf_course.train.eager: a short fit (opted in) runs eagerly, with Keras' eager numbers, and resumes as it ran."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.data.images import image_dataset
from tf_course.train import fit_resumable, set_seed
from tf_course.train.eager import EAGER_MAX_STEPS, eager_if_few_steps, fit_steps, runs_eagerly

IMAGES = np.random.default_rng(0).integers(0, 256, (40, 4, 4, 3), dtype=np.uint8)
LABELS = (np.arange(40) % 2).astype(np.float32).reshape(-1, 1)


class Stop(keras.callbacks.Callback):
    """Raises at the end of epoch ``at`` (before the checkpoint of that epoch is written), like a kill."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if epoch + 1 == self.at:
            raise KeyboardInterrupt


def _model(run_eagerly: bool = False) -> tuple[keras.Model, list[bool]]:
    """A tiny classifier whose ``train_step`` records, per Python execution, whether it ran eagerly."""
    set_seed(1)
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(1, "sigmoid")])
    eager: list[bool] = []
    step = model.train_step
    model.train_step = lambda data: eager.append(tf.executing_eagerly()) or step(data)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"], run_eagerly=run_eagerly)
    return model, eager


def _dataset() -> tf.data.Dataset:
    return image_dataset(IMAGES, LABELS, 16, shuffle=True)  # batches of 16, 16, 8


def test_fit_steps_counts_the_whole_training():
    assert fit_steps(_dataset(), 3) == 9 and fit_steps(_dataset(), 1) == 3
    assert fit_steps(_dataset().repeat(), 3) is None  # infinite
    assert fit_steps(_dataset().filter(lambda x, y: True), 3) is None  # unknown
    assert runs_eagerly(EAGER_MAX_STEPS) and not runs_eagerly(EAGER_MAX_STEPS + 1) and not runs_eagerly(None)


def test_a_short_fit_runs_eagerly_with_kerass_eager_numbers():
    model, eager = _model()
    history = fit_resumable(model, _dataset(), 3, verbose=0, eager_when_short=True).history  # 9 steps
    assert eager == [True] * 9  # every step ran in Python, none was traced
    assert model.run_eagerly is False and model.train_function is None  # later fits trace as compiled
    reference, reference_eager = _model(run_eagerly=True)
    expected = reference.fit(_dataset(), epochs=3, verbose=0, shuffle=False).history
    assert reference_eager == [True] * 9
    assert history["loss"] == expected["loss"] and history["accuracy"] == expected["accuracy"]


@pytest.mark.parametrize(("epochs", "opt_in"), [(4, True), (3, False)])
def test_a_longer_fit_or_no_opt_in_traces_once(epochs, opt_in):
    model, eager = _model()
    fit_resumable(model, _dataset(), epochs, verbose=0, eager_when_short=opt_in)
    assert eager == [False]  # one trace, then the graph


def test_a_model_compiled_eagerly_stays_eager():
    model, _ = _model(run_eagerly=True)
    with eager_if_few_steps(model, 100) as eager:
        assert eager is True and model.run_eagerly is True
    assert model.run_eagerly is True


def test_a_resume_decides_on_the_whole_training_not_on_what_is_left(tmp_path):
    """4 epochs (12 steps: traced), stopped in epoch 3 (checkpoint of epoch 2), resumed: the 6 steps left
    are traced too, as in the first process, and the numbers are those of one uninterrupted run."""
    model, _ = _model()
    uninterrupted = fit_resumable(model, _dataset(), 4, tmp_path / "a", verbose=0, eager_when_short=True)
    model, eager = _model()
    with pytest.raises(KeyboardInterrupt):
        fit_resumable(model, _dataset(), 4, tmp_path / "b", callbacks=[Stop(3)], verbose=0, eager_when_short=True)
    assert eager == [False]
    model, eager = _model()
    resumed = fit_resumable(model, _dataset(), 4, tmp_path / "b", verbose=0, eager_when_short=True)
    assert eager == [False] and len(resumed.history["loss"]) == 4
    assert resumed.history["loss"] == uninterrupted.history["loss"]
    assert resumed.history["accuracy"] == uninterrupted.history["accuracy"]
