"""Emojify's out-of-vocabulary back-off: the NumPy rules and the serving graph's agree word for word."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tf_course.text.emojify.oov import backoff_ids, backoff_index, candidates, resolve_sentences
from tf_course.text.emojify.serving import make_lookup

VOCAB = ["love", "hug", "city", "mom", "play", "bake", "watch", "happy", "quick", "do", "game", "big", "!"]
WORD_TO_INDEX = {w: i for i, w in enumerate(VOCAB, start=1)}
WORDS = ["love", "loved", "loving", "loves", "hugged", "hugging", "hugs", "cities", "mom's", "played", "playing",
         "baked", "baking", "watches", "watched", "happily", "happier", "happiest", "quickly", "don't", "games",
         "bigger", "biggest", "love!", "(hug)", "...", "!", "zebra", "s", "ed", "ing", "", "Love", "CITIES"]


def test_backoff_rules():
    assert backoff_index("love", WORD_TO_INDEX) == 1
    assert [VOCAB[backoff_index(w, WORD_TO_INDEX) - 1] for w in ["loved", "loving", "hugged", "cities", "mom's",
                                                                  "baking", "watches", "happily", "bigger",
                                                                  "love!", "(hug)"]] == \
        ["love", "love", "hug", "city", "mom", "bake", "watch", "happy", "big", "love", "hug"]
    assert backoff_index("zebra", WORD_TO_INDEX) == 0 and backoff_index("...", WORD_TO_INDEX) == 0
    assert candidates("Played")[:2] == ["played", "played"]
    np.testing.assert_array_equal(resolve_sentences(["I LOVED the games!!", "zebra", ""], WORD_TO_INDEX),
                                  ["love game", "", ""])


def test_graph_backoff_equals_numpy():
    lookup = make_lookup(WORD_TO_INDEX)
    graph = tf.function(lambda t: backoff_ids(tf.strings.lower(t), lookup))
    served = graph(tf.constant(WORDS)).numpy()
    expected = [backoff_index(w, WORD_TO_INDEX) for w in WORDS]
    np.testing.assert_array_equal(served, expected)
    assert served[WORDS.index("!")] == WORD_TO_INDEX["!"]  # a known word is never stripped
