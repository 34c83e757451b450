"""The open data as the screens load it: read once per process and data version, then from memory.

Each function wraps a loader of :mod:`geodata` (or a sum over its tables) in
``st.cache_data``. ``version`` (:func:`geodata.indicators.data_version`) keys
the cache, so new data files are read on the next run without a restart; the
settings are not hashed (the leading underscore), because one process serves
one data directory. ``max_entries`` bounds what a process keeps: a few levels,
the facility kinds, the whole city once.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from assessment.analysis.inventory import city_values
from core.settings import Settings
from geodata import facilities
from geodata.display import display_geojson, display_units
from geodata.indicators import indicator_table
from geodata.lookup import build_in_background
from assessment.participation.places import AreaLists
from geodata.lor import COARSEST, FINEST, hierarchy, representative_points, units_version


@st.cache_data(show_spinner=False, max_entries=8)
def level_data(_settings: Settings, level: str, version: str) -> tuple[str, pd.DataFrame]:
    """Display GeoJSON and indicator table of one level."""
    return display_geojson(_settings, level), indicator_table(_settings, level)


@st.cache_data(show_spinner=False, max_entries=2)
def city(_settings: Settings, version: str) -> pd.Series:
    """Every sum and ratio indicator for the whole city (:func:`~assessment.analysis.inventory.city_values`)."""
    # From the coarsest level: its sums hold every count, also those published only at a coarser
    # level than the finest (Berlin's crime atlas, per BZR).
    return city_values(indicator_table(_settings, COARSEST))


@st.cache_data(show_spinner=False, max_entries=4)
def display_geometry(_settings: Settings, level: str, version: str) -> gpd.GeoSeries:
    """The level's display geometry (EPSG:4326) by area id, for exports and pictures."""
    return display_units(_settings, level).geometry


@st.cache_data(show_spinner=False, max_entries=8)
def facility_points(_settings: Settings, kind: str, version: str) -> pd.DataFrame:
    """The facilities of one kind as map points (:func:`geodata.facilities.facility_points`)."""
    return facilities.facility_points(_settings, kind)


@st.cache_data(show_spinner=False, max_entries=2)
def plr_points(_settings: Settings, version: str) -> pd.DataFrame:
    """A point inside each planning area with its ``name``: where a count per area is drawn."""
    points = representative_points(_settings, FINEST)
    _, table = level_data(_settings, FINEST, version)
    return points.assign(name=table["name"].reindex(points.index).values)



@st.cache_resource(show_spinner=False, max_entries=2)
def _area_lists(_settings: Settings, units_version: tuple[str, float]) -> AreaLists:
    return AreaLists(hierarchy(_settings))


def area_lists(settings: Settings) -> AreaLists:
    """The lists of areas of /melden (Berlin: Bezirk -> Bezirksregion -> Planungsraum), built once per units file version."""
    return _area_lists(settings, units_version(settings, FINEST))


@st.cache_resource(show_spinner=False)
def locator_started(_settings: Settings) -> None:
    """Start building the point lookup once per process, beside the first run of ``/melden``.

    The first pins after a start or restart then find it built rather than each waiting for it
    (a resident reads the page for a few seconds before the first tap). Not in the warm-up run:
    building it there (about a second of CPU) slowed the start to the first map by as much.
    """
    build_in_background(_settings)
