"""Widgets that several screens share."""

from __future__ import annotations

import streamlit as st

from assessment.participation.workshops import (
    Workshop,
    WorkshopBook,
    WorkshopNotFoundError,
)
from core.i18n import escape_markdown, t


def workshop_from_link(book: WorkshopBook, lang: str, *, key: str, title: str, unknown: str, intro: str) -> tuple[str, Workshop]:
    """The workshop named by ``?workshop=CODE``, or a form asking for the code (and ``st.stop()``).

    Opened from the menu (no code) or with a mistyped one, the page asks for the
    code and keeps what was typed. ``title``, ``unknown`` and ``intro`` are the
    text keys of the page's heading, of "no workshop with this code" and of the
    invitation to type the code; ``key`` prefixes the form's widget keys.
    """
    code = st.query_params.get("workshop", "").strip().upper()
    try:
        return code, book.get(code)
    except WorkshopNotFoundError:
        st.title(t(title, lang))
        if code:
            st.error(escape_markdown(t(unknown, lang, code=code[:16])))
        else:
            st.write(t(intro, lang))
        with st.form(f"{key}_code_form"):
            entered = st.text_input(t("workshop.code_field", lang), value=code[:16], max_chars=16, key=f"{key}_code",
                                    placeholder=t("workshop.code_help", lang))
            if st.form_submit_button(t("workshop.code_go", lang)):
                st.query_params["workshop"] = entered.strip().upper()
                st.rerun()
        st.stop()
