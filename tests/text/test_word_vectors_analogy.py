"""The word2vec analogy evaluator gives gensim's evaluate_word_analogies accuracy on the same vectors."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.text.word_vectors.analogy import evaluate_word_analogies, read_questions
from tf_course.text.word_vectors.ops import complete_analogies


@pytest.fixture(scope="module")
def vocab():
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(400)]
    words[5] = "Paris"  # a case variant of an earlier word: gensim keeps the first row of an upper-cased form
    words[1] = "paris"
    matrix = rng.normal(size=(400, 16)).astype(np.float32)
    return words, matrix


@pytest.fixture(scope="module")
def question_file(vocab, tmp_path_factory):
    words, matrix = vocab
    rng = np.random.default_rng(1)
    lines = [": planted"]
    for _ in range(40):  # answerable within the first 100 words: right for restrict_vocab=100
        a, b, c = rng.choice(np.delete(np.arange(100), 5), 3, replace=False)  # row 5 answers as row 1
        d = int(complete_analogies(matrix[:100], np.array([[a, b, c]]), method="3cosadd")[0])
        lines.append(f"{words[a]} {words[b]} {words[c]} {words[d]}")
    lines.append(": random")
    for _ in range(40):
        lines.append(" ".join(words[i] for i in rng.choice(300, 4, replace=False)))
    lines += ["w1 w2 w3", ": oov", "w1 w2 w3 nosuchword", "PARIS w2 w3 w4", "w350 w2 w3 w4"]
    path = tmp_path_factory.mktemp("q") / "questions-words.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("restrict_vocab", [100, 300_000])
@pytest.mark.parametrize("oov", ["skip", "wrong"])
def test_accuracy_equals_gensim(vocab, question_file, restrict_vocab, oov):
    from gensim.models import KeyedVectors

    words, matrix = vocab
    kv = KeyedVectors(matrix.shape[1])
    kv.add_vectors(words, matrix)
    score, sections = kv.evaluate_word_analogies(str(question_file), restrict_vocab=restrict_vocab,
                                                 dummy4unknown=oov == "wrong")
    ours = evaluate_word_analogies(words, matrix, question_file, restrict_vocab=restrict_vocab, oov=oov)
    assert ours.accuracy == pytest.approx(score, abs=1e-12)
    assert [s.section for s in ours.sections] == [s["section"] for s in sections]
    assert [(s.correct, s.incorrect) for s in ours.sections] == [(s["correct"], s["incorrect"]) for s in sections]
    if restrict_vocab == 100:
        assert len(ours.sections[0].correct) == 40  # the planted answers
        first = {w.upper() for w in words[:100]}
        outside = sum(any(w.upper() not in first for w in q) for _, qs in read_questions(question_file) for q in qs)
        assert ours.oov == outside >= 42  # random questions reaching past 100, one unknown word, w350
    else:
        assert ours.oov == 1 and ours.questions == 83


def test_question_file_errors():
    with pytest.raises(ValueError, match="header before line #0"):
        read_questions(["a b c d"])
    assert read_questions([": s", "a b c", "a b c d"]) == [("s", [["a", "b", "c", "d"]])]
    with pytest.raises(ValueError, match="oov policy"):
        evaluate_word_analogies(["a"], np.ones((1, 2)), [": s"], oov="ignore")
