"""Validation of needs: each wrong or hostile input -> the exact message a user sees.

Table-driven (like FixMyStreet's report_new_errors.t): a case changes one
field of a valid need and names the refused field and the English and German
message. Places use the real LOR 2021 geometry, so "outside Berlin" is the
real boundary, not a box.
"""

from __future__ import annotations

import math

import pytest

from assessment.needs.model import NeedInput
from assessment.needs.taxonomy import CATEGORIES, category_ids
from assessment.needs.validation import ValidationError, check_text, parse_created_at, validate_need
from needs_fixtures import BRANDENBURG_GATE, POTSDAM_CENTRE, geography, need_input  # noqa: F401

LAT, LON = BRANDENBURG_GATE
PHONE_EN = "contains a phone number. We store no contact details, to protect your data: please remove it."
PHONE_DE = "enthält eine Telefonnummer. Zum Schutz Ihrer Daten speichern wir keine Kontaktdaten: bitte entfernen Sie sie."
MAIL_EN = "contains an e-mail address. We store no contact details, to protect your data: please remove it."
MAIL_DE = "enthält eine E-Mail-Adresse. Zum Schutz Ihrer Daten speichern wir keine Kontaktdaten: bitte entfernen Sie sie."
INVISIBLE_EN = "Please remove it, for example by typing the text instead of pasting it."
INVISIBLE_DE = "Bitte entfernen Sie es, zum Beispiel indem Sie den Text neu tippen statt ihn einzufügen."

CASES = [
    # (case id, changed fields, refused field, message_en, message_de)
    ("no place", dict(lat=None, lon=None), "location",
     "The place is missing. Please tap the map or choose an area from the list.",
     "Der Ort fehlt. Bitte tippen Sie auf die Karte oder wählen Sie ein Gebiet aus der Liste."),
    ("null island", dict(lat=0.0, lon=0.0), "location",
     "The place (lat 0, lon 0) is outside Berlin. Please choose a place within Berlin's boundary "
     "or an area from the list.",
     "Der Ort (lat 0, lon 0) liegt außerhalb Berlins. Bitte wählen Sie einen Ort innerhalb der "
     "Berliner Landesgrenze oder ein Gebiet aus der Liste."),
    ("Potsdam", dict(lat=POTSDAM_CENTRE[0], lon=POTSDAM_CENTRE[1]), "location",
     "The place (lat 52.3906, lon 13.0645) is outside Berlin. Please choose a place within "
     "Berlin's boundary or an area from the list.",
     "Der Ort (lat 52.3906, lon 13.0645) liegt außerhalb Berlins. Bitte wählen Sie einen Ort "
     "innerhalb der Berliner Landesgrenze oder ein Gebiet aus der Liste."),
    ("swapped lat/lon", dict(lat=LON, lon=LAT), "location",
     "The place (lat 13.3777, lon 52.5163) is outside Berlin: latitude and longitude look swapped. "
     "Please swap the two values.",
     "Der Ort (lat 13.3777, lon 52.5163) liegt außerhalb Berlins: Breiten- und Längengrad scheinen "
     "vertauscht. Bitte tauschen Sie die beiden Werte."),
    ("NaN latitude", dict(lat=math.nan), "lat",
     "Latitude (lat) is not a valid number, got nan. Please choose the place on the map again or "
     "give degrees, e.g. 52.52.",
     "Breitengrad (lat) ist keine gültige Zahl, erhalten: nan. Bitte wählen Sie den Ort erneut auf "
     "der Karte oder geben Sie Grad an, z. B. 52.52."),
    ("infinite longitude", dict(lon=math.inf), "lon",
     "Longitude (lon) is not a valid number, got inf. Please choose the place on the map again or "
     "give degrees, e.g. 13.40.",
     "Längengrad (lon) ist keine gültige Zahl, erhalten: inf. Bitte wählen Sie den Ort erneut auf "
     "der Karte oder geben Sie Grad an, z. B. 13.40."),
    ("text as latitude", dict(lat="52,5"), "lat",
     "Latitude (lat) is not a valid number, got '52,5'. Please choose the place on the map again or "
     "give degrees, e.g. 52.52.",
     "Breitengrad (lat) ist keine gültige Zahl, erhalten: '52,5'. Bitte wählen Sie den Ort erneut "
     "auf der Karte oder geben Sie Grad an, z. B. 52.52."),
    ("boolean as longitude", dict(lon=True), "lon",
     "Longitude (lon) is not a valid number, got True. Please choose the place on the map again or "
     "give degrees, e.g. 13.40.",
     "Längengrad (lon) ist keine gültige Zahl, erhalten: True. Bitte wählen Sie den Ort erneut auf "
     "der Karte oder geben Sie Grad an, z. B. 13.40."),
    ("point and area", dict(area_level="BEZ", area_id="01"), "location",
     "Please give either a point on the map or an area from the list, not both.",
     "Bitte geben Sie entweder einen Punkt auf der Karte oder ein Gebiet aus der Liste an, nicht beides."),
    ("unknown area level", dict(lat=None, lon=None, area_level="Kiez", area_id="01"), "area_level",
     "There is no area level 'Kiez'. Please choose PLR, BZR, PGR, BEZ.",
     "Die Gebietsebene 'Kiez' gibt es nicht. Bitte wählen Sie PLR, BZR, PGR, BEZ."),
    ("unknown area", dict(lat=None, lon=None, area_level="BZR", area_id="999999"), "area_id",
     "There is no BZR area '999999'. Please choose an area from the list.",
     "Ein Gebiet '999999' gibt es auf der Ebene BZR nicht. Bitte wählen Sie ein Gebiet aus der Liste."),
    ("PLR id at BEZ level", dict(lat=None, lon=None, area_level="BEZ", area_id="01100206"), "area_id",
     "There is no BEZ area '01100206'. Please choose an area from the list.",
     "Ein Gebiet '01100206' gibt es auf der Ebene BEZ nicht. Bitte wählen Sie ein Gebiet aus der Liste."),
    ("no category", dict(category=None), "category",
     "The category is missing. Please choose a category from the list.",
     "Die Kategorie fehlt. Bitte wählen Sie eine Kategorie aus der Liste."),
    ("unknown category", dict(category="parking"), "category",
     "There is no category 'parking'. Please choose one of: " + ", ".join(CATEGORIES) + ".",
     "Die Kategorie 'parking' gibt es nicht. Bitte wählen Sie eines von: " + ", ".join(CATEGORIES) + "."),
    ("category label instead of id", dict(category="Mobilität und Verkehr"), "category",
     "There is no category 'Mobilität und Verkehr'. Please choose one of: " + ", ".join(CATEGORIES) + ".",
     "Die Kategorie 'Mobilität und Verkehr' gibt es nicht. Bitte wählen Sie eines von: "
     + ", ".join(CATEGORIES) + "."),
    ("no title", dict(title=None), "title",
     "The title is missing. Please write 3 to 120 characters.",
     "Der Titel fehlt. Bitte schreiben Sie 3 bis 120 Zeichen."),
    ("blank title", dict(title=" \t\n "), "title",
     "The title is missing. Please write 3 to 120 characters.",
     "Der Titel fehlt. Bitte schreiben Sie 3 bis 120 Zeichen."),
    ("title of 2 after trimming", dict(title="   ab   "), "title",
     "The title is too short: 2 characters. Please write at least 3 characters.",
     "Der Titel ist zu kurz: 2 Zeichen. Bitte schreiben Sie mindestens 3 Zeichen."),
    ("title of 121", dict(title="x" * 121), "title",
     "The title is too long: 121 characters. Please shorten it to at most 120 characters.",
     "Der Titel ist zu lang: 121 Zeichen. Bitte kürzen Sie auf höchstens 120 Zeichen."),
    ("title as a number", dict(title=12345), "title",
     "The title must be text, got int. Please enter it as text.",
     "Der Titel muss Text sein, erhalten: int. Bitte geben Sie ihn als Text ein."),
    ("description of 1001", dict(description="ä" * 1001), "description",
     "The description is too long: 1,001 characters. Please shorten it to at most 1,000 characters.",
     "Die Beschreibung ist zu lang: 1.001 Zeichen. Bitte kürzen Sie auf höchstens 1.000 Zeichen."),
    ("description of 10,000", dict(description="A" * 10_000), "description",
     "The description is too long: 10,000 characters. Please shorten it to at most 1,000 characters.",
     "Die Beschreibung ist zu lang: 10.000 Zeichen. Bitte kürzen Sie auf höchstens 1.000 Zeichen."),
    ("NUL in title", dict(title="Bank\x00kaputt"), "title",
     "The title contains a control or invisible character (U+0000 at position 5). " + INVISIBLE_EN,
     "Der Titel enthält ein Steuer- oder unsichtbares Zeichen (U+0000 an Stelle 5). " + INVISIBLE_DE),
    ("RTL override in title", dict(title="Park \u202egnuniemeg"), "title",
     "The title contains a control or invisible character (U+202E at position 6). " + INVISIBLE_EN,
     "Der Titel enthält ein Steuer- oder unsichtbares Zeichen (U+202E an Stelle 6). " + INVISIBLE_DE),
    ("zero-width space in title", dict(title="Spiel\u200bplatz"), "title",
     "The title contains a control or invisible character (U+200B at position 6). " + INVISIBLE_EN,
     "Der Titel enthält ein Steuer- oder unsichtbares Zeichen (U+200B an Stelle 6). " + INVISIBLE_DE),
    ("line break in title", dict(title="Zwei\nZeilen"), "title",
     "The title contains a control or invisible character (U+000A at position 5). " + INVISIBLE_EN,
     "Der Titel enthält ein Steuer- oder unsichtbares Zeichen (U+000A an Stelle 5). " + INVISIBLE_DE),
    ("BOM inside description", dict(description="Text\ufeffmehr"), "description",
     "The description contains a control or invisible character (U+FEFF at position 5). " + INVISIBLE_EN,
     "Die Beschreibung enthält ein Steuer- oder unsichtbares Zeichen (U+FEFF an Stelle 5). " + INVISIBLE_DE),
    ("escape sequence in description", dict(description="rot \x1b[31m"), "description",
     "The description contains a control or invisible character (U+001B at position 5). " + INVISIBLE_EN,
     "Die Beschreibung enthält ein Steuer- oder unsichtbares Zeichen (U+001B an Stelle 5). " + INVISIBLE_DE),
    ("Hangul filler in title", dict(title="Park\u3164platz"), "title",
     "The title contains a control or invisible character (U+3164 at position 5). " + INVISIBLE_EN,
     "Der Titel enthält ein Steuer- oder unsichtbares Zeichen (U+3164 an Stelle 5). " + INVISIBLE_DE),
    ("e-mail in title", dict(title="Schreibt mir: anna.muster@example.org"), "title",
     "The title " + MAIL_EN, "Der Titel " + MAIL_DE),
    ("obfuscated e-mail in description", dict(description="Kontakt: anna (at) example.org"), "description",
     "The description " + MAIL_EN, "Die Beschreibung " + MAIL_DE),
    ("Berlin landline in description", dict(description="Ruft an: 030 1234567"), "description",
     "The description " + PHONE_EN, "Die Beschreibung " + PHONE_DE),
    ("mobile number in title", dict(title="Infos unter 0176 12345678"), "title",
     "The title " + PHONE_EN, "Der Titel " + PHONE_DE),
    ("international number", dict(description="Tel. +49 30 901820"), "description",
     "The description " + PHONE_EN, "Die Beschreibung " + PHONE_DE),
    ("bad workshop id", dict(workshop_id="ws 1; drop"), "workshop",
     "The workshop id 'ws 1; drop' is invalid. Allowed are 1 to 64 letters, digits, - and _; please "
     "use the workshop's link or QR code.",
     "Die Workshop-Kennung 'ws 1; drop' ist ungültig. Erlaubt sind 1 bis 64 Buchstaben, Ziffern, - "
     "und _; bitte nutzen Sie den Link oder QR-Code des Workshops."),
    ("unknown channel", dict(channel="email"), "channel",
     "There is no channel 'email'. Please choose one of: online, workshop, paper.",
     "Den Kanal 'email' gibt es nicht. Bitte wählen Sie eines von: online, workshop, paper."),
    ("unknown language", dict(language="fr"), "language",
     "There is no language 'fr'. Please choose one of: de, en, tr, ar, uk, ls.",
     "Die Sprache 'fr' gibt es nicht. Bitte wählen Sie eines von: de, en, tr, ar, uk, ls."),
]


@pytest.mark.parametrize(
    "changes, field, message_en, message_de", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_refusal_names_field_and_fix(geography, changes, field, message_en, message_de):
    with pytest.raises(ValidationError) as refused:
        validate_need(need_input(**changes), geography)
    assert [(e.field, e.text("en"), e.text("de")) for e in refused.value.errors] == [
        (field, message_en, message_de)
    ]


def test_every_bad_field_is_reported_at_once(geography):
    with pytest.raises(ValidationError) as refused:
        validate_need(NeedInput(category="x", title="", lat=0.0, lon=0.0, channel="fax"), geography)
    assert refused.value.fields() == ["location", "category", "title", "channel"]


VALID = [
    ("short title", dict(title="Bus"), "title", "Bus"),
    ("title of 120", dict(title="y" * 120), "title", "y" * 120),
    ("trimmed title", dict(title="  Mehr Bänke \n"), "title", "Mehr Bänke"),
    ("empty description", dict(description=""), "description", ""),
    ("description of 1000 umlauts", dict(description="ü" * 1000), "description", "ü" * 1000),
    ("line breaks and tabs in description", dict(description="a\n\tb\r\nc"), "description", "a\n\tb\r\nc"),
    ("emoji with ZWJ-free sequence", dict(title="Mehr Grün 🌳🌳"), "title", "Mehr Grün 🌳🌳"),
    ("bus line and postcode are no phone numbers", dict(description="Bus 100 ab 10115 seit 2019"),
     "description", "Bus 100 ab 10115 seit 2019"),
    ("@ mention is no e-mail", dict(title="@BVG bitte mehr Busse"), "title", "@BVG bitte mehr Busse"),
    ("coordinates as text (CSV import)", dict(lat="52.5163", lon=" 13.3777 "), "lat", 52.5163),
    ("every category id", dict(category="other"), "category", "other"),
]


@pytest.mark.parametrize("changes, column, expected", [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_accepted_values(geography, changes, column, expected):
    assert validate_need(need_input(**changes), geography)[column] == expected


def test_point_gets_lor_ids_of_the_full_detail_geometry(geography):
    columns = validate_need(need_input(), geography)
    # Pariser Platz lies in PLR 01100206 "Unter den Linden" (official LOR map).
    assert (columns["units"]["PLR"], columns["units"]["BZR"], columns["units"]["PGR"], columns["units"]["BEZ"]) == (
        "01100206", "011002", "0110", "01"
    )
    assert columns["located_by"] == "point"


@pytest.mark.parametrize("level, area_id, expected", [
    ("PLR", "01100206", ("01100206", "011002", "0110", "01")),
    ("BZR", "011002", (None, "011002", "0110", "01")),
    ("PGR", "0110", (None, None, "0110", "01")),
    ("bez", "12", (None, None, None, "12")),
])
def test_area_only_needs_get_parent_ids_and_a_point_inside_the_area(geography, level, area_id, expected):
    columns = validate_need(need_input(lat=None, lon=None, area_level=level, area_id=area_id), geography)
    assert (columns["units"]["PLR"], columns["units"]["BZR"], columns["units"]["PGR"], columns["units"]["BEZ"]) == expected
    assert columns["located_by"] == "area" and columns["area_level"] == level.upper()
    # The stored point must locate back into the chosen area.
    located = geography.locate(columns["lat"], columns["lon"])
    assert located[f"{level.upper()}_ID"] == area_id


def test_taxonomy_has_the_twelve_fields_of_action_with_both_languages():
    assert category_ids() == (
        "mobility", "green_climate", "housing", "education_childcare", "health_care",
        "digital_infrastructure", "public_space_safety", "culture_leisure", "work_economy",
        "administration", "social_participation", "other",
    )
    for category in CATEGORIES.values():
        texts = [category.label("de"), category.label("en"), category.explanation("de"), category.explanation("en")]
        assert all(t and t == t.strip() for t in texts), category.id
        assert category.label("de") != category.label("en"), category.id


def test_check_text_does_not_strip_inner_whitespace():
    assert check_text("description", " a  b ", required=False, minimum=0, maximum=10) == ("a  b", None)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-20", "2026-11-19T23:00:00+00:00"),  # midnight in Berlin (CET, UTC+1)
    ("2026-07-01T12:00", "2026-07-01T10:00:00+00:00"),  # summer time, UTC+2
    ("2026-07-01T12:00:00+00:00", "2026-07-01T12:00:00+00:00"),
    ("2026-07-01T12:00:00Z", "2026-07-01T12:00:00+00:00"),
])
def test_import_times_without_offset_are_berlin_local(text, expected):
    parsed, error = parse_created_at(text)
    assert error is None and parsed.isoformat() == expected


@pytest.mark.parametrize("text", ["20.11.2026", "yesterday", "2999-01-01"])
def test_unusable_import_times_are_refused(text):
    parsed, error = parse_created_at(text)
    assert parsed is None and error.field == "created_at" and repr(text) in error.text("en")
