"""Street addresses from the operator's geocoder, against a stub Nominatim/Photon/Pelias on loopback.

The stub is a tiny ``http.server`` in a thread. It answers ``/search``
(Nominatim), ``/api`` (Photon) and ``/v1/search`` (Pelias) with what the test told it: real-looking
JSON, an HTTP error, text that is not JSON, or nothing until after the
time-out. Whatever the geocoder does, the search still answers from the
gazetteer, and says when the address search was unavailable.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from core.settings import SettingsError, load_settings
from geodata import geocoder
from geodata.geocoder import GeocoderUnavailable, geocode_addresses
from geodata.places import search

# Adalbertstraße 96 at Kottbusser Tor (Kreuzberg), and the Potsdam main station (Brandenburg).
KOTTI_ADDRESS = (52.4995, 13.4190)
POTSDAM = (52.3916, 13.0669)


class Stub:
    """What the stub answers next (``mode``) and what it was asked (``requests``)."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[tuple[str, dict]] = []


def _nominatim_answer() -> list[dict]:
    return [
        {"lat": str(KOTTI_ADDRESS[0]), "lon": str(KOTTI_ADDRESS[1]), "name": "",
         "display_name": "96, Adalbertstraße, Kreuzberg, Friedrichshain-Kreuzberg, Berlin, 10999, Deutschland",
         "address": {"road": "Adalbertstraße", "house_number": "96", "postcode": "10999", "city": "Berlin"}},
        {"lat": str(POTSDAM[0]), "lon": str(POTSDAM[1]), "name": "Potsdam Hauptbahnhof",
         "display_name": "Potsdam Hauptbahnhof, Potsdam, Brandenburg, Deutschland", "address": {}},
    ]


def _photon_answer() -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [KOTTI_ADDRESS[1], KOTTI_ADDRESS[0]]},
         "properties": {"street": "Adalbertstraße", "housenumber": "96", "postcode": "10999", "city": "Berlin",
                        "country": "Deutschland"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [POTSDAM[1], POTSDAM[0]]},
         "properties": {"name": "Potsdam Hauptbahnhof", "city": "Potsdam", "country": "Deutschland"}},
    ]}


def _pelias_answer() -> dict:
    return {"geocoding": {"version": "0.2"}, "type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [KOTTI_ADDRESS[1], KOTTI_ADDRESS[0]]},
         "properties": {"layer": "address", "name": "Adalbertstraße 96", "housenumber": "96",
                        "street": "Adalbertstraße", "postalcode": "10999", "locality": "Berlin",
                        "label": "Adalbertstraße 96, Berlin, Deutschland"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [POTSDAM[1], POTSDAM[0]]},
         "properties": {"layer": "venue", "name": "Potsdam Hauptbahnhof", "locality": "Potsdam",
                        "label": "Potsdam Hauptbahnhof, Potsdam, Deutschland"}},
    ]}


@pytest.fixture
def stub():
    """A geocoding service on a free loopback port; yields ``(Stub, base URL)``."""
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            url = urlsplit(self.path)
            state.requests.append((url.path, parse_qs(url.query)))
            if state.mode == "slow":
                time.sleep(1.5)
            if state.mode == "error":
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"internal error")
                return
            if state.mode == "badjson":
                body = b"<html>maintenance</html>"
            elif state.mode == "shape":  # JSON, but a feature without its point
                body = json.dumps({"type": "FeatureCollection", "features": [{"properties": {}}]}).encode()
            elif url.path == "/search":
                body = json.dumps(_nominatim_answer()).encode()
            elif url.path == "/v1/search":
                body = json.dumps(_pelias_answer()).encode()
            else:
                body = json.dumps(_photon_answer()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (the time-out test)
                pass

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _settings(data_settings, url: str | None, kind: str = "nominatim", timeout: str = "1"):
    env = {"BEDARFSATLAS_DATA_DIR": str(data_settings.data_dir), "BEDARFSATLAS_GEOCODER_KIND": kind,
           "BEDARFSATLAS_GEOCODER_TIMEOUT": timeout}
    if url:
        env["BEDARFSATLAS_GEOCODER_URL"] = url
    return load_settings(env)


@pytest.mark.parametrize("kind", ["nominatim", "photon", "pelias"])
def test_addresses_in_berlin_follow_the_gazetteer_places(settings_with_data, stub, kind):
    state, url = stub
    answer = search(_settings(settings_with_data, url, kind), "Kottbusser Tor")
    assert answer.addresses_unavailable is None
    kinds = [p.kind for p in answer.places]
    assert kinds[0] == "U" and kinds[-1] == "address" and "address" not in kinds[:-1]
    address = answer.places[-1]
    # Potsdam lies in the stub's answer but outside Berlin's Planungsräume: dropped.
    assert address.name == "Adalbertstraße 96"
    assert address.areas["BEZ_NAME"] == "Friedrichshain-Kreuzberg"
    [(path, params)] = state.requests
    if kind == "nominatim":
        assert path == "/search"
        assert params["q"] == ["Kottbusser Tor"] and params["bounded"] == ["1"]
        assert params["viewbox"] == ["13.08,52.33,13.77,52.68"]
    elif kind == "photon":
        assert path == "/api"
        assert params["q"] == ["Kottbusser Tor"] and params["bbox"] == ["13.08,52.33,13.77,52.68"]
    else:
        assert path == "/v1/search"
        assert params["text"] == ["Kottbusser Tor"]
        assert [params[f"boundary.rect.{corner}"] for corner in ("min_lon", "min_lat", "max_lon", "max_lat")] == [
            ["13.08"], ["52.33"], ["13.77"], ["52.68"]]


@pytest.mark.parametrize("mode, reason", [("error", "500"), ("badjson", "GeocoderParseError"),
                                          ("slow", "GeocoderTimedOut")])
@pytest.mark.parametrize("kind", ["nominatim", "photon", "pelias"])
def test_a_failing_geocoder_leaves_the_gazetteer_answer(settings_with_data, stub, kind, mode, reason):
    state, url = stub
    state.mode = mode
    settings = _settings(settings_with_data, url, kind, timeout="0.5")
    with pytest.raises(GeocoderUnavailable, match=reason):
        geocode_addresses(settings, "Kottbusser Tor")
    started = time.monotonic()
    answer = search(settings, "Kottbusser Tor")
    assert time.monotonic() - started < 1.4  # the time-out, not the stub's 1.5 s
    assert answer.places and answer.places[0].name == "U Kottbusser Tor"
    assert all(p.kind != "address" for p in answer.places)
    assert reason in answer.addresses_unavailable and url in answer.addresses_unavailable


@pytest.mark.parametrize("kind", ["photon", "pelias"])
def test_an_answer_of_the_wrong_shape_is_unavailable(settings_with_data, stub, kind):
    state, url = stub
    state.mode = "shape"
    answer = search(_settings(settings_with_data, url, kind), "Kottbusser Tor")
    assert answer.places[0].name == "U Kottbusser Tor" and "Error" in answer.addresses_unavailable


def test_a_geocoder_that_is_not_there_is_unavailable(settings_with_data, stub):
    _, url = stub
    port = int(url.rsplit(":", 1)[1])
    closed = _settings(settings_with_data, f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}")
    answer = search(closed, "Hermannstr")
    assert answer.places[0].name == "S+U Hermannstr."
    assert answer.addresses_unavailable


def test_without_a_geocoder_no_request_leaves_the_server(settings_with_data, monkeypatch):
    def no_client(*args, **kwargs):
        raise AssertionError("a geocoder client was made without BEDARFSATLAS_GEOCODER_URL")

    monkeypatch.setattr(geocoder, "_client", no_client)
    answer = search(_settings(settings_with_data, None), "Kottbusser Tor")
    assert answer.places[0].name == "U Kottbusser Tor" and answer.addresses_unavailable is None
    assert geocode_addresses(_settings(settings_with_data, None), "Adalbertstraße 96") == []


@pytest.mark.parametrize(
    "env, message",
    [
        ({"BEDARFSATLAS_GEOCODER_URL": "nominatim.example.berlin"}, "must start with https:// or http://"),
        ({"BEDARFSATLAS_GEOCODER_KIND": "google"}, "must be one of nominatim, photon, pelias, got 'google'"),
        ({"BEDARFSATLAS_GEOCODER_TIMEOUT": "soon"}, "between 0 and 60, got 'soon'"),
        ({"BEDARFSATLAS_GEOCODER_TIMEOUT": "0"}, "between 0 and 60, got '0'"),
    ],
)
def test_geocoder_settings_name_the_bad_value(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_geocoder_settings_defaults():
    settings = load_settings({})
    assert (settings.geocoder_url, settings.geocoder_kind, settings.geocoder_timeout) == (None, "nominatim", 3.0)
