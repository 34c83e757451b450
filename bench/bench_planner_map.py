"""The planners' map with many needs: build time and bytes sent, against one marker per need.

For 10,000 and 100,000 needs in a SQLite store (80 % published, spread over the
542 PLR at their representative points with a small random offset, random
categories), at PLR level with the default indicator (MSS status):

* **Planners' map** - what ``pages/planner_map.py`` does on a run: counts per PLR
  and per 1,000 residents (:func:`assessment.analysis.inventory.needs_per_1000`), the
  published needs as points when there are at most ``POINT_LIMIT`` (else their
  counts per planning area, already counted), the base map with the choropleth, the
  focus and needs layers, rendered to the strings streamlit-folium sends to its
  iframe (header, HTML, map script, feature-group scripts).
* **Baseline, same run** - the plain approach: read every published need and
  put one ``folium.Marker`` with its title as tooltip on the same choropleth
  map, rendered the same way.

Also, for scale: the clustered points layer at exactly ``POINT_LIMIT`` needs.
Run: ``.venv/bin/python bench/bench_planner_map.py [--needs 10000 100000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.analysis import inventory  # noqa: E402
from assessment.needs.model import ImportExtras  # noqa: E402
from assessment.needs.store import open_store  # noqa: E402
from assessment.needs.taxonomy import CATEGORIES, category_ids  # noqa: E402
from geodata import indicators  # noqa: E402
from geodata.display import display_geojson  # noqa: E402
from geodata.lor import hierarchy, representative_points  # noqa: E402
from maps.base import indicator_layer  # noqa: E402
from maps.planner import POINT_LIMIT, area_layer, focus_layer, needs_layer, planner_base_map  # noqa: E402
from core.settings import load_settings  # noqa: E402


def sent_by_streamlit_folium(m: folium.Map, groups: list) -> str:
    """What st_folium sends: header, HTML and map script, plus each feature group's script."""
    from streamlit_folium import _get_feature_group_string, _get_header, _get_html, _get_map_string

    m.get_root().render()
    m.render()
    html, header, script = _get_html(m), _get_header(m), _get_map_string(m)
    extra = "".join(_get_feature_group_string(g, m, idx=i) for i, g in enumerate(groups))
    return header + html + script + extra


def fill(store, count: int, seed: int = 7) -> None:
    """``count`` needs near the PLR's representative points (ids from the official hierarchy)."""
    settings = load_settings()
    points = representative_points(settings, "PLR")
    ids = hierarchy(settings).drop_duplicates("PLR_ID").set_index("PLR_ID")
    places = [(float(p.lat), float(p.lon), plr) for plr, p in points.iterrows()]
    rng = random.Random(seed)
    categories = category_ids()
    batch = []
    for i in range(count):
        lat, lon, plr = rng.choice(places)
        row = ids.loc[plr]
        # ~50 m offsets keep the point inside its area for the ids we store without a lookup.
        columns = dict(lat=round(lat + rng.uniform(-4e-4, 4e-4), 6), lon=round(lon + rng.uniform(-6e-4, 6e-4), 6),
                       located_by="point", area_level=None,
                       units={"PLR": plr, "BZR": row["BZR_ID"], "PGR": row["PGR_ID"], "BEZ": row["BEZ_ID"]},
                       category=rng.choice(categories),
                       title=f"Bedarf {i}: mehr Bänke", description="", workshop_id=None,
                       channel="online", language="de")
        status = "published" if rng.random() < 0.8 else "pending"
        batch.append((columns, ImportExtras(status=status)))
        if len(batch) == 10_000:
            store.add_validated(batch)
            batch = []
    if batch:
        store.add_validated(batch)


def base_choropleth(settings, table, geojson) -> folium.Map:
    layer = indicator_layer(table["mss_status"], indicators.INDICATORS["mss_status"], "de")
    m = planner_base_map()
    area_layer(geojson, layer.classification, table["name"], value_text=layer.value_text,
               area_label="Planungsraum", indicator_label=layer.heading, attribution=layer.attribution).add_to(m)
    return m


def planner_map(store, settings, table, geojson, points) -> str:
    """The page's path (see the module docstring); returns what goes to the browser."""
    filters = inventory.NeedFilters().store_kwargs()
    needs = inventory.needs_per_1000(store.counts_by_area("PLR", **filters), table, "PLR")
    total = int(store.counts_by_area("BEZ", by_category=False, **filters)["count"].sum())  # Berlin, as the page
    if total <= POINT_LIMIT:
        found = store.query(**filters, limit=POINT_LIMIT)
        frame = pd.DataFrame([(n.lat, n.lon, n.category, n.title) for n in found],
                             columns=["lat", "lon", "category", "title"])
        needs = needs_layer(frame, None, mode="points", categories=tuple(CATEGORIES))
    else:
        per_area = points.assign(count=needs["total"]).fillna({"count": 0})  # at PLR level: counted already
        needs = needs_layer(None, per_area, mode="points")
    m = base_choropleth(settings, table, geojson)
    return sent_by_streamlit_folium(m, [focus_layer(geojson, None), needs])


def plain_map(store, settings, table, geojson) -> str:
    """Baseline: one folium marker per published need, title as tooltip."""
    m = base_choropleth(settings, table, geojson)
    group = folium.FeatureGroup(name="Bedarfe")
    for need in store.query():
        folium.Marker([need.lat, need.lon], tooltip=need.title).add_to(group)
    return sent_by_streamlit_folium(m, [group])


def timed(fn, repeat: int) -> tuple[float, int]:
    runs, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(fn().encode("utf-8"))
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings()
    table = indicators.indicator_table(settings, "PLR")
    geojson = display_geojson(settings, "PLR")
    points = representative_points(settings, "PLR").assign(name=table["name"])
    print("needs | planners' map build | bytes sent | plain (1 marker/need) build | bytes sent | faster | smaller")
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(database_url=f"sqlite:///{Path(folder) / 'bench.sqlite'}", geography=None)
        # Scale reference first: the clustered points layer at exactly POINT_LIMIT published needs.
        for count in [POINT_LIMIT, *sorted(args.needs)]:
            if count == POINT_LIMIT:
                fill_published(store, POINT_LIMIT)
            else:
                fill(store, count - store.count(), seed=count)
            count = store.count()
            published = store.count(statuses=["published"])
            ours_s, ours_b = timed(lambda: planner_map(store, settings, table, geojson, points), args.repeat)
            plain_repeat = 1 if published > 20_000 else args.repeat
            plain_s, plain_b = timed(lambda: plain_map(store, settings, table, geojson), plain_repeat)
            print(f"{count:,} ({published:,} published) | {ours_s * 1000:,.0f} ms | {ours_b:,} | "
                  f"{plain_s * 1000:,.0f} ms | {plain_b:,} | ×{plain_s / ours_s:.0f} | ×{plain_b / ours_b:.1f}",
                  flush=True)
        store.close()


def fill_published(store, count: int) -> None:
    """Exactly ``count`` published needs (the points layer's upper limit)."""
    fill(store, int(count / 0.8) + 200, seed=1)
    extra = store.count(statuses=["published"]) - count
    if extra > 0:
        for need in store.query(limit=extra):
            store.set_status(need.id, "pending")


if __name__ == "__main__":
    main()
