"""Indicator tables: official totals per PLR and statistically right aggregation.

Expected figures come from outside the implementation: the official Berlin
total and class counts documented in the open-data SOURCES.md, the planar and
ellipsoidal areas stated there, sums recomputed here from the PLR table, and
hand-computed small fixtures.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geodata.catalogue import DATASETS
from geodata.indicators import (

    INDICATORS,
    aggregate,
    available_indicators,
    citation,
    indicator_table,
    plr_table,
    sources,
)
from geodata.lor import load_units
from geodata.profiles.berlin.helpers import crime_counts
from core.settings import load_settings

CONFIDENTIAL_PLR = ["03400831", "06200418"]
BERLIN_POPULATION_2025 = 3_913_644
LEVEL_COUNTS = {"BZR": 143, "PGR": 58, "BEZ": 12}
ID_LENGTH = {"BZR": 6, "PGR": 4, "BEZ": 2}
RATIOS = [ind for ind in INDICATORS.values() if ind.aggregation == "ratio" and ind.base_level == "PLR"]
CRIME = [ind for ind in INDICATORS.values() if ind.base_level == "BZR"]
PLR_ONLY = [ind.key for ind in INDICATORS.values() if ind.aggregation in ("class", "none")]


@pytest.fixture(scope="module")
def plr(settings_with_data):
    """The PLR indicator table built from the real open data."""
    return plr_table(settings_with_data)


# --- the PLR table against official figures -----------------------------------------------


def test_one_row_per_official_planning_area(plr, settings_with_data):
    assert len(plr) == 542
    assert plr.index.name == "PLR_ID"
    assert list(plr.index) == sorted(load_units(settings_with_data, "PLR").index)
    assert all(isinstance(i, str) and len(i) == 8 and i.isdigit() for i in plr.index)


def test_population_matches_the_official_berlin_total(plr):
    assert plr["population"].sum() == BERLIN_POPULATION_2025


def test_confidential_planning_areas_are_missing_not_zero(plr):
    assert plr.loc[CONFIDENTIAL_PLR, "population"].isna().all()
    assert plr["population"].drop(CONFIDENTIAL_PLR).notna().all()
    assert plr.loc[CONFIDENTIAL_PLR, ["share_under6", "density", "pharmacies_per_10k"]].isna().all().all()


def test_no_sentinel_and_no_infinity_anywhere(plr, settings_with_data):
    for level in ("PLR", "BZR", "PGR", "BEZ"):
        numbers = indicator_table(settings_with_data, level).select_dtypes("number")
        assert not (numbers == -9999).any().any(), level
        assert not np.isinf(numbers.to_numpy()).any(), level


def test_mss_classes_match_the_documented_counts(plr):
    status = plr["mss_status"].value_counts(dropna=False)
    assert status.drop(np.nan).to_dict() == {1: 75, 2: 366, 3: 46, 4: 49}
    assert plr["mss_status"].isna().sum() == 6
    assert plr["mss_dynamics"].value_counts().to_dict() == {1: 48, 3: 436, 5: 52}
    # Invalid PLR (KOM) carry -9999 in every index indicator: all six are missing there too.
    assert plr["mss_unemployment"].isna().sum() == 6


def test_violence_uninhabited_class_is_missing_not_lowest(plr):
    assert plr["violence_total"].isna().sum() == 7
    assert plr["violence_total"].value_counts().to_dict() == {2: 388, 1: 100, 3: 34, 4: 13}


def test_environmental_justice_classes(plr):
    assert plr["ug_green"].isna().sum() == 2  # class 0 = no value
    assert plr["ug_social"].isna().sum() == 6
    assert not any("bahn" in c.lower() for c in plr.columns)


def test_burdened_class_is_class_three(plr):
    """The evidence behind the UG direction note: the official multiple-burden count
    equals the number of the five themes in class 3, in every PLR."""
    themes = plr[["ug_air", "ug_noise", "ug_heat", "ug_green", "ug_social"]]
    assert ((themes == 3).sum(axis=1) == plr["ug_multiple_burdens"]).all()


def test_social_disadvantage_mirrors_mss_status(plr):
    expected = plr["mss_status"].map({1: 1.0, 2: 2.0, 3: 3.0, 4: 3.0})
    pd.testing.assert_series_equal(plr["ug_social"], expected, check_names=False)


def test_area_is_ellipsoidal_not_planar(plr, settings_with_data):
    assert plr["area_km2"].sum() == pytest.approx(891.12, abs=0.05)
    planar = load_units(settings_with_data, "PLR").geometry.area / 1e6
    assert planar.sum() == pytest.approx(890.667, abs=0.005)
    # UTM scale factor at Berlin: planar/official between 0.99938 and 0.99958 (SOURCES.md).
    ratio = planar.reindex(plr.index) / plr["area_km2"]
    assert ratio.between(0.9993, 0.9996).all()


def test_facility_counts_sum_to_the_file_totals(plr):
    totals = {"kitas": 2880, "schools": 902, "youth_centres": 407, "care_homes": 274, "pharmacies": 732}
    assert {k: int(plr[k].sum()) for k in totals} == totals


def test_plr_ratios_are_numerator_over_denominator(plr):
    row = plr.loc["01100101"]
    assert row["share_under6"] == pytest.approx(row["pop_under6"] / row["population"] * 100)
    assert row["density"] == pytest.approx(row["population"] / row["area_km2"])


# --- aggregation on the real data ---------------------------------------------------------


@pytest.mark.parametrize("level", list(LEVEL_COUNTS))
def test_levels_sum_counts_and_recompute_ratios(plr, settings_with_data, level):
    table = indicator_table(settings_with_data, level)
    assert len(table) == LEVEL_COUNTS[level]
    assert table.index.name == f"{level}_ID"
    assert table["name"].notna().all() and (table["name"] != "").all()

    groups = plr.index.str.slice(0, ID_LENGTH[level])
    summed = plr.groupby(groups).sum(numeric_only=True, min_count=1)
    assert table["population"].sum() == BERLIN_POPULATION_2025
    pd.testing.assert_series_equal(table["population"], summed["population"], check_names=False,
                                   check_index=False)
    assert (table.index == summed.index).all()
    for ind in RATIOS:
        expected = summed[ind.numerator] / summed[ind.denominator].where(summed[ind.denominator] > 0)
        np.testing.assert_allclose(table[ind.key], expected * ind.factor, rtol=1e-12, err_msg=ind.key)


@pytest.mark.parametrize("level", list(LEVEL_COUNTS))
def test_class_indicators_are_never_averaged(settings_with_data, level):
    table = indicator_table(settings_with_data, level)
    assert not set(PLR_ONLY) & set(table.columns)
    assert set(available_indicators(level)) <= set(table.columns)
    for key in PLR_ONLY:
        assert key not in available_indicators(level)


def test_bezirk_density_uses_summed_population_and_area(plr, settings_with_data):
    bez = indicator_table(settings_with_data, "BEZ")
    mitte = plr[plr.index.str.startswith("01")]
    assert bez.loc["01", "density"] == pytest.approx(mitte["population"].sum() / mitte["area_km2"].sum())
    assert bez.loc["01", "name"] == "Mitte"


def test_tables_are_copies(settings_with_data):
    table = plr_table(settings_with_data)
    table.loc["01100101", "population"] = -1
    assert plr_table(settings_with_data).loc["01100101", "population"] > 0


# --- hand-computed fixtures ---------------------------------------------------------------


@pytest.fixture
def three_plr():
    """Three PLR: two in BZR 011001 (shares 50 % and 10 %), one without residents in 011002."""
    return pd.DataFrame(
        {
            "population": [100.0, 900.0, 0.0],
            "pop_under6": [50.0, 90.0, 0.0],
            "area_km2": [1.0, 3.0, 2.0],
            "mss_status": [4.0, 1.0, np.nan],
            "mss_status_very_low_share_residents": [100.0, 0.0, 0.0],
            "mss_status_very_low_share_residents_classified": [100.0, 900.0, 0.0],
        },
        index=pd.Index(["01100101", "01100102", "01100201"], name="PLR_ID"),
    )


def test_share_is_recomputed_not_the_mean_of_shares(three_plr):
    bzr = aggregate(three_plr, "BZR")
    # (50 + 90) / (100 + 900) = 14 %; the mean of the PLR shares would be (50 % + 10 %) / 2 = 30 %.
    assert bzr.loc["011001", "share_under6"] == pytest.approx(14.0)
    assert bzr.loc["011001", "density"] == pytest.approx(1000 / 4)
    assert bzr.loc["011001", "population"] == 1000
    assert aggregate(three_plr, "BEZ").loc["01", "share_under6"] == pytest.approx(14.0)


def test_area_without_residents_gives_nan_not_inf(three_plr):
    bzr = aggregate(three_plr, "BZR")
    assert math.isnan(bzr.loc["011002", "share_under6"])
    assert math.isnan(bzr.loc["011002", "mss_status_very_low_share"])
    assert bzr.loc["011002", "density"] == 0  # no residents on 2 km² is a density of 0


def test_class_becomes_a_residents_share(three_plr):
    bzr = aggregate(three_plr, "BZR")
    assert "mss_status" not in bzr.columns
    assert bzr.loc["011001", "mss_status_very_low_share"] == pytest.approx(10.0)


def test_areas_whose_plr_are_all_missing_stay_missing():
    plr = pd.DataFrame({"population": [np.nan, np.nan], "pop_under6": [np.nan, np.nan]},
                       index=pd.Index(["01100101", "01100201"], name="PLR_ID"))
    bzr = aggregate(plr, "BZR")
    assert bzr["population"].isna().all() and bzr["share_under6"].isna().all()


# --- metadata -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(INDICATORS))
def test_every_indicator_is_described(key):
    ind = INDICATORS[key]
    note_en = ind.note_text("en") or ""
    assert all(ind.label(lang) and ind.unit(lang) for lang in ("de", "en"))
    assert ind.label("de") != ind.label("en"), "the English label is a translation"
    assert ind.direction in (-1, 0, 1) or "unverified" in note_en.lower()
    if not ind.direction_verified:
        assert "not verified" in note_en or "unverified" in note_en.lower()
    assert ind.datasets and all(k in DATASETS for k in ind.datasets)
    assert [ds.key for ds in sources(key)] == list(ind.datasets)
    for ds in sources(key):
        assert ds.date_text("de") in citation(key) and ds.licence in citation(key)
        assert ds.reference_date in citation(key, "en") and ds.licence in citation(key, "en")
    if ind.aggregation == "class":
        assert ind.worst_class in ind.classes
        assert ind.classes == tuple(sorted(ind.classes))
        for lang in ("de", "en"):
            labels = ind.class_labels(lang)
            assert list(labels) == list(ind.classes) and all(labels.values())
            assert [ind.class_label(code, lang) for code in ind.classes] == list(labels.values())
        assert INDICATORS[ind.derived_share].derived_from == key
    if ind.derived_from:
        assert "Derived" in note_en
    # The UI is German first: every note is there in German too, and it is not the English text.
    assert (ind.note_text("de") is None) == (ind.note_text("en") is None) == (not ind.has_note)
    if ind.has_note:
        assert ind.note_text("de") != note_en
    if ind.derived_from:
        assert "Abgeleitet, nicht amtlich" in ind.note_text("de")
        # The derived share names its class indicator by label, not by the internal key.
        source = INDICATORS[ind.derived_from]
        assert source.label("de") in ind.note_text("de") and source.label("en") in note_en


def test_green_space_direction_is_flagged_unverified():
    green = INDICATORS["ug_green"]
    assert not green.direction_verified
    assert "Direction unverified" in green.note_text("en")


def test_every_indicator_has_a_column(plr, settings_with_data):
    assert {k for k, ind in INDICATORS.items() if ind.base_level == "PLR"} <= set(plr.columns)
    assert set(INDICATORS) - set(plr.columns) == {ind.key for ind in CRIME}
    assert {ind.key for ind in CRIME} <= set(indicator_table(settings_with_data, "BZR").columns)
    for ind in RATIOS:
        assert {ind.numerator, ind.denominator} <= set(plr.columns), ind.key


def test_parquet_cache_is_written_whole(settings_with_data, tmp_path):
    (tmp_path / "opendata").symlink_to(settings_with_data.raw_dir.resolve())
    settings = load_settings({"BEDARFSATLAS_DATA_DIR": str(tmp_path)})
    table = plr_table(settings)
    written = list((tmp_path / "cache").iterdir())
    assert [p.suffix for p in written] == [".parquet"]
    pd.testing.assert_frame_equal(pd.read_parquet(written[0]), table)


def test_text_in_a_number_column_names_the_value_and_the_area():
    from geodata.fetch import DataError
    from geodata.profiles.berlin.helpers import _numbers

    column = pd.Series(["12", "", "-9999", "zwölf"], index=["a", "b", "c", "01100104"], name="E_E")
    with pytest.raises(DataError, match=r"'E_E': 'zwölf' \(PLR 01100104\)"):
        _numbers(column)
    assert _numbers(column.iloc[:3]).tolist()[0] == 12.0
    assert _numbers(column.iloc[:3]).iloc[1:].isna().all()


# --- the crime atlas: per Bezirksregion, summed upwards ----------------------------------------


def test_crime_atlas_starts_at_bzr_and_reproduces_the_published_frequency_numbers(settings_with_data):
    assert len(CRIME) == 5 and all(ind.levels == ("BZR", "PGR", "BEZ") for ind in CRIME)
    assert not any(ind.key in available_indicators("PLR") for ind in CRIME)
    assert not any(ind.key in indicator_table(settings_with_data, "PLR").columns for ind in CRIME)
    raw = pd.read_csv(settings_with_data.raw_dir / DATASETS["crime_atlas_rates"].filename, dtype={"id": str})
    published = raw.set_index("id")
    bzr = indicator_table(settings_with_data, "BZR")
    assert len(crime_counts(settings_with_data)) == 143
    for ind in CRIME:
        column = ind.numerator.removeprefix("crime_")
        official = published.loc[bzr.index, column].astype(float)
        ours = bzr[ind.key]
        # Recomputed from the cases and the police's basis (offences / frequency * 100,000): the
        # published numbers are rounded to whole numbers.
        assert ours.notna().sum() >= 140
        np.testing.assert_allclose(ours[ours.notna()], official[ours.notna()], rtol=2e-4, atol=1.0, err_msg=ind.key)


@pytest.mark.parametrize("level", ["PGR", "BEZ"])
def test_crime_rates_of_coarser_levels_come_from_summed_cases_and_bases(settings_with_data, level):
    crime = crime_counts(settings_with_data)
    groups = crime.index.str.slice(0, ID_LENGTH[level])
    summed = crime.groupby(groups).sum(min_count=1)
    table = indicator_table(settings_with_data, level)
    for ind in CRIME:
        expected = summed[ind.numerator] / summed[ind.denominator] * 100_000
        np.testing.assert_allclose(table[ind.key].loc[summed.index], expected, rtol=1e-12, err_msg=ind.key)
    # Not the mean of the Bezirksregionen's rates: Mitte's rate weighs each BZR by its residents.
    bzr = indicator_table(settings_with_data, "BZR")
    mean_of_rates = bzr["crime_offences_per_100k"].groupby(bzr.index.str.slice(0, ID_LENGTH[level])).mean()
    assert not np.allclose(table["crime_offences_per_100k"].loc[mean_of_rates.index], mean_of_rates)


def test_unplaced_offences_are_left_out_and_unknown_bzr_ids_are_refused(settings_with_data, tmp_path):
    from geodata.fetch import DataError

    crime = crime_counts(settings_with_data)
    raw = pd.read_csv(settings_with_data.raw_dir / DATASETS["crime_atlas_cases"].filename, dtype={"id": str})
    assert crime["crime_offences"].sum() == raw.loc[~raw["id"].str.endswith("9900"), "offences"].sum()
    assert raw["offences"].sum() == 480_270  # SOURCES.md: all rows, the unplaced ones included

    # A file of another LOR system (an id that is not a Bezirksregion of LOR 2021) is refused by name.
    import shutil
    from dataclasses import replace

    folder = tmp_path / "opendata"
    shutil.copytree(settings_with_data.raw_dir, folder)
    broken = raw.copy()
    broken.loc[0, "id"] = "011099"
    broken.to_csv(folder / DATASETS["crime_atlas_cases"].filename, index=False)
    with pytest.raises(DataError, match=r"crime atlas: Bezirksregion ids do not match .*011099"):
        crime_counts(replace(settings_with_data, data_dir=tmp_path))
