"""Workshop links in a real Chromium: the join link and QR code name the configured public address,
and ``/melden?workshop=CODE`` opens its map on the workshop's area, not on all of Berlin.

The server has its own needs database, a facilitator account, and
``BEDARFSATLAS_PUBLIC_URL`` set to an address other than the one the browser uses
(the loopback one), so the link can only show it if the setting is taken.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.streamlit_helpers import LEAFLET_MAP, TIMEOUT_MS, current, keyed, map_frame, open_app, sign_in, staff_home

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "e2e-nur-fuer-tests-14"
PUBLIC_URL = "https://beteiligung.example.berlin/atlas"


@pytest.fixture(scope="module")
def workshop_server(settings_with_data, start_app, tmp_path_factory):
    """The app with the public address set, an empty database with one workshop on Friedrichshain-Kreuzberg."""
    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook

    url = start_app.database_url()
    home = staff_home(tmp_path_factory.mktemp("home"), PASSWORD, {"fac-e2e": ("facilitator",)})
    server = start_app({"DATABASE_URL": url, "HOME": str(home), "BEDARFSATLAS_PUBLIC_URL": PUBLIC_URL + "/"})
    store = open_store(settings_with_data, database_url=url)
    try:
        server.data["code"] = WorkshopBook(store).create("Kiezwerkstatt Kreuzberg", date(2026, 12, 3),
                                                         focus_level="BEZ", focus_id="02").code
    finally:
        store.close()
    return server


def test_the_join_link_and_qr_code_show_the_configured_public_address(workshop_server, page, network):
    from playwright.sync_api import expect

    code = workshop_server.data["code"]
    sign_in(page, workshop_server.url, "fac-e2e", PASSWORD)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Workshop leiten", exact=True).click()
    expect(current(page).get_by_role("heading", name="Workshop einrichten und leiten")).to_be_visible(timeout=TIMEOUT_MS)
    join = f"{PUBLIC_URL}/melden?workshop={code}"
    expect(keyed(page, "ws_join_url")).to_have_text(join, timeout=TIMEOUT_MS)
    # The QR code is an image made on the server; its alt text says where it leads.
    expect(current(page).get_by_role("img", name=f"QR-Code: {join}")).to_be_visible(timeout=TIMEOUT_MS)
    assert workshop_server.url not in keyed(page, "ws_join_url").inner_text()  # not the browser's own loopback host
    expect(current(page).get_by_text("Handys können ihn nicht öffnen")).to_have_count(0)
    network.assert_clean()


def leaflet_bounds(page) -> dict[str, float]:
    frame = map_frame(page)
    frame.wait_for_function(f"() => window.L && {LEAFLET_MAP} && {LEAFLET_MAP}._loaded", timeout=TIMEOUT_MS)
    return frame.evaluate(f"""() => {{
        const b = {LEAFLET_MAP}.getBounds();
        return {{west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth()}};
    }}""")


def test_the_residents_map_of_a_workshop_link_opens_on_the_workshops_area(workshop_server, settings_with_data, page,
                                                                          network):
    from geodata.display import area_bbox

    code = workshop_server.data["code"]
    open_app(page, f"{workshop_server.url}/melden?workshop={code}", "Was fehlt in Ihrem Kiez?")
    shown = leaflet_bounds(page)
    west, south, east, north = area_bbox(settings_with_data, "BEZ", "02")  # about 13.37-13.49 E, 52.48-52.53 N
    # fitBounds shows the whole area, with at most a zoom step's margin, and little of the rest of Berlin
    # (13.09-13.76 E, 52.34-52.68 N).
    assert shown["west"] <= west and shown["east"] >= east and shown["south"] <= south and shown["north"] >= north
    assert shown["east"] - shown["west"] < 2.5 * (east - west) and shown["north"] - shown["south"] < 2.5 * (north - south)
    assert shown["west"] > 13.2 and shown["east"] < 13.65

    open_app(page, f"{workshop_server.url}/melden", "Was fehlt in Ihrem Kiez?")  # without the link: Berlin
    berlin = leaflet_bounds(page)
    assert berlin["west"] < 13.15 and berlin["east"] > 13.7
    network.assert_clean()
