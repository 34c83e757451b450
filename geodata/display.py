"""Display geometry: light LOR polygons for the map, in WGS84, shared edges kept.

The official PLR polygons have about 200,000 vertices (9.5 MB as GeoJSON):
far too heavy to send to a browser, and far more detail than a choropleth of
the whole city can show. This module makes a light copy for *drawing only*;
point lookup and every area or density figure use the full-detail geometry
of :mod:`geodata.lor`.

How the display geometry is made
--------------------------------
1. The 542 full-detail PLR (EPSG:25833, metres) are simplified **as one
   coverage** with :func:`shapely.coverage_simplify` (tolerance
   :data:`SIMPLIFY_TOLERANCE_M`): every shared edge is simplified once and
   used by both neighbours, so no gaps or slivers open between areas, which
   simplifying each polygon on its own would cause.
2. BZR, PGR and Bezirke are the exact unions of these simplified PLR (by id
   prefix), so the outline of a Bezirk lies exactly on the outlines of its PLR
   when both are drawn.
3. Coordinates are transformed to EPSG:4326 (pyproj, ``always_xy``), rounded
   to :data:`COORDINATE_DECIMALS` decimals (about 1 m), rings oriented as
   RFC 7946 asks (exterior counter-clockwise). Rounding maps a shared vertex
   to the same rounded vertex on both sides, so edges stay shared. The result
   is checked (valid, non-empty, a valid coverage) before it is stored.

The GeoJSON text of each level is cached on disk under
``<cache dir>/display/`` (file name keyed by the sha256 of the PLR file and
:data:`ALGORITHM_VERSION`, written atomically), and in memory per process.
Changing the algorithm means bumping :data:`ALGORITHM_VERSION`; stale files
are then simply not read again.

Examples
--------
>>> from core.settings import load_settings
>>> plr = display_units(load_settings(), "PLR")  # doctest: +SKIP
>>> plr.crs.to_epsg(), len(plr), list(plr.columns)  # doctest: +SKIP
(4326, 542, ['id', 'name', 'BZR_ID', 'PGR_ID', 'BEZ_ID', 'geometry'])
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geodata.fetch import DataError, sha256_of
from geodata.lor import ANALYSIS_CRS, FINEST, LEVEL_ORDER, LEVELS, WEB_CRS, Level, _load_units, _path, get_level, load_units
from core.settings import Settings

#: Bump when anything below changes the output; old cache files are then ignored.
ALGORITHM_VERSION = 1

#: Coverage simplification tolerance in metres (EPSG:25833). Vertices whose
#: triangle with their neighbours is smaller than about this squared are
#: dropped. 60 m is about one screen pixel at the zoom that shows all of
#: Berlin, and keeps the PLR layer under 300 KB of GeoJSON.
SIMPLIFY_TOLERANCE_M = 60.0

#: Decimals kept in WGS84 coordinates: 5 decimals are about 1.1 m north-south
#: and 0.7 m east-west in Berlin, far below the simplification tolerance.
COORDINATE_DECIMALS = 5


def _parent_columns(level: str) -> list[str]:
    """The id columns of the levels coarser than ``level``."""
    return [LEVELS[code].id_column for code in LEVEL_ORDER[LEVEL_ORDER.index(level) + 1 :]]


@lru_cache(maxsize=4)
def _source_checksum(path: str, mtime: float) -> str:
    return sha256_of(Path(path))


@lru_cache(maxsize=2)
def _simplified_plr(path: str, mtime: float) -> tuple[pd.DataFrame, np.ndarray]:
    """Attributes and coverage-simplified geometry (EPSG:25833) of the PLR, in id order."""
    plr = _load_units(path, mtime, LEVELS[FINEST])
    simplified = shapely.coverage_simplify(plr.geometry.array, SIMPLIFY_TOLERANCE_M)
    return pd.DataFrame(plr.drop(columns="geometry")), np.asarray(simplified, dtype=object)


def _level_geometry(attributes: pd.DataFrame, simplified: np.ndarray, level: str) -> pd.DataFrame:
    """One row per area of ``level``: id, name, parent ids, geometry (EPSG:25833)."""
    lvl = LEVELS[level]
    columns = [lvl.id_column, lvl.name_column, *_parent_columns(level)]
    areas = attributes[columns].drop_duplicates(lvl.id_column).sort_values(lvl.id_column)
    if level == FINEST:
        geometry = list(simplified)
    else:
        # The simplified PLR share their edges exactly, so a coverage union is exact and fast.
        geometry = [
            shapely.coverage_union_all(simplified[(attributes[lvl.id_column] == area_id).to_numpy()])
            for area_id in areas[lvl.id_column]
        ]
    areas = areas.rename(columns={lvl.id_column: "id", lvl.name_column: "name"})
    return areas.assign(geometry=geometry).reset_index(drop=True)


def _to_display_crs(geometry: np.ndarray) -> np.ndarray:
    transformer = pyproj.Transformer.from_crs(ANALYSIS_CRS, WEB_CRS, always_xy=True)

    def to_wgs84(coords: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([lon, lat]), COORDINATE_DECIMALS)

    rounded = shapely.remove_repeated_points(shapely.transform(geometry, to_wgs84))
    return shapely.orient_polygons(rounded, exterior_cw=False)


def _check(areas: pd.DataFrame, geometry: np.ndarray, level: str) -> None:
    problems = []
    empty = areas["id"][shapely.is_empty(geometry)]
    invalid = areas["id"][~shapely.is_valid(geometry)]
    if len(empty):
        problems.append(f"empty: {list(empty)}")
    if len(invalid):
        problems.append(f"invalid: {list(invalid)}")
    if not problems and not shapely.coverage_is_valid(geometry):
        problems.append("neighbours overlap or their edges no longer match")
    if problems:
        raise RuntimeError(
            f"display geometry of {level} failed its checks ({'; '.join(problems)}) with "
            f"tolerance {SIMPLIFY_TOLERANCE_M} m and {COORDINATE_DECIMALS} decimals. This is a "
            "bug in geodata.display: change the parameters and bump ALGORITHM_VERSION."
        )


def build_display_geojson(settings: Settings, level: str | Level) -> str:
    """Compute the display GeoJSON of ``level`` from the full-detail PLR, without any cache.

    :func:`display_geojson` is the cached way to get the same text.
    """
    return _build_display_geojson(settings, get_level(level).code)


def _build_display_geojson(settings: Settings, level: str) -> str:
    load_units(settings, LEVELS[FINEST])  # raises DataError with the fetch hint when missing
    path = _path(settings, LEVELS[FINEST])
    attributes, simplified = _simplified_plr(str(path), path.stat().st_mtime)
    areas = _level_geometry(attributes, simplified, level)
    geometry = _to_display_crs(np.asarray(areas["geometry"], dtype=object))
    _check(areas, geometry, level)
    frame = gpd.GeoDataFrame(areas.drop(columns="geometry"), geometry=geometry, crs=WEB_CRS)
    # drop_id: the area id is the property "id"; the row number would only add bytes.
    return frame.to_json(drop_id=True, separators=(",", ":"), ensure_ascii=False)


def _cache_file(settings: Settings, level: str, checksum: str) -> Path:
    return settings.cache_dir / "display" / f"lor_{level}_{checksum[:16]}_v{ALGORITHM_VERSION}.geojson"


def _write_atomically(target: Path, text: str) -> None:
    """Write to a temporary file beside ``target`` and rename it into place.

    Two processes building at once both write complete files; the last rename
    wins and a reader never sees half a file.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temporary, 0o644)  # mkstemp makes it private; the cache is not secret
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DataError(key="data.error.display_cache_unwritable", path=target, problem=exc,
                        folder=target.parent) from exc


@lru_cache(maxsize=16)
def _cached_geojson(settings: Settings, level: str, path: str, mtime: float) -> str:
    cache = _cache_file(settings, level, _source_checksum(path, mtime))
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    text = _build_display_geojson(settings, level)
    _write_atomically(cache, text)
    return text


def display_geojson(settings: Settings, level: str | Level) -> str:
    """The areas of ``level`` as compact GeoJSON text (RFC 7946, WGS84) for the map.

    A FeatureCollection; each feature's properties are ``id``, ``name`` and the
    ids of the coarser levels (``BZR_ID``, ``PGR_ID``, ``BEZ_ID`` as far as they
    exist). Coverage-simplified (see the module docstring): for drawing only.
    Computed once per PLR file version, then read from the disk cache.

    Raises
    ------
    geodata.fetch.DataError
        When the PLR file is missing, or the cache folder cannot be written.

    Examples
    --------
    >>> from core.settings import load_settings
    >>> text = display_geojson(load_settings(), "BEZ")  # doctest: +SKIP
    >>> text[:40]  # doctest: +SKIP
    '{"type":"FeatureCollection","features":['
    """
    level = get_level(level).code
    path = _path(settings, LEVELS[FINEST])
    if not path.is_file():
        load_units(settings, LEVELS[FINEST])  # raises the DataError that names the dataset and the fix
    # Not load_units itself: reading the full-detail PLR costs 0.2-0.6 s of a new process's
    # first map, and a warm disk cache (keyed by the file's checksum) does not need it.
    return _cached_geojson(settings, level, str(path), path.stat().st_mtime)


@lru_cache(maxsize=16)
def _display_units(text: str, level: str) -> gpd.GeoDataFrame:
    features = json.loads(text)["features"]
    columns = ["id", "name", *_parent_columns(level)]
    frame = gpd.GeoDataFrame.from_features(features, crs=WEB_CRS, columns=[*columns, "geometry"])
    frame = frame.astype({c: "str" for c in columns}).set_index("id", drop=False)
    frame.index.name = "id"
    return frame


def display_units(settings: Settings, level: str | Level) -> gpd.GeoDataFrame:
    """The display geometry of ``level`` as a GeoDataFrame (EPSG:4326), indexed by area id.

    Columns ``id``, ``name``, the ids of the coarser levels, and ``geometry``:
    exactly the content of :func:`display_geojson`. Cached; treat it as
    read-only (``.copy()`` before changing it). For drawing only: use
    :func:`geodata.lor.load_units` for areas, distances and point lookup.

    Examples
    --------
    >>> from core.settings import load_settings
    >>> display_units(load_settings(), "BEZ").loc["01", "name"]  # doctest: +SKIP
    'Mitte'
    """
    level = get_level(level)
    return _display_units(display_geojson(settings, level), level.code)


def area_bbox(settings: Settings, level: str | Level, area_id: str) -> tuple[float, float, float, float] | None:
    """``(min_lon, min_lat, max_lon, max_lat)`` of one area as drawn (EPSG:4326); ``None`` for an unknown id.

    Where a map of that area starts, e.g. ``/melden?workshop=CODE`` on the workshop's Bezirk.

    >>> from core.settings import load_settings
    >>> area_bbox(load_settings(), "BEZ", "99") is None  # doctest: +SKIP
    True
    """
    units = display_units(settings, level)
    if area_id not in units.index:
        return None
    return tuple(float(v) for v in units.geometry[area_id].bounds)


def clear_memory_cache() -> None:
    """Forget the in-memory copies (the disk cache stays); for benchmarks and tests."""
    for cached in (_source_checksum, _simplified_plr, _cached_geojson, _display_units):
        cached.cache_clear()
