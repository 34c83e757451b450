"""The place search ("Ort suchen") of /melden and /karte: a labelled text field and a list of results.

Works without the map, by keyboard and screen reader: a resident types a name
and presses Enter, the results appear in a select box (its label says how many),
and choosing one hands the :class:`~geodata.places.Place` to the page's
``on_pick`` (the page moves its map there; /melden also puts the pin there).

The search runs once per query, in the text field's callback (not on every
rerun: a map click must not ask the operator's geocoder again), and the answer is
kept in the session. The geocoder (:mod:`geodata.geocoder`) is asked by the
server only when the operator configured one; when it fails the results still
come from the gazetteer and the page says that the address search is
unavailable right now.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.i18n import escape_markdown, t
from core.settings import Settings
from geodata.lor import COARSEST, FINEST, LEVELS
from geodata.places import Place, SearchAnswer, search


def kind_label(kind: str, lang: str) -> str:
    """What a result is, in words: ``U-Bahnhof``, ``Kita``, ``Bezirksregion``, ``Adresse``.

    >>> kind_label("U", "de"), kind_label("BZR", "en"), kind_label("kitas", "de")
    ('U-Bahnhof', 'District region', 'Kita')
    """
    if kind in LEVELS:
        return LEVELS[kind].label(lang)
    return t(f"place_search.kind.{kind}", lang)


def result_label(place: Place, lang: str) -> str:
    """One line per result: name, what it is, and where (Planungsraum and Bezirk; a Bezirk names itself).

    >>> areas = {"PLR_NAME": "Wassertorplatz", "BZR_NAME": "Nördliche Luisenstadt",
    ...          "PGR_NAME": "Kreuzberg Nord", "BEZ_NAME": "Friedrichshain-Kreuzberg"}
    >>> result_label(Place("U Kottbusser Tor", "U", 52.499, 13.418, areas), "de")
    'U Kottbusser Tor – U-Bahnhof, Wassertorplatz (Friedrichshain-Kreuzberg)'
    >>> result_label(Place("Kreuzberg Nord", "PGR", 52.5, 13.41, areas), "en")
    'Kreuzberg Nord – Forecast area, Friedrichshain-Kreuzberg'
    """
    areas = place.areas
    if place.kind == COARSEST:
        return f"{place.name} – {kind_label(COARSEST, lang)}"
    coarsest, finest = areas[LEVELS[COARSEST].name_column], areas[LEVELS[FINEST].name_column]
    where = coarsest if place.kind in LEVELS else f"{finest} ({coarsest})"
    return t("place_search.result", lang, name=place.name, kind=kind_label(place.kind, lang), area=where)


def _run(settings: Settings, key: str) -> None:
    """The text field's callback: search once for the new query, keep the answer, start a fresh result list."""
    query = (st.session_state.get(f"{key}_query") or "").strip()
    answer = search(settings, query) if query else SearchAnswer(())
    st.session_state[f"{key}_answer"] = (query, answer)
    st.session_state[f"{key}_round"] = st.session_state.get(f"{key}_round", 0) + 1


def _picked(key: str, round_: int, on_pick: Callable[[Place], None]) -> None:
    chosen = st.session_state.get(f"{key}_pick_{round_}")
    _, answer = st.session_state[f"{key}_answer"]
    if chosen is not None and 0 <= chosen < len(answer.places):
        on_pick(answer.places[chosen])


def place_search(settings: Settings, lang: str, key: str, on_pick: Callable[[Place], None]) -> None:
    """Draw the search: the text field, then the results or what went wrong.

    Parameters
    ----------
    settings : Settings
        The data folder (the gazetteer) and the operator's geocoder, if any.
    lang : str
    key : str
        Prefix of the widget keys, unique on the page (``report_search``, ``planner_search``).
    on_pick : callable
        Called with the chosen :class:`~geodata.places.Place` in the select box's
        callback, i.e. before the page runs again: the page can move its map.
    """
    help_key = "place_search.help_addresses" if settings.geocoder_url else "place_search.help"
    st.text_input(t("place_search.label", lang), key=f"{key}_query", help=t(help_key, lang),
                  on_change=_run, args=(settings, key), autocomplete="off")
    query, answer = st.session_state.get(f"{key}_answer", ("", SearchAnswer(())))
    if answer.addresses_unavailable:
        st.warning(t("place_search.addresses_unavailable", lang))
    if not query:
        return
    if not answer.places:
        st.info(escape_markdown(t("place_search.none", lang, query=query)))
        return
    round_ = st.session_state.get(f"{key}_round", 0)
    labels = [result_label(p, lang) for p in answer.places]
    st.selectbox(t("place_search.results", lang, n=len(labels)), range(len(labels)), index=None,
                 key=f"{key}_pick_{round_}", format_func=labels.__getitem__,
                 placeholder=t("place_search.choose", lang), on_change=_picked, args=(key, round_, on_pick))
