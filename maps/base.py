"""Map builders: pure functions that return a :class:`folium.Map`, never a widget.

Pages hand the result to ``st_folium``; tests render it to an HTML string. Three
rules hold for every map built here, because the app runs without any CDN:

* Leaflet is loaded from the app's own static folder (``static/node_modules``,
  installed from npm at install time and served with ``server.enableStaticServing``).
  folium's defaults (Leaflet, jQuery, Bootstrap, Font Awesome from CDNs) are replaced
  per map; streamlit-folium loads exactly the ``default_js``/``default_css`` of the
  map's elements, so after :func:`use_local_assets` nothing else is requested.
* No base map unless the operator configured one (``BEDARFSATLAS_BASEMAP_URL``);
  the area outlines and names in the tooltips are enough to find one's way.
* Every text that reaches the map is HTML-escaped here: folium's tooltips and
  Leaflet's attribution control insert their text as HTML, and area names or
  attributions are data, not markup.

No branca colour map is ever added: streamlit-folium then injects d3 from a CDN.
The legend is drawn by the page from :func:`legend_entries` / :func:`legend_html`.
:func:`indicator_layer` turns one indicator of :mod:`geodata.indicators` into
classes, colours, value texts and headings; :func:`choropleth_map` draws them.

Examples
--------
>>> import pandas as pd
>>> from maps.classify import classify_numeric
>>> areas = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "id": "01", "properties": {},
...      "geometry": {"type": "Polygon", "coordinates": [[[13.3, 52.5], [13.4, 52.5], [13.4, 52.6], [13.3, 52.5]]]}}]}
>>> values = pd.Series([12.5], index=["01"])
>>> m = choropleth_map(areas, classify_numeric(values), pd.Series(["Mitte"], index=["01"]),
...                    value_text=value_texts(values, decimals=1, unit="%", lang="de"),
...                    area_label="Bezirk", indicator_label="Anteil", attribution="AfS")
>>> html = m.get_root().render()
>>> "cdn" in html, "/app/static/node_modules/leaflet/dist/leaflet.js" in html
(False, True)
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Mapping

import folium
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geodata.catalogue import DATASETS
from geodata.profile import active_profile
from maps.classify import (
    MISSING_COLOUR,
    MORE_NEED_IF_HIGHER,
    MORE_NEED_IF_LOWER,
    NEUTRAL,
    Classification,
    classify_categories,
    classify_numeric,
)
from core.i18n import LANGUAGES, count_areas, format_number, html_language, t
from core.settings import Settings


def inert_html(text: object) -> str:
    """``text`` HTML-escaped and with its braces as character references.

    Every text that reaches a folium map must go through this. HTML escaping
    alone is not enough: branca compiles rendered map scripts as Jinja templates
    once more, so a resident's ``{{ ... }}`` or ``{% ... %}`` would be evaluated
    on the server, and ``${...}`` inside a JavaScript template literal runs in
    the browser. ``&#123;``/``&#125;`` show as braces and are inert in both.

    >>> inert_html('<b>{{ 7*7 }}</b> ${x}')
    '&lt;b&gt;&#123;&#123; 7*7 &#125;&#125;&lt;/b&gt; $&#123;x&#125;'
    """
    return html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")


#: Where the app serves ``static/node_modules`` (Streamlit's static serving puts
#: ``./static`` under ``/app/static``). Behind a ``server.baseUrlPath`` the page
#: passes the prefixed path.
ASSET_BASE = "/app/static/node_modules"

#: The city's extent (EPSG:4326, [[south, west], [north, east]]) from the city profile, used when
#: a map has no areas.
CITY_BOUNDS = [list(corner) for corner in active_profile().bounds]

#: Pixels kept free of areas at the bottom of :func:`choropleth_base_map`: Leaflet's scale bar
#: (bottom left, 10 px above the edge) and a one-line attribution (bottom right) sit there,
#: over whatever is drawn below them. Fitted with this padding, Berlin's southernmost areas
#: end above both. A longer attribution would wrap upwards over the areas again: pages
#: print long source lines under the map (:func:`choropleth_layer` without ``attribution``).
BOTTOM_CONTROLS_PX = 40

_AREA_STYLE = {"color": "#4d4d4d", "weight": 0.7, "fillOpacity": 0.8}
_MISSING_STYLE = {"color": "#4d4d4d", "weight": 1.0, "fillOpacity": 0.45, "dashArray": "4 3"}
_MAP_CSS = (
    "<style>.leaflet-container.leaflet-container{background:#ffffff}"  # outranks leaflet.css, loaded later
    ".leaflet-control-attribution{font-size:0.7rem;max-width:70%}"
    # Long indicator names must wrap inside the map, not run out of the iframe.
    ".leaflet-tooltip{font-size:0.8rem;white-space:normal;width:max-content;max-width:18rem}"
    ".leaflet-tooltip th{text-align:left;font-weight:600;padding-right:0.6em;vertical-align:top}</style>"
)
_HIGHLIGHT_STYLE = {"color": "#000000", "weight": 3, "fillOpacity": 0.9}


@dataclass(frozen=True)
class Basemap:
    """An operator-configured base map: XYZ tiles, or a WMS when ``wms_layers`` is set.

    A WMS is asked for ``image_format`` images in Web Mercator (EPSG:3857, the
    ``CRS``/``SRS`` parameter of ``wms_version``), one per 256-pixel tile.
    """

    url: str
    attribution: str
    wms_layers: str | None = None
    image_format: str = "image/png"
    wms_version: str = "1.1.1"

    @classmethod
    def from_settings(cls, settings: Settings, year: int | None = None) -> "Basemap | None":
        """The base map configured in ``settings``, or ``None`` (the default: no tiles).

        A preset of the city profile (``BEDARFSATLAS_BASEMAP`` names its key, a ``[basemaps.KEY]``
        table of the profile, :mod:`core.basemaps`) gives URL, layer, format and attribution; a key
        the profile does not offer raises a :class:`~core.settings.SettingsError` that lists its presets; ``BEDARFSATLAS_BASEMAP_URL``, ``_WMS_LAYERS`` and ``_ATTRIBUTION``
        override them one by one (a mirror or proxy of the same service). ``year``
        (default: this year) goes into attributions that name it.

        >>> from core.settings import load_settings
        >>> Basemap.from_settings(load_settings({"BEDARFSATLAS_BASEMAP": "basemapde-farbe",
        ...     "BEDARFSATLAS_BASEMAP_URL": "http://127.0.0.1:8080/wms"}), year=2026)
        Basemap(url='http://127.0.0.1:8080/wms', attribution='© basemap.de / BKG 2026', \
wms_layers='de_basemapde_web_raster_farbe', image_format='image/png', wms_version='1.3.0')
        """
        if settings.basemap:
            preset = active_profile().basemap(settings.basemap)  # SettingsError: the profile has no such preset
            year = date.today().year if year is None else year
            return cls(
                settings.basemap_url or preset.url,
                settings.basemap_attribution or preset.attribution_in(year),
                settings.basemap_wms_layers or preset.layers or None,
                preset.image_format,
                preset.wms_version,
            )
        if not settings.basemap_url:
            return None
        return cls(settings.basemap_url, settings.basemap_attribution or "", settings.basemap_wms_layers)


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: colour swatch, label and how many areas it covers."""

    colour: str
    label: str
    count: int
    missing: bool = False


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only (folium's adds miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 150}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class DocumentLanguage(MacroElement):
    """Sets the language of the map's own document, so screen readers speak its texts in it.

    streamlit-folium draws the map in a frame whose page says ``lang="en"``; German
    tooltips and area names would be read with English pronunciation (WCAG 3.1.1).

    >>> m = folium.Map(tiles=None)
    >>> _ = DocumentLanguage("de").add_to(m)
    >>> 'document.documentElement.lang = "de";' in m.get_root().render()
    True
    >>> DocumentLanguage("ls").lang_json  # Leichte Sprache is German to a screen reader
    '"de"'
    >>> DocumentLanguage("fr")
    Traceback (most recent call last):
    ...
    ValueError: lang should be one of ('de', 'en', 'tr', 'ar', 'uk', 'ls'), got 'fr'
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        document.documentElement.lang = {{ this.lang_json }};
        {% endmacro %}
        """
    )

    def __init__(self, lang: str):
        super().__init__()
        if lang not in LANGUAGES:
            raise ValueError(f"lang should be one of {LANGUAGES}, got {lang!r}")
        # Leichte Sprache is German to a screen reader.
        self.lang_json = json.dumps(html_language(lang))


@dataclass(frozen=True)
class IndicatorLayer:
    """What a choropleth of one indicator needs besides geometry: classes, texts, headings.

    ``heading`` is the indicator's label with its unit (the legend title and the
    tooltip heading); ``value_text`` holds each area's value as shown to readers;
    ``class_labels`` maps official class codes to labels (``None`` for continuous
    indicators); ``attribution`` names the datasets for the map's attribution control.
    """

    classification: Classification
    value_text: pd.Series
    heading: str
    attribution: str
    direction: int
    class_labels: dict[Any, str] | None

    def legend_notes(self, lang: str = "de") -> list[str]:
        """The two lines under the legend: how the classes were made, and what darker means.

        >>> status = pd.Series([1.0, 4.0], index=["a", "b"])
        >>> from geodata.indicators import INDICATORS
        >>> indicator_layer(status, INDICATORS["mss_status"], "en").legend_notes("en")
        ['Classes: official classes', 'Darker = more need']
        """
        direction = "legend.direction.neutral" if self.direction == NEUTRAL else "legend.direction.up"
        return [t(f"legend.scheme.{self.classification.scheme}", lang), t(direction, lang)]


def indicator_layer(values: pd.Series, indicator: Any, lang: str = "de", k: int = 5) -> IndicatorLayer:
    """Classes, colours and texts for one indicator of :data:`geodata.indicators.INDICATORS`.

    Official class indicators keep their classes (in code order, the darkest
    colour on the indicator's ``worst_class``); continuous ones get ``k`` quantile
    classes whose labels are plain numbers (the heading names the unit once).
    An unknown direction (``None``) is drawn as neutral: blue, no need meaning.

    Examples
    --------
    >>> from geodata.indicators import INDICATORS
    >>> status = pd.Series([1.0, 4.0, None], index=["a", "b", "c"])
    >>> layer = indicator_layer(status, INDICATORS["mss_status"], "de")
    >>> layer.value_text.tolist(), layer.classification.label_of("b")
    (['1 – hoch', '4 – sehr niedrig', 'keine Angabe'], 'sehr niedrig')
    """
    unit = indicator.unit(lang)
    direction = NEUTRAL if indicator.direction is None else indicator.direction
    attribution = "; ".join(dict.fromkeys(_dataset_attributions(indicator.datasets)))
    if indicator.classes:
        labels = indicator.class_labels(lang)
        if direction != NEUTRAL:
            # Classes are ordered by code; the end holding the worst class is dark.
            first_is_worst = indicator.worst_class == indicator.classes[0]
            direction = MORE_NEED_IF_LOWER if first_is_worst else MORE_NEED_IF_HIGHER
        return IndicatorLayer(
            classify_categories(values, list(labels.items()), direction=direction),
            value_texts(values, decimals=0, lang=lang, class_labels=labels),
            indicator.label(lang),
            attribution,
            direction,
            labels,
        )
    return IndicatorLayer(
        classify_numeric(values, k=k, direction=direction, decimals=indicator.decimals, lang=lang),
        value_texts(values, decimals=indicator.decimals, unit=unit, lang=lang),
        indicator.heading(lang),
        attribution,
        direction,
        None,
    )


def _dataset_attributions(keys: tuple[str, ...]) -> list[str]:
    return [DATASETS[key].attribution for key in keys]


def use_local_assets(m: folium.Map, asset_base: str = ASSET_BASE) -> folium.Map:
    """Make ``m`` load Leaflet from the app's own server instead of folium's CDNs.

    folium declares Leaflet, jQuery, Bootstrap and Font Awesome (all from CDNs)
    as class-level defaults. A choropleth needs only Leaflet; the others serve
    markers and popups styled with Bootstrap that these maps do not use. The
    override is set on this instance only, so other folium users are not affected.

    >>> m = use_local_assets(folium.Map(tiles=None), "/base/static/node_modules")
    >>> m.default_js
    [('leaflet', '/base/static/node_modules/leaflet/dist/leaflet.js')]
    """
    base = asset_base.rstrip("/")
    m.default_js = [("leaflet", f"{base}/leaflet/dist/leaflet.js")]
    m.default_css = [("leaflet_css", f"{base}/leaflet/dist/leaflet.css")]
    return m


def value_texts(
    values: pd.Series,
    *,
    decimals: int,
    unit: str = "",
    lang: str = "de",
    class_labels: Mapping[Any, str] | None = None,
) -> pd.Series:
    """Values as the map and the table show them: formatted, with unit, or 'keine Angabe'.

    For class indicators pass ``class_labels`` (code -> label); the text is then
    the label, e.g. ``'2 – mittel'``.

    >>> value_texts(pd.Series([1234.56, None], index=["a", "b"]), decimals=1, unit="%", lang="de").tolist()
    ['1.234,6 %', 'keine Angabe']
    >>> value_texts(pd.Series([2.0], index=["a"]), decimals=0, class_labels={2: "mittel"}, lang="en").tolist()
    ['2 – mittel']
    """
    missing = t("legend.missing", lang)

    def one(value: Any) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return missing
        if class_labels is not None:
            label = class_labels.get(value)
            if label is None and isinstance(value, float) and value.is_integer():
                label = class_labels.get(int(value))
            code = format_number(value, 0, lang) if isinstance(value, (int, float)) else str(value)
            return f"{code} – {label}" if label else code
        return f"{format_number(float(value), decimals, lang)} {unit}".strip()

    return values.map(one).astype(object)


def _feature_id(feature: Mapping[str, Any]) -> str:
    fid = feature.get("id")
    if fid is None:
        fid = (feature.get("properties") or {}).get("id")
    if fid is None:
        raise ValueError(
            "a feature of the areas GeoJSON has no id: give each feature an 'id' member "
            "(GeoDataFrame.to_json() writes the index there) or an 'id' property"
        )
    return str(fid)


def _area_features(
    areas: str | Mapping[str, Any], names: pd.Series, value_text: pd.Series, missing_text: str
) -> list[dict[str, Any]]:
    """Features with only the properties the map needs, texts escaped for HTML."""
    collection = json.loads(areas) if isinstance(areas, str) else areas
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"areas must be a GeoJSON FeatureCollection, got type {collection.get('type')!r}")
    features = []
    for feature in collection["features"]:
        area_id = _feature_id(feature)
        name = names.get(area_id, area_id)
        text = value_text.get(area_id, missing_text)
        features.append(
            {
                "type": "Feature",
                "id": area_id,
                # Only what the tooltip shows: the GeoJSON reaches the browser once,
                # extra columns would grow every map by kilobytes.
                "properties": {
                    "id": area_id,
                    "name": inert_html(str(name)),
                    "value": inert_html(str(text)),
                },
                "geometry": feature["geometry"],
            }
        )
    return features


def _bounds(features: list[dict[str, Any]]) -> list[list[float]]:
    if not features:
        return CITY_BOUNDS
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    west, south, east, north = shapely.total_bounds(geoms)
    return [[float(south), float(west)], [float(north), float(east)]]


@lru_cache(maxsize=16)
def _bounds_of_collection(areas: str) -> tuple[tuple[float, float], tuple[float, float]]:
    # Keyed by the GeoJSON text: the page passes the same cached string on every run,
    # and a str caches its own hash, so a hit costs no pass over 300 KB.
    (south, west), (north, east) = _bounds(json.loads(areas)["features"])
    return (south, west), (north, east)


def _area_bounds(areas: str | Mapping[str, Any]) -> list[list[float]]:
    if isinstance(areas, str):
        return [list(corner) for corner in _bounds_of_collection(areas)]
    return _bounds(list(areas.get("features", [])))


def add_basemap(m: folium.Map, basemap: Basemap, lang: str = "de") -> folium.Map:
    """Put the operator's base map under everything, with its attribution.

    XYZ URLs become a :class:`folium.TileLayer`; with ``wms_layers`` the URL is
    a WMS endpoint and becomes a :class:`folium.WmsTileLayer` (the base map's image
    format and WMS version, EPSG:3857).
    """
    attribution = inert_html(basemap.attribution)
    name = t("map.basemap", lang)
    if basemap.wms_layers:
        folium.WmsTileLayer(
            url=basemap.url, layers=basemap.wms_layers, fmt=basemap.image_format, version=basemap.wms_version,
            transparent=False,
            attr=attribution, name=name, overlay=False, control=False,
        ).add_to(m)
    else:
        folium.TileLayer(tiles=basemap.url, attr=attribution, name=name, overlay=False, control=False).add_to(m)
    return m


def choropleth_map(
    areas: str | Mapping[str, Any],
    classification: Classification,
    names: pd.Series,
    *,
    value_text: pd.Series,
    area_label: str,
    indicator_label: str,
    attribution: str,
    basemap: Basemap | None = None,
    lang: str = "de",
    asset_base: str = ASSET_BASE,
) -> folium.Map:
    """A choropleth of one indicator over the areas of one LOR level.

    Parameters
    ----------
    areas : str or dict
        GeoJSON FeatureCollection in EPSG:4326 (e.g. ``display_geojson(settings, level)``);
        each feature carries its area id as ``id`` or as property ``id``.
    classification : Classification
        Class and colour per area id (:mod:`maps.classify`); areas without a
        class are drawn grey with a dashed outline.
    names : Series
        Area names by id, shown in the tooltip.
    value_text : Series
        The value as text by id (see :func:`value_texts`), shown in the tooltip.
    area_label, indicator_label : str
        Tooltip headings, e.g. "Planungsraum" and "Arbeitslosigkeit (%)".
    attribution : str
        Data sources for the map's attribution control (plain text).
    basemap : Basemap, optional
        Tiles or WMS under the areas; default none, so the browser contacts no other server.
    lang : str
        Interface language, one of :data:`core.i18n.LANGUAGES`.
    asset_base : str
        URL path where ``static/node_modules`` is served.

    Returns
    -------
    folium.Map
        With one GeoJson layer (``name`` = ``indicator_label``) and bounds fitted to the areas.
    """
    features = _area_features(areas, names, value_text, t("legend.missing", lang))
    m = _empty_map(basemap, lang, asset_base)
    _area_geojson(features, classification, area_label=area_label, indicator_label=indicator_label,
                  attribution=attribution, name=indicator_label).add_to(m)
    m.fit_bounds(_bounds(features))
    _add_map_css(m)
    return m


def _empty_map(basemap: Basemap | None, lang: str, asset_base: str) -> folium.Map:
    # SVG (not canvas): every area is a DOM path that browsers and tests can address.
    m = folium.Map(
        tiles=None, control_scale=False, zoom_control=True, prefer_canvas=False,
        # Quarter zoom steps let fitBounds fill the frame with Berlin's wide shape.
        zoom_snap=0.25, zoom_delta=0.5,
    )
    MetricScale().add_to(m)
    DocumentLanguage(lang).add_to(m)
    use_local_assets(m, asset_base)
    if basemap is not None:
        add_basemap(m, basemap, lang)
    return m


def _add_map_css(m: folium.Map) -> None:
    # Without tiles, Leaflet's grey background reads as "data"; white reads as "nothing".
    m.get_root().header.add_child(folium.Element(_MAP_CSS), name="bedarfsatlas_map_css")


def _area_geojson(
    features: list[dict[str, Any]],
    classification: Classification,
    *,
    area_label: str,
    indicator_label: str,
    attribution: str,
    name: str | None = None,
) -> folium.GeoJson:
    """The areas coloured by ``classification``, with tooltip, highlight and attribution."""
    fill = {fid: classification.colour_of(fid) for fid in (f["id"] for f in features)}

    def style(feature: Mapping[str, Any]) -> dict[str, Any]:
        colour = fill[feature["id"]]
        base = _MISSING_STYLE if colour == MISSING_COLOUR else _AREA_STYLE
        return {**base, "fillColor": colour}

    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=style,
        highlight_function=lambda feature: _HIGHLIGHT_STYLE,
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "value"],
            aliases=[inert_html(area_label), inert_html(indicator_label)],
            sticky=True,
        ),
        # Leaflet shows a layer's ``attribution`` option in the attribution control (as HTML);
        # an empty one adds nothing there.
        attribution=inert_html(attribution),
    )


def choropleth_base_map(
    areas: str | Mapping[str, Any],
    basemap: Basemap | None = None,
    lang: str = "de",
    asset_base: str = ASSET_BASE,
) -> folium.Map:
    """The map of :func:`choropleth_map` without its areas: same scale bar, assets and style.

    For a page whose colours change often (the assessment's weights): pass this
    map to ``st_folium`` and the areas as ``feature_group_to_add``
    (:func:`choropleth_layer`). The map's script depends only on the geometry's
    extent, so streamlit-folium keeps the same Leaflet map in its iframe and
    swaps the area layer in place, instead of re-creating the iframe and
    reloading Leaflet on every change.

    The view is fitted to the areas with :data:`BOTTOM_CONTROLS_PX` free at the
    bottom, so the scale bar and the attribution cover no area.

    >>> areas = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "id": "01", "properties": {},
    ...      "geometry": {"type": "Polygon", "coordinates": [[[13.3, 52.5], [13.4, 52.5], [13.4, 52.6], [13.3, 52.5]]]}}]}
    >>> html = choropleth_base_map(areas).get_root().render()
    >>> "[[52.5, 13.3], [52.6, 13.4]]" in html, '"paddingBottomRight": [0, 40]' in html, "geo_json" in html
    (True, True, False)
    """
    m = _empty_map(basemap, lang, asset_base)
    m.fit_bounds(_area_bounds(areas), padding_bottom_right=(0, BOTTOM_CONTROLS_PX))
    _add_map_css(m)
    return m


def choropleth_layer(
    areas: str | Mapping[str, Any],
    classification: Classification,
    names: pd.Series,
    *,
    value_text: pd.Series,
    area_label: str,
    indicator_label: str,
    attribution: str = "",
    lang: str = "de",
) -> folium.FeatureGroup:
    """The areas of :func:`choropleth_map` as a layer for :func:`choropleth_base_map`.

    Same colours, outlines, tooltips and highlight as :func:`choropleth_map`;
    parameters as there. Hand it to ``st_folium`` as ``feature_group_to_add``.
    Texts are escaped with :func:`inert_html`.

    ``attribution`` goes into the map's attribution control; leave it empty when
    the page prints the sources under the map. Leaflet wraps a long attribution
    into lines that grow upwards over the southern areas (an assessment cites
    every indicator's source, date and licence), which the view's bottom
    padding (:data:`BOTTOM_CONTROLS_PX`) does not leave room for.
    """
    features = _area_features(areas, names, value_text, t("legend.missing", lang))
    group = folium.FeatureGroup(name=inert_html(indicator_label))
    _area_geojson(features, classification, area_label=area_label, indicator_label=indicator_label,
                  attribution=attribution).add_to(group)
    return group


def legend_entries(classification: Classification, lang: str = "de") -> list[LegendEntry]:
    """Legend rows: every class with its colour and area count, then 'keine Angabe'.

    The 'keine Angabe' row is always there (count 0 when all areas have a
    value), so readers learn that grey means missing, not zero.

    >>> from maps.classify import classify_categories
    >>> c = classify_categories(pd.Series([1, 2, None], index=list("abc")), [(1, "hoch"), (2, "niedrig")])
    >>> [(e.label, e.count) for e in legend_entries(c, "de")]
    [('hoch', 1), ('niedrig', 1), ('keine Angabe', 1)]
    """
    entries = [
        LegendEntry(colour, label, count)
        for colour, label, count in zip(classification.colours, classification.labels, classification.counts())
    ]
    entries.append(LegendEntry(MISSING_COLOUR, t("legend.missing", lang), classification.missing_count(), missing=True))
    return entries


def legend_html(entries: list[LegendEntry], title: str, lang: str = "de") -> str:
    """The legend as a small, escaped HTML list for ``st.html`` (no scripts, inline styles only).

    >>> "&lt;b&gt;1&lt;/b&gt;" in legend_html([LegendEntry("#ffeda0", "<b>1</b>", 2)], "Legende")
    True
    """
    rows = []
    for entry in entries:
        border = "1px dashed #4d4d4d" if entry.missing else "1px solid #4d4d4d"
        rows.append(
            '<li style="display:flex;align-items:center;gap:0.5em;margin:0.15em 0">'
            f'<span aria-hidden="true" style="display:inline-block;width:1.6em;height:1em;'
            f'background:{inert_html(entry.colour)};border:{border}"></span>'
            f"<span>{inert_html(entry.label)}</span>"
            f'<span style="color:#555">({inert_html(count_areas(entry.count, lang))})</span></li>'
        )
    return (
        f'<div class="legend" role="group" aria-label="{inert_html(title)}">'
        f'<p style="margin:0 0 0.3em 0;font-weight:600">{inert_html(title)}</p>'
        f'<ul style="list-style:none;padding:0;margin:0">{"".join(rows)}</ul></div>'
    )

