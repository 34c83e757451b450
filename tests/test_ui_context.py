"""ui.context: one page context for every screen, and ONE needs store per database and process.

Before, nine pages each had their own cached store function (six separate database
engines, each with its own connection pool, in one process). Now only
:func:`ui.context.needs_store` opens a store; these tests count the engines a process
creates while several pages run, and check that no page opens a store itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import assessment.needs.store as store_module
from assessment.participation.auth import User
from core.i18n import t

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 90
ADMIN = User("admin-ada", frozenset({"admin"}), "password")
MODERATOR = User("mod-anna", frozenset({"moderator"}), "password")


def test_only_the_page_context_opens_the_store():
    callers = []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        if names & {"open_store", "make_engine", "create_engine"}:
            callers.append(path.relative_to(ROOT).as_posix())
    assert callers == ["ui/context.py"]


@pytest.fixture
def engines(monkeypatch, tmp_path):
    """The engines created for a fresh database while the test runs, by URL."""
    created: list[str] = []
    real = store_module.make_engine

    def counting(database_url):
        created.append(database_url)
        return real(database_url)

    monkeypatch.setattr(store_module, "make_engine", counting)
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url, created


def run_page(script: str, user: User | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / script), default_timeout=TIMEOUT_S)
    if user is not None:
        at.session_state["user"] = user
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_several_pages_and_sessions_share_one_engine_per_database(engines, settings_with_data, fake_map):
    url, created = engines
    for _ in range(2):  # two sessions (page loads) of each
        run_page("workshop_vote.py", workshop="NOSUCH")
        run_page("workshop_live.py", workshop="NOSUCH")
        run_page("audit_log.py", ADMIN)
        run_page("moderation_queue.py", MODERATOR)
        run_page("report_need.py")
    assert created.count(url) == 1, f"{created.count(url)} engines for one database in one process"


@pytest.mark.parametrize("script, user, title", [
    ("privacy.py", None, "privacy.title"),
    ("signin.py", None, "auth.title"),
    ("audit_log.py", ADMIN, "moderation.audit_title"),
    ("moderation_queue.py", MODERATOR, "moderation.title"),
])
def test_a_page_opened_without_the_app_speaks_the_configured_language(script, user, title, engines, monkeypatch):
    """Opened without app.py (which sets the language), a page uses BEDARFSATLAS_LANGUAGE, not German.

    These four pages fell back to German whatever the operator had configured.
    """
    monkeypatch.setenv("BEDARFSATLAS_LANGUAGE", "en")
    at = run_page(script, user)
    assert at.title[0].value == t(title, "en") != t(title, "de")
