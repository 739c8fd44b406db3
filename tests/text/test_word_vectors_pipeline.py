"""Pipeline word_vectors: quick skip-gram vectors offline, GloVe from a data directory."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import quick_run, whole_course_group
from tf_course.pipeline import RunContext
from tf_course.text.word_vectors import pipeline


@pytest.fixture(scope="module")
def quick(tmp_path_factory) -> dict:
    """The report entry of the whole-course module's first quick run (``--quick --seed 0``), made once per CI run."""
    return quick_run("word_vectors", 1, tmp_path_factory)


@whole_course_group("word_vectors")
def test_quick_run_trains_synthetic_vectors_with_analogies(quick):
    m = quick["metrics"]
    assert m["vectors"] == "trained-synthetic" and quick["data_source"] == {"vectors": "synthetic"}
    assert m["analogy_questions"] == 344 and m["analogy_oov_rate"] == 0.0
    assert m["analogy_accuracy"] > 0.2  # chance is about 1/330; the default training reaches about 1.0
    assert set(m["analogy_sections"]) == {"capital-country", "gender", "plural-nouns", "comparative"}
    assert m["skipgram_epoch_losses"][-1] < m["skipgram_epoch_losses"][0]
    assert m["cos_ball_crocodile"] is None and -1 <= m["cos_father_mother"] <= 1
    assert set(m["course_analogies"]) == {"italy->italian->spain", "india->delhi->japan", "man->woman->boy",
                                          "small->smaller->large"}


@whole_course_group("word_vectors")
def test_quick_run_debiasing(quick):
    m = quick["metrics"]
    assert set(m["bias_cos_before"]) == set(pipeline.NEUTRAL_WORDS)
    assert m["max_abs_bias_cos_after"] < 1e-8
    after = m["equalize_after"]
    assert after["man"] == pytest.approx(-after["woman"], abs=1e-12) and after["man"] < 0


def test_glove_from_the_data_dir(tmp_path):
    rng = np.random.default_rng(0)
    words = ["man", "woman", "father", "mother", "ball", "crocodile", "france", "paris", "rome", "italy",
             "receptionist", "doctor", "boy", "girl", "king", "queen", "cats", "cat"] + [f"x{i}" for i in range(30)]
    (tmp_path / "glove.6B.50d.txt").write_text(
        "".join(w + " " + " ".join(f"{v:.5f}" for v in rng.normal(size=8)) + "\n" for w in words))
    out = pipeline.run(RunContext(data_dir=tmp_path, out_dir=tmp_path / "out", quick=True, verbose=False))
    m = out.metrics
    assert m["vectors"] == "glove" and out.data_source == {"vectors": "course"} and m["dim"] == 8
    assert m["vocabulary"] == len(words) and "skipgram_epoch_losses" not in m
    assert m["cos_ball_crocodile"] is not None
    assert m["analogy_oov_rate"] > 0.5  # most relation words are not in this tiny file
    assert set(m["bias_cos_after"]) == {"receptionist", "doctor"} and m["max_abs_bias_cos_after"] < 1e-8
