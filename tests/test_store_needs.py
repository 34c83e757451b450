"""The needs store on both backends: submit, idempotency, supports, status, queries, counts.

Every test taking ``store`` runs on SQLite and on PostgreSQL/PostGIS (see
``needs_fixtures``). Expected counts are worked out by hand from the needs each
test submits; LOR ids of the fixed places come from the official LOR map.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import assessment.needs.store as store_module
from assessment.needs.model import NeedInput
from assessment.needs.store import NeedNotFoundError, StoreError, open_store
from assessment.needs.validation import ValidationError
from core.settings import load_settings
from needs_fixtures import (  # noqa: F401
    BRANDENBURG_GATE,
    RATHAUS_SPANDAU,
    ROTES_RATHAUS,
    TEGEL_FOREST,
    database_url,
    geography,
    need_input,
    postgres_database_url,
    store,
)


def at(place, **changes) -> NeedInput:
    return need_input(lat=place[0], lon=place[1], **changes)


def test_submit_stores_a_pending_need_and_get_returns_it_unchanged(store):
    need = store.submit(need_input(title="  Mehr Fahrradbügel  "))
    assert need.status == "pending" and need.support_count == 0
    assert need.title == "Mehr Fahrradbügel"
    assert (need.unit("PLR"), need.unit("BZR"), need.unit("PGR"), need.unit("BEZ")) == ("01100206", "011002", "0110", "01")
    assert need.created_at.tzinfo is timezone.utc
    assert abs(need.created_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert need.reference == need.id[:8].upper() and len(need.reference) == 8
    assert store.get(need.id) == need  # microseconds and floats survive the round trip
    assert store.count() == 1


def test_a_refused_need_stores_nothing(store):
    with pytest.raises(ValidationError):
        store.submit(need_input(lat=0.0, lon=0.0))
    with pytest.raises(ValidationError):
        store.submit(need_input(title="ok"), client_token="not a token!")
    assert store.count() == 0


def test_resubmit_with_the_same_client_token_returns_the_first_need(store):
    first = store.submit(need_input(), client_token="form-7f3a9c21")
    again = store.submit(need_input(title="Mehr Fahrradbügel, zweiter Klick"), client_token="form-7f3a9c21")
    other = store.submit(need_input(), client_token="form-0000aaaa")
    plain = [store.submit(need_input()) for _ in range(2)]  # no token: two separate needs
    assert again == first
    assert other.id != first.id and plain[0].id != plain[1].id
    assert store.count() == 4


def test_support_counts_once_per_client_token(store):
    need = store.submit(need_input())
    counts = [store.support(need.id, token) for token in ("tok-aaaaaaaa", "tok-bbbbbbbb", "tok-aaaaaaaa")]
    assert counts == [1, 2, 2]
    assert store.get(need.id).support_count == 2
    with pytest.raises(NeedNotFoundError):
        store.support("00000000-0000-0000-0000-000000000000", "tok-aaaaaaaa")
    with pytest.raises(ValidationError) as refused:
        store.support(need.id, None)
    assert refused.value.fields() == ["client_token"]


def test_set_status_and_merge(store):
    target, duplicate = store.submit(need_input()), store.submit(need_input())
    assert store.set_status(target.id, "published").status == "published"
    merged = store.set_status(duplicate.id, "merged", merged_into=target.id)
    assert (merged.status, merged.merged_into) == ("merged", target.id)
    # Un-merging clears the pointer, so a hidden need never points at another.
    assert store.set_status(duplicate.id, "hidden").merged_into is None
    for bad in (None, duplicate.id, "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(ValidationError) as refused:
            store.set_status(duplicate.id, "merged", merged_into=bad)
        assert refused.value.fields() == ["merged_into"]
    with pytest.raises(ValidationError) as refused:
        store.set_status(target.id, "approved")
    assert refused.value.fields() == ["status"]
    with pytest.raises(NeedNotFoundError):
        store.set_status("00000000-0000-0000-0000-000000000000", "hidden")
    assert store.get(duplicate.id).status == "hidden"


@pytest.fixture
def mixed(store, monkeypatch):
    """Seven needs in three districts, two workshops, three statuses and three days."""
    day = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
    plan = [
        # place, category, status, workshop, day offset
        (BRANDENBURG_GATE, "mobility", "published", None, 0),
        (BRANDENBURG_GATE, "mobility", "published", "ws-mitte", 1),
        (BRANDENBURG_GATE, "housing", "published", "ws-mitte", 2),
        (ROTES_RATHAUS, "mobility", "published", None, 2),
        (ROTES_RATHAUS, "mobility", "pending", None, 2),
        (RATHAUS_SPANDAU, "green_climate", "published", "ws-spandau", 1),
        (TEGEL_FOREST, "green_climate", "rejected", None, 0),
    ]
    made = []
    for place, category, status, workshop, offset in plan:
        monkeypatch.setattr(store_module, "utc_now", lambda offset=offset: day + timedelta(days=offset))
        need = store.submit(at(place, category=category, workshop_id=workshop))
        if status != "pending":
            need = store.set_status(need.id, status)
        made.append(need)
    monkeypatch.undo()
    return made, day


def ids(found):
    return sorted(n.id for n in found)


def test_query_filters(store, mixed):
    made, day = mixed
    published = [n for n in made if n.status == "published"]
    assert ids(store.query()) == ids(published)  # the default shows what the public may see
    assert ids(store.query(statuses=None)) == ids(made)
    assert ids(store.query(statuses=["pending", "rejected"])) == ids([made[4], made[6]])
    assert ids(store.query(level="BEZ", area_ids=["01"])) == ids(made[:4])
    assert ids(store.query(level="PLR", area_ids=["01100206"])) == ids(made[:3])
    assert ids(store.query(level="BZR", area_ids=["011002", "051003"])) == ids(made[:3] + [made[5]])
    assert ids(store.query(categories=["green_climate"], statuses=None)) == ids([made[5], made[6]])
    assert ids(store.query(workshop_id="ws-mitte")) == ids(made[1:3])
    assert ids(store.query(since=day + timedelta(days=1), until=day + timedelta(days=2))) == ids(
        [made[1], made[5]]
    )
    # A box around Alexanderplatz only (13.40-13.42 E, 52.51-52.53 N) holds the Rotes Rathaus.
    assert ids(store.query(bbox=(13.40, 52.51, 13.42, 52.53), statuses=None)) == ids(made[3:5])
    newest_first = store.query(statuses=None)
    assert [n.created_at for n in newest_first] == sorted((n.created_at for n in made), reverse=True)
    assert len(store.query(statuses=None, limit=2)) == 2


def test_query_refuses_ambiguous_filters(store):
    with pytest.raises(ValueError, match="area_ids needs level="):
        store.query(area_ids=["01"])
    with pytest.raises(ValueError, match="minimum and maximum look swapped"):
        store.query(bbox=(13.5, 52.5, 13.3, 52.6))
    with pytest.raises(ValueError, match="unknown status 'approved'"):
        store.query(statuses=["approved"])


def test_counts_by_area_and_category(store, mixed):
    counts = store.counts_by_area("BEZ")
    assert counts.to_dict("records") == [
        {"BEZ_ID": "01", "category": "housing", "count": 1},
        {"BEZ_ID": "01", "category": "mobility", "count": 3},
        {"BEZ_ID": "05", "category": "green_climate", "count": 1},
    ]
    totals = store.counts_by_area("plr", by_category=False, statuses=None)
    assert dict(zip(totals["PLR_ID"], totals["count"])) == {
        "01100206": 3, "01100310": 2, "05100316": 1, "12400619": 1,
    }
    assert store.counts_by_area("BEZ", workshop_id="ws-spandau")["count"].tolist() == [1]
    assert store.counts_by_area("PGR", categories=["education_childcare"]).empty


def test_area_only_needs_count_at_their_level_and_above_not_below(store, geography):
    need = store.submit(need_input(lat=None, lon=None, area_level="BZR", area_id="011002"))
    assert (need.located_by, need.area_level, need.unit("PLR"), need.unit("BZR")) == ("area", "BZR", None, "011002")
    assert geography.locate(need.lat, need.lon)["BZR_ID"] == "011002"
    assert store.counts_by_area("BZR", statuses=None, by_category=False).to_dict("records") == [
        {"BZR_ID": "011002", "count": 1}
    ]
    assert store.counts_by_area("PLR", statuses=None).empty
    assert ids(store.query(level="PGR", area_ids=["0110"], statuses=None)) == [need.id]


def schema_head() -> str:
    """The newest Alembic revision in ``assessment/needs/migrations`` (later migrations move it)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(store_module.MIGRATIONS)).get_current_head()


def test_opening_again_keeps_the_data_and_the_schema_at_head(store, database_url, geography):
    need = store.submit(need_input())
    reopened = open_store(database_url=database_url, geography=geography)
    try:
        assert reopened.get(need.id) == need
        with reopened.engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [schema_head()]
    finally:
        reopened.close()


@pytest.mark.postgres
def test_postgis_geometry_column_with_gist_index(postgres_database_url, geography):
    store = open_store(database_url=postgres_database_url, geography=geography)
    try:
        need = store.submit(need_input())
        with store.engine.connect() as conn:
            x, y, srid = conn.execute(
                sa.text("SELECT ST_X(geom), ST_Y(geom), ST_SRID(geom) FROM needs WHERE id = :id"),
                {"id": need.id},
            ).one()
            index = conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE tablename = 'needs' AND indexname = 'ix_needs_geom'")
            ).scalar()
        assert (x, y, srid) == (need.lon, need.lat, 4326)
        assert "USING gist (geom)" in index
    finally:
        store.close()


def test_default_database_is_a_wal_sqlite_file_in_the_data_folder(tmp_path, geography):
    settings = load_settings({"BEDARFSATLAS_DATA_DIR": str(tmp_path / "data")})
    store = open_store(settings, geography=geography)
    try:
        store.submit(need_input())
    finally:
        store.close()
    path = tmp_path / "data" / "bedarfsatlas.sqlite"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT count(*) FROM needs").fetchone() == (1,)


def test_backup_copies_sqlite_and_points_postgres_to_pg_dump(store, tmp_path):
    need = store.submit(need_input())
    if store.backend == "sqlite":
        copy = store.backup(tmp_path / "copy" / "needs-backup.sqlite")
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT id FROM needs").fetchall() == [(need.id,)]
    else:
        with pytest.raises(StoreError, match="pg_dump --format=custom"):
            store.backup(tmp_path / "x.sqlite")


def test_processes_starting_at_once_migrate_once(tmp_path, geography):
    from concurrent.futures import ThreadPoolExecutor

    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: open_store(database_url=url, geography=geography), range(4)))
    try:
        needs = [s.submit(need_input()) for s in stores]
        assert stores[0].count() == 4 and len({n.id for n in needs}) == 4
        with stores[0].engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [schema_head()]
    finally:
        for s in stores:
            s.close()


def test_query_frame_has_one_row_per_need(store, mixed):
    made, _ = mixed
    frame = store.query_frame(level="BEZ", area_ids=["01"])
    assert sorted(frame["id"]) == ids(made[:4])
    assert list(frame.columns[:3]) == ["id", "reference", "created_at"]
    assert (frame["reference"] == frame["id"].str[:8].str.upper()).all()
    assert store.query_frame(workshop_id="nobody").empty


def test_no_personal_data_columns(store):
    """Data protection: a need has no name, e-mail, IP or user agent; the token is a random value."""
    with store.engine.connect() as conn:
        columns = set(conn.execute(sa.text("SELECT * FROM needs LIMIT 0")).keys())
    expected = {
        "id", "created_at", "lat", "lon", "located_by", "area_level", "category", "title", "description", "status", "merged_into", "support_count",
        "workshop_id", "channel", "language", "client_token",
        # the participation procedure and the answers to its fixed-choice questions (migration 0010)
        "procedure_id", "answers",
    }
    assert columns - {"geom"} == expected


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_many_sessions_in_one_process_share_a_store(store):
    """Streamlit runs each browser session in a thread of one process, all on one cached store."""
    from concurrent.futures import ThreadPoolExecutor

    def session(number):
        return [store.submit(need_input(title=f"Sitzung {number}, Bedarf {i}"),
                             client_token=f"session-{number:02d}-{i:03d}").id for i in range(25)]

    with ThreadPoolExecutor(24) as pool:
        acknowledged = [need_id for ids_ in pool.map(session, range(24)) for need_id in ids_]
    assert len(set(acknowledged)) == 24 * 25
    assert sorted(n.id for n in store.query(statuses=None)) == sorted(acknowledged)


@pytest.mark.postgres
def test_missing_postgis_rights_give_a_clear_message(postgres_database_url, geography):
    """A database owner without superuser rights cannot install PostGIS: say who must do what."""
    admin = sa.create_engine(postgres_database_url, isolation_level="AUTOCOMMIT")
    name = sa.make_url(postgres_database_url).database + "_nopostgis"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{name}" LOGIN'))  # a role of its own, named like the database
        conn.execute(sa.text(f'CREATE DATABASE "{name}" OWNER "{name}"'))
    limited_url = sa.make_url(postgres_database_url).set(database=name, username=name)
    try:
        with pytest.raises(RuntimeError, match="Ask a superuser to run `CREATE EXTENSION postgis;`"):
            open_store(database_url=limited_url.render_as_string(False), geography=geography)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_a_stuck_lock_gives_a_clear_busy_error_and_stores_nothing(tmp_path, geography, monkeypatch):
    monkeypatch.setattr(store_module, "SQLITE_BUSY_TIMEOUT_S", 0.1)
    monkeypatch.setattr(store_module, "WRITE_DEADLINE_S", 0.5)
    path = tmp_path / "stuck.sqlite"
    store = open_store(database_url=f"sqlite:///{path}", geography=geography)
    stuck = sqlite3.connect(path, isolation_level=None)
    stuck.execute("BEGIN IMMEDIATE")  # a process that took the write lock and hangs
    try:
        with pytest.raises(store_module.StoreBusyError, match="stayed locked for more than 0.5 s; nothing was stored"):
            store.submit(need_input())
    finally:
        stuck.execute("ROLLBACK")
        stuck.close()
    assert store.count() == 0
    store.submit(need_input())  # and works again once the lock is free
    assert store.count() == 1
    store.close()


def test_the_start_up_shortcut_knows_alembics_newest_revision(tmp_path):
    """migrate() skips Alembic for a database at newest_revision(), read from the file names: they must agree."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from assessment.needs.store import MIGRATIONS, newest_revision

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [newest_revision()]
    store = open_store(database_url=f"sqlite:///{tmp_path / 'needs.sqlite'}")
    try:
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == newest_revision()
    finally:
        store.close()
