"""Landmarks to find one's way on a map without a base map: rail stations and planning-area names.

Without tiles (the default, see ``BEDARFSATLAS_BASEMAP``) a map shows the area outlines
and nothing else. At street zoom the maps therefore name the U- and S-Bahn stations
(Berlin: npm package ``vbb-stations``, read by the profile's helpers) and the 542 Planungsräume (at a
point surely inside each, from the display geometry). This module builds those rows;
:mod:`maps.orientation` draws them. Coordinates are rounded to 5 decimals (about 1 m)
to keep the few hundred rows small in every map sent to a browser.

Examples
--------
>>> import pandas as pd
>>> stations = pd.DataFrame({"name": ["U Kottbusser Tor"], "kind": ["U"],
...                          "lat": [52.4990471], "lon": [13.4177483]})
>>> station_rows(stations)
(StationRow(lat=52.49905, lon=13.41775, name='U Kottbusser Tor', kind='U'),)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from core.settings import Settings
from geodata.catalogue import PACKAGED_DATASETS
from geodata.display import display_geojson, display_units
from geodata.lor import FINEST
from geodata.places import station_source

DECIMALS = 5


@dataclass(frozen=True)
class StationRow:
    """A rail station: where, its name as passengers know it (``U Kottbusser Tor``), its kind."""

    lat: float
    lon: float
    name: str
    kind: str


@dataclass(frozen=True)
class AreaNameRow:
    """A planning area's name at a point inside it."""

    lat: float
    lon: float
    name: str
    area_id: str


@dataclass(frozen=True)
class Landmarks:
    """What a map shows at street zoom to find one's way, with the stations' attribution."""

    stations: tuple[StationRow, ...]
    areas: tuple[AreaNameRow, ...]
    attribution: str

    def without_areas(self, area_ids: set[str]) -> "Landmarks":
        """The same landmarks without the names of ``area_ids`` (a map that names them itself)."""
        kept = tuple(row for row in self.areas if row.area_id not in area_ids)
        return Landmarks(self.stations, kept, self.attribution)


def station_rows(stations: pd.DataFrame) -> tuple[StationRow, ...]:
    """One row per station of ``stations`` (columns ``name``, ``kind``, ``lat``, ``lon``), in its order."""
    return tuple(
        StationRow(round(float(lat), DECIMALS), round(float(lon), DECIMALS), str(name), str(kind))
        for name, kind, lat, lon in stations[["name", "kind", "lat", "lon"]].itertuples(index=False)
    )


def area_name_rows(units) -> tuple[AreaNameRow, ...]:
    """One row per area of ``units`` (a GeoDataFrame with ``name``, indexed by id) at a point inside it.

    Not the centroid: a crescent-shaped area may not contain it.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> units = gpd.GeoDataFrame({"name": ["Wrangelkiez"]}, index=["02400415"],
    ...                          geometry=[box(13.43, 52.49, 13.44, 52.50)], crs=4326)
    >>> area_name_rows(units)
    (AreaNameRow(lat=52.495, lon=13.435, name='Wrangelkiez', area_id='02400415'),)
    """
    points = units.geometry.representative_point()
    return tuple(
        AreaNameRow(round(point.y, DECIMALS), round(point.x, DECIMALS), str(name), str(area_id))
        for area_id, name, point in zip(units.index, units["name"], points)
    )


def stations_attribution() -> str:
    """The stations' source as the map's attribution names it (CC BY 4.0 asks for it); empty without stations."""
    source = station_source()
    if source is None:
        return ""
    ds = PACKAGED_DATASETS[source.DATASET]
    return f"{ds.attribution}, {ds.licence}"


@lru_cache(maxsize=4)
def _landmarks(settings: Settings, plr_geojson: str, package_dir: Path | None) -> Landmarks:
    # Keyed by the display GeoJSON's text too (a str caches its hash): new LOR data, new rows.
    source = station_source()
    stations = station_rows(source.load_stations(package_dir, kinds=source.RAIL_KINDS)) if source else ()
    return Landmarks(stations, area_name_rows(display_units(settings, FINEST)), stations_attribution())


def landmarks(settings: Settings, package_dir: Path | None = None) -> Landmarks:
    """The U- and S-Bahn stations and the Planungsraum names of Berlin, cached per process.

    Raises :class:`geodata.places.StationsMissing` (with the install command) when the
    npm package is not installed, and :class:`geodata.fetch.DataError` without the LOR data.

    >>> from core.settings import load_settings
    >>> marks = landmarks(load_settings())  # doctest: +SKIP
    >>> len(marks.areas), "U Kottbusser Tor" in {s.name for s in marks.stations}  # doctest: +SKIP
    (542, True)
    """
    return _landmarks(settings, display_geojson(settings, FINEST), package_dir)
