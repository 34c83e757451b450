"""Hotspots: areas that are high (or low) together with their neighbours.

A high priority score in one area can be chance; a cluster of high scores
is a spatial pattern worth a programme. This module finds such clusters
with the local Getis-Ord statistic Gi* (default) or local Moran's I, both
from ``esda``:

* **Neighbours**: queen contiguity (areas sharing at least one boundary
  point) from the full-detail geometry of the level, via ``libpysal``. Areas
  without a value (e.g. "too few") are left out first. An area without any
  neighbour then (an *island*: an exclave, or all its neighbours are left
  out) is linked to the nearest area by the distance between their
  representative points, in both directions, so every area has a neighbour.
* **Gi\\***: for area *i*, the sum of the values of *i* and its neighbours
  divided by the sum of all values (binary weights, the area itself
  included). High = a cluster of high values (*hot*), low = of low values
  (*cold*).
* **Local Moran's I**: the value times the mean of the neighbours' values
  (both standardised); classes: high-high (*hot*), low-low (*cold*) and the
  outliers high-low, low-high.
* **Significance**: conditional permutations (the area's value stays, the
  others are shuffled; ``permutations`` times, seeded). esda reports a
  directed pseudo p-value (the share of permutations at least as extreme
  in the observed direction); since an area can be hot *or* cold, the test
  is two-sided: p = min(1, 2 x esda's ``p_sim``), as esda's next major
  release will do by default. Because every area is one test, the p-values are
  corrected for the false-discovery rate by Benjamini-Hochberg: an area is
  significant when its q-value is at most ``alpha`` (default 0.05), so on
  average at most 5 % of the areas called significant are false alarms.

Examples
--------
>>> benjamini_hochberg([0.01, 0.04, 0.03, 0.2]).round(3).tolist()
[0.04, 0.053, 0.053, 0.2]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from core.i18n import format_number, t

if TYPE_CHECKING:  # libpysal (with scipy) takes a second to import: loaded where weights are built
    from libpysal.weights import W

METHODS = ("gi_star", "moran")
CLASSES = ("hot", "cold", "high_low", "low_high", "not_significant", "no_value")
"""Result classes; ``high_low``/``low_high`` (spatial outliers) occur with Moran's I only."""

DEFAULT_PERMUTATIONS = 999
DEFAULT_ALPHA = 0.05


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN stays NaN and is not counted.

    For p-values sorted ascending, q_(k) = min over j >= k of p_(j) x m / j,
    capped at 1, with m the number of tests.

    Examples
    --------
    >>> benjamini_hochberg([0.5, np.nan, 0.01]).tolist()
    [0.5, nan, 0.02]
    """
    p = np.asarray(p_values, dtype=float)
    if ((p < 0) | (p > 1)).any():
        raise ValueError(f"p-values must lie in [0, 1], got {float(p[(p < 0) | (p > 1)][0]):g}")
    q = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.size
    if m == 0:
        return q
    order = valid[np.argsort(p[valid], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q


def contiguity(units: gpd.GeoDataFrame) -> W:
    """Queen contiguity between ``units``, islands linked to their nearest area.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        Polygons in a metric CRS (EPSG:25833), indexed by area id, e.g. rows
        of :func:`geodata.lor.load_units`. Full-detail geometry matters: a
        simplified display geometry can lose or invent shared boundary points.

    Returns
    -------
    libpysal.weights.W
        Binary weights with ``id_order`` equal to ``units.index`` (as str).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 1, 2, 2), box(9, 9, 10, 10)],
    ...                      index=["a", "b", "c"], crs="EPSG:25833")
    >>> contiguity(g).neighbors
    {'a': ['b'], 'b': ['a', 'c'], 'c': ['b']}
    """
    if units.crs is None or not units.crs.is_projected:
        raise ValueError(
            f"units need a metric CRS for nearest-neighbour links, got "
            f"{units.crs.to_string() if units.crs else None}; use to_crs('EPSG:25833')"
        )
    if units.index.has_duplicates:
        raise ValueError(f"area ids must be unique, {units.index[units.index.duplicated()][0]!r} repeats")
    ids = [str(i) for i in units.index]
    frame = gpd.GeoDataFrame(geometry=units.geometry.values, index=ids, crs=units.crs)
    from libpysal.weights import Queen

    queen = Queen.from_dataframe(frame, use_index=True, silence_warnings=True)
    neighbours = {i: [str(j) for j in queen.neighbors[i]] for i in ids}
    return _link_islands(neighbours, frame)


def restrict(weights: W, units: gpd.GeoDataFrame, ids: Sequence[str]) -> W:
    """``weights`` limited to the areas ``ids``, new islands linked to their nearest area.

    Gives the same neighbours as :func:`contiguity` of those areas alone,
    without building the contiguity again (0.7 s at PLR level).
    """
    keep = [str(i) for i in ids]
    unknown = [i for i in keep if i not in weights.neighbors]
    if unknown:
        raise ValueError(f"{len(unknown)} areas are not in the weights (e.g. {unknown[:3]}); build them for this level")
    inside = set(keep)
    neighbours = {i: [str(j) for j in weights.neighbors[i] if str(j) in inside] for i in keep}
    frame = gpd.GeoDataFrame(geometry=units.loc[keep].geometry.values, index=keep, crs=units.crs)
    return _link_islands(neighbours, frame)


def _link_islands(neighbours: dict[str, list[str]], frame: gpd.GeoDataFrame) -> W:
    """Link every area without neighbours to the nearest one, in both directions."""
    ids = list(frame.index)
    islands = [i for i in ids if not neighbours[i]]
    if islands and len(ids) > 1:
        points = frame.geometry.representative_point()
        coords = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
        position = {i: n for n, i in enumerate(ids)}
        for island in islands:
            distance = np.hypot(*(coords - coords[position[island]]).T)
            distance[position[island]] = np.inf
            nearest = ids[int(np.argmin(distance))]
            if nearest not in neighbours[island]:
                neighbours[island].append(nearest)
            if island not in neighbours[nearest]:
                neighbours[nearest].append(island)
    from libpysal.weights import W

    return W(neighbours, id_order=ids, silence_warnings=True)


def hotspots(
    values: pd.Series,
    units: gpd.GeoDataFrame,
    *,
    weights: W | None = None,
    method: str = "gi_star",
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
) -> pd.DataFrame:
    """Local clusters of ``values`` with permutation p-values and an FDR correction.

    Parameters
    ----------
    values : pandas.Series
        One value per area (priority score, needs rate, ...), indexed by area
        id; NaN areas are left out and get class ``"no_value"``.
    units : geopandas.GeoDataFrame
        Full-detail polygons of the same level, indexed by area id
        (:func:`geodata.lor.load_units`).
    weights : libpysal.weights.W, optional
        :func:`contiguity` of all ``units``, built once and reused (the page
        recomputes on every weight change); restricted to the areas with a value.
    method : {"gi_star", "moran"}
        Local Getis-Ord Gi* or local Moran's I.
    permutations : int
        Conditional permutations per area (999 gives p >= 0.001).
    seed : int
        Seed of the permutations; the same seed gives the same p-values.
    alpha : float
        Significance level for the q-values.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``values``: ``statistic`` (Gi* or local I), ``z``
        (standardised against the permutations), ``p`` (two-sided pseudo
        p-value), ``q`` (Benjamini-Hochberg), ``class`` (one of :data:`CLASSES`).
    """
    import esda

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if permutations < 99:
        raise ValueError(f"permutations must be >= 99 for usable p-values, got {permutations!r}")
    values = values.astype(float)
    values.index = values.index.astype(str)
    units = units.copy()
    units.index = units.index.astype(str)
    missing = values.index.difference(units.index)
    if len(missing):
        raise ValueError(
            f"{len(missing)} areas have no geometry (e.g. {list(missing[:3])}); pass the units of the same level"
        )
    present = values.dropna()
    out = pd.DataFrame(
        {"statistic": np.nan, "z": np.nan, "p": np.nan, "q": np.nan, "class": "no_value"},
        index=values.index,
    )
    if len(present) < 3:
        return out
    if weights is None:
        weights = contiguity(units.loc[present.index])
    else:
        weights = restrict(weights, units, present.index)
    y = present.loc[weights.id_order].to_numpy()
    # An area whose neighbourhood is every area has no variance under permutation (z = 0/0):
    # its z stays NaN and it is never significant.
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        # esda warns that its default alternative will change; we double the directed
        # p-value ourselves (two-sided), so the change does not affect these results.
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        if method == "gi_star":
            local = esda.G_Local(y, weights, transform="B", permutations=permutations, star=True,
                                 seed=seed, n_jobs=1, keep_simulations=True)
            statistic = local.Gs
            kind = np.where(local.z_sim > 0, "hot", "cold")
        else:
            local = esda.Moran_Local(y, weights, transformation="r", permutations=permutations,
                                     seed=seed, n_jobs=1, keep_simulations=True)
            statistic = local.Is
            kind = np.array(["hot", "low_high", "cold", "high_low"])[local.q - 1]
    p = np.minimum(1.0, 2.0 * local.p_sim)
    q = benjamini_hochberg(p)
    ids = weights.id_order
    out.loc[ids, "statistic"] = statistic
    out.loc[ids, "z"] = local.z_sim
    out.loc[ids, "p"] = p
    out.loc[ids, "q"] = q
    out.loc[ids, "class"] = np.where((q <= alpha) & np.isfinite(local.z_sim), kind, "not_significant")
    return out


def plain_number(value: float, lang: str) -> str:
    """``value`` with as many decimals as it has (up to 6), written as ``lang`` writes numbers.

    >>> plain_number(0.05, "de"), plain_number(0.05, "en"), plain_number(50.0, "de")
    ('0,05', '0.05', '50')
    """
    decimals = len(f"{float(value):.6f}".rstrip("0").split(".")[1])
    return format_number(float(value), decimals, lang)


def percent(share: float, lang: str) -> str:
    """A share (0.2) as a whole percentage written as ``lang`` writes numbers (``20 %``).

    >>> percent(0.2, "de"), percent(0.255, "en")
    ('20 %', '26 %')
    """
    return f"{format_number(float(share) * 100, 0, lang)} %"


def describe(method: str, permutations: int, seed: int, alpha: float, lang: str = "de") -> str:
    """The hotspot method in words, for the page and the report."""
    name = {"gi_star": "Getis-Ord Gi*", "moran": "Local Moran's I"}[method]
    return t("hotspots.method", lang, name=name, permutations=permutations, seed=seed,
             alpha=plain_number(alpha, lang))
