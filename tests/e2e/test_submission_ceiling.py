"""Issue 12: a workshop's ceiling on /melden holds across fresh browsers, in a real Chromium.

The server runs with a workshop ceiling of two needs per day
(``BEDARFSATLAS_LIMIT_WORKSHOP_PER_DAY=2``); three fresh browser contexts (each
its own cookie, so each its own allowance) send one need each in one workshop:
the third is refused with the ceiling's message and its wait.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from assessment.needs.store import open_store
from tests.e2e.test_report_need import (
    BRANDENBURG_GATE,
    PLACE_SHOWN,
    RECEIPT,
    expect_shown,
    fill_form,
    open_page,
    stored,
    submit,
)
from tests.e2e.streamlit_helpers import click_map_until, current

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CEILING = re.compile(r"In dieser Werkstatt wurden heute schon 2 Bedarfe gemeldet \(die Obergrenze pro Tag\)\. "
                     r"Bitte versuchen Sie es in etwa 24 Stunden noch einmal\.")


@pytest.fixture(scope="module")
def server(start_app):
    return start_app({"DATABASE_URL": start_app.database_url(), "BEDARFSATLAS_LIMIT_WORKSHOP_PER_DAY": "2"})


@pytest.fixture
def store(server, settings_with_data):
    opened = open_store(settings_with_data, database_url=server.database_url)
    yield opened
    opened.close()


def test_the_workshop_ceiling_refuses_the_next_fresh_browser_with_its_message(server, store, browser):
    from playwright.sync_api import expect

    from assessment.participation.workshops import WorkshopBook
    from tests.e2e.conftest import RequestLog
    from tests.e2e.streamlit_helpers import watch

    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt Grenze", date.today(), focus_level="BEZ", focus_id="01").code).code
    titles = [f"Bedarf {n} {uuid.uuid4().hex[:6]}" for n in range(3)]
    for n, title in enumerate(titles):
        context = browser.new_context(locale="de-DE")  # a fresh browser: its own cookie, its own allowance
        try:
            page = context.new_page()
            network = RequestLog()
            network.attach(page)
            watch(page)
            open_page(page, server, f"?workshop={code}")
            click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
            fill_form(page, title)
            submit(page)
            if n < 2:
                expect_shown(page, RECEIPT)
            else:
                expect_shown(page, CEILING)
                expect(current(page).get_by_text(RECEIPT)).to_have_count(0)
            network.assert_clean()
        finally:
            context.close()
    assert [len(stored(store, title)) for title in titles] == [1, 1, 0]
