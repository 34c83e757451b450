r"""Landmarks on a map without base tiles: U- and S-Bahn stations and planning-area names at street zoom.

The rows come from :func:`geodata.orientation.landmarks`; :func:`add_landmarks` puts
them on a folium map as one :class:`LandmarkLayer`. They are drawn light (small grey
names with a white halo, a station's after a small dot) in a pane of their own that takes no
pointer events, so a click or tap still reaches the areas, the needs' dots and the
map (which sets the resident's pin). Below :data:`LANDMARK_ZOOM` nothing is drawn:
at city zoom 900 names would cover the areas. At or above it only the landmarks in
and around the view are drawn, again after every move, so that a few dozen labels
are in the page at a time instead of all of them.

Names are data: each is HTML-escaped (:func:`maps.base.inert_html`) and reaches the
script as a JSON string literal (in which ``&`` is written ``\u0026``).

Examples
--------
>>> import folium
>>> from geodata.orientation import AreaNameRow, Landmarks, StationRow
>>> marks = Landmarks((StationRow(52.49905, 13.41775, "U Kottbusser Tor", "U"),),
...                   (AreaNameRow(52.5, 13.42, "<b>Oranienplatz</b>", "02400101"),), "VBB, CC BY 4.0")
>>> html = add_landmarks(folium.Map(tiles=None), marks).get_root().render()
>>> '[52.49905, 13.41775, "U Kottbusser Tor", "U"]' in html, "\\u0026lt;b\\u0026gt;Oranienplatz" in html, "<b>Oranienplatz" in html
(True, True, False)
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template

from geodata.orientation import Landmarks
from maps.base import inert_html

#: From this zoom on (a neighbourhood, some 2 km across on a laptop) the landmarks are drawn.
LANDMARK_ZOOM = 14
#: The view is widened by this share on each side before landmarks are picked, so that
#: panning a little does not show an empty edge before the next redraw.
VIEW_PADDING = 0.3
PANE = "landmarks"

_CSS = (
    "<style>"
    # Positioned at their point by the script (left/top); pointer events are off in the whole pane.
    ".landmark{position:absolute;color:#555555;font-size:0.65rem;line-height:1.1;white-space:nowrap;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff}"
    ".landmark-area{color:#6b6b6b;font-style:italic;transform:translate(-50%,-50%)}"
    # A station's name starts with its dot, whose middle stands on the station.
    ".landmark-station{color:#333333;font-weight:600;transform:translate(-4.5px,-50%)}"
    ".landmark-station::before{content:'';display:inline-block;width:5px;height:5px;margin-right:4px;"
    "vertical-align:-1px;border:1.5px solid #444444;border-radius:50%;background:#ffffff}"
    "</style>"
)


class LandmarkLayer(MacroElement):
    """Stations and area names, drawn from ``min_zoom`` on, for the part of the map in view.

    Plain elements in a pane of their own, not Leaflet tooltips or markers: they never open,
    close or take a click, and code that looks for the map's tooltips or markers (a need's
    popup, the resident's pin) does not find them.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var stations = {{ this.stations|tojson }};
            var areas = {{ this.areas|tojson }};
            var attribution = {{ this.attribution|tojson }};
            var pane = map.getPane({{ this.pane|tojson }}) || map.createPane({{ this.pane|tojson }});
            // Above the areas and needs (overlay pane, 400), below the pin (600); never a click target.
            pane.style.zIndex = 450;
            pane.style.pointerEvents = "none";
            var shown = false;
            var hidden = {};  // names a map's own layer writes already (the areas around a resident's place)
            function put(lat, lon, text, kind) {
                var point = map.latLngToLayerPoint([lat, lon]);
                var element = L.DomUtil.create("div", "landmark landmark-" + kind, pane);
                element.innerHTML = text;
                element.style.left = point.x + "px";
                element.style.top = point.y + "px";
            }
            function draw() {
                pane.innerHTML = "";
                pane.style.display = "";
                var near = map.getZoom() >= {{ this.min_zoom }};
                if (near !== shown && map.attributionControl) {
                    map.attributionControl[near ? "addAttribution" : "removeAttribution"](attribution);
                }
                shown = near;
                if (!near) { return; }
                var view = map.getBounds().pad({{ this.padding }});
                areas.forEach(function (a) {
                    if (!hidden[a[3]] && view.contains([a[0], a[1]])) { put(a[0], a[1], a[2], "area"); }
                });
                stations.forEach(function (s) { if (view.contains([s[0], s[1]])) { put(s[0], s[1], s[2], "station"); } });
            }
            // Positions are in layer pixels of one zoom: hidden while a zoom animates, redrawn after.
            map.on("zoomstart", function () { pane.style.display = "none"; });
            map.on("zoomend moveend viewreset", draw);
            map.whenReady(draw);
            // Another layer names some areas itself (ids): their names are left out from now on.
            map.bedarfsatlasLandmarks = {hide: function (ids) {
                hidden = {};
                ids.forEach(function (id) { hidden[id] = true; });
                if (map._loaded) { draw(); }
            }};
        })();
        {% endmacro %}
        """
    )

    def __init__(self, landmarks: Landmarks, min_zoom: float = LANDMARK_ZOOM, padding: float = VIEW_PADDING):
        super().__init__()
        self._name = "LandmarkLayer"
        self.stations = [[s.lat, s.lon, inert_html(s.name), s.kind] for s in landmarks.stations]
        self.areas = [[a.lat, a.lon, inert_html(a.name), a.area_id] for a in landmarks.areas]
        self.attribution = inert_html(landmarks.attribution)
        self.min_zoom = float(min_zoom)
        self.padding = float(padding)
        self.pane = PANE


def add_landmarks(m: folium.Map, landmarks: Landmarks, min_zoom: float = LANDMARK_ZOOM) -> folium.Map:
    """Put ``landmarks`` on ``m`` (drawn from ``min_zoom`` on), with their style."""
    LandmarkLayer(landmarks, min_zoom).add_to(m)
    m.get_root().header.add_child(folium.Element(_CSS), name="bedarfsatlas_landmarks_css")
    return m
