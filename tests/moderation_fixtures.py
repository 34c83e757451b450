"""Fixtures for the moderation, audit and retention tests, on SQLite and PostgreSQL.

Import with ``from moderation_fixtures import *``. They reuse the backend
fixtures of :mod:`needs_fixtures` but empty *every* table of the app before a
PostgreSQL test (the audit log, residents' reports, workshop votes ... not
only needs and supports), so that no row of an earlier test leaks in.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from needs_fixtures import geography, need_input, postgres_database_url  # noqa: F401 - fixtures

__all__ = ["geography", "postgres_database_url", "database_url", "store", "moderation", "need_input", "audit_rows"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """An empty, migrated database: a new SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'needs.sqlite'}"
    url = request.getfixturevalue("postgres_database_url")
    from assessment.needs.store import open_store

    open_store(database_url=url).close()  # migrate first, so every table exists
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t not in ("alembic_version", "spatial_ref_sys")]
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def store(database_url, geography):
    """A migrated, empty needs store on the real geography."""
    from assessment.needs.store import open_store

    opened = open_store(database_url=database_url, geography=geography)
    yield opened
    opened.close()


@pytest.fixture
def moderation(store):
    """Moderation on the empty store."""
    from assessment.participation.moderation import Moderation

    return Moderation(store)


def audit_rows(store) -> list[dict]:
    """Every audit row, oldest first, as dicts."""
    from assessment.needs.audit import entries

    return entries(store).iloc[::-1].to_dict("records")
