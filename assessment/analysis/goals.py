"""Goals: a finding of the assessment turned into a planning goal, with its evidence.

A planner reads the assessment ("Bezirksregion X ranks 3rd, its needs on
green space are twice the city rate"), and writes a goal: a **title**, the
**field of action** (*Handlungsfeld*, one of the need categories of
:mod:`assessment.needs.taxonomy`), the **areas** it is for (ids of one LOR level),
and the **evidence** it rests on: linked **needs** (ids from the needs store)
and **indicators** (catalogue keys or needs-rate keys such as
``"needs_per_1000_green_climate"``). The report prints every goal with its
evidence, so the reasoning from data to goal stays visible.

Goals live in the needs database (tables ``goals`` and ``goal_links``,
migration ``0003``), through the same engine and transaction helpers as the
needs, on SQLite and PostgreSQL alike.

The goals form offers as evidence the published needs of the area being
explained (:meth:`GoalBook.linkable_needs`); :func:`goal_lines` says a stored
goal in the interface's words.

Sign-in does not exist yet. ``created_by`` is stored (empty for now) and
:meth:`GoalBook.create` takes it, so the planner role added later only has
to pass the signed-in planner and check the role before calling it.

Examples
--------
>>> from assessment.needs.store import open_store
>>> book = GoalBook(open_store(database_url="sqlite://", geography=None))
>>> goal = book.create(GoalInput(
...     title="Mehr Schatten auf Schulwegen", field_of_action="green_climate", level="BZR",
...     area_ids=("011001", "011002"), indicator_keys=("ug_heat",)))
>>> goal.area_ids, goal.indicator_keys, goal.need_ids
(('011001', '011002'), ('ug_heat',), ())
>>> [g.title for g in book.list(area_id="011002")]
['Mehr Schatten auf Schulwegen']
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assessment.needs.model import DEFAULT_PROCEDURE_ID, utc_now
from assessment.analysis.priority import label as indicator_label
from assessment.analysis.smoothing import needs_keys
from assessment.needs.store import NeedStore, UTCDateTime
from assessment.needs.taxonomy import CATEGORIES
from assessment.needs.validation import FieldError, ValidationError, check_text, shown
from core.i18n import LANGUAGES, NotFoundError, t
from geodata.indicators import INDICATORS
from geodata.lor import LEVEL_ORDER, Level, UnknownLevelError, get_level

TITLE_MIN = 3
TITLE_MAX = 200
MAX_LINKS = 1000
"""Most links of one kind per goal; more is a mistake (a goal for every PLR of Berlin twice over)."""

LINK_KINDS = ("area", "need", "indicator")

metadata = sa.MetaData()
goals = sa.Table(
    "goals",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("field_of_action", sa.String(32), nullable=False),
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("created_by", sa.String(128)),
    sa.Column("procedure_id", sa.String(36), nullable=False, server_default=DEFAULT_PROCEDURE_ID),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("updated_at", UTCDateTime()),
)
#: Every earlier state of a goal (migration 0010): its edit and withdrawal history.
goal_versions = sa.Table(
    "goal_versions",
    metadata,
    sa.Column("goal_id", sa.String(36), primary_key=True),
    sa.Column("version", sa.Integer(), primary_key=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(128)),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("snapshot", sa.Text(), nullable=False),
)
GOAL_STATUSES = ("active", "withdrawn")
goal_links = sa.Table(
    "goal_links",
    metadata,
    sa.Column("goal_id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("ref", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
)


@dataclass(frozen=True)
class GoalInput:
    """What a planner enters for a new goal.

    Parameters
    ----------
    title : str
        3-200 characters, plain text.
    field_of_action : str
        A category id of :data:`assessment.needs.taxonomy.CATEGORIES`.
    level : geodata.lor.Level or str
        The level of ``area_ids`` (a code is resolved when the goal is checked).
    area_ids : tuple of str
        At least one area id of ``level``.
    need_ids : tuple of str
        Ids of stored needs the goal rests on.
    indicator_keys : tuple of str
        Indicator keys (:data:`geodata.indicators.INDICATORS`) or needs-rate keys.
    """

    title: str
    field_of_action: str
    level: Level | str
    area_ids: tuple[str, ...]
    need_ids: tuple[str, ...] = ()
    indicator_keys: tuple[str, ...] = ()
    procedure_id: str = DEFAULT_PROCEDURE_ID


@dataclass(frozen=True)
class Goal:
    """A stored goal with its evidence, links in the order they were given."""

    id: str
    created_at: datetime
    title: str
    field_of_action: str
    level: str
    area_ids: tuple[str, ...]
    need_ids: tuple[str, ...] = ()
    indicator_keys: tuple[str, ...] = ()
    created_by: str | None = field(default=None)
    procedure_id: str = DEFAULT_PROCEDURE_ID
    #: ``active``, or ``withdrawn`` (kept with its history, no longer in the report).
    status: str = "active"
    updated_at: datetime | None = None


@dataclass(frozen=True)
class GoalVersion:
    """An earlier state of a goal: what it was before an edit or a withdrawal, who changed it, when."""

    version: int
    at: datetime
    actor: str | None
    action: str
    title: str
    field_of_action: str
    level: str
    area_ids: tuple[str, ...]
    need_ids: tuple[str, ...]
    indicator_keys: tuple[str, ...]
    status: str


class GoalNotFoundError(NotFoundError):
    """No goal has this id (:attr:`goal_id`, also ``args[0]``).

    A ``KeyError``, since a lookup by id found nothing; its message names the id:
    ``str()`` in English, :meth:`in_language` in any language.

    >>> error = GoalNotFoundError("g-17")
    >>> str(error)
    "no goal with id 'g-17': list the goals to find its id"
    >>> error.in_language("de")
    "Kein Ziel hat die Kennung 'g-17'; die Liste der Ziele zeigt ihre Kennungen"
    """

    message_key = "goal.error.not_found"

    @property
    def goal_id(self) -> object:
        """The id looked for."""
        return self.key


def _unique(values: Iterable[object]) -> list:
    return list(dict.fromkeys(values))


def _area_errors(level: Level, areas: list[str], known_areas: Collection[str] | None) -> list[FieldError]:
    """The first area id that is no area of ``level``, by the rules the profile states for its ids.

    A level may fix its ids' length (``id_length``) and their form (``id_pattern``); the message names
    the length only where the level fixes one. The list of known areas decides in the end.
    """
    rule = re.compile(level.id_pattern) if level.id_pattern else None
    for area in areas:
        if level.id_length and len(area) != level.id_length:
            key = "goal.error.area_length"
        elif (rule is not None and not rule.fullmatch(area)) or (known_areas is not None and area not in known_areas):
            key = "goal.error.area_unknown"
        else:
            continue
        values = {"level": {lang: level.label(lang) for lang in LANGUAGES}, "value": shown(area)}
        if key == "goal.error.area_length":
            values["length"] = level.id_length
        return [FieldError("area_ids", key, values)]
    return []


def validate_goal(
    goal: GoalInput,
    *,
    known_areas: Collection[str] | None = None,
    existing_needs: Collection[str] = (),
) -> dict:
    """Check a goal; return its cleaned columns and links, or raise :class:`ValidationError`.

    Parameters
    ----------
    goal : GoalInput
    known_areas : collection of str, optional
        The area ids of ``goal.level`` that exist (e.g. ``names(settings, level).index``);
        without it only the rules the profile states for the level's ids (``id_length``,
        ``id_pattern``) are checked.
    existing_needs : collection of str
        Those of ``goal.need_ids`` that are stored (:meth:`NeedStore.existing_ids`).

    Examples
    --------
    >>> validate_goal(GoalInput("Ziel", "parking", "BZR", ("011001",)))
    Traceback (most recent call last):
    ...
    assessment.needs.validation.ValidationError: field_of_action: unknown field of action 'parking'; ...
    """
    errors: list[FieldError] = []
    title, error = check_text("title", goal.title, required=True, minimum=TITLE_MIN, maximum=TITLE_MAX)
    if error:
        errors.append(error)
    if goal.field_of_action not in CATEGORIES:
        choices = ", ".join(CATEGORIES)
        errors.append(FieldError("field_of_action", "goal.error.field_of_action",
                                 {"value": shown(goal.field_of_action), "choices": choices}))
    try:
        level: Level | None = get_level(goal.level)
    except UnknownLevelError:
        level = None
        errors.append(FieldError("level", "goal.error.level",
                                 {"value": shown(goal.level), "choices": ", ".join(LEVEL_ORDER)}))
    areas = _unique(str(a) for a in goal.area_ids)
    if not areas:
        errors.append(FieldError("area_ids", "goal.error.no_area"))
    elif level is not None:
        errors += _area_errors(level, areas, known_areas)
    needs = _unique(str(n) for n in goal.need_ids)
    missing = [n for n in needs if n not in existing_needs]
    if missing:
        errors.append(FieldError("need_ids", "goal.error.need", {"value": shown(missing[0])}))
    keys = _unique(str(k) for k in goal.indicator_keys)
    unknown = [k for k in keys if k not in INDICATORS and k not in needs_keys()]
    if unknown:
        errors.append(FieldError("indicator_keys", "goal.error.indicator", {"value": shown(unknown[0])}))
    for name, links in (("area_ids", areas), ("need_ids", needs), ("indicator_keys", keys)):
        if len(links) > MAX_LINKS:
            errors.append(FieldError(name, "goal.error.too_many", {"maximum": MAX_LINKS, "count": len(links)}))
    if errors:
        raise ValidationError(errors)
    return {"title": title, "field_of_action": goal.field_of_action, "level": level.code,
            "area": areas, "need": needs, "indicator": keys}


def goal_lines(goal: Goal, names: Mapping[str, str], lang: str = "de") -> list[str]:
    """A stored goal as plain-text lines: title, field of action, areas, linked needs, indicators.

    Areas are ``name (id)``, needs their reference code, indicators their label (a key
    the catalogue no longer has stays as it is); ``–`` stands for no link of a kind.

    >>> goal = Goal("g", None, "Mehr Schatten", "green_climate", "BZR", ("011001", "011002"),
    ...             ("3f2c9a1e-8b7d-4c6e-9f00-1a2b3c4d5e6f",), ("ug_heat", "gone_key"))
    >>> for line in goal_lines(goal, {"011001": "Tiergarten"}, "en"):
    ...     print(line)
    Mehr Schatten
    Field of action: Green space, climate and environment
    Areas: Tiergarten (011001), 011002 (011002)
    Linked needs (of the chosen area): 3F2C9A1E
    Indicators as evidence: Heat stress (environmental justice); gone_key
    """
    labels = [indicator_label(key, lang) if key in INDICATORS or key in needs_keys() else key
              for key in goal.indicator_keys]
    return [
        goal.title,
        f"{t('assess.goal.field', lang)}: {CATEGORIES[goal.field_of_action].label(lang)}",
        f"{t('assess.goal.areas', lang)}: " + ", ".join(f"{names.get(a, a)} ({a})" for a in goal.area_ids),
        f"{t('assess.goal.needs', lang)}: " + (", ".join(n[:8].upper() for n in goal.need_ids) or "–"),
        f"{t('assess.goal.indicators', lang)}: " + ("; ".join(labels) or "–"),
    ]


class GoalBook:
    """The goals in the needs database of ``store``.

    Parameters
    ----------
    store : NeedStore
        An opened (and migrated) store; goals share its engine, its
        transactions and its retry on a busy SQLite database.
    """

    def __init__(self, store: NeedStore):
        self.store = store

    def create(
        self,
        goal: GoalInput,
        *,
        created_by: str | None = None,
        known_areas: Collection[str] | None = None,
    ) -> Goal:
        """Validate and store ``goal``; return it as stored.

        Parameters
        ----------
        goal : GoalInput
        created_by : str, optional
            Who created it. No sign-in exists yet, so the page passes ``None``;
            the planner role (a later issue) passes the signed-in planner.
        known_areas : collection of str, optional
            Existing area ids of the goal's level, to refuse made-up ids.

        Raises
        ------
        ValidationError
            One :class:`~assessment.needs.validation.FieldError` per bad field; nothing is stored.
        """
        existing = self.store.existing_ids(str(n) for n in goal.need_ids)
        clean = validate_goal(goal, known_areas=known_areas, existing_needs=existing)
        row = {"id": str(uuid.uuid4()), "created_at": utc_now(), "title": clean["title"],
               "field_of_action": clean["field_of_action"], "level": clean["level"],
               "created_by": created_by, "procedure_id": goal.procedure_id or DEFAULT_PROCEDURE_ID}
        links = [{"goal_id": row["id"], "kind": kind, "ref": ref, "position": position}
                 for kind in LINK_KINDS for position, ref in enumerate(clean[kind])]

        def insert(conn: Connection) -> None:
            conn.execute(goals.insert().values(**row))
            conn.execute(goal_links.insert(), links)

        self.store.write(insert)
        return Goal(row["id"], row["created_at"], row["title"], row["field_of_action"], row["level"],
                    tuple(clean["area"]), tuple(clean["need"]), tuple(clean["indicator"]), created_by,
                    row["procedure_id"])

    def update(self, goal_id: str, goal: GoalInput, *, actor: str,
               known_areas: Collection[str] | None = None) -> Goal:
        """Replace a goal's title, field, areas and evidence; the state before is kept in its history.

        Raises
        ------
        ValidationError
            For a bad field, or a withdrawn goal (field ``status``); nothing changes.
        GoalNotFoundError
            When there is no such goal.
        """
        existing = self.store.existing_ids(str(n) for n in goal.need_ids)
        clean = validate_goal(goal, known_areas=known_areas, existing_needs=existing)
        old = self.get(goal_id)
        if old.status == "withdrawn":
            raise ValidationError([FieldError("status", "goal.error.withdrawn")])
        links = [{"goal_id": goal_id, "kind": kind, "ref": ref, "position": position}
                 for kind in LINK_KINDS for position, ref in enumerate(clean[kind])]

        def change(conn: Connection) -> None:
            self._keep_version(conn, old, actor, "edit")
            conn.execute(goals.update().where(goals.c.id == goal_id).values(
                title=clean["title"], field_of_action=clean["field_of_action"], level=clean["level"],
                updated_at=utc_now()))
            conn.execute(goal_links.delete().where(goal_links.c.goal_id == goal_id))
            conn.execute(goal_links.insert(), links)

        self.store.write(change)
        return self.get(goal_id)

    def withdraw(self, goal_id: str, *, actor: str) -> Goal:
        """Withdraw a goal: it stays stored with its history but leaves the report and the goal lists."""
        old = self.get(goal_id)
        if old.status == "withdrawn":
            return old

        def change(conn: Connection) -> None:
            self._keep_version(conn, old, actor, "withdraw")
            conn.execute(goals.update().where(goals.c.id == goal_id).values(status="withdrawn", updated_at=utc_now()))

        self.store.write(change)
        return self.get(goal_id)

    @staticmethod
    def _keep_version(conn: Connection, old: Goal, actor: str, action: str) -> None:
        if not isinstance(actor, str) or not actor.strip():
            raise ValueError(f"a goal change needs the actor (account name), got {actor!r}")
        latest = conn.execute(sa.select(sa.func.max(goal_versions.c.version))
                              .where(goal_versions.c.goal_id == old.id)).scalar()
        snapshot = {"title": old.title, "field_of_action": old.field_of_action, "level": old.level,
                    "area_ids": list(old.area_ids), "need_ids": list(old.need_ids),
                    "indicator_keys": list(old.indicator_keys), "status": old.status}
        conn.execute(goal_versions.insert().values(
            goal_id=old.id, version=(latest or 0) + 1, at=utc_now(), actor=actor.strip(), action=action,
            snapshot=json.dumps(snapshot, ensure_ascii=False)))

    def history(self, goal_id: str) -> list[GoalVersion]:
        """The earlier states of a goal, oldest first (empty for a goal never changed)."""
        rows = self.store.read(lambda conn: conn.execute(
            sa.select(goal_versions).where(goal_versions.c.goal_id == str(goal_id))
            .order_by(goal_versions.c.version)).mappings().all())
        versions = []
        for row in rows:
            snap = json.loads(row["snapshot"])
            versions.append(GoalVersion(row["version"], row["at"], row["actor"], row["action"], snap["title"],
                                        snap["field_of_action"], snap["level"], tuple(snap["area_ids"]),
                                        tuple(snap["need_ids"]), tuple(snap["indicator_keys"]), snap["status"]))
        return versions

    def linkable_needs(self, level: str, area_id: str) -> dict[str, str]:
        """The needs a goal for ``area_id`` can rest on: its published needs, newest first, id -> label.

        Only published needs: the others have not passed moderation (yet). The label is
        ``"REFERENCE – title"``.
        """
        return {n.id: f"{n.reference} – {n.title}"
                for n in self.store.query(level=level, area_ids=[area_id], statuses=("published",))}

    def list(self, *, level: str | Level | None = None, area_id: str | None = None,
             need_id: str | None = None, procedure_id: str | None = None,
             include_withdrawn: bool = False) -> list[Goal]:
        """Active goals, newest first; optionally only those of ``level``, citing ``area_id`` or
        ``need_id``, of ``procedure_id``; ``include_withdrawn`` adds the withdrawn ones."""
        statement = sa.select(goals)
        if not include_withdrawn:
            statement = statement.where(goals.c.status == "active")
        if procedure_id is not None:
            statement = statement.where(goals.c.procedure_id == procedure_id)
        if level is not None:
            statement = statement.where(goals.c.level == get_level(level).code)
        for kind, ref in (("area", area_id), ("need", need_id)):
            if ref is not None:
                cited = sa.select(goal_links.c.goal_id).where(goal_links.c.kind == kind, goal_links.c.ref == str(ref))
                statement = statement.where(goals.c.id.in_(cited))
        return self._query(statement)

    def _query(self, statement) -> list[Goal]:
        statement = statement.order_by(goals.c.created_at.desc(), goals.c.id)

        def read(conn: Connection) -> list[Goal]:
            rows = conn.execute(statement).mappings().all()
            if not rows:
                return []
            ids = [r["id"] for r in rows]
            links: dict[str, dict[str, list[str]]] = {i: {k: [] for k in LINK_KINDS} for i in ids}
            for start in range(0, len(ids), 500):  # stay below SQLite's bound-parameter limit
                chunk = ids[start:start + 500]
                found = conn.execute(
                    sa.select(goal_links).where(goal_links.c.goal_id.in_(chunk)).order_by(
                        goal_links.c.goal_id, goal_links.c.kind, goal_links.c.position)
                ).mappings().all()
                for link in found:
                    links[link["goal_id"]][link["kind"]].append(link["ref"])
            return [Goal(r["id"], r["created_at"], r["title"], r["field_of_action"], r["level"],
                         tuple(links[r["id"]]["area"]), tuple(links[r["id"]]["need"]),
                         tuple(links[r["id"]]["indicator"]), r["created_by"], r["procedure_id"], r["status"],
                         r["updated_at"]) for r in rows]

        return self.store.read(read)

    def get(self, goal_id: str) -> Goal:
        """The goal with ``goal_id``; raises :class:`GoalNotFoundError`."""
        found = self._query(sa.select(goals).where(goals.c.id == str(goal_id)))
        if not found:
            raise GoalNotFoundError(goal_id)
        return found[0]

    def delete(self, goal_id: str) -> None:
        """Delete a goal and its links; raises :class:`GoalNotFoundError` when there is none."""

        def remove(conn: Connection) -> int:
            conn.execute(goal_links.delete().where(goal_links.c.goal_id == goal_id))
            conn.execute(goal_versions.delete().where(goal_versions.c.goal_id == goal_id))
            return conn.execute(goals.delete().where(goals.c.id == goal_id)).rowcount

        if not self.store.write(remove):
            raise GoalNotFoundError(goal_id)
