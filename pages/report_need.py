"""Residents' page /melden: pin a need on the map (or choose the area from lists), see and support others.

Three steps on one page: *where* (a map click drops a pin; or Bezirk ->
Bezirksregion -> Planungsraum lists, the keyboard and screen-reader path),
*what* (topic, title, description, a privacy note), and *needs nearby*
(a plain-text list with "Ich auch" buttons, and dots on the map). Each listed
need can be reported ("Melden", once per browser session, with a reason from
:data:`assessment.participation.moderation.REPORT_REASONS`); three reports from different
sessions hide it until a moderator decides (:meth:`Moderation.report`).

One click stores exactly one need: the form carries a random client token
made once per form, and the store returns the first need for a repeated
token. "Ich auch" counts once per browser and need, across reloads: its token
is the hashed browser key (:func:`assessment.participation.residents.support_token`).
Nothing a resident typed is dropped: the text fields have no ``max_chars``
(Streamlit would silently refuse a longer paste); a count under each field
names the limit and follows every keystroke (:mod:`ui.live_count`), and
the store refuses a text that is too long with its message while the form keeps
it. After a send the place stays chosen; only topic and texts are reset. Abuse limits and the workshop lookup are in
:mod:`assessment.participation.residents`; the map is :func:`maps.resident.report_map`.
"""

from __future__ import annotations

import math
import uuid

import streamlit as st
from shapely.geometry import mapping
from streamlit_folium import st_folium

from assessment.needs.model import DESCRIPTION_MAX, TITLE_MAX, NeedInput
from assessment.needs.store import NeedNotFoundError, StoreBusyError
from assessment.needs.taxonomy import CATEGORIES
from assessment.needs.validation import ValidationError, check_workshop_id
from assessment.participation import residents as participation
from assessment.participation.moderation import (
    REPORT_REASONS,
    REPORT_THRESHOLD,
    DecisionError,
    Moderation,
)
from core.i18n import escape_markdown, t
from geodata.display import display_geojson, display_units
from geodata.lookup import get_locator
from geodata.lor import LEVELS, hierarchy
from maps.base import Basemap
from maps.resident import NeedMarker, areas_around, report_map
from ui.context import asset_base, page_context
from ui.live_count import LIVE_COUNT_SCRIPT, count_html

ctx = page_context()
settings, lang = ctx.settings, ctx.lang
state = st.session_state

PICKERS = (("BEZ", "report_bez"), ("BZR", "report_bzr"), ("PLR", "report_plr"))
PLACE_FIELDS = ("location", "area_level", "area_id")


def new_form() -> None:
    """Start a fresh form: new widget keys and a new client token."""
    state["report_form"] = state.get("report_form", 0) + 1
    state["report_token"] = str(uuid.uuid4())


def set_pickers(bez: str | None, bzr: str | None, plr: str | None) -> None:
    state["report_bez"], state["report_bzr"], state["report_plr"] = bez, bzr, plr


def area_place() -> dict | None:
    """The finest area chosen in the lists, as a place."""
    for level, key in reversed(PICKERS):
        if state.get(key):
            return {"level": level, "area_id": state[key]}
    return None


def on_picker(level: str) -> None:
    # A coarser choice invalidates the finer ones below it.
    keys = [key for _, key in PICKERS]
    for key in keys[keys.index(dict(PICKERS)[level]) + 1 :]:
        state[key] = None
    state["report_place"] = area_place()
    state["report_outside"] = False


def reserve_place(keys: list[str], token: str) -> float | None:
    """Seconds to wait (``0.0``: a place is now held for this need), or ``None`` when the database is busy.

    The check and the held place are one transaction, so parallel submits (other tabs, other
    app instances) cannot pass the limit together.
    """
    try:
        return limiter.reserve(keys, token)
    except StoreBusyError:
        return None


def settle_place(keys: list[str], token: str, *, stored: bool) -> None:
    """Confirm the held place (the store accepted the need) or free it (the store refused it)."""
    try:
        if stored:
            limiter.record(keys, token)
        else:
            limiter.release(keys, token)
    except StoreBusyError:
        pass  # the place stays held and counted until it leaves the window: errs on the side of the limit


def browser_value() -> str | None:
    """The token in Streamlit's XSRF cookie: random per browser, the same after a reload (a new session)."""
    return participation.browser_secret(st.context.cookies.get("_streamlit_xsrf"))


def on_support(need_id: str) -> None:
    try:
        store.support(need_id, participation.support_token(browser_value(), state["report_session"]))
    except StoreBusyError:
        state["report_flag_message"] = "report.busy"
        return
    state["report_supported"].add(need_id)


def keep_choice_across_languages(key: str, labels: dict[str, tuple[str, ...]]) -> None:
    """Keep a list's choice as its id when the language changes.

    The browser sends back a choice as the label it shows; after a switch of the
    language that label is no longer among the options and Streamlit would return
    the old label itself. Setting the id through the session state makes the list
    show it in the new language.
    """
    value = state.get(key)
    if value is not None and value not in labels:
        value = next((option for option, names in labels.items() if value in names), None)
        state[key] = value
    elif value is not None and state.get(f"{key}_lang", lang) != lang:
        state[key] = value  # sent to the browser again, labelled in the new language
    state[f"{key}_lang"] = lang


def on_flag(need_id: str) -> None:
    """A resident reports a published need: once per browser session (a hashed session key, never an IP)."""
    if need_id in state["report_flagged"]:
        return
    reason = state.get(f"report_flag_reason_{need_id}") or "other"
    try:
        Moderation(store).report(need_id, participation.hashed_key("session", state["report_session"]), reason)
    except (DecisionError, NeedNotFoundError):
        # Hidden, rejected or deleted meanwhile (e.g. the third report came from someone else).
        state["report_flag_message"] = "report.flag_already"
    except StoreBusyError:
        state["report_flag_message"] = "report.busy"
        return
    else:
        state["report_flag_message"] = "report.flag_done"
    state["report_flagged"].add(need_id)


store = ctx.store
# Kept in the needs database: every app instance on it counts together (assessment.participation.limits).
limiter = participation.page_rate_limiter(store)
areas = hierarchy(settings)
names = {
    level: areas.drop_duplicates(f"{level}_ID").set_index(f"{level}_ID")[f"{level}_NAME"]
    for level in ("PLR", "BZR", "BEZ")
}
if "report_token" not in state:
    new_form()
state.setdefault("report_session", str(uuid.uuid4()))
state.setdefault("report_supported", set())
state.setdefault("report_flagged", set())
state.setdefault("report_place", None)
state.setdefault("report_outside", False)
for _, key in PICKERS:
    state.setdefault(key, None)

# A map click arrives as the map component's value; handle each click once, so the
# value repeated on later reruns (and after a submit) never moves the pin again.
click = (state.get("report_map") or {}).get("last_clicked")
if click and (click["lat"], click["lng"]) != state.get("report_click_seen"):
    state["report_click_seen"] = (click["lat"], click["lng"])
    located = get_locator(settings).locate(click["lat"], click["lng"])
    if located is None:
        state["report_place"], state["report_outside"] = None, True
        set_pickers(None, None, None)
    else:
        state["report_place"] = {"lat": click["lat"], "lon": click["lng"], "located": located}
        state["report_outside"] = False
        set_pickers(located["BEZ_ID"], located["BZR_ID"], located["PLR_ID"])
place = state["report_place"]

# --- workshop ---------------------------------------------------------------------------------
workshop = None
code = st.query_params.get("workshop")
st.title(t("report.title", lang))
st.write(t("report.intro", lang))
if code:
    found = None if check_workshop_id(code) else participation.workshop_directory(store).get(code)
    if found is None:
        st.warning(escape_markdown(t("report.workshop_unknown", lang, code=code[:64])))
    elif not found.is_open:
        not_open = {"new": "report.workshop_new", "frozen": "report.workshop_frozen"}.get(found.status, "report.workshop_closed")
        st.warning(escape_markdown(t(not_open, lang, title=found.title)))
    else:
        workshop = found
        st.info(escape_markdown(t("report.workshop", lang, title=found.title)))

# --- needs nearby (drawn on the map and listed below) -----------------------------------------
nearby = participation.nearby_needs(store, place) if place else []


def area_name(need) -> str:
    for level in ("PLR", "BZR", "BEZ"):
        area_id = need.area_id(level)
        if area_id and area_id in names[level].index:
            return f"{LEVELS[level].label(lang)} {names[level][area_id]}"
    return ""


# --- 1. where ---------------------------------------------------------------------------------
where, what = st.columns([3, 2], gap="large")
with where:
    st.header(t("report.step_place", lang))
    st.write(t("report.map_hint", lang))
    selected_geometry = None
    if place:
        level, area_id = (place["level"], place["area_id"]) if place.get("level") else ("PLR", place["located"]["PLR_ID"])
        units = display_units(settings, level)
        if area_id in units.index:
            selected_geometry = mapping(units.geometry[area_id])
        # The Planungsräume around the place get their names on the map once zoomed in.
        if place.get("level"):
            centre = units.geometry[area_id].representative_point() if area_id in units.index else None
            centre = (centre.y, centre.x) if centre is not None else None
        else:
            centre = (place["lat"], place["lon"])
        nearby_areas = areas_around(display_units(settings, "PLR"), *centre) if centre else None
    else:
        nearby_areas = None
    m = report_map(
        display_geojson(settings, "BEZ"),
        pin=(place["lat"], place["lon"]) if place and not place.get("level") else None,
        selected_area=selected_geometry,
        needs=[NeedMarker(n.lat, n.lon, n.title, CATEGORIES[n.category].label(lang)) for n in nearby],
        nearby_areas=nearby_areas,
        basemap=Basemap.from_settings(settings),
        lang=lang,
        asset_base=asset_base(),
    )
    st_folium(m, key="report_map", height=420, use_container_width=True, returned_objects=["last_clicked"])
    if state["report_outside"]:
        st.error(t("report.outside", lang))
    elif place and place.get("level"):
        name = names[place["level"]].get(place["area_id"], place["area_id"])
        st.success(escape_markdown(t("report.place_area", lang, level=LEVELS[place["level"]].label(lang), name=name)))
    elif place:
        located = place["located"]
        st.success(
            escape_markdown(
                t("report.place_point", lang, plr=located["PLR_NAME"], bzr=located["BZR_NAME"], bez=located["BEZ_NAME"])
            )
        )
    else:
        st.info(t("report.no_place", lang))
    place_error = st.empty()

    st.subheader(t("report.without_map", lang))
    st.markdown(t("report.without_map_hint", lang))
    bez_options = sorted(names["BEZ"].index)
    st.selectbox(
        t("report.bezirk", lang), bez_options, key="report_bez", format_func=names["BEZ"].get,
        placeholder=t("report.choose", lang), on_change=on_picker, args=("BEZ",),
    )
    bzr_options = sorted(areas.loc[areas["BEZ_ID"] == state["report_bez"], "BZR_ID"].unique())
    st.selectbox(
        t("report.bzr", lang), bzr_options, key="report_bzr", format_func=names["BZR"].get,
        placeholder=t("report.choose", lang), on_change=on_picker, args=("BZR",), disabled=not bzr_options,
    )
    plr_options = sorted(areas.loc[areas["BZR_ID"] == state["report_bzr"], "PLR_ID"].unique())
    st.selectbox(
        t("report.plr", lang), plr_options, key="report_plr", format_func=names["PLR"].get,
        placeholder=t("report.choose", lang), on_change=on_picker, args=("PLR",), disabled=not plr_options,
    )

# --- 2. what ----------------------------------------------------------------------------------
form = state["report_form"]
with what:
    st.header(t("report.step_what", lang))
    keep_choice_across_languages(
        f"report_category_{form}", {cid: (c.label_de, c.label_en) for cid, c in CATEGORIES.items()}
    )
    category = st.selectbox(
        t("report.category", lang), list(CATEGORIES), key=f"report_category_{form}", index=None,
        format_func=lambda c: CATEGORIES[c].label(lang), placeholder=t("report.choose", lang),
    )
    if category:
        st.markdown(escape_markdown(CATEGORIES[category].explanation(lang)))
    field_errors = {"category": st.empty()}
    # No max_chars: Streamlit drops a paste longer than it without a word. The count below
    # shows the limit as one types; the store refuses too long a text with a message, and the text stays.
    title = st.text_input(
        t("report.title_label", lang), key=f"report_title_{form}", placeholder=t("report.title_placeholder", lang),
    )
    st.html(count_html(f"report_title_{form}", title, TITLE_MAX, lang))
    field_errors["title"] = st.empty()
    description = st.text_area(t("report.description_label", lang), key=f"report_description_{form}")
    st.html(count_html(f"report_description_{form}", description, DESCRIPTION_MAX, lang))
    # Keeps both counts up to date on every keystroke (a fixed script: ui.live_count).
    st.html(LIVE_COUNT_SCRIPT, unsafe_allow_javascript=True)
    field_errors["description"] = st.empty()
    st.markdown(t("report.no_contact", lang))
    # The honeypot: off-screen for sighted users, labelled for screen readers; bots fill it. A keyboard
    # user tabbing through the form lands in it too: while it has the focus it shows (WCAG 2.4.7).
    st.html("<style>.st-key-report_hp_box{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}"
            ".st-key-report_hp_box:focus-within{position:static;width:auto;height:auto;overflow:visible}</style>")
    with st.container(key="report_hp_box"):
        honeypot = st.text_input(t("report.honeypot", lang), key=f"report_hp_{form}")

    st.subheader(t("report.privacy_title", lang))
    st.write(t("report.privacy", lang, published_days=settings.retention_published_days,
               rejected_days=settings.retention_rejected_days))
    # Tell residents before they send when their need goes public at once (operator or workshop setting).
    if settings.publish_immediately or (workshop is not None and workshop.publish_immediately):
        st.write(t("report.privacy_published", lang))
    submitted = st.button(t("report.submit", lang), type="primary", key=f"report_submit_{form}")
    outcome = st.container()

    if submitted:
        state.pop("report_done", None)
        token = state["report_token"]
        keys = [participation.hashed_key("session", state["report_session"])]
        # The token in Streamlit's XSRF cookie is random per browser and outlives a reload (a new session).
        if browser := browser_value():
            keys.append(participation.hashed_key("browser", browser))
        if participation.honeypot_filled(honeypot):
            outcome.error(t("report.honeypot_refused", lang))
        elif (wait := reserve_place(keys, token)) is None:
            outcome.error(t("report.busy", lang))
        elif wait > 0:
            outcome.error(t("report.rate_limited", lang, limit=limiter.limit, minutes=max(1, math.ceil(wait / 60))))
        else:
            where_fields = (
                {"area_level": place["level"], "area_id": place["area_id"]}
                if place and place.get("level")
                else {"lat": place["lat"], "lon": place["lon"]} if place else {}
            )
            need_input = NeedInput(
                category=category,
                title=title,
                description=description or "",
                workshop_id=workshop.code if workshop else None,
                channel="workshop" if workshop else "online",
                language=lang,
                **where_fields,
            )
            try:
                # A workshop's facilitator may publish the room's needs at once (they moderate the room).
                publish = settings.publish_immediately or (workshop is not None and workshop.publish_immediately)
                need = store.submit(need_input, client_token=token, status="published" if publish else "pending")
            except ValidationError as refused:
                settle_place(keys, token, stored=False)
                outcome.error(t("report.not_saved", lang))
                for error in refused.errors:
                    if error.field in PLACE_FIELDS:
                        place_error.error(error.message(lang))
                    elif error.field == "category" and not category:
                        # The store says "Kategorie"; the form calls the field "Thema".
                        field_errors["category"].error(t("report.category_missing", lang))
                    elif error.field in field_errors:
                        field_errors[error.field].error(error.message(lang))
                    else:
                        outcome.error(error.message(lang))
            except StoreBusyError:
                settle_place(keys, token, stored=False)
                outcome.error(t("report.busy", lang))
            else:
                settle_place(keys, token, stored=True)
                state["report_done"] = {"reference": need.reference, "status": need.status}
                # The place stays: residents often send a second need for the same place.
                new_form()
                st.rerun()

    if done := state.get("report_done"):
        outcome.success(t("report.done", lang, reference=done["reference"]))
        next_key = "report.next_published" if done["status"] == "published" else "report.next_pending"
        outcome.write(t(next_key, lang))
        outcome.write(t("report.another", lang))

# --- 3. needs nearby --------------------------------------------------------------------------
st.header(t("report.step_nearby", lang))
if flag_message := state.pop("report_flag_message", None):
    (st.error if flag_message == "report.busy" else st.success)(t(flag_message, lang))
if not place:
    st.write(t("report.nearby_hint", lang))
elif not nearby:
    st.write(t("report.nearby_empty", lang))
else:
    st.write(t("report.nearby_count", lang, n=len(nearby)))
    # Supported from this browser before (also before a reload): the store knows its token.
    state["report_supported"] |= participation.supported_needs(
        store, participation.support_token(browser_value(), state["report_session"]), [n.id for n in nearby]
    )
    for need in nearby:
        with st.container(border=True, key=f"report_need_{need.id}"):
            st.markdown(f"**{escape_markdown(need.title)}**")
            st.markdown(
                escape_markdown(
                    t(
                        "report.nearby_item", lang, category=CATEGORIES[need.category].label(lang),
                        area=area_name(need), supports=need.support_count,
                    )
                )
            )
            if need.description:
                st.markdown(escape_markdown(need.description))
            supported = need.id in state["report_supported"]
            if supported:
                st.markdown(t("report.supported", lang))
            support_column, flag_column = st.columns(2)
            support_column.button(
                t("report.supported_button" if supported else "report.support", lang),
                key=f"report_support_{need.id}", disabled=supported,
                on_click=on_support, args=(need.id,),
            )
            flagged = need.id in state["report_flagged"]
            with flag_column.popover(t("report.flag", lang), disabled=flagged):
                st.write(t("report.flag_hint", lang, n=REPORT_THRESHOLD))
                keep_choice_across_languages(f"report_flag_reason_{need.id}", REPORT_REASONS)
                st.selectbox(
                    t("report.flag_reason", lang), list(REPORT_REASONS), key=f"report_flag_reason_{need.id}",
                    format_func=lambda r: REPORT_REASONS[r][0 if lang == "de" else 1],
                )
                st.button(
                    t("report.flag_confirm", lang), key=f"report_flag_{need.id}", disabled=flagged,
                    on_click=on_flag, args=(need.id,),
                )
