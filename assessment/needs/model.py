"""The need: what a resident (or a workshop, or a paper form) asked for, and where.

A :class:`NeedInput` is what a page or an import hands in, unchecked. The
store validates it (:mod:`assessment.needs.validation`), derives the LOR ids of the
place at write time from the full-detail geometry, and returns a :class:`Need`,
the stored record. Nothing that identifies a person is part of either: no
name, no e-mail address, no IP address. The optional client token (a random
value the browser session makes up) only serves idempotent resubmits and
"me too" supports, and is never exported.

Examples
--------
>>> need = Need(
...     id="3f2c9a1e-8b7d-4c6e-9f00-1a2b3c4d5e6f",
...     created_at=datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc),
...     lat=52.52, lon=13.40, located_by="point", area_level=None,
...     units={"PLR": "01100101", "BZR": "011001", "PGR": "0110", "BEZ": "01"},
...     category="mobility", title="Mehr Fahrradbügel", description="",
...     status="pending", merged_into=None, support_count=0,
...     workshop_id=None, channel="online", language="de",
... )
>>> need.reference
'3F2C9A1E'
>>> need.unit("BZR")
'011001'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Mapping

from geodata.profile import active_profile

STATUSES = ("pending", "published", "rejected", "hidden", "merged")
"""Moderation states. ``merged`` needs ``merged_into`` (the id of the need it was merged into)."""

CHANNELS = ("online", "workshop", "paper")
"""How a need came in: the residents' page, a live workshop, or a paper form imported later."""

from core.i18n import LANGUAGES  # every interface language is a language a need can be written in
LOCATED_BY = ("point", "area")
"""``point``: a place on the map; ``area``: only an area chosen from a list (stored at its
representative point, with the ids of that area and its parents, finer levels empty)."""

AREA_LEVELS: tuple[str, ...] = active_profile().level_order
"""The level codes of the active city profile, finest first (Berlin: PLR, BZR, PGR, BEZ)."""
DEFAULT_PROCEDURE_ID = "allgemein"
"""The participation procedure "Allgemein": everything from before procedures, and what names none
(:mod:`assessment.needs.procedures`, migration 0010)."""
TITLE_MIN, TITLE_MAX = 3, 120
DESCRIPTION_MAX = 1000


@dataclass
class NeedInput:
    """A need as submitted, before any check. Give either ``lat``/``lon`` or ``area_level``/``area_id``.

    Parameters
    ----------
    category : str
        A category id from :data:`assessment.needs.taxonomy.CATEGORIES`.
    title, description : str
        Free text; trimmed, then 3–120 and at most 1,000 characters.
    lat, lon : float, optional
        WGS84 degrees (EPSG:4326) of a point inside Berlin.
    area_level, area_id : str, optional
        An area chosen from a list instead of a point, e.g. ``("BZR", "011001")``.
    workshop_id : str, optional
        The workshop the need was collected in.
    channel : str
        ``online``, ``workshop`` or ``paper``.
    language : str
        The interface language the resident used (``de`` or ``en``).
    procedure_id : str, optional
        The participation procedure the need is submitted into (default "Allgemein").
    answers : dict, optional
        Question id -> answer, for the procedure's questions.
    """

    category: object = None
    title: object = None
    description: object = ""
    lat: object = None
    lon: object = None
    area_level: object = None
    area_id: object = None
    workshop_id: object = None
    channel: object = "online"
    language: object = "de"
    procedure_id: object = None
    answers: object = None


@dataclass(frozen=True)
class Need:
    """One stored need. Times are timezone-aware UTC; coordinates WGS84 degrees."""

    id: str
    created_at: datetime
    lat: float
    lon: float
    located_by: str
    area_level: str | None
    units: Mapping[str, str | None]
    """Level code of the city profile -> id of the unit the need lies in (finest first; Berlin:
    ``{"PLR": "01100101", "BZR": "011001", "PGR": "0110", "BEZ": "01"}``). ``None`` at the
    levels finer than the area a need was located by."""
    category: str
    title: str
    description: str
    status: str
    merged_into: str | None
    support_count: int
    workshop_id: str | None
    channel: str
    language: str
    procedure_id: str = DEFAULT_PROCEDURE_ID
    answers: tuple[tuple[str, str], ...] = ()
    """Answers to the procedure's questions as ``(question id, answer)`` pairs."""

    def answer(self, question_id: str) -> str | None:
        """The answer to one question of the need's procedure, if given."""
        return dict(self.answers).get(question_id)

    @property
    def reference(self) -> str:
        """Short code for the confirmation screen: the first 8 characters of the id, upper case."""
        return reference_code(self.id)

    def unit(self, level) -> str | None:
        """The id of the unit of ``level`` (a level code, or a level object with ``code``) the need lies in.

        ``None`` when unknown: the need was located by a coarser area, or the level is not one
        the store keeps.
        """
        return self.units.get(getattr(level, "code", level))

    def as_dict(self) -> dict:
        """All fields as a plain dict (for tables and exports); ``units`` as a plain dict too."""
        values = asdict(self)
        values["units"] = dict(self.units)
        return values


def reference_code(need_id: str) -> str:
    """Short, readable code of a need id (``"3f2c9a1e-..."`` -> ``"3F2C9A1E"``).

    >>> reference_code("3f2c9a1e-8b7d-4c6e-9f00-1a2b3c4d5e6f")
    '3F2C9A1E'
    """
    return need_id[:8].upper()


def utc_now() -> datetime:
    """The current time, timezone-aware UTC, to the microsecond."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ImportExtras:
    """Fields an import may carry beyond :class:`NeedInput` (already validated)."""

    id: str | None = None
    created_at: datetime | None = None
    status: str = "pending"
    merged_into: str | None = None
    support_count: int = 0
