"""Export and import of needs: CSV, GeoJSON (RFC 7946) and GeoPackage.

Export
------
:func:`export_needs` writes the needs of a store with their unit ids, one column
``<CODE>_ID`` per level of the city profile (Berlin: ``PLR_ID``, ``BZR_ID``, ``PGR_ID``,
``BEZ_ID``), a data dictionary and the attribution line:

* **CSV** (UTF-8 with BOM, so that Excel shows umlauts): every text cell
  that begins with ``= + - @`` (or tab/carriage return) is prefixed with
  ``'``, so a spreadsheet never runs it as a formula; a cell that already
  begins with ``'`` before such a character gets one more ``'``, so the
  import can undo the prefix exactly. The dictionary and attribution go into
  a text file next to it, ``<name>.README.txt``.
* **GeoJSON**: a FeatureCollection of points in WGS84, ``[lon, lat]``, the
  need id as feature id; ``attribution``, ``exported_at`` and
  ``data_dictionary`` as foreign members (RFC 7946, section 6.1). ``<``, ``>``
  and ``&`` are written as ``\\u003c`` etc., so the file is inert even when
  pasted into a web page.
* **GeoPackage**: layer ``needs`` (EPSG:4326, opens in QGIS), and the
  attribute-only tables ``data_dictionary`` and ``about`` (attribution).

Import
------
:func:`import_needs` reads GeoJSON points, a GeoPackage written by the
export, or CSV with ``lat``/``lon`` columns (comma or semicolon separated);
properties ``category``, ``title``, ``description`` and optionally
``status``, ``workshop``, ``created_at``, ``channel``, ``language``, ``id``,
``support_count``, ``merged_into``, ``located_by`` + ``area_level``. Every
row passes the same validation as the residents' page. A file with any bad
row imports nothing (:class:`ImportRefusedError` lists each bad row with its
number and reason) unless ``skip_invalid=True``. Rows without a channel count
as ``paper`` (the way workshop paper forms come in).

Row numbers are the spreadsheet's: in a CSV the header is row 1, the first
need row 2; in GeoJSON and GeoPackage the first feature is row 1.

The ``'`` the CSV export puts before ``= + - @`` comes off again on import
of a file whose header is exactly the export's (:func:`is_own_export`), so
an export imports as it was. In any other CSV (typed by hand, put together
in a spreadsheet) a cell that begins with ``'`` before such a character is
refused, naming its row and column: it may be a spreadsheet habit or part of
the text, and the import neither drops nor keeps it silently.

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> restore(neutralise("'=1+1")) == "'=1+1"
True
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from assessment.needs.model import STATUSES, ImportExtras, Need, NeedInput, utc_now
from assessment.needs.procedures import Procedure, answer_columns, category_labels
from assessment.needs.store import NeedStore, unit_column
from assessment.needs.taxonomy import CATEGORIES
from assessment.needs.validation import (
    FieldError,
    ValidationError,
    check_need_id,
    check_status,
    check_support_count,
    message_text,
    parse_created_at,
    validate_need,
)
from core.i18n import has_text, t
from geodata.catalogue import DATASETS
from geodata.profile import DIGITS, LevelSpec, active_profile

FORMATS = ("csv", "geojson", "gpkg")

#: The languages of the data dictionary that every export carries (one description column each).
EXPORT_LANGUAGES = ("de", "en")
# (column, type), in export order; each column's meaning is the message ``exchange.column.<column>``.
_COLUMN_TYPES: tuple[tuple[str, str], ...] = (
    ("id", "text (UUID)"),
    ("reference", "text"),
    ("created_at", "text (ISO 8601, UTC)"),
    ("lat", "number (WGS84)"),
    ("lon", "number (WGS84)"),
    ("located_by", "text"),
    ("area_level", "text"),
    ("units", ""),  # one column <CODE>_ID per level of the city profile, finest first
    ("category", "text"),
    ("category_de", "text"),
    ("category_en", "text"),
    ("title", "text (3–120 Zeichen)"),
    ("description", "text (bis 1000 Zeichen)"),
    ("status", "text"),
    ("merged_into", "text (UUID)"),
    ("support_count", "integer"),
    ("workshop", "text"),
    ("channel", "text"),
    ("language", "text"),
)
# Values filled into a column's meaning.
_COLUMN_VALUES = {"category": {"choices": ", ".join(CATEGORIES)}, "status": {"choices": ", ".join(STATUSES)}}


def column_description(column: str, lang: str, levels: Sequence[LevelSpec] = ()) -> str:
    """What export column ``column`` means, in ``lang``.

    A unit column has its own message (Berlin's ``exchange.column.PLR_ID`` …) or else is
    described by the name of its level in the city profile.

    >>> column_description("BEZ_ID", "en")
    'District'
    """
    if not has_text(f"exchange.column.{column}"):
        for level in levels:
            if unit_column(level) == column:
                return level.label.get(lang)
    return t(f"exchange.column.{column}", lang, **_COLUMN_VALUES.get(column, {}))


def _id_type(level: LevelSpec) -> str:
    """The type of a unit id column as the data dictionary states it: digits only where the profile's rule is digits."""
    if not level.id_length:
        return "text"
    return f"text ({level.id_length} {'Ziffern' if level.id_pattern == DIGITS else 'Zeichen'})"


def data_dictionary(levels: Sequence[LevelSpec]) -> tuple[tuple[str, ...], ...]:
    """(column, type, description in each of :data:`EXPORT_LANGUAGES`) of an export, in its order.

    The unit columns follow ``levels`` (a store's :attr:`~NeedStore.levels`, finest first).

    >>> [row[:2] for row in data_dictionary(active_profile().levels)[7:11]]
    [('PLR_ID', 'text (8 Ziffern)'), ('BZR_ID', 'text (6 Ziffern)'), ('PGR_ID', 'text (4 Ziffern)'), ('BEZ_ID', 'text (2 Ziffern)')]
    """
    rows: list[tuple[str, str]] = []
    for column, kind in _COLUMN_TYPES:
        if column != "units":
            rows.append((column, kind))
            continue
        rows += [(unit_column(level), _id_type(level)) for level in levels]
    return tuple((column, kind, *(column_description(column, code, levels) for code in EXPORT_LANGUAGES))
                 for column, kind in rows)


#: The data dictionary of the active city profile's exports.
DATA_DICTIONARY: tuple[tuple[str, ...], ...] = data_dictionary(active_profile().levels)
COLUMNS = tuple(row[0] for row in DATA_DICTIONARY)
_NUMERIC = {"lat", "lon", "support_count"}


def attribution_line(now: datetime | None = None) -> str:
    """The line every export carries: what the data is, when it was exported, whose area keys.

    The app's name and the source of the unit ids (the dataset of the finest level) come from
    the city profile; for Berlin the line names "Bedarfsatlas Berlin" and the LOR 2021.

    >>> line = attribution_line(datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc))
    >>> line.startswith("Bedarfe: Bedarfsatlas Berlin (Meldungen"), "Export 2026-11-20 09:30 UTC" in line
    (True, True)
    >>> "Gebietsschlüssel: Amt für Statistik Berlin-Brandenburg / SenSBW: Lebensweltlich" in line
    True
    """
    now = (now or utc_now()).astimezone(timezone.utc)
    profile = active_profile()
    return (
        f"Bedarfe: {profile.app_name} (Meldungen von Bewohnerinnen und Bewohnern, Workshops und "
        f"Papierformularen), Export {now:%Y-%m-%d %H:%M} UTC. "
        f"Gebietsschlüssel: {DATASETS[profile.finest.dataset].citation()}"
    )


# --- spreadsheet formula neutralisation ------------------------------------------------------

_FORMULA_START = "=+-@\t\r"
_NEEDS_PREFIX = re.compile(r"'*[" + re.escape(_FORMULA_START) + "]")
_HAS_PREFIX = re.compile(r"'+[" + re.escape(_FORMULA_START) + "]")


def neutralise(cell: str) -> str:
    """Make a text cell inert in spreadsheets: prefix ``'`` before a formula character.

    >>> neutralise("-5 Grad"), neutralise("Ok")
    ("'-5 Grad", 'Ok')
    """
    return "'" + cell if _NEEDS_PREFIX.match(cell) else cell


def restore(cell: str) -> str:
    """Undo :func:`neutralise` (on import of a CSV this export wrote)."""
    return cell[1:] if _HAS_PREFIX.match(cell) else cell


def is_own_export(header: Iterable[str] | None) -> bool:
    """Whether a CSV header is exactly the one :func:`export_needs` writes (so its ``'`` prefixes are ours).

    >>> is_own_export(COLUMNS), is_own_export(["lat", "lon", "category", "title"])
    (True, False)
    """
    header = list(header or [])
    extra = header[len(COLUMNS):]
    # A procedure's export adds its id and one answer column per question after the others.
    return header[:len(COLUMNS)] == list(COLUMNS) and (
        not extra or (extra[0] == "procedure_id" and all(c.startswith("answer_") for c in extra[1:])))


def _prefix_error(field_name: str, cell: str) -> FieldError:
    """A ``'`` before a formula character in a CSV the app did not write: nobody can tell what it means."""
    first = cell.lstrip("'")[:1]
    char = {"\t": "Tab", "\r": "CR"}.get(first, first)
    return FieldError(field_name, "exchange.error.prefix", {"char": char})


# --- export ----------------------------------------------------------------------------------


def _record(need: Need, procedure: Procedure | None = None) -> dict:
    answers = dict(need.answers)
    extra = {} if procedure is None else {
        "procedure_id": need.procedure_id,
        **{f"answer_{q.id}": answers.get(q.id) for q in procedure.questions},
    }
    return {
        "id": need.id,
        "reference": need.reference,
        "created_at": need.created_at.astimezone(timezone.utc).isoformat(),
        "lat": need.lat,
        "lon": need.lon,
        "located_by": need.located_by,
        "area_level": need.area_level,
        **{unit_column(code): unit_id for code, unit_id in need.units.items()},
        "category": need.category,
        **{f"category_{code}": label for code, label in zip(EXPORT_LANGUAGES, category_labels(need.category, procedure, EXPORT_LANGUAGES))},
        "title": need.title,
        "description": need.description,
        "status": need.status,
        "merged_into": need.merged_into,
        "support_count": need.support_count,
        "workshop": need.workshop_id,
        "channel": need.channel,
        "language": need.language,
        **extra,
    }


def _in_export_languages(key: str, **values: object) -> list[str]:
    """Message ``key`` in each of :data:`EXPORT_LANGUAGES`, in that order."""
    return [t(key, code, **values) for code in EXPORT_LANGUAGES]


def _dictionary(procedure: Procedure | None, levels: Sequence[LevelSpec]) -> tuple[tuple[str, ...], ...]:
    """The data dictionary for ``levels``, and for one procedure its id and one column per question."""
    dictionary = DATA_DICTIONARY if tuple(levels) == active_profile().levels else data_dictionary(levels)
    if procedure is None:
        return dictionary
    return dictionary + (
        ("procedure_id", "text", *(t("exchange.column.procedure_id", code, title=procedure.title_in(code))
                                   for code in EXPORT_LANGUAGES)),
        *answer_columns(procedure, EXPORT_LANGUAGES),
    )


def _dictionary_text(attribution: str, count: int, statuses: str, dictionary=DATA_DICTIONARY) -> str:
    header = [" / ".join(_in_export_languages("exchange.readme.column")),
              " / ".join(_in_export_languages("exchange.readme.type")),
              *_in_export_languages("exchange.readme.meaning")]
    lines = [attribution, "", " / ".join(_in_export_languages("exchange.readme.count", n=count, statuses=statuses)),
             "", " | ".join(header), "|".join("---" for _ in header)]
    lines += [" | ".join(row) for row in dictionary]
    lines += ["", " / ".join(_in_export_languages("exchange.readme.formulas"))]
    return "\n".join(lines) + "\n"


def export_needs(
    store: NeedStore, path: str | Path, format: str, *, statuses: Iterable[str] | None = ("published",),
    procedure: Procedure | None = None, **query: Any,
) -> int:
    """Write the needs of ``store`` to ``path`` as ``csv``, ``geojson`` or ``gpkg``; return how many.

    Parameters
    ----------
    statuses
        Default: published only. ``None``: every status (for moderators and backups of content).
    **query
        Further filters of :meth:`NeedStore.query` (``categories``, ``since``, ``until``,
        ``workshop_id``, ``level`` with ``area_ids``), e.g. the planners' map's view.
    procedure
        Only the needs of this participation procedure, with the columns ``procedure_id``
        and ``answer_<question id>`` (one per question of the procedure) after the others.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Oldest first: a stable order that diff tools and re-imports can follow.
    if procedure is not None:
        query["procedure_id"] = procedure.id
    records = [_record(n, procedure) for n in reversed(store.query(statuses=statuses, **query))]
    dictionary = _dictionary(procedure, store.levels)
    columns = [row[0] for row in dictionary]
    attribution = attribution_line()
    status_text = "all" if statuses is None else ", ".join(statuses)
    if format == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            for record in records:
                writer.writerow(
                    {k: ("" if v is None else neutralise(v) if isinstance(v, str) else repr(v) if isinstance(v, float) else v)
                     for k, v in record.items()}
                )
        path.with_name(path.stem + ".README.txt").write_text(
            _dictionary_text(attribution, len(records), status_text, dictionary), encoding="utf-8"
        )
    elif format == "geojson":
        collection = {
            "type": "FeatureCollection",
            "attribution": attribution,
            "exported_at": utc_now().isoformat(),
            "statuses": status_text,
            "data_dictionary": [
                {"column": column, "type": kind,
                 **{f"description_{code}": text for code, text in zip(EXPORT_LANGUAGES, descriptions)}}
                for column, kind, *descriptions in dictionary
            ],
            "features": [
                {
                    "type": "Feature",
                    "id": r["id"],
                    "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                    "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")},
                }
                for r in records
            ],
        }
        text = json.dumps(collection, ensure_ascii=False, indent=1, allow_nan=False)
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        path.write_text(text + "\n", encoding="utf-8")
    else:
        _write_gpkg(path, records, attribution, status_text, dictionary)
    return len(records)


def _write_gpkg(path: Path, records: list[dict], attribution: str, status_text: str,
                dictionary=DATA_DICTIONARY) -> None:
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    path.unlink(missing_ok=True)
    frame = pd.DataFrame(records, columns=[row[0] for row in dictionary])
    layer = gpd.GeoDataFrame(
        frame.drop(columns=["lat", "lon"]).astype({"support_count": "int64"}),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(layer, path, layer="needs", driver="GPKG")
    table = pd.DataFrame(list(dictionary),
                         columns=["column", "type", *(f"description_{code}" for code in EXPORT_LANGUAGES)])
    pyogrio.write_dataframe(table, path, layer="data_dictionary", driver="GPKG")
    about = pd.DataFrame(
        {"key": ["attribution", "exported_at", "statuses", "count"],
         "value": [attribution, utc_now().isoformat(), status_text, str(len(records))]}
    )
    pyogrio.write_dataframe(about, path, layer="about", driver="GPKG")


# --- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One refused row of an import file: the message ``key`` with its ``values`` says what is wrong."""

    row: int
    field: str
    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return message_text(self.key, lang, self.values)

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.text('en')} / {self.text('de')}"


class ImportRefusedError(ValueError):
    """The file has bad rows and nothing was imported; ``errors`` lists each one."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            f"{len(errors)} problem(s), nothing imported (use --skip-invalid to import the good rows):\n"
            + "\n".join(str(e) for e in errors)
        )


@dataclass
class ImportReport:
    """What an import did: the stored needs and the rows it skipped (with ``skip_invalid``)."""

    imported: list[Need] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _file_error(key: str, **values: object) -> ImportRefusedError:
    return ImportRefusedError([RowError(0, "file", key, values)])


def _read_csv(path: Path) -> list[tuple[int, dict]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    # StringIO with newline="": line breaks inside quoted cells stay part of the cell.
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    missing = [c for c in ("lat", "lon", "category", "title") if c not in (reader.fieldnames or [])]
    if missing:
        found = ", ".join(reader.fieldnames or [])
        raise _file_error("exchange.error.csv_columns" if found else "exchange.error.csv_no_columns",
                          missing=", ".join(missing), **({"found": found} if found else {}))
    # Only the app's own export put its ' before = + - @ (neutralise): there it comes off again. In a
    # file made by hand, "'-5 Grad" may be a spreadsheet habit or the text itself; such a cell is refused.
    ours = is_own_export(reader.fieldnames)
    rows = []
    for number, row in enumerate(reader, start=2):
        cells = {k: v for k, v in row.items() if k is not None}
        prefixed = {} if ours else {k: v for k, v in cells.items() if isinstance(v, str) and _HAS_PREFIX.match(v)}
        values = {k: (restore(v) if ours and isinstance(v, str) else v) for k, v in cells.items()}
        properties = {k: (v if v != "" else None) for k, v in values.items()}
        if prefixed:
            properties["_prefixed"] = prefixed
        rows.append((number, properties))
    return rows


def _read_geojson(path: Path) -> list[tuple[int, dict]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise _file_error("exchange.error.json", file=path.name, error=str(error)) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise _file_error("exchange.error.not_a_collection", file=path.name)
    rows = []
    for number, feature in enumerate(data.get("features") or [], start=1):
        properties = dict((feature or {}).get("properties") or {})
        geometry = (feature or {}).get("geometry") or {}
        coordinates = geometry.get("coordinates")
        if geometry.get("type") == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
            properties["lon"], properties["lat"] = coordinates[0], coordinates[1]
        else:
            properties["_geometry_error"] = geometry.get("type")
        if "id" not in properties and isinstance(feature, dict) and feature.get("id") is not None:
            properties["id"] = feature["id"]
        rows.append((number, properties))
    return rows


def _read_gpkg(path: Path) -> list[tuple[int, dict]]:
    import pyogrio

    frame = pyogrio.read_dataframe(path, layer="needs")
    rows = []
    for number, (_, record) in enumerate(frame.iterrows(), start=1):
        properties = {k: (None if _missing(v) else v) for k, v in record.items() if k != "geometry"}
        point = record["geometry"]
        properties["lon"], properties["lat"] = (point.x, point.y) if point is not None else (None, None)
        rows.append((number, properties))
    return rows


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def read_rows(path: str | Path) -> list[tuple[int, dict]]:
    """The rows of an import file as ``(row number, properties)``, by file extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path)
    if suffix == ".gpkg":
        return _read_gpkg(path)
    raise _file_error("exchange.error.file_type", file=path.name)


def _row_to_record(properties: dict, geography, now: datetime,
                   procedure: Procedure | None = None) -> tuple[dict, ImportExtras]:
    """Validate one import row (into ``procedure``, if given); raises :class:`ValidationError` with every bad field."""
    errors: list[FieldError] = []
    if "_geometry_error" in properties:
        raise ValidationError([FieldError("geometry", "exchange.error.geometry",
                                          {"value": repr(properties["_geometry_error"])})])
    errors += [_prefix_error(name, cell) for name, cell in (properties.get("_prefixed") or {}).items()]
    get = properties.get
    area_level = get("area_level") if get("located_by") == "area" else None
    if area_level is not None:
        area_id = get("area_id") or get(unit_column(str(area_level).upper()))
        place = dict(lat=None, lon=None, area_level=area_level, area_id=area_id)
    else:
        place = dict(lat=get("lat"), lon=get("lon"))
    need = NeedInput(
        category=get("category"),
        title=get("title"),
        description=get("description") or "",
        workshop_id=get("workshop"),
        channel=get("channel") or "paper",
        language=get("language") or "de",
        **place,
    )
    columns: dict = {}
    try:
        columns = validate_need(need, geography, categories=procedure.category_ids() if procedure else None)
    except ValidationError as refused:
        errors += refused.errors
    if procedure is not None:
        errors += _procedure_errors(procedure, properties, columns, geography)
    need_id = created_at = merged_into = None
    if get("id") is not None:
        need_id, error = check_need_id("id", get("id"))
        errors += [error] if error else []
    if get("created_at") is not None:
        created_at, error = parse_created_at(get("created_at"), now)
        errors += [error] if error else []
    status = get("status") or "pending"
    if error := check_status(status):
        errors.append(error)
    if get("merged_into") is not None:
        merged_into, error = check_need_id("merged_into", get("merged_into"))
        errors += [error] if error else []
    if (status == "merged") != (merged_into is not None):
        errors.append(FieldError("merged_into", "exchange.error.merged_into"))
    support_count = 0
    if get("support_count") is not None:
        support_count, error = check_support_count(get("support_count"))
        errors += [error] if error else []
    if errors:
        raise ValidationError(errors)
    return columns, ImportExtras(
        id=need_id, created_at=created_at or now, status=status, merged_into=merged_into,
        support_count=support_count,
    )


def _procedure_errors(procedure: Procedure, properties: dict, columns: dict, geography) -> list[FieldError]:
    """Place and answers of an import row checked against ``procedure``; fills ``columns`` when they pass."""
    answers, errors = procedure.check_answers(
        {q.id: properties.get(f"answer_{q.id}") for q in procedure.questions})
    if columns:
        if columns["located_by"] == "point":
            inside = procedure.contains(columns["lat"], columns["lon"], geography)
        else:
            level = columns["area_level"]
            inside = procedure.contains_area(level, columns["units"][level], geography)
        if not inside:
            errors.append(procedure.out_of_area_error())
        columns.update(procedure_id=procedure.id,
                       answers=json.dumps(answers, ensure_ascii=False, sort_keys=True) if answers else None)
    return errors


def import_needs(store: NeedStore, path: str | Path, *, skip_invalid: bool = False,
                 procedure: Procedure | None = None) -> ImportReport:
    """Validate every row of ``path`` and store the needs in one transaction.

    Parameters
    ----------
    store : NeedStore
        Where to store them; its geography locates the points.
    path : str or Path
        ``.csv``, ``.geojson``/``.json`` or ``.gpkg``.
    skip_invalid : bool
        Import the good rows and report the bad ones, instead of importing nothing.
    procedure : Procedure, optional
        Import into this participation procedure (default "Allgemein"): each place must lie
        in its area, each category be one of its, and the columns ``answer_<question id>``
        (as its export writes them) are its answers. A closed procedure takes nothing.

    Raises
    ------
    ImportRefusedError
        When any row is bad (and ``skip_invalid`` is false), or the file cannot be read
        at all; nothing is stored.
    """
    if procedure is not None and procedure.status() == "closed":
        raise _file_error("exchange.error.procedure_closed", procedure=dict(procedure.title))
    now = utc_now()
    errors: list[RowError] = []
    good: list[tuple[int, dict, ImportExtras]] = []
    for number, properties in read_rows(path):
        try:
            columns, extras = _row_to_record(properties, store.geography, now, procedure)
        except ValidationError as refused:
            errors += [RowError(number, e.field, e.key, e.values) for e in refused.errors]
            continue
        good.append((number, columns, extras))
    good = _drop_conflicting_ids(store, good, errors)
    if errors and not skip_invalid:
        raise ImportRefusedError(sorted(errors, key=lambda e: e.row))
    imported = store.add_validated([(columns, extras) for _, columns, extras in good])
    return ImportReport(imported=imported, errors=sorted(errors, key=lambda e: e.row))


def _drop_conflicting_ids(store, good, errors):
    """Rows whose id is already stored or repeats in the file, or that merge into nothing, are errors."""
    ids = [extras.id for _, _, extras in good if extras.id]
    stored = store.existing_ids(ids + [e.merged_into for _, _, e in good if e.merged_into])
    seen: set[str] = set()
    kept = []
    for number, columns, extras in good:
        if extras.id and (extras.id in stored or extras.id in seen):
            errors.append(RowError(number, "id", "exchange.error.id_exists", {"id": extras.id}))
            continue
        if extras.id:
            seen.add(extras.id)
        kept.append((number, columns, extras))
    in_file = {extras.id for _, _, extras in kept if extras.id}
    result = []
    for number, columns, extras in kept:
        if extras.merged_into and extras.merged_into not in in_file | stored:
            errors.append(RowError(number, "merged_into", "exchange.error.merged_into_unknown",
                                   {"id": extras.merged_into}))
            continue
        result.append((number, columns, extras))
    return result
