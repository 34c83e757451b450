"""Needs per 1,000 residents that small areas cannot blow up: empirical-Bayes smoothing.

A Planungsraum with 150 residents and 2 needs has a raw rate of 13.3 per
1,000; one more pin and it is 20. Such rates would top every ranking by
chance. Marshall's empirical-Bayes estimator (Marshall 1991, *Mapping
disease and mortality rates using empirical Bayes estimators*, Applied
Statistics 40) pulls each raw rate towards a reference rate, the more the
fewer residents an area has:

.. math::

    m = \\frac{\\sum e_i}{\\sum b_i}, \\qquad
    s^2 = \\frac{\\sum b_i (r_i - m)^2}{\\sum b_i} - \\frac{m}{\\bar b}, \\qquad
    w_i = \\frac{s^2}{s^2 + m / b_i}, \\qquad
    \\hat r_i = w_i r_i + (1 - w_i)\\, m

with events :math:`e_i` (needs), population :math:`b_i` and raw rate
:math:`r_i = e_i / b_i`. The reference is the whole city (``towards="city"``,
the global estimator, identical to :class:`esda.smoothing.Empirical_Bayes`)
or each area's parent area (``towards="parent"``: the moments are taken
within each parent, Marshall's "local" variant with a fixed neighbourhood).
When the between-area variance estimate :math:`s^2` is negative (all
differences are explainable by chance), it is set to 0 and every area gets
the reference rate, as Marshall and esda's spatial variant do.

Areas without residents (or with unknown residents) have no rate: NaN, and
they do not enter the reference rate.

Examples
--------
Two areas of 100 residents with 0 and 20 needs: the city rate is 0.1, the
between-area variance 0.009, so each raw rate keeps 90 % of its distance
from the city rate.

>>> empirical_bayes([0, 20], [100, 100]).round(4).tolist()
[0.01, 0.19]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from assessment.needs.taxonomy import CATEGORIES
from geodata.lor import LEVEL_ORDER, Level, get_level, parent_ids

PER = 1000.0
"""Needs are expressed per 1,000 residents."""

NEEDS_TOTAL = "needs_per_1000"
"""Key of the overall needs rate in a priority-index spec."""

SMOOTHING = ("city", "parent", "none")
"""Where the empirical-Bayes smoothing pulls rates: the city, the parent area, nowhere."""


def needs_key(category: str | None = None) -> str:
    """The spec key of the needs rate overall (``None``) or of one category.

    Examples
    --------
    >>> needs_key(), needs_key("mobility")
    ('needs_per_1000', 'needs_per_1000_mobility')
    """
    if category is None:
        return NEEDS_TOTAL
    if category not in CATEGORIES:
        raise ValueError(
            f"unknown need category {category!r}; expected one of {', '.join(CATEGORIES)}"
        )
    return f"{NEEDS_TOTAL}_{category}"


def needs_keys() -> tuple[str, ...]:
    """Every needs-rate key: the overall rate, then one per category."""
    return (NEEDS_TOTAL,) + tuple(needs_key(c) for c in CATEGORIES)


def category_of(key: str) -> str | None:
    """The category behind a needs-rate key (``None`` for the overall rate).

    Examples
    --------
    >>> category_of("needs_per_1000_housing") is None, category_of("needs_per_1000")
    (False, None)
    """
    if key == NEEDS_TOTAL:
        return None
    prefix = NEEDS_TOTAL + "_"
    if key.startswith(prefix) and key[len(prefix):] in CATEGORIES:
        return key[len(prefix):]
    raise ValueError(f"{key!r} is not a needs-rate key; expected one of {', '.join(needs_keys())}")


def empirical_bayes(
    events: Sequence[float] | np.ndarray | pd.Series,
    population: Sequence[float] | np.ndarray | pd.Series,
    groups: Sequence[object] | np.ndarray | pd.Series | None = None,
) -> np.ndarray:
    """Marshall's empirical-Bayes rates (events per resident), globally or within groups.

    Parameters
    ----------
    events : array-like
        Counts per area (needs), >= 0.
    population : array-like
        Residents per area. Areas with 0 or NaN residents get NaN and do not
        enter the reference rate.
    groups : array-like, optional
        One label per area (e.g. the parent area's id). The reference rate and
        variance are then computed within each group ("towards the parent");
        without it, over all areas ("towards the city").

    Returns
    -------
    numpy.ndarray
        Smoothed rate per area, per resident (multiply by 1,000 for "per 1,000").

    Examples
    --------
    Between-area variance below what chance explains: everyone gets the mean.

    >>> empirical_bayes([1, 1], [100, 100]).tolist()
    [0.01, 0.01]

    Within groups, each group is smoothed towards its own rate.

    >>> empirical_bayes([0, 20, 1, 1], [100, 100, 100, 100], groups=["a", "a", "b", "b"]).round(4).tolist()
    [0.01, 0.19, 0.01, 0.01]
    """
    e = np.asarray(events, dtype=float)
    b = np.asarray(population, dtype=float)
    if e.shape != b.shape:
        raise ValueError(f"events and population differ in length: {e.shape} vs {b.shape}")
    if (e < 0).any():
        raise ValueError(f"events must be >= 0, got {float(e[e < 0][0]):g}")
    valid = np.isfinite(b) & (b > 0) & np.isfinite(e)
    if groups is None:
        codes = np.zeros(len(e), dtype=np.intp)
    else:
        labels = np.asarray(groups, dtype=object)
        if labels.shape != e.shape:
            raise ValueError(f"groups and events differ in length: {labels.shape} vs {e.shape}")
        codes, _ = pd.factorize(labels)
    n_groups = int(codes.max()) + 1 if len(codes) else 0

    ev = np.where(valid, e, 0.0)
    bv = np.where(valid, b, 0.0)
    safe_b = np.where(valid, b, 1.0)
    rate = np.where(valid, ev / safe_b, np.nan)

    e_sum = np.bincount(codes, weights=ev, minlength=n_groups)
    b_sum = np.bincount(codes, weights=bv, minlength=n_groups)
    n_valid = np.bincount(codes, weights=valid.astype(float), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = e_sum / b_sum
        m_i = mean[codes]
        spread = np.bincount(codes, weights=np.where(valid, bv * (rate - m_i) ** 2, 0.0), minlength=n_groups)
        variance = spread / b_sum - mean / (b_sum / n_valid)
    variance = np.where(np.isfinite(variance), np.maximum(variance, 0.0), 0.0)
    s2 = variance[codes]
    prior = m_i / safe_b
    # s2 == prior == 0 only when a group has no events at all: its rate is 0, no shrinkage needed.
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(s2 + prior > 0, s2 / (s2 + prior), 1.0)
    return np.where(valid, weight * rate + (1.0 - weight) * m_i, np.nan)


def _check_counts(counts: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    unknown = [c for c in counts.columns if c not in CATEGORIES]
    if unknown:
        raise ValueError(
            f"needs counts have unknown categories {unknown}; columns must be category ids: "
            f"{', '.join(CATEGORIES)}"
        )
    foreign = counts.index.difference(population.index)
    if len(foreign):
        raise ValueError(
            f"needs counts for {len(foreign)} area ids not in the indicator table (e.g. "
            f"{list(foreign[:3])}); aggregate the counts to the level of the indicator table first"
        )
    values = counts.reindex(index=population.index, columns=list(CATEGORIES)).fillna(0.0).astype(float)
    if (values < 0).to_numpy().any():
        raise ValueError("needs counts must be >= 0")
    return values


def needs_per_1000(
    counts: pd.DataFrame,
    population: pd.Series,
    *,
    towards: str = "city",
    level: Level | None = None,
    parent_level: Level | str | None = None,
) -> pd.DataFrame:
    """Needs per 1,000 residents per area, overall and by category, smoothed.

    Parameters
    ----------
    counts : pandas.DataFrame
        Needs per area (index: area ids of one LOR level) and category
        (columns: category ids of :mod:`assessment.needs.taxonomy`), e.g. from the
        store's ``counts_by_area``. Areas or categories that are absent count
        as 0 needs.
    population : pandas.Series
        Residents per area, indexed like the indicator table of the level.
    towards : {"city", "parent", "none"}
        Smoothing reference (see the module text); ``"none"`` gives raw rates.
    level : geodata.lor.Level, optional
        The level of the areas (resolved where the request entered); needed for
        ``towards="parent"``, where it says how an area finds its parent (by id
        prefix or by containment). Ids are never read as a level's.
    parent_level : Level or str, optional
        For ``towards="parent"``: the coarser level whose areas are the
        reference (default: the next coarser level; at the coarsest level, the city).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``population``; columns :func:`needs_keys` (rates per
        1,000) plus ``needs`` (total count). Each category and the total are
        smoothed separately.

    Examples
    --------
    >>> pop = pd.Series([100.0, 100.0], index=["011001", "011002"])
    >>> counts = pd.DataFrame({"mobility": [0, 20]}, index=["011001", "011002"])
    >>> needs_per_1000(counts, pop)["needs_per_1000"].round(1).tolist()
    [10.0, 190.0]
    """
    if towards not in SMOOTHING:
        raise ValueError(f"towards must be one of {SMOOTHING}, got {towards!r}")
    values = _check_counts(counts, population)
    groups = None
    if towards == "parent":
        if level is None:
            raise ValueError("towards='parent' needs the level of the areas: pass level=get_level(code)")
        groups = _parent_groups(population.index, get_level(level), parent_level)
    pop = population.astype(float).to_numpy()
    out = {"needs": values.sum(axis=1)}
    columns = {NEEDS_TOTAL: out["needs"].to_numpy()}
    columns.update({needs_key(c): values[c].to_numpy() for c in CATEGORIES})
    for key, events in columns.items():
        if towards == "none":
            with np.errstate(invalid="ignore", divide="ignore"):
                rate = np.where(pop > 0, events / np.where(pop > 0, pop, 1.0), np.nan)
        else:
            rate = empirical_bayes(events, pop, groups)
        out[key] = rate * PER
    return pd.DataFrame(out, index=population.index)[list(needs_keys()) + ["needs"]]


def _parent_groups(ids: pd.Index, level: Level, parent_level: Level | str | None) -> np.ndarray | None:
    """Parent id per area of ``level``; ``None`` (the city) above the coarsest level."""
    position = LEVEL_ORDER.index(level.code)
    if parent_level is None:
        if position + 1 == len(LEVEL_ORDER):
            return None
        parent_level = LEVEL_ORDER[position + 1]
    parent = get_level(parent_level)
    if LEVEL_ORDER.index(parent.code) <= position:
        raise ValueError(f"parent_level {parent.code!r} is not coarser than {level.code}")
    found = parent_ids(pd.Series(ids.astype(str)), parent, of=level)
    if found.isna().any():
        raise ValueError(
            f"{int(found.isna().sum())} area ids have no {parent.code} area (e.g. {ids[found.isna().to_numpy()][0]!r}); "
            f"pass the ids of {level.code} areas, or level= the level they belong to"
        )
    return found.to_numpy()
