"""The place of a need on /melden (assessment.participation.places): map click, area lists, names, map view.

Hand-made areas with the official ids and names around the Brandenburg Gate
(PLR 01100206 "Unter den Linden" in BZR 011002 "Regierungsviertel", Bezirk 01
"Mitte") and one in Spandau, so every expectation can be checked by eye.
The page test (test_report_page.py) runs the same rules on the real LOR data.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box, mapping

from assessment.needs.model import NeedInput
from assessment.needs.store import open_store
from assessment.participation.places import (
    AreaLists,
    PlaceView,
    after_list_choice,
    area_place,
    is_area,
    lists_for,
    need_location,
    new_click,
    place_area,
    place_at,
    place_view,
)
from core.i18n import t

LOCATED = {"PLR_ID": "01100206", "PLR_NAME": "Unter den Linden", "BZR_ID": "011002",
           "BZR_NAME": "Regierungsviertel", "BEZ_ID": "01", "BEZ_NAME": "Mitte"}
GATE = (52.5163, 13.3777)
POINT = {"lat": GATE[0], "lon": GATE[1], "located": LOCATED}
HIERARCHY = pd.DataFrame({
    "PLR_ID": ["01100101", "01100206", "01100207", "05010101"],
    "PLR_NAME": ["Stülerstraße", "Unter den Linden", "Wilhelmstraße", "Gartenfeld"],
    "BZR_ID": ["011001", "011002", "011002", "050101"],
    "BZR_NAME": ["Tiergarten Süd", "Regierungsviertel", "Regierungsviertel", "Haselhorst"],
    "BEZ_ID": ["01", "01", "01", "05"],
    "BEZ_NAME": ["Mitte", "Mitte", "Mitte", "Spandau"],
})


def locate(lat, lon):
    """A stand-in for the LOR lookup: Unter den Linden north of 52.5° N, outside Berlin south of it."""
    return dict(LOCATED) if lat >= 52.5 else None


# --- a click on the map -------------------------------------------------------------------------


def test_a_click_inside_berlin_is_a_point_place_and_sets_the_lists():
    place = place_at(locate, *GATE)
    assert place == {"lat": 52.5163, "lon": 13.3777, "located": LOCATED}
    assert lists_for(place) == {"BEZ": "01", "BZR": "011002", "PLR": "01100206"}
    assert not is_area(place) and place_area(place) == ("PLR", "01100206")


def test_a_click_outside_berlin_is_no_place_and_clears_the_lists():
    assert place_at(locate, 52.39, 13.06) is None
    assert lists_for(None) == {"BEZ": None, "BZR": None, "PLR": None}


@pytest.mark.parametrize(
    ("map_value", "seen", "expected"),
    [
        (None, None, None),  # the first run: the map has no value yet
        ({}, None, None),
        ({"last_clicked": None}, None, None),  # drawn, not clicked
        ({"last_clicked": {"lat": 52.5, "lng": 13.4}}, None, (52.5, 13.4)),  # a new click
        ({"last_clicked": {"lat": 52.5, "lng": 13.4}}, (52.5, 13.4), None),  # the same click, repeated by a rerun
        ({"last_clicked": {"lat": 52.6, "lng": 13.4}}, (52.5, 13.4), (52.6, 13.4)),  # another click
    ],
)
def test_each_click_is_handled_once(map_value, seen, expected):
    assert new_click(map_value, seen) == expected


# --- the three lists ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "before", "after", "place"),
    [
        # A new Bezirk: the Bezirksregion and Planungsraum chosen before may not lie in it.
        ("BEZ", {"BEZ": "05", "BZR": "011002", "PLR": "01100206"}, {"BEZ": "05", "BZR": None, "PLR": None},
         {"level": "BEZ", "area_id": "05"}),
        ("BZR", {"BEZ": "01", "BZR": "011001", "PLR": "01100206"}, {"BEZ": "01", "BZR": "011001", "PLR": None},
         {"level": "BZR", "area_id": "011001"}),
        ("PLR", {"BEZ": "01", "BZR": "011002", "PLR": "01100207"}, {"BEZ": "01", "BZR": "011002", "PLR": "01100207"},
         {"level": "PLR", "area_id": "01100207"}),
        # A list emptied again: the next coarser choice is the place.
        ("PLR", {"BEZ": "01", "BZR": "011002", "PLR": None}, {"BEZ": "01", "BZR": "011002", "PLR": None},
         {"level": "BZR", "area_id": "011002"}),
        ("BEZ", {"BEZ": None, "BZR": "011002", "PLR": "01100206"}, {"BEZ": None, "BZR": None, "PLR": None}, None),
    ],
)
def test_a_list_choice_clears_the_finer_lists_and_the_finest_choice_is_the_place(level, before, after, place):
    assert after_list_choice(level, before) == after
    assert area_place(after) == place


def test_area_places_are_areas():
    area = {"level": "BZR", "area_id": "011002"}
    assert is_area(area) and place_area(area) == ("BZR", "011002")
    assert not is_area(None) and not is_area({})


@pytest.mark.parametrize(
    ("place", "fields"),
    [
        (POINT, {"lat": 52.5163, "lon": 13.3777}),
        ({"level": "BEZ", "area_id": "05"}, {"area_level": "BEZ", "area_id": "05"}),
        (None, {}),  # the store refuses it with its message about the missing place
    ],
)
def test_need_location(place, fields):
    assert need_location(place) == fields


def test_the_lists_offer_the_areas_inside_the_choice_above():
    lists = AreaLists(HIERARCHY)
    assert lists.options("BEZ") == ["01", "05"]
    assert lists.options("BEZ", "05") == ["01", "05"]  # every Bezirk, whatever else is chosen
    assert lists.options("BZR", "01") == ["011001", "011002"]
    assert lists.options("PLR", "011002") == ["01100206", "01100207"]
    assert lists.options("BZR", None) == [] and lists.options("PLR", "999999") == []


def test_names_of_areas():
    lists = AreaLists(HIERARCHY)
    assert lists.names["BZR"].to_dict() == {"011001": "Tiergarten Süd", "011002": "Regierungsviertel",
                                            "050101": "Haselhorst"}
    assert (lists.name("BEZ", "05"), lists.name("PLR", "01100207")) == ("Spandau", "Wilhelmstraße")
    assert lists.name("PLR", "99999999") == "99999999"  # unknown: shown by its id


@pytest.mark.parametrize("lang", ["de", "en"])
def test_what_the_page_says_about_the_place(lang):
    lists = AreaLists(HIERARCHY)
    level = {"de": "Bezirksregion", "en": "District region"}[lang]
    assert lists.place_text({"level": "BZR", "area_id": "011002"}, lang) == t(
        "report.place_area", lang, level=level, name="Regierungsviertel")
    assert lists.place_text(POINT, lang) == t(
        "report.place_point", lang, plr="Unter den Linden", bzr="Regierungsviertel", bez="Mitte")


def test_place_text_in_german_by_hand():
    assert AreaLists(HIERARCHY).place_text(POINT, "de") == (
        "Ihr Ort liegt im Planungsraum Unter den Linden (Bezirksregion Regierungsviertel, Bezirk Mitte).")


class OnePlace:
    """Stores needs in Unter den Linden (PLR 01100206); an area need stays at its level."""

    def locate(self, lat, lon):
        return {"PLR_ID": "01100206", "BZR_ID": "011002", "PGR_ID": "0110", "BEZ_ID": "01"}

    def area_point(self, level, area_id):
        return GATE if "01100206".startswith(area_id) or area_id == "05" else None


def test_the_area_of_a_listed_need_is_its_finest_known_area():
    store = open_store(database_url="sqlite://", geography=OnePlace())
    try:
        point = store.submit(NeedInput(category="mobility", title="Sichere Querung", lat=GATE[0], lon=GATE[1]))
        district = store.submit(NeedInput(category="mobility", title="Mehr Busse", area_level="BEZ", area_id="01"))
        lists = AreaLists(HIERARCHY)
        assert lists.need_area(point, "de") == "Planungsraum Unter den Linden"
        assert lists.need_area(district, "en") == "District Mitte"  # no finer area known
        unknown = AreaLists(HIERARCHY[HIERARCHY["BEZ_ID"] == "05"])
        assert unknown.need_area(point, "de") == ""  # none of its areas in the lists
    finally:
        store.close()


# --- what the map shows -------------------------------------------------------------------------

# Three Planungsräume side by side (0.01° wide) and one far away; Bezirk 01 covers the first three.
PLR_BOXES = {"01100101": box(13.36, 52.51, 13.37, 52.52), "01100206": box(13.37, 52.51, 13.38, 52.52),
             "01100207": box(13.38, 52.51, 13.39, 52.52), "05010101": box(13.20, 52.53, 13.21, 52.54)}
UNITS = {
    "PLR": gpd.GeoDataFrame({"name": HIERARCHY["PLR_NAME"].tolist()}, geometry=list(PLR_BOXES.values()),
                            index=list(PLR_BOXES), crs=4326),
    "BEZ": gpd.GeoDataFrame({"name": ["Mitte"]}, geometry=[box(13.36, 52.51, 13.39, 52.52)], index=["01"], crs=4326),
}


def names_around(view: PlaceView) -> list[str]:
    return sorted(f["properties"]["name"] for f in view.nearby_areas["features"])


def test_no_place_draws_nothing_of_it():
    assert place_view(None, UNITS.__getitem__) == PlaceView(None, None, None)


def test_a_point_is_pinned_its_planning_area_outlined_and_its_neighbours_named():
    view = place_view({"lat": 52.515, "lon": 13.375, "located": LOCATED}, UNITS.__getitem__)
    assert view.pin == (52.515, 13.375)
    assert view.selected_area == mapping(PLR_BOXES["01100206"])
    # Within 1.5 km (about 0.022° of longitude here): the three in Mitte, not the one in Spandau (~12 km).
    assert names_around(view) == ["Stülerstraße", "Unter den Linden", "Wilhelmstraße"]


def test_an_area_from_the_lists_has_no_pin_and_names_the_areas_around_a_point_inside_it():
    view = place_view({"level": "BEZ", "area_id": "01"}, UNITS.__getitem__)
    assert view.pin is None
    assert view.selected_area == mapping(UNITS["BEZ"].geometry["01"])
    assert names_around(view) == ["Stülerstraße", "Unter den Linden", "Wilhelmstraße"]


def test_an_area_the_display_geometry_does_not_know_is_neither_outlined_nor_surrounded():
    assert place_view({"level": "BEZ", "area_id": "12"}, UNITS.__getitem__) == PlaceView(None, None, None)
