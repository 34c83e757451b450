"""What the needs store has to know about Berlin's geography, behind one small interface.

The store derives the LOR ids of every need at write time. It does not load
geometry itself: it is handed a :class:`Geography`, which answers two
questions,

* ``locate(lat, lon)``: the LOR areas (PLR, BZR, PGR, Bezirk) that contain a
  WGS84 point, or ``None`` outside Berlin (and for NaN or infinite input);
* ``area_point(level, area_id)``: the representative point of an area, or
  ``None`` when there is no such area. Needs located only by an area chosen
  from a list are stored at that point.

:func:`geography_from_settings` builds the real one from the official LOR
geometry (:mod:`geodata.lookup`, :func:`geodata.lor.representative_points`);
tests and scripts may pass any object with the same two methods.

Examples
--------
A stand-in for a one-area city, as a test would write it:

>>> class Square:
...     def locate(self, lat, lon):
...         if 52.0 <= lat <= 53.0 and 13.0 <= lon <= 14.0:
...             return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"}
...         return None
...     def area_point(self, level, area_id):
...         return (52.5, 13.5) if "01100101".startswith(area_id) else None
>>> lor_ids(Square().locate(52.5, 13.4))
{'plr_id': '01100101', 'bzr_id': '011001', 'pgr_id': '0110', 'bez_id': '01'}
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Protocol

from core.settings import Settings

LEVEL_ID_LENGTH = {"PLR": 8, "BZR": 6, "PGR": 4, "BEZ": 2}


class Geography(Protocol):
    """Point -> LOR areas, and area -> representative point."""

    def locate(self, lat: float, lon: float) -> dict | None: ...

    def area_point(self, level: str, area_id: str) -> tuple[float, float] | None: ...


def lor_ids(located: dict) -> dict[str, str | None]:
    """The four LOR ids of a :meth:`Geography.locate` answer, as store column names."""
    return {f"{level.lower()}_id": located.get(f"{level}_ID") for level in LEVEL_ID_LENGTH}


def area_lor_ids(level: str, area_id: str) -> dict[str, str | None]:
    """LOR ids of an area chosen by id: itself and its parents; finer levels stay empty.

    Parent ids are prefixes of the area id (BEZ(2)+PGR(2)+BZR(2)+PLR(2)).

    >>> area_lor_ids("PGR", "0110")
    {'plr_id': None, 'bzr_id': None, 'pgr_id': '0110', 'bez_id': '01'}
    """
    length = LEVEL_ID_LENGTH[level]
    return {
        f"{lvl.lower()}_id": (area_id[:n] if n <= length else None)
        for lvl, n in LEVEL_ID_LENGTH.items()
    }


class LorGeography:
    """The real geography: :mod:`geodata.lookup` on the full-detail LOR 2021 polygons.

    Points on a border between two PLR get the one with the lowest id (the
    lookup's rule); area points are the centres of the areas' largest inscribed
    circles, so that they locate back into the same area.
    """

    def __init__(self, settings: Settings):
        from geodata.lookup import get_locator

        self._settings = settings
        self._locator = get_locator(settings)
        self._points: dict[str, dict[str, tuple[float, float]]] = {}

    def locate(self, lat: float, lon: float) -> dict | None:
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        return self._locator.locate(lat, lon)

    def area_point(self, level: str, area_id: str) -> tuple[float, float] | None:
        if level not in self._points:
            from geodata.lor import representative_points

            frame = representative_points(self._settings, level)
            self._points[level] = {
                str(i): (float(lat), float(lon)) for i, lat, lon in zip(frame.index, frame["lat"], frame["lon"])
            }
        return self._points[level].get(area_id)

    def outline(self):
        """Berlin's outline (the union of the Bezirke) as a shapely geometry in WGS84, for procedures' areas."""
        if not hasattr(self, "_outline"):
            from geodata.lor import load_units

            self._outline = load_units(self._settings, "BEZ").to_crs(4326).union_all()
        return self._outline


@lru_cache(maxsize=4)
def geography_from_settings(settings: Settings) -> LorGeography:
    """The real :class:`Geography` for ``settings`` (one per process and data folder)."""
    return LorGeography(settings)
