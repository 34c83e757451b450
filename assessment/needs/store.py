"""The needs store: one code path on SQLite (default) and PostgreSQL/PostGIS.

Once :meth:`NeedStore.submit` returns, the need is committed to disk, exactly
once: a resubmit with the same client token returns the need stored the
first time instead of a second copy.

* **SQLite** (default: ``<data dir>/bedarfsatlas.sqlite``): WAL journal, so
  readers never wait for the writer; ``synchronous=FULL``, so an
  acknowledged need survives a power cut; every write transaction starts
  with ``BEGIN IMMEDIATE`` and waits for the write lock (busy timeout 30 s,
  retried up to 60 s), so many Streamlit sessions and processes can write at
  once without "database is locked"; only a lock held longer than that (a
  stuck process) raises :class:`StoreBusyError`, and nothing is stored then.
* **PostgreSQL** with PostGIS when ``DATABASE_URL`` names one: the table
  ``needs`` has a generated ``geom`` point (EPSG:4326) with a GiST index;
  open it in QGIS as a PostGIS layer.

The schema is versioned with Alembic (``assessment/needs/migrations``);
:func:`open_store` applies pending migrations on start.

Public API
----------
``open_store(settings, *, database_url=None, geography=None) -> NeedStore``
    Open (and migrate) the database; cache the result per process (the pages
    use ``st.cache_resource``).
``NeedStore.submit(need_input, client_token=None, *, status="pending") -> Need``
    Validate and store; raises :class:`assessment.needs.validation.ValidationError`.
``NeedStore.get(need_id) -> Need``, ``NeedStore.query(...) -> list[Need]``,
``NeedStore.query_frame(...) -> DataFrame``,
``NeedStore.counts_by_area(level, ...) -> DataFrame``,
``NeedStore.points_in_bounds(south, west, north, east, limit, ...) -> DataFrame``,
``NeedStore.support(need_id, client_token) -> int``,
``NeedStore.set_status(need_id, status, merged_into=None) -> Need``,
``NeedStore.backup(path)``.
``NeedStore.read(work) -> T``, ``NeedStore.write(work) -> T``
    The transaction API for the other modules of the ``assessment`` package that keep
    tables in the needs database (moderation, workshops, procedures, limits, goals,
    accounts, retention): ``work(conn)`` runs on a short read connection, or in one write
    transaction with the store's lock retry and :meth:`NeedStore.data_version` bump.

Examples
--------
>>> from assessment.needs.model import NeedInput
>>> class OneSquare:  # a stand-in geography: one planning area, 52-53 N, 13-14 E
...     def locate(self, lat, lon):
...         inside = 52 <= lat <= 53 and 13 <= lon <= 14
...         return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"} if inside else None
...     def area_point(self, level, area_id):
...         return None
>>> store = open_store(database_url="sqlite://", geography=OneSquare())
>>> need = store.submit(NeedInput(category="mobility", title="Mehr Fahrradbügel", lat=52.5, lon=13.4))
>>> need.status, need.unit("PLR"), need.support_count
('pending', '01100101', 0)
>>> store.support(need.id, client_token="browser-session-1"), store.support(need.id, client_token="browser-session-1")
(1, 1)
>>> store.counts_by_area("BEZ", statuses=None).to_dict("records")
[{'BEZ_ID': '01', 'category': 'mobility', 'count': 1}]
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
import uuid
import zlib
from contextlib import nullcontext
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool

from assessment.needs.geography import Geography, geography_levels, level_codes
from assessment.needs.model import (
    DEFAULT_PROCEDURE_ID,
    STATUSES,
    ImportExtras,
    Need,
    NeedInput,
    utc_now,
)
from assessment.needs.validation import (
    FieldError,
    ValidationError,
    check_client_token,
    check_status,
    validate_need,
)
from core.i18n import Message, NotFoundError, TranslatedError
from core.settings import Settings
from geodata.profile import LevelSpec

T = TypeVar("T")

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 30.0
# Any lock wait longer than this is a fault (a stuck process), not load: say so clearly.
WRITE_DEADLINE_S = 60.0
_PG_MIGRATION_LOCK = zlib.crc32(b"bedarfsatlas-migrations")


class UTCDateTime(sa.types.TypeDecorator):
    """A point in time stored as naive UTC and read back timezone-aware.

    Both databases then compare and order times the same way, whatever the
    server's or the session's time zone.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing a naive datetime {value!r}: pass a timezone-aware time")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


metadata = sa.MetaData()
needs = sa.Table(
    "needs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("lat", sa.Float(), nullable=False),
    sa.Column("lon", sa.Float(), nullable=False),
    sa.Column("located_by", sa.String(8), nullable=False),
    sa.Column("area_level", sa.String(8)),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("merged_into", sa.String(36)),
    sa.Column("support_count", sa.Integer(), nullable=False),
    sa.Column("workshop_id", sa.String(64)),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("client_token", sa.String(128)),
    sa.Column("procedure_id", sa.String(36), nullable=False, server_default=DEFAULT_PROCEDURE_ID),
    sa.Column("answers", sa.Text()),
)
#: The unit a need lies in, per level of the city profile (migration 0013): one row per need and
#: level it has an id for. A child table, not a column per level, so that the schema is the same
#: for every city; ``ix_need_units_unit`` (level, unit_id, need_id) serves area filters. ``status``
#: and ``category`` are copies of the need's (kept by a trigger on ``needs``), so that the counts
#: per area come from ``ix_need_units_counts`` (level, status, category, unit_id) without a join.
need_units = sa.Table(
    "need_units",
    metadata,
    sa.Column("need_id", sa.String(36), sa.ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("level", sa.String(8), primary_key=True),
    sa.Column("unit_id", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
)
supports = sa.Table(
    "supports",
    metadata,
    sa.Column("need_id", sa.String(36), primary_key=True),
    sa.Column("client_token", sa.String(128), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("procedure_id", sa.String(36), nullable=False, server_default=DEFAULT_PROCEDURE_ID),
)
#: One row (``id`` 1) whose ``version`` every write transaction raises: see :meth:`NeedStore.data_version`.
data_version_table = sa.Table(
    "data_version",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger(), nullable=False),
)
NEED_FIELDS = tuple(f.name for f in fields(Need))
"""The fields of :class:`Need`; ``units`` is read from ``need_units``, the others are columns of ``needs``."""
_NEED_COLUMNS = [needs.c[name] for name in NEED_FIELDS if name != "units"]


class StoreError(TranslatedError, RuntimeError):
    """The needs database cannot do what was asked; the message says why and what to do.

    Its :class:`core.i18n.Message` is shown in the reader's language (:meth:`in_language`);
    ``str()`` is English.
    """


class StoreBusyError(StoreError):
    """The database stayed locked longer than :data:`WRITE_DEADLINE_S`."""


class NeedNotFoundError(NotFoundError):
    """No need has this id (:attr:`need_id`, also ``args[0]``).

    A ``KeyError``, since a lookup by id found nothing; its message names the id and says
    to check it: ``str()`` in English, :meth:`in_language` in any language.

    >>> error = NeedNotFoundError("4f1c")
    >>> str(error)
    "no need with id '4f1c': check the id (or the reference code's full id)"
    >>> error.in_language("de")
    "Kein Bedarf hat die Kennung '4f1c'; prüfen Sie die Kennung (oder die vollständige Kennung hinter dem Referenzcode)"
    """

    message_key = "store.error.need_not_found"

    @property
    def need_id(self) -> object:
        """The id looked for."""
        return self.key


# --- engine ---------------------------------------------------------------------------------


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url`` with the connection settings the store relies on."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    in_memory = url.database in (None, "", ":memory:")
    if not in_memory:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        # One shared connection for an in-memory database (else every connection is a new, empty one).
        **({"poolclass": StaticPool} if in_memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # pysqlite's own transaction handling would start transactions late and DEFERRED;
        # we begin them ourselves (below) so that writers queue for the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        if not in_memory:
            _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # IMMEDIATE takes the write lock at BEGIN, where the busy timeout applies; a DEFERRED
        # transaction that reads first and then writes can fail at once with "database is locked".
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _switch_to_wal(cursor, deadline_s: float = SQLITE_BUSY_TIMEOUT_S) -> None:
    """Put the database file into WAL mode (once per file; WAL is kept in the file).

    Several processes opening a new file at the same moment all try the switch; it needs
    the file to itself, and SQLite may answer "database is locked" at once instead of
    waiting for the busy timeout. So: nothing to do when the file is in WAL already,
    else retry until ``deadline_s``; a lock held longer than that is an error.
    """
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as error:
            message = str(error).lower()
            if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def newest_revision() -> str:
    """The newest migration's revision id: each file in ``migrations/versions`` starts with its own ("0010_...").

    >>> newest_revision() >= "0010"
    True
    """
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def _at_newest_revision(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            current = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # a new database: no alembic_version yet
        return False
    return current == [newest_revision()]


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default the newest); safe when several processes start at once.

    A database already at the newest revision is left alone after one read, without
    loading Alembic and its migration scripts (a third of a second of every process's start).
    """
    if revision == "head" and _at_newest_revision(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises concurrent starts
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _is_lock_error(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text or "deadlock detected" in text


# --- the store ------------------------------------------------------------------------------


class NeedStore:
    """Needs and supports in one database. Create it with :func:`open_store`."""

    def __init__(self, engine: Engine, geography: Geography | Callable[[], Geography] | None,
                 levels: Sequence[LevelSpec] | None = None):
        self.engine = engine
        self._geography = geography
        self.levels: tuple[LevelSpec, ...] = tuple(levels) if levels else geography_levels(
            geography if hasattr(geography, "locate") else None)
        """The unit levels the store keeps ids for (the city profile's, finest first)."""
        self.level_codes = level_codes(self.levels)
        # SQLite has one writer at a time. Threads of this process queue here, in order, rather
        # than in SQLite's busy handler, which sleeps in steps of up to 100 ms and so let a burst
        # of sends wait seconds for a lock held a millisecond at a time (bench/load.py, 100
        # residents). Other processes still meet the busy timeout. PostgreSQL locks rows itself.
        self._writers = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @property
    def geography(self) -> Geography:
        """The geography that locates needs; loaded on first use (exports never need it)."""
        if self._geography is None:
            raise StoreError(Message("store.error.no_geography"))
        if callable(self._geography) and not hasattr(self._geography, "locate"):
            self._geography = self._geography()
        return self._geography

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()

    # -- transactions --
    #
    # The store's transaction API for the other modules of the assessment package (moderation,
    # workshops, procedures, limits, goals, auth, retention keep their own tables in the needs
    # database): every statement on the database goes through read() or write(), so each
    # write waits for the lock the same way and raises the data version that caches rely on.

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(conn)`` on a short read-only connection and return its result.

        On SQLite the transaction begins ``DEFERRED``: it takes no write lock, and under WAL it
        never waits for a writer. Return plain values (rows fetched with ``.all()``, ``.first()``,
        ``.scalar()``), not a cursor: the connection is closed when ``work`` returns. Use
        :meth:`write` for anything that changes the database.

        >>> store = open_store(database_url="sqlite://")
        >>> store.read(lambda conn: conn.execute(sa.select(sa.func.count()).select_from(needs)).scalar_one())
        0
        """
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn = conn.execution_options(sqlite_begin="DEFERRED")
            return work(conn)

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(conn)`` in one write transaction and return its result; commit, or roll back on an error.

        The transaction also raises :meth:`data_version`, so every cache keyed by it sees the change.
        While the database is locked by another writer, the whole transaction is retried (so
        ``work`` may run more than once and must only touch ``conn``) with a growing pause, for up
        to :data:`WRITE_DEADLINE_S` seconds; then :class:`StoreBusyError` says that nothing was
        stored. An exception raised by ``work`` (e.g. a refused request) rolls back and propagates.

        >>> store = open_store(database_url="sqlite://")
        >>> store.write(lambda conn: conn.execute(needs.delete()).rowcount)
        0
        """
        deadline = time.monotonic() + WRITE_DEADLINE_S
        pause = 0.01
        while True:
            try:
                with self._writers, self.engine.begin() as conn:
                    result = work(conn)
                    # Last, so that no transaction waits for another while it holds this row.
                    conn.execute(data_version_table.update().where(data_version_table.c.id == 1)
                                 .values(version=data_version_table.c.version + 1))
                    return result
            except OperationalError as error:
                if not _is_lock_error(error) or time.monotonic() > deadline:
                    if _is_lock_error(error):
                        raise StoreBusyError(Message("store.error.busy", seconds=f"{WRITE_DEADLINE_S:g}")) from error
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def data_version(self) -> int:
        """A number that changes with every write to the database, by any app process.

        Each write transaction of the store raises it in the same transaction, so a
        cache keyed by it (the needs counts of ``/bewertung``) is fresh at the first
        run after a change committed anywhere; asking costs one read by primary key.

        >>> store = open_store(database_url="sqlite://")
        >>> before = store.data_version()
        >>> _ = store.write(lambda conn: None)  # any write transaction, e.g. a need stored
        >>> store.data_version() == before + 1
        True
        """
        return self.read(lambda conn: conn.execute(
            sa.select(data_version_table.c.version).where(data_version_table.c.id == 1)).scalar_one())

    def select_needs(self) -> sa.Select:
        """``SELECT`` of whole needs: the columns of ``needs`` and one unit id per level, in :attr:`levels` order.

        One outer join per level on the primary key of ``need_units``; turn rows into needs
        with :meth:`need_from_row`.
        """
        joined, ids = needs, []
        for i, code in enumerate(self.level_codes):
            unit = need_units.alias(f"unit_{i}")
            joined = joined.outerjoin(unit, sa.and_(unit.c.need_id == needs.c.id, unit.c.level == code))
            ids.append(unit.c.unit_id)
        return sa.select(*_NEED_COLUMNS, *ids).select_from(joined)

    def need_from_row(self, row) -> Need:
        """The :class:`Need` of one row of :meth:`select_needs`."""
        values = dict(zip((name for name in NEED_FIELDS if name != "units"), row))
        values["units"] = dict(zip(self.level_codes, row[len(_NEED_COLUMNS):]))
        values["answers"] = _answers(values["answers"])
        return Need(**values)

    def _level(self, level) -> str:
        return _level_code(self.level_codes, level)

    def _filters(self, *args) -> list:
        return _filters_for(self.level_codes, *args)

    def _units(self, units: dict | None) -> dict[str, str | None]:
        """``units`` for every level of the store, ``None`` where there is no id."""
        units = units or {}
        unknown = [code for code in units if code not in self.level_codes]
        if unknown:
            raise ValueError(f"unit ids for level {unknown[0]!r}, which this store does not keep: "
                             f"use one of {', '.join(self.level_codes)}")
        return {code: units.get(code) for code in self.level_codes}

    # -- writing --

    def submit(self, need: NeedInput, client_token: str | None = None, *, status: str = "pending",
               procedure=None) -> Need:
        """Validate ``need`` and store it (default as ``pending``); return the stored need.

        Parameters
        ----------
        need : NeedInput
            What the resident sent.
        client_token : str, optional
            A random token the page creates once per form; a resubmit with the
            same token (a double click, a retry after a timeout) returns the
            need stored the first time instead of storing it again.
        status : {"pending", "published"}
            ``pending`` waits for moderation (the default); ``published`` is for
            an operator who set ``BEDARFSATLAS_PUBLISH_IMMEDIATELY``. A resubmit
            returns the first need unchanged, whatever its status now.
        procedure : Procedure, optional
            The participation procedure (:class:`assessment.needs.procedures.Procedure`) the
            need goes into: it must be open, the place must lie in its area, the category
            must be one of its categories, and ``need.answers`` are checked against its
            questions. Without it the need goes into ``need.procedure_id`` (default
            "Allgemein") with the standard categories.

        Raises
        ------
        ValidationError
            When any field is refused; nothing is stored.
        ValueError
            For any other ``status`` (a programming error, not user input).
        """
        if status not in ("pending", "published"):
            raise ValueError(f"a new need starts as 'pending' or 'published', got status={status!r}")
        if error := check_client_token(client_token):
            raise ValidationError([error])
        if procedure is None:
            columns = validate_need(need, self.geography)
        else:
            errors: list[FieldError] = []
            try:
                columns = validate_need(need, self.geography, categories=procedure.category_ids())
            except ValidationError as refused:
                columns, errors = None, list(refused.errors)
            if not procedure.is_open():
                errors.append(FieldError("procedure", "procedure.error.not_open",
                                         {"procedure": dict(procedure.title), "period": procedure.period_text()}))
            if columns is not None and not _in_procedure_area(columns, procedure, self.geography):
                errors.append(procedure.out_of_area_error(*(
                    (columns["lat"], columns["lon"]) if columns["located_by"] == "point" else ())))
            answers, answer_errors = procedure.check_answers(need.answers)
            errors += answer_errors
            if errors:
                raise ValidationError(errors)
            columns = {**columns, "procedure_id": procedure.id,
                       "answers": json.dumps(answers, ensure_ascii=False, sort_keys=True) if answers else None}
        return self._insert(columns, ImportExtras(status=status), client_token)

    def _insert(self, columns: dict, extras: ImportExtras, client_token: str | None) -> Need:
        columns = dict(columns)
        units = self._units(columns.pop("units", None))
        row = {
            **columns,
            "id": extras.id or str(uuid.uuid4()),
            "created_at": extras.created_at or utc_now(),
            "status": extras.status,
            "merged_into": extras.merged_into,
            "support_count": extras.support_count,
            "client_token": client_token,
            "procedure_id": columns.get("procedure_id") or DEFAULT_PROCEDURE_ID,
            "answers": columns.get("answers"),
        }

        def insert(conn: Connection) -> Need:
            if client_token is not None:
                # The id alone first: almost every token is new, and that answer needs no join.
                existing = conn.execute(sa.select(needs.c.id).where(needs.c.client_token == client_token)).first()
                if existing is not None:
                    return self.need_from_row(conn.execute(self.select_needs().where(needs.c.id == existing.id)).one())
            conn.execute(needs.insert().values(**row))
            _insert_units(conn, [row], [units])
            return _row_need(row, units)

        try:
            return self.write(insert)
        except IntegrityError:
            # PostgreSQL: a concurrent resubmit with the same token committed first.
            if client_token is None:
                raise
            existing = self._by_token(client_token)
            if existing is None:
                raise
            return existing

    def add_validated(self, records: Sequence[tuple[dict, ImportExtras]]) -> list[Need]:
        """Store already validated needs in one transaction: all of them, or none.

        For imports (:mod:`assessment.needs.exchange`): each record is the columns from
        :func:`~assessment.needs.validation.validate_need` and the import-only fields.
        Needs merged into another need are written after the others, so that a
        file may list a merged need before its target.
        """
        for columns, _ in records:
            unknown = set(columns) - {column.name for column in needs.columns} - {"units"}
            if unknown:  # a column the table lacks would be dropped without a word
                raise ValueError(f"columns {', '.join(sorted(unknown))} are not columns of a need: unit ids go "
                                 f"in 'units' as {{level code: id}}, e.g. {{'{self.level_codes[0]}': ...}}")
        units = [self._units(columns.get("units")) for columns, _ in records]
        rows = [
            {
                **{k: v for k, v in columns.items() if k != "units"},
                "id": extras.id or str(uuid.uuid4()),
                "created_at": extras.created_at or utc_now(),
                "status": extras.status,
                "merged_into": extras.merged_into,
                "support_count": extras.support_count,
                "client_token": None,
                # Columns built by hand (bench, older callers) name no procedure: "Allgemein".
                "procedure_id": columns.get("procedure_id") or DEFAULT_PROCEDURE_ID,
                "answers": columns.get("answers"),
            }
            for columns, extras in records
        ]
        ordered = sorted(rows, key=lambda row: row["merged_into"] is not None)

        def insert(conn: Connection) -> None:
            if ordered:
                conn.execute(needs.insert(), ordered)
                _insert_units(conn, rows, units)

        self.write(insert)
        return [_row_need(row, ids) for row, ids in zip(rows, units)]

    def existing_ids(self, need_ids: Iterable[str]) -> set[str]:
        """Those of ``need_ids`` that are stored already."""
        wanted = list(dict.fromkeys(need_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # stay below SQLite's bound-parameter limit
            chunk = wanted[start : start + 500]
            found |= set(
                self.read(
                    lambda conn: conn.execute(sa.select(needs.c.id).where(needs.c.id.in_(chunk))).scalars().all()
                )
            )
        return found

    def _by_token(self, client_token: str) -> Need | None:
        row = self.read(
            lambda conn: conn.execute(self.select_needs().where(needs.c.client_token == client_token)).first()
        )
        return None if row is None else self.need_from_row(row)

    def support(self, need_id: str, client_token: str) -> int:
        """Record one "me too" for ``need_id`` from ``client_token``; return the support count.

        A second support from the same token counts once.

        Raises
        ------
        NeedNotFoundError
            When there is no such need.
        ValidationError
            When the token is missing or malformed.
        """
        # Unlike a submit, a support without a token cannot be counted once: refuse it.
        if error := check_client_token(client_token if client_token is not None else ""):
            raise ValidationError([error])

        def add(conn: Connection) -> int:
            found = conn.execute(
                sa.select(needs.c.support_count, needs.c.procedure_id).where(needs.c.id == need_id)
            ).first()
            if found is None:
                raise NeedNotFoundError(need_id)
            count, procedure_id = found
            already = conn.execute(
                sa.select(sa.literal(1)).where(
                    supports.c.need_id == need_id, supports.c.client_token == client_token
                )
            ).first()
            if already:
                return count
            conn.execute(supports.insert().values(need_id=need_id, client_token=client_token, created_at=utc_now(),
                                                  procedure_id=procedure_id))
            # RETURNING: on PostgreSQL other tokens may have supported since the read above.
            return conn.execute(
                needs.update()
                .where(needs.c.id == need_id)
                .values(support_count=needs.c.support_count + 1)
                .returning(needs.c.support_count)
            ).scalar_one()

        try:
            return self.write(add)
        except IntegrityError:
            # PostgreSQL: the same token supported the same need concurrently; it counts once.
            return self.get(need_id).support_count

    def set_status(self, need_id: str, status: str, merged_into: str | None = None) -> Need:
        """Change the moderation status of a need; ``merged`` needs ``merged_into``.

        Raises
        ------
        ValidationError
            For an unknown status or a missing/unknown/self ``merged_into``.
        NeedNotFoundError
            When there is no such need.
        """
        if error := check_status(status):
            raise ValidationError([error])
        if status == "merged" and (merged_into is None or merged_into == need_id):
            raise ValidationError([_merge_target_error(merged_into)])
        if status != "merged":
            merged_into = None

        def change(conn: Connection) -> None:
            if merged_into is not None and conn.execute(
                sa.select(needs.c.id).where(needs.c.id == merged_into)
            ).first() is None:
                raise ValidationError([_merge_target_error(merged_into)])
            done = conn.execute(
                needs.update().where(needs.c.id == need_id).values(status=status, merged_into=merged_into)
            )
            if done.rowcount == 0:
                raise NeedNotFoundError(need_id)

        self.write(change)
        return self.get(need_id)

    # -- reading --

    def get(self, need_id: str) -> Need:
        """The need with id ``need_id``; raises :class:`NeedNotFoundError`."""
        row = self.read(lambda conn: conn.execute(self.select_needs().where(needs.c.id == need_id)).first())
        if row is None:
            raise NeedNotFoundError(need_id)
        return self.need_from_row(row)

    def query(
        self,
        *,
        level: str | None = None,
        area_ids: Iterable[str] | None = None,
        bbox: Sequence[float] | None = None,
        categories: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        statuses: Iterable[str] | None = ("published",),
        workshop_id: str | None = None,
        procedure_id: str | None = None,
        limit: int | None = None,
    ) -> list[Need]:
        """Needs that match every given filter, newest first.

        Parameters
        ----------
        level, area_ids
            Needs inside any of ``area_ids`` of ``level`` (a level code of :attr:`levels`,
            e.g. Berlin's PLR, BZR, PGR, BEZ, or a level object with ``code``).
            Needs located only by a coarser area have no id at finer levels and
            are not returned for them.
        bbox
            ``(min_lon, min_lat, max_lon, max_lat)`` in WGS84 degrees (GeoJSON order).
        categories
            Category ids.
        since, until
            Created at or after ``since`` and before ``until`` (timezone-aware).
        statuses
            Default: published only, what the public may see. ``None``: every status.
        workshop_id
            Needs collected in this workshop.
        procedure_id
            Needs of this participation procedure (:mod:`assessment.needs.procedures`).
        limit
            At most this many.
        """
        where = self._filters(level, area_ids, bbox, categories, since, until, statuses, workshop_id, procedure_id)
        statement = self.select_needs().where(*where).order_by(needs.c.created_at.desc(), needs.c.id)
        if limit is not None:
            statement = statement.limit(limit)
        return [self.need_from_row(row) for row in self.read(lambda conn: conn.execute(statement).all())]

    def query_frame(self, **filters) -> pd.DataFrame:
        """:meth:`query` as a DataFrame (one row per need, the :class:`Need` fields and ``reference``).

        For map layers and tables; takes the same keyword filters as :meth:`query`. ``units``
        becomes one column per level, named like the exports' (``<CODE>_ID``: Berlin ``PLR_ID`` …).
        """
        return needs_frame(self.query(**filters), self.levels)

    def points_in_bounds(
        self,
        south: float,
        west: float,
        north: float,
        east: float,
        limit: int,
        *,
        categories: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        statuses: Iterable[str] | None = ("published",),
        workshop_id: str | None = None,
        procedure_id: str | None = None,
    ) -> pd.DataFrame:
        """The needs inside a map view, newest first, as the map draws them: at most ``limit``.

        For the planners' map at street zoom: fast with any number of needs in
        the store (index ``ix_needs_position``, migration 0009), and nothing in
        the answer but what a dot on the map shows.

        Parameters
        ----------
        south, west, north, east : float
            The view in WGS84 degrees (Leaflet's bounds order); edges included.
        limit : int
            At most this many rows (>= 1). Ask for one more than you draw to
            learn whether the view holds more.
        categories, since, until, statuses, workshop_id
            As for :meth:`query`; default published needs only.

        Returns
        -------
        DataFrame
            Columns ``lat``, ``lon``, ``category``, ``title``: no id, token,
            description, workshop or language.

        Examples
        --------
        >>> from assessment.needs.model import NeedInput
        >>> class OneSquare:
        ...     def locate(self, lat, lon):
        ...         return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"}
        >>> store = open_store(database_url="sqlite://", geography=OneSquare())
        >>> for lon, status in [(13.40, "published"), (13.41, "published"), (13.60, "published"), (13.40, "pending")]:
        ...     _ = store.submit(NeedInput(category="mobility", title=f"Bank {lon}", lat=52.5, lon=lon), status=status)
        >>> store.points_in_bounds(52.49, 13.39, 52.51, 13.42, limit=10)["title"].tolist()
        ['Bank 13.41', 'Bank 13.4']
        """
        bounds = (south, west, north, east)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in bounds) \
                or not (south <= north and west <= east):
            raise ValueError(f"bounds must be finite (south, west, north, east) with south <= north and "
                             f"west <= east, got {bounds!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a whole number >= 1, got {limit!r}")
        where = self._filters(None, None, (west, south, east, north), categories, since, until, statuses,
                              workshop_id, procedure_id)
        newest = [needs.c.created_at.desc(), needs.c.id]
        # Pick the newest ids from the index ix_needs_position alone (it holds status, position, time
        # and id), then read only those rows: a street view may hold thousands of needs.
        chosen = sa.select(needs.c.id).where(*where).order_by(*newest).limit(limit)
        statement = (sa.select(needs.c.lat, needs.c.lon, needs.c.category, needs.c.title)
                     .where(needs.c.id.in_(chosen)).order_by(*newest))
        rows = self.read(lambda conn: conn.execute(statement).all())
        return pd.DataFrame([tuple(r) for r in rows], columns=["lat", "lon", "category", "title"])

    def counts_by_area(
        self,
        level: str,
        *,
        by_category: bool = True,
        categories: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        statuses: Iterable[str] | None = ("published",),
        workshop_id: str | None = None,
        procedure_id: str | None = None,
    ) -> pd.DataFrame:
        """Number of needs per area of ``level`` (and per category), for choropleths and the index.

        Returns
        -------
        DataFrame
            Columns the level's id field (Berlin: ``PLR_ID`` …), ``category`` (when
            ``by_category``) and ``count``, sorted by id and category; only areas with at least
            one need. Needs located only by a coarser area than ``level`` are not counted at ``level``.
        """
        spec = self.levels[self.level_codes.index(self._level(level))]
        if since is None and until is None and workshop_id is None and procedure_id is None:
            # The common case, the whole city's needs by status and category: from the covering index
            # ix_need_units_counts (level, status, category, unit_id) alone, no join (migration 0013).
            # Grouped by every index column in index order, so that both databases stream the groups
            # out of the index without sorting; the few thousand groups are summed below.
            keys = [need_units.c.status, need_units.c.category, need_units.c.unit_id]
            where = [need_units.c.level == spec.code,
                     need_units.c.status.in_(_statuses(STATUSES if statuses is None else statuses))]
            if categories is not None:
                where.append(need_units.c.category.in_(list(categories)))
            source = need_units
        else:
            # Filters only needs has: join. Needs without an id at this level have no row and fall out.
            keys = [needs.c.status, needs.c.category, need_units.c.unit_id]
            where = [need_units.c.level == spec.code,
                     *self._filters(None, None, None, categories, since, until, statuses, workshop_id, procedure_id)]
            source = need_units.join(needs, needs.c.id == need_units.c.need_id)
        statement = sa.select(*keys, sa.func.count().label("count")).select_from(source).where(*where).group_by(*keys)
        rows = self.read(lambda conn: conn.execute(statement).all())
        groups = pd.DataFrame([tuple(r) for r in rows], columns=["status", "category", spec.id_field, "count"])
        by = [spec.id_field] + (["category"] if by_category else [])
        frame = groups.groupby(by, as_index=False, sort=True)["count"].sum()
        frame["count"] = frame["count"].astype("int64")
        return frame

    def count(self, *, statuses: Iterable[str] | None = None, procedure_id: str | None = None) -> int:
        """Number of stored needs (default: every status; optionally of one procedure)."""
        where = [needs.c.status.in_(list(statuses))] if statuses is not None else []
        if procedure_id is not None:
            where.append(needs.c.procedure_id == procedure_id)
        return self.read(lambda conn: conn.execute(sa.select(sa.func.count()).select_from(needs).where(*where)).scalar())

    # -- backup --

    def backup(self, path: str | Path) -> Path:
        """Write a consistent copy of the SQLite database to ``path``, also while others write.

        Uses SQLite's online backup API into a temporary file that is renamed
        when complete. For PostgreSQL, use ``pg_dump`` (see the error message).
        """
        path = Path(path)
        if self.backend != "sqlite":
            url = self.engine.url
            raise StoreError(Message(
                "store.error.backup_postgresql",
                command=f"pg_dump --format=custom --file {path} --host {url.host or 'localhost'} "
                        f"--port {url.port or 5432} --username {url.username or 'postgres'} {url.database}"))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        source = self.engine.raw_connection()
        try:
            target = sqlite3.connect(partial)
            try:
                source.driver_connection.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        partial.replace(path)
        return path


def _in_procedure_area(columns: dict, procedure, geography: Geography) -> bool:
    if columns["located_by"] == "point":
        return procedure.contains(columns["lat"], columns["lon"], geography)
    level = columns["area_level"]
    return procedure.contains_area(level, columns["units"][level], geography)


def _merge_target_error(merged_into: object) -> FieldError:
    return FieldError("merged_into", "validation.merged_into.missing", {"value": repr(merged_into)})


def _insert_units(conn: Connection, rows: Sequence[dict], units: Sequence[dict]) -> None:
    """The ``need_units`` rows of new needs (``rows`` as inserted into ``needs``, ``units`` beside them)."""
    values = [{"need_id": row["id"], "level": code, "unit_id": unit_id, "status": row["status"],
               "category": row["category"]}
              for row, ids in zip(rows, units) for code, unit_id in ids.items() if unit_id is not None]
    if values:
        conn.execute(need_units.insert(), values)


def needs_frame(found: Sequence[Need], levels: Sequence[LevelSpec]) -> pd.DataFrame:
    """Needs as a table: the :class:`Need` fields, ``reference`` second, ``units`` as ``<CODE>_ID`` columns.

    >>> from geodata.profile import LevelSpec, Text
    >>> quarter = LevelSpec("QU", "units", "QU_ID", "QU_NAME", 4, "prefix", None, Text(), Text())
    >>> list(needs_frame([], [quarter]).columns[:3]), "QU_ID" in needs_frame([], [quarter]).columns
    (['id', 'reference', 'created_at'], True)
    """
    names = [name for name in NEED_FIELDS if name != "units"]
    at = NEED_FIELDS.index("units")
    id_columns = [unit_column(level) for level in levels]
    columns = names[:at] + id_columns + names[at:]
    records = []
    for need in found:
        values = need.as_dict()
        units = values.pop("units")
        values.update({unit_column(level): units.get(level.code) for level in levels})
        records.append(values)
    frame = pd.DataFrame(records, columns=columns)
    frame.insert(1, "reference", [n.reference for n in found])
    return frame


def unit_column(level) -> str:
    """The column of a level's unit ids in tables and exports: ``<CODE>_ID`` (Berlin: ``PLR_ID`` …).

    >>> unit_column("BZR")
    'BZR_ID'
    """
    return f"{getattr(level, 'code', level)}_ID"


def _filters_for(codes: tuple[str, ...], level, area_ids, bbox, categories, since, until, statuses, workshop_id,
                 procedure_id=None) -> list:
    where = []
    if area_ids is not None:
        if level is None:
            raise ValueError(f"area_ids needs level= ({', '.join(codes)}) to say which ids they are")
        code = _level_code(codes, level)
        where.append(needs.c.id.in_(
            sa.select(need_units.c.need_id).where(need_units.c.level == code,
                                                  need_units.c.unit_id.in_(list(area_ids)))))
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
        if min_lon > max_lon or min_lat > max_lat:
            raise ValueError(
                f"bbox must be (min_lon, min_lat, max_lon, max_lat), got {tuple(bbox)!r}: "
                "minimum and maximum look swapped"
            )
        where += [needs.c.lat.between(min_lat, max_lat), needs.c.lon.between(min_lon, max_lon)]
    if categories is not None:
        where.append(needs.c.category.in_(list(categories)))
    if since is not None:
        where.append(needs.c.created_at >= since)
    if until is not None:
        where.append(needs.c.created_at < until)
    if statuses is not None:
        where.append(needs.c.status.in_(_statuses(statuses)))
    if workshop_id is not None:
        where.append(needs.c.workshop_id == workshop_id)
    if procedure_id is not None:
        where.append(needs.c.procedure_id == procedure_id)
    return where


def _statuses(statuses) -> list[str]:
    statuses = [statuses] if isinstance(statuses, str) else list(statuses)
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}: use one of {', '.join(STATUSES)}")
    return statuses


def _level_code(codes: tuple[str, ...], level) -> str:
    """The code of ``level`` (a code, any case, or an object with ``code``) if the store keeps it."""
    code = getattr(level, "code", level)
    code = code.upper() if isinstance(code, str) else code
    if code not in codes:
        raise ValueError(f"level must be one of {', '.join(codes)}, got {level!r}")
    return code


def _answers(stored) -> tuple[tuple[str, str], ...]:
    """The ``answers`` column (JSON text, or a dict before it is written) as sorted pairs."""
    if not stored:
        return ()
    answers = json.loads(stored) if isinstance(stored, str) else stored
    return tuple(sorted((str(k), str(v)) for k, v in answers.items()))


def _row_need(row: dict, units: dict) -> Need:
    values = {name: row[name] for name in NEED_FIELDS if name != "units"}
    return Need(**{**values, "answers": _answers(values["answers"]), "units": units})


def open_store(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    geography: Geography | None = None,
    levels: Sequence[LevelSpec] | None = None,
    migrate_schema: bool = True,
) -> NeedStore:
    """Open the needs database named by ``settings`` (or ``database_url``) and migrate it.

    Parameters
    ----------
    settings : Settings, optional
        Gives ``database_url`` (``DATABASE_URL``, default the SQLite file in the
        data folder) and, unless ``geography`` is given, the LOR geometry.
    database_url : str, optional
        Overrides ``settings.database_url``.
    geography : Geography, optional
        Locates new needs; default the city profile's unit geometry, loaded on first submit.
    levels : sequence of LevelSpec, optional
        The unit levels the store keeps ids for; default ``geography.levels`` if it has them,
        else the active city profile's (``BEDARFSATLAS_PROFILE``).
    migrate_schema : bool
        Apply pending migrations (default). The app always does.
    """
    if database_url is None:
        if settings is None:
            raise ValueError("open_store needs settings (see core.settings.load_settings) or database_url=")
        database_url = settings.database_url
    if geography is None and settings is not None:
        from assessment.needs.geography import geography_from_settings

        geography = lambda: geography_from_settings(settings)  # noqa: E731 - loaded on first submit
    engine = make_engine(database_url)
    if migrate_schema:
        try:
            migrate(engine)
        except BaseException:
            engine.dispose()  # do not leave a connection open to a database we could not use
            raise
    return NeedStore(engine, geography, levels)
