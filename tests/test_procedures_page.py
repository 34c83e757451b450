"""The staff page /verfahren runs headless with AppTest: create, refuse, edit, close, download.

Each test gets its own SQLite database (``DATABASE_URL``); what the page did is checked in
the store and the audit log.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assessment.needs import audit
from assessment.needs.procedures import DEFAULT_PROCEDURE_ID, ProcedureBook
from assessment.needs.store import open_store
from assessment.participation.auth import User

PAGE = str(Path(__file__).resolve().parents[1] / "pages/procedures.py")
ADMIN = User("admin-anna", frozenset({"admin"}), "password")


@pytest.fixture
def book(tmp_path, monkeypatch, settings_with_data):
    """A procedure book on a fresh SQLite database that the page opens too."""
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = open_store(settings_with_data, database_url=url)
    yield ProcedureBook(store)
    store.close()


def page(user=ADMIN, lang="en") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["lang"] = lang
    if user is not None:
        at.session_state["user"] = user
    return at


def test_without_the_role_the_page_shows_nothing():
    for user in (None, User("mod-max", frozenset({"moderator"}), "password")):
        at = page(user)
        at.run()
        assert not at.exception and not at.title and not at.button


def test_create_a_procedure_with_a_question_then_close_it(book):
    at = page()
    at.run()
    assert not at.exception
    assert at.dataframe[0].value.iloc[:, 0].tolist() == [DEFAULT_PROCEDURE_ID]
    at.text_input[0].input("Kiezrunde Moabit")
    at.radio(key="proc_kind_new").set_value("lor")
    at.selectbox(key="proc_level_new").select("BZR")
    at.text_input(key="proc_ids_new").input("011001")
    at.text_input(key="proc_label_new").input("Moabit-Ost")
    at.text_area(key="proc_questions_new").input("scale; Wie dringend?")
    at.button[0].click().run()
    assert not at.exception
    made = [p for p in book.list() if p.id != DEFAULT_PROCEDURE_ID]
    assert [(p.title_in("de"), p.area_level, p.area_ids, p.area_label) for p in made] == [
        ("Kiezrunde Moabit", "BZR", ("011001",), "Moabit-Ost")]
    assert [q.text('de') for q in made[0].questions] == ["Wie dringend?"]
    assert "Saved: Kiezrunde Moabit." in [s.value.replace("\\", "") for s in at.success]
    assert at.selectbox(key="procedures_chosen").value == made[0].id
    assert [b.label for b in at.get("download_button")] == ["Needs as CSV", "Needs as GeoJSON", "Needs as GeoPackage"]
    at.button(key="procedures_close").click().run()
    assert not at.exception
    assert book.get(made[0].id).status() == "closed"
    actions = audit.entries(book.store)["action"].tolist()
    assert actions[:2] == ["procedure_close", "procedure_create"]


def test_bad_input_names_the_field_and_stores_nothing(book):
    at = page()
    at.run()
    at.text_input[0].input("Runde ohne Kategorien")
    at.multiselect(key="proc_cats_new").set_value([])
    at.text_area(key="proc_questions_new").input("choice; Wie oft?")
    at.button[0].click().run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]  # shown escaped: markdown is not interpreted
    assert errors[0] == "Not saved. Please check:"
    assert "categories: The list of categories is empty. Please choose at least one category." in errors
    assert any(e.startswith("questions: Question 1 (“Wie oft?”) has no options") for e in errors)
    assert [p.id for p in book.list()] == [DEFAULT_PROCEDURE_ID]


def test_edit_keeps_the_question_ids_and_audits_before_and_after(book):
    from assessment.needs.procedures import ProcedureInput
    from datetime import date

    made = book.create(ProcedureInput(title={"de": "Runde Eins"}, starts_on=date(2026, 1, 1), categories=("mobility",),
                                      questions=({"id": "dringend", "kind": "scale", "text": {"de": "Wie dringend?"}},)),
                       actor="admin-anna")
    at = page()
    at.run()
    at.selectbox(key="procedures_chosen").select(made.id).run()
    at.text_input[0].input("Runde Zwei")
    at.button[-1].click().run()
    assert not at.exception
    edited = book.get(made.id)
    assert edited.title_in("de") == "Runde Zwei" and [q.id for q in edited.questions] == ["dringend"]
    details = json.loads(audit.entries(book.store, action="procedure_edit")["details"].iloc[0])
    assert json.loads(details["before"]["title"])["de"] == "Runde Eins"


def test_a_workshop_is_held_in_the_procedure_chosen_on_workshop(book):
    from datetime import date, timedelta

    from assessment.needs.procedures import ProcedureInput
    from assessment.participation.workshops import WorkshopBook
    from test_workshop_pages import setup_page

    made = book.create(ProcedureInput(title={"de": "Kiezrunde Mitte"}, starts_on=date.today() - timedelta(days=1),
                                      categories=("mobility",)), actor="admin-anna", procedure_id="kiez-mitte")
    at = setup_page()
    at.run()
    assert at.selectbox(key="ws_new_procedure").options[0] == "Allgemein (kein eigenes Verfahren)"
    at.text_input(key="ws_new_title").input("Kiezwerkstatt Mitte")
    at.selectbox(key="ws_new_procedure").set_value(made.id)
    at.selectbox(key="ws_new_level").select("BEZ").run()
    at.selectbox(key="ws_new_area_BEZ").select("01")
    at.button(key="ws_create").click().run()
    assert not at.exception
    [room] = WorkshopBook(book.store).list()
    assert (room.title, room.procedure_id) == ("Kiezwerkstatt Mitte", "kiez-mitte")
    listing = page()
    listing.run()
    listing.selectbox(key="procedures_chosen").select(made.id).run()
    assert f"Workshops in this procedure: {room.code}" in [c.value for c in listing.caption]
