"""Benchmark: the place search ("Ort suchen") per query, against a naive search in the same run.

Run from the repository root after ``python -m geodata fetch``::

    .venv/bin/python bench/place_search.py [--repeat 30] [--baseline-repeat 3]

1. Gazetteer: build from the open data and the stations (no cache), read from
   the Parquet cache (new process, simulated by clearing the memory cache).
2. Per query: median and 95th percentile of :meth:`geodata.places.PlaceIndex.search`
   (rapidfuzz over precomputed normal forms and word starts) and of a naive
   search over the same rows: every name normalised again per query and
   compared with ``difflib.SequenceMatcher`` in a Python loop (whole name and
   word starts, the same weight bonus and ranking). The ratio of the medians,
   and whether both put the same place first.

Figures go into docs/benchmarks.md, section "Place search".
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.settings import load_settings  # noqa: E402
from geodata import places  # noqa: E402
from geodata.places import MIN_SCORE, PREFIX_FACTOR, WEIGHT_POINTS, normalise  # noqa: E402

QUERIES = ("kottbuser tor", "Hermannstrasse", "s+u alex", "Schoenhauser Allee", "Hauptbanhof", "Neukölln",
           "Kita Kinderwelt", "Frankfurter Tor", "xyzzy", "Rathaus Spandau")


def naive_search(rows: list[tuple[str, float]], query: str, limit: int = 8) -> list[int]:
    """The obvious search: normalise every name, compare with difflib, sort. Returns row positions."""
    wanted = normalise(query)
    top = math.log1p(max(w for _, w in rows))
    scored = []
    for i, (name, weight) in enumerate(rows):
        key = normalise(name)
        whole = 100 * difflib.SequenceMatcher(None, wanted, key).ratio()
        words = [key[m:] for m in [0, *(j + 1 for j, c in enumerate(key) if c == " ")]]
        heads = [100 * difflib.SequenceMatcher(None, wanted, w[:n]).ratio()
                 for w in words for n in {max(1, len(wanted) - 1), len(wanted), len(wanted) + 1}]
        score = max(whole, PREFIX_FACTOR * max(heads))
        if score >= MIN_SCORE:
            scored.append((-(score + WEIGHT_POINTS * math.log1p(max(weight, 0.0)) / top), i))
    return [i for _, i in sorted(scored)[:limit]]


def timings(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings()
    print(f"# {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

    start = time.perf_counter()
    rows = places.build_gazetteer(settings)
    built = time.perf_counter() - start
    places.ensure_gazetteer(settings)
    places._index.cache_clear()
    start = time.perf_counter()
    index = places.place_index(settings)
    loaded = time.perf_counter() - start
    print(f"gazetteer: {len(rows)} places; build {built * 1000:.0f} ms, from the Parquet cache "
          f"{loaded * 1000:.0f} ms (incl. word starts)\n")

    plain = list(zip(index.rows["name"].astype(str), index.rows["weight"].astype(float)))
    print("| query | search median | p95 | naive median | p95 | ratio | same first |")
    print("|---|---|---|---|---|---|---|")
    medians, naive_medians = [], []
    for query in QUERIES:
        index.search(query)  # the first query of a length cuts the word starts once
        fast = timings(lambda: index.search(query), args.repeat)
        slow = timings(lambda: naive_search(plain, query), args.baseline_repeat)
        found = index.search(query)
        naive = naive_search(plain, query)
        same = (found[0].name if found else None) == (plain[naive[0]][0] if naive else None)
        medians.append(statistics.median(fast))
        naive_medians.append(statistics.median(slow))
        print(f"| {query} | {statistics.median(fast) * 1000:.1f} ms | {p95(fast) * 1000:.1f} ms | "
              f"{statistics.median(slow) * 1000:.0f} ms | {p95(slow) * 1000:.0f} ms | "
              f"×{statistics.median(slow) / statistics.median(fast):.0f} | {'yes' if same else 'no'} |")
    print(f"\nall queries: median {statistics.median(medians) * 1000:.1f} ms, worst {max(medians) * 1000:.1f} ms; "
          f"naive median {statistics.median(naive_medians) * 1000:.0f} ms")
    return 0 if max(medians) < 0.050 else 1


if __name__ == "__main__":
    sys.exit(main())
