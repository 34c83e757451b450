r"""The map of the residents' page: Bezirk outlines to find one's way, a pin, needs nearby.

A pure builder like those in :mod:`maps.base`: local Leaflet, no base map
unless configured, every text HTML-escaped. Without base tiles the area outlines
and their names are all a resident has to find their way, and a touch screen
cannot hover: so the names stand on the map (:class:`AreaLabels`), the Bezirke
at city zoom and, from :data:`LABEL_ZOOM` on, the Planungsräume around the
chosen place (:func:`areas_around`) with their outlines; never all 542 at once.

A tap is the only pointer a phone has, so nothing on this map opens on hover:
a need's dot opens a popup on a tap or click (:class:`SafePopup`), and that tap
stays the dot's: it does not reach the map, so it never moves the resident's pin
(``bubblingMouseEvents`` off). The Bezirke have no hover tooltip (a tooltip a
tap opened stayed over the map: there is no "mouse out" on a touch screen); their
names stand on the map. Needs are residents' free text, so popups and tooltips
are bound with the text as a JSON string literal (:class:`SafePopup`,
:class:`SafeTooltip`): folium's own ``Tooltip`` pastes its text into a
JavaScript template literal, where ``${...}`` would run even after HTML escaping.

Examples
--------
>>> bez = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "id": "01", "properties": {"id": "01", "name": "Mitte"},
...      "geometry": {"type": "Polygon", "coordinates": [[[13.3, 52.5], [13.4, 52.5], [13.4, 52.6], [13.3, 52.5]]]}}]}
>>> m = report_map(bez, pin=(52.52, 13.38), needs=[NeedMarker(52.52, 13.39, "${window.x=1}<b>", "Mobilität")])
>>> html = m.get_root().render()
>>> "cdn" in html
False
>>> "${window" in html, "$\\u0026#123;window.x=1\\u0026#125;\\u0026lt;b\\u0026gt;" in html
(False, True)

The need's text is an HTML-escaped JSON string literal; its braces are character references.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template
from shapely.geometry import box, mapping, shape

from core.i18n import t
from geodata.lor import COARSEST, LEVELS
from geodata.orientation import Landmarks
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
from maps.orientation import add_landmarks

_OUTLINE_STYLE = {"color": "#333333", "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 0.0}
_SELECTED_STYLE = {"color": "#0b5394", "weight": 3, "fillColor": "#0b5394", "fillOpacity": 0.12}
_NEARBY_STYLE = {"color": "#666666", "weight": 1, "dashArray": "4 3", "fillOpacity": 0.0}
_NEED_STYLE = {"color": "#7a1f00", "weight": 2, "fill": True, "fill_color": "#d9480f", "fill_opacity": 0.9}
_MAP_CSS = (
    "<style>.leaflet-container.leaflet-container{background:#ffffff}"  # outranks leaflet.css, loaded later
    ".leaflet-control-attribution{font-size:0.7rem;max-width:70%}"
    ".leaflet-tooltip{font-size:0.8rem;white-space:normal;width:max-content;max-width:16rem}"
    # Area names on the map: small, no box or arrow, a white halo keeps them legible over lines.
    ".leaflet-tooltip.area-label{background:none;border:none;box-shadow:none;padding:0;color:#111111;"
    "font-size:0.7rem;text-align:center;max-width:9rem;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff}"
    ".leaflet-tooltip.area-label::before{display:none}"
    ".leaflet-tooltip.area-label-bez{font-size:0.8rem;font-weight:600}"
    # A phone shows Berlin about 340 px wide: smaller names, long ones on two lines (after the hyphen).
    "@media (max-width:600px){.leaflet-tooltip.area-label{font-size:0.65rem;max-width:5.5rem}"
    ".leaflet-tooltip.area-label-bez{font-weight:400}}</style>"
)
#: Zoom when the map shows a chosen place: streets of a Planungsraum fit a phone screen.
PLACE_ZOOM = 15
#: From this zoom on the map names the Planungsräume around the place instead of the Bezirke.
LABEL_ZOOM = 13
#: Planungsräume within this distance (metres, half the side of a square) of the place get a name.
LABEL_RADIUS_M = 1500.0
#: Names of nearby areas stand within this distance of the place where the area reaches it (a phone's view).
LABEL_WITHIN_M = 350.0


@dataclass(frozen=True)
class NeedMarker:
    """One published need on the map: where, its title and category label (plain text)."""

    lat: float
    lon: float
    title: str
    category: str


class SafeTooltip(MacroElement):
    """A Leaflet tooltip whose (already HTML-escaped) content is a JSON string literal."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.content|tojson }}, {sticky: true});
        {% endmacro %}
        """
    )

    def __init__(self, content: str):
        super().__init__()
        self._name = "SafeTooltip"
        self.content = content


class SafePopup(MacroElement):
    """A Leaflet popup, opened by a tap or click, whose (already HTML-escaped) content is a JSON string literal.

    Leaflet labels the popup's close button "Close popup"; ``close_label`` (the
    page's language) replaces it when the popup opens. Add it to a layer:
    ``SafePopup(need_tooltip(title, category), "Schließen").add_to(marker)``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.content|tojson }}, {maxWidth: 240, autoPanPadding: [12, 12]})
            .on("popupopen", function (event) {
                var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
                if (close) { close.setAttribute("aria-label", {{ this.close_label|tojson }}); }
            });
        {% endmacro %}
        """
    )

    def __init__(self, content: str, close_label: str):
        super().__init__()
        self._name = "SafePopup"
        self.content = content
        self.close_label = inert_html(close_label)


class AreaLabels(MacroElement):
    """Area names written on the map: Bezirke below :data:`LABEL_ZOOM`, nearby Planungsräume from it on.

    Each name is a Leaflet tooltip of its own at a point inside its area (not bound to a
    shape, so it shows without hovering, also on touch screens), class ``area-label``.
    The names are HTML-escaped (:func:`inert_html`) and bound as JSON string literals.
    The names around a place change with the place: :class:`PlaceLayer` replaces them
    (``map.bedarfsatlasAreaLabels.nearby(labels)``) without drawing the map again.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            function group(layer, labels, kind) {
                layer.clearLayers();
                labels.forEach(function (label) {
                    L.tooltip({direction: "center", className: "area-label area-label-" + kind, opacity: 1})
                        .setLatLng([label[0], label[1]]).setContent(label[2]).addTo(layer);
                });
                return layer;
            }
            var districts = group(L.layerGroup(), {{ this.districts|tojson }}, "bez");
            var nearby = group(L.layerGroup(), {{ this.nearby|tojson }}, "plr");
            function show() {
                var close = map.getZoom() >= {{ this.min_zoom }};
                [[districts, !close], [nearby, close]].forEach(function (pair) {
                    if (pair[1]) { map.addLayer(pair[0]); } else { map.removeLayer(pair[0]); }
                });
            }
            map.on("zoomend", show);
            map.whenReady(show);
            map.bedarfsatlasAreaLabels = {nearby: function (labels) { group(nearby, labels, "plr"); }};
        })();
        {% endmacro %}
        """
    )

    def __init__(self, districts: Sequence[tuple[float, float, str]], nearby: Sequence[tuple[float, float, str]] = (),
                 min_zoom: float = LABEL_ZOOM):
        super().__init__()
        self._name = "AreaLabels"
        self.districts = _label_rows(districts)
        self.nearby = _label_rows(nearby)
        self.min_zoom = float(min_zoom)


def _label_rows(labels: Sequence[tuple[float, float, str]]) -> list[list]:
    return [[round(lat, 6), round(lon, 6), inert_html(name)] for lat, lon, name in labels]


def label_points(features: Sequence[Mapping[str, Any]]) -> list[tuple[float, float, str]]:
    """``(lat, lon, name)`` per feature: its ``label_at`` property (``[lat, lon]``) if it has one, else a
    point surely inside the area (not the centroid, which a crescent-shaped area may not contain);
    and its ``name`` property as given.

    >>> label_points([{"properties": {"name": "Mitte"},
    ...                "geometry": {"type": "Polygon", "coordinates": [[[13.3, 52.5], [13.4, 52.5], [13.4, 52.6], [13.3, 52.5]]]}}])
    [(52.55, 13.375, 'Mitte')]
    """
    points = []
    for feature in features:
        properties = feature.get("properties") or {}
        if properties.get("label_at"):
            lat, lon = properties["label_at"]
        else:
            point = shape(feature["geometry"]).representative_point()
            lat, lon = point.y, point.x
        points.append((round(lat, 6), round(lon, 6), str(properties.get("name", ""))))
    return points


def areas_around(
    units, lat: float, lon: float, radius_m: float = LABEL_RADIUS_M, label_within_m: float = LABEL_WITHIN_M
) -> dict[str, Any]:
    """The areas of ``units`` near a place, as a GeoJSON FeatureCollection for ``report_map(nearby_areas=...)``.

    Zoomed in on a phone the map shows about a square kilometre: a name at the middle of
    its area would often lie outside the view. So an area that reaches within
    ``label_within_m`` of the place gets its name (property ``label_at``) at a point
    inside the part of it that is that close; the others at a point inside the whole area.

    Parameters
    ----------
    units : GeoDataFrame
        Areas in EPSG:4326 with a ``name`` column, indexed by id, e.g.
        ``geodata.display.display_units(settings, "PLR")``.
    lat, lon : float
        The place (the pin, or a point inside the chosen area).
    radius_m : float
        Areas whose bounding box reaches into the square ``2 * radius_m`` wide around the place.
    label_within_m : float
        Half the side of the square around the place in which names are put where possible.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> units = gpd.GeoDataFrame({"name": ["Near", "Far"]}, index=["a", "b"],
    ...                          geometry=[box(13.40, 52.52, 13.41, 52.53), box(13.60, 52.52, 13.61, 52.53)], crs=4326)
    >>> [f["properties"]["name"] for f in areas_around(units, 52.525, 13.405)["features"]]
    ['Near']
    """
    def square(west_m: float, south_m: float, east_m: float, north_m: float):
        metres_per_degree_lon = 111_320.0 * math.cos(math.radians(lat))
        return (lon - west_m / metres_per_degree_lon, lat - south_m / 111_320.0,
                lon + east_m / metres_per_degree_lon, lat + north_m / 111_320.0)

    min_lon, min_lat, max_lon, max_lat = square(radius_m, radius_m, radius_m, radius_m)
    near = units.cx[min_lon:max_lon, min_lat:max_lat]
    # Not under the pin (about 40 px tall above the place: some 120 m at the place zoom).
    close = box(*square(*(label_within_m,) * 4)).difference(box(*square(80, 60, 80, 150)))
    features = []
    for area_id, row in near.iterrows():
        part = row.geometry.intersection(close)
        point = (part if not part.is_empty and part.area > 0 else row.geometry).representative_point()
        features.append({
            "type": "Feature", "id": str(area_id),
            "properties": {"id": str(area_id), "name": str(row["name"]), "label_at": [point.y, point.x]},
            "geometry": mapping(row.geometry),
        })
    return {"type": "FeatureCollection", "features": features}


def need_tooltip(title: str, category: str) -> str:
    """The HTML of one need in its popup (or tooltip): escaped category and title on two lines.

    Braces become character references too: branca compiles every rendered map
    script as a Jinja template again, so a ``{{ ... }}`` in a resident's text
    would otherwise be evaluated on the server (or break the map).

    >>> need_tooltip('<img src=x onerror="a()">', "Wohnen")
    '<strong>Wohnen</strong><br>&lt;img src=x onerror=&quot;a()&quot;&gt;'
    >>> need_tooltip("{{ 7*7 }}", "Wohnen")
    '<strong>Wohnen</strong><br>&#123;&#123; 7*7 &#125;&#125;'
    """
    return f"<strong>{_inert(category)}</strong><br>{_inert(title)}"


_inert = inert_html


def _outline_features(areas: str | Mapping[str, Any]) -> list[dict[str, Any]]:
    collection = json.loads(areas) if isinstance(areas, str) else areas
    return [
        {
            "type": "Feature",
            "id": str(f.get("id") or f["properties"]["id"]),
            "properties": {"name": inert_html(str((f.get("properties") or {}).get("name", "")))},
            "geometry": f["geometry"],
        }
        for f in collection["features"]
    ]


def _raw_names(areas: str | Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if areas is None:
        return []
    return list((json.loads(areas) if isinstance(areas, str) else areas)["features"])


class DefaultIconPath(MacroElement):
    """Sets ``L.Icon.Default.imagePath`` before the markers after it are drawn (the app's own Leaflet images)."""

    _template = Template("{% macro script(this, kwargs) %}L.Icon.Default.imagePath = {{ this.path|tojson }};"
                         "{% endmacro %}")

    def __init__(self, path: str):
        super().__init__()
        self._name = "DefaultIconPath"
        self.path = path


#: The need dots in Leaflet's option names; ``bubblingMouseEvents`` off: a tap on a dot is the dot's
#: (its popup), not a map click that would move the pin onto it.
_NEED_DOT = {"radius": 7, "bubblingMouseEvents": False, "className": "need-dot", "color": _NEED_STYLE["color"],
             "weight": _NEED_STYLE["weight"], "fill": True, "fillColor": _NEED_STYLE["fill_color"],
             "fillOpacity": _NEED_STYLE["fill_opacity"]}


class PlaceLayer(MacroElement):
    """What the map shows of the resident's place, replaced as a whole by ``map.bedarfsatlasPlace(place)``.

    Part of the base map (:func:`report_base_map`), which the browser keeps across runs: a
    new pin or new needs nearby reach it as one :func:`place_overlay` in a short script
    (:func:`place_script`), not as a new map. The call draws the areas around the place, the
    chosen area, the needs' dots (a tap opens the popup; the close button is labelled in the
    page's language) and the pin, names the areas around the place (:class:`AreaLabels`),
    leaves their names out of the landmarks, and moves the view only when the place's view
    changed: new needs nearby keep the resident's zoom and centre. Every text in ``place``
    is HTML-escaped already (:func:`place_overlay`).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var layer = L.layerGroup().addTo(map);
            var shownView = null;
            var closeLabel = {{ this.close_label|tojson }}, pinLabel = {{ this.pin_label|tojson }};
            function labelClose(event) {
                var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
                if (close) { close.setAttribute("aria-label", closeLabel); }
            }
            map.bedarfsatlasPlace = function (place) {
                layer.clearLayers();
                if (place.nearby) {
                    L.geoJson(place.nearby, {style: {{ this.nearby_style|tojson }}, interactive: false}).addTo(layer);
                }
                if (place.selected) {
                    L.geoJson(place.selected, {style: {{ this.selected_style|tojson }}, interactive: false}).addTo(layer);
                }
                place.needs.forEach(function (need) {
                    L.circleMarker([need[0], need[1]], {{ this.need_dot|tojson }})
                        .bindPopup(need[2], {maxWidth: 240, autoPanPadding: [12, 12]})
                        .on("popupopen", labelClose).addTo(layer);
                });
                if (place.pin) { L.marker(place.pin, {alt: pinLabel, title: pinLabel}).addTo(layer); }
                if (map.bedarfsatlasAreaLabels) { map.bedarfsatlasAreaLabels.nearby(place.labels); }
                if (map.bedarfsatlasLandmarks) { map.bedarfsatlasLandmarks.hide(place.named); }
                var view = JSON.stringify(place.view);
                if (place.view && view !== shownView) {
                    if (place.view.bounds) { map.fitBounds(place.view.bounds); }
                    else { map.setView(place.view.center, place.view.zoom); }
                }
                shownView = view;
            };
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lang: str):
        super().__init__()
        self._name = "PlaceLayer"
        self.close_label = inert_html(t("report.popup_close", lang))
        # Named by its alt text and the browser's own hover title: a tooltip opened by a tap would stay.
        self.pin_label = t("report.pin", lang)
        self.nearby_style, self.selected_style, self.need_dot = _NEARBY_STYLE, _SELECTED_STYLE, _NEED_DOT


class ApplyPlace(MacroElement):
    """Calls the map's :class:`PlaceLayer` with one :func:`place_overlay` as the map loads (a whole map at once)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.script }}{% endmacro %}")

    def __init__(self, overlay: Mapping[str, Any]):
        super().__init__()
        self._name = "ApplyPlace"
        self.overlay = overlay

    def render(self, **kwargs):
        self.script = place_script(self.overlay, self._parent.get_name())
        super().render(**kwargs)


def report_base_map(
    districts: str | Mapping[str, Any],
    *,
    basemap: Basemap | None = None,
    lang: str = "de",
    asset_base: str = ASSET_BASE,
    landmarks: Landmarks | None = None,
    start_bbox: Sequence[float] | None = None,
) -> folium.Map:
    """The residents' map without a place: Bezirk outlines with names, landmarks, ready for a place.

    The same for every resident of one language, base map and start (it depends on nothing a
    resident does), so it is built and rendered once per process (:mod:`ui.resident_map`); the
    place goes on it as an overlay (:func:`place_overlay`, :func:`place_script`, :class:`PlaceLayer`).

    Parameters
    ----------
    districts : str or dict
        GeoJSON FeatureCollection (EPSG:4326) of the Bezirke, e.g.
        ``display_geojson(settings, "BEZ")``; each feature has an id and a ``name`` property.
    basemap : Basemap, optional
        The operator's tiles underneath; default none.
    lang : {"de", "en"}
    asset_base : str
        URL path where ``static/node_modules`` is served.
    landmarks : Landmarks, optional
        U- and S-Bahn stations and Planungsraum names drawn from street zoom on
        (:func:`geodata.orientation.landmarks`, :mod:`maps.orientation`); the areas around a
        place keep their own names (the place's ``named``).
    start_bbox : (min_lon, min_lat, max_lon, max_lat), optional
        Where the map starts, e.g. a workshop's area (:func:`geodata.display.area_bbox`);
        default all of Berlin (the Bezirke). A place moves the view (:func:`place_overlay`).

    Examples
    --------
    >>> m = report_base_map({"type": "FeatureCollection", "features": []}, start_bbox=(13.40, 52.49, 13.44, 52.51))
    >>> "[[52.49, 13.4], [52.51, 13.44]]" in m.get_root().render()
    True
    """
    m = folium.Map(tiles=None, control_scale=False, zoom_control=True, prefer_canvas=False,
                   zoom_snap=0.25, zoom_delta=0.5)
    MetricScale().add_to(m)
    DocumentLanguage(lang).add_to(m)
    use_local_assets(m, asset_base)
    if basemap is not None:
        add_basemap(m, basemap, lang)
    features = _outline_features(districts)
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=t("report.map_districts", lang, levels=LEVELS[COARSEST].plural(lang)),
            style_function=lambda feature: _OUTLINE_STYLE,
            # No hover tooltip: the names stand on the map (AreaLabels), and on a touch screen a
            # tooltip that a tap opened stayed open over the map.
        ).add_to(m)
    # _outline_features made the names inert already; AreaLabels escapes what it gets, so pass them raw.
    AreaLabels(label_points(_raw_names(districts))).add_to(m)
    if landmarks is not None:
        add_landmarks(m, landmarks)
    # The pin's image named outright: Leaflet otherwise guesses its folder from leaflet.css, and
    # when the map is drawn before that stylesheet applies, it asks for a path that does not exist.
    DefaultIconPath(f"{asset_base.rstrip('/')}/leaflet/dist/images/").add_to(m)
    PlaceLayer(lang).add_to(m)
    if start_bbox is not None:  # e.g. /melden?workshop=CODE: the room's area, not all of Berlin
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in start_bbox)
        m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    else:
        m.fit_bounds(_bounds(features) if features else CITY_BOUNDS)
    m.get_root().header.add_child(folium.Element(_MAP_CSS), name="bedarfsatlas_report_map_css")
    return m


def place_overlay(
    *,
    pin: tuple[float, float] | None = None,
    zoom: float = PLACE_ZOOM,
    selected_area: Mapping[str, Any] | None = None,
    needs: Sequence[NeedMarker] = (),
    nearby_areas: str | Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the map shows of a place, as data for :class:`PlaceLayer` (JSON-ready, every text HTML-escaped).

    Keys: ``view`` (``{"center": [lat, lon], "zoom": z}`` around a pin, ``{"bounds": ...}`` of a
    chosen area, or ``None``: the view stays), ``pin``, ``selected`` (the area's geometry),
    ``nearby`` (the Planungsräume around the place as outlines, :func:`areas_around`), ``labels``
    (their names, ``[lat, lon, name]``), ``named`` (their ids, left out of the landmarks) and
    ``needs`` (``[lat, lon, popup]``, :func:`need_tooltip`).

    >>> overlay = place_overlay(pin=(52.52, 13.38), needs=[NeedMarker(52.52, 13.39, "<b>", "Wohnen")])
    >>> overlay["view"], overlay["pin"], overlay["needs"]
    ({'center': [52.52, 13.38], 'zoom': 15}, [52.52, 13.38], [[52.52, 13.39, '<strong>Wohnen</strong><br>&lt;b&gt;']])
    """
    around = _raw_names(nearby_areas)
    if pin is not None:
        view: dict[str, Any] | None = {"center": [float(pin[0]), float(pin[1])], "zoom": zoom}
    elif selected_area is not None:
        view = {"bounds": _bounds([{"geometry": selected_area}])}
    else:
        view = None
    return {
        "view": view,
        "pin": None if pin is None else [float(pin[0]), float(pin[1])],
        "selected": None if selected_area is None else dict(selected_area),
        # Outlines only: the names stand on the map as labels.
        "nearby": {"type": "FeatureCollection",
                   "features": [{"type": "Feature", "properties": {}, "geometry": f["geometry"]} for f in around]}
        if around else None,
        "labels": _label_rows(label_points(around)),
        "named": sorted({str(f.get("id") or (f.get("properties") or {}).get("id")) for f in around}),
        "needs": [[round(float(n.lat), 6), round(float(n.lon), 6), need_tooltip(n.title, n.category)] for n in needs],
    }


def place_script(overlay: Mapping[str, Any], map_name: str = "map_div") -> str:
    r"""The script that puts ``overlay`` (:func:`place_overlay`) on the map named ``map_name``.

    streamlit-folium names the map ``map_div`` and runs this as its ``feature_group`` whenever
    it differs from the last run's. The data is a JSON literal in which ``<``, ``>`` and ``&``
    are ``\u`` escapes, so no text can close the surrounding script.

    >>> place_script({"needs": [[52.5, 13.4, "&lt;/script&gt;"]]})
    'map_div.bedarfsatlasPlace({"needs":[[52.5,13.4,"\\u0026lt;/script\\u0026gt;"]]});'
    """
    data = json.dumps(overlay, ensure_ascii=True, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"{map_name}.bedarfsatlasPlace({data});"


def report_map(
    districts: str | Mapping[str, Any],
    *,
    pin: tuple[float, float] | None = None,
    selected_area: Mapping[str, Any] | None = None,
    needs: Sequence[NeedMarker] = (),
    nearby_areas: str | Mapping[str, Any] | None = None,
    basemap: Basemap | None = None,
    lang: str = "de",
    asset_base: str = ASSET_BASE,
    landmarks: Landmarks | None = None,
    start_bbox: Sequence[float] | None = None,
    zoom: float = PLACE_ZOOM,
) -> folium.Map:
    """The residents' map with a place, as one folium map: :func:`report_base_map` with :func:`place_overlay` on it.

    The page sends the two apart (the base once, the place as a script: :mod:`ui.resident_map`);
    this whole map is the same drawing in one piece, for a page without that or a test.

    Parameters
    ----------
    districts, basemap, lang, asset_base, landmarks, start_bbox
        As for :func:`report_base_map`.
    pin : (lat, lon), optional
        The place the resident clicked; the map centres on it at ``zoom``.
    selected_area : dict, optional
        GeoJSON geometry of the area the place lies in (or the area chosen from
        the lists), drawn highlighted; without a pin the map fits it.
    needs : sequence of NeedMarker
        Published needs near the place, drawn as small circles; a tap or click on one
        opens its title and topic (a popup) and does not move the pin.
    nearby_areas : str or dict, optional
        GeoJSON FeatureCollection of the Planungsräume around the place (:func:`areas_around`):
        drawn as thin outlines, their names on the map from :data:`LABEL_ZOOM` on. The
        Bezirk names stand on the map below that zoom.
    zoom : float
        The zoom around the pin: :data:`PLACE_ZOOM` after a click, closer for a place found by
        name (:data:`geodata.places.STREET_ZOOM`).

    Examples
    --------
    >>> m = report_map({"type": "FeatureCollection", "features": []}, pin=(52.52, 13.38))
    >>> '"view":{"center":[52.52,13.38],"zoom":15}' in m.get_root().render()
    True
    """
    m = report_base_map(districts, basemap=basemap, lang=lang, asset_base=asset_base, landmarks=landmarks,
                        start_bbox=start_bbox)
    ApplyPlace(place_overlay(pin=pin, zoom=zoom, selected_area=selected_area, needs=needs,
                             nearby_areas=nearby_areas)).add_to(m)
    return m
