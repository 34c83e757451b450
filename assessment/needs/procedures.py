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
>>> spec = ProcedureInput(title_de="Bedarfe Mitte", starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 31),
...                       area_level="BEZ", area_ids=("01",), area_label="Mitte",
...                       categories=("mobility", "green_climate"))
>>> made = book.create(spec, actor="admin-anna")
>>> made.status(date(2026, 2, 1)), made.status(date(2026, 4, 1)), made.status(date(2026, 6, 1))
('planned', 'open', 'closed')
>>> book.create(ProcedureInput(title_de="Ziele", starts_on=date(2026, 5, 1), ends_on=date(2026, 4, 1)),
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
from assessment.needs.geography import LEVEL_ID_LENGTH
from assessment.needs.model import AREA_LEVELS, DEFAULT_PROCEDURE_ID, utc_now  # noqa: F401 - re-exported
from assessment.needs.store import NeedStore, StoreError, UTCDateTime, needs
from assessment.needs.taxonomy import CATEGORIES
from assessment.needs.validation import BERLIN_TZ, FieldError, ValidationError, check_text, shown

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
    sa.Column("area_level", sa.String(3)),
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


@dataclass(frozen=True)
class ProcedureCategory:
    """A category of a procedure: a standard one (``own=False``) or the procedure's own."""

    id: str
    label_de: str
    label_en: str
    colour: str
    description_de: str = ""
    description_en: str = ""
    own: bool = False

    def label(self, lang: str) -> str:
        return self.label_de if lang == "de" or not self.label_en else self.label_en

    def description(self, lang: str) -> str:
        return self.description_de if lang == "de" or not self.description_en else self.description_en


@dataclass(frozen=True)
class Question:
    """A short question asked with every need of a procedure."""

    id: str
    kind: str
    text_de: str
    text_en: str
    options: tuple[str, ...]

    def text(self, lang: str) -> str:
        return self.text_de if lang == "de" or not self.text_en else self.text_en


@dataclass(frozen=True)
class ProcedureInput:
    """What staff enter for a procedure, unchecked.

    ``categories`` holds standard category ids (``"mobility"``) and/or dicts of own
    categories (``{"id", "label_de", "label_en", "colour", "description_de",
    "description_en"}``; a dict with a standard id overrides its colour and
    description). ``questions`` holds dicts ``{"id", "kind", "text_de", "text_en",
    "options"}``. ``area_polygon`` is WKT or GeoJSON (WGS84 lon/lat).
    """

    title_de: object = ""
    title_en: object = ""
    description_de: object = ""
    description_en: object = ""
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
        return self.title.get(lang) or self.title.get("de") or self.id

    def description_in(self, lang: str) -> str:
        return self.description.get(lang) or self.description.get("de") or ""

    def status(self, today: date | None = None) -> str:
        """``planned``, ``open`` or ``closed`` on ``today`` (default: today in Berlin)."""
        today = today or utc_now().astimezone(BERLIN_TZ).date()
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
            return located is not None and located.get(f"{self.area_level}_ID") in self.area_ids
        return True

    def contains_area(self, level: str, area_id: str, geography) -> bool:
        """Whether an area chosen from a list lies in the procedure's area (by its representative point)."""
        if self.area_level is not None and self.area_geojson is None:
            length = LEVEL_ID_LENGTH[self.area_level]
            if len(area_id) >= length:
                return area_id[:length] in self.area_ids
            # A coarser area than the procedure's: inside when one of the procedure's units lies in it.
            return any(unit.startswith(area_id) for unit in self.area_ids)
        point = geography.area_point(level, area_id)
        return point is not None and self.contains(point[0], point[1], geography)

    def out_of_area_error(self, lat: float | None = None, lon: float | None = None) -> FieldError:
        where = "" if lat is None else f" (lat {lat:g}, lon {lon:g})"
        return FieldError(
            "location",
            f"Der Ort{where} liegt außerhalb des Gebiets „{self.area_label}“ des Verfahrens "
            f"„{self.title_in('de')}“. Bitte wählen Sie einen Ort in „{self.area_label}“.",
            f"The place{where} lies outside the area “{self.area_label}” of the procedure "
            f"“{self.title_in('en')}”. Please choose a place in “{self.area_label}”.",
        )

    def check_answers(self, answers: Mapping[str, object] | None) -> tuple[dict[str, str], list[FieldError]]:
        """Clean answers to this procedure's questions (all optional); unknown or invalid ones are errors."""
        clean: dict[str, str] = {}
        errors: list[FieldError] = []
        by_id = {q.id: q for q in self.questions}
        for key, value in (answers or {}).items():
            question = by_id.get(key)
            if question is None:
                errors.append(FieldError(
                    f"answers.{key}",
                    f"Die Frage {shown(key)} gehört nicht zu diesem Verfahren; bitte laden Sie die Seite neu.",
                    f"The question {shown(key)} is not one of this procedure's; please reload the page.",
                ))
                continue
            if value is None or value == "":
                continue
            value = str(value)
            if value not in question.options:
                errors.append(FieldError(
                    f"answers.{key}",
                    f"Die Antwort {shown(value)} auf „{question.text_de}“ ist keine der Möglichkeiten: "
                    f"{', '.join(question.options)}.",
                    f"The answer {shown(value)} to “{question.text('en')}” is none of the options: "
                    f"{', '.join(question.options)}.",
                ))
                continue
            clean[key] = value
        return clean, errors


class ProcedureNotFoundError(KeyError):
    """No procedure has this id."""

    def __str__(self) -> str:
        return (f"no procedure with id {self.args[0]!r}: `python -m assessment procedures list` "
                "shows the ids")


# --- validation -------------------------------------------------------------------------------


def _date(field_name: str, value: object, de: str, en: str) -> tuple[date | None, FieldError | None]:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value, None
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()), None
        except ValueError:
            pass
    return None, FieldError(
        field_name,
        f"{de} fehlt oder ist kein Datum (erhalten: {shown(value)}); bitte als JJJJ-MM-TT angeben.",
        f"{en} is missing or not a date (got {shown(value)}); please give it as YYYY-MM-DD.",
    )


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

    error = FieldError(
        "area_polygon",
        f"Die Fläche {shown(value)} ist kein Polygon. Bitte zeichnen Sie sie neu oder geben Sie WKT "
        "(POLYGON ((lon lat, …))) oder GeoJSON in WGS84 an.",
        f"The area {shown(value)} is not a polygon. Please draw it again or give WKT "
        "(POLYGON ((lon lat, …))) or GeoJSON in WGS84.",
    )
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


def _intersects_berlin(shape, geography) -> bool:
    outline = getattr(geography, "outline", None)
    if callable(outline):
        return bool(shape.intersects(outline()))
    # A stand-in geography knows only points: test the polygon's inner point and its corners.
    import shapely

    corners = shapely.get_coordinates(shape)
    points = [(shape.representative_point().x, shape.representative_point().y), *map(tuple, corners)]
    return any(geography.locate(lat, lon) is not None for lon, lat in points)


def _categories(values: Iterable) -> tuple[list[dict], list[FieldError]]:
    clean: list[dict] = []
    errors: list[FieldError] = []
    for value in values or ():
        if isinstance(value, str):
            value = {"id": value}
        if not isinstance(value, Mapping):
            errors.append(FieldError("categories", f"Unbekannte Kategorie {shown(value)}.",
                                     f"unknown category {shown(value)}."))
            continue
        cid = str(value.get("id") or "").strip()
        standard = CATEGORIES.get(cid)
        label_de = str(value.get("label_de") or (standard.label_de if standard else "")).strip()
        label_en = str(value.get("label_en") or (standard.label_en if standard else "")).strip()
        colour = str(value.get("colour") or (STANDARD_COLOUR if standard else "")).strip()
        description_de = str(value.get("description_de") or (standard.explanation_de if standard else "")).strip()
        description_en = str(value.get("description_en") or (standard.explanation_en if standard else "")).strip()
        if not _ID.fullmatch(cid):
            errors.append(FieldError(
                "categories",
                f"Die Kennung der Kategorie {shown(cid)} ist ungültig: 2–32 Kleinbuchstaben, Ziffern oder _, "
                "beginnend mit einem Buchstaben.",
                f"the category id {shown(cid)} is invalid: 2–32 lower-case letters, digits or _, "
                "starting with a letter.",
            ))
            continue
        if not standard and not label_de:
            errors.append(FieldError("categories", f"Die eigene Kategorie {shown(cid)} braucht eine Bezeichnung.",
                                     f"the own category {shown(cid)} needs a label."))
        if not _COLOUR.fullmatch(colour):
            errors.append(FieldError(
                "categories",
                f"Die Farbe {shown(colour)} der Kategorie {shown(cid)} ist ungültig; bitte als #rrggbb angeben.",
                f"the colour {shown(colour)} of the category {shown(cid)} is invalid; give it as #rrggbb.",
            ))
        if not standard and not description_de:
            errors.append(FieldError("categories",
                                     f"Die eigene Kategorie {shown(cid)} braucht eine Beschreibung.",
                                     f"the own category {shown(cid)} needs a description."))
        if any(c["id"] == cid for c in clean):
            errors.append(FieldError("categories", f"Die Kategorie {shown(cid)} steht doppelt in der Liste.",
                                     f"the category {shown(cid)} is listed twice."))
            continue
        clean.append({"id": cid, "label_de": label_de, "label_en": label_en or label_de, "colour": colour.lower(),
                      "description_de": description_de, "description_en": description_en or description_de,
                      "own": standard is None})
    if not clean and not errors:
        errors.append(FieldError(
            "categories",
            "Die Liste der Kategorien ist leer. Bitte wählen Sie mindestens eine Kategorie.",
            "The list of categories is empty. Please choose at least one category.",
        ))
    return clean, errors


def _questions(values: Iterable) -> tuple[list[dict], list[FieldError]]:
    clean: list[dict] = []
    errors: list[FieldError] = []
    values = list(values or ())
    if len(values) > MAX_QUESTIONS:
        return [], [FieldError("questions", f"Höchstens {MAX_QUESTIONS} Fragen je Verfahren, erhalten: {len(values)}.",
                               f"at most {MAX_QUESTIONS} questions per procedure, got {len(values)}.")]
    for number, value in enumerate(values, start=1):
        if not isinstance(value, Mapping):
            errors.append(FieldError("questions", f"Frage {number} ist unlesbar: {shown(value)}.",
                                     f"question {number} is unreadable: {shown(value)}."))
            continue
        qid = str(value.get("id") or f"q{number}").strip()
        kind = value.get("kind")
        text_de, error = check_text("title", value.get("text_de"), required=True, minimum=3, maximum=200)
        text_en = str(value.get("text_en") or "").strip() or text_de
        if error:
            errors.append(FieldError(
                "questions",
                f"Frage {number}: der Fragetext muss 3 bis 200 Zeichen haben (erhalten: {shown(value.get('text_de'))}).",
                f"question {number}: the question text must have 3 to 200 characters "
                f"(got {shown(value.get('text_de'))}).",
            ))
        if not _ID.fullmatch(qid) or any(q["id"] == qid for q in clean):
            errors.append(FieldError("questions", f"Frage {number}: die Kennung {shown(qid)} ist ungültig oder doppelt.",
                                     f"question {number}: the id {shown(qid)} is invalid or used twice."))
        if kind not in QUESTION_KINDS:
            errors.append(FieldError(
                "questions",
                f"Frage {number}: die Art {shown(kind)} gibt es nicht; wählen Sie choice (Auswahl) oder scale (1–5).",
                f"question {number}: there is no kind {shown(kind)}; choose choice or scale (1–5).",
            ))
            continue
        if kind == "scale":
            options = list(SCALE_OPTIONS)
        else:
            options = [str(o).strip() for o in (value.get("options") or ()) if str(o).strip()]
            options = list(dict.fromkeys(options))
            if len(options) < 2:
                errors.append(FieldError(
                    "questions",
                    f"Frage {number} („{text_de or ''}“) hat keine Antwortmöglichkeiten: bitte mindestens zwei angeben.",
                    f"question {number} (“{text_de or ''}”) has no options: please give at least two.",
                ))
                continue
            if len(options) > MAX_OPTIONS or any(len(o) > OPTION_MAX for o in options):
                errors.append(FieldError(
                    "questions",
                    f"Frage {number}: höchstens {MAX_OPTIONS} Möglichkeiten zu je {OPTION_MAX} Zeichen.",
                    f"question {number}: at most {MAX_OPTIONS} options of {OPTION_MAX} characters each.",
                ))
                continue
        clean.append({"id": qid, "kind": kind, "text_de": text_de or "", "text_en": text_en or "", "options": options})
    return clean, errors


def validate_procedure(spec: ProcedureInput, geography=None) -> dict:
    """Check a procedure; return its columns, or raise :class:`ValidationError` naming each bad field.

    ``geography`` checks LOR units (by their representative points) and that a
    drawn polygon intersects Berlin; without it only the id form is checked.

    >>> validate_procedure(ProcedureInput(title_de="Runde", starts_on="2026-03-01",
    ...     questions=({"kind": "choice", "text_de": "Wie oft?", "options": []},)))
    Traceback (most recent call last):
    ...
    assessment.needs.validation.ValidationError: questions: question 1 (“Wie oft?”) has no options: please give at least two. / ...
    """
    errors: list[FieldError] = []
    title_de, error = check_text("title", spec.title_de, required=True, minimum=3, maximum=TITLE_MAX)
    if error:
        errors.append(FieldError("title_de", f"Titel (deutsch): {error.message_de}", f"Title (German): {error.message_en}"))
    title_en, error = check_text("title", spec.title_en or "", required=False, minimum=0, maximum=TITLE_MAX)
    if error:
        errors.append(FieldError("title_en", f"Titel (englisch): {error.message_de}", f"Title (English): {error.message_en}"))
    descriptions = {}
    for lang, value in (("de", spec.description_de), ("en", spec.description_en)):
        text, error = check_text("description", value or "", required=False, minimum=0, maximum=DESCRIPTION_MAX)
        descriptions[lang] = text
        if error:
            errors.append(FieldError(f"description_{lang}", error.message_de, error.message_en))
    starts_on, error = _date("starts_on", spec.starts_on, "Der Beginn des Zeitraums", "The start of the period")
    errors += [error] if error else []
    ends_on = None
    if spec.ends_on not in (None, ""):
        ends_on, error = _date("ends_on", spec.ends_on, "Das Ende des Zeitraums", "The end of the period")
        errors += [error] if error else []
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(FieldError(
            "ends_on",
            f"Der Zeitraum endet ({ends_on.isoformat()}) vor seinem Beginn ({starts_on.isoformat()}): "
            "bitte ein Ende am oder nach dem Beginn wählen.",
            f"The period ends ({ends_on.isoformat()}) before it starts ({starts_on.isoformat()}): "
            "please choose an end on or after the start.",
        ))
    area_level = spec.area_level.upper() if isinstance(spec.area_level, str) and spec.area_level else None
    area_ids = list(dict.fromkeys(str(a).strip() for a in (spec.area_ids or ()) if str(a).strip()))
    polygon = spec.area_polygon if spec.area_polygon not in (None, "") else None
    area_geojson = None
    if polygon is not None and (area_level or area_ids):
        errors.append(FieldError("area", "Bitte geben Sie entweder LOR-Gebiete oder eine gezeichnete Fläche an, "
                                 "nicht beides.", "Please give either LOR areas or a drawn polygon, not both."))
    elif polygon is not None:
        shape, error = parse_polygon(polygon)
        if error:
            errors.append(error)
        elif geography is not None and not _intersects_berlin(shape, geography):
            bounds = ", ".join(f"{v:.4f}" for v in shape.bounds)
            errors.append(FieldError(
                "area_polygon",
                f"Die gezeichnete Fläche ({bounds}) liegt ganz außerhalb Berlins: bitte in Berlin zeichnen.",
                f"The drawn area ({bounds}) lies entirely outside Berlin: please draw it within Berlin.",
            ))
        else:
            import shapely.geometry

            area_geojson = json.dumps(shapely.geometry.mapping(shape))
    elif area_level is not None or area_ids:
        if area_level not in AREA_LEVELS:
            errors.append(FieldError("area_level", f"Die Gebietsebene {shown(spec.area_level)} gibt es nicht; wählen "
                                     f"Sie {', '.join(AREA_LEVELS)}.", f"there is no area level "
                                     f"{shown(spec.area_level)}; choose {', '.join(AREA_LEVELS)}."))
        elif not area_ids:
            errors.append(FieldError("area_ids", "Bitte wählen Sie mindestens ein Gebiet.",
                                     "Please choose at least one area."))
        else:
            length = LEVEL_ID_LENGTH[area_level]
            bad = [a for a in area_ids if len(a) != length or not a.isdigit()
                   or (geography is not None and geography.area_point(area_level, a) is None)]
            if bad:
                errors.append(FieldError(
                    "area_ids", f"Ein {area_level}-Gebiet {shown(bad[0])} gibt es nicht; bitte aus der Liste wählen.",
                    f"there is no {area_level} area {shown(bad[0])}; please choose from the list.",
                ))
    area_label, error = check_text("title", spec.area_label or "", required=False, minimum=0, maximum=200)
    if error:
        errors.append(FieldError("area_label", error.message_de, error.message_en))
    if not area_label:
        area_label = ("gezeichnete Fläche" if polygon is not None
                      else f"{area_level} {', '.join(area_ids)}" if area_ids else "Berlin")
    categories, category_errors = _categories(spec.categories)
    errors += category_errors
    questions, question_errors = _questions(spec.questions)
    errors += question_errors
    if spec.moderation not in MODERATION_RULES:
        errors.append(FieldError(
            "moderation", f"Die Moderationsregel {shown(spec.moderation)} gibt es nicht; wählen Sie pre (erst "
            "prüfen) oder post (sofort veröffentlichen).",
            f"there is no moderation rule {shown(spec.moderation)}; choose pre (check first) or post "
            "(publish at once).",
        ))
    if errors:
        raise ValidationError(errors)
    return {
        "title": json.dumps({"de": title_de, "en": title_en or title_de}, ensure_ascii=False),
        "description": json.dumps({"de": descriptions["de"], "en": descriptions["en"] or descriptions["de"]},
                                  ensure_ascii=False),
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


def procedure_from_row(row) -> Procedure:
    """A :class:`Procedure` from a row of the ``procedures`` table."""
    row = row._mapping if hasattr(row, "_mapping") else row
    return Procedure(
        id=row["id"], title=json.loads(row["title"]), description=json.loads(row["description"]),
        area_level=row["area_level"], area_ids=tuple(json.loads(row["area_ids"]) if row["area_ids"] else ()),
        area_geojson=row["area_geojson"], area_label=row["area_label"], starts_on=row["starts_on"],
        ends_on=row["ends_on"], closed_at=row["closed_at"],
        categories=tuple(ProcedureCategory(**c) for c in json.loads(row["categories"])),
        questions=tuple(Question(q["id"], q["kind"], q["text_de"], q["text_en"], tuple(q["options"]))
                        for q in json.loads(row["questions"])),
        moderation=row["moderation"], created_at=row["created_at"], updated_at=row["updated_at"],
        created_by=row["created_by"],
    )


def as_input(procedure: Procedure) -> ProcedureInput:
    """The input that would store ``procedure`` again (the staff form starts from it)."""
    return ProcedureInput(
        title_de=procedure.title.get("de", ""), title_en=procedure.title.get("en", ""),
        description_de=procedure.description.get("de", ""), description_en=procedure.description.get("en", ""),
        starts_on=procedure.starts_on, ends_on=procedure.ends_on, area_level=procedure.area_level,
        area_ids=procedure.area_ids, area_polygon=procedure.area_geojson, area_label=procedure.area_label,
        categories=tuple({k: getattr(c, k) for k in ("id", "label_de", "label_en", "colour", "description_de",
                                                      "description_en")} for c in procedure.categories),
        questions=tuple({"id": q.id, "kind": q.kind, "text_de": q.text_de, "text_en": q.text_en,
                         "options": list(q.options)} for q in procedure.questions),
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

        self.store._write(insert)
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

        self.store._write(change)
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

        self.store._write(change)
        return self.get(procedure_id)

    def get(self, procedure_id: str) -> Procedure:
        """The procedure with ``procedure_id``; raises :class:`ProcedureNotFoundError`."""
        row = self.store._read(lambda conn: conn.execute(
            sa.select(procedures).where(procedures.c.id == str(procedure_id))).first())
        if row is None:
            raise ProcedureNotFoundError(procedure_id)
        return procedure_from_row(row)

    def list(self) -> list[Procedure]:
        """All procedures, newest start first."""
        rows = self.store._read(lambda conn: conn.execute(
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
        return {pid: int(n) for pid, n in self.store._read(lambda conn: conn.execute(statement).all())}



def answer_summary(procedure: Procedure, needs: Iterable) -> list[tuple[Question, list[tuple[str, int]], int]]:
    """How the needs answered each of the procedure's questions: per question the count per option
    (in the options' order) and how many needs answered it at all.

    >>> from datetime import date
    >>> from types import SimpleNamespace as Need
    >>> urgent = Question("dringend", "scale", "Wie dringend?", "How urgent?", SCALE_OPTIONS)
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


def answer_columns(procedure: Procedure | None) -> list[tuple[str, str, str, str]]:
    """Export columns for the answers to ``procedure``'s questions: ``(column, type, de, en)``, one per question."""
    if procedure is None:
        return []
    return [(f"answer_{q.id}", "text", f"Antwort auf „{q.text_de}“ ({', '.join(q.options)})",
             f"Answer to “{q.text('en')}” ({', '.join(q.options)})") for q in procedure.questions]


def category_labels(category_id: str, procedure: Procedure | None) -> tuple[str, str]:
    """German and English label of a category: the procedure's own, else the standard list's, else the id."""
    own = procedure.category(category_id) if procedure is not None else None
    if own is not None:
        return own.label_de, own.label_en
    standard = CATEGORIES.get(category_id)
    return (standard.label_de, standard.label_en) if standard else (category_id, category_id)


def parse_own_categories(text: str) -> list[dict]:
    """Own categories typed one per line, ``id; label; #colour; description`` (the staff form's field).

    Lines that do not have four parts are kept as given, so the validation names them.

    >>> parse_own_categories("spielplatz; Spielplatz; #aa0000; Spiel- und Bolzplätze\\n")
    [{'id': 'spielplatz', 'label_de': 'Spielplatz', 'colour': '#aa0000', 'description_de': 'Spiel- und Bolzplätze'}]
    """
    found = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")] + ["", "", ""]
        found.append({"id": parts[0], "label_de": parts[1], "colour": parts[2], "description_de": ";".join(
            p for p in parts[3:] if p)})
    return found


def parse_questions(text: str) -> list[dict]:
    """Questions typed one per line: ``scale; text`` or ``choice; text; option | option | …``.

    >>> [(q["kind"], q["text_de"], q["options"]) for q in parse_questions("scale; Wie dringend?\\nchoice; Wie oft?; täglich | selten")]
    [('scale', 'Wie dringend?', []), ('choice', 'Wie oft?', ['täglich', 'selten'])]
    """
    found = []
    for number, line in enumerate((line for line in (text or "").splitlines() if line.strip()), start=1):
        parts = [p.strip() for p in line.split(";")] + ["", ""]
        found.append({"id": f"q{number}", "kind": parts[0], "text_de": parts[1],
                      "options": [o.strip() for o in parts[2].split("|") if o.strip()]})
    return found


def own_categories_text(procedure: Procedure) -> str:
    """The procedure's own categories as the staff form's lines (:func:`parse_own_categories` reads them back)."""
    return "\n".join(f"{c.id}; {c.label_de}; {c.colour}; {c.description_de}" for c in procedure.categories if c.own)


def questions_text(procedure: Procedure) -> str:
    """The procedure's questions as the staff form's lines (:func:`parse_questions` reads them back)."""
    return "\n".join(f"{q.kind}; {q.text_de}" + (f"; {' | '.join(q.options)}" if q.kind == "choice" else "")
                     for q in procedure.questions)
