"""What the needs store has to know about the city's geography, behind one small interface.

The store derives the unit ids of every need at write time, one per level of the city
profile (Berlin: PLR, BZR, PGR, Bezirk). It does not load geometry itself: it is handed a
:class:`Geography`, which answers two questions,

* ``locate(lat, lon)``: the units that contain a WGS84 point, keyed by each level's id
  field (Berlin: ``PLR_ID`` … ``BEZ_ID``), or ``None`` outside the city (and for NaN or
  infinite input);
* ``area_point(level, area_id)``: the representative point of an area, or ``None`` when
  there is no such area. Needs located only by an area chosen from a list are stored at
  that point.

and may say which ``levels`` it knows (the city profile's :class:`geodata.profile.LevelSpec`,
finest first); a stand-in without ``levels`` speaks for the active profile's levels
(:func:`geography_levels`).

:func:`geography_from_settings` builds the real one from the profile's unit geometry
(:mod:`geodata.lookup`, :func:`geodata.lor.representative_points`); tests and scripts may
pass any object with the same two methods.

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
>>> levels = geography_levels(Square())
>>> unit_ids(levels, Square().locate(52.5, 13.4))
{'PLR': '01100101', 'BZR': '011001', 'PGR': '0110', 'BEZ': '01'}
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Protocol, Sequence

from core.settings import Settings
from geodata.profile import LevelSpec, active_profile


class Geography(Protocol):
    """Point -> the units of every level, and area -> representative point."""

    def locate(self, lat: float, lon: float) -> dict | None: ...

    def area_point(self, level: str, area_id: str) -> tuple[float, float] | None: ...


def geography_levels(geography: object | None = None) -> tuple[LevelSpec, ...]:
    """The unit levels ``geography`` answers for, finest first: its ``levels``, else the active profile's."""
    levels = getattr(geography, "levels", None) if geography is not None else None
    return tuple(levels) if levels else active_profile().levels


def level_codes(levels: Sequence[LevelSpec]) -> tuple[str, ...]:
    """The codes of ``levels``, in their order (finest first)."""
    return tuple(level.code for level in levels)


def has_id_form(level: LevelSpec, area_id: str) -> bool:
    """Whether ``area_id`` follows the rules the profile states for the ids of ``level``: its
    ``id_length`` (where it fixes one) and its ``id_pattern`` (where it has one). Whether such an
    area exists, only the unit files say.

    >>> from geodata.profile import BUNDLED_DIR, load_profile
    >>> bzr = load_profile(BUNDLED_DIR / "berlin").level("BZR")
    >>> has_id_form(bzr, "011001"), has_id_form(bzr, "0110"), has_id_form(bzr, "01100x")
    (True, False, False)
    """
    if level.id_length and len(area_id) != level.id_length:
        return False
    return level.id_pattern is None or re.fullmatch(level.id_pattern, area_id) is not None


def unit_ids(levels: Sequence[LevelSpec], located: dict) -> dict[str, str | None]:
    """Level code -> unit id of a :meth:`Geography.locate` answer (read by each level's id field)."""
    return {level.code: located.get(level.id_field) for level in levels}


def area_unit_ids(levels: Sequence[LevelSpec], level: str, area_id: str,
                  geography: Geography | None = None) -> dict[str, str | None]:
    """Unit ids of an area chosen by id: itself and its parents; finer levels stay empty.

    A parent the area reaches through levels that all nest by ``prefix`` has the first
    ``id_length`` characters of the id (Berlin: BEZ(2)+PGR(2)+BZR(2)+PLR(2)); where a level on the
    way nests by ``containment``, the parent is the unit that contains the area's representative
    point, asked of ``geography``.

    >>> from geodata.profile import BUNDLED_DIR, load_profile
    >>> area_unit_ids(load_profile(BUNDLED_DIR / "berlin").levels, "PGR", "0110")
    {'PLR': None, 'BZR': None, 'PGR': '0110', 'BEZ': '01'}
    """
    codes = level_codes(levels)
    depth = codes.index(level)
    located: dict | None = None
    ids: dict[str, str | None] = {}
    for i, spec in enumerate(levels):
        if i < depth:
            ids[spec.code] = None
        elif i == depth:
            ids[spec.code] = area_id
        elif spec.id_length and all(finer.nesting == "prefix" for finer in levels[depth:i]):
            # Every level from the area's up to this one nests by prefix: the parent's id begins the area's.
            ids[spec.code] = area_id[: spec.id_length]
        else:
            if located is None:
                point = geography.area_point(level, area_id) if geography is not None else None
                located = (geography.locate(*point) if point is not None else None) or {}
            ids[spec.code] = located.get(spec.id_field)
    return ids


class LorGeography:
    """The real geography: :mod:`geodata.lookup` on the profile's full-detail unit polygons (Berlin: LOR 2021).

    Points on a border between two PLR get the one with the lowest id (the
    lookup's rule); area points are the centres of the areas' largest inscribed
    circles, so that they locate back into the same area.
    """

    def __init__(self, settings: Settings):
        from geodata.lookup import get_locator

        self._settings = settings
        self.levels: tuple[LevelSpec, ...] = active_profile().levels
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
        """The city's outline (the union of the coarsest level's units) in WGS84, for procedures' areas."""
        if not hasattr(self, "_outline"):
            from geodata.lor import load_units

            self._outline = load_units(self._settings, self.levels[-1].code).to_crs(4326).union_all()
        return self._outline


@lru_cache(maxsize=4)
def geography_from_settings(settings: Settings) -> LorGeography:
    """The real :class:`Geography` for ``settings`` (one per process and data folder)."""
    return LorGeography(settings)
