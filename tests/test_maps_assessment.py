"""The assessment's maps as a base map plus a swapped area layer, tested without a browser.

``choropleth_base_map`` + ``choropleth_layer`` (what /bewertung hands to
``st_folium`` as map and ``feature_group_to_add``) must draw what
``choropleth_map`` draws, while the base map's script - which decides whether
streamlit-folium keeps its Leaflet map or re-creates the iframe - does not
change with the colours.
"""

from __future__ import annotations

import json
import re

import folium
import pandas as pd
import pytest
from streamlit_folium import _get_feature_group_string, _get_header, _get_html, _get_map_string, generate_js_hash

from maps.classify import MISSING_COLOUR, classify_numeric
from maps.base import (
    ASSET_BASE, BOTTOM_CONTROLS_PX, choropleth_base_map, choropleth_layer, choropleth_map, value_texts,
)

HOSTILE = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{ 'inj' ~ 'ected' }}"


def square(x: float, y: float, size: float = 0.01) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def areas() -> str:
    """Four squares in a row across central Berlin, as the GeoJSON text the page caches."""
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f"0{i}", "properties": {"extra": "x" * 50}, "geometry": square(13.30 + i / 100, 52.50)}
        for i in range(1, 5)
    ]})


@pytest.fixture
def names() -> pd.Series:
    """Names of the four areas; two are hostile (markup, template syntax)."""
    return pd.Series(["Mitte", "Moabit", TEMPLATE, HOSTILE], index=["01", "02", "03", "04"])


def options(values: pd.Series) -> dict:
    return dict(value_text=value_texts(values, decimals=1, unit="", lang="de"), area_label="Bezirksregion",
                indicator_label="Punktzahl", attribution="Amt für Statistik Berlin-Brandenburg")


def sent(m: folium.Map, layer: folium.FeatureGroup | None = None) -> tuple[str, str, str]:
    """(header + HTML + map script, layer script, component key) as ``st_folium(key="assess_map")`` makes them."""
    m.get_root().render()
    script = _get_map_string(m)
    base = _get_header(m) + _get_html(m) + script
    layer_script = _get_feature_group_string(layer, map=m) if layer is not None else ""
    return base, layer_script, generate_js_hash(script, "assess_map")


def geojson_of(element) -> folium.GeoJson:
    [layer] = [c for c in element._children.values() if isinstance(c, folium.GeoJson)]
    return layer


def test_layer_draws_what_the_single_map_draws(areas, names):
    values = pd.Series([10.0, None, 30.0, 40.0], index=names.index)
    classes = classify_numeric(values, k=2, decimals=0)
    single = geojson_of(choropleth_map(areas, classes, names, **options(values)))
    layer = geojson_of(choropleth_layer(areas, classes, names, **options(values)))
    assert layer.data == single.data  # same features, ids and escaped tooltip properties
    fills = {f["id"]: layer.style_function(f) for f in layer.data["features"]}
    assert fills == {f["id"]: single.style_function(f) for f in single.data["features"]}
    assert fills["02"]["fillColor"] == MISSING_COLOUR and fills["02"]["dashArray"]
    assert layer.options["attribution"] == single.options["attribution"]
    assert [f["properties"]["value"] for f in layer.data["features"]] == ["10,0", "keine Angabe", "30,0", "40,0"]


def test_base_map_script_does_not_change_with_the_colours(areas, names):
    keys, layers = set(), set()
    for values in (pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), pd.Series([4.0, 3.0, 2.0, 1.0], index=names.index)):
        m = choropleth_base_map(areas)
        layer = choropleth_layer(areas, classify_numeric(values, k=2, decimals=0), names, **options(values))
        base, layer_script, key = sent(m, layer)
        keys.add(key)
        layers.add(layer_script)
        assert "geo_json" not in base  # the areas travel in the layer only
        assert "L.geoJson" in layer_script and "map_div.addLayer(feature_group_feature_group_0)" in layer_script
    assert len(keys) == 1, "streamlit-folium would re-create the map on a weight change"
    assert len(layers) == 2


def test_base_map_fits_the_areas_and_loads_only_local_assets(areas):
    m = choropleth_base_map(areas)
    base, _, _ = sent(m)
    fit = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", m.get_root().render(), re.S)
    assert json.loads(fit.group(1)) == [[52.5, 13.31], [52.51, 13.35]]
    assert m.default_js == [("leaflet", f"{ASSET_BASE}/leaflet/dist/leaflet.js")]
    assert not re.findall(r"https?://", base)
    assert "L.tileLayer" not in base


def test_the_view_keeps_the_bottom_free_for_the_scale_bar_and_the_attribution(areas, names):
    # The areas are fitted with padding below them, so the southernmost ones end above the controls.
    html = choropleth_base_map(areas).get_root().render()
    fit = re.search(r"fitBounds\(\s*\[\[.*?\]\],\s*(\{.*?\})\s*\)", html, re.S)
    assert fit, "the base map fits its areas without padding"
    assert json.loads(fit.group(1)) == {"paddingBottomRight": [0, BOTTOM_CONTROLS_PX]}
    # A layer without an attribution adds nothing to the attribution control (the page prints it below).
    values = pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index)
    layer = choropleth_layer(areas, classify_numeric(values, k=2, decimals=0), names,
                             **{k: v for k, v in options(values).items() if k != "attribution"})
    assert geojson_of(layer).options.get("attribution", "") == ""


def test_hostile_texts_in_the_layer_are_inert(areas, names):
    values = pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index)
    layer = choropleth_layer(areas, classify_numeric(values, k=2, decimals=0), names,
                             **{**options(values), "indicator_label": f"Punktzahl {HOSTILE}"})
    _, script, _ = sent(choropleth_base_map(areas), layer)
    assert HOSTILE not in script and "<img" not in script
    assert TEMPLATE not in script and "injected" not in script
    assert "&#123;" in script or "\\u0026#123;" in script
    assert "x" * 50 not in script  # only the tooltip's properties reach the browser
