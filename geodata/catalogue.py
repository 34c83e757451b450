"""The catalogue of official open data sets the app uses: one place for provenance.

The datasets are those of the city profile (:mod:`geodata.profile`, chosen by
``BEDARFSATLAS_PROFILE``; Berlin's are in ``geodata/profiles/berlin/profile.toml``).
Every dataset names its publisher, the official source, the licence, the attribution text to show, its reference date, the schema the app relies on,
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

from dataclasses import dataclass, field, fields
from datetime import date

from core.i18n import format_date, has_text, t
from geodata.profile import DatasetSpec, active_profile


@dataclass(frozen=True)
class Dataset:
    """One official dataset as the app uses it.

    ``id_column``/``id_length`` say which column holds the unit ids and how many
    characters they have (ids are strings); ``id_pattern`` is the regular expression each id
    matches whole (digits where the profile states no rule but a length); ``columns`` are the columns the
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
    id_pattern: str | None = None

    def title(self, lang: str) -> str:
        """The title as published: official titles stay German in every language."""
        return self.official_title

    def description(self, lang: str) -> str:
        """What the dataset is, in ``lang``; the official title where the catalogues have no description."""
        key = f"dataset.{self.key}.description"
        return t(key, lang) if has_text(key) else self.official_title

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


def _from_profile(spec: DatasetSpec) -> Dataset:
    """The catalogue entry of one dataset of the city profile."""
    return Dataset(**{f.name: getattr(spec, f.name) for f in fields(Dataset)})


_ALL: tuple[Dataset, ...] = tuple(_from_profile(spec) for spec in active_profile().datasets)
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
    fields["key"]: PackagedDataset(**fields) for fields in getattr(active_profile().helpers, "PACKAGED", ())
}
"""Open data of the city profile that comes in a package (its helpers' ``PACKAGED``; Berlin: the VBB stations)."""
