"""k-fold cross-validated accuracy of the Emojify recipe (a steadier estimate than one small held-out part).

Every fold runs the pipeline's recipe on the other folds alone: vectors trained on generic English
and that fold's training sentences (or GloVe from the data directory), unknown words backed off to
known stems, V1 (NumPy, the course's 400 iterations) and V2 (the course's LSTM, initialised from
V1's predictions on generic sentences as the pipeline does, then the pipeline's epochs); the fold's
sentences are never seen before they are scored. Folds are stratified by label.

Run: ``python -m tf_course.text.emojify.crossval --data-dir ../shared/course_assets --k 5``
(pools the course's training file with its test file when there is one: all 132 rows of
``train_emoji.csv`` here) and prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from tf_course.data.emoji_csv import load_emoji_dataset
from tf_course.scratch import emojify as v1
from tf_course.text.emojify import pipeline
from tf_course.text.emojify.model import sentences_to_indices
from tf_course.text.emojify.oov import resolve_sentences


def stratified_folds(y: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Fold number 0..k-1 of every row: each label's rows shuffled (``seed``) and dealt round-robin."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(y), dtype=np.int64)
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        fold[rows] = np.arange(len(rows)) % k
    return fold


def score_split(x_train: Sequence[str], y_train: np.ndarray, x_test: Sequence[str], y_test: np.ndarray,
                data_dir: str | os.PathLike[str] | None = None, settings: dict[str, int] | None = None,
                seed: int = 0) -> dict[str, Any]:
    """The pipeline's recipe trained on (x_train, y_train) and scored on (x_test, y_test):
    ``v1_accuracy``, ``v2_accuracy``, ``oov_rate`` (after back-off), ``vectors``."""
    settings = settings or pipeline.DEFAULT
    words, vectors, which = pipeline.load_vectors(data_dir, x_train, settings["repeats"], settings["n_generic"],
                                                  seed=seed)
    word_to_index, matrix, word_to_vec_map = pipeline.vector_tables(words, vectors)
    max_len = max(len(str(s).split()) for s in x_train)
    train_words, test_words = resolve_sentences(x_train, word_to_index), resolve_sentences(x_test, word_to_index)
    _, W, b, _ = v1.model(train_words, y_train, word_to_vec_map, pipeline.V1_LR, settings["v1"], seed=1)
    v1_accuracy = v1.accuracy(v1.predict(test_words, None, W, b, word_to_vec_map), y_test)
    x = sentences_to_indices(train_words, word_to_index, max_len).astype(np.int32)
    distill = None
    if pipeline.DISTILL:
        x_soft, soft = pipeline.distillation_set(word_to_index, word_to_vec_map, W, b, max_len, settings["distill"],
                                                 seed)
        distill = (x_soft, soft, settings["distill_epochs"])
    model, _ = pipeline.train_v2(x, y_train, matrix, max_len, settings["v2"], seed=seed, distill=distill)
    probabilities = model.predict(sentences_to_indices(test_words, word_to_index, max_len).astype(np.int32),
                                  verbose=0)
    return {"v1_accuracy": v1_accuracy, "v2_accuracy": float(np.mean(probabilities.argmax(axis=1) == y_test)),
            "oov_rate": pipeline.oov_rate(np.asarray(x_test), word_to_index, backoff=True), "vectors": which}


def cross_validate(x: np.ndarray, y: np.ndarray, k: int = 5, seed: int = 0,
                   data_dir: str | os.PathLike[str] | None = None, settings: dict[str, int] | None = None,
                   verbose: bool = False) -> dict[str, Any]:
    """k-fold cross-validation of :func:`score_split` over all rows (x (m,) str, y (m,) int):
    per-fold scores and the mean and (population) std of each accuracy."""
    fold = stratified_folds(y, k, seed)
    folds = []
    for i in range(k):
        start = time.perf_counter()
        scores = score_split(x[fold != i], y[fold != i], x[fold == i], y[fold == i], data_dir, settings, seed)
        folds.append(scores)
        if verbose:
            print(f"fold {i}: {scores} ({time.perf_counter() - start:.0f} s)", flush=True)
    out: dict[str, Any] = {"k": k, "rows": len(y), "seed": seed, "vectors": folds[0]["vectors"], "folds": folds}
    for key in ("v1_accuracy", "v2_accuracy", "oov_rate"):
        values = np.array([f[key] for f in folds])
        out[f"{key}_mean"], out[f"{key}_std"] = float(values.mean()), float(values.std())
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = load_emoji_dataset(args.data_dir, seed=args.seed)
    x = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    result = cross_validate(x, y, args.k, args.seed, args.data_dir, verbose=True)
    print(json.dumps({k: v for k, v in result.items()}, indent=1))


if __name__ == "__main__":
    main()
