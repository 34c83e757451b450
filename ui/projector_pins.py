"""The pins a workshop's projector shows, listed for its facilitator, each with "Ausblenden".

A room that publishes at once puts every pin on the wall unchecked, so the
facilitator needs one click to take one off again, on ``/workshop`` and on
``/live`` alike. :func:`pin_list` lists the published needs with their buttons;
on ``/workshop`` it is the fragment :func:`projector_pins`, which asks the
database every :data:`REFRESH_S` seconds, so a pin that just arrived is listed
without a reload; ``/live`` calls it in its own refreshing fragment, for a
signed-in facilitator only. "Ausblenden" makes the need ``hidden`` with an
audit row (:meth:`assessment.participation.workshops.WorkshopBook.hide_pin`),
and every ``/live`` drops it at its next refresh. Resident text is shown as
plain text, and in a button's label (Markdown) escaped.
"""

from __future__ import annotations

from typing import Callable, Sequence

import streamlit as st

from assessment.needs.taxonomy import category_label
from assessment.participation.auth import PAGE_ROLES
from assessment.participation.workshops import WorkshopBook, WorkshopError
from core.i18n import escape_markdown, t
from ui.sign_in import still_signed_in

#: Seconds between two looks at the pins: a new pin is listed, ready to hide, at most this long after it came.
REFRESH_S = 5.0
_MESSAGE = "ws_pin_message"


def _hide(book: WorkshopBook, code: str, need_id: str, reference: str, actor: str, lang: str) -> None:
    if not still_signed_in(PAGE_ROLES["workshop"]):  # a fragment's click skips app.py's check of the sign-in
        reason = st.session_state.get("signin_ended", "ended")
        st.session_state[_MESSAGE] = ("error", t(f"auth.ended.{reason}", lang))
        return
    try:
        book.hide_pin(code, need_id, actor=actor)
    except WorkshopError as refused:  # hidden from another tab a moment ago, say
        st.session_state[_MESSAGE] = ("error", t("workshop.refused", lang, reason=refused.in_language(lang)))
    else:
        st.session_state[_MESSAGE] = ("success", t("workshop.pin_hidden", lang, reference=reference))


def pin_list(book: WorkshopBook, code: str, actor: str, lang: str, *, key: str = "ws",
             pins: Sequence | None = None, name: Callable[[str], str] | None = None,
             named_buttons: bool = False) -> None:
    """The published needs of workshop ``code`` (or ``pins``), newest first, each with a button that hides it.

    ``key`` prefixes the keys of each pin's container (``{key}_pin_{id}``) and button
    (``{key}_hide_{id}``); ``name`` names a category (default: the taxonomy's label).
    With ``named_buttons`` a pin is its button alone, whose label names the need
    ("Ausblenden: title"): short enough for ``/live``'s side column, and a screen
    reader's list of buttons says which need each one hides.
    """
    # The last hide's outcome stays until the next one: popped, it would be gone at the next refresh,
    # a few seconds later, before anyone read it.
    if message := st.session_state.get(_MESSAGE):
        (st.success if message[0] == "success" else st.error)(message[1])
    pins = book.needs(code) if pins is None else pins
    name = name or (lambda category: category_label(category, lang))
    if not pins:
        st.write(t("workshop.pins_none", lang))
    for need in pins:
        hide = {"key": f"{key}_hide_{need.id}", "on_click": _hide,
                "args": (book, code, need.id, need.reference, actor, lang)}
        with st.container(border=not named_buttons, key=f"{key}_pin_{need.id}"):
            if named_buttons:  # the label is the row: "Ausblenden: title" (Markdown, so escaped)
                st.button(t("live.pin_hide", lang, title=escape_markdown(need.title)), **hide)
                continue
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.text(f"{name(need.category)}: {need.title}")
            button.button(t("workshop.pin_hide", lang), **hide)


@st.fragment(run_every=REFRESH_S)
def projector_pins(book: WorkshopBook, code: str, actor: str, lang: str) -> None:
    """The published needs of workshop ``code``, newest first, each with a button that hides it as ``actor``."""
    pin_list(book, code, actor, lang)
