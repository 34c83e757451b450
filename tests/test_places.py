"""Place search: the normal form, ranking on the real gazetteer, its cache, and ``python -m geodata find``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from geodata import places
from geodata.places import AREA_COLUMNS, PlaceIndex, normalise

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "typed, named",
    [
        ("Hermannstrasse", "S+U Hermannstr."),
        ("hermannstraße", "Hermannstr."),
        ("HERMANNSTR", "hermannstrasse"),
        ("Schoenhauser Allee", "S+U Schönhauser Allee"),
        ("s+u alexanderplatz", "S+U Alexanderplatz Bhf"),
        ("U Kottbusser Tor", "Kottbusser Tor"),
        ("S Ostkreuz", "Ostkreuz"),
        ("Straße des 17. Juni", "Str. des 17. Juni"),
        ("Cafe Nino", "Café Niño"),
        ("Mehringplatz", "Mehringpl."),
    ],
)
def test_spellings_of_one_name_have_one_normal_form(typed, named):
    assert normalise(typed) == normalise(named)


def test_the_normal_form_keeps_words_apart_and_names_intact():
    assert normalise("Lindenstr./Oranienstr.") == "lindenstr oranienstr"
    assert normalise("Ulmenallee") == "ulmenallee"  # a leading "U" in a word is not a mode prefix
    assert normalise("Str. der Pariser Kommune") == "str der pariser kommune"
    assert normalise("   ") == ""


def _index(*rows: tuple[str, str, float]) -> PlaceIndex:
    frame = pd.DataFrame(rows, columns=["name", "kind", "weight"]).assign(lat=52.5, lon=13.4)
    frame["key"] = frame["name"].map(normalise)
    for column in AREA_COLUMNS:
        frame[column] = "x"
    return PlaceIndex(frame)


def test_of_equally_good_matches_the_busiest_comes_first():
    index = _index(("Alexanderplatz", "BZR", 8000.0), ("U Alexanderplatz", "U", 5079.0),
                   ("S+U Alexanderplatz", "S+U", 37250.0))
    assert [p.name for p in index.search("alexanderplatz")] == [
        "S+U Alexanderplatz", "Alexanderplatz", "U Alexanderplatz"]


def test_a_whole_match_beats_a_word_that_starts_with_the_query():
    # 100 for the whole name against 90 for a word start, more than any weight bonus (6 points at most).
    index = _index(("Rathaus Steglitz", "Haltestelle", 40000.0), ("Rathaus", "Haltestelle", 1.0))
    assert [p.name for p in index.search("Rathaus")] == ["Rathaus", "Rathaus Steglitz"]


def test_scores_are_computed_as_documented():
    index = _index(("S+U Berlin Hauptbahnhof", "S+U", 43036.5), ("Tiny stop", "Haltestelle", 0.0))
    [found] = index.search("hauptbahnhof")
    # The word "hauptbahnhof" of "berlin hauptbahnhof" equals the query: 0.9 * 100, plus the full weight bonus.
    assert found.score == pytest.approx(90.0 + 6.0)
    assert index.search("tiny stop")[0].score == pytest.approx(100.0)  # weight 0: no bonus


# --- the real gazetteer (open data and the installed vbb-stations package) -------------------------


@pytest.fixture(scope="module")
def index(settings_with_data) -> PlaceIndex:
    return places.place_index(settings_with_data)


@pytest.mark.parametrize(
    "typed, first, kind",
    [
        ("kottbuser tor", "U Kottbusser Tor", "U"),  # one letter missing
        ("Hermannstrasse", "S+U Hermannstr.", "S+U"),
        ("s+u alex", "S+U Alexanderplatz", "S+U"),
        ("Schoenhauser Allee", "S+U Schönhauser Allee", "S+U"),
        ("schonhauser allee", "S+U Schönhauser Allee", "S+U"),  # umlaut left out
        ("Hauptbanhof", "S+U Berlin Hauptbahnhof", "S+U"),  # typo, and a later word of the name
        ("warschauer strasse", "S+U Warschauer Str.", "S+U"),
        ("Neukölln", "Neukölln", "BEZ"),
        ("Kita Kinderwelt", "Kita Kinderwelt", "kitas"),
    ],
)
def test_the_place_people_mean_comes_first(index, typed, first, kind):
    found = index.search(typed)
    assert (found[0].name, found[0].kind) == (first, kind), [p.name for p in found]


def test_a_result_carries_its_lor_areas(index):
    kotti = index.search("U Kottbusser Tor")[0]
    assert kotti.areas["BEZ_NAME"] == "Friedrichshain-Kreuzberg"
    assert kotti.areas["PLR_ID"].startswith(kotti.areas["BZR_ID"]) and kotti.areas["BZR_ID"].startswith("02")
    assert kotti.zoom == 16
    assert set(kotti.as_json()) == {"name", "kind", "lat", "lon", *AREA_COLUMNS}


def test_gazetteer_holds_all_sources_and_only_places_in_berlin(index):
    kinds = index.rows["kind"].value_counts()
    assert kinds["BEZ"] == 12 and kinds["PGR"] == 58 and kinds["BZR"] == 143 and kinds["PLR"] == 542
    for kind in ("S+U", "U", "S", "Haltestelle", "kitas", "schools", "youth_centres", "care_homes", "pharmacies"):
        assert kinds[kind] > 0, kind
    assert index.rows["PLR_ID"].notna().all()
    # In Berlin's bounding box, but in Brandenburg: the LOR lookup drops them.
    for outside in ("S Erkner", "S Griebnitzsee", "S Hennigsdorf"):
        assert outside not in set(index.rows["name"]), outside
    assert "S Grünau" in set(index.rows["name"])


def test_nothing_is_found_for_nonsense(index):
    assert index.search("xyzzy") == []
    assert index.search("") == []


def test_a_query_answers_in_under_50_ms(index):
    index.search("warm")  # the first query of a length cuts the names once
    timings = []
    for query in ["kottbuser tor", "Hermannstrasse", "s+u alex", "Schoenhauser Allee"] * 3:
        start = time.perf_counter()
        index.search(query)
        timings.append(time.perf_counter() - start)
    assert sorted(timings)[len(timings) // 2] < 0.050


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_the_cache_file_is_rebuilt_when_an_input_changes(settings_with_data, tmp_path):
    """A copy of the data folder: touching the stations file gives a new cache file name."""
    from core.settings import load_settings

    data = tmp_path / "data"
    (data / "opendata").mkdir(parents=True)
    for path in settings_with_data.raw_dir.iterdir():
        (data / "opendata" / path.name).symlink_to(path.resolve())
    stations = tmp_path / "node_modules" / "vbb-stations"
    stations.mkdir(parents=True)
    original = ROOT / "static" / "node_modules" / "vbb-stations" / "data.json"
    (stations / "data.json").write_bytes(original.read_bytes())
    settings = load_settings({"BEDARFSATLAS_DATA_DIR": str(data)})
    first = places.ensure_gazetteer(settings, stations.parent)
    assert first.is_file() and first.parent == data / "cache" / "places"
    assert places.ensure_gazetteer(settings, stations.parent) == first  # same inputs: same file
    rows = json.loads((stations / "data.json").read_text())
    rows.append(["x", "Teststelle Bedarfsatlas (Berlin)", 1.0, 52.5163, 13.3777])
    (stations / "data.json").write_text(json.dumps(rows))
    os.utime(stations / "data.json", ns=(time.time_ns(), time.time_ns() + 10**9))
    second = places.ensure_gazetteer(settings, stations.parent)
    assert second != first
    assert "Teststelle Bedarfsatlas" in set(pd.read_parquet(second)["name"])


# --- the command line -------------------------------------------------------------------------------


def _find(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geodata", "find", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_cli_prints_the_best_matches_as_json(settings_with_data):
    done = _find("s+u alex", "--limit", "3")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert len(found) == 3
    first = found[0]
    assert (first["name"], first["kind"], first["BEZ_ID"], first["BEZ_NAME"]) == (
        "S+U Alexanderplatz", "S+U", "01", "Mitte")
    assert first["PLR_ID"].startswith(first["BZR_ID"]) and first["BZR_ID"].startswith(first["PGR_ID"])
    assert 52.51 < first["lat"] < 52.53 and 13.40 < first["lon"] < 13.42


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_cli_exits_1_with_a_message_when_nothing_matches(settings_with_data):
    done = _find("xyzzy")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "no place found for 'xyzzy'" in done.stderr


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_fetch_builds_the_gazetteer_into_the_data_folder(settings_with_data, tmp_path):
    """The install step's `geodata fetch` leaves the place search ready: no first visitor waits for the build."""
    data = tmp_path / "data"
    (data / "opendata").mkdir(parents=True)
    for path in settings_with_data.raw_dir.iterdir():
        (data / "opendata" / path.name).symlink_to(path.resolve())
    done = subprocess.run([sys.executable, "-m", "geodata", "fetch"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "BEDARFSATLAS_DATA_DIR": str(data)})
    assert done.returncode == 0, done.stderr
    [built] = (data / "cache" / "places").glob("gazetteer_*.parquet")
    assert f"Place search: {len(pd.read_parquet(built))} places in {built}" in done.stdout


def test_cli_without_the_open_data_names_the_fetch_command(tmp_path):
    done = _find("Kottbusser Tor", env={"BEDARFSATLAS_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2
    assert "python -m geodata fetch" in done.stderr and done.stdout == ""
