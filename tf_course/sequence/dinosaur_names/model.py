"""The Keras 3 twin of the course's character-level name model, and its in-graph name sampler.

Token ids (one table for NumPy and Keras): ``'\\n' -> 0``, ``'a'..'z' -> 1..26`` (the course's
vocabulary, 27 classes out). The Keras model reads ``START = 27`` (the course's zero input
``x<1>``) followed by a name's letters, padded with 0: since ``'\\n'`` is never an *input*, 0 can
be the mask value (``Embedding(mask_zero=True)``)::

    ids (batch, T) int32 -> Embedding(28, embed_dim, mask_zero) -> GRU or LSTM (units,
    return_sequences) -> Dense(27) logits (batch, T, 27)

Targets are the letters then ``'\\n'`` (:func:`encode_names`), weighted 0 on the padding.

:class:`NameSampler` samples names inside the graph: one ``tf.while_loop`` over at most 50 steps
of the recurrent cell for a whole batch, each draw ``tf.random.stateless_categorical(logits /
temperature, seed=[seed, step])``, so a seed gives the same names in memory and from the
SavedModel. Names stop at the first ``'\\n'`` (50 letters at most, as the course's ``sample``) and
come back capitalized, as the course prints them.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import layers

VOCAB_SIZE = 27  # '\n' + a-z, the output classes
START = 27  # the input id standing for the course's zero vector x<1>
INPUT_VOCAB = 28
MAX_LENGTH = 50
CHARS = ["\n", *string.ascii_lowercase]


def encode_names(names: Sequence[str], max_length: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(inputs, targets, weights)``, each ``(len(names), T)``: ``[START, letters..]``, ``[letters.., 0]``, 1/0.

    ``T`` is the longest name + 1 (or ``max_length``; longer names are cut).

    Raises:
        ValueError: a name with a character outside a-z (``"expected ..., found ..."``).
    """
    T = max_length if max_length is not None else max(len(n) for n in names) + 1
    inputs = np.zeros((len(names), T), np.int32)
    targets = np.zeros((len(names), T), np.int32)
    weights = np.zeros((len(names), T), np.float32)
    for i, name in enumerate(names):
        if not name or any(c not in string.ascii_lowercase for c in name):
            raise ValueError(f"encode_names: expected non-empty lower-case a-z names, found {name!r}")
        ids = [ord(c) - ord("a") + 1 for c in name][: T - 1]
        inputs[i, : len(ids) + 1] = [START, *ids]
        targets[i, : len(ids)] = ids  # then 0 = '\n'
        weights[i, : len(ids) + 1] = 1.0
    return inputs, targets, weights


def build_name_model(units: int = 64, embed_dim: int = 16, cell: str = "gru", seed: int = 0) -> keras.Model:
    """The character model: ids ``(batch, T)`` -> next-character logits ``(batch, T, 27)``."""
    if cell not in ("gru", "lstm"):
        raise ValueError(f"expected cell 'gru' or 'lstm', found {cell!r}")
    recurrent = layers.GRU if cell == "gru" else layers.LSTM
    inputs = keras.Input((None,), dtype="int32", name="ids")
    x = layers.Embedding(INPUT_VOCAB, embed_dim, mask_zero=True, name="embedding",
                         embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed))(inputs)
    x = recurrent(units, return_sequences=True, name="recurrent",
                  kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1),
                  recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 2))(x)
    logits = layers.Dense(VOCAB_SIZE, name="logits",
                          kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 3))(x)
    return keras.Model(inputs, logits, name=f"dino_{cell}")


def compile_name_model(model: keras.Model, learning_rate: float = 0.01) -> keras.Model:
    """Adam and sparse cross-entropy on logits (weighted by the padding mask)."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  weighted_metrics=[])
    return model


def keras_perplexity(model: keras.Model, names: Sequence[str], batch_size: int = 256) -> float:
    """Per-character perplexity ``exp(total NLL / characters)`` of ``names`` (each + ``'\\n'``), from a zero state."""
    inputs, targets, weights = encode_names(names)
    total = 0.0
    for start in range(0, len(names), batch_size):
        stop = start + batch_size
        logits = model(inputs[start:stop], training=False)
        nll = keras.ops.sparse_categorical_crossentropy(targets[start:stop], logits, from_logits=True)
        total += float(np.sum(np.asarray(nll) * weights[start:stop]))
    return math.exp(total / float(weights.sum()))


class NameSampler(tf.Module):
    """Samples names and next-character distributions from a trained :func:`build_name_model` model.

    Both methods are ``tf.function`` s of tensors only (exportable): :meth:`sample` ``(count int32,
    temperature float32, seed int64) -> names string (count,)``, :meth:`next_char` ``(prefixes
    string (batch,)) -> probabilities (batch, 27)``.
    """

    def __init__(self, model: keras.Model, max_length: int = MAX_LENGTH) -> None:
        super().__init__(name="name_sampler")
        self.model = model
        self.embedding = model.get_layer("embedding")
        self.recurrent = model.get_layer("recurrent")
        self.logits_layer = model.get_layer("logits")
        self.units = int(self.recurrent.units)
        self.two_states = isinstance(self.recurrent, layers.LSTM)
        self.max_length = int(max_length)
        self.letters = tf.constant(["", *string.ascii_lowercase])  # id 0 ('\n') ends a name: ""
        self.capitals = tf.constant(["", *string.ascii_uppercase])

    def _step(self, token: tf.Tensor, states: list[tf.Tensor]) -> tuple[tf.Tensor, list[tf.Tensor]]:
        embedded = tf.gather(self.embedding.embeddings, token)  # no mask: the cell takes none
        output, new_states = self.recurrent.cell(embedded, states, training=False)
        return self.logits_layer(output), list(new_states)

    @tf.function(input_signature=[tf.TensorSpec((), tf.int32), tf.TensorSpec((), tf.float32),
                                  tf.TensorSpec((), tf.int64)], reduce_retracing=True)
    def sample_ids(self, count: tf.Tensor, temperature: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """Sampled ids ``(count, max_length)``: letters, then 0 from the first ``'\\n'`` on."""
        count = tf.maximum(count, 0)
        zeros = tf.zeros(tf.stack([count, self.units]), self.recurrent.cell.compute_dtype)
        states = [zeros, zeros] if self.two_states else [zeros]
        token = tf.fill(tf.reshape(count, [1]), tf.constant(START, tf.int32))
        done = tf.zeros(tf.reshape(count, [1]), tf.bool)
        ids = tf.zeros(tf.stack([self.max_length, count]), tf.int32)  # row t: the draws of step t
        temperature = tf.maximum(temperature, 1e-3)

        def cond(t, token, done, states, ids):  # noqa: ANN001, ANN202
            return tf.logical_and(t < self.max_length, tf.logical_not(tf.reduce_all(done)))

        def body(t, token, done, states, ids):  # noqa: ANN001, ANN202
            logits, states = self._step(token, states)
            draw = tf.random.stateless_categorical(tf.cast(logits, tf.float32) / temperature, 1,
                                                   seed=tf.stack([seed, tf.cast(t, tf.int64)]), dtype=tf.int32)[:, 0]
            draw = tf.where(done, tf.zeros_like(draw), draw)
            ids = tf.tensor_scatter_nd_update(ids, tf.reshape(t, [1, 1]), draw[tf.newaxis])
            return t + 1, draw, tf.logical_or(done, tf.equal(draw, 0)), states, ids

        _, _, _, _, ids = tf.while_loop(cond, body, [tf.constant(0), token, done, states, ids])
        return tf.transpose(ids)

    @tf.function(input_signature=[tf.TensorSpec((), tf.int32), tf.TensorSpec((), tf.float32),
                                  tf.TensorSpec((), tf.int64)], reduce_retracing=True)
    def sample(self, count: tf.Tensor, temperature: tf.Tensor, seed: tf.Tensor) -> dict[str, tf.Tensor]:
        """``{"names": (count,) string, "ids": (count, max_length) int32, "lengths": (count,) int32}``.

        ``names`` are capitalized, without their newline; ``ids`` the sampled letters (0 after a
        name's end).
        """
        ids = self.sample_ids(count, temperature, seed)
        return {"names": self.names_vector(ids), "ids": ids,
                "lengths": tf.reduce_sum(tf.cast(ids > 0, tf.int32), axis=1)}

    def names_vector(self, ids: tf.Tensor) -> tf.Tensor:
        """Capitalized names ``(count,)`` string of sampled ``ids (count, T)``."""
        first = tf.strings.reduce_join(tf.gather(self.capitals, ids[:, :1]), axis=1)
        return first + tf.strings.reduce_join(tf.gather(self.letters, ids[:, 1:]), axis=1)

    @tf.function(input_signature=[tf.TensorSpec((None,), tf.string)], reduce_retracing=True)
    def next_char(self, prefixes: tf.Tensor) -> dict[str, tf.Tensor]:
        """``{"probabilities": (batch, 27)}`` of the character after each prefix (letters a-z, case-free;
        other characters are ignored; ``""`` gives the first letter's distribution)."""
        codes = tf.strings.unicode_decode(tf.strings.lower(prefixes), "UTF-8")
        ids = codes - (ord("a") - 1)
        ids = tf.ragged.boolean_mask(ids, tf.logical_and(ids >= 1, ids <= 26))
        batch = tf.shape(prefixes)[0]
        start = tf.RaggedTensor.from_tensor(tf.fill(tf.stack([batch, 1]), START))
        sequence = tf.concat([start, tf.cast(ids, tf.int32)], axis=1)
        lengths = tf.cast(sequence.row_lengths(), tf.int32)
        padded = sequence.to_tensor(0)
        logits = self.model(padded, training=False)  # (batch, T, 27)
        last = tf.gather(logits, lengths - 1, batch_dims=1)
        return {"probabilities": tf.nn.softmax(tf.cast(last, tf.float32), axis=-1)}


def sample_names(sampler: NameSampler, count: int, temperature: float = 1.0, seed: int = 0) -> list[str]:
    """``count`` names from ``sampler`` as Python strings."""
    ids = sampler.sample_ids(tf.constant(count, tf.int32), tf.constant(temperature, tf.float32),
                             tf.constant(seed, tf.int64))
    return [n.decode() for n in sampler.names_vector(ids).numpy()]

