"""BLEU (bilingual evaluation understudy) as the course defines it, at sentence and corpus level.

For n = 1..4, the *modified n-gram precision* ``p_n`` counts each hypothesis n-gram at most as
many times as it appears in the reference that has it most often (``Count_clip``), divided by the
number of hypothesis n-grams. With the hypothesis length ``c`` and the reference length ``r``
(the reference closest in length to the hypothesis, the shorter one on a tie), the *brevity
penalty* is ``BP = 1`` if ``c >= r`` else ``exp(1 - r / c)``, and
``BLEU = BP * exp(sum_n log(p_n) / 4)``, a number in [0, 1].

Corpus BLEU sums the clipped counts, the n-gram totals, ``c`` and ``r`` over all sentences first
(it is not the mean of sentence BLEUs). These are sacrebleu's definitions on pre-split tokens
(``tokenize="none"``), and tests/sequence/test_nmt_bleu.py checks equality to 1e-6. Smoothing
(what a zero precision does):

- ``"none"`` (the default here and the course's): any ``p_n = 0`` makes BLEU 0.
- ``"exp"`` (sacrebleu's default, NIST mteval's method 3): the k-th zero precision becomes
  ``1 / (2^k * total_n)``.
- ``"floor"``: a zero precision becomes ``floor / total_n`` (``smooth_value``, default 0.1).
- ``"add-k"``: add ``k`` (default 1) to the counts and totals of n > 1.

``effective_order=True`` (sacrebleu's for sentence BLEU) drops the orders a hypothesis is too
short to have (n > its length) instead of scoring 0.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

Tokens = Sequence[str]
MAX_ORDER = 4
_SMOOTH_DEFAULTS = {"none": None, "exp": None, "floor": 0.1, "add-k": 1}


def ngrams(tokens: Tokens, n: int) -> Counter:
    """Counts of the n-grams (tuples) of ``tokens``: ``ngrams("a b a b".split(), 2)`` -> {(a, b): 2, (b, a): 1}."""
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


@dataclass
class BleuStats:
    """Sufficient statistics: clipped matches and totals per order, hypothesis and reference lengths."""

    correct: list[int]
    total: list[int]
    hyp_len: int
    ref_len: int

    def __add__(self, other: BleuStats) -> BleuStats:
        return BleuStats([a + b for a, b in zip(self.correct, other.correct)],
                         [a + b for a, b in zip(self.total, other.total)],
                         self.hyp_len + other.hyp_len, self.ref_len + other.ref_len)


def _tokens(text: str | Tokens) -> list[str]:
    return text.split() if isinstance(text, str) else list(text)


def closest_ref_len(hyp_len: int, ref_lens: Sequence[int]) -> int:
    """The reference length closest to ``hyp_len`` (the shorter one on a tie)."""
    return min(ref_lens, key=lambda r: (abs(r - hyp_len), r))


def bleu_stats(hypothesis: str | Tokens, references: Sequence[str | Tokens], max_order: int = MAX_ORDER) -> BleuStats:
    """The statistics of one hypothesis against its references (strings are split on whitespace)."""
    hyp = _tokens(hypothesis)
    refs = [_tokens(r) for r in references]
    if not refs:
        raise ValueError("expected at least one reference, found none")
    correct, total = [], []
    for n in range(1, max_order + 1):
        counts = ngrams(hyp, n)
        max_ref = Counter()
        for ref in refs:
            max_ref |= ngrams(ref, n)  # elementwise max: the most any one reference has
        correct.append(sum(min(c, max_ref[g]) for g, c in counts.items()))
        total.append(max(len(hyp) - n + 1, 0))
    return BleuStats(correct, total, len(hyp), closest_ref_len(len(hyp), [len(r) for r in refs]))


def bleu_from_stats(
    stats: BleuStats, smoothing: str = "none", smooth_value: float | None = None, effective_order: bool = False,
) -> float:
    """BLEU in [0, 1] from its statistics (see the module docstring for ``smoothing``)."""
    if smoothing not in _SMOOTH_DEFAULTS:
        raise ValueError(f"expected smoothing in {sorted(_SMOOTH_DEFAULTS)}, found {smoothing!r}")
    value = _SMOOTH_DEFAULTS[smoothing] if smooth_value is None else smooth_value
    correct, total = list(stats.correct), list(stats.total)
    c, r = stats.hyp_len, stats.ref_len
    bp = 1.0 if c >= r else (math.exp(1 - r / c) if c > 0 else 0.0)
    if not any(correct):
        return 0.0
    order = len(total)
    precisions = [0.0] * order
    exp_k = 1.0
    for n in range(order):
        if smoothing == "add-k" and n > 0:
            correct[n] += value
            total[n] += value
        if total[n] == 0:
            break
        if effective_order:
            order = n + 1  # the orders the hypothesis has
        if correct[n] == 0:
            if smoothing == "exp":
                exp_k *= 2
                precisions[n] = 1.0 / (exp_k * total[n])
            elif smoothing == "floor":
                precisions[n] = value / total[n]
        else:
            precisions[n] = correct[n] / total[n]
    if effective_order:
        used = precisions[:order]
    else:
        used = precisions
    if min(used) <= 0.0:
        return 0.0
    return bp * math.exp(sum(math.log(p) for p in used) / len(used))


def sentence_bleu(
    hypothesis: str | Tokens, references: Sequence[str | Tokens], smoothing: str = "none",
    smooth_value: float | None = None, effective_order: bool = False, max_order: int = MAX_ORDER,
) -> float:
    """BLEU of one hypothesis against its references, in [0, 1]."""
    return bleu_from_stats(bleu_stats(hypothesis, references, max_order), smoothing, smooth_value, effective_order)


def corpus_bleu(
    hypotheses: Sequence[str | Tokens], references: Sequence[Sequence[str | Tokens]], smoothing: str = "none",
    smooth_value: float | None = None, effective_order: bool = False, max_order: int = MAX_ORDER,
) -> float:
    """Corpus BLEU in [0, 1]: ``references[i]`` are the references of ``hypotheses[i]``; statistics summed first."""
    if len(hypotheses) != len(references):
        raise ValueError(f"expected one list of references per hypothesis ({len(hypotheses)}), "
                         f"found {len(references)}")
    if not hypotheses:
        raise ValueError("expected at least one hypothesis, found none")
    stats = [bleu_stats(h, refs, max_order) for h, refs in zip(hypotheses, references)]
    total = stats[0]
    for s in stats[1:]:
        total = total + s
    return bleu_from_stats(total, smoothing, smooth_value, effective_order)


def characters(text: str) -> list[str]:
    """A date as BLEU tokens: its characters (``"1998-05-09"`` -> ``["1", "9", ...]``)."""
    return list(text)
