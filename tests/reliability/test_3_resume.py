"""Issue 11 item 3: a training killed with SIGKILL resumes from its last checkpoint and ends with the
same weights and history as an uninterrupted run with the same seed.

Each test runs this file as a script in subprocesses: a small model on 96 shuffled uint8 images
(batches of 32, the order reshuffled every epoch, Adam), one line ``epoch K`` printed after each
epoch. The first process is killed with SIGKILL when it prints ``epoch 2``; a second one resumes
from the checkpoint folder; a third (run alongside the first) trains without checkpoints. Path "fit":
``tf_course.train.fit_resumable`` (``model.fit`` + ``EpochCheckpoint``); path "loop": the compiled
:class:`tf_course.train.Trainer` with ``checkpoint_dir``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EPOCHS = 6
KILL_AT = 2
SCRIPT = Path(__file__).resolve()


def _train(path: str, checkpoint_dir: str | None, out: str) -> None:
    """The script body: train, print ``epoch K`` after each epoch, save weights and history to ``out``."""
    import keras

    from tf_course.data.images import image_dataset
    from tf_course.train import Trainer, fit_resumable, set_seed
    from tf_course.train.checkpoints import read_state

    set_seed(3)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (96, 8, 8, 3), dtype=np.uint8)
    labels = (images.reshape(96, -1).mean(axis=1) > 127.5).astype(np.int64)
    if checkpoint_dir is not None:
        found = read_state(checkpoint_dir) if path == "fit" else None
        print(f"start {found[0] if found else 0}", flush=True)

    def build() -> keras.Model:
        return keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(16, "relu"),
                                 keras.layers.Dense(2, "softmax")])

    class Printer(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            print(f"epoch {epoch + 1}", flush=True)

    if path == "fit":
        model = build()
        model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
        dataset = image_dataset(images, labels, 32, shuffle=True)
        history = fit_resumable(model, dataset, EPOCHS, checkpoint_dir, callbacks=[Printer()], shuffle=False,
                                verbose=0)
    else:
        trainer = Trainer(build, keras.losses.sparse_categorical_crossentropy, lambda: keras.optimizers.Adam(0.01))
        model = trainer.model
        dataset = image_dataset(images, labels, 32, shuffle=True)
        history = trainer.fit(dataset, EPOCHS, checkpoint_dir=checkpoint_dir, verbose=False,
                              on_epoch_end=lambda epoch, logs: print(f"epoch {epoch + 1}", flush=True))
    np.savez(out, *model.get_weights())
    Path(out).with_suffix(".json").write_text(json.dumps({"epoch": history.epoch, "history": history.history}))


def _command(path: str, checkpoint_dir: Path | None, out: Path) -> list[str]:
    return [sys.executable, str(SCRIPT), path, str(checkpoint_dir or "-"), str(out)]


def _env() -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}


def _run(path: str, checkpoint_dir: Path | None, out: Path) -> list[str]:
    done = subprocess.run(_command(path, checkpoint_dir, out), env=_env(), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split("\n")


def _run_and_kill(path: str, checkpoint_dir: Path, out: Path) -> list[str]:
    """Start training, SIGKILL it as soon as it prints ``epoch KILL_AT``; return what it printed."""
    process = subprocess.Popen(_command(path, checkpoint_dir, out), env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.strip())
            if line.strip() == f"epoch {KILL_AT}":
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, (process.returncode, lines)
    return lines


def _load(out: Path) -> tuple[list[np.ndarray], dict]:
    with np.load(out) as weights:
        arrays = [weights[f"arr_{i}"] for i in range(len(weights.files))]
    return arrays, json.loads(out.with_suffix(".json").read_text())


@pytest.mark.parametrize("path", ["fit", "loop"])
def test_sigkill_then_resume_equals_uninterrupted(path: str, tmp_path: Path) -> None:
    checkpoints = tmp_path / "checkpoints"
    plain_process = subprocess.Popen(_command(path, None, tmp_path / "plain.npz"), env=_env(),  # alongside
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed = _run_and_kill(path, checkpoints, tmp_path / "killed.npz")
    assert f"epoch {EPOCHS}" not in killed and not (tmp_path / "killed.npz").exists()
    resumed_lines = _run(path, checkpoints, tmp_path / "resumed.npz")
    printed = [int(line.split()[1]) for line in resumed_lines if line.startswith("epoch ")]
    # it resumed: the epochs before the kill (at least the first one, checkpointed before epoch 2 ended) are not redone
    assert printed and printed[0] > 1 and printed[-1] == EPOCHS, resumed_lines
    _, plain_errors = plain_process.communicate(timeout=120)
    assert plain_process.returncode == 0, plain_errors[-3000:]

    resumed, resumed_history = _load(tmp_path / "resumed.npz")
    plain, plain_history = _load(tmp_path / "plain.npz")
    assert len(resumed) == len(plain) == 4
    for a, b in zip(resumed, plain):
        np.testing.assert_array_equal(a, b)
    assert resumed_history == plain_history
    assert resumed_history["epoch"] == list(range(EPOCHS))


if __name__ == "__main__":
    sys.path.insert(0, str(SCRIPT.parents[2]))
    _train(sys.argv[1], None if sys.argv[2] == "-" else sys.argv[2], sys.argv[3])
