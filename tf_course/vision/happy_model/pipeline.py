"""Pipeline ``happy_model``: Happy House images -> HappyModel compile/fit/evaluate -> metrics -> export.

The course's 2024 settings: adam (Keras defaults), binary cross-entropy, 10 epochs of batch 16,
then ``evaluate`` on the test set. Without the course files (``train_happy.h5`` /
``test_happy.h5``) the data is the synthetic smiling-or-not faces of the same shapes
(:func:`tf_course.data.synthetic.synthetic_happy_dataset`); the report's ``data_source`` says which.
The export takes uint8 ``images`` (batch, 64, 64, 3) and returns ``probabilities`` (batch, 2):
P(not smiling), P(smiling).
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from tf_course.data.course_h5 import ImageDataset
from tf_course.data.datasets import load_happy_dataset
from tf_course.export.serving import export_image_classifier
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.train.fit import FitResult, fit_image_classifier

from .model import build_happy_model

NAME = "happy_model"
EPOCHS = 10
BATCH_SIZE = 16
QUICK_EPOCHS = 2


def train_happy_model(
    data: ImageDataset, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE, verbose: int = 0,
    checkpoint_dir: Path | None = None,
) -> tuple[keras.Model, FitResult]:
    """Build HappyModel, then compile (adam, binary cross-entropy), fit and evaluate it as the course does.

    Args:
        data: ``.train`` / ``.test`` with x uint8 (m, 64, 64, 3) and y (m,) in {0, 1}.
        verbose: ``fit``'s verbosity.
        checkpoint_dir: save after every epoch and resume from there (None: no checkpoints).
    """

    def labels(y: np.ndarray) -> np.ndarray:
        return y.reshape(-1, 1).astype(np.float32)  # (m,) -> (m, 1), the course's Y_train = Y_train_orig.T

    model = build_happy_model(data.train.x.shape[1:])
    result = fit_image_classifier(model, (data.train.x, labels(data.train.y)), (data.test.x, labels(data.test.y)),
                                  "binary_crossentropy", epochs, batch_size, verbose,
                                  checkpoint_dir=checkpoint_dir)
    return model, result


def run(ctx: RunContext) -> PipelineOutput:
    """Train HappyModel with the course's settings (2 epochs with ``quick``), evaluate, export."""
    data = load_happy_dataset(ctx.data_dir, seed=ctx.seed)
    epochs = QUICK_EPOCHS if ctx.quick else EPOCHS
    model, fit = train_happy_model(data, epochs, BATCH_SIZE, verbose=2 if ctx.verbose else 0,
                                   checkpoint_dir=ctx.checkpoint_dir())
    metrics = {
        "train_accuracy": fit.history.history["accuracy"][-1],  # the last epoch of fit, as the course reports it
        "test_accuracy": fit.test_accuracy,
        "test_loss": fit.test_loss,
        "params": int(model.count_params()),
        "epochs": epochs,
        "epoch_losses": fit.history.history["loss"],
        "epoch_accuracies": fit.history.history["accuracy"],
        "images_per_second": fit.images_per_second,
    }
    data_source = {"happy": data.source}
    result = export_image_classifier(NAME, model, ctx.out_dir, data.test.x[:8], metrics=metrics,
                                     data_source=data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
