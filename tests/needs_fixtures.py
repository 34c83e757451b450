"""Fixtures for the needs store, parametrised over both backends.

Import them into a test module (``from needs_fixtures import *``). Every test
that takes ``store`` runs twice: on a fresh SQLite file, and on PostgreSQL/PostGIS
(a database created for this test session and dropped afterwards, emptied
before each test). The PostgreSQL URL comes from ``BEDARFSATLAS_TEST_POSTGRES_URL``
(default: the CI server on 127.0.0.1); when the server does not answer, the
PostgreSQL half skips locally and fails in CI.

The geography is the real one (official LOR 2021 polygons, via
``settings_with_data``), so "outside Berlin" means outside the real boundary.
"""

from __future__ import annotations

import os
import secrets

import pytest
import sqlalchemy as sa

from assessment.geography import geography_from_settings
from assessment.model import NeedInput
from conftest import skip_or_fail

POSTGRES_URL = os.environ.get(
    "BEDARFSATLAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# Places whose LOR areas are known independently of this code (checked on the official map).
BRANDENBURG_GATE = (52.5163, 13.3777)  # Pariser Platz, PLR 01100206 "Unter den Linden", Mitte
ROTES_RATHAUS = (52.5186, 13.4083)  # Berlin's city hall, Mitte (BEZ 01)
RATHAUS_SPANDAU = (52.5355, 13.2005)  # Spandau (BEZ 05)
POTSDAM_CENTRE = (52.3906, 13.0645)  # Potsdam, Brandenburg: not Berlin
TEGEL_FOREST = (52.6080, 13.2530)  # Tegeler Forst, Reinickendorf (BEZ 12)


def need_input(**changes) -> NeedInput:
    """A valid need at the Brandenburg Gate; ``changes`` override single fields."""
    values = dict(
        category="mobility",
        title="Mehr Fahrradbügel",
        description="Vor dem Eingang fehlen Abstellplätze.",
        lat=BRANDENBURG_GATE[0],
        lon=BRANDENBURG_GATE[1],
    )
    values.update(changes)
    return NeedInput(**values)


@pytest.fixture(scope="session")
def geography(settings_with_data):
    """The real geography: full-detail LOR 2021 polygons and representative points."""
    return geography_from_settings(settings_with_data)


@pytest.fixture(scope="session")
def postgres_database_url():
    """URL of a PostgreSQL database made for this test session, dropped at its end."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        admin.dispose()
        skip_or_fail(f"PostgreSQL at {POSTGRES_URL} does not answer ({error.orig}); start it or set "
                     "BEDARFSATLAS_TEST_POSTGRES_URL")
    name = f"bedarfsatlas_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """An empty needs database: a new SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'needs.sqlite'}"
    url = request.getfixturevalue("postgres_database_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if sa.inspect(conn).has_table("needs"):
            conn.execute(sa.text("TRUNCATE supports, needs"))
    engine.dispose()
    return url


@pytest.fixture
def store(database_url, geography):
    """A migrated, empty :class:`assessment.store.NeedStore` on the real geography."""
    from assessment.store import open_store

    opened = open_store(database_url=database_url, geography=geography)
    yield opened
    opened.close()
