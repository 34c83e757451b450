"""Hotspots: queen contiguity with islands, Gi* by hand, equality with esda on the real
geometry, and the Benjamini-Hochberg correction on a hand-made vector of p-values."""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import Queen
from scipy.stats import false_discovery_control
from shapely.geometry import box

from assessment.analysis.hotspots import benjamini_hochberg, contiguity, hotspots, restrict
from geodata.indicators import indicator_table
from geodata.lor import load_units


def _grid(n: int) -> gpd.GeoDataFrame:
    """n x n unit squares in EPSG:25833, ids 'r{row}c{col}', row-major."""
    cells = [(r, c) for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame(
        geometry=[box(c, r, c + 1, r + 1) for r, c in cells],
        index=[f"r{r}c{c}" for r, c in cells], crs="EPSG:25833",
    )


# --- false-discovery rate ---------------------------------------------------------------


def test_benjamini_hochberg_on_a_hand_made_vector():
    # Sorted: 0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205 (m = 8).
    # p x m / k: 0.008, 0.032, 0.104, 0.082, 0.0672, 0.08, 0.0846, 0.205;
    # running minimum from the largest k down: 0.008, 0.032, 0.0672 (x3), 0.08, 0.0846, 0.205.
    p = np.array([0.041, 0.001, 0.205, 0.039, 0.074, 0.008, 0.042, 0.06])
    expected = np.array([0.0672, 0.008, 0.205, 0.0672, 0.0846, 0.032, 0.0672, 0.08])
    np.testing.assert_allclose(benjamini_hochberg(p), expected, atol=1e-4)
    np.testing.assert_allclose(benjamini_hochberg(p), false_discovery_control(p, method="bh"))
    # At q <= 0.05 only the two smallest survive, although five raw p-values are below 0.05.
    assert (benjamini_hochberg(p) <= 0.05).sum() == 2


def test_benjamini_hochberg_skips_missing_and_caps_at_one():
    q = benjamini_hochberg([0.9, np.nan, 0.95, 0.01])
    assert np.isnan(q[1])
    # m = 3, not 4: 0.01 x 3 / 1 = 0.03.
    assert q[3] == pytest.approx(0.03)
    assert (q[~np.isnan(q)] <= 1).all()
    with pytest.raises(ValueError, match="must lie in \\[0, 1\\], got 1.5"):
        benjamini_hochberg([0.1, 1.5])


# --- neighbours -------------------------------------------------------------------------


def test_queen_contiguity_on_a_grid():
    w = contiguity(_grid(3))
    assert len(w.neighbors["r1c1"]) == 8  # the centre touches all
    assert sorted(w.neighbors["r0c0"]) == ["r0c1", "r1c0", "r1c1"]  # corner-to-corner counts (queen)


def test_an_island_is_linked_to_its_nearest_area_both_ways():
    units = pd.concat([_grid(2), gpd.GeoDataFrame(geometry=[box(5, 0, 6, 1)], index=["far"], crs="EPSG:25833")])
    w = contiguity(units)
    assert w.neighbors["far"] == ["r0c1"]
    assert "far" in w.neighbors["r0c1"]
    assert not w.islands


def test_restricting_equals_building_from_the_subset():
    grid = _grid(4)
    keep = [i for i in grid.index if i not in ("r1c1", "r1c2", "r2c1", "r0c0")]
    a = restrict(contiguity(grid), grid, keep)
    b = contiguity(grid.loc[keep])
    assert {k: sorted(v) for k, v in a.neighbors.items()} == {k: sorted(v) for k, v in b.neighbors.items()}


def test_geographic_coordinates_are_refused():
    with pytest.raises(ValueError, match="metric CRS.*EPSG:25833"):
        contiguity(_grid(2).to_crs("EPSG:4326"))


# --- Gi* --------------------------------------------------------------------------------


def test_gi_star_by_hand_on_a_3x3_grid():
    grid = _grid(3)
    values = pd.Series(np.arange(1.0, 10.0), index=grid.index)  # 1..9 row-major, total 45
    result = hotspots(values, grid, permutations=99, seed=1)
    # Gi* = sum over the area and its queen neighbours / sum of all values.
    assert result.loc["r1c1", "statistic"] == pytest.approx(45 / 45)
    assert result.loc["r0c0", "statistic"] == pytest.approx((1 + 2 + 4 + 5) / 45)
    assert result.loc["r2c1", "statistic"] == pytest.approx((4 + 5 + 6 + 7 + 8 + 9) / 45)


def test_a_planted_cluster_is_hot_and_the_rest_is_not():
    grid = _grid(10)
    rng = np.random.default_rng(0)
    values = pd.Series(rng.normal(10, 1, 100), index=grid.index)
    block = [f"r{r}c{c}" for r in range(3) for c in range(3)]
    values[block] += 10
    result = hotspots(values, grid, permutations=999, seed=2)
    assert result.loc["r1c1", "class"] == "hot"
    far = [f"r{r}c{c}" for r in range(5, 10) for c in range(5, 10)]
    assert (result.loc[far, "class"] != "hot").all()
    assert result.loc["r1c1", "q"] <= 0.05 < result.loc["r9c9", "q"]


def test_missing_values_are_left_out_not_zero():
    grid = _grid(3)
    values = pd.Series(np.arange(1.0, 10.0), index=grid.index)
    values["r1c1"] = np.nan
    result = hotspots(values, grid, permutations=99, seed=1)
    assert result.loc["r1c1", "class"] == "no_value" and np.isnan(result.loc["r1c1", "statistic"])
    # Without the centre, r0c0 keeps r0c1 and r1c0: (1 + 2 + 4) / (45 - 5).
    assert result.loc["r0c0", "statistic"] == pytest.approx(7 / 40)


def test_same_seed_same_p_values():
    grid = _grid(5)
    values = pd.Series(np.random.default_rng(4).random(25), index=grid.index)
    pd.testing.assert_frame_equal(hotspots(values, grid, seed=5), hotspots(values, grid, seed=5))


@pytest.mark.parametrize("method", ["gi_star", "moran"])
def test_matches_esda_on_the_real_bezirksregionen(settings_with_data, method):
    """Our wrapper (contiguity, alignment by id, two-sided p, FDR) against esda called directly."""
    units = load_units(settings_with_data, "BZR")
    values = indicator_table(settings_with_data, "BZR")["share_65plus"]
    ours = hotspots(values, units, method=method, permutations=999, seed=7)

    w = Queen.from_dataframe(units, use_index=True, silence_warnings=True)
    y = values.loc[list(w.id_order)].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if method == "gi_star":
            local = esda.G_Local(y, w, transform="B", permutations=999, star=True, seed=7, n_jobs=1)
            statistic = local.Gs
        else:
            local = esda.Moran_Local(y, w, transformation="r", permutations=999, seed=7, n_jobs=1)
            statistic = local.Is
    ids = list(w.id_order)
    np.testing.assert_allclose(ours.loc[ids, "statistic"], statistic)
    np.testing.assert_allclose(ours.loc[ids, "z"], local.z_sim)
    p = np.minimum(1, 2 * local.p_sim)
    np.testing.assert_allclose(ours.loc[ids, "p"], p)
    np.testing.assert_allclose(ours.loc[ids, "q"], false_discovery_control(p, method="bh"))
    significant = ours["q"] <= 0.05
    assert set(ours.loc[significant, "class"]) <= {"hot", "cold", "high_low", "low_high"}
    assert (ours.loc[~significant, "class"] == "not_significant").all()


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_reusing_prebuilt_weights_gives_the_same_result(settings_with_data):
    units = load_units(settings_with_data, "PLR")
    values = indicator_table(settings_with_data, "PLR")["share_under6"]  # NaN in uninhabited PLR
    assert values.isna().any()
    fresh = hotspots(values, units, permutations=199, seed=1)
    reused = hotspots(values, units, weights=contiguity(units), permutations=199, seed=1)
    pd.testing.assert_frame_equal(fresh, reused)
    assert (fresh.loc[values.isna(), "class"] == "no_value").all()


def test_values_without_geometry_are_refused():
    with pytest.raises(ValueError, match="no geometry.*same level"):
        hotspots(pd.Series([1.0, 2.0, 3.0], index=["r0c0", "r0c1", "x"]), _grid(2))
