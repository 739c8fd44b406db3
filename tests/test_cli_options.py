"""Per-assignment options: ``tf-course run NAME --<option> VALUE`` reaches that pipeline only."""

from __future__ import annotations

import json

import pytest

from tf_course import cli, registry
from tf_course.pipeline import PipelineOutput, RunContext, run_key
from tf_course.registry import Assignment, Option

SEEN: dict[str, RunContext] = {}


def record(ctx: RunContext) -> PipelineOutput:
    """A pipeline that remembers the context it was given, keyed by its `--who` option."""
    SEEN[ctx.option("who", "?")] = ctx
    return PipelineOutput(metrics={"formats": ctx.option("formats", "course")})


@pytest.fixture
def fake_registry(monkeypatch):
    SEEN.clear()
    takes = Assignment("takes_formats", "X1", "declares --formats", f"{__name__}:record",
                       options=(Option("formats", ("course", "extended"), "course", "which date formats"),
                                Option("who", ("a", "b"), "a")))
    other = Assignment("plain", "X2", "declares nothing", f"{__name__}:record")
    monkeypatch.setattr(registry, "ASSIGNMENTS", (takes, other))
    monkeypatch.setattr(registry, "BY_NAME", {a.name: a for a in (takes, other)})


def test_option_reaches_only_the_assignment_that_declares_it(fake_registry, tmp_path):
    report = tmp_path / "r.json"
    code = cli.main(["run", "takes_formats", "plain", "--formats", "extended", "--who", "b", "--quiet",
                     "--out", str(tmp_path), "--report", str(report)])
    assert code == 0
    assert SEEN["b"].options == {"formats": "extended", "who": "b"}
    assert SEEN["?"].options == {}  # `plain` declares neither option
    results = {r["name"]: r for r in json.loads(report.read_text())["results"]}
    assert results["takes_formats"]["metrics"]["formats"] == "extended"
    assert results["plain"]["metrics"]["formats"] == "course"
    assert SEEN["b"].run_info()["options"] == {"formats": "extended", "who": "b"}


def test_option_without_a_taker_or_with_a_bad_value_is_a_user_error(fake_registry, tmp_path, capsys):
    assert cli.main(["run", "plain", "--formats", "extended", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--formats: expected an assignment that takes it (takes_formats)" in err and "found plain" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "takes_formats", "--formats", "weekly", "--out", str(tmp_path)])
    assert exc.value.code == 2 and "invalid choice: 'weekly'" in capsys.readouterr().err
    assert not SEEN  # refused before any pipeline ran


def test_help_lists_the_option_with_its_owner_and_default(fake_registry, capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--formats VALUE" in text and "takes_formats: which date formats, default course" in text


def test_options_keep_checkpoints_apart():
    base = run_key(False, 0, None)
    assert run_key(False, 0, None, options={}) == base == "full-seed0-standin"
    assert run_key(False, 0, None, options={"formats": "extended"}) == "full-seed0-standin-formats-extended"


def test_option_default_must_be_a_choice():
    with pytest.raises(ValueError, match=r"option --model: expected a default among \['a'\], found 'b'"):
        Option("model", ("a",), "b")
