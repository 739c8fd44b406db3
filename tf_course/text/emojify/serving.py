"""Emojify V2 served on raw sentences: ``serving_default(sentences: tf.string (batch,))``.

Inside the graph, as :func:`tf_course.text.emojify.oov.resolve_sentences` then
:func:`tf_course.text.emojify.model.sentences_to_indices` do in NumPy: lower-case (UTF-8), split on
whitespace, look each word up (a ``StringLookup`` whose index i + 1 is ``words[i]``, 0 for unknown
words), back an unknown word off to a known stem (:func:`tf_course.text.emojify.oov.backoff_ids`;
``backoff=False``: no back-off), drop the words still unknown, keep the first ``max_len`` and pad
with 0. Outputs: ``probabilities`` (batch, 5) float32 and ``label`` (batch,) int64 (0 heart,
1 baseball, 2 smile, 3 disappointed, 4 fork and knife). The input signature is declared here as a
``tf.string`` TensorSpec, not inherited from a ``TextVectorization`` layer (whose export declares a
float input, keras#19396).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from tf_course.export.saved_model import ExportResult, Signature, export_and_check
from tf_course.text.emojify.oov import backoff_ids

SAMPLE_SENTENCES = ("I love you", "I am so hungry", "")


def index_vocabulary(word_to_index: Mapping[str, int]) -> list[str]:
    """The words in index order 1..V (``word_to_index`` must be exactly 1..V)."""
    words = sorted(word_to_index, key=word_to_index.__getitem__)
    if [word_to_index[w] for w in words] != list(range(1, len(words) + 1)):
        raise ValueError("serving vocabulary: expected word indices 1..V (0 is padding), found others")
    return words


def make_lookup(word_to_index: Mapping[str, int]) -> layers.StringLookup:
    """A ``StringLookup`` giving ``word_to_index[w]`` for a known word and 0 for any other."""
    lookup = layers.StringLookup(vocabulary=index_vocabulary(word_to_index), num_oov_indices=1, oov_token="[UNK]",
                                 output_mode="int", name="word_lookup")
    lookup(tf.constant([""]))  # builds it (an export tracks built layers only)
    return lookup


def make_serve_fn(model: keras.Model, lookup: layers.StringLookup, max_len: int, backoff: bool = True) -> Any:
    """The serving function: sentences (batch,) tf.string -> {probabilities (batch, 5), label (batch,)}."""

    def ids_of(words: tf.Tensor) -> tf.Tensor:
        return backoff_ids(words, lookup) if backoff else tf.cast(lookup(words), tf.int32)

    def serve(sentences: tf.Tensor) -> dict[str, tf.Tensor]:
        tokens = tf.strings.split(tf.strings.lower(sentences, encoding="utf-8"))  # ragged (batch, None)
        ids = tf.ragged.map_flat_values(ids_of, tokens)
        ids = tf.ragged.boolean_mask(ids, ids > 0)[:, :max_len]  # unknown words skipped, then truncated
        indices = ids.to_tensor(default_value=0, shape=[None, max_len])
        probabilities = model(indices, training=False)
        return {"probabilities": probabilities, "label": tf.argmax(probabilities, axis=-1)}

    return serve


def export_emojify(
    name: str, model: keras.Model, word_to_index: Mapping[str, int], max_len: int, out_dir: str | Path,
    sample: Sequence[str] = SAMPLE_SENTENCES, metrics: dict[str, Any] | None = None,
    data_source: dict[str, str] | None = None, backoff: bool = True,
) -> ExportResult:
    """Export ``model`` (indices (batch, max_len) -> probabilities) behind the raw-sentence signature,
    verified in a fresh process on ``sample``."""
    lookup = make_lookup(word_to_index)
    signature = Signature(
        fn=make_serve_fn(model, lookup, max_len, backoff),
        inputs=[tf.TensorSpec([None], tf.string, name="sentences")],
        sample={"sentences": np.array([s.encode("utf-8") for s in sample])},
        atol=1e-5,
    )
    return export_and_check(name, {"serving_default": signature}, track=[model, lookup], out_dir=out_dir,
                            metrics=metrics, data_source=data_source,
                            manifest_extra={"emojify": {
                                "max_len": max_len, "oov_backoff": backoff,
                                "labels": ["heart", "baseball", "smile", "disappointed", "fork_and_knife"]}})
