"""LOR 2021 facts, checked against the real files.

The expected numbers come from the official LOR 2021 documentation (542 PLR,
143 BZR, 58 PGR, 12 Bezirke; ids BEZ(2)+PGR(2)+BZR(2)+PLR(2)) and from the
checks recorded in shared/opendata/berlin/SOURCES.md, not from this code.
"""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geodata.catalogue import DATASETS
from geodata.lor import LEVEL_ORDER, LEVELS, hierarchy, load_units, names, parent_ids, representative_points

OFFICIAL_COUNTS = {"PLR": 542, "BZR": 143, "PGR": 58, "BEZ": 12}
COARSER = {code: LEVEL_ORDER[i + 1 :] for i, code in enumerate(LEVEL_ORDER)}


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_official_count_of_units_with_unique_zero_padded_ids(settings_with_data, level):
    units = load_units(settings_with_data, level)
    lvl = LEVELS[level]
    assert len(units) == OFFICIAL_COUNTS[level]
    assert units.index.is_unique
    assert units.index.equals(pd.Index(units[lvl.id_column]))
    assert units.index.str.fullmatch(rf"\d{{{lvl.id_length}}}").all()


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_parent_ids_in_each_file_are_prefixes_of_the_id(settings_with_data, level):
    units = load_units(settings_with_data, level)
    for coarser in COARSER[level]:
        derived = units.index.str.slice(0, LEVELS[coarser].id_length)
        assert list(derived) == list(units[LEVELS[coarser].id_column]), coarser


@pytest.mark.parametrize("level", ["BZR", "PGR", "BEZ"])
def test_plr_file_names_every_coarser_area_as_its_own_file_does(settings_with_data, level):
    lvl = LEVELS[level]
    plr = load_units(settings_with_data, "PLR")
    from_plr = plr[[lvl.id_column, lvl.name_column]].drop_duplicates().set_index(lvl.id_column)
    assert from_plr.index.is_unique, f"one {level} id carries two names in the PLR file"
    assert set(parent_ids(plr["PLR_ID"], level)) == set(load_units(settings_with_data, level).index)
    pd.testing.assert_series_equal(
        from_plr[lvl.name_column].sort_index(),
        names(settings_with_data, level).sort_index(),
        check_names=False,
        check_index_type=False,
    )


def test_key_table_equals_the_hierarchy_of_the_plr_file(settings_with_data):
    key = pd.read_csv(
        settings_with_data.raw_dir / DATASETS["lor_key"].filename, dtype=str, keep_default_na=False
    )
    ours = hierarchy(settings_with_data)
    assert list(key.columns) == list(ours.columns)
    pd.testing.assert_frame_equal(
        key.sort_values("PLR_ID").reset_index(drop=True),
        ours.sort_values("PLR_ID").reset_index(drop=True).astype(key.dtypes.to_dict()),
    )


@pytest.mark.parametrize("level", ["BZR", "PGR", "BEZ"])
def test_plr_dissolved_by_id_is_the_official_geometry(settings_with_data, level):
    lvl = LEVELS[level]
    plr = load_units(settings_with_data, "PLR")
    official = load_units(settings_with_data, level)
    dissolved = plr[[lvl.id_column, "geometry"]].dissolve(by=lvl.id_column, method="coverage")
    dissolved = dissolved.geometry.reindex(official.index)
    assert dissolved.notna().all()
    difference = shapely.symmetric_difference(dissolved.array, official.geometry.array)
    # Official geometries are exact unions; 1 m² over the whole level allows only float noise.
    assert shapely.area(difference).sum() < 1.0


def test_plr_cover_berlin_without_overlaps(settings_with_data):
    plr = load_units(settings_with_data, "PLR")
    assert shapely.coverage_is_valid(plr.geometry.array)
    # SOURCES.md: planar area in EPSG:25833 is 890.667 km².
    assert plr.area.sum() / 1e6 == pytest.approx(890.667, abs=0.001)


def test_schlossstrasse_is_two_different_planning_areas(settings_with_data):
    plr = load_units(settings_with_data, "PLR")
    both = plr[plr["PLR_NAME"] == "Schloßstraße"]
    assert len(both) == 2
    assert both.index.nunique() == 2
    assert set(both["BEZ_NAME"]) == {"Charlottenburg-Wilmersdorf", "Steglitz-Zehlendorf"}
    assert not names(settings_with_data, "PLR").is_unique


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_representative_point_lies_well_inside_its_own_area(settings_with_data, level):
    points = representative_points(settings_with_data, level)
    units = load_units(settings_with_data, level)
    assert list(points.columns) == ["lat", "lon"]
    assert points.index.equals(units.index)
    assert points["lat"].between(52.3, 52.7).all() and points["lon"].between(13.0, 13.8).all()
    back = shapely.points(*_to_utm(points))
    # Stored needs round coordinates to 6 decimals (~0.1 m): the point must survive that.
    assert (shapely.distance(back, shapely.boundary(units.geometry.array)) > 1.0).all()
    assert shapely.contains_properly(units.geometry.array, back).all()


def _to_utm(points: pd.DataFrame) -> tuple:
    import pyproj

    transformer = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
    return transformer.transform(points["lon"].to_numpy(), points["lat"].to_numpy())


@pytest.mark.parametrize("code", LEVEL_ORDER)
def test_every_level_is_named_in_every_language(code):
    level = LEVELS[code]
    for lang in ("de", "en", "tr", "ar", "uk", "ls"):
        assert level.label(lang) and level.plural(lang)  # a language without its text falls back to German
    assert level.label("en") != level.label("de") and level.plural("en") != level.plural("de")
    assert level.label("de") != level.plural("de")
