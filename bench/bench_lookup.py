"""Benchmark: point -> LOR lookup and display geometry.

Run from the repository root after ``python -m geodata fetch``::

    .venv/bin/python bench/bench_lookup.py [--points 100000] [--repeat 5]

1. ``Locator.locate_many`` against a plain ``geopandas.sjoin`` baseline
   (points -> EPSG:25833 -> spatial join with the full-detail PLR -> the same
   eight columns), on the same seeded random points in and around Berlin, in
   the same run. The answers must be identical; the script exits 1 if not.
2. ``display_units`` per level: first build with empty caches (cold), read
   from the disk cache (new process, simulated by clearing the memory cache),
   and from memory; plus the byte size of the PLR GeoJSON.

Figures go into docs/benchmarks.md, section "Point lookup and display geometry".
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata import display  # noqa: E402
from geodata.catalogue import DATASETS  # noqa: E402
from geodata.lookup import RESULT_COLUMNS, get_locator  # noqa: E402
from geodata.lor import LEVEL_ORDER, load_units  # noqa: E402
from core.settings import load_settings  # noqa: E402

SEED = 20211


def timed(function, repeat: int) -> tuple[float, object]:
    """Median wall time over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def sjoin_baseline(plr: gpd.GeoDataFrame, lats: np.ndarray, lons: np.ndarray) -> pd.DataFrame:
    """What one would write without the locator: a left spatial join, first match per point."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326").to_crs(plr.crs)
    joined = gpd.sjoin(points, plr.reset_index(drop=True), how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    return pd.DataFrame(joined[list(RESULT_COLUMNS)]).astype("str")


def random_points(plr: gpd.GeoDataFrame, n_points: int, only_inside: bool) -> tuple[np.ndarray, np.ndarray]:
    """Seeded uniform points in WGS84: in and around Berlin, or only inside it."""
    rng = np.random.default_rng(SEED)
    west, south, east, north = plr.to_crs("EPSG:4326").total_bounds
    if only_inside:
        berlin = shapely.union_all(plr.to_crs("EPSG:4326").geometry.array)
        shapely.prepare(berlin)
        lats, lons = np.empty(0), np.empty(0)
        while lats.size < n_points:
            la, lo = rng.uniform(south, north, n_points), rng.uniform(west, east, n_points)
            keep = shapely.contains_xy(berlin, lo, la)
            lats, lons = np.concatenate([lats, la[keep]]), np.concatenate([lons, lo[keep]])
        return lats[:n_points], lons[:n_points]
    # "In and around": Berlin's bounding box widened by a fifth on every side.
    pad_lon, pad_lat = (east - west) / 5, (north - south) / 5
    return (rng.uniform(south - pad_lat, north + pad_lat, n_points),
            rng.uniform(west - pad_lon, east + pad_lon, n_points))


def bench_lookup(settings, n_points: int, repeat: int) -> bool:
    plr = load_units(settings, "PLR")
    start = time.perf_counter()
    locator = get_locator(settings)
    build = time.perf_counter() - start
    grid = locator.grid_summary()
    print(f"## point lookup, {n_points:,} random points (seed {SEED})")
    print(f"locator build (grid {locator.cell_size:.0f} m, {grid['cells']:,} cells: "
          f"{grid['direct']:,} direct, {grid['border']:,} border, {grid['outside']:,} outside): {build:.3f} s")

    all_identical = True
    for only_inside in (False, True):
        lats, lons = random_points(plr, n_points, only_inside)
        ours_time, ours = timed(lambda: locator.locate_many(lats, lons), repeat)
        base_time, base = timed(lambda: sjoin_baseline(plr, lats, lons), repeat)
        identical = ours.reset_index(drop=True).equals(base.reset_index(drop=True))
        all_identical &= identical
        inside = int(ours["PLR_ID"].notna().sum())
        where = "only inside Berlin" if only_inside else "in and around Berlin (bbox + 20 % each side)"
        print(f"\n### points {where}: {inside:,} of {n_points:,} inside")
        print(f"Locator.locate_many      median of {repeat}: {ours_time * 1000:8.1f} ms "
              f"({n_points / ours_time / 1e6:.2f} M points/s)")
        print(f"geopandas.sjoin baseline median of {repeat}: {base_time * 1000:8.1f} ms")
        print(f"speed-up: {base_time / ours_time:.1f}x")
        print(f"answers identical to the sjoin baseline: {identical}")
    return all_identical


def bench_display(settings, repeat: int) -> None:
    # A scratch data folder whose opendata/ points at the real PLR file, so the
    # cold runs neither touch nor depend on the real cache.
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "opendata").mkdir()
        name = DATASETS["lor_plr"].filename
        os.symlink(settings.raw_dir.resolve() / name, Path(scratch) / "opendata" / name)
        scratch_settings = load_settings({"BEDARFSATLAS_DATA_DIR": scratch})
        load_units(scratch_settings, "PLR")  # the full-detail file is read by every path alike

        print("\n## display geometry (display_units), median of", repeat)
        print(f"{'level':5}  {'cold build':>10}  {'disk cache':>10}  {'memory':>10}  {'GeoJSON bytes':>13}")
        for level in LEVEL_ORDER:
            cold_times, disk_times = [], []
            for _ in range(repeat):
                display.clear_memory_cache()
                for old in (scratch_settings.cache_dir / "display").glob("*"):
                    old.unlink()
                start = time.perf_counter()
                display.display_units(scratch_settings, level)
                cold_times.append(time.perf_counter() - start)
                display.clear_memory_cache()
                start = time.perf_counter()
                display.display_units(scratch_settings, level)
                disk_times.append(time.perf_counter() - start)
            memory, _ = timed(lambda: display.display_units(scratch_settings, level), repeat)
            size = len(display.display_geojson(scratch_settings, level).encode("utf-8"))
            print(f"{level:5}  {statistics.median(cold_times) * 1000:8.1f} ms  "
                  f"{statistics.median(disk_times) * 1000:8.1f} ms  {memory * 1e6:7.1f} µs  {size:13,}")
        display.clear_memory_cache()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    identical = bench_lookup(settings, args.points, args.repeat)
    bench_display(settings, args.repeat)
    if not identical:
        print("FAILED: locate_many differs from the sjoin baseline", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
