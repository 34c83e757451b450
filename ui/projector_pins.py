"""The pins a workshop's projector shows, listed for its facilitator, each with "Ausblenden".

A room that publishes at once puts every pin on the wall unchecked, so the
facilitator needs one click to take one off again. The list is a fragment that
asks the database every :data:`REFRESH_S` seconds, so a pin that just arrived
is listed without a reload; "Ausblenden" makes the need ``hidden`` with an
audit row (:meth:`assessment.participation.workshops.WorkshopBook.hide_pin`),
and every ``/live`` drops it at its next refresh. Resident text is shown as
plain text.
"""

from __future__ import annotations

import streamlit as st

from assessment.needs.taxonomy import category_label
from assessment.participation.workshops import WorkshopBook, WorkshopError
from core.i18n import t

#: Seconds between two looks at the pins: a new pin is listed, ready to hide, at most this long after it came.
REFRESH_S = 5.0
_MESSAGE = "ws_pin_message"


def _hide(book: WorkshopBook, code: str, need_id: str, reference: str, actor: str, lang: str) -> None:
    try:
        book.hide_pin(code, need_id, actor=actor)
    except WorkshopError as refused:  # hidden from another tab a moment ago, say
        st.session_state[_MESSAGE] = ("error", t("workshop.refused", lang, reason=refused.in_language(lang)))
    else:
        st.session_state[_MESSAGE] = ("success", t("workshop.pin_hidden", lang, reference=reference))


@st.fragment(run_every=REFRESH_S)
def projector_pins(book: WorkshopBook, code: str, actor: str, lang: str) -> None:
    """The published needs of workshop ``code``, newest first, each with a button that hides it as ``actor``."""
    # The last hide's outcome stays until the next one: popped, it would be gone at the next refresh,
    # a few seconds later, before anyone read it.
    if message := st.session_state.get(_MESSAGE):
        (st.success if message[0] == "success" else st.error)(message[1])
    pins = book.needs(code)
    if not pins:
        st.write(t("workshop.pins_none", lang))
    for need in pins:
        with st.container(border=True, key=f"ws_pin_{need.id}"):
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.text(f"{category_label(need.category, lang)}: {need.title}")
            button.button(t("workshop.pin_hide", lang), key=f"ws_hide_{need.id}", on_click=_hide,
                          args=(book, code, need.id, need.reference, actor, lang))
