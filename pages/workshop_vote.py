"""Participants' voting page /abstimmen?workshop=CODE: place your dots on the workshop's needs.

The projector shows this page's QR code while a round is open. The voter is
this browser: a hash of Streamlit's per-browser XSRF cookie (it survives a
reload), else a random value kept for the session. The cap of ``dots`` per
voter is kept by the database (:meth:`assessment.participation.workshops.WorkshopBook.cast_vote`),
so parallel clicks cannot place more.
"""

from __future__ import annotations

import uuid

import streamlit as st

from assessment.participation.residents import hashed_key
from assessment.needs.store import NeedStore, open_store
from assessment.needs.taxonomy import CATEGORIES
from assessment.participation.workshops import VoteRefused, WorkshopBook, WorkshopNotFoundError
from core.i18n import escape_markdown, t
from core.settings import Settings, load_settings

settings = load_settings()
lang = st.session_state.get("lang", settings.language)
state = st.session_state


@st.cache_resource(show_spinner=False)
def needs_store(database_url: str, _settings: Settings) -> NeedStore:
    """One store per database and process (the engine's pool is shared by all sessions)."""
    return open_store(_settings, database_url=database_url)


def voter_token() -> str:
    if "vote_voter" not in state:
        browser = st.context.cookies.get("_streamlit_xsrf")
        raw = browser if isinstance(browser, str) and browser else str(uuid.uuid4())
        state["vote_voter"] = hashed_key("voter", raw)[:80]
    return state["vote_voter"]


store = needs_store(settings.database_url, settings)
book = WorkshopBook(store)
code = st.query_params.get("workshop", "").strip().upper()
try:
    workshop = book.get(code)
except WorkshopNotFoundError:
    # Opened from the menu (no code) or with a mistyped one: ask for the code, keep what was typed.
    st.title(t("workshop.vote_nav", lang))
    if code:
        st.error(escape_markdown(t("workshop.vote_unknown", lang, code=code[:16])))
    else:
        st.write(t("workshop.vote_code_intro", lang))
    with st.form("vote_code_form"):
        entered = st.text_input(t("workshop.code_field", lang), value=code[:16], max_chars=16, key="vote_code",
                                placeholder=t("workshop.code_help", lang))
        if st.form_submit_button(t("workshop.code_go", lang)):
            st.query_params["workshop"] = entered.strip().upper()
            st.rerun()
    st.stop()
voter = voter_token()

st.title(escape_markdown(t("workshop.vote_title", lang, title=workshop.title)))
voting = book.latest_round(code)
if workshop.is_frozen:  # ended for good: no round can start any more
    st.info(t("workshop.vote_ended", lang))
    st.stop()
if voting is None or not voting.is_open:
    st.info(t("workshop.vote_none", lang))
    st.button(t("workshop.vote_refresh", lang), key="vote_refresh")
    st.stop()


def change(need_id: str, add: bool) -> None:
    try:
        if add:
            book.cast_vote(voting.id, voter, need_id)
        else:
            book.withdraw_vote(voting.id, voter, need_id)
    except VoteRefused as refused:
        state["vote_error"] = str(refused)


mine = book.my_votes(voting.id, voter)
used = sum(mine.values())
with st.container(key="vote_left"):
    st.write(t("workshop.vote_left", lang, left=voting.dots - used, n=voting.dots))
if error := state.pop("vote_error", None):
    st.error(t("workshop.vote_refused", lang, reason=error))
needs = book.needs(code)
if not needs:
    st.write(t("workshop.vote_empty", lang))
for need in sorted(needs, key=lambda n: n.created_at):
    with st.container(border=True, key=f"vote_need_{need.id}"):
        st.markdown(f"**{escape_markdown(need.title)}**")
        st.caption(escape_markdown(CATEGORIES[need.category].label(lang)))
        count, plus, minus = st.columns([2, 1, 1], vertical_alignment="center")
        count.text(t("workshop.vote_mine", lang, n=mine.get(need.id, 0)))
        plus.button(t("workshop.vote_add", lang), key=f"vote_add_{need.id}", on_click=change, args=(need.id, True),
                    disabled=used >= voting.dots)
        minus.button(t("workshop.vote_remove", lang), key=f"vote_remove_{need.id}", on_click=change,
                     args=(need.id, False), disabled=not mine.get(need.id))
