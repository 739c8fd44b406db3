"""Issue 11, item 9: ``run --out FILE`` fails before training; ``--out`` / ``--models`` explained alike;
``--seed`` where the course fixes its seeds is said and true."""

from __future__ import annotations

import json

import pytest

from tf_course import cli, registry
from tf_course.registry import Assignment

# the course fixes every seed (NumPy and the twins' starting parameters), or the numbers are seed-free
# (the RNN cells' seeded checks; word_vectors on GloVe). Not dinosaur_names: its Keras twin starts from --seed.
FIXED_SEED = {"logistic_regression", "planar_classification", "deep_nn", "initialization", "regularization",
              "gradient_checking", "optimization", "rnn_step_by_step", "word_vectors"}


def test_run_out_naming_a_file_fails_before_training(tmp_path, monkeypatch, capsys):
    never = Assignment("logistic_regression", "C1W2", "never", "tests.reliability.course_like:buggy_pipeline")
    monkeypatch.setattr(registry, "BY_NAME", {**registry.BY_NAME, "logistic_regression": never})
    taken = tmp_path / "saved_models"
    taken.write_text("a file")
    assert cli.main(["run", "logistic_regression", "--out", str(taken)]) == 2  # the pipeline would exit 1
    assert capsys.readouterr().err == (f"tf-course: --out: expected a folder for the exports (existing or new), "
                                       f"found a file at {taken}\n")
    assert taken.read_text() == "a file"


def test_out_and_models_name_each_other_in_help(capsys):
    for argv in (["run", "--help"], ["detect", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
    text = " ".join(capsys.readouterr().out.split())
    assert "`tf-course detect --models` reads the yolo one" in text
    assert "`tf-course run yolo --out`'s yolo subfolder" in text
    assert "assignments whose course fixes its own seeds ignore it (marked in the table)" in text


def test_fixed_seed_flags():
    assert {a.name for a in registry.ASSIGNMENTS if a.fixed_seed} == FIXED_SEED


@pytest.mark.slow
def test_a_fixed_seed_pipeline_gives_the_same_numbers_for_any_seed(tmp_path, capsys):
    metrics = []
    for seed in (0, 7):
        out = tmp_path / str(seed)
        assert cli.main(["run", "gradient_checking", "--quick", "--quiet", "--seed", str(seed), "--out", str(out)]) == 0
        (entry,) = json.loads((out / "report.json").read_text())["results"]
        assert entry["fixed_seed"] is True
        metrics.append(entry["metrics"])
    assert metrics[0] == metrics[1]
    assert "gradient_checking (C2W1 (2.1.9))  data: test_case=generated" in capsys.readouterr().out
