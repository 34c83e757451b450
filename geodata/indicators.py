"""Official indicators per LOR area, with their meaning, and aggregation that stays right.

One table per Planungsraum (PLR) is joined from the official files on PLR_ID
(names repeat, ids do not): residents on 31.12.2025 by age, the ellipsoidal
area, MSS 2021 status and dynamics, the environmental-justice classes, the
violence-monitoring classes and the facilities counted per PLR. Every
indicator in :data:`INDICATORS` carries its label, unit (messages of the catalogues),
direction (is a higher value more need?), the catalogue datasets it comes
from, and how it aggregates.

Aggregation to Bezirksregion, Prognoseraum and Bezirk follows the rule of each
indicator, never a mean of PLR values:

* ``sum`` - counts (residents, facilities, places, area) are summed;
* ``ratio`` - shares, rates and densities are recomputed from the summed
  numerator and denominator (share of under-6 = sum(under 6) / sum(residents));
* ``class`` - an official class (MSS status, noise class, ...) exists for the
  PLR only. It is not averaged; coarser levels get an honestly labelled
  derived share instead ("share of residents living in PLR with MSS status
  niedrig or sehr niedrig"), named in ``Indicator.derived_share``.

Missing stays missing: the MSS sentinel ``-9999``, the two confidential
population cells (``NA``) and "largely uninhabited" violence classes become
NaN, and a rate over zero residents is NaN, never 0 or inf.

Examples
--------
>>> INDICATORS["share_under6"].label("en")
'Share of children under 6'
>>> INDICATORS["share_under6"].numerator, INDICATORS["share_under6"].denominator
('pop_under6', 'population')
>>> "mss_status" in available_indicators("BZR")
False
>>> "mss_status_low_share" in available_indicators("BEZ")
True
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

from geodata import facilities as facilities_module
from geodata.catalogue import DATASETS, Dataset
from geodata.facilities import FACILITY_TYPES, facilities_per_plr
from core.i18n import LANGUAGES, t
from geodata.lor import LEVEL_ORDER, LEVELS, WEB_CRS, get_level, hierarchy, load_units, parent_ids
from core.settings import Settings

log = logging.getLogger(__name__)

MISSING_SENTINEL = -9999
"""MSS WFS tables mark invalid PLR (fewer than 300 residents, outliers) with this."""

AGGREGATIONS = ("sum", "ratio", "class", "none")
KINDS = ("count", "area", "share", "rate", "density", "class", "index", "change")


@dataclass(frozen=True)
class Indicator:
    """One official indicator: what it means, where it comes from, how it aggregates.

    Its label, unit and note are messages of the catalogues (``indicator.<key>.label``,
    ``.unit`` and ``.note``), shown by :meth:`label`, :meth:`unit` and :meth:`note_text`.

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
        denominator * factor`` from summed columns), ``"class"`` (PLR only, a
        derived share stands in at coarser levels) or ``"none"`` (PLR only: a
        published rate without its numerator and denominator).
    numerator, denominator : str, optional
        Columns of the PLR table for ``"ratio"``.
    factor : float
        100 for percentages, 10,000 for "per 10,000 residents".
    classes : tuple of int, optional
        For ``"class"``: the class codes, in code order.
    class_texts : str, optional
        For ``"class"``: the set of class names, messages ``indicator_class.<class_texts>.<code>``.
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
        The finest level of the source: ``"PLR"`` for most, ``"BZR"`` for the crime
        atlas, whose counts exist per Bezirksregion and are summed upwards from there.
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
    base_level: str = "PLR"

    def label(self, lang: str) -> str:
        return t(f"indicator.{self.key}.label", lang)

    def note_text(self, lang: str) -> str | None:
        """The note in ``lang``, ``None`` when the indicator has none.

        >>> INDICATORS["area_km2"].note_text("en")[:30], INDICATORS["pop_under6"].note_text("en")
        ('Ellipsoidal (GRS80) area of th', None)
        """
        return t(f"indicator.{self.key}.note", lang) if self.has_note else None

    def unit(self, lang: str) -> str:
        return t(f"indicator.{self.key}.unit", lang)

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
        return t(f"indicator_class.{self.class_texts}.{int(code)}", lang)

    def class_labels(self, lang: str) -> dict[int, str]:
        """Every class code with its label in ``lang``, in code order (empty for a continuous indicator)."""
        return {code: t(f"indicator_class.{self.class_texts}.{code}", lang) for code in self.classes}

    @property
    def levels(self) -> tuple[str, ...]:
        """The LOR levels at which this indicator is available (its base level and coarser ones)."""
        if self.aggregation not in ("sum", "ratio"):
            return ("PLR",)
        return LEVEL_ORDER[LEVEL_ORDER.index(self.base_level):]


# --- the indicator definitions ----------------------------------------------------------
# Labels, units, notes and class names are messages of the catalogues (core/locale):
# indicator.<key>.label, indicator.<key>.unit, indicator.<key>.note and
# indicator_class.<class_texts>.<code>.


_POP = ("population_2025",)
_POP_AREA = ("population_2025", "lor_plr")


def _pop_share(key: str, column: str) -> Indicator:
    return Indicator(key, "share", 0, _POP, "ratio", column, "population", 100.0, decimals=1, has_note=True)


def _class_with_share(
    key: str,
    datasets: tuple[str, ...],
    classes: tuple[int, ...],
    class_texts: str,
    worst: int,
    share_key: str,
    share_classes: tuple[int, ...],
    note: bool = False,
    verified: bool = True,
    direction: int | None = 1,
) -> tuple[Indicator, Indicator]:
    """A PLR class indicator and the residents' share that stands in for it at coarser levels."""
    klass = Indicator(
        key, "class", direction, datasets, "class", classes=classes, class_texts=class_texts,
        worst_class=worst, derived_share=share_key, direction_verified=verified, has_note=note,
    )
    share = Indicator(
        share_key, "share", direction, datasets + _POP, "ratio", f"{share_key}_residents",
        f"{share_key}_residents_classified", 100.0, derived_from=key, share_classes=share_classes,
        decimals=1, direction_verified=verified, has_note=True,
    )
    return klass, share


_MSS_STATUS = (1, 2, 3, 4)
_MSS_DYNAMICS = (1, 3, 5)
_VIOLENCE = (1, 2, 3, 4)
_BURDEN = (1, 2, 3)
_MULTI = tuple(range(6))

_CRIME = ("crime_atlas_cases", "crime_atlas_rates")
CRIME_COLUMNS = ("offences", "kieztaten", "bodily_harm", "street_robbery_purse_snatching", "residential_burglary")
"""Crime atlas columns the app shows (English names of the re-publisher); each is the indicator
``crime_<column>_per_100k``."""
CRIME_BASIS = "crime_residents_basis"
"""Residents the police counted per Bezirksregion: ``offences / frequency number * 100,000``."""

_DEFS: list[Indicator] = [
    Indicator("population", "count", 0, _POP, "sum", has_note=True),
    Indicator("pop_under6", "count", 0, _POP, "sum"),
    Indicator("pop_65plus", "count", 0, _POP, "sum"),
    _pop_share("share_under6", "pop_under6"),
    _pop_share("share_6_15", "pop_6_15"),
    _pop_share("share_under18", "pop_under18"),
    _pop_share("share_18_65", "pop_18_65"),
    _pop_share("share_65plus", "pop_65plus"),
    _pop_share("share_80plus", "pop_80plus"),
    _pop_share("share_female", "pop_female"),
    Indicator("area_km2", "area", 0, ("lor_plr",), "sum", decimals=2, has_note=True),
    Indicator("density", "density", 0, _POP_AREA, "ratio", "population", "area_km2", 1.0, has_note=True),
    *_class_with_share("mss_status", ("mss_indices",), _MSS_STATUS, "mss_status", 4,
                       "mss_status_low_share", (3, 4), note=True),
    Indicator(
        "mss_status_very_low_share", "share", 1, ("mss_indices",) + _POP, "ratio",
        "mss_status_very_low_share_residents", "mss_status_very_low_share_residents_classified",
        100.0, derived_from="mss_status", share_classes=(4,), decimals=1, has_note=True,
    ),
    *_class_with_share("mss_dynamics", ("mss_indices",), _MSS_DYNAMICS, "mss_dynamics", 5,
                       "mss_dynamics_negative_share", (5,), note=True),
    *[
        Indicator(key, kind, 1, ("mss_index_indicators",), "none", decimals=2, has_note=True)
        for key, kind in (
            ("mss_unemployment", "share"), ("mss_transfer", "share"), ("mss_child_poverty", "share"),
            ("mss_unemployment_change", "change"), ("mss_transfer_change", "change"),
            ("mss_child_poverty_change", "change"),
        )
    ],
    *_class_with_share("ug_air", ("environmental_justice",), _BURDEN, "burden", 3, "ug_air_high_share", (3,),
                       note=True, verified=False),
    *_class_with_share("ug_noise", ("environmental_justice",), _BURDEN, "burden", 3, "ug_noise_high_share", (3,),
                       note=True, verified=False),
    *_class_with_share("ug_heat", ("environmental_justice",), _BURDEN, "burden", 3, "ug_heat_high_share", (3,),
                       note=True, verified=False),
    *_class_with_share("ug_green", ("environmental_justice",), _BURDEN, "green", 3, "ug_green_poor_share", (3,),
                       note=True, verified=False),
    *_class_with_share("ug_social", ("environmental_justice",), _BURDEN, "social", 3, "ug_social_high_share",
                       (3,), note=True),
    *_class_with_share("ug_multiple_burdens", ("environmental_justice",), _MULTI, "burdens", 5,
                       "ug_multiple_burdens_3plus_share", (3, 4, 5), note=True),
    *_class_with_share("violence_total", ("violence_monitoring",), _VIOLENCE, "violence", 4,
                       "violence_total_high_share", (3, 4), note=True),
    *_class_with_share("violence_youth", ("violence_monitoring",), _VIOLENCE, "violence", 4,
                       "violence_youth_high_share", (3, 4), note=True),
    *_class_with_share("violence_domestic", ("violence_monitoring",), _VIOLENCE, "violence", 4,
                       "violence_domestic_high_share", (3, 4), note=True),
    *[
        Indicator(f"crime_{column}_per_100k", "rate", 1, _CRIME, "ratio", f"crime_{column}", CRIME_BASIS,
                  100_000.0, decimals=0, base_level="BZR", has_note=True)
        for column in CRIME_COLUMNS
    ],
    *[Indicator(ftype.key, "count", 0, (ftype.dataset,), "sum") for ftype in FACILITY_TYPES.values()],
    Indicator("kita_places", "count", 0, ("poi_kitas",), "sum"),
    Indicator("care_places", "count", 0, ("poi_care_homes",), "sum"),
    Indicator("kita_places_per_100_under6", "rate", -1, ("poi_kitas",) + _POP, "ratio", "kita_places",
              "pop_under6", 100.0, decimals=1, has_note=True),
    Indicator("schools_per_10k_6_18", "rate", -1, ("poi_schools",) + _POP, "ratio", "schools", "pop_6_18",
              10_000.0, decimals=1, has_note=True),
    Indicator("youth_centres_per_10k_6_25", "rate", -1, ("poi_youth_centres",) + _POP, "ratio",
              "youth_centres", "pop_6_25", 10_000.0, decimals=1, has_note=True),
    Indicator("care_places_per_100_80plus", "rate", -1, ("poi_care_homes",) + _POP, "ratio", "care_places",
              "pop_80plus", 100.0, decimals=1, has_note=True),
    Indicator("pharmacies_per_10k", "rate", -1, ("poi_pharmacies",) + _POP, "ratio", "pharmacies",
              "population", 10_000.0, decimals=1, has_note=True),
]

INDICATORS: dict[str, Indicator] = {ind.key: ind for ind in _DEFS}
"""Every indicator by key, in display order."""

# Counts the PLR table carries beyond the indicators: denominators and helpers.
_EXTRA_COUNTS = (
    "pop_6_15", "pop_under18", "pop_6_18", "pop_6_25", "pop_18_65", "pop_80plus", "pop_female",
    "kitas_places_unknown", "care_homes_places_unknown",
)


def _check_definitions() -> None:
    """Fail at import, not on a page, when a definition above is inconsistent."""
    for ind in INDICATORS.values():
        problems = [
            ind.kind not in KINDS and f"kind {ind.kind!r} not in {KINDS}",
            ind.aggregation not in AGGREGATIONS and f"aggregation {ind.aggregation!r} not in {AGGREGATIONS}",
            any(k not in DATASETS for k in ind.datasets) and f"unknown dataset in {ind.datasets}",
            ind.aggregation == "ratio" and not (ind.numerator and ind.denominator)
            and "ratio without numerator and denominator",
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


def available_indicators(level: str) -> list[str]:
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
    levels = [t(f"level.{code}.in_sentence", lang) for code in INDICATORS[chosen].levels]
    joined = levels[0] if len(levels) == 1 else f"{', '.join(levels[:-1])} {t('words.and', lang)} {levels[-1]}"
    return t("indicator.not_at_level", lang, indicator=INDICATORS[chosen].label(lang), levels=joined,
             shown=INDICATORS[shown].label(lang))


# --- reading the official files ---------------------------------------------------------


def _read_csv(settings: Settings, key: str) -> pd.DataFrame:
    """An official CSV with every value as text and ids as zero-padded strings."""
    from geodata.fetch import FETCH_HINT, DataError

    ds = DATASETS[key]
    path = settings.raw_dir / ds.filename
    if not path.is_file():
        raise DataError(f"{key}: missing at {path}. {FETCH_HINT}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    ids = table[ds.id_column]
    if ids.duplicated().any():
        raise DataError(f"{key}: id {ids[ids.duplicated()].iloc[0]!r} occurs twice in {path}. {FETCH_HINT}")
    return table.set_index(ds.id_column)


def _numbers(column: pd.Series) -> pd.Series:
    """Text to float; empty, ``NA`` and the sentinel -9999 become NaN."""
    from geodata.fetch import FETCH_HINT, DataError

    text = column.replace({"": None, "NA": None})
    values = pd.to_numeric(text, errors="coerce").astype(float)
    bad = text.notna() & values.isna()
    if bad.any():
        raise DataError(
            f"column {column.name!r}: {text[bad].iloc[0]!r} (PLR {text[bad].index[0]}) is not a "
            f"number; expected digits, empty or NA. {FETCH_HINT}"
        )
    return values.mask(values == MISSING_SENTINEL)


def _population(settings: Settings) -> pd.DataFrame:
    raw = _read_csv(settings, "population_2025")
    n = {col: _numbers(raw[col]) for col in DATASETS["population_2025"].columns[1:]}
    pop = pd.DataFrame(
        {
            "population": n["E_E"],
            "pop_female": n["E_EW"],
            "pop_under6": n["E_EU1"] + n["E_E1U6"],
            "pop_6_15": n["E_E6U15"],
            "pop_under18": n["E_EU1"] + n["E_E1U6"] + n["E_E6U15"] + n["E_E15U18"],
            "pop_6_18": n["E_E6U15"] + n["E_E15U18"],
            "pop_6_25": n["E_E6U15"] + n["E_E15U18"] + n["E_E18U25"],
            "pop_18_65": n["E_E18U25"] + n["E_E25U55"] + n["E_E55U65"],
            "pop_65plus": n["E_E65U80"] + n["E_E80U110"],
            "pop_80plus": n["E_E80U110"],
        }
    )
    return pop


def _codes(column: pd.Series, allowed: set[int], missing: set[int], key: str) -> pd.Series:
    """Class codes as float; ``missing`` codes become NaN, unknown codes are an error."""
    from geodata.fetch import DataError

    values = _numbers(column.str.split(" - ").str[0].str.strip())
    unknown = values.dropna()[~values.dropna().isin(allowed | missing)]
    if len(unknown):
        raise DataError(
            f"{key}: unexpected class code {unknown.iloc[0]!r} for PLR {unknown.index[0]}; "
            f"expected one of {sorted(allowed | missing)}. The file may be a newer edition; "
            "update geodata/indicators.py."
        )
    return values.mask(values.isin(missing))


def _classes_of(key: str) -> set[int]:
    return set(INDICATORS[key].classes)


def _mss(settings: Settings) -> pd.DataFrame:
    idx = _read_csv(settings, "mss_indices")
    ind = _read_csv(settings, "mss_index_indicators")
    table = pd.DataFrame(
        {
            "mss_status": _codes(idx["SI_N"], _classes_of("mss_status"), set(), "mss_indices"),
            "mss_dynamics": _codes(idx["DI_N"], _classes_of("mss_dynamics"), set(), "mss_indices"),
        }
    )
    for key, column in (
        ("mss_unemployment", "S1"), ("mss_transfer", "S3"), ("mss_child_poverty", "S4"),
        ("mss_unemployment_change", "D1"), ("mss_transfer_change", "D3"),
        ("mss_child_poverty_change", "D4"),
    ):
        table[key] = _numbers(ind[column]).reindex(table.index)
    return table


def _environmental_justice(settings: Settings) -> pd.DataFrame:
    raw = _read_csv(settings, "environmental_justice")
    key = "environmental_justice"
    # The column S-Bahn-Ring is 1 in all 542 rows (SOURCES.md) and is deliberately not read.
    return pd.DataFrame(
        {
            "ug_air": _codes(raw["Luftbelastungs-Kategorie"], _classes_of("ug_air"), set(), key),
            "ug_noise": _codes(raw["Lärmbelastungs-Kategorie"], _classes_of("ug_noise"), set(), key),
            "ug_heat": _codes(raw["Thermische Belastungs-Kategorie"], _classes_of("ug_heat"), set(), key),
            "ug_green": _codes(raw["Grünflächenversorgungs-Kategorie"], _classes_of("ug_green"), {0}, key),
            "ug_social": _codes(raw["Soziale Benachteiligungs-Kategorie"], _classes_of("ug_social"), {0}, key),
            "ug_multiple_burdens": _codes(
                raw["Anzahl der Mehrfachbelastungen"], _classes_of("ug_multiple_burdens"), set(), key
            ),
        }
    )


def _violence(settings: Settings) -> pd.DataFrame:
    raw = _read_csv(settings, "violence_monitoring")
    allowed = _classes_of("violence_total")
    # 0 = "Weitgehend unbewohnte Fläche": no class, not the lowest one.
    return pd.DataFrame(
        {
            "violence_total": _codes(raw["kategorie_gesamt"], allowed, {0}, "violence_monitoring"),
            "violence_youth": _codes(raw["kategorie_jugend"], allowed, {0}, "violence_monitoring"),
            "violence_domestic": _codes(raw["kategorie_innerfam_partner"], allowed, {0}, "violence_monitoring"),
        }
    )


def crime_counts(settings: Settings) -> pd.DataFrame:
    """The crime atlas per Bezirksregion: cases per shown column and the police's population basis.

    Indexed by ``BZR_ID`` (the 143 Bezirksregionen; the rows of offences not placed in one,
    ``xx9900`` and ``999900``, are dropped). ``crime_<column>`` holds the 2023 cases,
    :data:`CRIME_BASIS` the residents the police divided by: ``offences / frequency number
    * 100,000`` (the frequency number is rounded, so the basis is exact to about 0.01 %).
    A Bezirksregion without offences or without a frequency number has no basis (NaN).

    Examples
    --------
    >>> crime = crime_counts(load_settings())  # doctest: +SKIP
    >>> len(crime), int(crime["crime_offences"].sum()) < 480_270  # doctest: +SKIP
    (143, True)
    """
    from geodata.fetch import DataError

    cases = _read_csv(settings, "crime_atlas_cases")
    rates = _read_csv(settings, "crime_atlas_rates")
    bzr_ids = pd.Index(sorted(hierarchy(settings)["BZR_ID"].astype(str).unique()), name="BZR_ID")
    unplaced = cases.index[cases.index.str.endswith("9900")]
    known = cases.index.difference(unplaced)
    if not known.equals(bzr_ids) or not rates.index.difference(rates.index[rates.index.str.endswith("9900")]).equals(bzr_ids):
        lacking, extra = bzr_ids.difference(known), known.difference(bzr_ids)
        raise DataError(
            f"crime atlas: Bezirksregion ids do not match the LOR 2021 key table: {len(lacking)} missing "
            f"(e.g. {list(lacking[:3])}), {len(extra)} unknown (e.g. {list(extra[:3])}). Re-fetch the open data."
        )
    table = pd.DataFrame(index=bzr_ids)
    for column in CRIME_COLUMNS:
        table[f"crime_{column}"] = _numbers(cases.loc[bzr_ids, column]).values
    offences = table["crime_offences"]
    frequency = _numbers(rates.loc[bzr_ids, "offences"]).values
    with np.errstate(divide="ignore", invalid="ignore"):
        basis = offences.values / frequency * 100_000.0
    table[CRIME_BASIS] = np.where((frequency > 0) & (offences.values > 0), np.round(basis), np.nan)
    return table


def add_crime(table: pd.DataFrame, crime: pd.DataFrame, level: str) -> pd.DataFrame:
    """Join the crime atlas counts summed to ``level`` (BZR or coarser) and compute its rates.

    >>> table = pd.DataFrame({"population": [5.0]}, index=pd.Index(["01"], name="BEZ_ID"))
    >>> crime = pd.DataFrame({"crime_offences": [10.0, 30.0], CRIME_BASIS: [1000.0, 3000.0]},
    ...                      index=pd.Index(["011001", "011002"], name="BZR_ID"))
    >>> float(add_crime(table, crime, "BEZ").loc["01", "crime_offences_per_100k"])
    1000.0
    """
    code = get_level(level).code
    if code == "PLR":
        return table
    keys = parent_ids(pd.Series(crime.index.astype(str), index=crime.index), code)
    summed = crime.groupby(keys.values).sum(min_count=1)
    table = table.drop(columns=[c for c in summed.columns if c in table.columns]).join(summed, how="left")
    return add_ratios(table)


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


def aggregate(plr: pd.DataFrame, level: str) -> pd.DataFrame:
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
    code = get_level(level).code
    if code == "PLR":
        return add_ratios(plr)
    columns = sum_columns(plr)
    keys = parent_ids(pd.Series(plr.index.astype(str), index=plr.index), code)
    summed = plr[columns].groupby(keys.values).sum(min_count=1)
    summed.index.name = f"{code}_ID"
    return add_ratios(summed)


# --- the cached PLR table ---------------------------------------------------------------

_INPUT_DATASETS = ("lor_plr", "population_2025", "mss_indices", "mss_index_indicators",
                   "environmental_justice", "violence_monitoring", "lor_key", *_CRIME,
                   *(t.dataset for t in FACILITY_TYPES.values()))


def data_version(settings: Settings) -> str:
    """A short fingerprint of the input files and of this code; changes when either does."""
    digest = hashlib.sha256()
    for key in _INPUT_DATASETS:
        path = settings.raw_dir / DATASETS[key].filename
        stat = path.stat() if path.is_file() else None
        digest.update(f"{key}:{stat.st_size if stat else -1}:{stat.st_mtime_ns if stat else -1};".encode())
    for module in (__file__, facilities_module.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


def _build_plr_table(settings: Settings) -> pd.DataFrame:
    from geodata.fetch import DataError

    units = load_units(settings, "PLR")
    index = pd.Index(units.index.astype(str), name="PLR_ID")
    parts = [
        _population(settings), _mss(settings), _environmental_justice(settings),
        _violence(settings), facilities_per_plr(settings),
    ]
    for part in parts:
        part.index = part.index.astype(str)
        extra = part.index.difference(index)
        lacking = index.difference(part.index)
        if len(extra) or len(lacking):
            raise DataError(
                f"PLR ids do not match the LOR 2021 geometry: {len(lacking)} missing "
                f"(e.g. {list(lacking[:3])}), {len(extra)} unknown (e.g. {list(extra[:3])}). "
                "Is a file from the old 447-PLR system? Re-fetch the open data."
            )
    table = pd.DataFrame({"PLR_NAME": units["PLR_NAME"].astype(str).values}, index=index)
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
def _indicator_table_cached(settings: Settings, version: str, level: str) -> pd.DataFrame:
    plr = _plr_table_cached(settings, version)
    table = add_crime(aggregate(plr.drop(columns="PLR_NAME"), level), crime_counts(settings), level)
    lvl = get_level(level)
    if lvl.code == "PLR":
        names = plr["PLR_NAME"]
    else:
        names = hierarchy(settings).drop_duplicates(lvl.id_column).set_index(lvl.id_column)[lvl.name_column]
    table.insert(0, "name", names.reindex(table.index).astype(str).values)
    table.index.name = lvl.id_column
    keep = ["name"] + sum_columns(table) + [k for k in available_indicators(lvl.code) if k in table]
    keep += [c for c in table.columns if c.endswith("_residents") or c.endswith("_residents_classified")]
    return table[list(dict.fromkeys(keep))]


def indicator_table(settings: Settings, level: str) -> pd.DataFrame:
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
    code = get_level(level).code
    return _indicator_table_cached(settings, data_version(settings), code).copy()
