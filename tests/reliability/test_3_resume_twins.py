"""Issue 11 item 3: the Keras twins of initialization, regularization and optimization resume.

Each twin trains through the :class:`tf_course.train.Trainer` checkpoint (model, optimizer, epoch
counter, the dropout layers' ``SeedGenerator`` states, the history with the course's costs). Two
checks at small iteration counts (about 30 CPU-seconds together):

* a real SIGKILL of a subprocess training the regularization dropout twin right after its second
  checkpoint, then a re-run that resumes there and ends with the weights and cost history of an
  uninterrupted run (same seed), the pattern of test_3_resume.py. The masks after the resume must
  be the uninterrupted run's: without the generator states in the checkpoint they restart at the
  first step's masks and the numbers differ (by 3e-3 in the cost, 0.07 in a weight here);
* in-process, for the He initialization twin (full-batch steps) and the Adam twin (the course's
  mini-batches): the training is stopped right after its second checkpoint
  (``Trainer.save_checkpoint`` raises where a kill would stop it), a second call with the same
  folder continues from that checkpoint and ends with the uninterrupted run's numbers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest

from tf_course.train import History, Trainer, set_seed

SCRIPT = Path(__file__).resolve()
STEPS = 50  # full-batch iterations per compiled call (the pipelines use 1000)
ITERATIONS = 6 * STEPS
SEED = 5


def _initialization_he(checkpoint_dir: Path | None) -> tuple[keras.Model, History]:
    from tf_course.basics.initialization.pipeline import LAYERS_DIMS, LEARNING_RATE
    from tf_course.basics.twins import train_from_course_parameters
    from tf_course.data.generated import load_circles
    from tf_course.scratch.initialization import initialize_parameters_he

    train_X, train_Y, _, _ = load_circles()  # (2, 300), (1, 300)
    return train_from_course_parameters(initialize_parameters_he(LAYERS_DIMS), train_X.T, train_Y.T, LEARNING_RATE,
                                        ITERATIONS, name="initialization_he", verbose=False, steps_per_call=STEPS,
                                        checkpoint_dir=checkpoint_dir)


def _regularization_dropout(checkpoint_dir: Path | None) -> tuple[keras.Model, History]:
    from tf_course.basics.regularization.pipeline import HIDDEN_DIMS, KEEP_PROB, LEARNING_RATE
    from tf_course.basics.twins import train_from_course_parameters
    from tf_course.data.datasets import load_football_dataset
    from tf_course.scratch.regularization import initialize_parameters

    (train_X, train_Y, _, _), _ = load_football_dataset(None, seed=0)  # the synthetic stand-in
    set_seed(SEED)  # the dropout layer's seed is drawn when the model is built
    return train_from_course_parameters(initialize_parameters([2, *HIDDEN_DIMS, 1]), train_X.T, train_Y.T,
                                        LEARNING_RATE, ITERATIONS, dropout_rate=1.0 - KEEP_PROB,
                                        name="regularization_dropout", verbose=False, steps_per_call=STEPS,
                                        checkpoint_dir=checkpoint_dir)


def _optimization_adam(checkpoint_dir: Path | None) -> tuple[keras.Model, History]:
    from tf_course.basics.optimization.model import course_optimizer, train_with_course_minibatches
    from tf_course.basics.optimization.pipeline import LEARNING_RATE, MINI_BATCH_SIZE
    from tf_course.data.generated import load_moons

    X, Y = load_moons()  # (2, 300), (1, 300)
    # 300 epochs: compiled calls of 100 epochs, a checkpoint after each
    return train_with_course_minibatches(X.T, Y.T, lambda: course_optimizer("adam", LEARNING_RATE), 300,
                                         MINI_BATCH_SIZE, verbose=False, checkpoint_dir=checkpoint_dir)


#: Stopped and resumed in-process (the dropout twin is killed in a subprocess instead).
TWINS: dict[str, Callable[[Path | None], tuple[keras.Model, History]]] = {
    "initialization_he": _initialization_he,
    "optimization_adam": _optimization_adam,
}


class Stopped(Exception):
    """Raised right after a checkpoint was written, where a kill would stop the training."""


def _assert_same_numbers(got: tuple[keras.Model, History], want: tuple[keras.Model, History]) -> None:
    (model, history), (model_want, history_want) = got, want
    assert history.epoch == history_want.epoch
    np.testing.assert_allclose(history.history["loss"], history_want.history["loss"], rtol=1e-6, atol=1e-7)
    for a, b in zip(model.get_weights(), model_want.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("twin", list(TWINS))
def test_twin_stopped_after_a_checkpoint_resumes_to_the_uninterrupted_numbers(
    twin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train = TWINS[twin]
    uninterrupted = train(None)

    save, saves, restored = Trainer.save_checkpoint, [], []

    def save_then_stop(self: Trainer, manager, history: History, epochs_done: int) -> None:
        save(self, manager, history, epochs_done)
        saves.append(epochs_done)
        if len(saves) == 2:
            raise Stopped

    open_checkpoint = Trainer.open_checkpoint

    def open_and_record(self: Trainer, *args, **kwargs):
        opened = open_checkpoint(self, *args, **kwargs)
        restored.append(int(self.epoch.numpy()))
        return opened

    monkeypatch.setattr(Trainer, "save_checkpoint", save_then_stop)
    monkeypatch.setattr(Trainer, "open_checkpoint", open_and_record)
    folder = tmp_path / twin
    with pytest.raises(Stopped):
        train(folder)
    assert restored == [0] and len(saves) == 2 and (folder / "checkpoint").is_file()

    resumed = train(folder)
    assert restored[1] == saves[1] > 0  # continued after the second checkpoint, the epochs before not redone
    assert len(saves) > 2  # and went on saving to the end
    _assert_same_numbers(resumed, uninterrupted)


def _script(checkpoint_dir: str | None, out: str) -> None:
    """Subprocess body: train the dropout twin, print ``saved K`` after each checkpoint, save the numbers."""
    save = Trainer.save_checkpoint

    def save_and_print(self: Trainer, manager, history: History, epochs_done: int) -> None:
        save(self, manager, history, epochs_done)
        print(f"saved {epochs_done}", flush=True)

    Trainer.save_checkpoint = save_and_print
    open_checkpoint = Trainer.open_checkpoint

    def open_and_print(self: Trainer, *args, **kwargs):
        opened = open_checkpoint(self, *args, **kwargs)
        print(f"start {int(self.epoch.numpy())}", flush=True)
        return opened

    Trainer.open_checkpoint = open_and_print
    model, history = _regularization_dropout(None if checkpoint_dir is None else Path(checkpoint_dir))
    np.savez(out, *model.get_weights())
    Path(out).with_suffix(".json").write_text(json.dumps({"epoch": history.epoch, "loss": history.history["loss"]}))


def _command(checkpoint_dir: Path, out: Path) -> list[str]:
    return [sys.executable, str(SCRIPT), str(checkpoint_dir), str(out)]


def _env() -> dict[str, str]:
    # this checkout's tf_course, also where the installed package is a copy (the imports above run first)
    path = os.pathsep.join(p for p in (str(SCRIPT.parents[2]), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}


def test_dropout_twin_killed_with_sigkill_resumes_to_the_uninterrupted_numbers(tmp_path: Path) -> None:
    checkpoints, killed_out = tmp_path / "checkpoints", tmp_path / "killed.npz"
    process = subprocess.Popen(_command(checkpoints, killed_out), env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.strip())
            if line.strip() == "saved 2":
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, (process.returncode, lines)
    assert not killed_out.exists()

    uninterrupted = _regularization_dropout(None)  # in this process, the same seed
    resumed_out = tmp_path / "resumed.npz"
    done = subprocess.run(_command(checkpoints, resumed_out), env=_env(), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout.split()
    start = int(printed[printed.index("start") + 1])
    assert start >= 2, done.stdout  # resumed after the kill, the first two epochs not redone
    assert f"saved {ITERATIONS // STEPS}" in done.stdout

    with np.load(resumed_out) as weights:
        resumed_weights = [weights[f"arr_{i}"] for i in range(len(weights.files))]
    resumed = json.loads(resumed_out.with_suffix(".json").read_text())
    model, history = uninterrupted
    assert resumed["epoch"] == history.epoch
    np.testing.assert_allclose(resumed["loss"], history.history["loss"], rtol=1e-6, atol=1e-7)
    for a, b in zip(resumed_weights, model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


if __name__ == "__main__":
    _script(None if sys.argv[1] == "-" else sys.argv[1], sys.argv[2])
