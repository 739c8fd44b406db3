"""Shared fixtures: course-data discovery (``course_data`` marker) and quiet TensorFlow."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tf_course.data.course_files import ENV_VAR  # noqa: E402


def _course_dir() -> Path | None:
    value = os.environ.get(ENV_VAR)
    if value and Path(value).is_dir():
        return Path(value)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``course_data`` tests, with the reason, when no course data directory is set."""
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
