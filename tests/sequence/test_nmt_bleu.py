"""C5W3 BLEU: the lecture's hand-computed modified precisions, brevity penalty, and parity with sacrebleu.

Smoothing: both sides use the same method in each comparison: ``"none"`` (the course's: a zero
precision gives BLEU 0), and sacrebleu's others (``"exp"``, its default; ``"floor"``; ``"add-k"``);
sacrebleu runs with ``tokenize="none"`` (whitespace split), so both see the same tokens.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tf_course.sequence.nmt_attention.bleu import bleu_stats, characters, closest_ref_len, corpus_bleu, sentence_bleu

sacrebleu = pytest.importorskip("sacrebleu")

REFS = ["the cat is on the mat", "there is a cat on the mat"]


def test_modified_precision_as_in_the_lecture():
    # "the the the the the the the": 7 unigrams, "the" clipped to 2 (most in one reference) -> 2/7
    stats = bleu_stats("the the the the the the the", REFS)
    assert stats.correct[0] == 2 and stats.total[0] == 7
    # "the cat the cat on the mat" bigrams: the-cat 2 (clip 1), cat-the 0, cat-on 1, on-the 1, the-mat 1 -> 4/6
    stats = bleu_stats("the cat the cat on the mat", REFS)
    assert (stats.correct[1], stats.total[1]) == (4, 6)
    assert stats.ref_len == 7  # 7 words: the references of 6 and 7 words are 1 and 0 away
    assert closest_ref_len(5, [6, 4]) == 4  # a tie goes to the shorter reference

def test_brevity_penalty_and_perfect_match():
    assert sentence_bleu("the cat is on the mat", REFS) == pytest.approx(1.0)
    # "the cat is on the" against "the cat is on the mat" (6): c = 5, p = 1, 1, 1, 1 -> BP = exp(1 - 6/5)
    assert sentence_bleu("the cat is on the", ["the cat is on the mat"]) == pytest.approx(math.exp(1 - 6 / 5))
    assert sentence_bleu("on the mat", REFS) == 0.0  # no 4-gram: 0 without smoothing
    # ISO dates as characters: one wrong day digit in 10 characters
    hyp, ref = characters("1998-05-08"), characters("1998-05-09")
    want = (9 / 10 * 8 / 9 * 7 / 8 * 6 / 7) ** 0.25  # each order loses exactly the n-grams with the last digit
    assert sentence_bleu(hyp, [ref]) == pytest.approx(want, abs=1e-12)


def _sacre(smoothing, effective_order=False):
    return sacrebleu.metrics.BLEU(tokenize="none", smooth_method=smoothing, effective_order=effective_order)


@pytest.mark.parametrize("smoothing", ["none", "exp", "floor", "add-k"])
def test_parity_with_sacrebleu(smoothing):
    rng = np.random.default_rng(0)
    words = "the a cat dog is on mat sat there".split()
    hyps, ref1, ref2 = [], [], []
    for _ in range(40):
        hyps.append(" ".join(rng.choice(words, rng.integers(2, 9))))
        ref1.append(" ".join(rng.choice(words, rng.integers(3, 9))))
        ref2.append(" ".join(rng.choice(words, rng.integers(3, 9))))
    hyps[0], ref1[0] = "the cat sat on the mat", "the cat sat on the mat"
    for effective in (False, True):
        metric = _sacre(smoothing, effective)
        for h, r1, r2 in zip(hyps, ref1, ref2):
            ours = sentence_bleu(h, [r1, r2], smoothing=smoothing, effective_order=effective)
            assert ours == pytest.approx(metric.sentence_score(h, [r1, r2]).score / 100, abs=1e-6), (h, r1, r2)
        ours = corpus_bleu(hyps, list(zip(ref1, ref2)), smoothing=smoothing, effective_order=effective)
        assert ours == pytest.approx(metric.corpus_score(hyps, [ref1, ref2]).score / 100, abs=1e-6)
    dates = ["1998-05-09", "2019-11-10", "1970-09-10"]
    guesses = ["1998-05-08", "2019-11-10", "1907-09-10"]
    ours = corpus_bleu([characters(g) for g in guesses], [[characters(d)] for d in dates], smoothing=smoothing)
    theirs = _sacre(smoothing).corpus_score([" ".join(g) for g in guesses], [[" ".join(d) for d in dates]])
    assert ours == pytest.approx(theirs.score / 100, abs=1e-6)


def test_corpus_bleu_is_not_the_mean_of_sentence_bleus():
    hyps = ["the cat is on the mat", "mat the"]
    refs = [REFS, REFS]
    assert corpus_bleu(hyps, refs) > 0 and sentence_bleu(hyps[1], REFS) == 0.0
    with pytest.raises(ValueError, match="expected one list of references per hypothesis"):
        corpus_bleu(hyps, refs[:1])
    with pytest.raises(ValueError, match="expected smoothing"):
        sentence_bleu("a", ["a"], smoothing="laplace")
