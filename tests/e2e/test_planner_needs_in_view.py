"""Needs in view on /karte (issue 14) in a real Chromium: above the point limit, zoom to a street and see each need.

The server gets a SQLite store of its own with more published needs than the
map draws for all of Berlin (:data:`maps.planner.POINT_LIMIT`): 3,000 at the
Brandenburg Gate, and 36 on a 6 x 6 grid at Kottbusser Tor, 28 m apart (at
zoom 18 that is ~75 px, beyond Leaflet.markercluster's 40 px, so each shows as
its own circle), plus pending needs there that must never show. Single needs
are ``planner-need`` circles, counts per planning area ``planner-need-area``
circles.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.streamlit_helpers import TIMEOUT_MS, current, map_frame, map_view, open_app, rerun_after, wait_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KOTTI = (52.4991, 13.4181)  # Kottbusser Tor, Kreuzberg
GATE = (52.5163, 13.3777)  # Brandenburg Gate, Mitte
GRID = [(KOTTI[0] + row * 2.5e-4, KOTTI[1] + column * 4e-4) for row in range(6) for column in range(6)]
GRID_CENTRE = (KOTTI[0] + 2.5 * 2.5e-4, KOTTI[1] + 2.5 * 4e-4)


@pytest.fixture(scope="module")
def crowded_server(settings_with_data, start_app):
    """The app on a store above the point limit: 3,036 published needs, 20 pending ones at Kottbusser Tor."""
    from assessment.needs.model import ImportExtras
    from assessment.needs.store import open_store
    from maps.planner import POINT_LIMIT

    url = start_app.database_url()
    store = open_store(settings_with_data, database_url=url)

    def record(lat, lon, title, status="published"):
        ids = store.geography.locate(lat, lon)
        units = {code: ids[f"{code}_ID"] for code in store.level_codes}
        columns = dict(lat=lat, lon=lon, located_by="point", area_level=None, units=units, category="mobility",
                       title=title, description="", workshop_id=None, channel="online", language="de")
        return columns, ImportExtras(status=status)

    gate = record(*GATE, "Tor")
    store.add_validated([gate] * POINT_LIMIT + [record(lat, lon, f"Kotti {i}") for i, (lat, lon) in enumerate(GRID)]
                        + [record(*GRID[i], f"ungeprüft {i}", status="pending") for i in range(20)])
    store.close()
    return start_app({"DATABASE_URL": url})


def open_karte(page, server, query: str = ""):
    from playwright.sync_api import expect

    open_app(page, f"{server.url}/karte?bedarfe=points{query}", "Planungskarte: Indikatoren und Bedarfe")
    expect(map_view(page).locator("path.planner-area")).to_have_count(542, timeout=TIMEOUT_MS)


def caption(page, pattern: str):
    return current(page).get_by_text(re.compile(pattern))


def expect_single_needs(page, count: int) -> None:
    from playwright.sync_api import expect

    expect(map_view(page).locator("path.planner-need")).to_have_count(count, timeout=TIMEOUT_MS)


def set_view(page, lat: float, lon: float, zoom: float) -> None:
    """Move the browser's map as a planner would by zooming and panning (Leaflet's ``setView``); wait for the rerun."""
    with rerun_after(page, carrying=f'"zoom":{zoom:g}'.encode()):
        map_frame(page).evaluate(f"window.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")


def test_zooming_to_a_street_shows_each_published_need_in_the_view(crowded_server, page, network):
    from playwright.sync_api import expect

    open_karte(page, crowded_server)
    # All of Berlin: counts per planning area, and the note says to zoom in.
    expect(map_view(page).locator("path.planner-need-area").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(caption(page, "Zoomen Sie bis auf Straßenebene hinein")).to_be_visible(timeout=TIMEOUT_MS)
    expect_single_needs(page, 0)

    # The planner zooms to the street at Kottbusser Tor: the 36 needs there, each on its own, no pending one.
    set_view(page, *GRID_CENTRE, 18)
    expect_single_needs(page, 36)
    expect(map_view(page).locator("path.planner-need-area")).to_have_count(0)
    expect(caption(page, "die Karte zeigt alle 36 Bedarfe in diesem Ausschnitt")).to_be_visible(timeout=TIMEOUT_MS)
    wait_quiet(page, quiet_s=3)  # the new layer does not move the map, so nothing reports again
    assert map_frame(page).evaluate("window.map.getZoom()") == 18

    # Panned east by half the grid: the needs of the view follow (columns 3-5 and what lies east of them).
    east_half = (GRID_CENTRE[0], KOTTI[1] + 5 * 4e-4 + 0.0014)
    set_view(page, *east_half, 18)
    shown = map_frame(page).evaluate(
        "(() => { const b = window.map.getBounds(); return [b.getWest(), b.getEast()]; })()")
    in_view = sum(1 for lat, lon in GRID if shown[0] <= lon <= shown[1])
    assert 0 < in_view < 36
    expect_single_needs(page, in_view)

    # Back out below street zoom: the counts per planning area again.
    set_view(page, *GRID_CENTRE, 14)
    expect_single_needs(page, 0)
    expect(map_view(page).locator("path.planner-need-area").first).to_be_visible(timeout=TIMEOUT_MS)
    network.assert_clean()


def test_a_link_at_street_zoom_opens_with_the_needs_of_its_view(crowded_server, page, network):
    from playwright.sync_api import expect

    open_karte(page, crowded_server, f"&zoom=18&mitte={GRID_CENTRE[0]:.5f},{GRID_CENTRE[1]:.5f}")
    map_frame(page).wait_for_function("window.map && window.map.getZoom() == 18", timeout=TIMEOUT_MS)
    expect_single_needs(page, 36)
    # Each need's own title is its tooltip (published titles only).
    circle = map_view(page).locator("path.planner-need").first
    circle.hover()
    expect(map_view(page).locator(".leaflet-tooltip")).to_have_text(re.compile(r"^Bedarf: Kotti \d+$"),
                                                                      timeout=TIMEOUT_MS)
    network.assert_clean()
