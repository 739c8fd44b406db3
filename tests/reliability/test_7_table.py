"""Issue 11, item 7: the run table fits 100 columns, lists show as ``first .. last (n)``, metrics the course
does not have are explained, and a course reference stands only beside comparable data."""

from __future__ import annotations

import numpy as np

from tf_course import registry
from tf_course.report import ResultEntry, _fmt, format_table


def _entry(name, source, **overrides):
    a = registry.get(name)
    return ResultEntry(name=a.name, section=a.section, status="ok", data_source=source, metrics=dict(a.reference),
                       reference=a.reference, fixed_seed=a.fixed_seed, notes=a.metric_notes, seconds=1.5,
                       **overrides)


def test_every_assignment_fits_100_columns():
    results = [_entry(a.name, {"data": "course"}) for a in registry.ASSIGNMENTS if a.implemented]
    message = "key 'train_set_x': expected shape (any, 64, 64, 3), found (209, 32, 32, 3) " * 4
    results.append(ResultEntry("yolo", "C4W3", "failed", error=message.strip(), error_kind="user"))
    table = format_table(results, quick=True)
    assert max(len(line) for line in table.splitlines()) <= 100
    assert " ".join(message.split()) in " ".join(table.split()).replace("FAILED: ", "")


def test_a_path_longer_than_the_table_stays_whole_on_its_own_line():
    path = "/tmp/" + "/".join(["a-rather-long-folder-name"] * 6) + "/train_catvnoncat.h5"  # 180 characters
    failed = ResultEntry("logistic_regression", "C1W2", "failed", error=f"{path}: no such file", error_kind="user")
    lines = format_table([failed], quick=True, exports=path).splitlines()
    assert f"  {path}:" in lines  # the failure: the path, copyable, on a line of its own
    assert any(line.startswith(f"{path}/<name>/<version>/") for line in lines)  # the legend's export folder
    assert all(len(line) <= 100 for line in lines if path not in line)


def test_lists_show_first_last_and_length():
    assert _fmt([float("inf")] + [0.5] * 18 + [0.14]) == "inf .. 0.14 (20)"
    assert _fmt(np.array([np.float32(0.25), np.float32(0.125)])) == "0.25 .. 0.125 (2)"
    assert _fmt([np.float32(1.5), None, "a"]) == "1.5 .. a (3)"
    assert _fmt([7]) == "7 (1)" and _fmt([]) == "[]" and _fmt(np.float32(0.5)) == "0.5"


def test_reference_only_beside_course_or_generated_data():
    synthetic = _entry("signs_convnet", {"signs": "synthetic"})
    synthetic.metrics["course_test_signs_served"] = 120
    table = format_table([synthetic, _entry("happy_model", {"happy": "course"})])
    lines = table.splitlines()
    signs_rows = lines[lines.index(next(l for l in lines if l.startswith("signs_convnet"))) + 1:][:4]
    assert [row.split() for row in signs_rows] == [["train_accuracy", "0.940741"], ["test_accuracy", "0.783333"],
                                                   ["params", "1,310"], ["course_test_signs_served", "120"]]
    happy = next(l for l in lines if l.strip().startswith("test_loss"))
    assert happy.split() == ["test_loss", "0.187709", "0.187709"]
    text = " ".join(table.split())
    assert "Not shown beside a 'synthetic' stand-in" in text
    assert ("course_test_signs_served: images of the course's test_signs.h5 run through the exported stand-in "
            "model: a serving smoke check, not an accuracy.") in text


def test_seed_fixed_is_marked_only_where_the_data_is_comparable():
    table = format_table([_entry("planar_classification", {"planar": "generated"}),
                          _entry("regularization", {"football": "synthetic"}), _entry("tf_intro", {"signs": "course"})])
    heads = {line.split()[0]: line for line in table.splitlines() if line and not line.startswith(" ")}
    assert heads["planar_classification"].endswith("[seed fixed]")
    assert not heads["regularization"].endswith("[seed fixed]")  # its stand-in's data follows --seed
    assert not heads["tf_intro"].endswith("[seed fixed]")
    assert "[seed fixed]: the pipeline uses the course's own seeds" in table


def test_result_table_shows_one_pipeline_beside_its_course_reference():
    from tf_course.pipeline import PipelineOutput
    from tf_course.report import result_table

    output = PipelineOutput(metrics={"accuracy": 0.9075, "params": 17}, data_source={"flower": "generated"})
    lines = result_table("planar_classification", output, seconds=2.0).splitlines()
    assert lines[2] == "planar_classification (C1W3 (1.2.6))  data: flower=generated  2.0 s [seed fixed]"
    assert lines[3].split() == ["accuracy", "0.9075", "0.9075"] and lines[4].split() == ["params", "17", "17"]
    quick = result_table("planar_classification", output, quick=True)
    assert "Quick run: training was shortened" in quick
