"""Pipeline ``word_vectors`` (C5W2, seed 5.2.4): similarity, analogies and debiasing on word vectors.

Vectors: GloVe ``glove.6B.50d.txt`` when it is under ``--data-dir`` (``vectors: glove``), otherwise
skip-gram vectors trained here on the generated relation corpus
(:func:`tf_course.data.synthetic_text.relation_corpus`, ``vectors: trained-synthetic``; about a
minute, a few seconds with ``quick``).

Metrics:
- ``analogy_accuracy``: the word2vec-format questions of the corpus's relations (held-out pairs),
  scored with gensim's rules (:mod:`tf_course.text.word_vectors.analogy`), and per section;
- the course's checks: ``cos_father_mother``, ``cos_ball_crocodile``, ``cos_france_paris_rome_italy``
  (None when a word is missing from the vectors) and ``course_analogies`` (the answers of the four
  course questions, by the vectorised ``complete_analogy``);
- debiasing with the course's bias axis g = e_woman - e_man: ``bias_cos_before`` / ``bias_cos_after``
  for the neutral words (``neutralize``; |after| is about 1e-16) and ``equalize_before`` /
  ``equalize_after`` for (man, woman) (after: opposite cosines of equal magnitude).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from tf_course.data import synthetic_text
from tf_course.data.glove import find_glove, load_glove
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.scratch import word_vectors as scratch
from tf_course.text.word_vectors import ops
from tf_course.text.word_vectors.analogy import evaluate_word_analogies
from tf_course.text.word_vectors.skipgram import train_skipgram

NAME = "word_vectors"
COURSE_ANALOGIES = [("italy", "italian", "spain"), ("india", "delhi", "japan"), ("man", "woman", "boy"),
                    ("small", "smaller", "large")]
NEUTRAL_WORDS = ["receptionist", "nurse", "teacher", "singer", "doctor", "engineer", "pilot", "warrior",
                 "scientist", "programmer", "science", "arts", "literature", "technology", "computer", "fashion"]
# (sentences per pair word, epochs): the default trains about 110k pairs x 5 epochs
DEFAULT_CORPUS, DEFAULT_EPOCHS = 60, 5
QUICK_CORPUS, QUICK_EPOCHS = 15, 2


@dataclass
class WordVectors:
    """Vectors in row order: ``words`` (V,), ``matrix`` (V, n) float32, which vectors (``glove`` or
    ``trained-synthetic``) and the training losses (empty for GloVe)."""

    words: list[str]
    matrix: np.ndarray
    source: str
    losses: list[float]
    train_seconds: float = 0.0

    def word_to_vec_map(self) -> dict[str, np.ndarray]:
        return {w: self.matrix[i].astype(np.float64) for i, w in enumerate(self.words)}


def load_vectors(ctx: RunContext) -> WordVectors:
    """GloVe from the data directory, or skip-gram vectors trained on the relation corpus."""
    path = find_glove(ctx.data_dir)
    if path is not None:
        glove = load_glove(path)
        return WordVectors(glove.words, glove.matrix, "glove", [])
    corpus = synthetic_text.relation_corpus(QUICK_CORPUS if ctx.quick else DEFAULT_CORPUS, seed=ctx.seed)
    start = time.perf_counter()
    result = train_skipgram(corpus.sentences, epochs=QUICK_EPOCHS if ctx.quick else DEFAULT_EPOCHS, seed=ctx.seed,
                            verbose=2 if ctx.verbose else 0)
    return WordVectors(result.words, result.vectors, "trained-synthetic", result.losses,
                       time.perf_counter() - start)


def course_checks(vectors: WordVectors) -> dict[str, Any]:
    """The course's cosine and analogy checks, on the words the vectors have (None for the others)."""
    row = {w: i for i, w in enumerate(vectors.words)}
    e = {w: vectors.matrix[row[w]].astype(np.float64) for w in
         ("father", "mother", "ball", "crocodile", "france", "paris", "rome", "italy") if w in row}

    def cos(u: str, v: str) -> float | None:
        return scratch.cosine_similarity(e[u], e[v]) if u in e and v in e else None

    france = all(w in e for w in ("france", "paris", "rome", "italy"))
    answerable = [t for t in COURSE_ANALOGIES if all(w in row for w in t)]
    answers = ops.complete_analogy_words(vectors.words, vectors.matrix, answerable) if answerable else []
    return {
        "cos_father_mother": cos("father", "mother"),
        "cos_ball_crocodile": cos("ball", "crocodile"),
        "cos_france_paris_rome_italy": scratch.cosine_similarity(e["france"] - e["paris"], e["rome"] - e["italy"])
        if france else None,
        "course_analogies": {"->".join(t): a for t, a in zip(answerable, answers)},
    }


def debias_metrics(vectors: WordVectors) -> dict[str, Any]:
    """Cosines with g = e_woman - e_man before and after ``neutralize`` / ``equalize`` (course formulas)."""
    word_to_vec = vectors.word_to_vec_map()
    g = word_to_vec["woman"] - word_to_vec["man"]
    neutral = [w for w in NEUTRAL_WORDS if w in word_to_vec]
    before = {w: scratch.cosine_similarity(word_to_vec[w], g) for w in neutral}
    after = {w: scratch.cosine_similarity(scratch.neutralize(w, g, word_to_vec), g) for w in neutral}
    e1, e2 = scratch.equalize(("man", "woman"), g, word_to_vec)
    return {
        "bias_cos_before": before,
        "bias_cos_after": after,
        "max_abs_bias_cos_after": max((abs(v) for v in after.values()), default=0.0),
        "equalize_before": {"man": scratch.cosine_similarity(word_to_vec["man"], g),
                            "woman": scratch.cosine_similarity(word_to_vec["woman"], g)},
        "equalize_after": {"man": scratch.cosine_similarity(e1, g), "woman": scratch.cosine_similarity(e2, g)},
    }


def run(ctx: RunContext) -> PipelineOutput:
    """Load or train the vectors, then the analogy evaluation, the course's checks and the debiasing."""
    vectors = load_vectors(ctx)
    corpus = synthetic_text.relation_corpus(2, seed=ctx.seed)  # the question pairs only (same split)
    result = evaluate_word_analogies(vectors.words, vectors.matrix, synthetic_text.analogy_questions(corpus))
    metrics: dict[str, Any] = {
        "vectors": vectors.source,
        "vocabulary": len(vectors.words),
        "dim": int(vectors.matrix.shape[1]),
        "analogy_accuracy": result.accuracy,
        "analogy_sections": {s.section: s.accuracy for s in result.sections[:-1]},
        "analogy_questions": result.questions,
        "analogy_oov_rate": result.oov_rate,
        **course_checks(vectors),
        **debias_metrics(vectors),
    }
    if vectors.losses:
        metrics["skipgram_epoch_losses"] = vectors.losses
        metrics["train_seconds"] = vectors.train_seconds
    source = "course" if vectors.source == "glove" else "synthetic"  # not the course's vectors: no reference
    return PipelineOutput(metrics=metrics, data_source={"vectors": source})
