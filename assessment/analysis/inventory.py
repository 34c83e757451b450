"""The planners' inventory: indicators and residents' needs per area, side by side.

Plain Python behind the planners' map (``pages/planner_map.py``): everything the
page shows or exports is computed here, so a notebook or a script gets the same
numbers as the screen.

* **Needs per 1,000 residents** by category at any LOR level, recomputed from
  sums: the needs counted in an area (:meth:`NeedStore.counts_by_area`) divided
  by the residents summed over that area, times 1,000 - never a mean of PLR
  rates. An area without residents (or with confidential, missing residents)
  has no rate: NaN, never infinity or 0.
* **The profile of one area**: every indicator beside the Berlin value, each
  with its source, reference date and licence.
* **The map's content**: the choropleth of the chosen indicator or of needs
  per 1,000 residents (:func:`view_layer`), and the needs to draw - each need,
  or their counts per planning area beyond :data:`maps.planner.POINT_LIMIT`
  (:func:`needs_to_draw`); beyond it, from street zoom on, each need inside the
  map's view, up to a limit per view (:func:`needs_in_view`, :func:`map_needs_note`).
* **One Bezirk's areas**: at the finer levels the planner may restrict the
  view to one Bezirk (:meth:`ViewState.areas`); the table names each area's
  Bezirk (:func:`view_table`).
* **Comparison** of two to :data:`MAX_COMPARE` areas, and the **exports** of the
  current view (:func:`view_exports`): a plain CSV (header first, for
  programs), an Excel workbook with the table and a sheet of its sources (for
  German spreadsheets, which split a CSV's commas into nothing), GeoJSON or
  GeoPackage with the display geometry and an attribution column, the map as
  HTML or PNG; every text cell spreadsheet-safe. Staff also export the needs
  themselves as points (:func:`needs_exports`).
* **Deep links**: the view (level, indicator, filters, focused and compared
  areas, the map's zoom and centre) as URL query parameters and back, with a
  readable message for every parameter that had to fall back to its default;
  the view as the page's widgets hold it (:meth:`ViewState.widget_values`,
  :meth:`ViewState.from_widgets`), and the map view a link opens at
  (:meth:`ViewState.kept_view`).

Examples
--------
>>> counts = pd.DataFrame({"PLR_ID": ["a", "a", "b"], "category": ["mobility", "housing", "mobility"],
...                        "count": [3, 1, 2]})
>>> residents = pd.Series([2000.0, 0.0], index=pd.Index(["a", "b"], name="PLR_ID"))
>>> wide = need_counts(counts, "PLR", residents.index)
>>> wide["total"].tolist()
[4, 2]
>>> per_1000(wide["total"], residents).tolist()
[2.0, nan]
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from assessment.needs.exchange import neutralise
from assessment.needs.model import STATUSES
from assessment.needs.taxonomy import CATEGORIES, category_label
from geodata.catalogue import DATASETS
from core.i18n import format_date, format_number, t
from geodata.indicators import (
    DEFAULT_INDICATOR,
    INDICATORS,
    add_ratios,
    available_indicators,
    citation,
    not_at_level_note,
    sum_columns,
)
from geodata.profile import active_profile
from geodata.lor import APP_NAME, COARSEST, FINEST, LEVEL_ORDER, LEVELS, Level, get_level, parent_ids
from maps.base import CITY_BOUNDS, IndicatorLayer, indicator_layer, value_texts
from maps.classify import MORE_NEED_IF_HIGHER, classify_numeric
from maps.planner import MAX_ZOOM, MIN_ZOOM, POINT_LIMIT, PlannerMap
from maps.view import STREET_ZOOM, Bounds, KeptView, MapView

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

    from assessment.needs.model import Need

#: The pseudo-indicator "needs per 1,000 residents" (filtered needs over summed residents).
NEEDS_PER_1000 = "needs_per_1000"

#: What the public (and every planner without a staff role) may see.
PUBLIC_STATUSES = ("published",)

#: Roles that may filter by moderation status (:mod:`assessment.participation.auth` roles); everyone
#: else sees published needs only (see :func:`visible_statuses`).
STAFF_ROLES = frozenset({"moderator", "admin"})

#: Compare at most this many areas side by side: every Bezirksregion of any one Bezirk
#: (Treptow-Köpenick has the most, 20), and the 12 Bezirke. Streamlit's own message at the
#: limit is English, so the limit must not be where planners work.
MAX_COMPARE = 20

def needs_source(lang: str = "de") -> str:
    """Where the needs come from, in ``lang``: the attribution of needs in every figure and export
    that counts them (message ``inventory.needs_source``)."""
    return t("inventory.needs_source", lang, app=APP_NAME)


#: The attribution of needs in German, the source language (logs, tests).
NEEDS_SOURCE = needs_source("de")

_AREA_ID = re.compile(r"[\w.\-]{1,64}")
"""What a link may give as an area id of a level whose profile states no id rule: a short word."""
CITY = active_profile()


# --- filters ---------------------------------------------------------------------------------


def visible_statuses(roles: Iterable[str] = (), wanted: Iterable[str] | None = None) -> tuple[str, ...]:
    """The need statuses a user may see: published only, unless the user has a staff role.

    This is the hook for the sign-in of a later issue: once roles exist, the
    page passes the signed-in user's roles and the status filter appears for
    staff. Without a staff role, ``wanted`` is ignored.

    >>> visible_statuses()
    ('published',)
    >>> visible_statuses((), wanted=["pending"])
    ('published',)
    >>> visible_statuses({"moderator"}, wanted=["pending", "published"])
    ('pending', 'published')
    """
    if not STAFF_ROLES.intersection(roles):
        return PUBLIC_STATUSES
    chosen = tuple(wanted) if wanted is not None else PUBLIC_STATUSES
    unknown = [s for s in chosen if s not in STATUSES]
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}: use one of {', '.join(STATUSES)}")
    return chosen


@dataclass(frozen=True)
class NeedFilters:
    """Which needs count: categories (empty = all), a date range, a workshop, statuses.

    ``since`` and ``until`` are calendar days in UTC, both inclusive.

    >>> f = NeedFilters(categories=("mobility",), since=date(2026, 1, 1), until=date(2026, 1, 31))
    >>> kwargs = f.store_kwargs()
    >>> kwargs["categories"], kwargs["since"].isoformat(), kwargs["until"].isoformat()
    (['mobility'], '2026-01-01T00:00:00+00:00', '2026-02-01T00:00:00+00:00')
    """

    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    workshop_id: str | None = None
    statuses: tuple[str, ...] = PUBLIC_STATUSES
    #: Only the needs of this participation procedure (:mod:`assessment.needs.procedures`).
    procedure_id: str | None = None

    def store_kwargs(self) -> dict:
        """Keyword arguments for :meth:`NeedStore.query` and :meth:`NeedStore.counts_by_area`."""
        return {
            "categories": list(self.categories) or None,
            "since": _day_start(self.since) if self.since else None,
            # ``until`` is inclusive for people, exclusive for the store.
            "until": _day_start(self.until + timedelta(days=1)) if self.until else None,
            "workshop_id": self.workshop_id or None,
            "statuses": list(self.statuses),
            "procedure_id": self.procedure_id or None,
        }


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


# --- needs per area ------------------------------------------------------------------------


def need_counts(counts: pd.DataFrame, level: str, area_ids: Iterable[str]) -> pd.DataFrame:
    """Counts by category as one row per area: a column per category and ``total``.

    Parameters
    ----------
    counts : DataFrame
        :meth:`NeedStore.counts_by_area` at ``level`` with ``by_category=True``
        (columns ``<LEVEL>_ID``, ``category``, ``count``).
    level : str
        PLR, BZR, PGR or BEZ.
    area_ids : iterable of str
        Every area of the level, so areas without needs get 0 (not missing: no
        published need is a count of zero).

    Returns
    -------
    DataFrame
        Indexed by area id, one int column per category id in taxonomy order, then ``total``.
    """
    id_column = get_level(level).id_column
    index = pd.Index([str(a) for a in area_ids], name=id_column)
    missing = {id_column, "category", "count"} - set(counts.columns)
    if missing:
        raise ValueError(
            f"counts lacks the column(s) {sorted(missing)}: pass store.counts_by_area({level!r}, by_category=True)"
        )
    wide = counts.pivot_table(index=id_column, columns="category", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=index, columns=list(CATEGORIES), fill_value=0).fillna(0).astype("int64")
    wide["total"] = wide.sum(axis=1)
    return wide


def per_1000(counts: pd.Series | pd.DataFrame, residents: pd.Series) -> pd.Series | pd.DataFrame:
    """Needs per 1,000 residents from summed counts and summed residents of the same areas.

    Zero or missing residents give NaN: a rate over nobody is unknown, not
    infinite. Pass sums of the same areas (e.g. both at Bezirk level); the
    mean of finer rates would weight a small PLR like a large one.

    >>> per_1000(pd.Series([5, 1, 0], index=list("abc")), pd.Series([2500.0, 0.0, None], index=list("abc"))).tolist()
    [2.0, nan, nan]
    """
    safe = residents.astype(float).where(residents.astype(float) > 0)
    if isinstance(counts, pd.DataFrame):
        return counts.astype(float).div(safe.reindex(counts.index), axis=0) * 1000.0
    return counts.astype(float) / safe.reindex(counts.index) * 1000.0


def needs_per_1000(counts: pd.DataFrame, indicator_table: pd.DataFrame, level: str) -> pd.DataFrame:
    """Counts and rates per 1,000 residents by category for every area of ``level``.

    Parameters
    ----------
    counts : DataFrame
        :meth:`NeedStore.counts_by_area` at ``level`` (by category).
    indicator_table : DataFrame
        :func:`geodata.indicators.indicator_table` at the same level (its
        ``population`` is the residents summed over each area).

    Returns
    -------
    DataFrame
        Indexed by area id; columns ``<category>`` and ``total`` (counts) and
        ``<category>_per_1000`` and ``total_per_1000`` (rates, NaN without residents).
    """
    wide = need_counts(counts, level, indicator_table.index)
    rates = per_1000(wide, indicator_table["population"])
    rates.columns = [f"{c}_per_1000" for c in wide.columns]
    return pd.concat([wide, rates], axis=1)


# --- what the map draws: the choropleth, and the needs as points or counts ------------------


def view_layer(key: str, table: pd.DataFrame, needs: pd.DataFrame, lang: str = "de") -> IndicatorLayer:
    """Classes, texts, heading and sources of the choropleth of ``key`` at the table's level.

    An indicator is drawn as :func:`maps.base.indicator_layer` draws it everywhere;
    :data:`NEEDS_PER_1000` (the filtered needs per 1,000 residents of
    :func:`needs_per_1000`) gets five quantile classes, two decimals, darker =
    more need, and the sources of residents, LOR and needs.

    >>> table = pd.DataFrame({"name": ["A", "B"], "population": [1000.0, 0.0]}, index=["01", "02"])
    >>> needs = pd.DataFrame({"total_per_1000": [2.5, np.nan]}, index=["01", "02"])
    >>> layer = view_layer(NEEDS_PER_1000, table, needs, "en")
    >>> layer.heading, layer.value_text.tolist()
    ('Needs per 1,000 residents', ['2.50', 'no data'])
    """
    if key != NEEDS_PER_1000:
        return indicator_layer(table[key], INDICATORS[key], lang)
    values = needs["total_per_1000"]
    return IndicatorLayer(
        classify_numeric(values, k=5, direction=MORE_NEED_IF_HIGHER, decimals=2, lang=lang),
        value_texts(values, decimals=2, lang=lang),
        indicator_heading(key, lang),
        "; ".join(sources_for(key, lang=lang)),
        MORE_NEED_IF_HIGHER,
        None,
    )


@dataclass(frozen=True)
class MapNeeds:
    """The needs a map draws: each need (``points``), or their counts per planning area (``per_area``), or none.

    ``points`` has ``lat``, ``lon``, ``category``, ``title`` per need;
    ``per_area`` has ``lat``, ``lon``, ``name`` and ``count`` per planning area
    (every PLR, 0 where nothing matches) - the two inputs of
    :func:`maps.planner.needs_layer`.
    """

    points: pd.DataFrame | None = None
    per_area: pd.DataFrame | None = None
    #: True when ``points`` are only the needs inside the map's view (:func:`needs_in_view`);
    #: ``capped`` when the view holds more than were drawn; ``closest`` when the map cannot zoom in further.
    in_view: bool = False
    capped: bool = False
    closest: bool = False

    @property
    def aggregated(self) -> bool:
        """True when too many needs match to draw each: the map shows counts per planning area."""
        return self.per_area is not None


def needs_to_draw(store: Any, filters: NeedFilters, *, total: int, mode: str, level: str, needs: pd.DataFrame,
                  plr_points: Callable[[], pd.DataFrame], limit: int = POINT_LIMIT) -> MapNeeds:
    """The needs matching ``filters`` as the map draws them: each need up to ``limit``, else counts per PLR.

    Parameters
    ----------
    store : NeedStore
        Where the needs are (:meth:`NeedStore.query`, :meth:`NeedStore.counts_by_area`).
    total : int
        How many needs match, counted already (all of Berlin). The choice is made
        on this count: building thousands of needs only to learn that there are
        too many would cost more than the whole map.
    mode : {"points", "heat", "off"}
        The needs layer; ``"off"`` draws none (nor does a total of 0).
    level, needs : str, DataFrame
        The view's level and its :func:`needs_per_1000`: at PLR level its counts
        are the counts per planning area, so the store is not asked twice.
    plr_points : callable
        Returns a point inside each planning area with its ``name``
        (:func:`geodata.lor.representative_points`), called only when aggregating.
    limit : int
        At most this many needs are drawn one by one (:data:`maps.planner.POINT_LIMIT`).
    """
    if mode == "off" or total == 0:
        return MapNeeds()
    kwargs = filters.store_kwargs()
    if total <= limit:
        found = store.query(**kwargs, limit=limit)
        points = pd.DataFrame([(n.lat, n.lon, n.category, n.title) for n in found],
                              columns=["lat", "lon", "category", "title"])
        return MapNeeds(points=points)
    per_plr = (needs["total"] if level == FINEST
               else store.counts_by_area(FINEST, by_category=False, **kwargs).set_index(LEVELS[FINEST].id_column)["count"])
    return MapNeeds(per_area=plr_points().assign(count=per_plr).fillna({"count": 0}))


def needs_in_view(store: Any, filters: NeedFilters, drawn: MapNeeds, shown: tuple[MapView, Bounds] | None, *,
                  limit: int, street_zoom: float = STREET_ZOOM) -> MapNeeds:
    """The needs of one map view: each need inside it at street zoom when Berlin has too many to draw each.

    Beyond the point limit :func:`needs_to_draw` gives counts per planning area,
    which at street zoom hide where in the area a need lies. From ``street_zoom``
    on, the store is asked for the needs inside the view
    (:meth:`NeedStore.points_in_bounds`, fast with any number of needs): at most
    ``limit``, the newest, and ``capped`` says when the view holds more. Below
    street zoom, or when every need is drawn anyway, or with no view known yet,
    ``drawn`` is returned as it is.

    Parameters
    ----------
    drawn : MapNeeds
        What :func:`needs_to_draw` chose for all of Berlin.
    shown : (MapView, bounds) or None
        The view the map shows (:meth:`maps.view.KeptView.showing`).
    limit : int
        At most this many needs in one view (``BEDARFSATLAS_MAP_POINT_LIMIT``).

    Examples
    --------
    >>> class Store:  # holds three needs in the view
    ...     def points_in_bounds(self, south, west, north, east, limit, **filters):
    ...         rows = [(52.5, 13.4, "mobility", f"Bank {i}") for i in range(3)]
    ...         return pd.DataFrame(rows[:limit], columns=["lat", "lon", "category", "title"])
    >>> counts = MapNeeds(per_area=pd.DataFrame({"lat": [52.5], "lon": [13.4], "name": ["A"], "count": [5000]}))
    >>> street = (MapView(16.0, (52.5, 13.4)), (52.49, 13.39, 52.51, 13.41))
    >>> found = needs_in_view(Store(), NeedFilters(), counts, street, limit=2)
    >>> len(found.points), found.in_view, found.capped, found.aggregated
    (2, True, True, False)
    >>> needs_in_view(Store(), NeedFilters(), counts, (MapView(14.0, (52.5, 13.4)), street[1]), limit=2) is counts
    True
    """
    if not drawn.aggregated or shown is None or shown[0].zoom < street_zoom:
        return drawn
    found = store.points_in_bounds(*shown[1], limit=limit + 1, **filters.store_kwargs())
    return MapNeeds(points=found.head(limit), in_view=True, capped=len(found) > limit, closest=shown[0].zoom >= MAX_ZOOM)


def map_needs_note(drawn: MapNeeds, lang: str = "de", *, limit: int) -> str | None:
    """What the caption under the map says about the needs drawn, or ``None`` when every need is drawn.

    ``limit`` is the number of needs drawn in one view at most (the note when the
    view holds more says how many it shows).

    >>> counts = MapNeeds(per_area=pd.DataFrame({"lat": [], "lon": [], "name": [], "count": []}))
    >>> map_needs_note(counts, "en", limit=1000)[:82]
    'More than 3,000 needs: the map shows their count per area (Planning area). Zoom in'
    >>> points = pd.DataFrame({"lat": [52.5] * 2, "lon": [13.4] * 2, "category": ["mobility"] * 2, "title": ["a", "b"]})
    >>> map_needs_note(MapNeeds(points=points, in_view=True), "en", limit=1000)
    'Street level: the map shows all 2 needs in this view.'
    >>> map_needs_note(MapNeeds(points=points, in_view=True, capped=True), "en", limit=2)
    'This view holds more than 2 needs; the map shows the 2 newest. Zoom in further to see all.'
    >>> map_needs_note(MapNeeds(points=points, in_view=True, capped=True, closest=True), "en", limit=2)
    'This view holds more than 2 needs; the map shows the 2 newest (it cannot zoom in further).'
    >>> map_needs_note(MapNeeds(points=points), "en", limit=1000) is None
    True
    """
    if drawn.aggregated:
        return t("planner.inview.zoom_in", lang, limit=format_number(POINT_LIMIT, 0, lang),
                 level=LEVELS[FINEST].label(lang))
    if not drawn.in_view:
        return None
    if drawn.capped:
        return t("planner.inview.capped_closest" if drawn.closest else "planner.inview.capped", lang, n=limit)
    return t("planner.inview.shown", lang, n=len(drawn.points)) if len(drawn.points) else t("planner.inview.none", lang)


def map_in_view(content: PlannerMap, store: Any, filters: NeedFilters, drawn: MapNeeds,
                shown: tuple[MapView, Bounds] | None, *, limit: int, lang: str = "de") -> tuple[PlannerMap, str | None]:
    """The planners' map for the view it shows, and the note under it: :func:`needs_in_view`, :func:`map_needs_note`.

    ``content`` holds the needs of all of Berlin (``drawn``); the map's layers are
    swapped in place in the browser, so a new set of needs in view does not move
    the map (:meth:`maps.planner.PlannerMap.identity` stays).
    """
    in_view = needs_in_view(store, filters, drawn, shown, limit=limit)
    return replace(content, needs=in_view.points, per_area=in_view.per_area), map_needs_note(in_view, lang, limit=limit)


# --- the city's value and the profile of one area -------------------------------------------


def city_values(plr_table: pd.DataFrame) -> pd.Series:
    """Every sum and ratio indicator for Berlin as a whole, recomputed from summed counts.

    Pass the Bezirk table (:func:`geodata.indicators.indicator_table` at ``"BEZ"``) to
    include the indicators that start at a coarser level than PLR (the crime atlas);
    the PLR table gives the same values for all others.

    >>> plr = pd.DataFrame({"population": [100.0, 900.0], "pop_under6": [10.0, 90.0]}, index=["a", "b"])
    >>> float(city_values(plr)["share_under6"])
    10.0
    """
    summed = plr_table[sum_columns(plr_table)].sum(min_count=1).to_frame().T
    return add_ratios(summed).iloc[0]


def city_need_counts(counts: pd.DataFrame) -> pd.Series:
    """The needs of all of Berlin by category, plus their ``total``, from counts per area.

    ``counts`` is :meth:`NeedStore.counts_by_area` at any level, by category
    (the Bezirke are the fewest rows); :func:`needs_profile` sets an area's
    rates beside these.

    >>> counts = pd.DataFrame({"BEZ_ID": ["01", "01", "02"], "category": ["mobility", "housing", "mobility"],
    ...                        "count": [2, 4, 1]})
    >>> city_need_counts(counts).to_dict()
    {'housing': 4, 'mobility': 3, 'total': 7}
    """
    summed = counts.groupby("category")["count"].sum()
    summed["total"] = int(summed.sum())
    return summed


def indicator_text(key: str, value: object, lang: str) -> str:
    """One value as readers see it: number with unit, class label, or 'keine Angabe'.

    >>> indicator_text("share_under6", 5.04, "de"), indicator_text("mss_status", 4.0, "en")
    ('5,0 %', '4 – very low')
    >>> indicator_text("share_under6", float("nan"), "en")
    'no data'
    """
    if value is None or pd.isna(value):
        return t("legend.missing", lang)
    if key == NEEDS_PER_1000:
        return format_number(float(value), 2, lang)
    ind = INDICATORS[key]
    if ind.classes:
        label = ind.class_label(value, lang)
        return f"{int(value)} – {label}" if label else format_number(float(value), 0, lang)
    return f"{format_number(float(value), ind.decimals, lang)} {ind.unit(lang)}".strip()


def area_profile(table: pd.DataFrame, area_id: str, city: pd.Series, level: str, lang: str = "de") -> pd.DataFrame:
    """Every indicator of one area beside the value of the whole city, with source, date and licence.

    Parameters
    ----------
    table : DataFrame
        :func:`geodata.indicators.indicator_table` at ``level``.
    area_id : str
        An id of ``table``.
    city : Series
        :func:`city_values`. Class indicators (finest level only) have no value for the city.

    Returns
    -------
    DataFrame
        One row per indicator available at ``level``, columns (in ``lang``):
        indicator, value of the area, Berlin value, source (dataset, reference
        date, licence); plain text, nothing to interpret as markup.
    """
    if area_id not in table.index:
        raise KeyError(f"area {area_id!r} is not a {level} id of this table: pick one of its index")
    rows = []
    for key in available_indicators(level):
        if key not in table.columns:
            continue
        rows.append(
            {
                t("planner.col.indicator", lang): INDICATORS[key].label(lang),
                t("planner.col.area_value", lang): indicator_text(key, table.at[area_id, key], lang),
                t("planner.col.city", lang, city=CITY.city_label(lang)): indicator_text(key, city.get(key), lang),
                t("planner.col.source", lang): citation(key, lang),
            }
        )
    return pd.DataFrame(rows)


def needs_profile(needs: pd.DataFrame, area_id: str, city_needs: pd.Series, city_residents: float,
                  lang: str = "de") -> pd.DataFrame:
    """Needs of one area by category: count, per 1,000 residents, and the Berlin rate.

    ``needs`` is :func:`needs_per_1000`; ``city_needs`` the counts by category
    for all of Berlin (same filters), ``city_residents`` Berlin's residents.
    """
    rows = []
    for category in [*CATEGORIES, "total"]:
        label = CATEGORIES[category].label(lang) if category in CATEGORIES else t("planner.all_categories", lang)
        city_rate = float(city_needs.get(category, 0)) / city_residents * 1000 if city_residents > 0 else np.nan
        rows.append(
            {
                t("planner.col.category", lang): label,
                t("planner.col.needs", lang): int(needs.at[area_id, category]),
                t("planner.col.per_1000", lang): _round(needs.at[area_id, f"{category}_per_1000"], 2),
                t("planner.col.city_per_1000", lang, city=CITY.city_label(lang)): _round(city_rate, 2),
            }
        )
    return pd.DataFrame(rows)


def focus_tables(table: pd.DataFrame, needs: pd.DataFrame, area_id: str, city: pd.Series,
                 city_needs: pd.Series, level: str, lang: str = "de") -> list[tuple[str, pd.DataFrame]]:
    """The tables of the area in focus, each with its heading: every indicator beside Berlin, its needs.

    :func:`area_profile` and :func:`needs_profile` (the city's residents from ``city``).
    """
    return [
        (t("planner.focus_indicators", lang, city=CITY.city_label(lang)), area_profile(table, area_id, city, level, lang)),
        (t("planner.focus_needs", lang),
         needs_profile(needs, area_id, city_needs, float(city["population"]), lang)),
    ]


def needs_rate_sources(lang: str = "de") -> str:
    """The source line under :func:`needs_profile`: the needs, and the residents they are divided by."""
    return f"{t('legend.source', lang)}: {needs_source(lang)}; {citation('population', lang)}"


def _round(value: float, decimals: int) -> float:
    return float(np.round(value, decimals)) if value is not None and not pd.isna(value) else np.nan


def area_title(table: pd.DataFrame, area_id: str | None, lang: str = "de") -> str:
    """An area as lists and headings name it: "name (id)"; ``None`` is "none" (no area in focus).

    >>> table = pd.DataFrame({"name": ["Mitte"]}, index=["01"])
    >>> area_title(table, "01"), area_title(table, None, "en")
    ('Mitte (01)', '— none —')
    """
    if area_id is None:
        return t("planner.focus_none", lang)
    return t("planner.focus_title", lang, name=table.at[area_id, "name"], id=area_id)


def needs_list(listed: Sequence["Need"], lang: str = "de") -> pd.DataFrame:
    """Needs as a table for readers: date (in the language's format), category, title, supports, reference.

    Titles are residents' words: a table cell shows them as text, nothing here
    interprets them.
    """
    return pd.DataFrame({
        t("planner.col.date", lang): [format_date(n.created_at.date(), lang) for n in listed],
        t("planner.col.category", lang): [category_label(n.category, lang) for n in listed],
        t("planner.col.title", lang): [n.title for n in listed],
        t("planner.col.supports", lang): [n.support_count for n in listed],
        t("planner.col.reference", lang): [n.reference for n in listed],
    })


# --- the current view's table, comparison, export --------------------------------------------


def indicator_heading(key: str, lang: str) -> str:
    """The column heading of an indicator: its label and unit."""
    if key == NEEDS_PER_1000:
        return t("planner.needs_per_1000", lang)
    return INDICATORS[key].heading(lang)


def indicator_label(key: str, lang: str) -> str:
    """The name of an indicator in a list to choose from (no unit: the map's heading names it).

    >>> indicator_label("share_65plus", "en"), indicator_label(NEEDS_PER_1000, "en")
    ('Share aged 65 and over', 'Needs per 1,000 residents')
    """
    return indicator_heading(key, lang) if key == NEEDS_PER_1000 else INDICATORS[key].label(lang)


def view_table(table: pd.DataFrame, key: str, needs: pd.DataFrame, lang: str = "de",
               bezirke: pd.Series | None = None, level: Level | str | None = None) -> pd.DataFrame:
    """The current view as one row per area: id, name, Bezirk, indicator value, needs and needs per 1,000.

    Values are rounded as shown (the indicator's decimals, rates to 2), so the
    screen and the CSV hold the same numbers. ``key`` may be :data:`NEEDS_PER_1000`;
    its column is then the filtered needs per 1,000 residents. ``bezirke`` (the
    names of the coarsest level's areas by id) with ``level`` (the level of the
    rows) adds each area's area of the coarsest level, found as the profile says
    its levels nest (:func:`geodata.lor.parent_ids`); the coarsest areas themselves
    get none. Pass the rows of one Bezirk (:meth:`ViewState.areas`) to export only those.

    >>> table = pd.DataFrame({"name": ["Wedding Zentrum"], "population": [1000.0]}, index=["011001"])
    >>> needs = pd.DataFrame({"total": [2], "total_per_1000": [2.0]}, index=["011001"])
    >>> view_table(table, NEEDS_PER_1000, needs, "en", bezirke=pd.Series({"01": "Mitte"}),
    ...            level=get_level("BZR")).columns.tolist()
    ['ID', 'Name', 'District', 'Needs', 'Needs per 1,000 residents']
    """
    id_heading, name_heading = t("column.id", lang), t("column.name", lang)
    rows = pd.DataFrame({id_heading: table.index.astype(str), name_heading: table["name"].astype(str).values})
    if bezirke is not None:
        if level is None:
            raise ValueError("view_table: pass level= (the level of the rows) with bezirke, to find each area's "
                             f"{COARSEST} area")
        level = get_level(level)
        if level.code != COARSEST:
            parents = parent_ids(pd.Series(table.index.astype(str)), COARSEST, of=level)
            rows[LEVELS[COARSEST].label(lang)] = parents.map(bezirke).astype(str).values
    if key != NEEDS_PER_1000:
        decimals = INDICATORS[key].decimals if not INDICATORS[key].classes else 0
        rows[indicator_heading(key, lang)] = table[key].astype(float).round(decimals).values
    rows[t("planner.col.needs", lang)] = needs["total"].reindex(table.index).fillna(0).astype("int64").values
    rows[t("planner.needs_per_1000", lang)] = needs["total_per_1000"].reindex(table.index).round(2).values
    return rows


def compare_table(table: pd.DataFrame, area_ids: Sequence[str], keys: Sequence[str], needs: pd.DataFrame,
                  lang: str = "de") -> pd.DataFrame:
    """Two to four areas side by side: one row per indicator, one column per area (values as numbers)."""
    if not 2 <= len(area_ids) <= MAX_COMPARE:
        raise ValueError(f"compare 2 to {MAX_COMPARE} areas, got {len(area_ids)}: {list(area_ids)!r}")
    unknown = [a for a in area_ids if a not in table.index]
    if unknown:
        raise KeyError(f"area(s) {unknown!r} are not in the table of this level")
    columns = {f"{table.at[a, 'name']} ({a})": a for a in area_ids}
    data = {}
    for heading, area in columns.items():
        values = {indicator_heading(k, lang): float(table.at[area, k]) if k in table.columns else np.nan for k in keys}
        values[t("planner.col.needs", lang)] = float(needs.at[area, "total"])
        values[t("planner.needs_per_1000", lang)] = needs.at[area, "total_per_1000"]
        data[heading] = values
    return pd.DataFrame(data)


#: Indicators compared until the planner picks others (the view's own comes first): the profile
#: helpers' ``COMPARE_DEFAULTS``, else the first three that exist at every level.
COMPARE_DEFAULTS: tuple[str, ...] = tuple(getattr(CITY.helpers, "COMPARE_DEFAULTS", ()) or [
    key for key, ind in INDICATORS.items() if ind.aggregation in ("sum", "ratio")][:3])


def default_compare_keys(key: str, columns: Iterable[str]) -> list[str]:
    """The indicators to compare before the planner picks: the view's own, residents, young and old.

    Only those in ``columns`` (the level's table), each once.

    >>> default_compare_keys("population", ["population", "share_under18", "share_65plus"])
    ['population', 'share_under18', 'share_65plus']
    >>> default_compare_keys(NEEDS_PER_1000, ["population"])
    ['population']
    """
    present = set(columns)
    return list(dict.fromkeys(k for k in (key, *COMPARE_DEFAULTS) if k in present))


def compare_decimals(keys: Sequence[str], lang: str = "de") -> dict[str, int]:
    """Decimals of each row of :func:`compare_table` by its heading: the indicator's, needs 0, rates 2.

    >>> compare_decimals(["share_65plus"], "en")
    {'Share aged 65 and over (%)': 1, 'Needs': 0, 'Needs per 1,000 residents': 2}
    """
    decimals = {indicator_heading(k, lang): INDICATORS[k].decimals for k in keys}
    return decimals | {t("planner.col.needs", lang): 0, t("planner.needs_per_1000", lang): 2}


def style_compare(compared: pd.DataFrame, keys: Sequence[str], lang: str = "de") -> "Styler":
    """:func:`compare_table` for the screen: each row rounded to its decimals, the language's separators.

    12,8 not 12.8087; the values underneath stay numbers (sorting, copying).
    A row not named by :func:`compare_decimals` shows 2 decimals.
    """
    decimals = compare_decimals(keys, lang)
    styled = compared.style
    for row in compared.index:
        styled = styled.format(lambda v, d=decimals.get(row, 2): format_number(v, d, lang),
                               subset=pd.IndexSlice[[row], :])
    return styled


def compare_bars(compared: pd.DataFrame, keys: Sequence[str], lang: str = "de") -> list[tuple[str, pd.DataFrame]]:
    """One bar chart's data per row of :func:`compare_table`: (heading, a ``value`` column by area).

    Values rounded as in :func:`style_compare`, so a bar's tooltip shows the table's number.
    """
    decimals = compare_decimals(keys, lang)
    return [(row, compared.loc[row].astype(float).round(decimals.get(row, 2)).rename("value").to_frame())
            for row in compared.index]


def compare_sources(keys: Sequence[str], lang: str = "de") -> list[str]:
    """Citations under the comparison: each compared indicator's, then the needs', each once."""
    return list(dict.fromkeys([citation(k, lang) for k in keys] + [needs_source(lang)]))


def sources_for(key: str, with_needs: bool = True, lang: str = "de") -> list[str]:
    """Citations (source, reference date, licence) of the view: the indicator's datasets, LOR, needs."""
    lines = [citation("population" if key == NEEDS_PER_1000 else key, lang)]
    lines.append(DATASETS[LEVELS[FINEST].dataset].citation(lang))
    if with_needs:
        lines.append(needs_source(lang))
    return list(dict.fromkeys(lines))


#: The exports of a view: file suffix -> media type (the page offers them in this order).
EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "html": "text/html",
    "png": "image/png",
}


@dataclass(frozen=True)
class Download:
    """One file a page offers, built only when its button is clicked: label, builder, media type, file name."""

    label: str
    build: Callable[[], bytes]
    mime: str
    file_name: str


def view_exports(rows: pd.DataFrame, key: str, content: PlannerMap, *, geometry: Callable[[], Any],
                 static_root: Any, basemap: Any = None, focus: Callable[[], str | None] = lambda: None,
                 bounds: Callable[[], Any] = lambda: None, lang: str = "de") -> list[Download]:
    """Every export of the view, in :data:`EXPORT_TYPES` order, each built only when its button is clicked.

    A page hands these to download buttons, which call them when clicked (on
    another thread: what the map's fragment knows, its focus and the bounds the
    browser showed, is read through ``focus`` and ``bounds`` at that moment).

    Parameters
    ----------
    rows : DataFrame
        :func:`view_table`: the table (CSV, workbook) and the areas with their values (GeoJSON, GeoPackage).
    key : str
        The view's indicator: its sources (:func:`sources_for`, :func:`source_table`) and the file names.
    content : maps.planner.PlannerMap
        The map on screen: the HTML file and the picture draw it.
    geometry : callable
        Returns the level's display geometry by area id (EPSG:4326).
    static_root, basemap
        The front-end assets to inline into the HTML file, and the base map.
    """
    sources = sources_for(key, lang=lang)
    attribution = " | ".join(sources)
    build: dict[str, Callable[[], bytes]] = {
        "csv": lambda: export_csv(rows),
        "xlsx": lambda: export_xlsx(rows, source_table(key, lang), lang),
        "geojson": lambda: export_geo(rows, geometry(), sources, "geojson"),
        "gpkg": lambda: export_geo(rows, geometry(), sources, "gpkg"),
        "html": lambda: content.to_html(static_root, focus=focus(), basemap=basemap, attribution=attribution,
                                        title=f"{APP_NAME}: {content.layer.heading}").encode("utf-8"),
        "png": lambda: content.to_png(geometry(), attribution=attribution, bounds=bounds(), focus=focus()),
    }
    return [Download(t(f"planner.export_{suffix}", lang), build[suffix], mime,
                     export_file_name(content.level, key, suffix)) for suffix, mime in EXPORT_TYPES.items()]


#: Who may export the needs themselves (each need with its text and place) from /karte: those
#: who moderate them and those who plan with them - the roles of the staff pages /moderation
#: and the goals (:data:`assessment.participation.auth.PAGE_ROLES`, which this layer may not import).
NEEDS_EXPORT_ROLES = frozenset({"moderator", "admin", "planner"})


def may_export_needs(roles: Iterable[str]) -> bool:
    """Whether a user with ``roles`` may export the needs as points (:data:`NEEDS_EXPORT_ROLES`).

    >>> may_export_needs({"planner"}), may_export_needs(()), may_export_needs({"facilitator"})
    (True, False, False)
    """
    return bool(NEEDS_EXPORT_ROLES.intersection(roles))


def needs_exports(store: Any, filters: NeedFilters, *, bezirk: str | None = None,
                  lang: str = "de") -> list[Download]:
    """The needs that match the view's filters as points, CSV and GeoJSON, for staff (:func:`may_export_needs`).

    Written by :func:`assessment.needs.exchange.export_needs`: every need with
    its LOR keys, category, text, status and place; CSV cells that a
    spreadsheet would run as a formula are neutralised; the GeoJSON carries the
    data dictionary and attribution. ``bezirk`` restricts them to one Bezirk; with a
    procedure in the filters, the answers to its questions are columns of their own.
    """
    from assessment.needs.exchange import export_needs

    from assessment.needs.procedures import ProcedureBook

    query = filters.store_kwargs()
    if bezirk:
        query.update(level=COARSEST, area_ids=[bezirk])
    # One procedure's needs carry its answers as columns (export_needs filters by it).
    procedure_id = query.pop("procedure_id", None)

    def build(fmt: str) -> bytes:
        import tempfile
        from pathlib import Path

        procedure = ProcedureBook(store).get(procedure_id) if procedure_id else None
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"needs.{fmt}"
            export_needs(store, path, fmt, procedure=procedure, **query)
            return path.read_bytes()

    name = f"bedarfsatlas_bedarfe_{bezirk or re.sub(r'[^a-z0-9]+', '_', CITY.name.lower())}"
    return [Download(t(f"planner.export_needs_{fmt}", lang), lambda fmt=fmt: build(fmt), EXPORT_TYPES[fmt],
                     f"{name}.{fmt}") for fmt in ("csv", "geojson")]


def procedure_exports(store: Any, procedure: Any, lang: str = "de") -> list[Download]:
    """Every need of a participation procedure, of any status, as CSV, GeoJSON and GeoPackage, for staff.

    Written by :func:`assessment.needs.exchange.export_needs` with the procedure's
    answer columns; each file is built only when its button is clicked.
    """
    from assessment.needs.exchange import export_needs

    def build(fmt: str) -> bytes:
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"needs.{fmt}"
            export_needs(store, path, fmt, statuses=None, procedure=procedure)
            return path.read_bytes()

    return [Download(t(f"procedures.download_{fmt}", lang), lambda fmt=fmt: build(fmt), EXPORT_TYPES[fmt],
                     f"bedarfsatlas_verfahren_{procedure.id}.{fmt}") for fmt in ("csv", "geojson", "gpkg")]


def export_file_name(level: str, key: str, suffix: str) -> str:
    """The name of an export of the view: what it shows, so downloads of several views do not collide.

    >>> export_file_name("BEZ", "share_65plus", "csv")
    'bedarfsatlas_bez_share_65plus.csv'
    """
    return f"bedarfsatlas_{level.lower()}_{key}.{suffix}"


def _spreadsheet_safe(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with text cells neutralised (:func:`~assessment.needs.exchange.neutralise`) and whole floats as integers.

    Headers are text cells too. Numbers stay numbers; a float column of whole
    numbers becomes integers (6844, not 6844.0), missing values stay missing.
    """
    safe = rows.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralise(str(v)) if isinstance(v, str) else v)
        elif pd.api.types.is_float_dtype(safe[column]):
            values = safe[column].dropna()
            if len(values) and np.isfinite(values).all() and (values == values.round()).all():
                safe[column] = safe[column].astype("Int64")
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe


def export_csv(rows: pd.DataFrame) -> bytes:
    """The view's table as plain UTF-8 CSV: the header is the first line, commas, decimal points.

    For programs (``pandas.read_csv``, R, QGIS), so nothing precedes the header:
    the sources are in the workbook (:func:`export_xlsx`), on the page and in
    the README. Text cells that a spreadsheet would run as a formula (``=``,
    ``+``, ``-``, ``@`` ...) get a leading ``'``
    (:func:`assessment.needs.exchange.neutralise`); numbers stay numbers.

    >>> rows = pd.DataFrame({"Name": ["=HYPERLINK(1)", "Mitte"], "Bedarfe": [1, 2], "Quote": [2.0, None]})
    >>> print(export_csv(rows).decode())
    Name,Bedarfe,Quote
    '=HYPERLINK(1),1,2
    Mitte,2,
    <BLANKLINE>
    """
    return _spreadsheet_safe(rows).to_csv(index=False, lineterminator="\n").encode("utf-8")


def source_table(key: str, lang: str = "de", exported: date | None = None) -> pd.DataFrame:
    """One row per dataset behind a view of ``key``: dataset, publisher, reference date, licence, attribution, URL.

    The datasets of the indicator (residents for :data:`NEEDS_PER_1000`), the
    LOR geometry, then the residents' needs as of ``exported`` (default today).
    A licence the re-publisher did not record says "noch zu prüfen", as in
    every citation.

    >>> table = source_table("share_65plus", "en", exported=date(2026, 3, 1))
    >>> table.columns.tolist()
    ['Dataset', 'Publisher', 'Reference date', 'Licence', 'Attribution', 'Source (URL)']
    >>> table["Reference date"].tolist()[-1], table["Publisher"].tolist()[-1]
    ('2026-03-01', 'Bedarfsatlas Berlin')
    """
    from geodata.indicators import sources as indicator_sources

    datasets = indicator_sources("population" if key == NEEDS_PER_1000 else key)
    datasets = list({ds.key: ds for ds in [*datasets, DATASETS[LEVELS[FINEST].dataset]]}.values())
    rows = [(ds.title(lang), ds.publisher, ds.date_text(lang),
             t("inventory.licence_to_verify", lang, licence=ds.licence) if ds.licence_note else ds.licence,
             ds.attribution, ds.source_url) for ds in datasets]
    day = exported or date.today()
    rows.append((t("planner.sources_needs", lang), APP_NAME,
                 format_date(day, lang), t("planner.sources_needs_licence", lang),
                 needs_source(lang), ""))
    columns = [t(f"planner.sources_col.{c}", lang) for c in ("dataset", "publisher", "date", "licence",
                                                              "attribution", "url")]
    return pd.DataFrame(rows, columns=columns)


def export_xlsx(rows: pd.DataFrame, sources: pd.DataFrame, lang: str = "de") -> bytes:
    """The view's table as an Excel workbook: the table, and a sheet of its sources (:func:`source_table`).

    German spreadsheets open a comma-separated file in one column; a workbook
    opens as it is, its numbers as numbers in the reader's own format. The
    first sheet ("Tabelle") is the table with a fixed, bold header row; the
    second ("Quellen") names source, reference date, licence and attribution
    of each dataset. Text cells are neutralised as in :func:`export_csv` and
    written as text, never as formulas; characters a workbook cannot hold
    (control characters) are left out.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.properties.creator = APP_NAME
    for sheet, frame, name in ((workbook.active, rows, t("planner.xlsx_table", lang)),
                               (workbook.create_sheet(), sources, t("planner.xlsx_sources", lang))):
        sheet.title = name
        safe = _spreadsheet_safe(frame)
        for row in [list(safe.columns), *safe.astype(object).itertuples(index=False)]:
            sheet.append([_xlsx_value(v, ILLEGAL_CHARACTERS_RE) for v in row])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, also when it begins with "=": never a formula
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(cell.value)) for cell in column if cell.value is not None)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value: object, illegal: re.Pattern) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, str):
        return illegal.sub("", value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def export_geo(rows: pd.DataFrame, geometry: "pd.Series", sources: Sequence[str], fmt: str) -> bytes:
    """The view's table with each area's display geometry, as GeoJSON or GeoPackage.

    Parameters
    ----------
    rows : DataFrame
        :func:`view_table` (first column the area id).
    geometry : GeoSeries
        Display geometry in EPSG:4326 by area id (:func:`geodata.display.display_units`):
        simplified for the screen (about 60 m), not the official boundary.
    sources : list of str
        Written into a ``quelle`` column of every feature (GeoJSON and GeoPackage
        alike have no portable place for dataset metadata) and, in GeoJSON, also
        as a top-level ``attribution`` member.
    fmt : {"geojson", "gpkg"}
    """
    import geopandas as gpd

    if fmt not in ("geojson", "gpkg"):
        raise ValueError(f"fmt must be 'geojson' or 'gpkg', got {fmt!r}")
    ids = rows.iloc[:, 0].astype(str)
    frame = gpd.GeoDataFrame(rows.reset_index(drop=True), geometry=list(geometry.reindex(ids).values), crs="EPSG:4326")
    frame["quelle"] = " | ".join(sources)
    # Column names with spaces and brackets are legal but awkward in GIS: keep them, QGIS shows them as is.
    if fmt == "geojson":
        collection = json.loads(frame.to_json(drop_id=True))
        collection["attribution"] = list(sources)
        return json.dumps(collection, ensure_ascii=False).encode("utf-8")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bedarfsatlas_karte.gpkg"
        frame.to_file(path, driver="GPKG", layer="karte")
        return path.read_bytes()


# --- deep links: the view <-> URL query parameters -------------------------------------------


@dataclass(frozen=True)
class ViewState:
    """Everything that makes a view of the planners' map, as it goes into a link.

    The page's widgets hold the same view in their own forms (lists, a date
    range, '' for no workshop): :meth:`widget_values` gives those, and
    :meth:`from_widgets` reads them back.

    >>> view = ViewState(level="BEZ", categories=("mobility",), since=date(2026, 1, 1), until=date(2026, 1, 31))
    >>> ViewState.from_widgets(**view.widget_values()) == view
    True
    """

    level: str = FINEST
    indicator: str = DEFAULT_INDICATOR
    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    workshop: str | None = None
    focus: str | None = None
    compare: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()
    needs_layer: str = "points"
    map_view: MapView | None = None
    bezirk: str | None = None
    procedure: str | None = None

    def areas(self, area_ids: Iterable[str]) -> list[str]:
        """The areas the view lists, exports, compares and focuses: those of its Bezirk, or all.

        The Bezirk filter restricts the finer levels (PLR, BZR, PGR) to one
        Bezirk's areas (LOR ids nest: the first two digits are the Bezirk's);
        at the Bezirk level it restricts nothing.

        >>> ViewState(level="BZR", bezirk="01").areas(["011001", "011002", "021101"])
        ['011001', '011002']
        >>> ViewState(level="BEZ", bezirk="01").areas(["01", "02"])
        ['01', '02']
        """
        if self.bezirk is None or self.level == COARSEST:
            return list(area_ids)
        ids = list(area_ids)
        coarsest = parent_ids(pd.Series(ids, dtype=object), COARSEST, of=self.level)
        return [a for a, parent in zip(ids, coarsest) if parent == self.bezirk]

    def filters(self, statuses: tuple[str, ...] = PUBLIC_STATUSES) -> NeedFilters:
        return NeedFilters(self.categories, self.since, self.until, self.workshop, statuses, self.procedure)

    def within(self, area_ids: Iterable[str]) -> ViewState:
        """The view with only a focus and compared areas that are among ``area_ids`` (the level's ids).

        After a change of level, the ids of the former level name no area.

        >>> view = ViewState(level="BEZ", focus="011001", compare=("01", "02", "011001")).within(["01", "02"])
        >>> view.focus, view.compare
        (None, ('01', '02'))
        """
        known = set(area_ids)
        return replace(self, focus=self.focus if self.focus in known else None,
                       compare=tuple(a for a in self.compare if a in known))

    def kept_view(self) -> KeptView:
        """The map's view as this view opens: at its ``map_view`` when it has one, else the map's own.

        A link's zoom and centre win over fitting the focused area (or Bezirk)
        it names: they count as fitted already (:meth:`maps.view.KeptView.fit`).

        >>> ViewState(focus="01", map_view=MapView(13.0, (52.52, 13.4))).kept_view().fitted
        {'focus': '01'}
        >>> ViewState(focus="01").kept_view().imposed is None
        True
        """
        chosen = {"focus": self.focus, "bezirk": self.bezirk if self.level != COARSEST else None}
        fitted = {kind: target for kind, target in chosen.items() if target} if self.map_view is not None else {}
        return KeptView(imposed=self.map_view, fitted=fitted, min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)

    def widget_values(self) -> dict[str, Any]:
        """The view as the page's widgets hold it, by the name of its part.

        Multiple choices are lists, ``period`` the tuple of the days that are set
        (a date range widget's value), ``workshop`` '' when there is none. The
        map's view is not a widget's (see :meth:`kept_view`).
        """
        return {
            "level": self.level, "indicator": self.indicator, "categories": list(self.categories),
            "period": tuple(d for d in (self.since, self.until) if d is not None),
            "workshop": self.workshop or "", "focus": self.focus, "compare": list(self.compare),
            "facilities": list(self.facilities), "needs_layer": self.needs_layer, "bezirk": self.bezirk,
            "procedure": self.procedure,
        }

    @classmethod
    def from_widgets(cls, *, level: str, indicator: str, categories: Iterable[str] = (), period: object = (),
                     workshop: str = "", focus: str | None = None, compare: Iterable[str] = (),
                     facilities: Iterable[str] = (), needs_layer: str = "points", map_view: MapView | None = None,
                     bezirk: str | None = None, area_ids: Iterable[str] | None = None,
                     procedure: str | None = None) -> ViewState:
        """The view the widgets show: the period read by :func:`period_bounds`, a blank workshop is none.

        With ``area_ids`` (the level's ids), a focus or compared area of
        another level, or outside the chosen Bezirk, is dropped (:meth:`within`,
        :meth:`areas`).

        >>> view = ViewState.from_widgets(level="BEZ", indicator="population", period=(date(2026, 3, 1),),
        ...                               workshop="  ", focus="05", area_ids=["01"])
        >>> view.since, view.until, view.workshop, view.focus
        (datetime.date(2026, 3, 1), None, None, None)
        """
        view = cls(level, indicator, tuple(categories), *period_bounds(period), workshop.strip() or None,
                   focus, tuple(compare), tuple(facilities), needs_layer, map_view, bezirk, procedure or None)
        return view if area_ids is None else view.within(view.areas(area_ids))


def period_bounds(period: object) -> tuple[date | None, date | None]:
    """First and last day of a date widget's value: a day, a range, a range half picked, or nothing.

    Streamlit's range date input returns a tuple of 0, 1 or 2 days (one while
    the end is not picked yet); a single-date input returns one day.

    >>> period_bounds((date(2026, 1, 1), date(2026, 1, 31)))
    (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    >>> period_bounds((date(2026, 1, 1),)), period_bounds(())
    ((datetime.date(2026, 1, 1), None), (None, None))
    """
    days = tuple(period) if isinstance(period, (tuple, list)) else (period,)
    return (days[0] if len(days) > 0 else None), (days[1] if len(days) > 1 else None)


NEEDS_LAYERS = ("points", "heat", "off")
DEFAULT_VIEW = ViewState()


def state_to_query(state: ViewState) -> dict[str, str]:
    """The query parameters of a view: only what differs from the defaults, lists comma-separated.

    >>> state_to_query(ViewState(level="BZR", indicator="share_65plus", categories=("mobility", "housing")))
    {'ebene': 'BZR', 'indikator': 'share_65plus', 'kategorie': 'mobility,housing'}

    The map's view: the zoom to 2 places, the centre ("mitte", latitude first) to 5 (about 1 m).

    >>> state_to_query(ViewState(map_view=MapView(13.25, (52.5163123, 13.3777456))))
    {'zoom': '13.25', 'mitte': '52.51631,13.37775'}
    """
    params: dict[str, str] = {}
    if state.level != DEFAULT_VIEW.level:
        params["ebene"] = state.level
    if state.indicator != DEFAULT_VIEW.indicator:
        params["indikator"] = state.indicator
    if state.categories:
        params["kategorie"] = ",".join(state.categories)
    if state.since:
        params["von"] = state.since.isoformat()
    if state.until:
        params["bis"] = state.until.isoformat()
    if state.workshop:
        params["workshop"] = state.workshop
    if state.focus:
        params["gebiet"] = state.focus
    if state.compare:
        params["vergleich"] = ",".join(state.compare)
    if state.facilities:
        params["einrichtungen"] = ",".join(state.facilities)
    if state.needs_layer != DEFAULT_VIEW.needs_layer:
        params["bedarfe"] = state.needs_layer
    if state.bezirk:
        params["bezirk"] = state.bezirk
    if state.procedure:
        params["verfahren"] = state.procedure
    if state.map_view is not None:
        shown = state.map_view.rounded()
        params["zoom"] = f"{shown.zoom:g}"
        params["mitte"] = f"{shown.center[0]:.5f},{shown.center[1]:.5f}"
    return params


def link_query(state: ViewState, lang: str, default_lang: str) -> dict[str, str]:
    """The query of a link to ``state``: :func:`state_to_query`, and ``sprache`` unless ``lang`` is the default.

    A bookmarked or sent view opens in the language it was made in.

    >>> link_query(ViewState(level="BEZ"), "en", "de"), link_query(ViewState(level="BEZ"), "de", "de")
    ({'ebene': 'BEZ', 'sprache': 'en'}, {'ebene': 'BEZ'})
    """
    params = state_to_query(state)
    if lang != default_lang:
        params["sprache"] = lang
    return params


#: The key of a link problem that an indicator does not exist at the level (geodata's own note).
NOT_AT_LEVEL = "indicator.not_at_level"


@dataclass(frozen=True)
class LinkProblem:
    """Something a link asked for that had to fall back: a message key and its values.

    :meth:`text` says it in any language; ``str()`` in English, for logs.

    >>> problem = LinkProblem("link.unknown_level", {"value": "'KIEZ'", "default": "PLR"})
    >>> problem.text("de")
    "Unbekannte Ebene 'KIEZ'; es gilt PLR (PLR, BZR, PGR oder BEZ)."
    >>> str(problem)
    "Unknown level 'KIEZ'; showing PLR (use PLR, BZR, PGR or BEZ)."
    """

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The problem in ``lang``; every link message may name the city (``{city}``), a point in it
        (``{centre}``) and its coarsest level (``{coarse}``, its areas in a sentence ``{coarse_areas}``)."""
        if self.key == NOT_AT_LEVEL:
            return not_at_level_note(self.values["chosen"], self.values["shown"], lang)
        coarse = LEVELS[COARSEST]
        return t(self.key, lang, **{"city": CITY.city_label(lang), "centre": EXAMPLE_CENTRE,
                                    "coarse": coarse.label(lang), "coarse_areas": coarse.in_sentence(lang),
                                    **self.values})

    def __str__(self) -> str:
        return self.text("en")


@dataclass
class ParsedView:
    """A view read from a link, and what had to fall back to the default (:class:`LinkProblem`)."""

    state: ViewState
    problems: list[LinkProblem] = field(default_factory=list)

    def messages(self, lang: str = "de") -> list[str]:
        """What had to fall back, in ``lang``."""
        return [problem.text(lang) for problem in self.problems]

    def session_values(self, prefix: str, lang: str = "de") -> dict[str, Any]:
        """What a page puts into its session state when a visit starts from this link, keys ``prefix`` + name.

        The widgets' values (:meth:`ViewState.widget_values`), the problems to
        tell (``link_problems``) and the map's view (``kept_view``). The period
        goes in as ``period_initial``: a date range widget takes its range mode
        from its ``value``, so the page passes it there, not as the widget's state.

        >>> values = state_from_query({"ebene": "BEZ", "von": "2026-01-01"}).session_values("p_")
        >>> values["p_level"], values["p_period_initial"], values["p_link_problems"]
        ('BEZ', (datetime.date(2026, 1, 1),), [])
        """
        values = self.state.widget_values()
        values["period_initial"] = values.pop("period")
        values.update(link_problems=self.messages(lang), kept_view=self.state.kept_view())
        return {f"{prefix}{name}": value for name, value in values.items()}


def _one(params: Mapping[str, object], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return None if value is None else str(value).strip()


def state_from_query(params: Mapping[str, object], area_ids: Mapping[str, Iterable[str]] | None = None,
                     default: ViewState = DEFAULT_VIEW) -> ParsedView:
    """Read a view from query parameters; every invalid value falls back and is named.

    Parameters
    ----------
    params : mapping
        ``st.query_params`` (or any dict of strings / lists of strings).
    area_ids : mapping of level -> ids, optional
        Known area ids per level, to check ``gebiet`` and ``vergleich``;
        without it only their form is checked (the id length and id pattern the
        profile states for the level).

    Examples
    --------
    >>> parsed = state_from_query({"ebene": "BEZ", "indikator": "mss_status", "von": "2026-13-01"})
    >>> parsed.state.level, parsed.state.indicator, parsed.state.since
    ('BEZ', 'mss_status_low_share', None)
    >>> parsed.messages("en")  # doctest: +NORMALIZE_WHITESPACE
    ['“MSS status index” exists for planning areas only; showing “Share of residents in PLR with MSS status low or very low”.',
     "Start date '2026-13-01' is not a date like 2026-01-31; the date filter starts open."]
    """
    problems: list[LinkProblem] = []
    state = default

    level = _one(params, "ebene")
    if level is not None:
        if level.upper() in LEVEL_ORDER:
            state = replace(state, level=level.upper())
        else:
            problems.append(LinkProblem("link.unknown_level", {"value": repr(level), "default": default.level}))
    indicator = _one(params, "indikator")
    keys = [NEEDS_PER_1000, *available_indicators(state.level)]
    chosen = indicator if indicator is not None else state.indicator
    if chosen not in keys:
        derived = INDICATORS[chosen].derived_share if chosen in INDICATORS else None
        fallback = derived if derived in keys else _default_indicator(keys)
        if indicator is not None:
            if chosen in INDICATORS:
                problems.append(LinkProblem(NOT_AT_LEVEL, {"chosen": chosen, "shown": fallback}))
            else:
                problems.append(LinkProblem("link.unknown_indicator", {"value": repr(chosen)}))
        chosen = fallback
    state = replace(state, indicator=chosen)

    categories = _list(params, "kategorie")
    good = tuple(c for c in categories if c in CATEGORIES)
    if len(good) != len(categories):
        bad = [c for c in categories if c not in CATEGORIES]
        problems.append(LinkProblem("link.unknown_categories", {"values": repr(bad)}))
    state = replace(state, categories=good)

    for key, attr, problem in (("von", "since", "link.bad_start_date"), ("bis", "until", "link.bad_end_date")):
        text = _one(params, key)
        if text:
            try:
                state = replace(state, **{attr: date.fromisoformat(text)})
            except ValueError:
                problems.append(LinkProblem(problem, {"value": repr(text)}))
    if state.since and state.until and state.since > state.until:
        problems.append(LinkProblem("link.dates_reversed"))
        state = replace(state, since=None, until=None)

    workshop = _one(params, "workshop")
    if workshop:
        state = replace(state, workshop=workshop[:64])
    procedure = _one(params, "verfahren")
    if procedure and re.fullmatch(r"[A-Za-z0-9_\-]{1,36}", procedure):
        state = replace(state, procedure=procedure)

    bezirk = _one(params, "bezirk")
    known_bezirke = set(area_ids[COARSEST]) if area_ids is not None and COARSEST in area_ids else None
    if bezirk:
        if bezirk in known_bezirke if known_bezirke is not None else _id_form(bezirk, COARSEST):
            state = replace(state, bezirk=bezirk)
        else:
            problems.append(LinkProblem("link.bad_bezirk", {"value": repr(bezirk)}))

    known = set(area_ids[state.level]) if area_ids is not None and state.level in area_ids else None
    def valid_area(value: str) -> bool:
        if known is not None:
            return value in known
        return _id_form(value, state.level)

    def in_bezirk(value: str) -> bool:
        return state.areas([value]) == [value]

    focus = _one(params, "gebiet")
    if focus:
        if valid_area(focus) and in_bezirk(focus):
            state = replace(state, focus=focus)
        elif valid_area(focus):
            problems.append(LinkProblem("link.area_not_in_bezirk", {"value": repr(focus), "bezirk": state.bezirk}))
        else:
            problems.append(LinkProblem("link.bad_area", {"value": repr(focus), "level": state.level}))
    compare = _list(params, "vergleich")
    good_compare = tuple(dict.fromkeys(a for a in compare if valid_area(a) and in_bezirk(a)))[:MAX_COMPARE]
    if len(good_compare) != len(compare):
        problems.append(LinkProblem("link.compare_limited", {"limit": MAX_COMPARE, "level": state.level}))
    state = replace(state, compare=good_compare)

    from geodata.facilities import FACILITY_TYPES

    facilities = _list(params, "einrichtungen")
    good_facilities = tuple(f for f in facilities if f in FACILITY_TYPES)
    if len(good_facilities) != len(facilities):
        problems.append(LinkProblem("link.unknown_facilities", {"valid": ", ".join(FACILITY_TYPES)}))
    state = replace(state, facilities=good_facilities)

    layer = _one(params, "bedarfe")
    if layer is not None:
        if layer in NEEDS_LAYERS:
            state = replace(state, needs_layer=layer)
        else:
            problems.append(LinkProblem("link.unknown_needs_layer", {"value": repr(layer), "default": default.needs_layer,
                                                                     "valid": ", ".join(NEEDS_LAYERS)}))
    map_view, problem = _map_view(_one(params, "zoom"), _one(params, "mitte"))
    if problem:
        problems.append(problem)
    return ParsedView(replace(state, map_view=map_view), problems)


def _id_form(value: str, level: str) -> bool:
    """Whether ``value`` has the form of an id of ``level``: the length and the pattern its profile states.

    >>> _id_form("011001", "BZR"), _id_form("0110", "BZR"), _id_form("01100x", "BZR")
    (True, False, False)
    """
    spec = LEVELS[level]
    if spec.id_length and len(value) != spec.id_length:
        return False
    return re.fullmatch(spec.id_pattern or _AREA_ID, value) is not None


def _default_indicator(keys: Sequence[str]) -> str:
    """The profile's first indicator (or its residents' share at a coarser level), else the first of ``keys``."""
    derived = INDICATORS[DEFAULT_INDICATOR].derived_share
    return next((k for k in (DEFAULT_INDICATOR, derived) if k in keys), keys[0])


#: Where a link's map centre may lie: the city's extent and about 15 km around it.
CENTRE_BOUNDS = ((CITY_BOUNDS[0][0] - 0.15, CITY_BOUNDS[0][1] - 0.2), (CITY_BOUNDS[1][0] + 0.15, CITY_BOUNDS[1][1] + 0.2))
#: A map centre as a link writes it (``mitte=``): the middle of the city's extent, for messages.
EXAMPLE_CENTRE = f"{(CITY_BOUNDS[0][0] + CITY_BOUNDS[1][0]) / 2:.2f},{(CITY_BOUNDS[0][1] + CITY_BOUNDS[1][1]) / 2:.2f}"


def _map_view(zoom_text: str | None, centre_text: str | None) -> tuple[MapView | None, LinkProblem | None]:
    """The map view of a link's ``zoom`` and ``mitte`` ("lat,lon"), or what is wrong with them.

    >>> _map_view("13.5", "52.52,13.40")
    (MapView(zoom=13.5, center=(52.52, 13.4)), None)
    >>> _map_view(None, None)
    (None, None)
    >>> _map_view("13", None)[1].text("en")
    'The map view needs both zoom and mitte (e.g. zoom=13&mitte=52.51,13.42); the map shows all of Berlin.'
    """
    if zoom_text is None and centre_text is None:
        return None, None
    if not zoom_text or not centre_text:
        return None, LinkProblem("link.map_view_incomplete")
    try:
        zoom = float(zoom_text)
    except ValueError:
        zoom = float("nan")
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:  # also NaN
        return None, LinkProblem("link.bad_zoom", {"value": repr(zoom_text), "min": f"{MIN_ZOOM:g}",
                                                   "max": f"{MAX_ZOOM:g}"})
    (south, west), (north, east) = CENTRE_BOUNDS
    try:
        lat, lon = (float(part) for part in centre_text.split(","))
    except ValueError:
        lat = lon = float("nan")
    if not (south <= lat <= north and west <= lon <= east):
        return None, LinkProblem("link.bad_centre", {"value": repr(centre_text)})
    return MapView(zoom, (lat, lon)), None


def _list(params: Mapping[str, object], key: str) -> list[str]:
    text = _one(params, key)
    return [part.strip() for part in text.split(",") if part.strip()] if text else []
