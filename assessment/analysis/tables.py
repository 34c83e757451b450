"""The assessment's tables as /bewertung shows them: ranking, one area explained, hotspots, unheard areas.

An :class:`~assessment.analysis.assess.Assessment` holds numbers and class codes;
a reader needs words in the interface language, rounded numbers and the areas'
names. This module turns one into the other, so the page only renders frames:

* :func:`ranking_rows` - rank, name, score, rank interval, a note (too few data,
  incomplete, rank not robust), multiple burden and hotspot class per area;
* :func:`explanation` - one area's contribution per indicator, or ``None`` when
  the area has too few data to explain; :func:`explain_area` - the same area with
  everything its score rests on (value, normalised value, direction, weight, share
  of the weights, contribution), so a reader can follow the score by hand;
* :func:`hotspot_rows` and :func:`unheard_rows` - the areas the report lists too
  (:func:`~assessment.analysis.report.significant_hotspots`,
  :func:`~assessment.analysis.report.outreach_areas`);
* :func:`score_texts`, :func:`hotspot_texts` - each area's value as a map tooltip says it;
  :func:`sources_line` - the sources the maps and the ranking cite.

Column headers are the interface's texts (:mod:`core.i18n`); numbers stay numbers
(rounded), so a table still sorts by them. The one exception is the explanation's
table: it is read row by row like a worked example, so its cells are the texts a
reader would write down (unit, decimal comma, percent sign).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from assessment.analysis.assess import Assessment
from assessment.analysis.priority import label as indicator_label
from assessment.analysis.report import hotspot_classification, outreach_areas, significant_hotspots
from core.i18n import format_number, t
from geodata.indicators import INDICATORS
from geodata.lor import APP_NAME


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
    return "; ".join(dict.fromkeys([*assessment.sources(lang), t("assess.needs_source", lang, app=APP_NAME)]))


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


#: Decimals of the normalised values, contributions and score in the explanation. One more
#: than the ranking shows: with one, share x rounded percentile rank missed the rounded
#: contribution by 0,1 (75 % x 97,5 = 73,1, shown 73,2), and a reader checking by hand
#: could not tell rounding from an error. z-scores run from about -3 to 3 and need three.
EXPLAIN_DECIMALS = {"rank": 2, "minmax": 2, "zscore": 3}

_NO_VALUE = "–"


@dataclass(frozen=True)
class AreaExplanation:
    """One area's score taken apart, as /bewertung shows it under "Erklärung eines Gebiets".

    Attributes
    ----------
    contributions : pandas.Series
        What each indicator with a value adds to the score (:func:`explanation`), for the bar chart.
    rows : pandas.DataFrame
        One row per indicator of the spec, in its order, indexed by the indicator's full
        name: the raw value with its unit, the normalised value the index uses, the
        direction, the weight, its share of the weights the area has, and the
        contribution (share x normalised value). All cells are texts in the interface
        language; an indicator without a value here shows "keine Angabe" and dashes.
    title : str
        What the table shows, naming the area (the table's accessible name).
    how : str
        How a contribution comes about, naming the normalised column.
    total : str
        The worked sum: the rounded contributions, ``+``-joined, equal the score; when
        rounding makes them differ, a sentence says by how much.
    missing : str
        Which indicators have no value in the area (empty when all have one).
    """

    contributions: pd.Series
    rows: pd.DataFrame
    title: str
    how: str
    total: str
    missing: str = ""

    @property
    def text(self) -> str:
        """The lines under the table: how a contribution comes about, what is missing, the worked sum."""
        return "\n".join(line for line in (self.how, self.missing, self.total) if line)


def value_text(key: str, value: float, lang: str = "de") -> str:
    """An indicator's raw value as a reader writes it: with its unit, or its class in words.

    Official class indicators show code and class (``4 – sehr niedrig``); needs rates
    are per 1,000 residents with one decimal; a missing value is "keine Angabe".

    >>> value_text("share_under6", 8.0, "de"), value_text("share_under6", 8.0, "en")
    ('8,0 %', '8.0 %')
    >>> value_text("mss_status", 4.0, "de"), value_text("needs_per_1000", 2.345, "en")
    ('4 – sehr niedrig', '2.3 per 1,000 residents')
    >>> value_text("pharmacies_per_10k", float("nan"), "de")
    'keine Angabe'
    """
    if pd.isna(value):
        return t("legend.missing", lang)
    indicator = INDICATORS.get(key)
    if indicator is None:  # a needs rate (priority.label names which one)
        return f"{format_number(value, 1, lang)} {t('assess.unit.needs_rate', lang)}"
    if indicator.classes:
        code, label = format_number(value, 0, lang), indicator.class_label(value, lang)
        return f"{code} – {label}" if label else code
    return f"{format_number(value, indicator.decimals, lang)} {indicator.unit(lang)}".strip()


def _short_number(value: float, decimals: int, lang: str) -> str:
    # At most ``decimals`` places, no trailing zeros: weights 3, 1,5, 0,25; shares 75, 33,33.
    places = next(d for d in range(decimals + 1) if round(value, d) == round(value, decimals))
    return format_number(value, places, lang)


def _signed(value: float, decimals: int, lang: str) -> str:
    # A typographic minus, as the sum's operators: "−1,06 − 0,37 = −1,43".
    shown = format_number(abs(value), decimals, lang)
    return f"−{shown}" if round(value, decimals) < 0 else shown


def _sum_terms(contributions: list[float], decimals: int, lang: str) -> str:
    """``37,5 + 9,4``; a negative contribution (z-scores) is subtracted: ``0,80 − 0,25``."""
    first, *rest = contributions
    return " ".join([_signed(first, decimals, lang)]
                    + [f"{'−' if value < 0 else '+'} {format_number(abs(value), decimals, lang)}" for value in rest])


def explain_area(assessment: Assessment, area_id: str, lang: str = "de", *,
                 names: Mapping[str, str] | pd.Series | None = None) -> AreaExplanation | None:
    """Everything ``area_id``'s score rests on, so that a reader can compute it by hand.

    Per indicator of the spec: the raw value, the normalised value (its percentile
    rank, z-score or min-max value among the assessed areas, oriented so that
    higher = more need), the direction, the weight and its share of the weights of
    the indicators the area has a value for, and the contribution = share x
    normalised value. The contributions add up to the score, and
    :attr:`AreaExplanation.total` writes that sum out. ``None`` when there is
    nothing to explain (see :func:`explanation`). ``names`` (area names by id)
    name the area in the title.

    Examples
    --------
    >>> from assessment.analysis.priority import priority_index
    >>> table = pd.DataFrame({"population": [900.0] * 3, "share_under6": [4.0, 6.0, 8.0],
    ...                       "pharmacies_per_10k": [1.0, 3.0, 2.0]}, index=["a", "b", "c"])
    >>> index = priority_index(table, [("share_under6", 1, 3), ("pharmacies_per_10k", -1, 1)])
    >>> explained = explain_area(Assessment(level="BZR", preset=None, index=index), "b", "en")
    >>> explained.rows.iloc[:, [0, 1, 4, 5]].values.tolist()
    [['6.0 %', '50.00', '75 %', '37.50'], ['3.0 per 10,000', '0.00', '25 %', '0.00']]
    >>> explained.total
    'The contributions add up to the score: 37.50 + 0.00 = 37.50.'
    """
    contributions = explanation(assessment, area_id, lang)
    if contributions is None:
        return None
    index = assessment.index
    decimals = EXPLAIN_DECIMALS[index.method]
    normalised_column = t(f"assess.col.normalised.{index.method}", lang)
    normalised = index.normalised.loc[area_id]
    available = sum(c.weight for c in index.components if pd.notna(normalised[c.key]))
    rows, missing = {}, []
    for component in index.components:
        name = indicator_label(component.key, lang)
        has_value = pd.notna(normalised[component.key])
        if not has_value:
            missing.append(name)
        rows[name] = {
            t("column.value", lang): value_text(component.key, index.values.at[area_id, component.key], lang),
            normalised_column: _signed(normalised[component.key], decimals, lang) if has_value else _NO_VALUE,
            t("assess.col.direction", lang): t("assess.more_need" if component.direction > 0 else "assess.less_need",
                                               lang),
            t("assess.col.weight", lang): _short_number(component.weight, 2, lang),
            t("assess.col.weight_share", lang): (f"{_short_number(component.weight / available * 100, 2, lang)} %"
                                                  if has_value else _NO_VALUE),
            t("assess.contribution", lang): (_signed(index.contributions.at[area_id, component.key], decimals, lang)
                                             if has_value else _NO_VALUE),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis(t("assess.col.indicator", lang))
    score = float(index.scores.at[area_id, "score"])
    shown = [round(float(value), decimals) for value in contributions]
    total = t("assess.explain_sum", lang, terms=_sum_terms(shown, decimals, lang),
              score=_signed(score, decimals, lang))
    difference = abs(round(sum(shown), decimals) - round(score, decimals))
    if difference >= 10 ** -decimals / 2:
        total += " " + t("assess.explain_rounded", lang, difference=format_number(difference, decimals, lang))
    return AreaExplanation(
        contributions=contributions,
        rows=frame,
        title=t("assess.explain_table", lang, area=area_label({} if names is None else names, area_id)),
        how=t("assess.explain_how", lang, normalised=normalised_column),
        total=total,
        missing=t("assess.explain_missing", lang, indicators="; ".join(missing)) if missing else "",
    )


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
        t("assess.col.mss_low", lang): listed["low_status_share"].round(0),
    })
