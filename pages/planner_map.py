"""Planners' map (/karte): indicators and residents' needs per area, one area in focus, compare, export.

Thin: widgets in, :mod:`assessment.analysis.inventory` computes, :mod:`maps.planner` draws. The whole
view (level, indicator, filters, focus, comparison, overlays, the map's zoom and centre) is mirrored into
the URL query, so a link reproduces it; a bad parameter is named and falls back to its default. The map
and the focused area live in one fragment: a click on the map reruns that fragment, not the page. The map
moves only when the page means it to (:class:`maps.view.KeptView`): a new choropleth starts where the
planner was, an area put into focus or a place found by name is fitted once, and the planner's own
zooming and panning are never undone.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

from assessment.analysis import inventory
from assessment.analysis.inventory import NEEDS_PER_1000, ViewState
from assessment.needs.model import STATUSES
from assessment.needs.taxonomy import CATEGORIES
from core.i18n import date_input_format, escape_markdown, t
from geodata import indicators
from geodata.facilities import FACILITY_TYPES
from geodata.indicators import INDICATORS, available_indicators
from geodata.lor import COARSEST, LEVEL_ORDER, LEVELS
from maps import planner
from maps.base import Basemap, legend_entries, legend_html
from maps.view import MapView
from ui.backdrop import backdrop
from ui.cached import city, display_geometry, facility_points, level_data, plr_points
from ui.choices import indicator_select, per_language_key
from ui.context import STATIC_NODE_MODULES, asset_base, page_context
from ui.downloads import download_buttons
from ui.map_component import map_component
from ui.place_search import place_search
from ui.procedures import procedure_picker

FOCUS_LIST_LIMIT = 50

ctx = page_context()
settings, lang = ctx.settings, ctx.lang
version = indicators.data_version(settings)
store = ctx.store
roles = ctx.user.roles  # published needs only, unless a moderator or admin filters by status

# --- read a deep link once per visit: query parameters -> widget state -----------------------
if "planner_level" not in st.session_state:
    ids_by_level = {lvl: level_data(settings, lvl, version)[1].index for lvl in LEVEL_ORDER}
    st.session_state.update(inventory.state_from_query(st.query_params.to_dict(), ids_by_level)
                            .session_values("planner_", lang))
kept = st.session_state["planner_kept_view"]  # the map's view, imposed only on purpose (maps.view)

st.title(t("planner.title", lang))
st.write(t("planner.intro", lang))
for problem in st.session_state.pop("planner_link_problems", []):
    st.warning(escape_markdown(t("planner.link_problem", lang, problem=problem)))

# --- the view: level, Bezirk, indicator, overlays, filters ------------------------------------
choose, choose_one = t("planner.choose_options", lang), t("planner.choose_option", lang)
date_format = date_input_format(lang)
first, second, third, fourth = st.columns([1, 1, 2, 1.3])
level = first.selectbox(t("planner.level", lang), LEVEL_ORDER, format_func=lambda c: LEVELS[c].plural(lang),
                        key="planner_level", placeholder=choose_one)
bezirk_names = level_data(settings, COARSEST, version)[1]["name"]
coarsest = LEVELS[COARSEST]
bezirk = second.selectbox(coarsest.label(lang), [None, *bezirk_names.index], key="planner_bezirk",
                          format_func=lambda b: t("planner.bezirk_all", lang, levels=coarsest.in_sentence(lang))
                          if b is None else bezirk_names[b], disabled=level == COARSEST, placeholder=choose_one,
                          help=t("planner.bezirk_help", lang, level=coarsest.label(lang), levels=coarsest.plural(lang)))
keys = [NEEDS_PER_1000, *available_indicators(level)]
key = indicator_select(third, t("planner.indicator", lang), keys, key="planner_indicator", level=level,
                       fallback=keys[1], format_func=lambda k: inventory.indicator_label(k, lang), lang=lang,
                       placeholder=choose_one)
needs_mode = fourth.radio(t("planner.needs_layer", lang), inventory.NEEDS_LAYERS, key="planner_needs_layer",
                          format_func=lambda m: t(f"planner.layer.{m}", lang), horizontal=True)
with st.expander(t("planner.filters", lang), expanded=True):
    one, two, three, four, five = st.columns([2, 1, 1, 1, 1.5])
    categories = one.multiselect(t("planner.categories", lang), list(CATEGORIES), key="planner_categories",
                                 format_func=lambda c: CATEGORIES[c].label(lang), placeholder=choose)
    # The range mode comes from ``value`` (a tuple); it is the deep link's period and never
    # changes afterwards, so the widget keeps what the user picks.
    period = two.date_input(t("planner.period", lang), value=st.session_state.get("planner_period_initial", ()),
                            key="planner_period", format=date_input_format(lang))
    workshop = three.text_input(t("planner.workshop", lang), key="planner_workshop", max_chars=64)
    facility_kinds = four.multiselect(t("planner.facilities", lang), list(FACILITY_TYPES), key="planner_facilities",
                                      format_func=lambda k: FACILITY_TYPES[k].label(lang), placeholder=choose)
    procedure = procedure_picker(five, store, lang, "planner_procedure")  # a round of participation on its own
    if inventory.STAFF_ROLES.intersection(roles):
        wanted = st.multiselect(t("moderation.status_filter", lang), list(STATUSES), default=["published"],
                                key="planner_statuses", format_func=lambda s: t(f"moderation.status.{s}", lang),
                                placeholder=choose)
    else:
        wanted = None
        st.caption(t("planner.status_hint", lang))
statuses = inventory.visible_statuses(roles, wanted or None)

geojson, table = level_data(settings, level, version)
view = ViewState.from_widgets(level=level, indicator=key, categories=categories, period=period, workshop=workshop,
                              focus=st.session_state.get("planner_focus"), facilities=facility_kinds,
                              compare=st.session_state.get("planner_compare", []), needs_layer=needs_mode,
                              bezirk=bezirk, area_ids=table.index, procedure=procedure)
areas = view.areas(table.index)  # all of the level's, or one Bezirk's: listed, compared, exported
if st.session_state.get("planner_focus") != view.focus:  # an area of the former level
    st.session_state["planner_focus"] = view.focus
st.session_state["planner_compare"] = list(view.compare)
filters = view.filters(statuses)
store_filters = filters.store_kwargs()


def sync_query(**changes) -> None:
    """Write the view, with ``changes`` and the map's view, into the URL (only when it changed)."""
    state = replace(view, map_view=kept.current(), **changes)
    if st.query_params.to_dict() != (wanted := inventory.link_query(state, lang, settings.language)):
        st.query_params.from_dict(wanted)


sync_query()
# --- needs: counts per area of the level, the city, and the points or per-PLR counts ------------
needs = inventory.needs_per_1000(store.counts_by_area(level, **store_filters), table, level)
city_counts = inventory.city_need_counts(store.counts_by_area(COARSEST, **store_filters))
total_needs = int(city_counts["total"])
city_values = city(settings, version)
layer = inventory.view_layer(key, table, needs, lang)
heading = layer.heading
drawn = inventory.needs_to_draw(store, filters, total=total_needs, mode=needs_mode, level=level, needs=needs,
                                plr_points=lambda: plr_points(settings, version))
category_labels = {c: category.label(lang) for c, category in CATEGORIES.items()}
content = planner.PlannerMap(geojson, level, table["name"], layer, needs=drawn.points, per_area=drawn.per_area,
                             mode=needs_mode, categories=category_labels, lang=lang, asset_base=asset_base(),
                             facilities={k: facility_points(settings, k, version) for k in facility_kinds})
st.markdown(escape_markdown(t("planner.needs_shown_one", lang) if total_needs == 1
                            else t("planner.needs_shown", lang, n=total_needs)))
focus_label = partial(inventory.area_title, table, lang=lang)  # "name (id)" in lists and headings

# What the exports need of the map fragment's state: a download's callable runs on another thread (no
# st.session_state), and a map click reruns only the fragment, which writes into this dict for them.
export_state: dict = st.session_state.setdefault("planner_export_state", {})


@st.fragment
def map_and_focus() -> None:
    focus = st.session_state.get("planner_focus")
    place_search(settings, lang, "planner_search", on_pick=lambda p: kept.impose(MapView(p.zoom, (p.lat, p.lon))))
    # Never pass the browser's reports back: a lagging one would pull the map back (issue 18).
    kept.report(st.session_state.get("planner_map"))  # the browser's newest view, before the page moves it
    identity = content.identity()
    kept.on_map(identity)  # another choropleth is a new Leaflet map: where the planner was
    kept.fit("bezirk", bezirk if level != COARSEST else None, content.bounds(areas))  # each fitted once
    kept.fit("focus", focus, content.bounds([focus]) if focus else None)
    shown, needs_note = inventory.map_in_view(content, store, filters, drawn, kept.showing(),
                                              limit=settings.map_point_limit, lang=lang)
    map_column, legend_column = st.columns([3, 1])
    with map_column:
        st.markdown(escape_markdown(t("planner.map_label", lang, indicator=heading, level=LEVELS[level].label(lang))))
        drawn_on = backdrop(settings)  # base map and landmarks; built only for a map not drawn yet
        returned = map_component((identity, shown.overlays_identity(focus), drawn_on["basemap"]),
                                 partial(shown.folium_maps, drawn_on, focus), key="planner_map",
                                 height=560, use_container_width=True, returned_objects=list(planner.REPORTED_OBJECTS),
                                 **kept.st_folium_args())
        kept.report(returned)
        if needs_note:
            st.caption(needs_note)
    with legend_column:
        st.html(legend_html(legend_entries(layer.classification, lang), heading, lang))
        for line in layer.legend_notes(lang):
            st.markdown(escape_markdown(line))
        # What a reader must know about the figure (vintage, where the crime atlas counts), as on the overview.
        if key in INDICATORS and (note := INDICATORS[key].note_text(lang)):
            st.caption(escape_markdown(note))
        for overlay_legend in shown.overlay_legends():  # needs (dots, circles or heat), facilities
            st.html(overlay_legend)
    clicked, signature = planner.clicked_area(returned)  # an id to look up, never to echo
    if clicked in areas and signature != st.session_state.get("planner_click_seen"):
        st.session_state["planner_click_seen"] = signature
        if clicked != focus:
            st.session_state["planner_focus"] = clicked
            st.rerun(scope="fragment")
    focus = st.selectbox(t("planner.focus", lang), [None, *areas], key="planner_focus", format_func=focus_label,
                         placeholder=choose_one)
    export_state["focus"] = focus
    sync_query(focus=focus)
    if focus is None:
        return
    st.subheader(focus_label(focus))
    for title, profile in inventory.focus_tables(table, needs, focus, city_values, city_counts, level, lang):
        st.markdown(f"**{escape_markdown(title)}**")
        st.dataframe(profile, hide_index=True, width="stretch")
    st.caption(escape_markdown(inventory.needs_rate_sources(lang)))
    st.markdown(f"**{escape_markdown(t('planner.focus_list', lang))}**")
    listed = store.query(level=level, area_ids=[focus], **store_filters, limit=FOCUS_LIST_LIMIT)
    if not listed:
        st.text(t("planner.focus_no_needs", lang))
        return
    if len(listed) == FOCUS_LIST_LIMIT:
        st.caption(t("planner.focus_list_more", lang, n=FOCUS_LIST_LIMIT, total=int(needs.at[focus, "total"])))
    st.dataframe(inventory.needs_list(listed, lang), hide_index=True, width="stretch")


map_and_focus()

# --- compare areas: any two to MAX_COMPARE, or all of one Bezirk's ---------------------------------
st.subheader(t("planner.compare", lang, max=inventory.MAX_COMPARE))
if bezirk and level != COARSEST and 2 <= len(areas) <= inventory.MAX_COMPARE:
    st.button(t("planner.compare_bezirk", lang, n=len(areas), bezirk=bezirk_names[bezirk]),
              on_click=lambda: st.session_state.update(planner_compare=list(areas)))
# No "Select all" entry and no max_selections: Streamlit's own texts for them are English.
compare = st.multiselect(t("planner.compare", lang, max=inventory.MAX_COMPARE), areas, key="planner_compare",
                         placeholder=choose, format_func=focus_label, label_visibility="collapsed", select_all=False)
if len(compare) > inventory.MAX_COMPARE:
    st.warning(t("planner.compare_too_many", lang, max=inventory.MAX_COMPARE, n=len(compare)))
    compare = compare[:inventory.MAX_COMPARE]
compare_state = per_language_key(f"planner_compare_keys_{level}", lang)  # chips in the language shown
compare_keys = st.multiselect(t("planner.compare_indicators", lang), available_indicators(level),
                              default=None if compare_state in st.session_state
                              else inventory.default_compare_keys(key, table.columns),
                              format_func=lambda k: INDICATORS[k].label(lang), key=compare_state,
                              placeholder=choose)
sync_query(focus=st.session_state.get("planner_focus"), compare=tuple(compare))
if len(compare) < 2:
    st.caption(t("planner.compare_hint", lang, max=inventory.MAX_COMPARE))
else:
    compared = inventory.compare_table(table, compare, compare_keys, needs, lang)
    st.dataframe(inventory.style_compare(compared, compare_keys, lang), width="stretch")
    charts = st.columns(min(3, len(compared.index)))
    for i, (row, bars) in enumerate(inventory.compare_bars(compared, compare_keys, lang)):
        with charts[i % len(charts)]:
            st.caption(escape_markdown(row))
            st.bar_chart(bars, height=180, horizontal=True)
    st.caption(escape_markdown("; ".join(inventory.compare_sources(compare_keys, lang))))

# --- the current view as a table, and its export ------------------------------------------------
st.subheader(t("planner.table", lang))
rows = inventory.view_table(table.loc[areas], key, needs, lang, bezirke=bezirk_names, level=level)
# Up to ~15 areas (Bezirke) the whole table shows without scrolling.
st.dataframe(rows, hide_index=True, width="stretch", height=min(560, 40 + 36 * len(rows)))
st.markdown(f"**{escape_markdown(t('planner.sources', lang))}**")
for line in inventory.sources_for(key, lang=lang):
    st.markdown(f"- {escape_markdown(line)}")

st.subheader(t("planner.export", lang))
download_buttons(inventory.view_exports(
    rows, key, content, geometry=lambda: display_geometry(settings, level, version), static_root=STATIC_NODE_MODULES,
    basemap=Basemap.from_settings(settings), focus=lambda: export_state.get("focus"), bounds=lambda: kept.bounds,
    lang=lang))
st.caption(t("planner.export_note", lang))
if inventory.may_export_needs(roles):  # the needs themselves, with their texts: staff only
    download_buttons(inventory.needs_exports(store, filters, bezirk=bezirk if level != COARSEST else None, lang=lang))
    st.caption(t("planner.export_needs_note", lang))
