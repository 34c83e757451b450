"""Settings: one table in the code, one table in the README, and clear errors."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core.settings import SETTINGS, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def _readme_settings_table() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*`([A-Z_]+)`\s*\|\s*([^|]*)\|", section, flags=re.M)
    return {name: default.strip() for name, default in rows}


def test_every_setting_is_documented_in_the_readme_table():
    documented = _readme_settings_table()
    missing = [s.name for s in SETTINGS if s.name not in documented]
    assert not missing, f"settings missing from the README configuration table: {missing}"
    unknown = set(documented) - {s.name for s in SETTINGS}
    assert not unknown, f"README documents settings that do not exist: {sorted(unknown)}"


def test_readme_defaults_match_the_code():
    documented = _readme_settings_table()
    for s in SETTINGS:
        shown = documented[s.name].strip("`")
        assert shown == (s.default or "—"), f"{s.name}: README says {shown!r}, code says {s.default!r}"


def test_no_module_reads_the_environment_for_configuration():
    """Settings are read in core/settings.py only; other os.environ reads would bypass the table."""
    offenders = []
    for folder in ("core", "geodata", "maps", "assessment", "ui", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "settings.py" and folder == "core":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    for path in [ROOT / "app.py"]:
        if path.exists() and re.search(r"os\.(environ|getenv)", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"read settings through core.settings.load_settings(): {offenders}"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"BEDARFSATLAS_LANGUAGE": "fr"}, "BEDARFSATLAS_LANGUAGE must be one of de, en, tr, ar, uk, ls, got 'fr'."),
        (
            {"BEDARFSATLAS_BASEMAP_URL": "https://tiles.example/{z}/{x}/{y}.png"},
            "BEDARFSATLAS_BASEMAP_ATTRIBUTION is required when BEDARFSATLAS_BASEMAP_URL is set",
        ),
        (
            {"BEDARFSATLAS_BASEMAP_URL": "tiles/{z}/{x}/{y}.png", "BEDARFSATLAS_BASEMAP_ATTRIBUTION": "x"},
            "BEDARFSATLAS_BASEMAP_URL must start with https:// or http://, got 'tiles/{z}/{x}/{y}.png'.",
        ),
    ],
)
def test_bad_settings_name_the_variable_and_the_fix(env, message):
    with pytest.raises(SettingsError) as err:
        load_settings(env)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("value", [
    "beteiligung.berlin.de",  # no scheme
    "ftp://beteiligung.berlin.de",
    "https://",  # no host
    "https://beteiligung.berlin.de/atlas?x=1",  # a root takes no query
    "https://beteiligung.berlin.de/#top",
    "https://user:secret@beteiligung.berlin.de",  # no credentials in a link on a projector
    "https://beteiligung.berlin.de:port",
    "https://beteiligung.berlin.de/mein atlas",
])
def test_a_public_url_that_is_no_http_root_is_refused_naming_the_setting(value):
    with pytest.raises(SettingsError) as err:
        load_settings({"BEDARFSATLAS_PUBLIC_URL": value})
    assert str(err.value) == (
        "BEDARFSATLAS_PUBLIC_URL must be an http(s) address like https://beteiligung.berlin.de/bedarfsatlas "
        f"(the app's root as phones reach it), got {value!r}."
    )


@pytest.mark.parametrize("value, public_url", [
    (None, None),
    ("  ", None),
    ("https://beteiligung.berlin.de/bedarfsatlas/", "https://beteiligung.berlin.de/bedarfsatlas"),
    ("http://192.168.0.5:8501", "http://192.168.0.5:8501"),
])
def test_a_public_url_is_kept_without_its_trailing_slash(value, public_url):
    env = {} if value is None else {"BEDARFSATLAS_PUBLIC_URL": value}
    assert load_settings(env).public_url == public_url


def test_defaults_and_overrides():
    s = load_settings({})
    assert str(s.data_dir) == "data" and s.language is None  # the city profile's default (geodata.profile)
    assert s.database_url == "sqlite:///data/bedarfsatlas.sqlite"
    assert s.raw_dir == s.data_dir / "opendata"
    s = load_settings({"DATABASE_URL": "postgresql+psycopg://u@h/db", "BEDARFSATLAS_LANGUAGE": "EN"})
    assert s.database_url == "postgresql+psycopg://u@h/db" and s.language == "en"


def test_the_fixed_limits_are_stated_under_the_settings_table_with_the_codes_values():
    """The per-browser limits that are constants, not settings, are documented beside the settings."""
    from assessment.participation import residents

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    table_end = section.rindex("\n| `")
    after = section[section.index("\n", table_end + 1):]
    [paragraph] = [p for p in after.split("\n\n") if "Fixed limits" in p]
    paragraph = " ".join(paragraph.split())
    minutes = round(residents.RATE_WINDOW_S / 60)
    assert residents.FLAG_WINDOW_S == residents.RATE_WINDOW_S
    for constant, limit in [("RATE_LIMIT", residents.RATE_LIMIT), ("FLAG_LIMIT", residents.FLAG_LIMIT),
                            ("TABLE_RATE_LIMIT", residents.TABLE_RATE_LIMIT),
                            ("STAFF_RATE_LIMIT", residents.STAFF_RATE_LIMIT)]:
        assert f"{limit} per {minutes} minutes (`{constant}`)" in paragraph, constant
