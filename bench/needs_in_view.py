"""Needs in view on /karte: one street-level view with 1,000,000 needs in the store.

The store is filled quickly with bulk inserts (:meth:`NeedStore.add_validated`,
50,000 rows per statement): needs scattered around the 542 PLR's representative
points (normal, sigma ~400 m), 80 % published, created over the past year,
German titles of 20-90 characters. The view is what a desktop browser shows at
street zoom (16, a map of 1,000 x 560 pixels) around Kottbusser Tor.

Measured, all in the same run:

* **Query** - :meth:`NeedStore.points_in_bounds` for the view (at most
  ``BEDARFSATLAS_MAP_POINT_LIMIT`` + 1 rows), against the same query with the
  new index ``ix_needs_position`` dropped (the single-column ``ix_needs_lat`` of
  migration 0001 is what remains), and against the counts per PLR that today's
  per-area fallback needs.
* **Bytes sent** for that view: what the page's map component sends to its
  iframe (:func:`ui.map_component.prepare`: header, HTML, the map script with
  the PLR choropleth of the MSS status index and the landmarks shown from street
  zoom on, the focus and needs layers, CSS and JS links), serialised as JSON as
  Streamlit sends a component's arguments, so quotes and non-ASCII characters
  count as escaped: the street-level view (each need in view, up to the limit),
  today's per-area fallback (one circle per PLR) and the one-marker-per-need
  baseline (every published need as a ``folium.Marker`` with its title as
  tooltip). The baseline is NOT drawn with all published needs (800,000 folium
  markers would take gigabytes and many minutes): it is measured on
  ``--baseline-needs`` and half as many published needs, which shows that its
  bytes grow by the same amount per marker, and extrapolated linearly from there.
* **Worst case** of the street-level view: the limit of needs, each with a title
  of the longest allowed length (120 characters) made of the characters that cost
  the most bytes as sent (umlauts: 7 bytes each after HTML escaping and JSON
  twice; ``<>&"``; emoji: 14 bytes). Titles are shortened on the map to
  :data:`maps.planner.MARKER_TITLE_BYTES`, so the worst case is bounded.

Exits with 1 when the street view or its worst case reaches 500,000 bytes (the
issue's "under 0.5 MB").

Run: ``.venv/bin/python bench/needs_in_view.py [--needs 1000000] [--repeat 5]
[--database-url postgresql+psycopg://...]`` (default: a temporary SQLite file).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import folium
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.analysis import inventory  # noqa: E402
from assessment.needs.model import utc_now  # noqa: E402
from assessment.needs.store import open_store  # noqa: E402
from assessment.needs.taxonomy import CATEGORIES, category_ids  # noqa: E402
from core.settings import load_settings  # noqa: E402
from geodata import indicators  # noqa: E402
from geodata.display import display_geojson  # noqa: E402
from geodata.lor import hierarchy, representative_points  # noqa: E402
from geodata.orientation import landmarks  # noqa: E402
from maps.base import indicator_layer  # noqa: E402
from maps.planner import MARKER_TITLE_BYTES, PlannerMap, focus_layer, needs_layer  # noqa: E402
from maps.view import MapView, view_bounds  # noqa: E402
from ui.map_component import prepare  # noqa: E402

#: The issue's bound for the bytes one view sends.
MAX_BYTES = 500_000
#: Titles of the longest allowed length (120 characters) that cost the most bytes as sent.
WORST_TITLES = {"umlauts": "ü" * 120, "<>&\"": '<>&"' * 30, "emoji": "\U0001F600" * 120}
KOTTBUSSER_TOR = (52.4991, 13.4181)
STREET_VIEW = MapView(16.0, KOTTBUSSER_TOR)
MAP_SIZE = (1000.0, 560.0)
WHAT = ["Mehr Fahrradbügel", "Sichere Kreuzung", "Schatten auf dem Spielplatz", "Bänke zum Ausruhen",
        "Öffentliche Toilette", "Beleuchtung im Durchgang", "Trinkbrunnen", "Jugendtreff am Abend",
        "Barrierefreier Zugang zur Haltestelle", "Mehr Grün statt Parkplätzen"]
WHERE = ["", " am Platz", " vor der Grundschule", " an der Ecke zur Hauptstraße", " im Hinterhof des Kiezes",
         " entlang des Kanals zwischen den beiden Brücken"]


COLUMNS = ("id", "created_at", "lat", "lon", "located_by", "area_level",
           "category", "title", "description", "status", "merged_into", "support_count", "workshop_id", "channel",
           "language", "client_token")


def fill(store, count: int, seed: int = 14, batch: int = 50_000) -> None:
    """``count`` needs scattered around the PLR's representative points (see the module docstring).

    Rows go in through the driver, without SQLAlchemy's per-row processing: SQLite
    ``executemany`` (times as SQLAlchemy stores them), PostgreSQL ``COPY``.
    """
    settings = load_settings()
    points = representative_points(settings, "PLR")
    ids = hierarchy(settings).drop_duplicates("PLR_ID").set_index("PLR_ID")
    places = [(float(p.lat), float(p.lon), plr, *ids.loc[plr, ["BZR_ID", "PGR_ID", "BEZ_ID"]])
              for plr, p in points.iterrows()]
    rng = random.Random(seed)
    categories = category_ids()
    now = utc_now().replace(tzinfo=None)
    sqlite = store.backend == "sqlite"
    for first in range(0, count, batch):
        rows, units = [], []
        for i in range(first, min(count, first + batch)):
            lat, lon, plr, bzr, pgr, bez = rng.choice(places)
            created = now - timedelta(seconds=rng.randrange(365 * 86400))
            need_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            category, status = rng.choice(categories), "published" if rng.random() < 0.8 else "pending"
            units += [(need_id, code, unit, status, category)
                      for code, unit in zip(("PLR", "BZR", "PGR", "BEZ"), (plr, bzr, pgr, bez))]
            rows.append((need_id,
                         created.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else created,
                         round(rng.gauss(lat, 0.0036), 6), round(rng.gauss(lon, 0.0059), 6), "point", None,
                         category, f"{rng.choice(WHAT)}{rng.choice(WHERE)} ({i})",
                         "", status, None, 0, None, "online", "de", None))
        raw = store.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if sqlite:
                # A bench database: no fsync per batch, and the indexes' pages kept in memory.
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -262144")
                cursor.execute("BEGIN")
                cursor.executemany(f"INSERT INTO needs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                                   rows)
                cursor.executemany("INSERT INTO need_units (need_id, level, unit_id, status, category) VALUES (?, ?, ?, ?, ?)", units)
                cursor.execute("COMMIT")
            else:
                with cursor.copy(f"COPY needs ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                with cursor.copy("COPY need_units (need_id, level, unit_id, status, category) FROM STDIN") as copy:
                    for row in units:
                        copy.write_row(row)
                raw.commit()
        finally:
            raw.close()


def timed(fn, repeat: int):
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def in_view_count(store, bounds) -> int:
    south, west, north, east = bounds
    needs = sa.table("needs", sa.column("status"), sa.column("lat"), sa.column("lon"))
    statement = sa.select(sa.func.count()).select_from(needs).where(
        needs.c.status == "published", needs.c.lat.between(south, north), needs.c.lon.between(west, east))
    with store.engine.connect() as conn:
        return conn.execute(statement).scalar()


def sent(content: PlannerMap, backdrop, layer) -> int:
    """Bytes of what the page's map component sends with ``layer`` as the needs layer (see the module docstring)."""
    m, _ = content.folium_maps(backdrop, None)
    p = prepare(m, [focus_layer(content.areas, None), layer])
    args = dict(script=p.script, header=p.header, html=p.html, id=p.map_id, feature_group=p.feature_group,
                css_links=list(p.css_links), js_links=list(p.js_links))
    return len(json.dumps(args).encode("utf-8"))


def markers(needs) -> folium.FeatureGroup:
    """The baseline: one ``folium.Marker`` per need, its title as tooltip."""
    group = folium.FeatureGroup(name="Bedarfe")
    for need in needs:
        folium.Marker([need.lat, need.lon], tooltip=need.title).add_to(group)
    return group


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=1_000_000)
    parser.add_argument("--baseline-needs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    settings = load_settings()
    limit = settings.map_point_limit
    table = indicators.indicator_table(settings, "PLR")
    geojson = display_geojson(settings, "PLR")
    plr_points = representative_points(settings, "PLR").assign(name=table["name"])
    content = PlannerMap(geojson, "PLR", table["name"],
                         indicator_layer(table["mss_status"], indicators.INDICATORS["mss_status"], "de"))
    backdrop = {"basemap": None, "landmarks": landmarks(settings)}
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        store = open_store(database_url=url, geography=None)
        if store.count():
            raise SystemExit(f"{url} already holds needs: give an empty database")
        start = time.perf_counter()
        fill(store, args.needs)
        if store.backend == "postgresql":  # what autovacuum does after a while: statistics, visibility map
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE needs"))
        published = store.count(statuses=["published"])
        print(f"store: {store.backend}, {store.count():,} needs ({published:,} published), "
              f"filled in {time.perf_counter() - start:.0f} s")
        bounds = view_bounds(STREET_VIEW, MAP_SIZE)
        print(f"view: zoom {STREET_VIEW.zoom:g} at {KOTTBUSSER_TOR}, {MAP_SIZE[0]:.0f} x {MAP_SIZE[1]:.0f} px, "
              f"bounds {tuple(round(b, 5) for b in bounds)}: {in_view_count(store, bounds):,} published needs")
        filters = inventory.NeedFilters().store_kwargs()

        # --- query time ---
        query = lambda: store.points_in_bounds(*bounds, limit=limit + 1, **filters)  # noqa: E731
        store.points_in_bounds(*bounds, limit=limit + 1, **filters)  # warm the cache
        query_s, found = timed(query, args.repeat)
        counts_s, per_plr = timed(lambda: store.counts_by_area("PLR", by_category=False, **filters), args.repeat)
        with store.engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_needs_position"))
        try:
            store.points_in_bounds(*bounds, limit=limit + 1, **filters)
            unindexed_s, unindexed = timed(query, args.repeat)
        finally:
            with store.engine.begin() as conn:
                conn.execute(sa.text("CREATE INDEX ix_needs_position ON needs (status, lat, lon, created_at, id)"))
        assert unindexed.equals(found)
        print(f"points_in_bounds (limit {limit} + 1): {query_s * 1000:.1f} ms, {len(found)} rows | "
              f"without ix_needs_position: {unindexed_s * 1000:.1f} ms (×{unindexed_s / query_s:.1f}) | "
              f"counts per PLR (per-area fallback): {counts_s * 1000:.1f} ms")

        # --- bytes sent ---
        drawn = inventory.MapNeeds(per_area=plr_points.assign(count=per_plr.set_index("PLR_ID")["count"])
                                   .fillna({"count": 0}))
        street = inventory.needs_in_view(store, inventory.NeedFilters(), drawn, (STREET_VIEW, bounds), limit=limit)
        street_b = sent(content, backdrop, needs_layer(street.points, None, mode="points",
                                                      categories=tuple(CATEGORIES)))
        fallback_b = sent(content, backdrop, needs_layer(None, drawn.per_area, mode="points"))
        nothing_b = sent(content, backdrop, folium.FeatureGroup(name="Bedarfe"))
        worst = {}
        for name, title in WORST_TITLES.items():
            frame = pd.DataFrame({"lat": [round(KOTTBUSSER_TOR[0] + i * 1.1e-5, 5) for i in range(limit)],
                                  "lon": [round(KOTTBUSSER_TOR[1] + i * 1.3e-5, 5) for i in range(limit)],
                                  "category": "other", "title": [title] * limit})
            worst[name] = sent(content, backdrop, needs_layer(frame, None, mode="points", categories=tuple(CATEGORIES)))
        sample = store.query(limit=args.baseline_needs)
        half_b = sent(content, backdrop, markers(sample[:len(sample) // 2]))
        sample_b = sent(content, backdrop, markers(sample))
        per_marker = (sample_b - nothing_b) / len(sample)
        per_marker_half = (half_b - nothing_b) / (len(sample) // 2)
        baseline_b = nothing_b + per_marker * published
        print(f"street view ({len(street.points)} needs drawn, capped: {street.capped}): {street_b:,} bytes")
        print(f"per-area fallback (542 circles): {fallback_b:,} bytes")
        for name, size in worst.items():
            print(f"street view, worst case ({limit} needs, 120 characters {name} each, "
                  f"shown within {MARKER_TITLE_BYTES} bytes): {size:,} bytes")
        print(f"one marker per need, MEASURED on {len(sample) // 2:,} and {len(sample):,} needs: {half_b:,} and "
              f"{sample_b:,} bytes ({per_marker_half:.0f} and {per_marker:.0f} bytes per marker)")
        print(f"one marker per need, EXTRAPOLATED linearly (not measured) to all {published:,} published needs: "
              f"~{baseline_b:,.0f} bytes | street view ×{baseline_b / street_b:,.0f} smaller")
        print(f"map without needs: {nothing_b:,} bytes")
        over = {name: size for name, size in {"street view": street_b, **worst}.items() if size >= MAX_BYTES}
        if over:
            print(f"FAILED: {', '.join(over)} at or above {MAX_BYTES:,} bytes")
        store.close()
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
