"""Base maps by name: the city profile's presets, one setting, the service's WMS parameters and attribution on every map."""

from __future__ import annotations

import json
import re
from html import escape as html_escape
from pathlib import Path

import pytest

from core.basemaps import BasemapPreset, read_preset
from core.settings import SettingsError, load_settings
from geodata.profile import BUNDLED_DIR, ProfileError, active_profile, load_profile, parse_profile
from maps.base import Basemap, choropleth_base_map
from maps.planner import planner_base_map
from maps.resident import report_map

DISTRICT = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "01", "properties": {"id": "01", "name": "Mitte"},
     "geometry": {"type": "Polygon", "coordinates": [[[13.3, 52.5], [13.4, 52.5], [13.4, 52.6], [13.3, 52.5]]]}}]}

# Written out by hand from the services' capabilities (see Berlin's profile.toml), not read from the profile.
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


def test_the_presets_are_the_four_of_the_reference_profile_named_in_the_readme():
    assert [preset.key for preset in active_profile().basemaps] == list(EXPECTED)
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
        Basemap.from_settings(load_settings({"BEDARFSATLAS_BASEMAP": name}))
    assert str(err.value) == (
        "BEDARFSATLAS_BASEMAP must be one of geoportal-k5-farbe, geoportal-dop, basemapde-farbe, basemapde-grau "
        f"(the base maps of the city profile Berlin), got {name!r}. Unset it for no base map."
    )


def test_an_unknown_preset_stops_the_app_before_any_page(settings_with_data, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP, TIMEOUT_S

    monkeypatch.setenv("BEDARFSATLAS_BASEMAP", "osm")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    # Streamlit redacts the message (showErrorDetails is off); the unit test above pins it.
    assert len(at.exception) == 1 and not at.title and not at.sidebar.radio


WMS = {"title": "Stadtkarte", "url": "https://geo.example.org/wms", "layers": "stadtkarte",
       "attribution": "© Stadt Beispiel {year}", "licence": "dl-de/by-2-0"}


@pytest.mark.parametrize(("key", "table", "field", "what", "fix"), [
    ("stadtkarte", {**WMS, "layers": None}, "layers", "a WMS needs its layer name(s)", "GetCapabilities"),
    ("stadtkarte", {**WMS, "attribution": None}, "attribution", "missing", 'add attribution = "…"'),
    ("stadtkarte", {**WMS, "url": "geo.example.org/wms"}, "url", "'geo.example.org/wms' is no web address", "https://"),
    ("stadtkarte", {**WMS, "kind": "tiles"}, "kind", "'tiles' is not one of wms, xyz", '"xyz" (a tile URL template)'),
    ("stadtkarte", {**WMS, "kind": "xyz", "url": "https://t.example.org/{z}/{x}/{y}.png"}, "layers",
     "XYZ tiles have no layers", "remove layers"),
    ("stadtkarte", {**WMS, "wms_version": "1.0"}, "wms_version", "'1.0' is not one of 1.1.1, 1.3.0", "1.3.0"),
    ("stadtkarte", {**WMS, "crs": "EPSG:25832"}, "crs", "Web Mercator only", 'crs = "EPSG:3857"'),
    ("stadtkarte", {**WMS, "layer": "x"}, "layer", "unknown field(s) layer", "use the fields title, url"),
    ("Stadtkarte", WMS, "", "the key 'Stadtkarte' has the wrong form", "lower case"),
])
def test_a_preset_table_names_each_problem_and_its_fix(key, table, field, what, fix):
    preset, problems = read_preset(key, {k: v for k, v in table.items() if v is not None})
    assert preset is None
    [(found_field, found_what, found_fix)] = problems
    assert found_field == field and what in str(found_what)  # the English text; the catalogues have German too
    assert fix in str(found_fix)


def test_an_xyz_preset_is_a_tile_template_without_layers():
    preset, problems = read_preset("luftbild", {"kind": "xyz", "url": "https://t.example.org/{z}/{x}/{y}.png",
                                                "title": "Luftbild", "attribution": "© Stadt", "licence": "CC0"})
    assert problems == []
    assert preset == BasemapPreset("luftbild", "Luftbild", "https://t.example.org/{z}/{x}/{y}.png", "© Stadt", "CC0",
                                   kind="xyz")


def test_check_profile_names_a_bad_preset_with_its_table():
    import tomllib

    data = tomllib.loads((BUNDLED_DIR / "berlin" / "profile.toml").read_text(encoding="utf-8"))
    del data["basemaps"]["geoportal-dop"]["layers"]
    data["app"]["basemaps"] = ["geoportal-dop"]
    with pytest.raises(ProfileError) as err:
        parse_profile(data, BUNDLED_DIR / "berlin")
    found = {problem.where: problem for problem in err.value.problems}
    assert set(found) == {"basemaps.geoportal-dop.layers", "app.basemaps"}
    assert "[basemaps.KEY]" in str(found["app.basemaps"].fix)


def test_a_profile_without_presets_offers_none():
    import tomllib

    data = tomllib.loads((BUNDLED_DIR / "berlin" / "profile.toml").read_text(encoding="utf-8"))
    del data["basemaps"]
    profile = parse_profile(data, BUNDLED_DIR / "berlin")
    with pytest.raises(ValueError, match=r"^BEDARFSATLAS_BASEMAP: the city profile Berlin offers no base maps, got 'basemapde-grau'"):
        profile.basemap("basemapde-grau")
    assert load_profile(BUNDLED_DIR / "berlin").basemap("geoportal-dop").layers == "truedop_2024"


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
