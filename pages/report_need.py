"""Residents' page /melden: pin a need on the map (or find the place by name, or choose the area from lists).

Three steps on one page: *where* (a search by name, :mod:`ui.place_search`, puts the pin "near U Kottbusser
Tor"; a map click drops or moves it; or Bezirk -> Bezirksregion -> Planungsraum lists past the map's skip
link), *what* (topic, title, description, a privacy note), and *needs nearby* (a plain-text list, nearest
first, "Ich auch" buttons, dots on the map). A listed need can be flagged to the moderators ("Problem melden",
once per browser, a reason from :data:`assessment.participation.moderation.REPORT_REASONS`): it comes first
in their queue; several browsers within a day hide it, unless a moderator approved it (``flag_need``).

One click stores exactly one need (a random client token per form; the store returns the first need for
a repeated token); the confirmation then takes the focus (:mod:`ui.focus`). "Ich auch" counts once per
browser and need, across reloads (:func:`assessment.participation.residents.support_token`). The text
fields have no ``max_chars`` (Streamlit would silently drop a longer paste): a live count names the limit
(:mod:`ui.live_count`), and the store refuses too long a text while the form keeps it.

Step 2 is a fragment (:func:`ui.report_form.what_step`): a topic or a title reruns the form, not the
map; so is step 3: "Ich auch" and "Problem melden" rerun the list of needs nearby. The rules are
plain functions: one send in :mod:`assessment.participation.submission`, the place in
:mod:`assessment.participation.places`, workshops, "Ich auch" and "Problem melden" in
:mod:`assessment.participation.residents`; the map is :func:`ui.resident_map.resident_map` (drawn by
:func:`maps.resident.report_map`, prepared once per content).
"""

from __future__ import annotations

import uuid
from functools import partial

import streamlit as st

from assessment.participation import places, submission
from assessment.participation import residents as participation
from assessment.participation.moderation import REPORT_REASONS, REPORT_THRESHOLD, reason_names, reason_text
from core.i18n import escape_markdown, t
from geodata.display import area_bbox
from geodata.lookup import get_locator
from geodata.lor import COARSEST, FINEST, LEVELS
from geodata.profile import active_profile
from ui.cached import area_lists, locator_started
from ui.context import browser_value, page_context
from ui.focus import skip_link
from ui.place_search import place_search
from ui.procedures import resident_procedure
from ui.resident_map import resident_map
from ui.report_form import new_form, place_messages, what_step
from ui.widgets import keep_choice_across_languages, voting_invitation

ctx = page_context()
settings, lang = ctx.settings, ctx.lang
state = st.session_state

#: The widget key of each area list, coarse to fine, and the label of the list.
PICKERS = {level: f"report_{level.lower()}" for level in places.LIST_LEVELS}


def put_place(place: dict | None, chosen: dict | None = None) -> None:
    """The lists' area (``chosen``), or a clicked or found point (``None``: outside the city) with the lists around it."""
    outside, chosen = (False, chosen) if chosen else (place is None, places.lists_for(place))
    state.update(report_place=place, report_outside=outside, **{key: chosen[lvl] for lvl, key in PICKERS.items()})


def on_picker(level: str) -> None:
    chosen = places.after_list_choice(level, {lvl: state[key] for lvl, key in PICKERS.items()})
    put_place(places.area_place(chosen), chosen)


def on_support(need_id: str) -> None:
    try:
        supported = participation.support_need(store, need_id, browser_value(), state["report_session"])
    except participation.ProcedureClosedError:  # a need of a closed procedure: read-only
        state["report_flag_message"] = participation.SUPPORT_CLOSED
        return
    except participation.NoBrowserError:  # no cookie: a reload would count it again, so it counts not at all
        state["report_flag_message"] = participation.SUPPORT_NO_COOKIE
        return
    if supported:
        state["report_supported"].add(need_id)
    else:
        state["report_flag_message"] = participation.BUSY


def on_flag(need_id: str) -> None:
    """A resident reports a published need: once per browser (a hashed browser key, never an IP), rate-limited."""
    if need_id in state["report_flagged"]:
        return
    reason = state.get(f"report_flag_reason_{need_id}")
    answer = participation.flag_need(store, need_id, browser_value(), reason)
    state["report_flag_message"] = answer
    if answer.settled:
        state["report_flagged"].add(need_id)


store = ctx.store
lists = area_lists(settings)  # built once per process and LOR file
locator_started(settings)  # the point lookup, built while the first resident reads the page
if "report_token" not in state:
    new_form()
defaults = {"report_session": str(uuid.uuid4()), "report_supported": set(), "report_flagged": set(),
            "report_place": None, "report_outside": False, **dict.fromkeys(PICKERS.values())}
for key, value in defaults.items():
    state.setdefault(key, value)

# A map click is handled once, so the value the map repeats on later runs never moves the pin again.
if click := places.new_click(state.get("report_map"), state.get("report_click_seen")):
    state["report_click_seen"] = click
    put_place(places.place_at(get_locator(settings).locate, *click))
place = state["report_place"]

# --- workshop ---------------------------------------------------------------------------------
link = participation.workshop_link(store, st.query_params.get("workshop"))
workshop = link.workshop
st.title(t("report.title", lang))
st.write(t("report.intro", lang))
if link.notice:
    (st.info if workshop else st.warning)(escape_markdown(t(link.notice, lang, **link.values)))
# Whose limit a send counts against: a resident's, a table device's or a facilitator's (kept in the database).
allowance = submission.report_allowance(store, session=state["report_session"], browser=browser_value(), user=ctx.user,
                                        workshop=workshop, table_secret=st.query_params.get("tisch"))
if allowance.notice:  # a table device or a facilitator learns its allowance; a wrong table link is said
    (st.warning if allowance.who == "resident" else st.info)(
        escape_markdown(t(allowance.notice, lang, **allowance.values)))
if link.voting_code:  # the room is told when the vote starts, without a reload
    voting_invitation(store, link.voting_code, lang)
# The participation procedure the need goes into: the workshop's, the only open one, or the resident's choice.
procedure = resident_procedure(store, lang, workshop)

# --- 1. where (the needs nearby are dots on the map and listed in step 3) ----------------------
nearby = participation.nearby_needs(store, place) if place else []
where, what = st.columns([3, 2], gap="large")
with where:
    st.header(t("report.step_place", lang))
    st.write(t("report.map_hint", lang, outlined=LEVELS[COARSEST].in_sentence(lang),
               nearby=LEVELS[FINEST].in_sentence(lang)))
    place_search(settings, lang, "report_search", on_pick=lambda found: put_place(places.found_place(found)))
    # Keyboard users would tab through the map's controls, phone users scroll past a full-screen map.
    skip_link(t("report.skip_map", lang), next(iter(PICKERS.values())), anchor="ohne-karte")
    # A workshop's link starts on the workshop's area.
    resident_map(settings, place, nearby, lang, key="report_map", start_bbox=link.start_bbox(partial(area_bbox, settings)))
    if state["report_outside"]:
        st.error(active_profile().text("report.outside", lang))
    elif place:
        st.success(escape_markdown(lists.place_text(place, lang)))
    else:
        st.info(t("report.no_place", lang))
    for message in place_messages():  # a send without a place (ui.report_form)
        st.error(message)

    st.subheader(t("report.without_map", lang), anchor="ohne-karte")
    st.markdown(t("report.without_map_hint", lang))
    parent = None
    for level, key in PICKERS.items():
        options = lists.options(level, parent)
        st.selectbox(
            places.list_label(level, lang), options, key=key, format_func=lists.names[level].get,
            placeholder=t("report.choose", lang), on_change=on_picker, args=(level,), disabled=not options,
        )
        parent = state[key]

# --- 2. what: a fragment, so a topic or a title reruns the form only, not the map (ui.report_form) ---
with what:
    if procedure is not None:  # with no open procedure the page says so and takes no needs
        what_step(store, settings, lang, workshop, allowance, procedure)

# --- 3. needs nearby --------------------------------------------------------------------------
@st.fragment
def nearby_step() -> None:
    """Step 3: "Ich auch" and "Problem melden" rerun this list only, not the map and the form."""
    place = state["report_place"]
    nearby = participation.nearby_needs(store, place) if place else []
    st.header(t("report.step_nearby", lang))
    if flag_answer := state.pop("report_flag_message", None):
        (st.success if flag_answer.ok else st.error)(t(flag_answer.message, lang, **flag_answer.values))
    if not place:
        st.write(t("report.nearby_hint", lang))
    elif not nearby:
        st.write(t("report.nearby_empty", lang))
    else:
        st.write(t("report.nearby_count_area" if places.is_area(place) else "report.nearby_count", lang, n=len(nearby)))
        # Supported from this browser before (also before a reload): the store knows its token.
        token = participation.support_token(browser_value(), state["report_session"])
        state["report_supported"] |= participation.supported_needs(store, token, [n.need.id for n in nearby])
        for near in nearby:
            need = near.need
            with st.container(border=True, key=f"report_need_{need.id}"):
                st.markdown(f"**{escape_markdown(need.title)}**")
                st.markdown(escape_markdown(participation.nearby_line(near, lists.need_area(need, lang), lang)))
                if need.description:
                    st.markdown(escape_markdown(need.description))
                supported = need.id in state["report_supported"]
                if supported:
                    st.markdown(t("report.supported", lang))
                support_column, flag_column = st.columns(2)
                support_column.button(t("report.supported_button" if supported else "report.support", lang),
                                      key=f"report_support_{need.id}", disabled=supported,
                                      on_click=on_support, args=(need.id,))
                flagged = need.id in state["report_flagged"]
                with flag_column.popover(t("report.flag", lang), disabled=flagged):
                    st.write(t("report.flag_hint", lang, n=REPORT_THRESHOLD))
                    keep_choice_across_languages(f"report_flag_reason_{need.id}", reason_names(REPORT_REASONS), lang)
                    st.selectbox(t("report.flag_reason", lang), list(REPORT_REASONS),
                                 key=f"report_flag_reason_{need.id}", placeholder=t("report.choose", lang),
                                 format_func=lambda r: reason_text(REPORT_REASONS, r, lang))
                    st.button(t("report.flag_confirm", lang), key=f"report_flag_{need.id}", disabled=flagged,
                              on_click=on_flag, args=(need.id,))


nearby_step()
