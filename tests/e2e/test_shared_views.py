"""Shareable views in a real Chromium: weights changed on /bewertung go into the address bar, and
that address, opened in a fresh browser (no shared session, no cookies), shows the same state.

The server has its own empty needs database, so the ranking rests on the official
indicators only and both pages rank the same.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import RequestLog
from tests.e2e.streamlit_helpers import current, open_app, rerun_after, wait_idle, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 90_000
STATUS_KEY = "mss_status_low_share"
DYNAMICS_KEY = "mss_dynamics_negative_share"
STATUS_LABEL = "Anteil Einwohner in PLR mit MSS-Status niedrig oder sehr niedrig"
DYNAMICS_LABEL = "Anteil Einwohner in PLR mit negativer MSS-Dynamik"
HEADING = "Bewertung: Prioritätsindex je Gebiet"


@pytest.fixture(scope="module")
def views_server(start_app):
    """The app with an empty needs database of its own."""
    return start_app({"DATABASE_URL": start_app.database_url()})


def shown_state(page) -> dict:
    """What /bewertung shows: both weights, the status indicator's direction, the first three ranked area ids."""
    scope = current(page)
    grid = scope.get_by_test_id("stDataFrame").first.locator("table[role=grid]")
    rows = grid.locator("[role=row]")
    direction = scope.get_by_role("radiogroup", name=f"Richtung: {STATUS_LABEL}")
    return {
        "status_weight": scope.get_by_role("slider", name=f"Gewicht: {STATUS_LABEL}").input_value(),
        "dynamics_weight": scope.get_by_role("slider", name=f"Gewicht: {DYNAMICS_LABEL}").input_value(),
        "status_direction": direction.locator("input[type=radio]:checked").evaluate(
            "radio => radio.closest('label').innerText.trim()"),
        "top": [rows.nth(i).locator("[role=gridcell]").first.inner_text() for i in range(1, 4)],
    }


def settled_state(page, done, timeout_s: float = TIMEOUT_MS / 1000) -> dict:
    """:func:`shown_state` once ``done(state)`` holds, or as it is after ``timeout_s``.

    The grid draws on a canvas and updates its accessible table a moment after the run has
    ended, so one read right after the run may still show the rows before the change.
    """
    deadline = time.monotonic() + timeout_s
    state = shown_state(page)
    while not done(state) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        state = shown_state(page)
    return state


def test_changed_weights_are_in_the_address_and_a_fresh_page_shows_them(views_server, browser, page):
    from playwright.sync_api import expect

    open_app(page, views_server.url + "/bewertung", HEADING, TIMEOUT_MS)
    expect(current(page).get_by_test_id("stDataFrame").first.locator("table[role=grid]")).to_have_attribute(
        "aria-rowcount", "144", timeout=TIMEOUT_MS)  # the 143 Bezirksregionen
    before = shown_state(page)

    dynamics = current(page).get_by_role("slider", name=f"Gewicht: {DYNAMICS_LABEL}")
    dynamics.focus()
    with rerun_after(page, TIMEOUT_MS):
        page.keyboard.press("End")  # 1 -> 5
        expect(dynamics).to_have_value("5", timeout=TIMEOUT_MS)
    with rerun_after(page, TIMEOUT_MS):
        current(page).get_by_role("radiogroup", name=f"Richtung: {STATUS_LABEL}").get_by_text(
            "höher = weniger Bedarf").click()
    page.wait_for_url(re.compile(r"richtung="), timeout=TIMEOUT_MS)
    wait_idle(page, TIMEOUT_MS)
    changed = settled_state(page, lambda state: state["top"] != before["top"])
    assert changed["dynamics_weight"] == "5" and changed["status_direction"] == "höher = weniger Bedarf"
    assert before["status_direction"] == "höher = mehr Bedarf" and changed["top"] != before["top"]
    link = page.url
    assert parse_qs(urlsplit(link).query) == {"gewichte": [f"{STATUS_KEY}:3,{DYNAMICS_KEY}:5"],
                                              "richtung": [f"{STATUS_KEY}:-1"]}

    fresh_context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    try:
        fresh = fresh_context.new_page()
        fresh_requests = RequestLog()  # no CDN, no failed request on the fresh page either
        fresh_requests.attach(fresh)
        watch(fresh)
        open_app(fresh, link, HEADING, TIMEOUT_MS)
        expect(current(fresh).get_by_test_id("stDataFrame").first.locator("table[role=grid]")).to_have_attribute(
            "aria-rowcount", "144", timeout=TIMEOUT_MS)
        assert settled_state(fresh, lambda state: state == changed) == changed
        assert not current(fresh).get_by_test_id("stAlertContentWarning").count()  # nothing in the link was wrong
        assert fresh.url == link  # the restored page writes the same address
        fresh_requests.assert_clean()
    finally:
        fresh_context.close()
