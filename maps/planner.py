"""Map builders of the planners' map: a base map that stays, and layers that change.

The planners' map changes often (indicator, level, filters, overlays) while the
planner zooms into a neighbourhood. streamlit-folium re-creates the whole
Leaflet map - and so resets zoom and pan - whenever the map's own script
changes, but swaps ``feature_group_to_add`` layers in place. So the base map
(:func:`planner_base_map`) does not depend on data, and the layers are
:class:`folium.FeatureGroup` objects built here:

* :func:`area_layer` - the choropleth of one indicator (areas carry the CSS class
  ``planner-area``); it goes onto the map itself, because only layers present
  when the map is created report clicks, so a new choropleth is a new Leaflet
  map, which :class:`maps.view.KeptView` puts where the planner was
  (:meth:`PlannerMap.identity` tells when);
* :func:`focus_layer` - a thick outline around the area in focus;
* :func:`needs_layer` - published needs as clustered points (folium's
  ``MarkerCluster``) or a heat layer (``HeatMap``); beyond :data:`POINT_LIMIT`
  needs, one circle (or heat point) per planning area carries their count,
  because a browser cannot draw 100,000 markers and the page would weigh
  tens of megabytes;
* :func:`facilities_layer` - Kitas, schools, youth centres, care homes, pharmacies.

What the browser's map reports back (``st_folium``'s return value) is read by
:func:`clicked_area` and :mod:`maps.view` (the view, and when the page moves
the map: never by passing a report back), which accept only what they
recognise: the report comes from the browser.
:class:`PlannerMap` holds one view's data and builds its layers for the screen
and the two map exports from them: one self-contained HTML file, and a
picture of the current view with needs and facilities as dots
(:func:`maps.static.choropleth_png`).

Every asset is local (Leaflet, Leaflet.markercluster and Leaflet.heat from
``static/node_modules``, see :func:`maps.base.use_local_assets`), and every
text that reaches the map is HTML-escaped: titles of needs are written by
residents (and shortened on the map to :data:`MARKER_TITLE_BYTES`, so that the
bytes of one view are bounded whatever they write). :func:`standalone_html`
inlines the assets into one HTML file for the export, so the file opens
anywhere without a server.

Examples
--------
>>> import pandas as pd
>>> m = planner_base_map()
>>> needs = pd.DataFrame({"lat": [52.5], "lon": [13.4], "category": ["mobility"], "title": ["<b>Bank</b>"]})
>>> layer = needs_layer(needs, None, mode="points")
>>> layer.add_to(m)  # doctest: +ELLIPSIS
<folium.map.FeatureGroup object at ...>
>>> html = m.get_root().render()
>>> "&lt;b&gt;Bank&lt;/b&gt;" in html, "<b>Bank" in html, "cdn" in html.lower()
(True, False, False)
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import folium
import pandas as pd
from folium.plugins import HeatMap, MarkerCluster

from maps.classify import MISSING_COLOUR, Classification
from core.i18n import format_number, t
from geodata.facilities import FACILITY_TYPES
from geodata.lor import APP_NAME, FINEST, LEVELS
from geodata.orientation import Landmarks
from maps.base import (
    inert_html,
    ASSET_BASE,
    CITY_BOUNDS,
    Basemap,
    DocumentLanguage,
    IndicatorLayer,
    MetricScale,
    _MAP_CSS,
    _area_features,
    _feature_id,
    add_basemap,
    legend_entries,
    use_local_assets,
)
from maps.orientation import add_landmarks
from maps.static import Bounds, choropleth_png

if TYPE_CHECKING:
    import geopandas as gpd

#: Above this many needs, points give way to one circle per planning area (see the bench).
POINT_LIMIT = 3000

#: How far out and in the planners' map zooms: all of Berlin, and a few houses. Without tiles
#: Leaflet knows no maximum, and Leaflet.markercluster needs one (see :func:`planner_base_map`).
MIN_ZOOM, MAX_ZOOM = 9.0, 18.0

#: The most bytes of a need's title that travel with its marker, counted as the browser gets them:
#: HTML-escaped for the tooltip, written into the map's script as JSON, and that script sent as JSON
#: again by Streamlit ("a" is 1 byte there, "ü" 7, "&lt;" 4, an emoji 14). A longer title ends in "…"
#: on the map's tooltip (:func:`marker_title`); lists and tables show it whole. So each need in view
#: costs at most ~130 bytes, whatever its title, and a street view of ``BEDARFSATLAS_MAP_POINT_LIMIT``
#: (500) needs stays under 0.5 MB (docs/benchmarks.md, "Needs in view"). Ordinary titles of up to
#: ~90 characters travel whole.
MARKER_TITLE_BYTES = 100

#: What ends a shortened title.
ELLIPSIS = "…"

#: One colour per need category (taxonomy order), distinguishable on white.
CATEGORY_COLOURS = (
    "#1f77b4", "#2ca02c", "#8c564b", "#d62728", "#9467bd", "#ff7f0e",
    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939",
)

#: Facility markers: small squares' colours per kind.
FACILITY_COLOURS = {kind: ftype.colour for kind, ftype in FACILITY_TYPES.items()}

#: The circles that carry the count of needs per planning area (beyond :data:`POINT_LIMIT`).
AREA_COUNT_COLOUR = "#d95f02"

#: The heat layer's colours from low to high density (Leaflet.heat's own default, written out
#: so that the layer and its legend, :func:`heat_legend_html`, cannot disagree).
HEAT_GRADIENT = {0.4: "#0000ff", 0.6: "#00ffff", 0.7: "#00ff00", 0.8: "#ffff00", 1.0: "#ff0000"}

_AREA_STYLE = {"color": "#4d4d4d", "weight": 0.7, "fillOpacity": 0.7, "className": "planner-area"}
_MISSING_STYLE = {**_AREA_STYLE, "weight": 1.0, "fillOpacity": 0.4, "dashArray": "4 3"}
_FOCUS_STYLE = {"color": "#000000", "weight": 4, "fill": False, "className": "planner-focus"}


def plugin_assets(asset_base: str = ASSET_BASE) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Local JS and CSS of the Leaflet plugins (markercluster, heat), as folium's (name, url) lists.

    >>> js, css = plugin_assets("/x")
    >>> js[0][1], css[0][1]
    ('/x/leaflet.markercluster/dist/leaflet.markercluster.js', '/x/leaflet.markercluster/dist/MarkerCluster.css')
    """
    base = asset_base.rstrip("/")
    js = [
        ("markerclusterjs", f"{base}/leaflet.markercluster/dist/leaflet.markercluster.js"),
        ("leaflet-heat.js", f"{base}/leaflet.heat/dist/leaflet-heat.js"),
    ]
    css = [
        ("markerclustercss", f"{base}/leaflet.markercluster/dist/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{base}/leaflet.markercluster/dist/MarkerCluster.Default.css"),
    ]
    return js, css


def planner_base_map(basemap: Basemap | None = None, lang: str = "de", asset_base: str = ASSET_BASE,
                     landmarks: Landmarks | None = None) -> folium.Map:
    """The map every layer goes onto: Berlin's extent, scale bar, local assets, no tiles by default.

    Its script does not depend on data, so streamlit-folium keeps the same
    Leaflet map (and the user's zoom and pan) while layers change. The plugin
    scripts load with it, because layers added later cannot load scripts.
    ``landmarks`` (stations and Planungsraum names, :mod:`maps.orientation`) are
    drawn from street zoom on; they are the same on every run, so the script stays so.
    """
    # Without tiles Leaflet knows no maximum zoom, and Leaflet.markercluster refuses to
    # start ("Map has no maxZoom specified"): clusters need the zoom at which they split.
    # folium hands max_zoom to the tile layer, which this map has not: set Leaflet's option.
    m = folium.Map(tiles=None, control_scale=False, zoom_control=True, prefer_canvas=False,
                   zoom_snap=0.25, zoom_delta=0.5)
    m.options.update(max_zoom=int(MAX_ZOOM), min_zoom=int(MIN_ZOOM))
    MetricScale().add_to(m)
    DocumentLanguage(lang).add_to(m)
    use_local_assets(m, asset_base)
    js, css = plugin_assets(asset_base)
    m.default_js = [*m.default_js, *js]
    m.default_css = [*m.default_css, *css]
    if basemap is not None:
        add_basemap(m, basemap, lang)
    if landmarks is not None:
        add_landmarks(m, landmarks)
    m.fit_bounds(CITY_BOUNDS)
    m.get_root().header.add_child(folium.Element(_MAP_CSS), name="bedarfsatlas_map_css")
    return m


def area_layer(
    areas: str | Mapping[str, Any],
    classification: Classification,
    names: pd.Series,
    *,
    value_text: pd.Series,
    area_label: str,
    indicator_label: str,
    attribution: str,
    lang: str = "de",
) -> folium.FeatureGroup:
    """The choropleth of one indicator as a layer.

    Parameters are those of :func:`maps.base.choropleth_map`. Each area is
    one SVG path with the class ``planner-area``; a click returns its feature
    with ``properties.id`` (streamlit-folium's ``last_active_drawing``). Add it
    to the map itself, not as ``feature_group_to_add``: streamlit-folium 0.27
    binds its click handler to the map's layers when the map is created, and
    layers swapped in later do not report clicks reliably.
    """
    features = _area_features(areas, names, value_text, t("legend.missing", lang))
    fill = {f["id"]: classification.colour_of(f["id"]) for f in features}

    def style(feature: Mapping[str, Any]) -> dict[str, Any]:
        colour = fill[feature["id"]]
        return {**(_MISSING_STYLE if colour == MISSING_COLOUR else _AREA_STYLE), "fillColor": colour}

    group = folium.FeatureGroup(name=inert_html(indicator_label))
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=style,
        highlight_function=lambda feature: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "value"], aliases=[inert_html(area_label), inert_html(indicator_label)], sticky=True
        ),
        attribution=inert_html(attribution),
    ).add_to(group)
    return group


def focus_layer(areas: str | Mapping[str, Any], focus: str | None) -> folium.FeatureGroup:
    """A thick black outline around the area in focus (empty without a focus); clicks pass through.

    A layer of its own, so a new focus swaps this small layer and leaves the
    choropleth (and the map, its zoom and pan) alone.
    """
    collection = json.loads(areas) if isinstance(areas, str) else areas
    focused = [
        {"type": "Feature", "id": str(f.get("id")), "properties": {}, "geometry": f["geometry"]}
        for f in collection["features"]
        if focus is not None and str(f.get("id", (f.get("properties") or {}).get("id"))) == focus
    ]
    group = folium.FeatureGroup(name="focus")
    if focused:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": focused},
            style_function=lambda feature: _FOCUS_STYLE,
            interactive=False,
        ).add_to(group)
    return group


def _sent_bytes(text: str) -> int:
    """Bytes of ``text`` in what the browser gets: a JSON string in the map's script, sent as JSON again."""
    return len(json.dumps(json.dumps(text, ensure_ascii=True)[1:-1], ensure_ascii=True)) - 2


def marker_title(title: object, budget: int = MARKER_TITLE_BYTES) -> str:
    """``title`` escaped for a marker's tooltip (:func:`maps.base.inert_html`), within ``budget`` bytes as sent.

    A title that costs more is cut after its last whole character that fits
    (never inside an escape such as ``&lt;``) and ends in "…" (see
    :data:`MARKER_TITLE_BYTES`).

    >>> marker_title("<b>Bank</b>")
    '&lt;b&gt;Bank&lt;/b&gt;'
    >>> marker_title("Schatten auf dem Spielplatz", budget=24)
    'Schatten auf dem…'
    >>> marker_title("ü" * 120)[-3:], _sent_bytes(marker_title("ü" * 120)) <= MARKER_TITLE_BYTES
    ('üü…', True)
    """
    escaped = inert_html(title)
    if _sent_bytes(escaped) <= budget:
        return escaped
    # Escaping and both JSON encodings work character by character: the costs add up.
    room, kept = budget - _sent_bytes(ELLIPSIS), []
    for piece in map(inert_html, str(title)):
        room -= _sent_bytes(piece)
        if room < 0:
            break
        kept.append(piece)
    return "".join(kept).rstrip() + ELLIPSIS


class _CircleData(folium.MacroElement):
    """Many circle markers from one compact JSON array: ``[lat, lon, radius, colour index, tooltip]``.

    One folium marker per point writes ~500 bytes of script; this writes ~40
    plus the (escaped) tooltip, and adds the markers to its parent (a
    FeatureGroup or a MarkerCluster) in one loop. ``prefix`` (escaped) goes
    before every tooltip, sent once rather than in each row.
    """

    _template = folium.elements.Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var palette = {{ this.palette_json }};
            var prefix = {{ this.prefix_json }};
            var rows = {{ this.rows_json }};
            var target = {{ this._parent.get_name() }};
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var marker = L.circleMarker([r[0], r[1]], {radius: r[2], color: "#ffffff", weight: 1,
                    fillColor: palette[r[3]], fillOpacity: 0.85, className: "{{ this.class_name }}"});
                marker.bindTooltip(prefix + r[4]);
                target.addLayer(marker);
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], palette: list[str], class_name: str, prefix: str = ""):
        super().__init__()
        self._name = "CircleData"
        # json.dumps keeps the tooltips inside one JS string literal; they are HTML-escaped
        # already, so no "</script>" can occur.
        self.rows_json = json.dumps(rows, ensure_ascii=True, separators=(",", ":"))
        self.palette_json = json.dumps(palette)
        self.prefix_json = json.dumps(prefix, ensure_ascii=True)
        self.class_name = re.sub(r"[^a-z-]", "", class_name)


def needs_layer(
    needs: pd.DataFrame | None,
    per_area: pd.DataFrame | None,
    *,
    mode: str = "points",
    categories: tuple[str, ...] | None = None,
    lang: str = "de",
    asset_base: str = ASSET_BASE,
) -> folium.FeatureGroup:
    """Published needs as a layer: clustered points, heat, or one circle per area.

    Parameters
    ----------
    needs : DataFrame or None
        One row per need with ``lat``, ``lon``, ``category``, ``title``; ``None``
        when there are more than :data:`POINT_LIMIT` (the page then passes ``per_area``).
        A long title is shortened on its tooltip (:func:`marker_title`).
    per_area : DataFrame or None
        When ``needs`` is ``None``: one row per planning area with ``lat``,
        ``lon`` (a point inside it), ``name`` and ``count``.
    mode : {"points", "heat"}
        Points go into a ``MarkerCluster``; heat uses ``HeatMap`` (weights = counts per area).
    categories : tuple of str
        Category ids in the order of :data:`CATEGORY_COLOURS` (the taxonomy order).
    """
    if mode not in ("points", "heat"):
        raise ValueError(f"mode must be 'points' or 'heat', got {mode!r}")
    if needs is None and per_area is None:
        raise ValueError("give needs (at most POINT_LIMIT rows) or per_area counts")
    if categories is None:
        # maps does not import the needs taxonomy (imports run pages -> assessment -> maps -> geodata).
        categories = tuple(sorted(set(needs["category"]))) if needs is not None else ()
    js, css = plugin_assets(asset_base)
    group = folium.FeatureGroup(name=t("planner.col.needs", lang))
    if mode == "heat":
        if needs is not None:
            data = needs[["lat", "lon"]].round(5).assign(weight=1.0).values.tolist()
        else:
            present = per_area[per_area["count"] > 0]
            data = present[["lat", "lon"]].round(5).assign(weight=present["count"].astype(float)).values.tolist()
        heat = HeatMap(data, radius=18, blur=14, min_opacity=0.3, gradient=HEAT_GRADIENT)
        heat.default_js = [js[1]]  # instance override: the class default is a CDN
        heat.default_css = []
        heat.add_to(group)
        return group
    if needs is not None:
        index = {c: i for i, c in enumerate(categories)}
        rows = [
            [round(float(lat), 5), round(float(lon), 5), 6, index.get(cat, len(index)) % len(CATEGORY_COLOURS),
             marker_title(title)]
            for lat, lon, cat, title in needs[["lat", "lon", "category", "title"]].itertuples(index=False)
        ]
        cluster = MarkerCluster(options={"showCoverageOnHover": False, "maxClusterRadius": 40})
        cluster.default_js = [js[0]]
        cluster.default_css = list(css)
        cluster.add_to(group)
        _CircleData(rows, list(CATEGORY_COLOURS), "planner-need",
                    prefix=f"{inert_html(t('planner.map.needs', lang))}: ").add_to(cluster)
        return group
    present = per_area[per_area["count"] > 0]
    biggest = float(present["count"].max()) if len(present) else 1.0
    label = inert_html(t("planner.map.needs_in_area", lang))
    rows = [
        # Area proportional to the count: radius grows with the square root.
        [round(float(lat), 5), round(float(lon), 5), round(3 + 15 * math.sqrt(count / biggest), 1), 0,
         f"{inert_html(str(name))}: {format_number(int(count), 0, lang)} ({label})"]
        for lat, lon, name, count in present[["lat", "lon", "name", "count"]].itertuples(index=False)
    ]
    _CircleData(rows, [AREA_COUNT_COLOUR], "planner-need-area").add_to(group)
    return group


def facilities_layer(facilities: Mapping[str, pd.DataFrame], labels: Mapping[str, str],
                     lang: str = "de") -> folium.FeatureGroup:
    """Facilities as small circles coloured by kind, the name in the tooltip.

    ``facilities`` maps a kind of :data:`geodata.facilities.FACILITY_TYPES` to a
    frame with ``lat``, ``lon`` and ``name`` (EPSG:4326); ``labels`` maps kinds to
    their display label.
    """
    kinds = list(facilities)
    palette = [FACILITY_COLOURS.get(kind, "#444444") for kind in kinds]
    rows = []
    for i, kind in enumerate(kinds):
        label = inert_html(labels.get(kind, kind))
        for lat, lon, name in facilities[kind][["lat", "lon", "name"]].itertuples(index=False):
            text = inert_html(str(name)) if isinstance(name, str) and name else ""
            rows.append([round(float(lat), 5), round(float(lon), 5), 4, i, f"{label}: {text}".rstrip(": ")])
    group = folium.FeatureGroup(name=t("planner.map.facility", lang))
    _CircleData(rows, palette, "planner-facility").add_to(group)
    return group


def standalone_html(m: folium.Map, static_root: str | Path, asset_base: str = ASSET_BASE,
                    title: str = APP_NAME, attribution: str = "") -> str:
    """The map as one self-contained HTML file: local scripts and styles inlined.

    ``m.get_root().render()`` alone refers to ``/app/static/...`` and would
    show nothing when opened from disk. Images that Leaflet's CSS refers to
    (marker icons, layer icons) are not used by these maps and are left out.
    ``attribution`` (plain text) goes into a visible footer and the title.
    """
    page = m.get_root().render()
    root = Path(static_root)
    base = asset_base.rstrip("/")

    def local(url: str) -> Path:
        path = (root / url[len(base):].lstrip("/")).resolve()
        if not str(path).startswith(str(root.resolve())) or not path.is_file():
            raise FileNotFoundError(f"{url} is not a file under {root}: install the front-end assets (npm ci)")
        return path

    def script(match: re.Match) -> str:
        code = local(match.group(1)).read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>{code}</script>"

    def style(match: re.Match) -> str:
        return f"<style>{local(match.group(1)).read_text(encoding='utf-8')}</style>"

    escaped = re.escape(base)
    page = re.sub(rf'<script src="({escaped}/[^"]+)"></script>', script, page)
    page = re.sub(rf'<link rel="stylesheet" href="({escaped}/[^"]+)"/>', style, page)
    footer = (
        f'<title>{inert_html(title)}</title>'
        f'<div style="position:fixed;bottom:0;left:0;z-index:1000;background:#fff;font:12px sans-serif;'
        f'padding:2px 6px">{inert_html(attribution)}</div>'
    )
    return page.replace("</body>", footer + "</body>", 1)


def swatch_legend_html(items: list[tuple[str, str]], title: str) -> str:
    """A small legend of colour swatches (no counts) for point layers, escaped for ``st.html``.

    >>> "&lt;i&gt;" in swatch_legend_html([("#1f77b4", "<i>Mobilität</i>")], "Bedarfe")
    True
    """
    rows = "".join(
        '<li style="display:flex;align-items:center;gap:0.5em;margin:0.1em 0">'
        f'<span aria-hidden="true" style="display:inline-block;width:0.9em;height:0.9em;border-radius:50%;'
        f'background:{inert_html(colour)}"></span><span>{inert_html(label)}</span></li>'
        for colour, label in items
    )
    return (
        f'<div class="legend-points" role="group" aria-label="{inert_html(title)}">'
        f'<p style="margin:0.6em 0 0.3em 0;font-weight:600">{inert_html(title)}</p>'
        f'<ul style="list-style:none;padding:0;margin:0">{rows}</ul></div>'
    )


def heat_legend_html(lang: str = "de") -> str:
    """The heat layer's legend: its colour ramp from low to high density of needs, escaped for ``st.html``.

    The heat layer draws a second colour scale over the choropleth; without this
    a reader could take its red for the choropleth's "most need". The ramp is
    :data:`HEAT_GRADIENT`, from the faint blue Leaflet.heat draws for a single
    need at the edge of its radius.

    >>> html = heat_legend_html("de")
    >>> 'aria-label="Dichte der Bedarfe (Wärmekarte): gering → hoch"' in html, "#ff0000 100%" in html
    (True, True)
    """
    title, low, high = t("planner.heat_legend", lang), t("planner.heat_low", lang), t("planner.heat_high", lang)
    stops = ", ".join(f"{colour} {round(position * 100)}%" for position, colour in HEAT_GRADIENT.items())
    return (
        f'<div class="legend-heat" role="group" aria-label="{inert_html(f"{title}: {low} → {high}")}">'
        f'<p style="margin:0.6em 0 0.3em 0;font-weight:600">{inert_html(title)}</p>'
        f'<div aria-hidden="true" style="height:0.9em;border:1px solid #4d4d4d;'
        f'background:linear-gradient(to right, rgba(0,0,255,0.3) 0%, {stops})"></div>'
        f'<div style="display:flex;justify-content:space-between;color:#555">'
        f'<span>{inert_html(low)}</span><span>{inert_html(high)}</span></div></div>'
    )


def category_swatches(labels: Sequence[str]) -> list[tuple[str, str]]:
    """(colour, label) of each need category for :func:`swatch_legend_html`, in taxonomy order.

    ``labels`` are the categories' labels in taxonomy order (the order of
    :data:`CATEGORY_COLOURS`, which :func:`needs_layer` colours by).

    >>> category_swatches(["Mobilität", "Wohnen"])
    [('#1f77b4', 'Mobilität'), ('#2ca02c', 'Wohnen')]
    """
    return [(CATEGORY_COLOURS[i], label) for i, label in enumerate(labels)]


def facility_swatches(kinds: Sequence[str], lang: str = "de") -> list[tuple[str, str]]:
    """(colour, label) of each shown facility kind for :func:`swatch_legend_html`.

    >>> facility_swatches(["pharmacies"], "en")
    [('#de2d26', 'Pharmacies')]
    """
    return [(FACILITY_COLOURS[kind], FACILITY_TYPES[kind].label(lang)) for kind in kinds]


# --- what the browser's map reports back (st_folium's return value) ---------------------------

#: What the page asks ``st_folium`` to report back (``returned_objects``): the clicked area,
#: and the view (zoom, centre, bounds) to come back to and to draw as a picture.
REPORTED_OBJECTS = ("last_active_drawing", "last_object_clicked", "zoom", "center", "bounds")


def clicked_area(returned: Mapping[str, Any] | None) -> tuple[str, str]:
    """The id of the area the browser reports as clicked ('' if none), and a signature of that click.

    The id comes from the clicked feature's ``properties.id`` (:func:`area_layer`);
    look it up among the level's ids, never echo it. The report repeats the
    last click on every rerun: a click is new only when its signature (the
    clicked position, as JSON) changed.

    >>> clicked_area({"last_active_drawing": {"properties": {"id": "01"}},
    ...               "last_object_clicked": {"lat": 52.5, "lng": 13.4}})
    ('01', '{"lat": 52.5, "lng": 13.4}')
    >>> clicked_area(None)
    ('', 'null')
    """
    returned = returned or {}
    feature = returned.get("last_active_drawing") or {}
    return str((feature.get("properties") or {}).get("id", "")), json.dumps(returned.get("last_object_clicked"))


@lru_cache(maxsize=8)
def _bounds_by_area(areas: str) -> dict[str, Bounds]:
    # Keyed by the GeoJSON text, as maps.base._bounds_of_collection: the page passes the same
    # cached string on every run.
    import shapely

    features = json.loads(areas)["features"]
    geometries = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    return {_feature_id(f): (float(s), float(w), float(n), float(e))
            for f, (w, s, e, n) in zip(features, shapely.bounds(geometries))}


def area_bounds(areas: str | Mapping[str, Any], area_ids: Sequence[str]) -> Bounds | None:
    """(south, west, north, east) around the areas ``area_ids`` of a display GeoJSON; ``None`` if none is there.

    What the map fits when an area or a Bezirk comes into focus (:meth:`maps.view.KeptView.fit`).

    >>> area_bounds(json.dumps({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "id": "01", "geometry": {"type": "Point", "coordinates": [13.4, 52.5]}},
    ...     {"type": "Feature", "id": "02", "geometry": {"type": "Point", "coordinates": [13.5, 52.6]}}]}),
    ...     ["01", "02", "99"])
    (52.5, 13.4, 52.6, 13.5)
    """
    by_area = _bounds_by_area(areas if isinstance(areas, str) else json.dumps(areas))
    found = [by_area[a] for a in area_ids if a in by_area]
    if not found:
        return None
    south, west, north, east = zip(*found)
    return min(south), min(west), max(north), max(east)


# --- one view: its layers, and the map as one HTML file or as a picture ---------------------------------


#: Dots in the picture (:func:`png_points`): one grey for counts per area, radii in pixels.
AGGREGATED_COLOUR = "#3b3b3b"
NEED_RADIUS = 4.0
FACILITY_RADIUS = 3.0


def png_points(
    needs: pd.DataFrame | None,
    per_area: pd.DataFrame | None,
    *,
    mode: str = "points",
    categories: Mapping[str, str] | None = None,
    facilities: Mapping[str, pd.DataFrame] | None = None,
    lang: str = "de",
) -> tuple[pd.DataFrame | None, list[tuple[str, str]]]:
    """The dots of the picture (``lat``, ``lon``, ``colour``, ``radius``) and their legend rows.

    Parameters
    ----------
    needs, per_area : DataFrame or None
        As for :func:`needs_layer`. Each need is a dot in its category's colour,
        also when the screen shows heat (a picture cannot show heat as the screen
        does; a legend row says so). Counts per area are grey dots whose area grows
        with the count (radius ``2 + 2 * sqrt(count)``); areas without needs get none.
    categories : mapping of category id to label
        In taxonomy order (the order of :data:`CATEGORY_COLOURS`). The legend
        lists only the categories that have a dot.
    facilities : mapping of kind to points
        As for :func:`facilities_layer`, drawn last (on top).

    Examples
    --------
    >>> per_area = pd.DataFrame({"lat": [52.5, 52.6], "lon": [13.4, 13.5], "name": ["a", "b"], "count": [4, 0]})
    >>> dots, legend = png_points(None, per_area, lang="en")
    >>> dots[["colour", "radius"]].values.tolist(), legend
    ([['#3b3b3b', 6.0]], [('#3b3b3b', 'Needs per area (Planning area; circle area ~ count)')])
    """
    rows, legend = [], []
    if needs is not None:
        present = set(needs["category"])
        if categories is None:  # as needs_layer: without the taxonomy, sorted ids name themselves
            categories = {c: c for c in sorted(present)}
        colour_of = {c: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, c in enumerate(categories)}
        rows.append(needs.assign(colour=needs["category"].map(colour_of), radius=NEED_RADIUS))
        legend += [(colour_of[c], label) for c, label in categories.items() if c in present]
        if mode == "heat":
            legend.append(("#ffffff", t("planner.png_heat_as_points", lang)))
    elif per_area is not None:
        counted = per_area[per_area["count"] > 0]
        rows.append(counted.assign(colour=AGGREGATED_COLOUR, radius=2.0 + 2.0 * counted["count"].pow(0.5)))
        legend.append((AGGREGATED_COLOUR, t("planner.png_needs_aggregated", lang, level=LEVELS[FINEST].label(lang))))
    for kind, points in (facilities or {}).items():
        rows.append(points.assign(colour=FACILITY_COLOURS[kind], radius=FACILITY_RADIUS))
        legend.append((FACILITY_COLOURS[kind], FACILITY_TYPES[kind].label(lang)))
    dots = pd.concat([r[["lat", "lon", "colour", "radius"]] for r in rows]) if rows else None
    return dots, legend


@dataclass(frozen=True, eq=False)
class PlannerMap:
    """One view of the planners' map: its layers for the screen, and the same map as HTML file or picture.

    Built once per run from plain data; the screen, the HTML export and the PNG
    export then draw the same areas, colours, needs and facilities.

    Attributes
    ----------
    areas : str or mapping
        The level's display GeoJSON (:func:`geodata.display.display_geojson`).
    level : str
        PLR, BZR, PGR or BEZ (names the areas in tooltips and the picture).
    names : Series
        Area names by id.
    layer : IndicatorLayer
        Classes, texts, heading and attribution of the choropleth (:func:`maps.base.indicator_layer`).
    needs, per_area : DataFrame or None
        As for :func:`needs_layer`; both ``None``: no needs layer.
    mode : {"points", "heat"}
        How :func:`needs_layer` draws the needs.
    categories : mapping of category id to label
        In taxonomy order, the order of :data:`CATEGORY_COLOURS`.
    facilities : mapping of kind to points
        As for :func:`facilities_layer`; empty: no facilities layer.
    """

    areas: str | Mapping[str, Any]
    level: str
    names: pd.Series
    layer: IndicatorLayer
    needs: pd.DataFrame | None = None
    per_area: pd.DataFrame | None = None
    mode: str = "points"
    categories: Mapping[str, str] = field(default_factory=dict)
    facilities: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    lang: str = "de"
    asset_base: str = ASSET_BASE

    def choropleth(self) -> folium.FeatureGroup:
        """The areas coloured by the indicator (:func:`area_layer`): add it to the map itself."""
        return area_layer(self.areas, self.layer.classification, self.names, value_text=self.layer.value_text,
                          area_label=LEVELS[self.level].label(self.lang), indicator_label=self.layer.heading,
                          attribution=self.layer.attribution, lang=self.lang)

    def identity(self) -> str:
        """A fingerprint of the map's own script: it changes exactly when the browser makes a new Leaflet map.

        streamlit-folium keys its component by the map's script, which holds
        the base map and the choropleth (areas, colours, tooltips, heading,
        attribution, language); the overlays are swapped in place. So a new
        indicator, level, language or filtered need rate makes a new map, and
        a new focus or a new needs filter does not. The base map's tiles come
        from the settings and are the same for the whole process.
        """
        layer = self.layer
        digest = hashlib.sha256()
        areas = self.areas if isinstance(self.areas, str) else json.dumps(self.areas, sort_keys=True)
        for part in (self.level, self.lang, self.asset_base, layer.heading, layer.attribution, areas,
                     json.dumps([layer.classification.colours, layer.classification.labels]),
                     layer.classification.classes.astype(str).to_json(),
                     layer.value_text.astype(str).to_json(), self.names.astype(str).to_json()):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def folium_maps(self, backdrop: Mapping[str, Any], focus: str | None) -> tuple[folium.Map, list[folium.FeatureGroup]]:
        """The browser's map: the base map with the choropleth, and the overlays for ``feature_group_to_add``.

        ``backdrop`` holds the keyword arguments ``basemap`` and ``landmarks`` of :func:`planner_base_map`.
        """
        m = planner_base_map(lang=self.lang, asset_base=self.asset_base, **backdrop)
        self.choropleth().add_to(m)
        return m, self.overlays(focus)

    def overlays_identity(self, focus: str | None) -> str:
        """A fingerprint of what :meth:`overlays` draws for ``focus``: it changes exactly when they do.

        With :meth:`identity` it keys a prepared map (``ui.map_component``): the same
        choropleth, focus, needs and facilities are drawn once per process, not on every run.
        """
        digest = hashlib.sha256()
        for frame in (self.needs, self.per_area, *(self.facilities[k] for k in sorted(self.facilities))):
            if frame is None:
                digest.update(b"none")
            else:
                digest.update(frame.to_json(orient="split", date_format="iso").encode("utf-8"))
            digest.update(b"\0")
        digest.update(json.dumps([focus, self.mode, dict(self.categories), sorted(self.facilities), self.lang,
                                  self.asset_base, self.level]).encode("utf-8"))
        return digest.hexdigest()

    def bounds(self, area_ids: Sequence[str]) -> Bounds | None:
        """(south, west, north, east) around the areas ``area_ids`` of this map (:func:`area_bounds`)."""
        return area_bounds(self.areas, area_ids)

    def overlays(self, focus: str | None) -> list[folium.FeatureGroup]:
        """Everything above the choropleth, bottom to top: the focus outline, needs, facilities.

        New folium objects on every call: streamlit-folium renames a layer it has
        rendered, and a layer rendered twice draws nothing the second time.
        """
        groups = [focus_layer(self.areas, focus)]
        if self.needs is not None or self.per_area is not None:
            groups.append(needs_layer(self.needs, self.per_area, mode=self.mode, categories=tuple(self.categories),
                                      lang=self.lang, asset_base=self.asset_base))
        if self.facilities:
            labels = {kind: FACILITY_TYPES[kind].label(self.lang) for kind in self.facilities}
            groups.append(facilities_layer(self.facilities, labels, self.lang))
        return groups

    def overlay_legends(self) -> list[str]:
        """The legends of the layers above the choropleth, as escaped HTML for ``st.html``, top to bottom.

        Each need as a dot: the category colours; needs as heat: the heat ramp
        (:func:`heat_legend_html`), not the category colours it does not use;
        counts per planning area: what a circle means; then the facility kinds.
        """
        legends = []
        if self.mode == "heat" and (self.needs is not None or self.per_area is not None):
            legends.append(heat_legend_html(self.lang))
        elif self.needs is not None:
            legends.append(swatch_legend_html(category_swatches(list(self.categories.values())),
                                              t("planner.col.needs", self.lang)))
        elif self.per_area is not None:
            legends.append(swatch_legend_html([(AREA_COUNT_COLOUR, t("planner.png_needs_aggregated", self.lang,
                                                                        level=LEVELS[FINEST].label(self.lang)))],
                                              t("planner.col.needs", self.lang)))
        if self.facilities:
            legends.append(swatch_legend_html(facility_swatches(list(self.facilities), self.lang),
                                              t("planner.map.facility", self.lang)))
        return legends

    def to_html(self, static_root: str | Path, *, focus: str | None = None, basemap: Basemap | None = None,
             title: str = APP_NAME, attribution: str = "") -> str:
        """The map as one self-contained HTML file: the screen's base map and layers, assets inlined.

        See :func:`standalone_html`; ``static_root`` holds the front-end assets.
        """
        m = planner_base_map(basemap, self.lang, self.asset_base)
        for group in [self.choropleth(), *self.overlays(focus)]:
            group.add_to(m)
        return standalone_html(m, static_root, self.asset_base, title=title, attribution=attribution)

    def to_png(self, geometry: "gpd.GeoSeries", *, attribution: str, bounds: Bounds | None = None,
            focus: str | None = None, day: date | None = None) -> bytes:
        """The map as a picture: the areas in the screen's colours, dots, legend and sources.

        ``geometry`` is the level's display geometry (EPSG:4326) by area id;
        ``bounds`` the browser's view (:func:`reported_bounds`; ``None``: all of
        Berlin), ``focus`` the area outlined. The dots and their legend rows are
        :func:`png_points`; the class rows count the areas per class; the
        subtitle names the level and ``day`` (default: today).
        """
        classification = self.layer.classification
        dots, dot_legend = png_points(self.needs, self.per_area, mode=self.mode, categories=self.categories,
                                      facilities=self.facilities, lang=self.lang)
        day = day or date.today()
        return choropleth_png(
            geometry, {i: classification.colour_of(i) for i in geometry.index.astype(str)},
            title=self.layer.heading,
            subtitle=t("planner.png_subtitle", self.lang, level=LEVELS[self.level].plural(self.lang),
                       date=day.isoformat(), app=APP_NAME),
            legend=[(e.colour, f"{e.label} ({e.count})") for e in legend_entries(classification, self.lang)],
            point_legend=dot_legend, points=dots, attribution=attribution, bounds=bounds, outline=focus,
        )
