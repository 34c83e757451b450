"""Map builders and class breaks, tested without a browser: maps are rendered to
HTML strings (as folium writes them, and as streamlit-folium sends them) and
checked for colours, escaping, missing values and, above all, for any URL that
would make the browser contact another server.
"""

from __future__ import annotations

import json
from html import escape as html_escape
import re
from pathlib import Path

import branca
import folium
import folium.elements
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maps.classify import (
    MISSING_COLOUR,
    MORE_NEED_IF_HIGHER,
    MORE_NEED_IF_LOWER,
    NEUTRAL,
    classify_categories,
    classify_numeric,
    ramp,
)
from core.i18n import t
from maps.base import (
    ASSET_BASE,
    Basemap,
    choropleth_map,
    indicator_layer,
    legend_entries,
    legend_html,
    value_texts,
)

from tests.conftest import skip_or_fail

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
HOSTILE = "<img src=x onerror=alert(1)>"


def square(x: float, y: float, size: float = 0.01) -> dict:
    """A small square polygon (EPSG:4326) with its south-west corner at (x, y)."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def four_areas() -> dict:
    """Four square areas in a row across central Berlin, ids as 'id' members."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": f"0{i}", "properties": {"extra": "x" * 50}, "geometry": square(13.30 + i / 100, 52.50)}
            for i in range(1, 5)
        ],
    }


@pytest.fixture
def names() -> pd.Series:
    """Names of the four areas; the fourth is an attempt at script injection."""
    return pd.Series(["Mitte", "Moabit", "Wedding", HOSTILE], index=["01", "02", "03", "04"])


def build(areas, values: pd.Series, names: pd.Series, **kwargs) -> folium.Map:
    classification = kwargs.pop("classification", None) or classify_numeric(values, k=2, decimals=0)
    options = dict(
        value_text=value_texts(values, decimals=1, unit="%", lang="de"),
        area_label="Planungsraum",
        indicator_label="Anteil (%)",
        attribution="Amt für Statistik Berlin-Brandenburg",
    )
    options.update(kwargs)
    return choropleth_map(areas, classification, names, **options)


def in_script(text: str) -> str:
    """``text`` as folium writes it into the map script: JSON, with <, >, & and ' escaped."""
    encoded = json.dumps(text)[1:-1]
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        encoded = encoded.replace(char, code)
    return encoded


def geojson_layer(m: folium.Map) -> folium.GeoJson:
    layers = [c for c in m._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 1
    return layers[0]


def assets_streamlit_folium_loads(m: folium.Map) -> tuple[list[str], list[str]]:
    """The script and style URLs streamlit-folium would load for ``m``.

    Mirrors ``streamlit_folium.st_folium``: every element with ``default_js`` /
    ``default_css`` contributes its URLs, and any branca ColorMap adds d3 from a CDN.
    """
    js, css = [], []

    def walk(element):
        if isinstance(element, branca.colormap.ColorMap):
            js.append("https://d3js.org/d3.v4.min.js")
        if isinstance(element, folium.elements.JSCSSMixin):
            js.extend(url for _, url in element.default_js)
            css.extend(url for _, url in element.default_css)
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    return js, css


def sent_by_streamlit_folium(m: folium.Map) -> str:
    """Header, HTML and script exactly as st_folium builds them for the component."""
    from streamlit_folium import _get_header, _get_html, _get_map_string

    m.get_root().render()
    return _get_header(m) + _get_html(m) + _get_map_string(m)


# --- class breaks ----------------------------------------------------------------


def test_quantiles_put_equal_numbers_of_areas_into_classes():
    values = pd.Series(np.arange(1.0, 11.0), index=[f"{i:02d}" for i in range(10)])
    c = classify_numeric(values, k=5, scheme="quantiles", decimals=0, lang="de")
    # 10 values, 5 quantile classes: two values each, by hand.
    assert c.counts() == [2, 2, 2, 2, 2]
    assert c.labels == ("1 – 2", "3 – 4", "5 – 6", "7 – 8", "9 – 10")


# Each case: values, k, decimals, unit, language -> the legend labels, areas per class and the
# scheme the legend note names, computed by hand (mapclassify's quantiles interpolate linearly
# between the sorted values shown; a class that gets no area is dropped).
LEGEND_CASES = {
    # Shown rounded: 43, 44, 46, 46, 60, 72; the median is 46, so both areas shown as "46" are in
    # class 0. (Classifying the raw values put 45.96 and 46.04 apart: "43 – 46", "46 – 72".)
    "rounding never splits a shown value": (
        [43.2, 44.4, 45.96, 46.04, 60.0, 72.0], 2, 0, "", "de",
        ("43 – 46", "60 – 72"), [4, 2], "quantiles_unequal"),
    # Five areas with 34: the breaks are 34, 38 and 60; the class (34, 38] is empty and dropped.
    "a tied value is one class, said honestly": (
        [34.0] * 5 + [40.0, 50.0, 60.0], 3, 0, "", "de",
        ("genau 34", "40 – 60"), [5, 3], "quantiles_unequal"),
    # Twenty areas, two with 10: the median is 10, so 11 and 9 areas; 2 apart is within a quarter of
    # the mean class size (10 / 4 = 2.5): about equal, as the note says.
    "a few ties leave the classes about equal": (
        [float(v) for v in range(1, 10)] + [10.0, 10.0] + [float(v) for v in range(12, 21)], 2, 0, "", "de",
        ("1 – 10", "12 – 20"), [11, 9], "quantiles"),
    "ten distinct values make equal quantiles": (
        [float(v) for v in range(1, 11)], 5, 0, "", "de",
        ("1 – 2", "3 – 4", "5 – 6", "7 – 8", "9 – 10"), [2, 2, 2, 2, 2], "quantiles"),
    # Shown: 0.5, 0.5, 0.5, 1.0, 1.1, 2.0; the median is 0.75.
    "english, one decimal, a unit": (
        [0.5, 0.5, 0.5, 1.04, 1.06, 2.0], 2, 1, "%", "en",
        ("exactly 0.5 %", "1.0 – 2.0 %"), [3, 3], "quantiles"),
}


@pytest.mark.parametrize("case", LEGEND_CASES.values(), ids=LEGEND_CASES.keys())
def test_legend_labels_say_exactly_which_values_a_class_holds(case):
    values, k, decimals, unit, lang, labels, counts, scheme = case
    c = classify_numeric(pd.Series(values), k=k, decimals=decimals, unit=unit, lang=lang)
    assert (c.labels, c.counts(), c.scheme) == (labels, counts, scheme)


def test_the_legend_note_says_when_ties_made_the_quantiles_unequal():
    from geodata.indicators import INDICATORS

    ties = pd.Series([34.0] * 5 + [40.0, 50.0, 60.0], index=[f"{i:02d}" for i in range(8)])
    assert indicator_layer(ties, INDICATORS["share_65plus"], "de").legend_notes("de")[0] == (
        "Klassen: Quantile; durch gleiche Werte ungleich viele Gebiete je Klasse")
    equal = pd.Series(np.arange(1.0, 11.0), index=[f"{i:02d}" for i in range(10)])
    assert indicator_layer(equal, INDICATORS["share_65plus"], "en").legend_notes("en")[0] == (
        "Classes: quantiles (about the same number of areas per class)")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-1000, max_value=1000, allow_nan=False), min_size=1, max_size=60),
       st.integers(min_value=2, max_value=7), st.integers(min_value=0, max_value=2),
       st.sampled_from(["quantiles", "natural_breaks"]))
def test_adjacent_classes_never_share_a_shown_value(values, k, decimals, scheme):
    from maps.classify import as_shown

    series = pd.Series(values, index=[str(i) for i in range(len(values))])
    c = classify_numeric(series, k=k, scheme=scheme, decimals=decimals, lang="en")
    shown = as_shown(series, decimals)
    ranges = [(shown[c.classes == i].min(), shown[c.classes == i].max()) for i in range(c.k)]
    assert all(high < next_low for (_, high), (next_low, _) in zip(ranges, ranges[1:]))
    assert len(set(c.labels)) == c.k


def test_natural_breaks_follow_clusters():
    values = pd.Series([1.0, 1.1, 1.2, 50.0, 51.0, 99.0, 100.0], index=list("abcdefg"))
    c = classify_numeric(values, k=3, scheme="natural_breaks", decimals=1, lang="en")
    assert c.classes.tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert c.labels == ("1.0 – 1.2", "50.0 – 51.0", "99.0 – 100.0")


def test_ties_give_fewer_classes_not_empty_ones():
    # 80 % zeros: quantile breaks coincide; no class may end up empty.
    values = pd.Series([0.0] * 8 + [5.0, 9.0], index=list("abcdefghij"))
    c = classify_numeric(values, k=5, scheme="quantiles", decimals=0)
    assert all(n > 0 for n in c.counts())
    assert sum(c.counts()) == 10
    assert c.classes["a"] == 0 and c.classes["j"] == c.k - 1


def test_missing_values_are_their_own_class_not_zero():
    values = pd.Series([0.0, np.nan, 3.0], index=["a", "b", "c"])
    c = classify_numeric(values, k=2)
    assert pd.isna(c.classes["b"])
    assert c.colour_of("b") == MISSING_COLOUR
    assert c.colour_of("a") != MISSING_COLOUR
    assert c.missing_count() == 1


def test_all_values_missing_gives_no_classes():
    c = classify_numeric(pd.Series([np.nan, np.nan], index=["a", "b"]))
    assert c.k == 0 and c.missing_count() == 2


def test_official_classes_keep_their_order_and_reject_unknown_codes():
    status = pd.Series([4, 1, 9, None], index=["a", "b", "c", "d"])
    c = classify_categories(status, [(1, "hoch"), (2, "mittel"), (3, "niedrig"), (4, "sehr niedrig")])
    assert c.labels == ("hoch", "mittel", "niedrig", "sehr niedrig")
    assert c.classes["a"] == 3 and c.classes["b"] == 0
    # 9 is not an official class: missing, not silently coloured.
    assert pd.isna(c.classes["c"]) and c.missing_count() == 2


@pytest.mark.parametrize(
    ("direction", "darkest_class"),
    [(MORE_NEED_IF_HIGHER, "highest"), (MORE_NEED_IF_LOWER, "lowest"), (NEUTRAL, "highest")],
)
def test_darkest_colour_marks_most_need(direction, darkest_class):
    colours = ramp(5, direction)

    def luminance(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    darkest = min(range(5), key=lambda i: luminance(colours[i]))
    assert darkest == (4 if darkest_class == "highest" else 0)


def test_bad_arguments_name_the_value_and_the_fix():
    with pytest.raises(ValueError, match="scheme must be one of quantiles, natural_breaks, got 'jenks'"):
        classify_numeric(pd.Series([1.0]), scheme="jenks")
    with pytest.raises(ValueError, match="direction must be 1"):
        ramp(3, 2)
    with pytest.raises(ValueError, match="1 to 7 classes, got 9"):
        ramp(9)


# --- the map ----------------------------------------------------------------------


def test_map_loads_only_local_assets(four_areas, names):
    m = build(four_areas, pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), names)
    js, css = assets_streamlit_folium_loads(m)
    assert js == [f"{ASSET_BASE}/leaflet/dist/leaflet.js"]
    assert css == [f"{ASSET_BASE}/leaflet/dist/leaflet.css"]
    for html in (m.get_root().render(), sent_by_streamlit_folium(m)):
        assert not re.findall(r"https?://", html), "the map HTML names a remote URL"
        assert "jquery" not in html.lower() and "bootstrap" not in html.lower()


def test_local_assets_exist_in_static_folder(four_areas, names):
    if not (STATIC_DIR / "node_modules" / "leaflet").is_dir():
        skip_or_fail("web assets not installed: run `npm ci --prefix static`")
    m = build(four_areas, pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), names)
    js, css = assets_streamlit_folium_loads(m)
    for url in js + css:
        path = STATIC_DIR / url.removeprefix("/app/static/")
        assert path.is_file(), f"{url} is not served: {path} missing"
    # leaflet.css refers to its images relatively; they must be there too.
    stylesheet = (STATIC_DIR / "node_modules/leaflet/dist/leaflet.css").read_text()
    for ref in re.findall(r"url\(([^)]+)\)", stylesheet):
        ref = ref.strip("'\"")
        if ref.startswith(("data:", "#")):  # inline images, old-IE behaviours
            continue
        assert not ref.startswith(("http:", "https:", "//")), ref
        assert (STATIC_DIR / "node_modules/leaflet/dist" / ref).is_file(), ref


def test_areas_are_coloured_by_class(four_areas, names):
    values = pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index)
    m = build(four_areas, values, names)
    layer = geojson_layer(m)
    fills = {f["id"]: layer.style_function(f)["fillColor"] for f in layer.data["features"]}
    low, high = ramp(2, MORE_NEED_IF_HIGHER)
    # Two quantile classes of 1..4: {1, 2} and {3, 4}, by hand.
    assert fills == {"01": low, "02": low, "03": high, "04": high}
    html = m.get_root().render()
    assert low in html and high in html


def test_hostile_names_and_texts_are_escaped(four_areas, names):
    values = pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index)
    m = build(
        four_areas, values, names,
        indicator_label=f"Anteil {HOSTILE}", attribution=f"Quelle {HOSTILE}",
    )
    layer = geojson_layer(m)
    hostile = next(f for f in layer.data["features"] if f["id"] == "04")
    assert hostile["properties"]["name"] == "&lt;img src=x onerror=alert(1)&gt;"
    for html in (m.get_root().render(), sent_by_streamlit_folium(m)):
        assert "<img" not in html and HOSTILE not in html
        # Present, but as text: escaped once for HTML (and JSON-escaped inside the script).
        assert ("&lt;img" in html) or ("\\u0026lt;img" in html)


def test_missing_value_is_drawn_and_labelled_as_missing(four_areas, names):
    values = pd.Series([1.0, np.nan, 3.0, 4.0], index=names.index)
    m = build(four_areas, values, names)
    layer = geojson_layer(m)
    feature = next(f for f in layer.data["features"] if f["id"] == "02")
    style = layer.style_function(feature)
    assert style["fillColor"] == MISSING_COLOUR
    assert style["dashArray"]  # dashed outline: visible as 'different', also in greyscale
    assert feature["properties"]["value"] == "keine Angabe"
    present = next(f for f in layer.data["features"] if f["id"] == "01")
    assert layer.style_function(present)["fillColor"] != MISSING_COLOUR
    assert present["properties"]["value"] == "1,0 %"


def test_area_without_value_row_is_missing_too(four_areas, names):
    # The indicator table has no row for area 03 at all.
    values = pd.Series([1.0, 2.0, 4.0], index=["01", "02", "04"])
    layer = geojson_layer(build(four_areas, values, names))
    feature = next(f for f in layer.data["features"] if f["id"] == "03")
    assert layer.style_function(feature)["fillColor"] == MISSING_COLOUR
    assert feature["properties"]["value"] == "keine Angabe"


def test_tooltip_shows_name_and_value_with_headings(four_areas, names):
    m = build(four_areas, pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), names)
    html = m.get_root().render()
    assert '"name", "value"' in html or '["name", "value"]' in html
    assert "Planungsraum" in html and "Anteil (%)" in html
    layer = geojson_layer(m)
    assert layer.data["features"][0]["properties"] == {"id": "01", "name": "Mitte", "value": "1,0 %"}


def test_only_tooltip_properties_reach_the_browser(four_areas, names):
    m = build(four_areas, pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), names)
    assert "x" * 50 not in m.get_root().render()


def test_no_tiles_by_default_and_bounds_fit_the_areas(four_areas, names):
    m = build(four_areas, pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), names)
    html = m.get_root().render()
    assert "L.tileLayer" not in html
    # Squares from 13.31 to 13.35 E and 52.50 to 52.51 N.
    fit = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", html, re.S)
    (south, west), (north, east) = json.loads(fit.group(1))
    assert [south, west, north, east] == pytest.approx([52.50, 13.31, 52.51, 13.35])
    assert in_script("Amt für Statistik Berlin-Brandenburg") in html  # the data's attribution


@pytest.mark.parametrize(
    ("basemap", "expected"),
    [
        (Basemap("https://tiles.example.org/{z}/{x}/{y}.png", "© Example <Geoportal>"), "L.tileLayer("),
        (Basemap("https://gdi.example.org/wms", "© basemap.de", wms_layers="de_basemapde_web_raster_grau"), "L.tileLayer.wms("),
    ],
)
def test_configured_basemap_is_drawn_with_attribution(four_areas, names, basemap, expected):
    m = build(four_areas, pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), names, basemap=basemap)
    html = m.get_root().render()
    assert expected in html
    assert basemap.url in html
    assert "© Example <Geoportal>" not in html  # attribution escaped too
    assert in_script(html_escape(basemap.attribution)) in html


def test_features_need_an_id(names):
    areas = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": square(13.3, 52.5)}]}
    with pytest.raises(ValueError, match="has no id"):
        build(areas, pd.Series([1.0], index=["01"]), names)


def test_legend_lists_classes_counts_and_missing():
    values = pd.Series([1.0, 2.0, 3.0, np.nan], index=list("abcd"))
    c = classify_numeric(values, k=3, decimals=0, unit="%", lang="de")
    entries = legend_entries(c, "de")
    assert [(e.label, e.count) for e in entries] == [("genau 1 %", 1), ("genau 2 %", 1), ("genau 3 %", 1),
                                                     ("keine Angabe", 1)]
    assert entries[-1].colour == MISSING_COLOUR and entries[-1].missing
    html = legend_html(entries, "Legende", "de")
    assert "keine Angabe" in html and "1 Gebiet" in html and "<script" not in html


def test_a_missing_text_is_named():
    assert t("legend.missing", "en") == "no data"

# --- with the real LOR geometry ---------------------------------------------------


def test_real_planning_areas_map_is_small_and_local(settings_with_data):
    from geodata.display import display_geojson
    from geodata.indicators import INDICATORS, indicator_table

    geojson = display_geojson(settings_with_data, "PLR")
    table = indicator_table(settings_with_data, "PLR")
    layer = indicator_layer(table["mss_status"], INDICATORS["mss_status"], "de")
    m = build(geojson, table["mss_status"], table["name"], classification=layer.classification,
              value_text=layer.value_text)
    sent = sent_by_streamlit_folium(m)
    assert sent.count('"type": "Feature"') == 542
    assert not re.findall(r"https?://", sent)
    # The geometry is sent once: styles and tooltips add a little, not a second copy.
    assert len(sent) < len(geojson) * 1.2
    # Official MSS counts (SOURCES.md): 49 PLR 'sehr niedrig', 6 without a class.
    assert legend_entries(layer.classification, "de")[3].count == 49
    assert layer.classification.missing_count() == 6


def test_folium_defaults_stay_untouched(four_areas, names):
    build(four_areas, pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), names)
    # The local-asset override is per map: folium's class defaults (used by anyone
    # else in the process) are not changed.
    assert any("cdn.jsdelivr.net" in url for _, url in folium.Map.default_js)


def test_basemap_comes_from_settings():
    from core.settings import load_settings

    assert Basemap.from_settings(load_settings({})) is None
    configured = load_settings({
        "BEDARFSATLAS_BASEMAP_URL": "https://sgx.geodatenzentrum.de/wms_basemapde",
        "BEDARFSATLAS_BASEMAP_WMS_LAYERS": "de_basemapde_web_raster_grau",
        "BEDARFSATLAS_BASEMAP_ATTRIBUTION": "© GeoBasis-DE / BKG",
    })
    assert Basemap.from_settings(configured) == Basemap(
        "https://sgx.geodatenzentrum.de/wms_basemapde", "© GeoBasis-DE / BKG", "de_basemapde_web_raster_grau"
    )


def test_scale_bar_is_metric_only(four_areas, names):
    m = build(four_areas, pd.Series([1.0, 2.0, 3.0, 4.0], index=names.index), names)
    sent = sent_by_streamlit_folium(m)
    assert "L.control.scale({imperial: false" in sent
    assert "L.control.scale()" not in sent


@pytest.mark.parametrize(
    ("key", "dark_end"),
    [
        ("kita_places_per_100_under6", "lowest"),  # few places per child = more need
        ("share_under6", "highest"),  # neutral context indicator: dark = high value
        ("mss_status", "highest"),  # official classes: 4 'sehr niedrig' is the worst
    ],
)
def test_indicator_layer_puts_the_dark_end_where_the_need_is(key, dark_end):
    from geodata.indicators import INDICATORS

    values = pd.Series([1.0, 2.0, 3.0, 4.0], index=list("abcd"))
    layer = indicator_layer(values, INDICATORS[key], "de", k=4)
    colours = [layer.classification.colour_of(a) for a in "abcd"]
    darkest = colours.index(min(colours, key=lambda c: sum(int(c[i : i + 2], 16) for i in (1, 3, 5))))
    assert darkest == (0 if dark_end == "lowest" else 3)


def test_indicator_layer_texts_and_heading():
    from geodata.indicators import INDICATORS

    values = pd.Series([12.345, np.nan], index=["a", "b"])
    layer = indicator_layer(values, INDICATORS["share_under6"], "en")
    assert layer.heading == "Share of children under 6 (%)"
    assert layer.value_text.tolist() == ["12.3 %", "no data"]
    assert layer.attribution == "Amt für Statistik Berlin-Brandenburg, Einwohnerregisterstatistik 31.12.2025"
    assert layer.class_labels is None
