"""The overview map: how long it takes to build, how much goes to the browser, cold start.

Part 1, build and size, per LOR level (the page's path, in process):
``indicator_layer`` + ``choropleth_map`` on the display GeoJSON
(:func:`geodata.display.display_geojson`, warm cache) + the strings streamlit-folium
sends to its iframe (header, HTML, script). Baseline in the same run: the naive
map, ``folium.GeoJson`` of the full-detail LOR geometry (:func:`geodata.lor.load_units`
in EPSG:4326, all attribute columns, same style and tooltip), also rendered as
streamlit-folium would send it. Indicator: MSS status at PLR, its residents' share
at coarser levels (the page's default).

Part 2, cold start: ``streamlit run app.py`` on a free loopback port, Debian's
Chromium (already launched, not counted) opens the app, and the clock stops when
the map has drawn its 542 area paths. Run twice with a fresh data folder whose
open data is linked from the real one: first with empty derived caches (display
geometry, indicator parquet: "first run"), then again in a new server process
with those caches on disk ("warm caches").

Run: ``.venv/bin/python bench/bench_map.py [--repeat 5] [--no-browser]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata import indicators  # noqa: E402
from geodata.display import display_geojson  # noqa: E402
from core.i18n import t  # noqa: E402
from geodata.indicators import INDICATORS, available_indicators  # noqa: E402
from geodata.lor import LEVEL_ORDER, LEVELS, load_units  # noqa: E402
from maps.base import choropleth_map, indicator_layer  # noqa: E402
from core.settings import load_settings  # noqa: E402


def sent_by_streamlit_folium(m: folium.Map) -> str:
    """Header + HTML + script, exactly as ``st_folium`` builds them for its iframe."""
    from streamlit_folium import _get_header, _get_html, _get_map_string

    m.get_root().render()
    return _get_header(m) + _get_html(m) + _get_map_string(m)


def indicator_for(level: str) -> str:
    return "mss_status" if "mss_status" in available_indicators(level) else "mss_status_low_share"


def build_overview(settings, level: str) -> str:
    table = indicators.indicator_table(settings, level)
    layer = indicator_layer(table[indicator_for(level)], INDICATORS[indicator_for(level)], "de")
    m = choropleth_map(
        display_geojson(settings, level), layer.classification, table["name"],
        value_text=layer.value_text, area_label=LEVELS[level].label("de"),
        indicator_label=layer.heading, attribution=layer.attribution, lang="de",
    )
    return sent_by_streamlit_folium(m)


def build_naive(settings, level: str) -> str:
    """What a first attempt does: the full geometry with all columns straight into folium."""
    table = indicators.indicator_table(settings, level)
    layer = indicator_layer(table[indicator_for(level)], INDICATORS[indicator_for(level)], "de")
    units = load_units(settings, level).to_crs(4326)
    units = units.assign(value=layer.value_text.reindex(units.index).values)
    lvl = LEVELS[level]
    m = folium.Map(tiles=None)
    colours = {i: layer.classification.colour_of(i) for i in units.index}
    folium.GeoJson(
        units,
        style_function=lambda f: {"fillColor": colours[f["id"]], "color": "#4d4d4d", "weight": 0.7},
        tooltip=folium.GeoJsonTooltip(fields=[lvl.name_column, "value"]),
    ).add_to(m)
    m.fit_bounds(m.get_bounds())
    return sent_by_streamlit_folium(m)


def timed(fn, repeat: int) -> tuple[float, str]:
    runs, out = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), out


def bench_build(repeat: int) -> None:
    settings = load_settings()
    for level in LEVEL_ORDER:  # warm every cache the page has warm
        display_geojson(settings, level)
        indicators.indicator_table(settings, level)
        load_units(settings, level)
    print("| level | overview map build | bytes sent | naive build (full geometry) | bytes sent | faster | smaller |")
    print("|---|---|---|---|---|---|---|")
    for level in LEVEL_ORDER:
        ours, html = timed(lambda: build_overview(settings, level), repeat)
        naive, naive_html = timed(lambda: build_naive(settings, level), max(1, repeat // 2))
        print(
            f"| {level} ({len(indicators.indicator_table(settings, level))}) | {ours * 1000:.0f} ms | "
            f"{len(html.encode()):,} | {naive * 1000:.0f} ms | {len(naive_html.encode()):,} | "
            f"×{naive / ours:.1f} | ×{len(naive_html) / len(html):.0f} |"
        )


def cold_start(data_dir: Path, browser) -> tuple[float, float]:
    """Seconds from ``streamlit run`` to healthy and to the PLR map drawn in Chromium."""
    from tests.e2e.conftest import start_server, stop_server

    start = time.perf_counter()
    server = start_server({"BEDARFSATLAS_DATA_DIR": str(data_dir)})
    healthy = time.perf_counter() - start
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url + "/")
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        frame.locator("path.leaflet-interactive").nth(541).wait_for(timeout=120_000)
        drawn = time.perf_counter() - start
        page.close()
    finally:
        stop_server(server)
    return healthy, drawn


FIRST_RUN_STEPS = """
import json, time
steps = {}
t = time.perf_counter()
import streamlit
steps["import streamlit"] = time.perf_counter() - t; t = time.perf_counter()
from geodata.fetch import require_data
from core.settings import load_settings
settings = load_settings()
require_data(settings)
steps["require_data (app.py, once per process)"] = time.perf_counter() - t; t = time.perf_counter()
import folium, geopandas, streamlit_folium
from geodata import display, indicators
from maps import base as maps
steps["import folium, geopandas, streamlit_folium, geodata"] = time.perf_counter() - t; t = time.perf_counter()
table = indicators.indicator_table(settings, "PLR")
steps["indicator_table PLR (parquet cache)"] = time.perf_counter() - t; t = time.perf_counter()
geojson = display.display_geojson(settings, "PLR")
steps["display_geojson PLR (disk cache)"] = time.perf_counter() - t; t = time.perf_counter()
layer = maps.indicator_layer(table["mss_status"], indicators.INDICATORS["mss_status"], "de")
m = maps.choropleth_map(geojson, layer.classification, table["name"], value_text=layer.value_text,
                        area_label="Planungsraum", indicator_label=layer.heading, attribution=layer.attribution)
from streamlit_folium import _get_header, _get_html, _get_map_string
m.get_root().render(); sent = _get_header(m) + _get_html(m) + _get_map_string(m)
steps["build map + st_folium payload"] = time.perf_counter() - t
print(json.dumps(steps))
"""


def bench_first_run_steps() -> None:
    """Where a new server process spends its first page run (fresh interpreter, warm disk caches)."""
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", FIRST_RUN_STEPS], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    steps = json.loads(out.strip().splitlines()[-1])
    print("\n| first page run in a new process, step | time |")
    print("|---|---|")
    for step, seconds in steps.items():
        print(f"| {step} | {seconds * 1000:.0f} ms |")
    print(f"| total | {sum(steps.values()) * 1000:.0f} ms |")


def bench_cold_start(runs: int) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    real = load_settings()
    print("\n| start | to /_stcore/health | to map drawn (542 paths) |")
    print("|---|---|---|")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(runs):
            with tempfile.TemporaryDirectory(prefix="bench-map-") as tmp:
                data = Path(tmp)
                (data / "opendata").mkdir()
                for file in real.raw_dir.iterdir():
                    if file.is_file():
                        (data / "opendata" / file.name).symlink_to(file.resolve())
                first = cold_start(data, browser)
                warm = cold_start(data, browser)
            print(f"| first run, empty derived caches (#{run + 1}) | {first[0]:.1f} s | {first[1]:.1f} s |")
            print(f"| warm caches, new server process (#{run + 1}) | {warm[0]:.1f} s | {warm[1]:.1f} s |")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="builds per level (median)")
    parser.add_argument("--starts", type=int, default=2, help="cold-start pairs (first run + warm)")
    parser.add_argument("--no-browser", action="store_true", help="skip the cold-start part")
    args = parser.parse_args()
    print(f"Overview map, {t('legend.scheme.categories', 'en')} (MSS status) / quantiles; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
    bench_build(args.repeat)
    bench_first_run_steps()
    if not args.no_browser:
        bench_cold_start(args.starts)


if __name__ == "__main__":
    main()
