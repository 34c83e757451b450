"""Facilities (Berlin: Kitas, schools, youth centres, care homes, pharmacies) per unit of the finest level.

The point layers are those the city profile's helpers name in ``FACILITIES`` (a profile
without them has none). Each is read once, reduced to one point per facility with its number
of places where the layer has one, and assigned to the unit of the finest level that contains
it. Counts and places per unit are plain sums, so they aggregate to every coarser level by
summing (:mod:`geodata.indicators` does that).

Two quirks of the files are handled here, not by callers: the pharmacy layer
stores each location as a one-part ``MultiPoint``, and place counts may arrive
as text (``"69"``) or be empty; unknown places stay missing, never 0.

Examples
--------
>>> FACILITY_TYPES["kitas"].places_key
'kita_places'
>>> [ftype.key for ftype in FACILITY_TYPES.values()]
['kitas', 'schools', 'youth_centres', 'care_homes', 'pharmacies']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geodata.catalogue import DATASETS
from geodata.lor import ANALYSIS_CRS, FINEST, LEVELS, load_units
from geodata.profile import active_profile
from core.i18n import t
from core.settings import Settings


@dataclass(frozen=True)
class FacilityType:
    """One kind of facility: which dataset holds it and which column has its places.

    ``key`` is the column name of the count per area; ``places_key`` the column
    name of the summed places (``None`` when the layer has no places). The names
    are the messages ``facility.<key>.label`` and ``facility.<key>.places``.

    >>> FACILITY_TYPES["kitas"].places_label("de"), FACILITY_TYPES["schools"].places_label("de") is None
    ('Kita-Plätze', True)
    """

    key: str
    dataset: str
    places_column: str | None = None
    places_key: str | None = None
    colour: str = "#444444"
    """The colour of its markers on the planners' map."""

    def label(self, lang: str) -> str:
        """The name of this kind of facility in ``lang``."""
        return t(f"facility.{self.key}.label", lang)

    def places_label(self, lang: str) -> str | None:
        """The name of its places in ``lang`` ("Kita-Plätze"), ``None`` when the layer has none."""
        return t(f"facility.{self.key}.places", lang) if self.places_key else None


FACILITY_TYPES: dict[str, FacilityType] = {
    fields["key"]: FacilityType(**fields) for fields in getattr(active_profile().helpers, "FACILITIES", ())
}
"""The facility layers of the city profile (its helpers' ``FACILITIES``), by key."""


def _facility_type(kind: str) -> FacilityType:
    try:
        return FACILITY_TYPES[kind]
    except KeyError:
        raise ValueError(
            f"facility kind must be one of {', '.join(FACILITY_TYPES)}, got {kind!r}"
        ) from None


def _single_points(geometry: gpd.GeoSeries, dataset: str) -> np.ndarray:
    """One shapely Point per row; one-part MultiPoints are unwrapped."""
    geoms = geometry.values
    parts = shapely.get_num_geometries(geoms)
    multi = shapely.get_type_id(geoms) == shapely.GeometryType.MULTIPOINT
    if (multi & (parts != 1)).any():
        bad = int(np.flatnonzero(multi & (parts != 1))[0])
        raise ValueError(
            f"{dataset}: row {bad} is a MultiPoint with {parts[bad]} parts; a facility "
            "must have exactly one location. Split or fix the row in the source file."
        )
    points = np.where(multi, shapely.get_geometry(geoms, 0), geoms)
    not_point = shapely.get_type_id(points) != shapely.GeometryType.POINT
    if not_point.any():
        bad = int(np.flatnonzero(not_point)[0])
        raise ValueError(
            f"{dataset}: row {bad} has geometry type {shapely.get_type_id(points[bad])}, "
            "expected Point or one-part MultiPoint."
        )
    return points


@lru_cache(maxsize=8)
def _load(path: str, mtime: float, kind: str) -> gpd.GeoDataFrame:
    ftype = FACILITY_TYPES[kind]
    ds = DATASETS[ftype.dataset]
    frame = pyogrio.read_dataframe(path)
    points = gpd.GeoDataFrame(
        {"name": frame[ds.columns[1]].astype("string") if ds.columns[1] in frame else pd.NA},
        geometry=_single_points(frame.geometry, ds.key),
        crs=ANALYSIS_CRS,
    )
    if ftype.places_column:
        # Places arrive as text in some exports; an unparsable value is unknown, not 0.
        points["places"] = pd.to_numeric(frame[ftype.places_column], errors="coerce").astype(float)
    return points


def load_facilities(settings: Settings, kind: str) -> gpd.GeoDataFrame:
    """The facilities of one kind as points in the profile's metric CRS (Berlin: EPSG:25833).

    Parameters
    ----------
    settings : Settings
        Where the open data lives.
    kind : str
        A key of :data:`FACILITY_TYPES` (``"kitas"``, ``"schools"``, ...).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per facility in file order, columns ``name``, ``geometry``
        (Point) and, for Kitas and care homes, ``places`` (float, NaN when
        unknown). Cached per file version; ``.copy()`` before changing it.

    Examples
    --------
    >>> kitas = load_facilities(load_settings(), "kitas")  # doctest: +SKIP
    >>> len(kitas), int(kitas["places"].sum())  # doctest: +SKIP
    (2880, 194979)
    """
    ftype = _facility_type(kind)
    path = settings.raw_dir / DATASETS[ftype.dataset].filename
    if not path.is_file():
        from geodata.fetch import DataError

        raise DataError(key="data.error.file_missing", dataset=ftype.dataset, path=path, hint=True)
    return _load(str(path), path.stat().st_mtime, kind)


def facility_points(settings: Settings, kind: str) -> pd.DataFrame:
    """The facilities of one kind as plain map points: ``lat``, ``lon`` (EPSG:4326) and ``name``.

    What a map layer or a picture draws (:func:`maps.planner.facilities_layer`,
    :func:`maps.planner.planner_png`): no geometry column, names always text, in
    file order like :func:`load_facilities`.

    Examples
    --------
    >>> points = facility_points(load_settings(), "pharmacies")  # doctest: +SKIP
    >>> list(points.columns)  # doctest: +SKIP
    ['lat', 'lon', 'name']
    """
    points = load_facilities(settings, kind).to_crs("EPSG:4326")
    return pd.DataFrame({"lat": points.geometry.y, "lon": points.geometry.x, "name": points["name"].astype(str)})


def assign_plr(points: gpd.GeoDataFrame, plr: gpd.GeoDataFrame, id_column: str | None = None) -> pd.Series:
    """The id of the unit of the finest level containing each point (``<NA>`` outside all).

    ``id_column`` is the units' id column (default: the finest level's, Berlin ``PLR_ID``).
    A point exactly on a boundary touches two areas; it goes to the smaller
    id so that the result does not depend on row order and every point is
    counted once.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> plr = gpd.GeoDataFrame({"PLR_ID": ["01100101", "01100102"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=ANALYSIS_CRS)
    >>> pts = gpd.GeoDataFrame(geometry=[Point(0.5, 0.5), Point(1, 0.5), Point(5, 5)], crs=ANALYSIS_CRS)
    >>> assign_plr(pts, plr).tolist()
    ['01100101', '01100101', <NA>]
    """
    id_column = id_column or LEVELS[FINEST].id_column
    if points.crs != plr.crs:
        raise ValueError(
            f"CRS mismatch: points are in {points.crs}, planning areas in {plr.crs}; "
            "use .to_crs() on the points first."
        )
    joined = gpd.sjoin(
        points[["geometry"]].reset_index(drop=True),
        plr[[id_column, "geometry"]].reset_index(drop=True),
        how="left",
        predicate="intersects",
    )
    joined = joined.sort_values(id_column, na_position="last")
    first = joined[~joined.index.duplicated(keep="first")].sort_index()
    result = pd.Series(first[id_column].astype("string").values, index=points.index, name=id_column)
    return result


def facilities_per_plr(settings: Settings) -> pd.DataFrame:
    """Counts (and summed places) of every facility kind per PLR.

    Returns
    -------
    pandas.DataFrame
        Indexed by PLR_ID (all 542, zero where there is none), one column per
        :data:`FACILITY_TYPES` key with the count, plus ``kita_places`` and
        ``care_places`` (sum of known places; facilities with unknown places
        add nothing) and ``kitas_places_unknown`` / ``care_homes_places_unknown``
        (how many facilities had no place count, so a reader can judge the sum).

    Raises
    ------
    geodata.fetch.DataError
        When a facility lies outside every planning area: the count per PLR
        would then silently lose it.
    """
    from geodata.fetch import DataError

    plr = load_units(settings, LEVELS[FINEST])
    table = pd.DataFrame(index=pd.Index(plr.index.astype(str), name=LEVELS[FINEST].id_column))
    for ftype in FACILITY_TYPES.values():
        points = load_facilities(settings, ftype.key)
        plr_id = assign_plr(points, plr)
        outside = points[plr_id.isna()]
        if len(outside):
            raise DataError(key="data.error.facilities_outside", dataset=ftype.dataset, count=len(outside),
                            name=repr(outside['name'].iloc[0]), location=outside.geometry.iloc[0].wkt,
                            crs=ANALYSIS_CRS)
        table[ftype.key] = plr_id.value_counts().reindex(table.index, fill_value=0).astype(float)
        if ftype.places_key:
            places = points["places"]
            table[ftype.places_key] = places.groupby(plr_id).sum().reindex(table.index, fill_value=0.0)
            table[f"{ftype.key}_places_unknown"] = (
                places.isna().groupby(plr_id).sum().reindex(table.index, fill_value=0).astype(float)
            )
    return table
