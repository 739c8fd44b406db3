"""Out-of-vocabulary policy for Emojify: back off an unknown word to a known stem.

A word that has no vector is first stripped of surrounding punctuation, then tried without common
English endings, in the order of :data:`BACKOFF_RULES` (``"hugged"`` -> ``"hug"``, ``"cities"`` ->
``"city"``, ``"loving"`` -> ``"love"``, ``"mom's"`` -> ``"mom"``); the first candidate that is in the
vocabulary gives the index. A word with no known candidate is skipped, as the course's
``sentences_to_indices`` skips unknown words. :func:`resolve_sentences` rewrites sentences with the
known words (what the NumPy V1 and ``sentences_to_indices`` then read).

The same rules run in NumPy (:func:`backoff_index`, Python ``re``) and in the serving graph
(:func:`backoff_ids`, ``tf.strings.regex_replace``, RE2): the patterns use only syntax both engines
read identically (no back-references in patterns).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

PUNCTUATION = r"^[^a-z0-9]+|[^a-z0-9]+$"
# (pattern matching the whole word, replacement); tried in this order after the word itself
BACKOFF_RULES: list[tuple[str, str]] = [
    (r"^(.+)'s$", r"\1"),
    (r"^(.+)n't$", r"\1"),
    (r"^(.+)ies$", r"\1y"),
    (r"^(.+(?:s|x|z|ch|sh))es$", r"\1"),
    (r"^(.+[^s'])s$", r"\1"),
    (r"^(.+)ied$", r"\1y"),
    (r"^(.+)ed$", r"\1e"),
    (r"^(.+[bdgmnprt])[bdgmnprt]ed$", r"\1"),
    (r"^(.+)ed$", r"\1"),
    (r"^(.+)ing$", r"\1e"),
    (r"^(.+[bdgmnprt])[bdgmnprt]ing$", r"\1"),
    (r"^(.+)ing$", r"\1"),
    (r"^(.+)ily$", r"\1y"),
    (r"^(.+)ly$", r"\1"),
    (r"^(.+)iest$", r"\1y"),
    (r"^(.+[bdgmnprt])[bdgmnprt]est$", r"\1"),
    (r"^(.+)est$", r"\1"),
    (r"^(.+)ier$", r"\1y"),
    (r"^(.+[bdgmnprt])[bdgmnprt]er$", r"\1"),
    (r"^(.+)er$", r"\1"),
]


def candidates(word: str) -> list[str]:
    """The strings tried for ``word`` (lower-cased): itself, without punctuation, then its stems."""
    word = word.lower()
    stripped = re.sub(PUNCTUATION, "", word)
    out = [word, stripped]
    for pattern, replacement in BACKOFF_RULES:
        if re.fullmatch(pattern, stripped):
            out.append(re.sub(pattern, replacement, stripped))
    return out


def backoff_index(word: str, word_to_index: Mapping[str, int]) -> int:
    """``word``'s index, or its first known candidate's (:func:`candidates`), or 0 (no vector)."""
    for candidate in candidates(word):
        index = word_to_index.get(candidate, 0)
        if index:
            return int(index)
    return 0


def backoff_ids(tokens: object, lookup: Callable[[object], object]) -> object:
    """In TensorFlow: ``tokens`` (n,) tf.string (lower-cased) -> indices (n,) int32 by the same policy;
    ``lookup`` maps strings to indices with 0 for unknown ones (a ``StringLookup``)."""
    import tensorflow as tf

    def ids(strings: tf.Tensor) -> tf.Tensor:
        return tf.cast(lookup(strings), tf.int32)

    result = ids(tokens)
    stripped = tf.strings.regex_replace(tokens, PUNCTUATION, "")
    options = [stripped]
    for pattern, replacement in BACKOFF_RULES:
        matches = tf.strings.regex_full_match(stripped, pattern)
        # a non-matching word gets the empty string, which is never in the vocabulary
        options.append(tf.where(matches, tf.strings.regex_replace(stripped, pattern, replacement), ""))
    for option in options:
        result = tf.where(result > 0, result, ids(option))
    return result


def resolve_sentences(sentences: Sequence[str], word_to_index: Mapping[str, int]) -> np.ndarray:
    """Each sentence as the known words its words back off to (:func:`candidates`), joined by spaces;
    words with no known candidate dropped. (m,) str; the serving graph's indices are those of
    ``sentences_to_indices`` on this."""
    out = []
    for sentence in sentences:
        words = []
        for word in str(sentence).lower().split():
            known = next((c for c in candidates(word) if c in word_to_index), None)
            if known is not None:
                words.append(known)
        out.append(" ".join(words))
    return np.asarray(out, dtype=str)
