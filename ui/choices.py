"""Choices that survive a change of level or language.

Streamlit keeps a widget's value by its key, and the browser sends a choice back
as the label it shows. Two things go wrong without help: an indicator chosen at
one LOR level may not exist at the next (the crime atlas has no planning-area
figures), and after a language switch the chosen labels are those of the old
language. The helpers here keep the choice and say what had to give way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.i18n import LANGUAGES
from geodata.indicators import indicator_at_level, not_at_level_note


def indicator_select(container: Any, label: str, keys: list[str], *, key: str, level: str, fallback: str,
                     format_func: Callable[[str], str], lang: str, placeholder: str | None = None) -> str:
    """A selectbox of ``keys`` that keeps the indicator chosen earlier, or says what shows instead.

    The earlier choice (also one sent back as its label after a language switch)
    is kept if ``keys`` has it; a PLR-only class indicator becomes its
    residents' share at coarser levels; else ``fallback``
    (:func:`geodata.indicators.indicator_at_level`). What gave way is said in an
    info box until the planner picks another level or indicator: the note is
    kept in the session state under ``f"{key}_note"``.

    Parameters
    ----------
    container
        Where the selectbox goes (``st`` or a column); the note goes below, full width.
    key : str
        The widget's key; its session state holds the choice.
    level : str
        The LOR level shown, to tell when the note no longer applies.
    placeholder : str, optional
        Shown while nothing is chosen, in the page's language (Streamlit's own is English).
    """
    state = st.session_state
    chosen = state.get(key)
    shown, replaced = indicator_at_level(chosen, keys, fallback)
    if shown != chosen:
        state[key] = shown
    if replaced:
        state[f"{key}_note"] = (level, shown, replaced)
    picked = container.selectbox(label, keys, key=key, format_func=format_func, placeholder=placeholder)
    if (note := state.get(f"{key}_note")) and note[:2] == (level, picked):
        st.info(not_at_level_note(note[2], picked, lang))
    return picked


def per_language_key(prefix: str, lang: str) -> str:
    """The key of a multiple choice kept per language, started with the choice made in another language.

    The browser holds the chosen chips as the labels it shows, so under one key
    they would stay in the old language after a switch. Keyed per language, the
    widget shows the new labels; a key not yet in the session state takes the
    choice of the first language (in :data:`core.i18n.LANGUAGES` order) that has one.
    """
    key = f"{prefix}_{lang}"
    earlier = [f"{prefix}_{other}" for other in LANGUAGES if f"{prefix}_{other}" in st.session_state]
    if key not in st.session_state and earlier:
        st.session_state[key] = list(st.session_state[earlier[0]])
    return key
