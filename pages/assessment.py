"""Assessment (/bewertung): the priority index a planner tunes, explains and hands in.

Choose a level and a preset, then change each indicator's weight and
direction, add or remove indicators and pick the normalisation. The page shows
the index as a map and as a ranked table (rank intervals, "too few" and "rank
not robust" flags), one area's explanation as contribution bars, the hotspots
with their significance, the unheard areas crossed with MSS status, the goals
with their evidence, and offers the report as HTML and PDF. All computation
lives in :mod:`assessment`; this page only wires widgets to it.

Heavy inputs (indicator table, full-detail geometry and its contiguity,
display geometry) are cached per level and data version; needs counts for a
minute, so new published needs show up without a restart. The assessment
itself (index, robustness draws, hotspot permutations) is cached by its
inputs, so a rerun that changes none of them (another area to explain, a goal,
the language) computes nothing again. The two maps keep their Leaflet map in
the browser: only the coloured area layer is swapped when the weights change.
"""

from __future__ import annotations

from datetime import datetime, timezone

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from assessment.analysis.assess import assess
from assessment.analysis.goals import GoalBook, GoalInput
from assessment.analysis.hotspots import contiguity
from assessment.analysis.presets import PRESETS, carry_over
from assessment.analysis.priority import NORMALISATIONS, catalogue_direction
from assessment.analysis.priority import label as indicator_label
from assessment.analysis.report import (
    build_report,
    hotspot_classification,
    needs_matrix,
    report_pdf,
    score_classification,
)
from assessment.analysis.smoothing import needs_keys
from assessment.needs.taxonomy import CATEGORIES
from assessment.needs.validation import ValidationError
from assessment.participation.auth import PAGE_ROLES
from core.i18n import escape_markdown, format_number, t
from core.settings import Settings
from geodata import indicators
from geodata.display import display_geojson, display_units
from geodata.indicators import INDICATORS, available_indicators
from geodata.lor import LEVEL_ORDER, LEVELS, load_units
from maps.base import (
    Basemap,
    choropleth_base_map,
    choropleth_layer,
    legend_entries,
    legend_html,
)
from ui.context import asset_base, needs_store, page_context

# The social preset needs no submitted needs, so it ranks every area on a fresh installation.
# (Comments, not attribute docstrings: Streamlit's magic would print a bare string on the page.)
DEFAULT_PRESET = "social"
WEIGHT_MAX = 5.0

ctx = page_context()
settings, lang = ctx.settings, ctx.lang


@st.cache_resource(show_spinner=False, max_entries=8)
def level_inputs(_settings: Settings, level: str, version: str):
    """Indicator table, full-detail units with their contiguity, display geometry; per level and data version."""
    units = load_units(_settings, level)
    return (indicators.indicator_table(_settings, level), units, contiguity(units),
            display_geojson(_settings, level), display_units(_settings, level))


@st.cache_data(show_spinner=False, ttl=60, max_entries=8)
def needs_counts(_settings: Settings, database_url: str, level: str) -> pd.DataFrame:
    """Published needs per area and category of ``level``; refreshed every minute."""
    return needs_matrix(needs_store(_settings).counts_by_area(level), level)


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


def signed_in_name() -> str | None:
    """The signed-in staff account that creates a goal (``None`` for an anonymous session)."""
    user = st.session_state.get("user")
    return user.name if user is not None and user.is_staff else None


def may_edit_goals() -> bool:
    """Whether this session may create goals: planners and admins (everyone reads them)."""
    user = st.session_state.get("user")
    return user is not None and bool(user.roles & PAGE_ROLES["goals"])


def key_label(key: str) -> str:
    return indicator_label(key, lang)


def reset_spec(level: str, preset: str) -> None:
    """Load the preset's components into the widgets' state (on a new preset, or a new level with its weights)."""
    components, _ = PRESETS[preset].components(level)
    st.session_state["assess_keys"] = [c.key for c in components]
    for c in components:
        st.session_state[f"assess_w_{c.key}"] = float(c.weight)
        st.session_state[f"assess_d_{c.key}"] = int(c.direction)
    st.session_state["assess_loaded"] = (level, preset)
    st.session_state.pop("assess_carried", None)


st.title(t("assess.title", lang))
st.write(t("assess.intro", lang))

c1, c2, c3 = st.columns(3)
level = c1.selectbox(t("assess.level", lang), LEVEL_ORDER, index=1, key="assess_level",
                     format_func=lambda code: LEVELS[code].plural(lang))
preset = c2.selectbox(t("assess.preset", lang), list(PRESETS), key="assess_preset",
                      index=list(PRESETS).index(DEFAULT_PRESET), format_func=lambda p: PRESETS[p].label(lang))
method = c3.selectbox(t("assess.method", lang), NORMALISATIONS, key="assess_method",
                      format_func=lambda m: t(f"assess.method.{m}", lang))
# Filled once the weights are read: the preset's text only while its weights are unchanged.
preset_caption = st.empty()
loaded = st.session_state.get("assess_loaded")
if loaded != (level, preset):
    if loaded is not None and loaded[1] == preset and st.session_state.get("assess_own"):
        # Own weights and another level: they come along (nothing the planner set is lost);
        # what the level does not have is named.
        own = [(k, st.session_state.get(f"assess_d_{k}", 1), st.session_state.get(f"assess_w_{k}", 1.0))
               for k in st.session_state["assess_keys"]]
        carried, dropped = carry_over(own, level)
        if carried:
            st.session_state["assess_keys"] = [k for k, _, _ in carried]
            for k, direction, weight in carried:
                st.session_state[f"assess_d_{k}"], st.session_state[f"assess_w_{k}"] = direction, weight
            st.session_state["assess_loaded"] = (level, preset)
            st.session_state["assess_carried"] = (level, tuple(dropped))
        else:
            reset_spec(level, preset)
    else:
        reset_spec(level, preset)

version = indicators.data_version(settings)
table, _, _, geojson, geometry = level_inputs(settings, level, version)
counts = needs_counts(settings, settings.database_url, level)
lvl = LEVELS[level]

# --- indicators: weight, direction, add, remove ----------------------------------------------
st.subheader(t("assess.indicators", lang))
directions = {1: t("assess.more_need", lang), -1: t("assess.less_need", lang)}
keys: list[str] = list(st.session_state["assess_keys"])
for key in keys:
    name_col, weight_col, direction_col, remove_col = st.columns([3, 3, 2, 1], vertical_alignment="center")
    name_col.markdown(escape_markdown(key_label(key)))
    weight_col.slider(t("assess.weight", lang, indicator=key_label(key)), 0.0, WEIGHT_MAX, step=0.25,
                      key=f"assess_w_{key}", label_visibility="collapsed")
    direction_col.radio(t("assess.direction", lang, indicator=key_label(key)), (1, -1),
                        format_func=directions.get, key=f"assess_d_{key}", label_visibility="collapsed")
    if len(keys) > 1 and remove_col.button("✕", key=f"assess_rm_{key}",
                                           help=t("assess.remove", lang, indicator=key_label(key))):
        st.session_state["assess_keys"] = [k for k in keys if k != key]
        st.rerun()

candidates = [k for k in available_indicators(level) + list(needs_keys())
              if k not in keys and (k in needs_keys() or catalogue_direction(k) in (1, -1)
                                    or INDICATORS[k].kind != "count")]
add_col, add_button = st.columns([4, 1], vertical_alignment="bottom")
extra = add_col.selectbox(t("assess.add", lang), candidates, index=None, key="assess_add",
                          format_func=key_label, placeholder=t("assess.add_placeholder", lang))
if add_button.button(t("assess.add_button", lang), disabled=extra is None, key="assess_add_button"):
    direction = catalogue_direction(extra) if extra in needs_keys() or extra in INDICATORS else None
    st.session_state[f"assess_w_{extra}"] = 1.0
    st.session_state[f"assess_d_{extra}"] = direction if direction in (1, -1) else 1
    st.session_state["assess_keys"] = keys + [extra]
    st.rerun()

spec = [(k, st.session_state[f"assess_d_{k}"], st.session_state[f"assess_w_{k}"]) for k in keys]
if sum(w for _, _, w in spec) <= 0:
    st.warning(t("assess.all_zero", lang))
    st.stop()
# Unchanged preset weights: pass the preset's name, so the report and its input hash match
# `python -m assessment report --preset ...` for the same data.
preset_components = PRESETS[preset].components(level)[0]
unchanged = [(c.key, c.direction, c.weight) for c in preset_components] == spec
if unchanged:
    # What the preset is at this level: class indicators stand in by their shares above PLR,
    # indicators published for PLR only drop out (the description names the PLR set).
    used = ", ".join(f"{key_label(c.key)} ({format_number(c.weight, 2 if c.weight % 1 else 0, lang)})"
                     for c in preset_components)
    kept = {c.key for c in preset_components}
    dropped = [key_label(key) for key, _ in PRESETS[preset].weights
               if key not in kept and (INDICATORS[key].derived_share if key in INDICATORS else None) not in kept]
    lines = [PRESETS[preset].description(lang),
             t("assess.preset_at_level", lang, level=lvl.plural(lang), components=used)]
    if dropped:
        lines.append(t("assess.preset_dropped", lang, indicators=", ".join(dropped)))
    preset_caption.caption(escape_markdown(" ".join(lines)))
else:
    preset_caption.caption(escape_markdown(t("assess.preset_changed", lang, preset=PRESETS[preset].label(lang))))
    if (carried := st.session_state.get("assess_carried")) and carried[0] == level:
        lines = [t("assess.carried", lang, level=lvl.plural(lang))]
        if carried[1]:
            lines.append(t("assess.carried_dropped", lang, indicators=", ".join(key_label(k) for k in carried[1])))
        st.info(" ".join(lines))
st.session_state["assess_own"] = not unchanged
result = assessment_of(settings, level, version, preset if unchanged else tuple(spec), method, counts,
                       settings.min_residents, settings.min_needs)
ranking = result.table()
names = table["name"]

with st.expander(t("assess.method_words", lang), expanded=False):
    st.text(result.describe(lang))  # with the preset's substitutions at this level

# --- map and ranking ------------------------------------------------------------------------
scores = score_classification(result, lang)
score_text = result.index.scores["score"].map(
    lambda v: format_number(v, 1, lang) if pd.notna(v) else t("assess.flag.too_few", lang))
map_col, legend_col = st.columns([3, 1])
attribution = "; ".join(dict.fromkeys([*result.sources(lang), t("assess.needs_source", lang)]))
with map_col:
    st.markdown(escape_markdown(t("assess.map", lang, level=lvl.plural(lang))))
    # The base map depends on the level only; a new weight swaps the area layer inside it.
    st_folium(choropleth_base_map(geojson, Basemap.from_settings(settings), lang, asset_base()),
              feature_group_to_add=choropleth_layer(
                  geojson, scores, names, value_text=score_text, area_label=lvl.label(lang),
                  indicator_label=t("assess.score", lang), attribution=attribution, lang=lang),
              key="assess_map", height=480, use_container_width=True, returned_objects=[])
with legend_col:
    st.html(legend_html(legend_entries(scores, lang), t("assess.score", lang), lang))

st.subheader(t("assess.ranking", lang))


def note(row: pd.Series) -> str:
    notes = []
    if row["status"] == "too_few":
        notes.append(t("assess.flag.too_few", lang))
    elif row["status"] == "incomplete":
        notes.append(t("assess.flag.incomplete", lang))
    if row.get("top_n_not_robust") is True:
        notes.append(t("assess.flag.not_robust", lang))
    return "; ".join(notes)


rows = pd.DataFrame({
    t("assess.col.rank", lang): ranking["rank"],
    t("column.name", lang): ranking["name"],
    t("assess.score", lang): ranking["score"].round(1),
    t("assess.col.interval", lang): [
        "" if pd.isna(lo) else f"{int(lo)}–{int(hi)}" for lo, hi in zip(ranking["rank_low"], ranking["rank_high"])],
    t("assess.col.note", lang): ranking.apply(note, axis=1),
    t("assess.col.burden", lang): ranking["burdens"] if "burdens" in ranking else None,
    t("assess.col.hotspot", lang): ranking["hotspot"].map(lambda c: t(f"assess.hotspot.{c}", lang)),
}, index=ranking.index)
# Scores with the language's decimal separator (97,3 in German); the numbers stay numbers for sorting.
score_column = t("assess.score", lang)
st.dataframe(rows.style.format({score_column: lambda v: format_number(v, 1, lang)}), width="stretch", height=360,
             column_config={"_index": st.column_config.TextColumn(t("column.id", lang))})
st.caption(escape_markdown(f"{t('assess.sources', lang)}: {attribution}"))

# --- one area's explanation -----------------------------------------------------------------
st.subheader(t("assess.explain", lang))
area = st.selectbox(t("assess.area", lang), list(ranking.index), key="assess_area",
                    format_func=lambda i: f"{names.get(i, i)} ({i})")
contributions = result.index.contributions.loc[area].rename(index=key_label).dropna()
if result.index.scores.at[area, "status"] == "too_few" or contributions.empty:
    st.info(t("assess.explain_too_few", lang))
else:
    # Full indicator names on the axis (a plain bar chart cut them to the same "Anteil Einwohner …").
    frame = contributions.rename_axis("indicator").reset_index(name="value")
    st.altair_chart(
        alt.Chart(frame).mark_bar().encode(
            x=alt.X("value:Q", title=t("assess.contribution", lang)),
            y=alt.Y("indicator:N", sort=None, title=None, axis=alt.Axis(labelLimit=520)),
            tooltip=[alt.Tooltip("indicator:N", title=" "), alt.Tooltip("value:Q", format=".1f", title=" ")],
        ),
        width="stretch",
    )
    # The same numbers as a table (screen readers, copying).
    st.dataframe(contributions.round(1).rename(t("assess.contribution", lang)).to_frame()
                 .style.format(lambda v: format_number(v, 1, lang)), width="stretch")
    st.text(t("assess.explain_sum", lang, score=format_number(result.index.scores.at[area, "score"], 1, lang)))

# --- hotspots -------------------------------------------------------------------------------
st.subheader(t("assess.hotspots", lang))
hot = hotspot_classification(result, lang)
hot_col, hot_legend = st.columns([3, 1])
with hot_col:
    hot_text = result.hotspots["q"].map(lambda q: f"q = {format_number(q, 3, lang)}" if pd.notna(q) else "")
    st_folium(choropleth_base_map(geojson, Basemap.from_settings(settings), lang, asset_base()),
              feature_group_to_add=choropleth_layer(
                  geojson, hot, names, value_text=hot_text, area_label=lvl.label(lang),
                  indicator_label=t("assess.col.hotspot", lang), attribution=attribution, lang=lang),
              key="assess_hotspot_map", height=420, use_container_width=True, returned_objects=[])
with hot_legend:
    st.html(legend_html(legend_entries(hot, lang), t("assess.col.hotspot", lang), lang))
significant = result.hotspots[~result.hotspots["class"].isin(["not_significant", "no_value"])]
st.dataframe(pd.DataFrame({t("column.name", lang): names.reindex(significant.index),
                           t("assess.col.hotspot", lang): hot.classes.reindex(significant.index).map(
                               lambda c: hot.labels[int(c)]),
                           "z": significant["z"].round(2), "q": significant["q"].round(3)}),
             width="stretch", column_config={"_index": st.column_config.TextColumn(t("column.id", lang))})

# --- unheard areas --------------------------------------------------------------------------
st.subheader(t("assess.unheard", lang))
unheard = result.unheard
listed = unheard[unheard["outreach"].isin(["unheard_low_status", "unheard"])] if unheard is not None else None
if listed is None or listed.empty or not (unheard["needs"] > 0).any():
    st.info(t("assess.unheard_none", lang))
else:
    st.dataframe(pd.DataFrame({
        t("column.name", lang): names.reindex(listed.index),
        t("assess.col.outreach", lang): listed["outreach"].map(lambda o: t(f"assess.outreach.{o}", lang)),
        t("assess.col.needs", lang): listed["needs"], t("assess.col.expected", lang): listed["expected"].round(1),
        t("assess.col.mss_low", lang): listed["mss_low_share"].round(0),
    }), width="stretch", column_config={"_index": st.column_config.TextColumn(t("column.id", lang))})

# --- goals ----------------------------------------------------------------------------------
st.subheader(t("assess.goals", lang))
store = ctx.store
book = GoalBook(store)
if may_edit_goals():
    with st.form("assess_goal_form", clear_on_submit=True):
        title = st.text_input(t("assess.goal.title", lang), max_chars=200)
        field = st.selectbox(t("assess.goal.field", lang), list(CATEGORIES),
                             format_func=lambda c: CATEGORIES[c].label(lang))
        goal_areas = st.multiselect(t("assess.goal.areas", lang), list(ranking.index), default=[area],
                                    format_func=lambda i: f"{names.get(i, i)} ({i})",
                                    placeholder=t("planner.choose_options", lang))
        needs_frame = store.query_frame(level=level, area_ids=[area], statuses=("published",))
        need_options = dict(zip(needs_frame.get("id", []), needs_frame.get("reference", [])))
        titles = dict(zip(needs_frame.get("id", []), needs_frame.get("title", [])))
        goal_needs = st.multiselect(t("assess.goal.needs", lang), list(need_options),
                                    format_func=lambda n: f"{need_options[n]} – {titles[n]}",
                                    placeholder=t("planner.choose_options", lang))
        goal_keys = st.multiselect(t("assess.goal.indicators", lang), keys, default=keys, format_func=key_label,
                                   placeholder=t("planner.choose_options", lang))
        if st.form_submit_button(t("assess.goal.create", lang)):
            try:
                book.create(GoalInput(title, field, level, tuple(goal_areas), tuple(goal_needs), tuple(goal_keys)),
                            created_by=signed_in_name(), known_areas=set(table.index))
                st.success(t("assess.goal.created", lang))
            except ValidationError as refused:
                for error in refused.errors:
                    st.error(error.message(lang))
else:
    st.info(t("assess.goal.signin", lang))
goals = book.list(level=level)
if not goals:
    st.info(t("assess.goal.none", lang))
for goal in goals:
    with st.container(border=True):
        st.text(goal.title)
        st.text(f"{t('assess.goal.field', lang)}: {CATEGORIES[goal.field_of_action].label(lang)}")
        st.text(f"{t('assess.goal.areas', lang)}: " + ", ".join(f"{names.get(a, a)} ({a})" for a in goal.area_ids))
        st.text(f"{t('assess.goal.needs', lang)}: " + (", ".join(n[:8].upper() for n in goal.need_ids) or "–"))
        st.text(f"{t('assess.goal.indicators', lang)}: "
                + ("; ".join(key_label(k) if k in INDICATORS or k in needs_keys() else k
                             for k in goal.indicator_keys) or "–"))

# --- the report -----------------------------------------------------------------------------
st.subheader(t("assess.report", lang))
st.write(t("assess.report_intro", lang))
stamp = datetime.now(timezone.utc)


def report_html() -> str:
    return build_report(result, geometry, goals=goals, names=names, lang=lang, generated_at=stamp)


def report_bytes() -> bytes:
    return report_pdf(report_html())


file_stem = f"bestandsaufnahme_{level}_{result.fingerprint()[:8]}"
html_col, pdf_col = st.columns(2)
# Built on click only (a callable), so a weight change does not wait for the report.
html_col.download_button(t("assess.download_html", lang), report_html, file_name=f"{file_stem}.html",
                         mime="text/html", on_click="ignore", key="assess_download_html")
pdf_col.download_button(t("assess.download_pdf", lang), report_bytes, file_name=f"{file_stem}.pdf",
                        mime="application/pdf", on_click="ignore", key="assess_download_pdf")
