"""Official indicators per area of the city's units, with their meaning, and aggregation that stays right.

The indicators are those of the city profile (:mod:`geodata.profile`): each dataset of
``profile.toml`` names the indicators it gives, with label, unit, direction (is a higher value
more need?) and aggregation rule. One table per unit of the finest level (Berlin: the
Planungsraum, PLR) is joined from the profile's files on the unit id (names repeat, ids do not).
A profile whose files need more than reading named columns brings readers in its
``helpers.py`` (Berlin: residents by age, MSS, environmental justice, violence monitoring, the
crime atlas, facilities; see ``geodata/profiles/berlin/helpers.py``).

Aggregation to every coarser level follows the rule of each indicator, never a mean of values
of the finest level:

* ``sum`` - counts (residents, facilities, places, area) are summed;
* ``ratio`` (``share`` in the profile) - shares, rates and densities are recomputed from the
  summed numerator and denominator (share of under-6 = sum(under 6) / sum(residents));
* ``class`` - an official class (MSS status, noise class, ...) exists at the finest level
  only. It is not averaged; coarser levels get an honestly labelled derived share instead
  ("share of residents living in areas with MSS status niedrig or sehr niedrig") where the
  profile's helpers name one in ``Indicator.derived_share``;
* ``none`` (``finest`` in the profile) - a published rate without its parts, finest level only.

Missing stays missing: sentinels, confidential cells (``NA``) and codes that mean "no class"
become NaN, and a rate over zero residents is NaN, never 0 or inf.

Examples
--------
>>> INDICATORS["share_under6"].label("en")
'Share of children under 6'
>>> INDICATORS["share_under6"].numerator, INDICATORS["share_under6"].denominator
('pop_under6', 'population')
>>> "mss_status" in available_indicators(LEVEL_ORDER[1])
False
>>> "mss_status_low_share" in available_indicators(LEVEL_ORDER[-1])
True
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

from geodata import facilities as facilities_module
from geodata.catalogue import DATASETS, Dataset
from geodata.facilities import FACILITY_TYPES, facilities_per_plr
from core.i18n import LANGUAGES, t
from geodata.lor import FINEST, LEVEL_ORDER, LEVELS, WEB_CRS, Level, get_level, hierarchy, load_units, parent_ids
from geodata.profile import IndicatorSpec, Text, active_profile
from core.settings import Settings

log = logging.getLogger(__name__)

AGGREGATIONS = ("sum", "ratio", "class", "none")
KINDS = ("count", "area", "share", "rate", "density", "class", "index", "change")
_AGGREGATION_OF = {"sum": "sum", "share": "ratio", "class": "class", "finest": "none"}
"""The profile's aggregation names and the ones used here."""


@dataclass(frozen=True)
class Indicator:
    """One official indicator: what it means, where it comes from, how it aggregates.

    Its label and unit are texts of the city profile (for Berlin the messages
    ``indicator.<key>.label`` and ``.unit`` of the catalogues), its note the message
    ``indicator.<key>.note``; shown by :meth:`label`, :meth:`unit` and :meth:`note_text`.

    Parameters
    ----------
    key : str
        Column name in the indicator tables.
    kind : str
        One of :data:`KINDS`.
    direction : int or None
        +1: a higher value means more need; -1: a higher value means less need;
        0: context without a direction; ``None``: unknown.
    datasets : tuple of str
        Keys of :data:`geodata.catalogue.DATASETS` the value is computed from.
    aggregation : str
        ``"sum"`` (the column itself is summed), ``"ratio"`` (``numerator /
        denominator * factor`` from summed columns), ``"class"`` (finest level only, a
        derived share may stand in at coarser levels) or ``"none"`` (finest level only: a
        published rate without its numerator and denominator).
    numerator, denominator : str, optional
        Columns of the finest table for ``"ratio"``.
    factor : float
        100 for percentages, 10,000 for "per 10,000 residents".
    classes : tuple of int, optional
        For ``"class"``: the class codes, in code order.
    class_texts : str, optional
        For ``"class"``: the set of class names, messages ``indicator_class.<class_texts>.<code>``;
        ``None``: the codes themselves are the names.
    worst_class : int, optional
        For ``"class"``: the code that means most need.
    derived_share : str, optional
        For ``"class"``: the key of the share indicator that replaces it at
        coarser levels.
    derived_from, share_classes : optional
        For a derived share: the class indicator and the class codes counted.
    decimals : int
        Decimals to show.
    direction_verified : bool
        False when the direction is inferred (from the data) rather than
        stated by the publisher; the note then says how.
    has_note : bool
        Whether a reader must know something (vintage, caveats, how the direction was
        inferred): the message ``indicator.<key>.note``.
    base_level : str
        The finest level of the source: the profile's finest level for most, Berlin's crime
        atlas has counts per Bezirksregion only and is summed upwards from there.
    column : str, optional
        For a profile without helpers: the column of the dataset that holds the value
        (default: the key).
    """

    key: str
    kind: str
    direction: int | None
    datasets: tuple[str, ...]
    aggregation: str
    numerator: str | None = None
    denominator: str | None = None
    factor: float = 1.0
    classes: tuple[int, ...] = ()
    class_texts: str | None = None
    worst_class: int | None = None
    derived_share: str | None = None
    derived_from: str | None = None
    share_classes: tuple[int, ...] = ()
    decimals: int = 0
    direction_verified: bool = True
    has_note: bool = False
    base_level: str = FINEST
    column: str | None = None
    label_text: Text = field(compare=False, repr=False, default=Text())
    unit_text: Text = field(compare=False, repr=False, default=Text())

    def label(self, lang: str) -> str:
        return self.label_text.get(lang)

    def note_text(self, lang: str) -> str | None:
        """The note in ``lang``, ``None`` when the indicator has none.

        >>> INDICATORS["area_km2"].note_text("en")[:30], INDICATORS["pop_under6"].note_text("en")
        ('Ellipsoidal (GRS80) area of th', None)
        """
        return t(f"indicator.{self.key}.note", lang) if self.has_note else None

    def unit(self, lang: str) -> str:
        return self.unit_text.get(lang)

    def heading(self, lang: str) -> str:
        """Label and unit for a legend or a column: ``Anteil ab 65 Jahren (%)``.

        A label that already names its unit keeps it once:

        >>> INDICATORS["pharmacies_per_10k"].heading("de")
        'Apotheken je 10.000 Einwohner'
        >>> INDICATORS["share_65plus"].heading("en"), INDICATORS["pop_65plus"].heading("en")
        ('Share aged 65 and over (%)', 'Residents aged 65 and over')
        """
        unit, label = self.unit(lang), self.label(lang)
        return f"{label} ({unit})" if unit and unit.lower() not in label.lower() else label

    def class_label(self, code: float | int, lang: str) -> str | None:
        """Label of a class code (``None`` for missing or unknown codes).

        >>> INDICATORS["mss_status"].class_label(4, "en"), INDICATORS["mss_status"].class_label(7, "en")
        ('very low', None)
        """
        if code is None or pd.isna(code) or int(code) not in self.classes:
            return None
        return self._class_name(int(code), lang)

    def class_labels(self, lang: str) -> dict[int, str]:
        """Every class code with its label in ``lang``, in code order (empty for a continuous indicator)."""
        return {code: self._class_name(code, lang) for code in self.classes}

    def _class_name(self, code: int, lang: str) -> str:
        if self.class_texts is None:
            return str(code)
        return t(f"indicator_class.{self.class_texts}.{code}", lang)

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels at which this indicator is available (its base level and coarser ones)."""
        if self.aggregation not in ("sum", "ratio"):
            return (FINEST,)
        return LEVEL_ORDER[LEVEL_ORDER.index(self.base_level):]


# --- the indicator definitions ----------------------------------------------------------
# From the city profile: what profile.toml says of each indicator, and what its helpers add
# (kind, decimals, class names, derived shares, notes).

_PROFILE = active_profile()
_HELPERS = _PROFILE.helpers
_DEFAULT_DETAILS = {"sum": dict(kind="count"), "ratio": dict(kind="share", decimals=1),
                    "class": dict(kind="class"), "none": dict(kind="share", decimals=2)}


def _indicator(spec: IndicatorSpec, details: dict) -> Indicator:
    aggregation = _AGGREGATION_OF[spec.aggregation]
    return Indicator(
        spec.key, direction=spec.direction, datasets=spec.datasets, aggregation=aggregation,
        numerator=spec.numerator, denominator=spec.denominator, factor=spec.factor, classes=spec.classes,
        base_level=spec.base_level or FINEST, column=spec.column, label_text=spec.label, unit_text=spec.unit,
        **{**_DEFAULT_DETAILS[aggregation], **details},
    )


def _definitions() -> list[Indicator]:
    details = getattr(_HELPERS, "DETAILS", {})
    specs = {spec.key: spec for spec in _PROFILE.indicators}
    order = [k for k in getattr(_HELPERS, "ORDER", ()) if k in specs]
    order += [k for k in specs if k not in order]
    return [_indicator(specs[key], details.get(key, {})) for key in order]


INDICATORS: dict[str, Indicator] = {ind.key: ind for ind in _definitions()}
"""Every indicator by key, in display order."""

DEFAULT_INDICATOR: str = _PROFILE.default_indicator
"""The indicator a map shows first (Berlin: the MSS status index), from the city profile."""

_EXTRA_COUNTS: tuple[str, ...] = tuple(getattr(_HELPERS, "EXTRA_COUNTS", ()))
"""Counts the finest table carries beyond the indicators: denominators and helpers."""


def _check_definitions() -> None:
    """Fail at import, not on a page, when a definition is inconsistent."""
    for ind in INDICATORS.values():
        problems = [
            ind.kind not in KINDS and f"kind {ind.kind!r} not in {KINDS}",
            ind.aggregation not in AGGREGATIONS and f"aggregation {ind.aggregation!r} not in {AGGREGATIONS}",
            any(k not in DATASETS for k in ind.datasets) and f"unknown dataset in {ind.datasets}",
            ind.aggregation == "ratio" and not (ind.numerator and ind.denominator)
            and "ratio without numerator and denominator",
            ind.derived_share and ind.derived_share not in INDICATORS
            and f"derived share {ind.derived_share!r} is no indicator",
        ]
        if any(problems):
            raise ValueError(f"indicator {ind.key!r}: {'; '.join(p for p in problems if p)}")


_check_definitions()


def get_indicator(key: str) -> Indicator:
    """The :class:`Indicator` for ``key``, with a helpful error for unknown keys."""
    try:
        return INDICATORS[key]
    except KeyError:
        raise KeyError(
            f"unknown indicator {key!r}; known indicators: {', '.join(INDICATORS)}"
        ) from None


def sources(indicator_key: str) -> list[Dataset]:
    """The catalogue datasets an indicator is computed from.

    Examples
    --------
    >>> [ds.key for ds in sources("density")]
    ['population_2025', 'lor_plr']
    """
    return [DATASETS[k] for k in get_indicator(indicator_key).datasets]


def citation(indicator_key: str, lang: str = "de") -> str:
    """Source, reference date and licence of every dataset behind an indicator, one line.

    Examples
    --------
    >>> citation("kita_places_per_100_under6")  # doctest: +ELLIPSIS
    'Geoportal Berlin / Kindertagesstätten (Stand 31.12.2022, Lizenz dl-de/by-2.0, noch zu prüfen); Amt für...'
    >>> citation("kita_places_per_100_under6", "en")  # doctest: +ELLIPSIS
    'Geoportal Berlin / Kindertagesstätten (as of 2022-12-31, licence dl-de/by-2.0, to be verified); Amt für...'
    >>> citation("crime_offences_per_100k").count("Kriminalitätsatlas")
    1
    """
    # Two tables of one publication (the crime atlas's cases and rates) cite alike: once.
    return "; ".join(dict.fromkeys(ds.citation(lang) for ds in sources(indicator_key)))


def available_indicators(level: str | Level) -> list[str]:
    """Keys of the indicators that exist at ``level`` (class indicators: PLR only).

    Examples
    --------
    >>> "mss_status" in available_indicators("PLR"), "mss_status" in available_indicators("BZR")
    (True, False)
    """
    code = get_level(level).code
    return [key for key, ind in INDICATORS.items() if code in ind.levels]


def indicator_key(value: object) -> str | None:
    """The key of an indicator given by key or by its label in any language, else ``None``.

    After a language switch the browser may send a list's choice back as the label it
    showed; this finds the indicator it meant.

    >>> indicator_key("MSS status index"), indicator_key("mss_status"), indicator_key("Glück")
    ('mss_status', 'mss_status', None)
    """
    if value in INDICATORS:
        return str(value)
    if not isinstance(value, str):
        return None
    return next((k for k, ind in INDICATORS.items() if value in {ind.label(lang) for lang in LANGUAGES}), None)


def indicator_at_level(chosen: object, keys: list[str], fallback: str) -> tuple[str, str | None]:
    """The indicator to show from ``keys`` for a choice made earlier (perhaps at another level).

    Returns ``(shown, replaced)``: the choice itself if ``keys`` has it (also when it came
    back as its label); else a PLR-only class indicator's residents' share, else
    ``fallback``. ``replaced`` is the indicator that gave way (for
    :func:`not_at_level_note`), ``None`` when nothing known was replaced.

    >>> indicator_at_level("mss_status", available_indicators("BEZ"), "population")
    ('mss_status_low_share', 'mss_status')
    >>> indicator_at_level("Offences, all per 100,000 residents", available_indicators("PLR"), "population")
    ('population', 'crime_offences_per_100k')
    """
    if chosen in keys:
        return str(chosen), None
    key = indicator_key(chosen)
    if key in keys:
        return key, None
    derived = INDICATORS[key].derived_share if key else None
    return (derived if derived in keys else fallback), key


def not_at_level_note(chosen: str, shown: str, lang: str = "de") -> str:
    """Why the indicator ``chosen`` gave way to the indicator ``shown``: the levels it exists for.

    >>> not_at_level_note("crime_offences_per_100k", "population", "en")
    '“Offences, all per 100,000 residents” exists for district regions, forecast areas and districts only; showing “Residents”.'
    """
    levels = [LEVELS[code].in_sentence(lang) for code in INDICATORS[chosen].levels]
    joined = levels[0] if len(levels) == 1 else f"{', '.join(levels[:-1])} {t('words.and', lang)} {levels[-1]}"
    return t("indicator.not_at_level", lang, indicator=INDICATORS[chosen].label(lang), levels=joined,
             shown=INDICATORS[shown].label(lang))


# --- reading the official files ---------------------------------------------------------


def read_csv(settings: Settings, key: str) -> pd.DataFrame:
    """A CSV of the profile with every value as text, indexed by its id column (zero-padded text)."""
    from geodata.fetch import DataError

    ds = DATASETS[key]
    path = settings.raw_dir / ds.filename
    if not path.is_file():
        raise DataError(key="data.error.file_missing", dataset=key, path=path, hint=True)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    ids = table[ds.id_column]
    if ids.duplicated().any():
        raise DataError(key="data.error.duplicate_id", dataset=key, id=repr(ids[ids.duplicated()].iloc[0]), path=path,
                        hint=True)
    return table.set_index(ds.id_column)


def read_numbers(column: pd.Series, sentinels: tuple[float, ...] = ()) -> pd.Series:
    """Text to float; empty, ``NA`` and the ``sentinels`` (codes for "no value") become NaN.

    >>> read_numbers(pd.Series(["3", "", "NA", "-9999"]), sentinels=(-9999,)).tolist()
    [3.0, nan, nan, nan]
    """
    from geodata.fetch import DataError

    text = column.replace({"": None, "NA": None})
    values = pd.to_numeric(text, errors="coerce").astype(float)
    bad = text.notna() & values.isna()
    if bad.any():
        raise DataError(key="data.error.not_a_number", column=repr(column.name), value=repr(text[bad].iloc[0]),
                        level=FINEST, unit=text[bad].index[0], hint=True)
    return values.mask(values.isin(sentinels)) if sentinels else values


def read_codes(column: pd.Series, allowed: set[int], missing: set[int], key: str,
               sentinels: tuple[float, ...] = ()) -> pd.Series:
    """Class codes as float; ``missing`` codes become NaN, unknown codes are an error."""
    from geodata.fetch import DataError

    values = read_numbers(column, sentinels)
    unknown = values.dropna()[~values.dropna().isin(allowed | missing)]
    if len(unknown):
        raise DataError(key="data.error.class_code", dataset=key, code=repr(unknown.iloc[0]), level=FINEST,
                        unit=unknown.index[0], codes=sorted(allowed | missing))
    return values.mask(values.isin(missing))


def _profile_parts(settings: Settings) -> list[pd.DataFrame]:
    """The columns the profile names, read from its CSV files (a profile without helpers).

    An indicator's value comes from its ``column`` (default: its key); a share's numerator and
    denominator are columns of the same file, kept under their own names and summed upwards.
    """
    parts = []
    for ds in DATASETS.values():
        given = [ind for ind in INDICATORS.values() if ind.datasets[0] == ds.key]
        if not given or ds.kind != "csv":
            continue
        raw = read_csv(settings, ds.key)
        part = pd.DataFrame(index=raw.index)
        for ind in given:
            if ind.aggregation == "ratio":
                for column in (ind.numerator, ind.denominator):
                    if column in raw.columns:
                        part[column] = read_numbers(raw[column])
            elif ind.aggregation == "class":
                part[ind.key] = read_codes(raw[ind.column or ind.key], set(ind.classes), set(), ds.key)
            else:
                part[ind.key] = read_numbers(raw[ind.column or ind.key])
        parts.append(part)
    return parts


def add_coarse(table: pd.DataFrame, coarse: dict[str, pd.DataFrame], level: str | Level) -> pd.DataFrame:
    """Join counts published at a coarser level, summed to ``level``, and compute their ratios.

    ``coarse`` maps a level code to a table indexed by that level's ids (Berlin: the crime atlas
    per Bezirksregion); it joins where ``level`` is that level or coarser.

    >>> table = pd.DataFrame({"population": [5.0]}, index=pd.Index(["01"], name="BEZ_ID"))
    >>> crime = pd.DataFrame({"crime_offences": [10.0, 30.0], "crime_residents_basis": [1000.0, 3000.0]},
    ...                      index=pd.Index(["011001", "011002"], name="BZR_ID"))
    >>> float(add_coarse(table, {"BZR": crime}, "BEZ").loc["01", "crime_offences_per_100k"])
    1000.0
    """
    lvl = get_level(level)
    for base, counts in coarse.items():
        if LEVEL_ORDER.index(lvl.code) < LEVEL_ORDER.index(base):
            continue
        keys = parent_ids(pd.Series(counts.index.astype(str), index=counts.index), lvl, of=base)
        summed = counts.groupby(keys.values).sum(min_count=1)
        table = table.drop(columns=[c for c in summed.columns if c in table.columns]).join(summed, how="left")
    return add_ratios(table)


def _coarse_parts(settings: Settings) -> dict[str, pd.DataFrame]:
    return _HELPERS.coarse_parts(settings) if hasattr(_HELPERS, "coarse_parts") else {}


_GEOD = Geod(ellps="GRS80")


def ellipsoidal_area_km2(geometries) -> np.ndarray:
    """Area on the GRS80 ellipsoid, in km², of polygons given in EPSG:4326.

    The planar area in EPSG:25833 is about 0.05 % smaller because of the UTM
    scale factor at Berlin; official areas are ellipsoidal.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> round(float(ellipsoidal_area_km2([box(13.0, 52.0, 13.1, 52.1)])[0]), 1)
    76.3
    """
    return np.array([abs(_GEOD.geometry_area_perimeter(g)[0]) / 1e6 for g in geometries])


def _class_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Numerator and denominator residents for every derived class share."""
    out = {}
    pop = table["population"]
    for ind in INDICATORS.values():
        if not ind.derived_from:
            continue
        klass = table[ind.derived_from]
        # Residents of PLR without a class count in neither part, so the share is
        # "among residents of classified PLR"; NaN residents stay NaN.
        out[ind.numerator] = pop.where(klass.isin(ind.share_classes), 0.0).where(pop.notna())
        out[ind.denominator] = pop.where(klass.notna(), 0.0).where(pop.notna())
    return pd.DataFrame(out, index=table.index)


def add_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """Compute every ``ratio`` indicator whose numerator and denominator are in ``table``.

    A zero or missing denominator gives NaN (never inf, never 0). Works on the
    PLR table and on summed tables of any level alike, which is what keeps
    shares right after aggregation.

    Examples
    --------
    >>> t = pd.DataFrame({"population": [200.0, 0.0], "pop_under6": [10.0, 0.0]})
    >>> add_ratios(t)["share_under6"].tolist()
    [5.0, nan]
    """
    table = table.copy()
    for ind in INDICATORS.values():
        if ind.aggregation != "ratio" or ind.numerator not in table or ind.denominator not in table:
            continue
        num = table[ind.numerator].astype(float)
        den = table[ind.denominator].astype(float)
        safe = den.where(den > 0)
        table[ind.key] = num / safe * ind.factor
    return table


def sum_columns(table: pd.DataFrame) -> list[str]:
    """The columns of a PLR table that are summed when aggregating (counts and helpers)."""
    wanted = [k for k, ind in INDICATORS.items() if ind.aggregation == "sum"]
    wanted += [c for ind in INDICATORS.values() if ind.aggregation == "ratio"
               for c in (ind.numerator, ind.denominator)]
    wanted += list(_EXTRA_COUNTS)
    seen: dict[str, None] = {}
    for column in wanted:
        if column in table.columns:
            seen.setdefault(column, None)
    return list(seen)


def aggregate(plr: pd.DataFrame, level: str | Level) -> pd.DataFrame:
    """Aggregate a PLR table (indexed by PLR_ID) to ``level``.

    Count columns are summed (an area whose PLR are all missing stays
    missing), ratio indicators are recomputed from the summed numerators and
    denominators, and class indicators are dropped (their derived shares take
    their place).

    Examples
    --------
    Two PLR in one Bezirksregion: 10 of 100 and 90 of 900 children give 10 %,
    whatever the mean of the PLR shares would be.

    >>> plr = pd.DataFrame({"population": [100.0, 900.0], "pop_under6": [10.0, 90.0]},
    ...                    index=pd.Index(["01100101", "01100102"], name="PLR_ID"))
    >>> aggregate(plr, "BZR")["share_under6"].tolist()
    [10.0]
    """
    lvl = get_level(level)
    if lvl.code == FINEST:
        return add_ratios(plr)
    columns = sum_columns(plr)
    keys = parent_ids(pd.Series(plr.index.astype(str), index=plr.index), lvl)
    summed = plr[columns].groupby(keys.values).sum(min_count=1)
    summed.index.name = lvl.id_column
    return add_ratios(summed)


# --- the cached table of the finest level ------------------------------------------------

_INPUT_DATASETS = tuple(getattr(_HELPERS, "INPUT_DATASETS", ())) or tuple(DATASETS)


def data_version(settings: Settings) -> str:
    """A short fingerprint of the input files and of this code; changes when either does."""
    digest = hashlib.sha256()
    for key in _INPUT_DATASETS:
        path = settings.raw_dir / DATASETS[key].filename
        stat = path.stat() if path.is_file() else None
        digest.update(f"{key}:{stat.st_size if stat else -1}:{stat.st_mtime_ns if stat else -1};".encode())
    for module in (__file__, facilities_module.__file__, getattr(_HELPERS, "__file__", None)):
        if module:
            digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


def _build_plr_table(settings: Settings) -> pd.DataFrame:
    from geodata.fetch import DataError

    finest = LEVELS[FINEST]
    units = load_units(settings, finest)
    index = pd.Index(units.index.astype(str), name=finest.id_column)
    parts = _HELPERS.finest_parts(settings) if hasattr(_HELPERS, "finest_parts") else _profile_parts(settings)
    if FACILITY_TYPES:
        parts.append(facilities_per_plr(settings))
    for part in parts:
        part.index = part.index.astype(str)
        extra = part.index.difference(index)
        lacking = index.difference(part.index)
        if len(extra) or len(lacking):
            raise DataError(key="data.error.ids_mismatch", column=finest.id_column, dataset=finest.dataset,
                            missing=len(lacking), missing_examples=list(lacking[:3]), unknown=len(extra),
                            unknown_examples=list(extra[:3]))
    table = pd.DataFrame({finest.name_column: units[finest.name_column].astype(str).values}, index=index)
    table["area_km2"] = ellipsoidal_area_km2(units.geometry.to_crs(WEB_CRS).values)
    table = table.join(parts, how="left")
    table = table.join(_class_shares(table))
    return add_ratios(table)


def _parquet_path(settings: Settings, version: str) -> Path:
    return settings.cache_dir / f"indicators_plr_{version}.parquet"


def _write_atomically(table: pd.DataFrame, path: Path) -> None:
    """Write parquet via a temporary file and a rename, so readers never see half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(fd)
        try:
            table.to_parquet(tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as err:
        # The cache only saves start-up time; a read-only data folder must not stop the app.
        log.warning("indicator cache not written to %s: %s", path, err)


@lru_cache(maxsize=4)
def _plr_table_cached(settings: Settings, version: str) -> pd.DataFrame:
    path = _parquet_path(settings, version)
    if path.is_file():
        return pd.read_parquet(path)
    table = _build_plr_table(settings)
    _write_atomically(table, path)
    for stale in path.parent.glob("indicators_plr_*.parquet"):
        if stale != path:
            # Written by an older code or data version; another process may remove it first.
            stale.unlink(missing_ok=True)
    return table


def plr_table(settings: Settings) -> pd.DataFrame:
    """One row per Planungsraum with every count and every indicator.

    Parameters
    ----------
    settings : Settings
        Where the open data and the cache live.

    Returns
    -------
    pandas.DataFrame
        542 rows indexed by ``PLR_ID`` (8-digit string). Columns: ``PLR_NAME``,
        the counts used as numerators and denominators (``population``,
        ``pop_under6``, ..., ``kitas``, ``kita_places``, ...), the residents
        behind each derived class share (``<key>_residents``,
        ``<key>_residents_classified``) and one column per key of
        :data:`INDICATORS`. Missing values are NaN. Cached in memory per data
        version and as parquet in ``settings.cache_dir``; the caller gets a copy.

    Examples
    --------
    >>> table = plr_table(load_settings())  # doctest: +SKIP
    >>> len(table), int(table["population"].sum())  # doctest: +SKIP
    (542, 3913644)
    """
    return _plr_table_cached(settings, data_version(settings)).copy()


@lru_cache(maxsize=16)
def _indicator_table_cached(settings: Settings, version: str, lvl: Level) -> pd.DataFrame:
    finest = _plr_table_cached(settings, version)
    name_column = LEVELS[FINEST].name_column
    table = add_coarse(aggregate(finest.drop(columns=name_column), lvl), _coarse_parts(settings), lvl)
    if lvl.code == FINEST:
        names = finest[name_column]
    else:
        names = hierarchy(settings).drop_duplicates(lvl.id_column).set_index(lvl.id_column)[lvl.name_column]
    table.insert(0, "name", names.reindex(table.index).astype(str).values)
    table.index.name = lvl.id_column
    keep = ["name"] + sum_columns(table) + [k for k in available_indicators(lvl) if k in table]
    keep += [c for c in table.columns if c.endswith("_residents") or c.endswith("_residents_classified")]
    return table[list(dict.fromkeys(keep))]


def indicator_table(settings: Settings, level: str | Level) -> pd.DataFrame:
    """Every indicator available at ``level``, one row per area.

    Parameters
    ----------
    settings : Settings
        Where the open data lives.
    level : str
        ``"PLR"``, ``"BZR"``, ``"PGR"`` or ``"BEZ"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``<LEVEL>_ID``; column ``name`` (area name), the summed
        counts, and one column per key of :func:`available_indicators` for
        the level. Shares, rates and the density are recomputed from summed
        numerators and denominators; class indicators appear at PLR level
        only. Areas without residents have NaN rates.

    Examples
    --------
    >>> bez = indicator_table(load_settings(), "BEZ")  # doctest: +SKIP
    >>> len(bez), round(bez["area_km2"].sum(), 1)  # doctest: +SKIP
    (12, 891.1)
    """
    return _indicator_table_cached(settings, data_version(settings), get_level(level)).copy()
