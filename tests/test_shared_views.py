"""Shareable views, headless with AppTest: the overview and /bewertung write their state into the
address bar, and a link restores it; a bad value in a link is named and changes nothing else.

Each /bewertung test gets its own empty SQLite needs database (``DATABASE_URL``). The
ranking a link gives is computed here from the raw indicator values with pandas
(:func:`tests.test_assessment_page.expected_ranks`), independently of the page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geodata.indicators import indicator_table
from tests.test_assessment_page import DYNAMICS, STATUS, ranking

ROOT = Path(__file__).resolve().parents[1]
OVERVIEW = str(ROOT / "app.py")  # the default page; page links need the navigation of app.py
ASSESSMENT = str(ROOT / "pages/assessment.py")
TIMEOUT_S = 120


@pytest.fixture
def database_url(tmp_path, monkeypatch, settings_with_data):
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(script: str, **query) -> AppTest:
    at = AppTest.from_file(script, default_timeout=TIMEOUT_S)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def address(at: AppTest) -> dict[str, str]:
    """The address bar's query as the page left it (one value per parameter)."""
    return {key: (value[-1] if isinstance(value, list) else value) for key, value in at.query_params.items()}


# --- overview -----------------------------------------------------------------------------------


def test_the_overview_writes_level_and_indicator_into_the_address_bar(settings_with_data, fake_map):
    at = run(OVERVIEW)
    assert address(at) == {}  # the defaults: nothing to say
    at.selectbox(key="overview_level").select("BEZ").run()
    at.selectbox(key="overview_indicator").select("share_65plus").run()
    assert address(at) == {"ebene": "BEZ", "indikator": "share_65plus"}


def test_an_overview_link_opens_on_its_level_and_indicator(settings_with_data, fake_map):
    at = run(OVERVIEW, ebene="BEZ", indikator="share_65plus")
    assert at.selectbox(key="overview_level").value == "BEZ"
    assert at.selectbox(key="overview_indicator").value == "share_65plus"
    assert not at.warning
    assert address(at) == {"ebene": "BEZ", "indikator": "share_65plus"}


def test_bad_values_in_an_overview_link_are_named_and_the_rest_holds(settings_with_data, fake_map):
    at = run(OVERVIEW, ebene="<script>", indikator="share_65plus")
    assert at.selectbox(key="overview_level").value == "PLR"
    assert at.selectbox(key="overview_indicator").value == "share_65plus"
    [warning] = at.warning
    assert "„ebene“" in warning.value and "\\<script\\>" in warning.value  # named back, as text
    assert address(at) == {"indikator": "share_65plus"}  # the address bar now holds what is shown


# --- /bewertung ---------------------------------------------------------------------------------


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_the_assessment_writes_weights_and_directions_into_the_address_bar(database_url):
    at = run(ASSESSMENT)
    assert address(at) == {}  # the preset's weights at the default level
    at.slider(key=f"assess_w_{DYNAMICS}").set_value(0.5).run()
    at.radio(key=f"assess_d_{STATUS}").set_value(-1).run()
    assert address(at) == {"gewichte": f"{STATUS}:3,{DYNAMICS}:0.5", "richtung": f"{STATUS}:-1"}
    at.selectbox(key="assess_method").select("zscore").run()
    assert address(at)["normierung"] == "zscore"


def test_an_assessment_link_restores_weights_directions_and_ranking(settings_with_data, database_url):
    at = run(ASSESSMENT, gewichte=f"{STATUS}:2.5,{DYNAMICS}:0", richtung=f"{STATUS}:-1")
    assert not at.warning
    assert at.slider(key=f"assess_w_{STATUS}").value == 2.5 and at.slider(key=f"assess_w_{DYNAMICS}").value == 0.0
    assert at.radio(key=f"assess_d_{STATUS}").value == -1 and at.radio(key=f"assess_d_{DYNAMICS}").value == 1
    # One indicator counts, turned round: the smallest share of residents in low status ranks first.
    table = indicator_table(settings_with_data, "BZR")
    eligible = table[(table["population"] >= 300) & table[STATUS].notna()]
    expected = eligible[STATUS].rank(method="min", ascending=True).astype(int).sort_index()
    shown = ranking(at)["Rang"].dropna().astype(int).sort_index()
    pd.testing.assert_series_equal(shown, expected, check_names=False, check_dtype=False)
    assert address(at) == {"gewichte": f"{STATUS}:2.5,{DYNAMICS}:0", "richtung": f"{STATUS}:-1"}


def test_an_assessment_link_with_its_level_preset_and_an_added_indicator(database_url):
    at = run(ASSESSMENT, ebene="BEZ", vorlage="participation", normierung="minmax",
             gewichte="needs_per_1000:1,share_65plus:2")
    assert (at.selectbox(key="assess_level").value, at.selectbox(key="assess_preset").value,
            at.selectbox(key="assess_method").value) == ("BEZ", "participation", "minmax")
    assert at.session_state["assess_keys"] == ["needs_per_1000", "share_65plus"]
    assert at.slider(key="assess_w_share_65plus").value == 2.0
    assert address(at) == {"ebene": "BEZ", "vorlage": "participation", "normierung": "minmax",
                           "gewichte": "needs_per_1000:1,share_65plus:2"}


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_bad_values_in_an_assessment_link_are_named_and_the_rest_holds(database_url):
    at = run(ASSESSMENT, ebene="BZR", normierung="magic", gewichte=f"{STATUS}:9,{DYNAMICS}:2")
    messages = [w.value.replace("\\", "") for w in at.warning]  # as read: Markdown's escapes gone
    assert len(messages) == 2
    assert "„normierung“" in messages[0] and "magic" in messages[0]
    assert "„gewichte“" in messages[1] and f"„{STATUS}:9“" in messages[1]
    assert at.selectbox(key="assess_method").value == "rank"
    assert at.session_state["assess_keys"] == [DYNAMICS]
    assert at.slider(key=f"assess_w_{DYNAMICS}").value == 2.0
    at.run()  # the messages are said once, on the link's first run
    assert not at.warning
