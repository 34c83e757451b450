"""Empirical-Bayes smoothing of needs rates, checked by hand and against esda."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes

from assessment.analysis.smoothing import (
    category_of, empirical_bayes, needs_key, needs_keys, needs_per_1000,
)
from geodata.lor import get_level


def test_global_eb_by_hand():
    # m = 20 / 200 = 0.1; s2 = (100 x 0.1² + 100 x 0.1²) / 200 - 0.1 / 100 = 0.01 - 0.001 = 0.009;
    # w = 0.009 / (0.009 + 0.1 / 100) = 0.9; rates 0 and 0.2 keep 90 % of their distance to 0.1.
    np.testing.assert_allclose(empirical_bayes([0, 20], [100, 100]), [0.01, 0.19])


def test_unequal_populations_shrink_the_small_area_more():
    # m = 30 / 1100; both areas have raw rates away from m, the 100-resident one moves further.
    events, population = np.array([0.0, 30.0]), np.array([100.0, 1000.0])
    m = 30 / 1100
    rate = events / population
    s2 = (population * (rate - m) ** 2).sum() / 1100 - m / 550
    weight = s2 / (s2 + m / population)
    np.testing.assert_allclose(empirical_bayes(events, population), weight * rate + (1 - weight) * m)
    assert weight[0] < weight[1]


def test_negative_variance_means_full_shrinkage():
    # s2 = 0 - 0.01 / 100 < 0 -> 0: differences are all chance, everyone gets the mean.
    assert empirical_bayes([1, 1], [100, 100]).tolist() == [0.01, 0.01]
    assert empirical_bayes([0, 2], [100, 100]).tolist() == [0.01, 0.01]


def test_matches_esda_empirical_bayes():
    rng = np.random.default_rng(11)
    population = rng.integers(100, 20_000, 300).astype(float)
    events = rng.poisson(population * 0.004 * rng.gamma(2.0, 0.5, 300))
    ours = empirical_bayes(events, population)
    theirs = Empirical_Bayes(events, population).r.ravel()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_groups_are_smoothed_towards_their_own_rate():
    result = empirical_bayes([0, 20, 1, 1], [100, 100, 100, 100], groups=["x", "x", "y", "y"])
    np.testing.assert_allclose(result, [0.01, 0.19, 0.01, 0.01])


def test_areas_without_residents_have_no_rate_and_no_say():
    result = empirical_bayes([0, 20, 5, 3], [100, 100, 0, np.nan])
    np.testing.assert_allclose(result[:2], [0.01, 0.19])
    assert np.isnan(result[2:]).all()


def test_no_events_gives_zero_not_nan():
    assert empirical_bayes([0, 0], [100, 200]).tolist() == [0.0, 0.0]


def test_negative_events_are_refused():
    with pytest.raises(ValueError, match="events must be >= 0, got -1"):
        empirical_bayes([-1, 2], [10, 10])


def test_needs_per_1000_overall_and_by_category():
    population = pd.Series([100.0, 100.0, 100.0], index=["011001", "011002", "011003"])
    counts = pd.DataFrame({"mobility": [0, 20], "housing": [5, 5]}, index=["011001", "011002"])
    raw = needs_per_1000(counts, population, towards="none")
    # The absent area has 0 needs; rates per 1,000: 5/100 x 1,000 = 50 ...
    assert raw["needs"].tolist() == [5.0, 25.0, 0.0]
    assert raw["needs_per_1000"].tolist() == [50.0, 250.0, 0.0]
    assert raw["needs_per_1000_mobility"].tolist() == [0.0, 200.0, 0.0]
    assert raw["needs_per_1000_health_care"].tolist() == [0.0, 0.0, 0.0]
    assert list(raw.columns) == list(needs_keys()) + ["needs"]
    smoothed = needs_per_1000(counts, population)
    np.testing.assert_allclose(smoothed["needs_per_1000_housing"], empirical_bayes([5, 5, 0], [100] * 3) * 1000)


def test_towards_the_parent_uses_the_bezirk_of_each_bezirksregion():
    population = pd.Series([100.0] * 4, index=["011001", "011002", "021001", "021002"])
    counts = pd.DataFrame({"mobility": [0, 20, 1, 1]}, index=population.index)
    by_parent = needs_per_1000(counts, population, towards="parent", level=get_level("BZR"))
    np.testing.assert_allclose(by_parent["needs_per_1000"], [10.0, 190.0, 10.0, 10.0])
    by_city = needs_per_1000(counts, population, towards="city")
    assert not np.allclose(by_city["needs_per_1000"], by_parent["needs_per_1000"])


def test_towards_the_parent_takes_the_level_it_is_given_not_one_read_from_the_ids():
    """The smoothing asks for the level: ids alone say nothing where levels share an id length."""
    population = pd.Series([100.0] * 4, index=["011001", "011002", "021001", "021002"])
    counts = pd.DataFrame({"mobility": [0, 20, 1, 1]}, index=population.index)
    with pytest.raises(ValueError, match="towards='parent' needs the level of the areas"):
        needs_per_1000(counts, population, towards="parent")
    # Bezirksregionen smoothed towards their Prognoseraum (0110, 0210), a parent level named by its code.
    by_pgr = needs_per_1000(counts, population, towards="parent", level=get_level("BZR"), parent_level="PGR")
    np.testing.assert_allclose(by_pgr["needs_per_1000"], [10.0, 190.0, 10.0, 10.0])
    # At the coarsest level the parent is the city.
    bezirke = pd.Series([100.0, 100.0], index=["01", "02"])
    np.testing.assert_allclose(
        needs_per_1000(pd.DataFrame({"mobility": [0, 20]}, index=bezirke.index), bezirke, towards="parent",
                       level=get_level("BEZ"))["needs_per_1000"], [10.0, 190.0])
    with pytest.raises(ValueError, match="parent_level 'BZR' is not coarser than PGR"):
        needs_per_1000(counts, population, towards="parent", level=get_level("PGR"), parent_level="BZR")


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (pd.DataFrame({"parking": [1]}, index=["011001"]), "unknown categories \\['parking'\\]"),
        (pd.DataFrame({"mobility": [1]}, index=["01100101"]), "not in the indicator table"),
        (pd.DataFrame({"mobility": [-1]}, index=["011001"]), ">= 0"),
    ],
)
def test_bad_counts_name_the_problem(counts, message):
    population = pd.Series([100.0], index=["011001"])
    with pytest.raises(ValueError, match=message):
        needs_per_1000(counts, population)


def test_needs_keys_round_trip():
    assert len(needs_keys()) == 13
    assert all(category_of(needs_key(c)) == c for c in ["mobility", "other", "administration"])
    with pytest.raises(ValueError, match="unknown need category 'parking'"):
        needs_key("parking")
