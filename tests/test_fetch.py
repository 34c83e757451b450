"""The data step: fetch from a folder or an HTTP mirror, verification, clear failures."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from geodata.catalogue import DATASETS
from geodata.fetch import DataError, FETCH_HINT, check, fetch, require_data
from core.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def mirror(tmp_path, settings_with_data) -> Path:
    """A private mirror folder holding verified copies of every catalogued file."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    for ds in DATASETS.values():
        shutil.copyfile(settings_with_data.raw_dir / ds.filename, folder / ds.filename)
    return folder


@pytest.fixture()
def empty_settings(tmp_path):
    """Settings pointing at an empty data directory."""
    return load_settings({"BEDARFSATLAS_DATA_DIR": str(tmp_path / "data")})


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_fetch_from_folder_mirror_verifies_every_dataset(mirror, empty_settings):
    lines: list[str] = []
    statuses = fetch(empty_settings, mirror=str(mirror), progress=lines.append)
    assert all(s.ok for s in statuses)
    assert len(lines) == len(DATASETS)
    assert all("fetched and verified" in line for line in lines)
    assert lines[0].startswith(f"[1/{len(DATASETS)}]")
    assert all(s.ok for s in check(empty_settings))
    # Nothing but the catalogued files: no temporary leftovers.
    assert sorted(p.name for p in empty_settings.raw_dir.iterdir()) == sorted(
        ds.filename for ds in DATASETS.values()
    )


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_second_fetch_keeps_valid_files(mirror, empty_settings):
    fetch(empty_settings, mirror=str(mirror), progress=lambda _: None)
    lines: list[str] = []
    fetch(empty_settings, mirror=str(mirror), progress=lines.append)
    assert all("present and valid" in line for line in lines)


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_corrupt_file_in_mirror_names_dataset_and_replaces_nothing(mirror, empty_settings):
    fetch(empty_settings, mirror=str(mirror), progress=lambda _: None)
    target = empty_settings.raw_dir / "population_plr_2025-12-31.csv"
    before = target.read_bytes()
    corrupt = mirror / "population_plr_2025-12-31.csv"
    corrupt.write_bytes(corrupt.read_bytes().replace(b"3469.0", b"3470.0", 1))
    with pytest.raises(DataError) as err:
        fetch(empty_settings, mirror=str(mirror), progress=lambda _: None, force=True)
    message = str(err.value)
    assert "population_2025" in message
    assert "sha256" in message and "nothing was replaced" in message
    assert f"1 of {len(DATASETS)} datasets" in message
    assert target.read_bytes() == before


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_file_missing_from_mirror_says_which_and_where(mirror, empty_settings):
    (mirror / "poi_schulen.geojson").unlink()
    with pytest.raises(DataError) as err:
        fetch(empty_settings, mirror=str(mirror), progress=lambda _: None)
    assert "poi_schools: poi_schulen.geojson is not in the mirror folder" in str(err.value)
    # The other datasets were obtained all the same.
    ok = {s.dataset.key for s in check(empty_settings) if s.ok}
    assert ok == set(DATASETS) - {"poi_schools"}


def test_a_mirror_folder_that_does_not_exist_is_named_once_with_its_absolute_path(empty_settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = []
    with pytest.raises(DataError) as err:
        fetch(empty_settings, mirror="../shared/opendata/berlin", progress=lines.append)
    message = str(err.value)
    assert "the mirror folder ../shared/opendata/berlin does not exist" in message
    assert str((tmp_path / "../shared/opendata/berlin").resolve()) in message and "absolute path" in message
    assert lines == [] and not list(empty_settings.raw_dir.glob("*"))  # nothing tried, nothing written


def test_no_mirror_and_no_download_url_points_to_the_mirror_setting(empty_settings):
    with pytest.raises(DataError) as err:
        fetch(empty_settings, mirror=None, progress=lambda _: None)
    assert "lor_plr: no direct download of the prepared file exists" in str(err.value)
    assert "BEDARFSATLAS_OPENDATA_MIRROR" in str(err.value)


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_fetch_from_http_mirror(mirror, empty_settings):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        statuses = fetch(empty_settings, mirror=url, progress=lambda _: None)
    finally:
        server.shutdown()
    assert all(s.ok for s in statuses)


@pytest.mark.parametrize(
    "damage, expected",
    [
        ("delete", "missing (expected at"),
        ("truncate", "checksum mismatch"),
    ],
)
@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_require_data_gives_the_documented_message(mirror, empty_settings, damage, expected):
    fetch(empty_settings, mirror=str(mirror), progress=lambda _: None)
    victim = empty_settings.raw_dir / "lor_2021_planungsraeume.geojson"
    if damage == "delete":
        victim.unlink()
    else:
        victim.write_bytes(victim.read_bytes()[:1000])
    with pytest.raises(DataError) as err:
        require_data(empty_settings)
    message = str(err.value)
    assert message.startswith("Open data is missing or corrupt in ")
    assert "lor_plr (lor_2021_planungsraeume.geojson)" in message
    assert expected in message
    assert FETCH_HINT in message


def test_schema_check_catches_ids_that_lost_their_leading_zero(tmp_path, settings_with_data):
    """A file re-saved by a spreadsheet (ids as numbers) is refused even with a matching name."""
    from geodata.fetch import validate_schema

    ds = DATASETS["lor_key"]
    text = (settings_with_data.raw_dir / ds.filename).read_text(encoding="utf-8")
    broken = tmp_path / ds.filename
    broken.write_text(text.replace("\n01100101,", "\n1100101,", 1), encoding="utf-8")
    assert str(validate_schema(ds, broken)) == (
        "column PLR_ID must hold 8-digit zero-padded ids, found '1100101' (1 bad values)"
    )
    assert validate_schema(ds, broken).in_language("de") == (
        "Spalte PLR_ID muss mit Nullen aufgefüllte 8-stellige IDs enthalten, gefunden '1100101' (fehlerhafte Werte: 1)"
    )
    # And a dataset with a different row count is refused with the expected count.
    short = tmp_path / "short.csv"
    short.write_text("\n".join(text.splitlines()[:100]) + "\n", encoding="utf-8")
    assert str(validate_schema(ds, short)) == "99 rows, expected 542"
    assert str(validate_schema(replace(ds, columns=ds.columns + ("FINHALT",)), broken)).startswith(
        "columns missing: FINHALT"
    )


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_cli_check_prints_a_table_and_fails_on_missing_data(tmp_path):
    env = {"BEDARFSATLAS_DATA_DIR": str(tmp_path / "nothing"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "geodata", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].split()[:4] == ["dataset", "status", "reference", "date"]
    assert "lor_plr" in proc.stdout and "FAILED" in proc.stdout
    assert "missing (expected at" in proc.stderr


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_require_data_remembers_a_passed_check_until_a_file_changes(mirror, empty_settings):
    fetch(empty_settings, mirror=str(mirror), progress=lambda _: None)
    require_data(empty_settings)  # full check, writes the stamp
    assert (empty_settings.cache_dir / "verified.json").is_file()
    require_data(empty_settings)  # from the stamp
    # A changed file (new size and mtime) is checked again and refused.
    victim = empty_settings.raw_dir / "mss_2021_indizes_plr.csv"
    victim.write_bytes(victim.read_bytes() + b"\n")
    with pytest.raises(DataError) as err:
        require_data(empty_settings)
    assert "mss_indices (mss_2021_indizes_plr.csv): checksum mismatch" in str(err.value)
    # And after the file is restored, the app starts again.
    shutil.copyfile(mirror / "mss_2021_indizes_plr.csv", victim)
    require_data(empty_settings)


def test_the_schema_check_follows_the_profiles_id_rule(tmp_path):
    """Ids the profile states as codes (id_pattern) pass; ids breaking the rule are named with it."""
    from geodata.catalogue import _from_profile
    from geodata.example_profile import write_example_profile
    from geodata.fetch import validate_schema
    from geodata.profile import load_profile

    profile = load_profile(write_example_profile(tmp_path / "codes", nesting="containment", codes=True))
    ds = _from_profile(profile.dataset("population"))
    path = profile.dataset("population").local_source
    assert ds.id_pattern == "BL[0-9]{4}" and validate_schema(ds, path) is None
    broken = tmp_path / "einwohner.csv"
    broken.write_text(path.read_text(encoding="utf-8").replace("BL0003,", "bl0003,", 1), encoding="utf-8")
    assert validate_schema(ds, broken) == (
        "column BL_ID must hold ids of 6 characters matching id_pattern 'BL[0-9]{4}', found 'bl0003' (1 bad values)")
