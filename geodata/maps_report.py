r"""The map of the residents' page: Bezirk outlines to find one's way, a pin, needs nearby.

A pure builder like those in :mod:`geodata.maps`: local Leaflet, no base map
unless configured, every text HTML-escaped. Needs are residents' free text,
so their tooltips are bound with the text as a JSON string literal
(:class:`SafeTooltip`): folium's own ``Tooltip`` pastes its text into a
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
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template

from geodata.i18n import t
from geodata.maps import (
    ASSET_BASE,
    BERLIN_BOUNDS,
    Basemap,
    DocumentLanguage,
    MetricScale,
    _bounds,
    add_basemap,
    inert_html,
    use_local_assets,
)

_OUTLINE_STYLE = {"color": "#333333", "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 0.0}
_SELECTED_STYLE = {"color": "#0b5394", "weight": 3, "fillColor": "#0b5394", "fillOpacity": 0.12}
_NEED_STYLE = {"color": "#7a1f00", "weight": 2, "fill": True, "fill_color": "#d9480f", "fill_opacity": 0.9}
_MAP_CSS = (
    "<style>.leaflet-container.leaflet-container{background:#ffffff}"  # outranks leaflet.css, loaded later
    ".leaflet-control-attribution{font-size:0.7rem;max-width:70%}"
    ".leaflet-tooltip{font-size:0.8rem;white-space:normal;width:max-content;max-width:16rem}</style>"
)
#: Zoom when the map shows a chosen place: streets of a Planungsraum fit a phone screen.
PLACE_ZOOM = 15


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


def need_tooltip(title: str, category: str) -> str:
    """Tooltip HTML of one need: escaped category and title on two lines.

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


def report_map(
    districts: str | Mapping[str, Any],
    *,
    pin: tuple[float, float] | None = None,
    selected_area: Mapping[str, Any] | None = None,
    needs: Sequence[NeedMarker] = (),
    basemap: Basemap | None = None,
    lang: str = "de",
    asset_base: str = ASSET_BASE,
) -> folium.Map:
    """The residents' map: Bezirk outlines with names, the chosen place, needs nearby.

    Parameters
    ----------
    districts : str or dict
        GeoJSON FeatureCollection (EPSG:4326) of the Bezirke, e.g.
        ``display_geojson(settings, "BEZ")``; each feature has an id and a ``name`` property.
    pin : (lat, lon), optional
        The place the resident clicked; the map centres on it.
    selected_area : dict, optional
        GeoJSON geometry of the area the place lies in (or the area chosen from
        the lists), drawn highlighted; without a pin the map fits it.
    needs : sequence of NeedMarker
        Published needs near the place, drawn as small circles with a tooltip.
    basemap : Basemap, optional
        The operator's tiles underneath; default none.
    lang : {"de", "en"}
    asset_base : str
        URL path where ``static/node_modules`` is served.
    """
    # Centred on the pin, zoomed to street level: the resident sees where the pin landed.
    view = {"location": list(pin), "zoom_start": PLACE_ZOOM} if pin is not None else {}
    m = folium.Map(
        tiles=None, control_scale=False, zoom_control=True, prefer_canvas=False,
        zoom_snap=0.25, zoom_delta=0.5, **view,
    )
    MetricScale().add_to(m)
    DocumentLanguage(lang).add_to(m)
    use_local_assets(m, asset_base)
    if basemap is not None:
        add_basemap(m, basemap, lang)
    features = _outline_features(districts)
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=t("report.map_districts", lang),
            style_function=lambda feature: _OUTLINE_STYLE,
            tooltip=folium.GeoJsonTooltip(
                fields=["name"], aliases=[inert_html(t("report.bezirk", lang))], sticky=True
            ),
        ).add_to(m)
    if selected_area is not None:
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": selected_area},
            name=t("report.map_selected", lang),
            style_function=lambda feature: _SELECTED_STYLE,
            interactive=False,
        ).add_to(m)
    for need in needs:
        marker = folium.CircleMarker(location=(need.lat, need.lon), radius=7, **_NEED_STYLE)
        SafeTooltip(need_tooltip(need.title, need.category)).add_to(marker)
        marker.add_to(m)
    if pin is not None:
        marker = folium.Marker(location=pin, alt=t("report.pin", lang))
        SafeTooltip(inert_html(t("report.pin", lang))).add_to(marker)
        marker.add_to(m)
    elif selected_area is not None:
        m.fit_bounds(_bounds([{"geometry": selected_area}]))
    else:
        m.fit_bounds(_bounds(features) if features else BERLIN_BOUNDS)
    m.get_root().header.add_child(folium.Element(_MAP_CSS), name="bedarfsatlas_report_map_css")
    return m
