"""Shared fixtures of the reliability tests (issue 11): each test writes its own small files."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_course_data_from_the_environment(monkeypatch):
    """Each test names its own data folder: $TF_COURSE_DATA must not leak in."""
    monkeypatch.delenv("TF_COURSE_DATA", raising=False)
