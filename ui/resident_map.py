"""The map of /melden: the pin, the chosen area, the areas around it and the needs nearby.

Drawn through :func:`ui.map_component.map_component`: keyed by what it shows (the place,
the needs nearby, the base map, the language), so a rerun for a keystroke in the form or a
chosen topic sends the prepared map again instead of building and rendering it.
"""

from __future__ import annotations

from typing import Any, Sequence

from assessment.needs.taxonomy import category_label
from assessment.participation import places
from core.settings import Settings
from geodata.display import display_geojson, display_units
from geodata.lor import COARSEST
from maps.resident import NeedMarker, report_map
from ui.backdrop import backdrop
from ui.context import asset_base
from ui.map_component import map_component


def resident_map(settings: Settings, place: dict | None, nearby: Sequence[Any], lang: str, *, key: str,
                 height: int = 420, start_bbox: Sequence[float] | None = None) -> Any:
    """Show the residents' map for ``place`` with the ``nearby`` needs (``NearbyNeed`` rows) as dots.

    ``start_bbox`` is where the map starts without a place (a workshop's area; :func:`maps.resident.report_map`).
    """
    markers = tuple(NeedMarker(n.need.lat, n.need.lon, n.need.title, category_label(n.need.category, lang))
                    for n in nearby)
    drawn_on = backdrop(settings)  # the operator's base map and the landmarks of street zoom
    base = asset_base()

    def build():
        view = places.place_view(place, lambda level: display_units(settings, level))
        return report_map(display_geojson(settings, COARSEST), pin=view.pin, zoom=view.zoom, selected_area=view.selected_area,
                          needs=list(markers), nearby_areas=view.nearby_areas, lang=lang, asset_base=base,
                          start_bbox=start_bbox, **drawn_on)

    content = ("report", repr(sorted((place or {}).items())), markers, drawn_on["basemap"], lang, base,
               str(settings.data_dir), tuple(start_bbox) if start_bbox is not None else None)
    return map_component(content, build, key=key, height=height, use_container_width=True,
                         returned_objects=["last_clicked"])
