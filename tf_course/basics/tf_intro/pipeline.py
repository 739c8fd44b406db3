"""Pipeline ``tf_intro``: SIGNS -> the C2W3 classifier (Keras, ``tf.function`` loop) -> metrics -> export.

The course's settings (TF1 notebook, train 0.999074 / test 0.716667 on SIGNS): 12288 -> 25 -> 12
-> 6 with ReLU and softmax, Xavier weights, Adam 0.0001, mini-batches of 32 reshuffled every
epoch, 1500 epochs. The default run keeps the 1500 epochs although they are slow on a CPU (about
0.17 CPU-seconds per epoch: 4.5 CPU-minutes, 6 minutes of wall time on a shared, busy 2-core
machine): the small learning rate needs them on the course data (the stand-in's cost is below
0.002 after 400 epochs). Quick mode trains ``QUICK_EPOCHS``.

Without ``train_signs.h5`` (not in the course snapshots) the digits stand-in is used
(``data_source``); its numbers are not the course's. The course's TF1 session functions,
rewritten for TF2, are in :mod:`.ops` (checked against the course's values by the tests).

The export takes uint8 ``images`` (batch, 64, 64, 3), flattens and scales them in the graph and
returns ``probabilities`` (batch, 6).
"""

from __future__ import annotations

import tensorflow as tf

from tf_course.data.datasets import load_signs_dataset
from tf_course.export import Signature, export_and_check
from tf_course.export.saved_model import SIGNATURE
from tf_course.export.serving import INPUT_NAME
from tf_course.pipeline import PipelineOutput, RunContext

from .model import categorical_accuracy, serving_fn, train_tf_intro

NAME = "tf_intro"
LEARNING_RATE = 0.0001
EPOCHS = 1500
MINIBATCH_SIZE = 32
QUICK_EPOCHS = 20
#: The course kept the epoch cost every this many epochs.
COST_EVERY = 5


def run(ctx: RunContext) -> PipelineOutput:
    """Train the classifier with the course's settings, evaluate, export it."""
    data = load_signs_dataset(ctx.data_dir, seed=ctx.seed)
    epochs = QUICK_EPOCHS if ctx.quick else EPOCHS
    model, history = train_tf_intro(data.train.x, data.train.y, epochs, MINIBATCH_SIZE, LEARNING_RATE,
                                    verbose=ctx.verbose, checkpoint_dir=ctx.checkpoint_dir())
    metrics = {
        "train_accuracy": categorical_accuracy(model, data.train.x, data.train.y),
        "test_accuracy": categorical_accuracy(model, data.test.x, data.test.y),
        "costs": history.history["loss"][::COST_EVERY],
        "params": int(model.count_params()),
    }
    data_source = {"signs": data.source}

    spec = tf.TensorSpec((None, *data.test.x.shape[1:]), tf.uint8, name=INPUT_NAME)
    signature = Signature(serving_fn(model), [spec], {INPUT_NAME: data.test.x[:8]})
    result = export_and_check(NAME, {SIGNATURE: signature}, [model], ctx.out_dir, metrics=metrics,
                              data_source=data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
