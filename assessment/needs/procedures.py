"""Participation procedures (Beteiligungsverfahren): each round of participation on its own.

A city runs rounds: "Bedarfe sammeln in Neukölln-Nord, März bis Mai", then
"Ziele priorisieren, stadtweit". A :class:`Procedure` is one round:

* a **title** and **description** per interface language (``{"de": ..., "en": ...}``);
* an **area**: LOR units (``area_level`` + ``area_ids``), a drawn polygon
  (``area_geojson``, WGS84), or neither (all of Berlin), and ``area_label``,
  the name residents read when their point lies outside it;
* a **period** ``starts_on`` .. ``ends_on`` (``ends_on`` empty: open-ended);
  its status is *planned* before the start, *open* during the period and
  *closed* after it or once staff closed it early (``closed_at``), see
  :meth:`Procedure.status`;
* its **categories**: ids of the standard list
  (:data:`assessment.needs.taxonomy.CATEGORIES`), or its own, each with a label,
  a colour and a description;
* optional **questions** asked with every need: ``choice`` (one of the
  ``options``) or ``scale`` (1 to 5), e.g. "Wie dringend?";
* its **moderation rule**: ``pre`` (every need waits for a moderator) or
  ``post`` (published at once, moderated afterwards).

Needs, supports, workshops, dots (votes) and goals carry the ``procedure_id``
they belong to (migration ``0010``). Everything that existed before
procedures belongs to :data:`DEFAULT_PROCEDURE_ID`, the procedure "Allgemein"
that the migration creates; code that does not name a procedure writes into it.

:class:`ProcedureBook` stores procedures in the needs database and writes an
audit row (:mod:`assessment.needs.audit`) for every change, in the same
transaction.

Examples
--------
>>> from datetime import date
>>> from assessment.needs.store import open_store
>>> book = ProcedureBook(open_store(database_url="sqlite://", geography=None))
>>> spec = ProcedureInput(title={"de": "Bedarfe Mitte"}, starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 31),
...                       area_level="BEZ", area_ids=("01",), area_label="Mitte",
...                       categories=("mobility", "green_climate"))
>>> made = book.create(spec, actor="admin-anna")
>>> made.status(date(2026, 2, 1)), made.status(date(2026, 4, 1)), made.status(date(2026, 6, 1))
('planned', 'open', 'closed')
>>> book.create(ProcedureInput(title={"de": "Ziele"}, starts_on=date(2026, 5, 1), ends_on=date(2026, 4, 1)),
...             actor="admin-anna")
Traceback (most recent call last):
...
assessment.needs.validation.ValidationError: ends_on: The period ends (2026-04-01) before it starts (2026-05-01): ...
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assessment.needs import audit
from assessment.needs.geography import area_unit_ids, geography_levels, has_id_form, level_codes, unit_ids
from assessment.needs.migrations.history import MIGRATION_DEFAULT_AREA, MIGRATION_DEFAULT_DESCRIPTION
from assessment.needs.model import AREA_LEVELS, DEFAULT_PROCEDURE_ID, utc_now  # noqa: F401 - re-exported
from assessment.needs.store import NeedStore, StoreError, UTCDateTime, needs
from assessment.needs.taxonomy import CATEGORIES
from assessment.needs.validation import FieldError, ValidationError, check_text, shown
from core.i18n import LANGUAGES, NotFoundError, t
from geodata.lor import CITY_NAME, CITY_TIMEZONE, city_label

PROCEDURE_STATUSES = ("planned", "open", "closed")
MODERATION_RULES = ("pre", "post")
QUESTION_KINDS = ("choice", "scale")
SCALE_OPTIONS = ("1", "2", "3", "4", "5")
TITLE_MAX = 200
DESCRIPTION_MAX = 4000
MAX_QUESTIONS = 10
MAX_OPTIONS = 12
OPTION_MAX = 80
_ID = re.compile(r"[a-z][a-z0-9_]{1,31}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: Default colours for the standard categories when a procedure gives none.
STANDARD_COLOUR = "#1f78b4"

metadata = sa.MetaData()
procedures = sa.Table(
    "procedures",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("area_level", sa.String(8)),
    sa.Column("area_ids", sa.Text()),
    sa.Column("area_geojson", sa.Text()),
    sa.Column("area_label", sa.Text(), nullable=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date()),
    sa.Column("closed_at", UTCDateTime()),
    sa.Column("categories", sa.Text(), nullable=False),
    sa.Column("questions", sa.Text(), nullable=False),
    sa.Column("moderation", sa.String(8), nullable=False),
    sa.Column("created_by", sa.String(128)),
)


def in_language(texts: Mapping[str, str], lang: str) -> str:
    """The text of a staff-written mapping ``{lang: text}`` in ``lang``, else the German one.

    >>> in_language({"de": "Spielplatz", "en": "Playground"}, "en"), in_language({"de": "Spielplatz"}, "tr")
    ('Playground', 'Spielplatz')
    """
    return texts.get(lang) or texts.get("de") or ""


def _texts(value: object) -> dict[str, str]:
    """A staff text as ``{lang: text}``: a mapping as given (empty texts dropped), plain text as German."""
    if isinstance(value, Mapping):
        return {str(k): str(v).strip() for k, v in value.items() if v is not None and str(v).strip()}
    if value is None or value == "":
        return {}
    return {"de": value if not isinstance(value, str) else value.strip()}


@dataclass(frozen=True)
class ProcedureCategory:
    """A category of a procedure: a standard one (``own=False``, texts from the catalogues) or its own."""

    id: str
    colour: str
    labels: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    own: bool = False

    def label(self, lang: str) -> str:
        if not self.own and self.id in CATEGORIES:
            return CATEGORIES[self.id].label(lang)
        return in_language(self.labels, lang) or self.id

    def explanation(self, lang: str) -> str:
        if not self.own and self.id in CATEGORIES:
            return CATEGORIES[self.id].explanation(lang)
        return in_language(self.descriptions, lang)

    description = explanation


@dataclass(frozen=True)
class Question:
    """A short question asked with every need of a procedure; ``texts`` maps language -> text."""

    id: str
    kind: str
    texts: Mapping[str, str]
    options: tuple[str, ...]

    def text(self, lang: str) -> str:
        return in_language(self.texts, lang)


@dataclass(frozen=True)
class ProcedureInput:
    """What staff enter for a procedure, unchecked.

    ``title`` and ``description`` map language -> text (German required; plain text is
    German). ``categories`` holds standard category ids (``"mobility"``) and/or dicts of
    own categories (``{"id", "label": {lang: text}, "colour", "description": {lang: text}}``;
    a dict with a standard id sets only its colour). ``questions`` holds dicts
    ``{"id", "kind", "text": {lang: text}, "options"}``. ``area_polygon`` is WKT or
    GeoJSON (WGS84 lon/lat).
    """

    title: object = field(default_factory=dict)
    description: object = field(default_factory=dict)
    starts_on: object = None
    ends_on: object = None
    area_level: object = None
    area_ids: tuple = ()
    area_polygon: object = None
    area_label: object = ""
    categories: tuple = tuple(CATEGORIES)
    questions: tuple = ()
    moderation: object = "pre"


@dataclass(frozen=True)
class Procedure:
    """A stored procedure. ``title``/``description`` map language -> text."""

    id: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    area_level: str | None
    area_ids: tuple[str, ...]
    area_geojson: str | None
    area_label: str
    starts_on: date
    ends_on: date | None
    closed_at: datetime | None
    categories: tuple[ProcedureCategory, ...]
    questions: tuple[Question, ...]
    moderation: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    _shape: object = field(default=None, compare=False, repr=False)

    def title_in(self, lang: str) -> str:
        return in_language(self.title, lang) or self.id

    def description_in(self, lang: str) -> str:
        return in_language(self.description, lang)

    def status(self, today: date | None = None) -> str:
        """``planned``, ``open`` or ``closed`` on ``today`` (default: today in Berlin)."""
        today = today or utc_now().astimezone(CITY_TIMEZONE).date()
        if self.closed_at is not None or (self.ends_on is not None and today > self.ends_on):
            return "closed"
        return "planned" if today < self.starts_on else "open"

    def is_open(self, today: date | None = None) -> bool:
        return self.status(today) == "open"

    def category_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def category(self, category_id: str) -> ProcedureCategory | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def period_text(self) -> str:
        """``2026-03-01 – 2026-05-31`` (``…`` for an open end)."""
        return f"{self.starts_on.isoformat()} – {self.ends_on.isoformat() if self.ends_on else '…'}"

    def shape(self):
        """The drawn polygon as a shapely geometry (WGS84), or ``None``."""
        if self.area_geojson is None:
            return None
        if self._shape is None:
            import shapely.geometry

            object.__setattr__(self, "_shape", shapely.geometry.shape(json.loads(self.area_geojson)))
        return self._shape

    def contains(self, lat: float, lon: float, geography) -> bool:
        """Whether the point lies in the procedure's area (all of Berlin when it has none)."""
        if self.area_geojson is not None:
            import shapely

            return bool(shapely.intersects_xy(self.shape(), lon, lat))
        if self.area_level is not None:
            located = geography.locate(lat, lon)
            return located is not None and unit_ids(geography_levels(geography), located).get(
                self.area_level) in self.area_ids
        return True

    def contains_area(self, level: str, area_id: str, geography) -> bool:
        """Whether an area chosen from a list lies in the procedure's area (by its representative point)."""
        if self.area_level is not None and self.area_geojson is None:
            levels = geography_levels(geography)
            codes = level_codes(levels)
            if codes.index(level) <= codes.index(self.area_level):
                return area_unit_ids(levels, level, area_id, geography).get(self.area_level) in self.area_ids
            # A coarser area than the procedure's: inside when one of the procedure's units lies in it.
            return any(area_unit_ids(levels, self.area_level, unit, geography).get(level) == area_id
                       for unit in self.area_ids)
        point = geography.area_point(level, area_id)
        return point is not None and self.contains(point[0], point[1], geography)

    def out_of_area_error(self, lat: float | None = None, lon: float | None = None) -> FieldError:
        values: dict[str, object] = {"area": self.area_label, "procedure": dict(self.title)}
        if lat is None:
            return FieldError("location", "procedure.error.outside_area", values)
        return FieldError("location", "procedure.error.outside_area_at", {**values, "lat": f"{lat:g}", "lon": f"{lon:g}"})

    def check_answers(self, answers: Mapping[str, object] | None) -> tuple[dict[str, str], list[FieldError]]:
        """Clean answers to this procedure's questions (all optional); unknown or invalid ones are errors."""
        clean: dict[str, str] = {}
        errors: list[FieldError] = []
        by_id = {q.id: q for q in self.questions}
        for key, value in (answers or {}).items():
            question = by_id.get(key)
            if question is None:
                errors.append(FieldError(f"answers.{key}", "procedure.error.unknown_question", {"question": shown(key)}))
                continue
            if value is None or value == "":
                continue
            value = str(value)
            if value not in question.options:
                errors.append(FieldError(f"answers.{key}", "procedure.error.bad_answer", {
                    "answer": shown(value), "question": dict(question.texts),
                    "options": ", ".join(question.options)}))
                continue
            clean[key] = value
        return clean, errors


class ProcedureNotFoundError(NotFoundError):
    """No procedure has this id (:attr:`procedure_id`, also ``args[0]``).

    A ``KeyError``, since a lookup by id found nothing; its message names the id and where
    to find the ids: ``str()`` in English, :meth:`in_language` in any language.

    >>> error = ProcedureNotFoundError("kiez-2027")
    >>> str(error)
    "no procedure with id 'kiez-2027': `python -m assessment procedures list` shows the ids"
    >>> error.in_language("de")
    "Kein Beteiligungsverfahren hat die Kennung 'kiez-2027'; `python -m assessment procedures list` zeigt die Kennungen"
    """

    message_key = "procedure.error.not_found"

    @property
    def procedure_id(self) -> object:
        """The id looked for."""
        return self.key


# --- validation -------------------------------------------------------------------------------


def _date(field_name: str, value: object) -> tuple[date | None, FieldError | None]:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value, None
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()), None
        except ValueError:
            pass
    return None, FieldError(field_name, f"procedure.error.{field_name}", {"value": shown(value)})


def parse_polygon(value: object):
    """A polygon from WKT or GeoJSON text (or a GeoJSON dict), or ``None`` with the error.

    >>> parse_polygon("POLYGON ((13.3 52.5, 13.4 52.5, 13.4 52.6, 13.3 52.5))")[0].geom_type
    'Polygon'
    >>> parse_polygon("kreis")[1].field
    'area_polygon'
    """
    import shapely
    import shapely.errors
    import shapely.geometry

    error = FieldError("area_polygon", "procedure.error.not_a_polygon", {"value": shown(value)})
    try:
        if isinstance(value, Mapping):
            shape = shapely.geometry.shape(value.get("geometry", value))
        elif isinstance(value, str) and value.strip().startswith("{"):
            data = json.loads(value)
            if data.get("type") == "FeatureCollection":
                data = data["features"][0]
            shape = shapely.geometry.shape(data.get("geometry", data))
        elif isinstance(value, str):
            shape = shapely.from_wkt(value.strip())
        else:
            return None, error
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.GEOSException):
        return None, error  # whatever the text's fault, the same refusal names the field and the fix
    if shape is None or shape.geom_type not in ("Polygon", "MultiPolygon") or shape.is_empty:
        return None, error
    if not shape.is_valid:
        shape = shapely.make_valid(shape)
        if shape.geom_type not in ("Polygon", "MultiPolygon"):
            return None, error
    return shape, None


def _intersects_city(shape, geography) -> bool:
    outline = getattr(geography, "outline", None)
    if callable(outline):
        return bool(shape.intersects(outline()))
    # A stand-in geography knows only points: test the polygon's inner point and its corners.
    import shapely

    corners = shapely.get_coordinates(shape)
    points = [(shape.representative_point().x, shape.representative_point().y), *map(tuple, corners)]
    return any(geography.locate(lat, lon) is not None for lon, lat in points)


def _categories(values: Iterable) -> tuple[list[dict], list[FieldError]]:
    """Stored form: ``{"id", "colour", "own"}`` for a standard category (its texts come from
    the catalogues), plus ``"label"`` and ``"description"`` ``{lang: text}`` for an own one."""
    clean: list[dict] = []
    errors: list[FieldError] = []
    for value in values or ():
        if isinstance(value, str):
            value = {"id": value}
        if not isinstance(value, Mapping):
            errors.append(FieldError("categories", "procedure.error.category_unknown", {"value": shown(value)}))
            continue
        cid = str(value.get("id") or "").strip()
        standard = CATEGORIES.get(cid)
        labels = _texts(value.get("label"))
        descriptions = _texts(value.get("description"))
        colour = str(value.get("colour") or (STANDARD_COLOUR if standard else "")).strip()
        if not _ID.fullmatch(cid):
            errors.append(FieldError("categories", "procedure.error.category_id", {"value": shown(cid)}))
            continue
        if not standard and not labels.get("de"):
            errors.append(FieldError("categories", "procedure.error.category_label", {"value": shown(cid)}))
        if not _COLOUR.fullmatch(colour):
            errors.append(FieldError("categories", "procedure.error.category_colour",
                                     {"colour": shown(colour), "value": shown(cid)}))
        if not standard and not descriptions.get("de"):
            errors.append(FieldError("categories", "procedure.error.category_description", {"value": shown(cid)}))
        if any(c["id"] == cid for c in clean):
            errors.append(FieldError("categories", "procedure.error.category_twice", {"value": shown(cid)}))
            continue
        entry: dict = {"id": cid, "colour": colour.lower(), "own": standard is None}
        if standard is None:
            entry.update(label=labels, description=descriptions)
        clean.append(entry)
    if not clean and not errors:
        errors.append(FieldError("categories", "procedure.error.categories_empty"))
    return clean, errors


def _questions(values: Iterable) -> tuple[list[dict], list[FieldError]]:
    clean: list[dict] = []
    errors: list[FieldError] = []
    values = list(values or ())
    if len(values) > MAX_QUESTIONS:
        return [], [FieldError("questions", "procedure.error.too_many_questions",
                               {"maximum": MAX_QUESTIONS, "count": len(values)})]
    for number, value in enumerate(values, start=1):
        if not isinstance(value, Mapping):
            errors.append(FieldError("questions", "procedure.error.question_unreadable",
                                     {"number": number, "value": shown(value)}))
            continue
        qid = str(value.get("id") or f"q{number}").strip()
        kind = value.get("kind")
        texts = _texts(value.get("text"))
        _, error = check_text("title", texts.get("de"), required=True, minimum=3, maximum=200)
        if error or any(len(v) > 200 for v in texts.values()):
            errors.append(FieldError("questions", "procedure.error.question_text",
                                     {"number": number, "value": shown(texts.get("de", ""))}))
        if not _ID.fullmatch(qid) or any(q["id"] == qid for q in clean):
            errors.append(FieldError("questions", "procedure.error.question_id", {"number": number, "value": shown(qid)}))
        if kind not in QUESTION_KINDS:
            errors.append(FieldError("questions", "procedure.error.question_kind", {"number": number, "value": shown(kind)}))
            continue
        if kind == "scale":
            options = list(SCALE_OPTIONS)
        else:
            options = [str(o).strip() for o in (value.get("options") or ()) if str(o).strip()]
            options = list(dict.fromkeys(options))
            if len(options) < 2:
                errors.append(FieldError("questions", "procedure.error.question_options",
                                         {"number": number, "question": texts}))
                continue
            if len(options) > MAX_OPTIONS or any(len(o) > OPTION_MAX for o in options):
                errors.append(FieldError("questions", "procedure.error.question_options_long",
                                         {"number": number, "maximum": MAX_OPTIONS, "length": OPTION_MAX}))
                continue
        clean.append({"id": qid, "kind": kind, "text": texts, "options": options})
    return clean, errors


def validate_procedure(spec: ProcedureInput, geography=None) -> dict:
    """Check a procedure; return its columns, or raise :class:`ValidationError` naming each bad field.

    ``geography`` checks LOR units (by their representative points) and that a
    drawn polygon intersects Berlin; without it only the id form is checked.

    >>> validate_procedure(ProcedureInput(title={"de": "Runde"}, starts_on="2026-03-01",
    ...     questions=({"kind": "choice", "text": {"de": "Wie oft?"}, "options": []},)))
    Traceback (most recent call last):
    ...
    assessment.needs.validation.ValidationError: questions: Question 1 (“Wie oft?”) has no options: please give at least two. / ...
    """
    errors: list[FieldError] = []
    titles = _texts(spec.title)
    descriptions = _texts(spec.description)
    # German is required (everything falls back to it); the other languages are optional.
    _, error = check_text("title", titles.get("de", ""), required=True, minimum=3, maximum=TITLE_MAX)
    errors += [FieldError("title.de", error.key, error.values)] if error else []
    for code, value in titles.items():
        _, error = check_text("title", value, required=False, minimum=0, maximum=TITLE_MAX) if code != "de" else ("", None)
        if error:
            errors.append(FieldError(f"title.{code}", error.key, error.values))
    for lang, value in descriptions.items():
        text, error = check_text("description", value, required=False, minimum=0, maximum=DESCRIPTION_MAX)
        if error:
            errors.append(FieldError(f"description.{lang}", error.key, error.values))
    starts_on, error = _date("starts_on", spec.starts_on)
    errors += [error] if error else []
    ends_on = None
    if spec.ends_on not in (None, ""):
        ends_on, error = _date("ends_on", spec.ends_on)
        errors += [error] if error else []
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(FieldError("ends_on", "procedure.error.ends_before_start", {"ends": ends_on, "starts": starts_on}))
    area_level = spec.area_level.upper() if isinstance(spec.area_level, str) and spec.area_level else None
    area_ids = list(dict.fromkeys(str(a).strip() for a in (spec.area_ids or ()) if str(a).strip()))
    polygon = spec.area_polygon if spec.area_polygon not in (None, "") else None
    area_geojson = None
    if polygon is not None and (area_level or area_ids):
        errors.append(FieldError("area", "procedure.error.area_both"))
    elif polygon is not None:
        shape, error = parse_polygon(polygon)
        if error:
            errors.append(error)
        elif geography is not None and not _intersects_city(shape, geography):
            errors.append(FieldError("area_polygon", "procedure.error.polygon_outside_berlin",
                                     {"bounds": tuple(float(v) for v in shape.bounds)}))
        else:
            import shapely.geometry

            area_geojson = json.dumps(shapely.geometry.mapping(shape))
    elif area_level is not None or area_ids:
        if area_level not in AREA_LEVELS:
            errors.append(FieldError("area_level", "procedure.error.area_level",
                                     {"value": shown(spec.area_level), "levels": ", ".join(AREA_LEVELS)}))
        elif not area_ids:
            errors.append(FieldError("area_ids", "procedure.error.area_ids_empty"))
        else:
            rules = next(spec for spec in geography_levels() if spec.code == area_level)  # the profile's, as AREA_LEVELS
            bad = [a for a in area_ids if not has_id_form(rules, a)
                   or (geography is not None and geography.area_point(area_level, a) is None)]
            if bad:
                errors.append(FieldError("area_ids", "procedure.error.area_id",
                                         {"level": area_level, "value": shown(bad[0])}))
    area_label, error = check_text("title", spec.area_label or "", required=False, minimum=0, maximum=200)
    if error:
        errors.append(FieldError("area_label", error.key, error.values))
    if not area_label:
        area_label = ("gezeichnete Fläche" if polygon is not None
                      else f"{area_level} {', '.join(area_ids)}" if area_ids else CITY_NAME)
    categories, category_errors = _categories(spec.categories)
    errors += category_errors
    questions, question_errors = _questions(spec.questions)
    errors += question_errors
    if spec.moderation not in MODERATION_RULES:
        errors.append(FieldError("moderation", "procedure.error.moderation", {"value": shown(spec.moderation)}))
    if errors:
        raise ValidationError(errors)
    return {
        "title": json.dumps(titles, ensure_ascii=False),
        "description": json.dumps(descriptions, ensure_ascii=False),
        "area_level": area_level if area_geojson is None and area_ids else None,
        "area_ids": json.dumps(area_ids) if area_geojson is None and area_ids else None,
        "area_geojson": area_geojson,
        "area_label": area_label,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "categories": json.dumps(categories, ensure_ascii=False),
        "questions": json.dumps(questions, ensure_ascii=False),
        "moderation": spec.moderation,
    }


def _default_texts(row) -> tuple[dict, str]:
    """The description and area label of ``row``; the active city's for the migration's default procedure.

    Migration 0011 stored the default procedure's texts for Berlin, before there were city
    profiles (:mod:`assessment.needs.migrations.history`). As long as nobody edited them they
    are shown in the words of the active city (message ``procedure.default_description``).
    """
    description, area_label = json.loads(row["description"]), row["area_label"]
    if (row["id"] == DEFAULT_PROCEDURE_ID and row["created_by"] == "system:migration"
            and description == MIGRATION_DEFAULT_DESCRIPTION and area_label == MIGRATION_DEFAULT_AREA):
        description = {lang: t("procedure.default_description", lang, city=city_label(lang)) for lang in LANGUAGES}
        area_label = CITY_NAME
    return description, area_label


def procedure_from_row(row) -> Procedure:
    """A :class:`Procedure` from a row of the ``procedures`` table."""
    row = row._mapping if hasattr(row, "_mapping") else row
    description, area_label = _default_texts(row)
    return Procedure(
        id=row["id"], title=json.loads(row["title"]), description=description,
        area_level=row["area_level"], area_ids=tuple(json.loads(row["area_ids"]) if row["area_ids"] else ()),
        area_geojson=row["area_geojson"], area_label=area_label, starts_on=row["starts_on"],
        ends_on=row["ends_on"], closed_at=row["closed_at"],
        categories=tuple(ProcedureCategory(c["id"], c["colour"], c.get("label", {}), c.get("description", {}),
                                           c.get("own", False)) for c in json.loads(row["categories"])),
        questions=tuple(Question(q["id"], q["kind"], q["text"], tuple(q["options"]))
                        for q in json.loads(row["questions"])),
        moderation=row["moderation"], created_at=row["created_at"], updated_at=row["updated_at"],
        created_by=row["created_by"],
    )


def as_input(procedure: Procedure) -> ProcedureInput:
    """The input that would store ``procedure`` again (the staff form starts from it)."""
    return ProcedureInput(
        title=dict(procedure.title), description=dict(procedure.description),
        starts_on=procedure.starts_on, ends_on=procedure.ends_on, area_level=procedure.area_level,
        area_ids=procedure.area_ids, area_polygon=procedure.area_geojson, area_label=procedure.area_label,
        categories=tuple({"id": c.id, "colour": c.colour, "label": dict(c.labels), "description": dict(c.descriptions)}
                         for c in procedure.categories),
        questions=tuple({"id": q.id, "kind": q.kind, "text": dict(q.texts), "options": list(q.options)}
                        for q in procedure.questions),
        moderation=procedure.moderation,
    )


def _audit_view(columns: Mapping) -> dict:
    """A row as JSON-ready values for the audit log's details."""
    return {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in columns.items()}


class ProcedureBook:
    """Procedures in the needs database of ``store``; every change writes an audit row."""

    def __init__(self, store: NeedStore):
        self.store = store

    def _geography(self):
        try:
            return self.store.geography
        except StoreError:  # a store opened without a geography (scripts, tests) checks the id forms only
            return None

    def create(self, spec: ProcedureInput, *, actor: str, procedure_id: str | None = None) -> Procedure:
        """Validate and store a new procedure; raises :class:`ValidationError` (nothing stored)."""
        columns = validate_procedure(spec, self._geography())
        now = utc_now()
        row = {**columns, "id": procedure_id or str(uuid.uuid4()), "created_at": now, "updated_at": now,
               "closed_at": None, "created_by": actor}

        def insert(conn: Connection) -> None:
            conn.execute(procedures.insert().values(**row))
            audit.record(conn, actor=actor, action="procedure_create",
                         details={"procedure_id": row["id"], "after": _audit_view(columns)})

        self.store.write(insert)
        return self.get(row["id"])

    def update(self, procedure_id: str, spec: ProcedureInput, *, actor: str) -> Procedure:
        """Replace a procedure's fields; the audit row keeps what changed, before and after."""
        columns = validate_procedure(spec, self._geography())

        def change(conn: Connection) -> None:
            old = conn.execute(sa.select(procedures).where(procedures.c.id == procedure_id)).mappings().first()
            if old is None:
                raise ProcedureNotFoundError(procedure_id)
            changed = {k: v for k, v in columns.items() if old[k] != v}
            if not changed:
                return
            conn.execute(procedures.update().where(procedures.c.id == procedure_id)
                         .values(**changed, updated_at=utc_now()))
            audit.record(conn, actor=actor, action="procedure_edit", details={
                "procedure_id": procedure_id, "before": _audit_view({k: old[k] for k in changed}),
                "after": _audit_view(changed)})

        self.store.write(change)
        return self.get(procedure_id)

    def close(self, procedure_id: str, *, actor: str) -> Procedure:
        """Close a procedure now (before its end date): from then on it is read-only."""
        return self._set_closed(procedure_id, utc_now(), actor, "procedure_close")

    def reopen(self, procedure_id: str, *, actor: str) -> Procedure:
        """Undo an early close (the period still decides whether it is open)."""
        return self._set_closed(procedure_id, None, actor, "procedure_reopen")

    def _set_closed(self, procedure_id: str, closed_at, actor: str, action: str) -> Procedure:
        def change(conn: Connection) -> None:
            old = conn.execute(sa.select(procedures.c.closed_at).where(procedures.c.id == procedure_id)).first()
            if old is None:
                raise ProcedureNotFoundError(procedure_id)
            conn.execute(procedures.update().where(procedures.c.id == procedure_id)
                         .values(closed_at=closed_at, updated_at=utc_now()))
            audit.record(conn, actor=actor, action=action, details={
                "procedure_id": procedure_id, "before": _audit_view({"closed_at": old[0]}),
                "after": _audit_view({"closed_at": closed_at})})

        self.store.write(change)
        return self.get(procedure_id)

    def get(self, procedure_id: str) -> Procedure:
        """The procedure with ``procedure_id``; raises :class:`ProcedureNotFoundError`."""
        row = self.store.read(lambda conn: conn.execute(
            sa.select(procedures).where(procedures.c.id == str(procedure_id))).first())
        if row is None:
            raise ProcedureNotFoundError(procedure_id)
        return procedure_from_row(row)

    def list(self) -> list[Procedure]:
        """All procedures, newest start first."""
        rows = self.store.read(lambda conn: conn.execute(
            sa.select(procedures).order_by(procedures.c.starts_on.desc(), procedures.c.id)).all())
        return [procedure_from_row(r) for r in rows]

    def open_procedures(self, today: date | None = None) -> list[Procedure]:
        """The procedures residents can submit into now."""
        return [p for p in self.list() if p.is_open(today)]

    def need_counts(self, statuses: Iterable[str] | None = None) -> dict[str, int]:
        """Number of needs per procedure id (default: every status)."""
        statement = sa.select(needs.c.procedure_id, sa.func.count()).group_by(needs.c.procedure_id)
        if statuses is not None:
            statement = statement.where(needs.c.status.in_(list(statuses)))
        return {pid: int(n) for pid, n in self.store.read(lambda conn: conn.execute(statement).all())}



def answer_summary(procedure: Procedure, needs: Iterable) -> list[tuple[Question, list[tuple[str, int]], int]]:
    """How the needs answered each of the procedure's questions: per question the count per option
    (in the options' order) and how many needs answered it at all.

    >>> from datetime import date
    >>> from types import SimpleNamespace as Need
    >>> urgent = Question("dringend", "scale", {"de": "Wie dringend?", "en": "How urgent?"}, SCALE_OPTIONS)
    >>> round_ = Procedure("p", {"de": "Runde"}, {}, None, (), None, "Berlin", date(2026, 1, 1), None, None,
    ...                    (), (urgent,), "pre")
    >>> needs_ = [Need(answers=(("dringend", "5"),)), Need(answers=(("dringend", "5"),)), Need(answers=())]
    >>> [(q.id, counts, answered) for q, counts, answered in answer_summary(round_, needs_)]
    [('dringend', [('1', 0), ('2', 0), ('3', 0), ('4', 0), ('5', 2)], 2)]
    """
    needs = list(needs)
    summary = []
    for question in procedure.questions:
        given = [dict(n.answers).get(question.id) for n in needs]
        counts = [(option, sum(1 for g in given if g == option)) for option in question.options]
        summary.append((question, counts, sum(1 for g in given if g is not None)))
    return summary


def answer_columns(procedure: Procedure | None, languages: Iterable[str] = ("de", "en")) -> list[tuple[str, ...]]:
    """Export columns for the answers to ``procedure``'s questions: ``(column, type, description per language)``."""
    if procedure is None:
        return []
    from core.i18n import t

    return [(f"answer_{q.id}", "text", *(t("procedure.answer_column", lang, question=q.text(lang),
                                           options=", ".join(q.options)) for lang in languages))
            for q in procedure.questions]


def category_labels(category_id: str, procedure: Procedure | None,
                    languages: Iterable[str] = ("de", "en")) -> tuple[str, ...]:
    """A category's label in each of ``languages``: the procedure's, else the standard list's, else the id."""
    category = procedure.category(category_id) if procedure is not None else None
    if category is not None:
        return tuple(category.label(lang) for lang in languages)
    standard = CATEGORIES.get(category_id)
    return tuple(standard.label(lang) if standard else category_id for lang in languages)


def parse_own_categories(text: str) -> list[dict]:
    """Own categories typed one per line, ``id; label; #colour; description`` (the staff form's field).

    Lines that do not have four parts are kept as given, so the validation names them.

    >>> parse_own_categories("spielplatz; Spielplatz; #aa0000; Spiel- und Bolzplätze\\n")
    [{'id': 'spielplatz', 'label': {'de': 'Spielplatz'}, 'colour': '#aa0000', 'description': {'de': 'Spiel- und Bolzplätze'}}]
    """
    found = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")] + ["", "", ""]
        found.append({"id": parts[0], "label": {"de": parts[1]}, "colour": parts[2],
                      "description": {"de": ";".join(p for p in parts[3:] if p)}})
    return found


def parse_questions(text: str) -> list[dict]:
    """Questions typed one per line: ``scale; text`` or ``choice; text; option | option | …``.

    >>> [(q["kind"], q["text"], q["options"]) for q in parse_questions("scale; Wie dringend?\\nchoice; Wie oft?; täglich | selten")]
    [('scale', {'de': 'Wie dringend?'}, []), ('choice', {'de': 'Wie oft?'}, ['täglich', 'selten'])]
    """
    found = []
    for number, line in enumerate((line for line in (text or "").splitlines() if line.strip()), start=1):
        parts = [p.strip() for p in line.split(";")] + ["", ""]
        found.append({"id": f"q{number}", "kind": parts[0], "text": {"de": parts[1]},
                      "options": [o.strip() for o in parts[2].split("|") if o.strip()]})
    return found


def keep_translations(procedure: Procedure | None, categories: list[dict], questions: list[dict]) -> tuple[list, list]:
    """The staff form's own categories and questions with the earlier texts in other languages kept.

    The form edits the German texts only; an English (or other) label, description or
    question text stays as long as the German text it translates is unchanged, so saving
    an edited procedure loses nothing. An edited question keeps its id (stored answers
    refer to it); new ones keep the next number.

    >>> old = Procedure(id="p", title={"de": "R"}, description={}, area_level=None, area_ids=(), area_geojson=None,
    ...     area_label="", starts_on=None, ends_on=None, closed_at=None, moderation="pre",
    ...     categories=(ProcedureCategory("bank", "#aa0000", {"de": "Bank", "en": "Bench"}, {"de": "Sitzen"}, own=True),),
    ...     questions=(Question("q1", "scale", {"de": "Wie dringend?", "en": "How urgent?"}, ()),))
    >>> cats, qs = keep_translations(old, parse_own_categories("bank; Bank; #aa0000; Sitzen"),
    ...                              parse_questions("scale; Wie dringend?\\nscale; Wie oft?"))
    >>> cats[0]["label"], [(q["id"], q["text"]) for q in qs]
    ({'de': 'Bank', 'en': 'Bench'}, [('q1', {'de': 'Wie dringend?', 'en': 'How urgent?'}), ('q2', {'de': 'Wie oft?'})])
    """
    if procedure is None:
        return categories, questions
    earlier = {c.id: c for c in procedure.categories if c.own}
    kept_categories = []
    for category in categories:
        before = earlier.get(category["id"])
        if before is not None:
            category = dict(category)
            for field, texts in (("label", before.labels), ("description", before.descriptions)):
                if texts.get("de") == category[field].get("de"):
                    category[field] = {**texts, **category[field]}
        kept_categories.append(category)
    kept_questions = []
    for number, question in enumerate(questions):
        if number < len(procedure.questions):
            before = procedure.questions[number]
            question = {**question, "id": before.id}
            if before.texts.get("de") == question["text"].get("de"):
                question["text"] = {**before.texts, **question["text"]}
        kept_questions.append(question)
    return kept_categories, kept_questions


def own_categories_text(procedure: Procedure) -> str:
    """The procedure's own categories as the staff form's lines (:func:`parse_own_categories` reads them back)."""
    return "\n".join(f"{c.id}; {c.label('de')}; {c.colour}; {c.explanation('de')}" for c in procedure.categories if c.own)


def questions_text(procedure: Procedure) -> str:
    """The procedure's questions as the staff form's lines (:func:`parse_questions` reads them back)."""
    return "\n".join(f"{q.kind}; {q.text('de')}" + (f"; {' | '.join(q.options)}" if q.kind == "choice" else "")
                     for q in procedure.questions)
