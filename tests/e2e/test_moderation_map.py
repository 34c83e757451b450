"""The moderation queue's map in a real Chromium: one numbered marker per pending need, where it was located.

The server gets its own needs database (``DATABASE_URL``) with four pending
needs - three pinned on the map, one located only by a Bezirksregion chosen
from a list - and its own home folder whose ``.streamlit/secrets.toml`` holds a
moderator account (an argon2 hash made here). The moderator signs in and
opens ``/moderation``; Leaflet inside the map's iframe must hold exactly one
marker per need, numbered in list order, at the need's stored point, the need
located by area drawn as its area. A click on a marker opens that need in the
list; opening a need in the list highlights it on the map and brings it into
view. No request may leave the machine or fail.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.streamlit_helpers import MAP_FRAME, TIMEOUT_MS, sign_in, staff_home

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "e2e-nur-fuer-tests-1"
BRANDENBURG_GATE = (52.5163, 13.3777)  # Mitte (01)
RATHAUS_SPANDAU = (52.5355, 13.2005)  # Spandau (05)
TEMPELHOFER_FELD = (52.4730, 13.4030)  # Tempelhof-Schöneberg (07)
REGIERUNGSVIERTEL = "011002"  # a Bezirksregion in Mitte
# Every Leaflet marker on the map: where it is, its number, and whether it stands for an area or is selected.
MARKERS_JS = """() => Object.values(window.map._layers)
    .filter(layer => layer instanceof L.Marker && layer.getElement())
    .map(layer => ({lat: layer.getLatLng().lat, lon: layer.getLatLng().lng,
                    number: layer.getElement().textContent.trim(),
                    byArea: layer.getElement().classList.contains("by-area"),
                    selected: layer.getElement().classList.contains("selected")}))
    .sort((a, b) => Number(a.number) - Number(b.number))"""


@pytest.fixture(scope="module")
def moderation_server(settings_with_data, start_app, tmp_path_factory):
    """The app with four pending needs and the moderator account ``mod-e2e``."""
    from assessment.needs.model import NeedInput
    from assessment.needs.store import open_store

    url = start_app.database_url()
    store = open_store(settings_with_data, database_url=url)
    needs = [  # oldest first, as the queue lists them
        store.submit(NeedInput(category="mobility", title="Zebrastreifen am Tor",
                               lat=BRANDENBURG_GATE[0], lon=BRANDENBURG_GATE[1])),
        store.submit(NeedInput(category="housing", title="<b>Ferienwohnungen</b> {{ 7*7 }}",
                               lat=RATHAUS_SPANDAU[0], lon=RATHAUS_SPANDAU[1])),
        store.submit(NeedInput(category="mobility", title="Mehr Bänke im Viertel",
                               area_level="BZR", area_id=REGIERUNGSVIERTEL)),
        store.submit(NeedInput(category="mobility", title="Trinkbrunnen am Feld",
                               lat=TEMPELHOFER_FELD[0], lon=TEMPELHOFER_FELD[1])),
    ]
    store.close()
    home = staff_home(tmp_path_factory.mktemp("home"), PASSWORD, {"mod-e2e": ("moderator",)})
    server = start_app({"DATABASE_URL": url, "HOME": str(home)})
    server.data["needs"] = needs
    return server


def markers(page) -> list[dict]:
    """The Leaflet markers of the map, read inside its iframe, ordered by their number."""
    return page.frame_locator(MAP_FRAME).locator("body").evaluate(f"element => ({MARKERS_JS})()")


def map_view(page) -> list[float]:
    """``[lat, lon, zoom]`` of the map's current view."""
    return page.frame_locator(MAP_FRAME).locator("body").evaluate(
        "element => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")


def test_the_map_shows_one_numbered_marker_per_pending_need_where_it_was_located(moderation_server, page, network):
    from playwright.sync_api import expect

    needs = moderation_server.data["needs"]
    sign_in(page, moderation_server.url, "mod-e2e", PASSWORD)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Moderation", exact=True).click()
    expect(page.get_by_text("4 Bedarfe warten auf eine Entscheidung.")).to_be_visible(timeout=TIMEOUT_MS)
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator(".moderation-need")).to_have_count(4, timeout=TIMEOUT_MS)

    found = markers(page)
    assert [m["number"] for m in found] == ["1", "2", "3", "4"]
    for marker, need in zip(found, needs):
        assert (marker["lat"], marker["lon"]) == pytest.approx((need.lat, need.lon), abs=1e-6), need.title
    assert [m["byArea"] for m in found] == [False, False, True, False]
    assert not any(m["selected"] for m in found)
    # Three pinned needs with their Planungsraum outlined, the fourth as its whole area, filled.
    expect(frame.locator("path.moderation-area")).to_have_count(4, timeout=TIMEOUT_MS)
    expect(frame.locator("path.moderation-area.by-area")).to_have_count(1)
    # The resident's markup is shown as text in the tooltip, never as markup or an evaluated template.
    frame.locator(".moderation-need").nth(1).hover()
    tooltip = frame.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text("<b>Ferienwohnungen</b> {{ 7*7 }}", timeout=TIMEOUT_MS)
    assert tooltip.locator("b").count() == 0

    # A click on marker 2 opens need 2 in the list (more than three needs: all start closed) and highlights it.
    for need in needs:
        expect(page.locator(f".st-key-need_{need.id} details")).not_to_have_attribute("open", re.compile(".*"))
    before = map_view(page)
    frame.locator(".moderation-need").nth(1).click()
    expect(page.locator(f".st-key-need_{needs[1].id} details")).to_have_attribute("open", re.compile(".*"),
                                                                                   timeout=TIMEOUT_MS)
    expect(frame.locator(".moderation-need.selected")).to_have_text("2", timeout=TIMEOUT_MS)
    assert map_view(page) == pytest.approx(before)  # the rerun kept the moderator's view

    # Opening need 4 in the list highlights it instead and brings it into view, street level.
    page.locator(f".st-key-need_{needs[3].id} summary").click()
    expect(frame.locator(".moderation-need.selected")).to_have_text("4", timeout=TIMEOUT_MS)
    focused = pytest.approx([TEMPELHOFER_FELD[0], TEMPELHOFER_FELD[1], 15], abs=1e-4)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while (view := map_view(page)) != focused and time.monotonic() < deadline:
        page.wait_for_timeout(200)  # setView may animate
    assert view == focused
    assert len(markers(page)) == 4  # the layers were swapped, not added to
