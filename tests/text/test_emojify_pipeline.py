"""Pipeline emojify (quick, generated sentences) and its raw-sentence SavedModel reloaded in a fresh process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import assert_served_export
from tf_course.pipeline import RunContext
from tf_course.text.emojify import pipeline
from tf_course.text.emojify.model import sentences_to_indices
from tf_course.text.emojify.oov import resolve_sentences

SENTENCES = ["I love you", "I am so hungry", "", "We LOVED the games!! zzzz"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    ctx = RunContext(data_dir=None, out_dir=tmp_path_factory.mktemp("out"), quick=True, verbose=False)
    return pipeline.run_with_models(ctx)


def test_quick_run_metrics(quick):
    out, result = quick
    m = out.metrics
    assert m["vectors"] == "trained-synthetic" and out.data_source == {"emojify": "synthetic", "vectors": "synthetic"}
    assert m["oov_rate"] < 0.1 and m["train_sentences"] == 400 and m["test_sentences"] == 100
    assert m["oov_rate_after_backoff"] <= m["oov_rate"]
    # the generic English corpus gives vectors to words the training sentences never use
    assert m["vocabulary"] > 1500 and {"delicious", "baseball", "hugged", "laughing"} <= set(result.word_to_index)
    for key in ("v1_test_accuracy", "v1_keras_test_accuracy", "v2_test_accuracy"):
        assert 0.0 <= m[key] <= 1.0
    assert m["v1_costs"][-1] < m["v1_costs"][0]
    assert np.asarray(m["v2_confusion"]).sum() == 100 and np.asarray(m["v2_confusion"]).shape == (5, 5)
    assert m["v2_params"] == result.v2.count_params()
    assert result.matrix.shape == (m["vocabulary"] + 1, 50) and not result.matrix[0].any()


def test_export_takes_strings_and_matches_the_in_memory_model(quick):
    out, result = quick
    export = Path(out.exports[0])
    manifest = json.loads((export / "manifest.json").read_text())
    signature = manifest["signatures"]["serving_default"]  # described by the reloaded export
    assert signature["inputs"] == {"sentences": {"dtype": "string", "shape": [None]}}
    assert signature["outputs"]["probabilities"] == {"dtype": "float32", "shape": [None, 5]}
    assert signature["outputs"]["label"]["dtype"] == "int64"
    words = resolve_sentences(SENTENCES, result.word_to_index)  # the graph backs unknown words off likewise
    assert words[3] == "we loved the games"  # punctuation stripped, "zzzz" dropped
    indices = sentences_to_indices(words, result.word_to_index, result.max_len).astype(np.int32)
    expected = np.asarray(result.v2(indices, training=False))
    served = assert_served_export(export, {"serving_default": (
        {"sentences": np.array([s.encode() for s in SENTENCES])},
        {"probabilities": expected, "label": expected.argmax(axis=1)})})
    probabilities = served["serving_default"]["probabilities"]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
