"""City profiles: the loader parses profile.toml into frozen dataclasses and names every bad field with its fix."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from core.settings import load_settings
from geodata.profile import (
    BUNDLED_DIR,
    ProfileError,
    Text,
    load_profile,
    parse_profile,
    profile_dir,
)

SHA = "0" * 64


def minimal() -> dict:
    """A small valid profile as parsed TOML: two levels, a population table with two indicators."""
    return {
        "city": {"name": "Kleinstadt", "bounds": [[50.0, 8.0], [50.1, 8.2]], "crs": "EPSG:25832"},
        "app": {"languages": ["de", "en"], "categories": ["mobility", "other"]},
        "basemaps": {"stadtkarte": {"title": "Stadtkarte", "url": "https://geo.example.org/wms", "layers": "karte",
                                    "attribution": "© Kleinstadt {year}", "licence": "dl-de/by-2.0"}},
        "levels": [
            {"code": "QU", "dataset": "quarters", "id_field": "QU_ID", "name_field": "QU_NAME", "id_length": 4,
             "label": {"de": "Quartier", "en": "Quarter"}, "plural": {"de": "Quartiere", "en": "Quarters"}},
            {"code": "ST", "dataset": "districts", "id_field": "ST_ID", "name_field": "ST_NAME", "id_length": 2,
             "label": "level.BEZ.label", "plural": {"de": "Stadtteile", "en": "Districts"}},
        ],
        "datasets": {
            "quarters": _dataset("quarters.geojson", "geojson", ["QU_ID", "QU_NAME", "ST_ID", "ST_NAME"], "QU_ID"),
            "districts": _dataset("districts.geojson", "geojson", ["ST_ID", "ST_NAME"], "ST_ID"),
            "population": {
                **_dataset("population.csv", "csv", ["QU_ID", "population", "pop_65plus"], "QU_ID"),
                "indicators": {
                    "population": {"label": {"de": "Einwohner", "en": "Residents"},
                                   "unit": {"de": "Personen", "en": "persons"}, "direction": 0,
                                   "aggregation": "sum", "column": "population"},
                    "share_65plus": {"label": "indicator.share_65plus.label", "unit": "indicator.share_65plus.unit",
                                     "direction": 0, "aggregation": "share", "numerator": "pop_65plus",
                                     "denominator": "population", "factor": 100},
                },
            },
        },
    }


def _dataset(filename: str, kind: str, columns: list[str], id_column: str) -> dict:
    ds = {
        "title": filename, "filename": filename, "publisher": "Stadt", "source": "https://example.org/",
        "licence": "dl-de/by-2.0", "licence_url": "https://www.govdata.de/dl-de/by-2-0",
        "attribution": "Stadt Kleinstadt", "reference_date": "2025-12-31", "sha256": SHA, "kind": kind,
        "id_column": id_column, "columns": columns, "rows": 4, "download_url": f"data/{filename}",
    }
    if kind == "geojson":
        ds["geometry_type"] = "Polygon"
    return ds


def problems_of(data: dict, tmp_path) -> list[str]:
    with pytest.raises(ProfileError) as err:
        parse_profile(data, tmp_path)
    return [str(p) for p in err.value.problems]


def test_a_valid_profile_parses_into_frozen_dataclasses(tmp_path):
    p = parse_profile(minimal(), tmp_path)
    assert p.name == "Kleinstadt" and p.level_order == ("QU", "ST") and p.crs == "EPSG:25832"
    assert [b.key for b in p.basemaps] == ["stadtkarte"] and p.basemap("stadtkarte").attribution_in(2027) == "© Kleinstadt 2027"
    assert p.level("QU").parent == "ST" and p.level("ST").parent is None
    assert p.level("QU").label.get("en") == "Quarter" and p.level("QU").label.get("tr") == "Quartier"
    share = next(i for i in p.indicators if i.key == "share_65plus")
    assert (share.aggregation, share.numerator, share.denominator, share.factor) == (
        "share", "pop_65plus", "population", 100.0)
    # A download URL that is a path is resolved against the profile folder.
    assert p.dataset("population").local_source == (tmp_path / "data" / "population.csv").resolve()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "Other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "field", "fix_words"),
    [
        (lambda d: d["city"].pop("name"), "city.name", "add name ="),
        (lambda d: d["city"].__setitem__("bounds", [[50.1, 8.0], [50.0, 8.2]]), "city.bounds", "latitude first"),
        (lambda d: d["app"].__setitem__("languages", ["de", "fr"]), "app.languages", "catalogues"),
        (lambda d: d["app"].__setitem__("basemaps", ["osm"]), "app.basemaps", "[basemaps.KEY]"),
        (lambda d: d["basemaps"]["stadtkarte"].pop("layers"), "basemaps.stadtkarte.layers", "GetCapabilities"),
        (lambda d: d["basemaps"].__setitem__("osm", "https://tile.example.org"), "basemaps.osm", "[basemaps.osm]"),
        (lambda d: d["levels"][0].pop("id_field"), "levels[QU].id_field", "add id_field"),
        (lambda d: d["levels"][0].__setitem__("nesting", "overlap"), "levels[QU].nesting", "containment"),
        (lambda d: d["levels"][1].__setitem__("id_length", 6), "levels[ST].id_length", "finest first"),
        (lambda d: d["levels"][0].__setitem__("id_pattern", "[A-Z"), "levels[QU].id_pattern",
         "regular expression that a whole id matches"),
        (lambda d: d["datasets"]["population"].__setitem__("id_pattern", "(QU"), "datasets.population.id_pattern",
         "regular expression"),
        (lambda d: d["levels"][0]["label"].pop("en"), "levels[QU].label", 'en = "…"'),
        (lambda d: d["levels"][1].__setitem__("dataset", "nowhere"), "levels[ST].dataset", "[datasets.nowhere]"),
        (lambda d: d["levels"][1].__setitem__("name_field", "NAME"), "levels[ST]", "correct the field name"),
        (lambda d: d["levels"][1].__setitem__("label", "level.ST.label"), "levels[ST].label", "docs/translations.md"),
        (lambda d: d["app"]["categories"].append("parking"), "app.categories", "add their messages"),
        (lambda d: d["datasets"]["quarters"]["columns"].remove("ST_NAME"), "datasets.quarters.columns",
         "ids and names of every coarser level"),
        (lambda d: d["datasets"]["population"].__setitem__("sha256", "abc"), "datasets.population.sha256",
         "64 hex digits"),
        (lambda d: d["datasets"]["population"].__setitem__("reference_date", "31.12.2025"),
         "datasets.population.reference_date", "YYYY-MM-DD"),
        (lambda d: d["datasets"]["population"].__setitem__("kind", "xlsx"), "datasets.population.kind", "csv"),
        (lambda d: d["datasets"]["population"]["indicators"]["population"].pop("aggregation"),
         "datasets.population.indicators.population.aggregation", '"share"'),
        (lambda d: d["datasets"]["population"]["indicators"]["share_65plus"].pop("denominator"),
         "datasets.population.indicators.share_65plus", "denominator ="),
        (lambda d: d["datasets"]["population"]["indicators"]["population"].__setitem__("direction", 2),
         "datasets.population.indicators.population.direction", "higher = more need"),
    ],
)
def test_each_bad_field_is_named_with_its_fix(tmp_path, change, field, fix_words):
    data = copy.deepcopy(minimal())
    change(data)
    found = problems_of(data, tmp_path)
    assert any(p.startswith(f"{field}:") and fix_words in p.split("Fix:", 1)[1] for p in found), found


def test_the_id_rule_is_digits_where_a_length_is_given_and_is_stated_otherwise(tmp_path):
    """Without id_pattern, ids with an id_length are digits (as Berlin's); a stated rule passes to the level's datasets."""
    p = parse_profile(minimal(), tmp_path)
    assert [level.id_pattern for level in p.levels] == ["[0-9]+", "[0-9]+"]
    assert p.dataset("population").id_pattern == "[0-9]+"
    data = minimal()
    data["levels"][0].update(nesting="containment", id_pattern="Q-[0-9]{2}")
    data["levels"][1].update(nesting="containment")
    data["levels"][1].pop("id_length")
    data["datasets"]["districts"]["id_pattern"] = "[A-Z]+"
    p = parse_profile(data, tmp_path)
    assert [level.id_pattern for level in p.levels] == ["Q-[0-9]{2}", None]
    # The population keys on QU_ID: the quarters' rule; a dataset may state its own.
    assert [p.dataset(key).id_pattern for key in ("quarters", "population", "districts")] == [
        "Q-[0-9]{2}", "Q-[0-9]{2}", "[A-Z]+"]


def test_every_problem_is_reported_at_once(tmp_path):
    data = minimal()
    data["city"].pop("name")
    data["datasets"]["population"]["sha256"] = "x"
    data["datasets"]["population"]["indicators"]["population"]["aggregation"] = "mean"
    assert len(problems_of(data, tmp_path)) == 3


def test_a_missing_folder_or_bad_toml_says_what_to_do(tmp_path):
    with pytest.raises(ProfileError, match="example-profile"):
        load_profile(tmp_path / "nowhere")
    (tmp_path / "profile.toml").write_text("[city\nname = 1", encoding="utf-8")
    with pytest.raises(ProfileError, match="no valid TOML.*Fix: correct the syntax"):
        load_profile(tmp_path)


def test_texts_are_message_keys_or_inline_per_language():
    assert Text(key="level.PGR.label").get("en") == "Forecast area"
    assert Text(inline=(("en", "Block"), ("de", "Baublock"))).get("de") == "Baublock"


def test_the_setting_chooses_the_profile_and_defaults_to_berlin(tmp_path):
    assert load_settings({}).profile == "berlin"
    assert profile_dir(load_settings({}).profile) == BUNDLED_DIR / "berlin"
    assert profile_dir(str(tmp_path)) == tmp_path
    assert load_settings({"BEDARFSATLAS_PROFILE": str(tmp_path)}).profile == str(tmp_path)


def test_the_berlin_profile_loads():
    p = load_profile(BUNDLED_DIR / "berlin")
    assert p.level_order == ("PLR", "BZR", "PGR", "BEZ")
    assert all(len(ds.sha256) == 64 for ds in p.datasets)


# --- Berlin, the reference profile: the modules read their Berlin facts from it ----------------

_AGGREGATION_OF = {"sum": "sum", "ratio": "share", "class": "class", "none": "finest"}


def test_the_catalogue_levels_bounds_and_categories_come_from_the_profile():
    from assessment.needs.taxonomy import CATEGORIES
    from geodata.catalogue import DATASETS
    from geodata.lor import LEVEL_ORDER, LEVELS
    from maps.base import CITY_BOUNDS

    p = load_profile(BUNDLED_DIR / "berlin")
    assert [ds.key for ds in p.datasets] == list(DATASETS)
    assert all(DATASETS[ds.key].sha256 == ds.sha256 and DATASETS[ds.key].download_url == ds.download_url
               for ds in p.datasets)
    assert LEVEL_ORDER == p.level_order
    assert [(LEVELS[lv.code].id_column, LEVELS[lv.code].id_length) for lv in p.levels] == [
        (lv.id_field, lv.id_length) for lv in p.levels]
    assert CITY_BOUNDS == [list(corner) for corner in p.bounds]
    assert tuple(CATEGORIES) == p.categories


def test_the_berlin_profile_declares_every_indicator_as_the_code_computes_it():
    """The indicator computation is still code (geodata/indicators.py); the profile must say the same."""
    from geodata.indicators import INDICATORS

    declared = {ind.key: ind for ind in load_profile(BUNDLED_DIR / "berlin").indicators}
    assert sorted(declared) == sorted(INDICATORS)
    for key, ind in INDICATORS.items():
        spec = declared[key]
        assert (spec.direction, spec.aggregation, spec.datasets) == (
            ind.direction, _AGGREGATION_OF[ind.aggregation], ind.datasets), key
        assert (spec.numerator, spec.denominator, spec.factor, spec.classes) == (
            ind.numerator, ind.denominator, ind.factor, ind.classes), key
        assert (spec.base_level or "PLR") == ind.base_level, key
        assert spec.unit.get("en") == ind.unit("en") and spec.label.get("de") == ind.label("de"), key
