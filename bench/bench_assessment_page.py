"""/bewertung: what a weight change costs, on the server (per phase) and in Chromium.

Part 1, server, in process (current code): one weight change of the default
preset ("social") at BZR and PLR level, split into the page's phases - cached
inputs, priority index (+ multiple burden, unheard areas), robustness (1,000
draws), hotspots (Gi*, 999 permutations), the two maps as streamlit-folium
sends them (and their size) - plus a rerun whose inputs did not change (another
area to explain, a goal, the language), which the page now answers from its
cache. The same weight change through Streamlit's AppTest gives the whole
script's run time.

Part 2, browser: ``streamlit run`` of this tree and, as the same-run baseline,
of an older commit exported with ``git archive`` (default: the parent of the
commit that made the maps swap layers). In Chromium, the weight slider of the MSS status share is moved
with the keyboard, one step (0.25) down from the preset's 3.0 per change, so
every change asks for weights that server has not seen (``--changes`` per round,
at most 12; a new server per round, baseline and now in turn); a watcher in the
page records, on every animation frame, when the top ten rows of the ranking
first differ from before and when the score map's areas have been drawn anew.
Median and range over all changes.

Run: ``.venv/bin/python bench/bench_assessment_page.py [--changes 8] [--no-browser] [--baseline REV]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import apphost  # noqa: E402

#: The parent of the weight-change commit: maps re-created on every run, no result cache.
DEFAULT_BASELINE = "7c83a1c"
STATUS_LABEL = "Anteil Einwohner in PLR mit MSS-Status niedrig oder sehr niedrig"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _median_ms(fn, repeat: int) -> tuple[float, object]:
    runs, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000, out


def server_phases(repeat: int) -> None:
    import pandas as pd
    from streamlit_folium import _get_feature_group_string, _get_header, _get_html, _get_map_string

    from assessment.analysis.assess import assess
    from assessment.analysis.hotspots import contiguity, hotspots
    from assessment.analysis.presets import PRESETS
    from assessment.analysis.report import hotspot_classification, needs_matrix, score_classification
    from assessment.analysis.robustness import rank_intervals
    from geodata import indicators
    from geodata.display import display_geojson
    from geodata.lor import LEVELS, load_units
    from maps.base import choropleth_base_map, choropleth_layer, choropleth_map
    from core.settings import load_settings

    settings = load_settings()

    def sent(m, layer=None) -> str:
        """The strings streamlit-folium sends: header, HTML, map script (+ the swapped layer)."""
        m.get_root().render()
        out = _get_header(m) + _get_html(m) + _get_map_string(m)
        if layer is not None:
            out += _get_feature_group_string(layer, map=m)
        return out

    print("| phase of one weight change | BZR (143) | PLR (542) |")
    print("|---|---|---|")
    rows: dict[str, list[str]] = {}
    for level in ("BZR", "PLR"):
        table = indicators.indicator_table(settings, level)
        units = load_units(settings, level)
        neighbours = contiguity(units)
        geojson = display_geojson(settings, level)
        counts = needs_matrix(pd.DataFrame(columns=[LEVELS[level].id_column, "category", "count"]), level)
        spec = [(c.key, c.direction, c.weight + 0.25) for c in PRESETS["social"].components(level)[0]]
        names = table["name"]

        def phase(name: str, ms: float, text: str | None = None) -> None:
            rows.setdefault(name, []).append(text or f"{ms:.0f} ms")

        ms, result = _median_ms(lambda: assess(table, spec, level=level, needs_counts=counts, draws=0), repeat)
        phase("priority index, multiple burden, unheard areas (`assess(..., draws=0)`)", ms)
        ranked = result.index.scores["status"] == "ranked"
        ms, _ = _median_ms(lambda: rank_intervals(result.index.normalised[ranked], result.index.weights), repeat)
        phase("robustness: 1,000 weight draws (`rank_intervals`)", ms)
        ms, _ = _median_ms(lambda: hotspots(result.index.scores["score"], units, weights=neighbours), repeat)
        phase("hotspots: Gi*, 999 permutations", ms)
        full = assess(table, spec, level=level, needs_counts=counts, units=units, neighbours=neighbours)
        scores, hot = score_classification(full), hotspot_classification(full)
        text = full.index.scores["score"].map(lambda v: f"{v:.1f}")

        def old_maps() -> list[str]:
            return [sent(choropleth_map(geojson, c, names, value_text=text, area_label="Gebiet",
                                        indicator_label="Punktzahl", attribution="Quelle")) for c in (scores, hot)]

        def new_maps() -> list[str]:
            out = []
            for c in (scores, hot):
                layer = choropleth_layer(geojson, c, names, value_text=text, area_label="Gebiet",
                                         indicator_label="Punktzahl", attribution="Quelle")
                out.append(sent(choropleth_base_map(geojson), layer))
            return out

        # In turn, so that a change of the machine's load hits both alike.
        runs_old, runs_new = [], []
        for _ in range(repeat):
            for fn, runs in ((old_maps, runs_old), (new_maps, runs_new)):
                start = time.perf_counter()
                fn()
                runs.append(time.perf_counter() - start)
        ms_old, ms_new = statistics.median(runs_old) * 1000, statistics.median(runs_new) * 1000
        old, new = old_maps(), new_maps()
        phase("both maps built and rendered as sent, before (a new Leaflet map each run)", ms_old)
        phase("both maps built and rendered as sent, now (base map + swapped area layer)", ms_new)
        phase("both maps, bytes sent per run, before / now", 0,
              f"{sum(len(s.encode()) for s in old):,} / {sum(len(s.encode()) for s in new):,}")
    for name, values in rows.items():
        print(f"| {name} | {' | '.join(values)} |")


def apptest_runs(repeat: int) -> None:
    """The whole page script through AppTest: a weight change, and a rerun with unchanged inputs."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='bench-assess-')}/needs.sqlite")
    from streamlit.testing.v1 import AppTest

    print("\n| whole page script (AppTest) | weight change (new weights each time) | another area to explain "
          "(inputs unchanged) |")
    print("|---|---|---|")
    for level in ("BZR", "PLR"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("pages/assessment.py").run()
        if level != "BZR":
            at.selectbox(key="assess_level").set_value(level).run()
        assert not at.exception, at.exception
        slider = at.slider[0].key  # the preset's first indicator
        changes, unchanged = [], []
        areas = list(at.selectbox(key="assess_area").options)
        for i in range(repeat):
            at.slider(key=slider).set_value(1.0 + 0.25 * (i % 8))
            start = time.perf_counter()
            at.run()
            changes.append(time.perf_counter() - start)
            at.selectbox(key="assess_area").set_value(areas[i % len(areas)].split(" (")[-1].rstrip(")"))
            start = time.perf_counter()
            at.run()
            unchanged.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        print(f"| {level} | {apphost.spread(changes, 'ms', 1000, 0)} | {apphost.spread(unchanged, 'ms', 1000, 0)} |")


WATCH = """
(before) => {
  const start = performance.now();
  const b = window.__bench = {start};
  const tick = () => {
    if (b.table === undefined) {
      const grid = document.querySelector('[data-testid="stDataFrame"] table[role=grid]');
      const rows = grid ? [...grid.querySelectorAll('[role=row]')].slice(1, 11).map(r => r.innerText).join('|') : null;
      if (rows && rows !== before) b.table = performance.now() - start;
    }
    if (b.map === undefined) {
      // The score map is the first map frame; its areas are drawn anew (new SVG paths) on a change.
      const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
      const d = f && f.contentDocument;
      const p = d ? [...d.querySelectorAll('path.leaflet-interactive')] : [];
      if (p.length && p.every(x => !x.__benchOld)) b.map = performance.now() - start;
    }
    if (b.table === undefined || b.map === undefined) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""

#: The top ten rows of the ranking (scores included), once the score map shows all areas;
#: marks the map's current paths, so the watcher sees when they are replaced.
STATE = """
(count) => {
  const grid = document.querySelector('[data-testid="stDataFrame"] table[role=grid]');
  const rows = grid ? [...grid.querySelectorAll('[role=row]')].slice(1, 11).map(r => r.innerText).join('|') : null;
  const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const d = f && f.contentDocument;
  const p = d ? [...d.querySelectorAll('path.leaflet-interactive')] : [];
  if (p.length !== count || !rows) return null;
  p.forEach(x => { x.__benchOld = true; });
  return rows;
}
"""


def weight_changes(browser, app: apphost.App, changes: int, areas: int = 143) -> tuple[list[float], list[float]]:
    """Seconds from the key press to the ranking updated and to the score map recoloured."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(app.url + "/", timeout=120_000)
        page.get_by_role("link", name="Bewertung").click(timeout=120_000)
        page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive").nth(areas - 1).wait_for(
            timeout=120_000)
        expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
        slider = page.get_by_role("slider", name=f"Gewicht: {STATUS_LABEL}")
        table_s, map_s = [], []
        for i in range(changes):
            # One step down from the preset's 3.0 each time: every change is a weight this
            # server has not computed or sent before (no result or message cache helps).
            page.wait_for_function(STATE, arg=areas, timeout=120_000)
            before = page.evaluate(STATE, areas)
            slider.focus()
            page.evaluate(WATCH, before)
            page.keyboard.press("ArrowLeft")
            expect(slider).to_have_value(f"{3.0 - 0.25 * (i + 1):g}", timeout=120_000)
            page.wait_for_function("() => window.__bench.table !== undefined && window.__bench.map !== undefined",
                                   timeout=120_000)
            done = page.evaluate("() => window.__bench")
            table_s.append(done["table"] / 1000)
            map_s.append(done["map"] / 1000)
            expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
            time.sleep(0.3)
        return table_s, map_s
    finally:
        page.close()


def browser_runs(baseline: str, changes: int, rounds: int) -> None:
    from playwright.sync_api import sync_playwright

    from core.settings import load_settings

    data_dir = str(load_settings().data_dir.resolve())
    with tempfile.TemporaryDirectory(prefix="bench-assess-page-") as tmp:
        trees = {f"baseline {baseline}": apphost.export_tree(baseline, Path(tmp) / "baseline"), "now": ROOT}
        results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in trees}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=apphost.CHROMIUM, args=apphost.CHROMIUM_ARGS)
            for _ in range(rounds):
                for name, root in trees.items():
                    env = {"BEDARFSATLAS_DATA_DIR": data_dir,
                           "DATABASE_URL": f"sqlite:///{Path(tmp) / (name.split()[0] + '.sqlite')}"}
                    app = apphost.start(root, env)
                    try:
                        table_s, map_s = weight_changes(browser, app, changes)
                    finally:
                        apphost.stop(app)
                    results[name][0].extend(table_s)
                    results[name][1].extend(map_s)
            browser.close()
    print(f"\n| weight change in Chromium (BZR, {changes * rounds} changes each) | ranking updated | score map redrawn |")
    print("|---|---|---|")
    for name, (table_s, map_s) in results.items():
        print(f"| {name} | {apphost.spread(table_s)} | {apphost.spread(map_s)} |")
    (bt, bm), (nt, nm) = results.values()
    print(f"| ratio of medians (baseline / now) | ×{statistics.median(bt) / statistics.median(nt):.2f} | "
          f"×{statistics.median(bm) / statistics.median(nm):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="in-process repetitions per phase (median)")
    parser.add_argument("--changes", type=int, default=8, choices=range(1, 13), metavar="1..12",
                        help="weight changes per round in the browser")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side (baseline and now in turn)")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="commit served as the baseline")
    parser.add_argument("--no-browser", action="store_true", help="skip part 2")
    parser.add_argument("--no-server", action="store_true", help="skip part 1")
    args = parser.parse_args()
    print(f"/bewertung weight change; {os.cpu_count()} cores, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    if not args.no_server:
        server_phases(args.repeat)
        apptest_runs(args.repeat)
    if not args.no_browser:
        browser_runs(args.baseline, args.changes, args.rounds)
    print(f"\nload at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
