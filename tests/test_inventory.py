"""assessment.analysis.inventory: needs per 1,000 residents from sums, profiles, exports, deep links.

The aggregation tests use a store with a stand-in geography of four planning
areas and residents chosen so that the sum-based rate and the mean of PLR
rates differ; the expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import io
import json
import math
import re
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest

from assessment.analysis import inventory
from assessment.analysis.inventory import NEEDS_PER_1000, NeedFilters, ViewState, state_from_query, state_to_query
from maps.view import MapView
from assessment.needs.model import ImportExtras, NeedInput
from assessment.needs.store import open_store
from assessment.needs.taxonomy import CATEGORIES
from geodata.catalogue import DATASETS
from geodata.indicators import INDICATORS, aggregate, available_indicators, indicator_table, plr_table
from geodata.lor import LEVEL_ORDER, get_level

# Four PLR: two in Bezirksregion 011001 (Bezirk 01), one in Bezirk 02, one without residents in Bezirk 03.
AREAS = {
    52.50: {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"},
    52.51: {"PLR_ID": "01100102", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"},
    52.52: {"PLR_ID": "02200201", "BZR_ID": "022002", "PGR_ID": "0220", "BEZ_ID": "02"},
    52.53: {"PLR_ID": "03300301", "BZR_ID": "033003", "PGR_ID": "0330", "BEZ_ID": "03"},
}
RESIDENTS = pd.DataFrame(
    {"population": [1000.0, 3000.0, 500.0, 0.0]},
    index=pd.Index(["01100101", "01100102", "02200201", "03300301"], name="PLR_ID"),
)


class FourAreas:
    """A stand-in geography: the PLR is chosen by the latitude (rounded to 2 decimals)."""

    def locate(self, lat, lon):
        return AREAS.get(round(lat, 2))

    def area_point(self, level, area_id):
        return None


@pytest.fixture
def store(tmp_path):
    """A SQLite store with the four-area geography and published needs:

    01100101: 3 mobility, 1 housing; 01100102: 1 mobility; 02200201: 2 housing;
    03300301 (no residents): 1 mobility. Plus one pending need that must never count.
    """
    need_store = open_store(database_url=f"sqlite:///{tmp_path / 'needs.sqlite'}", geography=FourAreas())
    placed = [(52.50, "mobility")] * 3 + [(52.50, "housing"), (52.51, "mobility")] + [(52.52, "housing")] * 2
    placed += [(52.53, "mobility")]
    for lat, category in placed:
        need = need_store.submit(NeedInput(category=category, title="Bedarf", lat=lat, lon=13.4))
        need_store.set_status(need.id, "published")
    need_store.submit(NeedInput(category="mobility", title="noch nicht geprüft", lat=52.51, lon=13.4))
    yield need_store
    need_store.close()


# Hand-computed: needs / residents * 1000, summed per area before dividing.
EXPECTED_TOTAL_PER_1000 = {
    "PLR": {"01100101": 4 / 1000 * 1000, "01100102": 1 / 3000 * 1000, "02200201": 2 / 500 * 1000, "03300301": np.nan},
    # 011001: (4 + 1) / (1000 + 3000) * 1000 = 1.25; the mean of the PLR rates would be (4 + 0.333) / 2 = 2.17.
    "BZR": {"011001": 1.25, "022002": 4.0, "033003": np.nan},
    "PGR": {"0110": 1.25, "0220": 4.0, "0330": np.nan},
    "BEZ": {"01": 1.25, "02": 4.0, "03": np.nan},
}


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_needs_per_1000_are_recomputed_from_sums_at_every_level(store, level):
    residents = aggregate(RESIDENTS, level)
    needs = inventory.needs_per_1000(store.counts_by_area(level), residents, level)
    expected = pd.Series(EXPECTED_TOTAL_PER_1000[level])
    pd.testing.assert_series_equal(needs["total_per_1000"], expected.reindex(needs.index), check_names=False)
    # Category rates come from the same sums: mobility in 011001 is (3 + 1) / 4000 * 1000.
    if level != "PLR":
        first = needs.index[0]
        assert needs.at[first, "mobility_per_1000"] == pytest.approx(1.0)
        assert needs.at[first, "housing_per_1000"] == pytest.approx(0.25)
    # The pending need is not counted anywhere.
    assert int(needs["total"].sum()) == 8


def test_the_rate_is_not_the_mean_of_finer_rates(store):
    plr = inventory.needs_per_1000(store.counts_by_area("PLR"), aggregate(RESIDENTS, "PLR"), "PLR")
    bzr = inventory.needs_per_1000(store.counts_by_area("BZR"), aggregate(RESIDENTS, "BZR"), "BZR")
    mean_of_rates = plr.loc[["01100101", "01100102"], "total_per_1000"].mean()
    assert bzr.at["011001", "total_per_1000"] == pytest.approx(1.25)
    assert mean_of_rates == pytest.approx(2.1667, abs=1e-3)


def test_areas_without_residents_have_missing_rates_not_infinity(store):
    residents = aggregate(RESIDENTS, "PLR")
    residents.loc["02200201", "population"] = np.nan  # confidential cell
    needs = inventory.needs_per_1000(store.counts_by_area("PLR"), residents, "PLR")
    for area in ("03300301", "02200201"):
        assert needs.loc[area].filter(like="_per_1000").isna().all(), area
        assert needs.at[area, "total"] > 0  # the needs themselves still count
    assert not np.isinf(needs.filter(like="_per_1000").to_numpy()).any()


def test_areas_without_needs_count_zero_and_rate_zero(store):
    residents = pd.DataFrame({"population": [100.0]}, index=pd.Index(["04400401"], name="PLR_ID"))
    needs = inventory.needs_per_1000(store.counts_by_area("PLR"), residents, "PLR")
    assert needs.at["04400401", "total"] == 0
    assert needs.at["04400401", "total_per_1000"] == 0.0


def test_filters_by_category_and_inclusive_dates(store):
    mobility = NeedFilters(categories=("mobility",)).store_kwargs()
    counts = store.counts_by_area("BEZ", **mobility)
    assert counts.groupby("BEZ_ID")["count"].sum().to_dict() == {"01": 4, "03": 1}
    today = datetime.now(timezone.utc).date()
    assert store.counts_by_area("BEZ", **NeedFilters(since=today, until=today).store_kwargs())["count"].sum() == 8
    tomorrow = date.fromordinal(today.toordinal() + 1)
    assert store.counts_by_area("BEZ", **NeedFilters(since=tomorrow).store_kwargs()).empty


def test_need_counts_names_the_missing_column():
    with pytest.raises(ValueError, match=r"counts_by_area\('BZR', by_category=True\)"):
        inventory.need_counts(pd.DataFrame({"BZR_ID": ["011001"], "count": [1]}), "BZR", ["011001"])


def test_only_staff_may_see_other_statuses():
    assert inventory.visible_statuses((), ["pending"]) == ("published",)
    assert inventory.visible_statuses({"moderator"}, ["pending"]) == ("pending",)
    with pytest.raises(ValueError, match="unknown status 'secret'"):
        inventory.visible_statuses({"admin"}, ["secret"])
    # "staff" is not a role of assessment.participation.auth: no extra statuses for it.
    assert inventory.visible_statuses({"staff"}, ["pending"]) == ("published",)


# --- Berlin values, profile, comparison --------------------------------------------------------


def test_berlin_values_recompute_shares_from_sums():
    plr = pd.DataFrame({"population": [100.0, 900.0, np.nan], "pop_under6": [50.0, 0.0, np.nan]}, index=list("abc"))
    berlin = inventory.city_values(plr)
    assert berlin["population"] == 1000.0
    assert berlin["share_under6"] == pytest.approx(5.0)  # 50 / 1000, not the mean of 50 % and 0 %


def test_area_profile_lists_every_indicator_with_berlin_value_and_source(settings_with_data):
    table = indicator_table(settings_with_data, "BEZ")
    berlin = inventory.city_values(table)
    from_plr = inventory.city_values(plr_table(settings_with_data))
    shared = [k for k in from_plr.index if k in berlin.index]
    assert len(shared) > 30 and np.allclose(berlin[shared].astype(float), from_plr[shared].astype(float), equal_nan=True)
    profile = inventory.area_profile(table, "01", berlin, "BEZ", "en")
    keys = [k for k in available_indicators("BEZ") if k in table.columns]
    assert len(profile) == len(keys)
    assert list(profile.columns) == ["Indicator", "Value in the area", "Berlin", "Source (date, licence)"]
    # Berlin's residents are the sum over the 12 Bezirke.
    residents = profile.set_index("Indicator").loc["Residents"]
    assert residents["Berlin"] == f"{int(table['population'].sum()):,} residents"
    for source in profile["Source (date, licence)"]:
        assert "as of " in source and "licence " in source and "Stand " not in source  # in the reader's language
    with pytest.raises(KeyError, match="'99'"):
        inventory.area_profile(table, "99", berlin, "BEZ")


def test_compare_table_takes_two_to_twenty_areas(store):
    table = pd.DataFrame({"name": ["A", "B", "C"], "population": [1.0, 2.0, 3.0]}, index=["01", "02", "03"])
    needs = inventory.needs_per_1000(store.counts_by_area("BEZ"), table, "BEZ")
    compared = inventory.compare_table(table, ["01", "02"], ["population"], needs, "de")
    assert list(compared.columns) == ["A (01)", "B (02)"]
    assert compared.loc["Bedarfe", "A (01)"] == 5  # 4 + 1 needs in Bezirk 01
    with pytest.raises(ValueError, match="compare 2 to 20 areas, got 1"):
        inventory.compare_table(table, ["01"], ["population"], needs)


def test_every_bezirk_can_compare_all_its_areas_at_every_finer_level_but_plr(settings_with_data):
    from geodata.indicators import indicator_table

    # Issue 18: comparing a Bezirk's Bezirksregionen stopped at 4. Treptow-Köpenick has 20.
    for level in ("BZR", "PGR"):
        per_bezirk = indicator_table(settings_with_data, level).index.str[:2].value_counts()
        assert per_bezirk.max() <= inventory.MAX_COMPARE, (level, per_bezirk.idxmax(), per_bezirk.max())
    assert len(indicator_table(settings_with_data, "BEZ")) <= inventory.MAX_COMPARE


# --- one Bezirk's areas -------------------------------------------------------------------------

BEZIRKE = pd.Series({"01": "Mitte", "05": "Spandau"})
BZR_TABLE = pd.DataFrame({"name": ["Wedding Zentrum", "Moabit West", "Spandau Mitte"], "population": [1000.0, 2000.0, 0.0]},
                         index=pd.Index(["011001", "011002", "051101"], name="BZR_ID"))


# Each case: the view -> the areas it lists, compares and exports.
BEZIRK_AREAS = {
    "no Bezirk: all": (ViewState(level="BZR"), ["011001", "011002", "051101"]),
    "Mitte's Bezirksregionen": (ViewState(level="BZR", bezirk="01"), ["011001", "011002"]),
    "Spandau's": (ViewState(level="BZR", bezirk="05"), ["051101"]),
    "a Bezirk without areas here": (ViewState(level="BZR", bezirk="12"), []),
}


@pytest.mark.parametrize("case", BEZIRK_AREAS.values(), ids=BEZIRK_AREAS.keys())
def test_the_bezirk_filter_restricts_the_areas_of_the_finer_levels(case):
    view, expected = case
    assert view.areas(BZR_TABLE.index) == expected


def test_the_bezirk_filter_drops_a_focus_and_compared_areas_outside_it():
    view = ViewState.from_widgets(level="BZR", indicator="population", focus="051101",
                                  compare=["011001", "051101", "011002"], bezirk="01", area_ids=BZR_TABLE.index)
    assert (view.focus, view.compare) == (None, ("011001", "011002"))


def test_the_table_names_each_areas_bezirk_but_not_the_bezirke_their_own(store):
    needs = inventory.needs_per_1000(store.counts_by_area("BZR"), BZR_TABLE, "BZR")
    rows = inventory.view_table(BZR_TABLE.loc[["011001", "051101"]], "population", needs, "de", bezirke=BEZIRKE,
                                level=get_level("BZR"))
    assert rows.columns.tolist() == ["Schlüssel", "Name", "Bezirk", "Einwohnerinnen und Einwohner", "Bedarfe",
                                     "Bedarfe je 1.000 Einwohner"]
    assert rows["Bezirk"].tolist() == ["Mitte", "Spandau"]
    bez = pd.DataFrame({"name": ["Mitte"], "population": [1.0]}, index=pd.Index(["01"], name="BEZ_ID"))
    bez_needs = inventory.needs_per_1000(store.counts_by_area("BEZ"), bez, "BEZ")
    assert "Bezirk" not in inventory.view_table(bez, "population", bez_needs, "de", bezirke=BEZIRKE,
                                                level=get_level("BEZ")).columns


# --- export ------------------------------------------------------------------------------------


def _view(store) -> pd.DataFrame:
    table = pd.DataFrame(
        {"name": ["=SUM(A1)", "-Nord", "Mitte"], "population": [1000.0, 500.0, 0.0],
         "share_65plus": [12.345, np.nan, 20.0]},
        index=pd.Index(["01", "02", "03"], name="BEZ_ID"),
    )
    needs = inventory.needs_per_1000(store.counts_by_area("BEZ"), table, "BEZ")
    return inventory.view_table(table, "share_65plus", needs, "de")


def test_the_csv_starts_with_its_header_neutralises_formulas_and_keeps_the_values(store):
    rows = _view(store)
    data = inventory.export_csv(rows).decode("utf-8")
    # Machine-readable: the header is the first line (no BOM, no comment lines before it).
    assert data.splitlines()[0] == "Schlüssel,Name,Anteil ab 65 Jahren (%),Bedarfe,Bedarfe je 1.000 Einwohner"
    back = pd.read_csv(io.StringIO(data), dtype={"Schlüssel": str})
    assert back["Name"].tolist() == ["'=SUM(A1)", "'-Nord", "Mitte"]
    assert back["Schlüssel"].tolist() == ["01", "02", "03"]
    assert back["Anteil ab 65 Jahren (%)"].tolist()[0] == 12.3 and math.isnan(back["Anteil ab 65 Jahren (%)"][1])
    assert back["Bedarfe"].tolist() == [5, 2, 1]
    # 5 needs over 1,000 residents; Bezirk 03 has no residents: missing, not infinite.
    assert back["Bedarfe je 1.000 Einwohner"].tolist()[0] == 5.0 and math.isnan(back["Bedarfe je 1.000 Einwohner"][2])


def read_workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def test_the_workbook_holds_the_table_and_its_sources_and_no_formula(store):
    rows = _view(store)
    sources = inventory.source_table("share_65plus", "de", exported=date(2026, 3, 1))
    book = read_workbook(inventory.export_xlsx(rows, sources, "de"))
    assert book.sheetnames == ["Tabelle", "Quellen"]
    table = [[cell.value for cell in row] for row in book["Tabelle"].iter_rows()]
    assert table == [
        ["Schlüssel", "Name", "Anteil ab 65 Jahren (%)", "Bedarfe", "Bedarfe je 1.000 Einwohner"],
        ["01", "'=SUM(A1)", 12.3, 5, 5.0],  # the id stays text ("01", not 1); numbers are numbers
        ["02", "'-Nord", None, 2, 4.0],  # a missing value is an empty cell, not 0 and not "nan"
        ["03", "Mitte", 20.0, 1, None],
    ]
    assert book["Tabelle"].freeze_panes == "A2"
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]  # no formula anywhere
    quellen = [[cell.value for cell in row] for row in book["Quellen"].iter_rows()]
    assert quellen[0] == ["Datensatz", "Herausgeber", "Stand", "Lizenz", "Namensnennung", "Quelle (URL)"]
    lor, population = DATASETS["lor_plr"], DATASETS["population_2025"]
    assert [population.title("de"), population.publisher, population.date_text("de"), population.licence,
            population.attribution, population.source_url] in quellen
    assert [lor.title("de"), lor.publisher, lor.date_text("de"), lor.licence, lor.attribution,
            lor.source_url] in quellen
    assert quellen[-1][:3] == ["Bedarfe von Bewohnerinnen und Bewohnern", "Bedarfsatlas Berlin", "01.03.2026"]


def test_a_licence_still_to_verify_says_so_in_the_sources_sheet():
    sources = inventory.source_table("crime_offences_per_100k", "en", exported=date(2026, 3, 1))
    atlas = sources[sources["Dataset"] == DATASETS["crime_atlas_rates"].title("en")]
    assert atlas["Licence"].tolist() == ["CC BY-SA, to be verified"]
    assert atlas["Reference date"].tolist() == ["2023-12-31"]


def test_text_a_workbook_cannot_hold_is_left_out_not_a_crash():
    rows = pd.DataFrame({"Name": ["Mitte\x00\x07", "+49 30"], "Wert": [1.0, np.inf]})
    book = read_workbook(inventory.export_xlsx(rows, inventory.source_table("population"), "en"))
    assert book.sheetnames == ["Table", "Sources"]
    assert [[c.value for c in row] for row in book["Table"].iter_rows()] == [["Name", "Wert"], ["Mitte", 1.0],
                                                                             ["'+49 30", None]]


def test_every_export_is_offered_in_order_with_its_name_and_builds_on_demand(store):
    rows = _view(store)
    built = []
    content = type("Content", (), {"level": "BEZ", "layer": None})()
    exports = inventory.view_exports(rows, "share_65plus", content, geometry=lambda: built.append("geometry"),
                                     static_root=None, lang="de")
    assert [(d.label, d.file_name) for d in exports] == [
        ("Tabelle als CSV", "bedarfsatlas_bez_share_65plus.csv"),
        ("Tabelle als Excel-Datei (.xlsx)", "bedarfsatlas_bez_share_65plus.xlsx"),
        ("Gebiete als GeoJSON", "bedarfsatlas_bez_share_65plus.geojson"),
        ("Gebiete als GeoPackage", "bedarfsatlas_bez_share_65plus.gpkg"),
        ("Karte als HTML-Datei", "bedarfsatlas_bez_share_65plus.html"),
        ("Karte als PNG-Bild", "bedarfsatlas_bez_share_65plus.png"),
    ]
    assert built == []  # nothing is built before a button is clicked
    assert exports[0].build().startswith("Schlüssel,".encode())
    assert read_workbook(exports[1].build()).sheetnames == ["Tabelle", "Quellen"]


def test_the_needs_as_points_are_for_staff_who_moderate_or_plan():
    from assessment.participation.auth import PAGE_ROLES, ROLES

    assert inventory.NEEDS_EXPORT_ROLES == PAGE_ROLES["moderation"] | PAGE_ROLES["goals"]
    assert [role for role in ROLES if inventory.may_export_needs({role})] == ["moderator", "planner", "admin"]


def test_the_needs_as_points_follow_the_views_filters_and_bezirk(store):
    hostile = store.submit(NeedInput(category="mobility", title="=HYPERLINK(1)", lat=52.52, lon=13.4))
    store.set_status(hostile.id, "published")
    filters = NeedFilters(categories=("mobility",))
    csv_file, geojson = inventory.needs_exports(store, filters, lang="en")
    assert (csv_file.label, csv_file.file_name) == ("Needs as points (CSV)", "bedarfsatlas_bedarfe_berlin.csv")
    points = pd.read_csv(io.BytesIO(csv_file.build()), dtype=str)
    assert len(points) == 6 and set(points["category"]) == {"mobility"}  # 3 + 1 + 1 + the new one; not pending
    assert "'=HYPERLINK(1)" in points["title"].tolist()
    in_02 = json.loads(inventory.needs_exports(store, filters, bezirk="02")[1].build())
    assert [f["properties"]["title"] for f in in_02["features"]] == ["=HYPERLINK(1)"]
    assert in_02["features"][0]["properties"]["BEZ_ID"] == "02"


def test_geo_exports_carry_geometry_values_and_attribution(store, tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    rows = _view(store)
    geometry = gpd.GeoSeries([box(13.0, 52.0, 13.1, 52.1), box(13.1, 52.0, 13.2, 52.1), box(13.2, 52.0, 13.3, 52.1)],
                             index=["03", "01", "02"], crs="EPSG:4326")
    collection = json.loads(inventory.export_geo(rows, geometry, ["Quelle A"], "geojson"))
    assert collection["attribution"] == ["Quelle A"]
    first = collection["features"][0]
    assert first["properties"]["Schlüssel"] == "01" and first["properties"]["quelle"] == "Quelle A"
    assert first["geometry"]["coordinates"][0][0][0] == pytest.approx(13.2)  # the geometry of 01, by id
    path = tmp_path / "view.gpkg"
    path.write_bytes(inventory.export_geo(rows, geometry, ["Quelle A"], "gpkg"))
    read = gpd.read_file(path)
    assert read["Schlüssel"].tolist() == ["01", "02", "03"] and set(read["quelle"]) == {"Quelle A"}
    with pytest.raises(ValueError, match="got 'shp'"):
        inventory.export_geo(rows, geometry, [], "shp")


# --- deep links --------------------------------------------------------------------------------


def test_a_view_survives_the_round_trip_through_the_url():
    view = ViewState(level="BZR", indicator=NEEDS_PER_1000, categories=("mobility", "housing"),
                     since=date(2026, 1, 1), until=date(2026, 3, 31), workshop="ws-7", focus="011001",
                     compare=("011001", "011002"), facilities=("kitas", "schools"), needs_layer="heat",
                     map_view=MapView(13.25, (52.51631, 13.37775)), bezirk="01")
    params = state_to_query(view)
    assert params["zoom"] == "13.25" and params["mitte"] == "52.51631,13.37775"
    assert params["ebene"] == "BZR" and params["von"] == "2026-01-01" and params["vergleich"] == "011001,011002"
    parsed = state_from_query(params)
    assert parsed.problems == []
    assert parsed.state == view
    assert state_to_query(ViewState()) == {}
    assert state_from_query({}).state == ViewState()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"ebene": "KIEZ"}, "Unknown level 'KIEZ'; showing PLR (use PLR, BZR, PGR or BEZ)."),
        ({"indikator": "happiness"}, "Unknown indicator 'happiness'; showing the default."),
        ({"kategorie": "mobility,parking"}, "Unknown categories ['parking'] were ignored."),
        ({"von": "gestern"}, "Start date 'gestern' is not a date like 2026-01-31; the date filter starts open."),
        ({"bis": "2026-02-30"}, "End date '2026-02-30' is not a date like 2026-01-31; the date filter ends open."),
        ({"von": "2026-05-01", "bis": "2026-04-01"}, "The start date is after the end date; the date filter was dropped."),
        ({"gebiet": "<script>"}, "Area '<script>' is not an id of level PLR; no area is in focus."),
        ({"ebene": "BEZ", "gebiet": "01100101"}, "Area '01100101' is not an id of level BEZ; no area is in focus."),
        ({"bedarfe": "3d"}, "Unknown needs layer '3d'; showing points (points, heat, off)."),
        ({"zoom": "99", "mitte": "52.52,13.40"}, "Zoom '99' is not a number from 9 to 18; the map shows all of Berlin."),
        ({"zoom": "nah", "mitte": "52.52,13.40"}, "Zoom 'nah' is not a number from 9 to 18; the map shows all of Berlin."),
        ({"zoom": "nan", "mitte": "52.52,13.40"}, "Zoom 'nan' is not a number from 9 to 18; the map shows all of Berlin."),
        ({"zoom": "12", "mitte": "48.14,11.58"},  # Munich
         "Map centre '48.14,11.58' is not a point in Berlin such as 52.51,13.42 (latitude,longitude); "
         "the map shows all of Berlin."),
        ({"zoom": "12", "mitte": "13.40,52.52"},  # longitude first
         "Map centre '13.40,52.52' is not a point in Berlin such as 52.51,13.42 (latitude,longitude); "
         "the map shows all of Berlin."),
        ({"zoom": "12", "mitte": "52.52"},
         "Map centre '52.52' is not a point in Berlin such as 52.51,13.42 (latitude,longitude); "
         "the map shows all of Berlin."),
        ({"zoom": "12"}, "The map view needs both zoom and mitte (e.g. zoom=13&mitte=52.51,13.42); "
                         "the map shows all of Berlin."),
        ({"bezirk": "Mitte"}, "District 'Mitte' does not exist; all districts are shown."),
        ({"ebene": "BZR", "bezirk": "05", "gebiet": "011001"},
         "Area '011001' is not in District 05; no area is in focus."),
    ],
)
def test_invalid_link_parameters_fall_back_and_say_why(params, message):
    parsed = state_from_query(params)
    assert [problem.text("en") for problem in parsed.problems] == [message]
    assert [str(problem) for problem in parsed.problems] == [message]  # logs read English
    assert all(problem.text("de") not in ("", message) for problem in parsed.problems)


def test_a_links_map_view_wins_over_fitting_the_area_it_names():
    parsed = state_from_query({"ebene": "BEZ", "gebiet": "05", "zoom": "13.5", "mitte": "52.52,13.405"})
    assert parsed.problems == [] and parsed.state.map_view == MapView(13.5, (52.52, 13.405))
    kept = parsed.state.kept_view()
    kept.fit("focus", "05", (52.45, 13.1, 52.6, 13.3))  # the page's first run: Spandau is in focus
    assert kept.st_folium_args() == {"zoom": 13.5, "center": (52.52, 13.405)}
    # Without a view in the link, the area is fitted.
    kept = state_from_query({"ebene": "BEZ", "gebiet": "05"}).state.kept_view()
    kept.fit("focus", "05", (52.45, 13.1, 52.6, 13.3))
    assert kept.imposed is not None and 13.1 < kept.imposed.center[1] < 13.3


def test_link_areas_are_checked_against_the_known_ids():
    known = {"PLR": ["01100101"], "BZR": [], "PGR": [], "BEZ": []}
    assert state_from_query({"gebiet": "01100101"}, known).state.focus == "01100101"
    parsed = state_from_query({"gebiet": "01100102", "vergleich": "01100101,01100102"}, known)
    assert parsed.state.focus is None and parsed.state.compare == ("01100101",)
    assert len(parsed.problems) == 2


def test_a_plr_only_indicator_in_a_link_becomes_its_share_at_coarser_levels():
    parsed = state_from_query({"ebene": "BEZ", "indikator": "mss_status"})
    assert parsed.state.indicator == INDICATORS["mss_status"].derived_share
    assert len(parsed.problems) == 1


# --- the view as the page's widgets hold it ----------------------------------------------------

JAN_1, JAN_31 = date(2026, 1, 1), date(2026, 1, 31)


@pytest.mark.parametrize(
    "period, expected",
    [
        ((), (None, None)),  # nothing picked
        ((JAN_1,), (JAN_1, None)),  # a range while only its start is picked
        ((JAN_1, JAN_31), (JAN_1, JAN_31)),
        ([JAN_1, JAN_31], (JAN_1, JAN_31)),
        (JAN_1, (JAN_1, None)),  # a single-date input
        (None, (None, None)),
    ],
)
def test_period_bounds_read_every_form_of_a_date_input(period, expected):
    assert inventory.period_bounds(period) == expected


@pytest.mark.parametrize(
    "widgets, expected",
    [
        # A blank workshop is none; a workshop code keeps its text, trimmed.
        ({"workshop": "   "}, {"workshop": None}),
        ({"workshop": " ws-7 "}, {"workshop": "ws-7"}),
        # Focus and compared areas of another level (after a change of level) are dropped.
        ({"focus": "011001", "compare": ["01", "011001", "02"]}, {"focus": None, "compare": ("01", "02")}),
        ({"focus": "02", "compare": ["02", "01"]}, {"focus": "02", "compare": ("02", "01")}),
        ({"period": (JAN_1,)}, {"since": JAN_1, "until": None}),
        ({"categories": ["housing"], "facilities": ["kitas"]}, {"categories": ("housing",), "facilities": ("kitas",)}),
    ],
)
def test_the_view_is_read_from_the_widgets(widgets, expected):
    view = ViewState.from_widgets(level="BEZ", indicator="population", area_ids=["01", "02"], **widgets)
    assert {name: getattr(view, name) for name in expected} == expected


def test_widget_values_and_from_widgets_are_inverse():
    view = ViewState(level="BZR", indicator=NEEDS_PER_1000, categories=("mobility",), since=JAN_1, until=JAN_31,
                     workshop="ws-7", focus="011001", compare=("011001", "011002"), facilities=("kitas",),
                     needs_layer="heat")
    values = view.widget_values()
    assert values["categories"] == ["mobility"] and values["period"] == (JAN_1, JAN_31)
    assert ViewState.from_widgets(**values) == view
    assert ViewState().widget_values()["workshop"] == "" and ViewState().widget_values()["period"] == ()


@pytest.mark.parametrize(
    "lang, default, expected",
    [
        ("de", "de", {"ebene": "BEZ"}),
        ("en", "de", {"ebene": "BEZ", "sprache": "en"}),  # opens in the language it was made in
        ("de", "en", {"ebene": "BEZ", "sprache": "de"}),
    ],
)
def test_a_link_names_the_language_unless_it_is_the_default(lang, default, expected):
    assert inventory.link_query(ViewState(level="BEZ"), lang, default) == expected


def test_link_problems_are_told_in_the_language_of_the_screen():
    parsed = state_from_query({"ebene": "KIEZ"})
    assert parsed.messages("de") == ["Unbekannte Ebene 'KIEZ'; es gilt PLR (PLR, BZR, PGR oder BEZ)."]
    assert parsed.messages("en") == ["Unknown level 'KIEZ'; showing PLR (use PLR, BZR, PGR or BEZ)."]


# --- what the map draws ------------------------------------------------------------------------


def test_berlin_need_counts_add_up_every_area_by_category(store):
    # mobility 3 + 1 + 1 = 5, housing 1 + 2 = 3 (the pending need does not count).
    counts = inventory.city_need_counts(store.counts_by_area("BEZ"))
    assert counts.to_dict() == {"housing": 3, "mobility": 5, "total": 8}
    nothing = inventory.city_need_counts(store.counts_by_area("BEZ", categories=["culture"]))
    assert int(nothing["total"]) == 0


def test_the_needs_layer_of_the_view_is_rated_per_1000_residents(store):
    needs = inventory.needs_per_1000(store.counts_by_area("BZR"), aggregate(RESIDENTS, "BZR"), "BZR")
    table = aggregate(RESIDENTS, "BZR").assign(name=["A", "B", "C"])
    layer = inventory.view_layer(NEEDS_PER_1000, table, needs, "de")
    # 011001: 5 / 4000 * 1000 = 1.25; 022002: 2 / 500 * 1000 = 4; 033003 has no residents.
    assert layer.value_text.to_dict() == {"011001": "1,25", "022002": "4,00", "033003": "keine Angabe"}
    assert layer.heading == "Bedarfe je 1.000 Einwohner"
    assert layer.attribution.endswith(inventory.NEEDS_SOURCE)
    assert layer.direction == 1 and layer.class_labels is None  # more needs = more need
    population = inventory.view_layer("population", table.assign(population=[1.0, 2.0, 3.0]), needs, "en")
    assert population.heading == INDICATORS["population"].heading("en")


def plr_points_of(*ids):
    """A stand-in for geodata.lor.representative_points with names, one point per PLR id."""
    return lambda: pd.DataFrame({"lat": [52.5] * len(ids), "lon": [13.4] * len(ids), "name": list(ids)},
                                index=pd.Index(ids, name="id"))


def must_not_load():
    raise AssertionError("the points per planning area are only loaded when the needs are aggregated")


@pytest.mark.parametrize(
    "mode, total, limit, expected",
    [
        ("off", 8, 3000, "none"),  # the layer is off: nothing to build
        ("points", 0, 3000, "none"),  # nothing matches
        ("points", 8, 3000, "points"),
        ("heat", 8, 8, "points"),  # at the limit each need is still drawn
        ("heat", 8, 7, "per_area"),
    ],
)
def test_needs_are_drawn_one_by_one_up_to_the_limit(store, mode, total, limit, expected):
    needs = inventory.needs_per_1000(store.counts_by_area("PLR"), aggregate(RESIDENTS, "PLR"), "PLR")
    points = plr_points_of(*RESIDENTS.index) if expected == "per_area" else must_not_load
    drawn = inventory.needs_to_draw(store, NeedFilters(), total=total, mode=mode, level="PLR", needs=needs,
                                    plr_points=points, limit=limit)
    assert (drawn.points is not None, drawn.per_area is not None) == (expected == "points", expected == "per_area")
    assert drawn.aggregated == (expected == "per_area")
    if expected == "points":
        assert len(drawn.points) == 8 and list(drawn.points.columns) == ["lat", "lon", "category", "title"]
        assert drawn.points["category"].value_counts().to_dict() == {"mobility": 5, "housing": 3}


@pytest.mark.parametrize("level", ["PLR", "BEZ"])
def test_aggregated_needs_are_counted_per_planning_area_at_every_level(store, level):
    # Mobility only: 3 in 01100101, 1 in 01100102, none in 02200201, 1 in 03300301, and a planning
    # area the store has never seen (04400401) still gets its circle of 0. At PLR level the view's
    # own counts are reused; at BEZ level the store counts per PLR.
    mobility = NeedFilters(categories=("mobility",))
    needs = inventory.needs_per_1000(store.counts_by_area(level, **mobility.store_kwargs()),
                                     aggregate(RESIDENTS, level), level)
    drawn = inventory.needs_to_draw(store, mobility, total=5, mode="points", level=level, needs=needs,
                                    plr_points=plr_points_of(*RESIDENTS.index, "04400401"), limit=1)
    assert drawn.per_area["count"].to_dict() == {"01100101": 3, "01100102": 1, "02200201": 0, "03300301": 1,
                                                 "04400401": 0}
    assert drawn.per_area["name"].tolist() == [*RESIDENTS.index, "04400401"]


# --- the focused area, the comparison and the exports as the page shows them -------------------


def test_an_area_is_named_with_its_id_and_no_area_is_named_too():
    table = pd.DataFrame({"name": ["Mitte"]}, index=["01"])
    assert inventory.area_title(table, "01", "de") == "Mitte (01)"
    assert (inventory.area_title(table, None, "de"), inventory.area_title(table, None, "en")) == ("— keines —", "— none —")


@pytest.mark.parametrize("lang, date_format, columns", [
    ("de", "%d.%m.%Y", ["Datum", "Kategorie", "Titel", "Unterstützungen", "Kennung"]),
    ("en", "%Y-%m-%d", ["Date", "Category", "Title", "Supports", "Reference"]),
])
def test_the_needs_of_an_area_are_listed_for_readers(store, lang, date_format, columns):
    listed = store.query(level="PLR", area_ids=["01100101"])
    table = inventory.needs_list(listed, lang)
    assert list(table.columns) == columns and len(table) == 4  # 3 mobility + 1 housing
    today = datetime.now(timezone.utc).date()
    assert set(table[columns[0]]) <= {today.strftime(date_format), (today - pd.Timedelta(days=1)).strftime(date_format)}
    assert sorted(table[columns[1]]) == sorted([CATEGORIES["mobility"].label(lang)] * 3 + [CATEGORIES["housing"].label(lang)])
    assert table[columns[4]].tolist() == [n.reference for n in listed] and table[columns[3]].tolist() == [0] * 4
    assert inventory.needs_list([], lang).columns.tolist() == columns


def test_the_source_line_of_needs_per_1000_names_needs_and_residents():
    line = inventory.needs_rate_sources("en")
    assert line.startswith("Source: Bedarfsatlas Berlin (published submissions of residents); ")
    assert "as of" in line and "Stand" not in line


@pytest.mark.parametrize(
    "key, columns, expected",
    [
        ("share_65plus", ["population", "share_under18", "share_65plus"], ["share_65plus", "population", "share_under18"]),
        ("population", ["population", "share_under18", "share_65plus"], ["population", "share_under18", "share_65plus"]),
        (NEEDS_PER_1000, ["population", "share_65plus"], ["population", "share_65plus"]),  # not a column: left out
    ],
)
def test_the_compared_indicators_start_with_the_views_own_each_once(key, columns, expected):
    assert inventory.default_compare_keys(key, columns) == expected


def test_compared_rows_are_rounded_to_their_indicators_decimals():
    keys = ["share_65plus", "population"]
    headings = [INDICATORS[k].heading("de") for k in keys]
    compared = pd.DataFrame({"A (01)": [12.8087, 6844.4, 3.0, 0.7512], "B (02)": [20.04, 1000.0, 1.0, np.nan]},
                            index=[*headings, "Bedarfe", "Bedarfe je 1.000 Einwohner"])
    assert inventory.compare_decimals(keys, "de") == {headings[0]: 1, headings[1]: 0, "Bedarfe": 0,
                                                      "Bedarfe je 1.000 Einwohner": 2}
    shown = inventory.style_compare(compared, keys, "de").to_string(delimiter=";").splitlines()
    assert shown[1:] == [f"{headings[0]};12,8;20,0", f"{headings[1]};6.844;1.000", "Bedarfe;3;1",
                         "Bedarfe je 1.000 Einwohner;0,75;"]  # a rate over nobody: an empty cell
    bars = dict(inventory.compare_bars(compared, keys, "de"))
    assert list(bars) == list(compared.index)
    assert bars[headings[0]]["value"].tolist() == [12.8, 20.0] and bars["Bedarfe je 1.000 Einwohner"].columns == ["value"]


def test_the_comparison_cites_each_source_once_and_the_needs_last():
    sources = inventory.compare_sources(["population", "share_65plus", "share_under18"], "en")
    assert sources[-1] == inventory.needs_source("en") and len(sources) == len(set(sources))
    assert sources[0] == DATASETS["population_2025"].citation("en")


@pytest.mark.parametrize("suffix", list(inventory.EXPORT_TYPES))
def test_each_export_is_named_by_its_view_and_has_a_media_type(suffix):
    assert inventory.export_file_name("BZR", "share_65plus", suffix) == f"bedarfsatlas_bzr_share_65plus.{suffix}"
    assert re.fullmatch(r"(text|image|application)/[a-z0-9.+-]+", inventory.EXPORT_TYPES[suffix])


def test_indicators_are_listed_by_their_names():
    assert inventory.indicator_label("share_65plus", "de") == INDICATORS["share_65plus"].label("de")
    assert inventory.indicator_label(NEEDS_PER_1000, "de") == "Bedarfe je 1.000 Einwohner"
