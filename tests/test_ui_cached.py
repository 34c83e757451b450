"""ui.cached: the open data the screens load, keyed by the data version."""

from __future__ import annotations

from geodata.indicators import data_version
from ui.cached import display_geometry, facility_points, level_data, plr_points


def test_a_point_in_each_planning_area_carries_the_areas_name(settings_with_data):
    version = data_version(settings_with_data)
    points = plr_points(settings_with_data, version)
    assert len(points) == 542 and points["name"].notna().all()
    # Unter den Linden (01100206) holds the Brandenburg Gate; its point lies close by, inside the area.
    unter_den_linden = points.loc["01100206"]
    assert unter_den_linden["name"] == "Unter den Linden"
    assert abs(unter_den_linden["lat"] - 52.517) < 0.02 and abs(unter_den_linden["lon"] - 13.389) < 0.03


def test_each_load_gives_what_the_screens_draw(settings_with_data):
    version = data_version(settings_with_data)
    geojson, table = level_data(settings_with_data, "BEZ", version)
    assert geojson.startswith('{"type":"FeatureCollection"') and len(table) == 12 and table.at["01", "name"] == "Mitte"
    geometry = display_geometry(settings_with_data, "BEZ", version)
    assert sorted(geometry.index) == sorted(table.index) and geometry.crs.to_epsg() == 4326
    assert list(facility_points(settings_with_data, "schools", version).columns) == ["lat", "lon", "name"]
