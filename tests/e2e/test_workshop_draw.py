"""The focus rectangle drawn with the mouse in a real browser: Leaflet.draw from static/node_modules.

/workshop needs a staff login, so this opens the map builder's own page from
disk (assets as file URLs) and drags a rectangle like a facilitator would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maps.workshop import bbox_polygon, drawn_bbox, focus_draw_map

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 60_000
DISTRICTS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "01", "properties": {"name": "Mitte"},
     "geometry": bbox_polygon((13.30, 52.49, 13.43, 52.57))}]}


def test_a_rectangle_dragged_on_the_map_gives_a_bbox_inside_the_view(browser, tmp_path):
    from playwright.sync_api import expect

    m = focus_draw_map(DISTRICTS, asset_base=(ROOT / "static" / "node_modules").as_uri())
    name = m.get_name()
    html = tmp_path / "draw.html"
    html.write_text(m.get_root().render(), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(html.as_uri(), timeout=TIMEOUT_MS)
    tool = page.locator("a.leaflet-draw-draw-rectangle")
    expect(tool).to_be_visible(timeout=TIMEOUT_MS)
    # What streamlit-folium reports as last_active_drawing: the created layer as GeoJSON.
    page.evaluate(f"{name}.on('draw:created', function (e) {{ window.drawn = e.layer.toGeoJSON(); }})")
    assert page.locator("a.leaflet-draw-draw-polygon, a.leaflet-draw-draw-marker, a.leaflet-draw-edit-edit").count() == 0
    tool.click()
    box = page.locator(".folium-map").bounding_box()
    x, y = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 50, steps=8)
    page.mouse.move(x + 160, y + 100, steps=8)
    page.mouse.up()
    page.wait_for_function("window.drawn !== undefined", timeout=TIMEOUT_MS)
    drawing = json.loads(page.evaluate("JSON.stringify(window.drawn)"))
    west, south, east, north = drawn_bbox(drawing)
    bounds = page.evaluate(f"(() => {{ const b = {name}.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }})()")
    assert west < east and south < north
    assert bounds[0] < west < east < bounds[2] and bounds[1] < south < north < bounds[3]
    context.close()
    assert not errors
    # Only the page itself and files from static/node_modules (toolbar icons included) were loaded.
    node_modules = (ROOT / "static" / "node_modules").as_uri()
    assert all(url == html.as_uri() or url.startswith(node_modules + "/") for url in requests), requests
    assert any(url.endswith("leaflet-draw/dist/images/spritesheet.svg") or "spritesheet" in url for url in requests)
