"""How long the assessment takes at PLR level: a weight change, the full recompute, robustness.

Setting: the 542 Planungsräume of the real open data, 20 indicators (14 official
ones and 6 needs rates), 100,000 synthetic needs (areas drawn in proportion to
residents with extra-Poisson variation, categories at random) aggregated to an
area x category count table, as the store's ``counts_by_area`` will deliver it.

Baselines, measured in the same run and checked to give the same numbers:

* **priority index, naive**: normalisation per column as in the library, then
  a pandas row-wise ``apply`` that computes each area's available weights,
  contributions and score, and empirical-Bayes smoothing with a Python loop
  per area;
* **robustness, naive**: recomputing the whole priority index once per draw
  (what a straightforward implementation does), against the vectorised
  matrix product of :mod:`assessment.analysis.robustness`.

Run: ``.venv/bin/python bench/bench_assessment.py``
"""

from __future__ import annotations

import statistics
import time
import warnings

import numpy as np
import pandas as pd

from assessment.analysis.assess import assess
from assessment.analysis.hotspots import contiguity, hotspots
from assessment.analysis.priority import normalise, priority_index
from assessment.analysis.robustness import draw_weights, rank_intervals
from assessment.analysis.smoothing import needs_key, needs_per_1000
from assessment.needs.taxonomy import category_ids
from geodata.indicators import indicator_table
from geodata.lor import load_units
from core.settings import load_settings

OFFICIAL = (
    "mss_status", "mss_dynamics", "mss_unemployment", "mss_transfer", "mss_child_poverty",
    "ug_air", "ug_noise", "ug_heat", "ug_green", "violence_total",
    "kita_places_per_100_under6", "schools_per_10k_6_18", "youth_centres_per_10k_6_25",
    "pharmacies_per_10k",
)
NEEDS = (needs_key(), *(needs_key(c) for c in ("mobility", "green_climate", "housing",
                                                 "education_childcare", "health_care")))
N_NEEDS = 100_000
DRAWS = 1000


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def synthetic_needs(table: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` needs as rows (area id, category), like a store export."""
    rng = np.random.default_rng(seed)
    pop = table["population"].fillna(0).to_numpy()
    weight = pop * rng.gamma(4.0, 0.25, len(pop))
    area = rng.choice(table.index.to_numpy(), size=n, p=weight / weight.sum())
    category = rng.choice(np.array(category_ids()), size=n)
    return pd.DataFrame({"area": area, "category": category})


def counts_from_needs(needs: pd.DataFrame) -> pd.DataFrame:
    return needs.groupby(["area", "category"]).size().unstack(fill_value=0)


def naive_eb(events: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Marshall's global EB, one area at a time."""
    valid = [i for i in range(len(events)) if population[i] > 0]
    m = sum(events[i] for i in valid) / sum(population[i] for i in valid)
    mean_b = sum(population[i] for i in valid) / len(valid)
    s2 = sum(population[i] * (events[i] / population[i] - m) ** 2 for i in valid) / sum(population[i] for i in valid)
    s2 = max(s2 - m / mean_b, 0.0)
    out = np.full(len(events), np.nan)
    for i in valid:
        w = s2 / (s2 + m / population[i]) if s2 + m / population[i] > 0 else 1.0
        out[i] = w * events[i] / population[i] + (1 - w) * m
    return out


def naive_index(table: pd.DataFrame, counts: pd.DataFrame, spec: list[tuple[str, int, float]]) -> pd.Series:
    """The same priority index, the straightforward pandas way."""
    pop = table["population"].astype(float)
    full = counts.reindex(index=table.index, columns=list(category_ids())).fillna(0)
    values = {}
    for key, _, _ in spec:
        if key == needs_key():
            values[key] = naive_eb(full.sum(axis=1).to_numpy(float), pop.fillna(0).to_numpy()) * 1000
        elif key.startswith("needs_per_1000_"):
            category = key.removeprefix("needs_per_1000_")
            values[key] = naive_eb(full[category].to_numpy(float), pop.fillna(0).to_numpy()) * 1000
        else:
            values[key] = table[key].to_numpy(float)
    frame = pd.DataFrame(values, index=table.index)
    eligible = (pop.fillna(-1) >= 300) & (full.sum(axis=1) >= 5)
    oriented = frame.where(eligible) * np.array([d for _, d, _ in spec])
    normalised = normalise(oriented, "rank")
    weights = {k: w for k, _, w in spec}

    def row_score(row: pd.Series) -> float:
        present = row.dropna()
        if present.empty:
            return np.nan
        total = sum(weights[k] for k in present.index)
        contributions = {k: weights[k] * v / total for k, v in present.items()}
        return sum(contributions.values())

    return normalised.apply(row_score, axis=1)


def main() -> None:
    warnings.simplefilter("ignore", DeprecationWarning)
    settings = load_settings()
    table = indicator_table(settings, "PLR")
    units = load_units(settings, "PLR")
    rng = np.random.default_rng(1)
    spec = [(key, None, float(w)) for key, w in zip(OFFICIAL + NEEDS, rng.uniform(0.5, 2.0, 20))]
    needs_rows = synthetic_needs(table, N_NEEDS)
    aggregate = _time(lambda: counts_from_needs(needs_rows), 5)
    counts = counts_from_needs(needs_rows)
    print(f"{len(table)} PLR, {len(spec)} indicators, {len(needs_rows):,} needs, {DRAWS:,} draws")
    print(f"needs -> area x category counts (groupby):  {aggregate * 1000:8.1f} ms")

    # A weight change: the needs rates stay, the index is recomputed.
    rates = needs_per_1000(counts, table["population"])
    changed = [(k, d, w * 1.1 if i == 0 else w) for i, (k, d, w) in enumerate(spec)]
    weight_change = _time(lambda: priority_index(table, changed, needs=rates, needs_counts=counts), 50)
    full = _time(lambda: assess(table, spec, level="PLR", needs_counts=counts, draws=0), 20)
    index = priority_index(table, spec, needs=rates, needs_counts=counts)
    resolved = [(c.key, c.direction, c.weight) for c in index.components]
    naive = _time(lambda: naive_index(table, counts, resolved), 3)
    np.testing.assert_allclose(naive_index(table, counts, resolved), index.scores["score"], rtol=1e-9)
    print(f"priority index, naive row-wise apply:       {naive * 1000:8.1f} ms (baseline)")
    print(f"full recompute (EB, index, burden, unheard):{full * 1000:8.1f} ms  x{naive / full:5.1f} faster")
    print(f"weight change (index only):                 {weight_change * 1000:8.1f} ms  x{naive / weight_change:5.1f} faster")

    # Robustness: vectorised draws against recomputing the index per draw.
    ranked = index.scores["status"] == "ranked"
    vectorised = _time(lambda: rank_intervals(index.normalised[ranked], index.weights, draws=DRAWS, seed=0), 5)
    drawn = draw_weights(index.weights, DRAWS, 0.2, 0)
    keys = [c.key for c in index.components]
    dirs = [c.direction for c in index.components]

    def per_draw() -> None:
        for weights in drawn:
            priority_index(table, list(zip(keys, dirs, weights)), needs=rates, needs_counts=counts)

    loop = _time(per_draw, 1)
    print(f"robustness, index recomputed per draw:      {loop * 1000:8.1f} ms (baseline)")
    print(f"robustness, vectorised:                     {vectorised * 1000:8.1f} ms  x{loop / vectorised:5.0f} faster")

    # Hotspots of the score: contiguity built per call vs. built once and reused.
    weights = contiguity(units)
    score = index.scores["score"]
    build = _time(lambda: hotspots(score, units, permutations=999, seed=0), 3)
    reuse = _time(lambda: hotspots(score, units, weights=weights, permutations=999, seed=0), 3)
    print(f"hotspots Gi* (999 perm.), contiguity built: {build * 1000:8.1f} ms (baseline)")
    print(f"hotspots Gi* (999 perm.), contiguity reused:{reuse * 1000:8.1f} ms  x{build / reuse:5.1f} faster")
    everything = _time(lambda: assess(table, spec, level="PLR", needs_counts=counts, units=units,
                                      neighbours=weights, draws=DRAWS), 3)
    print(f"everything (index, {DRAWS} draws, hotspots, unheard): {everything * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
