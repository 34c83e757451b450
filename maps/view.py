"""Where a browser map is, and when a page moves it: the view kept between reruns.

streamlit-folium (0.27) draws a folium map in the browser and reports back what
the user did, among it the view (zoom, centre, bounds) 250 ms after the map
stopped moving; every report reruns the page. A page may pass ``zoom=`` and
``center=`` to ``st_folium``. Its frontend then calls Leaflet's ``setView``
whenever a passed value differs from the one passed *last* (zoom and centre
each compared on its own), and forgets what was passed when the map is
re-created (a changed map script makes a new Leaflet map in a new frame).

So a page that passes the last *reported* view back makes the map chase its own
reports: the planner zooms from 14.75 to 17 in steps, the report of 15.25
arrives, the page passes 15.25, the browser moves the map back to 15.25, which
reports, and so on - the map flipped between two zooms about once a second
until the tab was reloaded (issue 18). :class:`KeptView` passes a view only
when the page means to move the map, and the same values otherwise:

* a **new Leaflet map** (the choropleth changed) starts where the planner was:
  the last reported view (:meth:`KeptView.on_map`);
* an **area or a Bezirk put into focus**: the map fits its bounds, once
  (:meth:`KeptView.fit`, :func:`fit_view`);
* a **link** that names a view opens there (the first view imposed).
* a **place found by name** (``ui.place_search``): centred on it at street zoom
  (:meth:`KeptView.impose`).

What the map shows after a run, zoom and bounds, is :meth:`KeptView.showing`:
the view the page just imposed, or else the browser's newest report. The
planners' map draws each need inside it from :data:`STREET_ZOOM` on (issue 14).

Examples
--------
>>> kept = KeptView()
>>> kept.on_map("choropleth A")                 # nothing reported yet: the map's own view
>>> kept.st_folium_args()
{'zoom': None, 'center': None}
>>> kept.report({"zoom": 12, "center": {"lat": 52.5, "lng": 13.4}})
>>> kept.st_folium_args()                        # a report is never sent back
{'zoom': None, 'center': None}
>>> kept.on_map("choropleth B")                 # a new map starts where the planner was
>>> kept.imposed
MapView(zoom=12.0, center=(52.5, 13.4))
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

#: A map's pixel size when it has not reported one yet: the planners' map's height and a
#: typical width of its column on a desktop screen.
DEFAULT_SIZE = (900.0, 560.0)

#: Pixels kept free around fitted bounds (Leaflet's ``fitBounds`` padding), so the outline shows.
FIT_PADDING = 24.0

#: Leaflet snaps zoom levels to this step (the maps' ``zoomSnap``).
ZOOM_SNAP = 0.25

#: From this zoom on a map shows a few streets (about 1.5 km across on a desktop screen): the
#: planners' map then draws each need inside the view, however many there are in Berlin.
STREET_ZOOM = 15.0

#: The largest map a report may claim, in pixels each way (a 4K screen); bigger bounds at a
#: street zoom are not a browser's, and would make a view query read half the city.
MAX_VIEW_PIXELS = 4096.0

_TILE = 256.0  # the width of the world at zoom 0, in pixels (Web Mercator, EPSG:3857)

#: (south, west, north, east) in degrees (EPSG:4326).
Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapView:
    """A view of a web map: its zoom level and its centre ``(lat, lon)`` in degrees."""

    zoom: float
    center: tuple[float, float]

    def rounded(self) -> MapView:
        """The view as a link keeps it: zoom to 2 places, the centre to 5 (about 1 m).

        >>> MapView(12.3333, (52.516312345, 13.377712345)).rounded()
        MapView(zoom=12.33, center=(52.51631, 13.37771))
        """
        return MapView(round(self.zoom, 2), (round(self.center[0], 5), round(self.center[1], 5)))


def reported_view(returned: Mapping[str, Any] | None) -> MapView | None:
    """The zoom and centre the browser reported (``st_folium``'s return value), else ``None``.

    Before the map has drawn, the report has no centre or a zoom of ``None``; a
    report comes from the browser, so anything but numbers is ignored.

    >>> reported_view({"zoom": 12, "center": {"lat": 52.5, "lng": 13.4}})
    MapView(zoom=12.0, center=(52.5, 13.4))
    >>> reported_view({"zoom": None, "center": {"lat": 52.5, "lng": 13.4}}), reported_view(None)
    (None, None)
    >>> reported_view({"zoom": "12", "center": {"lat": 52.5, "lng": 13.4}}) is None
    True
    """
    returned = returned or {}
    center, zoom = returned.get("center"), returned.get("zoom")
    if not (isinstance(center, dict) and {"lat", "lng"} <= center.keys()):
        return None
    numbers = (zoom, center["lat"], center["lng"])
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in numbers):
        return None
    if not zoom:
        return None
    return MapView(float(zoom), (float(center["lat"]), float(center["lng"])))


def reported_bounds(reported: Any) -> Bounds | None:
    """(south, west, north, east) of the browser's map view, or ``None`` when it sent none or nonsense.

    ``reported`` is Leaflet's bounds as streamlit-folium returns them.

    >>> reported_bounds({"_southWest": {"lat": 52.4, "lng": 13.2}, "_northEast": {"lat": 52.6, "lng": 13.6}})
    (52.4, 13.2, 52.6, 13.6)
    >>> reported_bounds({"_southWest": {"lat": 52.6, "lng": 13.2}, "_northEast": {"lat": 52.4, "lng": 13.6}}) is None
    True
    """
    try:
        south_west, north_east = reported["_southWest"], reported["_northEast"]
        bounds = (float(south_west["lat"]), float(south_west["lng"]), float(north_east["lat"]), float(north_east["lng"]))
    except (KeyError, TypeError, ValueError):
        return None
    south, west, north, east = bounds
    if not all(map(math.isfinite, bounds)) or not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        return None
    return bounds


# --- Web Mercator in pixels at zoom 0, as Leaflet computes it ------------------------------------


def _x(lon: float) -> float:
    return (lon + 180.0) / 360.0 * _TILE


def _y(lat: float) -> float:
    s = math.sin(math.radians(max(-85.0511, min(85.0511, lat))))
    return (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * _TILE


def _lat(y: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / _TILE))))


def map_size(bounds: Bounds, zoom: float) -> tuple[float, float]:
    """The map's size in pixels (width, height), from the bounds and zoom it reported.

    st_folium is told to fill its column, whose width only the browser knows;
    the bounds it reports at a zoom give it back.

    >>> width, height = map_size((52.4, 13.2, 52.6, 13.6), 10)
    >>> round(width), round(height)
    (291, 239)
    """
    south, west, north, east = bounds
    scale = 2.0 ** zoom
    return (_x(east) - _x(west)) * scale, (_y(south) - _y(north)) * scale


def view_bounds(view: MapView, size: tuple[float, float] = DEFAULT_SIZE) -> Bounds:
    """(south, west, north, east) that a map of ``size`` pixels shows at ``view``: :func:`fit_view` reversed.

    What the page takes as the view before the browser has reported one (a link's
    zoom and centre, a fitted area).

    At zoom 11 a pixel is 360° / (256 * 2**11) = 0.000687° of longitude, so 900 pixels
    are 0.618°; 560 pixels of latitude are fewer degrees, by cos(52.5°) about:

    >>> [round(v, 3) for v in view_bounds(MapView(11.0, (52.5, 13.4)), (900, 560))]
    [52.383, 13.091, 52.617, 13.709]
    >>> fit_view(view_bounds(MapView(15.0, (52.5, 13.4))), padding=0).zoom
    15.0
    """
    scale = 2.0 ** view.zoom
    half_x, half_y = size[0] / 2 / scale, size[1] / 2 / scale
    lat, lon = view.center
    x, y = _x(lon), _y(lat)
    west, east = x - half_x, x + half_x
    return (_lat(y + half_y), west / _TILE * 360.0 - 180.0, _lat(y - half_y), east / _TILE * 360.0 - 180.0)


def fit_view(bounds: Bounds, size: tuple[float, float] = DEFAULT_SIZE, *, padding: float = FIT_PADDING,
             min_zoom: float = 0.0, max_zoom: float = 18.0, snap: float = ZOOM_SNAP) -> MapView:
    """The view that shows ``bounds`` whole in a map of ``size`` pixels, as Leaflet's ``fitBounds`` does.

    The largest zoom (a multiple of ``snap``, within ``min_zoom`` and ``max_zoom``)
    at which the bounds fit inside the map less ``padding`` on every side,
    centred on the middle of the bounds on the map (in Web Mercator).

    >>> fit_view((52.4, 13.2, 52.6, 13.6), (900, 560))
    MapView(zoom=11.0, center=(52.50011, 13.4))
    >>> fit_view((52.5, 13.4, 52.5, 13.4)).zoom  # a point: as close as the map goes
    18.0
    """
    south, west, north, east = bounds
    span_x, span_y = _x(east) - _x(west), _y(south) - _y(north)
    room_x, room_y = max(1.0, size[0] - 2 * padding), max(1.0, size[1] - 2 * padding)
    scales = [room / span for room, span in ((room_x, span_x), (room_y, span_y)) if span > 0]
    zoom = math.log2(min(scales)) if scales else max_zoom
    zoom = min(max_zoom, max(min_zoom, math.floor(round(zoom / snap, 6)) * snap))
    center = (round(_lat((_y(north) + _y(south)) / 2), 5), round((west + east) / 2, 5))
    return MapView(float(zoom), center)


# --- the view a page passes to st_folium ------------------------------------------------------------


@dataclass
class KeptView:
    """The view a page passes to ``st_folium``, changed only when the page means to move the map.

    Keep one per map in the session state and, on every run, before ``st_folium``:
    :meth:`on_map` with the map's identity, :meth:`fit` for what is in focus;
    pass :meth:`st_folium_args`; afterwards :meth:`report` what came back. See
    the module docstring for why a report must never be passed back as such.

    Attributes
    ----------
    imposed : MapView or None
        The view passed to the browser (``None``: none, the map's own ``fit_bounds``).
    request : int
        How many views were imposed; makes a repeated one differ (:meth:`st_folium_args`).
    map_identity : str or None
        The map the browser draws (:meth:`on_map`).
    reported : MapView or None
        The browser's last reported view.
    bounds : tuple of float or None
        The part of the map the browser showed at its last report (:func:`reported_bounds`).
    size : tuple of float or None
        The map's size in pixels, from its last report (:func:`map_size`).
    fitted : dict
        What was fitted last, by kind ("focus", "bezirk"), so each is fitted once.
    reported_request : int
        :attr:`request` when the browser last reported a new view: a view imposed
        later (a larger ``request``) is where the map goes next (:meth:`showing`).
    """

    imposed: MapView | None = None
    request: int = 0
    map_identity: str | None = None
    reported: MapView | None = None
    bounds: Bounds | None = None
    size: tuple[float, float] | None = None
    fitted: dict[str, object] = field(default_factory=dict)
    min_zoom: float = 0.0
    max_zoom: float = 18.0
    reported_request: int = -1

    def impose(self, view: MapView) -> None:
        """Move the browser's map to ``view`` (once: the next runs pass the same values)."""
        self.imposed = view
        self.request += 1

    def on_map(self, identity: str) -> None:
        """The map the page draws now; a new one (another choropleth) starts at the last reported view.

        ``identity`` must change exactly when the map's script changes, since
        then the browser makes a new Leaflet map that forgot every view passed
        before (:meth:`maps.planner.PlannerMap.identity`).
        """
        if identity != self.map_identity:
            self.map_identity = identity
            if self.reported is not None:
                self.impose(self.reported)

    def fit(self, kind: str, target: object, bounds: Bounds | None) -> None:
        """Fit the map to ``bounds`` when ``target`` (an area id, a Bezirk) of ``kind`` newly came into focus.

        Fitted once: the next runs with the same target leave the planner's
        zooming and panning alone. ``None`` (nothing in focus) forgets the
        target, so focusing it again fits again.

        >>> kept = KeptView()
        >>> kept.fit("focus", "01", (52.4, 13.2, 52.6, 13.6)); kept.imposed.zoom, kept.request
        (11.0, 1)
        >>> kept.fit("focus", "01", (52.4, 13.2, 52.6, 13.6)); kept.request
        1
        """
        if target is None:
            self.fitted.pop(kind, None)
            return
        if self.fitted.get(kind) == target or bounds is None:
            return
        self.fitted[kind] = target
        self.impose(fit_view(bounds, self.size or DEFAULT_SIZE, min_zoom=self.min_zoom, max_zoom=self.max_zoom))

    def report(self, returned: Mapping[str, Any] | None) -> None:
        """Take note of what the browser reported (``st_folium``'s return value): its view and size."""
        view = reported_view(returned)
        if view is None:
            return
        bounds = reported_bounds((returned or {}).get("bounds"))
        if (view, bounds or self.bounds) != (self.reported, self.bounds):
            self.reported_request = self.request  # the browser moved after every view imposed so far
        self.reported = view
        if bounds is not None:
            self.bounds, self.size = bounds, map_size(bounds, view.zoom)

    def showing(self) -> tuple[MapView, Bounds] | None:
        """The view the browser's map shows once this run is drawn, with its bounds; ``None`` if unknown.

        A view imposed after the browser's last new report (a link, a fitted
        area) is where the map goes: its bounds are those of a map of the last
        reported size (:func:`view_bounds`). Otherwise the last report, with the
        bounds the browser sent, cut to :data:`MAX_VIEW_PIXELS` around its centre
        when they are larger than any screen. Call :meth:`report` with the newest
        report first (``st.session_state`` of the map's key holds it before the
        map is drawn again).

        >>> kept = KeptView(imposed=MapView(16.0, (52.5, 13.4)))  # a link's view, nothing reported
        >>> view, (south, west, north, east) = kept.showing()
        >>> view.zoom, round(north - south, 4), round(east - west, 4)
        (16.0, 0.0073, 0.0193)
        >>> kept.report({"zoom": 17, "center": {"lat": 52.5, "lng": 13.4},
        ...              "bounds": {"_southWest": {"lat": 52.499, "lng": 13.398},
        ...                         "_northEast": {"lat": 52.501, "lng": 13.402}}})
        >>> kept.showing()
        (MapView(zoom=17.0, center=(52.5, 13.4)), (52.499, 13.398, 52.501, 13.402))
        """
        if self.imposed is not None and (self.reported is None or self.request > self.reported_request):
            return self.imposed, view_bounds(self.imposed, self.size or DEFAULT_SIZE)
        if self.reported is None:
            return None
        if self.bounds is None:
            return self.reported, view_bounds(self.reported, DEFAULT_SIZE)
        width, height = map_size(self.bounds, self.reported.zoom)
        if max(width, height) <= MAX_VIEW_PIXELS:
            return self.reported, self.bounds
        return self.reported, view_bounds(self.reported, (min(width, MAX_VIEW_PIXELS), min(height, MAX_VIEW_PIXELS)))

    def current(self) -> MapView | None:
        """Where the map is as far as the server knows: the last report, else the view imposed."""
        return self.reported or self.imposed

    def st_folium_args(self) -> dict[str, Any]:
        """``zoom`` and ``center`` for ``st_folium``: the imposed view, the same on every run until the next.

        streamlit-folium moves the map only to a zoom or centre that differs
        from the last one passed, each compared on its own. The same area
        focused again after the planner panned away must move the map again:
        a tiny offset that grows with :attr:`request` makes each imposed view
        differ from the one before, in both. It is far below what the map shows
        (the zoom offset is below 0.001, and Leaflet snaps zooms to 0.25 steps;
        the centre's below 1e-6 degrees, 0.1 m).

        >>> kept = KeptView(imposed=MapView(12.0, (52.5, 13.4)), request=3)
        >>> kept.st_folium_args()
        {'zoom': 12.000003, 'center': (52.500000003, 13.4)}
        """
        if self.imposed is None:
            return {"zoom": None, "center": None}
        nonce = self.request % 1000
        return {"zoom": round(self.imposed.zoom + nonce * 1e-6, 6),
                "center": (round(self.imposed.center[0] + nonce * 1e-9, 9), self.imposed.center[1])}
