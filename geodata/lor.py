"""LOR 2021: Berlin's planning geography, its four levels and their hierarchy.

542 Planungsräume (PLR, 8-digit id) nest in 143 Bezirksregionen (BZR, 6 digits),
58 Prognoseräume (PGR, 4 digits) and 12 Bezirke (BEZ, 2 digits). A PLR id is
BEZ(2)+PGR(2)+BZR(2)+PLR(2), so every parent id is a prefix of its children's.
Ids are zero-padded strings everywhere; names are not unique ("Schloßstraße"
exists twice), so joins always use ids.

Examples
--------
>>> parent_id("01100101", "BZR")
'011001'
>>> parent_id("01100101", "BEZ")
'01'
>>> LEVELS["PGR"].label("en")
'Forecast area'
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.catalogue import DATASETS
from geodata.profile import LevelSpec, Text, active_profile
from core.i18n import Message, TranslatedError
from core.settings import Settings

log = logging.getLogger(__name__)

_PROFILE = active_profile()
ANALYSIS_CRS = _PROFILE.crs
"""The metric CRS of the city's unit files (Berlin: EPSG:25833), from the city profile."""
WEB_CRS = "EPSG:4326"


@dataclass(frozen=True)
class Level:
    """One level of the city's units (Berlin: a LOR level), as the city profile declares it.

    Its code, id length and columns; its names are texts of the profile (for Berlin the
    messages ``level.<code>.label`` and ``level.<code>.plural`` of the catalogues).
    """

    code: str
    id_length: int
    dataset: str
    id_column: str
    name_column: str
    label_text: Text = field(compare=False, repr=False, default=Text())
    plural_text: Text = field(compare=False, repr=False, default=Text())
    in_sentence_text: Text | None = field(compare=False, repr=False, default=None)
    nesting: str = "prefix"
    """How its units find their parent in the next coarser level: ``prefix`` (the parent's id
    begins the unit's id) or ``containment`` (the parent contains the unit)."""
    id_pattern: str | None = None
    """The regular expression each id matches whole (``None``: any text); see :class:`geodata.profile.LevelSpec`."""

    def label(self, lang: str) -> str:
        """The name of one area of this level in ``lang`` ("Bezirksregion")."""
        return self.label_text.get(lang)

    def plural(self, lang: str) -> str:
        """The name of the areas of this level in ``lang`` ("Bezirksregionen")."""
        return self.plural_text.get(lang)

    def in_sentence(self, lang: str) -> str:
        """The areas of this level inside a sentence ("district regions"); the plural where the profile gives none."""
        return (self.in_sentence_text or self.plural_text).get(lang)


def _level(spec: LevelSpec) -> Level:
    return Level(spec.code, spec.id_length or 0, spec.dataset, spec.id_field, spec.name_field,
                 spec.label, spec.plural, spec.in_sentence, spec.nesting, spec.id_pattern)


LEVELS: dict[str, Level] = {spec.code: _level(spec) for spec in _PROFILE.levels}
LEVEL_ORDER = _PROFILE.level_order
"""Level codes, finest first (Berlin: PLR, BZR, PGR, BEZ)."""
FINEST = LEVEL_ORDER[0]
"""The code of the finest level (Berlin: PLR): every figure and every need starts from its units."""
COARSEST = LEVEL_ORDER[-1]
"""The code of the coarsest level (Berlin: BEZ): a view may be restricted to one of its areas."""
CITY_NAME = _PROFILE.name
"""The city's name (Berlin), from the city profile."""
APP_NAME = _PROFILE.app_name
"""The app's name for the city (Bedarfsatlas Berlin)."""


def city_label(lang: str) -> str:
    """The city's name in ``lang``, from the city profile (``Берлін`` in Ukrainian)."""
    return _PROFILE.city_label(lang)


CITY_TIMEZONE = ZoneInfo(_PROFILE.timezone)
"""The city's time zone: the dates a reader sees are in it."""


class UnknownLevelError(TranslatedError, ValueError):
    """A level code that is not one of the profile's levels (its message names them)."""


def get_level(code: str | Level) -> Level:
    """The :class:`Level` for ``code`` (case-insensitive); a :class:`Level` is passed on as it is.

    Resolve a level code once, where a request enters (a CLI argument, a page's choice, a
    link), and pass the :class:`Level` on: the functions along the way take it as it is.

    >>> get_level("bzr") is get_level(get_level("BZR"))
    True
    """
    if isinstance(code, Level):
        return code
    return _resolve(code)


def _resolve(code: str) -> Level:
    try:
        return LEVELS[code.upper()]
    except (KeyError, AttributeError):
        raise UnknownLevelError(Message("data.error.unknown_level", levels=", ".join(LEVEL_ORDER),
                                        value=repr(code))) from None


def nests_by_prefix(finer: str | Level, coarser: str | Level) -> bool:
    """Whether the ids of ``coarser`` begin the ids of ``finer``: every level from ``finer`` up to
    ``coarser`` nests by ``prefix`` and ``coarser`` has a fixed id length (Berlin: always).

    >>> nests_by_prefix("PLR", "BEZ")
    True
    """
    finer, coarser = get_level(finer), get_level(coarser)
    between = LEVEL_ORDER[LEVEL_ORDER.index(finer.code):LEVEL_ORDER.index(coarser.code)]
    return coarser.id_length > 0 and all(LEVELS[code].nesting == "prefix" for code in between)


def parent_id(unit_id: str, level: str | Level, of: str | Level | None = None,
              settings: Settings | None = None) -> str | None:
    """The id of the area at ``level`` that contains the unit ``unit_id`` of level ``of`` (default the finest).

    ``None`` when no area of ``level`` contains it. See :func:`parent_ids`.
    """
    found = parent_ids(pd.Series([unit_id]), level, of, settings).iloc[0]
    return None if pd.isna(found) else found


def parent_ids(unit_ids: pd.Series, level: str | Level, of: str | Level | None = None,
               settings: Settings | None = None) -> pd.Series:
    """Vectorised :func:`parent_id`: for ids of level ``of`` (default the finest), their areas at ``level``.

    Where the levels nest by id prefix (:func:`nests_by_prefix`; Berlin's LOR) the parent id is
    the first characters of the id. Where a level of the profile says ``nesting = "containment"``
    the parent is the area of ``level`` that contains the unit's representative point
    (:func:`containing_units`, from the unit files of ``settings``, default the process's).
    """
    lvl, source = get_level(level), get_level(of or FINEST)
    if lvl.code == source.code:
        return unit_ids.copy()
    if nests_by_prefix(source, lvl):
        return unit_ids.str.slice(0, lvl.id_length)
    if settings is None:
        from core.settings import load_settings

        settings = load_settings()
    return unit_ids.map(containing_units(settings, source, lvl))


def containing_units(settings: Settings, finer: str | Level, coarser: str | Level) -> pd.Series:
    """For every unit of ``finer``, the id of the unit of ``coarser`` that contains it, indexed by the finer id.

    A unit belongs to the coarser unit that contains its representative point (a point inside the
    unit, :func:`shapely.point_on_surface`): units that tile their parents (``python -m geodata
    check --profile`` says whether they do) are found whatever their ids. Cached per file version.
    """
    finer, coarser = get_level(finer), get_level(coarser)
    load_units(settings, finer), load_units(settings, coarser)  # a missing file raises the error that names the fix
    return _containing_units(units_version(settings, finer), units_version(settings, coarser), finer, coarser).copy()


@lru_cache(maxsize=32)
def _containing_units(finer_file: tuple[str, float], coarser_file: tuple[str, float], finer: Level,
                      coarser: Level) -> pd.Series:
    import shapely

    children = _load_units(*finer_file, finer)
    parents = _load_units(*coarser_file, coarser)
    points = gpd.GeoDataFrame(geometry=shapely.point_on_surface(children.geometry.array),
                              index=children.index.copy(), crs=children.crs)
    hits = gpd.sjoin(points, parents[[coarser.id_column, "geometry"]].reset_index(drop=True), predicate="within",
                     how="left")
    found = hits.groupby(level=0)[coarser.id_column].first().reindex(children.index)
    found.index.name = finer.id_column
    return found.rename(coarser.id_column)


def _path(settings: Settings, level: str | Level) -> Path:
    return settings.raw_dir / DATASETS[get_level(level).dataset].filename


@lru_cache(maxsize=16)
def _load_units(path: str, mtime: float, level: Level) -> gpd.GeoDataFrame:
    gdf = pyogrio.read_dataframe(path)
    lvl = get_level(level)
    unit_columns = {col for lv in LEVELS.values() for col in (lv.id_column, lv.name_column)}
    keep = [c for c in gdf.columns if c in unit_columns]
    gdf = gdf[keep + ["geometry"]]
    for col in keep:
        gdf[col] = gdf[col].astype(str)
    gdf = gdf.set_crs(ANALYSIS_CRS, allow_override=True)
    gdf = gdf.sort_values(lvl.id_column).set_index(lvl.id_column, drop=False)
    gdf.index.name = "id"
    return gdf


def load_units(settings: Settings, level: str | Level) -> gpd.GeoDataFrame:
    """All areas of one level at full detail, in EPSG:25833, indexed by id.

    Columns: ``<LEVEL>_ID``, ``<LEVEL>_NAME`` and the ids and names of every
    coarser level, plus ``geometry``. The result is cached per file version;
    treat it as read-only (``.copy()`` before changing it).
    """
    level = get_level(level)
    path = _path(settings, level)
    if not path.is_file():
        from geodata.fetch import DataError

        raise DataError(key="data.error.file_missing", dataset=DATASETS[level.dataset].key, path=path, hint=True)
    return _load_units(str(path), path.stat().st_mtime, level)


def units_version(settings: Settings, level: str | Level) -> tuple[str, float]:
    """The file behind ``level`` and its modification time: a key for what is derived from its areas."""
    path = _path(settings, level)
    return str(path), path.stat().st_mtime if path.is_file() else -1.0


@lru_cache(maxsize=4)
def _hierarchy(path: str, mtime: float, cache: str) -> pd.DataFrame:
    # Parsing the full-detail PLR GeoJSON (9.5 MB) took 0.3-0.4 s of every process's first page
    # run, geometry or not; the 542 rows of ids and names are kept beside the other derived files.
    cached = Path(cache)
    if cached.is_file():
        return pd.read_parquet(cached)
    table = pyogrio.read_dataframe(path, read_geometry=False)
    unit_columns = [col for lv in LEVELS.values() for col in (lv.id_column, lv.name_column)]
    keep = [c for c in unit_columns if c in table.columns]
    table = table[keep].astype(str).sort_values(LEVELS[FINEST].id_column).reset_index(drop=True)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        table.to_parquet(partial)
        os.replace(partial, cached)  # readers never see half a file
        for stale in cached.parent.glob("lor_hierarchy_*.parquet"):
            if stale != cached:  # of an older PLR file; another process may remove it first
                stale.unlink(missing_ok=True)
    except OSError as err:  # the cache only saves start-up time; a read-only data folder must not stop the app
        log.warning("LOR hierarchy cache not written to %s: %s", cached, err)
    return table


def hierarchy(settings: Settings) -> pd.DataFrame:
    """One row per PLR with the ids and names of all four levels (no geometry), sorted by PLR id.

    Cached per version of the PLR file, in memory and as parquet in ``settings.cache_dir``;
    each call gets a copy.
    """
    path = _path(settings, LEVELS[FINEST])
    if not path.is_file():
        load_units(settings, LEVELS[FINEST])  # raises the error that names the fix
    stat = path.stat()
    cache = settings.cache_dir / f"lor_hierarchy_{stat.st_size}_{stat.st_mtime_ns}.parquet"
    return _hierarchy(str(path), stat.st_mtime, str(cache)).copy()


def names(settings: Settings, level: str | Level) -> pd.Series:
    """Area names of ``level``, indexed by id."""
    lvl = get_level(level)
    return load_units(settings, lvl)[lvl.name_column]


@lru_cache(maxsize=16)
def _representative_points(path: str, mtime: float, level: Level) -> pd.DataFrame:
    import pyproj
    import shapely

    units = _load_units(path, mtime, level)
    geoms = units.geometry.array
    # The centre of the largest inscribed circle lies as far from the boundary as
    # possible (for the PLR at least ~100 m), so rounding the WGS84 coordinates
    # for storage or display cannot push the point into a neighbouring area, as
    # it could with a centroid (may lie outside) or point_on_surface (may hug an edge).
    centres = shapely.get_point(shapely.maximum_inscribed_circle(geoms, 1.0), 0)
    fallback = ~shapely.contains_properly(geoms, centres)
    centres[fallback] = shapely.point_on_surface(geoms[fallback])
    transformer = pyproj.Transformer.from_crs(ANALYSIS_CRS, WEB_CRS, always_xy=True)
    lon, lat = transformer.transform(shapely.get_x(centres), shapely.get_y(centres))
    return pd.DataFrame({"lat": lat, "lon": lon}, index=units.index.copy())


def representative_points(settings: Settings, level: str | Level) -> pd.DataFrame:
    """One WGS84 point per area that is guaranteed to lie inside that area.

    Use it to place something that belongs to a whole area (a need reported
    for "this Planungsraum", a label, a marker) at a spot that the point lookup
    maps back to the same area. Unlike the centroid, which can fall outside a
    concave area, this is the centre of the largest circle that fits inside it.

    Returns
    -------
    pandas.DataFrame
        Indexed by area id (named ``id``), columns ``lat`` and ``lon`` (EPSG:4326).

    Examples
    --------
    >>> from core.settings import load_settings
    >>> representative_points(load_settings(), "BEZ").loc["01"].round(1).tolist()  # doctest: +SKIP
    [52.5, 13.4]
    """
    level = get_level(level)
    load_units(settings, level)  # raises DataError with the fetch hint when missing
    path = _path(settings, level)
    return _representative_points(str(path), path.stat().st_mtime, level).copy()
