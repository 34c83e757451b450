"""The assessment page /bewertung, run headless with Streamlit's AppTest on the real data.

Each test gets its own empty SQLite needs database (``DATABASE_URL``), so the
needs counts and goals are the test's own. Expected rankings are computed here
from the raw indicator values with pandas, independently of the page's code.
"""

from __future__ import annotations

import re

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from assessment.participation.auth import User
from assessment.analysis.goals import GoalBook
from assessment.needs.store import open_store
from geodata.indicators import indicator_table
from staff_fixtures import sign_in_as

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT_S = 120
STATUS = "mss_status_low_share"
DYNAMICS = "mss_dynamics_negative_share"


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


PLANNER = User("planerin", frozenset({"planner"}), "password")


def open_page(monkeypatch=None, user=None, **env) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if user is not None:
        sign_in_as(at, user)  # app.py re-checks the sign-in on every run
    at.run()
    at.switch_page("pages/assessment.py").run()
    assert not at.exception, at.exception
    return at


def submit_goal(at: AppTest) -> None:
    """Click the goals form's submit button (found by its label, not its position)."""
    [button] = [b for b in at.button if b.label == "Ziel anlegen"]
    button.click().run()


def ranking(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def number(text: str) -> float:
    """A German number as the explanation shows it: ``75 %``, ``97,48``."""
    return float(text.replace("%", "").replace(",", "."))


def explanation_table(at: AppTest) -> pd.DataFrame:
    """The explanation's table as a reader sees it (``st.table`` cells are escaped Markdown)."""
    [shown] = at.table
    frame = shown.value.map(lambda cell: cell.replace("\\", ""))
    return frame.rename(index=lambda i: i.replace("\\", ""), columns=lambda c: c.replace("\\", ""))


def expected_ranks(settings, key: str, min_residents: int = 300) -> pd.Series:
    """Rank by one indicator alone: higher = more need, ties share the best rank."""
    table = indicator_table(settings, "BZR")
    eligible = table[(table["population"] >= min_residents) & table[key].notna()]
    return eligible[key].rank(method="min", ascending=False).astype(int).sort_index()


def test_page_shows_the_ranking_of_every_area_with_sections(settings_with_data, database_url):
    at = open_page()
    assert [s.value for s in at.subheader] == [
        "Indikatoren, Gewichte und Richtung", "Rangliste", "Erklärung eines Gebiets", "Hotspots",
        "Ungehörte Gebiete", "Ziele", "Bericht"]
    table = ranking(at)
    assert len(table) == 143  # every Bezirksregion of LOR 2021
    assert table["Rang"].iloc[0] == 1
    assert {"Rangintervall", "Hinweis", "Mehrfachbelastung", "Hotspot"} <= set(table.columns)
    assert [s.key for s in at.slider] == [f"assess_w_{STATUS}", f"assess_w_{DYNAMICS}"]
    # The method is stated in words; the explanation is a bar chart of contributions.
    assert any("Perzentilrang" in t.value for t in at.text)
    assert len(at.get("vega_lite_chart")) == 1
    # Beside the chart, a table of what each contribution rests on, for the selected (first) area.
    explained = explanation_table(at)
    assert list(explained.index) == [
        "Anteil Einwohner in PLR mit MSS-Status niedrig oder sehr niedrig",
        "Anteil Einwohner in PLR mit negativer MSS-Dynamik"]
    assert list(explained.columns) == ["Wert", "Perzentilrang (0–100)", "Richtung", "Gewicht", "Anteil am Gewicht",
                                       "Beitrag zur Punktzahl"]
    assert explained["Gewicht"].tolist() == ["3", "1"] and explained["Anteil am Gewicht"].tolist() == ["75 %", "25 %"]
    assert all(value.replace("\xa0", " ").endswith("% der Einwohner") for value in explained["Wert"])
    # Share x percentile rank = contribution, and the contributions add up to the score (by hand, to rounding).
    for _, row in explained.iterrows():
        assert abs(number(row["Anteil am Gewicht"]) / 100 * number(row["Perzentilrang (0–100)"])
                   - number(row["Beitrag zur Punktzahl"])) <= 0.01
    assert abs(sum(map(number, explained["Beitrag zur Punktzahl"])) - table["Punktzahl"].iloc[0]) <= 0.05
    [worked] = [t.value for t in at.text if "Die Beiträge ergeben zusammen die Punktzahl" in t.value]
    assert round(number(worked.split(" = ")[-1].split(".")[0]), 1) == table["Punktzahl"].iloc[0]
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Bericht als HTML herunterladen", "Bericht als PDF herunterladen"]
    # Shown with the German decimal comma (the values themselves stay numbers).
    import pyarrow as pa

    shown = pa.ipc.open_stream(at.dataframe[0].proto.arrow_data.styler.display_values).read_pandas()
    scores = shown["Punktzahl"].tolist()
    assert all(re.fullmatch(r"\d+(,\d)?", v) for v in scores if v) and any("," in v for v in scores)


@pytest.mark.parametrize("zeroed, remaining", [(STATUS, DYNAMICS), (DYNAMICS, STATUS)])
def test_a_weight_of_zero_leaves_the_ranking_of_the_other_indicator(settings_with_data, database_url,
                                                                     zeroed, remaining):
    at = open_page()
    before = ranking(at)["Rang"].dropna().astype(int).sort_index()
    at.slider(key=f"assess_w_{zeroed}").set_value(0.0).run()
    assert not at.exception, at.exception
    after = ranking(at)["Rang"].dropna().astype(int).sort_index()
    expected = expected_ranks(settings_with_data, remaining)
    # Percentile ranks keep the order of the one remaining indicator exactly.
    pd.testing.assert_series_equal(after, expected, check_names=False, check_dtype=False)
    assert not after.equals(before)


def test_direction_switch_reverses_the_order(settings_with_data, database_url):
    at = open_page()
    at.slider(key=f"assess_w_{DYNAMICS}").set_value(0.0).run()
    at.radio(key=f"assess_d_{STATUS}").set_value(-1).run()
    table = indicator_table(settings_with_data, "BZR")
    eligible = table[(table["population"] >= 300) & table[STATUS].notna()]
    expected = eligible[STATUS].rank(method="min", ascending=True).astype(int).sort_index()
    after = ranking(at)["Rang"].dropna().astype(int).sort_index()
    pd.testing.assert_series_equal(after, expected, check_names=False, check_dtype=False)


def test_the_minimum_residents_setting_marks_areas_too_few(settings_with_data, database_url, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_MIN_RESIDENTS", "25000")
    at = open_page()
    table = indicator_table(settings_with_data, "BZR")
    small = set(table.index[table["population"] < 25000])
    assert small, "the fixture threshold must leave some areas out"
    shown = ranking(at)
    flagged = set(shown.index[shown["Hinweis"].str.contains("zu wenige Daten")])
    assert flagged == small
    assert shown.loc[list(small), "Rang"].isna().all()


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_adding_and_removing_an_indicator(settings_with_data, database_url):
    at = open_page()
    at.selectbox(key="assess_add").set_value("ug_heat_high_share").run()
    at.button(key="assess_add_button").click().run()
    assert not at.exception, at.exception
    assert "assess_w_ug_heat_high_share" in [s.key for s in at.slider]
    at.button(key=f"assess_rm_{STATUS}").click().run()
    at.button(key=f"assess_rm_{DYNAMICS}").click().run()
    assert [s.key for s in at.slider] == ["assess_w_ug_heat_high_share"]
    # Heat alone: the order of the heat indicator (higher = more need).
    after = ranking(at)["Rang"].dropna().astype(int).sort_index()
    pd.testing.assert_series_equal(after, expected_ranks(settings_with_data, "ug_heat_high_share"),
                                   check_names=False, check_dtype=False)


def test_residents_see_goals_but_no_form_to_create_them(settings_with_data, database_url):
    at = open_page()
    assert not [b for b in at.button if b.label == "Ziel anlegen"]
    assert any("anmelden" in i.value.lower() or "Anmeldung" in i.value for i in at.info)


def test_a_goal_is_created_from_a_finding_and_listed_with_its_evidence(settings_with_data, database_url):
    at = open_page(user=PLANNER)
    top = ranking(at).index[0]
    at.selectbox(key="assess_area").set_value(top).run()
    at.text_input[0].input("Gemeinschaftsräume in <b>Gropiusstadt</b>")
    at.selectbox[-1].set_value("social_participation")
    submit_goal(at)
    assert not at.exception, at.exception
    store = open_store(database_url=database_url, geography=None)
    try:
        goals = GoalBook(store).list(level="BZR")
    finally:
        store.close()
    assert len(goals) == 1
    goal = goals[0]
    assert (goal.title, goal.field_of_action, goal.area_ids) == (
        "Gemeinschaftsräume in <b>Gropiusstadt</b>", "social_participation", (top,))
    assert goal.indicator_keys == (STATUS, DYNAMICS)
    texts = [t.value for t in at.text]
    assert "Gemeinschaftsräume in <b>Gropiusstadt</b>" in texts  # plain text, not HTML


def test_an_empty_title_is_refused_with_a_message(settings_with_data, database_url):
    at = open_page(user=PLANNER)
    submit_goal(at)
    assert any("Titel" in e.value for e in at.error)


def test_a_weight_change_keeps_both_maps_and_swaps_their_area_layers(settings_with_data, database_url, fake_map):
    from streamlit_folium import _get_map_string, generate_js_hash

    at = open_page()
    at.slider(key=f"assess_w_{STATUS}").set_value(0.5).run()
    assert not at.exception, at.exception
    for key in ("assess_map", "assess_hotspot_map"):
        before, after = fake_map.keyed(key)[-2:]
        # streamlit-folium keys its component by the map's own script: equal script, same Leaflet map.
        scripts = [generate_js_hash(_get_map_string(call.fig), key) for call in (before, after)]
        assert scripts[0] == scripts[1], f"{key}: the base map changed with a weight"
        assert "geo_json" not in before.fig.get_root().render()  # the areas are only in the layer
        layers = [call.kwargs["feature_group_to_add"] for call in (before, after)]
        features = [next(iter(layer._children.values())).data["features"] for layer in layers]
        assert len(features[1]) == 143
    # The score layer's tooltips show the new scores.
    before, after = fake_map.keyed("assess_map")[-2:]
    values = [[f["properties"]["value"] for f in next(iter(c.kwargs["feature_group_to_add"]._children.values()))
               .data["features"]] for c in (before, after)]
    assert values[0] != values[1]


def test_the_maps_cite_their_sources_below_not_over_the_areas(settings_with_data, database_url, fake_map):
    # Leaflet's attribution control wrapped the long source line over the southern areas (issue 18).
    at = open_page()
    for key in ("assess_map", "assess_hotspot_map"):
        call = fake_map.keyed(key)[-1]
        [areas] = call.kwargs["feature_group_to_add"]._children.values()
        assert areas.options.get("attribution", "") == "", f"{key}: the sources are in the map's attribution control"
        assert '"paddingBottomRight": [0, ' in call.fig.get_root().render()
    sources = [c.value.replace("\\", "") for c in at.caption if c.value.startswith("Quellen")]
    assert len(sources) == 2  # under each map
    assert all("Monitoring Soziale Stadtentwicklung 2021" in line and line.endswith("(veröffentlichte Meldungen)")
               for line in sources)


def test_each_remove_button_is_named_after_its_indicator(settings_with_data, database_url):
    at = open_page()
    for key, label in ((STATUS, "Anteil Einwohner in PLR mit MSS-Status niedrig oder sehr niedrig"),
                       (DYNAMICS, "Anteil Einwohner in PLR mit negativer MSS-Dynamik")):
        button = at.button(key=f"assess_rm_{key}")
        # The label is the accessible name (shown to screen readers only); the icon is what sighted users see.
        assert button.label == f"Indikator „{label}“ entfernen"
        assert button.help == button.label and button.proto.icon == ":material/close:"
    at.radio(key="lang").set_value("en").run()
    assert at.button(key=f"assess_rm_{DYNAMICS}").label == (
        "Remove the indicator “Share of residents in PLR with negative MSS dynamics”")


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_a_rerun_with_unchanged_inputs_does_not_compute_again(settings_with_data, database_url, monkeypatch):
    import streamlit as st

    from assessment.analysis import assess as analysis

    st.cache_data.clear()  # earlier tests may have computed the same inputs
    real, specs = analysis.assess, []
    monkeypatch.setattr(analysis, "assess", lambda table, spec, **kw: specs.append(spec) or real(table, spec, **kw))
    at = open_page()
    assert specs == ["social"]  # the preset, unchanged
    first = ranking(at)
    second_area = list(first.index)[1]
    at.selectbox(key="assess_area").set_value(second_area).run()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert specs == ["social"], "another area to explain or the language recomputed the assessment"
    pd.testing.assert_series_equal(ranking(at).iloc[:, 2], first.iloc[:, 2], check_names=False)
    at.slider(key=f"assess_w_{STATUS}").set_value(2.0).run()
    assert specs[1:] == [((STATUS, 1, 2.0), (DYNAMICS, 1, 1.0))]
    at.slider(key=f"assess_w_{STATUS}").set_value(3.0).run()  # the preset's weights again: from the cache
    assert len(specs) == 2


def test_the_preset_text_says_what_the_preset_is_at_this_level_and_when_weights_changed(settings_with_data,
                                                                                        database_url):
    at = open_page()
    captions = [c.value.replace("\\", "") for c in at.caption]  # the Markdown source, escaped
    [caption] = [c for c in captions if "Statusindex (3)" in c]
    # At Bezirksregion level the preset has two shares, not the five PLR indicators it lists for PLR.
    assert "Auf der Ebene Bezirksregionen:" in caption
    assert caption.count("(3)") == 2 and "(1)" in caption  # the description's and the share's weight 3
    assert "Auf dieser Ebene nicht veröffentlicht und daher hier nicht enthalten:" in caption
    assert "Kinderarmut" in caption.split("nicht enthalten:")[1]
    at.slider(key=f"assess_w_{STATUS}").set_value(1.0).run()
    assert not at.exception
    texts = [c.value.replace("\\", "") for c in at.caption]
    assert not any("Statusindex (3)" in text for text in texts)
    assert any("Eigene Gewichtung (ausgehend von „Sozial“)" in text for text in texts)


def carried(at: AppTest) -> list[str]:
    """The note that own weights came along to another level."""
    return [i.value for i in at.info if i.value.startswith("Ihre Gewichtung")]


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_own_weights_come_along_to_another_level_and_what_it_lacks_is_named(settings_with_data, database_url):
    at = open_page()
    at.selectbox(key="assess_add").set_value("crime_offences_per_100k").run()
    at.button(key="assess_add_button").click().run()
    at.slider(key=f"assess_w_{STATUS}").set_value(1.5).run()
    at.selectbox(key="assess_level").set_value("PGR").run()
    assert not at.exception, at.exception
    # Every weight the planner set stays: the Prognoseraum level has all three indicators.
    assert [s.key for s in at.slider] == [f"assess_w_{STATUS}", f"assess_w_{DYNAMICS}",
                                          "assess_w_crime_offences_per_100k"]
    assert at.slider(key=f"assess_w_{STATUS}").value == 1.5
    assert carried(at) == ["Ihre Gewichtung gilt weiter, jetzt für die Prognoseräume."]
    at.selectbox(key="assess_level").set_value("PLR").run()
    assert not at.exception, at.exception
    # Per Planungsraum there is no crime atlas: removed, and said so; the shares stay with their weights.
    assert [s.key for s in at.slider] == [f"assess_w_{STATUS}", f"assess_w_{DYNAMICS}"]
    assert at.slider(key=f"assess_w_{STATUS}").value == 1.5
    [info] = carried(at)
    assert "Auf dieser Ebene nicht vorhanden und daher entfernt: Straftaten insgesamt je 100.000 Einwohner." in info
    # A new preset starts from the preset again.
    at.selectbox(key="assess_preset").set_value("environment").run()
    assert not carried(at)


def test_unchanged_preset_weights_follow_the_preset_to_another_level(settings_with_data, database_url):
    at = open_page()
    at.selectbox(key="assess_level").set_value("PLR").run()
    assert not at.exception, at.exception
    # The preset at PLR: its five indicators, not the two shares of BZR.
    assert "assess_w_mss_status" in [s.key for s in at.slider] and len(at.slider) == 5
    assert not carried(at)


PUBLISH_ELSEWHERE = """
import sys
from assessment.needs.model import NeedInput
from assessment.needs.store import open_store
from core.settings import load_settings
store = open_store(load_settings(), database_url=sys.argv[1])
store.submit(NeedInput(category="mobility", title="Aus einem anderen Prozess", lat=52.5219, lon=13.4132),
             status="published")
store.close()
"""


@pytest.mark.slow  # starts a second Python process
def test_needs_counts_follow_a_need_published_by_another_process_at_the_next_run(settings_with_data,
                                                                                 database_url, monkeypatch):
    """The counts are cached by the database's data version, not for a time: another app process's
    change counts at the next run, and a run without a change reads no counts again."""
    import os
    import subprocess
    import sys

    import streamlit as st

    from assessment.analysis import assess as analysis
    from assessment.needs.store import NeedStore

    st.cache_data.clear()
    real, counted = analysis.assess, []
    monkeypatch.setattr(analysis, "assess", lambda table, spec, **kw: counted.append(
        int(kw["needs_counts"].select_dtypes("number").to_numpy().sum())) or real(table, spec, **kw))
    reads = []
    real_counts = NeedStore.counts_by_area
    monkeypatch.setattr(NeedStore, "counts_by_area",
                        lambda self, *a, **kw: reads.append(a) or real_counts(self, *a, **kw))
    at = open_page()
    at.run()
    assert len(reads) == 1 and counted == [0]  # the second run: nothing changed, nothing read again
    subprocess.run([sys.executable, "-c", PUBLISH_ELSEWHERE, database_url], check=True, timeout=120,
                   env={**os.environ, "BEDARFSATLAS_DATA_DIR": str(settings_with_data.data_dir)})
    at.run()
    assert not at.exception, at.exception
    assert len(reads) == 2 and counted == [0, 1]
