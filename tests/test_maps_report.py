"""The residents' map (maps.resident) rendered to HTML: area names on the map, escaping."""

from __future__ import annotations

import json
import re

import geopandas as gpd
from shapely.geometry import Point, box, mapping, shape

from maps.resident import LABEL_ZOOM, NeedMarker, areas_around, label_points, report_map


def collection(*areas: tuple[str, str, tuple[float, float, float, float]]) -> dict:
    """A FeatureCollection of rectangles ``(id, name, (min_lon, min_lat, max_lon, max_lat))``."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": area_id, "properties": {"id": area_id, "name": name}, "geometry": mapping(box(*bounds))}
            for area_id, name, bounds in areas
        ],
    }


DISTRICTS = collection(("01", "Mitte", (13.30, 52.50, 13.45, 52.56)), ("02", "Friedrichshain-Kreuzberg", (13.45, 52.48, 13.52, 52.53)))
NEARBY = collection(("01100206", "Unter den Linden", (13.37, 52.51, 13.39, 52.52)), ("01100205", "Wilhelmstraße", (13.38, 52.50, 13.39, 52.51)))


def labels(html: str) -> tuple[list, float]:
    """The district labels and the zoom from which the names around a place replace them, as the script has them."""
    match = re.search(r"var districts = group\(L\.layerGroup\(\), (\[.*?\]), \"bez\"\);"
                      r".*?map\.getZoom\(\) >= ([0-9.]+);", html, re.S)
    assert match, "no area labels in the map script"
    return json.loads(match[1]), float(match[2])


def place_of(html: str) -> dict:
    """The place the map's script puts on the map (the data of ``map.bedarfsatlasPlace(...)``)."""
    [data] = re.findall(r"\.bedarfsatlasPlace\((\{.*?\})\);", html)
    return json.loads(data)


def test_district_names_stand_on_the_map_and_nearby_planning_areas_from_the_label_zoom_on():
    html = report_map(DISTRICTS, pin=(52.515, 13.38), nearby_areas=NEARBY).get_root().render()
    districts, zoom = labels(html)
    place = place_of(html)
    nearby = place["labels"]
    assert [name for _, _, name in districts] == ["Mitte", "Friedrichshain-Kreuzberg"]
    assert [name for _, _, name in nearby] == ["Unter den Linden", "Wilhelmstraße"]
    assert zoom == LABEL_ZOOM
    # Each label stands inside its area.
    for (lat, lon, _), feature in zip(districts + nearby, DISTRICTS["features"] + NEARBY["features"]):
        assert shape(feature["geometry"]).contains(Point(lon, lat))
    # Labels are tooltips of their own (shown without hovering), small and class-styled.
    assert 'className: "area-label area-label-" + kind' in html and ".leaflet-tooltip.area-label{" in html
    # The nearby Planungsräume are drawn as dashed outlines that do not catch the clicks meant for the map.
    assert [f["geometry"] for f in place["nearby"]["features"]] == [json.loads(json.dumps(f["geometry"]))
                                                                     for f in NEARBY["features"]]
    assert ('L.geoJson(place.nearby, {style: {"color": "#666666", "dashArray": "4 3", "fillOpacity": 0.0, '
            '"weight": 1}, interactive: false})') in html
    # Their names are not written twice: the landmarks leave them out.
    assert place["named"] == ["01100205", "01100206"]


def test_without_a_place_only_the_district_names_are_on_the_map():
    html = report_map(DISTRICTS).get_root().render()
    districts, _ = labels(html)
    place = place_of(html)
    assert len(districts) == 2 and place["labels"] == [] and place["view"] is None and place["pin"] is None


def test_area_names_are_inert_html():
    hostile = collection(("01", '<img src=x onerror="a()">{{ 7*7 }}', (13.30, 52.50, 13.45, 52.56)))
    html = report_map(hostile, nearby_areas=hostile).get_root().render()
    districts, _ = labels(html)
    nearby = place_of(html)["labels"]
    assert districts[0][2] == nearby[0][2] == "&lt;img src=x onerror=&quot;a()&quot;&gt;&#123;&#123; 7*7 &#125;&#125;"
    assert "<img src=x" not in html and "49" not in html.split("var districts")[1][:400]


def test_areas_around_names_the_planning_areas_near_a_place_only():
    units = gpd.GeoDataFrame(
        {"name": ["Unter den Linden", "Wilhelmstraße", "Spandau Mitte"]},
        index=["01100206", "01100205", "05100101"],
        geometry=[box(13.37, 52.51, 13.39, 52.52), box(13.38, 52.50, 13.39, 52.51), box(13.19, 52.53, 13.21, 52.54)],
        crs=4326,
    )
    around = areas_around(units, 52.5163, 13.3777)
    assert [(f["id"], f["properties"]["name"]) for f in around["features"]] == [
        ("01100206", "Unter den Linden"), ("01100205", "Wilhelmstraße"),
    ]
    assert areas_around(units, 52.5163, 13.3777, radius_m=100)["features"][0]["id"] == "01100206"


def test_names_of_nearby_areas_stand_close_to_the_place_where_the_area_reaches_it():
    # A long area (about 7 km west to east) whose middle is far outside a phone's view of the place.
    units = gpd.GeoDataFrame({"name": ["Langer Streifen"]}, index=["01"],
                             geometry=[box(13.30, 52.515, 13.40, 52.52)], crs=4326)
    place = (52.5175, 13.395)
    around = areas_around(units, *place)
    [(lat, lon, name)] = label_points(around["features"])
    assert name == "Langer Streifen"
    assert abs(lat - place[0]) * 111_320 < 400 and abs(lon - place[1]) * 67_800 < 400, (lat, lon)
    assert units.geometry["01"].contains(Point(lon, lat))
    # On the map the label stands there too.
    nearby = place_of(report_map(DISTRICTS, pin=place, nearby_areas=around).get_root().render())["labels"]
    assert nearby == [[round(lat, 6), round(lon, 6), "Langer Streifen"]]


def test_the_pin_image_comes_from_the_apps_own_leaflet_folder_named_before_the_marker():
    """Leaflet guesses the marker image's folder from leaflet.css; before that applies it guesses wrong (a 404)."""
    html = report_map({"type": "FeatureCollection", "features": []}, pin=(52.52, 13.38),
                      asset_base="/base/app/static/node_modules").get_root().render()
    path = html.index('L.Icon.Default.imagePath = "/base/app/static/node_modules/leaflet/dist/images/";')
    assert path < html.index("L.marker(")


def test_a_tap_on_a_need_opens_it_and_is_no_map_click_and_nothing_waits_for_a_hover():
    """Issue 18: on a phone a tap on a neighbour's dot moved the resident's pin onto it, and tooltips
    opened by a tap stayed over the map (a touch screen never sends "mouse out")."""
    needs = [NeedMarker(52.516, 13.381, "Bänke am Ufer", "Wohnen")]
    html = report_map(DISTRICTS, pin=(52.515, 13.38), needs=needs, lang="de").get_root().render()
    dot = html[html.index("L.circleMarker("):]
    assert '"bubblingMouseEvents": false' in dot[:dot.index(")")]  # the map never hears of the tap
    assert ".bindPopup(need[2], {" in dot
    assert place_of(html)["needs"] == [[52.516, 13.381, "<strong>Wohnen</strong><br>Bänke am Ufer"]]
    assert '"Schlie\\u00dfen"' in html or '"Schließen"' in html  # the close button in the page's language
    # No tooltips to hover: not on the Bezirke, not on the pin, not on the dots (the names stand on the map).
    assert "bindTooltip" not in html and "GeoJsonTooltip" not in html
    english = report_map(DISTRICTS, pin=(52.515, 13.38), needs=needs, lang="en").get_root().render()
    assert '"Close"' in english and 'pinLabel = "Your place"' in english
    assert "{alt: pinLabel, title: pinLabel}" in english
