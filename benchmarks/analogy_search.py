"""C5W2 analogy search: the course's loop vs one batched matrix product, on a 100,000-word vocabulary.

- ``loop``: :func:`tf_course.scratch.word_vectors.complete_analogy`, the course's Python loop over
  the ``word_to_vec_map`` dictionary (one ``cosine_similarity`` per word and question); timed on
  ``--loop-questions`` questions (slow).
- ``vectorised``: :func:`tf_course.text.word_vectors.ops.complete_analogies`, the same score
  cos(e_b - e_a, e_w - e_c) for a batch of questions against the whole vocabulary as one
  (V, n) x (n, 2Q) product per batch, then a masked ``argmax``; timed on ``--questions`` questions
  (best of ``--repeats``, after one warm-up that traces the tf.function).

Random GloVe-sized vectors (50-d, float64 for the loop; the vectorised search runs in float64 too,
so the answers must agree, which is checked before any time is printed). Prints seconds per
question, questions per second and the ratio.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=50)
    parser.add_argument("--loop-questions", type=int, default=3)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import numpy as np

    from tf_course.scratch.word_vectors import complete_analogy
    from tf_course.text.word_vectors.ops import complete_analogies

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(args.vocab)]
    matrix = rng.normal(size=(args.vocab, args.dim))
    word_to_vec_map = dict(zip(words, matrix))
    questions = np.stack([rng.choice(args.vocab, 3, replace=False) for _ in range(args.questions)])

    start = time.perf_counter()
    loop_answers = [complete_analogy(*(words[i] for i in q), word_to_vec_map) for q in questions[:args.loop_questions]]
    loop_seconds = (time.perf_counter() - start) / args.loop_questions

    complete_analogies(matrix, questions[:args.batch_size], batch_size=args.batch_size, dtype="float64")  # warm-up
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        answers = complete_analogies(matrix, questions, batch_size=args.batch_size, dtype="float64")
        best = min(best, time.perf_counter() - start)
    assert [words[i] for i in answers[:args.loop_questions]] == loop_answers, "loop and vectorised answers differ"
    vec_seconds = best / args.questions

    print(f"vocabulary {args.vocab:,} x {args.dim}, float64")
    print(f"loop        {loop_seconds * 1e3:10.1f} ms/question  {1 / loop_seconds:12.1f} questions/s "
          f"({args.loop_questions} questions)")
    print(f"vectorised  {vec_seconds * 1e3:10.3f} ms/question  {1 / vec_seconds:12.1f} questions/s "
          f"({args.questions} questions, batches of {args.batch_size})")
    print(f"ratio       {loop_seconds / vec_seconds:10.0f}x")


if __name__ == "__main__":
    main()
