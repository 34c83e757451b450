"""Nothing Berlin-specific in code outside Berlin's city profile.

The rule
--------
Berlin is the reference *profile* (``geodata/profiles/berlin/``: ``profile.toml`` and its
``helpers.py``/``stations.py``); the code of the app (``app.py``, ``pages/``, ``ui/``,
``assessment/``, ``maps/``, ``geodata/``, ``core/``) reads what is Berlin's from the loaded
profile. This test parses every module of the app and fails on

* a **text constant** that names Berlin or one of its Bezirke (whole words), is one of Berlin's
  level codes (``PLR`` ... ``BEZ``) or unit columns (``PLR_ID``, ``BEZ_NAME`` ...), one of its
  dataset keys (``lor_plr``, ``population_2025`` ...), one of its indicator keys, or looks like
  a LOR id (4, 6 or 8 digits, starting with a Bezirk's 01-12). Indicator keys the example city
  Musterstadt shares (``share_65plus``) are no one city's, nor are the app's own columns:
  ``population`` (every profile gives it: needs are counted per 1,000 residents), ``area_km2``
  (computed from every city's geometry) and ``density`` (also a kind of indicator);
* a **number** inside Berlin's bounds with a fractional part (a latitude 52.3-52.7 or a
  longitude 13.0-13.8, e.g. ``52.52``);
* a **name** (variable, function, class, argument, attribute) containing ``berlin``.

``"Europe/Berlin"`` is allowed: it is Germany's time zone (IANA names a zone after its largest
city), the default of a profile's ``[city] timezone``.

What is allowed, and why:

* docstrings and comments: they teach with Berlin as the worked example, and the doctests
  run against the reference profile;
* ``assessment/needs/migrations/``: history, each migration describes the database as it was;
* the message catalogues (``core/locale``): data, not code; a profile names the messages it uses;
* ``tests/``: they check the app against the reference profile's real data.

The lists come from ``geodata/profiles/berlin/profile.toml`` itself (codes, columns, datasets,
indicators, bounds) and from the Musterstadt profile that ``geodata.example_profile`` writes;
only the Bezirk names, which the profile does not carry, are listed here.

:data:`PENDING` names modules still to be moved, each with the reason; the test fails as well
when one of them is clean, so that the list only shrinks.
"""

from __future__ import annotations

import ast
import re
import tempfile
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

from geodata.example_profile import write_example_profile
from geodata.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "geodata" / "profiles" / "berlin"
CODE_DIRS = ("app.py", "pages", "ui", "assessment", "maps", "geodata", "core")
EXCLUDED = (PROFILE, ROOT / "assessment" / "needs" / "migrations")

BEZIRKE = ("Mitte", "Friedrichshain-Kreuzberg", "Pankow", "Charlottenburg-Wilmersdorf", "Spandau",
           "Steglitz-Zehlendorf", "Tempelhof-Schöneberg", "Neukölln", "Treptow-Köpenick",
           "Marzahn-Hellersdorf", "Lichtenberg", "Reinickendorf")
"""Berlin's twelve Bezirke (LOR 2021)."""

PENDING: dict[str, str] = {}
"""Modules that still hold something of Berlin, and what: each to be read from the profile."""


def _profile() -> dict:
    return tomllib.loads((PROFILE / "profile.toml").read_text(encoding="utf-8"))


APP_COLUMNS = {"population", "area_km2", "density"}
"""Indicator keys that are the app's own, not Berlin's (see the module docstring)."""


@lru_cache(maxsize=1)
def _shared_keys() -> set[str]:
    """The indicator keys of Musterstadt, the example profile: no one city's."""
    with tempfile.TemporaryDirectory() as folder:
        example = load_profile(write_example_profile(Path(folder) / "musterstadt"))
    return {ind.key for ind in example.indicators} | APP_COLUMNS


@lru_cache(maxsize=1)
def _forbidden_texts() -> set[str]:
    """Exact text constants that are Berlin's: level codes, unit columns, dataset and indicator keys."""
    profile = _profile()
    texts = set()
    for level in profile["levels"]:
        texts |= {level["code"], level["id_field"], level["name_field"], level["dataset"]}
    for key, dataset in profile["datasets"].items():
        texts.add(key)
        texts |= set(dataset.get("indicators", {})) | set(dataset.get("computed", ()))
    return texts - _shared_keys()


def _forbidden_words() -> re.Pattern:
    words = [profile_name := _profile()["city"]["name"], *BEZIRKE]
    assert profile_name == "Berlin"
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")


_LOR_ID = re.compile(r"^(0[1-9]|1[0-2])(\d{2}|\d{4}|\d{6})$")


def _in_bounds(value: float) -> bool:
    (south, west), (north, east) = _profile()["city"]["bounds"]
    if value == int(value):
        return False
    return (south - 0.05 <= value <= north + 0.05) or (west - 0.1 <= value <= east + 0.1)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (of modules, classes, functions, attributes)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for n, stmt in enumerate(body):
            # A docstring, or the string right after an assignment (an attribute's docstring).
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                if n == 0 or isinstance(body[n - 1], (ast.Assign, ast.AnnAssign)):
                    found.add(id(stmt.value))
    return found


def offences(path: Path) -> list[str]:
    """What is Berlin's in the module at ``path``: one line per finding, with its line number."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    texts, words = _forbidden_texts(), _forbidden_words()
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and id(node) not in docstrings:
            value = node.value
            if isinstance(value, str):
                if value in texts:
                    found.append(f"{line}: text {value!r} is Berlin's (a level, column, dataset or indicator)")
                elif words.search(value.replace("Europe/Berlin", "")):
                    found.append(f"{line}: text {value[:60]!r} names {words.search(value.replace('Europe/Berlin', '')).group(0)}")
                elif _LOR_ID.match(value):
                    found.append(f"{line}: text {value!r} looks like a LOR id")
            elif isinstance(value, float) and _in_bounds(value):
                found.append(f"{line}: number {value} lies in Berlin's bounds")
        names = []
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.arg):
            names = [node.arg]
        elif isinstance(node, ast.alias):
            names = [node.asname or node.name]
        found += [f"{line}: name {name!r} says Berlin" for name in names if "berlin" in name.lower()]
    return found


def _modules() -> list[Path]:
    paths = []
    for entry in CODE_DIRS:
        target = ROOT / entry
        paths += [target] if target.is_file() else sorted(target.rglob("*.py"))
    return [p for p in paths if not any(p.is_relative_to(excluded) for excluded in EXCLUDED)]


def test_the_rule_finds_what_it_is_meant_to_find(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text('"""Berlin in a docstring is fine."""\n'
                      'LEVEL = "BZR"  # Berlin in a comment is fine\n'
                      'CENTRE = (52.52, 13.405)\n'
                      'AREA = "01100101"\n'
                      'TITLE = "Bedarfsatlas Berlin"\n'
                      'WHERE = "Neukölln-Nord"  # not the Bezirk Neukölln\n'
                      'def berlin_total(x):\n    """In Mitte."""\n    return x\n', encoding="utf-8")
    found = offences(module)
    assert sorted(f.split(":")[0] for f in found) == ["2", "3", "3", "4", "5", "7"], found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_code_holds_nothing_of_berlin(path):
    relative = str(path.relative_to(ROOT))
    found = offences(path)
    if relative in PENDING:
        assert found, f"{relative} holds nothing of Berlin any more: remove it from PENDING"
        return
    assert not found, (f"{relative} holds what is Berlin's; read it from the city profile "
                       f"(geodata.profile.active_profile, geodata.lor.LEVELS) instead:\n" + "\n".join(found))


def test_pending_modules_exist():
    assert all((ROOT / name).is_file() for name in PENDING), [n for n in PENDING if not (ROOT / n).is_file()]
