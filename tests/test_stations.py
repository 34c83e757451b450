"""The stations from the npm package vbb-stations: kinds, names, Berlin's extent, provenance."""

import json

import pytest

from geodata.catalogue import PACKAGED_DATASETS
from geodata.places import StationsMissing
from geodata.profiles.berlin.stations import RAIL_KINDS, load_stations


def _package(tmp_path, rows):
    folder = tmp_path / "vbb-stations"
    folder.mkdir()
    (folder / "data.json").write_text(json.dumps(rows), encoding="utf-8")
    return tmp_path


def test_stations_keep_berlin_merge_platforms_and_rank_by_weight(tmp_path):
    rows = [
        ["a1", "U Kottbusser Tor (Berlin) [U1]", 900.0, 52.4993, 13.4179],
        ["a2", "U Kottbusser Tor (Berlin) [U8]", 1200.0, 52.4990, 13.4183],
        ["b", "S+U Alexanderplatz Bhf (Berlin)", 5000.0, 52.5219, 13.4111],
        ["c", "Rathaus Spandau", 10.0, 52.5356, 13.1999],
        ["d", "Rathaus Spandau", 12.0, 52.5357, 13.2001],
        ["e", "Leipzig, Hbf", 371.0, 51.3455, 12.3821],
        ["f", "Rathaus Spandau", 8.0, 52.4500, 13.6000],
    ]
    stations = load_stations(_package(tmp_path, rows))
    assert stations["name"].tolist()[:2] == ["S+U Alexanderplatz Bhf", "U Kottbusser Tor"]
    kotti = stations.set_index("name").loc["U Kottbusser Tor"]
    assert (kotti["kind"], kotti["weight"]) == ("U", 1200.0)
    # Leipzig lies outside Berlin; two stops 20 m apart merge, one 20 km away stays.
    assert "Leipzig, Hbf" not in set(stations["name"])
    assert (stations["name"] == "Rathaus Spandau").sum() == 2
    rail = load_stations(tmp_path, kinds=RAIL_KINDS)
    assert set(rail["kind"]) == {"S+U", "U"}


def test_missing_package_names_the_install_command(tmp_path):
    with pytest.raises(StationsMissing, match="npm ci --prefix static"):
        load_stations(tmp_path)


def test_installed_package_matches_the_catalogue():
    """The pinned version in static/package.json is the one the catalogue cites."""
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    pinned = json.loads((root / "static" / "package.json").read_text())["dependencies"]["vbb-stations"]
    assert pinned == PACKAGED_DATASETS["vbb_stations"].version
    installed = root / "static" / "node_modules" / "vbb-stations" / "package.json"
    assert json.loads(installed.read_text())["version"] == pinned, "run `npm ci --prefix static`"
    stations = load_stations(kinds=RAIL_KINDS)
    assert "U Kottbusser Tor" in set(stations["name"])
    assert len(stations) > 150
