"""maps.planner: a stable base map, local assets only, escaped texts; what the browser reports; one view's exports."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit_folium import _get_map_string

from geodata.indicators import INDICATORS
from maps.classify import classify_numeric
from maps.base import ASSET_BASE, indicator_layer, value_texts
from maps.static import _rgb
from maps.planner import (
    CATEGORY_COLOURS,
    FACILITY_COLOURS,
    POINT_LIMIT,
    PlannerMap,
    area_layer,
    category_swatches,
    clicked_area,
    facilities_layer,
    facility_swatches,
    focus_layer,
    needs_layer,
    planner_base_map,
    png_points,
    standalone_html,
)
from maps.view import MapView, reported_bounds, reported_view

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "static" / "node_modules"
HOSTILE = '<img src=x onerror="alert(1)">'

AREAS = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "id": area_id, "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [[[x, 52.5], [x + 0.1, 52.5], [x + 0.1, 52.6], [x, 52.5]]]}}
        for area_id, x in (("01", 13.3), ("02", 13.4))
    ],
}
VALUES = pd.Series([1.5, None], index=["01", "02"])
NEEDS = pd.DataFrame({"lat": [52.51, 52.52], "lon": [13.35, 13.45], "category": ["mobility", "housing"],
                      "title": [HOSTILE, "Bank </script><script>alert(2)</script>"]})


def full_map(focus=None):
    m = planner_base_map()
    area_layer(AREAS, classify_numeric(VALUES), pd.Series([HOSTILE, "Mitte"], index=["01", "02"]),
               value_text=value_texts(VALUES, decimals=1, unit="%"), area_label="Bezirk",
               indicator_label="Anteil <b>", attribution="AfS & SenSBW").add_to(m)
    focus_layer(AREAS, focus).add_to(m)
    needs_layer(NEEDS, None, mode="points", categories=("mobility", "housing")).add_to(m)
    needs_layer(NEEDS, None, mode="heat").add_to(m)
    facilities_layer({"kitas": pd.DataFrame({"lat": [52.5], "lon": [13.4], "name": [HOSTILE]})}, {"kitas": "Kitas"}).add_to(m)
    return m


def test_the_base_map_script_does_not_depend_on_the_layers():
    # streamlit-folium keys the Leaflet map by its script: equal scripts keep zoom and pan.
    plain, layered = planner_base_map(), full_map()
    plain.render()
    layered.render()
    assert _get_map_string(planner_base_map()) == _get_map_string(planner_base_map())
    script = _get_map_string(plain)
    assert "fitBounds" in script
    assert '"maxZoom": 18' in script  # Leaflet.markercluster does not start without it


def test_every_asset_is_local_and_exists():
    page = full_map().get_root().render()
    urls = re.findall(r'<script src="([^"]+)"', page) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert any("leaflet.markercluster.js" in u for u in urls) and any("leaflet-heat.js" in u for u in urls)
    for url in urls:
        assert url.startswith(ASSET_BASE + "/"), url
        assert (NODE_MODULES / url[len(ASSET_BASE) + 1:]).is_file(), url
    assert "http://" not in page and "https://" not in page and "cdn" not in page.lower()


def test_user_texts_are_escaped_in_tooltips():
    page = full_map().get_root().render()
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "alert(2)</script>" not in page
    # folium writes aliases and the attribution as JSON: the escaped "&" appears as \u0026.
    assert "Anteil \\u0026lt;b\\u0026gt;" in page and "AfS \\u0026amp; SenSBW" in page
    assert "Anteil <b>" not in page


def test_areas_are_addressable_and_the_focus_is_outlined():
    page = full_map(focus="02").get_root().render()
    assert page.count('"className": "planner-area"') >= 1
    assert "planner-focus" in page
    assert "planner-focus" not in full_map().get_root().render()


def test_many_needs_become_one_circle_per_area():
    per_area = pd.DataFrame({"lat": [52.5, 52.6], "lon": [13.4, 13.5], "name": ["Mitte <1>", "Nord"],
                             "count": [40_000, 0]})
    m = planner_base_map()
    needs_layer(None, per_area, mode="points").add_to(m)
    page = m.get_root().render()
    assert "Mitte &lt;1&gt;: 40.000" in page
    assert "Nord" not in page  # areas without needs get no circle
    heat = planner_base_map()
    needs_layer(None, per_area, mode="heat").add_to(heat)
    assert "[52.5, 13.4, 40000.0]" in heat.get_root().render()
    with pytest.raises(ValueError, match="give needs"):
        needs_layer(None, None)
    with pytest.raises(ValueError, match="got 'clusters'"):
        needs_layer(NEEDS, None, mode="clusters")


def test_point_layer_stays_small_at_the_point_limit():
    many = pd.DataFrame({"lat": [52.5] * POINT_LIMIT, "lon": [13.4] * POINT_LIMIT, "category": ["mobility"] * POINT_LIMIT,
                         "title": ["Mehr Bänke im Park am See"] * POINT_LIMIT})
    m = planner_base_map()
    needs_layer(many, None, mode="points", categories=("mobility",)).add_to(m)
    # About 70 bytes per need instead of ~600 for one folium marker each.
    assert len(m.get_root().render()) < POINT_LIMIT * 120


def test_standalone_html_inlines_the_assets():
    page = standalone_html(full_map(), NODE_MODULES, attribution="Quelle <AfS>")
    assert ASSET_BASE not in page
    assert "L.markerClusterGroup" in page and "Leaflet" in page
    assert "Quelle &lt;AfS&gt;" in page
    with pytest.raises(FileNotFoundError, match="npm ci"):
        standalone_html(full_map(), ROOT / "no-such-folder")


# --- what the browser reports back -------------------------------------------------------------

CENTRE = {"lat": 52.52, "lng": 13.40}
VIEW = {"_southWest": {"lat": 52.4, "lng": 13.2}, "_northEast": {"lat": 52.6, "lng": 13.6}}


@pytest.mark.parametrize(
    "returned, expected",
    [
        ({"zoom": 12, "center": CENTRE}, MapView(12.0, (52.52, 13.40))),
        ({"zoom": "12", "center": CENTRE}, None),  # the browser sends numbers, or nothing is taken
        ({"zoom": None, "center": CENTRE}, None),  # before the map has drawn
        ({"zoom": 12, "center": {"lat": 52.52}}, None),
        ({"zoom": 12, "center": [52.52, 13.40]}, None),
        ({}, None),
        (None, None),
    ],
)
def test_the_reported_view_is_taken_only_when_complete(returned, expected):
    assert reported_view(returned) == expected


@pytest.mark.parametrize(
    "reported, expected",
    [
        (VIEW, (52.4, 13.2, 52.6, 13.6)),
        ({"_southWest": {"lat": "52.4", "lng": "13.2"}, "_northEast": {"lat": "52.6", "lng": "13.6"}},
         (52.4, 13.2, 52.6, 13.6)),  # numbers as text are numbers
        ({"_southWest": VIEW["_northEast"], "_northEast": VIEW["_southWest"]}, None),  # upside down
        ({"_southWest": {"lat": 52.4, "lng": 13.2}, "_northEast": {"lat": 95.0, "lng": 13.6}}, None),  # no such latitude
        ({"_southWest": {"lat": float("nan"), "lng": 13.2}, "_northEast": VIEW["_northEast"]}, None),
        ({"_southWest": {"lat": "north", "lng": 13.2}, "_northEast": VIEW["_northEast"]}, None),
        ({"_southWest": {"lat": 52.4}}, None),
        (None, None),
    ],
)
def test_reported_bounds_are_checked_before_a_picture_uses_them(reported, expected):
    assert reported_bounds(reported) == expected


@pytest.mark.parametrize(
    "returned, expected",
    [
        ({"last_active_drawing": {"properties": {"id": "01"}}, "last_object_clicked": CENTRE},
         ("01", '{"lat": 52.52, "lng": 13.4}')),
        ({"last_active_drawing": {"properties": {"id": 1}}, "last_object_clicked": None}, ("1", "null")),
        ({"last_active_drawing": {"properties": None}}, ("", "null")),
        (None, ("", "null")),
    ],
)
def test_a_click_names_an_area_id_as_text_and_its_signature(returned, expected):
    assert clicked_area(returned) == expected


def test_swatches_follow_the_colours_of_the_layers():
    assert category_swatches(["Mobilität", "Wohnen"]) == [(CATEGORY_COLOURS[0], "Mobilität"),
                                                         (CATEGORY_COLOURS[1], "Wohnen")]
    assert facility_swatches(["kitas", "pharmacies"], "de") == [(FACILITY_COLOURS["kitas"], "Kitas"),
                                                               (FACILITY_COLOURS["pharmacies"], "Apotheken")]


# --- one view: layers and exports --------------------------------------------------------------

CATEGORY_LABELS = {"mobility": "Mobilität", "housing": "Wohnen", "green_climate": "Grün und Klima"}
KITAS = pd.DataFrame({"lat": [52.55], "lon": [13.42], "name": ["Kita Sonnenschein"]})
PER_AREA = pd.DataFrame({"lat": [52.51, 52.52, 52.53], "lon": [13.35, 13.45, 13.5], "name": ["a", "b", "c"],
                         "count": [4, 0, 9]})


def test_png_dots_of_each_need_in_its_category_colour():
    dots, legend = png_points(NEEDS, None, categories=CATEGORY_LABELS, facilities={"kitas": KITAS}, lang="de")
    # Needs first (category colour, 4 px), then the facilities on top (3 px).
    assert dots.values.tolist() == [[52.51, 13.35, CATEGORY_COLOURS[0], 4.0], [52.52, 13.45, CATEGORY_COLOURS[1], 4.0],
                                    [52.55, 13.42, FACILITY_COLOURS["kitas"], 3.0]]
    # Only the categories that have a dot are in the legend, in taxonomy order.
    assert legend == [(CATEGORY_COLOURS[0], "Mobilität"), (CATEGORY_COLOURS[1], "Wohnen"),
                      (FACILITY_COLOURS["kitas"], "Kitas")]


def test_png_dots_say_when_the_screen_shows_heat():
    _, legend = png_points(NEEDS, None, mode="heat", categories=CATEGORY_LABELS, lang="en")
    assert legend[-1] == ("#ffffff", "Needs shown as points here (as a heat map in the web map)")


def test_png_dots_per_area_grow_in_area_with_the_count():
    dots, legend = png_points(None, PER_AREA, lang="de")
    # radius = 2 + 2 * sqrt(count): 4 -> 6, 9 -> 8; the area without needs has no dot.
    assert dots["radius"].tolist() == [6.0, 8.0] and set(dots["colour"]) == {"#3b3b3b"}
    assert legend == [("#3b3b3b", "Bedarfe je Gebiet (Planungsraum; Kreisfläche ~ Anzahl)")]
    assert png_points(None, None) == (None, [])


def planner_view(**kwargs) -> PlannerMap:
    layer = indicator_layer(pd.Series([1.0, 4.0], index=["01", "02"]), INDICATORS["mss_status"], "de")
    return PlannerMap(AREAS, "BEZ", pd.Series(["Mitte", "Spandau"], index=["01", "02"]), layer,
                      categories=CATEGORY_LABELS, **kwargs)


@pytest.mark.parametrize(
    "kwargs, focus, names",
    [
        ({}, None, ["focus"]),
        ({"needs": NEEDS}, "01", ["focus", "Bedarfe"]),
        ({"per_area": PER_AREA, "mode": "heat"}, None, ["focus", "Bedarfe"]),
        ({"facilities": {"kitas": KITAS}}, None, ["focus", "Einrichtung"]),
        ({"needs": NEEDS, "facilities": {"kitas": KITAS}}, None, ["focus", "Bedarfe", "Einrichtung"]),
    ],
)
def test_overlays_are_the_focus_then_needs_then_facilities(kwargs, focus, names):
    overlays = planner_view(**kwargs).overlays(focus)
    assert [group.layer_name for group in overlays] == names
    assert overlays[0] is not planner_view(**kwargs).overlays(focus)[0]  # fresh layers on every call


# Each case: the map's needs and facilities -> the titles of the legends beside the map, top to bottom.
OVERLAY_LEGENDS = {
    "needs as dots: their category colours": ({"needs": NEEDS}, ["Bedarfe"]),
    "needs as heat: the heat ramp, not category colours": (
        {"needs": NEEDS, "mode": "heat"}, ["Dichte der Bedarfe (Wärmekarte)"]),
    "counts per area as heat": ({"per_area": PER_AREA, "mode": "heat"}, ["Dichte der Bedarfe (Wärmekarte)"]),
    "counts per area as circles": ({"per_area": PER_AREA}, ["Bedarfe"]),
    "facilities below the needs": (
        {"needs": NEEDS, "mode": "heat", "facilities": {"kitas": KITAS}},
        ["Dichte der Bedarfe (Wärmekarte)", "Einrichtung"]),
    "no needs, no facilities": ({}, []),
}


@pytest.mark.parametrize("case", OVERLAY_LEGENDS.values(), ids=OVERLAY_LEGENDS.keys())
def test_every_layer_above_the_choropleth_has_its_legend(case):
    kwargs, titles = case
    legends = planner_view(**kwargs).overlay_legends()
    assert [re.search(r'font-weight:600">([^<]+)<', html).group(1) for html in legends] == titles


def test_the_heat_legend_shows_the_heat_layers_own_colours_from_low_to_high():
    from maps.planner import HEAT_GRADIENT, heat_legend_html

    html = heat_legend_html("de")
    assert 'aria-label="Dichte der Bedarfe (Wärmekarte): gering → hoch"' in html
    assert re.search(r"<span>gering</span><span>hoch</span>", html)
    # Its stops are the layer's, in order, ending in the layer's "high" colour.
    stops = re.findall(r"(#[0-9a-f]{6}) (\d+)%", html)
    assert stops == [(colour, str(round(p * 100))) for p, colour in HEAT_GRADIENT.items()]
    layer = needs_layer(NEEDS, None, mode="heat")
    m = planner_base_map()
    layer.add_to(m)
    drawn = re.sub(r"\s+", "", m.get_root().render())
    assert '"gradient":{0.4:"#0000ff",0.6:"#00ffff",0.7:"#00ff00",0.8:"#ffff00",1.0:"#ff0000",}' in drawn
    assert "Density of needs (heat map)" in heat_legend_html("en")


def test_the_html_export_is_the_screens_map_in_one_file():
    page = planner_view(needs=NEEDS).to_html(NODE_MODULES, focus="01", title="Bedarfsatlas Berlin: <MSS>",
                                             attribution="Quelle <AfS>")
    assert ASSET_BASE not in page and "L.markerClusterGroup" in page
    assert "planner-area" in page and "planner-focus" in page and "Spandau" in page
    assert "Bedarfsatlas Berlin: &lt;MSS&gt;" in page and "Quelle &lt;AfS&gt;" in page


def colours_in(png: bytes) -> set[tuple[int, int, int]]:
    from PIL import Image

    return {colour for _, colour in Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 20)}


def test_the_picture_names_view_level_day_and_sources():
    import geopandas as gpd
    from PIL import Image
    from shapely.geometry import box

    geometry = gpd.GeoSeries([box(13.3, 52.5, 13.4, 52.6), box(13.4, 52.5, 13.5, 52.6)], index=["01", "02"],
                             crs="EPSG:4326")
    view = planner_view(needs=NEEDS)
    png = view.to_png(geometry, attribution="Quelle: AfS", day=date(2026, 1, 31))
    text = Image.open(io.BytesIO(png)).text
    assert text["Title"] == "MSS-Statusindex" and text["Source"] == "Quelle: AfS"
    assert text["Description"] == "Bezirke · Ausschnitt der Karte vom 2026-01-31 · Bedarfsatlas Berlin"
    # Both areas in their class colour (status 1 and 4 differ), and the dot of the mobility need.
    area_colours = {_rgb(view.layer.classification.colour_of(a)) for a in ("01", "02")}
    assert len(area_colours) == 2 and area_colours <= colours_in(png)
    assert _rgb(CATEGORY_COLOURS[0]) in colours_in(png)
    assert _rgb(CATEGORY_COLOURS[0]) not in colours_in(planner_view().to_png(geometry, attribution="Quelle: AfS"))
