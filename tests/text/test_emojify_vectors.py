"""Emojify's offline vectors: the generic English generator, English inflections, PPMI-SVD vectors, CV folds."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.data.synthetic_text import emojify_vector_corpus, generic_corpus, plural, verb_forms
from tf_course.text.emojify.crossval import stratified_folds
from tf_course.text.word_vectors.counts import ppmi_svd_vectors


def test_inflections():
    assert verb_forms("hug") == {"base": "hug", "third": "hugs", "past": "hugged", "ing": "hugging"}
    assert verb_forms("love") == {"base": "love", "third": "loves", "past": "loved", "ing": "loving"}
    assert verb_forms("cry") == {"base": "cry", "third": "cries", "past": "cried", "ing": "crying"}
    assert verb_forms("watch")["third"] == "watches" and verb_forms("eat")["past"] == "ate"
    assert verb_forms("play")["past"] == "played" and verb_forms("lie")["ing"] == "lying"
    assert [plural(n) for n in ["game", "party", "dish", "child", "fries"]] == \
        ["games", "parties", "dishes", "children", "fries"]


def test_generic_corpus_is_deterministic_and_broad():
    corpus = generic_corpus(3000, seed=3)
    assert corpus == generic_corpus(3000, seed=3) and corpus != generic_corpus(3000, seed=4)
    vocab = {w for s in corpus for w in s}
    assert len(vocab) > 1500 and {"hugged", "laughed", "delicious", "games", "exam", "rainy"} <= vocab
    assert all(1 <= len(s) <= 14 for s in corpus)
    mixed = emojify_vector_corpus(["I Love tea", "go team"], repeats=3, n_generic=10, seed=0)
    assert len(mixed) == 16 and sum(s == ["i", "love", "tea"] for s in mixed) == 3


def test_ppmi_svd_vectors_group_words_by_context():
    rng = np.random.default_rng(0)
    topics = [["pizza", "pasta", "soup", "eat", "tasty"], ["ball", "team", "coach", "play", "score"]]
    sentences = [[str(w) for w in rng.choice(topics[i % 2], 4)] + ["the", "we"] for i in range(400)]
    result = ppmi_svd_vectors(sentences, dim=3, window=3, seed=0)
    again = ppmi_svd_vectors(sentences, dim=3, window=3, seed=0)
    np.testing.assert_array_equal(result.vectors, again.vectors)
    v = {w: x / np.linalg.norm(x) for w, x in zip(result.words, result.vectors)}
    assert v["pizza"] @ v["soup"] > 0.9 and v["pizza"] @ v["coach"] < 0.5
    with pytest.raises(ValueError, match="expected more than dim=50 distinct words, found 12"):
        ppmi_svd_vectors(sentences, dim=50)


def test_stratified_folds():
    y = np.array([0] * 10 + [1] * 5 + [2] * 3)
    fold = stratified_folds(y, 5, seed=0)
    assert sorted(np.bincount(fold[y == 0])) == [2] * 5 and sorted(np.bincount(fold[y == 1])) == [1] * 5
    assert set(fold) == set(range(5))
