"""Pipeline ``nmt_attention``: generated dates -> the course model -> held-out metrics -> a strings-in export.

Offline: the data is generated (:mod:`tf_course.data.dates`, babel formats as the course makes
them), no course file is needed. Training is the course's: ``model.fit`` (resumable, per-epoch
checkpoints), batch 100, categorical cross-entropy summed over the 10 outputs (no per-output
accuracy metrics: the held-out ones below say more, and the training step traces faster), initial states
``s0 = c0 = 0``, Adam lr 0.005 with the course's ``decay=0.01`` (see :data:`DECAY_PER`).

Training formats (``tf-course run nmt_attention --formats VALUE``, :data:`FORMATS`): ``mixed`` (default)
the course's formats plus a quarter of the examples in :data:`~tf_course.data.dates.EXTENDED_FORMATS`
(ordinals, "of", weekdays, mixed case: without them "March 3rd 2001" comes out as 2001-01-03);
``course`` exactly the course's data; ``extended`` half of each.

Metrics (on :data:`HELD_OUT` dates whose days never occur in training, in any format):

- ``exact_match``: the greedy translation equals the ISO date (goal >= 0.995);
- ``year_accuracy`` / ``month_accuracy`` / ``day_accuracy``: per field;
- ``invalid_dates``: greedy outputs that are not a valid date (e.g. ``2019-02-30``);
- ``valid_beam_exact_match`` / ``valid_beam_invalid_dates``: beam search (width 3) restricted to
  valid dates (``invalid_dates`` is then 0 by construction);
- ``bleu``: corpus BLEU of the ISO strings as characters (no smoothing);
- the same with the prefix ``extended_`` on the held-out set of :data:`~tf_course.data.dates.EXTENDED_FORMATS`
  (formats the course never trains on);
- ``examples``: the course's example sentences translated.

The export's ``serving_default`` takes ``dates`` (batch,) tf.string and returns ``iso_dates``;
``translate_with_attention`` adds ``attention_weights`` (batch, 10, 30) and ``probabilities``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.data.dates import (
    HUMAN_VOCAB,
    MACHINE_VOCAB,
    TX,
    TY,
    load_dataset,
    preprocess_data,
)
from tf_course.export.saved_model import Signature, export_and_check
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.sequence.nmt_attention.bleu import characters, corpus_bleu
from tf_course.sequence.nmt_attention.decoding import is_valid_iso
from tf_course.sequence.nmt_attention.model import N_S, compile_course, modelf
from tf_course.sequence.nmt_attention.translate import decode, predict_probabilities, serving_fns
from tf_course.train.checkpoints import fit_resumable
from tf_course.train.eager import runs_eagerly

NAME = "nmt_attention"
#: The ``--formats`` choices (see :data:`tf_course.data.dates.EXTENDED_SHARES`), the default first.
FORMATS = ("mixed", "course", "extended")
DEFAULT_FORMATS = FORMATS[0]
TRAIN_EXAMPLES, EPOCHS, BATCH_SIZE = 20000, 15, 100
QUICK_TRAIN_EXAMPLES, QUICK_EPOCHS, QUICK_HELD_OUT = 300, 1, 300
HELD_OUT = 10000
#: The course's example sentences (and two more of its shown inputs).
EXAMPLES = ("3 May 1979", "5 April 09", "21th of August 2016", "Tue 10 Jul 2007", "Saturday May 9 2018",
            "March 3 2001", "March 3rd 2001", "1 March 2001", "4th of july 2001", "22rd maY 1994")
#: Steps per decay unit: Keras 2's ``decay`` divided the rate by ``1 + decay * iterations`` (per step,
#: :func:`compile_course`'s default); the pipeline counts epochs instead (``"epoch"``), measured: per
#: step, 20,000 dates reach only 0.85 per-character accuracy after 6 epochs (lr already 0.005 / 13).
DECAY_PER = "epoch"


def make_dataset(X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int, n_s: int = N_S) -> tf.data.Dataset:
    """Batches ``((Xoh, s0, c0), (Yoh[:, 0], ..., Yoh[:, Ty-1]))`` as the course fits: one-hot, zero states.

    Args:
        X: (m, Tx) human-vocabulary indices; Y: (m, Ty) machine-vocabulary indices.
    """
    def to_course(x: tf.Tensor, y: tf.Tensor) -> tuple[Any, Any]:
        zeros = tf.zeros((tf.shape(x)[0], n_s))  # s0 = c0 = 0, (batch, n_s)
        yoh = tf.one_hot(y, len(MACHINE_VOCAB))  # (batch, Ty, 11)
        return (tf.one_hot(x, len(HUMAN_VOCAB)), zeros, zeros), tuple(yoh[:, t] for t in range(Y.shape[1]))

    dataset = tf.data.Dataset.from_tensor_slices((X.astype(np.int32), Y.astype(np.int32)))
    dataset = dataset.shuffle(len(X), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).map(to_course).prefetch(2)


def train(
    train_examples: int, epochs: int, seed: int = 0, formats: str = DEFAULT_FORMATS, batch_size: int = BATCH_SIZE,
    verbose: int = 0, checkpoint_dir: Path | None = None, decay_per: str = DECAY_PER,
) -> tuple[keras.Model, dict[str, Any]]:
    """Generate training dates, build and compile the course model, fit it; returns (model, training metrics)."""
    dataset, human_vocab, machine_vocab, _ = load_dataset(train_examples, seed=seed, formats=formats, split="train")
    X, Y, _, _ = preprocess_data(dataset, human_vocab, machine_vocab, TX, TY)
    model = modelf(TX, TY, 32, N_S, len(human_vocab), len(machine_vocab))
    steps_per_epoch = -(-len(X) // batch_size)
    compile_course(model, decay_steps=steps_per_epoch if decay_per == "epoch" else 1, metrics=False)
    start = time.perf_counter()
    # a quick run's few steps train eagerly (tf_course.train.eager: tracing the unrolled model costs more)
    history = fit_resumable(model, make_dataset(X, Y, batch_size, seed), epochs, checkpoint_dir, verbose=verbose,
                            shuffle=False, eager_when_short=True)  # the dataset shuffles (seeded, resumable)
    seconds = time.perf_counter() - start
    return model, {
        "train_examples": len(X), "epochs": epochs, "batch_size": batch_size,
        "epoch_losses": history.history.get("loss", []), "epoch_seconds": history.seconds,
        "train_seconds": seconds, "eager": runs_eagerly(steps_per_epoch * epochs),
    }


def evaluate(model: keras.Model, dataset: list[tuple[str, str]], prefix: str = "") -> dict[str, Any]:
    """Held-out metrics (see the module docstring) of the model on (human, ISO) pairs."""
    texts, targets = [h for h, _ in dataset], [t for _, t in dataset]
    probabilities, _ = predict_probabilities(model, texts)
    greedy = decode(probabilities, "greedy")
    beam = decode(probabilities, "valid_beam")
    truth = np.array(targets)

    def fields(outputs: list[str]) -> dict[str, float]:
        out = np.array(outputs)
        return {"year_accuracy": float(np.mean([o[:4] == t[:4] for o, t in zip(out, truth)])),
                "month_accuracy": float(np.mean([o[5:7] == t[5:7] for o, t in zip(out, truth)])),
                "day_accuracy": float(np.mean([o[8:10] == t[8:10] for o, t in zip(out, truth)]))}

    metrics = {
        "exact_match": float(np.mean(np.array(greedy) == truth)),
        **fields(greedy),
        "invalid_dates": int(sum(not is_valid_iso(g) for g in greedy)),
        "valid_beam_exact_match": float(np.mean(np.array(beam) == truth)),
        "valid_beam_invalid_dates": int(sum(not is_valid_iso(b) for b in beam)),
        "bleu": corpus_bleu([characters(g) for g in greedy], [[characters(t)] for t in targets]),
        "held_out": len(dataset),
    }
    return {prefix + k: v for k, v in metrics.items()}


def export(model: keras.Model, out_dir: Path, sample_texts: list[str], metrics: dict[str, Any],
           data_source: dict[str, str]) -> Any:
    """Export the two signatures, verified on ``sample_texts`` in a fresh process (see the module docstring)."""
    serving_default, with_attention = serving_fns(model)
    spec = tf.TensorSpec([None], tf.string, name="dates")
    sample = {"dates": np.array([t.encode("utf-8") for t in sample_texts])}
    signatures = {"serving_default": Signature(serving_default, [spec], sample),
                  "translate_with_attention": Signature(with_attention, [spec], sample, atol=1e-5)}
    return export_and_check(NAME, signatures, [model], out_dir, metrics=metrics, data_source=data_source,
                            manifest_extra={"translator": {"input": "dates: tf.string (batch,)",
                                                           "output": "iso_dates: tf.string (batch,) YYYY-MM-DD",
                                                           "Tx": TX, "Ty": TY}})


def run(ctx: RunContext, formats: str | None = None, export_model: bool = True) -> PipelineOutput:
    """Train the course model on generated dates (``quick``: a few hundred, one epoch), evaluate, export.

    Args:
        ctx: the run's settings.
        formats: training formats (:data:`FORMATS`); None: the run's ``--formats`` option
            (``ctx.option("formats")``), by default ``"mixed"``.
        export_model: False: train and evaluate only (``exports`` empty).
    """
    formats = formats or ctx.option("formats", DEFAULT_FORMATS)
    if formats not in FORMATS:
        raise ValueError(f"expected formats {', '.join(FORMATS)}, found {formats!r}")
    quick = ctx.quick
    model, metrics = train(QUICK_TRAIN_EXAMPLES if quick else TRAIN_EXAMPLES, QUICK_EPOCHS if quick else EPOCHS,
                           seed=ctx.seed, formats=formats, verbose=2 if ctx.verbose and not quick else 0,
                           checkpoint_dir=ctx.checkpoint_dir(formats))
    metrics["formats"] = formats
    return evaluate_and_export(ctx, model, metrics, export_model)


def evaluate_and_export(ctx: RunContext, model: keras.Model, metrics: dict[str, Any],
                        export_model: bool = True) -> PipelineOutput:
    """The rest of :func:`run` after training: held-out metrics, the course's examples, the export."""
    n_held_out = QUICK_HELD_OUT if ctx.quick else HELD_OUT
    course_test = load_dataset(n_held_out, seed=ctx.seed + 1, formats="course", split="test")[0]
    extended_test = load_dataset(n_held_out, seed=ctx.seed + 2, formats="extended_only", split="test")[0]
    start = time.perf_counter()
    metrics = dict(metrics)
    metrics |= evaluate(model, course_test)
    metrics |= evaluate(model, extended_test, prefix="extended_")
    metrics["evaluate_seconds"] = time.perf_counter() - start
    metrics["examples"] = dict(zip(EXAMPLES, decode(predict_probabilities(model, list(EXAMPLES))[0])))
    metrics["params"] = int(model.count_params())
    data_source = {"dates": "generated"}
    exports = []
    if export_model:
        sample = list(EXAMPLES) + [h for h, _ in course_test[:50]] + [h for h, _ in extended_test[:50]]
        exports.append(str(export(model, ctx.out_dir, sample, metrics, data_source).path))
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=exports)
