"""Display geometry (geodata.display): light, gap-free, faithful, cached."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import shapely

from geodata import display
from geodata.catalogue import DATASETS
from geodata.display import build_display_geojson, display_geojson, display_units
from geodata.lor import LEVEL_ORDER, LEVELS, load_units
from core.settings import load_settings

# The map sends the PLR layer to every browser; the issue sets this budget.
PLR_GEOJSON_BUDGET_BYTES = 300_000


def test_plr_geojson_fits_the_budget(settings_with_data):
    size = len(display_geojson(settings_with_data, "PLR").encode("utf-8"))
    assert size < PLR_GEOJSON_BUDGET_BYTES


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_geojson_is_rfc7946_wgs84_with_ids_names_and_parent_ids(settings_with_data, level):
    collection = json.loads(display_geojson(settings_with_data, level))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection, "RFC 7946 has no crs member: coordinates are WGS84 lon/lat"
    official = load_units(settings_with_data, level)
    lvl = LEVELS[level]
    coarser = [LEVELS[c].id_column for c in LEVEL_ORDER[LEVEL_ORDER.index(level) + 1 :]]
    for feature in collection["features"]:
        props = feature["properties"]
        assert list(props) == ["id", "name", *coarser]
        row = official.loc[props["id"]]
        assert props["name"] == row[lvl.name_column]
        assert all(props[c] == row[c] for c in coarser)
    geometry = shapely.from_geojson([json.dumps(f["geometry"]) for f in collection["features"]])
    lon_lat = shapely.get_coordinates(geometry)
    # Berlin spans about 13.09–13.76 °E and 52.34–52.68 °N: longitude comes first.
    assert lon_lat[:, 0].min() > 13.0 and lon_lat[:, 0].max() < 13.8
    assert lon_lat[:, 1].min() > 52.3 and lon_lat[:, 1].max() < 52.7
    assert (np.round(lon_lat, 5) == lon_lat).all()
    # RFC 7946 right-hand rule: exterior rings counter-clockwise.
    polygons = shapely.get_parts(geometry)
    assert shapely.is_ccw(shapely.get_exterior_ring(polygons)).all()


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_display_units_hold_the_full_set_of_valid_non_empty_areas(settings_with_data, level):
    units = display_units(settings_with_data, level)
    official = load_units(settings_with_data, level)
    assert units.crs.to_epsg() == 4326
    assert list(units.index) == list(official.index)
    assert list(units["id"]) == list(official.index)
    assert list(units["name"]) == list(official[LEVELS[level].name_column])
    assert shapely.is_valid(units.geometry.array).all()
    assert not shapely.is_empty(units.geometry.array).any()


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_simplified_coverage_has_no_gaps_or_overlaps(settings_with_data, level):
    units = display_units(settings_with_data, level).to_crs("EPSG:25833")
    geometry = units.geometry.array
    assert shapely.coverage_is_valid(geometry)
    # Overlaps: the summed areas exceed the area of the union by the overlapping area.
    union = shapely.union_all(geometry)
    assert shapely.area(geometry).sum() - union.area < 1.0
    # Gaps: the official union has no holes and two parts (the city and one outlying piece).
    original = shapely.union_all(load_units(settings_with_data, "PLR").geometry.array)
    assert shapely.get_num_interior_rings(shapely.get_parts(original)).sum() == 0
    assert shapely.get_num_interior_rings(shapely.get_parts(union)).sum() == 0
    assert shapely.get_num_geometries(union) == shapely.get_num_geometries(original) == 2


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_simplified_areas_stay_close_to_the_official_ones(settings_with_data, level):
    shown = display_units(settings_with_data, level).to_crs("EPSG:25833").geometry.array
    official = load_units(settings_with_data, level).geometry.array
    # Simplification with a 60 m tolerance moves edges by tens of metres: the
    # smallest PLR (a few hectares) may change by some per cent, none by more than 15 %.
    changed = shapely.area(shapely.symmetric_difference(shown, official)) / shapely.area(official)
    assert changed.max() < 0.15
    assert shapely.hausdorff_distance(shown, official).max() < 250
    assert shapely.area(shown).sum() == pytest.approx(shapely.area(official).sum(), rel=1e-3)


@pytest.mark.parametrize("level", ["BZR", "PGR", "BEZ"])
def test_coarser_outlines_lie_exactly_on_the_plr_outlines(settings_with_data, level):
    plr = display_units(settings_with_data, "PLR")
    coarse = display_units(settings_with_data, level)
    id_column = LEVELS[level].id_column
    for area_id, shown in coarse.geometry.items():
        members = plr.geometry.array[(plr["id"].str.slice(0, LEVELS[level].id_length) == area_id).to_numpy()]
        assert len(members) > 0
        union = shapely.coverage_union_all(members)
        # In degrees²; 1e-12 deg² is well under a square metre.
        assert shapely.area(shapely.symmetric_difference(union, shown)) < 1e-12, (id_column, area_id)


@pytest.fixture
def settings_with_fresh_cache(settings_with_data, tmp_path):
    """Settings over a copy of the PLR file and an empty cache folder."""
    (tmp_path / "opendata").mkdir()
    name = DATASETS["lor_plr"].filename
    shutil.copy2(settings_with_data.raw_dir / name, tmp_path / "opendata" / name)
    display.clear_memory_cache()
    yield load_settings({"BEDARFSATLAS_DATA_DIR": str(tmp_path)})
    display.clear_memory_cache()


def test_first_call_writes_the_disk_cache_and_later_calls_read_it(settings_with_fresh_cache):
    settings = settings_with_fresh_cache
    folder = settings.cache_dir / "display"
    assert not folder.exists()
    built = display_geojson(settings, "BEZ")
    files = sorted(p.name for p in folder.iterdir())
    checksum = DATASETS["lor_plr"].sha256[:16]
    assert files == [f"lor_BEZ_{checksum}_v{display.ALGORITHM_VERSION}.geojson"], "no temporary files left"
    assert (folder / files[0]).read_text(encoding="utf-8") == built
    assert display_geojson(settings, "BEZ") is built, "in-memory cache"

    # A fresh process (no memory cache) takes the file as it is, without recomputing.
    marker = '{"type":"FeatureCollection","features":[]}'
    (folder / files[0]).write_text(marker, encoding="utf-8")
    display.clear_memory_cache()
    assert display_geojson(settings, "BEZ") == marker


def test_cached_and_freshly_built_geometry_are_identical(settings_with_fresh_cache):
    settings = settings_with_fresh_cache
    cold = display_units(settings, "PGR")
    display.clear_memory_cache()
    warm = display_units(settings, "PGR")
    assert cold is not warm
    assert cold.equals(warm)
    assert build_display_geojson(settings, "PGR") == display_geojson(settings, "PGR")


def test_unwritable_cache_folder_is_named_in_the_error(settings_with_fresh_cache):
    settings = settings_with_fresh_cache
    settings.cache_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.cache_dir.write_text("a file where the cache folder should be")
    with pytest.raises(display.DataError, match="display-geometry cache"):
        display_geojson(settings, "BEZ")
