"""Server-side cost of one page run of /melden and /karte: this tree against an older commit.

Usage::

    .venv/bin/python bench/page_runs.py [--baseline 43a4486] [--runs 30]

Each page runs in Streamlit's AppTest (the script runner without a browser or websocket),
from this tree and from the baseline commit exported beside it (``bench/apphost.export_tree``),
in alternating subprocesses on the same data folder: first once (caches warm), then
``--runs`` times with the same session state. That is what a rerun for a keystroke, a
chosen option or a projector refresh costs the server. Printed: min and median per run for
each tree and the ratio baseline/new (higher is better). AppTest compiles the script on
every run, which a server does once, so the ratio understates the gain a real server sees;
``bench/load.py`` measures whole runs over the websocket.

What each run leaves out: the map click (a new map) and the send; those are whole runs in both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from apphost import export_tree  # noqa: E402

PAGES = {"/melden": "pages/report_need.py", "/karte": "pages/planner_map.py"}

PROBE = r"""
import json, statistics, sys, time
tree, page, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, tree)
import assessment  # noqa: F401  (pages/assessment.py would shadow the package)
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(f"{tree}/{page}", default_timeout=300)
at.run()
if at.exception:
    raise SystemExit(f"{page} failed: {at.exception}")
at.run()
times = []
for _ in range(runs):
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
print(json.dumps({"min": min(times), "median": statistics.median(times)}))
"""


def measure(tree: Path, page: str, runs: int, database: Path) -> dict:
    # The same open data for both trees; a database of each tree's own schema.
    env = {**os.environ, "BEDARFSATLAS_DATA_DIR": str(ROOT / "data"), "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", PROBE, str(tree), page, str(runs)],
                            cwd=tree, capture_output=True, text=True, timeout=900, env=env)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="43a4486")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atlas-baseline-") as folder:
        old = export_tree(args.baseline, Path(folder) / "tree")
        print(f"page runs, {args.runs} per page and tree; baseline {args.baseline} (exported), new = this tree")
        print(f"{'page':8} {'baseline min/median':>22} {'new min/median':>18} {'ratio (median)':>15}")
        for url, page in PAGES.items():
            before = measure(old, page, args.runs, Path(folder) / "baseline.sqlite")
            after = measure(ROOT, page, args.runs, Path(folder) / "new.sqlite")
            print(f"{url:8} {before['min'] * 1000:9.0f} / {before['median'] * 1000:5.0f} ms"
                  f" {after['min'] * 1000:8.0f} / {after['median'] * 1000:5.0f} ms"
                  f" {before['median'] / after['median']:14.1f}x")


if __name__ == "__main__":
    main()
