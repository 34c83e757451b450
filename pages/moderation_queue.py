"""Moderation queue (``/moderation``, roles moderator and admin): decide on new and reported needs.

``app.py`` registers this page only for users with the role; everyone else
gets the sign-in under this URL. Needs residents reported come first (most
reports first; hidden by them, or still published when a moderator approved
them before), then pending needs oldest first, with their area and map
position (:meth:`assessment.participation.moderation.Moderation.queue`); each can be
approved (a reported, published need stays published and its reports are settled), rejected with a reason from the list, edited to remove personal data
(:meth:`assessment.participation.moderation.Moderation.edit`, the original stays in the
audit log only), or merged into a need in the same planning area. With a
workshop code, all needs of that workshop can be approved or rejected at once.
Every decision is written with its audit row by :mod:`assessment.participation.moderation`,
which also holds the queue's rules (paging and numbering, merge targets, what
a decision's outcome says); this page reads its widgets and renders.
All resident text is shown as plain text.

A map above the list (:mod:`maps.moderation`) shows the needs of this
page numbered as in the list, each with its Planungsraum, or with the area
alone when the resident chose only an area. The list stays the keyboard path:
opening a need there highlights it on the map and brings it into view;
clicking a marker opens that need in the list. The base map never changes, so
a rerun keeps the moderator's zoom; only its layers are swapped.
"""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit_folium import st_folium

from assessment.participation.auth import PAGE_ROLES
from assessment.participation.moderation import (
    PAGE_SIZE,
    REJECT_REASONS,
    Moderation,
    datetime_column_format,
    decision_message,
    merge_message,
    position_text,
    queue_marker,
    queue_page,
    reason_text,
    sent_text,
    status_word,
    topic_text,
)
from core.i18n import escape_markdown, t
from core.settings import Settings
from geodata.display import display_geojson, display_units
from geodata.lor import CITY_TIMEZONE, COARSEST, names
from maps.base import Basemap
from maps.moderation import (
    FOCUS_ZOOM,
    area_geometries,
    area_text,
    clicked_marker,
    moderation_base_map,
    queue_layers,
)
from ui.context import asset_base, page_context

ctx = page_context()
settings, lang, user = ctx.settings, ctx.lang, ctx.user
if not user.roles & PAGE_ROLES["moderation"]:  # app.py never routes here without the role; defence in depth
    st.stop()


@st.cache_data(show_spinner=False)
def area_names(_settings: Settings, data_dir: str, level: str) -> dict[str, str]:
    return names(_settings, level).to_dict()


moderation = Moderation(ctx.store)
reason_label = {reason: reason_text(REJECT_REASONS, reason, lang) for reason in REJECT_REASONS}


def select_from_map(page: dict[str, str]) -> None:
    """A click on a numbered marker selects that need and opens it in the list."""
    clicked = clicked_marker((st.session_state.get("moderation_map") or {}).get("last_object_clicked_tooltip"))
    if clicked and clicked[1] in page:
        need_id = page[clicked[1]]
        st.session_state["moderation_selected"] = need_id
        st.session_state[f"need_{need_id}"] = True


def follow_list(need_id: str, lat: float, lon: float) -> None:
    """Opening a need in the list selects it and brings it into view on the map; closing it unselects it."""
    if st.session_state.get(f"need_{need_id}"):
        st.session_state["moderation_selected"] = need_id
        st.session_state["moderation_focus"] = [lat, lon]
    elif st.session_state.get("moderation_selected") == need_id:
        st.session_state["moderation_selected"] = None


def decide(action, *args, **kwargs) -> None:
    """Run one decision; its outcome stays on the page until the next one."""
    st.session_state["moderation_message"] = decision_message(action, *args, actor=user.name, lang=lang, **kwargs)


def merge_into(target_key: str, need_id: str, reference: str) -> None:
    """Merge into the need chosen in the list under ``target_key`` (none chosen: the page asks for one)."""
    st.session_state["moderation_message"] = merge_message(moderation, need_id, st.session_state.get(target_key),
                                                           reference, actor=user.name, lang=lang)


def reject_with_reason(reason_key: str, action, *args) -> None:
    """Reject only with a reason the moderator chose: the list starts empty, nothing is assumed."""
    reason = st.session_state.get(reason_key)
    if reason is None:
        st.session_state["moderation_reason_missing"] = reason_key
        st.session_state.pop("moderation_message", None)  # the earlier outcome is not this one's
        return
    st.session_state.pop("moderation_reason_missing", None)
    decide(action, *args, reason=reason)


def reason_box(column, reason_key: str) -> None:
    """The reason list, empty at first; after a rejection without a reason, the message below it."""
    column.selectbox(t("moderation.reason", lang), list(REJECT_REASONS), key=reason_key, index=None,
                     placeholder=t("moderation.reason_placeholder", lang), format_func=reason_label.get)
    if st.session_state.get("moderation_reason_missing") == reason_key:
        if st.session_state.get(reason_key) is None:
            column.error(t("moderation.reason_missing", lang))
        else:
            st.session_state.pop("moderation_reason_missing")


st.title(t("moderation.title", lang))
st.write(t("moderation.intro", lang))
# The last decision's outcome stays until the next decision: the queue map's first report after
# it is drawn reruns the page, and a message shown only once would be gone before it was read.
if message := st.session_state.get("moderation_message"):
    (st.success if message[0] == "success" else st.error)(message[1])

workshop = st.text_input(t("moderation.workshop", lang), max_chars=64, key="moderation_workshop").strip() or None
queue = moderation.queue(workshop_id=workshop)
reports = moderation.report_counts([n.id for n in queue]) if queue else {}
if not queue:
    # With a code nothing waits, or the code is mistyped: say which, without guessing.
    st.info(escape_markdown(t("moderation.empty_workshop", lang, code=workshop)) if workshop
            else t("moderation.empty", lang))
    st.stop()
st.write(t("moderation.count", lang, n=len(queue)))

if workshop:
    with st.container(border=True):
        st.write(t("moderation.bulk", lang, n=len(queue)))
        left, middle, right = st.columns([1, 2, 1])
        left.button(t("moderation.bulk_approve", lang), key="bulk_approve", on_click=decide,
                    args=(moderation.bulk, [n.id for n in queue], "approve"))
        reason_box(middle, "bulk_reason")
        right.button(t("moderation.bulk_reject", lang), key="bulk_reject", on_click=reject_with_reason,
                     args=("bulk_reason", moderation.bulk, [n.id for n in queue], "reject"))

# Numbered in list order (1 = oldest), each need keeping its number for the session; the map and
# the decision controls cover the first PAGE_SIZE.
page = queue_page(queue, st.session_state.setdefault("moderation_numbers", {}),
                  st.session_state.setdefault("moderation_opened", {}), st.session_state.get("moderation_selected"))
opened_at_first, number = st.session_state["moderation_opened"], page.number
st.session_state["moderation_selected"] = selected = page.selected  # None if decided meanwhile, or never chosen

marker = {need.id: queue_marker(number[need.id], need, partial(area_names, settings, str(settings.data_dir)), lang)
          for need in queue}
markers = [marker[need.id] for need in page.needs]
focus = st.session_state.get("moderation_focus")
st_folium(
    moderation_base_map(display_geojson(settings, COARSEST), basemap=Basemap.from_settings(settings), lang=lang,
                        asset_base=asset_base()),
    key="moderation_map",
    feature_group_to_add=queue_layers(markers, area_geometries(markers, partial(display_units, settings)),
                                      selected=number.get(selected), lang=lang),
    # Only a change of focus (a need opened in the list) moves the view; every other rerun keeps it.
    center=focus, zoom=FOCUS_ZOOM if focus else None,
    height=440,
    use_container_width=True,
    returned_objects=["last_object_clicked_tooltip", "last_object_clicked_count"],
    on_change=partial(select_from_map, {need.reference: need.id for need in page.needs}),
)
st.caption(t("moderation.map_legend", lang))
if page.more:
    st.caption(t("moderation.map_shown", lang, n=PAGE_SIZE))

table = [{
    t("moderation.number", lang): number[n.id],
    t("moderation.col.reference", lang): n.reference,
    t("moderation.col.status", lang): status_word(n.status, lang),
    t("moderation.sent", lang): n.created_at.astimezone(CITY_TIMEZONE).replace(tzinfo=None),  # local time, sorts as time
    t("moderation.area", lang): area_text(marker[n.id], lang),
    t("moderation.position", lang): position_text(n, lang),
    t("moderation.topic", lang): topic_text(n, lang),
    t("moderation.col.title", lang): n.title,
    t("moderation.col.reports", lang): reports.get(n.id, 0),
} for n in queue]
st.dataframe(table, hide_index=True, width="stretch", column_config={
    t("moderation.sent", lang): st.column_config.DatetimeColumn(
        format=datetime_column_format(lang))})
if page.more:
    st.caption(t("moderation.shown", lang, n=PAGE_SIZE))

for need in page.needs:
    key = f"need_{need.id}"
    if need.id == selected:
        st.session_state[key] = True  # opened from the map: keep it open
    with st.expander(f"{number[need.id]} · {need.reference} – {escape_markdown(need.title)}",
                     expanded=opened_at_first[need.id], key=key, on_change=follow_list, args=(need.id, need.lat, need.lon)):
        st.text(need.title)
        if need.description:
            st.text(need.description)
        st.caption(escape_markdown(f"{t('moderation.sent', lang)}: {sent_text(need.created_at, lang)} · "
                                   f"{t('moderation.topic', lang)}: {topic_text(need, lang)} · "
                                   f"{t('moderation.area', lang)}: {area_text(marker[need.id], lang)} · "
                                   f"{t('moderation.position', lang)}: {position_text(need, lang)} · "
                                   f"{status_word(need.status, lang)}"))
        if reports.get(need.id):
            st.warning(t("moderation.reports", lang, n=reports[need.id]))
        approve_col, reason_col, reject_col = st.columns([1, 2, 1])
        approve_col.button(t("moderation.approve", lang), key=f"approve_{need.id}", type="primary",
                           on_click=decide, args=(moderation.approve, need.id))
        reason_box(reason_col, f"reason_{need.id}")
        reject_col.button(t("moderation.reject", lang), key=f"reject_{need.id}", on_click=reject_with_reason,
                          args=(f"reason_{need.id}", moderation.reject, need.id))
        with st.popover(t("moderation.edit", lang)):
            with st.form(f"edit_{need.id}"):
                title = st.text_input(t("moderation.edit_title", lang), value=need.title, max_chars=120)
                description = st.text_area(t("moderation.edit_description", lang), value=need.description,
                                           max_chars=1000)
                if st.form_submit_button(t("moderation.save", lang)):
                    decide(moderation.edit, need.id, title=title, description=description, done="moderation.done_edit")
                    st.rerun()
        candidates = moderation.merge_targets(need)
        if candidates:
            target_col, merge_col = st.columns([3, 1])
            labels = {n.id: f"{n.reference} – {n.title} ({status_word(n.status, lang)})" for n in candidates}
            target_col.selectbox(t("moderation.merge_into", lang), list(labels), key=f"target_{need.id}",
                                 format_func=labels.get, index=None, placeholder=t("moderation.merge_choose", lang))
            merge_col.button(t("moderation.merge", lang), key=f"merge_{need.id}", on_click=merge_into,
                             args=(f"target_{need.id}", need.id, need.reference))
        else:
            st.caption(t("moderation.no_merge_target", lang))
