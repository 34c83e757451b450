r"""Maps of a workshop: the focus area outlined, the room's needs as pins.

Pure folium builders like :mod:`maps.planner`, with local Leaflet
assets (no CDN) and every text HTML-escaped inside a JSON string literal
(:class:`maps.resident.SafeTooltip`).

The projector view (``/live``) refreshes every few seconds. Its base map
(:func:`workshop_base_map`, the focus area outlined in it) does not change
during a workshop, so streamlit-folium keeps the same Leaflet map and the zoom
and centre the facilitator chose. The pins reach it as changes: each refresh
sends what changed since the last one (:func:`pin_changes`,
:func:`pin_changes_script`), which the browser applies to the pins it keeps,
so a refresh of a room with 500 pins and one new need sends one pin, and a
refresh with no change sends none. :func:`pins_layer` draws all pins at once,
for a map that is drawn once.

Examples
--------
>>> m = workshop_base_map((13.37, 52.51, 13.39, 52.52))
>>> pins = pins_layer([Pin(52.515, 13.38, "mobility", "${alert(1)}<b>", "Mobilität")], ("mobility",))
>>> html = m.get_root().render()
>>> "cdn" in html, "13.39" in html
(False, True)
>>> script = pins.add_to(m).get_root().render()
>>> "workshop-pin" in script, "<b>" in script, "\\u0026lt;b\\u0026gt;" in script  # escaped, then a JSON literal
(True, False, True)
>>> pins._children[next(iter(pins._children))].rows[0][:3]
[52.515, 13.38, '#1f77b4']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import folium
import folium.plugins
from branca.element import MacroElement
from jinja2 import Template

from maps.base import ASSET_BASE, Basemap, inert_html
from maps.planner import CATEGORY_COLOURS, planner_base_map
from maps.resident import SafeTooltip, need_tooltip

_FOCUS_STYLE = {"color": "#0b5394", "weight": 4, "fillColor": "#0b5394", "fillOpacity": 0.06,
                "className": "workshop-focus"}


@dataclass(frozen=True)
class Pin:
    """One need of the room: where, its category id, title and category label (plain text)."""

    lat: float
    lon: float
    category: str
    title: str
    label: str
    id: str = ""  # the need's id: what a projector's changes name it by


def bbox_bounds(bbox: Sequence[float]) -> list[list[float]]:
    """Leaflet bounds ``[[south, west], [north, east]]`` of ``(min_lon, min_lat, max_lon, max_lat)``.

    >>> bbox_bounds((13.3, 52.5, 13.4, 52.6))
    [[52.5, 13.3], [52.6, 13.4]]
    """
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
    return [[min_lat, min_lon], [max_lat, max_lon]]


def bbox_polygon(bbox: Sequence[float]) -> dict[str, Any]:
    """The rectangle as a GeoJSON polygon (for a drawn focus area).

    >>> bbox_polygon((13.3, 52.5, 13.4, 52.6))["coordinates"][0][:2]
    [[13.3, 52.5], [13.4, 52.5]]
    """
    w, s, e, n = (float(v) for v in bbox)
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def workshop_base_map(bbox: Sequence[float], basemap: Basemap | None = None, lang: str = "de",
                      asset_base: str = ASSET_BASE, *, focus: folium.FeatureGroup | None = None) -> folium.Map:
    """The projector's map: the planners' stable base map, fitted to the focus area's ``bbox``.

    ``focus`` (a :func:`focus_layer`) becomes part of the base map: it does not change
    during a workshop, so it is not sent again with every change of the pins.
    """
    m = planner_base_map(basemap, lang, asset_base)
    # planner_base_map fits Berlin; a second fit runs after it and wins.
    m.fit_bounds(bbox_bounds(bbox), padding=(20, 20))
    if focus is not None:
        focus.add_to(m)
    return m


def focus_layer(geometry: Mapping[str, Any], name: str = "") -> folium.FeatureGroup:
    """The focus area outlined (GeoJSON geometry, EPSG:4326); ``name`` is shown on hover, escaped."""
    group = folium.FeatureGroup(name="focus")
    outline = folium.GeoJson({"type": "Feature", "properties": {}, "geometry": dict(geometry)},
                             style_function=lambda feature: _FOCUS_STYLE, interactive=bool(name))
    if name:
        SafeTooltip(inert_html(name)).add_to(outline)
    outline.add_to(group)
    return group


class PinData(MacroElement):
    """The room's needs from one compact JSON array ``[lat, lon, colour, tooltip]`` added in one loop.

    A folium ``CircleMarker`` plus tooltip per need writes ~1 KB of script and two
    template renders; a room with hundreds of needs refreshed every 2 s then
    spends its time there (see ``docs/benchmarks.md``, Workshop load). Tooltips
    are HTML-escaped and sit in a JSON string literal, where ``${...}`` is inert.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var rows = {{ this.rows_json }};
            var target = {{ this._parent.get_name() }};
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                L.circleMarker([r[0], r[1]], {radius: {{ this.radius }}, color: "#ffffff", weight: 2,
                    fillColor: r[2], fillOpacity: 0.9, className: "workshop-pin"})
                    .bindTooltip(r[3], {sticky: true}).addTo(target);
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], radius: float):
        super().__init__()
        self._name = "PinData"
        self.rows = rows
        self.rows_json = _script_json(rows)
        self.radius = float(radius)


def pins_layer(pins: Sequence[Pin], categories: Sequence[str], *, radius: float = 9) -> folium.FeatureGroup:
    """The room's needs as circles coloured by category (``categories`` gives the colour order).

    Each circle has the class ``workshop-pin`` (tests count them) and a tooltip
    with the escaped category and title; all circles come from one :class:`PinData`.
    """
    index = {c: i for i, c in enumerate(categories)}
    rows = [_pin_row(pin, index) for pin in pins]
    group = folium.FeatureGroup(name="pins")
    PinData(rows, radius).add_to(group)
    return group


def _pin_row(pin: Pin, index: Mapping[str, int]) -> list[Any]:
    """``[lat, lon, colour, tooltip]``: what the browser needs to draw ``pin``."""
    return [round(float(pin.lat), 6), round(float(pin.lon), 6),
            CATEGORY_COLOURS[index.get(pin.category, len(index)) % len(CATEGORY_COLOURS)],
            need_tooltip(pin.title, pin.label)]


def _script_json(value: Any) -> str:
    # "<", ">" and "&" as \u escapes: the text can never close a surrounding <script>.
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class PinChanges:
    """What a projector's map must change to show the room's pins now.

    ``added`` maps a need's id to its row ``[lat, lon, colour, tooltip]`` (new, or
    changed since it was sent); ``removed`` names the ids to take off. ``full``
    says the rows are all pins: the browser drops every pin not among them (a new
    map, or a resynchronisation).
    """

    added: Mapping[str, list]
    removed: tuple[str, ...] = ()
    full: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to send: the browser shows the room as it is."""
        return not (self.added or self.removed or self.full)


def pin_changes(shown: Mapping[str, str] | None, pins: Sequence[Pin],
                categories: Sequence[str]) -> tuple[PinChanges, dict[str, str]]:
    """The changes from the pins a browser was sent (``shown``) to ``pins``, and what it shows after them.

    ``shown`` maps each need id sent to the browser to its row as JSON (the second
    value returned by the previous call); ``None`` when nothing was sent yet, which
    gives every pin, ``full``. A pin whose position, category or title changed is
    sent again; a pin no longer among ``pins`` (hidden, say) is removed.

    >>> a, b = Pin(52.5, 13.4, "mobility", "Bank", "Mobilität", "a"), Pin(52.6, 13.3, "mobility", "Ampel", "M", "b")
    >>> first, shown = pin_changes(None, [a], ["mobility"])
    >>> sorted(first.added), first.full
    (['a'], True)
    >>> pin_changes(shown, [a], ["mobility"])[0].empty
    True
    >>> changes, shown = pin_changes(shown, [b], ["mobility"])
    >>> sorted(changes.added), changes.removed, changes.full
    (['b'], ('a',), False)
    """
    index = {c: i for i, c in enumerate(categories)}
    rows = {pin.id: _pin_row(pin, index) for pin in pins}
    now = {need_id: _script_json(row) for need_id, row in rows.items()}
    if shown is None:
        return PinChanges(rows, (), True), now
    added = {need_id: rows[need_id] for need_id, text in now.items() if shown.get(need_id) != text}
    removed = tuple(need_id for need_id in shown if need_id not in now)
    return PinChanges(added, removed), now


#: Applies one :class:`PinChanges` to the pins the browser keeps (``window.__workshopPins``, one
#: Leaflet layer per map, markers by need id), in streamlit-folium's frame where ``map_div`` is the map.
#: A row equal to the one drawn is left alone, so a full resend redraws nothing that is right.
_APPLY_CHANGES = """(function (map, change) {
    var pins = window.__workshopPins;
    if (!pins || pins.map !== map) {
        pins = window.__workshopPins = {map: map, layer: L.layerGroup().addTo(map), markers: {}};
    }
    function drop(id) {
        if (pins.markers[id]) { pins.layer.removeLayer(pins.markers[id].marker); delete pins.markers[id]; }
    }
    if (change.full) {
        var keep = {};
        change.add.forEach(function (r) { keep[r[0]] = true; });
        Object.keys(pins.markers).forEach(function (id) { if (!keep[id]) { drop(id); } });
    }
    change.remove.forEach(drop);
    change.add.forEach(function (r) {
        var row = JSON.stringify(r);
        if (pins.markers[r[0]] && pins.markers[r[0]].row === row) { return; }
        drop(r[0]);
        var marker = L.circleMarker([r[1], r[2]], {radius: %(radius)s, color: "#ffffff", weight: 2,
            fillColor: r[3], fillOpacity: 0.9, className: "workshop-pin"}).bindTooltip(r[4], {sticky: true});
        pins.markers[r[0]] = {row: row, marker: marker.addTo(pins.layer)};
    });
})(map_div, %(change)s);
"""


def pin_changes_script(changes: PinChanges, *, radius: float = 9) -> str:
    r"""The script streamlit-folium runs (as its ``feature_group``) to apply ``changes`` in the browser.

    Only the changed pins are in it; tooltips are HTML-escaped
    (:func:`maps.resident.need_tooltip`) inside a JSON string literal, where ``${...}`` is inert.

    >>> script = pin_changes_script(PinChanges({"a1": [52.5, 13.4, "#1f77b4", "&lt;b&gt;"]}, ("b2",)))
    >>> '["a1",52.5,13.4,"#1f77b4","\\u0026lt;b\\u0026gt;"]' in script, '"remove":["b2"]' in script
    (True, True)
    """
    change = {"full": changes.full, "add": [[need_id, *row] for need_id, row in changes.added.items()],
              "remove": list(changes.removed)}
    return _APPLY_CHANGES % {"radius": float(radius), "change": _script_json(change)}


_DISTRICT_STYLE = {"color": "#333333", "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 0.0}


def draw_assets(asset_base: str = ASSET_BASE) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Local JS and CSS of Leaflet.draw (npm ``leaflet-draw``), as folium's (name, url) lists.

    ``folium.plugins.Draw`` defaults to a CDN; these point to ``static/node_modules``.
    The CSS finds its toolbar icons in ``images/`` next to itself, which ship there too.

    >>> js, css = draw_assets("/x")
    >>> js[0][1], css[0][1]
    ('/x/leaflet-draw/dist/leaflet.draw.js', '/x/leaflet-draw/dist/leaflet.draw.css')
    """
    base = asset_base.rstrip("/")
    return ([("leaflet_draw_js", f"{base}/leaflet-draw/dist/leaflet.draw.js")],
            [("leaflet_draw_css", f"{base}/leaflet-draw/dist/leaflet.draw.css")])


def focus_draw_map(districts_geojson: str | Mapping[str, Any], *, basemap: Basemap | None = None,
                   lang: str = "de", asset_base: str = ASSET_BASE) -> folium.Map:
    """A map of Berlin on which the facilitator draws the workshop's focus rectangle.

    Parameters
    ----------
    districts_geojson : str or dict
        GeoJSON FeatureCollection (EPSG:4326) of the Bezirke, e.g.
        ``display_geojson(settings, "BEZ")``, outlined for orientation; each
        feature's ``name`` property is shown on hover, HTML-escaped.
    basemap : Basemap, optional
        The operator's tiles underneath; default none.
    lang : {"de", "en"}
    asset_base : str
        URL path where ``static/node_modules`` is served.

    Returns
    -------
    folium.Map
        With a Leaflet.draw toolbar that offers only the rectangle (no editing);
        streamlit-folium returns the drawn rectangle as ``last_active_drawing``
        (a GeoJSON polygon feature), see :func:`drawn_bbox`.

    Examples
    --------
    >>> districts = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "01",
    ...     "properties": {"name": "<i>Mitte</i>"}, "geometry": bbox_polygon((13.3, 52.5, 13.4, 52.6))}]}
    >>> html = focus_draw_map(districts, asset_base="/x").get_root().render()
    >>> "cdn" in html, "/x/leaflet-draw/dist/leaflet.draw.js" in html, "<i>Mitte" in html
    (False, True, False)
    """
    m = planner_base_map(basemap, lang, asset_base)
    collection = json.loads(districts_geojson) if isinstance(districts_geojson, str) else districts_geojson
    features = [
        {"type": "Feature", "id": str(f.get("id") or (f.get("properties") or {}).get("id", "")),
         "properties": {"name": inert_html(str((f.get("properties") or {}).get("name", "")))},
         "geometry": f["geometry"]}
        for f in collection.get("features", [])
    ]
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features}, name="districts",
            style_function=lambda feature: _DISTRICT_STYLE,
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False, sticky=True),
        ).add_to(m)
    no = False
    draw = folium.plugins.Draw(
        draw_options={"rectangle": True, "polyline": no, "polygon": no, "circle": no, "marker": no,
                      "circlemarker": no},
        edit_options={"edit": False}, show_geometry_on_click=False,
    )
    # Instance override: the class default is a CDN, which the app must never contact.
    draw.default_js, draw.default_css = draw_assets(asset_base)
    draw.add_to(m)
    return m


def drawn_bbox(drawing: Mapping[str, Any] | None, digits: int = 4) -> tuple[float, float, float, float] | None:
    """``(min_lon, min_lat, max_lon, max_lat)`` of a drawn GeoJSON polygon (feature or geometry), rounded.

    ``None`` when nothing (or no polygon) was drawn. Rounded to ``digits``
    decimals (4 = about 10 m), the precision the coordinate fields show.

    >>> drawn_bbox({"type": "Feature", "geometry": bbox_polygon((13.361234, 52.5, 13.4, 52.53))})
    (13.3612, 52.5, 13.4, 52.53)
    >>> drawn_bbox(None) is None
    True
    """
    if not drawing:
        return None
    geometry = drawing.get("geometry", drawing) if drawing.get("type") == "Feature" else drawing
    if not geometry or geometry.get("type") != "Polygon" or not geometry.get("coordinates"):
        return None
    ring = geometry["coordinates"][0]
    lons = [float(p[0]) for p in ring]
    lats = [float(p[1]) for p in ring]
    return (round(min(lons), digits), round(min(lats), digits), round(max(lons), digits), round(max(lats), digits))
