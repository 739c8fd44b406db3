"""The ``tf-course`` command: list, run, report, exit status."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tf_course import cli, registry
from tf_course.registry import ASSIGNMENTS, Assignment

NAMES = [
    "logistic_regression", "planar_classification", "deep_nn", "initialization", "regularization",
    "gradient_checking", "optimization", "tf_intro", "conv_step_by_step", "signs_convnet",
    "happy_model", "resnet50", "yolo", "style_transfer", "face_recognition", "rnn_step_by_step",
    "dinosaur_names", "word_vectors", "emojify", "nmt_attention", "trigger_word",
]


def test_registry_has_the_21_course_assignments_in_order():
    assert [a.name for a in ASSIGNMENTS] == NAMES


def test_list_shows_every_name_and_state(capsys):
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 21
    for line, a in zip(lines, ASSIGNMENTS):
        assert line.split()[0] == a.name
        assert ("not implemented yet" in line) == (not a.implemented)


def test_list_does_not_import_tensorflow():
    code = "import sys; from tf_course import cli; cli.main(['list']); assert 'tensorflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_unknown_and_unimplemented_names_are_refused(capsys, tmp_path, monkeypatch):
    assert cli.main(["run", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown assignment 'nope'" in capsys.readouterr().err
    planned = Assignment("planned", "C9W9", "A planned assignment")  # no pipeline yet
    monkeypatch.setattr(registry, "ASSIGNMENTS", (*ASSIGNMENTS, planned))
    monkeypatch.setattr(registry, "BY_NAME", {a.name: a for a in registry.ASSIGNMENTS})
    assert cli.main(["run", "planned", "--out", str(tmp_path)]) == 2
    assert "not implemented yet: planned" in capsys.readouterr().err


def test_missing_data_dir_is_an_error(capsys, tmp_path):
    assert cli.main(["run", "logistic_regression", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "--data-dir: expected a directory of course files" in capsys.readouterr().err


def test_run_quick_on_standin_writes_export_and_report(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TF_COURSE_DATA", raising=False)
    out = tmp_path / "models"
    code = cli.main(["run", "logistic_regression", "--quick", "--quiet", "--out", str(out)])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["quick"] is True and report["run"]["tensorflow"]
    (entry,) = report["results"]
    assert entry["name"] == "logistic_regression" and entry["section"].startswith("C1W2")
    assert entry["data_source"] == {"cat": "synthetic"}
    m = entry["metrics"]
    assert m["params"] == 12289 and len(m["scratch_costs"]) == 2 and len(m["keras_costs"]) == 2
    for key in ("scratch_train_accuracy", "scratch_test_accuracy", "keras_train_accuracy", "keras_test_accuracy"):
        assert 0.0 <= m[key] <= 1.0
    # the stand-in is learnable: even 200 iterations beat always-"cat" (33/50 = 0.66)
    assert m["scratch_test_accuracy"] > 0.7
    assert m["keras_costs"] == pytest.approx(m["scratch_costs"], abs=1e-4)
    assert entry["reference"]["scratch_test_accuracy"] == 0.70
    assert entry["exports"] == [str(out / "quick" / "logistic_regression" / "1")]  # a quick run's: apart
    assert (out / "quick" / "logistic_regression" / "1" / "saved_model.pb").is_file()
    assert entry["seconds"] > 0
    # the shared export checker's start-up is its own line, not part of the assignment's own time
    checker = report["run"]["export_checker"]
    assert checker["used"] >= 1 and checker["startup_seconds"] > 0 and 0 <= entry["checker_wait_seconds"]
    table = capsys.readouterr().out
    assert "logistic_regression" in table and "cat=synthetic" in table
    assert "export checker (a fresh process without tf_course" in table


def test_the_checker_line_of_the_table():
    from tf_course.report import ResultEntry, checker_line, format_table

    used = {"started": 1, "used": 1, "startup_seconds": 4.62, "startup_cpu_seconds": 4.1, "waited_seconds": 0.31}
    assert checker_line(used) == ("export checker (a fresh process without tf_course, shared by the run's exports): "
                                  "TensorFlow start-up 4.6 s, 0.3 s of it not overlapped with the pipelines "
                                  "(left out of their times)")
    assert "2 processes (restarted)" in checker_line({**used, "started": 2, "used": 2})
    assert checker_line({"started": 1, "used": 0}) == "export checker: started, never asked (nothing was exported)"
    table = format_table([ResultEntry("tf_intro", "C2W3", "ok", seconds=1.0)], checker=used, width=200)
    assert checker_line(used) in table.splitlines()
    assert "export checker" not in format_table([ResultEntry("tf_intro", "C2W3", "ok")])


def test_failing_pipeline_gives_nonzero_exit_and_is_reported(tmp_path, monkeypatch):
    broken = Assignment("logistic_regression", "C1W2", "broken", "tf_course.no_such_module:run")
    monkeypatch.setattr(registry, "BY_NAME", {**registry.BY_NAME, "logistic_regression": broken})
    report = tmp_path / "r.json"
    assert cli.main(["run", "logistic_regression", "--quiet", "--out", str(tmp_path), "--report", str(report)]) == 1
    (entry,) = json.loads(report.read_text())["results"]
    assert entry["status"] == "failed" and "No module named 'tf_course.no_such_module'" in entry["error"]


@pytest.mark.course_data
@pytest.mark.slow
def test_course_numbers_through_the_cli(tmp_path, course_dir):
    out = tmp_path / "models"
    assert cli.main(["run", "logistic_regression", "--quiet", "--data-dir", str(course_dir), "--out", str(out)]) == 0
    (entry,) = json.loads((out / "report.json").read_text())["results"]
    m = entry["metrics"]
    assert entry["data_source"] == {"cat": "course"}
    assert m["scratch_train_accuracy"] == pytest.approx(0.9904306220095694, abs=1e-9)
    assert m["scratch_test_accuracy"] == pytest.approx(0.70, abs=1e-9)
    assert m["keras_train_accuracy"] == pytest.approx(0.9904306220095694, abs=0.02)
    assert m["keras_test_accuracy"] == pytest.approx(0.70, abs=0.02)
    assert m["keras_costs"] == pytest.approx(entry["reference"]["keras_costs"], abs=1e-4)
