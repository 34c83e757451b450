"""/melden with participation procedures, headless with AppTest (the map replaced by a fake).

Residents choose among the open procedures (default: the only open one), get its categories
and questions, and a point outside its area is refused with a message that names the area.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from assessment.needs.model import NeedInput
from assessment.needs.procedures import DEFAULT_PROCEDURE_ID, ProcedureBook, ProcedureInput
from test_procedures import _today
from test_report_page import BRANDENBURG_GATE, click, database_url, fill, store, submit, texts  # noqa: F401 - fixtures

RATHAUS_SPANDAU = (52.5355, 13.2005)  # Spandau (BEZ 05), not Mitte


def _mitte_round(store, **changes):
    """An open procedure for Bezirk Mitte (01) with one scale question."""
    values = dict(title={"de": "Kiezrunde Mitte", "en": "Kiez round Mitte"}, starts_on=_today() - timedelta(days=1),
                  ends_on=_today() + timedelta(days=30), area_level="BEZ", area_ids=("01",), area_label="Mitte",
                  categories=("mobility", {"id": "spielplatz", "label": {"de": "Spielplätze", "en": "Playgrounds"},
                                           "colour": "#aa0000", "description": {"de": "Spiel- und Bolzplätze"}}),
                  questions=({"id": "dringend", "kind": "scale", "text": {"de": "Wie dringend?", "en": "How urgent?"}},))
    values.update(changes)
    return ProcedureBook(store).create(ProcedureInput(**values), actor="admin-anna")


@pytest.fixture
def only_mitte_open(store):
    """"Allgemein" closed, "Kiezrunde Mitte" the only open procedure."""
    ProcedureBook(store).close(DEFAULT_PROCEDURE_ID, actor="admin-anna")
    return _mitte_round(store)


def test_the_only_open_procedure_is_used_with_its_categories_and_questions(fake_map, store, only_mitte_open):
    from streamlit.testing.v1 import AppTest
    from test_report_page import PAGE

    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "report_procedure"]  # nothing to choose
    assert "Area: Mitte." in texts(at) and "Participation procedure: **Kiez round Mitte**" in texts(at)
    form = at.session_state["report_form"]
    assert at.selectbox(key=f"report_category_{form}").options == ["Mobility and transport", "Playgrounds"]
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at, category="spielplatz", title="Mehr Schaukeln")
    at.selectbox(key=f"report_answer_dringend_{form}").set_value("4")
    submit(at)
    assert not at.exception
    [need] = store.query(procedure_id=only_mitte_open.id, statuses=None)
    assert (need.category, need.title, need.answers) == ("spielplatz", "Mehr Schaukeln", (("dringend", "4"),))


def test_a_point_outside_the_area_is_refused_naming_the_area(fake_map, store, only_mitte_open):
    from streamlit.testing.v1 import AppTest
    from test_report_page import PAGE

    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    click(at, fake_map, *RATHAUS_SPANDAU)
    fill(at, category="mobility", title="Sichere Querung")
    submit(at)
    assert not at.exception
    assert "lies outside the area “Mitte” of the procedure “Kiez round Mitte”" in texts(at)
    assert store.count() == 0


def test_several_open_procedures_the_resident_chooses(fake_map, store):
    from streamlit.testing.v1 import AppTest
    from test_report_page import PAGE

    mitte = _mitte_round(store)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    chooser = at.selectbox(key="report_procedure")
    assert set(chooser.options) == {o for o in chooser.options if "offen" in o} and len(chooser.options) == 2
    chooser.set_value(mitte.id).run()
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at, category="mobility", title="Mehr Fahrradbügel")
    submit(at)
    assert not at.exception
    assert [n.procedure_id for n in store.query(statuses=None)] == [mitte.id]


def test_no_open_procedure_takes_no_needs_and_a_closed_one_shows_its_result(fake_map, store):
    from streamlit.testing.v1 import AppTest
    from test_report_page import PAGE

    need = store.submit(NeedInput(category="mobility", title="Alte Meldung", lat=BRANDENBURG_GATE[0],
                                  lon=BRANDENBURG_GATE[1]), status="published")
    ProcedureBook(store).close(DEFAULT_PROCEDURE_ID, actor="admin-anna")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.query_params["verfahren"] = DEFAULT_PROCEDURE_ID
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "No participation procedure is open at the moment." in shown
    assert "The procedure “General” is closed and takes nothing more. Result: 1 published needs." in shown
    assert not [b for b in at.button if b.key and b.key.startswith("report_submit_")]
    assert store.get(need.id).procedure_id == DEFAULT_PROCEDURE_ID


def test_a_workshop_of_a_procedure_that_is_not_open_takes_no_needs(fake_map, store):
    from streamlit.testing.v1 import AppTest
    from assessment.participation.workshops import WorkshopBook
    from test_report_page import PAGE

    later = _mitte_round(store, starts_on=_today() + timedelta(days=10), ends_on=_today() + timedelta(days=40))
    rooms = WorkshopBook(store)
    room = rooms.create("Kiezwerkstatt", _today(), focus_level="BEZ", focus_id="01", procedure_id=later.id)
    rooms.open(room.code)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.query_params["workshop"] = room.code
    at.run()
    assert not at.exception
    assert "This workshop's participation procedure is not open" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("report_submit_")]
