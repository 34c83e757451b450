"""maps.moderation: the queue page's needs as numbered markers with their areas, rendered to HTML."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import folium
import pytest

from maps.base import ASSET_BASE, Basemap
from maps.moderation import (
    NumberedMarkers,
    QueueMarker,
    area_geometries,
    area_text,
    clicked_marker,
    marker_tooltip,
    moderation_base_map,
    moderation_map,
    queue_layers,
)

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "static" / "node_modules"


def square(west: float, south: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [west + size, south], [west + size, south + size],
                                                [west, south + size], [west, south]]]}


AREAS = {
    "01100101": square(13.37, 52.51),  # a PLR
    "01100102": square(13.38, 52.51),  # a neighbouring PLR
    "011001": square(13.36, 52.50, 0.03),  # the BZR both lie in
}
POINT = QueueMarker(1, "AAAAAAAA", 52.515, 13.375, "Zebrastreifen", "Mobilität", "PLR", "01100101", "Tiergarten Süd")
SAME_PLR = QueueMarker(2, "BBBBBBBB", 52.516, 13.376, "Bank", "Grün", "PLR", "01100101", "Tiergarten Süd")
BY_AREA = QueueMarker(3, "CCCCCCCC", 52.515, 13.375, "Jugendclub", "Jugend", "BZR", "011001", "Tiergarten",
                      by_area=True)
NEIGHBOUR = QueueMarker(4, "DDDDDDDD", 52.515, 13.385, "Kita", "Bildung", "PLR", "01100102", "Moabit Ost")
QUEUE = [POINT, SAME_PLR, BY_AREA, NEIGHBOUR]


def marker_rows(layers) -> list[list]:
    [markers] = [c for c in layers[1]._children.values() if isinstance(c, NumberedMarkers)]
    return markers.rows


def drawn_areas(layers) -> list[tuple[dict, dict]]:
    """(geometry, style) of each area outline, in drawing order."""
    features = [feature for child in layers[0]._children.values() if isinstance(child, folium.GeoJson)
                for feature in child.data["features"]]  # folium wraps a single feature in a collection
    return [(feature["geometry"], style) for feature, style in zip(features, [
        child.style_function(child.data["features"][0])
        for child in layers[0]._children.values() if isinstance(child, folium.GeoJson)])]


def test_one_numbered_marker_per_need_in_list_order_at_its_point():
    rows = marker_rows(queue_layers(QUEUE, AREAS))
    assert [(r[0], r[1], r[2]) for r in rows] == [(n.lat, n.lon, n.number) for n in QUEUE]
    assert [r[3] for r in rows] == [False, False, True, False]  # only need 3 was located by area
    assert [r[6] for r in rows] == ["Bedarf 1", "Bedarf 2", "Bedarf 3, nur als Gebiet angegeben", "Bedarf 4"]
    assert [r[6] for r in marker_rows(queue_layers(QUEUE, AREAS, lang="en"))][2] == "Need 3, located by area only"


def test_the_rendered_page_builds_the_markers_from_the_rows():
    page = moderation_map(QUEUE, AREAS).get_root().render()
    script = re.search(r"var rows = (\[.*?\]);\n", page).group(1)
    rows = json.loads(script)  # \u escapes are valid JSON
    assert [r[2] for r in rows] == [1, 2, 3, 4]
    assert rows[2][3] is True and "L.divIcon" in page and '"moderation-need"' in page
    assert "moderation-need{" in page  # the badges' CSS is in the map's own header


def test_each_area_drawn_once_plr_as_outline_chosen_area_filled_and_dashed():
    areas = drawn_areas(queue_layers(QUEUE, AREAS))
    assert len(areas) == 3  # needs 1 and 2 share their PLR
    by_geometry = {json.dumps(g, sort_keys=True): style for g, style in areas}
    plr = by_geometry[json.dumps(AREAS["01100101"], sort_keys=True)]
    chosen = by_geometry[json.dumps(AREAS["011001"], sort_keys=True)]
    assert plr["fill"] is False and "dashArray" not in plr and plr["className"] == "moderation-area"
    assert chosen["fillOpacity"] > 0 and chosen["dashArray"] and chosen["className"] == "moderation-area by-area"
    # A map click selects needs through their markers only: areas take no clicks.
    assert all(child.options.get("interactive") is False
               for child in queue_layers(QUEUE, AREAS)[0]._children.values() if isinstance(child, folium.GeoJson))


def test_the_selected_need_is_highlighted_and_drawn_on_top():
    layers = queue_layers(QUEUE, AREAS, selected=4)
    assert [r[4] for r in marker_rows(layers)] == [False, False, False, True]
    areas = drawn_areas(layers)
    geometry, style = areas[-1]  # last drawn, so on top of its neighbours
    assert geometry == AREAS["01100102"]
    assert style["className"] == "moderation-area selected" and style["weight"] > 1.5
    assert all("selected" not in s["className"] for _, s in areas[:-1])
    page = moderation_map(QUEUE, AREAS, selected=4).get_root().render()
    assert '" selected"' in page and "zIndexOffset: r[4] ? 1000 : 0" in page


def test_no_need_is_highlighted_without_a_selection():
    layers = queue_layers(QUEUE, AREAS)
    assert not any(r[4] for r in marker_rows(layers))
    assert all("selected" not in style["className"] for _, style in drawn_areas(layers))


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "{{ 7*7 }}",
    "{% for x in range(3) %}Q{% endfor %}",
    "${alert(document.cookie)}",
    "`; alert(1); `",
    "</script><script>alert(1)</script>",
])
def test_resident_text_is_escaped_and_inert(payload):
    need = QueueMarker(1, "AAAAAAAA", 52.515, 13.375, payload, payload, "PLR", "01100101", payload)
    page = moderation_map([need], AREAS, selected=1).get_root().render()
    rows_json = re.search(r"var rows = (\[.*?\]);\n", page).group(1)
    # The text reaches the page only inside the rows' JSON string literals, where nothing runs ...
    assert payload not in page.replace(rows_json, "")
    assert not re.search(r"[<>&]", rows_json), "the JSON could close the <script> or hold live markup"
    assert "{{" not in rows_json and "{%" not in rows_json and "${" not in rows_json
    assert "49" not in rows_json and "QQQ" not in page  # no template was evaluated on the server
    # ... and the tooltip is escaped HTML that reads as typed: category, title, area name.
    tooltip = json.loads(rows_json)[0][5]
    assert html.unescape(tooltip).count(payload) == 3
    assert set(re.findall(r"<[^>]*>", tooltip)) <= {"<strong>", "</strong>", "<br>", "<small>", "</small>"}


def test_clicked_marker_reads_back_number_and_reference_not_the_title():
    need = QueueMarker(7, "3F2C9A1E", 52.5, 13.4, "12 · ABCDEF12 fake", "Wohnen", "PLR", "01100101", "Mitte")
    # streamlit-folium reports the tooltip's text content (tags dropped, entities decoded).
    text = html.unescape(re.sub(r"<[^>]+>", "", marker_tooltip(need)))
    assert clicked_marker(text) == (7, "3F2C9A1E")
    assert clicked_marker(" 7 · 3F2C9A1E · x") == (7, "3F2C9A1E")
    for not_a_marker in (None, "", "Mitte", "7 · zu kurz", 7, "Nr. 7 · 3F2C9A1E"):
        assert clicked_marker(not_a_marker) is None, not_a_marker


def test_a_missing_area_geometry_names_the_area_and_the_fix():
    with pytest.raises(ValueError, match=r"no geometry for area '011001' \(BZR\) of need 3: pass it in "
                                         r"areas\['011001'\], e.g. from display_units\(settings, 'BZR'\)"):
        queue_layers(QUEUE, {k: v for k, v in AREAS.items() if k != "011001"})


def test_two_needs_with_one_number_are_refused():
    with pytest.raises(ValueError, match=r"QueueMarker.number must be unique .* got \[1, 1\]"):
        queue_layers([POINT, QueueMarker(1, "BBBBBBBB", 52.5, 13.4, "x", "y", "PLR", "01100101", "z")], AREAS)


def test_the_whole_map_fits_the_needs_and_their_areas():
    m = moderation_map(QUEUE, AREAS)
    [fit] = [c for c in m._children.values() if type(c).__name__ == "FitBounds" and c.bounds != [
        [52.3382, 13.0883], [52.6755, 13.7612]]]
    (south, west), (north, east) = fit.bounds
    assert (south, west) == pytest.approx((52.50, 13.36)) and (north, east) == pytest.approx((52.53, 13.39))


def test_every_asset_is_local_and_no_tile_server_is_contacted():
    m = moderation_map(QUEUE, AREAS, {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "01", "properties": {"name": "Mitte"}, "geometry": square(13.3, 52.5, 0.1)}]})
    page = m.get_root().render()
    urls = re.findall(r'<script src="([^"]+)"', page) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert urls
    for url in urls:
        assert url.startswith(ASSET_BASE + "/") and (NODE_MODULES / url[len(ASSET_BASE) + 1:]).is_file(), url
    assert "http://" not in page and "https://" not in page and "cdn" not in page.lower()
    assert "tileLayer" not in page  # no base map unless the operator configured one

    def elements(element):
        yield element
        for child in element._children.values():
            yield from elements(child)

    # streamlit-folium loads each element's default_js/default_css itself: none may be remote.
    for element in elements(m):
        for _, url in [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]:
            assert url.startswith(ASSET_BASE + "/"), (element, url)


def test_a_configured_base_map_lies_underneath_with_escaped_attribution():
    basemap = Basemap("https://tiles.example.org/{z}/{x}/{y}.png", "<b>Geoportal</b>")
    page = moderation_base_map(basemap=basemap).get_root().render()
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page
    assert "\\u0026lt;b\\u0026gt;Geoportal" in page and "<b>Geoportal" not in page  # escaped, then JSON


def test_the_base_map_is_the_same_whatever_the_queue_so_a_rerun_keeps_the_view():
    """streamlit-folium re-creates the Leaflet map (and resets the zoom) when the base map's script changes."""
    from streamlit_folium import _get_map_string, generate_js_hash

    districts = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "01", "properties": {"name": "Mitte"}, "geometry": square(13.3, 52.5, 0.1)}]}

    def script_hash(layers) -> str:
        m = moderation_base_map(districts)
        m.get_root().render()
        script = _get_map_string(m)
        for layer in layers:  # what st_folium does with feature_group_to_add: a separate script
            layer.add_to(m)
        return generate_js_hash(script, "moderation_map")

    first = script_hash(queue_layers(QUEUE, AREAS, selected=1))
    assert script_hash(queue_layers(QUEUE[2:], AREAS, selected=None)) == first
    assert script_hash([]) == first


def test_needs_at_one_point_spread_on_a_ring_so_every_number_shows():
    # POINT and BY_AREA share one point (a pin on an area's representative point); the others are alone.
    rows = marker_rows(queue_layers(QUEUE, AREAS))
    assert [(r[2], r[7], r[8]) for r in rows] == [(1, 0, -20), (2, 0, 0), (3, 0, 20), (4, 0, 0)]
    assert [(r[0], r[1]) for r in rows] == [(n.lat, n.lon) for n in QUEUE]  # the points themselves stay
    # Two needs located by the same area sit on its one representative point.
    twins = [QueueMarker(n, f"{n:08X}", 52.5, 13.4, f"Bedarf {n}", "Jugend", "BZR", "011001", "Tiergarten",
                         by_area=True) for n in range(1, 7)]
    offsets = [(r[7], r[8]) for r in marker_rows(queue_layers(twins, AREAS))]
    assert len(set(offsets)) == 6
    badge = 26  # no two badges of a ring overlap
    assert all(max(abs(a[0] - b[0]), abs(a[1] - b[1])) >= badge for i, a in enumerate(offsets)
               for b in offsets[i + 1:])
    page = moderation_map(twins, AREAS).get_root().render()
    assert "iconAnchor: [size / 2 - r[7], size / 2 - r[8]]" in page and "offset: [r[7], r[8] - size / 2]" in page


@pytest.mark.parametrize(("need", "lang", "expected"), [
    (POINT, "de", "Planungsraum: Tiergarten Süd (01100101)"),
    (POINT, "en", "Planning area: Tiergarten Süd (01100101)"),
    (BY_AREA, "de", "Nur als Gebiet angegeben – Bezirksregion: Tiergarten (011001)"),
    (BY_AREA, "en", "Located by area only – District region: Tiergarten (011001)"),
])
def test_the_list_and_the_tooltip_name_the_area_in_the_same_words(need, lang, expected):
    assert area_text(need, lang) == expected
    assert html.escape(expected, quote=True) in marker_tooltip(need, lang)


def test_area_geometries_takes_each_area_from_its_level_once():
    import geopandas as gpd
    from shapely.geometry import box

    units = {"PLR": gpd.GeoDataFrame(geometry=[box(13.37, 52.51, 13.38, 52.52), box(13.38, 52.51, 13.39, 52.52)],
                                     index=["01100101", "01100102"], crs="EPSG:4326"),
             "BZR": gpd.GeoDataFrame(geometry=[box(13.36, 52.50, 13.39, 52.53)], index=["011001"], crs="EPSG:4326")}
    asked: list[str] = []
    areas = area_geometries(QUEUE, lambda level: asked.append(level) or units[level])
    assert sorted(areas) == ["011001", "01100101", "01100102"]
    assert areas["011001"]["type"] == "Polygon"
    assert sorted(areas["011001"]["coordinates"][0]) == sorted([(13.39, 52.50), (13.39, 52.53), (13.36, 52.53),
                                                                (13.36, 52.50), (13.39, 52.50)])
    assert asked == ["PLR", "PLR", "BZR", "PLR"]  # one call per marker, in list order
    # The geometries are what queue_layers draws.
    assert len(drawn_areas(queue_layers(QUEUE, areas))) == 3
