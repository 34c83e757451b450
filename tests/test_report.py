"""The report: reproducible bytes, complete contents, PDF, and the command line.

A small fixture built in code (a 3 x 3 grid of squares near Berlin, hand-made
indicator values) checks contents and reproducibility quickly; the real open
data at BZR level checks the whole path (open data, store, goals, maps, PDF).
"""

from __future__ import annotations

import html

import re
import shutil
import subprocess
from datetime import datetime, timezone

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from assessment.__main__ import main
from assessment.analysis.assess import assess
from assessment.analysis.goals import Goal, GoalBook, GoalInput
from assessment.analysis.report import (
    REPORT_LANGUAGES, TIMESTAMP_MARKER, build_report, hotspot_classification, needs_matrix, report_from_settings, report_pdf,
)
from assessment.needs.store import open_store
from conftest import skip_or_fail
from core.i18n import SCOPES, html_language, t, text_direction
from geodata.catalogue import DATASETS
from geodata.indicators import citation

IDS = [f"0110{n:02d}" for n in range(1, 10)]
NAMES = [f"Gebiet {chr(ord('A') + n)}" for n in range(9)]
ONE = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
TWO = datetime(2026, 6, 30, 17, 45, 12, tzinfo=timezone.utc)


def grid() -> gpd.GeoDataFrame:
    """3 x 3 squares of 0.02 degrees; area i is row i // 3, column i % 3."""
    # Integer hundredths so that neighbours share their edges exactly.
    shapes = [box((1330 + 2 * (i % 3)) / 100, (5250 - 2 * (i // 3)) / 100, (1332 + 2 * (i % 3)) / 100,
                  (5252 - 2 * (i // 3)) / 100)
              for i in range(9)]
    return gpd.GeoDataFrame({"name": NAMES}, index=pd.Index(IDS, name="id"), geometry=shapes, crs="EPSG:4326")


def table(under6=(1, 2, 3, 4, 5, 6, 7, 8, 9)) -> pd.DataFrame:
    return pd.DataFrame(
        {"name": NAMES, "population": [1000.0] * 8 + [100.0],  # the last area is below 300 residents
         "share_under6": [float(v) for v in under6],
         "pharmacies_per_10k": [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]},
        index=pd.Index(IDS, name="BZR_ID"),
    )


def fixture_assessment(weights=(1.0, 1.0), counts=None, under6=(1, 2, 3, 4, 5, 6, 7, 8, 9)):
    units = grid().to_crs("EPSG:25833")
    return assess(table(under6), [("share_under6", 1, weights[0]), ("pharmacies_per_10k", -1, weights[1])],
                  level="BZR", units=units, needs_counts=counts, draws=200, permutations=99)


def without_timestamp(text: str) -> str:
    lines = text.splitlines(keepends=True)
    assert sum(TIMESTAMP_MARKER in line for line in lines) == 1, "exactly one declared timestamp line"
    return "".join(line for line in lines if TIMESTAMP_MARKER not in line)


def goal(**changes) -> Goal:
    values = dict(id="g1", created_at=ONE, title="Mehr Kitaplätze", field_of_action="education_childcare",
                  level="BZR", area_ids=(IDS[7],), need_ids=("5f2c9a10-0000-4000-8000-000000000000",),
                  indicator_keys=("share_under6",))
    values.update(changes)
    return Goal(**values)


def test_same_inputs_give_the_same_bytes_apart_from_the_declared_timestamp():
    # Two independent computations (robustness draws and permutations are seeded).
    first = build_report(fixture_assessment(), grid(), goals=[goal()], generated_at=ONE)
    second = build_report(fixture_assessment(), grid(), goals=[goal()], generated_at=TWO)
    assert first != second
    assert without_timestamp(first).encode() == without_timestamp(second).encode()
    assert build_report(fixture_assessment(), grid(), goals=[goal()], generated_at=ONE).encode() == first.encode()


def test_a_weight_change_changes_the_ranking_the_hash_and_the_report():
    # Equal weights: under-6 share rises and pharmacies fall along the ids, so both say
    # "more need" for higher ids -> ranks follow the ids backwards (area 9 is too few).
    # Weight 0 on pharmacies and the under-6 order reversed: now area 1 ranks first.
    before = fixture_assessment()
    after = fixture_assessment(weights=(1.0, 0.0), under6=(9, 8, 7, 6, 5, 4, 3, 2, 1))
    assert before.index.ranked().index[0] == IDS[7] and after.index.ranked().index[0] == IDS[0]
    assert before.fingerprint() != after.fingerprint()
    one, two = (without_timestamp(build_report(a, grid(), generated_at=ONE)) for a in (before, after))
    assert one != two
    first_row = re.compile(r"<tbody>\n<tr><td class=\"num\">1</td><td>(\d+)</td>")
    assert first_row.search(one).group(1) == IDS[7] and first_row.search(two).group(1) == IDS[0]


def test_the_report_holds_every_section_and_nothing_external():
    counts = pd.DataFrame({"mobility": [20, 20, 20, 20, 20, 20, 20, 0, 0]}, index=IDS)
    result = fixture_assessment(counts=counts)
    hostile = "<script>alert(1)</script> & Ziel"
    report = build_report(result, grid(), goals=[goal(title=hostile)], generated_at=ONE)
    for heading in ("Grundlagen", "Methode und Gewichte", "Karte des Prioritätsindex", "Rangliste",
                    "Robustheit", "Hotspots", "Ungehörte Gebiete", "Ziele", "Quellen"):
        assert f"<h2>{heading}</h2>" in report
    assert "LOR 2021" in report and result.fingerprint() in report
    assert result.describe("de").splitlines()[0].replace("'", "&#x27;") in report
    # Sources: every dataset behind the indicators, with licence and reference date.
    for key in ("share_under6", "pharmacies_per_10k"):
        assert citation(key).split(";")[0].replace("'", "&#x27;") in report.replace("&amp;", "&")
    assert "Lizenz" in report and "Stand" in report
    assert "; Bedarfe auf dieser Ebene: 140." in report  # a count, not "1 Bedarfe" when there is one
    # The area with 100 residents is not ranked but marked.
    row = re.search(rf"<tr>.*?<td>{IDS[8]}</td>.*?</tr>", report).group(0)
    assert "zu wenige Daten" in row
    # Area 8 has 0 of ~20 expected needs: unheard.
    unheard = report.split("<h2>Ungehörte Gebiete</h2>", 1)[1].split("<h2>", 1)[0]
    assert IDS[7] in unheard and "ungehört" in unheard
    # The goal with its evidence, user text escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Ziel" in report and "<script>" not in report
    assert "5F2C9A10" in report and "Bildung" in report and "Gebiet H (011008)" in report
    # Self-contained: no scripts, links or external resources; two inline SVG maps.
    assert not re.search(r"(src|href)\s*=", report) and "@import" not in report and "url(" not in report
    assert report.count("<svg") == 2 and report.count("<path") == 18


def test_hotspot_classes_carry_the_significance():
    result = fixture_assessment()
    classes = hotspot_classification(result, "en")
    assert len(classes.labels) == len(classes.colours)
    assert set(classes.labels) >= {"hotspot (q ≤ 0.01)", "not significant"}


def test_english_report():
    report = build_report(fixture_assessment(), grid(), generated_at=ONE, lang="en")
    assert "Integrated spatial inventory and needs analysis" in report and "<h2>Ranking</h2>" in report


@pytest.fixture
def pdf_tools():
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        skip_or_fail("pdftotext/pdftoppm missing: apt-get install poppler-utils")


def test_pdf_has_the_headings_and_the_ranked_names(pdf_tools, tmp_path):
    result = fixture_assessment()
    pdf = report_pdf(build_report(result, grid(), goals=[goal()], generated_at=ONE))
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("Integrierte räumliche Bestandsaufnahme", "Rangliste", "Quellen", "Mehr Kitaplätze"):
        assert heading in text
    # The ranking table comes first of all the tables: its top ids appear in rank order.
    top = list(result.index.ranked().index[:3])
    assert top == [IDS[7], IDS[6], IDS[5]]
    positions = [text.index(area_id) for area_id in top]
    assert positions == sorted(positions) and text.index("Rangliste") < positions[0]


def test_the_pdf_is_tagged_for_screen_readers_pdf_ua(tmp_path):
    """PDF/UA-1: a structure tree with headings and tables, marked content, language and title."""
    import re
    import zlib

    pdf = report_pdf(build_report(fixture_assessment(), grid(), goals=[goal()], generated_at=ONE))
    # Objects may sit in compressed object streams: inflate every stream to read them.
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    body = b"\n".join(parts)
    assert b"/StructTreeRoot" in body
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", body)
    assert re.search(rb"/Lang\s*\(de\)", body)
    assert b"/DisplayDocTitle true" in body
    assert b"pdfuaid:part" in body  # the XMP metadata declares PDF/UA
    for role in (b"/H1", b"/Table", b"/TH", b"/TD"):
        assert re.search(rb"/S\s*" + re.escape(role) + rb"\b", body), role


# --- the real data -------------------------------------------------------------------------


@pytest.fixture
def empty_store():
    store = open_store(database_url="sqlite://", geography=None)
    yield store
    store.close()


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_real_report_at_bzr_is_reproducible_and_cites_every_source(settings_with_data, empty_store):
    book = GoalBook(empty_store)
    book.create(GoalInput("Schattenplätze an Schulwegen", "green_climate", "BZR", ("011001",), (), ("ug_heat",)))
    _, first = report_from_settings(settings_with_data, level="BZR", spec="environment", store=empty_store,
                                    generated_at=ONE, draws=200, permutations=99)
    result, second = report_from_settings(settings_with_data, level="BZR", spec="environment",
                                          store=empty_store, generated_at=TWO, draws=200, permutations=99)
    assert without_timestamp(first) == without_timestamp(second)
    assert second.count("<path") == 2 * 143  # two maps of the 143 Bezirksregionen
    assert "Schattenplätze an Schulwegen" in second
    for key in ("lor_bzr", "population_2025", "environmental_justice"):
        assert DATASETS[key].citation().replace("'", "&#x27;") in second.replace("&amp;", "&")


def test_cli_writes_html_and_pdf(settings_with_data, empty_store, tmp_path, capsys, pdf_tools):
    html_path, pdf_path = tmp_path / "report.html", tmp_path / "report.pdf"
    assert main(["report", "--level", "BEZ", "--preset", "social", "--out", str(html_path)], store=empty_store) == 0
    assert "12 areas ranked" in capsys.readouterr().out
    assert "<h2>Rangliste</h2>" in html_path.read_text(encoding="utf-8")
    assert main(["report", "--level", "BEZ", "--preset", "social", "--format", "pdf", "--out", str(pdf_path)],
                store=empty_store) == 0
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Rangliste" in text and "Mitte" in text
    with pytest.raises(SystemExit):
        main(["report", "--level", "XYZ", "--preset", "social", "--out", str(html_path)], store=empty_store)


def test_the_report_command_resolves_the_level_once_and_passes_it_on(settings_with_data, empty_store, tmp_path,
                                                                     monkeypatch):
    """``--level`` becomes a Level where the command reads it; nothing on the way looks the code up again.

    Other levels are looked up by their codes on the way (the finest level the figures start from,
    the level an indicator is published for): those are the profile's, not the request's.
    """
    import geodata.lor

    resolved = []
    resolve = geodata.lor._resolve
    monkeypatch.setattr(geodata.lor, "_resolve", lambda code: resolved.append(code) or resolve(code))
    out = tmp_path / "report.html"
    assert main(["report", "--level", "bzr", "--preset", "social", "--out", str(out)], store=empty_store) == 0
    assert resolved[0] == "bzr" and resolved.count("bzr") == 1
    assert set(resolved[1:]) <= set(geodata.lor.LEVEL_ORDER)  # the profile's own codes, never the request's text
    assert "<h2>Rangliste</h2>" in out.read_text(encoding="utf-8")


def test_needs_matrix_sums_categories_and_keeps_ids_as_text():
    rows = pd.DataFrame({"PLR_ID": ["01100101", "01100101", "01100102"], "category": ["mobility"] * 3,
                         "count": [1, 2, 4]})
    matrix = needs_matrix(rows, "PLR")
    assert matrix["mobility"].to_dict() == {"01100101": 3, "01100102": 4}
    assert needs_matrix(rows.iloc[:0], "PLR").empty


def words_beyond_the_page(pdf_path) -> list[str]:
    """Words whose box ends right of the page's printable width (pdftotext -bbox: page and word boxes)."""
    import re as _re

    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    beyond = []
    for page in _re.finditer(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', boxes, _re.S):
        width = float(page.group(1))
        for x_max, word in _re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
                                       page.group(2)):
            if float(x_max) > width - 14 / 25.4 * 72 + 1:  # the right margin is 14 mm
                beyond.append(word)
    return beyond


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_the_ranking_table_fits_the_a4_page(settings_with_data, empty_store, tmp_path, pdf_tools):
    """Nine columns at Planungsraum level, long German headers: nothing runs past the margin."""
    pdf_path = tmp_path / "report.pdf"
    assert main(["report", "--level", "BZR", "--preset", "social", "--format", "pdf", "--out", str(pdf_path)],
                store=empty_store) == 0
    assert words_beyond_the_page(pdf_path) == []


def test_the_english_real_report_cites_and_explains_in_english(settings_with_data, empty_store):
    _, report = report_from_settings(settings_with_data, level="BZR", spec="social", store=empty_store,
                                     generated_at=ONE, draws=200, permutations=99, lang="en")
    text = html.unescape(report)
    for key in ("lor_bzr", "population_2025", "mss_indices"):
        assert DATASETS[key].citation("en") in text
    assert "Stand " not in text and "Lizenz " not in text
    assert "Preset: Social" in text
    # The preset's substitutions at this level in words, not as internal keys.
    assert "MSS status index: replaced by Share of residents in PLR with MSS status low or very low" in text
    assert "mss_status ->" not in text and "dropped (published" not in text


# --- every language the report is offered in ---------------------------------------------


@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_the_report_renders_in_every_offered_language(lang):
    counts = pd.DataFrame({"mobility": [20, 20, 20, 20, 20, 20, 20, 0, 0]}, index=IDS)
    result = fixture_assessment(counts=counts)
    report = build_report(result, grid(), goals=[goal()], generated_at=ONE, lang=lang)
    assert f'<html lang="{html_language(lang)}" dir="{text_direction(lang)}">' in report
    assert f"<h1>{html.escape(t('assessment_report.title', lang))}</h1>" in report
    for section in ("inputs", "method", "map", "table", "robustness", "hotspots", "unheard", "goals", "sources"):
        assert f"<h2>{html.escape(t(f'assessment_report.{section}', lang))}</h2>" in report, section
    header = "".join(f"<th>{html.escape(t(f'assessment_report.{k}', lang))}</th>" for k in ("rank", "id", "name", "score"))
    assert header in report
    unstable = int(result.robustness["top_n_not_robust"].fillna(False).astype(bool).sum())
    summary = t("assessment_report.robust_summary", lang, n=unstable, top=int(result.parameters["top_n"]))
    assert f"<p>{html.escape(summary)}</p>" in report
    assert report.count("<svg") == 2 and "<script" not in report


def test_the_command_line_offers_the_report_in_its_languages():
    from assessment.__main__ import build_parser

    assert REPORT_LANGUAGES == SCOPES["public"] and "ar" in REPORT_LANGUAGES
    for lang in REPORT_LANGUAGES:
        args = build_parser().parse_args(["report", "--level", "BZR", "--preset", "social", "--lang", lang,
                                          "--out", "r.html"])
        assert args.lang == lang
    with pytest.raises(SystemExit):  # Leichte Sprache has no report texts
        build_parser().parse_args(["report", "--level", "BZR", "--preset", "social", "--lang", "ls", "--out", "r.html"])


def table_row_boxes(pdf_path, area_id: str) -> tuple[tuple[float, float], list[tuple[float, float]]]:
    """The box (xMin, xMax) of the first ``area_id`` in the PDF (the top row of the ranking), and those
    of the words "Gebiet" on its line (the area's name)."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf_path), "-"], capture_output=True, text=True,
                           check=True).stdout
    words = [(float(a), float(b), float(c), w) for a, b, c, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)]
    x_min, y, x_max, _ = next(word for word in words if word[3] == area_id)
    names = [(a, c) for a, b, c, w in words if w == "Gebiet" and abs(b - y) < 3]
    assert names, "the area's name is on the line of its id"
    return (x_min, x_max), names


@pytest.mark.parametrize("lang", ["ar", "de"])
def test_the_arabic_pdf_reads_right_to_left(lang, pdf_tools, tmp_path):
    import zlib

    report = build_report(fixture_assessment(), grid(), generated_at=ONE, lang=lang)
    assert f'dir="{text_direction(lang)}"' in report
    pdf = report_pdf(report)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    body = b"\n".join(parts)
    assert re.search(rb"/Lang\s*\(" + lang.encode() + rb"\)", body)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert IDS[7] in text
    # The ranking's columns run from the right in Arabic: the name stands left of the id.
    (id_min, id_max), names = table_row_boxes(path, IDS[7])
    if lang == "ar":
        assert all(x_max <= id_min for _, x_max in names)
    else:
        assert all(x_min >= id_max for x_min, _ in names)
