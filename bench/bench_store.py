"""How fast the needs store writes under load, and how fast it counts needs per area.

1. Write latency of ``NeedStore.submit`` (validation, LOR ids, commit to disk)
   under 16 concurrent writer processes, median and p95, on SQLite and on
   PostgreSQL/PostGIS. Baseline: one writer alone, same backend, same run.
2. ``counts_by_area(level)`` (published needs per area and category) on
   100,000 needs. Baseline: the naive way, reading the published needs' PLR id
   and category into pandas and grouping there, same table, same run.

The writers locate needs with a fixed table of 60 real PLR points (so each
process does not load the polygons); the real point lookup is measured by
``geodata``'s own benchmark.

Run: ``.venv/bin/python bench/bench_store.py [--seconds 10] [--needs 100000]``.
PostgreSQL: ``BEDARFSATLAS_TEST_POSTGRES_URL`` (default the local test server);
a temporary database is created and dropped.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from assessment.needs.model import ImportExtras, NeedInput
from assessment.needs.store import open_store
from assessment.needs.taxonomy import category_ids
from geodata.lookup import get_locator
from geodata.lor import representative_points
from core.settings import load_settings

POSTGRES_URL = os.environ.get(
    "BEDARFSATLAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


class FixedPlaces:
    """Geography that knows a fixed list of real points (lat, lon, LOR ids)."""

    def __init__(self, places):
        self.places = places
        self._by_point = {(lat, lon): ids for lat, lon, ids in places}

    def locate(self, lat, lon):
        return self._by_point.get((lat, lon))

    def area_point(self, level, area_id):
        return None


def real_places(count: int | None = None) -> list:
    settings = load_settings()
    points = representative_points(settings, "PLR")
    if count:
        points = points.iloc[:: max(1, len(points) // count)].head(count)
    locator = get_locator(settings)
    keys = ("PLR_ID", "BZR_ID", "PGR_ID", "BEZ_ID")
    return [
        (float(lat), float(lon), {k: locator.locate(lat, lon)[k] for k in keys})
        for lat, lon in points[["lat", "lon"]].itertuples(index=False)
    ]


def _writer(database_url, places, seconds, seed, start_at, queue) -> None:
    store = open_store(database_url=database_url, geography=FixedPlaces(places), migrate_schema=False)
    rng = random.Random(seed)
    latencies = []
    while time.time() < start_at:
        time.sleep(0.001)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        lat, lon, _ = rng.choice(places)
        need = NeedInput(category=rng.choice(category_ids()), title="Mehr Bänke im Park",
                         description="Es gibt kaum Sitzplätze.", lat=lat, lon=lon)
        started = time.perf_counter()
        store.submit(need, client_token=f"b{seed}-{rng.getrandbits(64):016x}")
        latencies.append(time.perf_counter() - started)
    store.close()
    queue.put(latencies)


def write_latency(database_url: str, places, writers: int, seconds: float) -> dict:
    context = multiprocessing.get_context("fork")  # children inherit the imports: no startup cost
    queue = context.Queue()
    start_at = time.time() + 1.0
    processes = [context.Process(target=_writer, args=(database_url, places, seconds, seed, start_at, queue))
                 for seed in range(writers)]
    for p in processes:
        p.start()
    latencies = [x for _ in processes for x in queue.get()]
    for p in processes:
        p.join()
    latencies.sort()
    return {
        "writes": len(latencies),
        "per_s": len(latencies) / seconds,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
    }


def fill(store, places, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    categories = category_ids()
    batch = []
    for i in range(count):
        lat, lon, ids = rng.choice(places)
        columns = dict(lat=lat, lon=lon, located_by="point", area_level=None,
                       units={k.removesuffix("_ID"): v for k, v in ids.items()},
                       category=rng.choice(categories), title=f"Bedarf {i}", description="",
                       workshop_id=None, channel="online", language="de")
        status = "published" if rng.random() < 0.8 else "pending"
        batch.append((columns, ImportExtras(status=status)))
        if len(batch) == 10_000:
            store.add_validated(batch)
            batch = []
    if batch:
        store.add_validated(batch)


def _median_time(fn, repeat: int = 7) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def count_timing(store, places, count: int) -> dict:
    fill(store, places, count)
    # Fresh statistics (and on PostgreSQL a visibility map for index-only scans), as
    # autovacuum would have made them after a day of use.
    if store.backend == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE needs"))
            conn.execute(sa.text("VACUUM ANALYZE need_units"))
    else:
        with store.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))

    def naive() -> pd.DataFrame:
        with store.engine.connect() as conn:
            frame = pd.read_sql(sa.text(
                "SELECT u.unit_id, n.category FROM needs n JOIN need_units u ON u.need_id = n.id "
                "WHERE u.level = 'PLR' AND n.status = 'published'"), conn)
        return frame.groupby(["unit_id", "category"]).size()

    result = {"baseline_ms": _median_time(naive) * 1000, "rows": len(store.counts_by_area("PLR"))}
    for level in ("PLR", "BZR", "PGR", "BEZ"):
        result[level] = _median_time(lambda: store.counts_by_area(level)) * 1000
    result["PLR, every status"] = _median_time(lambda: store.counts_by_area("PLR", statuses=None)) * 1000
    return result


def _backends(tmp: Path):
    yield "SQLite", f"sqlite:///{tmp / 'bench.sqlite'}", None
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"bedarfsatlas_bench_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL at {POSTGRES_URL} not reachable, skipped: {error.orig}")
        return
    try:
        yield "PostgreSQL/PostGIS", sa.make_url(POSTGRES_URL).set(database=name).render_as_string(False), None
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="write phase per configuration")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--needs", type=int, default=100_000, help="needs for the count benchmark")
    args = parser.parse_args()
    places = real_places(60)
    all_places = real_places()
    print(f"{os.cpu_count()} CPUs; {args.writers} writers, {args.seconds:g} s per configuration")
    with tempfile.TemporaryDirectory() as tmp:
        for label, url, _ in _backends(Path(tmp)):
            open_store(database_url=url, geography=FixedPlaces(places)).close()
            one = write_latency(url, places, 1, args.seconds)
            many = write_latency(url, places, args.writers, args.seconds)
            print(f"\n## {label}")
            print("| writers | writes/s | median | p95 |\n|---|---|---|---|")
            for n, r in ((1, one), (args.writers, many)):
                print(f"| {n} | {r['per_s']:.0f} | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms |")
            print(f"p95 under {args.writers} writers vs. 1 writer: ×{many['p95_ms'] / one['p95_ms']:.1f}")
            store = open_store(database_url=url, geography=FixedPlaces(places))
            with store.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM needs"))
            timing = count_timing(store, all_places, args.needs)
            print(f"\ncounts per area and category, {args.needs:,} needs ({timing['rows']} PLR x category rows)")
            print("| query | median | vs. baseline |\n|---|---|---|")
            print(f"| baseline: read PLR id + category into pandas, group there | {timing['baseline_ms']:.1f} ms | 1 |")
            for key in ("PLR", "BZR", "PGR", "BEZ", "PLR, every status"):
                print(f"| counts_by_area({key}) | {timing[key]:.1f} ms | "
                      f"×{timing['baseline_ms'] / timing[key]:.1f} faster |")
            store.close()


if __name__ == "__main__":
    main()
