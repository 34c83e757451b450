"""Projector view /live?workshop=CODE: the focus area, pins arriving, counts, newest needs, QR code.

Made to be read from the back of a room: large type, no controls, except for a signed-in
facilitator (a role of the page ``/workshop``), who gets every pin's "Ausblenden: title" below
(:func:`ui.projector_pins.pin_list`): one click takes it off every projector. One
fragment refreshes every :data:`REFRESH_S` seconds and sends the map only the
pins that changed since its last refresh (:mod:`ui.live_map`): the base map
depends on the focus area alone, so streamlit-folium keeps the same Leaflet map
and the zoom and centre someone set by hand. While a voting round is open, the QR code points to the
voting page and the results replace the newest needs; the results rank equal
dots as a tie and say when the round is over. The QR code and the join code
(large, for typing it in) show only while there is something to join
(:func:`assessment.participation.workshops.room_invitation`).
"""

from __future__ import annotations

import streamlit as st

from assessment.participation.auth import PAGE_ROLES
from assessment.participation.workshop_report import focus_area
from assessment.participation.workshops import WorkshopBook, room_invitation
from core.i18n import escape_markdown, t
from ui.context import app_url, page_context
from ui.live_map import category_namer, live_map
from ui.projector_pins import pin_list
from ui.widgets import qr_png, workshop_from_link

#: Seconds between refreshes: a pin shows at most this long (plus a query) after it was stored.
REFRESH_S = 2.0
TICKER = 6
RESULT_LINES = 8

ctx = page_context()
settings, lang = ctx.settings, ctx.lang
# Whoever may run the workshop may hide its pins from here too; everyone else sees the room's view only.
facilitator = ctx.user.name if ctx.user.roles & PAGE_ROLES["workshop"] else None


store = ctx.store
book = WorkshopBook(store)
code, workshop = workshop_from_link(book, lang, key="live", title="live.nav", unknown="live.unknown",
                                    intro="live.code_intro")
focus = focus_area(settings, workshop, lang)
category_name = category_namer(store, getattr(workshop, "procedure_id", None), lang)

st.html(
    "<style>"
    ".st-key-live_side p, .st-key-live_side [data-testid=stText] {font-size: 1.5rem; line-height: 1.35}"
    ".st-key-live_side h3 {font-size: 2rem} .st-key-live_count p {font-size: 3rem; font-weight: 700}"
    # The join code, read from the back of the room and typed in: large, spaced, monospaced. Its column is a
    # fixed share of the screen, so the size follows the screen's width (all 6 letters fit from 1024 px up),
    # and nothing of it may be cut off (a metric ellipsises a value that is too wide). The value is Markdown:
    # its <p> would otherwise take the 1.5rem of the side's paragraphs above.
    ".st-key-live_code [data-testid=stMetricValue], .st-key-live_code [data-testid=stMetricValue] * "
    "{overflow: visible; text-overflow: clip}"
    ".st-key-live_code [data-testid=stMetricValue] p {font-size: clamp(2rem, 3.2vw, 4.5rem); line-height: 1.15;"
    " font-weight: 700; letter-spacing: 0.12em; font-family: 'Source Code Pro', monospace}"
    "h1 {font-size: 3rem !important}"
    # A projector shows the room's view only: no sidebar, no toolbar (the facilitator's page has the controls).
    "[data-testid=stSidebar], [data-testid=stSidebarCollapsedControl], [data-testid=stHeader] {display: none}"
    "[data-testid=stMainBlockContainer] {padding-top: 1rem; max-width: 100%}"
    "</style>"
)
st.title(escape_markdown(workshop.title))


def result_line(row) -> str:
    """One line of the results: its place (shared and marked on a tie), dots and title; no place without a dot."""
    if row.rank is None:
        return t("live.result_line", lang, n=int(row.votes), title=row.title)
    return t("live.result_tied" if row.tied else "live.result_ranked", lang, rank=row.rank, n=int(row.votes),
             title=row.title)


@st.fragment(run_every=REFRESH_S)
def live() -> None:
    current = book.get(code)
    needs = book.needs(code)
    voting = book.latest_round(code)
    map_column, side = st.columns([3, 2], gap="large")
    with map_column:
        live_map(settings, code, focus, needs, lang, name=category_name)
    with side.container(key="live_side"):
        invitation = room_invitation(current, voting)
        if invitation is not None:
            target = app_url(("/abstimmen" if invitation == "vote" else "/melden") + current.join_query)
            qr, link = st.columns([1, 1], vertical_alignment="center")
            # The alt text says where the code leads, for those who cannot scan it (WCAG 1.1.1).
            qr.image(qr_png(target), width=220, alt=t("workshop.qr_caption", lang, url=target))
            with link:
                st.write(t("live.vote" if invitation == "vote" else "live.join", lang))
                with st.container(key="live_join_url"):
                    st.text(target)
                with st.container(key="live_code"):
                    st.metric(t("workshop.code_label", lang), escape_markdown(code))
        if not current.is_open and invitation != "vote":
            st.write(t("live.not_open" if current.status == "new" else "live.closed", lang))
        with st.container(key="live_count"):
            st.markdown(escape_markdown(t("live.count", lang, n=len(needs))))
        if voting is not None:
            st.subheader(t("live.results", lang, n=voting.dots))
            if not voting.is_open:
                with st.container(key="live_round_over"):
                    st.write(t("live.round_over", lang))
            with st.container(key="live_results"):
                for row in book.results(voting.id).head(RESULT_LINES).itertuples(index=False):
                    st.text(result_line(row))
        st.subheader(t("live.by_category", lang))
        with st.container(key="live_categories"):
            for row in book.category_counts(code).itertuples(index=False):
                st.text(f"{category_name(row.category)}: {row.count}")
        if voting is None:
            st.subheader(t("live.newest", lang))
            with st.container(key="live_ticker"):
                if not needs:
                    st.text(t("live.none_yet", lang))
                for need in needs[:TICKER]:
                    st.text(f"{category_name(need.category)}: {need.title}")
        if facilitator is not None:  # every pin, also during a vote (hiding takes it out of the round too)
            st.subheader(t("workshop.pins_header", lang))
            with st.container(key="live_pins"):
                pin_list(book, code, facilitator, lang, key="live", pins=needs, name=category_name,
                         named_buttons=True)


live()
