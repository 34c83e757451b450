"""The planners' map exported as a PNG, in a real Chromium: same colours as the web map, the view the planner zoomed to.

The colours are read from the areas Leaflet drew in the browser, the PNG is the file
the browser downloaded; the two must agree. Zoomed into one area with no MSS class
("Gewerbegebiet Bitterfelder Straße", 3.6 km², grey = keine Angabe), the picture is
mostly that grey; the whole of Berlin is not.
"""

from __future__ import annotations

import io
import re

import pytest

from maps.classify import MISSING_COLOUR
from tests.e2e.streamlit_helpers import TIMEOUT_MS, current, map_frame, map_view, open_app, rerun_after

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREAS = "path.planner-area"
NO_CLASS_AREA = (52.5534, 13.5379)  # PLR 10100205, MSS status missing (python -m geodata locate)


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


def download_png(page):
    from PIL import Image

    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        current(page).get_by_role("button", name="Karte als PNG-Bild").click()
    download = download_info.value
    assert re.fullmatch(r"bedarfsatlas_plr_mss_status\.png", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def share_of(image, colour: tuple[int, int, int]) -> float:
    pixels = image.convert("RGB").getcolors(maxcolors=image.width * image.height)
    return sum(n for n, c in pixels if c == colour) / (image.width * image.height)


def test_png_has_the_web_maps_colours_sources_and_the_zoomed_view(app_server, page, network):
    from playwright.sync_api import expect

    open_app(page, f"{app_server.url}/karte?indikator=mss_status&bedarfe=off", "Planungskarte: Indikatoren und Bedarfe")
    frame = map_view(page)
    expect(frame.locator(AREAS)).to_have_count(542, timeout=TIMEOUT_MS)
    # Without base tiles the map's ground is white, as in the PNG (leaflet.css's grey must not win).
    background = frame.locator(".leaflet-container").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(255, 255, 255)"
    web_colours = set(frame.locator(AREAS).evaluate_all("paths => paths.map(p => p.getAttribute('fill'))"))
    assert len(web_colours) == 5  # four MSS classes and keine Angabe

    whole = download_png(page)
    assert whole.text["Title"] == "MSS-Statusindex"
    assert "Monitoring Soziale Stadtentwicklung" in whole.text["Source"] and "Lizenz" in whole.text["Source"]
    assert "LOR" in whole.text["Source"] or "Lebensweltlich" in whole.text["Source"]
    for colour in web_colours:  # every class colour of the web map is in the picture
        assert share_of(whole, rgb(colour)) > 0.0005, colour
    grey_whole = share_of(whole, rgb(MISSING_COLOUR))
    assert grey_whole < 0.05

    # Zoom the web map into the area without a class; the picture follows the view. The map
    # reports its view to the server after a move; a report right after the page loaded can be
    # overtaken by the map's first one, so the planner (and the test) may move it once more.
    for attempt in range(3):
        zoom = 17 - attempt % 2
        with rerun_after(page, carrying=f'"zoom":{zoom}'.encode()):  # the run of this very report
            map_frame(page).evaluate(
                f"window.map.setView([{NO_CLASS_AREA[0]}, {NO_CLASS_AREA[1]}], {zoom}, {{animate: false}})"
            )
        zoomed = download_png(page)
        if share_of(zoomed, rgb(MISSING_COLOUR)) > 0.3:
            break
    assert share_of(zoomed, rgb(MISSING_COLOUR)) > 0.3 > grey_whole
    network.assert_clean()
