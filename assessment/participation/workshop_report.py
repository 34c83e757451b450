"""A workshop's results: its focus area, exports of its needs and dots, and a one-page summary.

* :func:`focus_area` — the focus area of a workshop as geometry (EPSG:4326),
  bounding box and a readable name (an LOR unit's official name, or the rectangle).
* :func:`export_workshop_needs` — the workshop's published needs as CSV or GeoJSON through
  :func:`assessment.needs.exchange.export_needs` (same columns, attribution and
  escaping as every other needs export); :func:`export_workshop_votes` — the dots on them.
  A need hidden or rejected after the workshop leaves both files, with its dots.
  Both CSVs start with a ``# Quelle:`` line, like :func:`assessment.analysis.inventory.export_csv`.
* :func:`build_summary` — one page of self-contained HTML: a map (inline SVG,
  the approach of :mod:`assessment.analysis.report`), the top needs (by the dots of the
  last voting round, else by "me too" supports), the counts by topic, and the
  sources; :func:`summary_pdf` renders it with WeasyPrint.

Plain Python: the page and the command line call it, tests run it without a browser.

Examples
--------
>>> svg = svg_focus_map(box(13.30, 52.50, 13.40, 52.55), [(52.52, 13.35, "#1f77b4", "Bänke <b>")], title="Karte")
>>> svg.count("<circle"), "Bänke &lt;b&gt;" in svg, "<b>" in svg
(1, True, False)
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box

from assessment.needs.exchange import attribution_line, export_needs, neutralise
from assessment.needs.model import utc_now
from assessment.analysis.report import report_pdf
from assessment.needs.taxonomy import CATEGORIES, category_label
from assessment.participation.workshops import Workshop, WorkshopBook
from geodata.catalogue import DATASETS
from geodata.lor import APP_NAME
from core.i18n import format_date, format_number, t
from maps.planner import CATEGORY_COLOURS

TOP_NEEDS = 10


@dataclass(frozen=True)
class FocusArea:
    """A workshop's focus area: ``geometry`` (shapely, EPSG:4326), ``bbox`` and a ``name`` to show."""

    geometry: object
    bbox: tuple[float, float, float, float]
    name: str
    dataset: str | None  # catalogue key of the LOR layer, None for a drawn rectangle


def focus_area(settings, workshop: Workshop, lang: str = "de") -> FocusArea:
    """The focus area of ``workshop``; LOR units come from the display geometry of ``settings``."""
    if workshop.bbox is not None:
        rounded = ", ".join(f"{v:.4f}" for v in workshop.bbox)
        return FocusArea(box(*workshop.bbox), tuple(workshop.bbox), t("workshop.summary_rect", lang, bbox=rounded), None)
    from geodata.display import display_units
    from geodata.lor import LEVELS

    units = display_units(settings, workshop.focus_level)
    if workshop.focus_id not in units.index:
        raise KeyError(
            f"the workshop's focus area {workshop.focus_level} {workshop.focus_id!r} is not in the LOR data: "
            "check that the data folder holds the LOR version the workshop was created with"
        )
    geometry = units.geometry[workshop.focus_id]
    name = f"{LEVELS[workshop.focus_level].label(lang)} {units.loc[workshop.focus_id, 'name']}"
    return FocusArea(geometry, tuple(float(v) for v in geometry.bounds), name, LEVELS[workshop.focus_level].dataset)


class _WorkshopNeeds:
    """The store seen through one workshop: :func:`export_needs` queries only its needs."""

    def __init__(self, book: WorkshopBook, code: str):
        self.book, self.code = book, code
        self.levels = book.store.levels  # the exports name a column per level of the store

    def query(self, **filters):
        return self.book.store.query(workshop_id=self.code, **filters)


def _with_source_line(csv_text: str, lang: str) -> bytes:
    """``csv_text`` preceded by a ``# Quelle: …`` line, as :func:`assessment.analysis.inventory.export_csv` does.

    UTF-8 with a byte-order mark, so that spreadsheets read the umlauts; read it back
    with ``pandas.read_csv(..., comment="#")`` or skip the first line.
    """
    return f"# {t('legend.source', lang)}: {attribution_line()}\n{csv_text}".encode("utf-8-sig")


def export_workshop_needs(book: WorkshopBook, code: str, format: str, path: str | Path | None = None,
                          lang: str = "de") -> bytes:
    """The workshop's needs that are published now as ``csv`` or ``geojson`` bytes (also written to ``path`` if given).

    The CSV starts with a ``# Quelle:`` line naming the data and the LOR keys' source;
    the GeoJSON holds the same text in its ``attribution`` member.
    """
    if format not in ("csv", "geojson"):
        raise ValueError(f"format must be 'csv' or 'geojson', got {format!r}")
    book.get(code)  # an unknown code is an error, not an empty file
    with tempfile.TemporaryDirectory(prefix="workshop-export-") as folder:
        target = Path(folder) / f"workshop-{code}.{format}"
        # Published now, whatever happened since the workshop: the file leaves the app.
        export_needs(_WorkshopNeeds(book, code), target, format, statuses=("published",))
        data = target.read_bytes()
    if format == "csv":
        data = _with_source_line(data.decode("utf-8-sig"), lang)
    if path is not None:
        Path(path).write_bytes(data)
    return data


def export_workshop_votes(book: WorkshopBook, code: str, lang: str = "de") -> bytes:
    """The dots on the workshop's published needs as CSV (:meth:`WorkshopBook.votes_frame`), after a ``# Quelle:`` line.

    Each row also names the need by its short reference and title, so the file reads on its
    own (titles are residents' text: a leading ``=``, ``+``, ``-`` or ``@`` gets a ``'``).
    Dots on a need hidden or rejected after the vote are left out with it: the file is
    handed on, and must not name what the moderators took out of public view.
    """
    book.get(code)  # an unknown code is an error, not an empty file
    frame = book.votes_frame(code)
    titles = {n.id: n.title for n in book.needs(code)}
    position = frame.columns.get_loc("need_id") + 1
    frame.insert(position, "reference", frame["need_id"].str[:8].str.upper())
    frame.insert(position + 1, "title", frame["need_id"].map(lambda i: neutralise(titles.get(i, ""))))
    return _with_source_line(frame.to_csv(index=False, lineterminator="\n"), lang)


def svg_focus_map(geometry, pins, *, title: str, width: int = 640) -> str:
    """The focus area as an SVG outline with pins ``(lat, lon, colour, label)``; labels escaped.

    Projected equirectangularly at the area's latitude, like :func:`assessment.analysis.report.svg_map`.
    """
    west, south, east, north = geometry.bounds
    pad_x, pad_y = (east - west) * 0.04, (north - south) * 0.04
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    squeeze = np.cos(np.radians((south + north) / 2))
    scale = width / ((east - west) * squeeze)
    height = int(np.ceil((north - south) * scale))

    def xy(lon, lat):
        return np.round((np.asarray(lon) - west) * squeeze * scale, 1), np.round((north - np.asarray(lat)) * scale, 1)

    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = shapely.get_coordinates(ring)
            x, y = xy(coords[:, 0], coords[:, 1])
            parts.append("M" + " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y)) + "Z")
    circles = []
    for lat, lon, colour, label in pins:
        x, y = xy(lon, lat)
        circles.append(f'<circle cx="{float(x):.1f}" cy="{float(y):.1f}" r="5" fill="{html.escape(colour)}" '
                       f'stroke="#ffffff" stroke-width="1.5"><title>{html.escape(label)}</title></circle>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(title)}" '
            f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet">'
            f'<title>{html.escape(title)}</title>'
            f'<path d="{"".join(parts)}" fill="#eef3f9" fill-rule="evenodd" stroke="#0b5394" stroke-width="2"/>'
            f'{"".join(circles)}</svg>')


def top_needs(book: WorkshopBook, code: str, limit: int = TOP_NEEDS):
    """The ranking of the summary: ``(frame, round)``; by dots of the latest round, else by supports."""
    import pandas as pd

    voting = book.latest_round(code)
    if voting is not None:
        return book.results(voting.id).head(limit), voting
    found = sorted(book.needs(code), key=lambda n: (-n.support_count, n.title))[:limit]
    frame = pd.DataFrame([{"need_id": n.id, "reference": n.reference, "title": n.title, "category": n.category,
                           "supports": n.support_count} for n in found],
                         columns=["need_id", "reference", "title", "category", "supports"])
    return frame, None


_CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #1a1a1a; }
h1 { font-size: 16pt; margin: 0 0 2mm 0; } h2 { font-size: 11pt; margin: 4mm 0 1mm 0; }
.cols { display: flex; gap: 6mm; } .cols > div { flex: 1; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ccc; padding: 1mm; text-align: left; }
td.n, th.n { text-align: right; } svg { max-height: 95mm; } .small { font-size: 8pt; color: #444; }
.swatch { display: inline-block; width: 3mm; height: 3mm; border-radius: 50%; margin-right: 1mm; }
"""


def build_summary(book: WorkshopBook, code: str, settings, lang: str = "de") -> str:
    """The one-page summary of the workshop as self-contained HTML (no external reference)."""
    e = html.escape
    workshop = book.get(code)
    focus = focus_area(settings, workshop, lang)
    needs = book.needs(code)
    # A procedure's own categories come after the standard ones, each with the next colour.
    order = list(dict.fromkeys([*CATEGORIES, *(n.category for n in needs)]))
    colour = {c: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, c in enumerate(order)}
    pins = [(n.lat, n.lon, colour[n.category], f"{category_label(n.category, lang)}: {n.title}") for n in needs]
    svg = svg_focus_map(focus.geometry, pins, title=t("workshop.summary_map", lang))
    counts = book.category_counts(code)
    ranked, voting = top_needs(book, code)
    held_on = format_date(workshop.held_on, lang)
    facts = t("workshop.summary_facts", lang, date=held_on, focus=focus.name,
              status=t(f"workshop.status.{workshop.status}", lang), n=len(needs))
    if voting is not None:
        voters = int(book.votes_frame(code).query("round_id == @voting.id")["voter"].nunique())
        ranking_note = t("workshop.summary_ranked_by", lang, dots=t("workshop.dots_count", lang, n=voting.dots),
                         n=voters)
        value_col, value_head = "votes", t("workshop.col.votes", lang)
    else:
        ranking_note = t("workshop.summary_no_vote", lang)
        value_col, value_head = "supports", t("workshop.col.supports", lang)
    top_rows = "".join(
        f'<tr><td class="n">{i}</td><td>{e(r.title)}</td><td>{e(category_label(r.category, lang))}</td>'
        f'<td class="n">{format_number(int(getattr(r, value_col)), 0, lang)}</td><td class="small">{e(r.reference)}</td></tr>'
        for i, r in enumerate(ranked.itertuples(index=False), start=1)
    )
    count_rows = "".join(
        f'<tr><td><span class="swatch" style="background:{e(colour[r.category])}"></span>{e(CATEGORIES[r.category].label(lang))}</td>'
        f'<td class="n">{format_number(int(r.count), 0, lang)}</td></tr>'
        for r in counts.itertuples(index=False)
    )
    today = utc_now().date()
    sources = [t("workshop.summary_needs_source", lang, app=APP_NAME, date=format_date(today, lang))]
    if focus.dataset is not None:
        sources.append(DATASETS[focus.dataset].citation(lang))
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}"><head><meta charset="utf-8"><title>{e(workshop.title)}</title><style>{_CSS}</style></head>
<body>
<h1>{e(t("workshop.summary_title", lang))}: {e(workshop.title)}</h1>
<p>{e(facts)}</p>
<div class="cols"><div>{svg}</div>
<div><h2>{e(t("workshop.summary_by_category", lang))}</h2>
<table><tr><th>{e(t("workshop.col.category", lang))}</th><th class="n">{e(t("workshop.col.count", lang))}</th></tr>{count_rows}</table>
</div></div>
<h2>{e(t("workshop.summary_top", lang))}</h2>
<p class="small">{e(ranking_note)}</p>
<table><tr><th class="n">#</th><th>{e(t("workshop.col.title", lang))}</th><th>{e(t("workshop.col.category", lang))}</th>
<th class="n">{e(value_head)}</th><th>{e(t("workshop.col.reference", lang))}</th></tr>{top_rows}</table>
<h2>{e(t("workshop.summary_sources", lang))}</h2>
<p class="small">{"<br>".join(e(s) for s in sources)}</p>
</body></html>"""


def summary_pdf(summary_html: str) -> bytes:
    """The summary as PDF (WeasyPrint, offline), via :func:`assessment.analysis.report.report_pdf`."""
    return report_pdf(summary_html)
