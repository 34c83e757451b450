"""Each named base map drawn in Chromium, from a stub WMS on loopback instead of the official service.

For every base-map preset of the reference profile (``[basemaps.KEY]`` of
``geodata/profiles/berlin/profile.toml``) the app starts with
``BEDARFSATLAS_BASEMAP=<preset>`` and ``BEDARFSATLAS_BASEMAP_URL`` pointing at a
:class:`tests.e2e.wms_stub.StubWms` (one server at a time). On ``/melden`` and
``/karte`` the stub must receive Leaflet's GetMap requests with the preset's layer,
format, version and CRS, its tiles must be drawn in the map (the screenshot shows
their colour), and the preset's attribution must stand in the map's corner. The
``page`` fixture fails the test on any request that leaves the machine.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from geodata.profile import active_profile
from tests.e2e.conftest import start_server, stop_server, warm_in_browser
from tests.e2e.streamlit_helpers import TIMEOUT_MS, map_iframe, map_view, open_app
from tests.e2e.wms_stub import TILE_PX, TILE_RGB, StubWms

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Per preset: (layer, attribution) as the service documents them, written out by hand.
PRESETS = {
    "geoportal-k5-farbe": ("k5_farbe", "Geoportal Berlin / Karte von Berlin 1:5000 (K5-Farbausgabe), dl-de/zero-2.0"),
    "geoportal-dop": ("truedop_2024", "Geoportal Berlin / Digitale farbige TrueOrthophotos 2024, dl-de/zero-2.0"),
    "basemapde-farbe": ("de_basemapde_web_raster_farbe", f"© basemap.de / BKG {date.today().year}"),
    "basemapde-grau": ("de_basemapde_web_raster_grau", f"© basemap.de / BKG {date.today().year}"),
}
TILES = "img.leaflet-tile"


@pytest.fixture(scope="module")
def wms():
    """The stub WMS, shared by the module's servers."""
    with StubWms() as stub:
        yield stub


@pytest.fixture(scope="module", params=list(PRESETS))
def preset_server(request, settings_with_data, browser, wms, tmp_path_factory):
    """The app with one preset drawn from the stub (the previous preset's server is stopped first)."""
    key = request.param
    folder = tmp_path_factory.mktemp(key)
    server = start_server({
        "BEDARFSATLAS_BASEMAP": key,
        "BEDARFSATLAS_BASEMAP_URL": f"{wms.url}/{key}",
        "DATABASE_URL": f"sqlite:///{folder / 'needs.sqlite'}",
    })
    warm_in_browser(browser, server.url)
    server.data["preset"] = key
    yield server
    stop_server(server)
    server.log_path.unlink(missing_ok=True)


def test_every_preset_is_tested_here():
    assert set(PRESETS) == {preset.key for preset in active_profile().basemaps}


def expect_base_map_drawn(page, wms: StubWms, key: str, areas: str, area_count: int) -> None:
    from playwright.sync_api import expect

    layer, attribution = PRESETS[key]
    frame = map_view(page)
    expect(frame.locator(areas)).to_have_count(area_count, timeout=TIMEOUT_MS)
    tiles = frame.locator(f'{TILES}[src^="{wms.url}/{key}?"]')
    expect(tiles.first).to_be_visible(timeout=TIMEOUT_MS)
    # Every tile in view loaded (Leaflet marks it) as a 256-pixel image.
    expect(frame.locator(f"{TILES}.leaflet-tile-loaded").first).to_be_attached(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "([frameSelector, selector]) => {"
        "  const doc = document.querySelector(frameSelector).contentDocument;"
        "  const tiles = [...doc.querySelectorAll(selector)];"
        "  return tiles.length > 0 && tiles.every(t => t.complete && t.naturalWidth === %d);"
        "}" % TILE_PX,
        arg=['iframe[title="streamlit_folium.st_folium"]', TILES],
        timeout=TIMEOUT_MS,
    )
    requests = wms.get_maps(f"/{key}")
    assert requests, f"the stub received no GetMap for {key}"
    for query in requests:
        assert query["SERVICE"] == "WMS" and query["VERSION"] == "1.3.0", query
        assert query["LAYERS"] == layer and query["FORMAT"] == "image/png", query
        assert query["CRS"] == "EPSG:3857" and query["WIDTH"] == query["HEIGHT"] == str(TILE_PX), query
        assert query["TRANSPARENT"].lower() == "false" and query["STYLES"] == "", query
        assert len(query["BBOX"].split(",")) == 4, query
    # The attribution stands in the map's corner, as text (escaped, not markup).
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text(attribution, timeout=TIMEOUT_MS)
    # Drawn, not only loaded: the tiles' colour fills the part of the map the areas leave free.
    from PIL import Image

    # Leaflet fades loaded tiles in (and a rerun may redraw the map): look again for up to 15 s.
    for _ in range(30):
        shot = Image.open(io.BytesIO(map_iframe(page).screenshot(timeout=TIMEOUT_MS))).convert("RGB")
        colours = shot.getcolors(maxcolors=shot.width * shot.height)
        tile_pixels = sum(n for n, rgb in colours if all(abs(a - b) <= 3 for a, b in zip(rgb, TILE_RGB)))
        share = tile_pixels / (shot.width * shot.height)
        if share > 0.05:
            break
        page.wait_for_timeout(500)
    assert share > 0.05, f"only {share:.1%} of the map shows the base map's tiles"


def test_residents_map_draws_the_preset_from_the_stub(preset_server, wms, page, network):
    key = preset_server.data["preset"]
    before = len(wms.get_maps(f"/{key}"))
    open_app(page, preset_server.url + "/melden", "Was fehlt in Ihrem Kiez?")
    expect_base_map_drawn(page, wms, key, "path.leaflet-interactive", 12)
    assert len(wms.get_maps(f"/{key}")) > before
    assert any(url.startswith(f"{wms.url}/{key}?") for url in network.requests)
    network.assert_clean()


def test_planners_map_draws_the_preset_from_the_stub(preset_server, wms, page, network):
    key = preset_server.data["preset"]
    before = len(wms.get_maps(f"/{key}"))
    open_app(page, preset_server.url + "/karte", "Planungskarte: Indikatoren und Bedarfe")
    expect_base_map_drawn(page, wms, key, "path.planner-area", 542)
    assert len(wms.get_maps(f"/{key}")) > before
    network.assert_clean()
