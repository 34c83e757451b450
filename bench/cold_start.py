"""Cold start with warm caches: from ``streamlit run`` to the overview map drawn in Chromium.

Each start is a new server process on the real data folder, whose derived caches
(display geometry, indicator parquet, the data check's ``cache/verified.json``)
are already on disk ("warm caches"); Chromium is already running and not counted,
but every start opens a new browser context (no HTTP cache). The clock starts
before ``streamlit run`` and stops when the default page's PLR map has drawn its
542 area paths. Phases: process up (``/_stcore/health``), the warm-up run that
``./run`` makes after every start (``/_stcore/script-health-check``: app.py
and the overview page once on the server, with all their imports), and the
browser part (Streamlit's frontend, the page run for the session, the map
iframe loading Leaflet and drawing).

Same-run baselines, started in turn with the current tree: the app at an older
commit (``--baseline``, exported with ``git archive``), and Streamlit alone (a
one-line app, drawn when its text shows): the floor no app code can go below.

Part 2: where a new interpreter spends the imports of ``app.py`` and the
overview page (``python -X importtime``), for the current tree and the baseline.

Run: ``.venv/bin/python bench/cold_start.py [--starts 5] [--baseline REV]``; ``--server-starts N``
measures only the server's part (to health, warm-up run done), N starts per tree, without Chromium.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import apphost  # noqa: E402

#: The parent of the cold-start commit (mapclassify imported with maps.classify, full PLR read
#: by display_geojson); later commits of others are in "now" too.
DEFAULT_BASELINE = "ce13444"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
HELLO = 'import streamlit as st\nst.write("Streamlit alone")\n'
#: What app.py and the overview page import, in the order a first run does.
FIRST_RUN_IMPORTS = (
    "import streamlit; import assessment.participation.auth, geodata.fetch, core.i18n, core.settings; "
    "import pandas, streamlit_folium; from geodata import indicators, display, lor; from maps import classify, base"
)


def one_start(browser, root: Path, env: dict[str, str], hello: bool = False) -> dict[str, float]:
    app = apphost.start(root, env)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(app.url + "/", timeout=120_000)
            if hello:
                page.get_by_text("Streamlit alone").wait_for(timeout=120_000)
            else:
                page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive").nth(541).wait_for(
                    timeout=120_000)
            drawn = time.perf_counter() - app.started_at
        finally:
            page.close()
    finally:
        apphost.stop(app)
    return {"health": app.healthy_s, "warmed": app.warmed_s, "drawn": drawn}


def starts(runs: int, baseline: str) -> None:
    from playwright.sync_api import sync_playwright

    from core.settings import load_settings

    data_dir = str(load_settings().data_dir.resolve())
    with tempfile.TemporaryDirectory(prefix="bench-cold-start-") as tmp:
        hello_root = Path(tmp) / "hello"
        hello_root.mkdir()
        (hello_root / "app.py").write_text(HELLO)
        sides = {
            "now": (ROOT, False),
            f"baseline {baseline}": (apphost.export_tree(baseline, Path(tmp) / "baseline"), False),
            "Streamlit alone (one-line app)": (hello_root, True),
        }
        # A database per side: the trees' migrations differ, and an older tree refuses a newer schema.
        envs = {name: {"BEDARFSATLAS_DATA_DIR": data_dir, "DATABASE_URL": f"sqlite:///{Path(tmp) / f'needs{i}.sqlite'}"}
                for i, name in enumerate(sides)}
        results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=apphost.CHROMIUM, args=apphost.CHROMIUM_ARGS)
            for name, (root, hello) in sides.items():  # warms the data caches and the OS file cache, not counted
                one_start(browser, root, envs[name], hello)
            for _ in range(runs):
                for name, (root, hello) in sides.items():
                    results[name].append(one_start(browser, root, envs[name], hello))
            browser.close()
    print(f"| start, warm caches ({runs} each, in turn) | to /_stcore/health | warm-up run done | map drawn "
          f"| of which browser |")
    print("|---|---|---|---|---|")
    for name, runs_ in results.items():
        col = {k: [r[k] for r in runs_] for k in ("health", "warmed", "drawn")}
        browser_part = [r["drawn"] - r["warmed"] for r in runs_]
        print(f"| {name} | {apphost.spread(col['health'])} | {apphost.spread(col['warmed'])} | "
              f"{apphost.spread(col['drawn'])} | {apphost.spread(browser_part)} |")
    now = statistics.median(r["drawn"] for r in results["now"])
    base = statistics.median(r["drawn"] for r in results[f"baseline {baseline}"])
    print(f"| ratio of medians to map drawn (baseline / now) | | | ×{base / now:.2f} | |")


def server_starts(runs: int, baseline: str) -> None:
    """Only the server's part, without a browser: ``streamlit run`` to health and to the warm-up run done.

    Cheaper than :func:`starts`, so more starts fit in the same minutes, the trees in turn.
    """
    from core.settings import load_settings

    data_dir = str(load_settings().data_dir.resolve())
    with tempfile.TemporaryDirectory(prefix="bench-server-start-") as tmp:
        sides = {"now": ROOT, f"baseline {baseline}": apphost.export_tree(baseline, Path(tmp) / "baseline")}
        envs = {name: {"BEDARFSATLAS_DATA_DIR": data_dir, "DATABASE_URL": f"sqlite:///{Path(tmp) / f'needs{i}.sqlite'}"}
                for i, name in enumerate(sides)}
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for name, root in sides.items():  # the databases made, the caches warm; not counted
            apphost.stop(apphost.start(root, envs[name]))
        for _ in range(runs):
            for name, root in sides.items():
                app = apphost.start(root, envs[name])
                results[name].append((app.healthy_s, app.warmed_s))
                apphost.stop(app)
    print(f"| server start, warm caches ({runs} each, in turn) | to /_stcore/health | warm-up run done "
          f"| the warm-up run alone |")
    print("|---|---|---|---|")
    for name, runs_ in results.items():
        print(f"| {name} | {apphost.spread([h for h, _ in runs_])} | {apphost.spread([w for _, w in runs_])} | "
              f"{apphost.spread([w - h for h, w in runs_])} |")
    now, base = (statistics.median(w - h for h, w in results[name]) for name in sides)
    print(f"| ratio of the warm-up run's medians (baseline / now) | | | ×{base / now:.2f} |")


def import_sample(root: Path) -> dict[str, float]:
    """Cumulative import time (ms) of each top-level module in one fresh interpreter, and the total."""
    err = subprocess.run([str(ROOT / ".venv/bin/python"), "-X", "importtime", "-c", FIRST_RUN_IMPORTS],
                         cwd=root, capture_output=True, text=True, check=True).stderr
    sample = {"total": 0.0}
    for line in err.splitlines():
        if not line.startswith("import time:"):
            continue
        _, cumulative, name = line.split("|")
        # Top-level modules only (their dependencies are indented below them).
        if not cumulative.strip().isdigit() or name.startswith("   "):
            continue
        sample[name.strip()] = int(cumulative) / 1000
        sample["total"] += int(cumulative) / 1000
    return sample


def imports(baseline: str, repeat: int) -> None:
    """Import profiles of both trees, in turn, so that a change of the machine's load hits both alike."""
    samples: dict[str, list[dict[str, float]]] = {"now": [], "baseline": []}
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
        trees = {"now": ROOT, "baseline": apphost.export_tree(baseline, Path(tmp) / "baseline")}
        for _ in range(repeat):
            for side, root in trees.items():
                samples[side].append(import_sample(root))
    now, base = ({name: statistics.median(s.get(name, 0.0) for s in runs) for name in runs[0]}
                 for runs in (samples["now"], samples["baseline"]))
    print(f"\n| imports of a first run, top-level module (median of {repeat}, in turn) | now | baseline {baseline} |")
    print("|---|---|---|")
    top = sorted((n for n in now if n != "total"), key=lambda n: -max(now[n], base.get(n, 0)))[:8]
    for name in [*top, "total"]:
        print(f"| {name} | {now[name]:.0f} ms | {base.get(name, float('nan')):.0f} ms |")
    print("(A module's time includes the shared dependencies it happens to import first, e.g. pandas.)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="starts per side (median and range)")
    parser.add_argument("--imports", type=int, default=5, help="fresh interpreters per import profile")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="commit served as the baseline")
    parser.add_argument("--no-browser", action="store_true", help="only the import profile")
    parser.add_argument("--server-starts", type=int, default=0, metavar="N",
                        help="instead of the browser starts: N starts per tree of the server alone")
    args = parser.parse_args()
    print(f"Cold start; {os.cpu_count()} cores, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    if args.server_starts:
        server_starts(args.server_starts, args.baseline)
    elif not args.no_browser:
        starts(args.starts, args.baseline)
    imports(args.baseline, args.imports)
    print(f"\nload at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
