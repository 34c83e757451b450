"""The whole assessment of one LOR level in one call, for the page and the report.

:func:`assess` takes the indicator table of a level (from
:func:`geodata.indicators.indicator_table`), a spec or preset name, and
optionally the needs counts (areas x categories, e.g. from the store's
``counts_by_area``) and the full-detail geometry of the level, and returns
an :class:`Assessment` holding the priority index with its contributions,
ranks, rank intervals, the multiple-burden count, hotspots, unheard areas,
the method in words and the sources. Nothing here reads settings, the store
or files: the caller passes the data, so the same inputs give the same result.

Examples
--------
>>> table = pd.DataFrame({"name": ["A", "B", "C"], "population": [800.0, 900.0, 1000.0],
...                       "share_under6": [4.0, 6.0, 8.0], "pharmacies_per_10k": [3.0, 2.0, 1.0]},
...                      index=pd.Index(["011001", "011002", "011003"], name="BZR_ID"))
>>> result = assess(table, [("share_under6", 1, 1), ("pharmacies_per_10k", -1, 1)], level="BZR",
...                 draws=100)
>>> result.table()[["name", "score", "rank", "rank_low", "rank_high"]].to_dict("list")
{'name': ['C', 'B', 'A'], 'score': [100.0, 50.0, 0.0], 'rank': [1, 2, 3], 'rank_low': [1, 2, 3], 'rank_high': [1, 2, 3]}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from libpysal.weights import W

from assessment.analysis import hotspots as hotspots_module
from assessment.analysis import robustness as robustness_module
from assessment.analysis import unheard as unheard_module
from assessment.analysis.presets import get_preset
from assessment.analysis.priority import (
    DEFAULT_MAX_MISSING_SHARE, DEFAULT_MIN_NEEDS, DEFAULT_MIN_RESIDENTS, Component, PriorityIndex,
    as_components, multiple_burden, priority_index,
)
from assessment.analysis.smoothing import needs_keys, needs_per_1000
from geodata.indicators import INDICATORS, citation
from geodata.lor import Level, get_level
from core.i18n import t


@dataclass
class Assessment:
    """Everything the page shows and the report prints for one level.

    Attributes
    ----------
    level : geodata.lor.Level
        The level of the areas (a code given here is resolved once).
    preset : str or None
        Preset name, if the spec came from one.
    index : PriorityIndex
        Scores, ranks, statuses, normalised values and contributions.
    needs : pandas.DataFrame or None
        Smoothed needs rates per 1,000 residents (and the total count).
    robustness : pandas.DataFrame or None
        Rank intervals and top-N flags of the ranked areas.
    burden : pandas.DataFrame or None
        Multiple-burden count per area (``burdens``, ``assessed``, flags).
    hotspots : pandas.DataFrame or None
        Gi* / Moran result of the score per area.
    unheard : pandas.DataFrame or None
        Expected vs. observed submissions per area, crossed with MSS status.
    needs_counts : pandas.DataFrame or None
        The counts the needs rates were computed from (ids as str).
    population : pandas.Series or None
        Residents per area (the minimum rule and the rates rest on them).
    parameters : dict
        Every parameter used (for the method text and :meth:`fingerprint`).
    notes : list of str
        Substitutions made for the level (class indicator -> derived share).
    """

    level: Level
    preset: str | None
    index: PriorityIndex
    needs: pd.DataFrame | None = None
    robustness: pd.DataFrame | None = None
    burden: pd.DataFrame | None = None
    hotspots: pd.DataFrame | None = None
    unheard: pd.DataFrame | None = None
    needs_counts: pd.DataFrame | None = None
    population: pd.Series | None = None
    parameters: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.level = get_level(self.level)  # a code from a caller that has not resolved it

    def table(self) -> pd.DataFrame:
        """One row per area: score, rank, status, rank interval, burden, hotspot and outreach class.

        Ranked areas first by rank, then incomplete and too-few areas by id.
        """
        out = self.index.scores.copy()
        if self.robustness is not None:
            intervals = self.robustness.drop(columns="rank").astype(
                {"rank_low": "Int64", "rank_high": "Int64", "top_n_not_robust": "boolean"})
            out = out.join(intervals)
        if self.burden is not None:
            out = out.join(self.burden[["burdens", "assessed"]])
        if self.hotspots is not None:
            out = out.join(self.hotspots[["class", "q"]].rename(columns={"class": "hotspot", "q": "hotspot_q"}))
        if self.unheard is not None:
            out = out.join(self.unheard[["expected", "ratio", "outreach"]].rename(
                columns={"expected": "needs_expected", "ratio": "needs_ratio"}))
        order = out["status"].map({"ranked": 0, "incomplete": 1, "too_few": 2})
        return (out.assign(_order=order, _id=out.index)
                .sort_values(["_order", "rank", "_id"], kind="stable")
                .drop(columns=["_order", "_id"]))

    def fingerprint(self) -> str:
        """SHA-256 of the inputs: parameters, indicator values used, residents and needs counts.

        Equal fingerprints mean the same inputs, so a report can print it and
        a reader can check that two reports rest on the same data and weights.
        Values are written with 17 significant digits, so any change shows.
        """
        digest = hashlib.sha256()
        digest.update(json.dumps(self.parameters, sort_keys=True, default=str).encode())
        digest.update(self.index.values.to_csv(float_format="%.17g", lineterminator="\n").encode())
        if self.population is not None:
            digest.update(self.population.to_csv(float_format="%.17g", lineterminator="\n").encode())
        if self.needs_counts is not None:
            counts = self.needs_counts.sort_index().sort_index(axis=1)
            digest.update(counts.to_csv(float_format="%.17g", lineterminator="\n").encode())
        return digest.hexdigest()

    def sources(self, lang: str = "de") -> list[str]:
        """One citation line per official indicator used (source, reference date, licence), in ``lang``."""
        keys = [c.key for c in self.index.components if c.key in INDICATORS]
        return [f"{INDICATORS[k].label(lang)}: {citation(k, lang)}" for k in keys]

    def describe(self, lang: str = "de") -> str:
        """The whole method in words: index, robustness, hotspots, unheard areas."""
        p = self.parameters
        parts = [self.index.describe(lang)]
        if p.get("smoothing") and self.needs is not None:
            parts.append(_smoothing_words(p["smoothing"], lang))
        if self.robustness is not None:
            parts.append(robustness_module.describe(p["draws"], p["spread"], p["seed"], p["top_n"],
                                                    p["min_share"], lang=lang))
        if self.hotspots is not None:
            parts.append(hotspots_module.describe(p["hotspot_method"], p["permutations"], p["seed"],
                                                  p["alpha"], lang))
        if self.unheard is not None:
            parts.append(unheard_module.describe(p["max_ratio"], p["alpha"], p["low_status_share"],
                                                 p["min_residents"], lang))
        # The preset's substitutions at this level in words (self.notes keeps the keys, for logs).
        parts.extend(get_preset(self.preset).notes_text(self.level, lang) if self.preset else self.notes)
        return "\n".join(parts)


def _smoothing_words(towards: str, lang: str) -> str:
    if towards not in ("none", "city", "parent"):
        raise KeyError(towards)
    return t(f"assess.smoothing.{towards}", lang)


def assess(
    indicators: pd.DataFrame,
    spec: str | Iterable[Component | tuple],
    *,
    level: str | Level,
    needs_counts: pd.DataFrame | None = None,
    units: gpd.GeoDataFrame | None = None,
    neighbours: W | None = None,
    method: str = "rank",
    smoothing: str = "city",
    min_residents: int = DEFAULT_MIN_RESIDENTS,
    min_needs: int = DEFAULT_MIN_NEEDS,
    max_missing_share: float = DEFAULT_MAX_MISSING_SHARE,
    draws: int = robustness_module.DEFAULT_DRAWS,
    spread: float = robustness_module.DEFAULT_SPREAD,
    top_n: int = robustness_module.DEFAULT_TOP_N,
    min_share: float = robustness_module.DEFAULT_MIN_SHARE,
    seed: int = 0,
    hotspot_method: str = "gi_star",
    permutations: int = hotspots_module.DEFAULT_PERMUTATIONS,
    alpha: float = hotspots_module.DEFAULT_ALPHA,
    burden_keys: Sequence[str] | None = None,
    max_ratio: float = unheard_module.DEFAULT_MAX_RATIO,
    low_status_share: float = unheard_module.DEFAULT_LOW_STATUS_SHARE,
) -> Assessment:
    """Compute the assessment of every area of one level.

    Parameters
    ----------
    indicators : pandas.DataFrame
        :func:`geodata.indicators.indicator_table` of ``level`` (or any frame
        with ``population`` and the spec's columns, indexed by area id).
    spec : str or iterable of Component or (key, direction, weight)
        A preset name (:data:`assessment.analysis.presets.PRESETS`) or the components.
    level : Level or str
        The level of the rows (a :class:`geodata.lor.Level`; a code is resolved here).
    needs_counts : pandas.DataFrame, optional
        Needs per area (rows, ids of ``level``) and category (columns). Enables
        needs-rate components and the unheard areas.
    units : geopandas.GeoDataFrame, optional
        Full-detail geometry of ``level`` (:func:`geodata.lor.load_units`);
        enables the hotspots of the score.
    neighbours : libpysal.weights.W, optional
        :func:`assessment.analysis.hotspots.contiguity` of ``units``, built once and
        reused between calls (saves 0.7 s at PLR level).
    method, min_residents, min_needs, max_missing_share
        See :func:`assessment.analysis.priority.priority_index`.
    smoothing : {"city", "parent", "none"}
        See :func:`assessment.analysis.smoothing.needs_per_1000`.
    draws, spread, top_n, min_share, seed
        See :func:`assessment.analysis.robustness.rank_intervals`; ``draws=0`` skips it.
        ``seed`` also seeds the hotspot permutations.
    hotspot_method, permutations, alpha
        See :func:`assessment.analysis.hotspots.hotspots`; ``alpha`` also applies to
        the unheard areas.
    burden_keys : sequence of str, optional
        Indicators for the multiple-burden count; default: the catalogue
        indicators of the spec.
    max_ratio, low_status_share
        See :func:`assessment.analysis.unheard.unheard_areas`.

    Returns
    -------
    Assessment
    """
    level = get_level(level)
    code = level.code
    lengths = {len(str(i)) for i in indicators.index}
    if level.id_length and lengths != {level.id_length}:
        raise ValueError(
            f"the indicator table's ids have lengths {sorted(lengths)}, but {code} ids have "
            f"{level.id_length} characters; pass indicator_table(settings, {code!r})"
        )
    notes: list[str] = []
    preset = None
    if isinstance(spec, str):
        preset = spec
        components, notes = get_preset(spec).components(level)
    else:
        components = as_components(spec)

    needs = counts = None
    if needs_counts is not None:
        counts = needs_counts.copy()
        counts.index = counts.index.astype(str)
        needs = needs_per_1000(counts, indicators["population"], towards=smoothing, level=level)
    elif any(c.key in needs_keys() for c in components):
        raise ValueError(
            "the spec uses needs rates (" + ", ".join(c.key for c in components if c.key in needs_keys())
            + ") but no needs_counts were given; pass the counts per area and category"
        )

    index = priority_index(
        indicators, components, method=method, needs=needs, needs_counts=counts,
        min_residents=min_residents, min_needs=min_needs, max_missing_share=max_missing_share,
    )
    result = Assessment(level, preset, index, needs=needs, needs_counts=counts,
                        population=indicators["population"].astype(float), notes=notes)
    result.parameters = {
        "level": code, "preset": preset, "method": method, "smoothing": smoothing,
        "min_residents": min_residents, "min_needs": min_needs,
        "max_missing_share": max_missing_share, "draws": draws, "spread": spread, "top_n": top_n,
        "min_share": min_share, "seed": seed, "hotspot_method": hotspot_method,
        "permutations": permutations, "alpha": alpha, "max_ratio": max_ratio,
        "low_status_share": low_status_share,
        "components": [(c.key, c.direction, c.weight) for c in components],
    }

    if draws:
        ranked = index.scores["status"] == "ranked"
        result.robustness = robustness_module.rank_intervals(
            index.normalised[ranked], index.weights, draws=draws, spread=spread, seed=seed,
            top_n=top_n, min_share=min_share,
        )
    keys = list(burden_keys) if burden_keys is not None else [
        c.key for c in components
        if c.key in INDICATORS and c.key in indicators.columns and INDICATORS[c.key].direction in (1, -1)
    ]
    if keys:
        result.burden = multiple_burden(indicators, keys)
    if units is not None:
        result.hotspots = hotspots_module.hotspots(
            index.scores["score"], units, weights=neighbours, method=hotspot_method, permutations=permutations,
            seed=seed, alpha=alpha,
        )
    if needs is not None:
        share = indicators.get(unheard_module.STATUS_COLUMN) if unheard_module.STATUS_COLUMN else None
        result.unheard = unheard_module.unheard_areas(
            needs["needs"], indicators["population"], share, min_residents=min_residents,
            max_ratio=max_ratio, alpha=alpha, low_status_share=low_status_share,
        )
    return result
