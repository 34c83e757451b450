"""How stable is a ranking when the weights move? A seeded Monte Carlo.

Weights are judgements; a ranking that flips when a weight moves a little
is no basis for a funding decision. :func:`rank_intervals` draws every
weight independently and uniformly from ``weight x [1 - spread, 1 + spread]``
(default ±20 %), recomputes every ranked area's score and rank for each
draw, and reports per area:

* ``rank_low`` / ``rank_high`` - the 5th and 95th percentile of its ranks
  over the draws (the lower percentile rounded down, the upper rounded up,
  so the interval holds at least 90 % of the draws);
* ``rank_median``;
* ``top_n_share`` - the share of draws in which it is among the top N;
* ``top_n_not_robust`` - True for an area in the top N of the unperturbed
  ranking that stays there in fewer than ``min_share`` (default 90 %) of
  the draws.

The normalised values do not depend on the weights, so one draw is one
matrix product: scores for all draws are ``Z @ W.T / (A @ W.T)`` with the
normalised values ``Z`` (missing as 0), their availability mask ``A`` and
the drawn weights ``W``. Same inputs and seed give the same result.

Examples
--------
>>> z = pd.DataFrame({"x": [100.0, 50.0, 0.0], "y": [0.0, 50.0, 100.0]}, index=["a", "b", "c"])
>>> r = rank_intervals(z, [1.0, 0.01], draws=200, seed=1, top_n=1)
>>> r[["rank_low", "rank_high"]].values.tolist()
[[1, 1], [2, 2], [3, 3]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from assessment.analysis.hotspots import percent
from core.i18n import t

DEFAULT_DRAWS = 1000
DEFAULT_SPREAD = 0.2
DEFAULT_TOP_N = 10
DEFAULT_MIN_SHARE = 0.9
DEFAULT_QUANTILES = (0.05, 0.95)


def scores_for_weights(normalised: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Scores of every area (rows) for every weight vector (rows of ``weights``).

    Parameters
    ----------
    normalised : numpy.ndarray
        Areas x indicators, NaN where an area has no value.
    weights : numpy.ndarray
        Draws x indicators.

    Returns
    -------
    numpy.ndarray
        Areas x draws; the same rule as :func:`assessment.analysis.priority.priority_index`
        (weights renormalised over the indicators an area has).

    Examples
    --------
    >>> scores_for_weights(np.array([[100.0, np.nan], [0.0, 50.0]]), np.array([[1.0, 1.0]])).tolist()
    [[100.0], [25.0]]
    """
    has = ~np.isnan(normalised)
    filled = np.where(has, normalised, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (filled @ weights.T) / (has.astype(float) @ weights.T)


def draw_weights(weights: Sequence[float], draws: int, spread: float, seed: int) -> np.ndarray:
    """``draws`` weight vectors, each weight times an independent uniform factor in [1 - spread, 1 + spread].

    Examples
    --------
    >>> w = draw_weights([1.0, 2.0], 1000, 0.2, seed=0)
    >>> w.shape, bool((w[:, 1] >= 1.6).all() and (w[:, 1] <= 2.4).all())
    ((1000, 2), True)
    """
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws!r}")
    if not 0 <= spread < 1:
        raise ValueError(f"spread must be in [0, 1), got {spread!r} (0.2 means ±20 %)")
    base = np.asarray(weights, dtype=float)
    rng = np.random.default_rng(seed)
    return base * rng.uniform(1 - spread, 1 + spread, size=(draws, base.size))


def rank_intervals(
    normalised: pd.DataFrame,
    weights: Sequence[float],
    *,
    draws: int = DEFAULT_DRAWS,
    spread: float = DEFAULT_SPREAD,
    seed: int = 0,
    top_n: int = DEFAULT_TOP_N,
    min_share: float = DEFAULT_MIN_SHARE,
    quantiles: tuple[float, float] = DEFAULT_QUANTILES,
) -> pd.DataFrame:
    """Rank interval and top-N stability of every area under weight changes.

    Parameters
    ----------
    normalised : pandas.DataFrame
        Normalised, oriented values of the areas to rank (only the ranked
        ones: areas x indicators, NaN = missing), e.g.
        ``index.normalised[index.scores["status"] == "ranked"]``.
    weights : sequence of float
        The unperturbed weights, in column order.
    draws : int
        Number of Monte Carlo draws.
    spread : float
        Relative change of each weight (0.2 = ±20 %).
    seed : int
        Seed of the random generator; the same seed gives the same result.
    top_n : int
        Size of the top group whose stability is flagged.
    min_share : float
        An area of the unperturbed top N must stay in the top N in at least
        this share of the draws to count as robust.
    quantiles : (float, float)
        Lower and upper percentile of the rank interval.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``normalised``: ``rank`` (unperturbed), ``rank_low``,
        ``rank_median``, ``rank_high``, ``top_n_share``, ``top_n_not_robust``.
    """
    w = np.asarray(weights, dtype=float)
    if w.size != normalised.shape[1]:
        raise ValueError(f"{w.size} weights for {normalised.shape[1]} indicators; give one weight per column")
    if not 0 < min_share <= 1:
        raise ValueError(f"min_share must be in (0, 1], got {min_share!r}")
    if top_n < 1:
        raise ValueError(f"top_n must be >= 1, got {top_n!r}")
    z = normalised.to_numpy(dtype=float)
    base_rank = rankdata(-scores_for_weights(z, w[None, :])[:, 0], method="min")
    if len(z) == 0:
        return pd.DataFrame(
            columns=["rank", "rank_low", "rank_median", "rank_high", "top_n_share", "top_n_not_robust"],
            index=normalised.index,
        )
    drawn = draw_weights(w, draws, spread, seed)
    ranks = np.empty((len(z), draws), dtype=np.int32)
    # Chunks keep the areas x draws score matrix small for large runs.
    chunk = max(1, 2_000_000 // max(len(z), 1))
    for start in range(0, draws, chunk):
        scores = scores_for_weights(z, drawn[start:start + chunk])
        ranks[:, start:start + chunk] = rankdata(-scores, method="min", axis=0)
    low = np.quantile(ranks, quantiles[0], axis=1, method="lower")
    high = np.quantile(ranks, quantiles[1], axis=1, method="higher")
    share = (ranks <= top_n).mean(axis=1)
    return pd.DataFrame(
        {
            "rank": base_rank.astype(int),
            "rank_low": low.astype(int),
            "rank_median": np.median(ranks, axis=1),
            "rank_high": high.astype(int),
            "top_n_share": share,
            "top_n_not_robust": (base_rank <= top_n) & (share < min_share),
        },
        index=normalised.index,
    )


def describe(draws: int, spread: float, seed: int, top_n: int, min_share: float,
             quantiles: tuple[float, float] = DEFAULT_QUANTILES, lang: str = "de") -> str:
    """The robustness method in words, for the page and the report.

    Examples
    --------
    >>> describe(1000, 0.2, 7, 10, 0.9, lang="en")  # doctest: +ELLIPSIS
    'Every weight was varied independently by up to ±20 % (uniform, 1000 draws, seed 7)...'
    """
    lo, hi = (round(q * 100) for q in quantiles)
    return t("robustness.method", lang, spread=percent(spread, lang), draws=draws,
             seed=seed, lo=lo, hi=hi, top_n=top_n, min_share=percent(min_share, lang))
