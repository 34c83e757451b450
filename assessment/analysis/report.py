"""The report "Integrierte räumliche Bestandsaufnahme und Bedarfsanalyse", as HTML and PDF.

One self-contained HTML file (no scripts, no external requests: the maps are
inline SVG drawn from the display geometry) with, in this order: the
declared timestamp, the inputs (level, preset, LOR version, the SHA-256 of the
inputs from :meth:`Assessment.fingerprint`), the method and weights in words
(:meth:`Assessment.describe`), a map of the priority index, the ranked table
with rank intervals and flags, a map of the hotspots with their significance,
the unheard areas crossed with MSS status, the goals with their evidence, and
every source with licence and reference date.

**Reproducible**: the same inputs give the same bytes, apart from the one
line that carries the creation time; it is the only line containing
:data:`TIMESTAMP_MARKER`, so a reader (or a test) can drop it and compare.

**PDF**: :func:`report_pdf` renders the same HTML with WeasyPrint (pure
Python on Pango, no browser, nothing fetched; Debian ``libpango-1.0-0`` and
``libpangoft2-1.0-0`` must be installed).

Public API
----------
``build_report(assessment, geometry, *, goals=(), lang="de", generated_at=None) -> str``
    in any of :data:`REPORT_LANGUAGES` (the texts are public messages ``assessment_report.*``;
    Arabic is laid out right to left: ``<html dir="rtl">``)
``report_pdf(html) -> bytes``
``report_from_settings(settings, *, level, spec, method="rank", lang="de", store=None, ...) -> (Assessment, str)``
``needs_matrix(counts, level)``, ``score_classification(assessment, lang)``,
``hotspot_classification(assessment, lang)``, ``svg_map(...)``;
``significant_hotspots(assessment)`` and ``outreach_areas(assessment)``, the rows the
report lists (the page lists the same), and ``report_stem(assessment)``, its file name.

Examples
--------
>>> from shapely.geometry import box
>>> import geopandas as gpd
>>> geometry = gpd.GeoDataFrame({"name": ["A", "B"]}, index=["01", "02"],
...                             geometry=[box(13.3, 52.5, 13.4, 52.6), box(13.4, 52.5, 13.5, 52.6)],
...                             crs="EPSG:4326")
>>> svg = svg_map(geometry, {"01": "#ff0000"}, title="Test", legend=[("#ff0000", "hoch")])
>>> svg.count("<path"), 'fill="#ff0000"' in svg
(2, True)
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assessment.analysis.assess import Assessment, assess
from assessment.analysis.goals import Goal
from assessment.analysis.presets import PRESETS
from assessment.analysis.priority import label as indicator_label
from assessment.needs.taxonomy import CATEGORIES
from geodata.catalogue import DATASETS
from maps.classify import MISSING_COLOUR, NEUTRAL, Classification, classify_numeric
from assessment.needs.procedures import Procedure, answer_summary
from core.i18n import SCOPES, format_date, format_datetime, format_number, html_language, t, text_direction
from geodata.lor import APP_NAME, LEVELS, Level, get_level
from geodata.indicators import sources as indicator_sources

REPORT_LANGUAGES = SCOPES["public"]
"""The languages the report is offered in: its texts are messages of scope ``public``."""
TIMESTAMP_MARKER = "data-declared-timestamp"
"""Marks the one line of the HTML that changes between two builds of the same inputs."""
LOR_VERSION = "LOR 2021"
"""The LOR edition of the geometry (see the catalogue's ``lor_*`` datasets)."""

# Hotspot colours: ColorBrewer RdBu (diverging, colour-blind safe); stronger = more significant.
HOTSPOT_STYLE = {
    "hot_strong": "#b2182b", "hot": "#ef8a62", "cold_strong": "#2166ac", "cold": "#67a9cf",
    "high_low": "#fddbc7", "low_high": "#d1e5f0", "not_significant": "#f7f7f7",
}
STRONG_Q = 0.01
"""Hotspots with q <= 0.01 get the strong colour; q <= alpha the light one."""
SIGNIFICANT = ("hot", "cold", "high_low", "low_high")
"""The hotspot classes (:data:`assessment.analysis.hotspots.CLASSES`) that count as significant."""

_CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt; color: #1a1a1a;
       max-width: 60em; margin: 0 auto; }
h1 { font-size: 17pt; } h2 { font-size: 13pt; margin-top: 1.4em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
table.fixed { table-layout: fixed; font-size: 8pt; }
table.fixed th, table.fixed td { hyphens: auto; overflow-wrap: anywhere; }
th, td { border: 1px solid #bbb; padding: 2px 4px; text-align: start; vertical-align: top; }
th { background: #eee; } td.num { text-align: end; }
tr { page-break-inside: avoid; } thead { display: table-header-group; }
figure { margin: 0.5em 0; page-break-inside: avoid; } figcaption { font-size: 9pt; color: #333; }
.legend { list-style: none; padding: 0; font-size: 8.5pt; }
.legend li { display: inline-block; margin: 0 1em 0 0; }\n[dir=rtl] .legend li { margin: 0 0 0 1em; }
.swatch { display: inline-block; width: 1.4em; height: 0.9em; border: 1px solid #555; vertical-align: middle; }
.method { white-space: pre-wrap; } .small { font-size: 8.5pt; color: #333; }
"""


def _w(key: str, lang: str, **values: object) -> str:
    """The report's text ``assessment_report.<key>`` in ``lang``."""
    return t(f"assessment_report.{key}", lang, **values)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def needs_matrix(counts: pd.DataFrame, level: str | Level) -> pd.DataFrame:
    """Turn :meth:`NeedStore.counts_by_area` rows into the areas x categories frame :func:`assess` takes.

    Examples
    --------
    >>> rows = pd.DataFrame({"BZR_ID": ["011001", "011001"], "category": ["mobility", "housing"],
    ...                      "count": [2, 1]})
    >>> needs_matrix(rows, "BZR").loc["011001", ["mobility", "housing", "health_care"]].tolist()
    [2, 1, 0]
    """
    column = get_level(level).id_column
    if counts.empty:
        return pd.DataFrame(0, index=pd.Index([], name=column, dtype=object), columns=list(CATEGORIES))
    matrix = counts.pivot_table(index=column, columns="category", values="count", aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(columns=list(CATEGORIES), fill_value=0).astype("int64")
    matrix.index = matrix.index.astype(str)
    matrix.columns.name = None
    return matrix.sort_index()


# --- classes and colours (shared with the page) -------------------------------------------


def score_classification(assessment: Assessment, lang: str = "de") -> Classification:
    """Quantile classes (up to 5) of the score; areas without a score are 'missing'."""
    return classify_numeric(assessment.index.scores["score"], k=5, scheme="quantiles", decimals=0, lang=lang)


def hotspot_kind(hotspots: pd.DataFrame) -> pd.Series:
    """Per area one key of :data:`HOTSPOT_STYLE` (or ``"no_value"``): class and strength."""
    kind = hotspots["class"].astype(str).copy()
    strong = hotspots["q"] <= STRONG_Q
    kind[(kind == "hot") & strong] = "hot_strong"
    kind[(kind == "cold") & strong] = "cold_strong"
    return kind


def significant_hotspots(assessment: Assessment) -> pd.DataFrame:
    """The rows of ``assessment.hotspots`` that are significant: hot and cold spots and the two outliers.

    Areas that are not significant, or have no score, are left out; the report and the
    page list the same areas.
    """
    return assessment.hotspots[assessment.hotspots["class"].isin(SIGNIFICANT)]


def outreach_areas(assessment: Assessment) -> pd.DataFrame | None:
    """The rows of ``assessment.unheard`` to reach out to: unheard areas, those of low status first.

    ``None`` without the unheard-areas step; empty when no area is unheard, and always
    when no area has any need yet: with nothing submitted, no area is heard less than
    another (:func:`~assessment.analysis.unheard.unheard_areas` expects 0 everywhere).
    """
    unheard = assessment.unheard
    if unheard is None:
        return None
    if not (unheard["needs"] > 0).any():
        return unheard.iloc[:0]
    return unheard[unheard["outreach"].isin(["unheard_low_status", "unheard"])]


def hotspot_classification(assessment: Assessment, lang: str = "de") -> Classification:
    """The hotspot classes as a :class:`~maps.classify.Classification` for maps and legends."""
    alpha = format_number(assessment.parameters.get("alpha", 0.05), 2, lang)
    order = list(HOTSPOT_STYLE)
    kind = hotspot_kind(assessment.hotspots)
    classes = kind.map({k: n for n, k in enumerate(order)}).astype("Int64")
    labels = tuple(_w(f"hotspot.{k}", lang, alpha=alpha) for k in order)
    return Classification(classes, labels, tuple(HOTSPOT_STYLE.values()), "categories", NEUTRAL)


# --- static SVG maps -------------------------------------------------------------------------


def _rings(geometry) -> list[np.ndarray]:
    rings = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        rings.append(shapely.get_coordinates(polygon.exterior))
        rings.extend(shapely.get_coordinates(ring) for ring in polygon.interiors)
    return rings


def svg_map(
    geometry: gpd.GeoDataFrame,
    fill: Mapping[str, str],
    *,
    title: str,
    legend: Sequence[tuple[str, str]] = (),
    names: Mapping[str, str] | None = None,
    width: int = 640,
) -> str:
    """A static map as inline SVG: one ``<path>`` per area, filled by ``fill`` (default grey).

    Coordinates (EPSG:4326) are projected equirectangularly at Berlin's
    latitude (distortion < 0.5 % across the city) and rounded to 0.1 px, so
    the same geometry gives the same text. Each path carries a ``<title>``
    with the area's name for screen readers and tooltips.
    """
    frame = geometry.sort_index()
    west, south, east, north = frame.total_bounds
    squeeze = np.cos(np.radians((south + north) / 2))
    scale = width / ((east - west) * squeeze)
    height = int(np.ceil((north - south) * scale))
    paths = []
    for area_id, shape in zip(frame.index.astype(str), frame.geometry):
        parts = []
        for ring in _rings(shape):
            x = np.round((ring[:, 0] - west) * squeeze * scale, 1)
            y = np.round((north - ring[:, 1]) * scale, 1)
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y))
            parts.append(f"M{points}Z")
        colour = fill.get(area_id, MISSING_COLOUR)
        name = names.get(area_id, area_id) if names is not None else area_id
        paths.append(f'<path d="{"".join(parts)}" fill="{_e(colour)}" fill-rule="evenodd" stroke="#4d4d4d" '
                     f'stroke-width="0.4"><title>{_e(name)} ({_e(area_id)})</title></path>')
    items = "".join(f'<li><span class="swatch" style="background:{_e(c)}"></span> {_e(label)}</li>'
                    for c, label in legend)
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_e(title)}" '
            f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet">'
            f'<title>{_e(title)}</title>{"".join(paths)}</svg>'
            f'<figcaption>{_e(title)}</figcaption><ul class="legend">{items}</ul></figure>')


def _legend(classification: Classification, missing_label: str) -> list[tuple[str, str]]:
    rows = [(c, label) for c, label, n in zip(classification.colours, classification.labels,
                                              classification.counts()) if n]
    if classification.missing_count():
        rows.append((MISSING_COLOUR, missing_label))
    return rows


# --- the report ------------------------------------------------------------------------------


def _num(value: object, decimals: int, lang: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return format_number(float(value), decimals, lang)


def _table(header: Sequence[str], rows: Iterable[Sequence[tuple[str, bool]]],
           widths: Sequence[int] | None = None) -> str:
    """An escaped HTML table; ``widths`` (percent per column) fix the layout so it fits an A4 page."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "\n".join(
        "<tr>" + "".join(f'<td class="num">{_e(v)}</td>' if numeric else f"<td>{_e(v)}</td>" for v, numeric in row)
        + "</tr>" for row in rows)
    columns = ""
    if widths is not None:
        if len(widths) != len(header):
            raise ValueError(f"widths has {len(widths)} entries for {len(header)} columns")
        columns = "<colgroup>" + "".join(f'<col style="width:{int(w)}%">' for w in widths) + "</colgroup>"
    css_class = ' class="fixed"' if widths is not None else ""
    return f"<table{css_class}>{columns}<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def flags(row: pd.Series, lang: str = "de") -> str:
    """The note of one row of :meth:`Assessment.table`: too few, incomplete, rank not robust."""
    notes = []
    if row["status"] in ("too_few", "incomplete"):
        notes.append(_w(row["status"], lang))
    if "top_n_not_robust" in row and row["top_n_not_robust"] is True:
        notes.append(_w("not_robust", lang))
    return "; ".join(notes)


def _ranking(table: pd.DataFrame, lang: str) -> str:
    outreach_words = {"unheard_low_status": _w("unheard_low_status", lang), "unheard": _w("unheard_only", lang),
                      "heard": _w("heard", lang), "too_few": _w("too_few", lang)}
    rows = []
    # Without any needs every area would read "heard": say nothing instead.
    no_needs = "needs_expected" not in table or not (table["needs_expected"].fillna(0) > 0).any()
    for area_id, row in table.iterrows():
        interval = ""
        if "rank_low" in row and not pd.isna(row["rank_low"]):
            interval = f"{int(row['rank_low'])}–{int(row['rank_high'])}"
        burden = ""
        if "burdens" in row and not pd.isna(row["burdens"]):
            burden = f"{int(row['burdens'])}/{int(row['assessed'])}"
        hotspot = ""
        if "hotspot" in row and isinstance(row["hotspot"], str):
            hotspot = (_w(f"hotspot.{row['hotspot']}", lang, alpha="α") if row["hotspot"] in HOTSPOT_STYLE
                       or row["hotspot"] == "no_value" else row["hotspot"])
        rows.append([
            ("" if pd.isna(row["rank"]) else str(int(row["rank"])), True), (area_id, False), (row["name"], False),
            (_num(row["score"], 1, lang), True), (interval, True), (flags(row, lang), False),
            (burden, True), (hotspot, False), ("" if no_needs else outreach_words.get(row.get("outreach"), ""), False),
        ])
    header = [_w(k, lang) for k in ("rank", "id", "name", "score", "interval", "flags", "burden", "hotspot", "outreach")]
    # Nine columns on A4 portrait: fixed widths, long words hyphenated (German headers) or broken.
    return _table(header, rows, widths=(6, 10, 18, 8, 9, 13, 11, 12, 13))


def build_report(
    assessment: Assessment,
    geometry: gpd.GeoDataFrame,
    *,
    goals: Sequence[Goal] = (),
    names: pd.Series | None = None,
    lang: str = "de",
    generated_at: datetime | None = None,
    procedure: Procedure | None = None,
    procedure_needs: Sequence = (),
) -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    assessment : Assessment
        From :func:`assessment.analysis.assess.assess`; its indicator table must hold ``name``.
    geometry : geopandas.GeoDataFrame
        Display geometry of the same level (:func:`geodata.display.display_units`), EPSG:4326.
    goals : sequence of Goal
        Goals to print with their evidence (e.g. ``GoalBook(store).list(level=...)``).
    names : pandas.Series, optional
        Area names by id for all levels' ids cited by goals; default the names in ``geometry``.
    lang : str
        One of :data:`REPORT_LANGUAGES` (another falls back to German texts).
    generated_at : datetime, optional
        The declared timestamp (default now, UTC); the only line that may differ
        between two builds of the same inputs.
    procedure : Procedure, optional
        The participation procedure the report is for: a section with its period, area,
        need count and a summary of the answers to its questions (from ``procedure_needs``,
        the procedure's published needs).

    Returns
    -------
    str
        UTF-8 HTML, no scripts, no external references.
    """
    level = assessment.level
    generated_at = generated_at or datetime.now(timezone.utc)
    area_names = names if names is not None else geometry["name"].astype(str)
    table = assessment.table()
    if "name" not in table:
        table.insert(0, "name", area_names.reindex(table.index).fillna("").astype(str))
    scores = score_classification(assessment, lang)
    status = table["status"].value_counts()
    counts = {"areas": format_number(len(table), 0, lang),
              **{key: format_number(int(status.get(key, 0)), 0, lang) for key in ("ranked", "incomplete", "too_few")}}

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(html_language(lang))}" dir="{text_direction(lang)}"><head><meta charset="utf-8">',
        f"<title>{_e(_w('title', lang))} – {_e(level.plural(lang))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(_w('title', lang))}</h1>",
        f'<p class="small" {TIMESTAMP_MARKER}>'
        f'{_e(_w("generated_at", lang, moment=format_datetime(generated_at, lang, seconds=True, zone="UTC")))}</p>',
        f"<h2>{_e(_w('inputs', lang))}</h2><ul>",
        f"<li>{_e(_w('level', lang))}: {_e(_w('level_counts', lang, level=level.plural(lang), code=level.code, **counts))}</li>",
        f"<li>{_e(_w('preset', lang))}: {_e(PRESETS[assessment.preset].label(lang) if assessment.preset in PRESETS else assessment.preset or _w('custom', lang))}</li>",
        f"<li>{_e(_w('lor', lang))}: {_e(LOR_VERSION)} ({_e(DATASETS[level.dataset].citation(lang))})</li>",
        f"<li>{_e(_w('fingerprint', lang))}: <code>{_e(assessment.fingerprint())}</code><br>"
        f'<span class="small">{_e(_w("fingerprint_note", lang))}</span></li></ul>',
        f"<h2>{_e(_w('method', lang))}</h2>",
        f'<p class="method">{_e(assessment.describe(lang))}</p>',
        f"<h2>{_e(_w('map', lang))}</h2>",
        svg_map(geometry, {i: scores.colour_of(i) for i in geometry.index.astype(str)},
                title=f"{_w('map', lang)} – {level.plural(lang)}", legend=_legend(scores, _w("too_few", lang)),
                names=area_names),
        f'<p class="small">{_e(_w("map_note", lang))}</p>',
        f"<h2>{_e(_w('table', lang))}</h2>",
        _ranking(table, lang),
    ]
    if assessment.robustness is not None:
        top = int(assessment.parameters["top_n"])
        unstable = int(assessment.robustness["top_n_not_robust"].fillna(False).astype(bool).sum())
        parts += [f"<h2>{_e(_w('robustness', lang))}</h2>",
                  f"<p>{_e(_w('robust_summary', lang, n=unstable, top=top))}</p>"]
    if assessment.hotspots is not None:
        hot = hotspot_classification(assessment, lang)
        kind = hotspot_kind(assessment.hotspots)
        significant = table.loc[table.index.isin(significant_hotspots(assessment).index)]
        parts += [
            f"<h2>{_e(_w('hotspots', lang))}</h2>",
            svg_map(geometry, {i: hot.colour_of(i) for i in geometry.index.astype(str)},
                    title=f"{_w('hotspot_map', lang)} – {level.plural(lang)}",
                    legend=_legend(hot, _w("hotspot.no_value", lang)), names=area_names),
        ]
        if significant.empty:
            parts.append(f"<p>{_e(_w('none_significant', lang))}</p>")
        else:
            h = assessment.hotspots
            rows = [[(i, False), (r["name"], False),
                     (_w(f"hotspot.{kind[i]}", lang, alpha=format_number(assessment.parameters["alpha"], 2, lang)), False),
                     (_num(h.at[i, "z"], 2, lang), True), (_num(h.at[i, "q"], 3, lang), True)]
                    for i, r in significant.sort_index().iterrows()]
            parts.append(_table([_w("id", lang), _w("name", lang), _w("hotspot", lang), "z", "q"], rows))
    parts.append(f"<h2>{_e(_w('unheard', lang))}</h2>")
    chosen = outreach_areas(assessment)
    if chosen is None or chosen.empty:
        parts.append(f"<p>{_e(_w('unheard_none', lang))}</p>")
    else:
        label = {"unheard_low_status": _w("unheard_low_status", lang), "unheard": _w("unheard_only", lang)}
        rows = [[(i, False), (area_names.get(i, i), False), (label[r["outreach"]], False),
                 (_num(r["needs"], 0, lang), True), (_num(r["expected"], 1, lang), True),
                 (_num(r["ratio"], 2, lang), True), (_num(r["low_status_share"], 0, lang), True)]
                for i, r in chosen.iterrows()]
        parts.append(_table([_w("id", lang), _w("name", lang), _w("outreach", lang), _w("needs", lang), _w("expected", lang),
                             _w("ratio", lang), _w("mss_low", lang)], rows))
    if procedure is not None:
        parts.append(procedure_section(procedure, procedure_needs, lang))
    parts.append(f"<h2>{_e(_w('goals', lang))}</h2>")
    if not goals:
        parts.append(f"<p>{_e(_w('goals_none', lang))}</p>")
    for goal in goals:
        field = CATEGORIES[goal.field_of_action].label(lang) if goal.field_of_action in CATEGORIES else goal.field_of_action
        areas = ", ".join(f"{area_names.get(a, a)} ({a})" for a in goal.area_ids)
        needs = ", ".join(n[:8].upper() for n in goal.need_ids) or _w("none", lang)
        keys = "; ".join(_safe_label(k, lang) for k in goal.indicator_keys) or _w("none", lang)
        parts.append(
            f"<h3>{_e(goal.title)}</h3><ul>"
            f"<li>{_e(_w('field', lang))}: {_e(field)}</li>"
            f"<li>{_e(LEVELS.get(goal.level, level).plural(lang))}: {_e(areas)}</li>"
            f"<li>{_e(_w('linked_needs', lang))}: {_e(needs)}</li>"
            f"<li>{_e(_w('indicators', lang))}: {_e(keys)}</li>"
            f"<li>{_e(_w('created', lang))}: {_e(format_date(goal.created_at, lang))}</li></ul>")
    parts.append(f"<h2>{_e(_w('sources', lang))}</h2><ul>")
    lines = [DATASETS[level.dataset].citation(lang), *(ds.citation(lang) for ds in indicator_sources("population")),
             *assessment.sources(lang)]
    if assessment.needs_counts is not None:
        lines.append(_w("needs_source", lang, app=APP_NAME, n=format_number(int(assessment.needs_counts.to_numpy().sum()), 0, lang)))
    parts += [f"<li>{_e(line)}</li>" for line in dict.fromkeys(lines)]
    parts.append("</ul></body></html>")
    return "\n".join(parts) + "\n"


def procedure_section(procedure: Procedure, needs: Sequence, lang: str = "de") -> str:
    """The report's section on one procedure: its facts and, per question, how the needs answered.

    >>> from datetime import date
    >>> from types import SimpleNamespace as Need
    >>> from assessment.needs.procedures import Question, SCALE_OPTIONS
    >>> urgent = Question("dringend", "scale", {"de": "Wie dringend?", "en": "How urgent?"}, SCALE_OPTIONS)
    >>> kiez = Procedure("p", {"de": "Kiezrunde", "en": "Kiez round"}, {}, None, (), None, "Neukölln-Nord",
    ...                  date(2026, 3, 1), date(2026, 5, 31), None, (), (urgent,), "pre")
    >>> html = procedure_section(kiez, [Need(answers=(("dringend", "4"),))], "en")
    >>> "Participation procedure: Kiez round" in html, "1 of 1 needs answered the question." in html
    (True, True)
    """
    status = t(f"procedure.status.{procedure.status()}", lang)
    parts = [f"<h2>{_e(t('procedure.report.heading', lang, title=procedure.title_in(lang)))}</h2>",
             f"<p>{_e(t('procedure.report.facts', lang, period=procedure.period_text(), status=status, area=procedure.area_label, count=len(needs)))}</p>"]
    if procedure.description_in(lang):
        parts.append(f"<p>{_e(procedure.description_in(lang))}</p>")
    summary = answer_summary(procedure, needs)
    if not summary:
        parts.append(f"<p>{_e(t('procedure.report.no_questions', lang))}</p>")
        return "\n".join(parts)
    parts.append(f"<h3>{_e(t('procedure.report.answers', lang))}</h3>")
    for question, counts, answered in summary:
        parts.append(f"<h4>{_e(question.text(lang))}</h4>")
        parts.append(_table([t("procedure.report.option", lang), t("procedure.report.count", lang)],
                            [[(option, False), (_num(count, 0, lang), True)] for option, count in counts]))
        parts.append(f'<p class="small">{_e(t("procedure.report.answered", lang, answered=answered, count=len(needs)))}</p>')
    return "\n".join(parts)


def _safe_label(key: str, lang: str) -> str:
    try:
        return indicator_label(key, lang)
    except (KeyError, ValueError):
        return key


def report_stem(assessment: Assessment) -> str:
    """The report's file name without extension: level and the start of the inputs' fingerprint.

    Two downloads of the same inputs get the same name; other weights or data, another one.
    """
    return f"bestandsaufnahme_{assessment.level.code}_{assessment.fingerprint()[:8]}"


def report_pdf(report_html: str) -> bytes:
    """Render the report's HTML to a tagged PDF (PDF/UA-1) with WeasyPrint, offline.

    Public bodies must publish accessible documents (BITV 2.0 asks for PDF/UA): the PDF
    carries a structure tree (headings, tables, lists, reading order), the document's
    language from ``<html lang>`` and its title from ``<title>``, so a screen reader reads
    it as the HTML. The HTML references nothing, so nothing is fetched.

    Raises
    ------
    RuntimeError
        When WeasyPrint's system libraries are missing, naming the Debian packages.
    """
    try:
        import weasyprint
    except OSError as error:  # WeasyPrint loads Pango through cffi at import
        raise RuntimeError(
            f"WeasyPrint cannot load its system libraries ({error}); install the Debian packages "
            "libpango-1.0-0 and libpangoft2-1.0-0 (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
        ) from error
    return weasyprint.HTML(string=report_html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")


def report_from_settings(
    settings,
    *,
    level: str | Level,
    spec: str | Iterable,
    method: str = "rank",
    lang: str = "de",
    store=None,
    generated_at: datetime | None = None,
    procedure_id: str | None = None,
    **options,
) -> tuple[Assessment, str]:
    """Assess ``level`` from the open data and the needs store, and build the report.

    ``store`` defaults to :func:`assessment.needs.store.open_store` of ``settings``;
    the minimum rule comes from ``settings.min_residents`` / ``settings.min_needs``;
    ``options`` go to :func:`assessment.analysis.assess.assess`. With ``procedure_id`` only that
    procedure's needs and goals count, and the report has a section on the procedure
    (raises :class:`~assessment.needs.procedures.ProcedureNotFoundError` for an unknown id).
    """
    from assessment.analysis.goals import GoalBook
    from assessment.analysis.hotspots import contiguity
    from assessment.needs.store import open_store
    from geodata.display import display_units
    from geodata.indicators import indicator_table
    from geodata.lor import load_units

    from assessment.needs.procedures import ProcedureBook

    level = get_level(level)  # a code from a caller that has not resolved it; a Level passes as it is
    if store is None:
        store = open_store(settings)
    procedure = ProcedureBook(store).get(procedure_id) if procedure_id is not None else None
    indicators = indicator_table(settings, level)
    units = load_units(settings, level)
    counts = needs_matrix(store.counts_by_area(level.code, procedure_id=procedure_id), level)
    result = assess(indicators, spec, level=level, needs_counts=counts, units=units,
                    neighbours=contiguity(units), method=method, min_residents=settings.min_residents,
                    min_needs=settings.min_needs, **options)
    goals = GoalBook(store).list(level=level, procedure_id=procedure_id)
    geometry = display_units(settings, level)
    procedure_needs = store.query(procedure_id=procedure_id) if procedure is not None else ()
    return result, build_report(result, geometry, goals=goals, names=indicators["name"], lang=lang,
                                generated_at=generated_at, procedure=procedure, procedure_needs=procedure_needs)
