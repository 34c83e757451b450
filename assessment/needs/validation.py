"""Server-side validation of needs: the same rules for the residents' page, workshops and imports.

Whatever the user interface did, every need passes :func:`validate_need`
before it is stored. A refusal raises :class:`ValidationError`, which holds
one :class:`FieldError` per bad field (the first problem found in it), each
naming the field and the fix in German and in English. Nothing is stored
when anything is refused.

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
>>> error.message_en
'The title contains a phone number. We store no contact details, to protect your data: please remove it.'
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import phonenumbers

from assessment.needs.geography import Geography, area_lor_ids, lor_ids
from assessment.needs.model import (
    AREA_LEVELS,
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
from core.i18n import format_number

BERLIN_TZ = ZoneInfo("Europe/Berlin")

# Field names as the user (and a CSV header) knows them, in both languages.
FIELD_LABELS = {
    "title": ("Der Titel", "The title"),
    "description": ("Die Beschreibung", "The description"),
}


@dataclass(frozen=True)
class FieldError:
    """One refused field: which field, and what to do about it, in German and English."""

    field: str
    message_de: str
    message_en: str

    def message(self, lang: str) -> str:
        """The message in ``lang`` (``"de"`` or ``"en"``)."""
        return self.message_de if lang == "de" else self.message_en


class ValidationError(ValueError):
    """A need was refused and nothing was stored. ``errors`` lists every bad field."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message_en} / {e.message_de}" for e in self.errors))

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
    de, en = FIELD_LABELS[field]
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", FieldError(
            field,
            f"{de} muss Text sein, erhalten: {type(value).__name__}. Bitte geben Sie ihn als Text ein.",
            f"{en} must be text, got {type(value).__name__}. Please enter it as text.",
        )
    text = value.strip()
    if not text:
        if required:
            return "", FieldError(
                field,
                f"{de} fehlt. Bitte schreiben Sie {minimum} bis {maximum} Zeichen.",
                f"{en} is missing. Please write {minimum} to {maximum} characters.",
            )
        return "", None
    bad = _bad_character(text, allow_breaks=(field == "description"))
    if bad:
        position, char = bad
        code = f"U+{ord(char):04X}"
        return text, FieldError(
            field,
            f"{de} enthält ein Steuer- oder unsichtbares Zeichen ({code} an Stelle {position}). "
            "Bitte entfernen Sie es, zum Beispiel indem Sie den Text neu tippen statt ihn einzufügen.",
            f"{en} contains a control or invisible character ({code} at position {position}). "
            "Please remove it, for example by typing the text instead of pasting it.",
        )
    if len(text) < minimum:
        return text, FieldError(
            field,
            f"{de} ist zu kurz: {len(text)} Zeichen. Bitte schreiben Sie mindestens {minimum} Zeichen.",
            f"{en} is too short: {len(text)} character{'' if len(text) == 1 else 's'}. "
            f"Please write at least {minimum} characters.",
        )
    if len(text) > maximum:
        # Written as the count under the field writes them (1.001 / 1,001).
        length_de, length_en = format_number(len(text), 0, "de"), format_number(len(text), 0, "en")
        return text, FieldError(
            field,
            f"{de} ist zu lang: {length_de} Zeichen. Bitte kürzen Sie auf höchstens "
            f"{format_number(maximum, 0, 'de')} Zeichen.",
            f"{en} is too long: {length_en} characters. Please shorten it to at most "
            f"{format_number(maximum, 0, 'en')} characters.",
        )
    if _EMAIL.search(text):
        return text, FieldError(
            field,
            f"{de} enthält eine E-Mail-Adresse. Zum Schutz Ihrer Daten speichern wir keine "
            "Kontaktdaten: bitte entfernen Sie sie.",
            f"{en} contains an e-mail address. We store no contact details, to protect your data: "
            "please remove it.",
        )
    if _has_phone_number(text):
        return text, FieldError(
            field,
            f"{de} enthält eine Telefonnummer. Zum Schutz Ihrer Daten speichern wir keine "
            "Kontaktdaten: bitte entfernen Sie sie.",
            f"{en} contains a phone number. We store no contact details, to protect your data: "
            "please remove it.",
        )
    return text, None


# --- place ----------------------------------------------------------------------------------

_COORD_LABELS = {"lat": ("Breitengrad (lat)", "Latitude (lat)"), "lon": ("Längengrad (lon)", "Longitude (lon)")}


def _coordinate(field: str, value: object) -> tuple[float | None, FieldError | None]:
    de, en = _COORD_LABELS[field]
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        return None, FieldError(
            field,
            f"{de} ist keine gültige Zahl, erhalten: {shown(value)}. "
            "Bitte wählen Sie den Ort erneut auf der Karte oder geben Sie Grad an, z. B. 52.52.",
            f"{en} is not a valid number, got {shown(value)}. "
            "Please choose the place on the map again or give degrees, e.g. 52.52.",
        )
    return number, None


def check_place(need: NeedInput, geography: Geography) -> tuple[dict, list[FieldError]]:
    """Check where a need is and derive its LOR ids; return the place columns and the problems."""
    has_point = need.lat is not None or need.lon is not None
    has_area = need.area_level is not None or need.area_id is not None
    if has_point and has_area:
        return {}, [
            FieldError(
                "location",
                "Bitte geben Sie entweder einen Punkt auf der Karte oder ein Gebiet aus der Liste an, "
                "nicht beides.",
                "Please give either a point on the map or an area from the list, not both.",
            )
        ]
    if not has_point and not has_area:
        return {}, [
            FieldError(
                "location",
                "Der Ort fehlt. Bitte tippen Sie auf die Karte oder wählen Sie ein Gebiet aus der Liste.",
                "The place is missing. Please tap the map or choose an area from the list.",
            )
        ]
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
            return {}, [
                FieldError(
                    "location",
                    f"Der Ort (lat {lat:g}, lon {lon:g}) liegt außerhalb Berlins: Breiten- und "
                    "Längengrad scheinen vertauscht. Bitte tauschen Sie die beiden Werte.",
                    f"The place (lat {lat:g}, lon {lon:g}) is outside Berlin: latitude and longitude "
                    "look swapped. Please swap the two values.",
                )
            ]
        return {}, [
            FieldError(
                "location",
                f"Der Ort (lat {lat:g}, lon {lon:g}) liegt außerhalb Berlins. Bitte wählen Sie einen "
                "Ort innerhalb der Berliner Landesgrenze oder ein Gebiet aus der Liste.",
                f"The place (lat {lat:g}, lon {lon:g}) is outside Berlin. Please choose a place "
                "within Berlin's boundary or an area from the list.",
            )
        ]
    return {"lat": lat, "lon": lon, "located_by": "point", "area_level": None, **lor_ids(located)}, []


def _check_area(need: NeedInput, geography: Geography) -> tuple[dict, list[FieldError]]:
    level = need.area_level.upper() if isinstance(need.area_level, str) else need.area_level
    if level not in AREA_LEVELS:
        return {}, [
            FieldError(
                "area_level",
                f"Die Gebietsebene {shown(need.area_level)} gibt es nicht. Bitte wählen Sie "
                f"{', '.join(AREA_LEVELS)}.",
                f"There is no area level {shown(need.area_level)}. Please choose "
                f"{', '.join(AREA_LEVELS)}.",
            )
        ]
    area_id = need.area_id.strip() if isinstance(need.area_id, str) else need.area_id
    point = geography.area_point(level, area_id) if isinstance(area_id, str) else None
    if point is None:
        return {}, [
            FieldError(
                "area_id",
                f"Ein Gebiet {shown(need.area_id)} gibt es auf der Ebene {level} nicht. "
                "Bitte wählen Sie ein Gebiet aus der Liste.",
                f"There is no {level} area {shown(need.area_id)}. Please choose an area from the list.",
            )
        ]
    lat, lon = point
    return {"lat": lat, "lon": lon, "located_by": "area", "area_level": level, **area_lor_ids(level, area_id)}, []


# --- fixed sets and tokens --------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9_\-]{8,128}")
_WORKSHOP = re.compile(r"[A-Za-z0-9_\-]{1,64}")


def _choice(field: str, value: object, allowed: tuple[str, ...], de: str, en: str) -> FieldError | None:
    if isinstance(value, str) and value in allowed:
        return None
    return FieldError(
        field,
        f"{de} {shown(value)} gibt es nicht. Bitte wählen Sie eines von: {', '.join(allowed)}.",
        f"There is no {en} {shown(value)}. Please choose one of: {', '.join(allowed)}.",
    )


def check_category(value: object, categories: tuple[str, ...] | None = None) -> FieldError | None:
    """``None`` when ``value`` is a category id (of ``categories``, default the standard list), else the error."""
    if value is None or value == "":
        return FieldError(
            "category",
            "Die Kategorie fehlt. Bitte wählen Sie eine Kategorie aus der Liste.",
            "The category is missing. Please choose a category from the list.",
        )
    return _choice("category", value, tuple(CATEGORIES) if categories is None else tuple(categories),
                   "Die Kategorie", "category")


def check_status(value: object) -> FieldError | None:
    """``None`` when ``value`` is one of :data:`assessment.needs.model.STATUSES`, else the error."""
    return _choice("status", value, STATUSES, "Den Status", "status")


def check_client_token(value: object) -> FieldError | None:
    """``None`` for no token or a well-formed one (8–128 of ``A-Z a-z 0-9 _ -``), else the error."""
    if value is None or (isinstance(value, str) and _TOKEN.fullmatch(value)):
        return None
    return FieldError(
        "client_token",
        "Das Sitzungskennzeichen ist ungültig (erlaubt: 8 bis 128 Buchstaben, Ziffern, - und _). "
        "Bitte laden Sie die Seite neu.",
        "The session token is invalid (allowed: 8 to 128 letters, digits, - and _). Please reload the page.",
    )


def check_workshop_id(value: object) -> FieldError | None:
    """``None`` for no workshop or a well-formed id (1–64 of ``A-Z a-z 0-9 _ -``), else the error."""
    if value is None or (isinstance(value, str) and _WORKSHOP.fullmatch(value)):
        return None
    return FieldError(
        "workshop",
        f"Die Workshop-Kennung {shown(value)} ist ungültig. Erlaubt sind 1 bis 64 Buchstaben, "
        "Ziffern, - und _; bitte nutzen Sie den Link oder QR-Code des Workshops.",
        f"The workshop id {shown(value)} is invalid. Allowed are 1 to 64 letters, digits, - and _; "
        "please use the workshop's link or QR code.",
    )


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
        ``lat``, ``lon``, ``located_by``, ``area_level``, ``plr_id`` … ``bez_id``,
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
        errors.append(FieldError(
            "procedure",
            f"Die Verfahrenskennung {shown(procedure_id)} ist ungültig; bitte wählen Sie ein Verfahren aus der Liste.",
            f"The procedure id {shown(procedure_id)} is invalid; please choose a procedure from the list.",
        ))
    title, error = check_text("title", need.title, required=True, minimum=TITLE_MIN, maximum=TITLE_MAX)
    errors += [error] if error else []
    description, error = check_text(
        "description", need.description, required=False, minimum=0, maximum=DESCRIPTION_MAX
    )
    errors += [error] if error else []
    workshop_id = need.workshop_id if need.workshop_id != "" else None
    if error := check_workshop_id(workshop_id):
        errors.append(error)
    if error := _choice("channel", need.channel, CHANNELS, "Den Kanal", "channel"):
        errors.append(error)
    if error := _choice("language", need.language, LANGUAGES, "Die Sprache", "language"):
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
    """Read an import's ``created_at``: ISO 8601, a date alone means midnight in Berlin.

    Times without an offset are Berlin local time (paper forms are dated locally).
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
        return None, FieldError(
            "created_at",
            f"Der Zeitpunkt {shown(value)} ist kein gültiges Datum. Bitte schreiben Sie ihn nach "
            "ISO 8601, z. B. 2026-11-20 oder 2026-11-20T18:30:00+01:00.",
            f"The time {shown(value)} is not a valid date. Please write it as ISO 8601, "
            "e.g. 2026-11-20 or 2026-11-20T18:30:00+01:00.",
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BERLIN_TZ)
    parsed = parsed.astimezone(timezone.utc)
    if parsed > now + timedelta(minutes=5):
        return None, FieldError(
            "created_at",
            f"Der Zeitpunkt {shown(value)} liegt in der Zukunft. Bitte prüfen Sie das Datum.",
            f"The time {shown(value)} is in the future. Please check the date.",
        )
    return parsed, None


def check_need_id(field: str, value: object) -> tuple[str | None, FieldError | None]:
    """Read a need id (UUID, any case); return it in canonical lower-case form, or the error."""
    try:
        return str(uuid.UUID(str(value).strip())), None
    except ValueError:
        return None, FieldError(
            field,
            f"Die Kennung {shown(value)} ist keine gültige UUID. Bitte lassen Sie das Feld leer "
            "oder übernehmen Sie die Kennung unverändert aus einem Export.",
            f"The id {shown(value)} is not a valid UUID. Please leave the field empty or copy "
            "the id unchanged from an export.",
        )


def check_support_count(value: object) -> tuple[int, FieldError | None]:
    """Read an import's ``support_count``: a whole number from 0."""
    try:
        count = int(str(value).strip())
    except ValueError:
        count = -1
    if count < 0:
        return 0, FieldError(
            "support_count",
            f"Die Unterstützungszahl {shown(value)} ist keine ganze Zahl ab 0. Bitte korrigieren oder leeren Sie sie.",
            f"The support count {shown(value)} is not a whole number from 0. Please correct it or leave it empty.",
        )
    return count, None
