"""/abstimmen and /live opened from the menu, without the code: a field asks for it (real Chromium).

The menu links these pages without ``?workshop=CODE``. A participant types the code
shown on the projector (in lower case, say) and presses Enter; a mistyped code is
named and stays in the field for correction.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.streamlit_helpers import TIMEOUT_MS, current, open_app, rerun_after, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIELD = "Zugangscode des Workshops"


@pytest.fixture(scope="module")
def code_server(settings_with_data, start_app):
    """The app on its own database with one open workshop; yields ``(server, code)``."""
    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook

    url = start_app.database_url()
    store = open_store(settings_with_data, database_url=url)
    code = WorkshopBook(store).open(
        WorkshopBook(store).create("Kiezforum Wedding", date.today(), focus_level="BEZ", focus_id="01").code
    ).code
    store.close()
    yield start_app({"DATABASE_URL": url}), code


def test_vote_page_without_a_code_asks_for_it_and_enter_opens_the_workshop(page, code_server):
    server, code = code_server
    open_app(page, f"{server.url}/abstimmen", "Abstimmen")
    expect(current(page).get_by_role("alert")).to_have_count(0)  # nothing typed, nothing wrong
    field = current(page).get_by_label(FIELD, exact=True)
    with rerun_after(page):
        field.fill("nope22")
        field.press("Enter")
    expect(current(page).get_by_text("Einen Workshop mit dem Code „NOPE22“ gibt es nicht")).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(current(page).get_by_label(FIELD, exact=True)).to_have_value("nope22")  # as typed, for correction
    field = current(page).get_by_label(FIELD, exact=True)
    field.fill(code.lower())
    field.press("Enter")
    expect(page.get_by_role("heading", name="Abstimmen: Kiezforum Wedding")).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    assert f"workshop={code}" in page.url


def test_live_view_with_a_wrong_code_names_it_and_keeps_it(page, code_server):
    server, _ = code_server
    open_app(page, f"{server.url}/live?workshop=ABC234", "Live-Ansicht")
    expect(current(page).get_by_text("Einen Workshop mit dem Code „ABC234“ gibt es nicht")).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(current(page).get_by_label(FIELD, exact=True)).to_have_value("ABC234")
