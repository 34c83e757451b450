"""Point -> LOR lookup (geodata.lookup) against the real PLR geometry.

Expected areas of the landmarks come from the map, not from this code: the
Brandenburger Tor stands in Mitte, Schloss Charlottenburg in
Charlottenburg-Wilmersdorf; Sanssouci (Potsdam) and BER (Schönefeld) are in
Brandenburg. The reference for many points is geopandas.sjoin.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from geodata.catalogue import DATASETS
from geodata.lookup import RESULT_COLUMNS, Locator, _built_locator, build_in_background, get_locator, locate_point
from geodata.lor import LEVEL_ORDER, LEVELS, load_units, representative_points
from core.settings import load_settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def locator(settings_with_data) -> Locator:
    """The cached locator over the real PLR."""
    return get_locator(settings_with_data)


@pytest.mark.parametrize(
    ("lat", "lon", "bezirk"),
    [
        (52.5163, 13.3777, "Mitte"),  # Brandenburger Tor
        (52.5209, 13.2957, "Charlottenburg-Wilmersdorf"),  # Schloss Charlottenburg
    ],
)
def test_landmark_lies_in_its_bezirk(locator, lat, lon, bezirk):
    answer = locator.locate(lat, lon)
    assert answer is not None
    assert answer["BEZ_NAME"] == bezirk
    assert list(answer) == list(RESULT_COLUMNS)
    # The answer is one consistent row of the hierarchy: parents are id prefixes.
    for level in LEVEL_ORDER[1:]:
        assert answer["PLR_ID"].startswith(answer[LEVELS[level].id_column])


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (52.4043, 13.0384),  # Sanssouci, Potsdam
        (52.3667, 13.5033),  # BER airport terminal, Schönefeld
        (0.0, 0.0),
        (13.3777, 52.5163),  # Brandenburger Tor with lat and lon swapped
        (math.nan, 13.3777),
        (52.5163, math.nan),
        (math.inf, 13.3777),
        (52.5163, -math.inf),
        (91.0, 13.3777),
    ],
)
def test_outside_berlin_or_not_a_number_is_none(locator, lat, lon):
    assert locator.locate(lat, lon) is None


def _shared_vertex(plr: gpd.GeoDataFrame) -> tuple[float, float]:
    """A vertex that two PLR both have in their boundary (taken from the real geometry)."""
    first, second = plr.iloc[0], None
    for _, other in plr.iloc[1:].iterrows():
        if shapely.touches(first.geometry, other.geometry):
            second = other
            break
    assert second is not None
    common = set(map(tuple, shapely.get_coordinates(first.geometry))) & set(
        map(tuple, shapely.get_coordinates(second.geometry))
    )
    return sorted(common)[0]


def test_point_exactly_on_a_shared_vertex_gets_the_lowest_covering_id(locator, settings_with_data):
    plr = load_units(settings_with_data, "PLR")
    x, y = _shared_vertex(plr)
    vertex = shapely.Point(x, y)
    covering = sorted(plr.index[shapely.intersects(plr.geometry.array, vertex)])
    assert len(covering) >= 2, "the vertex must lie on the border of at least two PLR"
    assert not shapely.contains(plr.geometry.array, vertex).any(), "on the boundary, in no interior"
    position = locator.positions_xy([x], [y])
    assert locator.plr_ids()[position[0]] == covering[0]


def test_shared_vertex_given_in_wgs84_gets_exactly_one_of_its_areas(locator, settings_with_data):
    plr = load_units(settings_with_data, "PLR")
    x, y = _shared_vertex(plr)
    covering = set(plr.index[shapely.intersects(plr.geometry.array, shapely.Point(x, y))])
    to_wgs84 = pyproj.Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(x, y)
    answer = locator.locate(lat, lon)
    assert answer is not None and answer["PLR_ID"] in covering
    # Deterministic: the same point alone, twice, and among others gets the same area.
    assert locator.locate(lat, lon) == answer
    many = locator.locate_many([52.5163, lat, 0.0], [13.3777, lon, 0.0])
    assert many["PLR_ID"].iloc[1] == answer["PLR_ID"]


def test_point_on_the_outer_boundary_of_berlin_belongs_to_its_plr(locator, settings_with_data):
    plr = load_units(settings_with_data, "PLR")
    berlin = shapely.coverage_union_all(plr.geometry.array)
    x, y = shapely.get_coordinates(shapely.get_exterior_ring(shapely.get_geometry(berlin, 0)))[0]
    covering = sorted(plr.index[shapely.intersects(plr.geometry.array, shapely.Point(x, y))])
    assert len(covering) >= 1
    assert locator.plr_ids()[locator.positions_xy([x], [y])[0]] == covering[0]


def test_locate_many_equals_geopandas_sjoin_on_random_points(locator, settings_with_data):
    plr = load_units(settings_with_data, "PLR")
    rng = np.random.default_rng(20211)
    west, south, east, north = plr.to_crs("EPSG:4326").total_bounds
    lats = rng.uniform(south, north, 5000)
    lons = rng.uniform(west, east, 5000)
    ours = locator.locate_many(lats, lons)

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326").to_crs(plr.crs)
    joined = gpd.sjoin(points, plr.reset_index(drop=True), how="left", predicate="within")
    assert joined.index.is_unique, "random points never lie on a border"
    expected = pd.DataFrame(joined[list(RESULT_COLUMNS)]).astype("str")
    assert 1000 < ours["PLR_ID"].notna().sum() < 5000, "the bbox holds points in and outside Berlin"
    pd.testing.assert_frame_equal(ours, expected, check_index_type=False)


def test_locate_many_keeps_order_index_and_marks_outside_as_missing(locator):
    lats = pd.Series([52.5209, math.nan, 52.5163, 52.4043], index=[10, 11, 12, 13])
    lons = pd.Series([13.2957, 13.0, 13.3777, 13.0384], index=[10, 11, 12, 13])
    result = locator.locate_many(lats, lons)
    assert list(result.index) == [10, 11, 12, 13]
    assert list(result.columns) == list(RESULT_COLUMNS)
    assert result["BEZ_NAME"].iloc[0] == "Charlottenburg-Wilmersdorf"
    assert result["BEZ_NAME"].iloc[2] == "Mitte"
    assert result.iloc[[1, 3]].isna().all().all()
    reversed_result = locator.locate_many(lats.to_numpy()[::-1], lons.to_numpy()[::-1])
    assert list(reversed_result["PLR_ID"].fillna("-")) == list(result["PLR_ID"].fillna("-"))[::-1]
    assert locator.locate_many([], []).shape == (0, len(RESULT_COLUMNS))


def test_locate_many_rejects_lists_of_different_length(locator):
    with pytest.raises(ValueError, match="2 latitudes and 1 longitudes"):
        locator.locate_many([52.5, 52.6], [13.4])


def test_locator_rejects_geometry_in_wgs84(settings_with_data):
    with pytest.raises(ValueError, match="to_crs"):
        Locator(load_units(settings_with_data, "PLR").to_crs("EPSG:4326"))


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_representative_point_locates_back_to_its_own_area(locator, settings_with_data, level):
    points = representative_points(settings_with_data, level)
    found = locator.locate_many(points["lat"], points["lon"])
    assert list(found[LEVELS[level].id_column]) == list(points.index)


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_locator_is_cached_per_file_version(settings_with_data, tmp_path):
    assert get_locator(settings_with_data) is get_locator(settings_with_data)
    plr_file = settings_with_data.raw_dir / DATASETS["lor_plr"].filename
    copy_settings = load_settings({"BEDARFSATLAS_DATA_DIR": str(tmp_path)})
    (tmp_path / "opendata").mkdir()
    copied = shutil.copy2(plr_file, tmp_path / "opendata" / plr_file.name)
    first = get_locator(copy_settings)
    assert first is not get_locator(settings_with_data)
    assert get_locator(copy_settings) is first
    os.utime(copied, (1_700_000_000, 1_700_000_000))  # a re-fetched file has a new mtime
    assert get_locator(copy_settings) is not first
    assert locate_point(copy_settings, 52.5163, 13.3777)["BEZ_NAME"] == "Mitte"


def test_the_locator_is_built_in_the_background_and_then_shared(settings_with_data, tmp_path):
    plr_file = settings_with_data.raw_dir / DATASETS["lor_plr"].filename
    copy_settings = load_settings({"BEDARFSATLAS_DATA_DIR": str(tmp_path)})
    (tmp_path / "opendata").mkdir()
    shutil.copy2(plr_file, tmp_path / "opendata" / plr_file.name)
    built_before = _built_locator.cache_info().misses
    thread = build_in_background(copy_settings)
    thread.join(timeout=120)
    assert not thread.is_alive() and thread.daemon
    assert _built_locator.cache_info().misses == built_before + 1  # built there, once
    hits = _built_locator.cache_info().hits
    assert get_locator(copy_settings).locate(52.5163, 13.3777)["BEZ_NAME"] == "Mitte"
    assert _built_locator.cache_info().hits == hits + 1  # the page's call finds it built


def test_building_in_the_background_without_data_leaves_the_report_to_the_page(tmp_path):
    empty = load_settings({"BEDARFSATLAS_DATA_DIR": str(tmp_path)})
    thread = build_in_background(empty)
    thread.join(timeout=30)
    assert not thread.is_alive()
    from geodata.fetch import DataError
    with pytest.raises(DataError, match="fetch"):
        get_locator(empty)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geodata", "locate", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_cli_prints_the_areas_of_a_point_in_berlin_as_json(settings_with_data):
    done = _cli("52.5163", "13.3777")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["BEZ_NAME"] == "Mitte"
    assert set(answer) == set(RESULT_COLUMNS)


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_cli_exits_1_with_a_message_for_a_point_outside_berlin(settings_with_data):
    done = _cli("52.4043", "13.0384")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "outside Berlin" in done.stderr and "52.4043" in done.stderr


def test_sessions_asking_at_once_share_one_locator_and_never_prepare_the_shared_layer(settings_with_data):
    """The first pins after a start came from several sessions at once: each built a locator and
    prepared the cached layer's own polygons side by side, and GEOS crashed the process (SIGSEGV).
    Now one build runs while the others wait, on copies of the polygons."""
    import threading

    from geodata import lookup

    lookup._built_locator.cache_clear()
    barrier = threading.Barrier(8)
    got, errors = [], []

    def first_pin():
        try:
            barrier.wait()
            got.append(get_locator(settings_with_data))
            got[-1].locate(52.5163, 13.3777)
        except Exception as error:  # noqa: BLE001 - collected and shown below
            errors.append(error)

    threads = [threading.Thread(target=first_pin) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({id(locator) for locator in got}) == 1
    layer = load_units(settings_with_data, "PLR").geometry.array
    assert not shapely.is_prepared(np.asarray(layer, dtype=object)).any()
    assert got[0].locate(52.5163, 13.3777)["PLR_ID"] == "01100206"
