"""Shared fixtures.

Tests that need the official open data use ``settings_with_data``: it skips
locally when the data step has not run, and fails in CI (``BEDARFSATLAS_CI=1``),
where a skip would hide a broken data step.
"""

from __future__ import annotations

import os

import pytest

from geodata.fetch import check
from core.settings import Settings, load_settings

IN_CI = os.environ.get("BEDARFSATLAS_CI") == "1"
# The command lines speak the language of the environment (core.i18n.command_line_language); the
# tests read their English output whatever locale the developer's shell has. Tests of the German
# output set their own environment.
os.environ["LANGUAGE"] = "en"


def skip_or_fail(reason: str) -> None:
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (in CI nothing is skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def settings_with_data() -> Settings:
    """Settings whose data directory holds all verified open data."""
    settings = load_settings()
    failed = [s.message() for s in check(settings) if not s.ok]
    if failed:
        skip_or_fail("open data missing, run `python -m geodata fetch`: " + "; ".join(failed))
    return settings


@pytest.fixture
def fake_map(monkeypatch):
    """``streamlit_folium.st_folium`` replaced by a :class:`tests.fake_folium.FakeMap` for AppTest runs."""
    from tests.fake_folium import install

    return install(monkeypatch)
