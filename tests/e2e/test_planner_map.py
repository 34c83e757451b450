"""The planners' map (/karte) in a real Chromium against its own server and database.

The server gets a SQLite database of its own (``DATABASE_URL``), filled before
it starts with published needs at places whose areas are known independently
(Brandenburg Gate and Rotes Rathaus in Mitte 01, Rathaus Spandau in 05) and a
pending need that must never show. Areas are SVG paths with the class
``planner-area``; single needs are ``planner-need`` circles, grouped needs
MarkerCluster icons with their count. Every test fails, through the ``page``
fixture, on any request that leaves the machine or fails.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.streamlit_helpers import (
    TIMEOUT_MS,
    choose,
    click_map_until,
    current,
    map_frame,
    map_view,
    open_app,
    rerun_after,
    wait_quiet,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREAS = "path.planner-area"

BRANDENBURG_GATE = (52.5163, 13.3777)  # PLR 01100206, Mitte
ROTES_RATHAUS = (52.5186, 13.4083)  # Mitte (01)
RATHAUS_SPANDAU = (52.5355, 13.2005)  # Spandau (05)


@pytest.fixture(scope="module")
def planner_server(settings_with_data, start_app):
    """The app with its own needs database: 4 published needs (3 in Mitte, 1 in Spandau), 1 pending."""
    from assessment.needs.model import NeedInput
    from assessment.needs.store import open_store

    url = start_app.database_url()
    store = open_store(settings_with_data, database_url=url)
    for (lat, lon), category in [(BRANDENBURG_GATE, "mobility"), (BRANDENBURG_GATE, "mobility"),
                                 (ROTES_RATHAUS, "housing"), (RATHAUS_SPANDAU, "green_climate")]:
        need = store.submit(NeedInput(category=category, title=f"Bedarf {category}", lat=lat, lon=lon))
        store.set_status(need.id, "published")
    store.submit(NeedInput(category="health_care", title="ungeprüft", lat=ROTES_RATHAUS[0], lon=ROTES_RATHAUS[1]))
    store.close()
    return start_app({"DATABASE_URL": url})


def open_map(page, server, query: str = "", areas: int = 542):
    from playwright.sync_api import expect

    open_app(page, f"{server.url}/karte{query}", "Planungskarte: Indikatoren und Bedarfe")
    frame = map_view(page)
    expect(frame.locator(AREAS)).to_have_count(areas, timeout=TIMEOUT_MS)
    return frame


def needs_on_map(page) -> int:
    """Needs drawn in the map: single circles plus the counts on cluster icons."""
    frame = map_view(page)
    singles = frame.locator("path.planner-need").count()
    clusters = sum(int(text) for text in frame.locator(".marker-cluster span").all_inner_texts() if text.strip())
    return singles + clusters


def expect_needs_on_map(page, count: int) -> None:
    """Wait until the map draws ``count`` needs (the overlay arrives after the areas)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while needs_on_map(page) != count:
        if time.monotonic() > deadline:
            raise AssertionError(f"the map shows {needs_on_map(page)} needs, expected {count}")
        page.wait_for_timeout(250)


def test_switch_level_and_indicator_keeps_zoom_and_writes_the_link(planner_server, page, network):
    from playwright.sync_api import expect

    frame = open_map(page, planner_server)
    legend = current(page).locator(".legend")
    expect(legend).to_contain_text("MSS-Statusindex", timeout=TIMEOUT_MS)

    choose(page, "Gebietsebene", "Bezirke")
    expect(frame.locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"ebene=BEZ"), timeout=TIMEOUT_MS)

    # Zoom in, then change the indicator: the layers change, the view stays.
    zoom_before = map_frame(page).evaluate("window.map.getZoom()")
    zoomed = zoom_before + map_frame(page).evaluate("window.map.options.zoomDelta")
    # streamlit-folium reports the view 250 ms after the zoom (debounced) and the page keeps it
    # for the next map: wait for the run of that very report (the map's first report after
    # loading can come in between and end sooner) before the next choice.
    with rerun_after(page, carrying=f'"zoom":{zoomed:g}'.encode()):
        frame.locator(".leaflet-control-zoom-in").click()
    assert map_frame(page).evaluate("window.map.getZoom()") == zoomed

    choose(page, "Indikator", "Anteil ab 65 Jahren")
    expect(legend).to_contain_text("Anteil ab 65 Jahren", timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"indikator=share_65plus"), timeout=TIMEOUT_MS)
    expect(frame.locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)
    # The new choropleth re-creates the Leaflet map; it must come back at the planner's zoom.
    map_frame(page).wait_for_function(f"window.map && window.map.getZoom() == {zoomed}", timeout=TIMEOUT_MS)
    network.assert_clean()


def test_focus_an_area_by_clicking_and_by_the_list(planner_server, page, network):
    from playwright.sync_api import expect

    # Needs off: their cluster icons would cover the point clicked.
    frame = open_map(page, planner_server, "?ebene=BEZ&bedarfe=off", areas=12)
    expect(current(page).get_by_role("heading", name=re.compile(r"\(\d{2}\)$"))).to_have_count(0)

    # Click the map where the Rotes Rathaus stands (inside Mitte, 01), pointing at it first
    # as a user does (the tooltip shows).
    click_map_until(page, *ROTES_RATHAUS, current(page).get_by_role("heading", name="Mitte (01)"), hover=True)
    expect(page).to_have_url(re.compile(r"gebiet=01"), timeout=TIMEOUT_MS)
    expect(frame.locator("path.planner-focus")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(current(page).get_by_text("Alle Indikatoren im Vergleich zu Berlin")).to_be_visible()

    # Without the map: search the list.
    choose(page, "Gebiet im Fokus (suchen oder in der Karte anklicken)", "Spandau (05)",
           done=current(page).get_by_role("heading", name="Spandau (05)"))
    expect(page).to_have_url(re.compile(r"gebiet=05"), timeout=TIMEOUT_MS)
    network.assert_clean()


def test_a_category_filter_changes_the_needs_shown(planner_server, page, network):
    from playwright.sync_api import expect

    open_map(page, planner_server, "?ebene=BEZ", areas=12)
    expect(current(page).get_by_text("4 Bedarfe entsprechen den Filtern.")).to_be_visible(timeout=TIMEOUT_MS)
    expect_needs_on_map(page, 4)  # the pending need is not drawn

    categories = current(page).get_by_role("combobox", name="Kategorien (leer = alle)")
    categories.click()
    with rerun_after(page):
        page.get_by_role("option", name="Mobilität und Verkehr", exact=True).click()
        page.keyboard.press("Escape")
    expect(current(page).get_by_text("2 Bedarfe entsprechen den Filtern.")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"kategorie=mobility"), timeout=TIMEOUT_MS)
    expect_needs_on_map(page, 2)
    network.assert_clean()


def grid_rows(page) -> list[list[str]]:
    """The cells of the last table on the page, read from its ARIA grid (header first)."""
    grid = current(page).get_by_test_id("stDataFrame").last.locator("table[role=grid]")
    rows = []
    for row in grid.locator("[role=row]").all():
        rows.append([cell.inner_text().strip() for cell in row.locator("[role=columnheader], [role=gridcell]").all()])
    return rows


def number(text: str) -> float:
    return float("nan") if text in ("", "None", "NaN", "nan") else float(text.replace(",", ""))


def test_csv_export_holds_exactly_the_areas_and_values_on_screen(planner_server, page, network):
    from playwright.sync_api import expect

    open_map(page, planner_server, "?ebene=BEZ&indikator=share_65plus", areas=12)
    grid = current(page).get_by_test_id("stDataFrame").last.locator("table[role=grid]")
    expect(grid).to_have_attribute("aria-rowcount", "13", timeout=TIMEOUT_MS)
    expect(grid.locator("[role=row]")).to_have_count(13, timeout=TIMEOUT_MS)
    shown = grid_rows(page)
    header, body = shown[0], shown[1:]
    assert header == ["Schlüssel", "Name", "Anteil ab 65 Jahren (%)", "Bedarfe", "Bedarfe je 1.000 Einwohner"]

    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        current(page).get_by_role("button", name="Tabelle als CSV").click()
    path = download_info.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(header)  # machine-readable: the header comes first
    exported = pd.read_csv(path, dtype={"Schlüssel": str})
    assert list(exported.columns) == header
    assert exported["Schlüssel"].tolist() == [row[0] for row in body]
    assert exported["Name"].tolist() == [row[1] for row in body]
    for column in (2, 3, 4):
        on_screen = [number(row[column]) for row in body]
        in_file = exported[header[column]].astype(float).tolist()
        assert on_screen == pytest.approx(in_file, nan_ok=True), header[column]
    # The needs: 3 in Mitte, 1 in Spandau.
    assert dict(zip(exported["Schlüssel"], exported["Bedarfe"]))["01"] == 3

    # The workbook for spreadsheets: the same table, and the sources with their licences.
    from openpyxl import load_workbook

    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        current(page).get_by_role("button", name="Tabelle als Excel-Datei (.xlsx)").click()
    assert download_info.value.suggested_filename == "bedarfsatlas_bez_share_65plus.xlsx"
    # openpyxl goes by the file's suffix, and the download's temporary path has none: read the bytes.
    book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert book.sheetnames == ["Tabelle", "Quellen"]
    sheet = [[cell.value for cell in row] for row in book["Tabelle"].iter_rows()]
    assert sheet[0] == header and [row[0] for row in sheet[1:]] == exported["Schlüssel"].tolist()
    assert any("Lizenz" == cell.value for cell in book["Quellen"][1])
    network.assert_clean()


def test_a_deep_link_reproduces_a_view(planner_server, page, network):
    from playwright.sync_api import expect

    link = "?ebene=BEZ&indikator=share_under6&kategorie=mobility&gebiet=01&bedarfe=heat"
    frame = open_map(page, planner_server, link, areas=12)
    expect(current(page).get_by_role("combobox", name="Gebietsebene", exact=True)).to_have_value("Bezirke")
    expect(current(page).get_by_role("combobox", name="Indikator", exact=True)).to_have_value(
        "Anteil Kinder unter 6 Jahren")
    expect(current(page).locator(".legend")).to_contain_text("Anteil Kinder unter 6 Jahren", timeout=TIMEOUT_MS)
    expect(current(page).get_by_text("2 Bedarfe entsprechen den Filtern.")).to_be_visible(timeout=TIMEOUT_MS)
    expect(current(page).get_by_role("heading", name="Mitte (01)")).to_be_visible(timeout=TIMEOUT_MS)
    expect(frame.locator("path.planner-focus")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(frame.locator("canvas.leaflet-heatmap-layer")).to_have_count(1, timeout=TIMEOUT_MS)

    # A broken link says what it corrected and shows the defaults.
    open_map(page, planner_server, "?ebene=KIEZ", areas=542)
    expect(current(page).get_by_text(re.compile("Unbekannte Ebene 'KIEZ'"))).to_be_visible(timeout=TIMEOUT_MS)
    network.assert_clean()


def test_geojson_and_html_exports_are_complete_and_self_contained(planner_server, page, network, browser, tmp_path):
    import json

    from playwright.sync_api import expect

    open_map(page, planner_server, "?ebene=BEZ&indikator=share_65plus", areas=12)
    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        current(page).get_by_role("button", name="Gebiete als GeoJSON").click()
    collection = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert len(collection["features"]) == 12
    assert any("Lizenz" in line for line in collection["attribution"])
    assert {f["geometry"]["type"] for f in collection["features"]} <= {"Polygon", "MultiPolygon"}

    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        current(page).get_by_role("button", name="Karte als HTML-Datei").click()
    # Saved under its offered name: Chromium opens a file without ".html" as plain text.
    download = download_info.value
    assert download.suggested_filename == "bedarfsatlas_bez_share_65plus.html"
    html_path = tmp_path / download.suggested_filename
    download.save_as(html_path)
    text = html_path.read_text(encoding="utf-8")
    assert "/app/static" not in text and "Lizenz" in text
    network.assert_clean()

    # Opened from disk in a fresh context, with no server at all, the map draws the 12 Bezirke.
    context = browser.new_context()
    try:
        offline = context.new_page()
        offline.goto(html_path.as_uri())
        expect(offline.locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)
    finally:
        context.close()


# --- the map rests: a view is passed to the browser only when the page means to move the map ----------


def leaflet_view(page) -> dict:
    """The browser map's zoom and centre, as Leaflet holds them."""
    return map_frame(page).evaluate(
        "(() => { const c = window.map.getCenter(); return {zoom: window.map.getZoom(), lat: c.lat, lng: c.lng}; })()")


def drag_map(page, dx: float, dy: float) -> None:
    """Drag the map like a user: press in the middle of the map, move in steps, release."""
    box = map_view(page).locator(".leaflet-container").bounding_box(timeout=TIMEOUT_MS)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=12)
    page.mouse.up()


def zoom_steps(page, button: str, times: int) -> None:
    """Click a zoom button ``times`` times, a little apart, as a user does (each step reports on its own)."""
    for _ in range(times):
        map_view(page).locator(f".leaflet-control-zoom-{button}").click()
        page.wait_for_timeout(350)  # longer than streamlit-folium's 250 ms report debounce: reports lag behind


def test_the_map_rests_after_zooming_panning_and_a_cluster_click(planner_server, page, network):
    """Issue 18: after ordinary use the map flipped between two zooms about once a second, for ever."""
    open_map(page, planner_server)
    wait_quiet(page, quiet_s=3)
    start = leaflet_view(page)

    zoom_steps(page, "in", 4)
    drag_map(page, -180, 90)
    wait_quiet(page)
    zoomed = leaflet_view(page)
    assert zoomed["zoom"] == start["zoom"] + 4 * 0.5  # zoomDelta: every step is kept, none pulled back
    assert zoomed["lng"] > start["lng"]  # dragged to the left: the map shows what lies east (the pan is kept)

    zoom_steps(page, "out", 3)
    drag_map(page, 150, -60)
    wait_quiet(page)
    dragged = leaflet_view(page)
    assert dragged["zoom"] == zoomed["zoom"] - 3 * 0.5
    assert dragged["lng"] < zoomed["lng"]
    page.wait_for_timeout(1000)
    assert leaflet_view(page) == dragged  # resting, not moving back

    # Back to all of Berlin, where the needs in Mitte are one cluster; a click on it zooms in.
    zoom_steps(page, "out", 2)
    wait_quiet(page, quiet_s=3)
    before = leaflet_view(page)
    map_view(page).locator(".marker-cluster").first.click()
    wait_quiet(page)
    after = leaflet_view(page)
    assert after["zoom"] > before["zoom"]
    page.wait_for_timeout(1000)
    assert leaflet_view(page) == after
    network.assert_clean()


def leaflet_bounds(page) -> tuple[float, float, float, float]:
    """(south, west, north, east) of what the browser map shows."""
    b = map_frame(page).evaluate(
        "(() => { const b = window.map.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; })()")
    return tuple(b)


def contains(outer, inner) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def test_focusing_an_area_zooms_the_map_to_it_once(planner_server, page, network, settings_with_data):
    from geodata.display import display_geojson
    from maps.planner import area_bounds

    spandau = area_bounds(display_geojson(settings_with_data, "BEZ"), ["05"])
    open_map(page, planner_server, "?ebene=BEZ&bedarfe=off", areas=12)
    wait_quiet(page, quiet_s=3)
    berlin = leaflet_view(page)

    choose(page, "Gebiet im Fokus (suchen oder in der Karte anklicken)", "Spandau (05)",
           done=current(page).get_by_role("heading", name="Spandau (05)"))
    map_frame(page).wait_for_function(f"window.map.getZoom() > {berlin['zoom']}", timeout=TIMEOUT_MS)
    wait_quiet(page)
    fitted = leaflet_view(page)
    assert contains(leaflet_bounds(page), spandau)  # all of Spandau shows ...
    assert not contains(leaflet_bounds(page), (52.5186, 13.4083, 52.5186, 13.4083))  # ... not the Rotes Rathaus

    # Fitted once: the planner zooms out, and the focus does not pull the map back.
    zoom_steps(page, "out", 1)
    wait_quiet(page)
    assert leaflet_view(page)["zoom"] == fitted["zoom"] - 0.5

    # The same area again after no area: fitted again.
    choose(page, "Gebiet im Fokus (suchen oder in der Karte anklicken)", "— keines —")
    wait_quiet(page, quiet_s=3)
    choose(page, "Gebiet im Fokus (suchen oder in der Karte anklicken)", "Spandau (05)",
           done=current(page).get_by_role("heading", name="Spandau (05)"))
    map_frame(page).wait_for_function(f"window.map.getZoom() == {fitted['zoom']}", timeout=TIMEOUT_MS)
    wait_quiet(page)
    network.assert_clean()


def test_the_deep_link_keeps_zoom_and_centre(planner_server, page, network):
    from playwright.sync_api import expect

    # The link's view wins over fitting the area it names.
    open_map(page, planner_server, "?ebene=BEZ&bedarfe=off&gebiet=05&zoom=13.5&mitte=52.52000,13.40500", areas=12)
    map_frame(page).wait_for_function("window.map.getZoom() == 13.5", timeout=TIMEOUT_MS)
    wait_quiet(page, quiet_s=3)
    opened = leaflet_view(page)
    assert (opened["zoom"], round(opened["lat"], 5), round(opened["lng"], 5)) == (13.5, 52.52, 13.405)
    expect(page).to_have_url(re.compile(r"zoom=13\.5&mitte=52\.52000%2C13\.40500|zoom=13\.5&mitte=52\.52000,13\.40500"))

    # The planner pans and zooms: the link follows, and opening it again shows the same view.
    zoom_steps(page, "in", 1)
    drag_map(page, -120, 0)
    wait_quiet(page)
    moved = leaflet_view(page)
    expect(page).to_have_url(re.compile(r"zoom=14(&|$)"), timeout=TIMEOUT_MS)
    link = page.url
    assert "gebiet=05" in link
    open_app(page, link, "Planungskarte: Indikatoren und Bedarfe")
    map_frame(page).wait_for_function("window.map && window.map.getZoom() == 14", timeout=TIMEOUT_MS)
    reopened = leaflet_view(page)
    assert reopened["lat"] == pytest.approx(moved["lat"], abs=1e-5)
    assert reopened["lng"] == pytest.approx(moved["lng"], abs=1e-5)

    # A view outside what the map can show is named and left out.
    open_map(page, planner_server, "?ebene=BEZ&zoom=99&mitte=52.52,13.40", areas=12)
    expect(current(page).get_by_text(re.compile("Zoom '99' ist keine Zahl von 9 bis 18"))).to_be_visible(
        timeout=TIMEOUT_MS)
    network.assert_clean()
