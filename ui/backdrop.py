"""What the residents' and planners' maps are drawn on: the operator's base map and the landmarks.

``report_map(..., **backdrop(settings))`` and ``planner_base_map(..., **backdrop(settings))``
get the base map of ``BEDARFSATLAS_BASEMAP`` and its overrides (none by default,
:meth:`maps.base.Basemap.from_settings`) and the U- and S-Bahn stations and Planungsraum
names they show from street zoom on (:func:`geodata.orientation.landmarks`, read once
per process), so that the pages do not each assemble them.
"""

from __future__ import annotations

from typing import Any

from core.settings import Settings
from geodata.orientation import landmarks
from maps.base import Basemap


def backdrop(settings: Settings) -> dict[str, Any]:
    """Keyword arguments ``basemap`` and ``landmarks`` for a map builder."""
    return {"basemap": Basemap.from_settings(settings), "landmarks": landmarks(settings)}
