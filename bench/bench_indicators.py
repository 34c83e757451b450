"""How long the indicator tables take: a cold build against the two caches.

Baseline: building the PLR table from the official files (what the first
request after a data or code change pays). Compared against loading the
parquet cache (a fresh process with the cache file present) and the in-memory
cache (every later request in the same process), plus aggregating to each level.

Run: ``.venv/bin/python bench/bench_indicators.py``
"""

from __future__ import annotations

import statistics
import time

from geodata import facilities, indicators, lor
from core.settings import load_settings


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _clear_memory_caches() -> None:
    for cached in (lor._load_units, facilities._load, indicators._plr_table_cached,
                   indicators._indicator_table_cached):
        cached.cache_clear()


def main() -> None:
    settings = load_settings()
    version = indicators.data_version(settings)
    parquet = indicators._parquet_path(settings, version)

    def cold_build() -> None:
        _clear_memory_caches()
        indicators._build_plr_table(settings)

    def parquet_load() -> None:
        indicators._plr_table_cached.cache_clear()
        indicators.plr_table(settings)

    indicators.plr_table(settings)  # make sure the parquet file exists
    assert parquet.is_file(), parquet
    build = _time(cold_build, 3)
    load = _time(parquet_load, 5)
    indicators.plr_table(settings)
    memory = _time(lambda: indicators.plr_table(settings), 20)
    print(f"PLR table, cold build from official files: {build * 1000:8.1f} ms (baseline)")
    print(f"PLR table, parquet cache:                   {load * 1000:8.1f} ms  x{build / load:6.1f} faster")
    print(f"PLR table, in-memory cache (copy):          {memory * 1000:8.2f} ms  x{build / memory:6.0f} faster")
    for level in ("BZR", "PGR", "BEZ"):
        indicators._indicator_table_cached.cache_clear()
        lor._load_units.cache_clear()
        first = _time(lambda: indicators.indicator_table(settings, level), 1)
        again = _time(lambda: indicators.indicator_table(settings, level), 20)
        print(f"{level} table, first / cached:                {first * 1000:6.1f} ms / {again * 1000:5.2f} ms")


if __name__ == "__main__":
    main()
