"""Unheard areas: expected needs from the city rate, Poisson lower tail, FDR, MSS status."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assessment.analysis.unheard import unheard_areas

IDS = ["a", "b", "c", "d"]


def test_expected_ratio_and_poisson_tail_by_hand():
    population = pd.Series([1000.0, 1000.0, 2000.0, 200.0], index=IDS)
    needs = pd.Series([30, 30, 0, 50], index=IDS)
    status = pd.Series([0.0, 100.0, 80.0, 100.0], index=IDS)
    u = unheard_areas(needs, population, status, min_residents=300).loc[IDS]
    # d (200 residents) is too few and does not enter the city rate: 60 / 4,000 = 0.015.
    assert u["expected"].tolist()[:3] == [15.0, 15.0, 30.0]
    assert np.isnan(u.loc["d", "expected"])
    assert u["ratio"].tolist()[:3] == [2.0, 2.0, 0.0]
    # P(X <= 0) for X ~ Poisson(30) is e^-30; three tests, so q = 3 e^-30 (smallest p, rank 1).
    assert u.loc["c", "p"] == pytest.approx(math.exp(-30))
    assert u.loc["c", "q"] == pytest.approx(3 * math.exp(-30))
    assert u["outreach"].tolist() == ["heard", "heard", "unheard_low_status", "too_few"]
    assert u.loc["c", "needs_per_1000"] == 0.0


def test_a_shortfall_on_few_expected_needs_is_chance():
    # City rate 6 / 3,000: 2 expected each. c has 0, ratio 0, but P(X <= 0) = e^-2 = 0.135
    # and q = 0.135 x 3 / 1 = 0.41: not enough evidence to call it unheard.
    population = pd.Series([1000.0] * 3, index=IDS[:3])
    u = unheard_areas(pd.Series([4, 2, 0], index=IDS[:3]), population).loc[IDS[:3]]
    assert u.loc["c", "ratio"] == 0.0
    assert u.loc["c", "q"] == pytest.approx(3 * math.exp(-2))
    assert not u["unheard"].any()


def test_a_significant_but_small_shortfall_is_not_unheard():
    # 600 of 1,000 expected: very unlikely by chance, but 60 % is above the 50 % threshold.
    population = pd.Series([10_000.0, 10_000.0], index=["a", "b"])
    u = unheard_areas(pd.Series([1400, 600], index=["a", "b"]), population)
    assert u.loc["b", "q"] < 1e-10
    assert not u.loc["b", "unheard"]
    assert unheard_areas(pd.Series([1400, 600], index=["a", "b"]), population, max_ratio=0.7).loc["b", "unheard"]


def test_status_threshold_is_inclusive_and_unknown_status_is_not_low():
    population = pd.Series([1000.0] * 4, index=IDS)
    needs = pd.Series([100, 0, 0, 0], index=IDS)
    status = pd.Series([0.0, 50.0, 49.9, np.nan], index=IDS)
    u = unheard_areas(needs, population, status, low_status_share=50)
    # City rate 0.025: 25 expected each, P(X = 0) = e^-25.
    assert u.loc[["b", "c", "d"], "outreach"].tolist() == ["unheard_low_status", "unheard", "unheard"]
    assert u.index.tolist()[:1] == ["b"]  # the outreach list starts with low-status unheard areas


def test_absent_areas_count_as_zero_needs_and_foreign_ids_are_refused():
    population = pd.Series([1000.0, 1000.0], index=["a", "b"])
    u = unheard_areas(pd.Series([50], index=["a"]), population)
    assert u.loc["b", "needs"] == 0
    with pytest.raises(ValueError, match="without population.*aggregate"):
        unheard_areas(pd.Series([5], index=["zz"]), population)
