"""Shared fixtures: course-data discovery (``course_data`` marker), quiet TensorFlow, and how
``pytest -n N`` (pytest-xdist, as CI runs it) shares the tests among its workers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # N workers on N cores: OpenBLAS' own threads would busy-wait against the other workers (a NumPy
    # training then runs several times slower); one BLAS thread per worker. Set before NumPy loads.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from tf_course.data.course_files import ENV_VAR  # noqa: E402


def _course_dir() -> Path | None:
    value = os.environ.get(ENV_VAR)
    if value and Path(value).is_dir():
        return Path(value)
    return None


SPREAD_MODULES = ("test_notebooks.py",)  # each test is independent and long: any worker may take any


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the groups (``--dist loadgroup``)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each test module on one xdist worker (its module-scoped fixtures, often a quick pipeline
    run, are then computed once), except the notebooks, which spread; skip ``course_data`` tests,
    with the reason, when no course data directory is set."""
    for item in items:
        module = item.nodeid.split("::")[0]
        if not module.endswith(SPREAD_MODULES) and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(module))
    if _course_dir() is not None:
        return
    reason = f"needs the course files: set {ENV_VAR} to a folder such as ../shared/course_assets"
    for item in items:
        if "course_data" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def course_dir() -> Path:
    """The course data directory (tests using it must carry the ``course_data`` marker)."""
    path = _course_dir()
    if path is None:
        pytest.skip(f"needs the course files (set {ENV_VAR})")
    return path


@pytest.fixture
def course_file(course_dir: Path):
    """``course_file("datasets/data.mat")`` -> Path, skipping the test if that file is absent."""

    def find(relative: str) -> Path:
        path = course_dir / relative
        if not path.is_file():
            pytest.skip(f"course file {relative} is not in {course_dir}")
        return path

    return find
