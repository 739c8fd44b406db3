"""Issue 11, item 5: ``tf-course run --quick`` after a full run never becomes the version TF Serving or
``tf-course detect`` picks up (the newest under ``<out>/<name>/``): quick runs export under
``<out>/quick/``; every manifest records the run's mode, seed, data folder and command line."""

from __future__ import annotations

import json
import sys

import pytest

from tf_course import cli
from tf_course.pipeline import QUICK_EXPORTS, RunContext, export_root

pytestmark = pytest.mark.slow


def _manifest(path):
    return json.loads((path / "manifest.json").read_text())


def test_a_quick_run_after_a_full_run_exports_apart_and_manifests_record_the_run(tmp_path, capsys, monkeypatch):
    out = tmp_path / "models"
    name = "gradient_checking"  # trains nothing: quick and full take about a second
    full_argv = ["tf-course", "run", name, "--quiet", "--seed", "5", "--out", str(out)]
    monkeypatch.setattr(sys, "argv", full_argv)
    assert cli.main(full_argv[1:]) == 0
    quick_argv = ["tf-course", "run", name, "--quick", "--quiet", "--out", str(out)]
    monkeypatch.setattr(sys, "argv", quick_argv)
    assert cli.main(quick_argv[1:]) == 0

    # the full run's version is still the only, so the newest, one where servers look
    assert sorted(p.name for p in (out / name).iterdir()) == ["1"]
    assert sorted(p.name for p in (out / QUICK_EXPORTS / name).iterdir()) == ["1"]
    full, quick = _manifest(out / name / "1"), _manifest(out / QUICK_EXPORTS / name / "1")
    no_files = {"data_dir": None, "weights": None, "options": {}}
    assert full["run"] == {"mode": "full", "seed": 5, **no_files, "command": full_argv}
    assert quick["run"] == {"mode": "quick", "seed": 0, **no_files, "command": quick_argv}
    assert full["data_source"] == quick["data_source"] == {"test_case": "generated"}

    # the report and the table say where the quick run's exports went
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["quick"] is True and report["run"]["exports"] == str(out / QUICK_EXPORTS)
    assert report["results"][0]["exports"] == [str(out / QUICK_EXPORTS / name / "1")]
    table = " ".join(capsys.readouterr().out.split())  # the legend wraps at 100 columns
    assert f"Quick run exports: {out / QUICK_EXPORTS}/<name>/<version>/" in table


def test_export_root_and_run_info(tmp_path, monkeypatch):
    assert export_root(tmp_path, quick=False) == tmp_path
    assert export_root(tmp_path, quick=True) == tmp_path / "quick"
    monkeypatch.setattr(sys, "argv", ["tf-course", "run", "--quick"])
    ctx = RunContext(data_dir=tmp_path / "data", out_dir=tmp_path, quick=True, seed=3)
    assert ctx.run_info() == {"mode": "quick", "seed": 3, "data_dir": str((tmp_path / "data").resolve()),
                              "weights": None, "options": {}, "command": ["tf-course", "run", "--quick"]}
