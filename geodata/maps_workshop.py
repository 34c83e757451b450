r"""Maps of a workshop: the focus area outlined, the room's needs as pins.

Pure folium builders like :mod:`geodata.maps_planner`, with local Leaflet
assets (no CDN) and every text HTML-escaped inside a JSON string literal
(:class:`geodata.maps_report.SafeTooltip`).

The projector view (``/live``) refreshes every few seconds. Its base map
(:func:`workshop_base_map`) depends only on the focus area, which does not
change during a workshop, so streamlit-folium keeps the same Leaflet map and
the zoom and centre the facilitator chose; only the layers passed as
``feature_group_to_add`` (:func:`focus_layer`, :func:`pins_layer`) are swapped.

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
from branca.element import MacroElement
from jinja2 import Template

from geodata.maps import ASSET_BASE, Basemap, inert_html
from geodata.maps_planner import CATEGORY_COLOURS, planner_base_map
from geodata.maps_report import SafeTooltip, need_tooltip

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
                      asset_base: str = ASSET_BASE) -> folium.Map:
    """The projector's map: the planners' stable base map, fitted to the focus area's ``bbox``."""
    m = planner_base_map(basemap, lang, asset_base)
    # planner_base_map fits Berlin; a second fit runs after it and wins.
    m.fit_bounds(bbox_bounds(bbox), padding=(20, 20))
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
        # "<", ">" and "&" as \\u escapes: the array can never close the surrounding <script>.
        text = json.dumps(rows, ensure_ascii=True, separators=(",", ":"))
        self.rows_json = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        self.radius = float(radius)


def pins_layer(pins: Sequence[Pin], categories: Sequence[str], *, radius: float = 9) -> folium.FeatureGroup:
    """The room's needs as circles coloured by category (``categories`` gives the colour order).

    Each circle has the class ``workshop-pin`` (tests count them) and a tooltip
    with the escaped category and title; all circles come from one :class:`PinData`.
    """
    index = {c: i for i, c in enumerate(categories)}
    rows = [
        [round(float(pin.lat), 6), round(float(pin.lon), 6),
         CATEGORY_COLOURS[index.get(pin.category, len(index)) % len(CATEGORY_COLOURS)],
         need_tooltip(pin.title, pin.label)]
        for pin in pins
    ]
    group = folium.FeatureGroup(name="pins")
    PinData(rows, radius).add_to(group)
    return group
