"""Goals with their evidence, on SQLite and PostgreSQL (see ``needs_fixtures``).

Every test taking ``book`` runs on both backends. Area ids are real LOR 2021
ids (011001 "Tiergarten Süd" region ids of Mitte) or deliberately malformed ones.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from assessment.analysis.goals import Goal, GoalBook, GoalInput, GoalNotFoundError, goal_lines, validate_goal
from assessment.needs.validation import ValidationError
from geodata.lor import Level, get_level
from geodata.profile import Text
from needs_fixtures import (  # noqa: F401
    ROTES_RATHAUS,
    database_url,
    geography,
    need_input,
    postgres_database_url,
    store,
)


@pytest.fixture
def book(store):
    """A goal book on an empty store (PostgreSQL keeps tables between tests: empty them)."""
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM goal_links"))
        conn.execute(sa.text("DELETE FROM goals"))
    return GoalBook(store)


def goal(**changes) -> GoalInput:
    values = dict(title="Mehr Schatten auf Schulwegen", field_of_action="green_climate", level="BZR",
                  area_ids=("011001", "011002"), indicator_keys=("ug_heat", "needs_per_1000_green_climate"))
    values.update(changes)
    return GoalInput(**values)


def test_a_goal_round_trips_with_its_evidence_in_the_given_order(book, store):
    need = store.submit(need_input(category="green_climate", title="Bäume an der Schule"))
    created = book.create(goal(title="  Mehr Schatten  ", area_ids=("011002", "011001", "011002"),
                               need_ids=(need.id,)))
    assert created.title == "Mehr Schatten"
    assert created.area_ids == ("011002", "011001")  # duplicate dropped, order kept
    assert created.need_ids == (need.id,)
    assert created.indicator_keys == ("ug_heat", "needs_per_1000_green_climate")
    assert created.created_by is None
    assert created.created_at.tzinfo is timezone.utc
    assert abs(created.created_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert book.get(created.id) == created


def test_created_by_is_kept_for_the_planner_role(book):
    created = book.create(goal(), created_by="planner:mitte-01")
    assert book.get(created.id).created_by == "planner:mitte-01"


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(title=""), "title"),
        (dict(title="ab"), "title"),
        (dict(title="Ziel\u202e"), "title"),
        (dict(field_of_action="parking"), "field_of_action"),
        (dict(level="XYZ"), "level"),
        (dict(area_ids=()), "area_ids"),
        (dict(area_ids=("0110",)), "area_ids"),  # a PGR id where BZR ids are expected
        (dict(indicator_keys=("ug_heat", "no_such_indicator")), "indicator_keys"),
        (dict(need_ids=("00000000-0000-0000-0000-000000000000",)), "need_ids"),
    ],
)
def test_a_bad_goal_names_the_field_and_stores_nothing(book, changes, field):
    with pytest.raises(ValidationError) as refused:
        book.create(goal(**changes))
    assert refused.value.fields() == [field]
    assert all(e.text("de") and e.text("en") for e in refused.value.errors)
    assert book.list() == []


def test_known_areas_refuse_ids_that_do_not_exist(book):
    with pytest.raises(ValidationError) as refused:
        book.create(goal(area_ids=("011001", "999999")), known_areas={"011001", "011002"})
    assert "999999" in refused.value.errors[0].text("en")
    assert book.create(goal(area_ids=("011001",)), known_areas={"011001"}).area_ids == ("011001",)


def test_list_filters_by_level_area_and_need_newest_first(book, store):
    need = store.submit(need_input())
    first = book.create(goal(title="Erstes Ziel", area_ids=("011001",)))
    second = book.create(goal(title="Zweites Ziel", area_ids=("011002",), need_ids=(need.id,)))
    third = book.create(goal(title="Bezirksziel", level="BEZ", area_ids=("01",), indicator_keys=()))
    assert [g.id for g in book.list()] == [third.id, second.id, first.id]
    assert [g.id for g in book.list(level="bzr")] == [second.id, first.id]
    assert [g.id for g in book.list(area_id="011001")] == [first.id]
    assert [g.id for g in book.list(need_id=need.id)] == [second.id]
    assert book.list(area_id="011003") == []


def test_hostile_text_is_stored_verbatim_as_plain_text(book):
    title = "<script>alert(1)</script> & =SUM(A1)"
    assert book.get(book.create(goal(title=title)).id).title == title


def test_delete_removes_the_goal_and_its_links(book):
    kept = book.create(goal(title="Bleibt"))
    gone = book.create(goal(title="Geht"))
    book.delete(gone.id)
    assert [g.id for g in book.list(area_id="011001")] == [kept.id]
    with book.store.engine.connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM goal_links WHERE goal_id = :id"), {"id": gone.id}).scalar()
    assert left == 0
    with pytest.raises(GoalNotFoundError):
        book.delete(gone.id)
    with pytest.raises(GoalNotFoundError):
        book.get(gone.id)


def test_a_goal_links_the_published_needs_of_the_area_explained(book, store):
    at_gate = store.submit(need_input(title="Bänke am Tor"), status="published")  # PLR 01100206, BZR 011002
    store.submit(need_input(title="Noch nicht freigegeben"))  # pending: no evidence yet
    elsewhere = store.submit(need_input(title="Am Rathaus", lat=ROTES_RATHAUS[0], lon=ROTES_RATHAUS[1]),
                             status="published")
    by_area = store.submit(need_input(title="Jugendclub", lat=None, lon=None, area_level="BZR", area_id="011002"),
                           status="published")
    assert elsewhere.unit("BZR") != "011002"
    assert book.linkable_needs("BZR", "011002") == {by_area.id: f"{by_area.reference} – Jugendclub",
                                                    at_gate.id: f"{at_gate.reference} – Bänke am Tor"}
    assert list(book.linkable_needs("BZR", "011002")) == [by_area.id, at_gate.id]  # newest first
    # The need located only by its BZR lies in no planning area.
    assert list(book.linkable_needs("PLR", "01100206")) == [at_gate.id]
    assert book.linkable_needs("BZR", "011001") == {}


def test_goal_lines_say_a_goal_with_its_evidence():
    goal = Goal("g1", datetime(2026, 1, 1, tzinfo=timezone.utc), "Mehr Schatten", "green_climate", "BZR",
                ("011002", "011009"), (), ("needs_per_1000_green_climate", "retired_key"))
    assert goal_lines(goal, {"011002": "Regierungsviertel"}, "de") == [
        "Mehr Schatten",
        "Handlungsfeld: Grün, Klima und Umwelt",
        "Gebiete: Regierungsviertel (011002), 011009 (011009)",
        "Verknüpfte Bedarfe (des gewählten Gebiets): –",
        "Indikatoren als Beleg: Bedarfe je 1.000 Einwohner: Grün, Klima und Umwelt; retired_key",
    ]


def _quarters(**rules) -> Level:
    """A level of another city, as its profile might state it: Quartiere with or without a fixed id length."""
    return replace(get_level("BZR"), code="QU", label_text=Text(inline=(("de", "Quartier"), ("en", "Quarter"))),
                   **rules)


@pytest.mark.parametrize(
    ("level", "area", "known", "de", "en"),
    [
        (get_level("BZR"), "0110", None,
         "'0110' ist kein Gebiet der Ebene „Bezirksregion“: Deren Kennungen haben 6 Zeichen. Wählen Sie die "
         "Gebiete aus der Liste des Formulars: Sie zeigt jedes Gebiet dieser Ebene mit Name und Kennung.",
         "'0110' is not an area of the level “District region”: its ids have 6 characters. Choose the areas from "
         "the form's list: it shows every area of this level with its name and id."),
        (get_level("BZR"), "01100x", None,
         "'01100x' ist kein Gebiet der Ebene „Bezirksregion“. Wählen Sie die Gebiete aus der Liste des Formulars: "
         "Sie zeigt jedes Gebiet dieser Ebene mit Name und Kennung.",
         "'01100x' is not an area of the level “District region”. Choose the areas from the form's list: it shows "
         "every area of this level with its name and id."),
        (get_level("BZR"), "999999", {"011001"}, "'999999' ist kein Gebiet der Ebene „Bezirksregion“.",
         "'999999' is not an area of the level “District region”."),
        # No fixed length: the message names none; the stated pattern or the list of areas decides.
        (_quarters(id_length=0, id_pattern="QU[0-9]{4}"), "BL0007", None,
         "'BL0007' ist kein Gebiet der Ebene „Quartier“. Wählen", "'BL0007' is not an area of the level “Quarter”."),
        (_quarters(id_length=0, id_pattern=None), "Am Markt", {"QU0004"},
         "'Am Markt' ist kein Gebiet der Ebene „Quartier“. Wählen", "'Am Markt' is not an area of the level “Quarter”."),
    ],
)
def test_a_bad_area_id_is_named_with_its_level_and_how_to_find_valid_ones(level, area, known, de, en):
    with pytest.raises(ValidationError) as refused:
        validate_goal(goal(level=level, area_ids=(area,)), known_areas=known)
    [error] = refused.value.errors
    assert error.field == "area_ids"
    assert error.text("de").startswith(de) and error.text("en").startswith(en)
    assert "LOR" not in error.text("de") + error.text("en") and "Ziffern" not in error.text("de")


def test_an_area_of_a_level_without_fixed_length_passes_by_its_pattern_and_the_known_areas():
    level = _quarters(id_length=0, id_pattern="QU[0-9]{4}")
    clean = validate_goal(goal(level=level, area_ids=("QU0004",)), known_areas={"QU0004"})
    assert clean["level"] == "QU" and clean["area"] == ["QU0004"]


def test_an_unknown_level_is_answered_with_the_profiles_levels():
    with pytest.raises(ValidationError) as refused:
        validate_goal(goal(level="Kiez", area_ids=("01",)))
    [error] = [e for e in refused.value.errors if e.field == "level"]
    assert error.text("de") == "Unbekannte Gebietsebene 'Kiez'; wählen Sie PLR, BZR, PGR, BEZ."
    assert error.text("en") == "unknown area level 'Kiez'; choose PLR, BZR, PGR, BEZ."
