"""Unit ids per level (``need_units``, migration 0013): the migration keeps every LOR id, any city's levels work.

The migration test builds a database of the previous schema (revision 0012) in code, with needs
located by point and by areas of each level, migrates it and compares every need's ids and the
counts per area before and after, on SQLite and on PostgreSQL. The store tests run a city of
three levels of its own (Musterstadt's codes), so that nothing in the store assumes Berlin's four.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from assessment.needs.exchange import export_needs
from assessment.needs.model import NeedInput
from assessment.needs.store import make_engine, migrate, open_store
from assessment.needs.validation import ValidationError
from geodata.profile import LevelSpec, Text
from needs_fixtures import database_url, empty_database_url, postgres_database_url  # noqa: F401 - fixtures

T0 = datetime(2026, 3, 2, 9, 30, 15, 123456)  # naive UTC, as the store writes it
OLD_COLUMNS = {"PLR": "plr_id", "BZR": "bzr_id", "PGR": "pgr_id", "BEZ": "bez_id"}

# (located_by, area_level, plr, bzr, pgr, bez): pinned needs in two planning areas, and needs located
# only by a Bezirksregion, a Prognoseraum or a Bezirk (finer ids empty, as the store wrote them).
PLACES = [
    ("point", None, "01100101", "011001", "0110", "01"),
    ("point", None, "01100206", "011002", "0110", "01"),
    ("point", None, "02200202", "022002", "0220", "02"),
    ("area", "BZR", None, "011002", "0110", "01"),
    ("area", "PGR", None, None, "0220", "02"),
    ("area", "BEZ", None, None, None, "02"),
]


def _populate_0012(conn) -> list[dict]:
    """Twelve needs in the 0012 schema, two per place, of two categories and three statuses."""
    rows = []
    for i in range(12):
        located_by, area_level, plr, bzr, pgr, bez = PLACES[i % len(PLACES)]
        rows.append(dict(id=f"00000000-0000-4000-8000-{i:012d}", created_at=T0 + timedelta(hours=i),
                         lat=52.5 + i / 1000, lon=13.3, located_by=located_by, area_level=area_level,
                         plr_id=plr, bzr_id=bzr, pgr_id=pgr, bez_id=bez, category=("mobility", "housing")[i % 2],
                         title=f"Bedarf {i}", description="", status=("published", "pending", "published")[i % 3],
                         merged_into=None, support_count=i, workshop_id=None, channel="online", language="de",
                         client_token=f"token-{i:04d}"))
    columns = ", ".join(rows[0])
    conn.execute(sa.text(f"INSERT INTO needs ({columns}) VALUES ({', '.join(f':{k}' for k in rows[0])})"), rows)
    conn.execute(sa.text("INSERT INTO supports (need_id, client_token, created_at) VALUES (:n, :t, :c)"),
                 [dict(n=rows[0]["id"], t=f"support-{k}", c=T0) for k in range(3)])
    return rows


def _old_counts(conn, level: str, statuses) -> list[dict]:
    """Counts per area and category as the 0012 schema answers them, straight from the old column."""
    column = OLD_COLUMNS[level]
    where = "" if statuses is None else "AND status IN ('published')"
    rows = conn.execute(sa.text(
        f"SELECT {column} AS unit, category, COUNT(*) AS n FROM needs WHERE {column} IS NOT NULL {where} "
        f"GROUP BY {column}, category ORDER BY {column}, category")).all()
    return [{f"{level}_ID": unit, "category": category, "count": n} for unit, category, n in rows]


def test_migration_keeps_every_need_with_its_lor_ids_and_the_counts(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        migrate(engine, "0012")
        with engine.begin() as conn:
            rows = _populate_0012(conn)
        with engine.connect() as conn:
            counts_before = {(level, statuses): _old_counts(conn, level, statuses)
                             for level in OLD_COLUMNS for statuses in (("published",), None)}
        migrate(engine)
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            columns = set(conn.execute(sa.text("SELECT * FROM needs LIMIT 0")).keys())
            need_indexes = {ix["name"] for ix in inspector.get_indexes("needs")}
            unit_indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("need_units")}
            stored_units = conn.execute(sa.text("SELECT COUNT(*) FROM need_units")).scalar()
    finally:
        engine.dispose()
    assert not columns & set(OLD_COLUMNS.values())
    assert "ix_needs_counts" not in need_indexes and "ix_needs_plr_id" not in need_indexes
    assert unit_indexes["ix_need_units_unit"] == ["level", "unit_id", "need_id"]
    # 2 x (4 + 4 + 4 + 3 + 2 + 1) ids that were not empty, one row each.
    assert stored_units == 36
    store = open_store(database_url=empty_database_url)
    try:
        assert store.level_codes == ("PLR", "BZR", "PGR", "BEZ")
        for row in rows:
            need = store.get(row["id"])
            assert need.units == {level: row[column] for level, column in OLD_COLUMNS.items()}, row["id"]
            assert (need.title, need.support_count, need.located_by, need.area_level) == (
                row["title"], row["support_count"], row["located_by"], row["area_level"])
        for (level, statuses), expected in counts_before.items():
            assert store.counts_by_area(level, statuses=statuses).to_dict("records") == expected, (level, statuses)
        # By hand: Bezirk 02 has the pinned need in 02200202 and the needs of Prognoseraum 0220 and of the
        # Bezirk itself, two each (i = 2, 8; 4, 10; 5, 11); published are those with i % 3 != 1: 2, 8, 5, 11.
        assert store.counts_by_area("BEZ", by_category=False).to_dict("records") == [
            {"BEZ_ID": "01", "count": 4}, {"BEZ_ID": "02", "count": 4}]
        assert sorted(n.id[-2:] for n in store.query(level="PGR", area_ids=["0220"], statuses=None)) == [
            "02", "04", "08", "10"]
        # The copies of status and category in need_units follow every change to the need (a trigger),
        # whoever makes it: here the pending need 04 of Prognoseraum 0220 is published, by plain SQL.
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE needs SET status = 'published', category = 'other' WHERE id = :id"),
                         {"id": rows[4]["id"]})
        assert store.counts_by_area("PGR").to_dict("records") == [
            {"PGR_ID": "0110", "category": "housing", "count": 2}, {"PGR_ID": "0110", "category": "mobility", "count": 2},
            {"PGR_ID": "0220", "category": "mobility", "count": 2}, {"PGR_ID": "0220", "category": "other", "count": 1}]
        assert store.counts_by_area("PGR", since=T0.replace(tzinfo=timezone.utc)).equals(store.counts_by_area("PGR"))
    finally:
        store.close()


# --- a city with three levels of its own ------------------------------------------------------

LEVELS = (
    LevelSpec("BL", "units_blocks", "BL_ID", "BL_NAME", 6, "prefix", "QU", Text(inline=(("de", "Block"),)),
              Text(inline=(("de", "Blöcke"),))),
    LevelSpec("QU", "units_quarters", "QU_ID", "QU_NAME", 4, "containment", "ST",
              Text(inline=(("de", "Quartier"), ("en", "Quarter"))), Text(inline=(("de", "Quartiere"),))),
    LevelSpec("ST", "units_districts", "ST_ID", "ST_NAME", None, "containment", None,
              Text(inline=(("de", "Stadtteil"), ("en", "District"))), Text(inline=(("de", "Stadtteile"),))),
)


class Musterstadt:
    """Two blocks west and east of 10.0 E in one quarter ``0101`` of district ``Nord``, 50-51 N."""

    levels = LEVELS

    def locate(self, lat, lon):
        if not (50.0 <= lat <= 51.0 and 9.0 <= lon <= 11.0):
            return None
        return {"BL_ID": "010101" if lon < 10.0 else "010102", "QU_ID": "0101", "ST_ID": "Nord"}

    def area_point(self, level, area_id):
        known = {("BL", "010101"): (50.5, 9.5), ("BL", "010102"): (50.5, 10.5), ("QU", "0101"): (50.5, 9.9),
                 ("ST", "Nord"): (50.5, 9.9)}
        return known.get((level, area_id))


@pytest.fixture
def town(database_url):
    """A migrated, empty store of the three-level city."""
    opened = open_store(database_url=database_url, geography=Musterstadt())
    yield opened
    opened.close()


def _need(**place) -> NeedInput:
    return NeedInput(category="mobility", title="Mehr Bänke", **place)


def test_a_store_keeps_and_counts_the_levels_of_its_city(town, tmp_path):
    assert town.level_codes == ("BL", "QU", "ST")
    west = town.submit(_need(lat=50.5, lon=9.5), status="published")
    town.submit(_need(lat=50.5, lon=10.5), status="published")
    # Chosen by quarter: the district is the one containing the quarter's point (containment), no block.
    quarter = town.submit(_need(area_level="qu", area_id="0101"), status="published")
    assert west.units == {"BL": "010101", "QU": "0101", "ST": "Nord"} == town.get(west.id).units
    assert (quarter.located_by, quarter.area_level, quarter.units) == (
        "area", "QU", {"BL": None, "QU": "0101", "ST": "Nord"})
    assert town.counts_by_area("QU").to_dict("records") == [{"QU_ID": "0101", "category": "mobility", "count": 3}]
    assert town.counts_by_area("BL", by_category=False).to_dict("records") == [
        {"BL_ID": "010101", "count": 1}, {"BL_ID": "010102", "count": 1}]
    assert [n.id for n in town.query(level="BL", area_ids=["010101"])] == [west.id]
    assert len(town.query(level="ST", area_ids=["Nord"])) == 3
    with pytest.raises(ValueError, match="level must be one of BL, QU, ST, got 'PLR'"):
        town.counts_by_area("PLR")
    with pytest.raises(ValidationError) as refused:
        town.submit(_need(area_level="BZR", area_id="011001"))
    assert refused.value.errors[0].field == "area_level"
    path = tmp_path / "needs.csv"
    assert export_needs(town, path, "csv") == 3
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [c for c in rows[0] if c.endswith("_ID")] == ["BL_ID", "QU_ID", "ST_ID"]
    assert sorted((r["BL_ID"], r["QU_ID"], r["ST_ID"]) for r in rows) == [
        ("", "0101", "Nord"), ("010101", "0101", "Nord"), ("010102", "0101", "Nord")]
    assert "Quartier" in path.with_name("needs.README.txt").read_text(encoding="utf-8")


def test_a_deleted_need_takes_its_units_along(town):
    need = town.submit(_need(lat=50.5, lon=9.5))
    with town.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM needs WHERE id = :id"), {"id": need.id})
        left = conn.execute(sa.text("SELECT COUNT(*) FROM need_units WHERE need_id = :id"), {"id": need.id}).scalar()
    assert left == 0


def test_validated_columns_name_units_by_level_never_as_loose_columns(town):
    from assessment.needs.model import ImportExtras

    columns = dict(lat=50.5, lon=9.5, located_by="point", area_level=None, category="mobility", title="Bänke",
                   description="", workshop_id=None, channel="online", language="de")
    # The columns of the old Berlin schema would be dropped by the insert, leaving a need without areas.
    with pytest.raises(ValueError, match=r"columns bl_id are not columns of a need: unit ids go in 'units'"):
        town.add_validated([({**columns, "bl_id": "010101"}, ImportExtras(status="published"))])
    assert town.query() == []
    stored = town.add_validated([({**columns, "units": {"BL": "010101", "ST": "Nord"}},
                                  ImportExtras(status="published"))])
    assert town.get(stored[0].id).units == {"BL": "010101", "QU": None, "ST": "Nord"}
