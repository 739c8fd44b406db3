"""C5W3 NMT decoding: greedy vs beam search on hand-built step functions, length normalisation, valid dates."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from tf_course.data.dates import INV_MACHINE_VOCAB, MACHINE_VOCAB, int_to_string, string_to_int
from tf_course.sequence.nmt_attention.decoding import (
    beam_search,
    greedy_search,
    is_valid_iso,
    probabilities_step_fn,
    valid_date_mask,
)

A, B, END = 0, 1, 2


def table_step_fn(table: dict[tuple[int, ...], list[float]]):
    """A step function from a table prefix -> next-token probabilities (a hand-built "model")."""

    def step(prefixes, rows, t):
        return np.log(np.array([table.get(tuple(p), [0.0, 0.0, 1.0]) for p in prefixes]) + 1e-300)

    return step


def test_beam_search_finds_what_greedy_misses():
    # P(a) = 0.5 > P(b) = 0.4 first, but after a everything is flat while after b, a is likely:
    # greedy: a a <end> = 0.5 * 0.35 = 0.175; beam (B=2): b a <end> = 0.4 * 0.9 = 0.36.
    step = table_step_fn({(): [0.5, 0.4, 0.1], (A,): [0.35, 0.35, 0.3], (B,): [0.9, 0.05, 0.05]})
    greedy = greedy_search(step, 1, 4, end_token=END)
    assert greedy.tokens[0, :3].tolist() == [A, A, END] and greedy.lengths[0] == 3
    assert math.isclose(greedy.log_probs[0], math.log(0.175), rel_tol=1e-9)
    beam = beam_search(step, 1, 4, beam_width=2, alpha=0.0, end_token=END)
    assert beam.tokens[0, :3].tolist() == [B, A, END] and beam.lengths[0] == 3
    assert math.isclose(beam.log_probs[0], math.log(0.36), rel_tol=1e-9)
    # width 1 is greedy search
    one = beam_search(step, 1, 4, beam_width=1, alpha=0.0, end_token=END)
    assert one.tokens[0, :3].tolist() == [A, A, END]


def test_length_normalisation_changes_the_winner():
    # <end>: 0.4 (length 1); a <end>: 0.6 * 0.6 = 0.36 (length 2); a a <end>: 0.6 * 0.4 = 0.24 (length 3).
    # alpha 0: log 0.4 = -0.916 wins; alpha 0.5: log 0.36 / 2**0.5 = -0.722 beats -0.916 and
    # log 0.24 / 3**0.5 = -0.824; alpha 1: log 0.24 / 3 = -0.476 beats -0.511 and -0.916.
    step = table_step_fn({(): [0.6, 0.0, 0.4], (A,): [0.4, 0.0, 0.6], (A, A): [0.0, 0.0, 1.0]})
    lengths = {alpha: int(beam_search(step, 1, 5, beam_width=3, alpha=alpha, end_token=END).lengths[0])
               for alpha in (0.0, 0.5, 1.0)}
    assert lengths == {0.0: 1, 0.5: 2, 1.0: 3}
    best = beam_search(step, 1, 5, beam_width=3, alpha=1.0, end_token=END)
    assert math.isclose(best.scores[0], math.log(0.24) / 3, rel_tol=1e-9)


def test_batched_beam_search_equals_one_by_one():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(5) * 0.3, size=(6, 7))  # (N 6, T 7, V 5)
    tables = {i: probabilities[i] for i in range(6)}

    def step(prefixes, rows, t):  # depends on the prefix: the last token shifts the distribution
        p = np.stack([tables[r][t] for r in rows])
        if t:
            p = np.roll(p, 1, axis=1) * 0.5 + p * 0.5
            p[np.arange(len(rows)), prefixes[:, -1]] *= 0.2
            p /= p.sum(1, keepdims=True)
        return np.log(p)

    batched = beam_search(step, 6, 7, beam_width=3, alpha=0.7, end_token=4)
    for i in range(6):
        def single(prefixes, rows, t, i=i):
            return step(prefixes, np.full(len(rows), i), t)
        one = beam_search(single, 1, 7, beam_width=3, alpha=0.7, end_token=4)
        np.testing.assert_array_equal(one.tokens[0], batched.tokens[i])
        assert math.isclose(one.scores[0], batched.scores[i], rel_tol=1e-12)


def _probabilities_for(texts, sharpness=4.0, noise=None):
    """(N, 10, 11) distributions peaked on each text's characters."""
    y = np.array([string_to_int(t, 10, MACHINE_VOCAB) for t in texts])
    p = np.full(y.shape + (11,), 1.0)
    np.put_along_axis(p, y[..., None], sharpness, axis=-1)
    if noise is not None:
        p = p + noise
    return p / p.sum(-1, keepdims=True)


def test_valid_date_restriction():
    # the model prefers the invalid 2019-02-29 (and 1999-13-05): restricted beam search returns the
    # most likely valid date instead; unrestricted beam equals greedy (no feedback in this model).
    p = _probabilities_for(["2019-02-29", "1999-13-05", "2000-02-29"])
    step = probabilities_step_fn(p)
    greedy = greedy_search(step, 3, 10)
    assert [int_to_string(t, INV_MACHINE_VOCAB) for t in greedy.tokens] == ["2019-02-29", "1999-13-05", "2000-02-29"]
    free = beam_search(step, 3, 10, beam_width=3, alpha=0.0)
    np.testing.assert_array_equal(free.tokens, greedy.tokens)
    restricted = beam_search(step, 3, 10, beam_width=3, alpha=0.0, allowed_fn=valid_date_mask)
    texts = [int_to_string(t, INV_MACHINE_VOCAB) for t in restricted.tokens]
    assert all(is_valid_iso(t) for t in texts)
    assert texts[2] == "2000-02-29"  # a leap day stays
    assert texts[0][:8] == "2019-02-" and texts[0] != "2019-02-29" and texts[1][:5] == "1999-"
    # greedy with the mask also ends on valid dates
    masked = greedy_search(step, 3, 10, allowed_fn=valid_date_mask)
    assert all(is_valid_iso(int_to_string(t, INV_MACHINE_VOCAB)) for t in masked.tokens)


def test_valid_date_mask_allows_exactly_the_valid_dates():
    rng = np.random.default_rng(1)
    for _ in range(300):  # random walks through the mask end on valid dates
        prefix = np.zeros((1, 0), np.int64)
        for t in range(10):
            allowed = np.flatnonzero(valid_date_mask(prefix, t)[0])
            assert len(allowed)
            prefix = np.concatenate([prefix, [[rng.choice(allowed)]]], 1)
        assert is_valid_iso(int_to_string(prefix[0], INV_MACHINE_VOCAB))
    for text in ("2019-02-28", "2020-02-29", "1970-01-01", "2029-12-31", "0001-01-01", "9999-12-31"):
        y = np.array([string_to_int(text, 10, MACHINE_VOCAB)])
        assert all(valid_date_mask(y[:, :t], t)[0, y[0, t]] for t in range(10)), text
    for text in ("2019-02-29", "2019-04-31", "2019-13-01", "2019-00-10", "2019-01-00", "0000-01-01", "1900-02-29"):
        y = np.array([string_to_int(text, 10, MACHINE_VOCAB)])
        assert not all(valid_date_mask(y[:, :t], t)[0, y[0, t]] for t in range(10)), text
    assert is_valid_iso(dt.date(2000, 2, 29).isoformat()) and not is_valid_iso("2000-2-29")


def test_beam_width_must_be_positive():
    with pytest.raises(ValueError, match="expected beam_width >= 1"):
        beam_search(probabilities_step_fn(np.ones((1, 2, 3)) / 3), 1, 2, beam_width=0)
