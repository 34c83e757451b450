"""Point -> LOR lookup: which Planungsraum (and so BZR, PGR, Bezirk) holds a place.

A resident pins a need on the map; the app stores WGS84 latitude/longitude and
needs the LOR areas of that point. :class:`Locator` answers that against the
*full-detail* official PLR geometry (never the simplified display geometry),
for one point (:meth:`Locator.locate`) or for many at once
(:meth:`Locator.locate_many`, vectorised, no Python loop over points).

How it is fast
--------------
Coordinates are transformed with pyproj (``always_xy``) to EPSG:25833, the
metric CRS of the LOR files. A grid of square cells (100 m by default) is laid
over the PLR extent once. Each cell is classified when the locator is built:

* *outside*: no PLR touches the cell, every point in it is outside Berlin;
* *direct*: the closed cell lies in the interior of exactly one PLR, every
  point in it belongs to that PLR, no geometry test needed;
* *border*: anything else; only points falling in such cells get the exact
  point-in-polygon test (shapely STRtree, prepared polygons).

About four in five points inside Berlin are answered by a single array lookup.

Points on a border
------------------
A point exactly on the shared edge (or vertex) of two or more PLR is covered
by all of them. The rule: **it gets the PLR with the lowest id among the PLR
whose closed polygon covers it**. A point on Berlin's outer boundary is
covered by one PLR and belongs to it. The rule is deterministic and
independent of the order of the input points.

Examples
--------
>>> from core.settings import load_settings
>>> locate_point(load_settings(), 52.5163, 13.3777)["BEZ_NAME"]  # doctest: +SKIP
'Mitte'
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geodata.fetch import DataError
from geodata.lor import ANALYSIS_CRS, LEVEL_ORDER, LEVELS, WEB_CRS, _load_units, _path, load_units
from core.settings import Settings

#: The columns of every answer, finest level first.
RESULT_COLUMNS: tuple[str, ...] = tuple(
    col for code in LEVEL_ORDER for col in (LEVELS[code].id_column, LEVELS[code].name_column)
)

#: The finest level of the city profile (Berlin: PLR) and its id column: the locator answers with its units.
FINEST = LEVEL_ORDER[0]
FINEST_ID = LEVELS[FINEST].id_column

DEFAULT_CELL_SIZE_M = 100.0

_OUTSIDE = -1  # grid value: no PLR touches the cell
_BORDER = -2  # grid value: the cell needs the exact test

# pyproj makes a transformer's PROJ object anew in every thread that uses it (about 6 ms), and
# Streamlit runs every script run in a new thread: a pin paid that each time. So every transform
# runs on one long-lived worker thread, where the transformer's PROJ object is made once.
_TRANSFORMS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bedarfsatlas-transform")
_TRANSFORMER = pyproj.Transformer.from_crs(WEB_CRS, ANALYSIS_CRS, always_xy=True)


def _to_analysis_crs(lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lat/lon -> EPSG:25833 x/y; non-finite where pyproj cannot transform."""
    x, y = _TRANSFORMS.submit(_TRANSFORMER.transform, lons, lats, errcheck=False).result()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@dataclass(frozen=True)
class _Grid:
    """Cell classification over the PLR extent (see the module docstring)."""

    x0: float
    y0: float
    size: float
    nx: int
    ny: int
    cells: np.ndarray  # int32 (ny, nx): PLR position, _OUTSIDE or _BORDER

    def cell_values(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Grid value for each point; ``_OUTSIDE`` off the grid or for non-finite input."""
        values = np.full(x.shape, _OUTSIDE, dtype=np.int32)
        with np.errstate(invalid="ignore"):
            col = np.floor((x - self.x0) / self.size)
            row = np.floor((y - self.y0) / self.size)
            on_grid = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        values[on_grid] = self.cells[row[on_grid].astype(np.int64), col[on_grid].astype(np.int64)]
        return values


def _build_grid(geoms: np.ndarray, tree: shapely.STRtree, size: float) -> _Grid:
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    # floor + 1, not ceil: a point exactly on the maximum x or y of the extent
    # lies on a PLR boundary and must still fall in a cell.
    nx = int(np.floor((x1 - x0) / size)) + 1
    ny = int(np.floor((y1 - y0) / size)) + 1
    cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
    cols, rows = cols.ravel(), rows.ravel()
    boxes = shapely.box(x0 + cols * size, y0 + rows * size, x0 + (cols + 1) * size, y0 + (rows + 1) * size)
    box_idx, area_idx = tree.query(boxes)
    touches = shapely.intersects(geoms[area_idx], boxes[box_idx])  # geoms are prepared
    box_idx, area_idx = box_idx[touches], area_idx[touches]
    touching = np.bincount(box_idx, minlength=len(boxes))
    cells = np.where(touching == 0, _OUTSIDE, _BORDER).astype(np.int32)
    # A cell touched by exactly one PLR is "direct" only if it lies in that
    # PLR's interior: a closed cell that merely lies within the closed polygon
    # may touch its boundary, where the border rule could pick a neighbour.
    single = touching[box_idx] == 1
    inside = shapely.contains_properly(geoms[area_idx[single]], boxes[box_idx[single]])
    direct_boxes = box_idx[single][inside]
    cells[direct_boxes] = area_idx[single][inside]
    return _Grid(x0=x0, y0=y0, size=size, nx=nx, ny=ny, cells=cells.reshape(ny, nx))


class Locator:
    """Answers "which LOR areas hold this WGS84 point?" against full-detail PLR.

    Build one with :func:`get_locator` (cached per data file version) rather
    than directly; building classifies the grid and takes about a second.

    Parameters
    ----------
    plr : geopandas.GeoDataFrame
        The 542 PLR as returned by :func:`geodata.lor.load_units` for ``"PLR"``:
        EPSG:25833, indexed by PLR id, with the id and name columns of all levels.
    cell_size : float
        Edge of a grid cell in metres. Smaller cells send fewer points to the
        exact test but take longer to build.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> squares = gpd.GeoDataFrame(
    ...     {"PLR_ID": ["01100101", "01100102"], "PLR_NAME": ["West", "East"],
    ...      "BZR_ID": ["011001"] * 2, "BZR_NAME": ["B"] * 2, "PGR_ID": ["0110"] * 2,
    ...      "PGR_NAME": ["P"] * 2, "BEZ_ID": ["01"] * 2, "BEZ_NAME": ["Mitte"] * 2},
    ...     geometry=[shapely.box(390000, 5819000, 391000, 5820000),
    ...               shapely.box(391000, 5819000, 392000, 5820000)],
    ...     crs="EPSG:25833")
    >>> locator = Locator(squares, cell_size=250)
    >>> lat, lon = 52.5155, 13.3925   # a point in the western square
    >>> locator.locate(lat, lon)["PLR_NAME"]
    'West'
    >>> locator.locate(52.0, 13.0) is None
    True
    """

    def __init__(self, plr: gpd.GeoDataFrame, cell_size: float = DEFAULT_CELL_SIZE_M):
        missing = [c for c in RESULT_COLUMNS if c not in plr.columns]
        if missing:
            raise ValueError(
                f"Locator needs the PLR layer with columns {list(RESULT_COLUMNS)}; "
                f"missing {missing}. Pass geodata.lor.load_units(settings, 'PLR')."
            )
        if plr.crs is None or not plr.crs.equals(pyproj.CRS(ANALYSIS_CRS)):
            raise ValueError(
                f"Locator needs PLR geometry in {ANALYSIS_CRS}, got {plr.crs}; use to_crs({ANALYSIS_CRS!r})."
            )
        if not cell_size > 0:
            raise ValueError(f"cell_size must be a positive number of metres, got {cell_size!r}")
        # Sorting by PLR id makes "lowest position" mean "lowest id" for the border rule.
        plr = plr.sort_values(FINEST_ID)
        # Copies of the polygons, not the cached layer's own objects: preparing mutates a geometry
        # in GEOS, and other threads (Streamlit sessions) read the layer's geometries meanwhile;
        # two sessions preparing the same polygons at once crashed the process (SIGSEGV in GEOS).
        self._geoms = shapely.from_wkb(shapely.to_wkb(np.asarray(plr.geometry.array, dtype=object)))
        shapely.prepare(self._geoms)
        # GEOS builds the point-in-polygon index of a prepared polygon on first
        # use; doing that here means threads sharing this locator (Streamlit
        # sessions) only ever read it.
        shapely.intersects(self._geoms, shapely.point_on_surface(self._geoms))
        self._tree = shapely.STRtree(self._geoms)
        self._grid = _build_grid(self._geoms, self._tree, float(cell_size))
        attributes = pd.DataFrame(plr[list(RESULT_COLUMNS)]).reset_index(drop=True).astype("str")
        # One all-missing row at the end: "outside" points take it.
        self._attributes = pd.concat(
            [attributes, pd.DataFrame({c: [None] for c in RESULT_COLUMNS}, dtype="str")],
            ignore_index=True,
        )
        self._records = attributes.to_dict("records")

    @property
    def cell_size(self) -> float:
        """Edge of a grid cell in metres."""
        return self._grid.size

    def grid_summary(self) -> dict[str, int]:
        """How many grid cells are outside, answered directly, or need the exact test."""
        cells = self._grid.cells
        return {
            "cells": int(cells.size),
            "outside": int((cells == _OUTSIDE).sum()),
            "direct": int((cells >= 0).sum()),
            "border": int((cells == _BORDER).sum()),
        }

    def plr_positions(self, lats: Iterable[float], lons: Iterable[float]) -> np.ndarray:
        """Position (0..541, in PLR id order) of the PLR holding each point, -1 outside.

        The building block of :meth:`locate_many`, for callers that only need to
        group or count points per area.
        """
        lats = np.asarray(lats, dtype=float).ravel()
        lons = np.asarray(lons, dtype=float).ravel()
        if lats.shape != lons.shape:
            raise ValueError(
                f"lats and lons must have the same length, got {lats.size} latitudes "
                f"and {lons.size} longitudes"
            )
        return self.positions_xy(*_to_analysis_crs(lats, lons))

    def positions_xy(self, x: Iterable[float], y: Iterable[float]) -> np.ndarray:
        """Like :meth:`plr_positions`, for points already in EPSG:25833 (metres).

        The facility layers of the open data are in EPSG:25833; they can be
        located without a round trip through WGS84.
        """
        x = np.asarray(x, dtype=float).ravel()
        y = np.asarray(y, dtype=float).ravel()
        if x.shape != y.shape:
            raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
        positions = self._grid.cell_values(x, y)
        border = np.flatnonzero(positions == _BORDER)
        positions[border] = _OUTSIDE
        if border.size:
            points = shapely.points(x[border], y[border])
            # Bounding-box candidates from the tree, then the exact test with the
            # PLR as the prepared side: STRtree predicates would prepare the points.
            point_idx, area_idx = self._tree.query(points)
            covers = shapely.intersects(self._geoms[area_idx], points[point_idx])
            point_idx, area_idx = point_idx[covers], area_idx[covers]
            # Lowest PLR position (= lowest id) wins for points on a shared border.
            lowest = np.full(border.size, np.iinfo(np.int32).max, dtype=np.int64)
            np.minimum.at(lowest, point_idx, area_idx)
            found = lowest != np.iinfo(np.int32).max
            positions[border[found]] = lowest[found]
        return positions

    def plr_ids(self) -> pd.Index:
        """The PLR ids in position order (what :meth:`plr_positions` counts in)."""
        return pd.Index(self._attributes[FINEST_ID].iloc[:-1], name=FINEST_ID)

    def locate_many(self, lats: Iterable[float], lons: Iterable[float]) -> pd.DataFrame:
        """The LOR areas of many WGS84 points at once.

        Parameters
        ----------
        lats, lons : array-like of float
            Latitudes and longitudes in WGS84 (EPSG:4326), of equal length.
            NaN, inf and points outside Berlin are allowed.

        Returns
        -------
        pandas.DataFrame
            One row per input point in input order, with the columns of
            :data:`RESULT_COLUMNS`; all missing (NaN) where a point is outside
            Berlin or not a finite number. The index is ``lats``' index when that
            is a pandas Series, else 0..n-1.

        Examples
        --------
        >>> from core.settings import load_settings
        >>> get_locator(load_settings()).locate_many(
        ...     [52.5163, 52.4043], [13.3777, 13.0384])["BEZ_NAME"].tolist()  # doctest: +SKIP
        ['Mitte', nan]
        """
        index = lats.index if isinstance(lats, pd.Series) else None
        positions = self.plr_positions(lats, lons)
        rows = np.where(positions >= 0, positions, len(self._attributes) - 1)
        result = self._attributes.take(rows)
        result.index = index if index is not None else pd.RangeIndex(len(rows))
        return result

    def locate(self, lat: float, lon: float) -> dict | None:
        """The LOR areas of one WGS84 point, or ``None`` outside Berlin or for NaN/inf.

        Returns a dict with the keys of :data:`RESULT_COLUMNS` (ids and names of
        PLR, BZR, PGR and Bezirk).
        """
        position = self.plr_positions([lat], [lon])[0]
        if position < 0:
            return None
        return dict(self._records[position])


_LOCATOR_BUILD = threading.Lock()


@lru_cache(maxsize=4)
def _built_locator(path: str, mtime: float) -> Locator:
    return Locator(_load_units(path, mtime, LEVELS[FINEST]))


def _locator(path: str, mtime: float) -> Locator:
    # One build at a time: the residents who set the first pins after a process started all
    # wait for the one locator instead of building (and preparing polygons) side by side.
    with _LOCATOR_BUILD:
        return _built_locator(path, mtime)


def get_locator(settings: Settings) -> Locator:
    """The :class:`Locator` for the PLR file in ``settings``' data folder.

    Built once per data file version (path and modification time) and then
    shared; a re-fetched file gets a new locator on the next call.

    Raises
    ------
    geodata.fetch.DataError
        When the PLR file is missing, with the command that fetches it.
    """
    load_units(settings, FINEST)  # raises DataError with the fetch hint when missing
    path = _path(settings, FINEST)
    return _locator(str(path), path.stat().st_mtime)


def build_in_background(settings: Settings) -> threading.Thread:
    """Start building the :class:`Locator` of ``settings`` in a daemon thread; return the thread.

    The app calls it on a process's first run (the warm-up), so the first pins of a campaign
    find the locator built (about a second of polygon preparation) instead of waiting for it
    one after the other. Missing data is not this thread's to report: every page run checks the
    data and names what is missing (``app.py``), and the first pin builds the locator again.
    """
    def build() -> None:
        try:
            get_locator(settings)
        except DataError:
            return  # named to the visitor by the page's own data check, with the fetch command

    thread = threading.Thread(target=build, name="bedarfsatlas-locator", daemon=True)
    thread.start()
    return thread


def locate_point(settings: Settings, lat: float, lon: float) -> dict | None:
    """The LOR areas of one WGS84 point (see :meth:`Locator.locate`).

    Behind ``python -m geodata locate LAT LON``.
    """
    return get_locator(settings).locate(lat, lon)
