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


def run_with(module: str, *args: str, tmp_path: Path, **environ: str) -> dict[str, subprocess.CompletedProcess]:
    """One run per staff language: ``{"de": …, "en": …}``; ``environ`` adds variables."""
    runs = {}
    for lang, locale in (("de", "de_DE.UTF-8"), ("en", "en_US.UTF-8")):
        env = {name: value for name, value in os.environ.items()
               if name not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
        env.update(LANG=locale, BEDARFSATLAS_DATA_DIR=str(tmp_path / "data"), **environ)
        runs[lang] = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=120)
    for done in runs.values():
        assert "Traceback" not in done.stderr, done.stderr
    return runs


@pytest.mark.slow  # starts processes
def test_an_unknown_command_is_refused_by_argparse_in_the_language_of_the_environment(tmp_path):
    runs = run_with("geodata", "nonsense", tmp_path=tmp_path)
    assert runs["de"].returncode == runs["en"].returncode == 2
    german, english = runs["de"].stderr.splitlines(), runs["en"].stderr.splitlines()
    assert german[0].startswith("Aufruf: python -m geodata [-h]")
    assert german[-1] == ("python -m geodata: Fehler: Argument command: ungültige Auswahl: 'nonsense' "
                          "(möglich sind 'fetch', 'check', 'locate', 'find', 'example-profile')")
    assert english[0].startswith("usage: python -m geodata [-h]")
    assert english[-1] == ("python -m geodata: error: argument command: invalid choice: 'nonsense' "
                           "(choose from 'fetch', 'check', 'locate', 'find', 'example-profile')")


@pytest.mark.slow  # starts processes
def test_missing_and_bad_arguments_and_the_help_headings_are_translated(tmp_path):
    missing = run_with("assessment", "report", tmp_path=tmp_path)
    assert missing["de"].returncode == missing["en"].returncode == 2
    assert missing["de"].stderr.splitlines()[-1] == (
        "python -m assessment report: Fehler: Diese Argumente fehlen: --level, --preset, --out")
    assert missing["en"].stderr.splitlines()[-1] == (
        "python -m assessment report: error: the following arguments are required: --level, --preset, --out")
    level = run_with("assessment", "report", "--level", "XX", "--preset", "balanced", "--out", "r.html",
                     tmp_path=tmp_path)
    assert level["de"].stderr.splitlines()[-1].endswith(
        "Fehler: Argument --level: Die Ebene muss eine von PLR, BZR, PGR, BEZ sein; angegeben ist 'XX'.")
    assert level["en"].stderr.splitlines()[-1].endswith(
        "error: argument --level: level must be one of PLR, BZR, PGR, BEZ, got 'XX'")
    number = run_with("geodata", "locate", "Mitte", "13.4", tmp_path=tmp_path)
    assert number["de"].stderr.splitlines()[-1].endswith("Fehler: Argument lat: ungültiger float-Wert: 'Mitte'")
    assert number["en"].stderr.splitlines()[-1].endswith("error: argument lat: invalid float value: 'Mitte'")
    helped = run_with("geodata", "--help", tmp_path=tmp_path)
    assert helped["de"].returncode == 0
    assert helped["de"].stdout.startswith("Aufruf: ")
    assert "\nOptionen:\n" in helped["de"].stdout and "diese Hilfe zeigen und beenden" in helped["de"].stdout
    assert "usage:" not in helped["de"].stdout and "options:" not in helped["de"].stdout
    assert helped["en"].stdout.startswith("usage: ") and "\noptions:\n" in helped["en"].stdout


@pytest.mark.slow  # starts processes
def test_the_report_without_open_data_names_the_missing_file_and_the_fetch_command(tmp_path):
    out = tmp_path / "bericht.html"
    runs = run_with("assessment", "report", "--level", "BZR", "--preset", "balanced", "--out", str(out),
                    tmp_path=tmp_path)
    missing = tmp_path / "data" / "opendata"
    assert runs["de"].returncode == runs["en"].returncode == 1
    assert runs["de"].stdout == runs["en"].stdout == ""
    assert runs["de"].stderr.startswith(f"Offene Daten fehlen oder sind fehlerhaft: lor_plr: Die Datei fehlt unter "
                                        f"{missing}")
    assert "Führen Sie `python -m geodata fetch" in runs["de"].stderr
    assert runs["en"].stderr.startswith(f"Open data is missing or corrupt: lor_plr: missing at {missing}")
    assert "Run `python -m geodata fetch" in runs["en"].stderr
    assert not out.exists()


@pytest.mark.slow  # starts processes
def test_a_bad_city_profile_names_each_problem_and_its_fix_in_the_language(tmp_path):
    from geodata.example_profile import write_example_profile

    folder = write_example_profile(tmp_path / "musterstadt")
    (folder / "data" / "gruenversorgung.csv").unlink()
    toml = folder / "profile.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("\nrows = 6\n", "\nrows = 7\n", 1), encoding="utf-8")
    runs = run_with("geodata", "check", "--profile", str(folder), "--data", str(tmp_path / "leer"),
                    tmp_path=tmp_path)
    assert runs["de"].returncode == runs["en"].returncode == 1
    german, english = runs["de"].stderr, runs["en"].stderr
    assert "- datasets.units_quarters.rows: quartiere.geojson hat 6 Zeilen, das Profil nennt 7. " \
           "Lösung: rows = 6 schreiben, wenn die Datei richtig ist" in german
    assert "- datasets.green_supply: Datei fehlt (gesucht unter " in german
    assert f"Lösung: `BEDARFSATLAS_PROFILE={folder} python -m geodata fetch` ausführen" in german
    assert "- datasets.units_quarters.rows: quartiere.geojson has 6 rows, the profile says 7. " \
           "Fix: write rows = 6 if the file is right" in english
    assert "- datasets.green_supply: file missing (looked at " in english
    assert f"Fix: run `BEDARFSATLAS_PROFILE={folder} python -m geodata fetch`" in english
    assert "Fix:" not in german and "Lösung" not in english and "fehlt" not in english


@pytest.mark.slow  # starts processes
def test_a_field_missing_from_profile_toml_is_named_with_its_fix(tmp_path):
    folder = tmp_path / "kaputt"
    folder.mkdir()
    (folder / "profile.toml").write_text("[city]\nname = 3\n", encoding="utf-8")
    runs = run_with("geodata", "check", "--profile", str(folder), tmp_path=tmp_path)
    assert runs["de"].returncode == runs["en"].returncode == 1
    assert "- city.name: muss ein nicht leerer Text sein, nicht 3. Lösung: name = " in runs["de"].stderr
    assert "- app: fehlt. Lösung: eine Tabelle [app] ergänzen" in runs["de"].stderr
    assert "- city.name: must be a non-empty text, got 3. Fix: write name = " in runs["en"].stderr
    assert "- app: missing. Fix: add a table [app]" in runs["en"].stderr


@pytest.mark.slow  # starts processes
@pytest.mark.parametrize("module, args, code", [
    ("geodata", ("check",), 2),
    ("assessment", ("export", "--format", "csv", "--out", "x.csv"), 1),
])
def test_a_bad_setting_names_the_variable_and_the_accepted_values(tmp_path, module, args, code):
    runs = run_with(module, *args, tmp_path=tmp_path, BEDARFSATLAS_MIN_NEEDS="viele")
    assert runs["de"].returncode == runs["en"].returncode == code
    assert runs["de"].stderr.strip() == (
        "Fehler in der Konfiguration: BEDARFSATLAS_MIN_NEEDS muss eine ganze Zahl >= 0 sein, nicht 'viele'.")
    assert runs["en"].stderr.strip() == (
        "configuration error: BEDARFSATLAS_MIN_NEEDS must be a whole number >= 0, got 'viele'.")
