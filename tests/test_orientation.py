"""Landmarks without a base map: the rows (stations, planning-area names) and the layer that draws them."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geodata.orientation import AreaNameRow, Landmarks, StationRow, area_name_rows, landmarks, station_rows
from maps.orientation import LANDMARK_ZOOM, add_landmarks
from maps.planner import planner_base_map
from maps.resident import report_map

HOSTILE = '<img src=x onerror="window.__xss=1">{{ 7*7 }} ${window.__xss=1}'
DISTRICT = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "02", "properties": {"id": "02", "name": "Friedrichshain-Kreuzberg"},
     "geometry": {"type": "Polygon", "coordinates": [[[13.40, 52.48], [13.45, 52.48], [13.45, 52.52], [13.40, 52.48]]]}}]}
MARKS = Landmarks(
    (StationRow(52.49905, 13.41775, "U Kottbusser Tor", "U"), StationRow(52.5, 13.4, HOSTILE, "S")),
    (AreaNameRow(52.4987, 13.4196, "Oranienplatz", "02100103"), AreaNameRow(52.49, 13.41, HOSTILE, "02100104")),
    "VBB Verkehrsverbund Berlin-Brandenburg GmbH, GTFS timetable data, CC BY 4.0",
)


def landmark_data(html: str) -> tuple[list, list]:
    """The station and area rows the rendered map's script holds."""
    stations = json.loads(re.search(r"var stations = (\[.*?\]\]|\[\]);", html, re.S).group(1))
    areas = json.loads(re.search(r"var areas = (\[.*?\]\]|\[\]);", html, re.S).group(1))
    return stations, areas


def test_station_rows_keep_name_kind_and_rounded_place():
    frame = pd.DataFrame({"name": ["S+U Alexanderplatz", "S Ostkreuz"], "kind": ["S+U", "S"],
                          "lat": [52.5219184, 52.5029], "lon": [13.4132147, 13.469221]})
    assert station_rows(frame) == (StationRow(52.52192, 13.41321, "S+U Alexanderplatz", "S+U"),
                                   StationRow(52.5029, 13.46922, "S Ostkreuz", "S"))


def test_area_names_stand_inside_their_area_even_when_it_is_bent():
    # An L-shaped area: its centroid (about 13.416, 52.516) lies outside it, in the notch.
    bent = box(13.40, 52.50, 13.44, 52.51).union(box(13.40, 52.50, 13.41, 52.54))
    units = gpd.GeoDataFrame({"name": ["Winkel"]}, index=["01000001"], geometry=[bent], crs=4326)
    assert not bent.contains(bent.centroid)
    [row] = area_name_rows(units)
    assert (row.name, row.area_id) == ("Winkel", "01000001")
    assert bent.contains(Point(row.lon, row.lat))


def test_berlins_landmarks_are_the_rail_stations_and_all_542_planning_areas(settings_with_data):
    from geodata.display import display_units

    marks = landmarks(settings_with_data)
    assert len(marks.areas) == 542 and len({a.area_id for a in marks.areas}) == 542
    assert {s.kind for s in marks.stations} == {"S+U", "U", "S"}
    assert 250 <= len(marks.stations) <= 450  # U- and S-Bahn in Berlin: some 170 U and 170 S stations
    [kotti] = [s for s in marks.stations if s.name == "U Kottbusser Tor"]
    assert kotti.lat == pytest.approx(52.4990, abs=0.001) and kotti.lon == pytest.approx(13.4177, abs=0.001)
    plr = display_units(settings_with_data, "PLR")
    for row in marks.areas:
        assert plr.loc[row.area_id, "name"] == row.name
        assert plr.loc[row.area_id, "geometry"].contains(Point(row.lon, row.lat)), row
    assert "CC BY 4.0" in marks.attribution and "VBB" in marks.attribution
    # Few enough to go with every map: well under 100 KB of script.
    m = folium.Map(tiles=None)
    before = len(m.get_root().render())
    assert len(add_landmarks(folium.Map(tiles=None), marks).get_root().render()) - before < 60_000


def test_names_are_escaped_and_inert():
    html = add_landmarks(folium.Map(tiles=None), MARKS).get_root().render()
    assert "<img" not in html and "{{ 7*7 }}" not in html and "${window" not in html
    stations, areas = landmark_data(html)
    inert = "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;&#123;&#123; 7*7 &#125;&#125; $&#123;window.__xss=1&#125;"
    assert stations == [[52.49905, 13.41775, "U Kottbusser Tor", "U"], [52.5, 13.4, inert, "S"]]
    assert areas == [[52.4987, 13.4196, "Oranienplatz", "02100103"], [52.49, 13.41, inert, "02100104"]]


def test_the_layer_shows_from_street_zoom_and_takes_no_clicks():
    html = add_landmarks(folium.Map(tiles=None), MARKS).get_root().render()
    assert LANDMARK_ZOOM == 14
    assert "map.getZoom() >= 14.0" in html
    assert 'pane.style.pointerEvents = "none"' in html
    assert 'map.on("zoomend moveend viewreset", draw)' in html
    # Plain elements: no tooltip or marker that a click could open, or code could take for a need or the pin.
    assert "L.tooltip" not in html and "L.marker" not in html and "L.circleMarker" not in html
    assert json.dumps(MARKS.attribution) in html


def test_residents_map_draws_landmarks_but_not_twice_the_names_around_the_place():
    nearby = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "02100103", "properties": {"id": "02100103", "name": "Oranienplatz",
                                                             "label_at": [52.4987, 13.4196]},
         "geometry": {"type": "Polygon", "coordinates": [[[13.41, 52.49], [13.43, 52.49], [13.43, 52.51], [13.41, 52.49]]]}}]}
    assert "LandmarkLayer" not in report_map(DISTRICT).get_root().render()
    html = report_map(DISTRICT, pin=(52.499, 13.418), nearby_areas=nearby, landmarks=MARKS).get_root().render()
    stations, areas = landmark_data(html)
    assert [s[2] for s in stations][0] == "U Kottbusser Tor"
    # The base map holds every area's name (it is the same for every place) ...
    assert [a[3] for a in areas] == ["02100103", "02100104"]
    # ... and Oranienplatz, named by the map's own labels around the pin, is left out of the landmarks.
    [place] = re.findall(r"\.bedarfsatlasPlace\((\{.*?\})\);", html)
    assert json.loads(place)["named"] == ["02100103"]
    assert "map.bedarfsatlasLandmarks.hide(place.named)" in html and "!hidden[a[3]]" in html


def test_planners_map_draws_landmarks_only_when_given():
    assert "var stations" not in planner_base_map().get_root().render()
    stations, areas = landmark_data(planner_base_map(landmarks=MARKS).get_root().render())
    assert len(stations) == 2 and len(areas) == 2
