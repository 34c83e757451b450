"""Planners filter /karte and /bewertung by participation procedure (AppTest, headless).

The database holds the needs of ``planner_db`` (four published in "Allgemein") and two
published needs of a procedure "Kiezrunde Mitte"; the filter must count the procedure's only.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from assessment.analysis.goals import GoalBook
from assessment.needs.model import NeedInput
from assessment.needs.procedures import ProcedureBook, ProcedureInput
from assessment.needs.store import open_store
from needs_fixtures import BRANDENBURG_GATE, ROTES_RATHAUS
from test_assessment_page import PLANNER, submit_goal
from test_assessment_page import open_page as open_assessment
from test_planner_page import open_page as open_planner_map
from test_planner_page import planner_db, texts  # noqa: F401 - fixture
from test_procedures import _today


@pytest.fixture
def kiez_round(planner_db, settings_with_data):
    """The procedure "Kiezrunde Mitte" (id ``kiez-mitte``) with two published needs in Mitte."""
    store = open_store(settings_with_data, database_url=planner_db)
    try:
        procedure = ProcedureBook(store).create(ProcedureInput(
            title={"de": "Kiezrunde Mitte"}, starts_on=_today() - timedelta(days=1), area_level="BEZ", area_ids=("01",),
            area_label="Mitte", categories=("mobility", "green_climate")), actor="admin-anna", procedure_id="kiez-mitte")
        for (lat, lon), title in ((BRANDENBURG_GATE, "Bänke am Tor"), (ROTES_RATHAUS, "Bäume am Rathaus")):
            store.submit(NeedInput(category="green_climate", title=title, lat=lat, lon=lon), status="published",
                         procedure=procedure)
    finally:
        store.close()
    return procedure


def test_planner_map_filters_by_procedure_and_keeps_it_in_the_link(kiez_round):
    at = open_planner_map()
    assert "6 Bedarfe entsprechen den Filtern" in texts(at).replace("\\", "")
    at.selectbox(key="planner_procedure").set_value("kiez-mitte").run()
    assert not at.exception
    assert "2 Bedarfe entsprechen den Filtern" in texts(at).replace("\\", "")
    assert at.query_params["verfahren"] == "kiez-mitte"
    view = at.dataframe[-1].value
    assert int(view["Bedarfe"].sum()) == 2


def test_a_link_opens_the_map_on_one_procedure(kiez_round):
    at = open_planner_map({"verfahren": "kiez-mitte"})
    assert at.selectbox(key="planner_procedure").value == "kiez-mitte"
    assert "2 Bedarfe entsprechen den Filtern" in texts(at).replace("\\", "")
    unknown = open_planner_map({"verfahren": "gibts-nicht"})
    assert unknown.selectbox(key="planner_procedure").value is None  # all procedures


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_assessment_counts_and_goals_of_one_procedure(kiez_round, planner_db):
    at = open_assessment(user=PLANNER)
    at.selectbox(key="assess_level").set_value("BEZ").run()
    at.selectbox(key="assess_procedure").set_value("kiez-mitte").run()
    assert not at.exception
    at.text_input[0].input("Mehr Grün in Mitte")
    submit_goal(at)
    assert not at.exception
    store = open_store(database_url=planner_db, geography=None)
    try:
        goals = GoalBook(store).list()
    finally:
        store.close()
    assert [(g.title, g.procedure_id) for g in goals] == [("Mehr Grün in Mitte", "kiez-mitte")]
    assert "Mehr Grün in Mitte" in [t.value for t in at.text]
    at.selectbox(key="assess_procedure").set_value(None).run()
    assert not at.exception
    at.selectbox(key="assess_procedure").set_value("allgemein").run()
    assert "Mehr Grün in Mitte" not in [t.value for t in at.text]  # the goal belongs to the Kiezrunde


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_a_planner_edits_and_withdraws_a_goal_and_its_history_shows(planner_db, settings_with_data):
    from assessment.analysis.goals import GoalInput

    store = open_store(settings_with_data, database_url=planner_db)
    try:
        goal = GoalBook(store).create(GoalInput("Mehr Schatten", "green_climate", "BZR", ("011001",)))
    finally:
        store.close()
    at = open_assessment(user=PLANNER)
    at.text_input(key=f"goal_title_{goal.id}").input("Mehr Schatten an Schulwegen")
    at.button(key=f"goal_save_{goal.id}").click().run()
    assert not at.exception
    assert "Ziel geändert; die vorige Fassung steht im Verlauf." in [s.value for s in at.success]
    assert "Mehr Schatten an Schulwegen" in [x.value for x in at.text]
    assert any(x.value.startswith("Fassung 1, bis ") and x.value.endswith("(geändert von planerin): Mehr Schatten")
               for x in at.text)
    at.button(key=f"goal_withdraw_{goal.id}").click().run()
    assert not at.exception
    assert "Mehr Schatten an Schulwegen" not in [x.value for x in at.text]
    store = open_store(settings_with_data, database_url=planner_db)
    try:
        book = GoalBook(store)
        assert book.get(goal.id).status == "withdrawn"
        assert [(v.action, v.actor) for v in book.history(goal.id)] == [("edit", "planerin"), ("withdraw", "planerin")]
    finally:
        store.close()


def test_residents_see_goals_without_edit_or_withdraw(planner_db, settings_with_data):
    from assessment.analysis.goals import GoalInput

    store = open_store(settings_with_data, database_url=planner_db)
    try:
        goal = GoalBook(store).create(GoalInput("Mehr Schatten", "green_climate", "BZR", ("011001",)))
    finally:
        store.close()
    at = open_assessment()
    assert "Mehr Schatten" in [x.value for x in at.text]
    assert not [b for b in at.button if b.key == f"goal_withdraw_{goal.id}"]
