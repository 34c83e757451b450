"""Facilitators' page /workshop: create, open, close and freeze workshops; QR code; table devices; pins;
voting; exports.

Access to this page is the app's business (``app.py`` and
:mod:`assessment.participation.auth`: facilitators and admins). Everything a workshop does
is in :mod:`assessment.participation.workshops`; exports and the summary in
:mod:`assessment.participation.workshop_report`.

Whether needs from the room are published at once is the facilitator's choice, shown with
its consequence. The pins on the projector are listed here, newest first and refreshed by
themselves; "Ausblenden" takes one off every projector within its refresh interval
(:meth:`~assessment.participation.workshops.WorkshopBook.hide_pin`, audited).
"""

from __future__ import annotations

from datetime import date

import streamlit as st
import streamlit_folium

from assessment.needs.model import DEFAULT_PROCEDURE_ID
from assessment.needs.taxonomy import category_label
from assessment.participation.auth import PAGE_ROLES
from assessment.participation.workshops import MAX_DOTS, WorkshopBook, WorkshopError, default_focus_rectangle
from assessment.participation.places import LIST_LEVELS
from core.i18n import LANGUAGE_NAMES, date_input_format, escape_markdown, format_date, t
from geodata.display import display_geojson, display_units
from geodata.lor import COARSEST, LEVELS
from geodata.profile import active_profile
from maps.base import Basemap
from maps.workshop import drawn_bbox, focus_draw_map
from ui.context import app_url, page_context
from ui.procedures import procedure_picker
from ui.projector_pins import projector_pins
from ui.workshop_panels import local_address_warning, table_devices, workshop_exports
from ui.widgets import publish_choice, qr_png

ctx = page_context()
settings, lang = ctx.settings, ctx.lang
state = st.session_state
user = ctx.user
if not user.roles & PAGE_ROLES["workshop"]:  # app.py never routes here without the role; defence in depth
    st.stop()


store = ctx.store
book = WorkshopBook(store)

st.title(t("workshop.title", lang))
st.write(t("workshop.intro", lang))

# --- create ------------------------------------------------------------------------------------
RECT_DEFAULTS = tuple(zip(("ws_w", "ws_s", "ws_e", "ws_n"), default_focus_rectangle()))


def create_workshop() -> None:
    """The create button's callback: it runs before the script, so it may empty the form's widgets.

    After a workshop is created, title, date, area and rectangle start afresh, so a second click
    cannot create a duplicate; after a refusal (the library's, naming the field: a missing title or
    area too) everything typed stays for correction.
    """
    title = state.get("ws_new_title") or ""
    kind = state.get("ws_new_kind", "unit")
    level = state.get("ws_new_level", COARSEST)
    if kind == "unit":
        focus = {"focus_level": level, "focus_id": state.get(f"ws_new_area_{level}")}
    else:
        focus = {"bbox": tuple(state.get(key, default) for key, default in RECT_DEFAULTS)}
    try:
        created = book.create(title, state.get("ws_new_date") or date.today(),
                              publish_immediately=state.get("ws_new_publish", True), created_by=user.name,
                              procedure_id=state.get("ws_new_procedure") or DEFAULT_PROCEDURE_ID, **focus)
    except WorkshopError as refused:
        state["ws_create_error"] = refused.in_language(lang)
        return
    state["ws_selected"] = state["ws_created"] = created.code
    state["ws_new_title"] = ""
    state["ws_new_date"] = date.today()
    if kind == "unit":
        state[f"ws_new_area_{level}"] = None
    else:
        for key, default in RECT_DEFAULTS:
            state[key] = default


with st.expander(t("workshop.create_header", lang), expanded=not book.list()):
    st.text_input(t("workshop.field_title", lang), key="ws_new_title", max_chars=200)
    procedure_picker(st, store, lang, "ws_new_procedure", none_text="procedure.general")  # the round it is held in
    # No value= here: the callback sets the date back to today through the session state.
    st.date_input(t("workshop.field_date", lang), key="ws_new_date", format=date_input_format(lang))
    kinds = {"unit": t("workshop.focus_unit", lang), "rect": t("workshop.focus_rect", lang)}
    kind = st.radio(t("workshop.focus_kind", lang), list(kinds), format_func=kinds.get, key="ws_new_kind", horizontal=True)
    if kind == "unit":
        level = st.selectbox(t("workshop.focus_level", lang), list(LIST_LEVELS), key="ws_new_level",
                             format_func=lambda code: LEVELS[code].label(lang))
        names = display_units(settings, level)["name"].sort_values()
        st.selectbox(t("workshop.focus_area", lang), list(names.index), key=f"ws_new_area_{level}",
                     format_func=lambda i: f"{names[i]} ({i})", index=None, placeholder=t("report.choose", lang))
    else:
        st.caption(t("workshop.draw_hint", lang))
        drawn = streamlit_folium.st_folium(
            focus_draw_map(display_geojson(settings, COARSEST), basemap=Basemap.from_settings(settings), lang=lang),
            key="ws_draw_map", height=420, use_container_width=True, returned_objects=["last_active_drawing"],
        ) or {}
        drawn_box = drawn_bbox(drawn.get("last_active_drawing"))
        # Copy a new drawing into the fields once; later keyboard edits of the fields are kept.
        if drawn_box is not None and drawn_box != state.get("ws_drawn_bbox"):
            state["ws_drawn_bbox"] = drawn_box
            state["ws_w"], state["ws_s"], state["ws_e"], state["ws_n"] = drawn_box
        for field, default in RECT_DEFAULTS:
            state.setdefault(field, default)
        st.caption(t("workshop.rect_hint", lang))
        west, south, east, north = st.columns(4)
        west.number_input(t("workshop.west", lang), format="%.4f", step=0.001, key="ws_w")
        south.number_input(t("workshop.south", lang), format="%.4f", step=0.001, key="ws_s")
        east.number_input(t("workshop.east", lang), format="%.4f", step=0.001, key="ws_e")
        north.number_input(t("workshop.north", lang), format="%.4f", step=0.001, key="ws_n")
    publish_choice("ws_new_publish", True, lang)
    st.button(t("workshop.create", lang), type="primary", key="ws_create", on_click=create_workshop)
    if refusal := state.pop("ws_create_error", None):
        st.error(t("workshop.refused", lang, reason=refusal))
if created_code := state.pop("ws_created", None):
    st.success(t("workshop.created", lang, code=created_code))

# --- choose ------------------------------------------------------------------------------------
workshops = {w.code: w for w in book.list()}
if not workshops:
    st.info(t("workshop.none", lang))
    st.stop()
if state.get("ws_selected") not in workshops:
    state["ws_selected"] = next(iter(workshops))
code = st.selectbox(
    t("workshop.choose", lang), list(workshops), key="ws_selected",
    format_func=lambda c: t("workshop.option", lang,
                            date=format_date(workshops[c].held_on, lang),
                            title=workshops[c].title, code=c, status=t(f"workshop.status.{workshops[c].status}", lang)),
)
workshop = workshops[code]
published = book.needs(code)
st.markdown(escape_markdown(t("workshop.status_line", lang, status=t(f"workshop.status.{workshop.status}", lang),
                              n=len(published), code=code)))


def act(action, *args) -> None:
    try:
        action(*args)
    except WorkshopError as refused:
        state["ws_error"] = refused.in_language(lang)


if workshop.is_frozen:
    st.info(t("workshop.frozen_note", lang))
else:
    buttons = st.columns(4)
    buttons[0].button(t("workshop.open", lang), key="ws_open", on_click=act, args=(book.open, code),
                      disabled=workshop.is_open, type="primary")
    buttons[1].button(t("workshop.close", lang), key="ws_close", on_click=act, args=(book.close, code),
                      disabled=not workshop.is_open)
    # Freezing cannot be undone: it takes a tick first, so one stray click does not end a workshop.
    sure = buttons[2].checkbox(t("workshop.freeze_sure", lang), key=f"ws_freeze_sure_{code}")
    buttons[2].button(t("workshop.freeze", lang), key="ws_freeze", on_click=act, args=(book.freeze, code),
                      disabled=not sure)
    publish_choice(f"ws_publish_{code}", workshop.publish_immediately, lang,
                   on_change=lambda: act(book.set_publish_immediately, code, state[f"ws_publish_{code}"]))
if error := state.pop("ws_error", None):
    st.error(t("workshop.refused", lang, reason=error))

# --- join --------------------------------------------------------------------------------------
st.header(t("workshop.join_header", lang))
# The join link can name a language (a workshop held in Turkish): every phone that scans it opens in it.
# Only the city profile's languages; a workshop that already names another keeps it listed.
offered = active_profile().languages
join_languages = (None, *offered, *([workshop.language] if workshop.language not in (None, *offered) else []))
st.selectbox(t("workshop.join_language", lang), join_languages, index=join_languages.index(workshop.language),
             format_func=lambda c: LANGUAGE_NAMES[c] if c else t("workshop.join_language_browser", lang),
             key=f"ws_language_{code}", on_change=lambda: act(book.set_language, code, state[f"ws_language_{code}"]))
join_url = app_url(f"/melden{workshop.join_query}")
local_address_warning(lang)  # a laptop's own address (localhost) in the QR code leads no phone anywhere
qr_column, link_column = st.columns([1, 2])
# The link beside the code is plain text; a caption repeating it came out as a faded link (3:1, below
# WCAG AA). The alt text says where the code leads, for those who cannot scan it.
qr_column.image(qr_png(join_url), width=260, alt=t("workshop.qr_caption", lang, url=join_url))
with link_column:
    st.write(t("workshop.join_link", lang))
    with st.container(key="ws_join_url"):
        st.text(join_url)
    with st.container(key="ws_code"):  # large, to read out or copy to a slide for people who type it in
        st.metric(t("workshop.code_label", lang), escape_markdown(code))
    st.link_button(t("workshop.live_link", lang), app_url(f"/live?workshop={code}"))

# --- table devices: a shared tablet may send more than a resident's five (submission.report_allowance)
table_devices(book, code, workshop, user, lang)

# --- pins on the projector ---------------------------------------------------------------------
st.header(t("workshop.pins_header", lang))
st.caption(t("workshop.pins_hint", lang))
projector_pins(book, code, user.name, lang)

# --- vote --------------------------------------------------------------------------------------
st.header(t("workshop.vote_header", lang))
voting = book.latest_round(code)
if voting is None:
    st.write(t("workshop.round_none", lang))
elif voting.is_open:
    st.success(t("workshop.round_open", lang, n=voting.dots))
else:
    st.write(t("workshop.round_closed", lang, n=voting.dots))
if not workshop.is_frozen:
    dots_column, start_column, stop_column = st.columns([1, 1, 1], vertical_alignment="bottom")
    dots = dots_column.number_input(t("workshop.dots", lang), min_value=1, max_value=MAX_DOTS, value=3, step=1,
                                    key="ws_dots")
    # A callback runs before the script: read the dots from the widget's state, not from this run's args.
    start_column.button(t("workshop.start_round", lang), key="ws_start",
                        on_click=lambda: act(book.start_round, code, int(state["ws_dots"])))
    stop_column.button(t("workshop.stop_round", lang), key="ws_stop", on_click=act, args=(book.stop_round, code),
                       disabled=not (voting and voting.is_open))
if voting is not None:
    results = book.results(voting.id)
    st.dataframe(
        results.assign(category=results["category"].map(lambda c: category_label(c, lang)))[
            ["title", "category", "votes", "voters"]
        ].rename(columns={c: t(f"workshop.col.{c}", lang) for c in ("title", "category", "votes", "voters")}),
        hide_index=True, key="ws_results",
    )

# --- export ------------------------------------------------------------------------------------
workshop_exports(book, code, settings, lang)
