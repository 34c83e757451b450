"""A frozen workshop's exports and one-page summary (SQLite, real LOR data)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date

import pandas as pd
import pytest

from assessment.needs.model import NeedInput
from assessment.needs.store import open_store
from assessment.participation.workshop_report import (
    build_summary,
    export_workshop_needs,
    export_workshop_votes,
    focus_area,
    summary_pdf,
)
from assessment.participation.workshops import WorkshopBook
from geodata.catalogue import DATASETS

BRANDENBURG_GATE = (52.5163, 13.3777)  # PLR 01100206, Mitte (official LOR map)
ROTES_RATHAUS = (52.5186, 13.4083)  # Mitte


@pytest.fixture
def book(tmp_path, settings_with_data):
    store = open_store(settings_with_data, database_url=f"sqlite:///{tmp_path / 'needs.sqlite'}")
    yield WorkshopBook(store)
    store.close()


@pytest.fixture
def frozen(book):
    """A frozen workshop in Mitte: 3 published needs (2 mobility, 1 housing), 1 pending elsewhere, one vote."""
    code = book.open(book.create("Kiezwerkstatt <Mitte>", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    made = []
    for (lat, lon), category, title in [(BRANDENBURG_GATE, "mobility", "Fahrradbügel <script>"),
                                        (ROTES_RATHAUS, "mobility", "Tempo 30"),
                                        (ROTES_RATHAUS, "housing", "Bezahlbare Wohnungen")]:
        made.append(book.store.submit(NeedInput(category=category, title=title, lat=lat, lon=lon,
                                                workshop_id=code, channel="workshop"), status="published"))
    book.store.submit(NeedInput(category="mobility", title="ohne Workshop", lat=ROTES_RATHAUS[0], lon=ROTES_RATHAUS[1]),
                      status="published")
    voting = book.start_round(code, 3)
    for voter, need in [("voter-aaaa", made[1]), ("voter-aaaa", made[1]), ("voter-bbbb", made[1]), ("voter-bbbb", made[2])]:
        book.cast_vote(voting.id, voter, need.id)
    book.freeze(code)
    return code, made


def test_exports_hold_the_workshops_needs_only(book, frozen):
    code, made = frozen
    source, body = export_workshop_needs(book, code, "csv").decode("utf-8-sig").split("\n", 1)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sorted(r["id"] for r in rows) == sorted(n.id for n in made)
    assert {r["workshop"] for r in rows} == {code}
    assert source.startswith("# Quelle: Bedarfe: Bedarfsatlas Berlin") and DATASETS["lor_plr"].citation() in source
    collection = json.loads(export_workshop_needs(book, code, "geojson"))
    assert len(collection["features"]) == 3 and "attribution" in collection
    votes = book.votes_frame(code)
    assert len(votes) == 4 and votes["voter"].nunique() == 2
    dots = export_workshop_votes(book, code, "en").decode("utf-8-sig")
    assert dots.startswith("# Source: Bedarfe: Bedarfsatlas Berlin")
    read_back = pd.read_csv(io.StringIO(dots), comment="#")
    assert len(read_back) == 4 and set(read_back["need_id"]) == {made[1].id, made[2].id}
    # Each dot names its need by reference and title, so the file reads on its own.
    titles = {n.id: n.title for n in made}
    assert all(row.reference == row.need_id[:8].upper() and row.title == titles[row.need_id]
               for row in read_back.itertuples())


@pytest.mark.parametrize("later", ["hidden", "rejected", "pending", "merged"])
def test_a_need_taken_out_of_public_view_after_the_vote_leaves_every_export(book, frozen, settings_with_data, later):
    """Tempo 30 had 3 of the 4 dots; once it is no longer published, only the 1 dot on the housing need is left."""
    code, made = frozen
    tempo, housing = made[1], made[2]
    book.store.set_status(tempo.id, later, merged_into=housing.id if later == "merged" else None)
    body = export_workshop_needs(book, code, "csv").decode("utf-8-sig").split("\n", 1)[1]
    assert sorted(r["id"] for r in csv.DictReader(io.StringIO(body))) == sorted([made[0].id, housing.id])
    features = json.loads(export_workshop_needs(book, code, "geojson"))["features"]
    assert sorted(f["id"] for f in features) == sorted([made[0].id, housing.id])
    dots = pd.read_csv(io.StringIO(export_workshop_votes(book, code).decode("utf-8-sig")), comment="#")
    assert dots[["need_id", "title"]].values.tolist() == [[housing.id, "Bezahlbare Wohnungen"]]
    assert "Tempo 30" not in export_workshop_votes(book, code).decode("utf-8-sig")
    summary = build_summary(book, code, settings_with_data, "de")
    assert "Tempo 30" not in summary and "3 Punkte pro Person, 1 Person" in summary
    # The staff's view of the dots still has them all.
    assert len(book.votes_frame(code, published_only=False)) == 4


def test_summary_has_map_top_needs_counts_and_sources(book, frozen, settings_with_data):
    code, made = frozen
    summary = build_summary(book, code, settings_with_data, "de")
    assert "<th>Kennung</th>" in summary  # every column of the top needs has its header
    assert "<script" not in summary and "&lt;script&gt;" in summary and "Kiezwerkstatt &lt;Mitte&gt;" in summary
    assert summary.count("<circle") == 3  # one pin per published need of the workshop
    # Top needs by dots: Tempo 30 (3), Wohnungen (1), Fahrradbügel (0).
    top = summary[summary.index("Wichtigste Bedarfe"):]
    order = [top.index(title) for title in ("Tempo 30", "Bezahlbare Wohnungen", "Fahrradbügel")]
    assert order == sorted(order)
    assert "3 Punkte pro Person, 2 Personen" in summary
    assert DATASETS["lor_bez"].citation("de") in summary
    english = build_summary(book, code, settings_with_data, "en")
    assert DATASETS["lor_bez"].citation("en") in english and "Lizenz" not in english
    assert "http" not in summary.replace("http://www.w3.org/2000/svg", "")  # self-contained


def test_focus_area_of_a_unit_is_the_official_one(book, settings_with_data):
    workshop = book.create("x", date(2026, 1, 1), focus_level="BEZ", focus_id="01")
    focus = focus_area(settings_with_data, workshop, "de")
    assert focus.name == "Bezirk Mitte"
    west, south, east, north = focus.bbox
    assert west < BRANDENBURG_GATE[1] < east and south < BRANDENBURG_GATE[0] < north


def test_summary_pdf_is_one_page(book, frozen, settings_with_data, tmp_path):
    pdf = summary_pdf(build_summary(book, frozen[0], settings_with_data, "en"))
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdfinfo"):  # poppler-utils (installed in CI)
        (tmp_path / "summary.pdf").write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(tmp_path / "summary.pdf")], capture_output=True, check=True).stdout
        assert re.search(rb"^Pages:\s+1$", info, re.M), info


def test_summary_counts_one_voter_and_one_need_in_the_singular(book, settings_with_data):
    code = book.create("Kiezrunde", date(2026, 3, 14), focus_level="BEZ", focus_id="01").code
    book.open(code)
    need = book.store.submit(NeedInput(category="mobility", title="Zebrastreifen", lat=ROTES_RATHAUS[0],
                                       lon=ROTES_RATHAUS[1], workshop_id=code, channel="workshop"), status="published")
    voting = book.start_round(code, 1)
    book.cast_vote(voting.id, "voter-cccc", need.id)
    german = build_summary(book, code, settings_with_data, "de")
    assert "(1 Punkt pro Person, 1 Person)" in german and "· 1 veröffentlichte Meldung</p>" in german
    assert "Datum: 14.03.2026" in german
    english = build_summary(book, code, settings_with_data, "en")
    assert "(1 dot per person, 1 person)" in english and "· 1 published need</p>" in english
