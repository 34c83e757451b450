"""Participation procedures: the migration into "Allgemein", validation, the book and its audit trail.

The migration test builds a database of the previous schema (revision 0010) in code, fills
every table that gains a procedure with rows, migrates it and compares counts and contents,
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from assessment.needs import audit
from assessment.needs.model import NeedInput
from assessment.needs.procedures import (
    DEFAULT_PROCEDURE_ID,
    ProcedureBook,
    ProcedureInput,
    ProcedureNotFoundError,
    validate_procedure,
)
from assessment.needs.store import make_engine, migrate, open_store
from assessment.needs.validation import ValidationError
from needs_fixtures import database_url, empty_database_url, postgres_database_url  # noqa: F401 - fixtures

PLACES = {  # a stand-in city of two Bezirke, side by side: 01 west of 13.4, 02 east of it
    "01": {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"},
    "02": {"PLR_ID": "02200202", "BZR_ID": "022002", "PGR_ID": "0220", "BEZ_ID": "02"},
}


class TwoDistricts:
    """Berlin as two squares: 52.4-52.6 N, 13.2-13.4 E is Bezirk 01, 13.4-13.6 E Bezirk 02."""

    def locate(self, lat, lon):
        if not (52.4 <= lat <= 52.6 and 13.2 <= lon <= 13.6):
            return None
        return PLACES["01" if lon < 13.4 else "02"]

    def area_point(self, level, area_id):
        for bez, point in (("01", (52.5, 13.3)), ("02", (52.5, 13.5))):
            if PLACES[bez][f"{level}_ID"] == area_id:
                return point
        return None


# --- the migration --------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 30, 15, 123456)  # naive UTC, as the store writes it


def _populate_previous_schema(conn) -> None:
    """Rows in every table that gains a procedure, written as the 0009 schema had them."""
    needs = [dict(id=f"00000000-0000-4000-8000-00000000000{i}", created_at=T0 + timedelta(hours=i),
                  lat=52.5 + i / 1000, lon=13.3, located_by="point", area_level=None, plr_id="01100101",
                  bzr_id="011001", pgr_id="0110", bez_id="01", category=("mobility", "housing")[i % 2],
                  title=f"Bedarf Nummer {i} – Bänke", description="Ümläute & <b>Markup</b>" * i,
                  status=("published", "pending", "merged")[i % 3], merged_into=None, support_count=i,
                  workshop_id="ABC234" if i % 2 else None, channel="online", language="de",
                  client_token=f"token-{i:04d}") for i in range(1, 6)]
    needs[2]["merged_into"] = needs[0]["id"]
    columns = ", ".join(needs[0])
    values = ", ".join(f":{k}" for k in needs[0])
    conn.execute(sa.text(f"INSERT INTO needs ({columns}) VALUES ({values})"), needs)
    conn.execute(sa.text("INSERT INTO supports (need_id, client_token, created_at) VALUES (:n, :t, :c)"),
                 [dict(n=needs[0]["id"], t=f"support-{k}", c=T0) for k in range(3)])
    conn.execute(sa.text(
        "INSERT INTO workshops (code, created_at, title, held_on, status, publish_immediately, focus_level, focus_id) "
        "VALUES ('ABC234', :c, 'Kiezwerkstatt', :d, 'frozen', :p, 'BZR', '011001')"), dict(c=T0, d=date(2026, 3, 2), p=True))
    conn.execute(sa.text("INSERT INTO vote_rounds (id, workshop_code, dots, opened_at) VALUES ('r1', 'ABC234', 3, :c)"),
                 dict(c=T0))
    conn.execute(sa.text("INSERT INTO votes (round_id, voter, slot, need_id, created_at) VALUES ('r1', :v, :s, :n, :c)"),
                 [dict(v=f"voter-{k}", s=0, n=needs[1]["id"], c=T0) for k in range(4)])
    conn.execute(sa.text("INSERT INTO goals (id, created_at, title, field_of_action, level, created_by) "
                         "VALUES ('g1', :c, 'Mehr Schatten', 'green_climate', 'BZR', NULL)"), dict(c=T0))
    conn.execute(sa.text("INSERT INTO goal_links (goal_id, kind, ref, position) VALUES ('g1', 'area', '011001', 0)"))
    conn.execute(sa.text("INSERT INTO audit_log (at, actor, action, need_id) VALUES (:c, 'mod', 'approve', :n)"),
                 dict(c=T0, n=needs[0]["id"]))


def _snapshot(conn) -> dict[str, list[dict]]:
    tables = ("needs", "supports", "workshops", "vote_rounds", "votes", "goals", "goal_links", "audit_log")
    found = {}
    for table in tables:
        rows = conn.execute(sa.text(f"SELECT * FROM {table}")).mappings().all()
        found[table] = sorted(({k: v for k, v in r.items() if k != "geom"} for r in rows), key=repr)
    return found


def test_migration_puts_every_existing_row_into_allgemein_and_loses_nothing(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        migrate(engine, "0010")
        with engine.begin() as conn:
            _populate_previous_schema(conn)
        with engine.connect() as conn:
            before = _snapshot(conn)
        migrate(engine, "0012")  # the schema this migration made (0013 moves the LOR ids: tests/test_need_units.py)
        with engine.connect() as conn:
            after = _snapshot(conn)
            procedure = conn.execute(sa.text("SELECT * FROM procedures")).mappings().all()
    finally:
        engine.dispose()
    assert {t: len(rows) for t, rows in after.items()} == {t: len(rows) for t, rows in before.items()}
    assert before["needs"] and before["supports"] and before["votes"]
    gained = {"needs": {"procedure_id", "answers"}, "supports": {"procedure_id"}, "workshops": {"procedure_id", "language"},
              "votes": {"procedure_id"}, "goals": {"procedure_id", "status", "updated_at"}}
    for table, rows in after.items():
        new = gained.get(table, set())
        assert [{k: v for k, v in r.items() if k not in new} for r in rows] == before[table], table
        for row in rows:
            if "procedure_id" in new:
                assert row["procedure_id"] == DEFAULT_PROCEDURE_ID
    assert [r["answers"] for r in after["needs"]] == [None] * 5
    assert [r["status"] for r in after["goals"]] == ["active"]
    assert len(procedure) == 1
    assert procedure[0]["id"] == DEFAULT_PROCEDURE_ID
    assert json.loads(procedure[0]["title"])["de"] == "Allgemein"
    assert str(procedure[0]["starts_on"])[:10] == "2026-03-02"  # open since the oldest need (SQLite: text)
    # The store reads the migrated needs, each in "Allgemein", and new ones go there by default.
    store = open_store(database_url=empty_database_url, geography=TwoDistricts())
    try:
        assert store.count(procedure_id=DEFAULT_PROCEDURE_ID) == 5
        assert store.get(before["needs"][0]["id"]).title == before["needs"][0]["title"]
        added = store.submit(NeedInput(category="mobility", title="Neue Bank", lat=52.5, lon=13.3))
        assert added.procedure_id == DEFAULT_PROCEDURE_ID
        book = ProcedureBook(store)
        assert book.get(DEFAULT_PROCEDURE_ID).is_open()
        assert book.need_counts() == {DEFAULT_PROCEDURE_ID: 6}
    finally:
        store.close()


# --- validation: each bad input -> the field named and the message ----------------------------


def _spec(**changes) -> ProcedureInput:
    values = dict(title={"de": "Bedarfe sammeln in Mitte"}, starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 31),
                  categories=("mobility",))
    values.update(changes)
    return ProcedureInput(**values)


OUTSIDE = "POLYGON ((13.0 52.0, 13.1 52.0, 13.1 52.1, 13.0 52.1, 13.0 52.0))"  # south of the stand-in city
INSIDE = "POLYGON ((13.25 52.45, 13.35 52.45, 13.35 52.55, 13.25 52.55, 13.25 52.45))"

BAD_INPUT = [
    (dict(ends_on=date(2026, 2, 1)), "ends_on",
     "The period ends (2026-02-01) before it starts (2026-03-01): please choose an end on or after the start."),
    (dict(categories=()), "categories",
     "The list of categories is empty. Please choose at least one category."),
    (dict(questions=({"kind": "choice", "text": {"de": "Wie oft?"}, "options": []},)), "questions",
     "Question 1 (“Wie oft?”) has no options: please give at least two."),
    (dict(area_polygon=OUTSIDE), "area_polygon",
     "The drawn area (13.0000; 52.0000; 13.1000; 52.1000) lies entirely outside the city: please draw it within the city's boundary."),
    (dict(area_polygon="Kreis um den Kiez"), "area_polygon",
     "The area 'Kreis um den Kiez' is not a polygon. Please draw it again or give WKT (POLYGON ((lon lat, …))) "
     "or GeoJSON in WGS84."),
    (dict(categories=({"id": "spielplatz", "label": {"de": "Spielplatz"}, "colour": "rot", "description": {"de": "x"}},)),
     "categories", "The colour 'rot' of the category 'spielplatz' is invalid; give it as #rrggbb."),
    (dict(questions=({"kind": "stars", "text": {"de": "Wie wichtig?"}},)), "questions",
     "Question 1: there is no kind 'stars'; choose choice or scale (1–5)."),
    (dict(area_level="BEZ", area_ids=("99",)), "area_ids",
     "There is no BEZ area '99'; please choose from the list."),
    (dict(moderation="never"), "moderation",
     "There is no moderation rule 'never'; choose pre (check first) or post (publish at once)."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT, ids=[c[1] for c in BAD_INPUT])
def test_bad_input_names_the_field(changes, field, message):
    with pytest.raises(ValidationError) as refused:
        validate_procedure(_spec(**changes), TwoDistricts())
    assert [(e.field, e.text('en')) for e in refused.value.errors] == [(field, message)]


def test_good_input_is_cleaned():
    columns = validate_procedure(_spec(
        title={"de": "Bedarfe sammeln in Mitte", "en": "Collecting needs in Mitte"}, area_polygon=INSIDE, area_label="Moabit-Ost",
        categories=("mobility", {"id": "spielplatz", "label": {"de": "Spielplatz"}, "colour": "#AA0000",
                                 "description": {"de": "Spielplätze und Bolzplätze"}}),
        questions=({"id": "dringend", "kind": "scale", "text": {"de": "Wie dringend?"}},
                   {"kind": "choice", "text": {"de": "Wie oft?"}, "options": ["täglich", " wöchentlich ", "täglich"]})),
        TwoDistricts())
    assert json.loads(columns["title"]) == {"de": "Bedarfe sammeln in Mitte", "en": "Collecting needs in Mitte"}
    assert json.loads(columns["area_geojson"])["type"] == "Polygon"
    assert [c["id"] for c in json.loads(columns["categories"])] == ["mobility", "spielplatz"]
    assert json.loads(columns["categories"])[1]["colour"] == "#aa0000"
    questions = json.loads(columns["questions"])
    assert [(q["id"], q["options"]) for q in questions] == [
        ("dringend", ["1", "2", "3", "4", "5"]), ("q2", ["täglich", "wöchentlich"])]


# --- the book: status, audit, submission into a procedure --------------------------------------


@pytest.fixture
def book(database_url):
    """A procedure book on an empty store of the stand-in city (SQLite, and PostgreSQL when marked)."""
    store = open_store(database_url=database_url, geography=TwoDistricts())
    with store.engine.begin() as conn:  # PostgreSQL: the session's database keeps earlier tests' rows
        conn.execute(sa.text("DELETE FROM procedures WHERE id <> :p"), {"p": DEFAULT_PROCEDURE_ID})
    yield ProcedureBook(store)
    store.close()


def _today() -> date:
    return datetime.now(timezone.utc).date()


def test_every_change_is_in_the_audit_log(book):
    made = book.create(_spec(starts_on=_today(), ends_on=_today() + timedelta(days=30)), actor="admin-anna")
    book.update(made.id, _spec(title={"de": "Bedarfe sammeln in Moabit"}, starts_on=_today(),
                               ends_on=_today() + timedelta(days=30)), actor="admin-ben")
    closed = book.close(made.id, actor="admin-anna")
    assert closed.status() == "closed"
    rows = audit.entries(book.store)
    mine = rows[rows["details"].str.contains(made.id, na=False)]
    assert mine["action"].tolist() == ["procedure_close", "procedure_edit", "procedure_create"]
    assert mine["actor"].tolist() == ["admin-anna", "admin-ben", "admin-anna"]
    edit = json.loads(mine.iloc[1]["details"])
    assert json.loads(edit["before"]["title"])["de"] == "Bedarfe sammeln in Mitte"
    assert json.loads(edit["after"]["title"])["de"] == "Bedarfe sammeln in Moabit"
    with pytest.raises(ProcedureNotFoundError):
        book.close("no-such-procedure", actor="admin-anna")


def test_refused_update_changes_nothing(book):
    made = book.create(_spec(), actor="admin-anna")
    with pytest.raises(ValidationError):
        book.update(made.id, _spec(categories=()), actor="admin-anna")
    assert book.get(made.id) == made
    edits = audit.entries(book.store, action="procedure_edit")
    assert not edits["details"].str.contains(made.id).any()


def test_submission_into_a_procedure(book):
    open_now = dict(starts_on=_today() - timedelta(days=1), ends_on=_today() + timedelta(days=30))
    west = book.create(_spec(**open_now, area_level="BEZ", area_ids=("01",), area_label="Westbezirk",
                             categories=("mobility", "housing"),
                             questions=({"id": "dringend", "kind": "scale", "text": {"de": "Wie dringend?"}},)),
                       actor="admin-anna")
    store = book.store
    need = store.submit(NeedInput(category="mobility", title="Mehr Bänke", lat=52.5, lon=13.3,
                                  answers={"dringend": "4"}), procedure=west)
    assert (need.procedure_id, need.answers) == (west.id, (("dringend", "4"),))
    assert store.get(need.id).answer("dringend") == "4"
    assert store.query(procedure_id=west.id, statuses=None) == [store.get(need.id)]
    with pytest.raises(ValidationError) as outside:
        store.submit(NeedInput(category="mobility", title="Mehr Bänke", lat=52.5, lon=13.5), procedure=west)
    assert outside.value.fields() == ["location"]
    assert "“Westbezirk”" in outside.value.errors[0].text('en')
    with pytest.raises(ValidationError) as bad:
        store.submit(NeedInput(category="health_care", title="Mehr Ärzte", lat=52.5, lon=13.3,
                               answers={"dringend": "9", "gibtsnicht": "1"}), procedure=west)
    assert sorted(bad.value.fields()) == ["answers.dringend", "answers.gibtsnicht", "category"]
    assert store.support(need.id, client_token="browser-one") == 1
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT procedure_id FROM supports")).scalars().all() == [west.id]
    closed = book.close(west.id, actor="admin-anna")
    with pytest.raises(ValidationError) as refused:
        store.submit(NeedInput(category="mobility", title="Mehr Bänke", lat=52.5, lon=13.3), procedure=closed)
    assert refused.value.fields() == ["procedure"]
    assert store.count(procedure_id=west.id) == 1


# --- the residents' send, supports, workshops and goals in a procedure -------------------------


def _open_west(book, **changes) -> "Procedure":  # noqa: F821 - a name for the reader
    values = dict(starts_on=_today() - timedelta(days=1), ends_on=_today() + timedelta(days=30),
                  area_level="BEZ", area_ids=("01",), area_label="Westbezirk", categories=("mobility", "housing"),
                  questions=({"id": "dringend", "kind": "scale", "text": {"de": "Wie dringend?"}},))
    values.update(changes)
    return book.create(_spec(**values), actor="admin-anna")


def test_residents_send_into_a_procedure(book):
    from assessment.participation.residents import page_rate_limiter
    from assessment.participation.submission import ReportForm, limit_keys, submit_report

    west = _open_west(book, moderation="post")
    store = book.store
    send = dict(workshop=None, lang="de", keys=limit_keys("a-session", "a-browser"), publish_immediately=False,
                procedure=west)
    inside = submit_report(store, page_rate_limiter(store), ReportForm("mobility", "Sichere Querung", "",
                           answers={"dringend": "5"}),
                           place={"lat": 52.5, "lon": 13.3, "located": {}}, token="form-token-1", **send)
    assert inside.outcome == "stored"
    assert (inside.need.procedure_id, inside.need.status, inside.need.answers) == (west.id, "published",
                                                                                  (("dringend", "5"),))
    outside = submit_report(store, page_rate_limiter(store), ReportForm("mobility", "Sichere Querung", ""),
                            place={"lat": 52.5, "lon": 13.5, "located": {}}, token="form-token-2", **send)
    assert outside.outcome == "refused"
    slots = dict(outside.messages("de")[1:])
    assert "außerhalb des Gebiets „Westbezirk“" in slots["place"]
    assert store.count(procedure_id=west.id) == 1


def test_a_closed_procedure_takes_no_supports(book):
    from assessment.participation.residents import ProcedureClosedError, support_need

    west = _open_west(book)
    need = book.store.submit(NeedInput(category="mobility", title="Mehr Bänke", lat=52.5, lon=13.3), procedure=west)
    assert support_need(book.store, need.id, "browser-a-secret", "session-a")
    book.close(west.id, actor="admin-anna")
    with pytest.raises(ProcedureClosedError, match="closed"):
        support_need(book.store, need.id, "browser-b-secret", "session-b")
    assert book.store.get(need.id).support_count == 1


def test_dots_of_a_workshop_belong_to_its_procedure(book):
    from assessment.participation.workshops import WorkshopBook

    west = _open_west(book)
    rooms = WorkshopBook(book.store)
    room = rooms.create("Kiezwerkstatt", _today(), focus_level="BEZ", focus_id="01", procedure_id=west.id)
    assert rooms.get(room.code).procedure_id == west.id
    rooms.open(room.code)
    need = book.store.submit(NeedInput(category="mobility", title="Mehr Bänke", lat=52.5, lon=13.3,
                                       workshop_id=room.code, channel="workshop"),
                             status="published", procedure=west)
    voting = rooms.start_round(room.code, dots=2)
    rooms.cast_vote(voting.id, "voter-one-token", need.id)
    with book.store.engine.connect() as conn:
        dots = conn.execute(sa.text("SELECT procedure_id FROM votes WHERE round_id = :r"), {"r": voting.id}).all()
    assert [d[0] for d in dots] == [west.id]


def test_goals_are_edited_and_withdrawn_with_their_history(book):
    from assessment.analysis.goals import GoalBook, GoalInput

    west = _open_west(book)
    goals = GoalBook(book.store)
    goal = goals.create(GoalInput("Mehr Schatten", "green_climate", "BEZ", ("01",), procedure_id=west.id))
    assert goals.list(procedure_id=west.id) == [goal]
    edited = goals.update(goal.id, GoalInput("Mehr Schatten auf Schulwegen", "green_climate", "BEZ", ("01", "02")),
                          actor="planner-paula")
    assert (edited.title, edited.area_ids, edited.procedure_id) == ("Mehr Schatten auf Schulwegen", ("01", "02"), west.id)
    with pytest.raises(ValidationError) as refused:
        goals.update(goal.id, GoalInput("", "green_climate", "BEZ", ("01",)), actor="planner-paula")
    assert refused.value.fields() == ["title"]
    withdrawn = goals.withdraw(goal.id, actor="planner-pit")
    assert withdrawn.status == "withdrawn"
    assert goals.list(procedure_id=west.id) == []
    assert [g.id for g in goals.list(procedure_id=west.id, include_withdrawn=True)] == [goal.id]
    history = goals.history(goal.id)
    assert [(v.version, v.action, v.actor, v.title, v.area_ids, v.status) for v in history] == [
        (1, "edit", "planner-paula", "Mehr Schatten", ("01",), "active"),
        (2, "withdraw", "planner-pit", "Mehr Schatten auf Schulwegen", ("01", "02"), "active"),
    ]
    with pytest.raises(ValidationError) as frozen:
        goals.update(goal.id, GoalInput("Wieder da", "green_climate", "BEZ", ("01",)), actor="planner-paula")
    assert frozen.value.fields() == ["status"]


class _CodesGeography:
    """Musterstadt with codes for ids, nesting by containment: block BL0007 lies in quarter QU0004 of district ST0002."""

    def __init__(self, levels):
        self.levels = levels

    def locate(self, lat, lon):
        return {"BL_ID": "BL0007", "QU_ID": "QU0004", "ST_ID": "ST0002"} if (lat, lon) == (1.0, 1.0) else None

    def area_point(self, level, area_id):
        return (1.0, 1.0) if area_id in ("BL0007", "QU0004", "ST0002") else (2.0, 2.0)


def test_an_area_procedure_finds_finer_and_coarser_areas_where_ids_do_not_nest(tmp_path):
    """Containment and codes of one length: which areas lie in the procedure's quarter comes from where they lie."""
    from assessment.needs.procedures import Procedure
    from geodata.example_profile import write_example_profile
    from geodata.profile import load_profile

    levels = load_profile(write_example_profile(tmp_path / "codes", nesting="containment", codes=True)).levels
    geography = _CodesGeography(levels)
    procedure = Procedure("p", {"de": "Quartier"}, {"de": ""}, "QU", ("QU0004",), None, "QU0004", date(2026, 1, 1),
                          None, None, (), (), "none")
    assert procedure.contains_area("BL", "BL0007", geography)  # a block of the quarter
    assert not procedure.contains_area("BL", "BL0001", geography)
    assert procedure.contains_area("QU", "QU0004", geography)
    assert procedure.contains_area("ST", "ST0002", geography)  # the district the quarter lies in
    assert not procedure.contains_area("ST", "ST0001", geography)


def test_the_migrations_default_procedure_speaks_of_the_active_city_until_edited():
    """Migration 0011 stored Berlin's words; a city profile's app shows its own (issue 17)."""
    import json

    from assessment.needs.migrations.history import MIGRATION_DEFAULT_AREA, MIGRATION_DEFAULT_DESCRIPTION
    from assessment.needs.procedures import procedure_from_row
    from geodata.lor import CITY_NAME, city_label

    row = {"id": DEFAULT_PROCEDURE_ID, "title": json.dumps({"de": "Allgemein"}),
           "description": json.dumps(MIGRATION_DEFAULT_DESCRIPTION), "area_level": None, "area_ids": None,
           "area_geojson": None, "area_label": MIGRATION_DEFAULT_AREA, "starts_on": None, "ends_on": None,
           "closed_at": None, "categories": "[]", "questions": "[]", "moderation": "pre", "created_at": None,
           "updated_at": None, "created_by": "system:migration"}
    shown = procedure_from_row(row)
    assert shown.description["uk"] == f"Потреби з усього міста {city_label('uk')}, що не належать до жодної окремої процедури участі."
    assert shown.description["de"].startswith(f"Bedarfe aus ganz {CITY_NAME},") and shown.area_label == CITY_NAME
    edited = procedure_from_row({**row, "description": json.dumps({"de": "Alles aus dem Kiez"})})
    assert edited.description == {"de": "Alles aus dem Kiez"}  # an operator's own text is kept as written
    by_hand = procedure_from_row({**row, "created_by": "staff:anna"})
    assert by_hand.description == MIGRATION_DEFAULT_DESCRIPTION
