"""Assessment (/bewertung): the priority index a planner tunes, explains and hands in.

Choose a level and a preset, then change each indicator's weight and
direction, add or remove indicators and pick the normalisation. The page shows
the index as a map and as a ranked table (rank intervals, "too few" and "rank
not robust" flags), one area's explanation (contribution bars, and a table of
value, normalised value, direction, weight and contribution), the hotspots
with their significance, the unheard areas crossed with MSS status, the goals
with their evidence, and offers the report as HTML and PDF. All computation
lives in :mod:`assessment`; the page wires widgets to it and keeps them in the URL (a link restores them).

Heavy inputs (indicator table, full-detail geometry and its contiguity,
display geometry) are cached per level and data version; needs counts per the
database's :meth:`~assessment.needs.store.NeedStore.data_version` (fresh at the next run). The assessment
itself (index, robustness draws, hotspot permutations) is cached by its
inputs, so a rerun that changes none of them (another area to explain, a goal,
the language) computes nothing again. The two maps keep their Leaflet map in
the browser: only the coloured area layer is swapped when the weights change.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from assessment.analysis import presets, priority, report, tables
from assessment.analysis.assess import assess
from assessment.analysis.goals import GoalBook, GoalInput
from assessment.analysis.hotspots import contiguity
from assessment.needs.taxonomy import CATEGORIES
from assessment.needs.validation import ValidationError
from assessment.participation.auth import may_open
from core.i18n import escape_markdown, format_number, t
from core.settings import Settings
from geodata import indicators
from geodata.display import display_geojson, display_units
from geodata.lor import LEVEL_ORDER, LEVELS, load_units
from maps.base import Basemap, choropleth_base_map, choropleth_layer, legend_entries, legend_html
from maps.charts import contribution_bars
from ui import shared_views
from ui.context import asset_base, needs_store, page_context
from ui.goal_card import goal_card, goal_message
from ui.procedures import procedure_picker, procedure_report
from ui.widgets import icon_button, literal_table

ctx = page_context()
settings, lang, user = ctx.settings, ctx.lang, ctx.user
key_label = partial(priority.label, lang=lang)


@st.cache_resource(show_spinner=False, max_entries=8)
def level_inputs(_settings: Settings, level: str, version: str):
    """Indicator table, full-detail units with their contiguity, display geometry; per level and data version."""
    units = load_units(_settings, level)
    return (indicators.indicator_table(_settings, level), units, contiguity(units),
            display_geojson(_settings, level), display_units(_settings, level))


@st.cache_data(show_spinner=False, max_entries=8)
def needs_counts(_settings: Settings, database_url: str, level: str, procedure_id: str | None,
                 data_version: int) -> pd.DataFrame:
    """Published needs per area and category of ``level`` (one procedure's or all), fresh per ``data_version``."""
    return report.needs_matrix(needs_store(_settings).counts_by_area(level, procedure_id=procedure_id), level)


@st.cache_data(show_spinner=False, max_entries=32)
def assessment_of(_settings: Settings, level: str, version: str, spec: str | tuple, method: str,
                  counts: pd.DataFrame, min_residents: int, min_needs: int):
    """:func:`assess` of one level, cached by every input that changes its result.

    ``spec`` is a preset name or a tuple of ``(key, direction, weight)``; the
    counts frame is hashed by value, so new published needs give a new result.
    """
    table, units, neighbours, _, _ = level_inputs(_settings, level, version)
    return assess(table, spec, level=level, needs_counts=counts, units=units, neighbours=neighbours,
                  method=method, min_residents=min_residents, min_needs=min_needs)


def area_map(classes, texts: pd.Series, label: str, key: str, height: int, heading: str | None = None) -> None:
    """The level's areas coloured by ``classes``, the legend beside, the sources below; the base map stays."""
    map_col, legend_col = st.columns([3, 1])
    with map_col:
        if heading:
            st.markdown(escape_markdown(heading))
        # Sources under the map: in its attribution control they wrapped over the southern areas.
        st_folium(choropleth_base_map(geojson, Basemap.from_settings(settings), lang, asset_base()),
                  feature_group_to_add=choropleth_layer(
                      geojson, classes, names, value_text=texts, area_label=LEVELS[level].label(lang),
                      indicator_label=label, lang=lang),
                  key=key, height=height, use_container_width=True, returned_objects=[])
        st.caption(escape_markdown(f"{t('assess.sources', lang)}: {attribution}"))
    with legend_col:
        st.html(legend_html(legend_entries(classes, lang), label, lang))


st.title(t("assess.title", lang))
st.write(t("assess.intro", lang))
shared_views.restore_assessment(lang)  # a shared link's level, preset, weights (defaults: view_links)
c1, c2, c3, c4 = st.columns(4)
procedure_id = procedure_picker(c4, ctx.store, lang, "assess_procedure")  # one round of participation, or all
level = c1.selectbox(t("assess.level", lang), LEVEL_ORDER, key="assess_level", format_func=lambda c: LEVELS[c].plural(lang))
preset = c2.selectbox(t("assess.preset", lang), list(presets.PRESETS), key="assess_preset",
                      format_func=lambda p: presets.PRESETS[p].label(lang))
method = c3.selectbox(t("assess.method", lang), priority.NORMALISATIONS, key="assess_method",
                      format_func=lambda m: t(f"assess.method.{m}", lang))
# Filled once the weights are read: the preset's text only while its weights are unchanged.
preset_caption = st.empty()
loaded = st.session_state.get("assess_loaded")
if loaded != (level, preset):
    # Own weights come along to another level, what it lacks is named; else the preset's are loaded.
    own = ([(k, st.session_state.get(f"assess_d_{k}", 1), st.session_state.get(f"assess_w_{k}", 1.0))
            for k in st.session_state["assess_keys"]] if st.session_state.get("assess_own") else None)
    spec, dropped = presets.spec_for(level, preset, loaded=loaded, own=own)
    st.session_state["assess_keys"] = [key for key, _, _ in spec]
    for key, direction, weight in spec:
        st.session_state[f"assess_d_{key}"], st.session_state[f"assess_w_{key}"] = direction, weight
    st.session_state["assess_loaded"] = (level, preset)
    st.session_state["assess_carried"] = None if dropped is None else (level, dropped)

version = indicators.data_version(settings)
table, _, _, geojson, geometry = level_inputs(settings, level, version)
counts = needs_counts(settings, settings.database_url, level, procedure_id, ctx.store.data_version())

# --- indicators: weight, direction, add, remove ----------------------------------------------
st.subheader(t("assess.indicators", lang))
directions = {1: t("assess.more_need", lang), -1: t("assess.less_need", lang)}
keys: list[str] = list(st.session_state["assess_keys"])
for key in keys:
    name_col, weight_col, direction_col, remove_col = st.columns([3, 3, 2, 1], vertical_alignment="center")
    name_col.markdown(escape_markdown(key_label(key)))
    weight_col.slider(t("assess.weight", lang, indicator=key_label(key)), 0.0, presets.WEIGHT_MAX, step=0.25,
                      key=f"assess_w_{key}", label_visibility="collapsed")
    direction_col.radio(t("assess.direction", lang, indicator=key_label(key)), (1, -1),
                        format_func=directions.get, key=f"assess_d_{key}", label_visibility="collapsed")
    if len(keys) > 1 and icon_button(remove_col, t("assess.remove", lang, indicator=key_label(key)),
                                     ":material/close:", key=f"assess_rm_{key}"):
        st.session_state["assess_keys"] = [k for k in keys if k != key]
        st.rerun()

add_col, add_button = st.columns([4, 1], vertical_alignment="bottom")
extra = add_col.selectbox(t("assess.add", lang), presets.addable(level, keys), index=None, key="assess_add",
                          format_func=key_label, placeholder=t("assess.add_placeholder", lang))
if add_button.button(t("assess.add_button", lang), disabled=extra is None, key="assess_add_button"):
    _, st.session_state[f"assess_d_{extra}"], st.session_state[f"assess_w_{extra}"] = presets.added(extra)
    st.session_state["assess_keys"] = keys + [extra]
    st.rerun()

spec = [(k, st.session_state[f"assess_d_{k}"], st.session_state[f"assess_w_{k}"]) for k in keys]
shared_views.mirror_assessment(level, preset, method, spec, lang, settings.language)  # the address bar holds it
if not presets.has_weight(spec):
    st.warning(t("assess.all_zero", lang))
    st.stop()
unchanged, preset_line, carried_note = presets.weights_notes(spec, preset, level, lang,
                                                            carried=st.session_state.get("assess_carried"))
preset_caption.caption(escape_markdown(preset_line))
if carried_note:
    st.info(carried_note)
st.session_state["assess_own"] = not unchanged
# Unchanged preset weights: the preset's name, so the report and its checksum match the command line's.
result = assessment_of(settings, level, version, preset if unchanged else tuple(spec), method, counts,
                       settings.min_residents, settings.min_needs)
ranking, names = result.table(), table["name"]

st.expander(t("assess.method_words", lang), expanded=False).text(result.describe(lang))  # the preset's substitutions

# --- map and ranking ------------------------------------------------------------------------
attribution = tables.sources_line(result, lang)
id_column = {"_index": st.column_config.TextColumn(t("column.id", lang))}  # area ids as text, not numbers
area_map(report.score_classification(result, lang), tables.score_texts(result, lang), t("assess.score", lang),
         "assess_map", 480, heading=t("assess.map", lang, level=LEVELS[level].plural(lang)))
st.subheader(t("assess.ranking", lang))
# Scores with the language's decimal separator (97,3 in German); the numbers stay numbers for sorting.
score_format = {t("assess.score", lang): lambda v: format_number(v, 1, lang)}
st.dataframe(tables.ranking_rows(ranking, lang).style.format(score_format), width="stretch", height=360,
             column_config=id_column)  # its sources are under the map above

# --- one area's explanation -----------------------------------------------------------------
st.subheader(t("assess.explain", lang))
area = st.selectbox(t("assess.area", lang), list(ranking.index), key="assess_area",
                    format_func=lambda i: tables.area_label(names, i))
if (explained := tables.explain_area(result, area, lang, names=names)) is None:
    st.info(t("assess.explain_too_few", lang))
else:
    st.altair_chart(contribution_bars(explained.contributions, t("assess.contribution", lang)), width="stretch")
    literal_table(explained.rows, explained.title)  # what the bars rest on, to follow the score by hand
    st.text(explained.text)

# --- hotspots -------------------------------------------------------------------------------
st.subheader(t("assess.hotspots", lang))
area_map(report.hotspot_classification(result, lang), tables.hotspot_texts(result, lang),
         t("assess.col.hotspot", lang), "assess_hotspot_map", 420)
st.dataframe(tables.hotspot_rows(result, names, lang), width="stretch", column_config=id_column)

# --- unheard areas --------------------------------------------------------------------------
st.subheader(t("assess.unheard", lang))
if (unheard := tables.unheard_rows(result, names, lang)) is None:
    st.info(t("assess.unheard_none", lang))
else:
    st.dataframe(unheard, width="stretch", column_config=id_column)

# --- goals ----------------------------------------------------------------------------------
st.subheader(t("assess.goals", lang))
book = GoalBook(ctx.store)
if may_open(user, "goals"):  # planners and admins write goals; everyone reads them
    with st.form("assess_goal_form", clear_on_submit=True):
        title = st.text_input(t("assess.goal.title", lang), max_chars=200)
        field = st.selectbox(t("assess.goal.field", lang), list(CATEGORIES),
                             format_func=lambda c: CATEGORIES[c].label(lang))
        goal_areas = st.multiselect(t("assess.goal.areas", lang), list(ranking.index), default=[area],
                                    format_func=lambda i: tables.area_label(names, i),
                                    placeholder=t("planner.choose_options", lang))
        linkable = book.linkable_needs(level, area)
        goal_needs = st.multiselect(t("assess.goal.needs", lang), list(linkable), format_func=linkable.get,
                                    placeholder=t("planner.choose_options", lang))
        goal_keys = st.multiselect(t("assess.goal.indicators", lang), keys, default=keys, format_func=key_label,
                                   placeholder=t("planner.choose_options", lang))
        if st.form_submit_button(t("assess.goal.create", lang)):
            try:
                book.create(GoalInput(title, field, level, tuple(goal_areas), tuple(goal_needs), tuple(goal_keys), procedure_id),
                            created_by=user.name if user.is_staff else None, known_areas=set(table.index))
                st.success(t("assess.goal.created", lang))
            except ValidationError as refused:
                for error in refused.errors:
                    st.error(error.message(lang))
else:
    st.info(t("assess.goal.signin", lang))
goals = book.list(level=level, procedure_id=procedure_id)
if not goals:
    st.info(t("assess.goal.none", lang))
goal_message(lang)  # a planner edits a goal's title or withdraws it; the history keeps each earlier version
for goal in goals:
    goal_card(book, goal, names, lang, actor=user.name if may_open(user, "goals") and user.is_staff else None)

# --- the report -----------------------------------------------------------------------------
st.subheader(t("assess.report", lang))
st.write(t("assess.report_intro", lang))
report_html = partial(report.build_report, result, geometry, goals=goals, names=names, lang=lang,
                      generated_at=datetime.now(timezone.utc), **procedure_report(ctx.store, procedure_id))
file_stem = report.report_stem(result)
html_col, pdf_col = st.columns(2)
# Built on click only (a callable), so a weight change does not wait for the report.
html_col.download_button(t("assess.download_html", lang), report_html, file_name=f"{file_stem}.html",
                         mime="text/html", on_click="ignore", key="assess_download_html")
pdf_col.download_button(t("assess.download_pdf", lang), lambda: report.report_pdf(report_html()),
                        file_name=f"{file_stem}.pdf", mime="application/pdf", on_click="ignore",
                        key="assess_download_pdf")
