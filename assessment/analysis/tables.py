"""The assessment's tables as /bewertung shows them: ranking, one area explained, hotspots, unheard areas.

An :class:`~assessment.analysis.assess.Assessment` holds numbers and class codes;
a reader needs words in the interface language, rounded numbers and the areas'
names. This module turns one into the other, so the page only renders frames:

* :func:`ranking_rows` - rank, name, score, rank interval, a note (too few data,
  incomplete, rank not robust), multiple burden and hotspot class per area;
* :func:`explanation` - one area's contribution per indicator, or ``None`` when
  the area has too few data to explain;
* :func:`hotspot_rows` and :func:`unheard_rows` - the areas the report lists too
  (:func:`~assessment.analysis.report.significant_hotspots`,
  :func:`~assessment.analysis.report.outreach_areas`);
* :func:`score_texts`, :func:`hotspot_texts` - each area's value as a map tooltip says it;
  :func:`sources_line` - the sources the maps and the ranking cite.

Column headers are the interface's texts (:mod:`core.i18n`); numbers stay numbers
(rounded), so a table still sorts by them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from assessment.analysis.assess import Assessment
from assessment.analysis.priority import label as indicator_label
from assessment.analysis.report import hotspot_classification, outreach_areas, significant_hotspots
from core.i18n import format_number, t


def area_label(names: Mapping[str, str] | pd.Series, area_id: str) -> str:
    """An area as lists name it: ``name (id)``, or the id twice over when the name is unknown.

    >>> area_label({"011001": "Tiergarten"}, "011001"), area_label({}, "011002")
    ('Tiergarten (011001)', '011002 (011002)')
    """
    return f"{names.get(area_id, area_id)} ({area_id})"


def sources_line(assessment: Assessment, lang: str = "de") -> str:
    """The sources under the maps and the ranking: each official indicator used, then the residents' needs.

    One line, ``; ``-separated, each source once.
    """
    return "; ".join(dict.fromkeys([*assessment.sources(lang), t("assess.needs_source", lang)]))


def score_texts(assessment: Assessment, lang: str = "de") -> pd.Series:
    """Each area's score as the map's tooltip shows it (one decimal), or that its data are too few."""
    return assessment.index.scores["score"].map(
        lambda v: format_number(v, 1, lang) if pd.notna(v) else t("assess.flag.too_few", lang))


def hotspot_texts(assessment: Assessment, lang: str = "de") -> pd.Series:
    """Each area's hotspot q-value as the hotspot map's tooltip shows it (empty without a value)."""
    return assessment.hotspots["q"].map(lambda q: f"q = {format_number(q, 3, lang)}" if pd.notna(q) else "")


def _note(row: pd.Series, lang: str) -> str:
    notes = []
    if row["status"] == "too_few":
        notes.append(t("assess.flag.too_few", lang))
    elif row["status"] == "incomplete":
        notes.append(t("assess.flag.incomplete", lang))
    if row.get("top_n_not_robust") is True:
        notes.append(t("assess.flag.not_robust", lang))
    return "; ".join(notes)


def ranking_rows(ranking: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """The ranked table: one row per row of ``ranking`` (:meth:`Assessment.table`), same index and order.

    Columns: rank, name, score (one decimal), rank interval (``low–high``, empty
    without one), note, multiple burden (empty column without that step), hotspot
    class in words.
    """
    return pd.DataFrame({
        t("assess.col.rank", lang): ranking["rank"],
        t("column.name", lang): ranking["name"],
        t("assess.score", lang): ranking["score"].round(1),
        t("assess.col.interval", lang): [
            "" if pd.isna(lo) else f"{int(lo)}–{int(hi)}" for lo, hi in zip(ranking["rank_low"], ranking["rank_high"])],
        t("assess.col.note", lang): ranking.apply(_note, axis=1, lang=lang),
        t("assess.col.burden", lang): ranking["burdens"] if "burdens" in ranking else None,
        t("assess.col.hotspot", lang): ranking["hotspot"].map(lambda c: t(f"assess.hotspot.{c}", lang)),
    }, index=ranking.index)


def explanation(assessment: Assessment, area_id: str, lang: str = "de") -> pd.Series | None:
    """What each indicator adds to ``area_id``'s score, indexed by the indicator's full name.

    Indicators without a value in the area are left out. ``None`` when the area has
    too few residents to be scored, or no contribution at all: there is nothing to explain.
    The contributions add up to the area's score.
    """
    contributions = (assessment.index.contributions.loc[area_id]
                     .rename(index=lambda key: indicator_label(key, lang)).dropna())
    if assessment.index.scores.at[area_id, "status"] == "too_few" or contributions.empty:
        return None
    return contributions


def hotspot_rows(assessment: Assessment, names: pd.Series, lang: str = "de") -> pd.DataFrame:
    """The significant hotspots (as the report lists them): name, class in words, z and q, by area id."""
    hot = hotspot_classification(assessment, lang)
    significant = significant_hotspots(assessment)
    return pd.DataFrame({t("column.name", lang): names.reindex(significant.index),
                         t("assess.col.hotspot", lang): hot.classes.reindex(significant.index).map(
                             lambda c: hot.labels[int(c)]),
                         "z": significant["z"].round(2), "q": significant["q"].round(3)})


def unheard_rows(assessment: Assessment, names: pd.Series, lang: str = "de") -> pd.DataFrame | None:
    """The areas to reach out to (as the report lists them), or ``None`` when there are none.

    Columns: name, outreach class in words, needs submitted, needs expected (one
    decimal), share of residents in low-status PLR (whole percent).
    """
    listed = outreach_areas(assessment)
    if listed is None or listed.empty:
        return None
    return pd.DataFrame({
        t("column.name", lang): names.reindex(listed.index),
        t("assess.col.outreach", lang): listed["outreach"].map(lambda o: t(f"assess.outreach.{o}", lang)),
        t("assess.col.needs", lang): listed["needs"], t("assess.col.expected", lang): listed["expected"].round(1),
        t("assess.col.mss_low", lang): listed["mss_low_share"].round(0),
    })
