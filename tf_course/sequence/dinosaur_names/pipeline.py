"""Pipeline ``dinosaur_names``: the course's NumPy character model, its Keras 3 twin, a name-sampler export.

Data: the course's ``dinosaur/dinos.txt`` under ``--data-dir``; otherwise 1,500 made-up names
from :func:`tf_course.data.names.generate_names` (seeded syllable rules; not the course's data,
so the course's numbers do not apply).

1. The course's ``model`` (:mod:`tf_course.scratch.dinosaur`) on all names, as the course: 22,001
   iterations (its newest notebook), the smoothed loss and 7 names (seeds 0-6) every 2,000.
   ``scratch_loss`` is the last smoothed loss (the course printed 22.728886; here 22.747028: the
   course's own runs agree only to about 14,000 iterations, see the reference sheet).
2. Held-out comparison: 10% of the names (a fixed permutation) are held out; the same NumPy
   ``model`` trained on the others gives ``scratch_perplexity``, and the Keras twin (Embedding ->
   GRU -> Dense, Adam, ``model.fit``, early stopping on a validation tenth of the training names)
   ``keras_perplexity``: per-character perplexity of the held-out names, each ending with its
   newline, from a zero state.
3. Export (:class:`~.model.NameSampler`): ``serving_default(count int32, temperature float32,
   seed int64) -> names`` string ``(count,)``, ``ids`` int32 ``(count, 50)`` and ``lengths``
   ``(count,)``, sampled in the graph (the same names for a
   seed, in memory or reloaded); ``next_char(prefixes string (batch,)) -> probabilities (batch, 27)``
   (index 0 = end of name, 1..26 = a..z).

Seeds are fixed (the course's for NumPy; 0 for the Keras twin and the reported samples): only the
made-up stand-in names depend on ``--seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.data.names import Names, load_names
from tf_course.export import Signature, export_and_check
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import dinosaur
from tf_course.sequence.dinosaur_names.model import (
    NameSampler,
    build_name_model,
    compile_name_model,
    encode_names,
    keras_perplexity,
    sample_names,
)
from tf_course.train import History, fit_resumable

NAME = "dinosaur_names"
ITERATIONS = 22001  # the course's newest notebook: model(..., 22001)
QUICK_ITERATIONS = 1001
REPORT_EVERY = 2000
QUICK_REPORT_EVERY = 500
HELD_OUT_FRACTION = 0.1
UNITS = 64
EMBED_DIM = 16
EPOCHS = 30
QUICK_EPOCHS = 3
BATCH_SIZE = 64
PATIENCE = 3
SAMPLE_SEED = 0


@dataclass
class DinoRun:
    """Everything the notebook plots: the data, the NumPy runs, the Keras twin and its history."""

    data: Names
    train_names: list[str]
    held_out: list[str]
    course_record: dinosaur.ModelRun
    scratch_smoothed: list[float]
    scratch_parameters: dict[str, np.ndarray]
    scratch_held_out_parameters: dict[str, np.ndarray]
    model: keras.Model
    history: History
    sampler: NameSampler


def split_names(names: list[str], fraction: float = HELD_OUT_FRACTION) -> tuple[list[str], list[str]]:
    """``(train, held_out)``: a fixed permutation (seed 0) holds out ``fraction`` of the names (at least one)."""
    if len(names) < 2:
        raise ValueError(f"split_names: expected at least 2 names, found {len(names)}")
    order = np.random.default_rng(0).permutation(len(names))
    n_held = max(1, int(round(len(names) * fraction)))
    return [names[i] for i in sorted(order[n_held:])], [names[i] for i in sorted(order[:n_held])]


def train_keras_twin(train_names: list[str], epochs: int, seed: int = 0, verbose: bool = False,
                     checkpoint_dir: Any = None) -> tuple[keras.Model, History]:
    """Fit the Keras twin (GRU, Adam 0.01) on ``train_names``; ``(model, history)``.

    10% of ``train_names`` (:func:`split_names`) are kept for validation: training stops when the
    validation loss has not improved for ``PATIENCE`` epochs and keeps the best epoch's weights
    (on the course's names the best is near epoch 10 of 30; later epochs overfit).
    """
    keras.utils.set_random_seed(seed)
    model = compile_name_model(build_name_model(UNITS, EMBED_DIM, "gru", seed=seed))
    fit_names, validation_names = split_names(train_names)
    inputs, targets, weights = encode_names(fit_names)
    dataset = (tf.data.Dataset.from_tensor_slices((inputs, targets, weights))
               .shuffle(len(fit_names), seed=seed).batch(BATCH_SIZE))
    validation = tf.data.Dataset.from_tensor_slices(encode_names(validation_names)).batch(256)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=PATIENCE, restore_best_weights=True)
    history = fit_resumable(model, dataset, epochs, checkpoint_dir, callbacks=[stop], validation_data=validation,
                            verbose=2 if verbose else 0)
    return model, history


def export_sampler(sampler: NameSampler, out_dir: Any, metrics: dict[str, Any], data_source: dict[str, str]) -> str:
    """Export ``sampler``'s two signatures (checked in a fresh process); the export's path."""
    sample_specs = [tf.TensorSpec((), tf.int32, name="count"), tf.TensorSpec((), tf.float32, name="temperature"),
                    tf.TensorSpec((), tf.int64, name="seed")]
    signatures = {
        "serving_default": Signature(lambda count, temperature, seed: sampler.sample(count, temperature, seed),
                                     sample_specs, {"count": 16, "temperature": 1.0, "seed": 7}, atol=0.0),
        "next_char": Signature(lambda prefixes: sampler.next_char(prefixes),
                               [tf.TensorSpec((None,), tf.string, name="prefixes")],
                               {"prefixes": np.array([b"", b"tyranno", b"Veloci"])}, atol=1e-6),
    }
    result = export_and_check(NAME, signatures, [sampler.model], out_dir, metrics=metrics, data_source=data_source,
                              manifest_extra={"vocabulary": ["\\n", *"abcdefghijklmnopqrstuvwxyz"]})
    return str(result.path)


def run_with_models(ctx: RunContext) -> tuple[PipelineOutput, DinoRun]:
    """:func:`run`, also returning the trained models (for the notebook and tests)."""
    data = load_names(ctx.data_dir, seed=ctx.seed)
    char_to_ix, ix_to_char = dinosaur.vocabulary()
    iterations = QUICK_ITERATIONS if ctx.quick else ITERATIONS
    every = QUICK_REPORT_EVERY if ctx.quick else REPORT_EVERY

    record, smoothed = dinosaur.ModelRun(), []
    parameters, last_name = dinosaur.model(data.names, ix_to_char, char_to_ix, iterations, record=record,
                                           report_every=every, verbose=ctx.verbose,
                                           progress=lambda j, loss: smoothed.append(loss))
    train_names, held_out = split_names(data.names)
    held_parameters, _ = dinosaur.model(train_names, ix_to_char, char_to_ix, iterations, report_every=iterations)
    model, history = train_keras_twin(train_names, QUICK_EPOCHS if ctx.quick else EPOCHS, 0, ctx.verbose,
                                      ctx.checkpoint_dir("keras_gru"))
    sampler = NameSampler(model)

    metrics: dict[str, Any] = {
        "scratch_loss": float(smoothed[-1]),
        "scratch_losses": [float(v) for v in record.losses],
        "scratch_losses_to_14000": [float(v) for j, v in zip(record.iterations, record.losses) if j <= 14000],
        "scratch_names": record.samples[-1],
        "scratch_last_name": last_name.strip(),
        "scratch_perplexity": dinosaur.perplexity(held_parameters, held_out, char_to_ix),
        "keras_perplexity": keras_perplexity(model, held_out),
        "keras_train_loss": float(history.history["loss"][-1]),
        "keras_names": sample_names(sampler, 7, 1.0, SAMPLE_SEED),
        "keras_names_temperature_0.5": sample_names(sampler, 7, 0.5, SAMPLE_SEED),
        "held_out_names": len(held_out),
        "params": int(model.count_params()),
    }
    data_source = {"dinosaur": data.source}
    export = export_sampler(sampler, ctx.out_dir, metrics, data_source)
    run = DinoRun(data, train_names, held_out, record, smoothed, parameters, held_parameters, model, history, sampler)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[export]), run


def run(ctx: RunContext) -> PipelineOutput:
    """Train the NumPy model and its Keras twin, compare held-out perplexities, export the sampler."""
    return run_with_models(ctx)[0]
