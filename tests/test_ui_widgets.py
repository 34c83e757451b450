"""Shared Streamlit helpers of ui.widgets, run headless with AppTest on tiny scripts."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def topic_script():
    import streamlit as st

    from ui.widgets import keep_choice_across_languages

    labels = {"mobility": ("Mobilität", "Mobility"), "housing": ("Wohnen", "Housing")}
    lang = st.session_state.get("lang", "de")
    keep_choice_across_languages("topic", labels, lang)
    st.selectbox("Thema", list(labels), key="topic", index=None,
                 format_func=lambda option: labels[option][0 if lang == "de" else 1])


def test_a_choice_keeps_its_id_and_is_labelled_in_the_new_language():
    at = AppTest.from_function(topic_script)
    at.run()
    at.selectbox(key="topic").set_value("housing").run()
    for lang, label in (("en", "Housing"), ("de", "Wohnen"), ("en", "Housing")):
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception, at.exception
        box = at.selectbox(key="topic")
        assert box.value == "housing" and box.options[box.index] == label


@pytest.mark.parametrize(("sent", "kept"), [("Wohnen", "housing"), ("Mobility", "mobility"), ("Unbekannt", None)])
def test_a_label_sent_back_is_turned_into_its_id(sent, kept):
    # What the browser returns after a language switch: the label it showed, not the id.
    at = AppTest.from_function(topic_script)
    at.session_state["topic"] = sent
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["topic"] == kept


def honeypot_script():
    import streamlit as st

    from ui.widgets import honeypot_input

    st.session_state["got"] = honeypot_input("Bitte leer lassen", "hp", box="hp_box")


def test_the_honeypot_is_a_labelled_field_in_a_box_the_css_hides_off_screen_for_good():
    at = AppTest.from_function(honeypot_script)
    at.run()
    assert at.session_state["got"] == ""
    assert at.text_input(key="hp").label == "Bitte leer lassen"
    [css] = [h.value for h in at.get("html")]
    assert css.startswith("<style>.st-key-hp_box{position:absolute;left:-10000px;")
    # Hidden: out of the Tab order and the accessibility tree. Never shown, so it never moves the
    # form (issue 18: shown on focus, it collapsed on blur and a tap on "send" was lost).
    assert "visibility:hidden" in css and ":focus" not in css
    at.text_input(key="hp").input("https://spam.example").run()
    assert at.session_state["got"] == "https://spam.example"


@pytest.mark.parametrize("box", ["x}body{display:none", "hp box", ""])
def test_the_honeypot_box_must_be_a_plain_key(box):
    # The key goes into the CSS: anything but a plain key is refused before anything is drawn.
    from ui.widgets import honeypot_input

    with pytest.raises(ValueError, match="box must be a widget key"):
        honeypot_input("Bitte leer lassen", "hp", box=box)


def remove_button_script():
    import streamlit as st

    from ui.widgets import icon_button

    if icon_button(st, "Indikator „Fläche“ entfernen", ":material/close:", key="rm_area_km2"):
        st.write("removed")


def test_an_icon_button_is_named_by_its_label_and_hides_it_visually():
    at = AppTest.from_function(remove_button_script)
    at.run()
    button = at.button(key="rm_area_km2")
    assert (button.label, button.help, button.proto.icon) == (
        "Indikator „Fläche“ entfernen", "Indikator „Fläche“ entfernen", ":material/close:")
    # The CSS that hides the label's text (not the icon) inside this button only.
    [style] = at.get("html")
    assert style.proto.body.startswith("<style>.st-key-rm_area_km2 [data-testid='stMarkdownContainer']{position:absolute")
    button.click().run()
    assert [m.value for m in at.markdown] == ["removed"]


@pytest.mark.parametrize(("icon", "key", "message"), [
    ("✕", "rm_x", "icon must be a Material symbol"),  # an emoji would become part of the accessible name
    (":material/close:", "rm x{}", "key must be a widget key"),  # the key goes into a CSS selector
])
def test_an_icon_button_refuses_what_would_break_its_name_or_its_css(icon, key, message):
    import streamlit as st

    from ui.widgets import icon_button

    with pytest.raises(ValueError, match=message):
        icon_button(st, "Entfernen", icon, key=key)
