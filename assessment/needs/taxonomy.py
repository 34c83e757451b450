"""The fixed taxonomy of need categories.

Twelve categories, aligned with the fields of action (*Handlungsfelder*) that
the federal programme *Modellprojekte Smart Cities* asks cities to cover. The
ids are stable: they are stored with every need, appear in exports and in
imported paper forms, and must never be renamed. Labels and explanations may
be reworded: they are messages of the catalogues in ``core/locale``
(``category.<id>.label`` and ``category.<id>.explanation``), in every language.
The city profile (``app.categories``) says which of them a city offers, in which order.

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

from core.i18n import t
from geodata.profile import active_profile


@dataclass(frozen=True)
class Category:
    """One category: its stable id; its short label and one-line explanation are in the catalogues."""

    id: str

    @property
    def key(self) -> str:
        """The message key of the label, ``category.<id>.label``."""
        return f"category.{self.id}.label"

    def label(self, lang: str) -> str:
        """The label in ``lang``."""
        return t(self.key, lang)

    def explanation(self, lang: str) -> str:
        """The one-line explanation in ``lang``."""
        return t(f"category.{self.id}.explanation", lang)


# The categories a city offers are chosen in its city profile (Berlin: geodata/profiles/berlin);
# each one's label and explanation are messages of the catalogues.
_ALL: tuple[Category, ...] = tuple(Category(cid) for cid in active_profile().categories)

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
