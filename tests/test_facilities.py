"""Facilities per planning area: every official point lands in exactly one PLR.

Expected totals are the feature counts documented in the open-data SOURCES.md
(section 6), not figures read back from the implementation.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import MultiPoint, Point, box

from geodata.catalogue import DATASETS
from geodata.facilities import FACILITY_TYPES, assign_plr, facilities_per_plr, facility_points, load_facilities
from geodata.lor import ANALYSIS_CRS, load_units

FILE_TOTALS = {"kitas": 2880, "schools": 902, "youth_centres": 407, "care_homes": 274, "pharmacies": 732}


@pytest.mark.parametrize("kind", list(FILE_TOTALS))
def test_every_facility_lies_in_a_planning_area(settings_with_data, kind):
    points = load_facilities(settings_with_data, kind)
    assert len(points) == FILE_TOTALS[kind] == DATASETS[FACILITY_TYPES[kind].dataset].rows
    plr_id = assign_plr(points, load_units(settings_with_data, "PLR"))
    outside = points[plr_id.isna()]
    assert outside.empty, f"{len(outside)} {kind} outside every PLR:\n{outside[['name', 'geometry']]}"


def test_counts_per_plr_sum_to_the_file_totals(settings_with_data):
    table = facilities_per_plr(settings_with_data)
    assert len(table) == 542
    assert {kind: int(table[kind].sum()) for kind in FILE_TOTALS} == FILE_TOTALS


def test_places_are_summed_from_the_raw_attribute(settings_with_data):
    table = facilities_per_plr(settings_with_data)
    for key, column, places_key in (("poi_kitas", "e_platz", "kita_places"),
                                    ("poi_care_homes", "platzzahl", "care_places")):
        raw = pyogrio.read_dataframe(settings_with_data.raw_dir / DATASETS[key].filename,
                                     columns=[column], read_geometry=False)
        expected = pd.to_numeric(raw[column], errors="coerce").sum()
        assert table[places_key].sum() == pytest.approx(expected)


def test_pharmacies_are_single_points(settings_with_data):
    pharmacies = load_facilities(settings_with_data, "pharmacies")
    assert set(pharmacies.geom_type) == {"Point"}


def test_boundary_point_is_counted_once_and_outside_point_is_missing():
    plr = gpd.GeoDataFrame({"PLR_ID": ["01100102", "01100101"]},
                           geometry=[box(1, 0, 2, 1), box(0, 0, 1, 1)], crs=ANALYSIS_CRS)
    points = gpd.GeoDataFrame(geometry=[Point(1, 0.5), Point(1.5, 0.5), Point(9, 9)], crs=ANALYSIS_CRS)
    assert assign_plr(points, plr).tolist() == ["01100101", "01100102", pd.NA]


def test_crs_mismatch_names_the_fix():
    plr = gpd.GeoDataFrame({"PLR_ID": ["01100101"]}, geometry=[box(0, 0, 1, 1)], crs=ANALYSIS_CRS)
    points = gpd.GeoDataFrame(geometry=[Point(13.4, 52.5)], crs="EPSG:4326")
    with pytest.raises(ValueError, match=r"to_crs"):
        assign_plr(points, plr)


def test_multipart_multipoint_is_rejected():
    from geodata.facilities import _single_points

    geometry = gpd.GeoSeries([MultiPoint([(0, 0), (1, 1)])])
    with pytest.raises(ValueError, match="2 parts"):
        _single_points(geometry, "poi_pharmacies")


@pytest.mark.parametrize("kind", ["kitas", "pharmacies"])
def test_facility_points_are_every_facility_in_wgs84_with_a_text_name(settings_with_data, kind):
    points = facility_points(settings_with_data, kind)
    assert list(points.columns) == ["lat", "lon", "name"] and len(points) == FILE_TOTALS[kind]
    # Berlin lies within 52.3-52.7 N and 13.0-13.8 E; metres (EPSG:25833) would be far outside.
    assert points["lat"].between(52.3, 52.7).all() and points["lon"].between(13.0, 13.8).all()
    assert points["name"].map(type).eq(str).all()


@pytest.mark.parametrize("kind", list(FACILITY_TYPES))
def test_every_facility_type_is_named_in_german_and_english(kind):
    ftype = FACILITY_TYPES[kind]
    assert ftype.label("de") and ftype.label("en") and ftype.label("de") != ftype.label("en")
    # A layer with places names them; one without has no such name.
    assert (ftype.places_label("de") is None) == (ftype.places_key is None)
    if ftype.places_key:
        assert ftype.places_label("de") != ftype.places_label("en")
