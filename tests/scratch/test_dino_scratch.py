"""C5W1 Dinosaur Island in NumPy: clip, sample, optimize and model against the reference sheet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tf_course.data.names import read_names
from tf_course.scratch import dinosaur
from tf_course.scratch.dinosaur import ModelRun, clip, model, optimize, sample, vocabulary

ITERATION_0_NAMES = ["Nkzxwtdmfqoeyhsqwasjkjvu", "Kneb", "Kzxwtdmfqoeyhsqwasjkjvu", "Neb", "Zxwtdmfqoeyhsqwasjkjvu",
                     "Eb", "Xwtdmfqoeyhsqwasjkjvu"]
#: the course's (v3a) smoothed loss every 2000 iterations, reproduced here to 14,000
COURSE_LOSSES = [23.087336, 27.884160, 25.901815, 24.608779, 24.070350, 23.844446, 23.291971, 23.382338]


def clip_inputs() -> dict[str, np.ndarray]:
    np.random.seed(3)
    return {"dWax": np.random.randn(5, 3) * 10, "dWaa": np.random.randn(5, 5) * 10,
            "dWya": np.random.randn(2, 5) * 10, "db": np.random.randn(5, 1) * 10, "dby": np.random.randn(2, 1) * 10}


def test_vocabulary() -> None:
    char_to_ix, ix_to_char = vocabulary()
    assert char_to_ix["\n"] == 0 and char_to_ix["a"] == 1 and char_to_ix["z"] == 26 and len(ix_to_char) == 27
    assert vocabulary("ba\nc")[0] == {"\n": 0, "a": 1, "b": 2, "c": 3}


@pytest.mark.parametrize("max_value, expected", [
    (10, (10.0, -10.0, 0.2971381536101662, [10.0], [8.45833407])),
    (5, (5.0, -5.0, 0.2971381536101662, [5.0], [5.0])),
])
def test_clip(max_value: float, expected: tuple) -> None:
    gradients = clip_inputs()
    before = {k: v.copy() for k, v in gradients.items()}
    out = clip(gradients, max_value)
    assert out["dWaa"][1][2] == expected[0]
    assert out["dWax"][3][1] == expected[1]
    assert out["dWya"][1][2] == pytest.approx(expected[2], abs=1e-15)
    np.testing.assert_allclose(out["db"][4], expected[3])
    np.testing.assert_allclose(out["dby"][1], expected[4], atol=1e-8)
    for key, value in before.items():
        inside = np.abs(value) <= max_value
        np.testing.assert_array_equal(out[key][inside], value[inside])  # values inside the range unchanged
        assert np.all(np.abs(out[key]) <= max_value)
        assert out[key] is gradients[key]  # in place


def test_sample_new_test() -> None:
    char_to_ix, ix_to_char = vocabulary()
    np.random.seed(24)
    n_a, vocab = 100, 27
    parameters = {"Wax": np.random.randn(n_a, vocab), "Waa": np.random.randn(n_a, n_a),
                  "Wya": np.random.randn(vocab, n_a), "b": np.random.randn(n_a, 1), "by": np.random.randn(vocab, 1)}
    indices = sample(parameters, char_to_ix, 0)
    assert indices == [23, 16, 26, 26, 24, 3, 21, 1, 7, 24, 15, 3, 25, 20, 6, 13, 10, 8, 20, 12, 2, 0]
    assert "".join(ix_to_char[i] for i in indices) == "wpzzxcuagxocytfmjhtlb\n"
    assert len(indices) < 52 and indices[-1] == char_to_ix["\n"]


def test_sample_old_v3a_test_first_43() -> None:
    """The v3a test (seed 2): NumPy 2.4 reproduces the first 43 of its 51 indices (saturated weights)."""
    char_to_ix, _ = vocabulary()
    np.random.seed(2)
    n_a, vocab = 100, 27
    parameters = {"Wax": np.random.randn(n_a, vocab), "Waa": np.random.randn(n_a, n_a),
                  "Wya": np.random.randn(vocab, n_a), "b": np.random.randn(n_a, 1), "by": np.random.randn(vocab, 1)}
    indices = sample(parameters, char_to_ix, 0)
    v3a = [12, 17, 24, 14, 13, 9, 10, 22, 24, 6, 13, 11, 12, 6, 21, 15, 21, 14, 3, 2, 1, 21, 18, 24, 7, 25, 6, 25,
           18, 10, 16, 2, 3, 8, 15, 12, 11, 7, 1, 12, 10, 2, 7, 7, 11, 17, 24, 12, 13, 24, 0]
    assert indices[:43] == v3a[:43]
    assert len(indices) == 51 and indices[-1] == 0  # 50 characters, then the appended newline


def test_optimize() -> None:
    np.random.seed(1)
    n_a, vocab = 100, 27
    a_prev = np.random.randn(n_a, 1)
    parameters = {"Wax": np.random.randn(n_a, vocab), "Waa": np.random.randn(n_a, n_a),
                  "Wya": np.random.randn(vocab, n_a), "b": np.random.randn(n_a, 1), "by": np.random.randn(vocab, 1)}
    X, Y = [12, 3, 5, 11, 22, 3], [4, 14, 11, 22, 25, 26]
    loss, gradients, a_last = optimize(X, Y, a_prev, parameters, learning_rate=0.01)
    assert loss == pytest.approx(126.50397572165389, rel=1e-12)
    assert gradients["dWaa"][1][2] == pytest.approx(0.19470931534713587, rel=1e-10)
    assert np.argmax(gradients["dWax"]) == 93
    assert gradients["dWya"][1][2] == pytest.approx(-0.007773876032002162, rel=1e-9)
    np.testing.assert_allclose(gradients["db"][4], [-0.06809825], atol=1e-8)
    np.testing.assert_allclose(gradients["dby"][1], [0.01538192], atol=1e-8)
    np.testing.assert_allclose(a_last[4], [-1.0])


def test_smooth_and_initial_loss() -> None:
    assert dinosaur.get_initial_loss(27, 7) == pytest.approx(-np.log(1 / 27) * 7)
    assert dinosaur.smooth(10.0, 20.0) == pytest.approx(10.01)


def test_model_offline_is_deterministic_and_learns() -> None:
    names = ["abcsaurus", "bacodon", "cabops", "dabosaurus"] * 5
    char_to_ix, ix_to_char = vocabulary()
    runs = [ModelRun(), ModelRun()]
    outs = [model(names, ix_to_char, char_to_ix, num_iterations=301, n_a=16, record=r, report_every=100) for r in runs]
    assert runs[0].losses == runs[1].losses and runs[0].samples == runs[1].samples
    assert runs[0].iterations == [0, 100, 200, 300] and all(len(s) == 7 for s in runs[0].samples)
    assert outs[0][1] == outs[1][1] and outs[0][1].endswith("\n")
    trained = outs[0][0]
    untrained = dinosaur.initialize_parameters(16, 27, 27)
    held = ["abcsaurus", "cabops"]
    assert dinosaur.perplexity(trained, held, char_to_ix) < dinosaur.perplexity(untrained, held, char_to_ix)
    assert dinosaur.perplexity(untrained, held, char_to_ix) == pytest.approx(27, rel=1e-3)


@pytest.fixture
def dinos(course_file) -> list[str]:
    path: Path = course_file("dinosaur/dinos.txt")
    text = path.read_text()
    assert len(text) == 19909 and len(set(text.lower())) == 27 and text.count("\n") == 1535
    assert len(read_names(path).names) == 1536
    return text.lower().split("\n")


@pytest.mark.course_data
def test_model_iterations_0_and_2000(dinos: list[str]) -> None:
    char_to_ix, ix_to_char = vocabulary()
    record = ModelRun()
    _, last = model(dinos, ix_to_char, char_to_ix, num_iterations=2001, record=record)
    assert record.iterations == [0, 2000]
    assert record.losses[0] == pytest.approx(23.087336, abs=1e-6)
    assert record.losses[1] == pytest.approx(27.884160, abs=1e-6)
    assert record.samples[0] == ITERATION_0_NAMES
    assert last == record.samples[1][-1] + "\n"


@pytest.mark.course_data
@pytest.mark.full_training
def test_model_matches_course_to_14000(dinos: list[str]) -> None:
    char_to_ix, ix_to_char = vocabulary()
    record = ModelRun()
    model(dinos, ix_to_char, char_to_ix, num_iterations=14001, record=record)
    np.testing.assert_allclose(record.losses, COURSE_LOSSES, atol=1e-6)
