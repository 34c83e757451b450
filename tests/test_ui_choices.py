"""ui.choices: an indicator kept across levels and languages, a multiple choice kept across languages.

Each helper runs in a small Streamlit script (AppTest); the session state is set
as a rerun after the user's change would leave it.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geodata.indicators import INDICATORS, available_indicators, not_at_level_note

TIMEOUT_S = 60


def indicator_script():
    import streamlit as st

    from geodata.indicators import available_indicators
    from ui.choices import indicator_select

    level = st.session_state.get("level", "BZR")
    keys = available_indicators(level)
    st.session_state["picked"] = indicator_select(st, "Indikator", keys, key="indicator", level=level,
                                                  fallback=keys[0], format_func=str, lang="de")


def start(script, **state) -> AppTest:
    at = AppTest.from_function(script, default_timeout=TIMEOUT_S)
    for name, value in state.items():
        at.session_state[name] = value
    return at.run()


def test_an_indicator_that_exists_at_the_level_is_kept_without_a_note():
    at = start(indicator_script, indicator="crime_offences_per_100k")
    assert at.session_state["picked"] == "crime_offences_per_100k" and not at.info


def test_an_indicator_missing_at_the_new_level_gives_way_with_a_note_until_the_next_choice():
    at = start(indicator_script, indicator="crime_offences_per_100k")
    at.session_state["level"] = "PLR"
    at.run()
    fallback = available_indicators("PLR")[0]
    assert at.selectbox(key="indicator").value == fallback
    assert [i.value for i in at.info] == [not_at_level_note("crime_offences_per_100k", fallback, "de")]
    at.run()  # another rerun (e.g. the map reports its view): the note stays
    assert len(at.info) == 1
    at.selectbox(key="indicator").set_value("share_65plus").run()
    assert at.session_state["picked"] == "share_65plus" and not at.info


def test_a_plr_class_indicator_becomes_its_share_at_coarser_levels():
    at = start(indicator_script, level="BEZ", indicator="mss_status")
    assert at.session_state["picked"] == INDICATORS["mss_status"].derived_share
    assert len(at.info) == 1


def test_an_indicator_sent_back_as_its_label_is_recognised():
    # After a language switch the browser sends the choice as the label it showed.
    at = start(indicator_script, indicator=INDICATORS["share_65plus"].label("de"))
    assert at.session_state["picked"] == "share_65plus" and not at.info


def chips_script():
    import streamlit as st

    from ui.choices import per_language_key

    key = per_language_key("chips", st.session_state.get("lang", "de"))
    st.multiselect("Auswahl", ["a", "b", "c"], default=None if key in st.session_state else ["a"], key=key)


def test_a_multiple_choice_carries_over_to_the_other_language_and_back():
    at = start(chips_script)
    assert at.multiselect(key="chips_de").value == ["a"]  # the default, nothing chosen before
    at.multiselect(key="chips_de").set_value(["b", "c"]).run()
    at.session_state["lang"] = "en"
    at.run()
    assert at.multiselect(key="chips_en").value == ["b", "c"]
    at.multiselect(key="chips_en").set_value(["c"]).run()
    at.session_state["lang"] = "de"
    at.run()
    # Streamlit forgot the state of the German widget while it was not shown: back in
    # German, the choice made in English carries over again.
    assert at.multiselect(key="chips_de").value == ["c"]
