"""Under a multi-worker ``TF_CONFIG`` only the chief removes checkpoints and writes the report."""

from __future__ import annotations

import pytest

from tf_course import cli, registry
from tf_course.pipeline import PipelineOutput, RunContext
from tf_course.registry import Assignment
from tf_course.train import distribute


def leave_a_checkpoint(ctx: RunContext) -> PipelineOutput:
    """A pipeline that writes a checkpoint file, as a training would."""
    folder = ctx.checkpoint_dir("train")
    folder.mkdir(parents=True)
    (folder / "epoch-1.weights.h5").write_bytes(b"x")
    return PipelineOutput(metrics={"ok": 1})


@pytest.fixture
def fake_registry(monkeypatch):
    a = Assignment("trains", "X1", "leaves a checkpoint", f"{__name__}:leave_a_checkpoint")
    monkeypatch.setattr(registry, "ASSIGNMENTS", (a,))
    monkeypatch.setattr(registry, "BY_NAME", {a.name: a})


@pytest.mark.parametrize("chief", [True, False])
def test_only_the_chief_cleans_up_and_reports(fake_registry, monkeypatch, tmp_path, capsys, chief):
    monkeypatch.setattr(distribute, "is_chief", lambda environ=None: chief)
    assert cli.main(["run", "trains", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "trains (X1)" in out  # every worker prints its table
    assert (tmp_path / "report.json").exists() is chief
    left = list((tmp_path / cli.CHECKPOINTS).rglob("*.h5")) if (tmp_path / cli.CHECKPOINTS).exists() else []
    assert len(left) == (0 if chief else 1)  # a finishing worker never deletes the shared checkpoints
