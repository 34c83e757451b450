"""maps.view: what a browser map reported, the view that fits an area, and when a page moves the map.

The bug these guard against (issue 18): the page passed the map's last reported
zoom and centre back to ``st_folium``, whose frontend moves the map to every
passed value that differs from the last one passed; lagging reports pulled the
map back, which reported again - it flipped between two zooms for ever. The
browser half is tested in ``tests/e2e/test_planner_map.py``.
"""

from __future__ import annotations

import math

import pytest

from maps.view import DEFAULT_SIZE, KeptView, MapView, fit_view, map_size


def report(zoom: float, lat: float = 52.52, lng: float = 13.40, bounds=None) -> dict:
    """What st_folium returns after the map moved (zoom, centre, optionally bounds)."""
    returned = {"zoom": zoom, "center": {"lat": lat, "lng": lng}}
    if bounds:
        south, west, north, east = bounds
        returned["bounds"] = {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}
    return returned


def test_reports_while_the_planner_zooms_and_pans_never_move_the_map():
    kept = KeptView()
    kept.on_map("mss_status@PLR")
    passed = [kept.st_folium_args()]
    # The planner zooms in step by step and pans; every report reruns the page.
    for zoom, lng in ((14.75, 13.40), (15.25, 13.41), (15.75, 13.42), (17.0, 13.45), (10.25, 13.3)):
        kept.report(report(zoom, lng=lng))
        kept.on_map("mss_status@PLR")  # the same choropleth: the same Leaflet map
        kept.fit("focus", None, None)
        passed.append(kept.st_folium_args())
    assert passed == [{"zoom": None, "center": None}] * 6  # nothing for the browser to move to
    assert kept.current() == MapView(10.25, (52.52, 13.3))


def test_a_new_map_starts_where_the_planner_was_and_then_rests():
    kept = KeptView()
    kept.on_map("mss_status@PLR")
    kept.report(report(14.75, lng=13.45))
    kept.on_map("share_65plus@PLR")  # another indicator: streamlit-folium makes a new Leaflet map
    first = kept.st_folium_args()
    assert (round(first["zoom"], 3), round(first["center"][1], 5)) == (14.75, 13.45)
    # The new map reports, the planner zooms on: the same values are passed, the browser ignores them.
    for zoom in (14.75, 15.25, 17.0):
        kept.report(report(zoom))
        kept.on_map("share_65plus@PLR")
        assert kept.st_folium_args() == first


# Each case: the focus in successive runs (None = no area in focus) -> on which runs the map
# was moved (the imposed view changed).
FOCUS_RUNS = {
    "a new focus fits once, not on the runs after": (["01", "01", "01"], [True, False, False]),
    "another area fits again": (["01", "02"], [True, True]),
    "the same area after no focus fits again": (["01", None, "01"], [True, False, True]),
    "no focus moves nothing": ([None, None], [False, False]),
}


@pytest.mark.parametrize("case", FOCUS_RUNS.values(), ids=FOCUS_RUNS.keys())
def test_an_area_coming_into_focus_is_fitted_once(case):
    focus_runs, moved = case
    bounds = {"01": (52.50, 13.36, 52.54, 13.42), "02": (52.45, 13.15, 52.60, 13.30)}
    kept = KeptView()
    before, result = kept.st_folium_args(), []
    for focus in focus_runs:
        kept.fit("focus", focus, bounds.get(focus))
        kept.report(report(16.0))  # the planner zooms away after each run
        now = kept.st_folium_args()
        result.append(now != before)
        before = now
    assert result == moved


def test_the_same_fit_again_still_differs_from_the_last_values_passed():
    # streamlit-folium compares zoom and centre with the last passed values, each on its own: the
    # same area focused again (after the planner zoomed away) must differ in both, or only one moves.
    kept = KeptView()
    kept.fit("focus", "01", (52.50, 13.36, 52.54, 13.42))
    first = kept.st_folium_args()
    kept.fit("focus", None, None)
    kept.fit("focus", "01", (52.50, 13.36, 52.54, 13.42))
    again = kept.st_folium_args()
    assert again["zoom"] != first["zoom"] and again["center"] != first["center"]
    assert again["zoom"] == pytest.approx(first["zoom"], abs=1e-3)  # far below Leaflet's 0.25 zoom snap
    assert again["center"] == pytest.approx(first["center"], abs=1e-6)


def test_a_fit_uses_the_size_the_map_reported():
    kept = KeptView()
    # 0.4° x 0.2° at zoom 10 is 291 x 239 px: the map reported a small (phone) view.
    kept.report(report(10.0, 52.5, 13.4, bounds=(52.4, 13.2, 52.6, 13.6)))
    assert kept.size == pytest.approx(map_size((52.4, 13.2, 52.6, 13.6), 10.0))
    kept.fit("focus", "01", (52.4, 13.2, 52.6, 13.6))
    # The same bounds less 24 px padding on each side: log2((239 - 48) / 239) = -0.32, so 9.68, snapped down.
    assert kept.imposed.zoom == 9.5


# Each case: bounds (south, west, north, east), map size -> zoom and centre, by hand. Web Mercator
# at zoom 0 is 256 px wide; 0.4° of longitude is 0.4 / 360 * 256 = 0.28444 px; 0.2° of latitude
# around 52.5° N is 0.2 * 256 / 360 / cos(52.5°) = 0.23361 px.
FITS = {
    # Room 852 x 512 px: log2(852 / 0.28444) = 11.55, log2(512 / 0.23361) = 11.10 -> 11.0 (0.25 steps, down).
    "height decides": ((52.4, 13.2, 52.6, 13.6), (900, 560), 11.0),
    # Room 352 x 952 px: log2(352 / 0.28444) = 10.27 -> 10.25.
    "width decides": ((52.4, 13.2, 52.6, 13.6), (400, 1000), 10.25),
    "a point: as close as allowed": ((52.5, 13.4, 52.5, 13.4), DEFAULT_SIZE, 18.0),
}


@pytest.mark.parametrize("case", FITS.values(), ids=FITS.keys())
def test_fit_view_is_leaflets_fit_bounds(case):
    bounds, size, zoom = case
    view = fit_view(bounds, size)
    assert view.zoom == zoom
    south, west, north, east = bounds
    assert view.center[1] == pytest.approx((west + east) / 2)
    assert south <= view.center[0] <= north  # the Mercator middle: a little north of the mean latitude
    assert math.isclose(fit_view(bounds, size, max_zoom=12, min_zoom=11).zoom, min(12.0, max(11.0, zoom)))
