"""The assessment's tables and the report's filters, on hand-made assessments (no open data).

What /bewertung shows moved out of the page into :mod:`assessment.analysis.tables`
and :mod:`assessment.analysis.report`; every expected row, word and number here
is written out by hand from the small frames below.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from assessment.analysis.assess import Assessment
from assessment.analysis.report import outreach_areas, report_stem, significant_hotspots
from assessment.analysis.tables import (
    area_label,
    explain_area,
    explanation,
    hotspot_rows,
    hotspot_texts,
    ranking_rows,
    score_texts,
    sources_line,
    unheard_rows,
)
from maps.charts import contribution_bars
from geodata.lor import get_level

IDS = ["011001", "011002", "011003", "011004"]
NAMES = pd.Series(["Tiergarten Süd", "Regierungsviertel", "Alexanderplatz", "Brunnenstraße Süd"], index=IDS)


def assessment(*, scores=None, contributions=None, hotspots=None, unheard=None, components=()) -> Assessment:
    """An Assessment with only the parts a test reads (the index is a stand-in)."""
    index = SimpleNamespace(scores=scores, contributions=contributions, components=components)
    return Assessment(level="BZR", preset=None, index=index, hotspots=hotspots, unheard=unheard,
                      parameters={"alpha": 0.05})


# --- the ranked table ----------------------------------------------------------------------------


def ranking_frame(**extra) -> pd.DataFrame:
    frame = pd.DataFrame({
        "rank": pd.array([1, 2, pd.NA, pd.NA], dtype="Int64"),
        "name": NAMES.tolist(),
        "score": [87.26, 40.0, 12.34, np.nan],
        "status": ["ranked", "ranked", "incomplete", "too_few"],
        "rank_low": pd.array([1, 1, pd.NA, pd.NA], dtype="Int64"),
        "rank_high": pd.array([2, 3, pd.NA, pd.NA], dtype="Int64"),
        "top_n_not_robust": pd.array([False, True, pd.NA, pd.NA], dtype="boolean"),
        "hotspot": ["hot", "not_significant", "cold", "no_value"],
    }, index=IDS)
    return frame.assign(**extra)


def test_ranking_rows_in_german_with_notes_intervals_and_hotspots():
    rows = ranking_rows(ranking_frame(burdens=[3.0, 1.0, 0.0, np.nan]), "de")
    assert list(rows.columns) == ["Rang", "Name", "Punktzahl", "Rangintervall", "Hinweis", "Mehrfachbelastung",
                                  "Hotspot"]
    assert list(rows.index) == IDS
    assert rows["Punktzahl"].tolist()[:3] == [87.3, 40.0, 12.3]  # one decimal
    assert rows["Rangintervall"].tolist() == ["1–2", "1–3", "", ""]
    assert rows["Hinweis"].tolist() == ["", "Rang nicht robust", "unvollständig", "zu wenige Daten"]
    assert rows["Hotspot"].tolist() == ["Hotspot", "nicht signifikant", "Coldspot", "kein Wert"]
    assert rows["Mehrfachbelastung"].tolist()[:3] == [3.0, 1.0, 0.0]


def test_ranking_rows_without_the_burden_step_keep_an_empty_burden_column_in_english():
    rows = ranking_rows(ranking_frame(), "en")
    assert list(rows.columns) == ["Rank", "Name", "Score", "Rank interval", "Note", "Multiple burden", "Hotspot"]
    assert rows["Multiple burden"].isna().all()
    assert rows["Note"].tolist() == ["", "rank not robust", "incomplete", "too few"]


# --- one area explained --------------------------------------------------------------------------

SCORES = pd.DataFrame({"score": [75.0, np.nan, 20.0], "status": ["ranked", "too_few", "ranked"]},
                      index=IDS[:3])
CONTRIBUTIONS = pd.DataFrame({"mss_status_low_share": [50.0, np.nan, np.nan],
                              "pharmacies_per_10k": [25.0, np.nan, np.nan]}, index=IDS[:3])


@pytest.mark.parametrize(("area", "expected"), [
    (IDS[0], {"Share of residents in PLR with MSS status low or very low": 50.0,
              "Pharmacies per 10,000 residents": 25.0}),
    (IDS[1], None),  # too few residents: nothing to explain
    (IDS[2], None),  # scored, but no indicator has a value there
])
def test_explanation_names_each_contribution_or_says_there_is_none(area, expected):
    result = explanation(assessment(scores=SCORES, contributions=CONTRIBUTIONS), area, "en")
    assert (None if result is None else result.to_dict()) == expected


def test_contribution_bars_keep_the_order_and_the_full_names():
    contributions = pd.Series([50.0, 25.0], index=["Anteil Einwohner in PLR mit MSS-Status niedrig", "Apotheken"])
    spec = contribution_bars(contributions, "Beitrag zur Punktzahl").to_dict()
    [data] = spec["datasets"].values()
    assert data == [{"indicator": "Anteil Einwohner in PLR mit MSS-Status niedrig", "value": 50.0},
                    {"indicator": "Apotheken", "value": 25.0}]
    assert spec["encoding"]["y"]["sort"] is None and spec["encoding"]["x"]["title"] == "Beitrag zur Punktzahl"


def test_the_map_tooltips_say_each_value_in_the_interface_language():
    result = assessment(scores=SCORES, hotspots=pd.DataFrame({"q": [0.0123, np.nan, 0.5]}, index=IDS[:3]))
    assert score_texts(result, "de").tolist() == ["75,0", "zu wenige Daten", "20,0"]
    assert score_texts(result, "en").tolist() == ["75.0", "too few", "20.0"]
    assert hotspot_texts(result, "de").tolist() == ["q = 0,012", "", "q = 0,500"]


def test_area_label_and_sources_line():
    assert area_label(NAMES, IDS[0]) == "Tiergarten Süd (011001)"
    assert area_label(NAMES, "099999") == "099999 (099999)"
    cited = assessment(components=(SimpleNamespace(key="share_under6"), SimpleNamespace(key="needs_per_1000")))
    line = sources_line(cited, "de")
    # One official indicator (needs rates are no official data), then the residents' needs.
    assert line.count("; ") == 1 and line.startswith("Anteil Kinder unter 6 Jahren: Amt für Statistik")
    assert line.endswith("Bedarfe: Bedarfsatlas Berlin (veröffentlichte Meldungen)")


# --- hotspots: the report's filter and the page's table -------------------------------------------

HOTSPOTS = pd.DataFrame({
    "z": [3.456, -2.5, 0.4, np.nan, 2.9],
    "q": [0.004, 0.03, 0.6, np.nan, 0.04],
    "class": ["hot", "cold", "not_significant", "no_value", "high_low"],
}, index=[*IDS, "011005"])


def test_significant_hotspots_are_hot_cold_and_the_outliers():
    assert list(significant_hotspots(assessment(hotspots=HOTSPOTS)).index) == ["011001", "011002", "011005"]


def test_hotspot_rows_name_class_and_significance():
    rows = hotspot_rows(assessment(hotspots=HOTSPOTS), NAMES, "de")
    assert list(rows.columns) == ["Name", "Hotspot", "z", "q"]
    assert rows.to_dict("index") == {
        "011001": {"Name": "Tiergarten Süd", "Hotspot": "Hotspot (q ≤ 0,01)", "z": 3.46, "q": 0.004},
        "011002": {"Name": "Regierungsviertel", "Hotspot": "Coldspot (q ≤ 0,05)", "z": -2.5, "q": 0.03},
        # 011005 has no name in this level's table: the name stays empty, the row stays.
        "011005": {"Name": np.nan, "Hotspot": "hoch inmitten niedriger Werte", "z": 2.9, "q": 0.04},
    }


# --- unheard areas: the report's filter and the page's table --------------------------------------


def unheard(needs, outreach) -> pd.DataFrame:
    return pd.DataFrame({"needs": needs, "expected": [12.345, 8.0, 5.54, 2.0], "low_status_share": [62.4, 10.0, 55.6, 0.0],
                         "outreach": outreach}, index=IDS)


@pytest.mark.parametrize(("frame", "listed"), [
    (None, None),  # no unheard-areas step at all
    (unheard([0.0, 0.0, 0.0, 0.0], ["heard", "heard", "heard", "too_few"]), []),
    (unheard([1.0, 9.0, 0.0, 3.0], ["unheard_low_status", "heard", "unheard", "too_few"]), ["011001", "011003"]),
    # Without any need anywhere nobody is heard less than another: nothing to list, whatever the classes say.
    (unheard([0.0, 0.0, 0.0, 0.0], ["unheard_low_status", "heard", "unheard", "too_few"]), []),
])
def test_outreach_areas(frame, listed):
    found = outreach_areas(assessment(unheard=frame))
    assert (None if found is None else list(found.index)) == listed


def test_unheard_rows_say_who_to_reach_or_none():
    assert unheard_rows(assessment(unheard=None), NAMES, "de") is None
    assert unheard_rows(assessment(unheard=unheard([0.0] * 4, ["unheard"] * 4)), NAMES, "de") is None
    rows = unheard_rows(assessment(unheard=unheard([1.0, 9.0, 0.0, 3.0],
                                                   ["unheard_low_status", "heard", "unheard", "too_few"])), NAMES, "en")
    assert rows.to_dict("index") == {
        "011001": {"Name": "Tiergarten Süd", "Participation": "unheard, low status", "Needs": 1.0,
                   "expected": 12.3, "Share MSS low (%)": 62.0},
        "011003": {"Name": "Alexanderplatz", "Participation": "unheard", "Needs": 0.0, "expected": 5.5,
                   "Share MSS low (%)": 56.0},
    }


def test_the_report_file_is_named_by_level_and_fingerprint():
    fake = SimpleNamespace(level=get_level("BZR"), fingerprint=lambda: "0123456789abcdef" * 4)
    assert report_stem(fake) == "bestandsaufnahme_BZR_01234567"


# --- one area's score, followed by hand ------------------------------------------------------------

FIVE = ["011001", "011002", "011003", "011004", "011005"]


def explained_index(method: str = "rank", pharmacies=(3.0, 2.0, 2.0, 1.0, 0.5), population=(900.0,) * 5) -> Assessment:
    """Five areas, children under 6 (more need if higher, weight 3) and pharmacies (less need if higher, weight 1).

    Percentile ranks by hand: children 4, 6, 8, 10, 12 % give 0, 25, 50, 75, 100; pharmacies
    3, 2, 2, 1, 0,5 oriented (x -1) give average ranks 1, 2,5, 2,5, 4, 5, so 0, 37,5, 37,5, 75, 100.
    """
    from assessment.analysis.priority import priority_index

    table = pd.DataFrame({"population": list(population), "share_under6": [4.0, 6.0, 8.0, 10.0, 12.0],
                          "pharmacies_per_10k": list(pharmacies)}, index=FIVE)
    index = priority_index(table, [("share_under6", 1, 3), ("pharmacies_per_10k", -1, 1)], method=method)
    return Assessment(level="BZR", preset=None, index=index)


CHILDREN_DE, PHARMACIES_DE = "Anteil Kinder unter 6 Jahren", "Apotheken je 10.000 Einwohner"
COLUMNS_DE = ["Wert", "Perzentilrang (0–100)", "Richtung", "Gewicht", "Anteil am Gewicht", "Beitrag zur Punktzahl"]


def test_the_explanation_shows_what_the_score_of_46_9_rests_on():
    # 011003: 3/4 x 50 + 1/4 x 37,5 = 37,5 + 9,375 = 46,875 (46,9 in the ranking).
    explained = explain_area(explained_index(), "011003", "de", names=dict(zip(FIVE, "ABCDE")))
    assert explained.rows.index.name == "Indikator"
    assert list(explained.rows.columns) == COLUMNS_DE
    assert explained.rows.to_dict("index") == {
        CHILDREN_DE: dict(zip(COLUMNS_DE, ["8,0 %", "50,00", "höher = mehr Bedarf", "3", "75 %", "37,50"])),
        PHARMACIES_DE: dict(zip(COLUMNS_DE, ["2,0 je 10.000", "37,50", "höher = weniger Bedarf", "1", "25 %",
                                             "9,38"])),
    }
    assert explained.total == "Die Beiträge ergeben zusammen die Punktzahl: 37,50 + 9,38 = 46,88."
    assert explained.title == ("Punktzahl von C (011003) je Indikator: Wert, normierter Wert, Richtung, Gewicht und "
                               "Beitrag")
    assert "Spalte „Perzentilrang (0–100)“" in explained.how and "Beitrag = Anteil am Gewicht × normierter Wert" in \
        explained.how
    assert explained.missing == ""
    # The chart keeps the unrounded contributions.
    assert explained.contributions.to_dict() == {CHILDREN_DE: 37.5, PHARMACIES_DE: 9.375}


def test_when_rounded_contributions_miss_the_score_the_explanation_says_so():
    # 011002: 3/4 x 25 + 1/4 x 37,5 = 18,75 + 9,375 = 28,125; rounded 18,75 + 9,38 = 28,13, not 28,12
    # (a half rounds to the even digit).
    explained = explain_area(explained_index(), "011002", "de")
    assert explained.total == (
        "Die Beiträge ergeben zusammen die Punktzahl: 18,75 + 9,38 = 28,12. Die gerundeten Beiträge weichen in der "
        "Summe um 0,01 ab; ungerundet ergeben sie die Punktzahl genau.")


def test_an_indicator_without_a_value_shows_no_contribution_and_the_others_carry_the_weight():
    # 011005 has no pharmacy value: children alone carry the whole weight (3 / 3), 100 x 100 % = 100.
    explained = explain_area(explained_index(pharmacies=(3.0, 2.0, 2.0, 1.0, None)), "011005", "de")
    assert explained.rows.loc[CHILDREN_DE].tolist() == ["12,0 %", "100,00", "höher = mehr Bedarf", "3", "100 %",
                                                        "100,00"]
    assert explained.rows.loc[PHARMACIES_DE].tolist() == ["keine Angabe", "–", "höher = weniger Bedarf", "1", "–", "–"]
    assert explained.total == "Die Beiträge ergeben zusammen die Punktzahl: 100,00 = 100,00."
    assert explained.missing == "Ohne Wert in diesem Gebiet und daher ohne Beitrag: Apotheken je 10.000 Einwohner."


def test_min_max_values_in_english():
    # 011003: children (8 - 4) / (12 - 4) = 50; pharmacies oriented (-2 - -3) / (-0,5 - -3) = 40.
    # 3/4 x 50 + 1/4 x 40 = 37,5 + 10 = 47,5.
    explained = explain_area(explained_index("minmax"), "011003", "en")
    assert list(explained.rows.columns) == ["Value", "Min-max value (0–100)", "Direction", "Weight",
                                            "Share of the weights", "Contribution to the score"]
    assert explained.rows.loc["Pharmacies per 10,000 residents"].tolist() == [
        "2.0 per 10,000", "40.00", "higher = less need", "1", "25 %", "10.00"]
    assert explained.total == "The contributions add up to the score: 37.50 + 10.00 = 47.50."


def test_z_scores_get_three_decimals_and_a_negative_contribution_is_subtracted():
    # Children: mean 8, population standard deviation sqrt(40 / 5) = 2,8284; 011002: (6 - 8) / 2,8284 = -0,7071.
    # Pharmacies oriented -3, -2, -2, -1, -0,5: mean -1,7, sd sqrt(3,8 / 5) = 0,8718; 011002: -0,3 / 0,8718 = -0,3441.
    # 3/4 x -0,7071 + 1/4 x -0,3441 = -0,5303 - 0,0860 = -0,6164.
    explained = explain_area(explained_index("zscore"), "011002", "de")
    assert explained.rows["z-Wert"].tolist() == ["−0,707", "−0,344"]
    assert explained.rows["Beitrag zur Punktzahl"].tolist() == ["−0,530", "−0,086"]
    assert explained.total == "Die Beiträge ergeben zusammen die Punktzahl: −0,530 − 0,086 = −0,616."


def test_an_area_with_too_few_residents_has_no_explanation():
    result = explained_index(population=(120.0, 900.0, 900.0, 900.0, 900.0))  # below the 300 of the minimum rule
    assert explain_area(result, "011001", "de") is None
    assert explain_area(result, "011002", "de") is not None
