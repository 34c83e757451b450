"""Berlin's readers: what the reference profile's files need beyond reading named columns.

:mod:`geodata.indicators` and :mod:`geodata.facilities` are generic; they read a profile's
indicators from ``profile.toml`` and ask this module (``Profile.helpers``) for what only Berlin
has:

* :data:`ORDER` and :data:`DETAILS`: the display order of the indicators and what the profile
  does not say (kind, decimals, class names, the residents' share that stands in for a class at
  coarser levels, whether a note explains the indicator);
* :data:`EXTRA_COUNTS`: counts summed when aggregating that no indicator names;
* :data:`FACILITIES`: the five point layers counted per Planungsraum;
* :func:`finest_parts`: the PLR columns read from the official files (residents by age, MSS
  2021, environmental justice, violence monitoring) with their quirks (the MSS sentinel
  ``-9999``, class codes written as ``"3 - hoch"``, confidential cells ``NA``);
* :func:`coarse_parts`: the crime atlas, published per Bezirksregion and summed from there.

Examples
--------
>>> DETAILS["mss_status"]["derived_share"], FACILITIES[0]["places_key"]
('mss_status_low_share', 'kita_places')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MISSING_SENTINEL = -9999
"""MSS WFS tables mark invalid PLR (fewer than 300 residents, outliers) with this."""

_MSS_STATUS = (1, 2, 3, 4)

ORDER = (
    "population", "pop_under6", "pop_65plus", "share_under6", "share_6_15", "share_under18", "share_18_65",
    "share_65plus", "share_80plus", "share_female", "area_km2", "density", "mss_status", "mss_status_low_share",
    "mss_status_very_low_share", "mss_dynamics", "mss_dynamics_negative_share", "mss_unemployment",
    "mss_transfer", "mss_child_poverty", "mss_unemployment_change", "mss_transfer_change",
    "mss_child_poverty_change", "ug_air", "ug_air_high_share", "ug_noise", "ug_noise_high_share", "ug_heat",
    "ug_heat_high_share", "ug_green", "ug_green_poor_share", "ug_social", "ug_social_high_share",
    "ug_multiple_burdens", "ug_multiple_burdens_3plus_share", "violence_total", "violence_total_high_share",
    "violence_youth", "violence_youth_high_share", "violence_domestic", "violence_domestic_high_share",
    "crime_offences_per_100k", "crime_kieztaten_per_100k", "crime_bodily_harm_per_100k",
    "crime_street_robbery_purse_snatching_per_100k", "crime_residential_burglary_per_100k", "kitas", "schools",
    "youth_centres", "care_homes", "pharmacies", "kita_places", "care_places", "kita_places_per_100_under6",
    "schools_per_10k_6_18", "youth_centres_per_10k_6_25", "care_places_per_100_80plus", "pharmacies_per_10k",
)
"""Every indicator in the order the app lists it."""


def _class(class_texts: str, worst: int, share: str, verified: bool = True) -> dict:
    return dict(kind="class", class_texts=class_texts, worst_class=worst, derived_share=share,
                direction_verified=verified, has_note=True)


def _share(of: str, classes: tuple[int, ...], verified: bool = True) -> dict:
    return dict(kind="share", derived_from=of, share_classes=classes, decimals=1, direction_verified=verified,
                has_note=True)


_POP_SHARE = dict(kind="share", decimals=1, has_note=True)
_RATE = dict(kind="rate", decimals=1, has_note=True)
_MSS_INDICATOR = dict(kind="share", decimals=2, has_note=True)
_MSS_CHANGE = dict(kind="change", decimals=2, has_note=True)
_BURDENS = {"ug_air": "ug_air_high_share", "ug_noise": "ug_noise_high_share", "ug_heat": "ug_heat_high_share"}
_VIOLENCE = ("violence_total", "violence_youth", "violence_domestic")
CRIME_COLUMNS = ("offences", "kieztaten", "bodily_harm", "street_robbery_purse_snatching", "residential_burglary")
"""Crime atlas columns the app shows (English names of the re-publisher); each is the indicator
``crime_<column>_per_100k``."""
CRIME_BASIS = "crime_residents_basis"
"""Residents the police counted per Bezirksregion: ``offences / frequency number * 100,000``."""

DETAILS: dict[str, dict] = {
    "population": dict(kind="count", has_note=True),
    **{key: dict(_POP_SHARE) for key in ("share_under6", "share_6_15", "share_under18", "share_18_65",
                                         "share_65plus", "share_80plus", "share_female")},
    "area_km2": dict(kind="area", decimals=2, has_note=True),
    "density": dict(kind="density", has_note=True),
    "mss_status": _class("mss_status", 4, "mss_status_low_share"),
    "mss_status_low_share": _share("mss_status", (3, 4)),
    "mss_status_very_low_share": _share("mss_status", (4,)),
    "mss_dynamics": _class("mss_dynamics", 5, "mss_dynamics_negative_share"),
    "mss_dynamics_negative_share": _share("mss_dynamics", (5,)),
    **{key: dict(_MSS_INDICATOR) for key in ("mss_unemployment", "mss_transfer", "mss_child_poverty")},
    **{key: dict(_MSS_CHANGE) for key in ("mss_unemployment_change", "mss_transfer_change",
                                          "mss_child_poverty_change")},
    **{key: _class("burden", 3, share, verified=False) for key, share in _BURDENS.items()},
    **{share: _share(key, (3,), verified=False) for key, share in _BURDENS.items()},
    "ug_green": _class("green", 3, "ug_green_poor_share", verified=False),
    "ug_green_poor_share": _share("ug_green", (3,), verified=False),
    "ug_social": _class("social", 3, "ug_social_high_share"),
    "ug_social_high_share": _share("ug_social", (3,)),
    "ug_multiple_burdens": _class("burdens", 5, "ug_multiple_burdens_3plus_share"),
    "ug_multiple_burdens_3plus_share": _share("ug_multiple_burdens", (3, 4, 5)),
    **{key: _class("violence", 4, f"{key}_high_share") for key in _VIOLENCE},
    **{f"{key}_high_share": _share(key, (3, 4)) for key in _VIOLENCE},
    **{f"crime_{column}_per_100k": dict(kind="rate", decimals=0, has_note=True) for column in CRIME_COLUMNS},
    **{key: dict(_RATE) for key in ("kita_places_per_100_under6", "schools_per_10k_6_18",
                                    "youth_centres_per_10k_6_25", "care_places_per_100_80plus",
                                    "pharmacies_per_10k")},
}
"""What ``profile.toml`` does not say about an indicator, as fields of :class:`geodata.indicators.Indicator`."""

EXTRA_COUNTS = (
    "pop_6_15", "pop_under18", "pop_6_18", "pop_6_25", "pop_18_65", "pop_80plus", "pop_female",
    "kitas_places_unknown", "care_homes_places_unknown",
)
"""Counts the PLR table carries beyond the indicators: denominators and helpers."""

FACILITIES = (
    dict(key="kitas", dataset="poi_kitas", places_column="e_platz", places_key="kita_places", colour="#e6550d"),
    dict(key="schools", dataset="poi_schools", colour="#3182bd"),
    dict(key="youth_centres", dataset="poi_youth_centres", colour="#31a354"),
    dict(key="care_homes", dataset="poi_care_homes", places_column="platzzahl", places_key="care_places",
         colour="#756bb1"),
    dict(key="pharmacies", dataset="poi_pharmacies", colour="#de2d26"),
)
"""The facility layers, as fields of :class:`geodata.facilities.FacilityType`."""

PACKAGED = (
    dict(
        key="vbb_stations",
        package="vbb-stations",
        version="8.31.0",
        path="data.json",
        official_title="Haltestellen und Bahnhöfe im VBB",
        publisher="VBB Verkehrsverbund Berlin-Brandenburg GmbH",
        source_url="https://daten.berlin.de/datensaetze/vbb-fahrplandaten-via-gtfs",
        licence="CC BY 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/",
        attribution="VBB Verkehrsverbund Berlin-Brandenburg GmbH, GTFS timetable data",
        package_licence="ISC (Jannis R, https://github.com/derhuerst/vbb-stations)",
    ),
)
"""Open data in an npm package (the place search's stations), as fields of
:class:`geodata.catalogue.PackagedDataset`."""

INPUT_DATASETS = ("lor_plr", "population_2025", "mss_indices", "mss_index_indicators", "environmental_justice",
                  "violence_monitoring", "lor_key", "crime_atlas_cases", "crime_atlas_rates",
                  *(f["dataset"] for f in FACILITIES))
"""The files the indicator tables are built from (their versions key the cache)."""


SEARCH_EXTENT = (52.33, 13.08, 52.68, 13.77)
"""Where the place search looks (south, west, north, east): slightly wider than the city's outline."""

_SUPPLY = ("kita_places_per_100_under6", "schools_per_10k_6_18", "youth_centres_per_10k_6_25",
           "pharmacies_per_10k")
PRESETS = (
    ("social", (("mss_status", 3.0), ("mss_child_poverty", 2.0), ("mss_transfer", 1.0),
                ("mss_unemployment", 1.0), ("mss_dynamics", 1.0))),
    ("environment", (("ug_air", 1.0), ("ug_noise", 1.0), ("ug_heat", 1.0), ("ug_green", 1.0),
                     ("needs_per_1000_green_climate", 1.0))),
    ("participation", (("needs_per_1000", 3.0), ("kita_places_per_100_under6", 1.0),
                       ("youth_centres_per_10k_6_25", 1.0), ("pharmacies_per_10k", 1.0))),
    ("balanced", (("mss_status", 1.0), ("ug_air", 0.25), ("ug_noise", 0.25), ("ug_heat", 0.25),
                  ("ug_green", 0.25), ("needs_per_1000", 1.0), *((key, 0.25) for key in _SUPPLY))),
)
"""The priority index's presets (:mod:`assessment.analysis.presets`): name and ``(indicator, weight)`` pairs;
their texts are the messages ``preset.<name>.label`` and ``.description``."""
DEFAULT_PRESET = "social"
"""Where /bewertung starts: it needs no submitted needs, so it ranks every area on a fresh installation."""

COMPARE_DEFAULTS = ("population", "share_under18", "share_65plus")
"""Indicators the planners' map compares until the planner picks others."""

FOCUS_BOX = (12.9, 52.3, 13.9, 52.7)
"""Where a workshop's drawn focus rectangle may lie (west, south, east, north): around Berlin."""

FOCUS_RECTANGLE = (13.36, 52.51, 13.40, 52.53)
"""Where a workshop's typed focus rectangle starts: around the Brandenburg Gate."""

LOW_STATUS_SHARE = "mss_status_low_share"
"""The share of residents of low social status (MSS status low or very low), for the unheard areas."""

AREA_WEIGHTS = {"BEZ": 30000.0, "PGR": 8000.0, "BZR": 8000.0, "PLR": 2000.0}
"""Weight of an area name in the place search: a Bezirk outranks most stations of its name, a
Planungsraum only small stops."""


def stations():
    """The reader of the VBB stations (npm ``vbb-stations``) for the place search and the map's landmarks."""
    from geodata.profiles.berlin import stations as module

    return module


def _numbers(column: pd.Series) -> pd.Series:
    from geodata.indicators import read_numbers

    return read_numbers(column, sentinels=(MISSING_SENTINEL,))


def _codes(column: pd.Series, key: str, missing: set[int] = frozenset()) -> pd.Series:
    """Class codes (``"3 - hoch"`` gives 3) of the indicator ``key``; ``missing`` codes become NaN."""
    from geodata.indicators import INDICATORS, read_codes

    return read_codes(column.str.split(" - ").str[0].str.strip(), set(INDICATORS[key].classes), set(missing),
                      INDICATORS[key].datasets[0], sentinels=(MISSING_SENTINEL,))


def _population(settings) -> pd.DataFrame:
    from geodata.catalogue import DATASETS
    from geodata.indicators import read_csv

    raw = read_csv(settings, "population_2025")
    n = {col: _numbers(raw[col]) for col in DATASETS["population_2025"].columns[1:]}
    return pd.DataFrame(
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


def _mss(settings) -> pd.DataFrame:
    from geodata.indicators import read_csv

    idx = read_csv(settings, "mss_indices")
    ind = read_csv(settings, "mss_index_indicators")
    table = pd.DataFrame({"mss_status": _codes(idx["SI_N"], "mss_status"),
                          "mss_dynamics": _codes(idx["DI_N"], "mss_dynamics")})
    for key, column in (
        ("mss_unemployment", "S1"), ("mss_transfer", "S3"), ("mss_child_poverty", "S4"),
        ("mss_unemployment_change", "D1"), ("mss_transfer_change", "D3"),
        ("mss_child_poverty_change", "D4"),
    ):
        table[key] = _numbers(ind[column]).reindex(table.index)
    return table


def _environmental_justice(settings) -> pd.DataFrame:
    from geodata.indicators import read_csv

    raw = read_csv(settings, "environmental_justice")
    # The column S-Bahn-Ring is 1 in all 542 rows (SOURCES.md) and is deliberately not read.
    return pd.DataFrame(
        {
            "ug_air": _codes(raw["Luftbelastungs-Kategorie"], "ug_air"),
            "ug_noise": _codes(raw["Lärmbelastungs-Kategorie"], "ug_noise"),
            "ug_heat": _codes(raw["Thermische Belastungs-Kategorie"], "ug_heat"),
            "ug_green": _codes(raw["Grünflächenversorgungs-Kategorie"], "ug_green", {0}),
            "ug_social": _codes(raw["Soziale Benachteiligungs-Kategorie"], "ug_social", {0}),
            "ug_multiple_burdens": _codes(raw["Anzahl der Mehrfachbelastungen"], "ug_multiple_burdens"),
        }
    )


def _violence(settings) -> pd.DataFrame:
    from geodata.indicators import read_csv

    raw = read_csv(settings, "violence_monitoring")
    # 0 = "Weitgehend unbewohnte Fläche": no class, not the lowest one.
    return pd.DataFrame(
        {
            "violence_total": _codes(raw["kategorie_gesamt"], "violence_total", {0}),
            "violence_youth": _codes(raw["kategorie_jugend"], "violence_youth", {0}),
            "violence_domestic": _codes(raw["kategorie_innerfam_partner"], "violence_domestic", {0}),
        }
    )


def finest_parts(settings) -> list[pd.DataFrame]:
    """The PLR columns read from the official files, each table indexed by PLR id."""
    return [_population(settings), _mss(settings), _environmental_justice(settings), _violence(settings)]


def crime_counts(settings) -> pd.DataFrame:
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
    from geodata.indicators import read_csv
    from geodata.lor import hierarchy

    cases = read_csv(settings, "crime_atlas_cases")
    rates = read_csv(settings, "crime_atlas_rates")
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


def coarse_parts(settings) -> dict[str, pd.DataFrame]:
    """Counts published at a level coarser than the PLR, by level code: the crime atlas per BZR."""
    return {"BZR": crime_counts(settings)}
