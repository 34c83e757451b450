"""Participants' voting page /abstimmen?workshop=CODE: place your dots on the workshop's needs.

The projector shows this page's QR code while a round is open. The voter is
this browser (:func:`assessment.participation.workshops.voter_key` of the secret
in Streamlit's XSRF cookie, :func:`ui.context.browser_value`): reloads, new
tabs and reconnects vote as the same voter. A browser that sends no cookie
gets no dots, and the page says why and what to do, instead of a fresh
allowance per page load. The cap of ``dots`` per voter is kept by the database
(:meth:`assessment.participation.workshops.WorkshopBook.cast_vote`), so parallel
clicks cannot place more.

Phones are not reloaded by anyone: a small fragment asks the database every
:data:`REFRESH_S` seconds where the voting stands
(:func:`assessment.participation.workshops.voting_phase` and the round's id) and
reruns the page when that changed, so an ended round takes the "+" buttons away
and a new round brings them, without a reload.
"""

from __future__ import annotations

import streamlit as st

from assessment.needs.taxonomy import category_label
from assessment.participation.workshops import VoteRefused, WorkshopBook, voter_key, voting_phase
from core.i18n import escape_markdown, t
from ui.context import browser_value, page_context
from ui.widgets import workshop_from_link

#: Seconds between two looks at the round: a phone shows an ended or new round at most this long after.
REFRESH_S = 3.0

ctx = page_context()
settings, lang = ctx.settings, ctx.lang
state = st.session_state
store = ctx.store
book = WorkshopBook(store)
code, workshop = workshop_from_link(book, lang, key="vote", title="workshop.vote_nav", unknown="workshop.vote_unknown",
                                    intro="workshop.vote_code_intro")
voter = voter_key(code, browser_value())

st.title(escape_markdown(t("workshop.vote_title", lang, title=workshop.title)))
voting = book.latest_round(code)
phase = voting_phase(workshop, voting)
shown = (phase, voting and voting.id)
# Taken now, whatever the phase: a dot refused because the round just ended is explained by
# "the round is over" below, and must not come up as news in the next round.
refusal = state.pop("vote_error", None)


@st.fragment(run_every=REFRESH_S)
def follow_the_round() -> None:
    """Rerun the whole page once the facilitator starts or ends a round or freezes the workshop."""
    latest = book.latest_round(code)
    if (voting_phase(book.get(code), latest), latest and latest.id) != shown:
        st.rerun()


follow_the_round()
if phase != "open":
    notice = {"frozen": "workshop.vote_ended", "waiting": "workshop.vote_none", "over": "workshop.vote_over"}
    st.info(t(notice[phase], lang))
    st.stop()
if voter is None:
    # No cookie, no voter: a session of its own per page load would be a fresh allowance per reload.
    st.warning(t("workshop.vote_no_cookie", lang))
    st.stop()


def change(need_id: str, add: bool) -> None:
    try:
        if add:
            book.cast_vote(voting.id, voter, need_id)
        else:
            book.withdraw_vote(voting.id, voter, need_id)
    except VoteRefused as refused:
        state["vote_error"] = refused.in_language(lang)


mine = book.my_votes(voting.id, voter)
used = sum(mine.values())
with st.container(key="vote_left"):
    st.write(t("workshop.vote_left", lang, left=voting.dots - used, n=voting.dots))
if refusal:
    st.error(t("workshop.vote_refused", lang, reason=refusal))
needs = book.needs(code)
if not needs:
    st.write(t("workshop.vote_empty", lang))
for need in sorted(needs, key=lambda n: n.created_at):
    with st.container(border=True, key=f"vote_need_{need.id}"):
        st.markdown(f"**{escape_markdown(need.title)}**")
        st.caption(escape_markdown(category_label(need.category, lang)))
        count, plus, minus = st.columns([2, 1, 1], vertical_alignment="center")
        count.text(t("workshop.vote_mine", lang, n=mine.get(need.id, 0)))
        plus.button(t("workshop.vote_add", lang), key=f"vote_add_{need.id}", on_click=change, args=(need.id, True),
                    disabled=used >= voting.dots)
        minus.button(t("workshop.vote_remove", lang), key=f"vote_remove_{need.id}", on_click=change,
                     args=(need.id, False), disabled=not mine.get(need.id))
