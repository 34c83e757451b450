"""The place search on /melden and /karte, headless with AppTest (the map replaced by a fake on /melden).

A resident types a station's name (with a typo) and presses Enter, chooses the
result from the list, and the pin stands there at street zoom, "near U Kottbusser
Tor"; the need sent then is stored at the station's point. On /karte choosing a
result moves the planner's map there. With a geocoder that fails, the results
still come from the gazetteer and the page says the address search is unavailable.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threading

import pytest
from streamlit.testing.v1 import AppTest

from assessment.needs.store import open_store
from geodata.places import find_places
from tests.test_planner_page import open_page, planner_db  # noqa: F401 - the fixture is used below
from tests.test_report_page import PAGE, TIMEOUT_S, database_url, fill, store, submit, texts  # noqa: F401


@pytest.fixture
def kotti(settings_with_data):
    """The station as the gazetteer has it: the expected point and areas, from the gazetteer itself."""
    [station] = [p for p in find_places(settings_with_data, "U Kottbusser Tor") if p.name == "U Kottbusser Tor"]
    return station


def _search(at: AppTest, key: str, text: str) -> None:
    at.text_input(key=f"{key}_query").input(text).run()
    assert not at.exception, at.exception


def _results(at: AppTest, key: str):
    return at.selectbox(key=f"{key}_pick_{at.session_state[f'{key}_round']}")


@pytest.fixture
def report(fake_map, database_url) -> AppTest:  # noqa: F811 - database_url is the fixture imported above
    app = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    app.run()
    assert not app.exception, app.exception
    return app


def test_a_found_station_becomes_the_pin_at_street_zoom_and_the_need_is_stored_there(report, fake_map, store, kotti):
    at = report
    labels = [t.label for t in at.text_input]
    assert "Ort suchen" in labels  # a labelled field, before the map
    _search(at, "report_search", "kottbuser tor")
    results = _results(at, "report_search")
    assert results.label == f"{len(results.options)} Treffer"
    assert results.options[0] == "U Kottbusser Tor – U-Bahnhof, Wassertorplatz (Friedrichshain-Kreuzberg)"
    results.set_value(0).run()
    assert not at.exception, at.exception
    said = texts(at)
    assert "In der Nähe von U Kottbusser Tor: Planungsraum Wassertorplatz" in said
    assert "Bezirk Friedrichshain-Kreuzberg" in said
    view = fake_map.place()["view"]
    assert view["center"] == pytest.approx([kotti.lat, kotti.lon])
    assert view["zoom"] == 16
    # The lists without the map follow the found place.
    assert at.selectbox(key="report_bez").value == "02"
    assert at.selectbox(key="report_plr").value == kotti.areas["PLR_ID"]
    fill(at)
    submit(at)
    [need] = store.query(statuses=("pending",))
    assert (need.lat, need.lon) == pytest.approx((kotti.lat, kotti.lon))
    assert need.unit("PLR") == kotti.areas["PLR_ID"]


def test_a_map_click_after_the_search_moves_the_pin_and_forgets_the_station(report, fake_map):
    at = report
    _search(at, "report_search", "Hermannstrasse")
    _results(at, "report_search").set_value(0).run()
    assert "In der Nähe von S+U Hermannstr." in texts(at)
    fake_map.click(52.4680, 13.4330)
    at.run()
    at.run()
    assert "In der Nähe von" not in texts(at)
    assert "Ihr Ort liegt im Planungsraum" in texts(at)
    assert fake_map.place()["view"]["zoom"] == 15  # a click's zoom


def test_nothing_found_is_said_and_no_list_is_shown(report):
    at = report
    _search(at, "report_search", "xyzzy")
    assert "Kein Ort gefunden für „xyzzy“" in texts(at)
    assert not [s for s in at.selectbox if s.key and s.key.startswith("report_search_pick")]


class _Failing(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_geocoder(monkeypatch):
    """A geocoder on loopback that answers every request with HTTP 503, named in the settings."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("BEDARFSATLAS_GEOCODER_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("BEDARFSATLAS_GEOCODER_TIMEOUT", "1")
    yield
    server.shutdown()
    server.server_close()


def test_a_failing_geocoder_is_named_and_the_stations_still_answer(failing_geocoder, report):
    at = report
    _search(at, "report_search", "Kottbusser Tor")
    assert "Die Adresssuche ist gerade nicht erreichbar" in [w.value for w in at.warning][0], texts(at)
    assert _results(at, "report_search").options[0].startswith("U Kottbusser Tor")
    # The help says that addresses can be searched.
    assert "Adresse" in at.text_input(key="report_search_query").help


def test_the_planners_map_moves_to_the_chosen_place(planner_db, kotti):  # noqa: F811
    at = open_page()
    _search(at, "planner_search", "U Kottbusser Tor")
    results = _results(at, "planner_search")
    assert results.options[0].startswith("U Kottbusser Tor – U-Bahnhof")
    results.set_value(0).run()
    assert not at.exception, at.exception
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    assert round(args["zoom"]) == 16
    assert args["center"] == pytest.approx([kotti.lat, kotti.lon], abs=1e-6)
    # In English, the same result reads in English.
    at.session_state["lang"] = "en"
    at.run()
    assert _results(at, "planner_search").options[0] == (
        "U Kottbusser Tor – U-Bahn station, Wassertorplatz (Friedrichshain-Kreuzberg)")


def test_an_area_found_by_name_is_chosen_like_from_the_lists(report, fake_map, store, settings_with_data):
    from geodata.lor import names

    [region] = names(settings_with_data, "BZR").index[names(settings_with_data, "BZR") == "Neuköllner Mitte/Zentrum"]
    at = report
    _search(at, "report_search", "Neuköllner Mitte")
    results = _results(at, "report_search")
    assert results.options[0] == "Neuköllner Mitte/Zentrum – Bezirksregion, Neukölln"
    results.set_value(0).run()
    assert "Gewähltes Gebiet: Bezirksregion Neuköllner Mitte/Zentrum" in texts(at)
    assert (at.selectbox(key="report_bez").value, at.selectbox(key="report_bzr").value) == ("08", region)
    assert at.selectbox(key="report_plr").value is None
    place = fake_map.place()
    assert place["pin"] is None and "bounds" in place["view"]  # an area, not a pin: the map shows it whole
    fill(at)
    submit(at)
    [need] = store.query(statuses=("pending",))
    assert (need.located_by, need.area_level, need.unit("BZR")) == ("area", "BZR", region)
