"""A workshop in two real browsers: the projector view and a participant's phone.

The server gets its own SQLite database with an open workshop (focus area:
Bezirk Mitte, needs published at once). The presenter opens ``/live``; the
participant opens the link the presenter shows (the URL the QR code encodes)
and pins a need at the Brandenburg Gate. The presenter must show the pin
within 5 s, without a reload and with the zoom it was left at. Then a dot
vote: the participant places all N dots and no more, and the projector's
results equal the dots in the database.
"""

from __future__ import annotations

import re
import time
import uuid

# Letters for a random suffix: digits next to each other may read as a phone number, which is refused.
LETTERS = str.maketrans("0123456789", "ghijklmnop")
from datetime import date

import pytest

from tests.e2e.conftest import RequestLog
from tests.e2e.streamlit_helpers import (
    TIMEOUT_MS,
    choose,
    click_map_until,
    current,
    keyed,
    map_frame,
    map_view,
    open_app,
    rerun_after,
    wait_idle,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PINS = "path.workshop-pin"
BRANDENBURG_GATE = (52.5163, 13.3777)  # PLR 01100206 "Unter den Linden", Mitte (official LOR map)


@pytest.fixture(scope="module")
def workshop_server(settings_with_data, start_app):
    """The app on its own database with one open workshop; yields ``(server, book, code)``."""
    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook

    url = start_app.database_url()
    store = open_store(settings_with_data, database_url=url)
    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt Mitte", date.today(), focus_level="BEZ", focus_id="01").code).code
    server = start_app({"DATABASE_URL": url})
    yield server, book, code
    store.close()


@pytest.fixture
def second(browser):
    """A second browser context (the participant's phone) with its own request log."""
    context = browser.new_context(viewport={"width": 430, "height": 1400}, locale="de-DE")
    log = RequestLog()
    page = context.new_page()
    log.attach(page)
    watch(page)
    yield page, log
    context.close()


def open_presenter(page, server, code: str) -> str:
    """Open the projector view and return the join link it shows."""
    from playwright.sync_api import expect

    open_app(page, f"{server.url}/live?workshop={code}", "Kiezwerkstatt Mitte")
    expect(map_view(page).locator("path.leaflet-interactive, .workshop-focus").first).to_be_attached(
        timeout=TIMEOUT_MS)
    link = keyed(page, "live_join_url")
    expect(link).to_contain_text(f"workshop={code}", timeout=TIMEOUT_MS)
    return link.inner_text().strip()


def pin_a_need(page, link: str, title: str) -> None:
    """The participant's steps on /melden: map click, topic, title, send; waits for the receipt."""
    from playwright.sync_api import expect

    open_app(page, link, "Was fehlt in Ihrem Kiez?")
    expect(current(page).get_by_text("Sie melden im Workshop: Kiezwerkstatt Mitte")).to_be_visible(timeout=TIMEOUT_MS)
    expect(map_view(page).locator("path.leaflet-interactive").first).to_be_attached(timeout=TIMEOUT_MS)
    # (Not the area's name: needs nearby, listed below, may name it too.)
    click_map_until(page, *BRANDENBURG_GATE, re.compile(r"^Ihr Ort liegt im Planungsraum"))
    choose(page, "Thema", "Mobilität und Verkehr")
    title_box = current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    title_box.fill(title)
    title_box.press("Enter")
    expect(title_box).to_have_value(title)
    current(page).get_by_role("button", name="Bedarf senden").click()
    expect(current(page).get_by_text(re.compile(r"Ihre Kennung: [0-9A-F]{8}"))).to_be_visible(timeout=TIMEOUT_MS)


def test_a_pin_from_the_room_reaches_the_projector_within_5_s_keeping_the_zoom(workshop_server, page, network, second):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    server, book, code = workshop_server
    link = open_presenter(page, server, code)
    assert link == f"{server.url}/melden?workshop={code}"
    frame = map_frame(page)
    frame.wait_for_function("window.map && window.map.getZoom() > 0", timeout=TIMEOUT_MS)
    # Someone zoomed the projector's map in by hand; that view must survive the refreshes.
    zoom_before = frame.evaluate("window.map.getZoom()")
    for attempt in range(3):
        # The view refreshes every few seconds while the page settles; a click then can be
        # lost (seen under load: the map never zoomed). The person at the projector clicks again.
        wait_idle(page)
        frame = map_frame(page)
        map_view(page).locator(".leaflet-control-zoom-in").click()
        try:
            frame.wait_for_function(f"window.map.getZoom() > {zoom_before}", timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    zoomed = frame.evaluate("window.map.getZoom()")
    assert zoomed > zoom_before
    centre = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng]")
    # Markers that a reload of the page or of the map's iframe would wipe out.
    page.evaluate("window.__presenter = 'kept'")
    frame.evaluate("window.__map_frame = 'kept'")
    navigations = []
    page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)
    before = map_view(page).locator(PINS).count()

    participant, participant_log = second
    title = f"Sichere Schulwege {uuid.uuid4().hex[:6]}"
    pin_a_need(participant, link, title)
    acknowledged = time.monotonic()
    [need] = [n for n in book.needs(code) if n.title == title]  # published at once: the workshop says so
    assert need.workshop_id == code and need.channel == "workshop" and need.unit("BEZ") == "01"  # Mitte, the focus area

    expect(map_view(page).locator(PINS)).to_have_count(before + 1, timeout=5_000)
    lag = time.monotonic() - acknowledged
    assert lag <= 5.0, f"the pin took {lag:.1f} s"
    expect(keyed(page, "live_ticker")).to_contain_text(title, timeout=5_000)
    frame = map_frame(page)
    assert frame.evaluate("window.map.getZoom()") == zoomed
    assert frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng]") == pytest.approx(centre, abs=1e-9)
    assert page.evaluate("window.__presenter") == "kept" and frame.evaluate("window.__map_frame") == "kept"
    assert navigations == []
    participant_log.assert_clean()


def test_dot_voting_caps_per_session_and_the_projector_shows_the_votes(workshop_server, page, network, second):
    from playwright.sync_api import expect

    server, book, code = workshop_server
    store = book.store
    from assessment.needs.model import NeedInput

    needs = [store.submit(NeedInput(category="housing", title=f"Wohnen {'abcdefghij'[i % 10]} {uuid.uuid4().hex[:4].translate(LETTERS)}",
                                    lat=BRANDENBURG_GATE[0], lon=BRANDENBURG_GATE[1], workshop_id=code,
                                    channel="workshop"), status="published") for i in range(2)]
    voting = book.start_round(code, dots=3)
    link = open_presenter(page, server, code)
    assert link == f"{server.url}/abstimmen?workshop={code}"  # an open round: the QR code leads to the vote

    participant, participant_log = second
    participant.goto(link, timeout=TIMEOUT_MS)
    left = keyed(participant, "vote_left")
    expect(left).to_contain_text("3 von 3", timeout=TIMEOUT_MS)
    plan = [needs[0], needs[0], needs[1]]
    for placed, need in enumerate(plan, start=1):
        with rerun_after(participant):
            keyed(participant, f"vote_add_{need.id}").get_by_role("button").click()
        expect(left).to_contain_text(f"{3 - placed} von 3", timeout=TIMEOUT_MS)
    # All dots placed: every "+" is disabled, and a forced click changes nothing.
    for need in needs:
        expect(keyed(participant, f"vote_add_{need.id}").get_by_role("button")).to_be_disabled(timeout=TIMEOUT_MS)
        keyed(participant, f"vote_add_{need.id}").get_by_role("button").click(force=True)
    wait_idle(participant)
    expect(left).to_contain_text("0 von 3", timeout=TIMEOUT_MS)
    tally = book.results(voting.id).query("votes > 0").set_index("need_id")["votes"].to_dict()
    assert tally == {needs[0].id: 2, needs[1].id: 1}

    results = keyed(page, "live_results")
    expect(results).to_contain_text(f"2 Pkt. – {needs[0].title}", timeout=10_000)
    expect(results).to_contain_text(f"1 Pkt. – {needs[1].title}", timeout=10_000)
    shown = results.inner_text()
    for row in book.results(voting.id).query("votes > 0").itertuples():
        assert f"{row.votes} Pkt. – {row.title}" in shown
    book.stop_round(code)
    participant_log.assert_clean()
