"""A facilitator sets up a workshop on /workshop in a real Chromium: sign in, draw the focus rectangle, create, open.

The server has its own needs database and a home folder whose
``.streamlit/secrets.toml`` holds a facilitator account (argon2 hash made
here). The rectangle is dragged with the mouse on the page's own map
(Leaflet.draw from static/node_modules); the corners Leaflet computes for the
dragged pixels must arrive in the four coordinate fields and, after "Workshop
anlegen", in the stored workshop.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.streamlit_helpers import (
    TIMEOUT_MS,
    current,
    keyed,
    map_frame,
    map_iframe,
    rerun_after,
    sign_in,
    staff_home,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "e2e-nur-fuer-tests-2"
FIELDS = ("West (Länge min.)", "Süd (Breite min.)", "Ost (Länge max.)", "Nord (Breite max.)")
PIXEL_DEGREES = 0.002


@pytest.fixture(scope="module")
def facilitator_server(settings_with_data, start_app, tmp_path_factory):
    """The app with an empty needs database and the account ``fac-e2e`` (facilitator)."""
    url = start_app.database_url()
    home = staff_home(tmp_path_factory.mktemp("home"), PASSWORD, {"fac-e2e": ("facilitator",)})
    server = start_app({"DATABASE_URL": url, "HOME": str(home)})
    server.data["database_url"] = url
    return server


def drag_rectangle(page) -> tuple[float, float, float, float]:
    """Drag a rectangle with the draw tool; returns (west, south, east, north) as Leaflet computes it."""
    from playwright.sync_api import expect

    frame = map_frame(page)
    tool = frame.locator("a.leaflet-draw-draw-rectangle")
    expect(tool).to_be_visible(timeout=TIMEOUT_MS)
    tool.click()
    origin = map_iframe(page).bounding_box()
    inner = frame.locator(".leaflet-container").bounding_box()
    start = (inner["width"] * 0.40, inner["height"] * 0.40)
    end = (inner["width"] * 0.60, inner["height"] * 0.65)
    corners = frame.evaluate(
        """([a, b]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const p = map.containerPointToLatLng(a), q = map.containerPointToLatLng(b);
            return [Math.min(p.lng, q.lng), Math.min(p.lat, q.lat), Math.max(p.lng, q.lng), Math.max(p.lat, q.lat)];
        }""",
        [list(start), list(end)],
    )
    x0, y0 = origin["x"] + inner["x"] - origin["x"] + start[0], origin["y"] + inner["y"] - origin["y"] + start[1]
    x1, y1 = origin["x"] + inner["x"] - origin["x"] + end[0], origin["y"] + inner["y"] - origin["y"] + end[1]
    with rerun_after(page):  # streamlit-folium reports the drawing: the page fills in the corners
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=6)
        page.mouse.move(x1, y1, steps=6)
        page.mouse.up()
    return tuple(corners)


def test_facilitator_draws_the_focus_creates_and_opens_a_workshop(facilitator_server, page, network):
    from playwright.sync_api import expect

    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook
    from core.settings import load_settings

    sign_in(page, facilitator_server.url, "fac-e2e", PASSWORD)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Workshop leiten", exact=True).click()
    expect(current(page).get_by_role("heading", name="Workshop einrichten und leiten")).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)

    title_box = current(page).get_by_label("Titel", exact=True)
    title_box.fill("Kiezwerkstatt Moabit")
    title_box.press("Enter")
    wait_idle(page)
    with rerun_after(page):
        current(page).get_by_text("Rechteck (auf der Karte ziehen oder Ecken eintippen)").click()
    defaults = [current(page).get_by_label(label).input_value() for label in FIELDS]
    west, south, east, north = drag_rectangle(page)
    # The four fields (the keyboard path) now hold the drawn corners, to their 4 decimals; the mouse
    # lands on whole pixels, so allow one pixel (at this zoom about 0.0014° east-west).
    for label, default in zip(FIELDS, defaults):
        expect(current(page).get_by_label(label)).not_to_have_value(default, timeout=TIMEOUT_MS)
    shown = [float(current(page).get_by_label(label).input_value()) for label in FIELDS]
    assert shown == pytest.approx([west, south, east, north], abs=PIXEL_DEGREES)

    with rerun_after(page):
        keyed(page, "ws_create").get_by_role("button").click()
    created = current(page).get_by_text(re.compile(r"Workshop angelegt\. Zugangscode: (\S+)"))
    expect(created).to_be_visible(timeout=TIMEOUT_MS)
    code = re.search(r"Zugangscode: (\S+)", created.inner_text()).group(1)

    store = open_store(load_settings(), database_url=facilitator_server.data["database_url"])
    try:
        book = WorkshopBook(store)
        stored = book.get(code)
        assert stored.title == "Kiezwerkstatt Moabit" and stored.status == "new"  # "noch nicht geöffnet"
        assert stored.bbox == pytest.approx(tuple(shown), abs=6e-5)  # what the 4-decimal fields hold
        assert stored.created_by == "fac-e2e"

        # The join link (and QR code) leads to the app's own host, though the browser came via /anmelden.
        expect(keyed(page, "ws_join_url")).to_contain_text(f"{facilitator_server.url}/melden?workshop={code}")
        with rerun_after(page):
            keyed(page, "ws_open").get_by_role("button").click()
        expect(current(page).get_by_text(re.compile(r"Status: offen"))).to_be_visible(timeout=TIMEOUT_MS)
        assert book.get(code).status == "open"
    finally:
        store.close()
    network.assert_clean()
