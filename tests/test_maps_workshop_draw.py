"""maps.workshop.focus_draw_map: the focus rectangle drawn on the map, local assets only."""

from __future__ import annotations

import re
from pathlib import Path

import folium.plugins

from maps.base import ASSET_BASE
from maps.workshop import bbox_polygon, drawn_bbox, focus_draw_map

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "static" / "node_modules"
HOSTILE = '<img src=x onerror="alert(1)">{{ 7*7 }}'
DISTRICTS = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "id": "01", "properties": {"name": HOSTILE},
         "geometry": bbox_polygon((13.30, 52.50, 13.40, 52.55))},
        {"type": "Feature", "id": "02", "properties": {"name": "Friedrichshain-Kreuzberg"},
         "geometry": bbox_polygon((13.40, 52.48, 13.48, 52.53))},
    ],
}


def draw_controls(m):
    return [child for child in m._children.values() if isinstance(child, folium.plugins.Draw)]


def test_only_the_rectangle_can_be_drawn_and_nothing_edited():
    [draw] = draw_controls(focus_draw_map(DISTRICTS))
    enabled = {shape for shape, option in draw.draw_options.items() if option is not False}
    assert enabled == {"rectangle"}
    assert set(draw.draw_options) >= {"polyline", "polygon", "circle", "marker", "circlemarker", "rectangle"}
    assert draw.edit_options["edit"] is False


def test_every_asset_is_local_and_exists():
    m = focus_draw_map(DISTRICTS)
    page = m.get_root().render()
    urls = re.findall(r'<script src="([^"]+)"', page) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert any(u.endswith("leaflet-draw/dist/leaflet.draw.js") for u in urls)
    assert any(u.endswith("leaflet-draw/dist/leaflet.draw.css") for u in urls)
    for url in urls:
        assert url.startswith(ASSET_BASE + "/"), url
        assert (NODE_MODULES / url[len(ASSET_BASE) + 1:]).is_file(), url
    assert "http://" not in page and "https://" not in page and "cdn" not in page.lower()
    # streamlit-folium loads each element's default_js/default_css itself: none may be a CDN.
    elements = [m, *m._children.values()]
    for element in elements:
        for _, url in [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]:
            assert url.startswith(ASSET_BASE + "/"), (element, url)
    # The toolbar icons the CSS points to (relative to itself) ship next to it.
    css = (NODE_MODULES / "leaflet-draw/dist/leaflet.draw.css").read_text()
    for image in set(re.findall(r"url\(['\"]?(images/[^'\")]+)", css)):
        assert (NODE_MODULES / "leaflet-draw/dist" / image).is_file(), image


def test_district_names_are_escaped():
    page = focus_draw_map(DISTRICTS).get_root().render()
    assert HOSTILE not in page and "<img src=x" not in page and "{{ 7*7 }}" not in page
    # HTML-escaped (braces too, so branca's re-render cannot evaluate them), then written as JSON.
    assert "\\u0026lt;img src=x onerror=\\u0026quot;alert(1)\\u0026quot;\\u0026gt;\\u0026#123;" in page
    assert "Friedrichshain-Kreuzberg" in page


def test_the_drawn_polygon_gives_its_bounds():
    # Leaflet.draw writes the rectangle's ring starting at the south-west corner, anticlockwise
    # in screen terms; the bounds must not depend on where the ring starts.
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
        [13.41, 52.52], [13.41, 52.5312347], [13.3687654, 52.5312347], [13.3687654, 52.52], [13.41, 52.52]]]}}
    assert drawn_bbox(feature) == (13.3688, 52.52, 13.41, 52.5312)
    assert drawn_bbox(feature["geometry"], digits=6) == (13.368765, 52.52, 13.41, 52.531235)
    assert drawn_bbox({"type": "Feature", "geometry": {"type": "Point", "coordinates": [13.4, 52.5]}}) is None
    assert drawn_bbox({}) is None
