"""A resident sends a need into a participation procedure, in a real Chromium against ``streamlit run``.

The server's own database holds one open procedure, "Kiezrunde Mitte" (Bezirk Mitte, 01);
"Allgemein" is closed, so /melden sends into the Kiezrunde without asking. A place in Spandau
is inside Berlin but outside the procedure's area: the send is refused with a message that
names the area, and nothing is stored; a place at the Brandenburg Gate (Mitte) is stored in
the procedure.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from assessment.needs.procedures import DEFAULT_PROCEDURE_ID, ProcedureBook, ProcedureInput
from assessment.needs.store import open_store
from tests.e2e.streamlit_helpers import click_map_until, current
from tests.e2e.test_report_need import BRANDENBURG_GATE, PLACE_SHOWN, RECEIPT, expect_shown, fill_form, open_page, submit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RATHAUS_SPANDAU = (52.5355, 13.2005)  # Spandau (BEZ 05): Berlin, but not Mitte
OUTSIDE_MITTE = re.compile(r"liegt außerhalb des Gebiets „Mitte“ des Verfahrens „Kiezrunde Mitte“")


@pytest.fixture(scope="module")
def server(start_app, settings_with_data):
    """The app with a database of its own whose only open procedure is "Kiezrunde Mitte"."""
    url = start_app.database_url("procedures")
    store = open_store(settings_with_data, database_url=url)
    try:
        book = ProcedureBook(store)
        book.create(ProcedureInput(
            title={"de": "Kiezrunde Mitte"}, starts_on=date.today() - timedelta(days=1),
            ends_on=date.today() + timedelta(days=30), area_level="BEZ", area_ids=("01",), area_label="Mitte",
            categories=("mobility", "green_climate")), actor="admin-anna", procedure_id="kiez-mitte")
        book.close(DEFAULT_PROCEDURE_ID, actor="admin-anna")
    finally:
        store.close()
    return start_app({"DATABASE_URL": url})


@pytest.fixture
def store(server, settings_with_data):
    opened = open_store(settings_with_data, database_url=server.database_url)
    yield opened
    opened.close()


def test_a_resident_sends_into_the_procedure_and_a_place_outside_it_is_refused(server, store, page, network):
    from playwright.sync_api import expect

    open_page(page, server)
    expect(current(page).get_by_text("Gebiet: Mitte.")).to_be_visible()
    click_map_until(page, *RATHAUS_SPANDAU, re.compile(r"Ihr Ort liegt im Planungsraum"))
    outside = f"Bank in Spandau {uuid.uuid4().hex[:6]}"
    fill_form(page, outside)
    submit(page)
    expect_shown(page, OUTSIDE_MITTE)
    assert store.count() == 0

    open_page(page, server)  # a new visit: the map shows all of Berlin again (it zoomed to Spandau)
    click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
    inside = f"Schatten am Tor {uuid.uuid4().hex[:6]}"
    fill_form(page, inside)
    submit(page)
    expect_shown(page, RECEIPT)
    [need] = store.query(statuses=None)
    assert (need.title, need.procedure_id, need.unit("BEZ")) == (inside, "kiez-mitte", "01")
    network.assert_clean()
