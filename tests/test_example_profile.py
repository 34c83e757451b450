"""Musterstadt, the example city profile: real files with checksums, and the data commands run on it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geodata.example_profile import write_example_profile
from geodata.profile import load_profile
from geodata.profile_check import check_profile

ROOT = Path(__file__).resolve().parents[1]


def test_musterstadt_is_a_valid_profile_with_real_files(tmp_path):
    folder = write_example_profile(tmp_path / "musterstadt")
    assert check_profile(folder) == []
    profile = load_profile(folder)
    assert profile.level_order == ("BL", "QU", "ST")
    assert [(i.key, i.aggregation) for i in profile.indicators] == [
        ("population", "sum"), ("share_65plus", "share"), ("green_supply", "class")]
    for ds in profile.datasets:
        assert hashlib.sha256(ds.local_source.read_bytes()).hexdigest() == ds.sha256
    blocks = gpd.read_file(profile.dataset("units_blocks").local_source)
    residents = pd.read_csv(profile.dataset("population").local_source, dtype={"BL_ID": str})
    assert len(blocks) == 12 and sorted(blocks["BL_ID"]) == sorted(residents["BL_ID"])
    assert (residents["EW_65PLUS"] < residents["EW"]).all()


def test_writing_musterstadt_twice_gives_the_same_files(tmp_path):
    first = load_profile(write_example_profile(tmp_path / "a"))
    second = load_profile(write_example_profile(tmp_path / "b"))
    assert [ds.sha256 for ds in first.datasets] == [ds.sha256 for ds in second.datasets]


def _geodata(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geodata", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
def test_fetch_check_and_locate_run_on_musterstadt(tmp_path):
    folder = tmp_path / "musterstadt"
    made = _geodata(["example-profile", str(folder)], dict(os.environ))
    assert made.returncode == 0, made.stderr
    env = {**os.environ, "BEDARFSATLAS_PROFILE": str(folder), "BEDARFSATLAS_DATA_DIR": str(tmp_path / "data")}
    env.pop("BEDARFSATLAS_OPENDATA_MIRROR", None)
    fetched = _geodata(["fetch"], env)
    assert fetched.returncode == 0, fetched.stderr
    assert (tmp_path / "data" / "opendata" / "musterstadt_einwohner.csv").is_file()
    assert "5/5" in fetched.stdout and "Place search: not built" in fetched.stdout

    checked = _geodata(["check"], env)
    assert checked.returncode == 0, checked.stderr
    assert "green_supply" in checked.stdout and "FAILED" not in checked.stdout

    # The middle of block 020201 (Neustadt Nord, West), from the file itself.
    block = gpd.read_file(folder / "data" / "bloecke.geojson").set_index("BL_ID").loc[["020201"]]
    centre = block.to_crs("EPSG:4326").geometry.iloc[0].centroid
    located = _geodata(["locate", str(centre.y), str(centre.x)], env)
    assert located.returncode == 0, located.stderr
    assert json.loads(located.stdout) == {"BL_ID": "020201", "BL_NAME": "Neustadt Nord, West", "QU_ID": "0202",
                                          "QU_NAME": "Neustadt Nord", "ST_ID": "02", "ST_NAME": "Neustadt"}
    outside = _geodata(["locate", "52.5163", "13.3777"], env)
    assert outside.returncode == 1 and "outside Musterstadt" in outside.stderr

    # A file the profile names but does not carry: fetch names the path and the field to correct.
    (folder / "data" / "einwohner.csv").unlink()
    refetched = _geodata(["fetch", "--force"], env)
    assert refetched.returncode == 1
    assert "datasets.population.download_url" in refetched.stdout + refetched.stderr


@pytest.mark.slow
def test_the_app_runs_on_musterstadt(tmp_path):
    """Every page, a pinned need, the exports and the report on Musterstadt (tests/musterstadt_pages.py).

    The app reads its city profile once per process: the pages run in a pytest process of their own
    with the profile and a private data folder, after ``python -m geodata fetch`` copied the files.
    """
    folder = tmp_path / "musterstadt"
    assert _geodata(["example-profile", str(folder)], dict(os.environ)).returncode == 0
    env = {**os.environ, "BEDARFSATLAS_PROFILE": str(folder), "BEDARFSATLAS_DATA_DIR": str(tmp_path / "data")}
    env.pop("BEDARFSATLAS_OPENDATA_MIRROR", None)
    env.pop("DATABASE_URL", None)
    fetched = _geodata(["fetch"], env)
    assert fetched.returncode == 0, fetched.stderr
    pages = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/musterstadt_pages.py"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert pages.returncode == 0, pages.stdout[-4000:] + pages.stderr[-2000:]
    assert " passed" in pages.stdout and "skipped" not in pages.stdout, pages.stdout[-2000:]


CONTAINMENT_CHECKS = '''
import json, sys
import pandas as pd
from core.settings import load_settings
from assessment.analysis.inventory import ViewState
from assessment.participation.places import lists_for
from geodata.indicators import indicator_table
from geodata.lor import parent_id, parent_ids
settings = load_settings()
print(json.dumps({
    "parent": [parent_id("300007", "QU"), parent_id("300007", "ST"), parent_id("5104", "ST", of="QU")],
    "parents": parent_ids(pd.Series(["300001", "300012"]), "ST").tolist(),
    "population": indicator_table(settings, "QU")["population"].round().astype(int).to_dict(),
    "view": ViewState(level="QU", bezirk="72").areas(["5101", "5102", "5103", "5104", "5105", "5106"]),
    "lists": lists_for({"level": "QU", "area_id": "5104"}),
}))
'''


@pytest.mark.slow
def test_the_app_finds_parents_by_containment_where_the_profile_says_so(tmp_path):
    """A Musterstadt whose ids do not nest (``nesting = "containment"``): parents come from where units lie."""
    folder = write_example_profile(tmp_path / "enthalten", nesting="containment")
    assert check_profile(folder) == []
    profile = load_profile(folder)
    assert [level.nesting for level in profile.levels[:2]] == ["containment", "containment"]
    blocks = gpd.read_file(profile.dataset("units_blocks").local_source)
    residents = pd.read_csv(profile.dataset("population").local_source, dtype={"BL_ID": str})
    # By hand from the files: the block 300007 lies in quarter 5104 of district 72 (the file's own columns).
    row = blocks.set_index("BL_ID").loc["300007"]
    assert (row["QU_ID"], row["ST_ID"]) == ("5104", "72")
    expected = residents.merge(blocks[["BL_ID", "QU_ID"]], on="BL_ID").groupby("QU_ID")["EW"].sum().to_dict()
    env = {**os.environ, "BEDARFSATLAS_PROFILE": str(folder), "BEDARFSATLAS_DATA_DIR": str(tmp_path / "data")}
    env.pop("BEDARFSATLAS_OPENDATA_MIRROR", None)
    assert _geodata(["fetch"], env).returncode == 0
    done = subprocess.run([sys.executable, "-c", CONTAINMENT_CHECKS], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["parent"] == ["5104", "72", "72"]
    assert found["parents"] == ["71", "73"]
    assert found["population"] == expected
    assert found["view"] == ["5103", "5104"]
    assert found["lists"] == {"ST": "72", "QU": "5104", "BL": None}


CODES_CHECKS = '''
import json
import pandas as pd
from core.settings import load_settings
from assessment.analysis.smoothing import empirical_bayes, needs_per_1000
from geodata.indicators import indicator_table
from geodata.lor import get_level, load_units
settings = load_settings()
quarter = get_level("QU")
population = indicator_table(settings, quarter)["population"]
counts = pd.DataFrame({"mobility": [3 * n % 7 for n in range(len(population))]}, index=population.index)
smoothed = needs_per_1000(counts, population, towards="parent", level=quarter)["needs_per_1000"]
districts = load_units(settings, quarter)["ST_ID"].reindex(population.index)
by_hand = empirical_bayes(counts["mobility"], population, groups=districts) * 1000
from assessment.analysis.goals import GoalInput, validate_goal
from assessment.needs.validation import ValidationError
try:
    validate_goal(GoalInput("Mehr Bäume", "green_climate", quarter, ("QU0004", "BL0007")))
except ValidationError as refused:
    goal_error = refused.errors[0].text("en")
from assessment.analysis.inventory import view_table
quarters = pd.DataFrame({"name": ["Neustadt Nord"], "population": [1.0]}, index=["QU0004"])
rows = view_table(quarters, "population", pd.DataFrame({"total": [0], "total_per_1000": [0.0]}, index=["QU0004"]),
                  "en", bezirke=load_units(settings, "ST")["ST_NAME"], level=quarter)
from assessment.analysis.inventory import state_from_query
linked = state_from_query({"ebene": "QU", "gebiet": "QU0004", "bezirk": "ST0002"})
wrong = state_from_query({"ebene": "QU", "gebiet": "BL0007"})
print(json.dumps({"link": [linked.state.focus, linked.state.bezirk, len(linked.problems)],
                  "wrong_link": [wrong.state.focus, len(wrong.problems)],
                  "ids": list(population.index), "smoothed": smoothed.round(6).tolist(), "district": rows.iloc[0, 2],
                  "by_hand": [round(v, 6) for v in by_hand], "goal_error": goal_error,
                  "goal": validate_goal(GoalInput("Mehr Bäume", "green_climate", quarter, ("QU0004",)))["area"]}))
'''


@pytest.mark.slow
def test_a_city_whose_levels_share_an_id_length_runs(tmp_path):
    """Musterstadt with codes of six characters at every level: fetched, checked, smoothed towards each parent."""
    folder = write_example_profile(tmp_path / "codes", nesting="containment", codes=True)
    env = {**os.environ, "BEDARFSATLAS_PROFILE": str(folder), "BEDARFSATLAS_DATA_DIR": str(tmp_path / "data")}
    env.pop("BEDARFSATLAS_OPENDATA_MIRROR", None)
    fetched = _geodata(["fetch"], env)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    checked = _geodata(["check"], env)
    assert checked.returncode == 0 and "FAILED" not in checked.stdout, checked.stdout + checked.stderr
    done = subprocess.run([sys.executable, "-c", CODES_CHECKS], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["ids"] == [f"QU{n:04d}" for n in range(1, 7)]
    # Each quarter is pulled towards its own district's rate (ST0001-ST0003 from the file), as computed by hand.
    assert found["smoothed"] == found["by_hand"]
    # A block's code given for a quarter has the right length but is no quarter: the goal form names the level.
    assert found["goal_error"].startswith("'BL0007' is not an area of the level “Quarter”. Choose the areas")
    assert found["goal"] == ["QU0004"]
    # The planner's table names each quarter's district by where the quarter lies (QU0004 in ST0002).
    assert found["district"] == "Neustadt"
    # A link's area ids are checked by the level's id rule, without the unit files: a block's code is no quarter.
    assert found["link"] == ["QU0004", "ST0002", 0]
    assert found["wrong_link"] == [None, 1]
