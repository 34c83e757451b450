"""The app shell as a resident meets it, in a real Chromium: language, menu, first action.

Issue 18, a resident on a phone: an English browser got German; the start page
(the planners' choropleth) offered no way to report what is missing; on a phone
the menu stayed open over the page after choosing an item; and the menu listed
the workshop-room pages (/live, /abstimmen) that a QR code or link opens.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RequestLog
from tests.e2e.streamlit_helpers import TIMEOUT_MS, current, keyed, map_view, open_app, rerun_after, wait_quiet, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "de-DE", "has_touch": True}
# Streamlit closes its menu after a choice only when the user agent says "mobile" (ua-parser):
# not in a narrow desktop window, a tablet or a phone browser's "desktop site" mode.
PHONE_BROWSER = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " \
                "Chrome/126.0.0.0 Mobile Safari/537.36"


@pytest.fixture
def context_for(browser):
    """``context_for(**options)``: a browser context with these options; its pages' requests must stay local."""
    opened = []

    def new_page(**options):
        context = browser.new_context(**options)
        page = context.new_page()
        log = RequestLog()
        log.attach(page)
        watch(page)
        opened.append((context, log))
        return page

    yield new_page
    for context, log in opened:
        context.close()
        log.assert_clean()


def test_an_english_browser_gets_the_english_interface(app_server, context_for):
    from playwright.sync_api import expect

    page = context_for(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    open_app(page, app_server.url + "/", "Overview map")
    expect(page.get_by_test_id("stSidebar").get_by_role("radio", name="English")).to_be_checked()
    expect(current(page).get_by_role("heading", name="Übersichtskarte")).to_have_count(0)


def test_a_residents_menu_leaves_out_the_workshop_rooms_which_still_open_by_url(app_server, context_for):
    from playwright.sync_api import expect

    desk = {"viewport": {"width": 1400, "height": 1000}, "locale": "de-DE"}
    page = context_for(**desk)
    open_app(page, app_server.url + "/", "Übersichtskarte")
    menu = page.get_by_test_id("stSidebarNav")
    expect(menu.get_by_role("link", name="Bedarf melden", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Live-Ansicht", exact=True)).to_have_count(0)
    expect(menu.get_by_role("link", name="Abstimmen", exact=True)).to_have_count(0)
    # The QR code's and the handout's links still open them (each a fresh visit, as from a scan).
    for path, heading in [("/live", "Live-Ansicht"), ("/abstimmen", "Abstimmen")]:
        room = context_for(**desk)
        open_app(room, app_server.url + path, heading)
        assert room.url.endswith(path)
        expect(current(room).get_by_label("Zugangscode des Workshops", exact=True)).to_be_visible()


def test_on_a_phone_the_start_page_leads_first_to_reporting_a_need(app_server, context_for):
    from playwright.sync_api import expect

    page = context_for(**PHONE)
    open_app(page, app_server.url + "/", "Übersichtskarte")
    link = keyed(page, "overview_report").get_by_role("link", name="Bedarf melden – Was fehlt in Ihrem Kiez?")
    expect(link).to_be_in_viewport()  # at the top: no scrolling past the map to find it
    # All of the label shows, wrapped (a page link cuts a long label off with an ellipsis).
    assert link.evaluate("a => [...a.querySelectorAll('span')].every(s => s.scrollWidth <= s.clientWidth)")
    expect(map_view(page).locator("path.leaflet-interactive").first).to_be_attached(timeout=TIMEOUT_MS)  # the map stays
    with rerun_after(page):
        link.tap()
    expect(current(page).get_by_role("heading", name="Was fehlt in Ihrem Kiez?")).to_be_visible(timeout=TIMEOUT_MS)
    assert page.url.endswith("/melden")


def uncovered(page, locator) -> bool:
    """Whether the middle of ``locator`` is the topmost thing there (no menu lies over it)."""
    return locator.evaluate("""e => { const r = e.getBoundingClientRect();
        const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return e === top || e.contains(top); }""")


@pytest.mark.parametrize("user_agent", [None, PHONE_BROWSER], ids=["narrow-window", "phone-browser"])
def test_on_a_phone_the_menu_closes_after_choosing_a_page(app_server, context_for, user_agent):
    from playwright.sync_api import expect

    page = context_for(**PHONE, **({"user_agent": user_agent, "is_mobile": True} if user_agent else {}))
    open_app(page, app_server.url + "/", "Übersichtskarte")
    menu = page.get_by_test_id("stSidebarNav")
    for choice, heading in [("Quellen und Impressum", "Quellen und Impressum"), ("Bedarf melden", "Was fehlt in Ihrem Kiez?")]:
        link = menu.get_by_role("link", name=choice, exact=True)
        expect(link).not_to_be_in_viewport()  # the menu starts closed, behind ">>"
        page.get_by_test_id("stExpandSidebarButton").tap()
        expect(link).to_be_in_viewport()
        with rerun_after(page):
            link.tap()
        shown = current(page).get_by_role("heading", name=heading, exact=True)
        expect(shown).to_be_visible(timeout=TIMEOUT_MS)
        # The menu has closed (not toggled open again where Streamlit closes it itself): the page is free.
        expect(link).not_to_be_in_viewport(timeout=5_000)
        assert uncovered(page, shown)


def test_on_a_phone_tab_never_stops_in_the_closed_menu(app_server, context_for):
    """Keyboard users on a narrow screen: the closed menu lies off screen, so Tab must skip it.

    Before, ten stops (the menu's links, the language choice) came first, each invisible,
    before the first thing on the page (issue 18: the area list was the 34th stop).
    """
    from playwright.sync_api import expect

    page = context_for(**PHONE)
    open_app(page, app_server.url + "/melden", "Was fehlt in Ihrem Kiez?")
    # The map's first report reruns the page: a rerun while tabbing would move the focus back.
    wait_quiet(page, quiet_s=2.0)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true", timeout=TIMEOUT_MS)
    page.locator("body").focus()
    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
                 return {label: (e.getAttribute('aria-label') || e.innerText || '').trim().slice(0, 40),
                         inSidebar: !!e.closest('[data-testid=stSidebar]'),
                         onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth}; }"""
        )
        stops.append(stop)
        if stop["label"].startswith("Bezirk"):
            break
    assert stops[-1]["label"].startswith("Bezirk"), [s["label"] for s in stops]
    hidden = [s["label"] for s in stops if s["inSidebar"] or not s["onScreen"]]
    assert hidden == [], f"Tab stopped on {len(hidden)} elements of the closed menu or off screen: {hidden}"
