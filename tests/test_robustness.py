"""Rank intervals under ±20 % weight changes: seeded, vectorised, and equal to recomputing
the priority index draw by draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assessment.analysis.priority import priority_index
from assessment.analysis.robustness import draw_weights, rank_intervals, scores_for_weights


def _normalised() -> pd.DataFrame:
    """Five areas, three indicators (already normalised), one gap."""
    return pd.DataFrame(
        {"x": [100.0, 75.0, 50.0, 25.0, 0.0], "y": [0.0, 50.0, 100.0, np.nan, 25.0],
         "z": [40.0, 60.0, 10.0, 90.0, 70.0]},
        index=list("abcde"),
    )


def test_same_seed_same_result_other_seed_other_draws():
    first = rank_intervals(_normalised(), [1.0, 1.0, 1.0], draws=300, seed=42)
    again = rank_intervals(_normalised(), [1.0, 1.0, 1.0], draws=300, seed=42)
    pd.testing.assert_frame_equal(first, again)
    assert not np.array_equal(draw_weights([1.0, 1.0], 10, 0.2, 1), draw_weights([1.0, 1.0], 10, 0.2, 2))


def test_a_dominant_weight_gives_single_rank_intervals():
    # x outweighs y a hundredfold: no ±20 % change can reorder areas that differ by 25 on x.
    intervals = rank_intervals(_normalised()[["x", "y"]], [100.0, 1.0], draws=500, seed=0, top_n=2)
    assert (intervals["rank_low"] == intervals["rank_high"]).all()
    assert intervals["rank"].tolist() == [1, 2, 3, 4, 5]
    assert intervals["top_n_share"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert not intervals["top_n_not_robust"].any()


def test_a_tie_splits_the_top_place_and_is_flagged():
    # a and b are mirror images: equal weights tie them at rank 1; each draw favours the one
    # whose weight happened to grow, so each is first in about half of the draws.
    z = pd.DataFrame({"x": [100.0, 0.0, 10.0], "y": [0.0, 100.0, 10.0]}, index=["a", "b", "c"])
    intervals = rank_intervals(z, [1.0, 1.0], draws=2000, seed=3, top_n=1, min_share=0.9)
    assert intervals.loc[["a", "b"], "rank"].tolist() == [1, 1]
    assert intervals.loc[["a", "b"], "rank_low"].tolist() == [1, 1]
    assert intervals.loc[["a", "b"], "rank_high"].tolist() == [2, 2]
    assert intervals.loc["a", "top_n_share"] == pytest.approx(0.5, abs=0.05)
    assert intervals.loc["a", "top_n_share"] + intervals.loc["b", "top_n_share"] == pytest.approx(1.0)
    assert intervals.loc[["a", "b"], "top_n_not_robust"].tolist() == [True, True]
    assert intervals.loc["c", "rank_low"] == intervals.loc["c", "rank_high"] == 3


def test_spread_zero_reproduces_the_unperturbed_ranks():
    intervals = rank_intervals(_normalised(), [2.0, 1.0, 1.0], draws=50, spread=0.0, seed=0)
    assert (intervals["rank_low"] == intervals["rank"]).all()
    assert (intervals["rank_high"] == intervals["rank"]).all()


def test_vectorised_draws_equal_recomputing_the_index_draw_by_draw():
    rng = np.random.default_rng(8)
    table = pd.DataFrame(rng.normal(size=(30, 4)), columns=["p", "q", "r", "s"])
    table = table.mask(rng.random(table.shape) < 0.05)
    table["population"] = 1000.0
    weights = np.array([1.0, 2.0, 0.5, 1.5])
    spec = [(k, 1, w) for k, w in zip(["p", "q", "r", "s"], weights)]
    index = priority_index(table, spec, method="zscore", max_missing_share=0.9)
    draws, seed = 40, 9
    intervals = rank_intervals(index.normalised, weights, draws=draws, seed=seed, top_n=5)
    assert intervals["rank"].tolist() == index.scores["rank"].astype(int).tolist()
    # The naive way: one full priority index per drawn weight vector.
    ranks = np.column_stack([
        priority_index(table, [(k, 1, w) for k, w in zip(["p", "q", "r", "s"], drawn)],
                       method="zscore", max_missing_share=0.9).scores["rank"].astype(int).to_numpy()
        for drawn in draw_weights(weights, draws, 0.2, seed)
    ])
    np.testing.assert_array_equal(intervals["rank_low"], np.quantile(ranks, 0.05, axis=1, method="lower"))
    np.testing.assert_array_equal(intervals["rank_high"], np.quantile(ranks, 0.95, axis=1, method="higher"))
    np.testing.assert_allclose(intervals["top_n_share"], (ranks <= 5).mean(axis=1))


def test_drawn_weights_stay_within_the_spread():
    drawn = draw_weights([1.0, 0.0, 4.0], 5000, 0.2, seed=0)
    assert drawn[:, 0].min() >= 0.8 and drawn[:, 0].max() <= 1.2
    assert (drawn[:, 1] == 0).all()
    assert drawn[:, 2].min() >= 3.2 and drawn[:, 2].max() <= 4.8
    # Independent draws: the factors of two weights are uncorrelated.
    assert abs(np.corrcoef(drawn[:, 0], drawn[:, 2])[0, 1]) < 0.05


def test_scores_for_weights_renormalise_over_available_indicators():
    z = np.array([[100.0, np.nan], [0.0, 50.0]])
    # Area 1 has x only: 100. Area 2: (0 x 1 + 50 x 3) / 4 = 37.5.
    assert scores_for_weights(z, np.array([[1.0, 3.0]])).ravel().tolist() == [100.0, 37.5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": 0}, "draws must be >= 1"),
        ({"spread": 1.5}, "spread must be in \\[0, 1\\)"),
        ({"top_n": 0}, "top_n must be >= 1"),
        ({"min_share": 0}, "min_share"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rank_intervals(_normalised(), [1.0, 1.0, 1.0], **kwargs)


def test_weights_must_match_the_columns():
    with pytest.raises(ValueError, match="2 weights for 3 indicators"):
        rank_intervals(_normalised(), [1.0, 1.0])
