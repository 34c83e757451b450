r"""The moderation queue's map: where each need on the current queue page was located.

A moderator judges a need by its place too (a pin on a private address, a need
pinned far from what it names), so ``/moderation`` shows the needs of the
current queue page on a map, numbered as in the list. A pure builder like
:mod:`maps.workshop`: local Leaflet (no CDN), no base map unless the
operator configured one, every text HTML-escaped and inert for Jinja and
JavaScript (:func:`maps.base.inert_html`, then a JSON string literal).

What the map draws, per need (:class:`QueueMarker`):

* a need pinned on the map: a round numbered marker at its point, and the
  outline of its Planungsraum (PLR, the finest LOR level: 542 areas);
* a need located only by an area chosen from a list: that area filled and
  dashed, with a square numbered label at the point the store keeps for it
  (the area's representative point, see :func:`geodata.lor.representative_points`).
  It has no pin, because the resident named no place inside the area;
* the selected need: its marker dark blue and on top, its area outlined thickly;
* needs at the same point (two needs located by the same area share its
  representative point; two pins on one doorstep): their markers sit on a small
  ring around that point (:func:`spread_offsets`, in screen pixels, so at any
  zoom), every number visible and clickable, the point itself unchanged.

Like the projector's map, the page splits the map in two so that a rerun does
not reset the moderator's zoom: :func:`moderation_base_map` depends on nothing
but the Bezirk outlines, and :func:`queue_layers` (areas, then markers) are the
``feature_group_to_add`` layers that streamlit-folium swaps in place.
:func:`moderation_map` puts both together (for tests and for a standalone page).

A click on a marker reports the marker's tooltip text to the page (streamlit-folium's
``last_object_clicked_tooltip``); :func:`clicked_marker` reads its number and
reference back.

Examples
--------
>>> need = QueueMarker(1, "3F2C9A1E", 52.5163, 13.3777, "<b>${alert(1)}</b>", "Mobilität",
...                    "PLR", "01100101", "Unter den Linden")
>>> square = {"type": "Polygon", "coordinates": [[[13.37, 52.51], [13.39, 52.51], [13.39, 52.52], [13.37, 52.51]]]}
>>> html = moderation_map([need], {"01100101": square}, selected=1).get_root().render()
>>> "cdn" in html, "moderation-need" in html, "<b>" in html, "${alert" in html
(False, True, False, False)
>>> clicked_marker("1 · 3F2C9A1E · Mobilität<b>${alert(1)}</b>")
(1, '3F2C9A1E')
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template
from shapely.geometry import mapping

from core.i18n import t
from geodata.lor import get_level
from maps.base import (
    ASSET_BASE,
    CITY_BOUNDS,
    Basemap,
    DocumentLanguage,
    MetricScale,
    _bounds,
    add_basemap,
    inert_html,
    use_local_assets,
)

#: Zoom the page uses to bring a need chosen in the list into view: streets around it are readable.
FOCUS_ZOOM = 15

_DISTRICT_STYLE = {"color": "#666666", "weight": 1, "fill": False, "className": "moderation-district"}
_PLR_STYLE = {"color": "#4d4d4d", "weight": 1.5, "fill": False, "className": "moderation-area"}
# A need located by an area: the area itself is the place, so it is filled (lightly) and dashed.
_BY_AREA_STYLE = {"color": "#0b5394", "weight": 2, "dashArray": "6 4", "fillColor": "#0b5394", "fillOpacity": 0.15,
                  "className": "moderation-area by-area"}
_SELECTED = {"color": "#0b5394", "weight": 4, "className": "moderation-area selected"}
_MAP_CSS = (
    "<style>.leaflet-container.leaflet-container{background:#ffffff}"
    ".leaflet-control-attribution{font-size:0.7rem;max-width:70%}"
    ".leaflet-tooltip{font-size:0.8rem;white-space:normal;width:max-content;max-width:18rem}"
    # Numbered markers: white on dark red (contrast above 4.5:1); needs located by area are
    # square and dashed like their area; the selected one is dark blue with a yellow ring.
    # Two classes each: leaflet.css (.leaflet-marker-icon{display:block}) may load after this.
    ".leaflet-marker-icon.moderation-need{display:flex;align-items:center;justify-content:center;box-sizing:border-box;"
    "border-radius:50%;background:#9c3400;color:#ffffff;border:2px solid #ffffff;"
    "box-shadow:0 0 0 1px #4d1a00;font:700 13px/1 sans-serif}"
    ".leaflet-marker-icon.moderation-need.by-area{border-radius:3px;background:#ffffff;color:#0b5394;"
    "border:2px dashed #0b5394;box-shadow:none}"
    ".leaflet-marker-icon.moderation-need.selected{background:#0b5394;color:#ffffff;border:2px solid #ffffff;"
    "box-shadow:0 0 0 3px #ffbf00}"
    ".leaflet-marker-icon.moderation-need:focus-visible{outline:3px solid #000000;outline-offset:2px}</style>"
)
_MARKER_SIZE = 26
# Markers at one point spread on a ring at least this far from it (pixels): clear of each other.
_RING_MIN_RADIUS = 20
_SELECTED_SIZE = 32
_TOOLTIP_START = re.compile(r"^\s*(\d+) · ([0-9A-F]{8})\b")


@dataclass(frozen=True)
class QueueMarker:
    """One need of the queue page as the map shows it; texts are plain, the builder escapes them.

    ``number`` is the need's position in the list (1 = oldest). ``area_level`` and
    ``area_id`` name the area drawn with it: the PLR of a pinned need, or the
    area chosen from a list when ``by_area`` is true; ``lat``/``lon`` are the
    stored point (for a need located by area, its area's representative point).
    """

    number: int
    reference: str
    lat: float
    lon: float
    title: str
    category: str
    area_level: str
    area_id: str
    area_name: str
    by_area: bool = False


def marker_tooltip(need: QueueMarker, lang: str = "de") -> str:
    """Tooltip HTML of one marker: number, reference, category, title, area; all escaped.

    It starts with the number and the reference in plain digits and letters, so that
    :func:`clicked_marker` can read back which marker was clicked.

    >>> need = QueueMarker(2, "ABCDEF12", 52.5, 13.4, "{{ 7*7 }}", "Wohnen", "BZR", "011001", "Tiergarten",
    ...                    by_area=True)
    >>> print(marker_tooltip(need).replace("<br>", "\\n"))
    <strong>2</strong> · ABCDEF12 · Wohnen
    &#123;&#123; 7*7 &#125;&#125;
    <small>Nur als Gebiet angegeben – Bezirksregion: Tiergarten (011001)</small>
    """
    return (f"<strong>{int(need.number)}</strong> · {inert_html(need.reference)} · {inert_html(need.category)}"
            f"<br>{inert_html(need.title)}<br><small>{inert_html(area_text(need, lang))}</small>")


def area_text(need: QueueMarker, lang: str = "de") -> str:
    """Where a need lies, in plain text: ``level: name (id)``, and whether the resident chose only the area.

    The list's area column and the marker's tooltip use these same words, so the
    moderator can match a row to its marker.

    >>> need = QueueMarker(1, "ABCDEF12", 52.5, 13.4, "Bänke", "Wohnen", "PLR", "01100101", "Unter den Linden")
    >>> area_text(need, "en")
    'Planning area: Unter den Linden (01100101)'
    >>> area_text(QueueMarker(1, "ABCDEF12", 52.5, 13.4, "Bänke", "Wohnen", "BZR", "011001", "Tiergarten",
    ...                       by_area=True))
    'Nur als Gebiet angegeben – Bezirksregion: Tiergarten (011001)'
    """
    area = f"{get_level(need.area_level).label(lang)}: {need.area_name} ({need.area_id})"
    return t("moderation.map_by_area", lang, area=area) if need.by_area else area


def area_geometries(needs: Sequence[QueueMarker], units: Callable[[str], Any]) -> dict[str, dict]:
    """The ``areas`` argument of :func:`queue_layers`: GeoJSON geometry of every area the markers name.

    ``units(level)`` returns the level's areas as a GeoDataFrame indexed by area id
    in EPSG:4326, e.g. ``lambda level: display_units(settings, level)`` (the display
    geometry: light enough for the browser, the same outlines the other maps draw).
    It is called once per marker, so pass a cached loader.
    """
    return {need.area_id: mapping(units(need.area_level).geometry.loc[need.area_id]) for need in needs}


def clicked_marker(tooltip_text: object) -> tuple[int, str] | None:
    """``(number, reference)`` of the marker whose tooltip text a click reported, or ``None``.

    streamlit-folium reports the clicked layer's tooltip as plain text
    (``last_object_clicked_tooltip``). Only its start is read, which the builder
    writes (:func:`marker_tooltip`); the resident's title after it is never parsed.

    >>> clicked_marker("12 · 3F2C9A1E · Mobilität 7 · 00000000")
    (12, '3F2C9A1E')
    >>> clicked_marker("Mitte") is None, clicked_marker(None) is None
    (True, True)
    """
    if not isinstance(tooltip_text, str):
        return None
    match = _TOOLTIP_START.match(tooltip_text)
    return (int(match.group(1)), match.group(2)) if match else None


def spread_offsets(points: Sequence[tuple[float, float]], size: int = _MARKER_SIZE) -> list[tuple[int, int]]:
    """Screen offsets ``(dx, dy)`` in pixels that keep markers at the same point from hiding each other.

    A marker alone at its point stays on it (``(0, 0)``). ``k > 1`` markers at
    one point (equal after rounding to 6 decimals, about 0.1 m) go on a ring
    around it, the first at the top and the others clockwise in their order, far
    enough apart that badges of ``size`` pixels do not overlap.

    >>> spread_offsets([(52.5, 13.4), (52.6, 13.3), (52.5, 13.4)])
    [(0, -20), (0, 0), (0, 20)]
    >>> spread_offsets([(52.5, 13.4)] * 3)
    [(0, -20), (17, 10), (-17, 10)]
    """
    at_point: dict[tuple[float, float], list[int]] = {}
    for index, (lat, lon) in enumerate(points):
        at_point.setdefault((round(float(lat), 6), round(float(lon), 6)), []).append(index)
    offsets = [(0, 0)] * len(points)
    for indices in at_point.values():
        count = len(indices)
        if count == 1:
            continue
        # Neighbours on the ring are 2 r sin(pi / k) apart: at least one badge and a gap.
        radius = max(_RING_MIN_RADIUS, (size + 4) / (2 * math.sin(math.pi / count)))
        for position, index in enumerate(indices):
            angle = -math.pi / 2 + 2 * math.pi * position / count
            offsets[index] = (round(radius * math.cos(angle)), round(radius * math.sin(angle)))
    return offsets


class NumberedMarkers(MacroElement):
    """The queue's needs as numbered, keyboard-focusable Leaflet markers, from one JSON array.

    Each row is ``[lat, lon, number, by_area, selected, tooltip_html, accessible_name, dx, dy]``:
    ``dx``/``dy`` move the badge (and its tooltip) that many pixels from its point
    (:func:`spread_offsets`), so markers at one point stay apart at every zoom.
    The markers are ``L.divIcon`` badges (class ``moderation-need``, plus ``by-area``
    and ``selected``): no image to load, the number readable at any zoom. Tooltips
    are escaped HTML inside a JSON string literal, where ``${...}`` is inert; the
    array's ``<``, ``>`` and ``&`` are ``\\u`` escapes, so it can never close the
    surrounding ``<script>``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var rows = {{ this.rows_json }};
            var target = {{ this._parent.get_name() }};
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var size = r[4] ? {{ this.selected_size }} : {{ this.size }};
                var icon = L.divIcon({
                    className: "moderation-need" + (r[3] ? " by-area" : "") + (r[4] ? " selected" : ""),
                    html: String(r[2]), iconSize: [size, size], iconAnchor: [size / 2 - r[7], size / 2 - r[8]]
                });
                var marker = L.marker([r[0], r[1]], {icon: icon, keyboard: true, riseOnHover: true,
                                                     zIndexOffset: r[4] ? 1000 : 0});
                marker.bindTooltip(r[5], {direction: "top", offset: [r[7], r[8] - size / 2]}).addTo(target);
                var element = marker.getElement();
                if (element) { element.setAttribute("aria-label", r[6]); }
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]]):
        super().__init__()
        self._name = "NumberedMarkers"
        self.rows = rows
        text = json.dumps(rows, ensure_ascii=True, separators=(",", ":"))
        self.rows_json = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        self.size = _MARKER_SIZE
        self.selected_size = _SELECTED_SIZE


def moderation_base_map(
    districts: str | Mapping[str, Any] | None = None,
    *,
    basemap: Basemap | None = None,
    lang: str = "de",
    asset_base: str = ASSET_BASE,
) -> folium.Map:
    """The map the queue's layers go onto: Berlin's extent, Bezirk outlines, local assets.

    Its script depends only on ``districts``, ``basemap``, ``lang`` and
    ``asset_base``, so streamlit-folium keeps the same Leaflet map (and the
    moderator's zoom) while the layers of :func:`queue_layers` change.

    Parameters
    ----------
    districts : str or dict, optional
        GeoJSON FeatureCollection (EPSG:4326) of the Bezirke, e.g.
        ``display_geojson(settings, "BEZ")``; thin outlines for orientation,
        not clickable (a click on the map selects needs only).
    basemap : Basemap, optional
        The operator's tiles underneath; default none, so the browser contacts no other server.
    lang : {"de", "en"}
    asset_base : str
        URL path where ``static/node_modules`` is served.
    """
    m = folium.Map(tiles=None, control_scale=False, zoom_control=True, prefer_canvas=False,
                   zoom_snap=0.25, zoom_delta=0.5)
    m.options.update(max_zoom=19, min_zoom=9)
    MetricScale().add_to(m)
    DocumentLanguage(lang).add_to(m)
    use_local_assets(m, asset_base)
    if basemap is not None:
        add_basemap(m, basemap, lang)
    if districts is not None:
        collection = json.loads(districts) if isinstance(districts, str) else districts
        outlines = [{"type": "Feature", "properties": {}, "geometry": f["geometry"]}
                    for f in collection.get("features", [])]
        if outlines:
            folium.GeoJson({"type": "FeatureCollection", "features": outlines},
                           name=t("moderation.map_districts", lang),
                           style_function=lambda feature: _DISTRICT_STYLE, interactive=False).add_to(m)
    m.fit_bounds(CITY_BOUNDS)
    m.get_root().header.add_child(folium.Element(_MAP_CSS), name="bedarfsatlas_moderation_map_css")
    return m


def _check_numbers(needs: Sequence[QueueMarker]) -> None:
    numbers = [need.number for need in needs]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"QueueMarker.number must be unique (each need's place in the list), got {numbers}")


def queue_layers(
    needs: Sequence[QueueMarker],
    areas: Mapping[str, Mapping[str, Any]],
    *,
    selected: int | None = None,
    lang: str = "de",
) -> list[folium.FeatureGroup]:
    """The layers of one queue page: the needs' areas, then their numbered markers.

    Parameters
    ----------
    needs : sequence of QueueMarker
        The needs on the current queue page, in list order.
    areas : mapping
        GeoJSON geometry (EPSG:4326) by area id, for every ``need.area_id``
        (ids of different LOR levels differ in length, so one mapping serves all).
        Each area is drawn once, however many needs lie in it.
    selected : int, optional
        The ``number`` of the need selected in the list, drawn highlighted.
    lang : {"de", "en"}

    Returns
    -------
    list of folium.FeatureGroup
        ``[areas, markers]``, to add to :func:`moderation_base_map` (or to pass as
        streamlit-folium's ``feature_group_to_add``).

    Raises
    ------
    ValueError
        When an area's geometry is missing from ``areas``, or two needs share a number.
    """
    _check_numbers(needs)
    drawn: dict[str, dict[str, bool]] = {}
    for need in needs:
        if need.area_id not in areas:
            raise ValueError(
                f"no geometry for area {need.area_id!r} ({need.area_level}) of need {need.number}: "
                f"pass it in areas[{need.area_id!r}], e.g. from display_units(settings, {need.area_level!r})"
            )
        flags = drawn.setdefault(need.area_id, {"by_area": False, "selected": False})
        flags["by_area"] |= need.by_area
        flags["selected"] |= need.number == selected
    area_group = folium.FeatureGroup(name=t("moderation.map_areas", lang))
    # Selected last, so that its thick outline lies on top of its neighbours'.
    for area_id, flags in sorted(drawn.items(), key=lambda item: item[1]["selected"]):
        style = {**(_BY_AREA_STYLE if flags["by_area"] else _PLR_STYLE)}
        if flags["selected"]:
            style.update(_SELECTED, className=f"{style['className']} selected")
        folium.GeoJson({"type": "Feature", "properties": {}, "geometry": dict(areas[area_id])},
                       style_function=lambda feature, style=style: style, interactive=False).add_to(area_group)
    offsets = spread_offsets([(need.lat, need.lon) for need in needs])
    rows = [
        [round(float(need.lat), 6), round(float(need.lon), 6), int(need.number), bool(need.by_area),
         need.number == selected, marker_tooltip(need, lang),
         t("moderation.map_marker_by_area" if need.by_area else "moderation.map_marker", lang, n=int(need.number)),
         dx, dy]
        for need, (dx, dy) in zip(needs, offsets)
    ]
    marker_group = folium.FeatureGroup(name=t("moderation.map_needs", lang))
    NumberedMarkers(rows).add_to(marker_group)
    return [area_group, marker_group]


def moderation_map(
    needs: Sequence[QueueMarker],
    areas: Mapping[str, Mapping[str, Any]],
    districts: str | Mapping[str, Any] | None = None,
    *,
    selected: int | None = None,
    basemap: Basemap | None = None,
    lang: str = "de",
    asset_base: str = ASSET_BASE,
) -> folium.Map:
    """The whole map in one: :func:`moderation_base_map` with :func:`queue_layers`, fitted to the needs.

    Parameters are those of the two functions. Without needs the map shows Berlin.
    """
    m = moderation_base_map(districts, basemap=basemap, lang=lang, asset_base=asset_base)
    for layer in queue_layers(needs, areas, selected=selected, lang=lang):
        layer.add_to(m)
    if needs:
        shapes = [{"geometry": dict(areas[need.area_id])} for need in needs]
        points = [{"geometry": {"type": "Point", "coordinates": [need.lon, need.lat]}} for need in needs]
        m.fit_bounds(_bounds(shapes + points), padding=(20, 20))
    return m
