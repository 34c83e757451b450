"""`python -m geodata check --profile DIR`: every problem of a city profile and its files, with the fix."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata.__main__ import main
from geodata.profile import dumps
from geodata.profile_check import check_profile

CRS = "EPSG:25832"
X0, Y0 = 500_000.0, 5_600_000.0


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dataset(filename: str, kind: str, columns: list[str], id_column: str, rows: int, path: Path) -> dict:
    ds = {
        "title": filename, "filename": filename, "publisher": "Stadt Kleinstadt", "source": "https://example.org/",
        "licence": "dl-de/by-2.0", "licence_url": "https://www.govdata.de/dl-de/by-2-0",
        "attribution": "Stadt Kleinstadt", "reference_date": "2025-12-31", "sha256": _sha(path), "kind": kind,
        "id_column": id_column, "columns": columns, "rows": rows, "download_url": f"files/{filename}",
    }
    if kind == "geojson":
        ds["geometry_type"] = "Polygon"
    return ds


def write_small_profile(root: Path, quarters: list[tuple[str, shapely.Geometry]] | None = None,
                        nesting: str = "prefix", edit=None) -> Path:
    """Two districts (ST, 2 km by 1 km) with two quarters (QU) each, residents per quarter, two indicators."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    districts = [("01", shapely.box(X0, Y0, X0 + 2000, Y0 + 1000)), ("02", shapely.box(X0 + 2000, Y0, X0 + 4000, Y0 + 1000))]
    if quarters is None:
        quarters = [(f"{d}{q:02d}", shapely.box(X0 + (2 * i + q - 1) * 1000, Y0, X0 + (2 * i + q) * 1000, Y0 + 1000))
                    for i, (d, _) in enumerate(districts) for q in (1, 2)]
    gpd.GeoDataFrame({"ST_ID": [d for d, _ in districts], "ST_NAME": ["Nord", "Süd"]},
                     geometry=[g for _, g in districts], crs=CRS).to_file(files / "st.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"QU_ID": [q for q, _ in quarters], "QU_NAME": [f"Quartier {q}" for q, _ in quarters],
                      "ST_ID": [q[:2] for q, _ in quarters], "ST_NAME": ["Nord"] * len(quarters)},
                     geometry=[g for _, g in quarters], crs=CRS).to_file(files / "qu.geojson", driver="GeoJSON")
    pd.DataFrame({"QU_ID": [q for q, _ in quarters], "population": [1200, 800, 950, 40][:len(quarters)],
                  "pop_65plus": [300, 120, 200, 5][:len(quarters)], "green": [1, 2, 3, 2][:len(quarters)]}
                 ).to_csv(files / "pop.csv", index=False)
    n = len(quarters)
    data = {
        "city": {"name": "Kleinstadt", "bounds": [[50.5, 9.0], [50.6, 9.1]], "crs": CRS},
        "app": {"languages": ["de", "en"], "categories": ["mobility", "other"]},
        "levels": [
            {"code": "QU", "dataset": "quarters", "id_field": "QU_ID", "name_field": "QU_NAME", "id_length": 4,
             "nesting": nesting, "label": {"de": "Quartier", "en": "Quarter"},
             "plural": {"de": "Quartiere", "en": "Quarters"}},
            {"code": "ST", "dataset": "districts", "id_field": "ST_ID", "name_field": "ST_NAME", "id_length": 2,
             "label": {"de": "Stadtteil", "en": "District"}, "plural": {"de": "Stadtteile", "en": "Districts"}},
        ],
        "datasets": {
            "quarters": _dataset("qu.geojson", "geojson", ["QU_ID", "QU_NAME", "ST_ID", "ST_NAME"], "QU_ID", n, files / "qu.geojson"),
            "districts": _dataset("st.geojson", "geojson", ["ST_ID", "ST_NAME"], "ST_ID", 2, files / "st.geojson"),
            "population": {
                **_dataset("pop.csv", "csv", ["QU_ID", "population", "pop_65plus", "green"], "QU_ID", n,
                           files / "pop.csv"),
                "indicators": {
                    "population": {"label": {"de": "Einwohner", "en": "Residents"}, "unit": {"de": "", "en": ""},
                                   "direction": 0, "aggregation": "sum", "column": "population"},
                    "share_65plus": {"label": {"de": "Anteil ab 65", "en": "Share 65+"},
                                     "unit": {"de": "%", "en": "%"}, "direction": 0, "aggregation": "share",
                                     "numerator": "pop_65plus", "denominator": "population", "factor": 100},
                    "green": {"label": {"de": "Grünversorgung", "en": "Green space"},
                              "unit": {"de": "Klasse", "en": "class"}, "direction": 1, "aggregation": "class",
                              "column": "green", "classes": [1, 2, 3]},
                },
            },
        },
    }
    # Inline texts must not be empty; the population's unit is the residents themselves.
    data["datasets"]["population"]["indicators"]["population"]["unit"] = {"de": "Personen", "en": "persons"}
    if edit:
        edit(data)
    (root / "profile.toml").write_text(dumps(data), encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    return [str(p) for p in check_profile(root, data_dir=None)]


def _one(found: list[str], field: str, *words: str) -> str:
    hits = [p for p in found if p.startswith(f"{field}:") and all(w in p for w in words)]
    assert hits, found
    return hits[0]


def test_a_sound_profile_has_no_problems(tmp_path):
    assert problems(write_small_profile(tmp_path)) == []


def test_a_missing_file_is_named_with_the_fetch_command(tmp_path):
    root = write_small_profile(tmp_path)
    (root / "files" / "pop.csv").unlink()
    found = _one(problems(root), "datasets.population", "file missing", "pop.csv")
    assert "python -m geodata fetch" in found.split("Fix:")[1]


def test_a_wrong_checksum_gives_the_files_digest_to_record(tmp_path):
    root = write_small_profile(tmp_path)
    path = root / "files" / "pop.csv"
    path.write_text(path.read_text().replace("1200", "1300"))
    found = _one(problems(root), "datasets.population.sha256", "has sha256")
    assert f'sha256 = "{_sha(path)}"' in found.split("Fix:")[1]


def test_an_unknown_column_is_named(tmp_path):
    root = write_small_profile(tmp_path, edit=lambda d: d["datasets"]["population"]["columns"].append("pop_80plus"))
    _one(problems(root), "datasets.population.columns", "unknown column 'pop_80plus'", "QU_ID, population")


def test_an_indicator_column_outside_its_dataset_is_named(tmp_path):
    def edit(d):
        d["datasets"]["population"]["indicators"]["share_65plus"]["numerator"] = "pop_over65"
    _one(problems(write_small_profile(tmp_path, edit=edit)),
         "datasets.population.indicators.share_65plus.numerator", "unknown column 'pop_over65'")


def test_a_unit_without_parent_is_named(tmp_path):
    quarters = [("0101", shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)), ("0302", shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
                ("0201", shapely.box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000)),
                ("0202", shapely.box(X0 + 3000, Y0, X0 + 4000, Y0 + 1000))]
    found = problems(write_small_profile(tmp_path, quarters))
    _one(found, "levels[QU]", "unit 0302 has no parent", "no ST unit has the id '03'")
    # District 01 lost the quarter's area: it is no longer tiled either.
    _one(found, "levels[QU]", "do not tile the ST unit 01", "50.0% of it is uncovered")


def test_a_unit_without_parent_by_containment_is_named(tmp_path):
    quarters = [("A1", shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)), ("A2", shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
                ("B1", shapely.box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000)),
                ("B2", shapely.box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000))]

    def edit(d):
        d["levels"][0].pop("id_length")
        for key in ("quarters", "population"):
            d["datasets"][key].pop("id_length", None)
    found = problems(write_small_profile(tmp_path, quarters, nesting="containment", edit=edit))
    _one(found, "levels[QU]", "unit B2 has no parent", "lies in no ST unit")
    assert not any("unit A1" in p or "unit B1" in p for p in found), found


def test_a_level_that_does_not_tile_the_level_above_is_named(tmp_path):
    quarters = [("0101", shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)), ("0102", shapely.box(X0 + 1000, Y0, X0 + 1900, Y0 + 1000)),
                ("0201", shapely.box(X0 + 2000, Y0, X0 + 3200, Y0 + 1000)),
                ("0202", shapely.box(X0 + 3000, Y0, X0 + 4000, Y0 + 1000))]
    found = problems(write_small_profile(tmp_path, quarters))
    _one(found, "levels[QU]", "ST unit 01", "5.0% of it is uncovered")
    _one(found, "levels[QU]", "ST unit 02", "10.0% is covered twice")
    assert "cover each ST unit exactly once" in found[0]


def test_an_indicator_whose_aggregation_is_undefined_is_named(tmp_path):
    def edit(d):
        d["datasets"]["population"]["indicators"]["share_of_share"] = {
            "label": {"de": "x", "en": "x"}, "unit": {"de": "%", "en": "%"}, "aggregation": "share",
            "numerator": "share_65plus", "denominator": "population"}
        d["datasets"]["population"]["indicators"]["mean_age"] = {
            "label": {"de": "y", "en": "y"}, "unit": {"de": "J", "en": "y"}, "aggregation": "mean"}
    found = problems(write_small_profile(tmp_path, edit=edit))
    # The loader stops at the undefined rule and names it first; the check names what it can.
    _one(found, "datasets.population.indicators.mean_age.aggregation", "'mean' is undefined")
    d_fixed = tmp_path / "fixed"
    found = problems(write_small_profile(d_fixed, edit=lambda d: (edit(d), d["datasets"]["population"]["indicators"]
                                                                  .pop("mean_age"))))
    _one(found, "datasets.population.indicators.share_of_share", "aggregation undefined",
         "'share_65plus' is a share indicator")


def test_a_class_code_outside_the_declared_classes_is_named(tmp_path):
    root = write_small_profile(tmp_path, edit=lambda d: d["datasets"]["population"]["indicators"]["green"]
                               .__setitem__("classes", [1, 2]))
    _one(problems(root), "datasets.population.indicators.green.classes", "codes [3]")


def test_ids_that_break_the_id_rule_are_named_with_how_to_state_the_rule(tmp_path):
    """Musterstadt with codes for ids (BL0007): sound as written; without its id_pattern the digit rule refuses them."""
    from geodata.example_profile import write_example_profile

    folder = write_example_profile(tmp_path / "codes", nesting="containment", codes=True)
    assert problems(folder) == []
    toml = folder / "profile.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('id_pattern = "BL[0-9]{4}"\n', ""), encoding="utf-8")
    found = _one(problems(folder), "datasets.units_blocks.id_column", "12 ids in BL_ID do not match the id rule '[0-9]+'",
                 "e.g. 'BL0001'")
    assert 'state the rule they follow in levels[BL], e.g. id_pattern = "' in found.split("Fix:")[1]
    _one(problems(folder), "datasets.population.id_column", "12 ids in BL_ID")


def test_the_command_prints_every_problem_and_fails(tmp_path, capsys):
    root = write_small_profile(tmp_path, edit=lambda d: d["datasets"]["population"]["columns"].append("nope"))
    (root / "files" / "st.geojson").unlink()
    assert main(["check", "--profile", str(root), "--data", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert "datasets.districts: file missing" in err and "unknown column 'nope'" in err
    assert "2 problem(s)" in err
    good = write_small_profile(tmp_path / "good")
    assert main(["check", "--profile", str(good), "--data", str(tmp_path / "empty")]) == 0
    assert "is valid" in capsys.readouterr().out
