"""Export and import of needs (CSV, GeoJSON, GeoPackage) and the command line, on both backends."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
import sqlalchemy as sa

from assessment.__main__ import main
from assessment.needs.exchange import COLUMNS, ImportRefusedError, export_needs, import_needs
from geodata.catalogue import DATASETS
from needs_fixtures import (  # noqa: F401
    BRANDENBURG_GATE,
    RATHAUS_SPANDAU,
    database_url,
    geography,
    need_input,
    postgres_database_url,
    store,
)

REPO = Path(__file__).resolve().parents[1]


def empty(store) -> None:
    """Delete every need and support (to import an export into an empty database)."""
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM supports"))
        conn.execute(sa.text("UPDATE needs SET merged_into = NULL"))
        conn.execute(sa.text("DELETE FROM needs"))


def varied(store):
    """Needs that exercise every column: area-only, merged, supported, workshop, hostile text."""
    made = [
        store.submit(need_input(title="=1+1 Formel", description="Zeile 1\r\nZeile 2\n\t- Punkt")),
        store.submit(need_input(lat=None, lon=None, area_level="BZR", area_id="011002", category="housing",
                                title="'+Apostroph", description="@all <b>fett</b> & \"Zitat\"")),
        store.submit(need_input(lat=RATHAUS_SPANDAU[0], lon=RATHAUS_SPANDAU[1], category="green_climate",
                                title="Bäume für die Altstadt 🌳", workshop_id="ws-spandau-1",
                                channel="workshop", language="en")),
        store.submit(need_input(title="-5 Grad im Winter", description="")),
    ]
    store.set_status(made[0].id, "published")
    store.set_status(made[2].id, "published")
    store.set_status(made[3].id, "merged", merged_into=made[0].id)
    store.support(made[0].id, "tok-aaaaaaaa")
    store.support(made[0].id, "tok-bbbbbbbb")
    return store.query(statuses=None)


@pytest.mark.parametrize("format", ["csv", "geojson", "gpkg"])
def test_export_then_import_gives_identical_records(store, tmp_path, format):
    before = varied(store)
    out = tmp_path / f"needs.{format}"
    assert export_needs(store, out, format, statuses=None) == 4
    empty(store)
    report = import_needs(store, out)
    assert report.errors == []
    assert store.query(statuses=None) == before


def test_export_published_only_by_default(store, tmp_path):
    varied(store)
    assert export_needs(store, tmp_path / "n.geojson", "geojson") == 2
    statuses = {f["properties"]["status"] for f in json.loads((tmp_path / "n.geojson").read_text())["features"]}
    assert statuses == {"published"}


def test_csv_neutralises_formula_cells_and_has_a_dictionary(store, tmp_path):
    varied(store)
    export_needs(store, tmp_path / "needs.csv", "csv", statuses=None)
    raw = (tmp_path / "needs.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows umlauts
    with open(tmp_path / "needs.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(COLUMNS)
    titles = sorted(r["title"] for r in rows)
    assert titles == ["''+Apostroph", "'-5 Grad im Winter", "'=1+1 Formel", "Bäume für die Altstadt 🌳"]
    assert any(r["description"] == "'@all <b>fett</b> & \"Zitat\"" for r in rows)
    for row in rows:
        for column, cell in row.items():
            assert not cell[:1] in ("=", "+", "-", "@", "\t", "\r"), (column, cell)
    assert {r["PLR_ID"] for r in rows} == {"01100206", "05100316", ""}  # "" = area-only need
    readme = (tmp_path / "needs.README.txt").read_text(encoding="utf-8")
    assert DATASETS["lor_plr"].citation() in readme
    assert all(f"{column} |" in readme for column in COLUMNS)


def test_geojson_is_rfc7946_with_dictionary_and_attribution(store, tmp_path):
    made = varied(store)
    export_needs(store, tmp_path / "needs.geojson", "geojson", statuses=None)
    text = (tmp_path / "needs.geojson").read_text(encoding="utf-8")
    assert "<" not in text and ">" not in text and "&" not in text  # inert even inside HTML
    data = json.loads(text)
    assert data["type"] == "FeatureCollection" and "crs" not in data  # RFC 7946: WGS84 only
    assert DATASETS["lor_plr"].citation() in data["attribution"]
    assert [d["column"] for d in data["data_dictionary"]] == list(COLUMNS)
    by_id = {f["id"]: f for f in data["features"]}
    for need in made:
        feature = by_id[need.id]
        assert feature["geometry"] == {"type": "Point", "coordinates": [need.lon, need.lat]}
        assert feature["properties"]["BZR_ID"] == need.unit("BZR")
        assert "client_token" not in feature["properties"]


def test_geopackage_has_layer_dictionary_and_about(store, tmp_path):
    varied(store)
    export_needs(store, tmp_path / "needs.gpkg", "gpkg", statuses=None)
    layers = dict(pyogrio.list_layers(tmp_path / "needs.gpkg"))
    assert layers == {"needs": "Point", "data_dictionary": None, "about": None}
    assert pyogrio.read_info(tmp_path / "needs.gpkg", layer="needs")["crs"] == "EPSG:4326"
    about = pyogrio.read_dataframe(tmp_path / "needs.gpkg", layer="about")
    assert DATASETS["lor_plr"].citation() in about.set_index("key").loc["attribution", "value"]


PAPER_FORMS = (
    "lat;lon;category;title;description;workshop;created_at\n"
    "52.5163;13.3777;mobility;Ampel am Pariser Platz;Grünphase zu kurz;ws-mitte-3;2026-11-20\n"
    "52.3906;13.0645;housing;Mieten in Potsdam;;ws-mitte-3;2026-11-20\n"
    "52.5355;13.2005;parking;Parkplätze;;ws-mitte-3;2026-11-20\n"
    "52.5355;13.2005;green_climate;xy;;ws-mitte-3;2026-11-20\n"
    "52.5355;13.2005;green_climate;Mehr Bäume in der Altstadt;Ruf an 0176 12345678;ws-mitte-3;2026-11-20\n"
)


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(store, tmp_path):
    path = tmp_path / "workshop.csv"
    path.write_text(PAPER_FORMS, encoding="utf-8")
    with pytest.raises(ImportRefusedError) as refused:
        import_needs(store, path)
    assert [(e.row, e.field) for e in refused.value.errors] == [
        (3, "location"), (4, "category"), (5, "title"), (6, "description")
    ]
    assert refused.value.errors[0].text("en").startswith("The place (lat 52.3906, lon 13.0645) is outside Berlin.")
    assert store.count() == 0


def test_skip_invalid_imports_the_good_rows_as_pending_paper_forms(store, tmp_path):
    path = tmp_path / "workshop.csv"
    path.write_text(PAPER_FORMS, encoding="utf-8")
    report = import_needs(store, path, skip_invalid=True)
    assert len(report.errors) == 4 and len(report.imported) == 1
    need = store.get(report.imported[0].id)
    assert (need.channel, need.status, need.workshop_id, need.unit("PLR")) == ("paper", "pending", "ws-mitte-3", "01100206")
    assert need.created_at.isoformat() == "2026-11-19T23:00:00+00:00"  # 20 Nov, midnight in Berlin


HAND_MADE_REFUSAL = ("Der Text beginnt mit ' vor „{char}“. Diese Datei ist kein unveränderter Export der App, "
                     "daher ist unklar, ob das ' zum Text gehört; es wird weder still entfernt noch gespeichert. "
                     "Bitte entfernen Sie das ' (die App schützt solche Zellen beim Export selbst) oder importieren "
                     "Sie GeoJSON.")


# A hand-made CSV (its header is not the export's): title, description -> the refusals (field, character),
# or what is stored. Row 2 is the first need.
@pytest.mark.parametrize(("title", "description", "refused", "stored"), [
    ("'=1+1 Formel", "", [("title", "=")], None),
    ("Bänke", "'@alle bitte", [("description", "@")], None),
    ("''-5 Grad", "'+ mehr Licht", [("title", "-"), ("description", "+")], None),
    ("'Kiez' heißt Viertel", "", [], ("'Kiez' heißt Viertel", "")),  # no formula character after the '
    ("-5 Grad im Winter", "=ohne Apostroph", [], ("-5 Grad im Winter", "=ohne Apostroph")),  # stored as written
])
def test_a_hand_made_csv_keeps_text_as_written_and_refuses_a_quote_before_a_formula_character(
        store, tmp_path, title, description, refused, stored):
    path = tmp_path / "hand.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([["lat", "lon", "category", "title", "description"],
                                                     ["52.5163", "13.3777", "mobility", title, description]])
    if refused:
        with pytest.raises(ImportRefusedError) as refusal:
            import_needs(store, path)
        assert [(e.row, e.field, e.text("de")) for e in refusal.value.errors] == [
            (2, field, HAND_MADE_REFUSAL.format(char=char)) for field, char in refused]
        assert store.count(statuses=None) == 0
    else:
        [need] = import_needs(store, path).imported
        assert (need.title, need.description) == stored


def test_the_apps_own_csv_export_comes_back_without_its_quotes(store, tmp_path):
    """Same texts as above, but exported by the app: its header marks the quotes as its own."""
    for title in ("=1+1 Formel", "'+Apostroph", "-5 Grad"):
        store.set_status(store.submit(need_input(title=title)).id, "published")
    export_needs(store, tmp_path / "out.csv", "csv")
    empty(store)
    imported = import_needs(store, tmp_path / "out.csv").imported
    assert sorted(n.title for n in imported) == ["'+Apostroph", "-5 Grad", "=1+1 Formel"]


def test_import_refuses_duplicate_ids_non_points_and_missing_columns(store, tmp_path):
    made = store.submit(need_input())
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": made.id, "geometry": {"type": "Point", "coordinates": [13.3777, 52.5163]},
         "properties": {"category": "mobility", "title": "Schon da"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []},
         "properties": {"category": "mobility", "title": "Fläche"}},
    ]}
    path = tmp_path / "in.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    with pytest.raises(ImportRefusedError) as refused:
        import_needs(store, path)
    assert [(e.row, e.field) for e in refused.value.errors] == [(1, "id"), (2, "geometry")]
    (tmp_path / "bad.csv").write_text("latitude,longitude,title\n1,2,x\n", encoding="utf-8")
    with pytest.raises(ImportRefusedError, match="lacks the column.s. lat, lon, category"):
        import_needs(store, tmp_path / "bad.csv")
    assert store.count() == 1


def test_command_line_export_import_backup(store, tmp_path, capsys):
    varied(store)
    assert main(["export", "--format", "geojson", "--out", str(tmp_path / "all.geojson"), "--status", "all"],
                store=store) == 0
    assert "4 needs written" in capsys.readouterr().out
    empty(store)
    assert main(["import", str(tmp_path / "all.geojson")], store=store) == 0
    assert store.count() == 4
    assert main(["import", str(tmp_path / "all.geojson")], store=store) == 1  # ids exist now
    assert "row 1: id: The id" in capsys.readouterr().err
    code = main(["backup", str(tmp_path / "copy.sqlite")], store=store)
    assert code == (0 if store.backend == "sqlite" else 1)


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_command_line_uses_database_url_in_a_real_process(tmp_path):
    path = tmp_path / "forms.csv"
    path.write_text(PAPER_FORMS, encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "assessment", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    refused = run("import", str(path))
    assert refused.returncode == 1 and "row 3: location" in refused.stderr
    done = run("import", str(path), "--skip-invalid")
    assert done.returncode == 0, done.stderr
    assert "1 needs imported" in done.stdout
    backup = run("backup", str(tmp_path / "backup.sqlite"))
    assert backup.returncode == 0 and (tmp_path / "backup.sqlite").is_file()


def test_csv_import_keeps_line_breaks_inside_quoted_cells(store, tmp_path):
    path = tmp_path / "multiline.csv"
    path.write_bytes(
        'lat,lon,category,title,description\r\n'
        '52.5163,13.3777,mobility,Zwei Zeilen,"erste Zeile\r\nzweite Zeile\ndritte"\r\n'.encode("utf-8")
    )
    report = import_needs(store, path)
    assert store.get(report.imported[0].id).description == "erste Zeile\r\nzweite Zeile\ndritte"


def test_the_data_dictionary_says_digits_only_where_the_profile_rule_is_digits(tmp_path):
    """Musterstadt with codes (BL0007): six characters, not six digits; Berlin's LOR ids stay digits."""
    from assessment.needs.exchange import data_dictionary
    from geodata.example_profile import write_example_profile
    from geodata.profile import BUNDLED_DIR, load_profile

    codes = load_profile(write_example_profile(tmp_path / "codes", nesting="containment", codes=True)).levels
    types = {row[0]: row[1] for row in data_dictionary(codes)}
    assert [types[c] for c in ("BL_ID", "QU_ID", "ST_ID")] == ["text (6 Zeichen)"] * 3
    berlin = {row[0]: row[1] for row in data_dictionary(load_profile(BUNDLED_DIR / "berlin").levels)}
    assert berlin["PLR_ID"] == "text (8 Ziffern)"
