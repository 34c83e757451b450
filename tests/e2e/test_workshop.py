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
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM_ARGS, RequestLog, start_server, stop_server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
PINS = "path.workshop-pin"
TIMEOUT_MS = 60_000
BRANDENBURG_GATE = (52.5163, 13.3777)  # PLR 01100206 "Unter den Linden", Mitte (official LOR map)
# The frontend probes these on a page whose path is not the root; a 404 there is expected.
BASE_PATH_PROBE = re.compile(r"/(melden|live|abstimmen)/_stcore/(health|host-config) \(HTTP 404\)$")


@pytest.fixture(scope="module")
def workshop_server(settings_with_data, request):
    """The app on its own database with one open workshop; yields ``(server, book, code)``."""
    from assessment.store import open_store
    from assessment.workshops import WorkshopBook

    folder = tempfile.TemporaryDirectory(prefix="workshop-e2e-")
    url = f"sqlite:///{Path(folder.name) / 'needs.sqlite'}"
    store = open_store(settings_with_data, database_url=url)
    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt Mitte", date.today(), focus_level="BEZ", focus_id="01").code).code
    server = start_server({"DATABASE_URL": url})
    yield server, book, code
    stop_server(server)
    if any(getattr(item, "failed_call", False) for item in request.session.items):
        sys.stderr.write(f"\n--- streamlit log ({server.log_path}) ---\n{server.log()}\n")
    server.log_path.unlink(missing_ok=True)
    store.close()
    folder.cleanup()


@pytest.fixture
def second(browser):
    """A second browser context (the participant's phone) with its own request log."""
    context = browser.new_context(viewport={"width": 430, "height": 1400}, locale="de-DE")
    log = RequestLog()
    page = context.new_page()
    log.attach(page)
    yield page, log
    context.close()


def clean(log: RequestLog) -> None:
    log.failed[:] = [f for f in log.failed if not BASE_PATH_PROBE.search(f)]
    log.assert_clean()


def map_frame(page):
    return page.frame(url=lambda url: "streamlit_folium" in url)


def dismiss_first_load_dialog(page) -> None:
    """Close the "Page not found" dialog a fresh server shows on its very first page load.

    It comes from the app shell's first run (seen on /melden and every other page
    alike), not from the workshop pages; the page underneath is the right one.
    """
    from playwright.sync_api import expect

    dialog = page.locator("[data-testid=stDialog]")
    try:
        expect(dialog).to_be_visible(timeout=3_000)
    except AssertionError:
        return
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden(timeout=TIMEOUT_MS)


def open_presenter(page, server, code: str) -> str:
    """Open the projector view and return the join link it shows."""
    from playwright.sync_api import expect

    page.goto(f"{server.url}/live?workshop={code}", timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Kiezwerkstatt Mitte")).to_be_visible(timeout=TIMEOUT_MS)
    dismiss_first_load_dialog(page)
    expect(page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive, .workshop-focus").first).to_be_attached(
        timeout=TIMEOUT_MS)
    link = page.locator(".st-key-live_join_url")
    expect(link).to_contain_text(f"workshop={code}", timeout=TIMEOUT_MS)
    return link.inner_text().strip()


def click_map(page, lat: float, lon: float) -> None:
    """Click the participant's Leaflet map at a WGS84 point (a real mouse click)."""
    frame = map_frame(page)
    point = frame.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const p = map.latLngToContainerPoint([lat, lon]);
            return {x: p.x, y: p.y};
        }""",
        [lat, lon],
    )
    box = page.frame_locator(MAP_FRAME).locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def pin_a_need(page, link: str, title: str) -> None:
    """The participant's steps on /melden: map click, topic, title, send; waits for the receipt."""
    from playwright.sync_api import expect

    page.goto(link, timeout=TIMEOUT_MS)
    expect(page.get_by_text("Sie melden im Workshop: Kiezwerkstatt Mitte")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").first).to_be_attached(timeout=TIMEOUT_MS)
    click_map(page, *BRANDENBURG_GATE)
    # (Not the area's name: needs nearby, listed below, may name it too.)
    expect(page.get_by_text(re.compile(r"^Ihr Ort liegt im Planungsraum"))).to_be_visible(timeout=TIMEOUT_MS)
    box = page.get_by_role("combobox", name="Thema", exact=True)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(5):
        # A rerun still in flight (after the map click) can replace the list under the click: pick again.
        try:
            box.click(timeout=10_000)
            box.fill("Mobilität")
            page.get_by_role("option", name="Mobilität und Verkehr", exact=True).click(timeout=10_000)
            expect(box).to_have_value("Mobilität und Verkehr", timeout=5_000)
            break
        except (AssertionError, PlaywrightTimeout):
            page.keyboard.press("Escape")
    expect(box).to_have_value("Mobilität und Verkehr")
    title_box = page.get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    title_box.fill(title)
    title_box.press("Enter")
    expect(title_box).to_have_value(title)
    page.get_by_role("button", name="Bedarf senden").click()
    expect(page.get_by_text(re.compile(r"Ihre Kennung: [0-9A-F]{8}"))).to_be_visible(timeout=TIMEOUT_MS)


def test_a_pin_from_the_room_reaches_the_projector_within_5_s_keeping_the_zoom(workshop_server, page, network, second):
    from playwright.sync_api import expect

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    server, book, code = workshop_server
    link = open_presenter(page, server, code)
    assert link == f"{server.url}/melden?workshop={code}"
    frame = map_frame(page)
    frame.wait_for_function("window.map && window.map.getZoom() > 0", timeout=TIMEOUT_MS)
    # Someone zoomed the projector's map in by hand; that view must survive the refreshes.
    zoom_before = frame.evaluate("window.map.getZoom()")
    for _ in range(3):  # a click while the page is still settling (first-load dialog) may not arrive
        page.frame_locator(MAP_FRAME).locator(".leaflet-control-zoom-in").click()
        try:
            frame.wait_for_function(f"window.map.getZoom() > {zoom_before}", timeout=10_000)
            break
        except PlaywrightTimeout:
            dismiss_first_load_dialog(page)
    zoomed = frame.evaluate("window.map.getZoom()")
    assert zoomed > zoom_before
    centre = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng]")
    # Markers that a reload of the page or of the map's iframe would wipe out.
    page.evaluate("window.__presenter = 'kept'")
    frame.evaluate("window.__map_frame = 'kept'")
    navigations = []
    page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)
    before = page.frame_locator(MAP_FRAME).locator(PINS).count()

    participant, participant_log = second
    title = f"Sichere Schulwege {uuid.uuid4().hex[:6]}"
    pin_a_need(participant, link, title)
    acknowledged = time.monotonic()
    [need] = [n for n in book.needs(code) if n.title == title]  # published at once: the workshop says so
    assert need.workshop_id == code and need.channel == "workshop" and need.bez_id == "01"  # Mitte, the focus area

    expect(page.frame_locator(MAP_FRAME).locator(PINS)).to_have_count(before + 1, timeout=5_000)
    lag = time.monotonic() - acknowledged
    assert lag <= 5.0, f"the pin took {lag:.1f} s"
    expect(page.locator(".st-key-live_ticker")).to_contain_text(title, timeout=5_000)
    frame = map_frame(page)
    assert frame.evaluate("window.map.getZoom()") == zoomed
    assert frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng]") == pytest.approx(centre, abs=1e-9)
    assert page.evaluate("window.__presenter") == "kept" and frame.evaluate("window.__map_frame") == "kept"
    assert navigations == []
    clean(participant_log)
    network.failed[:] = [f for f in network.failed if not BASE_PATH_PROBE.search(f)]


def test_dot_voting_caps_per_session_and_the_projector_shows_the_votes(workshop_server, page, network, second):
    from playwright.sync_api import expect

    server, book, code = workshop_server
    store = book.store
    from assessment.model import NeedInput

    needs = [store.submit(NeedInput(category="housing", title=f"Wohnen {i} {uuid.uuid4().hex[:4]}",
                                    lat=BRANDENBURG_GATE[0], lon=BRANDENBURG_GATE[1], workshop_id=code,
                                    channel="workshop"), status="published") for i in range(2)]
    voting = book.start_round(code, dots=3)
    link = open_presenter(page, server, code)
    assert link == f"{server.url}/abstimmen?workshop={code}"  # an open round: the QR code leads to the vote

    participant, participant_log = second
    participant.goto(link, timeout=TIMEOUT_MS)
    left = participant.locator(".st-key-vote_left")
    expect(left).to_contain_text("3 von 3", timeout=TIMEOUT_MS)
    plan = [needs[0], needs[0], needs[1]]
    for placed, need in enumerate(plan, start=1):
        participant.locator(f".st-key-vote_add_{need.id} button").click()
        expect(left).to_contain_text(f"{3 - placed} von 3", timeout=TIMEOUT_MS)
    # All dots placed: every "+" is disabled, and a forced click changes nothing.
    for need in needs:
        expect(participant.locator(f".st-key-vote_add_{need.id} button")).to_be_disabled(timeout=TIMEOUT_MS)
        participant.locator(f".st-key-vote_add_{need.id} button").click(force=True)
    expect(left).to_contain_text("0 von 3", timeout=TIMEOUT_MS)
    tally = book.results(voting.id).query("votes > 0").set_index("need_id")["votes"].to_dict()
    assert tally == {needs[0].id: 2, needs[1].id: 1}

    results = page.locator(".st-key-live_results")
    expect(results).to_contain_text(f"2 Pkt. – {needs[0].title}", timeout=10_000)
    expect(results).to_contain_text(f"1 Pkt. – {needs[1].title}", timeout=10_000)
    shown = results.inner_text()
    for row in book.results(voting.id).query("votes > 0").itertuples():
        assert f"{row.votes} Pkt. – {row.title}" in shown
    book.stop_round(code)
    clean(participant_log)
    network.failed[:] = [f for f in network.failed if not BASE_PATH_PROBE.search(f)]
