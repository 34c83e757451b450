"""The command line and the exports per participation procedure: list, export with answers, report."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

import pytest

from assessment.__main__ import main
from assessment.needs.exchange import COLUMNS, is_own_export
from assessment.needs.model import NeedInput
from assessment.needs.procedures import DEFAULT_PROCEDURE_ID, ProcedureBook, ProcedureInput
from assessment.needs.store import open_store
from test_procedures import TwoDistricts, _today


@pytest.fixture
def store_with_round():
    """A store of the stand-in city with a procedure "Kiezrunde West" holding three needs, and one need in "Allgemein"."""
    store = open_store(database_url="sqlite://", geography=TwoDistricts())
    book = ProcedureBook(store)
    west = book.create(ProcedureInput(
        title={"de": "Kiezrunde West"}, starts_on=_today() - timedelta(days=3), ends_on=_today() + timedelta(days=30),
        area_level="BEZ", area_ids=("01",), area_label="Westbezirk", categories=("mobility", "housing"),
        questions=({"id": "dringend", "kind": "scale", "text": {"de": "Wie dringend?", "en": "How urgent?"}},
                   {"id": "wie_oft", "kind": "choice", "text": {"de": "Wie oft?"}, "options": ["täglich", "selten"]})),
        actor="admin-anna", procedure_id="kiez-west")
    for title, answers in (("Mehr Bänke", {"dringend": "5", "wie_oft": "täglich"}), ("Sichere Querung", {"dringend": "5"}),
                           ("=Formel im Titel", None)):
        store.submit(NeedInput(category="mobility", title=title, lat=52.5, lon=13.3, answers=answers),
                     status="published", procedure=west)
    store.submit(NeedInput(category="housing", title="Bezahlbare Wohnungen", lat=52.5, lon=13.5), status="published")
    yield store, west
    store.close()


def test_procedures_list_prints_id_title_status_period_and_needs(store_with_round, capsys):
    store, west = store_with_round
    assert main(["procedures", "list"], store=store) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "title", "status", "period", "needs"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"kiez-west", DEFAULT_PROCEDURE_ID}
    assert "Kiezrunde West" in rows["kiez-west"] and " open " in rows["kiez-west"]
    assert west.period_text() in rows["kiez-west"]
    assert rows["kiez-west"].split()[-1] == "3" and rows[DEFAULT_PROCEDURE_ID].split()[-1] == "1"


def test_export_of_a_procedure_has_only_its_needs_and_the_answers_as_columns(store_with_round, tmp_path, capsys):
    store, _ = store_with_round
    out = tmp_path / "west.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--procedure", "kiez-west"], store=store) == 0
    assert "3 needs written" in capsys.readouterr().out
    with open(out, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    assert header == [*COLUMNS, "procedure_id", "answer_dringend", "answer_wie_oft"]
    assert is_own_export(header)
    assert [(r["title"], r["answer_dringend"], r["answer_wie_oft"]) for r in rows] == [
        ("Mehr Bänke", "5", "täglich"), ("Sichere Querung", "5", ""), ("'=Formel im Titel", "", "")]
    assert "answer_dringend | text | Antwort auf „Wie dringend?“ (1, 2, 3, 4, 5)" in \
        (tmp_path / "west.README.txt").read_text(encoding="utf-8")
    geojson = tmp_path / "west.geojson"
    assert main(["export", "--format", "geojson", "--out", str(geojson), "--procedure", "kiez-west"], store=store) == 0
    features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["answer_wie_oft"] for f in features] == ["täglich", None, None]
    whole = tmp_path / "all.csv"
    assert main(["export", "--format", "csv", "--out", str(whole)], store=store) == 0
    with open(whole, encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 4


def test_geopackage_of_a_procedure(store_with_round, tmp_path):
    import pyogrio

    store, _ = store_with_round
    out = tmp_path / "west.gpkg"
    assert main(["export", "--format", "gpkg", "--out", str(out), "--procedure", "kiez-west"], store=store) == 0
    layer = pyogrio.read_dataframe(out, layer="needs")
    assert sorted(layer["answer_dringend"].dropna()) == ["5", "5"]
    assert set(layer["procedure_id"]) == {"kiez-west"}


def test_an_unknown_procedure_is_named(store_with_round, tmp_path, capsys):
    store, _ = store_with_round
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "x.csv"), "--procedure", "gibts-nicht"],
                store=store) == 1
    assert "no procedure with id 'gibts-nicht'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_report_of_a_procedure_summarises_the_answers(settings_with_data, store_with_round, tmp_path):
    store, _ = store_with_round
    out = tmp_path / "west.html"
    assert main(["report", "--level", "BEZ", "--preset", "social", "--lang", "en", "--out", str(out),
                 "--procedure", "kiez-west"], store=store) == 0
    html = out.read_text(encoding="utf-8")
    assert "Participation procedure: Kiezrunde West" in html
    assert "3 needs in this procedure" in html
    assert "2 of 3 needs answered the question." in html and "1 of 3 needs answered the question." in html
    assert '<tr><td>5</td><td class="num">2</td></tr>' in html
    assert "Kiezrunde West" not in main_report_without_procedure(store, tmp_path)


def main_report_without_procedure(store, tmp_path) -> str:
    out = tmp_path / "all.html"
    assert main(["report", "--level", "BEZ", "--preset", "social", "--out", str(out)], store=store) == 0
    return out.read_text(encoding="utf-8")


def test_an_export_of_a_procedure_imports_into_a_procedure_with_its_answers(store_with_round, tmp_path, capsys):
    store, west = store_with_round
    out = tmp_path / "west.geojson"
    assert main(["export", "--format", "geojson", "--out", str(out), "--procedure", "kiez-west", "--status", "all"],
                store=store) == 0
    copy = open_store(database_url="sqlite://", geography=TwoDistricts())
    try:
        copied = ProcedureBook(copy).create(ProcedureInput(
            title={"de": "Kiezrunde West"}, starts_on=west.starts_on, ends_on=west.ends_on, area_level="BEZ",
            area_ids=("01",), area_label="Westbezirk", categories=("mobility", "housing"),
            questions=({"id": "dringend", "kind": "scale", "text": {"de": "Wie dringend?"}},
                       {"id": "wie_oft", "kind": "choice", "text": {"de": "Wie oft?"}, "options": ["täglich", "selten"]})),
            actor="admin-anna", procedure_id="kiez-west")
        assert main(["import", str(out), "--procedure", "kiez-west"], store=copy) == 0
        imported = {n.title: n for n in copy.query(statuses=None, procedure_id="kiez-west")}
        assert imported["Mehr Bänke"].answers == (("dringend", "5"), ("wie_oft", "täglich"))
        assert imported["Sichere Querung"].answers == (("dringend", "5"),)
        # A place in the east is outside the procedure's area: the whole file is refused, naming it.
        east = tmp_path / "east.csv"
        east.write_text("lat,lon,category,title,answer_dringend\n52.5,13.5,mobility,Bank im Osten,3\n"
                        "52.5,13.3,mobility,Bank im Westen,9\n", encoding="utf-8")
        capsys.readouterr()
        assert main(["import", str(east), "--procedure", "kiez-west"], store=copy) == 1
        refused = capsys.readouterr().err
        assert "row 2" in refused and "outside the area “Westbezirk”" in refused
        assert "row 3" in refused and "The answer '9' to “Wie dringend?” is none of the options" in refused
        ProcedureBook(copy).close(copied.id, actor="admin-anna")
        assert main(["import", str(out), "--procedure", "kiez-west"], store=copy) == 1
        assert "is closed and takes no needs" in capsys.readouterr().err
        assert copy.count() == 3
    finally:
        copy.close()


def test_the_planners_needs_export_of_one_procedure_has_its_answers(store_with_round):
    import io

    import pandas as pd

    from assessment.analysis.inventory import NeedFilters, needs_exports

    store, _ = store_with_round
    csv_file, geojson = needs_exports(store, NeedFilters(procedure_id="kiez-west"), lang="en")
    points = pd.read_csv(io.BytesIO(csv_file.build()), dtype=str, keep_default_na=False)
    assert sorted(zip(points["title"], points["answer_dringend"])) == [
        ("'=Formel im Titel", ""), ("Mehr Bänke", "5"), ("Sichere Querung", "5")]
    everything = pd.read_csv(io.BytesIO(needs_exports(store, NeedFilters(), lang="en")[0].build()), dtype=str)
    assert len(everything) == 4 and "answer_dringend" not in everything.columns
