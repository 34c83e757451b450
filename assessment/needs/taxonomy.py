"""The fixed taxonomy of need categories.

Twelve categories, aligned with the fields of action (*Handlungsfelder*) that
the federal programme *Modellprojekte Smart Cities* asks cities to cover. The
ids are stable: they are stored with every need, appear in exports and in
imported paper forms, and must never be renamed. Labels and explanations may
be reworded; the residents' page shows them in German first, English second.

Examples
--------
>>> CATEGORIES["green_climate"].label("de")
'Grün, Klima und Umwelt'
>>> category_ids()[:3]
('mobility', 'green_climate', 'housing')
>>> is_category("parking")
False
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """One category: stable id, short labels and a one-line explanation, DE and EN."""

    id: str
    label_de: str
    label_en: str
    explanation_de: str
    explanation_en: str

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``"de"`` or ``"en"``)."""
        return self.label_de if lang == "de" else self.label_en

    def explanation(self, lang: str) -> str:
        """The one-line explanation in ``lang`` (``"de"`` or ``"en"``)."""
        return self.explanation_de if lang == "de" else self.explanation_en


_ALL: tuple[Category, ...] = (
    Category(
        "mobility",
        "Mobilität und Verkehr",
        "Mobility and transport",
        "Wege zu Fuß, mit Rad, Bus und Bahn, Barrierefreiheit, Verkehrssicherheit, Parken.",
        "Walking, cycling, buses and trains, step-free access, road safety, parking.",
    ),
    Category(
        "green_climate",
        "Grün, Klima und Umwelt",
        "Green space, climate and environment",
        "Parks, Bäume, Schatten, Hitze, Lärm, Luft, Wasser, Sauberkeit der Umwelt.",
        "Parks, trees, shade, heat, noise, air, water, a clean environment.",
    ),
    Category(
        "housing",
        "Wohnen",
        "Housing",
        "Bezahlbarer und passender Wohnraum, Wohnumfeld, Sanierung.",
        "Affordable and suitable homes, the residential surroundings, renovation.",
    ),
    Category(
        "education_childcare",
        "Bildung und Kinderbetreuung",
        "Education and childcare",
        "Kitas, Schulen, Horte, Bibliotheken, Lernorte für alle Altersgruppen.",
        "Day care, schools, after-school care, libraries, places to learn at any age.",
    ),
    Category(
        "health_care",
        "Gesundheit und Pflege",
        "Health and care",
        "Ärztinnen und Ärzte, Apotheken, Pflege, Beratung, gesunde Lebensverhältnisse.",
        "Doctors, pharmacies, care for older people, counselling, healthy living conditions.",
    ),
    Category(
        "digital_infrastructure",
        "Digitale Infrastruktur",
        "Digital infrastructure",
        "Internet, Mobilfunk, öffentliches WLAN, digitale Teilhabe und Hilfe dabei.",
        "Internet, mobile coverage, public Wi-Fi, digital inclusion and help with it.",
    ),
    Category(
        "public_space_safety",
        "Öffentlicher Raum und Sicherheit",
        "Public space and safety",
        "Plätze, Beleuchtung, Sitzgelegenheiten, Toiletten, sich sicher fühlen.",
        "Squares, lighting, benches, public toilets, feeling safe.",
    ),
    Category(
        "culture_leisure",
        "Kultur, Freizeit und Sport",
        "Culture, leisure and sport",
        "Treffpunkte, Spielplätze, Sportstätten, Kultur- und Jugendangebote.",
        "Meeting places, playgrounds, sports grounds, culture and youth activities.",
    ),
    Category(
        "work_economy",
        "Arbeit und lokale Wirtschaft",
        "Work and local economy",
        "Arbeitsplätze, Nahversorgung, Läden, Gewerbe, Ausbildung.",
        "Jobs, local shops and services, businesses, apprenticeships.",
    ),
    Category(
        "administration",
        "Verwaltung und Bürgerservice",
        "Administration and public services",
        "Bürgeramt, Termine, Anträge, Information durch Bezirk und Land.",
        "Citizens' offices, appointments, applications, information from the district and city.",
    ),
    Category(
        "social_participation",
        "Soziales Miteinander und Beteiligung",
        "Community and participation",
        "Nachbarschaft, Begegnung, Beratung, Mitreden bei Entscheidungen im Kiez.",
        "Neighbourhood, meeting others, advice, having a say in local decisions.",
    ),
    Category(
        "other",
        "Sonstiges",
        "Other",
        "Alles, was in keine andere Kategorie passt.",
        "Anything that fits no other category.",
    ),
)

CATEGORIES: dict[str, Category] = {c.id: c for c in _ALL}


def category_ids() -> tuple[str, ...]:
    """All category ids in display order."""
    return tuple(CATEGORIES)


def is_category(value: object) -> bool:
    """Whether ``value`` is one of the category ids (exact, case-sensitive)."""
    return isinstance(value, str) and value in CATEGORIES


def category_label(category_id: str, lang: str) -> str:
    """The label of a stored need's category in ``lang``; a procedure's own category (not in the
    standard list, :mod:`assessment.needs.procedures`) shows as its id rather than failing.

    >>> category_label("housing", "en"), category_label("spielplatz", "de")
    ('Housing', 'spielplatz')
    """
    category = CATEGORIES.get(category_id)
    return category.label(lang) if category is not None else str(category_id)
