"""Greedy and beam-search decoding for any step function, and the valid ``YYYY-MM-DD`` restriction (seed 5.3.1).

A *step function* gives the next token's log-probabilities for a batch of hypotheses::

    step_fn(prefixes, rows, t) -> log_probs
    # prefixes (n, t) int: the hypotheses' tokens so far; rows (n,) int: the input example of each
    # hypothesis; t: the step (0-based); log_probs (n, V) float

Beam search keeps the ``beam_width`` most likely prefixes at each step (step 1: the B most likely
first tokens; step 2: those B prefixes combined with every token, the B most likely kept; and so
on). A hypothesis that emits ``end_token`` is set aside; at the end the best one is the argmax of
the length-normalised log-probability ``1 / T^alpha * sum_t log P(y<t> | x, y<1..t-1>)`` (``T``:
its length, end token included; ``alpha`` in [0, 1], 0: no normalisation, which favours short
outputs). Greedy search takes the single most likely token at each step.

``allowed_fn(prefixes, t) -> bool mask (n, V)`` restricts the tokens (:func:`valid_date_mask`: only
prefixes of valid dates). The course's translator has no feedback of its previous output, so its
step function ignores the prefixes (:func:`probabilities_step_fn`): unrestricted, beam search then
equals greedy search; restricted to valid dates, it finds the most likely *valid* date.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tf_course.data.dates import MACHINE_VOCAB

StepFn = Callable[[np.ndarray, np.ndarray, int], np.ndarray]
AllowedFn = Callable[[np.ndarray, int], np.ndarray]
NEG_INF = -np.inf


@dataclass(frozen=True)
class Decoded:
    """Decoded sequences.

    Attributes:
        tokens: (N, max_len) int, padded with ``pad`` after the end (the end token is kept).
        lengths: (N,) int, tokens per sequence, end token included.
        log_probs: (N,) summed log-probabilities (-inf where no allowed sequence exists).
        scores: (N,) length-normalised log-probabilities (what beam search maximises).
    """

    tokens: np.ndarray
    lengths: np.ndarray
    log_probs: np.ndarray
    scores: np.ndarray


def _normalised(log_probs: np.ndarray, lengths: np.ndarray, alpha: float) -> np.ndarray:
    return log_probs / np.maximum(lengths, 1).astype(np.float64) ** alpha


def greedy_search(
    step_fn: StepFn, batch_size: int, max_len: int, end_token: int | None = None,
    allowed_fn: AllowedFn | None = None, pad: int = 0, alpha: float = 0.0,
) -> Decoded:
    """The most likely token at each step, for ``batch_size`` inputs (stops at ``end_token``)."""
    rows = np.arange(batch_size)
    tokens = np.zeros((batch_size, 0), np.int64)
    log_probs = np.zeros(batch_size)
    lengths = np.full(batch_size, max_len)
    done = np.zeros(batch_size, bool)
    for t in range(max_len):
        logp = np.asarray(step_fn(tokens, rows, t), np.float64)  # (N, V)
        if allowed_fn is not None:
            logp = np.where(allowed_fn(tokens, t), logp, NEG_INF)
        best = logp.argmax(-1)
        best = np.where(done, pad, best)
        log_probs = log_probs + np.where(done, 0.0, logp[rows, best])
        tokens = np.concatenate([tokens, best[:, None]], 1)
        if end_token is not None:
            ended = ~done & (best == end_token)
            lengths[ended] = t + 1
            done |= ended
    return Decoded(tokens, lengths, log_probs, _normalised(log_probs, lengths, alpha))


def beam_search(
    step_fn: StepFn, batch_size: int, max_len: int, beam_width: int = 3, alpha: float = 0.7,
    end_token: int | None = None, allowed_fn: AllowedFn | None = None, pad: int = 0,
) -> Decoded:
    """Beam search with length normalisation, for ``batch_size`` inputs at once (vectorised).

    Args:
        step_fn: see the module docstring; called with ``batch_size * beam_width`` hypotheses.
        batch_size: number of inputs N.
        max_len: longest output; hypotheses still alive then end there.
        beam_width: B.
        alpha: length-normalisation exponent (0: none).
        end_token: the token that ends a hypothesis (None: every output has ``max_len`` tokens).
        allowed_fn: restricts each step's tokens (None: all allowed).
        pad: what fills ``tokens`` after a hypothesis' end.

    Returns:
        The best hypothesis per input, by length-normalised log-probability.
    """
    if beam_width < 1:
        raise ValueError(f"expected beam_width >= 1, found {beam_width}")
    N, B = batch_size, beam_width
    rows = np.repeat(np.arange(N), B)  # the input example of each of the N * B hypotheses
    tokens = np.zeros((N, B, 0), np.int64)
    scores = np.full((N, B), NEG_INF)
    scores[:, 0] = 0.0  # one live hypothesis (the empty one) per input to start with
    best_tokens = np.full((N, max_len), pad, np.int64)
    best_len = np.zeros(N, np.int64)
    best_logp = np.full(N, NEG_INF)
    best_score = np.full(N, NEG_INF)

    def consider(example: np.ndarray, hyp_tokens: np.ndarray, logp: np.ndarray, length: int) -> None:
        """Keep the finished hypotheses that beat each example's best so far (vectorised)."""
        norm = _normalised(logp, np.full(len(logp), length), alpha)
        order = np.lexsort((-norm, example))  # by example, then best first
        first = np.r_[True, example[order][1:] != example[order][:-1]]
        pick = order[first]  # each example's best candidate
        e = example[pick]
        better = np.isfinite(norm[pick]) & (norm[pick] > best_score[e])
        pick, e = pick[better], e[better]
        best_score[e], best_logp[e], best_len[e] = norm[pick], logp[pick], length
        best_tokens[e] = pad
        best_tokens[e, :length] = hyp_tokens[pick]

    for t in range(max_len):
        logp = np.asarray(step_fn(tokens.reshape(N * B, t), rows, t), np.float64)  # (N * B, V)
        if allowed_fn is not None:
            logp = np.where(allowed_fn(tokens.reshape(N * B, t), t), logp, NEG_INF)
        V = logp.shape[-1]
        candidates = (scores[:, :, None] + logp.reshape(N, B, V)).reshape(N, B * V)  # (N, B * V)
        k = min(2 * B, B * V)  # the 2B best: at most B of them end here, B stay alive
        order = np.argsort(-candidates, axis=1, kind="stable")[:, :k]  # (N, k)
        cand_scores = np.take_along_axis(candidates, order, 1)
        parent, token = order // V, order % V
        cand_tokens = np.concatenate(
            [np.take_along_axis(tokens, parent[:, :, None], 1), token[:, :, None]], 2)  # (N, k, t + 1)
        last = t == max_len - 1
        ends = (token == end_token) if end_token is not None else np.zeros_like(token, bool)
        if last:
            ends[:] = True
        e_idx, c_idx = np.nonzero(ends & np.isfinite(cand_scores))
        if len(e_idx):
            consider(e_idx, cand_tokens[e_idx, c_idx], cand_scores[e_idx, c_idx], t + 1)
        if last:
            break
        # the B best candidates that did not end stay alive
        alive_rank = np.where(ends, np.inf, np.arange(k)[None, :])
        keep = np.argsort(alive_rank, axis=1, kind="stable")[:, :B]  # (N, B)
        kept_ends = np.take_along_axis(ends, keep, 1)
        scores = np.where(kept_ends, NEG_INF, np.take_along_axis(cand_scores, keep, 1))
        tokens = np.take_along_axis(cand_tokens, keep[:, :, None], 1)
    return Decoded(best_tokens, best_len, best_logp, best_score)


def probabilities_step_fn(probabilities: np.ndarray, eps: float = 1e-30) -> StepFn:
    """The step function of a model whose output distributions do not depend on its previous outputs.

    Args:
        probabilities: (N, Ty, V), e.g. the course model's ``Ty`` softmaxes stacked.
    """
    log_probs = np.log(np.maximum(np.asarray(probabilities, np.float64), eps))

    def step(prefixes: np.ndarray, rows: np.ndarray, t: int) -> np.ndarray:
        return log_probs[rows, t]

    return step


_DIGIT = np.full(len(MACHINE_VOCAB), -1)
for _char, _index in MACHINE_VOCAB.items():
    if _char.isdigit():
        _DIGIT[_index] = int(_char)
_DASH = MACHINE_VOCAB["-"]
_DAYS = np.array([[calendar.monthrange(2001 if not leap else 2000, m)[1] for m in range(1, 13)]
                  for leap in (False, True)])  # [leap][month - 1]: days in the month


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return _DAYS[leap.astype(int), np.clip(month, 1, 12) - 1]


def valid_date_mask(prefixes: np.ndarray, t: int) -> np.ndarray:
    """Which machine-vocabulary tokens extend each prefix towards a valid ISO date ``YYYY-MM-DD``.

    Years 0001-9999 (Python's ``date``), months 01-12, days 01 up to the month's length (leap years
    included). Every prefix this mask allows can be completed, so a restricted search always ends
    on a valid date.

    Args:
        prefixes: (n, t) machine-vocabulary indices (themselves allowed prefixes).
        t: the position of the next token, 0-9.

    Returns:
        (n, 11) bool.
    """
    n = prefixes.shape[0]
    digits = _DIGIT[prefixes] if t else np.zeros((n, 0), int)  # (n, t) digit values
    is_digit = _DIGIT >= 0
    mask = np.zeros((n, len(_DIGIT)), bool)
    d = _DIGIT[None, :]  # (1, V) the digit each token writes
    if t in (4, 7):
        mask[:, _DASH] = True
    elif t < 3:
        mask[:] = is_digit
    elif t == 3:  # not year 0000
        mask[:] = is_digit
        mask &= ~((digits[:, :3].sum(1) == 0)[:, None] & (d == 0))
    elif t == 5:
        mask[:] = is_digit & (d <= 1)
    elif t == 6:
        tens = digits[:, 5:6]
        mask[:] = is_digit & np.where(tens == 0, d >= 1, d <= 2)
    else:
        year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
        month = digits[:, 5] * 10 + digits[:, 6]
        days = _days_in_month(year, month)[:, None]  # (n, 1)
        if t == 8:
            mask[:] = is_digit & (d * 10 <= days)
        elif t == 9:
            tens = digits[:, 8:9]
            day = tens * 10 + d
            mask[:] = is_digit & (day >= 1) & (day <= days)
        else:
            raise ValueError(f"expected a position 0-9 of YYYY-MM-DD, found {t}")
    return mask


def is_valid_iso(text: str) -> bool:
    """Whether ``text`` is a valid ``YYYY-MM-DD`` date."""
    import datetime as _dt

    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
