"""Pipeline ``emojify`` (C5W2, seed 5.2.5): sentences -> word vectors -> Emojify V1 and V2 -> export.

Data: the course's ``emojify/train_emoji.csv`` (and a test file when there is one; otherwise 20%
of the training file, stratified, is held out as the test set), else generated sentences
(:func:`tf_course.data.synthetic_text.emoji_sentences`). Vectors: GloVe ``glove.6B.50d.txt`` when
under ``--data-dir`` (``vectors: glove``), else 50-d PPMI-SVD vectors trained here on generated
generic English and the training sentences (``vectors: trained-synthetic``; the test sentences
are never seen). Unknown words back off to known stems (:mod:`tf_course.text.emojify.oov`).

V1: the course's NumPy softmax regression on averaged vectors (seed 1, lr 0.01, 400 iterations of
per-example SGD) and its Keras twin (same initial W, SGD with batch 1). V2: two LSTMs over the
frozen Embedding, adam, categorical cross-entropy, 50 epochs of batch 32 on the training
sentences; before that (``DISTILL``, chosen by cross-validation inside the training part), V2 is
initialised by learning V1's soft predictions on 3,000 generated generic sentences (3 epochs): the
averaged-vector model's generalisation is the LSTM's starting point. The export serves V2 on raw
sentences (:mod:`tf_course.text.emojify.serving`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from tf_course.data.emoji_csv import EmojiDataset, load_emoji_dataset
from tf_course.data.glove import find_glove, load_glove
from tf_course.data.synthetic_text import emojify_vector_corpus, generic_corpus
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import emojify as v1
from tf_course.text.emojify.model import emojify_v1, emojify_v2, sentences_to_indices
from tf_course.text.emojify.oov import resolve_sentences
from tf_course.text.emojify.plots import confusion_matrix
from tf_course.text.emojify.serving import export_emojify
from tf_course.text.word_vectors.counts import ppmi_svd_vectors
from tf_course.train import distribute
from tf_course.train.seeds import set_seed

NAME = "emojify"
V1_ITERATIONS, V1_LR = 400, 0.01
V2_EPOCHS, V2_BATCH = 50, 32
TWIN_EPOCHS = 100  # the NumPy V1 runs the course's 400; its Keras twin (batch 1) a quarter of that
GLOVE_NORM = 5.0
# offline vectors: PPMI-SVD (dim, window) on generic English (n_generic sentences) + the training sentences x repeats
VECTOR_DIM, VECTOR_WINDOW = 50, 5
# V2's initialisation: "distill" generic sentences labelled by V1 (soft), "distill_epochs" epochs of batch 32
DISTILL = True
QUICK = {"v1": 40, "twin": 2, "v2": 2, "n_generic": 4000, "repeats": 4, "distill": 200, "distill_epochs": 1}
DEFAULT = {"v1": V1_ITERATIONS, "twin": TWIN_EPOCHS, "v2": V2_EPOCHS, "n_generic": 40000, "repeats": 20,
           "distill": 3000, "distill_epochs": 3}
EXTRA_SENTENCES = (["i adore you", "i love you", "funny lol", "lets play with a ball", "food is ready",
                    "not feeling happy"], [0, 0, 2, 1, 4, 3])  # the course's own examples


@dataclass
class EmojifyResult:
    """What the pipeline trained: the vectors' vocabulary (``word_to_index`` 1..V) and matrix
    (V + 1, n), ``max_len``, the Keras V1 twin and V2, and the data."""

    word_to_index: dict[str, int]
    matrix: np.ndarray
    vectors: str
    max_len: int
    v1_twin: keras.Model
    v2: keras.Model
    data: EmojiDataset


def load_vectors(data_dir: str | os.PathLike[str] | None, x_train: Sequence[str], repeats: int, n_generic: int,
                 seed: int = 0) -> tuple[list[str], np.ndarray, str]:
    """(words, vectors (V, n), which): GloVe from the data directory, else vectors trained here
    (PPMI-SVD, :mod:`tf_course.text.word_vectors.counts`) on generated generic English and the
    training sentences ``x_train`` (:func:`tf_course.data.synthetic_text.emojify_vector_corpus`;
    never the test ones)."""
    path = find_glove(data_dir)
    if path is not None:
        glove = load_glove(path)
        return glove.words, glove.matrix, "glove"
    corpus = emojify_vector_corpus(list(x_train), repeats=repeats, n_generic=n_generic, seed=seed)
    result = ppmi_svd_vectors(corpus, dim=VECTOR_DIM, window=VECTOR_WINDOW, seed=seed)
    # GloVe 50d rows have norms of about 5, which the course's learning rates assume: scale every row to that norm
    norms = np.linalg.norm(result.vectors, axis=1, keepdims=True)
    return result.words, GLOVE_NORM * result.vectors / np.maximum(norms, 1e-12), "trained-synthetic"


def vector_tables(words: Sequence[str], vectors: np.ndarray) -> tuple[dict[str, int], np.ndarray,
                                                                      dict[str, np.ndarray]]:
    """``word_to_index`` (alphabetical, 1..V), the Embedding matrix (V + 1, n) (row 0 zeros) and ``word_to_vec_map``."""
    word_to_index = {w: i for i, w in enumerate(sorted(words), start=1)}
    row = {w: i for i, w in enumerate(words)}
    matrix = np.zeros((len(words) + 1, vectors.shape[1]), np.float32)
    for w, i in word_to_index.items():
        matrix[i] = vectors[row[w]]
    return word_to_index, matrix, {w: vectors[row[w]].astype(np.float64) for w in words}


def distillation_set(word_to_index: dict[str, int], word_to_vec_map: dict[str, np.ndarray], W: np.ndarray,
                     b: np.ndarray, max_len: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` generated generic sentences (:func:`tf_course.data.synthetic_text.generic_corpus`, a seed of
    their own) as indices (n, max_len) int32 and V1's softmax over them (n, 5) float32 (soft labels)."""
    sentences = [" ".join(s[:max_len]) for s in generic_corpus(n, seed=seed + 7)]
    sentences = list(resolve_sentences(sentences, word_to_index))
    averages = np.array([v1.sentence_to_avg(s, word_to_vec_map) for s in sentences])
    logits = averages @ W.T + b
    logits -= logits.max(axis=1, keepdims=True)
    soft = np.exp(logits)
    soft /= soft.sum(axis=1, keepdims=True)
    return sentences_to_indices(sentences, word_to_index, max_len).astype(np.int32), soft.astype(np.float32)


def train_v2(x: np.ndarray, y: np.ndarray, matrix: np.ndarray, max_len: int, epochs: int, seed: int = 0,
             verbose: bool = False, distill: tuple[np.ndarray, np.ndarray, int] | None = None,
             ) -> tuple[keras.Model, keras.callbacks.History]:
    """Emojify V2 trained as the course: adam, categorical cross-entropy, ``epochs`` of batch 32, shuffled;
    ``distill`` (indices, soft labels, epochs): first fit those (:func:`distillation_set`), same optimizer."""
    distribute.notice_not_distributed("Emojify V2 training", "132 sentences: a few seconds on one worker")
    set_seed(seed)
    model = emojify_v2(max_len, matrix, seed=seed)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    if distill is not None:
        x_soft, soft, distill_epochs = distill
        model.fit(x_soft, soft, epochs=distill_epochs, batch_size=V2_BATCH, shuffle=True, verbose=2 if verbose else 0)
    history = model.fit(x, keras.utils.to_categorical(y, 5), epochs=epochs, batch_size=V2_BATCH, shuffle=True,
                        verbose=2 if verbose else 0)
    return model, history


def oov_rate(sentences: np.ndarray, word_to_index: dict[str, int], backoff: bool = False) -> float:
    """Fraction of the sentences' (lower-cased, split) words that have no vector (``backoff``: after
    backing off to known stems, :mod:`tf_course.text.emojify.oov`)."""
    tokens = sum(len(str(s).split()) for s in sentences)
    known = sum(len(str(s).split()) for s in resolve_sentences(sentences, word_to_index)) if backoff else \
        sum(w in word_to_index for s in sentences for w in str(s).lower().split())
    return (tokens - known) / max(tokens, 1)


def train_v1_twin(x: np.ndarray, y: np.ndarray, matrix: np.ndarray, max_len: int, epochs: int,
                  w0: np.ndarray, learning_rate: float = V1_LR) -> keras.Model:
    """V1's Keras twin trained as the NumPy model: Dense weights W0^T and 0, SGD, batch 1, no shuffling."""
    model = emojify_v1(max_len, matrix, n_classes=w0.shape[0])
    model.get_layer("dense").set_weights([w0.T.astype(np.float32), np.zeros(w0.shape[0], np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="categorical_crossentropy",
                  steps_per_execution=32)
    model.fit(x, keras.utils.to_categorical(y, w0.shape[0]), batch_size=1, epochs=epochs, shuffle=False, verbose=0)
    return model


def train(ctx: RunContext) -> tuple[dict[str, Any], EmojifyResult]:
    """Load data and vectors, train V1 (NumPy and Keras) and V2; the metrics and what was trained."""
    settings = QUICK if ctx.quick else DEFAULT
    set_seed(ctx.seed)
    data = load_emoji_dataset(ctx.data_dir, seed=ctx.seed)
    start = time.perf_counter()
    words, vectors, which = load_vectors(ctx.data_dir, data.x_train, settings["repeats"], settings["n_generic"],
                                         seed=ctx.seed)
    vector_seconds = time.perf_counter() - start
    word_to_index, matrix, word_to_vec_map = vector_tables(words, vectors)
    max_len = max(len(str(s).split()) for s in data.x_train)
    # unknown words back off to known stems (as the export does in its graph), else are skipped
    train_words = resolve_sentences(data.x_train, word_to_index)
    test_words = resolve_sentences(data.x_test, word_to_index)
    x_train = sentences_to_indices(train_words, word_to_index, max_len).astype(np.int32)
    x_test = sentences_to_indices(test_words, word_to_index, max_len).astype(np.int32)

    # V1 in NumPy, as the course
    pred_train, W, b, costs = v1.model(train_words, data.y_train, word_to_vec_map, V1_LR, settings["v1"], seed=1)
    pred_test = v1.predict(test_words, data.y_test, W, b, word_to_vec_map)
    np.random.seed(1)
    w0 = np.random.randn(W.shape[0], W.shape[1]) / np.sqrt(W.shape[1])  # the NumPy model's initial W
    twin = train_v1_twin(x_train, data.y_train, matrix, max_len, settings["twin"], w0)
    twin_test = np.argmax(twin.predict(x_test, verbose=0), axis=1)

    # V2
    start = time.perf_counter()
    distill = None
    if DISTILL:
        x_soft, soft = distillation_set(word_to_index, word_to_vec_map, W, b, max_len, settings["distill"], ctx.seed)
        distill = (x_soft, soft, settings["distill_epochs"])
    v2, history = train_v2(x_train, data.y_train, matrix, max_len, settings["v2"], seed=ctx.seed, verbose=ctx.verbose,
                           distill=distill)
    v2_seconds = time.perf_counter() - start
    v2_test = np.argmax(v2.predict(x_test, verbose=0), axis=1)
    v2_train = np.argmax(v2.predict(x_train, verbose=0), axis=1)
    extra_x, extra_y = EXTRA_SENTENCES
    extra_indices = sentences_to_indices(resolve_sentences(extra_x, word_to_index), word_to_index, max_len)
    extra_pred = np.argmax(v2.predict(extra_indices.astype(np.int32), verbose=0), axis=1)

    metrics: dict[str, Any] = {
        "vectors": which,
        "vocabulary": len(words),
        "max_len": max_len,
        "test_set": data.test_set,
        "train_sentences": len(data.y_train),
        "test_sentences": len(data.y_test),
        "oov_rate": oov_rate(data.x_test, word_to_index),
        "oov_rate_after_backoff": oov_rate(data.x_test, word_to_index, backoff=True),
        "v1_train_accuracy": v1.accuracy(pred_train, data.y_train),
        "v1_test_accuracy": v1.accuracy(pred_test, data.y_test),
        "v1_keras_test_accuracy": float(np.mean(twin_test == data.y_test)),
        "v1_costs": costs,
        "v2_train_accuracy": float(np.mean(v2_train == data.y_train)),
        "v2_test_accuracy": float(np.mean(v2_test == data.y_test)),
        "v2_epoch_losses": [float(v) for v in history.history["loss"]],
        "v2_params": int(v2.count_params()),
        "v2_init": f"distilled from V1 on {settings['distill']} generic sentences" if DISTILL else "random",
        "v2_train_seconds": v2_seconds,
        "vector_seconds": vector_seconds,
        "v1_confusion": confusion_matrix(data.y_test, pred_test).tolist(),
        "v2_confusion": confusion_matrix(data.y_test, v2_test).tolist(),
        "extra_sentences": {s: v1.label_to_emoji(p) for s, p in zip(extra_x, extra_pred)},
        "extra_accuracy": float(np.mean(extra_pred == np.array(extra_y))),
    }
    return metrics, EmojifyResult(word_to_index, matrix, which, max_len, twin, v2, data)


def run_with_models(ctx: RunContext) -> tuple[PipelineOutput, EmojifyResult]:
    """:func:`run`, also returning the trained models (tests, notebooks)."""
    metrics, result = train(ctx)
    data_source = {"emojify": result.data.source, "vectors": "course" if result.vectors == "glove" else "synthetic"}
    export = export_emojify(NAME, result.v2, result.word_to_index, result.max_len, ctx.out_dir,
                            metrics={k: v for k, v in metrics.items() if not isinstance(v, (list, dict))},
                            data_source=data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(export.path)]), result


def run(ctx: RunContext) -> PipelineOutput:
    """Train Emojify V1 and V2 (briefly with ``quick``), evaluate, export V2 on raw sentences."""
    return run_with_models(ctx)[0]
