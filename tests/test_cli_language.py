"""The command lines speak German or English as the environment says, one language per run.

Each command line runs as a subprocess, once with ``LANG=de_DE.UTF-8`` and once with
``LANG=en_US.UTF-8``, on an error path that needs no open data; the message must be in that
language alone and name the field or value and the fix.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.i18n import command_line_language

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "de"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "de"}, "de"),
    ({"LANG": "de_AT"}, "de"),
    ({"LANG": "de_DE@euro"}, "de"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),             # not a staff language: today's English
    ({"LANG": "tr_TR.UTF-8"}, "en"),             # public, but the command line is a staff tool
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_ALL": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
    ({"LC_MESSAGES": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
    ({"LC_ALL": "", "LC_MESSAGES": "en_GB.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
    ({"LANGUAGE": "de", "LANG": "en_US.UTF-8"}, "de"),
    ({"LANGUAGE": "fr:de:en", "LANG": "en_US.UTF-8"}, "de"),
    ({"LANGUAGE": "en", "LANG": "de_DE.UTF-8"}, "en"),
    ({"LANGUAGE": "fr", "LANG": "de_DE.UTF-8"}, "de"),   # no language of LANGUAGE offered: the locale's
    ({"LANGUAGE": "de", "LC_ALL": "C"}, "en"),           # as GNU gettext: the C locale ignores LANGUAGE
    ({"LANGUAGE": "de", "LANG": "POSIX"}, "en"),
])
def test_the_language_comes_from_the_environment(environ, expected):
    assert command_line_language(environ) == expected


def run(module: str, *args: str, lang: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items()
           if name not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(LANG=lang, BEDARFSATLAS_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow  # starts processes
def test_geodata_find_without_data_names_the_missing_file_and_the_fetch_command(tmp_path):
    german = run("geodata", "find", "Kottbusser Tor", lang="de_DE.UTF-8", tmp_path=tmp_path)
    english = run("geodata", "find", "Kottbusser Tor", lang="en_US.UTF-8", tmp_path=tmp_path)
    missing = str(tmp_path / "data" / "opendata")
    assert german.returncode == english.returncode == 2
    assert german.stdout == english.stdout == ""
    assert german.stderr.startswith(f"Fehler: {missing}")
    assert "fehlt: Die Ortssuche wird aus dieser Datei aufgebaut. Führen Sie `python -m geodata fetch" \
        in german.stderr
    assert "Error" not in german.stderr and "missing" not in german.stderr
    assert english.stderr.startswith(f"Error: {missing}")
    assert "is missing: the place search is built from it. Run `python -m geodata fetch" in english.stderr
    assert "Fehler" not in english.stderr and "fehlt" not in english.stderr


@pytest.mark.slow  # starts processes
def test_geodata_help_is_in_the_language_of_the_environment(tmp_path):
    german = run("geodata", "find", "--help", lang="de_DE.UTF-8", tmp_path=tmp_path)
    english = run("geodata", "find", "--help", lang="en_US.UTF-8", tmp_path=tmp_path)
    assert "höchstens so viele Orte (Standard: 8)" in " ".join(german.stdout.split())
    assert "at most this many places (default 8)" in " ".join(english.stdout.split())


@pytest.mark.slow  # starts processes
def test_assessment_import_of_a_wrong_file_type_names_the_file_and_refuses(tmp_path):
    paper = tmp_path / "meldungen.txt"
    paper.write_text("lat,lon\n52.5,13.4\n", encoding="utf-8")
    german = run("assessment", "import", str(paper), lang="de_DE.UTF-8", tmp_path=tmp_path)
    english = run("assessment", "import", str(paper), lang="en_US.UTF-8", tmp_path=tmp_path)
    assert german.returncode == english.returncode == 1
    assert german.stderr.splitlines()[0] == (
        "Nichts importiert. Probleme: 1. Korrigieren Sie die genannten Zeilen, oder importieren Sie mit "
        "--skip-invalid nur die gültigen Zeilen:")
    assert german.stderr.splitlines()[1] == (
        "Datei: meldungen.txt kann nicht importiert werden: bitte eine .csv-, .geojson- (oder .json-) "
        "oder .gpkg-Datei angeben.")
    assert english.stderr.splitlines()[0] == (
        "1 problem(s), nothing imported (use --skip-invalid to import the good rows):")
    assert english.stderr.splitlines()[1] == (
        "file: cannot import meldungen.txt: give a .csv, .geojson (or .json) or .gpkg file.")
    # one language per run: the row's own message is not followed by its German translation any more
    assert " / " not in english.stderr and " / " not in german.stderr


@pytest.mark.slow  # starts processes
def test_assessment_unknown_procedure_names_the_option_and_the_list_command(tmp_path):
    args = ("export", "--format", "csv", "--out", str(tmp_path / "x.csv"), "--procedure", "gibts-nicht")
    german = run("assessment", *args, lang="de_DE.UTF-8", tmp_path=tmp_path)
    english = run("assessment", *args, lang="en_US.UTF-8", tmp_path=tmp_path)
    assert german.returncode == english.returncode == 1
    assert german.stderr.strip() == ("Kein Beteiligungsverfahren hat die ID „gibts-nicht“ (--procedure). "
                                     "`python -m assessment procedures list` zeigt die vorhandenen IDs.")
    assert english.stderr.strip() == ("no procedure with id 'gibts-nicht': "
                                      "`python -m assessment procedures list` shows the ids")
    assert not (tmp_path / "x.csv").exists()
