"""The map of /melden: the pin, the chosen area, the areas around it and the needs nearby.

Two parts, as the projector's map sends its pins (:mod:`ui.live_map`): the **base**
(the Bezirke with their names, the landmarks, the operator's base map) depends only on
the language, the base map, the data and where the map starts (a workshop's area), so it
is built and rendered once per process and sent as the same element on every run
(:func:`maps.resident.report_base_map`, prepared by :func:`ui.map_component.map_component`).
The **place** (the pin, its area, the areas around it with their names, the needs nearby)
is a short script with the place as data (:func:`maps.resident.place_overlay`), which the
browser applies to the map it keeps: a pin or a send costs a few kilobytes of JSON, not a
folium map rendered again. The browser's map keeps its zoom and centre unless the place
moved (then it shows the place as before: the pin at street zoom, a chosen area whole).
"""

from __future__ import annotations

from typing import Any, Sequence

from assessment.needs.taxonomy import category_label
from assessment.participation import places
from core.settings import Settings
from geodata.display import display_geojson, display_units
from geodata.lor import COARSEST
from maps.resident import NeedMarker, place_overlay, place_script, report_base_map
from ui.backdrop import backdrop
from ui.context import asset_base
from ui.map_component import map_component


def resident_map(settings: Settings, place: dict | None, nearby: Sequence[Any], lang: str, *, key: str,
                 height: int = 420, start_bbox: Sequence[float] | None = None) -> Any:
    """Show the residents' map for ``place`` with the ``nearby`` needs (``NearbyNeed`` rows) as dots.

    ``start_bbox`` is where the map starts without a place (a workshop's area; :func:`maps.resident.report_base_map`).
    """
    markers = [NeedMarker(n.need.lat, n.need.lon, n.need.title, category_label(n.need.category, lang)) for n in nearby]
    drawn_on = backdrop(settings)  # the operator's base map and the landmarks of street zoom
    base = asset_base()
    start = tuple(start_bbox) if start_bbox is not None else None

    def build():
        return report_base_map(display_geojson(settings, COARSEST), lang=lang, asset_base=base, start_bbox=start,
                               **drawn_on)

    view = places.place_view(place, lambda level: display_units(settings, level))
    overlay = place_overlay(pin=view.pin, zoom=view.zoom, selected_area=view.selected_area, needs=markers,
                            nearby_areas=view.nearby_areas)
    content = ("report", drawn_on["basemap"], lang, base, str(settings.data_dir), start)
    return map_component(content, build, key=key, height=height, use_container_width=True,
                         returned_objects=["last_clicked"], overlay_script=place_script(overlay))
