"""Place search: find a station, a facility or an area of Berlin by (part of) its name.

The search answers offline from a *gazetteer*, a table of named points built from
the open data the app has anyway:

* the stations and stops of the VBB (:func:`geodata.stations.load_stations`, npm
  package ``vbb-stations``), weighted by their departures, so big stations come first;
* the names of the facilities of the five facility layers (:mod:`geodata.facilities`);
* the names of the LOR areas of all four levels, each at a point inside the area
  (:func:`geodata.lor.representative_points`).

Every entry is located with the LOR point lookup (:mod:`geodata.lookup`): an entry
outside Berlin's Planungsräume is dropped, and each entry carries the ids and names
of its PLR, BZR, PGR and Bezirk. The table is built once per version of its inputs
and cached as a Parquet file in the data folder (``<data>/cache/places/``; the file
name holds a fingerprint of the inputs, so changed inputs give a new file), and
kept in memory per process (:func:`place_index`). ``python -m geodata fetch`` builds
it; otherwise the first search does.

Matching
--------
Query and names are compared in a normal form (:func:`normalise`) that forgives
case, accents and umlauts (``ö`` = ``oe`` = ``o`` up to one typo), ``ß``/``ss``,
``str.``/``straße``/``strasse``, the mode prefixes of station names (``U``, ``S``,
``S+U``) and ``Bhf``. The score (:meth:`PlaceIndex.scores`) is rapidfuzz's edit-distance
ratio of the whole name, or a little less for a word of the name that starts with the
query (so ``alex`` finds ``Alexanderplatz``); small typos cost a few points. A bonus
that grows with the logarithm of the entry's weight puts the busiest station first
among equally good matches.

Examples
--------
>>> normalise("S+U Schönhauser Allee Bhf"), normalise("schoenhauser allee")
('schoenhauser allee', 'schoenhauser allee')
>>> normalise("Hermannstraße"), normalise("HERMANNSTRASSE"), normalise("U Hermannstr.")
('hermannstr', 'hermannstr', 'hermannstr')
>>> normalise("Café Niño, Mehringpl.")
'cafe nino mehringplatz'
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from core.settings import Settings
from geodata.catalogue import DATASETS, PACKAGED_DATASETS
from geodata.lor import LEVEL_ORDER, LEVELS, _path
from geodata.profile import active_profile

#: Bump when anything below changes the gazetteer's rows; old cache files are then ignored.
GAZETTEER_VERSION = 2

#: The LOR columns every entry carries (ids and names of the four levels, finest first).
AREA_COLUMNS: tuple[str, ...] = tuple(
    col for code in LEVEL_ORDER for col in (LEVELS[code].id_column, LEVELS[code].name_column)
)
COLUMNS: tuple[str, ...] = ("name", "kind", "lat", "lon", "weight", "key", *AREA_COLUMNS)

_HELPERS = active_profile().helpers

#: Weight of an area name, by level: the coarsest level outranks most stations of its name, the
#: finest only small stops (the profile's helpers may set ``AREA_WEIGHTS``; else each level weighs
#: four times the next finer). A facility weighs about as much as a small bus stop.
AREA_WEIGHTS: dict[str, float] = getattr(_HELPERS, "AREA_WEIGHTS", None) or {
    code: 2000.0 * 4 ** n for n, code in enumerate(LEVEL_ORDER)}
FACILITY_WEIGHT = 20.0

#: Map zoom that shows a found place: street level for points, the whole area for areas
#: (the finest level at 15, each coarser one a step further out).
STREET_ZOOM = 16
ZOOM_BY_KIND = {code: STREET_ZOOM - 1 - n for n, code in enumerate(LEVEL_ORDER)}


class StationsMissing(FileNotFoundError):
    """The profile's stations package is not installed; the message says how to install it."""


def station_source():
    """The module of the profile's helpers that reads its stations (Berlin: the VBB's), else ``None``.

    It has ``load_stations(package_dir, kinds)``, ``package_file(package_dir)``, ``RAIL_KINDS``
    and ``DATASET`` (the key of :data:`geodata.catalogue.PACKAGED_DATASETS`).
    """
    loader = getattr(_HELPERS, "stations", None)
    return loader() if loader else None

#: Points of match score (0-100) for the busiest entry; others get less, by log(weight).
WEIGHT_POINTS = 6.0
#: A name with a word that starts with the query (``hermann`` -> ``Am Hermannplatz``) scores this
#: share of an equally good match of the whole name.
PREFIX_FACTOR = 0.9
#: How many query lengths keep their cut word starts in memory (:meth:`PlaceIndex._head`).
HEADS_KEPT = 16
#: Below this match score (0-100, without bonuses) an entry is no match.
MIN_SCORE = 75.0
DEFAULT_LIMIT = 8

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_MODE_PREFIX = re.compile(r"^(?:s\s*\+\s*u|u\s*\+\s*s|[su][- ]?bahn(?:hof)?|s|u)\s+")
_PLATZ = re.compile(r"pl\.")
_NOT_WORD = re.compile(r"[\W_]+")
_STREET = re.compile(r"(?:strasse|str)\b")
_BHF = re.compile(r"\bbhf\b")


def normalise(text: str) -> str:
    """The form in which query and names are compared (see the module docstring).

    Lower case, ``ä ö ü`` as ``ae oe ue``, ``ß`` as ``ss``, other accents dropped,
    punctuation as spaces, ``straße``/``strasse``/``str.`` as ``str``, ``pl.`` as
    ``platz``, no ``U``/``S``/``S+U`` prefix and no ``Bhf``.

    >>> normalise("  U  Kottbusser   Tor "), normalise("s+u alex"), normalise("Straße des 17. Juni")
    ('kottbusser tor', 'alex', 'str des 17 juni')
    """
    text = text.casefold().translate(_UMLAUTS)  # casefold makes ß "ss"
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _PLATZ.sub("platz ", text)
    text = _MODE_PREFIX.sub("", text.strip())
    text = _NOT_WORD.sub(" ", text)
    text = _BHF.sub(" ", _STREET.sub("str", text))
    return " ".join(text.split())


@dataclass(frozen=True)
class Place:
    """One search result: a named point in Berlin with the LOR areas it lies in.

    ``kind`` is ``S+U``, ``U``, ``S``, ``Haltestelle`` (stations), a key of
    :data:`geodata.facilities.FACILITY_TYPES` (``kitas``, ...), a LOR level
    (``PLR``, ``BZR``, ``PGR``, ``BEZ``) or ``address`` (from the operator's geocoder).
    """

    name: str
    kind: str
    lat: float
    lon: float
    areas: dict[str, str]
    weight: float = 0.0
    score: float = 0.0

    @property
    def zoom(self) -> int:
        """The map zoom that shows this place: street level, or the whole area for an area."""
        return ZOOM_BY_KIND.get(self.kind, STREET_ZOOM)

    def as_json(self) -> dict[str, Any]:
        """What ``python -m geodata find`` prints for the place."""
        return {"name": self.name, "kind": self.kind, "lat": round(self.lat, 6), "lon": round(self.lon, 6),
                **self.areas}


class PlaceIndex:
    """The gazetteer in memory, ready to search: normal forms, weights and the rows.

    Parameters
    ----------
    gazetteer : pandas.DataFrame
        Rows with the columns of :data:`COLUMNS` (see :func:`build_gazetteer`).

    Examples
    --------
    >>> rows = pd.DataFrame({"name": ["S+U Alexanderplatz", "Alexandrinenstr.", "U Kottbusser Tor"],
    ...     "kind": ["S+U", "Haltestelle", "U"], "lat": [52.5215, 52.5023, 52.4990],
    ...     "lon": [13.4110, 13.4093, 13.4179], "weight": [37250.0, 300.0, 13037.0]})
    >>> rows["key"] = rows["name"].map(normalise)
    >>> for column in AREA_COLUMNS:
    ...     rows[column] = "x"
    >>> index = PlaceIndex(rows)
    >>> [p.name for p in index.search("s+u alex")]
    ['S+U Alexanderplatz', 'Alexandrinenstr.']
    >>> [p.name for p in index.search("kottbuser tor")], index.search("zzzz")
    (['U Kottbusser Tor'], [])
    """

    def __init__(self, gazetteer: pd.DataFrame):
        missing = [c for c in COLUMNS if c not in gazetteer.columns]
        if missing:
            raise ValueError(f"a gazetteer needs the columns {list(COLUMNS)}; missing {missing}")
        self.rows = gazetteer.reset_index(drop=True)
        self.keys: list[str] = self.rows["key"].astype(str).tolist()
        weights = self.rows["weight"].to_numpy(dtype=float)
        top = math.log1p(max(float(weights.max()), 1.0)) if len(weights) else 1.0
        self.bonus = WEIGHT_POINTS * np.log1p(np.clip(weights, 0.0, None)) / top
        # Every word of every name starts a suffix: "berlin hauptbahnhof" is also "hauptbahnhof".
        self._suffixes: list[str] = []
        owners: list[int] = []
        for i, key in enumerate(self.keys):
            for start in [0, *(m.end() for m in re.finditer(" ", key))]:
                self._suffixes.append(key[start:])
                owners.append(i)
        self._owners = np.array(owners, dtype=np.int64)
        self._heads: OrderedDict[int, list[str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self.rows)

    def _head(self, length: int) -> list[str]:
        """The first ``length`` characters of every suffix.

        Cutting 23,000 suffixes costs more than comparing them, and queries repeat
        lengths: the cuts of the last :data:`HEADS_KEPT` lengths are kept (about 1 MB each).
        """
        if length in self._heads:
            self._heads.move_to_end(length)
        else:
            self._heads[length] = [s[:length] for s in self._suffixes]
            if len(self._heads) > HEADS_KEPT:
                self._heads.popitem(last=False)
        return self._heads[length]

    def scores(self, query: str) -> np.ndarray:
        """The match score (0-100, no weight bonus) of every entry for ``query`` (already normalised).

        The better of two rapidfuzz ratios (normalised Indel similarity): the whole
        name against the query, and, scaled by :data:`PREFIX_FACTOR`, the best
        word-start of the name cut to the query's length (one more or one less, for
        a letter left out or typed twice) against the query: ``alex`` finds
        ``Alexanderplatz``, ``hauptbanhof`` finds ``Berlin Hauptbahnhof``.
        """
        if not query or not self.keys:
            return np.zeros(len(self.keys), dtype=float)
        whole = process.cdist([query], self.keys, scorer=fuzz.ratio, processor=None, workers=1)[0]
        best_head = np.zeros(len(self._suffixes), dtype=np.float32)
        for length in {max(1, len(query) - 1), len(query), len(query) + 1}:
            heads = process.cdist([query], self._head(length), scorer=fuzz.ratio, processor=None, workers=1)[0]
            np.maximum(best_head, heads, out=best_head)
        prefix = np.zeros(len(self.keys), dtype=np.float32)
        np.maximum.at(prefix, self._owners, best_head)
        return np.maximum(whole, PREFIX_FACTOR * prefix).astype(float)

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[Place]:
        """The best ``limit`` places for ``query``, best first; ``[]`` when nothing matches."""
        score = self.scores(normalise(query))
        matched = np.flatnonzero(score >= MIN_SCORE)
        if not matched.size:
            return []
        total = score[matched] + self.bonus[matched]
        # Stable sort on -total; ties keep gazetteer order (heaviest first).
        ranked = np.argsort(-total, kind="stable")[:limit]
        return [self._place(int(matched[r]), float(total[r])) for r in ranked]

    def _place(self, i: int, score: float) -> Place:
        row = self.rows.iloc[i]
        return Place(name=str(row["name"]), kind=str(row["kind"]), lat=float(row["lat"]), lon=float(row["lon"]),
                     areas={c: str(row[c]) for c in AREA_COLUMNS}, weight=float(row["weight"]),
                     score=round(score, 2))


# --- building the gazetteer ---------------------------------------------------------------------


def _inputs(settings: Settings, stations_dir: Path | None) -> list[Path]:
    from geodata.facilities import FACILITY_TYPES

    stations = station_source()
    areas = [_path(settings, level) for level in LEVEL_ORDER]
    facilities = [settings.raw_dir / DATASETS[f.dataset].filename for f in FACILITY_TYPES.values()]
    return [*([stations.package_file(stations_dir)] if stations else []), *areas, *facilities]


def fingerprint(settings: Settings, stations_dir: Path | None = None) -> str:
    """A short hash of the gazetteer's inputs (paths, sizes, modification times) and its version.

    Raises :class:`geodata.fetch.DataError` (naming the fetch command) when an
    open-data file is missing, and :class:`StationsMissing`
    (naming the npm command) when the stations package is.
    """
    from geodata.fetch import DataError

    stations = station_source()
    parts: list[Any] = [GAZETTEER_VERSION, PACKAGED_DATASETS[stations.DATASET].version if stations else None]
    for path in _inputs(settings, stations_dir):
        if not path.is_file():
            raise DataError(key="data.error.place_input_missing", path=path, hint=True)
        stat = path.stat()
        parts.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def build_gazetteer(settings: Settings, stations_dir: Path | None = None) -> pd.DataFrame:
    """Every named point of the place search, inside Berlin, with its LOR areas (no cache).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, heaviest entry first; ``key`` is the name's
        :func:`normalise` form. Entries outside every Planungsraum are dropped.
    """
    from geodata.facilities import FACILITY_TYPES, facility_points
    from geodata.lookup import get_locator
    from geodata.lor import names, representative_points

    stations = station_source()
    parts = [stations.load_stations(stations_dir)[["name", "kind", "lat", "lon", "weight"]]] if stations else []
    for ftype in FACILITY_TYPES.values():
        points = facility_points(settings, ftype.key)
        points = points[points["name"].str.strip().ne("") & points["name"].ne("<NA>")]
        parts.append(points.assign(kind=ftype.key, weight=FACILITY_WEIGHT)[["name", "kind", "lat", "lon", "weight"]])
    for level in LEVEL_ORDER:
        centres = representative_points(settings, level)
        parts.append(pd.DataFrame({"name": names(settings, level).reindex(centres.index).to_numpy(),
                                   "kind": level, "lat": centres["lat"].to_numpy(), "lon": centres["lon"].to_numpy(),
                                   "weight": AREA_WEIGHTS[level]}))
    rows = pd.concat(parts, ignore_index=True)
    rows["name"] = rows["name"].astype(str).str.strip()
    located = get_locator(settings).locate_many(rows["lat"].to_numpy(), rows["lon"].to_numpy())
    rows = pd.concat([rows, located.reset_index(drop=True)], axis=1)
    finest_id = LEVELS[LEVEL_ORDER[0]].id_column
    rows = rows[rows[finest_id].notna()].copy()
    rows["key"] = rows["name"].map(normalise)
    rows = rows[rows["key"] != ""]
    rows = rows.sort_values("weight", ascending=False, kind="stable")
    # The same name of the same kind twice in one Planungsraum (a Kita listed per building) is one hit.
    rows = rows.drop_duplicates(["key", "kind", finest_id])
    return rows[list(COLUMNS)].reset_index(drop=True)


def gazetteer_file(settings: Settings, stations_dir: Path | None = None) -> Path:
    """Where the cached gazetteer of the current inputs lives (it may not exist yet)."""
    return settings.cache_dir / "places" / f"gazetteer_{fingerprint(settings, stations_dir)}_v{GAZETTEER_VERSION}.parquet"


def ensure_gazetteer(settings: Settings, stations_dir: Path | None = None) -> Path:
    """The cached gazetteer file of the current inputs, built (atomically) when it is missing."""
    from geodata.fetch import DataError

    target = gazetteer_file(settings, stations_dir)
    if target.is_file():
        return target
    rows = build_gazetteer(settings, stations_dir)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(handle)
        try:
            rows.to_parquet(temporary, index=False)
            os.chmod(temporary, 0o644)  # mkstemp makes it private; the cache is not secret
            os.replace(temporary, target)  # two builders at once: the last rename wins, never half a file
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for stale in target.parent.glob("gazetteer_*.parquet"):  # built from inputs that are gone
            if stale != target:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        raise DataError(key="data.error.place_cache_unwritable", path=target, problem=exc,
                        folder=target.parent) from exc
    return target


@lru_cache(maxsize=2)
def _index(path: str) -> PlaceIndex:
    return PlaceIndex(pd.read_parquet(path))


def place_index(settings: Settings, stations_dir: Path | None = None) -> PlaceIndex:
    """The :class:`PlaceIndex` of the current inputs: read from the cache file, built when missing."""
    return _index(str(ensure_gazetteer(settings, stations_dir)))


def find_places(settings: Settings, query: str, limit: int = DEFAULT_LIMIT) -> list[Place]:
    """The gazetteer's best places for ``query`` (see :meth:`PlaceIndex.search`).

    Examples
    --------
    >>> from core.settings import load_settings
    >>> find_places(load_settings(), "s+u alex")[0].name  # doctest: +SKIP
    'S+U Alexanderplatz'
    """
    return place_index(settings).search(query, limit)


# --- gazetteer and the operator's geocoder together -------------------------------------------------


@dataclass(frozen=True)
class SearchAnswer:
    """What a search found: gazetteer places first, then addresses from the operator's geocoder.

    ``addresses_unavailable`` is the reason the geocoder did not answer this time
    (``None`` when it answered, or when no geocoder is configured).
    """

    places: tuple[Place, ...]
    addresses_unavailable: str | None = None


def search(settings: Settings, query: str, limit: int = DEFAULT_LIMIT) -> SearchAnswer:
    """Places for ``query`` from the gazetteer, then street addresses when a geocoder is set.

    Without ``BEDARFSATLAS_GEOCODER_URL`` nothing leaves the server. When the
    geocoder fails (HTTP error, bad answer, time-out) the gazetteer's places
    are still returned, with the reason in ``addresses_unavailable``.
    """
    from geodata.geocoder import GeocoderUnavailable, geocode_addresses

    found = find_places(settings, query, limit)
    if not settings.geocoder_url or not normalise(query):
        return SearchAnswer(tuple(found))
    try:
        addresses = geocode_addresses(settings, query)
    except GeocoderUnavailable as unavailable:
        return SearchAnswer(tuple(found), str(unavailable))
    seen = {(p.name, round(p.lat, 4), round(p.lon, 4)) for p in found}
    merged = found + [a for a in addresses if (a.name, round(a.lat, 4), round(a.lon, 4)) not in seen]
    return SearchAnswer(tuple(merged))
