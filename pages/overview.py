"""Overview map: one indicator as a choropleth over one LOR level, with legend and table.

The start page ("/"): above the map, residents find their first action, a link
to report what is missing in their neighbourhood (/melden).

Choose a level and an indicator; the map shows classes, the legend beside it
explains them (with a 'keine Angabe' entry), the source line names dataset,
date and licence, and a sortable table below holds the same values, so nothing
here needs the map. Level and indicator are kept in the address bar, so a link shows
the same map (:mod:`ui.shared_views`). Heavy data (display geometry, indicator table) is cached per
level and data version; the map is built and rendered once per process and content
(:func:`ui.map_component.map_component`), not on every run.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.analysis.view_links import OverviewView, overview_query
from core.i18n import escape_markdown, t
from core.settings import Settings
from geodata import indicators
from geodata.display import display_geojson
from geodata.indicators import (
    DEFAULT_INDICATOR,
    INDICATORS,
    available_indicators,
    citation,
    indicator_at_level,
    not_at_level_note,
)
from geodata.lor import LEVEL_ORDER, LEVELS
from maps.base import (
    Basemap,
    choropleth_map,
    indicator_layer,
    legend_entries,
    legend_html,
)
from maps.classify import NEUTRAL
from ui import shared_views
from ui.context import asset_base, page_context
from ui.map_component import map_component


ctx = page_context()
settings, lang = ctx.settings, ctx.lang


@st.cache_data(show_spinner=False, max_entries=8)
def level_data(_settings: Settings, level: str, version: str) -> tuple[str, pd.DataFrame]:
    """Display GeoJSON and indicator table of one level; ``version`` keys the cache."""
    return display_geojson(_settings, level), indicators.indicator_table(_settings, level)


st.title(t("overview.title", lang))
# "/" is where residents land, and the map below is made for planners: their own first action
# (report what is missing, page /melden) comes before it.
with st.container(border=True, key="overview_report"):
    # The whole width is the tap target; the label a quarter larger than body text, wrapped on a
    # phone (a page link keeps its label on one line and cuts it off with an ellipsis).
    st.html("<style>.st-key-overview_report [data-testid=stPageLink-NavLink] span {white-space: normal}"
            ".st-key-overview_report [data-testid=stPageLink-NavLink] p {font-size: 1.25rem; line-height: 1.4}</style>")
    st.page_link("pages/report_need.py", label=t("overview.report_link", lang), icon=":material/add_location_alt:",
                 width="stretch")
    st.caption(t("report.intro", lang))
st.write(t("overview.intro", lang))
shared_views.restore_overview(lang)  # a shared link's level and indicator

left, right = st.columns(2)
level = left.selectbox(
    t("overview.level", lang), LEVEL_ORDER, format_func=lambda code: LEVELS[code].plural(lang), key="overview_level"
)
keys = available_indicators(level)
# Keep the chosen indicator when switching level; a PLR-only class indicator
# becomes its residents' share at coarser levels (e.g. MSS status -> share low/very low).
# After a language switch the browser may send the choice back as its old label.
chosen = st.session_state.get("overview_indicator")
shown, replaced = indicator_at_level(chosen or DEFAULT_INDICATOR, keys, keys[0])
if shown != chosen:
    st.session_state["overview_indicator"] = shown
if replaced:  # said until another level or indicator is chosen
    st.session_state["overview_indicator_note"] = (level, shown, replaced)
key = right.selectbox(
    t("overview.indicator", lang), keys, format_func=lambda k: INDICATORS[k].label(lang), key="overview_indicator"
)
if (note := st.session_state.get("overview_indicator_note")) and note[:2] == (level, key):
    st.info(not_at_level_note(note[2], key, lang))
indicator = INDICATORS[key]
lvl = LEVELS[level]
shared_views.mirror(overview_query(OverviewView(level, key)), lang, settings.language)  # the address bar holds the view

geojson, table = level_data(settings, level, indicators.data_version(settings))
values = table[key]
layer = indicator_layer(values, indicator, lang)
classification, texts, indicator_heading = layer.classification, layer.value_text, layer.heading
source_line = citation(key, lang)


def overview_map():
    return choropleth_map(
        geojson,
        classification,
        table["name"],
        value_text=texts,
        area_label=lvl.label(lang),
        indicator_label=indicator_heading,
        attribution=layer.attribution,
        basemap=Basemap.from_settings(settings),
        lang=lang,
        asset_base=asset_base(),
    )


map_column, legend_column = st.columns([3, 1])
with map_column:
    st.markdown(escape_markdown(t("overview.map_label", lang, indicator=indicator.label(lang), level=lvl.label(lang))))
    # Built and rendered once per process and content: a process's warm-up run prepares the
    # default map, so a first visitor's run sends it without rendering 542 areas again.
    content = ("overview", level, key, lang, indicators.data_version(settings), Basemap.from_settings(settings),
               asset_base())
    clicked = map_component(content, overview_map, key="overview_map", height=560, use_container_width=True,
                            returned_objects=["last_active_drawing"])
with legend_column:
    scheme = t(f"legend.scheme.{classification.scheme}", lang)
    st.html(legend_html(legend_entries(classification, lang), indicator_heading, lang))
    st.markdown(escape_markdown(scheme))
    direction_text = "legend.direction.neutral" if layer.direction == NEUTRAL else "legend.direction.up"
    st.markdown(escape_markdown(t(direction_text, lang)))

# The clicked area: its id comes from the browser, so look it up, never echo it.
feature = (clicked or {}).get("last_active_drawing") or {}
area_id = str((feature.get("properties") or {}).get("id", ""))
if area_id in table.index:
    st.markdown(escape_markdown(t("overview.selected", lang, name=table.at[area_id, "name"], id=area_id, value=texts[area_id])))
else:
    st.markdown(t("overview.select_hint", lang))

st.markdown(escape_markdown(f"{t('legend.source', lang)}: {source_line}"))
if indicator.note_text(lang):
    st.markdown(escape_markdown(indicator.note_text(lang)))

st.subheader(t("overview.table", lang))
rows = pd.DataFrame({t("column.name", lang): table["name"], indicator_heading: values.round(indicator.decimals)})
column_config = {
    "_index": st.column_config.TextColumn(t("column.id", lang)),
    indicator_heading: st.column_config.NumberColumn(format="localized" if not indicator.classes else "%d"),
}
if layer.class_labels is not None:
    rows[t("column.class", lang)] = texts.where(values.notna(), None)
st.dataframe(rows, column_config=column_config, width="stretch", height=360)
