"""Pipeline ``resnet50``: SIGNS images -> the course's ResNet50, compile/fit/evaluate -> metrics -> export.

The course's settings: adam (Keras defaults), categorical cross-entropy on one-hot labels, batch
32, then ``evaluate`` on the test set. The course trains 10 epochs; on a 2-core CPU ResNet50 trains
at about 8-13 images/s (11.7 measured on an idle one), so the default here is :data:`EPOCHS` (a
run of about 12 minutes at 11.7 images/s, 15 at 9), and ``quick`` trains one epoch on
:data:`QUICK_TRAIN_EXAMPLES` images (a smoke run: the accuracy means nothing).

One step the course does not have: after ``fit`` the BatchNorm moving statistics are recomputed on
the training images (:func:`tf_course.train.fit.recalibrate_batch_norm`). The course's blocks
default to ``training=True``, which freezes BatchNorm in training mode (batch statistics even in
``evaluate``); here BatchNorm follows the model's mode, and after a few hundred steps its moving
averages (momentum 0.99) still lag far behind the weights: on the stand-in, test accuracy is at
chance (0.17) for three epochs, 0.60 after 6 and 0.867 after 7; recalibrated, the same weights give
0.908 and 0.975. Both numbers are reported (``test_accuracy_before_recalibration``).

Without the course's ``train_signs.h5`` + ``test_signs.h5`` the data is the stand-in, scikit-learn's
digits 0-5 as 64x64 RGB images (:func:`tf_course.data.synthetic.synthetic_signs_dataset`); the
report's ``data_source`` says which. The export takes uint8 ``images`` (batch, 64, 64, 3) and
returns ``probabilities`` (batch, 6).
"""

from __future__ import annotations

from pathlib import Path

import keras

from tf_course.data.course_h5 import ImageDataset
from tf_course.data.datasets import load_signs_dataset
from tf_course.export.serving import export_image_classifier
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.train.fit import FitResult, fit_image_classifier

from .model import build_resnet50

NAME = "resnet50"
EPOCHS = 7
BATCH_SIZE = 32
QUICK_EPOCHS = 1
QUICK_TRAIN_EXAMPLES = 64


def train_resnet50(
    data: ImageDataset,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    train_examples: int | None = None,
    verbose: int = 0,
    jit_compile: bool | str = "auto",
    recalibrate: bool = True,
    checkpoint_dir: Path | None = None,
) -> tuple[keras.Model, FitResult]:
    """Build ResNet50 for ``data``'s classes, compile (adam, categorical cross-entropy), fit, evaluate.

    Args:
        data: ``.train`` / ``.test`` with x uint8 (m, 64, 64, 3) and y (m,) class indices.
        train_examples: train on the first this many training images only (None: all).
        verbose: ``fit``'s verbosity.
        recalibrate: recompute the BatchNorm moving statistics on the training images after ``fit``
            (evaluated before and after).
        checkpoint_dir: save after every epoch and resume from there (None: no checkpoints).
    """
    classes = len(data.train.classes)
    x_train, y_train = data.train.x[:train_examples], data.train.y[:train_examples]
    model = build_resnet50(data.train.x.shape[1:], classes=classes)
    result = fit_image_classifier(
        model,
        (x_train, keras.utils.to_categorical(y_train, classes)),  # one-hot (m, classes), as the course
        (data.test.x, keras.utils.to_categorical(data.test.y, classes)),
        "categorical_crossentropy", epochs, batch_size, verbose, jit_compile, recalibrate,
        checkpoint_dir=checkpoint_dir,
    )
    return model, result


def run(ctx: RunContext) -> PipelineOutput:
    """Train ResNet50 (:data:`EPOCHS` epochs; a short subset run with ``quick``), evaluate, export."""
    data = load_signs_dataset(ctx.data_dir, seed=ctx.seed)
    epochs = QUICK_EPOCHS if ctx.quick else EPOCHS
    train_examples = QUICK_TRAIN_EXAMPLES if ctx.quick else None
    model, fit = train_resnet50(data, epochs, BATCH_SIZE, train_examples, verbose=1 if ctx.verbose else 0,
                                checkpoint_dir=ctx.checkpoint_dir())
    metrics = {
        "test_accuracy": fit.test_accuracy,
        "test_loss": fit.test_loss,
        "test_accuracy_before_recalibration": fit.before_recalibration["test_accuracy"],
        "test_loss_before_recalibration": fit.before_recalibration["test_loss"],
        "params": int(model.count_params()),
        "layers": len(model.layers),
        "train_accuracy": fit.history.history["accuracy"][-1],  # the last epoch of fit
        "epochs": epochs,
        "train_examples": len(data.train.x[:train_examples]),
        "epoch_losses": fit.history.history["loss"],
        "epoch_accuracies": fit.history.history["accuracy"],
        "epoch_seconds": fit.epoch_seconds,
        "images_per_second": fit.images_per_second,  # steady steps: the first one traces and optimises the graph
        "first_epoch_overhead_seconds": fit.first_epoch_overhead,  # what that first step cost beyond its images
    }
    data_source = {"signs": data.source}
    result = export_image_classifier(NAME, model, ctx.out_dir, data.test.x[:8], metrics=metrics,
                                     data_source=data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
