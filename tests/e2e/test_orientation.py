"""Landmarks without a base map, in Chromium: stations and planning-area names at street zoom only.

On ``/melden`` and ``/karte`` (default settings: no base map) the map names no
station at zoom 13; zoomed to 15 around Kottbusser Tor it shows "U Kottbusser Tor"
and the names of the planning areas around it, and a click on a landmark still
reaches the map: on ``/melden`` it sets the pin, on ``/karte`` it focuses the area
underneath. Every test fails, through the ``page`` fixture, on any request that
leaves the machine.
"""

from __future__ import annotations

import math
import re

import pytest

from tests.e2e.streamlit_helpers import (
    TIMEOUT_MS,
    click_map_until,
    current,
    map_frame,
    map_view,
    open_app,
    wait_quiet,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KOTTBUSSER_TOR = (52.49905, 13.41775)  # U Kottbusser Tor, as the VBB places it
LANDMARKS = ".landmark"


@pytest.fixture(scope="module")
def server(start_app):
    """The app with default settings (no base map) and an empty needs database of its own."""
    return start_app({"DATABASE_URL": start_app.database_url()})


@pytest.fixture(scope="module")
def area_near_kotti(settings_with_data):
    """The planning-area name standing nearest to Kottbusser Tor but clear of the station's label."""
    from geodata.orientation import landmarks

    def metres(row) -> float:
        dy = (row.lat - KOTTBUSSER_TOR[0]) * 111_320
        dx = (row.lon - KOTTBUSSER_TOR[1]) * 111_320 * math.cos(math.radians(KOTTBUSSER_TOR[0]))
        return math.hypot(dx, dy)

    return min((row for row in landmarks(settings_with_data).areas if metres(row) > 200), key=metres)


def set_view(page, lat: float, lon: float, zoom: float) -> None:
    map_frame(page).evaluate("([lat, lon, zoom]) => window.map.setView([lat, lon], zoom, {animate: false})",
                             [lat, lon, zoom])


def expect_landmarks_follow_the_zoom(page, area) -> None:
    from playwright.sync_api import expect

    frame = map_view(page)
    set_view(page, *KOTTBUSSER_TOR, 13)
    expect(frame.locator(LANDMARKS)).to_have_count(0)
    set_view(page, *KOTTBUSSER_TOR, 15)
    expect(frame.locator(".landmark-station", has_text="U Kottbusser Tor")).to_be_visible(timeout=TIMEOUT_MS)
    expect(frame.locator(".landmark-area", has_text=area.name).first).to_be_visible(timeout=TIMEOUT_MS)
    # Only what is around the view is drawn: a few dozen names, not all 900.
    assert 3 <= frame.locator(LANDMARKS).count() <= 150
    # Light: small grey text, no box.
    style = frame.locator(".landmark-station", has_text="U Kottbusser Tor").evaluate(
        "e => { const s = getComputedStyle(e); return [s.fontSize, s.backgroundColor, s.pointerEvents]; }")
    assert float(style[0].removesuffix("px")) <= 11 and style[1] == "rgba(0, 0, 0, 0)" and style[2] == "none", style
    set_view(page, *KOTTBUSSER_TOR, 13)
    expect(frame.locator(LANDMARKS)).to_have_count(0)
    set_view(page, *KOTTBUSSER_TOR, 15)
    expect(frame.locator(".landmark-station", has_text="U Kottbusser Tor")).to_be_visible(timeout=TIMEOUT_MS)


def test_residents_map_names_stations_and_areas_at_street_zoom_and_a_click_still_sets_the_pin(
    server, area_near_kotti, settings_with_data, page, network
):
    from playwright.sync_api import expect

    from geodata.lookup import get_locator

    open_app(page, server.url + "/melden", "Was fehlt in Ihrem Kiez?")
    expect(map_view(page).locator("path.leaflet-interactive")).to_have_count(12, timeout=TIMEOUT_MS)
    expect_landmarks_follow_the_zoom(page, area_near_kotti)

    # A click right on the station's dot and name goes to the map: the pin lands there.
    click_map_until(page, *KOTTBUSSER_TOR, re.compile(r"Ihr Ort liegt im Planungsraum"))
    pin = map_frame(page).evaluate(
        "(() => { let p; window.map.eachLayer(l => { if (l instanceof L.Marker) p = l.getLatLng(); });"
        " return [p.lat, p.lng]; })()")
    assert abs(pin[0] - KOTTBUSSER_TOR[0]) < 0.0002 and abs(pin[1] - KOTTBUSSER_TOR[1]) < 0.0003, pin
    located = get_locator(settings_with_data).locate(*pin)
    expect(current(page).get_by_text(f"Ihr Ort liegt im Planungsraum {located['PLR_NAME']}")).to_be_visible()
    # Centred on the pin at street zoom, the station is named still.
    expect(map_view(page).locator(".landmark-station", has_text="U Kottbusser Tor")).to_be_visible(timeout=TIMEOUT_MS)
    network.assert_clean()


def test_planners_map_names_stations_and_areas_at_street_zoom_and_a_click_still_picks_the_area(
    server, area_near_kotti, page, network
):
    from playwright.sync_api import expect

    open_app(page, f"{server.url}/karte?bedarfe=off", "Planungskarte: Indikatoren und Bedarfe")
    expect(map_view(page).locator("path.planner-area")).to_have_count(542, timeout=TIMEOUT_MS)
    wait_quiet(page, quiet_s=2)
    expect_landmarks_follow_the_zoom(page, area_near_kotti)
    wait_quiet(page, quiet_s=2)

    # A click on an area's name focuses the area underneath.
    heading = current(page).get_by_role("heading", name=f"{area_near_kotti.name} ({area_near_kotti.area_id})")
    click_map_until(page, area_near_kotti.lat, area_near_kotti.lon, heading)
    expect(page).to_have_url(re.compile(rf"gebiet={area_near_kotti.area_id}"), timeout=TIMEOUT_MS)
    network.assert_clean()
