"""The word2vec analogy evaluator (``questions-words.txt`` format), vectorised, with gensim's rules.

The file: ``: section`` header lines, then lines of four words ``a b c d`` meaning a:b :: c:d.
:func:`evaluate_word_analogies` follows gensim's ``KeyedVectors.evaluate_word_analogies`` rule for
rule, so its accuracy equals gensim's on the same vectors and questions:

- vocabulary: only the first ``restrict_vocab`` words (vectors are usually sorted by frequency);
  with ``case_insensitive`` words compare upper-cased, and a word stands for the first vocabulary
  row with that upper-case form;
- out-of-vocabulary policy (``oov``): a question with a word outside that vocabulary is
  ``"skip"``ped (not counted; gensim's default) or counted ``"wrong"`` (gensim's
  ``dummy4unknown=True``); the number of such questions is reported either way;
- a line that does not split into four words is skipped (not counted); a question before any
  section header is a ValueError;
- the answer: 3CosAdd, the word w maximising cos(w, ^b + ^c - ^a) on unit vectors, a, b, c
  excluded; of the 5 best, the first whose (upper-cased) form is not an input word.

Unlike gensim, all questions are answered together: one (restrict_vocab, n) x (n, Q) product per
batch of questions, and ``top_k`` instead of a loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from tf_course.text.word_vectors.ops import _cos_add_scores, normalize_rows

OOV_POLICIES = ("skip", "wrong")
TOPN = 5  # gensim asks most_similar for 5 candidates


@dataclass
class Section:
    """One ``: section`` of a question file, after evaluation (gensim's dict keys as attributes)."""

    section: str
    correct: list[tuple[str, str, str, str]] = field(default_factory=list)
    incorrect: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """correct / (correct + incorrect); 0.0 for an empty section (as gensim)."""
        total = len(self.correct) + len(self.incorrect)
        return len(self.correct) / total if total else 0.0


@dataclass
class AnalogyResult:
    """What :func:`evaluate_word_analogies` found.

    Attributes:
        accuracy: over all counted questions (gensim's ``analogies_score``).
        sections: per section, then ``"Total accuracy"`` last (as gensim's list).
        questions: well-formed question lines in the file.
        oov: questions with a word outside the (restricted) vocabulary.
    """

    accuracy: float
    sections: list[Section]
    questions: int
    oov: int

    @property
    def oov_rate(self) -> float:
        """oov / questions (0.0 for no questions)."""
        return self.oov / self.questions if self.questions else 0.0


def read_questions(source: str | os.PathLike[str] | Iterable[str]) -> list[tuple[str, list[list[str]]]]:
    """Parse a question file (path, or its lines) into ``[(section, [[a, b, c, d], ...]), ...]``.

    Lines that are not four words are skipped (gensim's rule). ValueError for a question line
    before the first ``: section`` header, naming the line number.
    """
    lines: Iterable[str]
    if isinstance(source, (str, os.PathLike)):
        lines = Path(source).read_text(encoding="utf8").splitlines()
    else:
        lines = source
    sections: list[tuple[str, list[list[str]]]] = []
    for line_no, line in enumerate(lines):
        if line.startswith(": "):
            sections.append((line.lstrip(": ").strip(), []))
            continue
        if not sections:
            raise ValueError(f"analogy questions: expected a ': section' header before line #{line_no}, "
                             f"found {line.strip()!r}")
        words = line.split()
        if len(words) == 4:
            sections[-1][1].append(words)
    return sections


def evaluate_word_analogies(
    words: Sequence[str],
    matrix: np.ndarray,
    questions: str | os.PathLike[str] | Iterable[str],
    restrict_vocab: int = 300_000,
    case_insensitive: bool = True,
    oov: str = "skip",
    batch_size: int = 512,
) -> AnalogyResult:
    """Accuracy of ``matrix``'s analogies on a word2vec question file, as gensim counts it.

    Args:
        words: the vocabulary in row order (V,), usually most frequent first.
        matrix: the vectors (V, n).
        questions: a question file's path, or its lines.
        restrict_vocab: only the first this many words are answers or may appear in questions.
        case_insensitive: compare words upper-cased (gensim's default).
        oov: ``"skip"`` or ``"wrong"`` for questions with unknown words (see the module docstring).
        batch_size: questions per matrix product.
    """
    if oov not in OOV_POLICIES:
        raise ValueError(f"analogy oov policy: expected one of {OOV_POLICIES}, found {oov!r}")
    norm = (lambda w: w.upper()) if case_insensitive else (lambda w: w)
    ok_words = list(words[:restrict_vocab])
    ok_vocab: dict[str, int] = {}
    for i, w in enumerate(ok_words):
        ok_vocab.setdefault(norm(w), i)  # the first row of each (upper-cased) form
    normed = normalize_rows(np.asarray(matrix)[:len(ok_words)], tf.float32)

    sections: list[Section] = []
    counted: list[tuple[Section, tuple[str, str, str, str]]] = []  # counted questions, in file order
    n_questions = n_oov = 0
    for name, quads in read_questions(questions):
        section = Section(name)
        sections.append(section)
        for quad in quads:
            a, b, c, d = (norm(w) for w in quad)
            n_questions += 1
            if not all(w in ok_vocab for w in (a, b, c, d)):
                n_oov += 1
                if oov == "wrong":
                    counted.append((section, (a, b, c, d)))
                continue
            counted.append((section, (a, b, c, d)))
    answerable = [i for i, (_, quad) in enumerate(counted) if all(w in ok_vocab for w in quad)]
    right = np.zeros(len(counted), dtype=bool)
    k = min(TOPN + 3, len(ok_words))
    for start in range(0, len(answerable), batch_size):
        chunk = answerable[start:start + batch_size]
        abc = np.array([[ok_vocab[w] for w in counted[i][1][:3]] for i in chunk], dtype=np.int32)
        top = tf.math.top_k(_cos_add_scores(normed, tf.constant(abc)), k=k).indices.numpy()
        for i, inputs, rows in zip(chunk, abc, top):
            right[i] = _is_right(counted[i][1], rows, set(inputs.tolist()), ok_words, norm)
    for (section, quad), ok in zip(counted, right):
        (section.correct if ok else section.incorrect).append(quad)

    total = Section("Total accuracy", [q for s in sections for q in s.correct],
                    [q for s in sections for q in s.incorrect])
    sections.append(total)
    return AnalogyResult(total.accuracy, sections, n_questions, n_oov)


def _is_right(quad: tuple[str, str, str, str], rows: np.ndarray, inputs: set[int], ok_words: Sequence[str],
              norm: Callable[[str], str]) -> bool:
    """gensim's choice among the candidate rows (best first): the first of the 5 best non-input rows
    whose form is not an input word (else the 5th); whether it is the expected word."""
    a, b, c, expected = quad
    candidates = [int(r) for r in rows if int(r) not in inputs][:TOPN]
    predicted = None
    for row in candidates:
        predicted = norm(ok_words[row])
        if predicted not in (a, b, c):
            break
    return predicted == expected
