"""Issue 11 item 3: pipelines train through their run's checkpoint folder (``RunContext.checkpoint_dir``).

Fast checks only (tiny models, a few steps): the Keras twins of the basics pipelines
(``deep_nn.train_twins`` -> ``train_from_course_parameters`` -> ``train_full_batch`` -> ``Trainer.fit``)
and the YOLO toy detector (``train_toy_detector`` -> ``fit_resumable``) write their checkpoint
under ``ctx.checkpoint_dir(...)``, and a second call with that folder resumes from it instead of
training again. The SIGKILL-then-resume equality of the two mechanisms is tests/reliability/test_3_resume.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tf_course.basics.twins import train_from_course_parameters
from tf_course.pipeline import RunContext
from tf_course.train import set_seed


def _context(tmp_path: Path) -> RunContext:
    return RunContext(data_dir=None, out_dir=tmp_path / "out", quick=True,
                      checkpoint_root=tmp_path / "out" / ".checkpoints" / "deep_nn" / "quick-seed0-standin")


def _course_problem() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    parameters = {"W1": rng.normal(0, 0.5, (3, 4)), "b1": np.zeros((3, 1)),
                  "W2": rng.normal(0, 0.5, (1, 3)), "b2": np.zeros((1, 1))}
    X = rng.normal(size=(32, 4))  # (m, n_x)
    Y = (X[:, :1] + X[:, 1:2] > 0).astype(np.float64)  # (m, 1)
    return parameters, X, Y


def test_twin_trainer_checkpoints_under_the_run_folder_and_resumes(tmp_path: Path) -> None:
    parameters, X, Y = _course_problem()
    folder = _context(tmp_path).checkpoint_dir("two_layer")
    model, history = train_from_course_parameters(parameters, X, Y, 0.5, 10, verbose=False, checkpoint_dir=folder)

    saved = json.loads((folder / "history.json").read_text(encoding="utf-8"))
    assert saved["epoch"] == list(range(10))
    assert saved["history"]["loss"] == history.history["loss"]
    assert (folder / "checkpoint").is_file() and list(folder.glob("ckpt-10.index"))

    # All 10 iterations are in the checkpoint: a second call trains nothing (other data would change
    # the weights) and returns the saved weights and history.
    again, again_history = train_from_course_parameters(parameters, np.zeros_like(X), 1.0 - Y, 0.5, 10,
                                                        verbose=False, checkpoint_dir=folder)
    assert again_history.history == history.history
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)

    # Asking for 20 continues from iteration 10 and ends where an uninterrupted 20-iteration run ends.
    resumed, resumed_history = train_from_course_parameters(parameters, X, Y, 0.5, 20, verbose=False,
                                                            checkpoint_dir=folder)
    straight, straight_history = train_from_course_parameters(parameters, X, Y, 0.5, 20, verbose=False)
    assert resumed_history.epoch == list(range(20))
    assert resumed_history.history["loss"] == straight_history.history["loss"]
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_toy_detector_checkpoints_under_the_run_folder_and_resumes(tmp_path: Path) -> None:
    from tf_course.detection.data import load_detection_splits
    from tf_course.detection.train import train_toy_detector

    set_seed(0)
    train, _ = load_detection_splits(0, 16, 1)
    folder = _context(tmp_path).checkpoint_dir("toy")
    model, history = train_toy_detector(train, epochs=1, batch_size=8, checkpoint_dir=folder)
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    assert state["epoch"] == 1 and (folder / state["weights"]).is_file()
    assert state["history"]["history"]["loss"] == history.history["loss"]

    # The checkpoint holds the one epoch asked for: a fresh detector given the folder is loaded, not trained.
    again, again_history = train_toy_detector(train, epochs=1, batch_size=8, checkpoint_dir=folder)
    assert again_history.history == history.history
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
