"""The place search in a real Chromium: find a station by name on /melden and /karte.

On /melden a resident types a station's name (with a typo), presses Enter, picks
the result; the map is then centred on the station at street zoom (read from
Leaflet itself in the map's iframe), and the need sent is stored at that point;
the search is used by keyboard alone and axe-core finds no serious violation.
On /karte the planner's map moves to the chosen place. The expected points come
from the gazetteer (``find_places``), the same table the server searches.
"""

from __future__ import annotations

import re
import uuid

import pytest

from assessment.needs.store import open_store
from geodata.places import find_places
from tests.e2e.streamlit_helpers import TIMEOUT_MS, current, map_frame, map_view, open_app, rerun_after, wait_idle
from tests.e2e.test_accessibility import report, scan
from tests.e2e.test_report_need import RECEIPT, expect_shown, fill_form, stored, submit, tab_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RESULTS = re.compile(r"^\d+ Treffer$")


@pytest.fixture(scope="module")
def server(start_app):
    """The app on loopback with an empty needs database of its own."""
    return start_app({"DATABASE_URL": start_app.database_url()})


@pytest.fixture
def store(server, settings_with_data):
    opened = open_store(settings_with_data, database_url=server.database_url)
    yield opened
    opened.close()


def station(settings, name: str):
    [found] = [p for p in find_places(settings, name) if p.name == name]
    return found


def search_and_pick(page, typed: str, option: str, *, keyboard: bool = False) -> None:
    """Type into "Ort suchen", press Enter, and choose ``option`` from the results.

    ``keyboard``: as a keyboard or screen-reader user would, Tab from the field to the
    results list, type to filter it and press Enter; else with the mouse.
    """
    from playwright.sync_api import expect

    field = current(page).get_by_label("Ort suchen", exact=True)
    field.fill(typed)
    with rerun_after(page):
        field.press("Enter")
    results = current(page).get_by_role("combobox", name=RESULTS)
    expect(results).to_be_visible(timeout=TIMEOUT_MS)
    if keyboard:
        field.focus()
        tab_until(page, "el.getAttribute('role') === 'combobox' && / Treffer$/.test(el.getAttribute('aria-label'))")
        page.keyboard.type(option)
        expect(page.get_by_role("option", name=option, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        with rerun_after(page):
            page.keyboard.press("Enter")
    else:
        results.click()
        with rerun_after(page):
            page.get_by_role("option", name=option, exact=True).click(timeout=15_000)
    expect(results).to_have_value(option, timeout=TIMEOUT_MS)


def wait_for_view(page, lat: float, lon: float, zoom: float) -> dict:
    """Wait until Leaflet's map in the iframe shows ``zoom`` centred within ~10 m of (lat, lon); its view."""
    frame = map_frame(page)
    frame.wait_for_function(
        f"""() => window.map && window.map.getZoom() === {zoom}
            && Math.abs(window.map.getCenter().lat - {lat}) < 1e-4
            && Math.abs(window.map.getCenter().lng - {lon}) < 1e-4""",
        timeout=TIMEOUT_MS,
    )
    return frame.evaluate("(() => { const c = window.map.getCenter(); "
                          "return {zoom: window.map.getZoom(), lat: c.lat, lng: c.lng}; })()")


def test_a_station_found_on_melden_centres_the_map_and_locates_the_need(server, store, page, network,
                                                                       settings_with_data):
    from playwright.sync_api import expect

    kotti = station(settings_with_data, "U Kottbusser Tor")
    open_app(page, server.url + "/melden", "Was fehlt in Ihrem Kiez?")
    search_and_pick(page, "kottbuser tor",
                    "U Kottbusser Tor – U-Bahnhof, Wassertorplatz (Friedrichshain-Kreuzberg)", keyboard=True)
    expect(current(page).get_by_text(re.compile(r"In der Nähe von U Kottbusser Tor: Planungsraum Wassertorplatz")))\
        .to_be_visible(timeout=TIMEOUT_MS)
    view = wait_for_view(page, kotti.lat, kotti.lon, 16)
    assert view["zoom"] == 16
    expect(map_view(page).locator(".leaflet-marker-icon")).to_have_count(1, timeout=TIMEOUT_MS)  # the pin
    # The lists without the map follow the place.
    expect(current(page).get_by_role("combobox", name="Planungsraum", exact=True)).to_have_value("Wassertorplatz")
    found = scan(page)  # axe-core, WCAG 2.1 AA, with the search's field, results and message on the page
    assert not found, report("/melden (place search)", found)
    title = f"Dunkle Unterführung {uuid.uuid4().hex[:6]}"
    fill_form(page, title)
    submit(page)
    expect_shown(page, RECEIPT)
    [need] = stored(store, title)
    assert (need.unit("PLR"), need.located_by) == (kotti.areas["PLR_ID"], "point")
    assert abs(need.lat - kotti.lat) < 1e-5 and abs(need.lon - kotti.lon) < 1e-5


def test_a_place_found_on_karte_moves_the_map_there(server, page, network, settings_with_data):
    from playwright.sync_api import expect

    hermannstr = station(settings_with_data, "S+U Hermannstr.")
    open_app(page, server.url + "/karte", "Planungskarte: Indikatoren und Bedarfe")
    expect(map_view(page).locator("path.leaflet-interactive")).to_have_count(542, timeout=TIMEOUT_MS)
    search_and_pick(page, "Hermannstrasse", "S+U Hermannstr. – S- und U-Bahnhof, "
                    f"{hermannstr.areas['PLR_NAME']} (Neukölln)")
    wait_idle(page)
    view = wait_for_view(page, hermannstr.lat, hermannstr.lon, 16)
    assert view["zoom"] == 16
