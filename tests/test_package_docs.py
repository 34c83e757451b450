"""Issue 11: each package's docstring lists what is really in it.

A newcomer reads a package's docstring first to find where a rule lives. Twice the lists
fell behind the code (``assessment`` named 10 of 26 modules; later ``geodata`` and ``ui``
gained the place search, city profiles, the map component and more without a line), so
this test compares the list under each docstring's heading "Modules" (or "Subpackages")
with the files beside it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ["core", "geodata", "maps", "ui", "assessment", "assessment/needs", "assessment/analysis",
            "assessment/participation"]
#: Files that are no modules a reader looks for: the command line, pytest's fixtures.
NOT_LISTED = {"__init__", "__main__", "conftest"}


def contents(package: Path) -> set[str]:
    """The modules and subpackages of ``package``."""
    modules = {p.stem for p in package.glob("*.py")} - NOT_LISTED
    subpackages = {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    return modules | subpackages


def listed(package: Path) -> list[str]:
    """The entries under the docstring's headings "Modules" and "Subpackages".

    An entry starts a line without indent (``name`` or ``a, b, c``), its description is
    indented below it, and a blank line ends the list (numpydoc's layout).
    """
    text = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    names = []
    for section in re.split(r"\n(?=\S[^\n]*\n-{3,}\n)", text):
        heading, _, body = section.partition("\n")
        if heading.strip() in {"Modules", "Subpackages"}:
            entries = body.split("\n\n")[0].splitlines()[1:]
            names += [n.strip() for line in entries if line and not line[0].isspace() for n in line.split(",")]
    return names


@pytest.mark.parametrize("name", PACKAGES)
def test_the_package_docstring_lists_every_module_in_it(name):
    unlisted = sorted(contents(REPO / name) - set(listed(REPO / name)))
    assert unlisted == [], f"{name}/__init__.py does not list {unlisted}: add an entry for each under 'Modules'"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_module_the_docstring_lists_exists(name):
    names = listed(REPO / name)
    assert names, f"{name}/__init__.py has no 'Modules' or 'Subpackages' section"
    assert sorted(set(names) - contents(REPO / name)) == []


def described(package: Path) -> dict[str, str]:
    """Each entry under the docstring's headings "Modules" and "Subpackages", with its description.

    >>> sorted(described(REPO / "assessment"))
    ['analysis', 'needs', 'participation']
    """
    text = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    entries: dict[str, str] = {}
    for section in re.split(r"\n(?=\S[^\n]*\n-{3,}\n)", text):
        heading, _, body = section.partition("\n")
        if heading.strip() in {"Modules", "Subpackages"}:
            name = None
            for line in body.split("\n\n")[0].splitlines()[1:]:
                if line and not line[0].isspace():
                    name = line.strip()
                    entries[name] = ""
                elif name is not None:
                    entries[name] += " " + line.strip()
    return entries


@pytest.mark.parametrize("sub", ["needs", "analysis", "participation"])
def test_the_assessment_summary_names_every_module_of_each_subpackage(sub):
    """``assessment/__init__.py`` is the map of the three parts: a newcomer who reads
    only it must still find each one, so the line of each subpackage names all its modules."""
    summary = described(REPO / "assessment")[sub]
    unnamed = sorted(m for m in contents(REPO / "assessment" / sub) if not re.search(rf"\b{m}\b", summary))
    assert unnamed == [], f"assessment/__init__.py's line for {sub!r} does not name {unnamed}: add them"
