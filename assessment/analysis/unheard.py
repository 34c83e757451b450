"""Unheard areas: far fewer submissions than the population leads one to expect.

Participation is unequal: areas with low social status often speak up
least, and a needs map then shows who pins, not who needs. This module
finds the areas to reach out to:

* **Expected** submissions of an area = city rate x its residents, where the
  city rate = all needs / all residents of the areas that take part.
* **Ratio** = observed / expected (1 = as many as expected).
* **p** = Poisson lower-tail probability P(X <= observed) for X ~
  Poisson(expected): how surprising so few submissions would be if the area
  took part like the city does. **q** = its Benjamini-Hochberg correction
  over all areas that take part.
* An area is **unheard** when its ratio is below ``max_ratio`` (default 0.5:
  fewer than half the expected submissions) *and* q <= ``alpha`` (default
  0.05). Both are needed: a low ratio on 3 expected needs is chance, a
  significant shortfall of 5 % is no outreach case.
* **Social status**: the share of residents living in PLR with MSS status
  low or very low (the derived share ``mss_status_low_share``; 0 or 100 at PLR
  level). ``outreach`` is ``"unheard_low_status"`` when an unheard area's share
  is at least ``low_status_share`` (default 50 %), else ``"unheard"``;
  ``"heard"`` otherwise, and ``"too_few"`` for areas below ``min_residents``.

Examples
--------
Three areas of 1,000 residents with 30, 30 and 0 needs: the city rate is
20 per 1,000, so 20 needs are expected in each; 0 of 20 is unheard.

>>> pop = pd.Series([1000.0, 1000.0, 1000.0], index=["a", "b", "c"])
>>> u = unheard_areas(pd.Series([30, 30, 0], index=["a", "b", "c"]), pop)
>>> u["expected"].tolist(), u["outreach"].to_dict()
([20.0, 20.0, 20.0], {'c': 'unheard', 'a': 'heard', 'b': 'heard'})
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import poisson

from assessment.analysis.hotspots import benjamini_hochberg, percent, plain_number
from assessment.analysis.priority import DEFAULT_MIN_RESIDENTS, eligible_areas
from core.i18n import t
from geodata.profile import active_profile

DEFAULT_MAX_RATIO = 0.5
DEFAULT_ALPHA = 0.05
DEFAULT_LOW_STATUS_SHARE = 50.0
OUTREACH = ("unheard_low_status", "unheard", "heard", "too_few")

STATUS_COLUMN: str | None = getattr(active_profile().helpers, "LOW_STATUS_SHARE", None)
"""The indicator-table column with the share of residents of low social status, from the city
profile's helpers (Berlin: ``mss_status_low_share``, residents in PLR of MSS status low or very low);
``None``: the city has none, and no unheard area is marked as of low status."""


def unheard_areas(
    needs: pd.Series,
    population: pd.Series,
    status_share: pd.Series | None = None,
    *,
    min_residents: int = DEFAULT_MIN_RESIDENTS,
    max_ratio: float = DEFAULT_MAX_RATIO,
    alpha: float = DEFAULT_ALPHA,
    low_status_share: float = DEFAULT_LOW_STATUS_SHARE,
) -> pd.DataFrame:
    """Areas with far fewer submissions than expected, crossed with social status.

    Parameters
    ----------
    needs : pandas.Series
        Submitted needs per area (all categories), indexed by area id;
        absent areas count as 0.
    population : pandas.Series
        Residents per area; defines the areas.
    status_share : pandas.Series, optional
        Share (0-100) of residents in PLR with MSS status low or very low,
        e.g. ``indicator_table(settings, level)["mss_status_low_share"]``.
    min_residents : int
        Areas with fewer (or unknown) residents are ``"too_few"``.
    max_ratio, alpha, low_status_share : float
        Thresholds, see the module text.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``population``: ``population``, ``needs``, ``expected``,
        ``ratio``, ``needs_per_1000``, ``p``, ``q``, ``unheard`` (bool),
        ``low_status_share``, ``outreach`` (one of :data:`OUTREACH`). Sorted:
        low-status unheard areas first, then unheard, each by ratio.
    """
    if not 0 < max_ratio <= 1:
        raise ValueError(f"max_ratio must be in (0, 1], got {max_ratio!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    foreign = needs.index.difference(population.index)
    if len(foreign):
        raise ValueError(
            f"needs for {len(foreign)} area ids without population (e.g. {list(foreign[:3])}); "
            "aggregate the needs to the level of the population first"
        )
    pop = population.astype(float)
    observed = needs.reindex(pop.index).fillna(0).astype(float)
    taking_part = eligible_areas(pop, min_residents=min_residents)
    city_rate = observed[taking_part].sum() / pop[taking_part].sum() if taking_part.any() else np.nan
    expected = (pop * city_rate).where(taking_part)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = observed / expected.where(expected > 0)
    p = pd.Series(poisson.cdf(observed, expected), index=pop.index).where(expected > 0)
    q = pd.Series(benjamini_hochberg(p.to_numpy()), index=pop.index)
    unheard = (ratio < max_ratio) & (q <= alpha)
    share = status_share.reindex(pop.index).astype(float) if status_share is not None else pd.Series(np.nan, index=pop.index)
    outreach = np.select(
        [~taking_part, unheard & (share >= low_status_share), unheard],
        ["too_few", "unheard_low_status", "unheard"],
        default="heard",
    )
    out = pd.DataFrame(
        {
            "population": pop, "needs": observed, "expected": expected, "ratio": ratio,
            "needs_per_1000": (observed / pop.where(pop > 0) * 1000).where(taking_part),
            "p": p, "q": q, "unheard": unheard, "low_status_share": share, "outreach": outreach,
        },
        index=pop.index,
    )
    order = out["outreach"].map({k: n for n, k in enumerate(OUTREACH)})
    return out.assign(_order=order).sort_values(["_order", "ratio"], kind="stable").drop(columns="_order")


def describe(max_ratio: float, alpha: float, low_status_share: float, min_residents: int,
             lang: str = "de") -> str:
    """The unheard-areas rule in words, for the page and the report; the low-status threshold only
    where the city profile names a status indicator (:data:`STATUS_COLUMN`)."""
    rule = t("unheard.method", lang, max_ratio=percent(max_ratio, lang), alpha=plain_number(alpha, lang),
             min_residents=min_residents)
    if STATUS_COLUMN is None:  # the city has no status indicator: no area is marked as of low status
        return rule
    return rule + " " + t("unheard.method_status", lang,
                          low_status_share=f"{plain_number(low_status_share, lang)} %")
