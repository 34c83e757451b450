"""Where a resident's need is: a pin from a click on the map, or an area from three lists.

The residents' page /melden offers two ways to say *where*. A click on the map
drops a pin; the three lists Bezirk -> Bezirksregion -> Planungsraum are the
path for keyboard and screen-reader users. Both end in a *place*, a plain dict
as the page keeps it in the session between runs:

* a point: ``{"lat": 52.5163, "lon": 13.3777, "located": {...}}``, where
  ``located`` is what :meth:`geodata.lookup.Locator.locate` found there
  (``PLR_ID``, ``PLR_NAME``, ``BZR_ID``, ..., ``BEZ_NAME``);
* an area: ``{"level": "PLR", "area_id": "01100206"}``, the finest area chosen in the lists.

A point found by the place search (:func:`found_place`) also names what it is near
(``"near": "U Kottbusser Tor"``) and the zoom that shows it (street level); a map
click afterwards moves the pin and forgets both. An area found by name is an area
place, as if chosen from the lists.

The two ways stay in step (:func:`lists_for`, :func:`after_list_choice`): a click
inside Berlin sets the three lists to the areas around the pin, a click outside
clears them; a choice in a list clears the finer lists below it, since their
old choice may not lie in the new area.

Plain Python, no streamlit: the page keeps the session, this module decides.

Examples
--------
>>> def locate(lat, lon):  # a stand-in for the LOR lookup: one Planungsraum north of 52.5
...     if lat < 52.5:
...         return None
...     return {"PLR_ID": "01100206", "BZR_ID": "011002", "BEZ_ID": "01"}
>>> place = place_at(locate, 52.5163, 13.3777)
>>> lists_for(place)
{'BEZ': '01', 'BZR': '011002', 'PLR': '01100206'}
>>> need_location(place)
{'lat': 52.5163, 'lon': 13.3777}
>>> place_at(locate, 52.39, 13.06) is None, lists_for(None)
(True, {'BEZ': None, 'BZR': None, 'PLR': None})
>>> chosen = after_list_choice("BEZ", {"BEZ": "05", "BZR": "011002", "PLR": "01100206"})
>>> chosen, area_place(chosen)
({'BEZ': '05', 'BZR': None, 'PLR': None}, {'level': 'BEZ', 'area_id': '05'})
>>> need_location(area_place(chosen))
{'area_level': 'BEZ', 'area_id': '05'}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from shapely.geometry import mapping

from core.i18n import t
from geodata.lor import FINEST, LEVELS, parent_id
from geodata.profile import active_profile
from maps.resident import PLACE_ZOOM, areas_around

_PROFILE = active_profile()
#: The lists, coarse to fine (the city profile's ``report_levels``; Berlin: Bezirk, Bezirksregion,
#: Planungsraum); each one's choices lie in the area chosen in the one before.
LIST_LEVELS: tuple[str, ...] = _PROFILE.report_levels


def list_label(level: str, lang: str) -> str:
    """The label of the list of ``level``: the profile's ``pick_<code>`` text, else the level's name."""
    text = _PROFILE.texts.get(f"pick_{level.lower()}")
    return text.get(lang) if text is not None else LEVELS[level].label(lang)


def place_at(locate: Callable[[float, float], dict | None], lat: float, lon: float) -> dict | None:
    """The point place of a map click, or ``None`` when ``locate`` finds no area there (outside the city)."""
    located = locate(lat, lon)
    return None if located is None else {"lat": lat, "lon": lon, "located": located}


def found_place(found: Any) -> dict:
    """The place of a place-search result (a :class:`geodata.places.Place`).

    A station, facility or address is a point near which the need is (``near`` names
    it, ``zoom`` is street level); a Bezirk, Bezirksregion or Planungsraum found by
    name is that area, as if chosen from the lists.

    >>> from geodata.places import Place
    >>> areas = {"PLR_ID": "08100101", "BZR_ID": "081001", "BEZ_ID": "08"}
    >>> station = found_place(Place("S+U Hermannstr.", "S+U", 52.4672, 13.4318, areas))
    >>> station["near"], station["zoom"], lists_for(station)
    ('S+U Hermannstr.', 16, {'BEZ': '08', 'BZR': '081001', 'PLR': '08100101'})
    >>> region = found_place(Place("Neuköllner Mitte/Zentrum", "BZR", 52.47, 13.44, areas))
    >>> region, lists_for(region)
    ({'level': 'BZR', 'area_id': '081001'}, {'BEZ': '08', 'BZR': '081001', 'PLR': None})
    """
    if found.kind in LIST_LEVELS:
        return {"level": found.kind, "area_id": found.areas[LEVELS[found.kind].id_column]}
    return {"lat": found.lat, "lon": found.lon, "located": dict(found.areas), "near": found.name, "zoom": found.zoom}


def new_click(map_value: Mapping[str, Any] | None, seen: tuple[float, float] | None) -> tuple[float, float] | None:
    """The ``(lat, lon)`` of the map's last click, unless it is the click handled already.

    The map component returns its last click on every later run too (and after a
    send); handling each click once keeps those runs from moving the pin back.

    >>> value = {"last_clicked": {"lat": 52.5, "lng": 13.4}}
    >>> new_click(value, None), new_click(value, (52.5, 13.4)), new_click(None, None)
    ((52.5, 13.4), None, None)
    """
    click = (map_value or {}).get("last_clicked")
    if not click or (click["lat"], click["lng"]) == seen:
        return None
    return click["lat"], click["lng"]


def lists_for(place: dict | None) -> dict[str, str | None]:
    """The three lists' choices that match ``place``: a point's areas, an area and those above it, or none.

    >>> lists_for({"level": "BZR", "area_id": "011002"})
    {'BEZ': '01', 'BZR': '011002', 'PLR': None}
    """
    if is_area(place):
        depth = LIST_LEVELS.index(place["level"])
        return {level: parent_id(place["area_id"], level, of=place["level"]) if i <= depth else None
                for i, level in enumerate(LIST_LEVELS)}
    located = (place or {}).get("located") or {}
    return {level: located.get(LEVELS[level].id_column) for level in LIST_LEVELS}


def after_list_choice(level: str, chosen: Mapping[str, str | None]) -> dict[str, str | None]:
    """The lists' choices after ``level`` was chosen: the finer lists below it are cleared."""
    finer = LIST_LEVELS[LIST_LEVELS.index(level) + 1 :]
    return {lvl: None if lvl in finer else chosen.get(lvl) for lvl in LIST_LEVELS}


def area_place(chosen: Mapping[str, str | None]) -> dict | None:
    """The finest area chosen in the lists, as a place; ``None`` when nothing is chosen."""
    for level in reversed(LIST_LEVELS):
        if chosen.get(level):
            return {"level": level, "area_id": chosen[level]}
    return None


def is_area(place: dict | None) -> bool:
    """Whether ``place`` is an area from the lists (not a point from the map)."""
    return bool(place and place.get("level"))


def place_area(place: dict) -> tuple[str, str]:
    """``(level, area_id)`` of a place: the chosen area, or the unit of the finest level a point lies in."""
    if is_area(place):
        return place["level"], place["area_id"]
    return FINEST, place["located"][LEVELS[FINEST].id_column]


def need_location(place: dict | None) -> dict:
    """The location fields of a :class:`~assessment.needs.model.NeedInput` for ``place``.

    No place gives no fields: the store then refuses the need with its message
    about the missing place, which the page shows at the place.
    """
    if is_area(place):
        return {"area_level": place["level"], "area_id": place["area_id"]}
    return {"lat": place["lat"], "lon": place["lon"]} if place else {}


# --- the lists and the names of areas -----------------------------------------------------------


class AreaLists:
    """Choices and names of the three lists, from :func:`geodata.lor.hierarchy` (one row per Planungsraum).

    >>> rows = pd.DataFrame({"BEZ_ID": ["01", "01", "05"], "BEZ_NAME": ["Mitte", "Mitte", "Spandau"],
    ...                      "BZR_ID": ["011001", "011002", "050101"],
    ...                      "BZR_NAME": ["Tiergarten Süd", "Regierungsviertel", "Haselhorst"],
    ...                      "PLR_ID": ["01100101", "01100206", "05010101"],
    ...                      "PLR_NAME": ["Stülerstraße", "Unter den Linden", "Gartenfeld"]})
    >>> lists = AreaLists(rows)
    >>> lists.options("BEZ"), lists.options("BZR", "01"), lists.options("PLR", None)
    (['01', '05'], ['011001', '011002'], [])
    >>> lists.name("BZR", "011002"), lists.name("PLR", "99999999")
    ('Regierungsviertel', '99999999')
    """

    def __init__(self, hierarchy: pd.DataFrame):
        self.hierarchy = hierarchy
        #: Per level, the area names indexed by id.
        self.names = {
            level: hierarchy.drop_duplicates(LEVELS[level].id_column).set_index(LEVELS[level].id_column)[
                LEVELS[level].name_column]
            for level in LIST_LEVELS
        }

    def options(self, level: str, parent: str | None = None) -> list[str]:
        """The ids a list offers: every Bezirk, or the areas of ``level`` inside the ``parent`` chosen above."""
        if level == LIST_LEVELS[0]:
            return sorted(self.names[level].index)
        above = LIST_LEVELS[LIST_LEVELS.index(level) - 1]
        rows = self.hierarchy
        return sorted(rows.loc[rows[LEVELS[above].id_column] == parent, LEVELS[level].id_column].unique())

    def name(self, level: str, area_id: str) -> str:
        """The area's name; its id when the area is unknown."""
        return self.names[level].get(area_id, area_id)

    def place_text(self, place: dict, lang: str) -> str:
        """What the page says about a chosen place: the area from the lists, or the three areas around a pin."""
        if is_area(place):
            level = place["level"]
            return t("report.place_area", lang, level=LEVELS[level].label(lang), name=self.name(level, place["area_id"]))
        located = place["located"]
        names = {level.lower(): located[LEVELS[level].name_column] for level in LIST_LEVELS}
        near = {"name": place["near"]} if place.get("near") else {}
        # "Quartier Altstadt Nord (Stadtteil Altstadt)": finest area first, the coarser ones after it;
        # a city that words the sentence itself names the areas by its levels' codes ({plr}, {bez}).
        named = [f"{LEVELS[level].label(lang)} {located[LEVELS[level].name_column]}" for level in reversed(LIST_LEVELS)]
        areas = named[0] + (f" ({', '.join(named[1:])})" if len(named) > 1 else "")
        return _PROFILE.text("report.place_near" if near else "report.place_point", lang, **near, **names, areas=areas)

    def need_area(self, need, lang: str) -> str:
        """The finest known area of a need, e.g. ``"Planungsraum Unter den Linden"``; ``""`` when none is known."""
        for level in reversed(LIST_LEVELS):
            area_id = need.unit(level)
            if area_id and area_id in self.names[level].index:
                return f"{LEVELS[level].label(lang)} {self.names[level][area_id]}"
        return ""


# --- what the map shows of the place ------------------------------------------------------------


@dataclass(frozen=True)
class PlaceView:
    """What the residents' map draws of a place (the arguments of :func:`maps.resident.report_map`)."""

    pin: tuple[float, float] | None = None
    selected_area: dict | None = None
    nearby_areas: dict | None = None
    zoom: float = PLACE_ZOOM


def place_view(place: dict | None, units: Callable[[str], Any]) -> PlaceView:
    """The pin, the outline of the place's area and the Planungsräume around it, for ``place``.

    Parameters
    ----------
    place : dict or None
    units : callable
        ``level -> GeoDataFrame`` of the display geometry (EPSG:4326, a ``name``
        column, indexed by id), e.g. ``lambda level: display_units(settings, level)``.

    A point is the centre of the named areas around it. An area chosen from the
    lists has no pin: its areas are named around a point inside it, and an area
    the display geometry does not know is neither outlined nor surrounded by names.
    """
    if not place:
        return PlaceView()
    level, area_id = place_area(place)
    shapes = units(level)
    known = area_id in shapes.index
    selected = mapping(shapes.geometry[area_id]) if known else None
    if is_area(place):
        inside = shapes.geometry[area_id].representative_point() if known else None
        centre = (inside.y, inside.x) if inside is not None else None
        pin = None
    else:
        centre = pin = (place["lat"], place["lon"])
    # The Planungsräume around the place get their names on the map once zoomed in.
    nearby = areas_around(units(FINEST), *centre) if centre else None
    return PlaceView(pin, selected, nearby, place.get("zoom", PLACE_ZOOM))
