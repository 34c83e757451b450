"""The catalogue of official open data sets the app uses: one place for provenance.

Every dataset names its publisher, the official source, the licence, the
attribution text to show, its reference date, the schema the app relies on,
and the sha256 of the prepared file. The data step (:mod:`geodata.fetch`)
verifies files against this catalogue; pages and exports read attribution
from it and nowhere else.

The prepared files are the ones described in the project's open-data mirror
(``SOURCES.md`` next to them): official data, some reshaped (XLSX to CSV,
names joined to the ID-only LOR shapefiles). Where a prepared file is a
byte-identical copy of a public file, ``download_url`` points to it and
``python -m geodata fetch`` can download it without a mirror.

Examples
--------
>>> ds = DATASETS["population_2025"]
>>> ds.reference_date
'2025-12-31'
>>> ds.licence
'CC BY 3.0 DE'
>>> "Amt für Statistik" in ds.attribution
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.i18n import format_date, t

CC_BY_3_DE = "CC BY 3.0 DE"
CC_BY_3_DE_URL = "https://creativecommons.org/licenses/by/3.0/de/"
DL_DE_ZERO = "dl-de/zero-2.0"
DL_DE_ZERO_URL = "https://www.govdata.de/dl-de/zero-2-0"

# The LOR geography of 01.01.2021; the file's own date (Stand) is the datasets' reference_date,
# which Dataset.citation adds, so it is not repeated here.
LOR_ATTRIBUTION = (
    "Amt für Statistik Berlin-Brandenburg / SenSBW: Lebensweltlich orientierte Räume (LOR), "
    "Gebietsstand 01.01.2021"
)
LOR_SOURCE = (
    "https://www.berlin.de/sen/sbw/_assets/stadtdaten/stadtwissen/"
    "lebensweltlich-orientierte-raeume/lor_2021-01-01_k3_shapefiles_nur_id.7z"
)
MSS_SOURCE = (
    "https://www.berlin.de/sen/sbw/stadtdaten/stadtwissen/monitoring-soziale-stadtentwicklung/"
    "bericht-2021/"
)
MSS_ATTRIBUTION = "SenSBW, Monitoring Soziale Stadtentwicklung 2021"
_TESCH = "https://raw.githubusercontent.com/tesch-ch/berlin_PLR_data/f5550dd05f8451a5e4e1863749c2d274b3e93d79/data/"


_CRIME_ATLAS_PAGE = "https://daten.berlin.de/datensaetze/kriminalit%C3%A4tsatlas-berlin"
# Byte-identical to the prepared files (the re-publisher translated the column names into English).
_CRIME_ATLAS_GOLD = (
    "https://raw.githubusercontent.com/open-data-product/open-data-product-berlin-lor-crime-atlas-source-aligned/"
    "643b0cfa191ac874e881fc50b03b3b386d5fb4d2/data/03-gold/berlin-lor-crime-atlas-2023-00-csv/"
)
_CRIME_ATLAS_COLUMNS = ("id", "offences", "street_robbery_purse_snatching", "bodily_harm",
                        "residential_burglary", "kieztaten")
# The crime atlas's licence note and notes (messages of the catalogues); the frequency-number
# table has one more note.
_CRIME_ATLAS_NOTES = ("dataset_note.crime_atlas_areas", "dataset_note.crime_atlas_place")


@dataclass(frozen=True)
class Dataset:
    """One official dataset as the app uses it.

    ``id_column``/``id_length`` say which column holds the LOR key and how many
    digits it has (ids are zero-padded strings); ``columns`` are the columns the
    app reads; ``rows`` is the exact feature or row count expected.

    ``official_title`` is the title as published (German), shown in every language;
    the message ``dataset.<key>.description`` says what it is in the reader's language.
    ``licence_note`` and ``notes`` are keys of messages of the catalogues: a licence
    note marks a licence still to be verified.

    >>> ds = DATASETS["lor_bez"]
    >>> ds.title("en"), ds.description("en")
    ('LOR 2021: Bezirke (aus Planungsräumen zusammengefasst)', 'LOR 2021: districts (dissolved from planning areas)')
    >>> ds.date_text("de"), ds.date_text("en")
    ('01.01.2023', '2023-01-01')
    """

    key: str
    filename: str
    official_title: str
    publisher: str
    source_url: str
    licence: str
    licence_url: str
    attribution: str
    reference_date: str
    kind: str  # "geojson" or "csv"
    id_column: str | None
    id_length: int | None
    columns: tuple[str, ...]
    rows: int
    sha256: str
    download_url: str | None = None
    geometry_type: str | None = None
    licence_note: str | None = None  # message key
    notes: tuple[str, ...] = field(default_factory=tuple)  # message keys

    def title(self, lang: str) -> str:
        """The title as published: official titles stay German in every language."""
        return self.official_title

    def description(self, lang: str) -> str:
        """What the dataset is, in ``lang``."""
        return t(f"dataset.{self.key}.description", lang)

    def notes_in(self, lang: str) -> tuple[str, ...]:
        """The notes in ``lang``, one text for each note."""
        return tuple(t(note, lang) for note in self.notes)

    def licence_note_in(self, lang: str) -> str | None:
        """The licence note in ``lang``, or ``None`` when the licence needs no note."""
        return t(self.licence_note, lang) if self.licence_note else None

    def citation(self, lang: str = "de") -> str:
        """One line naming source, reference date and licence, for exports and captions.

        The attribution is the publisher's own wording; date and licence words follow ``lang``.
        A licence still to be verified (one with a ``licence_note``) says so.

        >>> DATASETS["mss_indices"].citation()
        'SenSBW, Monitoring Soziale Stadtentwicklung 2021 (Stand 31.12.2020, Lizenz dl-de/zero-2.0)'
        >>> DATASETS["mss_indices"].citation("en")
        'SenSBW, Monitoring Soziale Stadtentwicklung 2021 (as of 2020-12-31, licence dl-de/zero-2.0)'
        >>> DATASETS["crime_atlas_rates"].citation()
        'Polizei Berlin, Kriminalitätsatlas Berlin 2014–2023 (Stand 31.12.2023, Lizenz CC BY-SA, noch zu prüfen)'
        """
        # A licence with a note was not recorded by the re-publisher: every citation says so,
        # since exports travel without the sources page.
        key = "dataset.citation_unverified" if self.licence_note else "dataset.citation"
        return t(key, lang, attribution=self.attribution, date=self.date_text(lang), licence=self.licence)

    def date_text(self, lang: str) -> str:
        """The reference date as the language writes it: ``31.12.2020`` in German, ISO in English."""
        return format_date(date.fromisoformat(self.reference_date), lang)


def _crime_atlas(key: str, file_part: str, what: str, sha256: str, gold_part: str,
                 note: str | None = None) -> Dataset:
    """One of the two crime atlas tables (2023, per Bezirksregion): same source, licence and notes."""
    return Dataset(
        key=key,
        filename=f"kriminalitaetsatlas_2023_{file_part}_bzr.csv",
        official_title=f"Kriminalitätsatlas Berlin 2023, {what} je Bezirksregion",
        publisher="Polizei Berlin",
        source_url=_CRIME_ATLAS_PAGE,
        licence="CC BY-SA",
        licence_url=_CRIME_ATLAS_PAGE,
        licence_note="dataset_licence.crime_atlas",
        attribution="Polizei Berlin, Kriminalitätsatlas Berlin 2014–2023",
        reference_date="2023-12-31",
        kind="csv",
        id_column="id",
        id_length=6,
        columns=_CRIME_ATLAS_COLUMNS,
        rows=155,
        sha256=sha256,
        download_url=f"{_CRIME_ATLAS_GOLD}berlin-lor-crime-atlas-2023-00-{gold_part}-district-regions.csv",
        notes=_CRIME_ATLAS_NOTES + ((note,) if note else ()),
    )


_LOR_COLS = ("PLR_ID", "PLR_NAME", "BZR_ID", "BZR_NAME", "PGR_ID", "PGR_NAME", "BEZ_ID", "BEZ_NAME")

_ALL: tuple[Dataset, ...] = (
    Dataset(
        key="lor_plr",
        filename="lor_2021_planungsraeume.geojson",
        official_title="LOR 2021: Planungsräume",
        publisher="Amt für Statistik Berlin-Brandenburg / SenSBW",
        source_url=LOR_SOURCE,
        licence=CC_BY_3_DE,
        licence_url=CC_BY_3_DE_URL,
        attribution=LOR_ATTRIBUTION,
        reference_date="2023-01-01",
        kind="geojson",
        id_column="PLR_ID",
        id_length=8,
        columns=_LOR_COLS,
        rows=542,
        geometry_type="Polygon",
        sha256="b548abeba430c586e14e746fe86d2b5e6271bed37033dd4542ce3b3e75cbb240",
        notes=("dataset_note.lor_plr",),
    ),
    Dataset(
        key="lor_bzr",
        filename="lor_2021_bezirksregionen.geojson",
        official_title="LOR 2021: Bezirksregionen",
        publisher="Amt für Statistik Berlin-Brandenburg / SenSBW",
        source_url=LOR_SOURCE,
        licence=CC_BY_3_DE,
        licence_url=CC_BY_3_DE_URL,
        attribution=LOR_ATTRIBUTION,
        reference_date="2023-01-01",
        kind="geojson",
        id_column="BZR_ID",
        id_length=6,
        columns=_LOR_COLS[2:],
        rows=143,
        geometry_type="Polygon",
        sha256="4c1240421db5f062d6072d073b1e1ee81d81ebe5742b4fcf036ad7c5dbf001c2",
    ),
    Dataset(
        key="lor_pgr",
        filename="lor_2021_prognoseraeume.geojson",
        official_title="LOR 2021: Prognoseräume",
        publisher="Amt für Statistik Berlin-Brandenburg / SenSBW",
        source_url=LOR_SOURCE,
        licence=CC_BY_3_DE,
        licence_url=CC_BY_3_DE_URL,
        attribution=LOR_ATTRIBUTION,
        reference_date="2023-01-01",
        kind="geojson",
        id_column="PGR_ID",
        id_length=4,
        columns=_LOR_COLS[4:],
        rows=58,
        geometry_type="Polygon",
        sha256="469bda478dd066556f0e6fce80f7372bec1418468e40e9302e4e2d36cade5564",
    ),
    Dataset(
        key="lor_bez",
        filename="lor_2021_bezirke.geojson",
        official_title="LOR 2021: Bezirke (aus Planungsräumen zusammengefasst)",
        publisher="Amt für Statistik Berlin-Brandenburg / SenSBW",
        source_url=LOR_SOURCE,
        licence=CC_BY_3_DE,
        licence_url=CC_BY_3_DE_URL,
        attribution=LOR_ATTRIBUTION,
        reference_date="2023-01-01",
        kind="geojson",
        id_column="BEZ_ID",
        id_length=2,
        columns=_LOR_COLS[6:],
        rows=12,
        geometry_type="Polygon",
        sha256="903484294ee97b4d358b40c8626e54e87d1e8c44f43cfb70f9d4e3d35c80b4e2",
        notes=("dataset_note.lor_bez",),
    ),
    Dataset(
        key="lor_key",
        filename="lor_2021_schluessel.csv",
        official_title="LOR 2021: Schlüssel- und Namensverzeichnis",
        publisher="Amt für Statistik Berlin-Brandenburg / SenSBW",
        source_url=LOR_SOURCE.replace("shapefiles_nur_id.7z", "uebersicht_id_namen.xlsx"),
        licence=CC_BY_3_DE,
        licence_url=CC_BY_3_DE_URL,
        attribution=LOR_ATTRIBUTION,
        reference_date="2023-01-01",
        kind="csv",
        id_column="PLR_ID",
        id_length=8,
        columns=_LOR_COLS,
        rows=542,
        sha256="46880d43f1b19af387845182f0c5ada843a2ee98fe857e9805011b748da65e0e",
    ),
    Dataset(
        key="population_2025",
        filename="population_plr_2025-12-31.csv",
        official_title="Einwohnerinnen und Einwohner in LOR-Planungsräumen am 31.12.2025",
        publisher="Amt für Statistik Berlin-Brandenburg",
        source_url=(
            "https://daten.berlin.de/datensaetze/"
            "einwohnerinnen-und-einwohner-in-berlin-in-lor-planungsraumen-am-31-12-2025"
        ),
        licence=CC_BY_3_DE,
        licence_url=CC_BY_3_DE_URL,
        attribution="Amt für Statistik Berlin-Brandenburg, Einwohnerregisterstatistik 31.12.2025",
        reference_date="2025-12-31",
        kind="csv",
        id_column="RAUMID",
        id_length=8,
        columns=(
            "RAUMID", "E_E", "E_EM", "E_EW", "E_EU1", "E_E1U6", "E_E6U15", "E_E15U18",
            "E_E18U25", "E_E25U55", "E_E55U65", "E_E65U80", "E_E80U110",
        ),
        rows=542,
        sha256="db7ce6c472a42d9b2d542ce01c2e2c0136ad2d395f230dd0595fb0f3796a9f04",
        notes=("dataset_note.population_2025",),
    ),
    Dataset(
        key="population_2024",
        filename="population_plr_2024-12-31.csv",
        official_title="Einwohnerregisterstatistik 31.12.2024 (Ausländer, Migrationshintergrund)",
        publisher="Amt für Statistik Berlin-Brandenburg",
        source_url="https://www.statistik-berlin-brandenburg.de/a-i-16-hj",
        licence=CC_BY_3_DE,
        licence_url=CC_BY_3_DE_URL,
        attribution="Amt für Statistik Berlin-Brandenburg, Statistischer Bericht A I 16 – hj 2/24",
        reference_date="2024-12-31",
        kind="csv",
        id_column="PLR_ID",
        id_length=8,
        columns=("PLR_ID", "Insgesamt", "Ausländer", "mit Migrationshintergrund"),
        rows=542,
        sha256="6e0778119cd7a4fe4a9455dd65b2b555c90ebc1d9cfa1a2fd84b0d907287fb39",
        notes=("dataset_note.population_2024",),
    ),
    Dataset(
        key="mss_indices",
        filename="mss_2021_indizes_plr.csv",
        official_title="Monitoring Soziale Stadtentwicklung 2021: Indizes",
        publisher="Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen (SenSBW)",
        source_url=MSS_SOURCE,
        licence=DL_DE_ZERO,
        licence_url=DL_DE_ZERO_URL,
        attribution=MSS_ATTRIBUTION,
        reference_date="2020-12-31",
        kind="csv",
        id_column="PLR_ID",
        id_length=8,
        columns=("PLR_ID", "EW", "SI_N", "SI_V", "DI_N", "DI_V", "KOM"),
        rows=542,
        sha256="f4f131e880b1c496770c0c64b47dac678d0fc1acaa4474478b6a4129fad58d71",
        notes=("dataset_note.mss_indices",),
    ),
    Dataset(
        key="mss_index_indicators",
        filename="mss_2021_indexindikatoren_plr.csv",
        official_title="Monitoring Soziale Stadtentwicklung 2021: Index-Indikatoren",
        publisher="Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen (SenSBW)",
        source_url=MSS_SOURCE,
        licence=DL_DE_ZERO,
        licence_url=DL_DE_ZERO_URL,
        attribution=MSS_ATTRIBUTION,
        reference_date="2020-12-31",
        kind="csv",
        id_column="PLR_ID",
        id_length=8,
        columns=("PLR_ID", "EW", "S1", "S3", "S4", "D1", "D3", "D4", "KOM"),
        rows=542,
        sha256="9de1cfa2a0c0cabc449ea756b65645231802a3aa2705fa31984e9313033fe242",
        notes=("dataset_note.mss_index_indicators",),
    ),
    Dataset(
        key="environmental_justice",
        filename="umweltgerechtigkeit_2021-2022_plr.csv",
        official_title="Umweltgerechtigkeit 2021/2022",
        publisher="Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt, Umweltatlas Berlin",
        source_url="https://www.berlin.de/umweltatlas/mensch/umweltgerechtigkeit/2022/",
        licence=DL_DE_ZERO,
        licence_url=DL_DE_ZERO_URL,
        licence_note="dataset_licence.umweltatlas",
        attribution="Umweltatlas Berlin, Umweltgerechtigkeit 2021/2022",
        reference_date="2022-12-31",
        kind="csv",
        id_column="Planungsraum-ID",
        id_length=8,
        columns=(
            "Planungsraum-ID", "Anzahl der Mehrfachbelastungen", "Luftbelastungs-Kategorie",
            "Lärmbelastungs-Kategorie", "Thermische Belastungs-Kategorie",
            "Grünflächenversorgungs-Kategorie", "Soziale Benachteiligungs-Kategorie",
        ),
        rows=542,
        sha256="bfe5125635232cd929926077872fe4b282e0d3743bbf7dfd0253674f1fd99a53",
        download_url=_TESCH + "do_not_use_preprocess_first/umweltgerechtigkeit_berlin_2021_2022/raw_umweltgerechtigkeit_2021_2022.csv",
        notes=("dataset_note.environmental_justice",),
    ),
    Dataset(
        key="violence_monitoring",
        filename="gewaltdelinquenz_2023_plr.csv",
        official_title="Berliner Monitoring Gewaltdelinquenz 2023",
        publisher="Landeskommission Berlin gegen Gewalt (Geoportal Berlin)",
        source_url="https://gdi.berlin.de/services/wfs/gewaltdelinquenz",
        licence="dl-de/by-2.0",
        licence_url="https://www.govdata.de/dl-de/by-2-0",
        licence_note="dataset_licence.geoportal",
        attribution="Berliner Monitoring Gewaltdelinquenz 2023 (Geoportal Berlin)",
        reference_date="2023-12-31",
        kind="csv",
        id_column="plr_id",
        id_length=8,
        columns=("plr_id", "kategorie_gesamt", "kategorie_jugend", "kategorie_innerfam_partner"),
        rows=542,
        sha256="6f273738fb2713cab152abb0bb8298f6c9215614b51f60c89ad5aa5a03b9935e",
    ),
    Dataset(
        key="poi_kitas",
        filename="poi_kitas.geojson",
        official_title="Kindertagesstätten",
        publisher="Senatsverwaltung für Bildung, Jugend und Familie (Geoportal Berlin)",
        source_url="https://gdi.berlin.de/services/wfs/kita",
        licence="dl-de/by-2.0",
        licence_url="https://www.govdata.de/dl-de/by-2-0",
        licence_note="dataset_licence.daten_berlin",
        attribution="Geoportal Berlin / Kindertagesstätten",
        reference_date="2022-12-31",
        kind="geojson",
        id_column=None,
        id_length=None,
        columns=("e_nr", "e_name", "e_platz"),
        rows=2880,
        geometry_type="Point",
        sha256="f8df3995832bdd6a3d08629f6a44531d4952729191ef7a156797984bbe2d6d39",
    ),
    Dataset(
        key="poi_schools",
        filename="poi_schulen.geojson",
        official_title="Schulen",
        publisher="Senatsverwaltung für Bildung, Jugend und Familie (Geoportal Berlin)",
        source_url="https://fbinter.stadt-berlin.de/fb/wfs/data/senstadt/s_schulen",
        licence="dl-de/by-2.0",
        licence_url="https://www.govdata.de/dl-de/by-2-0",
        licence_note="dataset_licence.daten_berlin",
        attribution="Geoportal Berlin / Schulen",
        reference_date="2023-10-31",
        kind="geojson",
        id_column=None,
        id_length=None,
        columns=("bsn", "name", "schulart"),
        rows=902,
        geometry_type="Point",
        sha256="55538bc3b16e00f3db30cb5fd739938ee83e0f8cd66c2c059452181d2e1bed97",
    ),
    Dataset(
        key="poi_youth_centres",
        filename="poi_jugendfreizeiteinrichtungen.geojson",
        official_title="Jugendfreizeiteinrichtungen",
        publisher="Senatsverwaltung für Bildung, Jugend und Familie (Geoportal Berlin)",
        source_url="https://gdi.berlin.de/services/wfs/jfe",
        licence="dl-de/by-2.0",
        licence_url="https://www.govdata.de/dl-de/by-2-0",
        licence_note="dataset_licence.daten_berlin",
        attribution="Geoportal Berlin / Jugendfreizeiteinrichtungen",
        reference_date="2022-12-31",
        kind="geojson",
        id_column=None,
        id_length=None,
        columns=("e_nr", "e_name"),
        rows=407,
        geometry_type="Point",
        sha256="ad42909e6a081b4c8ce73b0a8f9b057182ff307358bf690f2418a27f68520592",
    ),
    Dataset(
        key="poi_care_homes",
        filename="poi_pflegeeinrichtungen.geojson",
        official_title="Pflegeeinrichtungen",
        publisher="Senatsverwaltung für Wissenschaft, Gesundheit und Pflege (Geoportal Berlin)",
        source_url="https://gdi.berlin.de/services/wfs/pflegeeinrichtungen",
        licence="dl-de/by-2.0",
        licence_url="https://www.govdata.de/dl-de/by-2-0",
        licence_note="dataset_licence.daten_berlin",
        attribution="Geoportal Berlin / Pflegeeinrichtungen",
        reference_date="2023-07-31",
        kind="geojson",
        id_column=None,
        id_length=None,
        columns=("ik_nummer", "einrichtung_name", "platzzahl"),
        rows=274,
        geometry_type="Point",
        sha256="ddd41057da5f56f8ad42a1c379c25b8141ed01c29de5f9db7ea9330d957b84fd",
    ),
    _crime_atlas(
        "crime_atlas_cases", "fallzahlen", "Fallzahlen",
        "0423d57ec024a713f16b9b4dd0e788efab908c7b728716b1922aeec0641d4257", "case-numbers",
    ),
    _crime_atlas(
        "crime_atlas_rates", "haeufigkeitszahlen", "Häufigkeitszahlen",
        "69d4481453d1526ad4cd83ac693934888bf629b242a592760e5ae09da7693be7", "frequency-numbers",
        "dataset_note.crime_atlas_rate",
    ),
    Dataset(
        key="poi_pharmacies",
        filename="poi_apotheken.geojson",
        official_title="Apotheken",
        publisher="Senatsverwaltung für Wissenschaft, Gesundheit und Pflege (Geoportal Berlin)",
        source_url="https://fbinter.stadt-berlin.de/fb/wfs/data/senstadt/s_apotheken",
        licence="dl-de/by-2.0",
        licence_url="https://www.govdata.de/dl-de/by-2-0",
        licence_note="dataset_licence.daten_berlin",
        attribution="Geoportal Berlin / Apothekenstandorte",
        reference_date="2023-07-31",
        kind="geojson",
        id_column=None,
        id_length=None,
        columns=("gc_id", "aponame"),
        rows=732,
        geometry_type="MultiPoint",
        sha256="d9f3d4f38e0a9aae739c53ccfdaa47b01d71b93b2467d14cc3754ce6cc35ba75",
    ),
)

DATASETS: dict[str, Dataset] = {d.key: d for d in _ALL}


@dataclass(frozen=True)
class PackagedDataset:
    """Open data shipped in a package that the install step installs like any dependency.

    Unlike :class:`Dataset` the file is not fetched by the data step: ``npm ci --prefix static``
    installs the pinned ``package`` at ``version`` (``static/package.json`` and its lock file),
    and the app reads ``path`` inside it. The data's own licence and attribution are recorded
    here, next to the package's code licence.

    >>> PACKAGED_DATASETS["vbb_stations"].citation("en")
    'VBB Verkehrsverbund Berlin-Brandenburg GmbH, GTFS timetable data, via npm vbb-stations 8.31.0 (licence CC BY 4.0)'
    """

    key: str
    package: str
    version: str
    path: str
    official_title: str
    publisher: str
    source_url: str
    licence: str
    licence_url: str
    attribution: str
    package_licence: str

    def title(self, lang: str) -> str:
        """The title as published: official titles stay German in every language."""
        return self.official_title

    def description(self, lang: str) -> str:
        """What the data is and what the app uses it for, in ``lang`` (message ``packaged.<key>.description``)."""
        return t(f"packaged.{self.key}.description", lang)

    def citation(self, lang: str = "de") -> str:
        """One line naming the data's source, the package version and the licence."""
        return t("dataset.citation_packaged", lang, attribution=self.attribution, package=self.package,
                 version=self.version, licence=self.licence)


PACKAGED_DATASETS: dict[str, PackagedDataset] = {
    "vbb_stations": PackagedDataset(
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
}
