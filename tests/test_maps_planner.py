"""maps.planner rendered to HTML: a stable base map, local assets only, escaped texts."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit_folium import _get_map_string

from maps.classify import classify_numeric
from maps.base import ASSET_BASE, value_texts
from maps.planner import (
    POINT_LIMIT,
    area_layer,
    facilities_layer,
    focus_layer,
    needs_layer,
    planner_base_map,
    standalone_html,
)

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
