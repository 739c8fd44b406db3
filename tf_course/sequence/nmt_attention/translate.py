"""Translating date strings with the course model: in Python (greedy or restricted beam) and as a graph for serving.

:func:`serving_fns` builds the two functions the export serves, with all pre- and post-processing
in the graph, so a client sends raw strings:

- the string is cut at the course's rule: commas removed, then the first ``Tx`` characters;
- characters map through a code-point table (ASCII letters in either case to the course's
  lower-case indices, anything outside :data:`~tf_course.data.dates.HUMAN_VOCAB` to ``<unk>``),
  padded with ``<pad>`` to ``Tx``, then one-hot;
- the model's ``Ty`` softmaxes give the argmax characters (greedy decoding, which for this model
  equals unrestricted beam search), joined into an ISO string.

``serving_default``: ``dates`` (batch,) tf.string -> ``iso_dates`` (batch,) tf.string.
``translate_with_attention``: also ``attention_weights`` (batch, Ty, Tx) and ``probabilities``
(batch, Ty, 11), enough for a client's restricted beam search.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.data.dates import (
    HUMAN_VOCAB,
    INV_MACHINE_VOCAB,
    MACHINE_VOCAB,
    PAD,
    TX,
    UNK,
    int_to_string,
    preprocess_data,
)
from tf_course.sequence.nmt_attention.decoding import beam_search, probabilities_step_fn, valid_date_mask
from tf_course.sequence.nmt_attention.model import forward

#: Code point (0-127) -> human-vocabulary index; index 128 collects every other code point (<unk>).
CODE_TO_INDEX = np.full(129, UNK, np.int32)
for _char, _index in HUMAN_VOCAB.items():
    if len(_char) == 1:
        CODE_TO_INDEX[ord(_char)] = _index
        CODE_TO_INDEX[ord(_char.upper())] = _index  # 'A'-'Z' are the lower-case letters
MACHINE_CHARS = [INV_MACHINE_VOCAB[i] for i in range(len(MACHINE_VOCAB))]


def encode_strings(dates: tf.Tensor, Tx: int = TX) -> tf.Tensor:
    """Date strings (batch,) -> human-vocabulary indices (batch, Tx) int32, as ``string_to_int`` does."""
    text = tf.strings.regex_replace(dates, ",", "")
    codes = tf.strings.unicode_decode(text, "UTF-8", errors="replace")  # ragged (batch, None) int32
    codes = codes[:, :Tx]
    index = tf.gather(tf.constant(CODE_TO_INDEX), tf.minimum(codes, 128))  # ragged (batch, <= Tx)
    return index.to_tensor(default_value=PAD, shape=[None, Tx])  # (batch, Tx)


def decode_tokens(tokens: tf.Tensor) -> tf.Tensor:
    """Machine-vocabulary indices (batch, Ty) -> ISO strings (batch,)."""
    return tf.strings.reduce_join(tf.gather(tf.constant(MACHINE_CHARS), tokens), axis=-1)


def serving_fns(model: keras.Model, Tx: int = TX, traced: bool = True) -> tuple[Any, Any]:
    """``(serving_default, translate_with_attention)`` functions of a ``dates`` (batch,) tf.string tensor.

    ``traced``: both share one ``tf.function`` (an export traces the model once, not once per
    signature); False: they run eagerly (a few calls in Python, no tracing).
    """

    def run(dates: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        x = tf.one_hot(encode_strings(dates, Tx), len(HUMAN_VOCAB))  # (batch, Tx, 37)
        probabilities, alphas = forward(model, x)  # (batch, Ty, 11), (batch, Ty, Tx)
        iso = decode_tokens(tf.argmax(probabilities, axis=-1, output_type=tf.int32))
        return iso, probabilities, alphas

    if traced:
        run = tf.function(run, input_signature=[tf.TensorSpec([None], tf.string, name="dates")])

    def serving_default(dates: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"iso_dates": run(dates)[0]}

    def translate_with_attention(dates: tf.Tensor) -> dict[str, tf.Tensor]:
        iso, probabilities, alphas = run(dates)
        return {"iso_dates": iso, "probabilities": probabilities, "attention_weights": alphas}

    return serving_default, translate_with_attention


def predict_probabilities(model: keras.Model, texts: Sequence[str], batch_size: int = 1000) -> tuple[
        np.ndarray, np.ndarray]:
    """``(probabilities (m, Ty, 11), attention weights (m, Ty, Tx))`` of the model on date strings (as
    :func:`~tf_course.data.dates.string_to_int` encodes them)."""
    X = preprocess_data([(t, "0000-00-00") for t in texts], HUMAN_VOCAB, MACHINE_VOCAB)[2]  # (m, Tx, 37)
    probs, alphas = [], []
    for start in range(0, len(X), batch_size):  # eager: cheaper than tracing for a few batches
        p, a = forward(model, tf.constant(X[start:start + batch_size]))
        probs.append(np.asarray(p))
        alphas.append(np.asarray(a))
    if not probs:
        ty = len(model.outputs)
        return np.zeros((0, ty, len(MACHINE_VOCAB)), np.float32), np.zeros((0, ty, X.shape[1]), np.float32)
    return np.concatenate(probs), np.concatenate(alphas)


def decode(probabilities: np.ndarray, method: str = "greedy", beam_width: int = 3) -> list[str]:
    """ISO strings from (m, Ty, 11) distributions: ``"greedy"`` (argmax) or ``"valid_beam"`` (restricted beam)."""
    if method == "greedy":
        tokens = probabilities.argmax(-1)
    elif method in ("beam", "valid_beam"):
        allowed = valid_date_mask if method == "valid_beam" else None
        tokens = beam_search(probabilities_step_fn(probabilities), len(probabilities), probabilities.shape[1],
                             beam_width=beam_width, alpha=0.0, allowed_fn=allowed).tokens
    else:
        raise ValueError(f"expected method 'greedy', 'beam' or 'valid_beam', found {method!r}")
    return [int_to_string(t, INV_MACHINE_VOCAB) for t in tokens]


def translate(model: keras.Model, texts: Sequence[str], method: str = "greedy") -> list[str]:
    """Date strings -> ISO dates (``method``: see :func:`decode`)."""
    return decode(predict_probabilities(model, texts)[0], method)


def plot_attention_map(model: keras.Model, text: str, ax: Any = None, Tx: int = TX) -> Any:
    """The course's ``plot_attention_map``: attention weights of each output character over the input characters.

    Returns:
        The matplotlib axes (rows: the ``Ty`` output characters; columns: the input characters).
    """
    import matplotlib.pyplot as plt

    probabilities, alphas = predict_probabilities(model, [text])
    output = decode(probabilities)[0]
    shown = text.replace(",", "")[:Tx]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 8.5))
    image = ax.imshow(alphas[0][:, :max(len(shown), 1)], interpolation="nearest", cmap="Blues")
    ax.figure.colorbar(image, ax=ax, orientation="horizontal", fraction=0.05, pad=0.12)
    ax.set_xticks(range(len(shown)))
    ax.set_xticklabels(list(shown), rotation=45)
    ax.set_yticks(range(len(output)))
    ax.set_yticklabels(list(output))
    ax.set_xlabel("input sequence")
    ax.set_ylabel("output sequence")
    ax.set_title("attention map")
    return ax
