"""Skip-gram with negative sampling (seed 5.2.2) as a Keras model, for word vectors trained offline.

For each (target, context) pair within ``window`` words of each other the model sees the true
context and ``negatives`` words drawn from the unigram distribution to the power 3/4; it learns to
score the true one 1 and the others 0 (sigmoid of a dot product of a target and a context vector,
binary cross-entropy). The target embedding is the word vectors.

Model: inputs ``target`` (batch,) int32 and ``contexts`` (batch, 1 + negatives) int32 ->
``target_embedding`` (batch, dim), ``context_embedding`` (batch, 1 + negatives, dim) ->
:class:`PairScores` logits (batch, 1 + negatives).
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from tf_course.train import distribute
from tf_course.train.seeds import set_seed


@keras.saving.register_keras_serializable(package="tf_course")
class PairScores(layers.Layer):
    """Dot product of each target vector with each of its context vectors.

    Call: ``[targets (batch, dim), contexts (batch, k, dim)]`` -> logits (batch, k).
    """

    def call(self, inputs: Sequence[keras.KerasTensor]) -> keras.KerasTensor:
        targets, contexts = inputs
        return ops.einsum("bd,bkd->bk", targets, contexts)

    def compute_output_shape(self, input_shape: Sequence[tuple]) -> tuple:
        return tuple(input_shape[1][:2])


def build_skipgram(vocab_size: int, dim: int, negatives: int, seed: int = 0) -> keras.Model:
    """The skip-gram model: (target (batch,), contexts (batch, 1 + negatives)) -> logits (batch, 1 + negatives)."""
    target = keras.Input(shape=(), dtype="int32", name="target")
    contexts = keras.Input(shape=(1 + negatives,), dtype="int32", name="contexts")
    init = keras.initializers.RandomUniform(-0.5 / dim, 0.5 / dim, seed=seed)
    t = layers.Embedding(vocab_size, dim, embeddings_initializer=init, name="target_embedding")(target)
    c = layers.Embedding(vocab_size, dim, embeddings_initializer=init, name="context_embedding")(contexts)
    logits = PairScores(name="pair_scores")([t, c])
    return keras.Model([target, contexts], logits, name="skipgram")


@dataclass
class Vocabulary:
    """Words by decreasing count (ties alphabetical) and their counts."""

    words: list[str]
    counts: np.ndarray

    @classmethod
    def from_sentences(cls, sentences: Sequence[Sequence[str]], min_count: int = 1) -> Vocabulary:
        counter = collections.Counter(w for s in sentences for w in s)
        items = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
        return cls([w for w, _ in items], np.array([c for _, c in items], dtype=np.int64))

    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}


def skipgram_pairs(
    sentences: Sequence[Sequence[str]], vocab: Vocabulary, window: int, rng: np.random.Generator,
    subsample: float = 1e-3,
) -> tuple[np.ndarray, np.ndarray]:
    """All (target, context) index pairs within ``window`` of each other in a sentence (both orders).

    Frequent words are dropped before pairing with word2vec's probability 1 - (sqrt(f/t) + 1) t/f
    (f: the word's frequency, t = ``subsample``; 0 keeps all). Returns (targets (P,), contexts (P,)).
    """
    index = vocab.index()
    ids = [np.array([index[w] for w in s if w in index], dtype=np.int64) for s in sentences]
    tokens = np.concatenate(ids) if ids else np.zeros(0, np.int64)
    sentence_of = np.repeat(np.arange(len(ids)), [len(s) for s in ids])
    if subsample:
        freq = vocab.counts / vocab.counts.sum()
        keep_p = np.minimum(1.0, (np.sqrt(freq / subsample) + 1) * subsample / freq)
        keep = rng.random(len(tokens)) < keep_p[tokens]
        tokens, sentence_of = tokens[keep], sentence_of[keep]
    targets, contexts = [], []
    for offset in range(1, window + 1):
        same = sentence_of[offset:] == sentence_of[:-offset]
        left, right = tokens[:-offset][same], tokens[offset:][same]
        targets += [left, right]
        contexts += [right, left]
    return np.concatenate(targets), np.concatenate(contexts)


def negative_table(vocab: Vocabulary, power: float = 0.75) -> np.ndarray:
    """The negative-sampling distribution (V,): counts ** 0.75, normalised."""
    p = vocab.counts.astype(np.float64) ** power
    return p / p.sum()


@dataclass
class SkipGramResult:
    """Trained vectors: ``words`` (V,), ``vectors`` (V, dim) float32, the model and per-epoch losses."""

    words: list[str]
    vectors: np.ndarray
    model: keras.Model
    losses: list[float]
    pairs_per_epoch: int


def train_skipgram(
    sentences: Sequence[Sequence[str]],
    dim: int = 32,
    window: int = 2,
    negatives: int = 5,
    epochs: int = 5,
    batch_size: int = 512,
    learning_rate: float = 0.01,
    seed: int = 0,
    verbose: int = 0,
) -> SkipGramResult:
    """Train skip-gram with negative sampling on tokenised ``sentences`` (adam; pairs and negatives
    redrawn every epoch from a generator seeded by ``seed``)."""
    distribute.notice_not_distributed("skip-gram training (word_vectors)", "a generated corpus one worker "
                                      "trains in about a minute")
    set_seed(seed)
    rng = np.random.default_rng(seed)
    vocab = Vocabulary.from_sentences(sentences)
    table = negative_table(vocab)
    model = build_skipgram(len(vocab.words), dim, negatives, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    losses = []
    n_pairs = 0
    for _ in range(epochs):
        targets, contexts = skipgram_pairs(sentences, vocab, window, rng)
        order = rng.permutation(len(targets))
        targets, contexts = targets[order], contexts[order]
        negs = rng.choice(len(vocab.words), size=(len(targets), negatives), p=table)
        context_block = np.concatenate([contexts[:, None], negs], axis=1).astype(np.int32)
        labels = np.zeros(context_block.shape, np.float32)
        labels[:, 0] = 1.0
        history = model.fit({"target": targets.astype(np.int32), "contexts": context_block}, labels,
                            batch_size=batch_size, epochs=1, shuffle=False, verbose=verbose)
        losses.append(float(history.history["loss"][-1]))
        n_pairs = len(targets)
    vectors = np.asarray(model.get_layer("target_embedding").embeddings, dtype=np.float32)
    return SkipGramResult(vocab.words, vectors, model, losses, n_pairs)
