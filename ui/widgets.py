"""Widgets that several screens share."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from urllib.parse import quote

import pandas as pd
import segno
import streamlit as st

from assessment.participation.residents import VOTING_CHECK_S, open_vote_round
from assessment.participation.workshops import (
    Workshop,
    WorkshopBook,
    WorkshopNotFoundError,
)
from core.i18n import escape_markdown, t
from ui.context import app_url

_KEY = re.compile(r"[A-Za-z0-9_-]+")


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


def keep_choice_across_languages(key: str, labels: Mapping[str, tuple[str, ...]], lang: str) -> None:
    """Keep a list's choice as its id when the language changes; call it before the list is drawn.

    The browser sends back a choice as the label it shows; after a switch of the
    language that label is no longer among the options and Streamlit would return
    the old label itself. Setting the id through the session state makes the list
    show it in the new language. ``labels`` maps each option's id to its labels
    in every language, e.g. ``{"mobility": ("Mobilität", "Mobility")}``.
    """
    state = st.session_state
    value = state.get(key)
    if value is not None and value not in labels:
        value = next((option for option, names in labels.items() if value in names), None)
        state[key] = value
    elif value is not None and state.get(f"{key}_lang", lang) != lang:
        state[key] = value  # sent to the browser again, labelled in the new language
    state[f"{key}_lang"] = lang


def honeypot_input(label: str, key: str, box: str) -> str:
    """A text field humans never see or reach, for bots that fill every field; returns its value.

    The field is hidden (``visibility:hidden``): that takes it out of the Tab order,
    out of a phone keyboard's "next", and out of what screen readers read, as
    ``tabindex=-1`` with ``aria-hidden`` would, but in CSS that also holds for the
    field Streamlit draws again on each run. It is positioned off-screen at a fixed
    size and never shown, so it takes no room and cannot move the form. (It used to
    show while it had the focus: Tab landed in it, and leaving it collapsed the form,
    so the send button jumped away between the press and the release of a tap and
    the tap was lost.) ``label`` still asks to leave it empty, for anything that reads
    the page without styles. ``box`` is the key of the container that holds it,
    which the CSS hides.
    """
    if not _KEY.fullmatch(box):
        raise ValueError(f"box must be a widget key of letters, digits, _ and -, got {box!r}")
    st.html(f"<style>.st-key-{box}{{position:absolute;left:-10000px;top:0;width:1px;height:1px;overflow:hidden;"
            "visibility:hidden}</style>")
    with st.container(key=box):
        return st.text_input(label, key=key)


# The usual "visually hidden" rule: out of sight and of the layout, still in the accessibility tree.
_VISUALLY_HIDDEN = ("position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
                    "clip:rect(0,0,0,0);clip-path:inset(50%);white-space:nowrap;border:0")


def icon_button(where, label: str, icon: str, *, key: str) -> bool:
    """A button that shows only ``icon``; ``label`` is its accessible name and its tooltip. True when clicked.

    A bare "✕" is announced as "button ✕" and cannot be told apart from the next
    one; a voice-control user cannot call it by name. Streamlit 1.67 gives a
    button no ``aria-label``, so the label stays the button's text and CSS hides
    it visually (screen readers still read it, ``get_by_role("button", name=...)``
    finds it). The icon must be a Material symbol (``":material/close:"``):
    Streamlit marks those ``aria-hidden``, so they add nothing to the name.
    ``where`` is ``st`` or a column; ``key`` names the button's CSS class.
    """
    if not _KEY.fullmatch(key):
        raise ValueError(f"key must be a widget key of letters, digits, _ and -, got {key!r}")
    if not icon.startswith(":material/"):
        raise ValueError(f"icon must be a Material symbol such as ':material/close:', got {icon!r}")
    where.html(f"<style>.st-key-{key} [data-testid='stMarkdownContainer']{{{_VISUALLY_HIDDEN}}}</style>")
    return where.button(label, key=key, icon=icon, help=label)


def literal_table(frame: pd.DataFrame, alt: str) -> None:
    """``frame`` as a static HTML table (``st.table``) whose cells, headers and row names show literally.

    ``st.table`` renders every cell as Markdown; the texts are data (indicator names,
    "höher = mehr Bedarf"), so they are escaped. Unlike ``st.dataframe``'s canvas, the
    table is real HTML with header cells that screen readers announce per cell;
    ``alt`` is its accessible name.
    """
    st.table(frame.map(escape_markdown).rename(index=escape_markdown, columns=escape_markdown), alt=alt)


def voting_invitation(store, code: str, lang: str) -> None:
    """While the workshop's voting round is open, a notice and a link to ``/abstimmen?workshop=CODE``.

    A fragment that runs again every :data:`~assessment.participation.residents.VOTING_CHECK_S`
    seconds (only it, not the page: what a resident is typing stays), so a phone
    on ``/melden?workshop=CODE`` notices when the facilitator starts the vote, and
    that it ended, without a reload. Call it where the notice should stand.
    """

    @st.fragment(run_every=VOTING_CHECK_S)
    def invitation() -> None:
        voting = open_vote_round(store, code)
        if voting is None:
            return
        with st.container(key="voting_invitation"):
            st.info(t("report.voting_open", lang, n=voting.dots))
            st.link_button(t("report.voting_link", lang), app_url(f"/abstimmen?workshop={quote(code, safe='')}"),
                           type="primary")

    invitation()


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as PNG, made here (no external service); the same for /workshop and /live."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def publish_choice(key: str, now: bool, lang: str, on_change=None) -> bool:
    """Whether a workshop publishes needs from the room at once: two options, each with its consequence.

    A facilitator must see what the choice means before making it: at once, every pin is on the
    projector without a check (the facilitator moderates the room); otherwise pins wait for the
    moderators. ``now`` is the current choice.
    """
    return st.radio(t("workshop.publish", lang), [True, False], index=0 if now else 1, key=key, on_change=on_change,
                    format_func=lambda at_once: t("workshop.publish_now" if at_once else "workshop.publish_later", lang),
                    captions=[t("workshop.publish_now_note", lang), t("workshop.publish_later_note", lang)])
