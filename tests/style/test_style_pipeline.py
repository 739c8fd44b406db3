"""Pipeline ``style_transfer`` in quick mode (the whole-course module's first quick run), the course images,
``tf-course stylize``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers import quick_run, whole_course_group
from tf_course import cli
from tf_course.data.validate import DataError
from tf_course.pipeline import RunContext
from tf_course.style import pipeline
from tf_course.style.images import COURSE_IMAGES, load_images

pytestmark = pytest.mark.slow


@whole_course_group("style_transfer")  # the whole-course module's first quick run, made once per CI run
def test_quick_run_metrics_images_and_export(tmp_path_factory):
    entry = quick_run("style_transfer", 1, tmp_path_factory)  # tf-course run style_transfer --quick --seed 0
    out, m = Path(entry["out"]) / "quick", entry["metrics"]
    assert m["weights"] == "random" and entry["data_source"] == {"images": "generated", "weights": "random"}
    assert m["steps"] == pipeline.QUICK_STEPS and m["image_size"] == list(pipeline.QUICK_SIZE)
    assert m["recipe"] == "tf2" and m["jit_compile"] is False
    for name in ("content", "style", "total"):
        assert np.isfinite(m[f"{name}_cost_first"]) and np.isfinite(m[f"{name}_cost_last"])
    assert m["total_cost_last"] < m["total_cost_first"] and m["cost_reduction"] > 1
    assert m["total_cost_first"] == pytest.approx(10 * m["content_cost_first"] + 40 * m["style_cost_first"], rel=1e-5)
    assert len(m["total_costs"]) == pipeline.QUICK_STEPS and m["seconds_per_step"] > 0
    images = out / pipeline.IMAGES_DIR
    generated = Image.open(images / "generated.png")
    assert generated.size == (pipeline.QUICK_SIZE[1], pipeline.QUICK_SIZE[0])
    assert generated.text["weights"] == "random"  # said in the image's metadata too
    assert {p.name for p in images.glob("step_*.png")} == {f"step_{s:04d}.png" for s in range(1, 5)}
    (export,) = entry["exports"]
    manifest = json.loads((out / "style_transfer" / "1" / "manifest.json").read_text())
    assert export == str(out / "style_transfer" / "1") and manifest["weights"] == "random"
    assert manifest["metrics"]["weights"] == "random"


def test_images_follow_the_all_or_none_rule(tmp_path):
    content, style, source = load_images(None, (20, 30))
    assert source == "generated" and content.shape == style.shape == (1, 20, 30, 3)
    assert np.abs(content - style).mean() > 0.1
    (tmp_path / "nst").mkdir()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tmp_path / COURSE_IMAGES[0])
    with pytest.raises(DataError, match="missing nst/monet.jpg"):
        load_images(tmp_path, (20, 30))
    Image.new("RGB", (40, 30), (10, 10, 200)).save(tmp_path / COURSE_IMAGES[1])
    content, style, source = load_images(tmp_path, (15, 20))
    assert source == "course" and content.shape == (1, 15, 20, 3)
    np.testing.assert_allclose(content[0, 0, 0], np.array([200, 10, 10]) / 255, atol=0.02)  # JPEG


@pytest.mark.course_data
def test_course_images_are_used(course_file):
    course_file("nst/louvre_small.jpg")
    content, style, source = load_images(course_file("nst/monet.jpg").parents[1], (30, 40))
    assert source == "course" and content.shape == style.shape == (1, 30, 40, 3)


def test_stylize_command(tmp_path, capsys):
    from tf_course.style.images import generated_content, generated_style, save_png
    from tf_course.style.vgg import build_vgg19

    save_png(generated_content((20, 28)), tmp_path / "content.png")
    save_png(generated_style((24, 24)), tmp_path / "style.png")
    weights = tmp_path / "narrow_vgg19.keras"
    build_vgg19(widths=(4, 4, 4, 8, 8), seed=1).save(weights)
    out = tmp_path / "result.png"
    argv = ["stylize", str(tmp_path / "content.png"), str(tmp_path / "style.png"), "--steps", "2", "--size", "16",
            "24", "--weights", str(weights), "--out", str(out), "--quiet"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr()
    assert f"weights: keras {weights}" in printed.out and "stylized image:" in printed.out
    assert Image.open(out).size == (24, 16) and Image.open(out).text["weights"] == f"keras {weights}"
    # a missing weights file is an error, never a fall-back to random weights
    assert cli.main(argv[:-5] + ["--weights", str(tmp_path / "missing.h5"), "--out", str(out)]) == 2
    assert "expected a file" in capsys.readouterr().err
    assert cli.main(["stylize", str(tmp_path / "content.png"), str(tmp_path / "style.png"), "--steps", "0"]) == 2
    assert "--steps: expected an integer >= 1" in capsys.readouterr().err
    # the TF1 course's recipe with the XLA-compiled step
    tf1_out = tmp_path / "tf1.png"
    assert cli.main(argv[:-3] + ["--out", str(tf1_out), "--quiet", "--recipe", "tf1", "--jit"]) == 0
    assert "recipe tf1, jit_compile" in capsys.readouterr().out
    assert Image.open(tf1_out).size == (24, 16) and Image.open(tf1_out).text["recipe"] == "tf1"


def test_recipe_and_jit_options(tmp_path, monkeypatch):
    from tf_course import registry
    from tf_course.style import export

    entry = registry.BY_NAME["style_transfer"]
    assert entry.option("recipe").choices == ("tf2", "tf1") and entry.option("recipe").default == "tf2"
    assert entry.option("jit").choices == ("off", "on") and entry.option("jit").default == "off"
    exported = {}

    def fake_export(name, transfer, out_dir, *args, metrics=None, **kwargs):  # the export is tested above (tf2)
        exported.update(settings=transfer.settings, metrics=metrics)
        return type("Exported", (), {"path": out_dir / name})()

    monkeypatch.setattr(export, "export_stylizer", fake_export)
    ctx = RunContext(data_dir=None, out_dir=tmp_path, quick=True, verbose=False, options={"recipe": "tf1", "jit": "on"})
    m = pipeline.run(ctx, size=(16, 24), steps=3).metrics
    assert m["recipe"] == "tf1" and m["jit_compile"] is True and exported["metrics"]["recipe"] == "tf1"
    assert exported["settings"].learning_rate == 2.0 and exported["settings"].pixel_range == "mean_subtracted"
    assert m["total_cost_last"] < m["total_cost_first"]
    assert Image.open(tmp_path / pipeline.IMAGES_DIR / "generated.png").size == (24, 16)


def test_command_module_imports_no_tensorflow():
    code = ("import sys, argparse; from tf_course.style import command; p = argparse.ArgumentParser(); "
            "command.register(p.add_subparsers()); print('tensorflow' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
