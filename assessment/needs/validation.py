"""Server-side validation of needs: the same rules for the residents' page, workshops and imports.

Whatever the user interface did, every need passes :func:`validate_need`
before it is stored. A refusal raises :class:`ValidationError`, which holds
one :class:`FieldError` per bad field (the first problem found in it), each
naming the field and the key of a message of the catalogues (``validation.*``)
that says the fix in every language. Nothing is stored when anything is refused.

The rules:

* a place inside Berlin (the LOR polygons, not a bounding box): (0, 0),
  swapped latitude/longitude, NaN, infinity and Potsdam are refused; or an
  area chosen from a list (``area_level`` + ``area_id``), which must exist;
* a category id from :mod:`assessment.needs.taxonomy`;
* title 3–120 characters, description at most 1,000, both after trimming;
  no control or invisible characters (NUL, bidi overrides, zero-width);
  line breaks and tabs only in the description;
* no e-mail address and no phone number in the text (data protection: the
  need is published, and we keep no contact data);
* optional client token, workshop id, channel and language from fixed sets.

Examples
--------
>>> check_text("title", "  Mehr Bänke am Ufer ", required=True, minimum=3, maximum=120)
('Mehr Bänke am Ufer', None)
>>> text, error = check_text("title", "Ruf an: 030 1234567", required=True, minimum=3, maximum=120)
>>> error.text("en")
'The title contains a phone number. We store no contact details, to protect your data: please remove it.'
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field as dataclass_field
from datetime import date, datetime, timedelta, timezone

import phonenumbers

from assessment.needs.geography import Geography, area_unit_ids, geography_levels, level_codes, unit_ids
from assessment.needs.model import (
    CHANNELS,
    DEFAULT_PROCEDURE_ID,
    DESCRIPTION_MAX,
    LANGUAGES,
    STATUSES,
    TITLE_MAX,
    TITLE_MIN,
    NeedInput,
    utc_now,
)
from assessment.needs.taxonomy import CATEGORIES
from core.i18n import Message, format_date, format_number, t
from geodata.lor import CITY_TIMEZONE


def message_text(key: str, lang: str, values: Mapping[str, object]) -> str:
    """The message ``key`` in ``lang`` with ``values`` written as ``lang`` writes them.

    Whole numbers get the language's separators (except the count ``n``, which
    :func:`core.i18n.t` formats itself), days its date order, a mapping ``{lang: text}``
    (a text staff wrote) its text in ``lang`` or else the German one, a tuple of coordinates
    ``(a; b; …)`` with four decimals each; anything else is shown as is.

    >>> message_text("validation.title.too_long", "de", {"n": 1001, "maximum": 1000})
    'Der Titel ist zu lang: 1.001 Zeichen. Bitte kürzen Sie auf höchstens 1.000 Zeichen.'
    """
    shown_values: dict[str, object] = {}
    for name, value in values.items():
        if name != "n" and isinstance(value, int) and not isinstance(value, bool):
            value = format_number(value, 0, lang)
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = format_date(value, lang)
        elif isinstance(value, Mapping):  # a text staff wrote per language: this one, else German
            value = value.get(lang) or value.get("de") or ""
        elif isinstance(value, tuple) and value and all(isinstance(v, float) for v in value):
            value = "(" + "; ".join(format_number(v, 4, lang) for v in value) + ")"
        shown_values[name] = value
    return t(key, lang, **shown_values)


class FormattedMessage(Message):
    """A :class:`core.i18n.Message` whose values are written as each language writes them (:func:`message_text`).

    For an error that names a day, a count, drawn corners or a title staff wrote per
    language (``{lang: text}``): ``str()`` is English, :meth:`in_language` any language.

    >>> late = FormattedMessage("validation.title.too_long", n=1001, maximum=1000)
    >>> late.in_language("de")
    'Der Titel ist zu lang: 1.001 Zeichen. Bitte kürzen Sie auf höchstens 1.000 Zeichen.'
    """

    __slots__ = ()

    def in_language(self, lang: str) -> str:
        return message_text(self.key, lang, self.values)


@dataclass(frozen=True)
class FieldError:
    """One refused field: which field, and the message (``key`` and its ``values``) that says the fix."""

    field: str
    key: str
    values: Mapping[str, object] = dataclass_field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return message_text(self.key, lang, self.values)

    def message(self, lang: str) -> str:
        """The message in ``lang`` (the same as :meth:`text`)."""
        return self.text(lang)

    def __str__(self) -> str:
        return f"{self.field}: {self.text('en')} / {self.text('de')}"


class ValidationError(ValueError):
    """A need was refused and nothing was stored. ``errors`` lists every bad field."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    def fields(self) -> list[str]:
        """The names of the refused fields, in order."""
        return [e.field for e in self.errors]


def shown(value: object, limit: int = 40) -> str:
    """A value as it appears inside a message: ``repr``, cut to ``limit`` characters.

    ``repr`` makes control characters visible (``'\\x00'``) and keeps a long
    hostile string from filling the screen.

    >>> shown("parking")
    "'parking'"
    >>> shown("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'"
    """
    if isinstance(value, str) and len(value) > limit - 3:
        return repr(value[: limit - 3])[:-1] + "…'"
    return repr(value)


# --- text ---------------------------------------------------------------------------------

# Invisible letters that are not in a "format" category but render as nothing.
_INVISIBLE_LETTERS = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F}
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
    re.IGNORECASE,
)


def _bad_character(text: str, allow_breaks: bool) -> tuple[int, str] | None:
    """Position (1-based) and character of the first control or invisible character."""
    for position, char in enumerate(text, start=1):
        if allow_breaks and char in "\n\r\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") or ord(char) in _INVISIBLE_LETTERS:
            return position, char
    return None


def _has_phone_number(text: str) -> bool:
    # VALID (not POSSIBLE) leniency: "Bus 123", "PLZ 10115" and "seit 2019" are not numbers.
    matches = phonenumbers.PhoneNumberMatcher(text, "DE", leniency=phonenumbers.Leniency.VALID)
    return any(True for _ in matches)


def check_text(
    field: str, value: object, *, required: bool, minimum: int, maximum: int
) -> tuple[str, FieldError | None]:
    """Trim and check one free-text field; return the trimmed text and the first problem, if any.

    Parameters
    ----------
    field : str
        ``"title"`` or ``"description"``; the description may hold line breaks and tabs.
    value : object
        What the user sent (``None`` counts as empty).
    required : bool
        Whether an empty text is refused.
    minimum, maximum : int
        Allowed length in characters (code points), after trimming.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", FieldError(field, f"validation.{field}.not_text", {"type": type(value).__name__})
    text = value.strip()
    if not text:
        if required:
            return "", FieldError(field, f"validation.{field}.missing", {"minimum": minimum, "maximum": maximum})
        return "", None
    bad = _bad_character(text, allow_breaks=(field == "description"))
    if bad:
        position, char = bad
        code = f"U+{ord(char):04X}"
        return text, FieldError(field, f"validation.{field}.bad_character", {"code": code, "position": position})
    if len(text) < minimum:
        return text, FieldError(field, f"validation.{field}.too_short", {"n": len(text), "minimum": minimum})
    if len(text) > maximum:
        # Written as the count under the field writes them (1.001 / 1,001).
        return text, FieldError(field, f"validation.{field}.too_long", {"n": len(text), "maximum": maximum})
    if _EMAIL.search(text):
        return text, FieldError(field, f"validation.{field}.email")
    if _has_phone_number(text):
        return text, FieldError(field, f"validation.{field}.phone")
    return text, None


# --- place ----------------------------------------------------------------------------------

def _coordinate(field: str, value: object) -> tuple[float | None, FieldError | None]:
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        return None, FieldError(field, f"validation.{field}.not_a_number", {"value": shown(value)})
    return number, None


def check_place(need: NeedInput, geography: Geography) -> tuple[dict, list[FieldError]]:
    """Check where a need is and derive its unit ids; return the place columns and the problems.

    The columns hold ``units``: level code -> unit id for every level of ``geography``.
    """
    has_point = need.lat is not None or need.lon is not None
    has_area = need.area_level is not None or need.area_id is not None
    if has_point and has_area:
        return {}, [FieldError("location", "validation.location.both")]
    if not has_point and not has_area:
        return {}, [FieldError("location", "validation.location.missing")]
    if has_area:
        return _check_area(need, geography)
    lat, lat_error = _coordinate("lat", need.lat)
    lon, lon_error = _coordinate("lon", need.lon)
    errors = [e for e in (lat_error, lon_error) if e]
    if errors:
        return {}, errors
    located = geography.locate(lat, lon)
    if located is None:
        if geography.locate(lon, lat) is not None:
            return {}, [FieldError("location", "validation.location.swapped", {"lat": f"{lat:g}", "lon": f"{lon:g}"})]
        return {}, [FieldError("location", "validation.location.outside", {"lat": f"{lat:g}", "lon": f"{lon:g}"})]
    return {"lat": lat, "lon": lon, "located_by": "point", "area_level": None,
            "units": unit_ids(geography_levels(geography), located)}, []


def _check_area(need: NeedInput, geography: Geography) -> tuple[dict, list[FieldError]]:
    levels = geography_levels(geography)
    codes = level_codes(levels)
    level = need.area_level.upper() if isinstance(need.area_level, str) else need.area_level
    if level not in codes:
        return {}, [FieldError("area_level", "validation.area_level.unknown",
                               {"value": shown(need.area_level), "choices": ", ".join(codes)})]
    area_id = need.area_id.strip() if isinstance(need.area_id, str) else need.area_id
    point = geography.area_point(level, area_id) if isinstance(area_id, str) else None
    if point is None:
        return {}, [FieldError("area_id", "validation.area_id.unknown", {"value": shown(need.area_id), "level": level})]
    lat, lon = point
    return {"lat": lat, "lon": lon, "located_by": "area", "area_level": level,
            "units": area_unit_ids(levels, level, area_id, geography)}, []


# --- fixed sets and tokens --------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9_\-]{8,128}")
_WORKSHOP = re.compile(r"[A-Za-z0-9_\-]{1,64}")


def _choice(field: str, value: object, allowed: tuple[str, ...]) -> FieldError | None:
    if isinstance(value, str) and value in allowed:
        return None
    return FieldError(field, f"validation.{field}.unknown", {"value": shown(value), "choices": ", ".join(allowed)})


def check_category(value: object, categories: tuple[str, ...] | None = None) -> FieldError | None:
    """``None`` when ``value`` is a category id (of ``categories``, default the standard list), else the error."""
    if value is None or value == "":
        return FieldError("category", "validation.category.missing")
    return _choice("category", value, tuple(CATEGORIES) if categories is None else tuple(categories))


def check_status(value: object) -> FieldError | None:
    """``None`` when ``value`` is one of :data:`assessment.needs.model.STATUSES`, else the error."""
    return _choice("status", value, STATUSES)


def check_client_token(value: object) -> FieldError | None:
    """``None`` for no token or a well-formed one (8–128 of ``A-Z a-z 0-9 _ -``), else the error."""
    if value is None or (isinstance(value, str) and _TOKEN.fullmatch(value)):
        return None
    return FieldError("client_token", "validation.client_token.invalid")


def check_workshop_id(value: object) -> FieldError | None:
    """``None`` for no workshop or a well-formed id (1–64 of ``A-Z a-z 0-9 _ -``), else the error."""
    if value is None or (isinstance(value, str) and _WORKSHOP.fullmatch(value)):
        return None
    return FieldError("workshop", "validation.workshop.invalid", {"value": shown(value)})


def validate_need(need: NeedInput, geography: Geography, *, categories: tuple[str, ...] | None = None) -> dict:
    """Check every field of ``need`` and return the columns to store.

    Parameters
    ----------
    need : NeedInput
        What the page or the import sent.
    geography : Geography
        Locates points and areas (see :mod:`assessment.needs.geography`).
    categories : tuple of str, optional
        The category ids allowed (a procedure's); default the standard list.

    Returns
    -------
    dict
        ``lat``, ``lon``, ``located_by``, ``area_level``, ``units`` (level code -> unit id),
        ``category``, ``title``, ``description``, ``workshop_id``, ``channel``, ``language``.

    Raises
    ------
    ValidationError
        Listing the first problem of every bad field.
    """
    errors: list[FieldError] = []
    place, place_errors = check_place(need, geography)
    errors += place_errors
    if error := check_category(need.category, categories):
        errors.append(error)
    procedure_id = need.procedure_id if need.procedure_id not in (None, "") else DEFAULT_PROCEDURE_ID
    if not isinstance(procedure_id, str) or not re.fullmatch(r"[A-Za-z0-9_\-]{1,36}", procedure_id):
        errors.append(FieldError("procedure", "procedure.error.bad_id", {"value": shown(procedure_id)}))
    title, error = check_text("title", need.title, required=True, minimum=TITLE_MIN, maximum=TITLE_MAX)
    errors += [error] if error else []
    description, error = check_text(
        "description", need.description, required=False, minimum=0, maximum=DESCRIPTION_MAX
    )
    errors += [error] if error else []
    workshop_id = need.workshop_id if need.workshop_id != "" else None
    if error := check_workshop_id(workshop_id):
        errors.append(error)
    if error := _choice("channel", need.channel, CHANNELS):
        errors.append(error)
    if error := _choice("language", need.language, LANGUAGES):
        errors.append(error)
    if errors:
        raise ValidationError(errors)
    return {
        **place,
        "category": need.category,
        "title": title,
        "description": description,
        "workshop_id": workshop_id,
        "channel": need.channel,
        "language": need.language,
        "procedure_id": procedure_id,
        "answers": None,
    }


# --- fields only imports carry ------------------------------------------------------------


def parse_created_at(value: object, now: datetime | None = None) -> tuple[datetime | None, FieldError | None]:
    """Read an import's ``created_at``: ISO 8601, a date alone means midnight in the city.

    Times without an offset are the city's local time (paper forms are dated locally), in the
    profile's ``[city] timezone`` (:data:`geodata.lor.CITY_TIMEZONE`; Berlin: Europe/Berlin).
    Returns the time in UTC, or the error.

    >>> parse_created_at("2026-11-20")[0].isoformat()
    '2026-11-19T23:00:00+00:00'
    """
    now = now or utc_now()
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            try:
                day = date.fromisoformat(text)
                parsed = datetime(day.year, day.month, day.day)
            except ValueError:
                parsed = None
    if parsed is None:
        return None, FieldError("created_at", "validation.created_at.invalid", {"value": shown(value)})
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CITY_TIMEZONE)  # a time without zone is the city's local time
    parsed = parsed.astimezone(timezone.utc)
    if parsed > now + timedelta(minutes=5):
        return None, FieldError("created_at", "validation.created_at.future", {"value": shown(value)})
    return parsed, None


def check_need_id(field: str, value: object) -> tuple[str | None, FieldError | None]:
    """Read a need id (UUID, any case); return it in canonical lower-case form, or the error."""
    try:
        return str(uuid.UUID(str(value).strip())), None
    except ValueError:
        return None, FieldError(field, "validation.need_id.invalid", {"value": shown(value)})


def check_support_count(value: object) -> tuple[int, FieldError | None]:
    """Read an import's ``support_count``: a whole number from 0."""
    try:
        count = int(str(value).strip())
    except ValueError:
        count = -1
    if count < 0:
        return 0, FieldError("support_count", "validation.support_count.invalid", {"value": shown(value)})
    return count, None
