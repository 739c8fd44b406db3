"""The layer contract (pyproject ``[tool.importlinter]``): ``lint-imports`` passes on the package and
fails, naming the contract and the import, on a copy with one violation of each rule."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = (
    "Topics never import each other",
    "data, train and export import no topic",
    "scratch imports neither TensorFlow nor Keras",
)
# lint-imports' own entry point, run by this interpreter (the console script may not be on PATH)
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
VIOLATIONS = {  # module of the copy -> the import appended to it
    "tf_course/detection/boxes.py": "import tf_course.basics.mlp",  # a topic imports another topic
    "tf_course/data/images.py": "import tf_course.vision",  # shared data code imports a topic
    "tf_course/scratch/conv.py": "import keras",  # NumPy scratch code imports Keras
    "tf_course/style/__init__.py": "import tf_course.vision",  # a future topic, listed before it exists
}


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with ``root/pyproject.toml``'s contracts on ``root/tf_course``."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "HOME": str(root)}
    return subprocess.run([sys.executable, "-c", LINT, "--no-cache", "--no-logo"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """The package's Python files and pyproject.toml, copied (the tests edit the copy, never the tree)."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "tf_course", root / "tf_course", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_package_keeps_every_contract(package_copy):
    result = _lint(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACTS:
        assert f"{name} KEPT" in result.stdout
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_one_violation_of_each_rule_breaks_its_contract(package_copy, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(package_copy, broken)
    for module, line in VIOLATIONS.items():
        path = broken / module
        path.parent.mkdir(exist_ok=True)
        path.write_text((path.read_text() if path.exists() else "") + f"\n{line}  # a deliberate violation\n")
    result = _lint(broken)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    for name in CONTRACTS:
        assert f"{name} BROKEN" in out
    assert "Contracts: 0 kept, 3 broken." in out
    assert "tf_course.detection.boxes -> tf_course.basics.mlp" in out
    assert "tf_course.style -> tf_course.vision" in out
    assert "tf_course.data.images -> tf_course.vision" in out
    assert "tf_course.scratch.conv -> keras" in out
