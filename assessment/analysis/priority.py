"""The priority index: official indicators and residents' needs, weighted and explained.

A planner picks indicators, each with a direction (+1: a higher value means
more need; -1: a higher value means less need) and a weight. For every area
of one LOR level:

1. **Orient**: each value is multiplied by its direction, so that "higher =
   more need" holds for every indicator.
2. **Normalise** over the areas that take part (see *minimum rule*), by one
   of :data:`NORMALISATIONS`:

   * ``rank`` - percentile rank: (average rank - 1) / (number of areas with
     a value - 1) x 100, so 0 is the least, 100 the most need; ties share
     their average rank. Robust to outliers; only the order counts.
   * ``zscore`` - (value - mean) / standard deviation (population standard
     deviation), in standard deviations; keeps distances, outliers weigh more.
   * ``minmax`` - (value - minimum) / (maximum - minimum) x 100.

   An indicator that is the same everywhere carries no information: it
   normalises to 50 (``rank``, ``minmax``) or 0 (``zscore``).
3. **Weigh**: score = sum(weight x normalised value) / sum(weight), where
   both sums run over the indicators the area *has*. Each term is that
   indicator's **contribution**, so the contributions of an area add up to
   its score exactly.
4. **Missing values** are never filled in: an area's score uses the weights
   of the indicators it has, renormalised. If the missing indicators carry
   more than ``max_missing_share`` of the total weight (default 25 %), the
   area gets status ``"incomplete"``: its score is shown, but it is not ranked.
5. **Minimum rule**: areas with fewer than ``min_residents`` residents (or
   unknown residents), and - when the spec uses needs rates - fewer than
   ``min_needs`` needs in the categories used, get status ``"too_few"``:
   no score, no rank, and they do not take part in the normalisation.
6. **Rank**: 1 = highest score = most need, among areas with status
   ``"ranked"``; equal scores share the best rank.

Examples
--------
>>> table = pd.DataFrame({"unemployment": [10.0, 5.0, 0.0], "green": [0.0, 10.0, 20.0],
...                       "population": [1000.0] * 3}, index=["a", "b", "c"])
>>> index = priority_index(table, [("unemployment", +1, 3), ("green", -1, 1)])
>>> index.scores["score"].tolist(), index.scores["rank"].tolist()
([100.0, 50.0, 0.0], [1, 2, 3])
>>> index.contributions.loc["b"].tolist()
[37.5, 12.5]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assessment.analysis.hotspots import percent
from assessment.analysis.smoothing import NEEDS_TOTAL, category_of, needs_keys
from assessment.needs.taxonomy import CATEGORIES
from geodata.indicators import INDICATORS
from core.i18n import t

NORMALISATIONS = ("rank", "zscore", "minmax")

STATUSES = ("ranked", "incomplete", "too_few")
"""``ranked``: has a rank; ``incomplete``: too much weight missing; ``too_few``: minimum rule."""

DEFAULT_MIN_RESIDENTS = 300
"""Residents an area needs to be assessed; MSS leaves PLR with fewer than 300 unclassified too."""

DEFAULT_MIN_NEEDS = 5
"""Needs an area needs before its needs rates count (a Poisson count of 5 is still ±45 %)."""

DEFAULT_MAX_MISSING_SHARE = 0.25
"""Share of the total weight an area may lack and still be ranked."""

@dataclass(frozen=True)
class Component:
    """One indicator of a priority index.

    Parameters
    ----------
    key : str
        A key of :data:`geodata.indicators.INDICATORS` or a needs-rate key
        (``"needs_per_1000"``, ``"needs_per_1000_<category>"``).
    direction : int or None
        +1 (higher = more need) or -1 (higher = less need). ``None`` takes the
        catalogue's direction; indicators without one (context indicators such
        as the population density) need an explicit direction.
    weight : float
        Relative weight, >= 0. Only the ratios between weights matter.
    """

    key: str
    direction: int | None = None
    weight: float = 1.0

    def resolved(self) -> Component:
        """This component with its direction filled in and checked."""
        direction = self.direction
        if direction is None:
            direction = catalogue_direction(self.key)
            if direction not in (1, -1):
                raise ValueError(
                    f"indicator {self.key!r} has no need direction in the catalogue "
                    f"(direction {direction!r}); give direction +1 (higher = more need) or -1"
                )
        if direction not in (1, -1):
            raise ValueError(f"direction of {self.key!r} must be +1 or -1, got {direction!r}")
        weight = float(self.weight)
        if not np.isfinite(weight) or weight < 0:
            raise ValueError(f"weight of {self.key!r} must be a finite number >= 0, got {self.weight!r}")
        return Component(self.key, int(direction), weight)


def catalogue_direction(key: str) -> int | None:
    """The stated direction of an indicator or needs rate (needs rates: +1)."""
    if key in needs_keys():
        return 1
    if key not in INDICATORS:
        raise KeyError(
            f"unknown indicator {key!r}; use a key of geodata.indicators.INDICATORS or one of "
            f"{', '.join(needs_keys())}"
        )
    return INDICATORS[key].direction


def label(key: str, lang: str = "de") -> str:
    """Display label of an indicator or needs-rate key.

    Examples
    --------
    >>> label("needs_per_1000_mobility", "en")
    'Needs per 1,000 residents: Mobility and transport'
    """
    if key in needs_keys():
        category = category_of(key)
        if category is None:
            return t("indicator.needs_per_1000.label", lang)
        return t("indicator.needs_per_1000.category_label", lang, category=CATEGORIES[category].label(lang))
    return INDICATORS[key].label(lang)


def as_components(spec: Iterable[Component | tuple]) -> tuple[Component, ...]:
    """Turn ``(key, direction, weight)`` tuples or :class:`Component` into checked components."""
    components = []
    for item in spec:
        if not isinstance(item, Component):
            if not isinstance(item, tuple) or not 1 <= len(item) <= 3:
                raise TypeError(
                    f"a spec entry must be a Component or a (key, direction, weight) tuple, got {item!r}"
                )
            item = Component(*item)
        components.append(item.resolved())
    keys = [c.key for c in components]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise ValueError(f"indicators appear twice in the spec: {duplicated}; merge their weights")
    if not components:
        raise ValueError("the spec is empty; give at least one (key, direction, weight)")
    if sum(c.weight for c in components) <= 0:
        raise ValueError("all weights are 0; give at least one weight > 0")
    return tuple(components)


def normalise(values: pd.DataFrame, method: str = "rank") -> pd.DataFrame:
    """Normalise every column so that higher = more need is comparable across indicators.

    The columns must already be oriented (multiplied by their direction).
    NaN stays NaN and does not count as an area.

    Parameters
    ----------
    values : pandas.DataFrame
        One column per indicator, one row per area.
    method : {"rank", "zscore", "minmax"}
        See the module text.

    Examples
    --------
    >>> v = pd.DataFrame({"x": [1.0, 2.0, 2.0, 5.0, None]})
    >>> normalise(v, "rank")["x"].tolist()
    [0.0, 50.0, 50.0, 100.0, nan]
    >>> normalise(v, "minmax")["x"].tolist()
    [0.0, 25.0, 25.0, 100.0, nan]
    >>> normalise(v, "zscore")["x"].round(3).tolist()
    [-1.0, -0.333, -0.333, 1.667, nan]
    """
    if method not in NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {method!r}")
    x = values.astype(float)
    if method == "rank":
        ranks = x.rank(method="average")
        span = x.notna().sum() - 1
        result = (ranks - 1) / span.where(span > 0) * 100
        flat = span <= 0
    elif method == "minmax":
        span = x.max() - x.min()
        result = (x - x.min()) / span.where(span > 0) * 100
        flat = ~(span > 0)
    else:
        std = x.std(ddof=0)
        result = (x - x.mean()) / std.where(std > 0)
        flat = ~(std > 0)
    neutral = 0.0 if method == "zscore" else 50.0
    for column in x.columns[flat.to_numpy()]:
        result[column] = x[column].where(x[column].isna(), neutral)
    return result


@dataclass
class PriorityIndex:
    """A computed priority index: everything needed to show, explain and rank it.

    Attributes
    ----------
    components : tuple of Component
        The spec with directions resolved.
    method : str
        The normalisation.
    values : pandas.DataFrame
        The raw indicator values used (areas x keys), before orientation.
    normalised : pandas.DataFrame
        Oriented and normalised values; NaN for missing values and for
        ``too_few`` areas.
    contributions : pandas.DataFrame
        Per area and indicator: weight / (sum of the area's available
        weights) x normalised value; adds up to ``scores["score"]``.
    scores : pandas.DataFrame
        ``score``, ``rank`` (Int64, 1 = most need), ``status`` (one of
        :data:`STATUSES`) and ``missing_share`` (share of weight without value).
    rules : dict
        The thresholds used: ``min_residents``, ``min_needs``, ``max_missing_share``.
    """

    components: tuple[Component, ...]
    method: str
    values: pd.DataFrame
    normalised: pd.DataFrame
    contributions: pd.DataFrame
    scores: pd.DataFrame
    rules: dict = field(default_factory=dict)

    @property
    def weights(self) -> np.ndarray:
        """The weights, in component order."""
        return np.array([c.weight for c in self.components])

    def ranked(self) -> pd.DataFrame:
        """Scores of the ranked areas, best rank first (ties by area id)."""
        ranked = self.scores[self.scores["status"] == "ranked"]
        return ranked.sort_values(["rank"], kind="stable")

    def describe(self, lang: str = "de") -> str:
        """The method in words, for the page and the report.

        Examples
        --------
        >>> t = pd.DataFrame({"share_under6": [1.0, 2.0], "population": [500.0, 500.0]})
        >>> print(priority_index(t, [("share_under6", 1, 1)]).describe("en"))  # doctest: +ELLIPSIS
        Normalisation: percentile rank: ...
        Indicators: Share of children under 6 (higher = more need, weight 100 %).
        ...
        """
        total = self.weights.sum()
        parts = []
        for c in self.components:
            way = t("priority.direction.more" if c.direction > 0 else "priority.direction.less", lang)
            share = percent(c.weight / total, lang)
            parts.append(t("priority.component", lang, label=label(c.key, lang), direction=way, share=share))
        r = self.rules
        lines = [t("priority.method", lang, normalisation=t(f"priority.normalisation.{self.method}", lang),
                   components="; ".join(parts),
                   max_missing=percent(r["max_missing_share"], lang))]
        if r.get("uses_needs"):
            lines.append(t("priority.minimum_needs", lang, min_residents=r["min_residents"],
                           min_needs=r["min_needs"]))
        else:
            lines.append(t("priority.minimum", lang, min_residents=r["min_residents"]))
        unverified = [label(c.key, lang) for c in self.components
                      if c.key in INDICATORS and not INDICATORS[c.key].direction_verified]
        if unverified:
            lines.append(t("priority.direction_inferred", lang, labels="; ".join(unverified)))
        return "\n".join(lines)


def _values(table: pd.DataFrame, components: Sequence[Component], needs: pd.DataFrame | None) -> pd.DataFrame:
    columns = {}
    for c in components:
        if c.key in needs_keys():
            if needs is None:
                raise ValueError(
                    f"{c.key!r} needs needs counts: pass needs_counts (areas x categories) or drop it"
                )
            columns[c.key] = needs[c.key]
        elif c.key in table.columns:
            columns[c.key] = table[c.key]
        else:
            raise KeyError(
                f"indicator {c.key!r} is not in the indicator table of this level; class indicators "
                "exist at PLR level only (use their derived share, e.g. 'mss_status_low_share', at "
                "coarser levels). Available: " + ", ".join(k for k in table.columns if k in INDICATORS)
            )
    return pd.DataFrame(columns, index=table.index).astype(float)


def eligible_areas(
    population: pd.Series,
    needs_total: pd.Series | None = None,
    *,
    min_residents: int = DEFAULT_MIN_RESIDENTS,
    min_needs: int = DEFAULT_MIN_NEEDS,
) -> pd.Series:
    """The minimum rule: True for areas with enough residents (and needs, when given).

    Unknown residents (NaN, e.g. the two confidential PLR) count as too few.

    Examples
    --------
    >>> eligible_areas(pd.Series([299.0, 300.0, None]), min_residents=300).tolist()
    [False, True, False]
    >>> eligible_areas(pd.Series([500.0, 500.0]), pd.Series([4, 5]), min_needs=5).tolist()
    [False, True]
    """
    if min_residents < 0 or min_needs < 0:
        raise ValueError(f"minimums must be >= 0, got min_residents={min_residents}, min_needs={min_needs}")
    ok = population.astype(float).fillna(-1) >= min_residents
    if needs_total is not None:
        ok &= needs_total.reindex(population.index).fillna(0) >= min_needs
    return ok


def priority_index(
    table: pd.DataFrame,
    spec: Iterable[Component | tuple],
    *,
    method: str = "rank",
    needs: pd.DataFrame | None = None,
    needs_counts: pd.DataFrame | None = None,
    min_residents: int = DEFAULT_MIN_RESIDENTS,
    min_needs: int = DEFAULT_MIN_NEEDS,
    max_missing_share: float = DEFAULT_MAX_MISSING_SHARE,
) -> PriorityIndex:
    """Compute the priority index of every area in ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per area, e.g. :func:`geodata.indicators.indicator_table`;
        must have ``population`` and the indicator columns of the spec.
    spec : iterable of Component or (key, direction, weight)
        The indicators. See :class:`Component`.
    method : {"rank", "zscore", "minmax"}
        Normalisation.
    needs : pandas.DataFrame, optional
        Needs rates per area from :func:`assessment.analysis.smoothing.needs_per_1000`
        (columns ``needs_per_1000...`` and ``needs``); required when the
        spec has needs-rate keys.
    needs_counts : pandas.DataFrame, optional
        Raw counts (areas x categories) behind ``needs``; used for the
        ``min_needs`` rule on the categories the spec uses. Without it, the
        total in ``needs["needs"]`` is used.
    min_residents, min_needs : int
        The minimum rule (see the module text).
    max_missing_share : float
        Share of the total weight an area may lack and still be ranked.

    Returns
    -------
    PriorityIndex

    Examples
    --------
    A missing value: the area keeps the weights it has (renormalised), and
    is not ranked because half of the weight is missing.

    >>> t = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [0.0, None, 2.0],
    ...                   "population": [900.0] * 3}, index=["a", "b", "c"])
    >>> i = priority_index(t, [("x", 1, 1), ("y", 1, 1)], method="minmax")
    >>> b = i.scores.loc["b"]
    >>> float(b["score"]), b["status"], float(b["missing_share"])
    (50.0, 'incomplete', 0.5)
    """
    components = as_components(spec)
    if "population" not in table.columns:
        raise KeyError("the indicator table has no 'population' column; use geodata.indicators.indicator_table")
    if not 0 <= max_missing_share < 1:
        raise ValueError(f"max_missing_share must be in [0, 1), got {max_missing_share!r}")
    values = _values(table, components, needs)

    used = [c.key for c in components if c.key in needs_keys() and c.weight > 0]
    needs_total = None
    if used:
        if needs_counts is not None and NEEDS_TOTAL not in used:
            categories = [category_of(k) for k in used]
            needs_total = needs_counts.reindex(columns=categories).fillna(0).sum(axis=1)
        else:
            needs_total = needs["needs"] if needs_counts is None else needs_counts.sum(axis=1)
    eligible = eligible_areas(table["population"], needs_total, min_residents=min_residents, min_needs=min_needs)

    directions = np.array([c.direction for c in components], dtype=float)
    weights = np.array([c.weight for c in components])
    oriented = values.where(eligible, np.nan) * directions
    normalised = normalise(oriented, method)

    z = normalised.to_numpy()
    has = ~np.isnan(z)
    available = has @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(has, weights / available[:, None], np.nan)
        contributions = pd.DataFrame(z * share, index=table.index, columns=normalised.columns)
    score = contributions.sum(axis=1, min_count=1)
    missing_share = pd.Series(1.0 - available / weights.sum(), index=table.index)

    status = pd.Series("ranked", index=table.index, dtype=object)
    status[(missing_share > max_missing_share + 1e-12) | score.isna()] = "incomplete"
    status[~eligible] = "too_few"
    score = score.where(eligible)
    contributions = contributions.where(eligible, np.nan)
    missing_share = missing_share.where(eligible)
    rank = score.where(status == "ranked").rank(method="min", ascending=False).astype("Int64")

    scores = pd.DataFrame(
        {"score": score, "rank": rank, "status": status, "missing_share": missing_share}, index=table.index
    )
    if "name" in table.columns:
        scores.insert(0, "name", table["name"])
    rules = {
        "min_residents": min_residents, "min_needs": min_needs,
        "max_missing_share": max_missing_share, "uses_needs": bool(used),
    }
    return PriorityIndex(components, method, values, normalised, contributions, scores, rules)


def multiple_burden(table: pd.DataFrame, keys: Sequence[str], *, classes: int = 3) -> pd.DataFrame:
    """Count per area the indicators in their worst class ("Mehrfachbelastung").

    Berlin's environmental-justice atlas counts, per PLR, how many of its
    five themes (air, noise, heat, green space, social disadvantage) are in
    the burdened class. This does the same for any indicators:

    * a class indicator (MSS status, noise class, ...) is in its worst class
      when its value equals the catalogue's ``worst_class``;
    * any other indicator is in its worst class when it lies in the worst
      ``1 / classes`` of the areas with a value (by its need direction; for
      ``classes=3`` the worst third, a tercile, like the atlas's three classes).

    Missing values count as not burdened; ``assessed`` says how many
    indicators an area has a value for.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per area with the indicator columns.
    keys : sequence of str
        Indicator keys of :data:`geodata.indicators.INDICATORS` with a direction.
    classes : int
        Number of classes for continuous indicators (>= 2).

    Returns
    -------
    pandas.DataFrame
        ``burdens`` (count), ``assessed`` (count) and one boolean column per key.

    Examples
    --------
    >>> t = pd.DataFrame({"ug_noise": [3.0, 1.0, 3.0], "ug_heat": [3.0, 2.0, None]})
    >>> multiple_burden(t, ["ug_noise", "ug_heat"])["burdens"].tolist()
    [2, 0, 1]
    """
    if classes < 2:
        raise ValueError(f"classes must be >= 2, got {classes!r}")
    flags = {}
    for key in keys:
        if key not in INDICATORS:
            raise KeyError(f"unknown indicator {key!r}")
        if key not in table.columns:
            raise KeyError(f"indicator {key!r} is not in the table (class indicators exist at PLR level only)")
        ind = INDICATORS[key]
        values = table[key].astype(float)
        if ind.worst_class is not None:
            flags[key] = values == ind.worst_class
            continue
        if ind.direction not in (1, -1):
            raise ValueError(f"indicator {key!r} has no need direction, so it has no worst class")
        oriented = values * ind.direction
        # The worst class: the top 1/classes by percentile rank (ties stay together).
        position = oriented.rank(method="max", pct=True)
        flags[key] = position > 1 - 1 / classes
    burden = pd.DataFrame(flags, index=table.index).fillna(False).astype(bool)
    out = pd.DataFrame(
        {
            "burdens": burden.sum(axis=1).astype(int),
            "assessed": table[list(keys)].notna().sum(axis=1).astype(int),
        },
        index=table.index,
    )
    return out.join(burden)
