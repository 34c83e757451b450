"""Needs in view on /karte (issue 14): the store's view query, the choice of what the map draws, the page.

Above the point limit the planners' map shows counts per planning area; from
street zoom on it shows each published need inside the view, at most
``BEDARFSATLAS_MAP_POINT_LIMIT``. The store half runs on SQLite and PostgreSQL
(``needs_fixtures``); the page half with AppTest against a SQLite store holding
more needs than the point limit. The browser half is
``tests/e2e/test_planner_needs_in_view.py``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import folium
import pandas as pd
import pytest
import sqlalchemy as sa

from assessment.analysis import inventory
from assessment.analysis.inventory import MapNeeds, NeedFilters
from assessment.needs.model import ImportExtras
from assessment.needs.taxonomy import category_ids
from core.settings import SettingsError, load_settings
from maps.planner import POINT_LIMIT
from maps.view import STREET_ZOOM, KeptView, MapView, fit_view, view_bounds
from needs_fixtures import BRANDENBURG_GATE, database_url, geography, need_input, postgres_database_url, store  # noqa: F401

GATE_LAT, GATE_LON = BRANDENBURG_GATE  # 52.5163, 13.3777
# A view around the Brandenburg Gate: 52.5153-52.5183 N, 13.3767-13.3797 E.
SOUTH, WEST, NORTH, EAST = 52.5153, 13.3767, 52.5183, 13.3797


def place(store, lat: float, lon: float, title: str, status: str = "published", category: str = "mobility"):
    return store.submit(need_input(lat=lat, lon=lon, title=title, category=category), status=status)


# --- the store: NeedStore.points_in_bounds, on SQLite and PostgreSQL -----------------------------


def test_points_in_bounds_gives_the_published_needs_inside_the_view_newest_first(store):
    place(store, GATE_LAT, GATE_LON, "innen, zuerst")
    place(store, 52.5183, 13.3797, "Nordostecke")  # on the view's corner: edges belong to it
    place(store, 52.5153, 13.3767, "Südwestecke")
    place(store, 52.51831, GATE_LON, "knapp nördlich")  # 1 m north of the view
    place(store, GATE_LAT, 13.37971, "knapp östlich")
    place(store, GATE_LAT, GATE_LON, "wartet", status="pending")
    rejected = place(store, GATE_LAT, GATE_LON, "abgelehnt")
    store.set_status(rejected.id, "rejected")

    found = store.points_in_bounds(SOUTH, WEST, NORTH, EAST, limit=10)
    assert list(found.columns) == ["lat", "lon", "category", "title"]  # nothing else leaves the store
    assert found["title"].tolist() == ["Südwestecke", "Nordostecke", "innen, zuerst"]
    assert found[["lat", "lon"]].values.tolist() == [[52.5153, 13.3767], [52.5183, 13.3797], [GATE_LAT, GATE_LON]]
    # Staff may ask for other statuses; None is every status.
    assert store.points_in_bounds(SOUTH, WEST, NORTH, EAST, limit=10, statuses=["pending"])["title"].tolist() == [
        "wartet"]
    assert len(store.points_in_bounds(SOUTH, WEST, NORTH, EAST, limit=10, statuses=None)) == 5


def test_points_in_bounds_stops_at_the_limit_and_honours_the_filters(store):
    for i in range(4):
        place(store, GATE_LAT, GATE_LON, f"Bedarf {i}", category="mobility" if i % 2 else "housing")
    assert store.points_in_bounds(SOUTH, WEST, NORTH, EAST, limit=3)["title"].tolist() == [
        "Bedarf 3", "Bedarf 2", "Bedarf 1"]
    assert store.points_in_bounds(SOUTH, WEST, NORTH, EAST, limit=3, categories=["housing"])["title"].tolist() == [
        "Bedarf 2", "Bedarf 0"]
    empty = store.points_in_bounds(52.40, 13.10, 52.41, 13.11, limit=3)
    assert empty.empty and list(empty.columns) == ["lat", "lon", "category", "title"]


@pytest.mark.parametrize("bounds, limit, message", [
    ((52.52, 13.37, 52.51, 13.38), 10, "south <= north"),
    ((52.51, 13.38, 52.52, 13.37), 10, "west <= east"),
    ((math.nan, 13.37, 52.52, 13.38), 10, "finite"),
    ((52.51, 13.37, 52.52, "13.38"), 10, "finite"),
    ((52.51, 13.37, 52.52, 13.38), 0, "limit must be a whole number >= 1, got 0"),
    ((52.51, 13.37, 52.52, 13.38), 2.5, "limit must be a whole number >= 1, got 2.5"),
])
def test_points_in_bounds_names_a_bad_view_or_limit(store, bounds, limit, message):
    with pytest.raises(ValueError, match=message):
        store.points_in_bounds(*bounds, limit=limit)


def test_the_view_query_has_its_index_on_both_databases(store):
    with store.engine.connect() as conn:
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("needs")}
    assert indexes["ix_needs_position"] == ["status", "lat", "lon", "created_at", "id"]


def test_sqlite_answers_the_view_query_from_the_position_index(store):
    if store.backend != "sqlite":
        pytest.skip("SQLite's query plan; PostgreSQL's depends on its statistics (see bench/needs_in_view.py)")
    statements = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda conn, cursor, statement, parameters, context, many: statements.append((statement, parameters)))
    store.points_in_bounds(SOUTH, WEST, NORTH, EAST, limit=501)
    statement, parameters = statements[-1]
    with store.engine.connect() as conn:
        plan = " ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
    # The newest in the view are chosen in the index alone; only they are read from the table, by id.
    assert "USING COVERING INDEX ix_needs_position (status=? AND lat>? AND lat<?)" in plan, plan
    assert "USING INDEX sqlite_autoindex_needs_1 (id=?)" in plan, plan


# --- the setting --------------------------------------------------------------------------------


def test_the_point_limit_per_view_is_a_setting():
    assert load_settings({}).map_point_limit == 500
    assert load_settings({"BEDARFSATLAS_MAP_POINT_LIMIT": "120"}).map_point_limit == 120
    for bad in ("0", "-5", "viele"):
        with pytest.raises(SettingsError, match=f"BEDARFSATLAS_MAP_POINT_LIMIT must be a whole number >= 1, got '{bad}'"):
            load_settings({"BEDARFSATLAS_MAP_POINT_LIMIT": bad})


# --- the view the map shows (maps.view) ----------------------------------------------------------


def report(zoom, bounds) -> dict:
    south, west, north, east = bounds
    return {"zoom": zoom, "center": {"lat": (south + north) / 2, "lng": (west + east) / 2},
            "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}}


def test_view_bounds_reverses_fit_view():
    # At zoom 16 one pixel is 360 / (256 * 2**16) degrees of longitude: 1,000 pixels are 0.021458 degrees.
    south, west, north, east = view_bounds(MapView(16.0, (52.5, 13.4)), (1000, 560))
    assert (round(east - west, 6), round((west + east) / 2, 9)) == (0.021458, 13.4)
    # Latitude shrinks by the cosine of the latitude (Mercator), here about 0.6088.
    assert (north - south) / (0.021458 * 0.56) == pytest.approx(math.cos(math.radians(52.5)), rel=1e-3)
    for zoom in (9.0, 12.25, 15.0, 18.0):
        assert fit_view(view_bounds(MapView(zoom, (52.5, 13.4)), (900, 560)), (900, 560), padding=0).zoom == zoom


def test_the_view_shown_is_the_newest_of_report_and_imposed_view():
    kept = KeptView(imposed=MapView(16.0, (52.5, 13.4)))  # a link's view: no report yet
    assert kept.showing() == (MapView(16.0, (52.5, 13.4)), view_bounds(MapView(16.0, (52.5, 13.4))))
    moved = (52.51, 13.41, 52.513, 13.417)
    kept.report(report(16.5, moved))  # the planner panned: the browser's bounds
    assert kept.showing() == (kept.reported, moved) and kept.reported.zoom == 16.5
    kept.fit("focus", "01", (52.4, 13.2, 52.6, 13.6))  # an area into focus: the map goes there
    view, bounds = kept.showing()
    assert view == kept.imposed and bounds == view_bounds(kept.imposed, kept.size)
    kept.report(report(16.5, moved))  # the same report again is no news
    assert kept.showing()[0] == kept.imposed
    kept.report(report(11.0, (52.4, 13.1, 52.6, 13.7)))  # the browser's report of the fitted view
    assert kept.showing() == (kept.reported, (52.4, 13.1, 52.6, 13.7)) and kept.reported.zoom == 11.0
    assert KeptView().showing() is None


def test_bounds_larger_than_any_screen_are_cut_around_their_centre():
    kept = KeptView()
    kept.report(report(16.0, (52.3, 13.0, 52.7, 13.8)))  # all of Berlin "at zoom 16": not a browser's report
    view, (south, west, north, east) = kept.showing()
    # 4,096 pixels at zoom 16: 4,096 * 360 / (256 * 2**16) = 0.087891 degrees of longitude.
    assert view.zoom == 16.0 and round(east - west, 6) == 0.087891 and round((west + east) / 2, 6) == 13.4


# --- what the map draws (assessment.analysis.inventory) ------------------------------------------


class RecordingStore:
    """Holds ``count`` needs inside every view; records what it was asked."""

    def __init__(self, count: int):
        self.count, self.asked = count, []

    def points_in_bounds(self, south, west, north, east, limit, **filters):
        self.asked.append(((south, west, north, east), limit, filters))
        rows = [(52.5, 13.4, "mobility", f"Bedarf {i}") for i in range(min(limit, self.count))]
        return pd.DataFrame(rows, columns=["lat", "lon", "category", "title"])


PER_AREA = MapNeeds(per_area=pd.DataFrame({"lat": [52.5], "lon": [13.4], "name": ["A"], "count": [4000]}))
STREET = (MapView(STREET_ZOOM, (52.5, 13.4)), (52.497, 13.39, 52.503, 13.41))


def test_at_street_zoom_the_needs_in_view_replace_the_counts_per_area():
    store = RecordingStore(3)
    filters = NeedFilters(categories=("mobility",))
    found = inventory.needs_in_view(store, filters, PER_AREA, STREET, limit=5)
    assert (len(found.points), found.in_view, found.capped, found.per_area) == (3, True, False, None)
    # One more than drawn: to know whether the view holds more. The page's filters go with it.
    assert store.asked == [((52.497, 13.39, 52.503, 13.41), 6, filters.store_kwargs())]
    assert inventory.map_needs_note(found, "de", limit=5) == (
        "Straßenebene: die Karte zeigt alle 3 Bedarfe in diesem Ausschnitt.")


def test_a_view_holding_more_than_the_limit_shows_the_limit_and_says_zoom_in_further():
    found = inventory.needs_in_view(RecordingStore(9), NeedFilters(), PER_AREA, STREET, limit=5)
    assert (len(found.points), found.capped) == (5, True)
    assert inventory.map_needs_note(found, "de", limit=5) == (
        "Dieser Ausschnitt enthält mehr als 5 Bedarfe; die Karte zeigt die 5 neuesten. "
        "Zoomen Sie weiter hinein, um alle zu sehen.")
    # At the map's closest zoom there is no further in: the note does not ask for it.
    closest = (MapView(18.0, (52.5, 13.4)), STREET[1])
    found = inventory.needs_in_view(RecordingStore(9), NeedFilters(), PER_AREA, closest, limit=5)
    assert inventory.map_needs_note(found, "de", limit=5) == (
        "Dieser Ausschnitt enthält mehr als 5 Bedarfe; die Karte zeigt die 5 neuesten (näher heran zoomt sie nicht).")
    # Exactly the limit: all shown, no "more".
    exact = inventory.needs_in_view(RecordingStore(5), NeedFilters(), PER_AREA, STREET, limit=5)
    assert (len(exact.points), exact.capped) == (5, False)
    none = inventory.needs_in_view(RecordingStore(0), NeedFilters(), PER_AREA, STREET, limit=5)
    assert inventory.map_needs_note(none, "en", limit=5) == "Street level: no need in this view matches the filters."


@pytest.mark.parametrize("drawn, shown", [
    (PER_AREA, (MapView(STREET_ZOOM - 0.25, (52.5, 13.4)), STREET[1])),  # below street zoom
    (PER_AREA, None),  # no view known yet: the map's own, all of Berlin
    (MapNeeds(points=pd.DataFrame({"lat": [52.5], "lon": [13.4], "category": ["mobility"], "title": ["x"]})),
     STREET),  # every need is drawn anyway
    (MapNeeds(), STREET),  # the needs layer is off
])
def test_otherwise_the_map_keeps_what_was_drawn_for_all_of_berlin(drawn, shown):
    store = RecordingStore(3)
    assert inventory.needs_in_view(store, NeedFilters(), drawn, shown, limit=5) is drawn
    assert store.asked == []


def test_below_street_zoom_the_note_says_to_zoom_in():
    assert inventory.map_needs_note(PER_AREA, "de", limit=500) == (
        "Mehr als 3.000 Bedarfe: die Karte zeigt ihre Anzahl je Gebiet (Planungsraum). Zoomen Sie bis auf "
        "Straßenebene hinein, um die einzelnen Bedarfe im Kartenausschnitt zu sehen.")


# --- what one street view sends: the bound holds for any titles ----------------------------------

# Titles of the longest allowed length (120 characters) that cost the most bytes where the browser gets
# them: HTML-escaped for the tooltip, written into the map's script as JSON, and that script sent as
# JSON again ("ü" 7 bytes, "&quot;" 6, an emoji 14, a backslash 4).
WORST_TITLES = {
    "umlauts": "ü" * 120,
    "escaped": '<>&"' * 30,
    "umlauts and escaped": 'ü<>&"' * 24,
    "emoji": "\U0001F600" * 120,
    "backslashes and control characters": "\\\x01" * 60,
}


def sent_payload(m, overlays) -> int:
    """Bytes of what the page's map component sends: its arguments as Streamlit serialises them (JSON)."""
    from ui.map_component import prepare

    p = prepare(m, overlays)
    return len(json.dumps(dict(script=p.script, header=p.header, html=p.html, id=p.map_id,
                               feature_group=p.feature_group, css_links=list(p.css_links),
                               js_links=list(p.js_links))).encode("utf-8"))


def worst_view(title: str, limit: int) -> pd.DataFrame:
    """``limit`` needs at Kottbusser Tor (5 decimals, as drawn), each with ``title``, in the last category."""
    return pd.DataFrame({"lat": [round(KOTTI[0] + i * 1.1e-5, 5) for i in range(limit)],
                         "lon": [round(KOTTI[1] + i * 1.3e-5, 5) for i in range(limit)],
                         "category": ["other"] * limit, "title": [title] * limit})


def test_one_street_view_sends_under_half_a_megabyte_whatever_the_titles(settings_with_data):
    from geodata import indicators
    from geodata.display import display_geojson
    from geodata.orientation import landmarks
    from maps.base import indicator_layer
    from maps.planner import PlannerMap

    limit = load_settings().map_point_limit  # 500
    table = indicators.indicator_table(settings_with_data, "PLR")
    geojson = display_geojson(settings_with_data, "PLR")
    backdrop = {"basemap": None, "landmarks": landmarks(settings_with_data)}
    layer = indicator_layer(table["mss_status"], indicators.INDICATORS["mss_status"], "de")
    for name, title in WORST_TITLES.items():
        shown = PlannerMap(geojson, "PLR", table["name"], layer, needs=worst_view(title, limit),
                           categories={c: c for c in category_ids()})
        sent = sent_payload(*shown.folium_maps(backdrop, None))
        assert sent < 500_000, f"{name}: {sent:,} bytes for {limit} needs in one view"


@pytest.mark.parametrize("lang", ["de", "en", "tr", "ar", "uk", "ls"])
def test_each_need_in_view_costs_a_bounded_number_of_bytes_in_any_language(lang):
    from maps.planner import needs_layer, planner_base_map

    limit = 500
    m = planner_base_map(lang=lang)
    empty = sent_payload(m, [needs_layer(worst_view("x", 0), None, categories=category_ids(), lang=lang)])
    for name, title in WORST_TITLES.items():
        m = planner_base_map(lang=lang)
        layer = needs_layer(worst_view(title, limit), None, categories=category_ids(), lang=lang)
        per_need = (sent_payload(m, [layer]) - empty) / limit
        assert per_need <= 140, f"{lang}, {name}: {per_need:.0f} bytes per need"


def test_a_markers_title_is_shortened_with_an_ellipsis_and_stays_escaped():
    from maps.planner import MARKER_TITLE_BYTES, needs_layer

    ordinary = "Barrierefreier Zugang zur Haltestelle entlang des Kanals zwischen den Brücken"
    titles = [ordinary, '<b onmouseover="x">' * 7, "ü" * 120, "{{ 7*7 }} ${x}" * 9]
    layer = needs_layer(pd.DataFrame({"lat": [52.5] * 4, "lon": [13.4] * 4, "category": ["mobility"] * 4,
                                      "title": titles}), None, categories=("mobility",))
    m = folium.Map(tiles=None)
    layer.add_to(m)
    script = m.get_root().render()
    rows = json.loads(script.split("var rows = ")[1].split(";\n", 1)[0])
    tooltips = [r[4] for r in rows]
    # An ordinary title travels whole, and the tooltip's "Bedarf: " once for the layer, not in each row.
    assert tooltips[0] == ordinary and 'var prefix = "Bedarf: "' in script
    assert all(t.endswith("…") for t in tooltips[1:])
    # Cut between whole characters: never inside an escape, so no tag, quote or brace reaches the map.
    assert tooltips[1].startswith("&lt;b onmouseover=&quot;x&quot;&gt;&lt;b") and "<" not in "".join(tooltips)
    assert tooltips[2] == "ü" * len(tooltips[2][:-1]) + "…"
    assert tooltips[3].startswith("&#123;&#123; 7*7 &#125;&#125; $&#123;x&#125;") and "{" not in "".join(tooltips)
    for tooltip in tooltips:
        assert len(json.dumps(json.dumps(tooltip)[1:-1])) - 2 <= MARKER_TITLE_BYTES


# --- the page (AppTest), with more needs than the point limit ----------------------------------------

APP = str(Path(__file__).resolve().parents[1] / "app.py")
KOTTI = (52.4991, 13.4181)  # Kottbusser Tor, Kreuzberg


@pytest.fixture(scope="module")
def crowded_db(settings_with_data, tmp_path_factory):
    """A SQLite store with POINT_LIMIT + 600 published needs: 600 in a 60 m square at Kottbusser Tor,
    the others at the Brandenburg Gate; plus 50 pending needs at Kottbusser Tor."""
    from assessment.needs.store import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('inview') / 'needs.sqlite'}"
    store = open_store(settings_with_data, database_url=url)
    kotti = store.geography.locate(*KOTTI)
    gate = store.geography.locate(*BRANDENBURG_GATE)

    def record(lat, lon, ids, title, status="published"):
        columns = dict(lat=lat, lon=lon, located_by="point", area_level=None,
                       units={code: ids[f"{code}_ID"] for code in ("PLR", "BZR", "PGR", "BEZ")}, category="mobility",
                       title=title, description="", workshop_id=None, channel="online", language="de")
        return columns, ImportExtras(status=status)

    records = [record(KOTTI[0] + (i % 25) * 2e-5, KOTTI[1] + (i // 25) * 2e-5, kotti, f"Kotti {i}") for i in range(600)]
    records += [record(*BRANDENBURG_GATE, gate, f"Tor {i}") for i in range(POINT_LIMIT)]
    records += [record(*KOTTI, kotti, f"wartet {i}", status="pending") for i in range(50)]
    store.add_validated(records)
    store.close()
    return url


def open_karte(monkeypatch, url: str, query: dict[str, str], env: dict[str, str] | None = None, report=None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", url)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    # The link opens /karte itself: the overview's run wrote its own view into the address bar.
    at.query_params.clear()
    at.query_params.update(query)
    if report is not None:
        at.session_state["planner_map"] = report  # what the browser reported after the planner moved the map
    at.switch_page("pages/planner_map.py").run()
    assert not at.exception, at.exception
    return at


def drawn_needs(at) -> list[list]:
    """The rows of the needs layer the page sends to the browser's map (each need: lat, lon, radius, colour, tooltip)."""
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    layers = args["feature_group"] or ""
    rows = []
    for marker in ("planner-need-area", "planner-need"):
        for script in layers.split("var rows = ")[1:]:
            if f'className: "{marker}"' in script:
                rows.append((marker, json.loads(script.split(";\n", 1)[0])))
    return rows


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_the_page_shows_counts_per_area_and_says_to_zoom_in_below_street_zoom(crowded_db, monkeypatch):
    at = open_karte(monkeypatch, crowded_db, {"bedarfe": "points", "zoom": "14.5", "mitte": f"{KOTTI[0]},{KOTTI[1]}"})
    [(marker, rows)] = drawn_needs(at)
    assert marker == "planner-need-area"
    counts = [int(re.search(r": ([\d.]+) \(", r[4]).group(1).replace(".", "")) for r in rows]
    assert sum(counts) == POINT_LIMIT + 600  # every published need, counted in its planning area
    assert "Zoomen Sie bis auf Straßenebene hinein" in captions(at)


def test_a_link_at_street_zoom_shows_each_published_need_in_its_view(crowded_db, monkeypatch):
    at = open_karte(monkeypatch, crowded_db, {"bedarfe": "points", "zoom": "17", "mitte": f"{KOTTI[0]},{KOTTI[1]}"})
    [(marker, rows)] = drawn_needs(at)
    assert marker == "planner-need"
    # At zoom 17 the 900 x 560 px map shows 0.0107 x 0.0033 degrees around Kottbusser Tor: the 600 needs in
    # their 60 m square, not the pending ones, none of the Brandenburg Gate's.
    assert len(rows) == 500 and all(r[4].startswith("Kotti ") for r in rows)  # the map writes "Bedarf: " before
    assert "mehr als 500 Bedarfe; die Karte zeigt die 500 neuesten. Zoomen Sie weiter hinein" in captions(at)


def test_the_browsers_report_of_a_street_view_brings_the_needs_in_it(crowded_db, monkeypatch):
    # The planner zoomed to 16 and panned to a view holding the north-west quarter of the square.
    north_west = (KOTTI[0] + 12.5 * 2e-5, KOTTI[1] - 0.001, KOTTI[0] + 0.001, KOTTI[1] + 11.5 * 2e-5)
    at = open_karte(monkeypatch, crowded_db, {"bedarfe": "points"}, env={"BEDARFSATLAS_MAP_POINT_LIMIT": "1000"},
                    report=report(16.0, north_west))
    [(marker, rows)] = drawn_needs(at)
    # Rows 13-24 (latitude offset i % 25 >= 12.5) of columns 0-11 (i // 25 <= 11.5): 12 x 12 needs.
    assert marker == "planner-need" and len(rows) == 144
    assert "die Karte zeigt alle 144 Bedarfe in diesem Ausschnitt" in captions(at)
    # Nothing but position, category colour and the published title goes to the browser.
    assert all(len(r) == 5 for r in rows)
