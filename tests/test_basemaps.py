"""Base maps by name: one setting, the official service's WMS parameters and attribution on every map."""

from __future__ import annotations

import json
import re
from html import escape as html_escape
from pathlib import Path

import pytest

from core.basemaps import BASEMAP_PRESETS
from core.settings import SettingsError, load_settings
from maps.base import Basemap, choropleth_base_map
from maps.planner import planner_base_map
from maps.resident import report_map

DISTRICT = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "01", "properties": {"id": "01", "name": "Mitte"},
     "geometry": {"type": "Polygon", "coordinates": [[[13.3, 52.5], [13.4, 52.5], [13.4, 52.6], [13.3, 52.5]]]}}]}

# Written out by hand from the services' capabilities (see core/basemaps.py), not read from the table.
EXPECTED = {
    "geoportal-k5-farbe": ("https://gdi.berlin.de/services/wms/k5_farbe", "k5_farbe",
                           "Geoportal Berlin / Karte von Berlin 1:5000 (K5-Farbausgabe), dl-de/zero-2.0"),
    "geoportal-dop": ("https://gdi.berlin.de/services/wms/truedop_2024", "truedop_2024",
                      "Geoportal Berlin / Digitale farbige TrueOrthophotos 2024, dl-de/zero-2.0"),
    "basemapde-farbe": ("https://sgx.geodatenzentrum.de/wms_basemapde", "de_basemapde_web_raster_farbe",
                        "© basemap.de / BKG 2026"),
    "basemapde-grau": ("https://sgx.geodatenzentrum.de/wms_basemapde", "de_basemapde_web_raster_grau",
                       "© basemap.de / BKG 2026"),
}


def wms_layers_in(html: str) -> list[tuple[str, dict]]:
    """Every ``L.tileLayer.wms(url, options)`` of a rendered map: its URL and options."""
    return [(json.loads(url), json.loads(options))
            for url, options in re.findall(r"L\.tileLayer\.wms\(\s*(\"[^\"]*\"),\s*(\{.*?\})\s*\)", html, re.S)]


def test_the_presets_are_the_four_named_in_the_readme():
    assert list(BASEMAP_PRESETS) == list(EXPECTED)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for key, (url, layer, _) in EXPECTED.items():
        assert re.search(rf"^\| `{key}` \|.*`{re.escape(url)}`, `{layer}`", readme, re.M), key


@pytest.mark.parametrize("key", list(EXPECTED))
@pytest.mark.parametrize("draw", ["report", "planner", "choropleth"])
def test_each_preset_draws_its_wms_with_layer_format_version_and_attribution(key, draw):
    url, layer, attribution = EXPECTED[key]
    basemap = Basemap.from_settings(load_settings({"BEDARFSATLAS_BASEMAP": key}), year=2026)
    m = {
        "report": lambda: report_map(DISTRICT, basemap=basemap),
        "planner": lambda: planner_base_map(basemap),
        "choropleth": lambda: choropleth_base_map(DISTRICT, basemap),
    }[draw]()
    html = m.get_root().render()
    [(drawn_url, options)] = wms_layers_in(html)
    assert drawn_url == url
    assert options["layers"] == layer
    assert options["format"] == "image/png" and options["version"] == "1.3.0"
    assert options["transparent"] is False
    # Leaflet shows the attribution as HTML: it arrives escaped.
    assert options["attribution"] == html_escape(attribution)
    # Nothing else is loaded from another host.
    assert set(re.findall(r"https?://[^\"' )]+", html)) <= {url}


def test_basemap_de_names_the_year_the_map_is_drawn():
    settings = load_settings({"BEDARFSATLAS_BASEMAP": "basemapde-grau"})
    assert Basemap.from_settings(settings, year=2031).attribution == "© basemap.de / BKG 2031"


def test_override_settings_point_a_preset_at_a_mirror():
    settings = load_settings({
        "BEDARFSATLAS_BASEMAP": "geoportal-dop",
        "BEDARFSATLAS_BASEMAP_URL": "http://127.0.0.1:8123/wms/truedop",
    })
    assert Basemap.from_settings(settings) == Basemap(
        "http://127.0.0.1:8123/wms/truedop", EXPECTED["geoportal-dop"][2], "truedop_2024", "image/png", "1.3.0")
    settings = load_settings({
        "BEDARFSATLAS_BASEMAP": "geoportal-dop",
        "BEDARFSATLAS_BASEMAP_WMS_LAYERS": "truedop_2025",
        "BEDARFSATLAS_BASEMAP_ATTRIBUTION": "Geoportal Berlin / TrueDOP 2025 <neu>",
    })
    basemap = Basemap.from_settings(settings)
    assert (basemap.url, basemap.wms_layers) == ("https://gdi.berlin.de/services/wms/truedop_2024", "truedop_2025")
    [(_, options)] = wms_layers_in(planner_base_map(basemap).get_root().render())
    assert options["attribution"] == "Geoportal Berlin / TrueDOP 2025 &lt;neu&gt;"


def test_default_is_no_base_map_and_no_request_leaves_the_machine():
    assert load_settings({}).basemap is None
    assert Basemap.from_settings(load_settings({})) is None
    html = report_map(DISTRICT).get_root().render()
    assert "tileLayer" not in html and not re.findall(r"https?://", html)


@pytest.mark.parametrize("name", ["osm", "Geoportal-K5-Farbe", "k5_farbe"])
def test_an_unknown_preset_stops_the_app_with_the_list_of_presets(name):
    with pytest.raises(SettingsError) as err:
        load_settings({"BEDARFSATLAS_BASEMAP": name})
    assert str(err.value) == (
        "BEDARFSATLAS_BASEMAP must be one of geoportal-k5-farbe, geoportal-dop, basemapde-farbe, basemapde-grau, "
        f"got {name!r}. Unset it for no base map."
    )


def test_a_custom_url_without_preset_still_needs_an_attribution():
    with pytest.raises(SettingsError, match="BEDARFSATLAS_BASEMAP_ATTRIBUTION is required"):
        load_settings({"BEDARFSATLAS_BASEMAP_URL": "https://wms.example/wms"})


def test_sources_page_names_the_preset_its_address_attribution_and_licence(settings_with_data, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP, TIMEOUT_S, all_markdown

    monkeypatch.setenv("BEDARFSATLAS_BASEMAP", "basemapde-grau")
    monkeypatch.setenv("BEDARFSATLAS_BASEMAP_URL", "http://127.0.0.1:8123/wms_basemapde")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    at.switch_page("pages/sources.py").run()
    assert not at.exception, at.exception
    text = all_markdown(at)
    unescaped = text.replace("\\", "").replace("\u2060", "")  # escape_markdown breaks autolinks
    assert "basemap.de Web Raster Grau, Bundesamt für Kartographie und Geodäsie (BKG)" in unescaped
    assert "http://127.0.0.1:8123/wms_basemapde (de_basemapde_web_raster_grau)" in unescaped
    assert re.search(r"© basemap\.de / BKG 20\d\d", unescaped)
    assert "(https://creativecommons.org/licenses/by/4.0/)" in text  # the licence is a link
    assert "Keine: die Karte lädt keine Kacheln" not in text
