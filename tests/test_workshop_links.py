"""Workshop join links and QR codes lead phones to the app's public address (issue 14).

``BEDARFSATLAS_PUBLIC_URL`` names the app's root as phones reach it; without it the
links take the host of the facilitator's browser, and when that is ``localhost`` the
page says that phones cannot open the link and how to set the address.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assessment.needs.store import open_store
from assessment.participation.auth import User
from assessment.participation.workshops import WorkshopBook
from core.i18n import t
from geodata.display import area_bbox, display_geojson
from maps.base import CITY_BOUNDS
from maps.resident import report_map
from ui.links import app_link, is_local_host, phones_cannot_open

ROOT = Path(__file__).resolve().parents[1]
SETUP = str(ROOT / "pages/workshop_setup.py")
FACILITATOR = User("fac-frieda", frozenset({"facilitator"}), "password")


@pytest.mark.parametrize("page_url, base_path, public_url, link", [
    # the operator's address wins, with its own path prefix (the reverse proxy's), and no double slash
    ("http://localhost:8501/workshop", "", "https://atlas.example.org/app", "https://atlas.example.org/app/melden?workshop=AB12CD"),
    ("http://localhost:8501/workshop", "/intern/", "https://atlas.example.org", "https://atlas.example.org/melden?workshop=AB12CD"),
    # without it, the browser's host and the base path
    ("http://192.168.0.5:8501/workshop", "/atlas", None, "http://192.168.0.5:8501/atlas/melden?workshop=AB12CD"),
    (None, "", None, "/melden?workshop=AB12CD"),
])
def test_the_join_link_takes_the_public_address_when_one_is_set(page_url, base_path, public_url, link):
    assert app_link(page_url, base_path, "/melden?workshop=AB12CD", public_url) == link


@pytest.mark.parametrize("host, local", [
    ("localhost", True), ("LocalHost", True), ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", True), ("atlas.localhost", True),
    ("192.168.0.5", False), ("10.0.0.1", False), ("beteiligung.berlin.de", False), ("localhost.berlin.de", False),
    ("", False), (None, False),
])
def test_local_hosts_are_those_of_the_machine_itself(host, local):
    assert is_local_host(host) is local


@pytest.mark.parametrize("page_url, public_url, warn", [
    ("http://localhost:8501/workshop", None, True),
    ("http://127.0.0.1:8501/", None, True),
    ("http://[::1]:8501/", None, True),
    ("http://localhost:8501/workshop", "https://atlas.example.org", False),
    ("http://192.168.0.5:8501/workshop", None, False),
    ("http://[bad", None, False),  # no host to judge: no warning rather than a crash
    (None, None, False),
])
def test_the_page_warns_only_when_links_would_lead_to_localhost(page_url, public_url, warn):
    assert phones_cannot_open(page_url, public_url) is warn


class PageAddress:
    """Stands in for ``st.context``: the address the facilitator's browser opened, no cookies."""

    def __init__(self, url: str):
        self.url, self.cookies, self.headers = url, {}, {}


@pytest.fixture
def workshop_code(tmp_path, monkeypatch, settings_with_data) -> str:
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = open_store(settings_with_data, database_url=url)
    code = WorkshopBook(store).create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="02").code
    store.close()
    return code


def setup_page(monkeypatch, browser_url: str) -> AppTest:
    import streamlit

    monkeypatch.setattr(streamlit, "context", PageAddress(browser_url))
    at = AppTest.from_file(SETUP, default_timeout=90)
    at.session_state["user"] = FACILITATOR
    at.run()
    assert not at.exception, at.exception
    return at


def join_texts(at: AppTest) -> list[str]:
    return [e.value for e in at.text]


def test_the_qr_code_and_link_use_the_configured_public_address(workshop_code, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_PUBLIC_URL", "https://beteiligung.example.berlin/atlas/")
    at = setup_page(monkeypatch, "http://localhost:8501/workshop")
    join = f"https://beteiligung.example.berlin/atlas/melden?workshop={workshop_code}"
    assert join in join_texts(at)
    [qr] = at.get("image")
    assert qr.proto.imgs[0].alt == f"QR-Code: {join}"
    assert not [w for w in at.warning if "BEDARFSATLAS_PUBLIC_URL" in w.value]


def test_on_localhost_without_a_public_address_the_page_says_phones_cannot_open_it(workshop_code, monkeypatch):
    monkeypatch.delenv("BEDARFSATLAS_PUBLIC_URL", raising=False)
    at = setup_page(monkeypatch, "http://localhost:8501/workshop")
    assert f"http://localhost:8501/melden?workshop={workshop_code}" in join_texts(at)
    assert [w.value for w in at.warning] == [t("workshop.localhost_warning", "de")]
    assert "BEDARFSATLAS_PUBLIC_URL" in at.warning[0].value and "Handys" in at.warning[0].value


def test_opened_at_an_address_phones_reach_the_page_does_not_warn(workshop_code, monkeypatch):
    monkeypatch.delenv("BEDARFSATLAS_PUBLIC_URL", raising=False)
    at = setup_page(monkeypatch, "http://192.168.0.5:8501/workshop")
    assert f"http://192.168.0.5:8501/melden?workshop={workshop_code}" in join_texts(at)
    assert not at.warning


# --- /melden?workshop=CODE starts on the workshop's area ------------------------------------------

REPORT = str(ROOT / "pages/report_need.py")
NO_DISTRICTS = {"type": "FeatureCollection", "features": []}


def fitted_bounds(html: str) -> list[list[float]]:
    """The bounds of the map's one ``fitBounds`` call in a rendered folium map."""
    [bounds] = re.findall(r"\.fitBounds\(\s*(\[\[.*?\]\])", html)
    return json.loads(bounds)


def test_the_residents_map_starts_on_the_given_rectangle_south_west_first():
    html = report_map(NO_DISTRICTS, start_bbox=(13.40, 52.49, 13.44, 52.51)).get_root().render()
    assert fitted_bounds(html) == [[52.49, 13.40], [52.51, 13.44]]


def test_without_a_start_the_residents_map_shows_berlin():
    html = report_map(NO_DISTRICTS).get_root().render()
    assert fitted_bounds(html) == [list(corner) for corner in CITY_BOUNDS]


def test_a_chosen_place_wins_over_the_start():
    html = report_map(NO_DISTRICTS, pin=(52.5163, 13.3777), start_bbox=(13.40, 52.49, 13.44, 52.51)).get_root().render()
    # The map starts on the workshop's area, and the place's view (applied after it) moves it to the pin.
    assert fitted_bounds(html) == [[52.49, 13.40], [52.51, 13.44]]
    assert '.bedarfsatlasPlace({"view":{"center":[52.5163,13.3777],"zoom":15}' in html


def test_an_areas_box_is_the_least_and_greatest_of_its_drawn_corners(settings_with_data):
    """Friedrichshain-Kreuzberg (02): the box taken by hand from every corner of its drawn outline."""
    [feature] = [f for f in json.loads(display_geojson(settings_with_data, "BEZ"))["features"] if f["properties"]["id"] == "02"]
    corners = []

    def walk(coordinates):
        if isinstance(coordinates[0], (int, float)):
            corners.append(coordinates)
        else:
            for part in coordinates:
                walk(part)

    walk(feature["geometry"]["coordinates"])
    lons, lats = [c[0] for c in corners], [c[1] for c in corners]
    assert area_bbox(settings_with_data, "BEZ", "02") == pytest.approx((min(lons), min(lats), max(lons), max(lats)))
    west, south, east, north = area_bbox(settings_with_data, "BEZ", "02")
    # Kreuzberg lies between Mitte and Neukölln, about 13.37-13.49 E, 52.48-52.53 N (Berlin: 13.09-13.76 E, 52.34-52.68 N)
    assert 13.35 < west < east < 13.50 and 52.47 < south < north < 52.54
    assert area_bbox(settings_with_data, "BEZ", "99") is None


def test_the_report_page_of_a_workshop_link_starts_on_the_workshops_area(workshop_code, fake_map, settings_with_data):
    at = AppTest.from_file(REPORT, default_timeout=90)
    at.query_params["workshop"] = workshop_code  # the workshop is new (not open yet): its area is still the start
    at.run()
    assert not at.exception, at.exception
    west, south, east, north = area_bbox(settings_with_data, "BEZ", "02")
    (map_south, map_west), (map_north, map_east) = fitted_bounds(fake_map.calls[-1].fig.get_root().render())
    assert (map_south, map_west, map_north, map_east) == pytest.approx((south, west, north, east))

    plain = AppTest.from_file(REPORT, default_timeout=90)
    plain.run()
    assert fitted_bounds(fake_map.calls[-1].fig.get_root().render())[0][0] < 52.4  # all of Berlin again


def test_the_projectors_qr_code_leads_to_the_public_address_too(workshop_code, fake_map, monkeypatch, settings_with_data):
    monkeypatch.setenv("BEDARFSATLAS_PUBLIC_URL", "https://beteiligung.example.berlin/atlas")
    store = open_store(settings_with_data, database_url=os.environ["DATABASE_URL"])
    WorkshopBook(store).open(workshop_code)  # the projector invites only while the workshop is open
    store.close()
    import streamlit

    monkeypatch.setattr(streamlit, "context", PageAddress("http://localhost:8501/live"))
    at = AppTest.from_file(str(ROOT / "pages/workshop_live.py"), default_timeout=90)
    at.query_params["workshop"] = workshop_code
    at.run()
    assert not at.exception, at.exception
    [qr] = at.get("image")
    assert qr.proto.imgs[0].alt == f"QR-Code: https://beteiligung.example.berlin/atlas/melden?workshop={workshop_code}"
