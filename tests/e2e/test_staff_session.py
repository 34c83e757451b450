"""A built-in staff sign-in survives a reload and a new tab, in a real Chromium, until sign-out.

Streamlit keeps session state per tab connection, so without a kept sign-in a
facilitator pressing F5 mid-workshop would be signed out. The server gets its
own needs database and a home folder whose ``.streamlit/secrets.toml`` holds a
facilitator account (argon2 hash made here). The test signs in, opens
``/workshop``, reloads and finds itself still signed in (the cookie set by the
page and the row in ``staff_sessions``); after sign-out a reload shows the
sign-in again. An open tab whose kept sign-in the server ends (it expired)
is a resident's again after one click, with a message, and the cookie goes.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import RequestLog
from tests.e2e.streamlit_helpers import TIMEOUT_MS, current, open_app, sign_in, staff_home, wait_idle, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "e2e-nur-fuer-tests-2"
COOKIE = "bedarfsatlas_staff"
WORKSHOP_HEADING = "Workshop einrichten und leiten"
SIGNIN_HEADING = "Anmeldung für Mitarbeitende"
WORKSHOP_NAV = "Workshop leiten"


@pytest.fixture(scope="module")
def session_server(settings_with_data, start_app, tmp_path_factory):
    """The app with the account ``leitung-e2e`` (facilitator) and a database of its own."""
    home = staff_home(tmp_path_factory.mktemp("home"), PASSWORD, {"leitung-e2e": ("facilitator",)})
    return start_app({"DATABASE_URL": start_app.database_url(), "HOME": str(home)})


def staff_cookie(context):
    return [c for c in context.cookies() if c["name"] == COOKIE]


def test_a_facilitator_stays_signed_in_across_a_reload_until_sign_out(session_server, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    page = context.new_page()
    log = RequestLog()
    log.attach(page)
    watch(page)
    try:
        sign_in(page, session_server.url, "leitung-e2e", PASSWORD)
        page.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=TIMEOUT_MS)
        (cookie,) = staff_cookie(context)
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and not cookie["secure"]  # http here
        assert cookie["expires"] > 0  # Max-Age: kept when the browser restarts, until it expires

        # F5 on /workshop: a new Streamlit session, still signed in.
        open_app(page, f"{session_server.url}/workshop", WORKSHOP_HEADING)
        page.reload()
        expect(page.get_by_role("heading", name=WORKSHOP_HEADING)).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(page.get_by_test_id("stSidebar").get_by_text(re.compile("Angemeldet als leitung-e2e"))).to_be_visible()
        # A new tab of the same browser too.
        second = context.new_page()
        watch(second)
        open_app(second, f"{session_server.url}/workshop", WORKSHOP_HEADING)
        second.close()

        # Sign out: the cookie goes, and a reload shows the sign-in instead of the page.
        page.get_by_test_id("stSidebar").get_by_role("button", name="Abmelden").click()
        expect(current(page).get_by_role("heading", name=SIGNIN_HEADING)).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        page.wait_for_function(f"!document.cookie.includes('{COOKIE}=')", timeout=TIMEOUT_MS)
        assert staff_cookie(context) == []
        page.reload()
        expect(page.get_by_role("heading", name=SIGNIN_HEADING)).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(page.get_by_role("heading", name=WORKSHOP_HEADING)).to_have_count(0)
        expect(page.get_by_test_id("stSidebar").get_by_text(re.compile("Angemeldet als"))).to_have_count(0)
    finally:
        context.close()
    # A reload aborts the script chunks the old page was still loading: not a broken asset.
    log.failed = [f for f in log.failed if not (f.endswith("(net::ERR_ABORTED)") and "/static/js/" in f)]
    log.assert_clean()


def test_an_open_tab_is_signed_out_within_one_click_once_its_sign_in_expired(session_server, browser):
    """The server ends the sign-in (8 hours are over); the open tab's next click shows a resident's app."""
    import sqlalchemy as sa
    from playwright.sync_api import expect

    from assessment.participation.auth import staff_sessions

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    page = context.new_page()
    log = RequestLog()
    log.attach(page)
    watch(page)
    sidebar = page.get_by_test_id("stSidebar")
    try:
        sign_in(page, session_server.url, "leitung-e2e", PASSWORD)
        page.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=TIMEOUT_MS)
        open_app(page, f"{session_server.url}/workshop", WORKSHOP_HEADING)
        nav = sidebar.get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link", name=WORKSHOP_NAV)).to_be_visible()
        engine = sa.create_engine(session_server.database_url)
        try:
            with engine.begin() as conn:  # as if eight hours had passed: every kept sign-in is due
                expired = conn.execute(staff_sessions.update().values(expires_at=staff_sessions.c.created_at))
                assert expired.rowcount >= 1
        finally:
            engine.dispose()

        # One click in the open tab (here: the menu's start page) and the tab is a resident's.
        nav.get_by_role("link", name="Übersicht").click()
        expect(current(page).get_by_text("Ihre Anmeldung ist abgelaufen, deshalb sind Sie abgemeldet. "
                                         "Bitte melden Sie sich erneut an.")).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(nav.get_by_role("link", name="Anmelden (Mitarbeitende)")).to_be_visible()
        expect(nav.get_by_role("link", name=WORKSHOP_NAV)).to_have_count(0)
        expect(sidebar.get_by_text(re.compile("Angemeldet als"))).to_have_count(0)
        page.wait_for_function(f"!document.cookie.includes('{COOKIE}=')", timeout=TIMEOUT_MS)
        # The staff page's address now offers the sign-in, in this tab and after a reload.
        open_app(page, f"{session_server.url}/workshop", SIGNIN_HEADING)
        expect(page.get_by_role("heading", name=WORKSHOP_HEADING)).to_have_count(0)
        page.reload()
        expect(page.get_by_role("heading", name=SIGNIN_HEADING)).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(page.get_by_role("heading", name=WORKSHOP_HEADING)).to_have_count(0)
    finally:
        context.close()
    # Opening another address and the reload abort what the page was still loading (script
    # chunks, the start page's map component): not a broken asset.
    log.failed = [f for f in log.failed
                  if not (f.endswith("(net::ERR_ABORTED)") and f.startswith(f"{session_server.url}/"))]
    log.assert_clean()
