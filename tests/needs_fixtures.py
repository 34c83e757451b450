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

import contextlib
import os
import secrets
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from assessment.needs.geography import geography_from_settings
from assessment.needs.model import NeedInput
from assessment.participation.workshops import Workshop
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


def workshop_row(code: str, title: str, status: str, **fields) -> Workshop:
    """A workshop as :class:`~assessment.participation.workshops.WorkshopBook` returns it, without a database:
    held on 3 December 2026, needs wait for moderation, no focus area (a map would start on the whole city);
    ``fields`` override single fields."""
    values = dict(held_on=date(2026, 12, 3), publish_immediately=False, focus_level=None, focus_id=None, bbox=None,
                  created_at=datetime(2026, 12, 1, tzinfo=UTC))
    values.update(fields)
    return Workshop(code, title, status=status, **values)


@pytest.fixture(scope="session")
def geography(settings_with_data):
    """The real geography: full-detail LOR 2021 polygons and representative points."""
    return geography_from_settings(settings_with_data)


@contextlib.contextmanager
def new_postgres_database(prefix: str):
    """A new PostgreSQL database named ``prefix_<pid>_<random>`` for as long as the block runs, dropped after it."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        admin.dispose()
        skip_or_fail(f"PostgreSQL at {POSTGRES_URL} does not answer ({error.orig}); start it or set "
                     "BEDARFSATLAS_TEST_POSTGRES_URL")
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database_url():
    """URL of a PostgreSQL database made for this test session, dropped at its end."""
    with new_postgres_database("bedarfsatlas_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """An empty needs database: a new SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'needs.sqlite'}"
    url = request.getfixturevalue("postgres_database_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if sa.inspect(conn).has_table("needs"):
            conn.execute(sa.text("TRUNCATE supports, need_units, needs"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path):
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    with new_postgres_database("bedarfsatlas_migrate") as url:
        yield url


@pytest.fixture
def store(database_url, geography):
    """A migrated, empty :class:`assessment.needs.store.NeedStore` on the real geography."""
    from assessment.needs.store import open_store

    opened = open_store(database_url=database_url, geography=geography)
    yield opened
    opened.close()


# --- writer processes for the concurrency and crash tests --------------------------------------
# Run as `python tests/needs_fixtures.py submit|crash ...`. They use a geography made of fixed
# places (real PLR points and their real ids, computed by the parent) so that 16 processes do not
# each load the LOR polygons; what is under test here is the store, not the lookup.


class FixedPlaces:
    """A geography that knows only the given places: ``[(lat, lon, {"PLR_ID": ...}), ...]``."""

    def __init__(self, places):
        self.places = [(float(lat), float(lon), dict(ids)) for lat, lon, ids in places]
        self._by_point = {(lat, lon): ids for lat, lon, ids in self.places}

    def locate(self, lat, lon):
        return self._by_point.get((lat, lon))

    def area_point(self, level, area_id):
        return None


def real_places(settings, count: int = 60) -> list:
    """``count`` PLR representative points with their real LOR ids, as JSON-ready triples."""
    from geodata.lor import representative_points
    from geodata.lookup import get_locator

    points = representative_points(settings, "PLR")
    locator = get_locator(settings)
    places = []
    for lat, lon in points.iloc[:: max(1, len(points) // count)][["lat", "lon"]].head(count).itertuples(index=False):
        located = locator.locate(lat, lon)
        places.append((float(lat), float(lon), {k: located[k] for k in ("PLR_ID", "BZR_ID", "PGR_ID", "BEZ_ID")}))
    return places


def _worker_store(database_url: str, places_file: str):
    import json as _json

    from assessment.needs.store import open_store

    with open(places_file, encoding="utf-8") as handle:
        places = _json.load(handle)
    # The parent migrated the schema; 16 writers need not each take the migration lock.
    store = open_store(database_url=database_url, geography=FixedPlaces(places), migrate_schema=False)
    return store, FixedPlaces(places).places


def _submit_loop(argv: list[str]) -> None:
    """``submit URL PLACES GO_FILE SECONDS SEED OUT``: submit until time is up, 10 % resubmits."""
    import json as _json
    import pathlib
    import random
    import time

    database_url, places_file, go_file, seconds, seed, out = argv
    rng = random.Random(int(seed))
    store, places = _worker_store(database_url, places_file)
    latencies, acks, resubmits, errors = [], [], [], []
    print("ready", flush=True)
    while not pathlib.Path(go_file).exists():
        time.sleep(0.01)
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        lat, lon, _ = rng.choice(places)
        token = f"w{seed}-{rng.getrandbits(64):016x}"
        need = need_input(lat=lat, lon=lon, title=f"Bedarf {token}")
        started = time.perf_counter()
        try:
            stored = store.submit(need, client_token=token)
        except Exception as error:  # noqa: BLE001 - the test reports every error a caller would see
            errors.append(f"{type(error).__name__}: {error}")
            continue
        latencies.append(time.perf_counter() - started)
        acks.append([stored.id, token])
        if rng.random() < 0.10:
            try:
                again = store.submit(need, client_token=token)
                resubmits.append([stored.id, again.id])
            except Exception as error:  # noqa: BLE001
                errors.append(f"resubmit {type(error).__name__}: {error}")
    store.close()
    result = {"acks": acks, "resubmits": resubmits, "errors": errors, "latencies": latencies}
    pathlib.Path(out).write_text(_json.dumps(result), encoding="utf-8")


def _crash_loop(argv: list[str]) -> None:
    """``crash URL PLACES SEED``: submit forever, print each id once it is acknowledged."""
    import random
    import sys

    database_url, places_file, seed = argv
    rng = random.Random(int(seed))
    store, places = _worker_store(database_url, places_file)
    print("ready", flush=True)
    while True:
        lat, lon, _ = rng.choice(places)
        need = store.submit(need_input(lat=lat, lon=lon, description="x" * rng.randrange(0, 1000)))
        sys.stdout.write(f"ack {need.id}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    import sys

    {"submit": _submit_loop, "crash": _crash_loop}[sys.argv[1]](sys.argv[2:])
