"""The priority index: normalisation, direction, weights, contributions, missing values,
the minimum rule, presets and the multiple-burden count.

Fixtures are built in code and small enough to compute by hand (the expected numbers
in each test are worked out in its comment); two tests run the whole assessment on the
real open data at PLR and BZR level with a synthetic needs-count frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assessment.analysis.assess import assess
from assessment.analysis.presets import PRESETS, get_preset
from assessment.analysis.priority import (
    Component, as_components, eligible_areas, multiple_burden, normalise, priority_index,
)
from assessment.analysis.smoothing import needs_keys, needs_per_1000
from assessment.needs.taxonomy import category_ids
from geodata.indicators import INDICATORS, available_indicators, indicator_table
from geodata.lor import LEVEL_ORDER, load_units

IDS = ["a", "b", "c", "d"]


def _table(**columns) -> pd.DataFrame:
    """A four-area indicator table with 1,000 residents each unless given."""
    columns.setdefault("population", [1000.0] * 4)
    return pd.DataFrame(columns, index=IDS)


# --- normalisation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # ranks 1, 2.5, 2.5, 4 (ties share the average) -> (r - 1) / 3 x 100
        ("rank", [0.0, 50.0, 50.0, 100.0]),
        # (x - 1) / (5 - 1) x 100
        ("minmax", [0.0, 50.0, 50.0, 100.0]),
        # mean 3, population standard deviation sqrt((4 + 0 + 0 + 4) / 4) = sqrt(2)
        ("zscore", [-(2**0.5), 0.0, 0.0, 2**0.5]),
    ],
)
def test_normalise_each_method_by_hand(method, expected):
    values = pd.DataFrame({"x": [1.0, 3.0, 3.0, 5.0]})
    np.testing.assert_allclose(normalise(values, method)["x"], expected)


@pytest.mark.parametrize(("method", "neutral"), [("rank", 50.0), ("minmax", 50.0), ("zscore", 0.0)])
def test_a_constant_indicator_is_neutral_and_missing_stays_missing(method, neutral):
    values = pd.DataFrame({"flat": [3.0, 3.0, np.nan], "x": [1.0, np.nan, 3.0]})
    out = normalise(values, method)
    assert out["flat"].iloc[:2].tolist() == [neutral, neutral]
    assert out["flat"].isna().tolist() == [False, False, True]
    assert out["x"].isna().tolist() == [False, True, False]


def test_unknown_normalisation_names_the_choices():
    with pytest.raises(ValueError, match="'median'.*|.*rank"):
        normalise(pd.DataFrame({"x": [1.0]}), "median")


# --- direction and weights ------------------------------------------------------------


def test_direction_minus_one_reverses_the_order():
    # Kita places per 100 children: more places = less need.
    table = _table(kita_places_per_100_under6=[10.0, 40.0, 20.0, 30.0])
    index = priority_index(table, [("kita_places_per_100_under6", None, 1)], method="rank",
                           min_residents=0)
    assert index.components[0].direction == -1  # taken from the catalogue
    assert index.scores["rank"].tolist() == [1, 4, 2, 3]
    flipped = priority_index(table, [("kita_places_per_100_under6", 1, 1)], method="rank", min_residents=0)
    assert flipped.scores["rank"].tolist() == [4, 1, 3, 2]


def _two_indicators() -> pd.DataFrame:
    # x (+1): minmax 0, 25, 50, 100; y (-1): oriented 0, -2, -8, -10 -> minmax 100, 80, 20, 0
    return _table(x=[0.0, 10.0, 20.0, 40.0], y=[0.0, 2.0, 8.0, 10.0])


def test_weights_give_the_hand_computed_scores_and_contributions():
    index = priority_index(_two_indicators(), [("x", 1, 1), ("y", -1, 3)], method="minmax")
    # a: (0 x 1 + 100 x 3) / 4 = 75; b: (25 + 240) / 4 = 66.25; c: (50 + 60) / 4 = 27.5; d: 100 / 4 = 25
    np.testing.assert_allclose(index.scores["score"], [75.0, 66.25, 27.5, 25.0])
    np.testing.assert_allclose(index.contributions.loc["b"], [6.25, 60.0])
    assert index.scores["rank"].tolist() == [1, 2, 3, 4]


def test_changing_a_weight_changes_the_ranking_as_predicted():
    # Swapping the weights to x:3, y:1 gives a: 100/4 = 25, b: (75 + 80)/4 = 38.75,
    # c: (150 + 20)/4 = 42.5, d: 300/4 = 75: the order turns round completely.
    index = priority_index(_two_indicators(), [("x", 1, 3), ("y", -1, 1)], method="minmax")
    np.testing.assert_allclose(index.scores["score"], [25.0, 38.75, 42.5, 75.0])
    assert index.scores["rank"].tolist() == [4, 3, 2, 1]


def test_only_the_ratio_of_weights_matters():
    small = priority_index(_two_indicators(), [("x", 1, 1), ("y", -1, 3)], method="zscore")
    large = priority_index(_two_indicators(), [("x", 1, 10), ("y", -1, 30)], method="zscore")
    np.testing.assert_allclose(small.scores["score"], large.scores["score"])


@pytest.mark.parametrize("method", ["rank", "zscore", "minmax"])
def test_contributions_add_up_to_the_score_exactly(method):
    rng = np.random.default_rng(5)
    table = pd.DataFrame(rng.normal(size=(40, 5)), columns=list("pqrst"))
    table = table.mask(rng.random(table.shape) < 0.1)
    table["population"] = 1000.0
    spec = [(k, 1 if i % 2 else -1, w) for i, (k, w) in enumerate(zip("pqrst", [1, 2, 0.5, 3, 1]))]
    index = priority_index(table, spec, method=method, max_missing_share=0.9)
    scored = index.scores["score"].notna()
    assert scored.all()
    assert (index.contributions.sum(axis=1) == index.scores["score"]).all()


def test_a_zero_weight_contributes_nothing_and_its_gaps_do_not_count():
    table = _two_indicators()
    table.loc["a", "y"] = np.nan
    index = priority_index(table, [("x", 1, 1), ("y", -1, 0)], method="minmax")
    assert index.scores.loc["a", "missing_share"] == 0.0
    assert index.scores.loc["a", "status"] == "ranked"
    assert (index.contributions["y"].dropna() == 0).all()


# --- missing values and the minimum rule ---------------------------------------------


def test_missing_values_renormalise_the_weights_and_flag_the_area():
    table = _two_indicators()
    table.loc["b", "y"] = np.nan  # lacks 1 of 4 weight units: 25 %, still ranked
    table.loc["c", "x"] = np.nan  # lacks 3 of 4: incomplete
    index = priority_index(table, [("x", 1, 3), ("y", -1, 1)], method="minmax",
                           max_missing_share=0.25)
    scores = index.scores
    # b keeps only x, whose minmax over a, b, d (0, 10, 40) is 25.
    assert scores.loc["b", "score"] == pytest.approx(25.0)
    assert scores.loc["b", "status"] == "ranked"
    assert scores.loc["b", "missing_share"] == pytest.approx(0.25)
    # c keeps only y: oriented 0, -2, -8, -10 over all four -> 20.
    assert scores.loc["c", "score"] == pytest.approx(20.0)
    assert scores.loc["c", "status"] == "incomplete"
    assert pd.isna(scores.loc["c", "rank"])
    # a: x 0 (over a, b, d), y 100 (over a, c, d) -> (0 x 3 + 100 x 1) / 4 = 25, tied with b;
    # d: (100 x 3 + 0) / 4 = 75. Equal scores share the better rank.
    assert scores["rank"].dropna().tolist() == [2, 2, 1]
    assert np.isnan(index.contributions.loc["b", "y"])


def test_too_few_residents_are_not_scored_and_not_normalised_against():
    table = _table(x=[0.0, 10.0, 1000.0, 20.0], population=[1000.0, 1000.0, 299.0, np.nan])
    index = priority_index(table, [("x", 1, 1)], method="minmax", min_residents=300)
    assert index.scores["status"].tolist() == ["ranked", "ranked", "too_few", "too_few"]
    # The 299-resident outlier does not stretch the scale: a and b span 0..100 alone.
    assert index.scores["score"].tolist()[:2] == [0.0, 100.0]
    assert index.scores["score"].iloc[2:].isna().all()
    assert index.contributions.loc[["c", "d"]].isna().all().all()


def test_min_needs_applies_to_the_categories_the_spec_uses():
    table = _table(x=[1.0, 2.0, 3.0, 4.0])
    counts = pd.DataFrame({"mobility": [10, 10, 1, 10], "housing": [0, 0, 50, 1]}, index=IDS)
    spec = [("x", 1, 1), ("needs_per_1000_mobility", 1, 1)]
    needs = needs_per_1000(counts, table["population"])
    index = priority_index(table, spec, needs=needs, needs_counts=counts, min_needs=5)
    # c has 51 needs in all, but only 1 about mobility: too few for a mobility rate.
    assert index.scores["status"].tolist() == ["ranked", "ranked", "too_few", "ranked"]
    without_needs = priority_index(table, [("x", 1, 1)], needs=needs, needs_counts=counts, min_needs=5)
    assert (without_needs.scores["status"] == "ranked").all()


def test_eligible_areas_minimums_are_inclusive():
    assert eligible_areas(pd.Series([300.0]), pd.Series([5]), min_residents=300, min_needs=5).tolist() == [True]


# --- spec errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ([("nonsense", None, 1)], KeyError, "unknown indicator 'nonsense'"),
        ([("density", None, 1)], ValueError, "density.*no need direction"),
        ([("share_under6", 2, 1)], ValueError, "must be \\+1 or -1, got 2"),
        ([("share_under6", 1, -1)], ValueError, "weight of 'share_under6'.*>= 0, got -1"),
        ([("share_under6", 1, 1), ("share_under6", 1, 2)], ValueError, "twice.*share_under6"),
        ([("share_under6", 1, 0)], ValueError, "all weights are 0"),
        ([], ValueError, "empty"),
    ],
)
def test_bad_specs_name_the_value_and_the_fix(spec, error, message):
    with pytest.raises(error, match=message):
        as_components(spec)


def test_a_class_indicator_at_a_coarser_level_points_to_its_share():
    table = _table(mss_status_low_share=[0.0, 50.0, 100.0, 20.0])
    with pytest.raises(KeyError, match="PLR level only.*mss_status_low_share"):
        priority_index(table, [("mss_status", 1, 1)])


def test_an_indicator_missing_from_the_table_is_named():
    with pytest.raises(KeyError, match="'x_unknown' is not in the indicator table"):
        priority_index(_table(x=[1.0] * 4), [("x_unknown", 1, 1)])


def test_needs_rates_without_counts_are_refused():
    with pytest.raises(ValueError, match="needs_counts"):
        priority_index(_table(x=[1.0] * 4), [("needs_per_1000", 1, 1)])


# --- presets --------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVEL_ORDER)
@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_resolves_to_indicators_of_the_level(name, level):
    components, notes = get_preset(name).components(level)
    available = set(available_indicators(level)) | set(needs_keys())
    assert {c.key for c in components} <= available
    assert all(c.direction in (1, -1) and c.weight > 0 for c in components)
    if level == "PLR":
        assert notes == []


def test_the_method_text_names_weights_directions_and_unverified_directions():
    table = _table(ug_green=[1.0, 2.0, 3.0, 3.0], pharmacies_per_10k=[1.0, 2.0, 3.0, 4.0])
    text = priority_index(table, [("ug_green", None, 1), ("pharmacies_per_10k", None, 3)]).describe("en")
    assert "Pharmacies per 10,000 residents (higher = less need, weight 75 %)" in text
    assert "not stated by the publisher: Green-space provision (environmental justice)." in text
    assert "fewer than 300 residents are marked" in text


def test_unknown_preset_lists_the_presets():
    with pytest.raises(KeyError, match="social, environment, participation, balanced"):
        get_preset("green")


# --- multiple burden ------------------------------------------------------------------


def test_multiple_burden_counts_worst_classes_and_worst_thirds():
    table = pd.DataFrame(
        {
            "ug_noise": [3.0, 1.0, 3.0, np.nan, 2.0, 3.0],  # class 3 is the worst class
            # pharmacies: fewer = more need; the worst third of 6 areas are the 2 lowest
            "pharmacies_per_10k": [0.5, 4.0, 3.0, 1.0, 5.0, 6.0],
        },
        index=list("uvwxyz"),
    )
    burden = multiple_burden(table, ["ug_noise", "pharmacies_per_10k"])
    assert burden["burdens"].tolist() == [2, 0, 1, 1, 0, 1]
    assert burden["assessed"].tolist() == [2, 2, 2, 1, 2, 2]
    assert burden["pharmacies_per_10k"].tolist() == [True, False, False, True, False, False]


def test_multiple_burden_refuses_context_indicators():
    with pytest.raises(ValueError, match="no need direction"):
        multiple_burden(pd.DataFrame({"density": [1.0, 2.0]}), ["density"])


def test_multiple_burden_equals_the_official_count_at_plr(settings_with_data):
    """The UG file's 'Anzahl der Mehrfachbelastungen' = number of its five themes in class 3."""
    table = indicator_table(settings_with_data, "PLR")
    themes = ["ug_air", "ug_noise", "ug_heat", "ug_green", "ug_social"]
    burden = multiple_burden(table, themes)
    assert len(burden) == 542
    pd.testing.assert_series_equal(
        burden["burdens"].astype(float), table["ug_multiple_burdens"].astype(float), check_names=False
    )
    assert all(INDICATORS[k].worst_class == 3 for k in themes)


# --- the whole assessment on the real data ---------------------------------------------


def _synthetic_counts(table: pd.DataFrame, total: int, seed: int) -> pd.DataFrame:
    """Needs counts in proportion to residents, with extra-Poisson variation, 12 categories."""
    rng = np.random.default_rng(seed)
    pop = table["population"].fillna(0).to_numpy()
    expected = pop / pop.sum() * total * rng.gamma(4.0, 0.25, len(pop))
    shares = rng.dirichlet(np.ones(12), len(pop))
    return pd.DataFrame(rng.poisson(expected[:, None] * shares), index=table.index, columns=category_ids())


@pytest.mark.parametrize("level", ["PLR", "BZR"])
def test_assessment_on_the_real_data(settings_with_data, level):
    table = indicator_table(settings_with_data, level)
    units = load_units(settings_with_data, level)
    counts = _synthetic_counts(table, 20_000, seed=3)
    result = assess(table, "balanced", level=level, needs_counts=counts, units=units, draws=200,
                    permutations=199)
    scores = result.index.scores
    assert len(scores) == len(table)
    # Contributions explain every score.
    scored = scores["score"].notna()
    assert (result.index.contributions[scored].sum(axis=1) == scores.loc[scored, "score"]).all()
    # The minimum rule: no area under 300 residents (or with unknown residents) is scored.
    small = ~(table["population"] >= 300)
    assert (scores.loc[small, "status"] == "too_few").all()
    if level == "PLR":
        assert {"03400831", "06200418"} <= set(scores.index[scores["status"] == "too_few"])
    # Ranks are 1..n over the ranked areas, and the rank interval holds the rank.
    ranked = scores[scores["status"] == "ranked"]
    assert ranked["rank"].min() == 1 and ranked["rank"].max() <= len(ranked)
    robust = result.robustness
    assert (robust["rank_low"] <= robust["rank"]).all() and (robust["rank"] <= robust["rank_high"]).all()
    # Unheard: expected needs add up to the observed needs of the areas that take part.
    unheard = result.unheard
    part = unheard["outreach"] != "too_few"
    assert unheard.loc[part, "expected"].sum() == pytest.approx(unheard.loc[part, "needs"].sum())
    assert set(result.hotspots["class"]) <= {"hot", "cold", "not_significant", "no_value"}
    assert (result.hotspots.loc[~scored, "class"] == "no_value").all()
    text = result.describe("de")
    assert "Perzentilrang" in text and "Gi*" in text and "Benjamini-Hochberg" in text
    assert any("dl-de" in line or "CC BY" in line for line in result.sources())
    table_view = result.table()
    assert table_view["rank"].iloc[0] == 1


@pytest.mark.parametrize("level", ["PLR", "BZR"])
def test_a_dominant_weight_reproduces_that_indicators_ranking(settings_with_data, level):
    """Predicted effect of a weight change on the real data: when one indicator outweighs the
    rest a thousandfold, the index ranks areas as that indicator alone does."""
    table = indicator_table(settings_with_data, level)
    key = "pharmacies_per_10k"
    spec = [(key, None, 1000.0), ("share_65plus", 1, 1.0)]
    result = assess(table, spec, level=level, draws=0, max_missing_share=0.5)
    ranked = result.index.scores[result.index.scores["status"] == "ranked"]
    alone = table.loc[ranked.index, key].rank(method="min", ascending=True)
    strict = ~table.loc[ranked.index, key].duplicated(keep=False)
    assert (ranked.loc[strict, "rank"].astype(int) == alone[strict].astype(int)).all()


def test_assess_refuses_a_table_of_another_level():
    table = pd.DataFrame({"population": [1000.0], "share_under6": [1.0]}, index=["01100101"])
    with pytest.raises(ValueError, match="BZR ids have 6 characters"):
        assess(table, [("share_under6", 1, 1)], level="BZR")


def test_the_fingerprint_changes_with_any_input_and_only_then():
    table = _two_indicators()
    table.index = ["011001", "011002", "011003", "011004"]
    counts = pd.DataFrame({"mobility": [5, 6, 7, 8]}, index=table.index)
    spec = [("x", 1, 1), ("y", -1, 3), ("needs_per_1000", 1, 1)]
    base = assess(table, spec, level="BZR", needs_counts=counts, draws=10).fingerprint()
    assert assess(table, spec, level="BZR", needs_counts=counts, draws=10).fingerprint() == base
    other_weight = [("x", 1, 1), ("y", -1, 3.5), ("needs_per_1000", 1, 1)]
    assert assess(table, other_weight, level="BZR", needs_counts=counts, draws=10).fingerprint() != base
    other_counts = counts.assign(mobility=[5, 6, 7, 9])
    assert assess(table, spec, level="BZR", needs_counts=other_counts, draws=10).fingerprint() != base
    other_value = table.assign(x=[0.0, 10.0, 20.0, 41.0])
    assert assess(other_value, spec, level="BZR", needs_counts=counts, draws=10).fingerprint() != base
    # Residents count even where no rate uses them (they decide the minimum rule).
    official = [("x", 1, 1), ("y", -1, 3)]
    fewer_residents = table.assign(population=[1000.0, 1000.0, 1000.0, 999.0])
    assert (assess(fewer_residents, official, level="BZR", draws=10).fingerprint()
            != assess(table, official, level="BZR", draws=10).fingerprint())
    assert len(base) == 64


def test_component_defaults_take_the_catalogue_direction():
    assert Component("pharmacies_per_10k").resolved() == Component("pharmacies_per_10k", -1, 1.0)
