"""dinosaur_names: the Keras twin, in-graph name sampling, the quick pipeline and its export in a fresh process."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_keras_round_trip, assert_served_export
from tf_course.pipeline import RunContext
from tf_course.sequence.dinosaur_names.model import (
    START,
    encode_names,
    sample_names,
)
from tf_course.sequence.dinosaur_names.pipeline import run_with_models, split_names


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("dinosaur_names")
    return run_with_models(RunContext(data_dir=None, out_dir=out, quick=True, verbose=False))


def test_encode_names() -> None:
    inputs, targets, weights = encode_names(["ab", "c"])
    np.testing.assert_array_equal(inputs, [[START, 1, 2], [START, 3, 0]])
    np.testing.assert_array_equal(targets, [[1, 2, 0], [3, 0, 0]])
    np.testing.assert_array_equal(weights, [[1, 1, 1], [1, 1, 0]])
    with pytest.raises(ValueError, match="expected non-empty lower-case a-z names, found 'T-rex'"):
        encode_names(["T-rex"])


def test_split_names_is_fixed_and_disjoint() -> None:
    names = [f"name{chr(97 + i % 26)}{i}" for i in range(50)]
    train, held = split_names(names)
    assert len(held) == 5 and len(train) == 45 and not set(train) & set(held)
    assert split_names(names) == (train, held)


def test_metrics(quick_run) -> None:
    output, run = quick_run
    m = output.metrics
    assert output.data_source == {"dinosaur": "synthetic"}
    assert m["keras_perplexity"] < m["scratch_perplexity"] < 27.5
    assert m["scratch_loss"] == run.scratch_smoothed[-1] == m["scratch_losses"][-1]
    assert run.course_record.iterations == [0, 500, 1000]
    assert m["scratch_losses"][0] == pytest.approx(0.999 * -math.log(1 / 27) * 7, abs=0.05)
    assert len(m["scratch_names"]) == 7 and len(m["keras_names"]) == 7
    assert all(n[:1].isupper() and n[1:].islower() for n in m["keras_names"] if n)
    assert m["held_out_names"] == 150 and m["params"] == run.model.count_params()


def test_sampling_is_deterministic_for_a_seed(quick_run) -> None:
    sampler = quick_run[1].sampler
    first = sample_names(sampler, 20, 1.0, 3)
    assert first == sample_names(sampler, 20, 1.0, 3)
    assert first != sample_names(sampler, 20, 1.0, 4)
    assert sample_names(sampler, 20, 1.0, 3)[:5] == sample_names(sampler, 5, 1.0, 3)
    assert all(len(n) <= 50 for n in first)
    cold = sample_names(sampler, 20, 0.05, 3)
    assert len(set(cold)) < len(set(first))  # near-greedy: few distinct names
    assert sample_names(sampler, 0, 1.0, 0) == []


def test_next_char_distribution(quick_run) -> None:
    sampler = quick_run[1].sampler
    probabilities = sampler.next_char(tf.constant(["", "Bra", "b-r a", "bra"]))["probabilities"].numpy()
    assert probabilities.shape == (4, 27)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probabilities[1], probabilities[3], atol=1e-6)  # case-free
    np.testing.assert_allclose(probabilities[2], probabilities[3], atol=1e-6)  # non-letters ignored
    logits = quick_run[1].model(np.array([[START]], np.int32))[0, 0]
    np.testing.assert_allclose(probabilities[0], tf.nn.softmax(logits).numpy(), atol=1e-6)


def test_keras_twin_round_trip(quick_run, tmp_path: Path) -> None:
    inputs, _, _ = encode_names(["brachiosaurus", "rex"])
    assert_keras_round_trip(quick_run[1].model, inputs, tmp_path)


def test_export_gives_the_same_names_in_a_fresh_process(quick_run) -> None:
    output, run = quick_run
    sampler = run.sampler
    request = {"count": np.int32(12), "temperature": np.float32(0.8), "seed": np.int64(5)}
    expected = {k: v.numpy() for k, v in sampler.sample(*[tf.constant(v) for v in request.values()]).items()}
    prefixes = {"prefixes": np.array([b"", b"stego", b"Tyranno"])}
    next_expected = {"probabilities": sampler.next_char(tf.constant(prefixes["prefixes"]))["probabilities"].numpy()}
    served = assert_served_export(output.exports[0], {"serving_default": (request, expected),
                                                      "next_char": (prefixes, next_expected)}, atol=1e-6)
    names = [n.decode() for n in served["serving_default"]["names"]]
    assert names == sample_names(sampler, 12, 0.8, 5)
    np.testing.assert_array_equal(served["serving_default"]["lengths"], [len(n) for n in names])
