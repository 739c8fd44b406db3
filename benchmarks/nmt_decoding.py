"""Greedy vs beam-search decoding throughput for the date translator's outputs (issue 16).

One run, no TensorFlow: (N, 10, 11) distributions shaped like the trained model's (peaked on one
character, a little mass elsewhere) are decoded by argmax, by :func:`greedy_search` and by the
vectorised :func:`beam_search` (widths 1, 3, 5), unrestricted and restricted to valid dates.
Prints dates per second and the ratio to the argmax. Usage: ``python benchmarks/nmt_decoding.py [N]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from tf_course.sequence.nmt_attention.decoding import (
    beam_search,
    greedy_search,
    probabilities_step_fn,
    valid_date_mask,
)


def main(n: int = 10000) -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(n, 10, 11)) + 8.0 * np.eye(11)[rng.integers(0, 11, (n, 10))]
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)  # (N, 10, 11)
    step = probabilities_step_fn(probabilities)
    runs = {
        "argmax": lambda: probabilities.argmax(-1),
        "greedy_search": lambda: greedy_search(step, n, 10),
        "greedy_search valid": lambda: greedy_search(step, n, 10, allowed_fn=valid_date_mask),
    }
    for width in (1, 3, 5):
        runs[f"beam {width}"] = lambda w=width: beam_search(step, n, 10, beam_width=w, alpha=0.0)
        runs[f"beam {width} valid"] = lambda w=width: beam_search(step, n, 10, beam_width=w, alpha=0.0,
                                                                  allowed_fn=valid_date_mask)
    base = None
    print(f"{'decoder':22s} {'dates/s':>12s} {'x argmax':>10s}")
    for name, fn in runs.items():
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
        rate = n / seconds
        base = base or rate
        print(f"{name:22s} {rate:12.0f} {rate / base:10.4f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
