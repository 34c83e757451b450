"""How long the assessment report takes to build, as HTML and as PDF, at PLR and BZR level.

Setting: the real open data, preset "balanced" (10 indicators incl. the needs
rate) with 100,000 synthetic needs (areas drawn in proportion to residents,
categories at random), five goals; the assessment itself is computed once
before timing (see ``bench_assessment.py`` for its cost). Timed: building the
HTML (:func:`assessment.analysis.report.build_report`, two inline SVG maps) and
rendering it to PDF (:func:`assessment.analysis.report.report_pdf`, WeasyPrint).

Baseline, in the same run: the same report drawn from the full-detail LOR
geometry (``geodata.lor.load_units`` reprojected to EPSG:4326) instead of the
simplified display geometry - what a report without the display layer would
print.

Run: ``.venv/bin/python bench/bench_report.py``
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from assessment.analysis.assess import assess
from assessment.analysis.goals import Goal
from assessment.analysis.hotspots import contiguity
from assessment.analysis.report import build_report, report_pdf
from assessment.needs.taxonomy import category_ids
from geodata.display import display_units
from geodata.indicators import indicator_table
from geodata.lor import load_units
from core.settings import load_settings

STAMP = datetime(2026, 11, 26, tzinfo=timezone.utc)


def timed(work, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def synthetic_counts(table: pd.DataFrame, total: int = 100_000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    population = table["population"].fillna(0).to_numpy()
    areas = rng.choice(len(table), size=total, p=population / population.sum())
    categories = rng.choice(list(category_ids()), size=total)
    frame = pd.DataFrame({"area": table.index.to_numpy()[areas], "category": categories})
    return frame.groupby(["area", "category"]).size().unstack(fill_value=0)


def main() -> None:
    settings = load_settings()
    print("level | HTML build (display geometry) | PDF render | HTML size | baseline HTML (full detail) | "
          "baseline PDF | baseline size | ratio HTML | ratio PDF")
    for level in ("BZR", "PLR"):
        table = indicator_table(settings, level)
        units = load_units(settings, level)
        result = assess(table, "balanced", level=level, needs_counts=synthetic_counts(table), units=units,
                        neighbours=contiguity(units))
        goals = [Goal(f"g{n}", STAMP, f"Ziel {n}", "green_climate", level, tuple(table.index[n:n + 3]), (),
                      ("ug_heat_high_share",)) for n in range(5)]
        names = table["name"]
        display = display_units(settings, level)
        full = units.to_crs("EPSG:4326")
        full["name"] = names.reindex(full.index)
        html_s, html = timed(lambda: build_report(result, display, goals=goals, names=names,
                                                  generated_at=STAMP), 3)
        pdf_s, _ = timed(lambda: report_pdf(html), 2)
        base_html_s, base_html = timed(lambda: build_report(result, full, goals=goals, names=names,
                                                            generated_at=STAMP), 1)
        base_pdf_s, _ = timed(lambda: report_pdf(base_html), 1)
        print(f"{level} | {html_s * 1000:.0f} ms | {pdf_s:.2f} s | {len(html.encode()) / 1e6:.2f} MB | "
              f"{base_html_s * 1000:.0f} ms | {base_pdf_s:.2f} s | {len(base_html.encode()) / 1e6:.2f} MB | "
              f"x{base_html_s / html_s:.1f} | x{base_pdf_s / pdf_s:.1f}")


if __name__ == "__main__":
    main()
