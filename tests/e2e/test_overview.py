"""The overview map in a real Chromium: drawn, switchable, explained, and fully local.

The map lives in streamlit-folium's iframe; Leaflet draws each area as one SVG
``path.leaflet-interactive``, so the number of paths is the number of areas on
the map (542 PLR, 12 Bezirke). Every test also fails, through the ``page``
fixture, on any request that leaves the machine or fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.e2e.streamlit_helpers import TIMEOUT_MS, choose, current, map_frame, map_view, open_app, rerun_after

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREAS = "path.leaflet-interactive"


def test_overview_map_switches_level_and_indicator_without_external_requests(app_server, page, network):
    from playwright.sync_api import expect

    open_app(page, app_server.url + "/", "Übersichtskarte")
    areas = map_view(page).locator(AREAS)
    expect(areas).to_have_count(542, timeout=TIMEOUT_MS)
    legend = current(page).locator(".legend")
    # Default: the MSS status index with its four official classes and a no-data entry.
    expect(legend).to_contain_text("MSS-Statusindex", timeout=TIMEOUT_MS)
    expect(legend).to_contain_text("sehr niedrig")
    expect(legend).to_contain_text("keine Angabe")

    choose(page, "Gebietsebene", "Bezirke")
    expect(areas).to_have_count(12, timeout=TIMEOUT_MS)
    # The PLR-only status class becomes the residents' share at Bezirk level.
    expect(legend).to_contain_text("Anteil Einwohner in PLR mit MSS-Status niedrig", timeout=TIMEOUT_MS)

    choose(page, "Indikator", "Anteil ab 65 Jahren")
    expect(legend).to_contain_text("Anteil ab 65 Jahren", timeout=TIMEOUT_MS)
    expect(legend).not_to_contain_text("MSS-Status")
    expect(areas).to_have_count(12, timeout=TIMEOUT_MS)

    # Hover shows the area's name and value in the map; a click names it below the map.
    first = areas.first
    first.hover(force=True)
    tooltip = map_view(page).locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text("Bezirk", timeout=TIMEOUT_MS)
    expect(tooltip).to_contain_text(re.compile(r"\d+,\d %"))
    with rerun_after(page):
        first.click(force=True)
    expect(current(page).get_by_text(re.compile(r"^Ausgewählt: .+ \(\d{2}\): \d+,\d %$"))).to_be_visible(
        timeout=TIMEOUT_MS)

    # The same values without the map: a grid with one row per Bezirk. Streamlit draws
    # it on a canvas whose fallback content is an ARIA grid for screen readers.
    expect(current(page).get_by_text("Tabelle aller Gebiete (ohne Karte)")).to_be_visible()
    grid = current(page).get_by_test_id("stDataFrame").locator("table[role=grid]")
    expect(grid).to_have_attribute("aria-rowcount", "13", timeout=TIMEOUT_MS)  # header + 12 Bezirke
    expect(grid.locator("[role=gridcell]", has_text=re.compile(r"^Mitte$")).first).to_be_attached()
    network.assert_clean()


def test_english_interface_and_sources_page(app_server, page, network):
    from playwright.sync_api import expect

    open_app(page, app_server.url + "/", "Übersichtskarte")
    expect(map_view(page).locator(AREAS)).to_have_count(542, timeout=TIMEOUT_MS)
    # One click is enough: the switch sits after st.navigation in the sidebar (before it,
    # Streamlit 1.67 re-mounted it on the next rerun and the first click was lost).
    with rerun_after(page):
        page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    expect(current(page).get_by_role("heading", name="Overview map", exact=True)).to_be_visible(timeout=10_000)
    expect(current(page).locator(".legend")).to_contain_text("no data", timeout=TIMEOUT_MS)
    # The choice survives the next interaction (before the move it fell back to German).
    choose(page, "Area level", "Districts")
    expect(map_view(page).locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)
    expect(current(page).get_by_role("heading", name="Overview map", exact=True)).to_be_visible()
    # The status classes exist per planning area only: their residents' share stands in, and the page says so
    # (the choice came back from the browser as its German label; it is still recognised).
    expect(current(page).get_by_text(re.compile("“MSS status index” exists for planning areas only"))).to_be_visible()

    with rerun_after(page):
        page.get_by_role("link", name="Sources and imprint").click()
    expect(current(page).get_by_role("heading", name="Sources and imprint")).to_be_visible(timeout=TIMEOUT_MS)
    expect(current(page).get_by_role("heading", name="Imprint", exact=True)).to_be_visible()
    expect(current(page).get_by_role("link", name="CC BY 3.0 DE").first).to_be_visible()
    network.assert_clean()


AXE = Path(__file__).resolve().parents[2] / "static/node_modules/axe-core/axe.min.js"


def serious_violations(frame) -> list[str]:
    """WCAG 2.1 A/AA violations of impact 'serious' or 'critical' found by axe-core."""
    frame.add_script_tag(path=str(AXE))
    result = frame.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['html'][:120]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_pages_have_no_serious_accessibility_violations(app_server, page, network):
    from playwright.sync_api import expect

    if not AXE.is_file():
        skip_or_fail(f"axe-core missing at {AXE}: run `npm ci --prefix static`")
    open_app(page, app_server.url + "/", "Übersichtskarte")
    expect(map_view(page).locator(AREAS)).to_have_count(542, timeout=TIMEOUT_MS)
    assert serious_violations(page) == []
    # Inside the map: Leaflet's controls and the attribution.
    assert serious_violations(map_frame(page)) == []

    with rerun_after(page):
        page.get_by_role("link", name="Quellen und Impressum").click()
    expect(current(page).get_by_role("heading", name="Quellen und Impressum", exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    assert serious_violations(page) == []
    network.assert_clean()
