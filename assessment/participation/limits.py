"""Sliding-window limits kept in the database, so that every app instance counts together.

At city scale several app instances share one PostgreSQL database; a limit kept
in process memory would let each instance count on its own, and a restart would
forget it. :class:`SharedLimiter` keeps its events in the table
``limiter_events`` (migration ``0006``) instead:

* **hashes only**: a key is ``hashed_key(kind, value)``, the SHA-256 of a random
  session or browser value or of an account name (the raw value is refused),
  and a client token is stored as its SHA-256 too;
* **short-lived**: every write of a limiter deletes its kind's events that left
  the window (10 minutes on ``/melden``, 15 minutes on ``/anmelden``), so rows
  live only until the next use of that limiter after their window;
* **atomic**: a check and the row it adds happen in one write transaction that
  holds every key involved: on SQLite the transaction starts with
  ``BEGIN IMMEDIATE`` (one writer at a time); on PostgreSQL it takes a
  transaction-level advisory lock per key, in sorted order (no deadlock), and
  counts only after it holds them, so it sees every event committed before.

Checking before the work and recording after it, in two transactions, would
let parallel requests all pass the check before any of them records. So the
pages :meth:`~SharedLimiter.reserve` a place instead: the check and a
*pending* event in one transaction. After the work succeeded,
:meth:`~SharedLimiter.record` confirms the event; when it was refused,
:meth:`~SharedLimiter.release` frees the place again, so refused attempts do
not use up the allowance. A process that dies in between leaves its pending
event counted until it leaves the window: it errs on the side of the limit.

Examples
--------
>>> from datetime import datetime, timedelta, timezone
>>> from assessment.needs.store import open_store
>>> store = open_store(database_url="sqlite://")
>>> now = [datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)]
>>> limiter = SharedLimiter(store, "report", limit=2, window_s=600, clock=lambda: now[0])
>>> key = hashed_key("session", "a-random-session-value")
>>> limiter.reserve([key], "token-1"), limiter.reserve([key], "token-1")  # a resubmit counts once
(0.0, 0.0)
>>> limiter.record([key], "token-1")
>>> now[0] += timedelta(seconds=60)
>>> limiter.reserve([key], "token-2")
0.0
>>> limiter.reserve([key], "token-3")  # full: wait until token-1 (t=0) leaves the window
540.0
>>> limiter.release([key], "token-2")  # the store refused token-2: its place is free again
>>> limiter.retry_after([key], "token-3")
0.0
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assessment.needs.model import utc_now
from assessment.needs.store import NeedStore, UTCDateTime

#: Events of the limits (migration 0006). ``kind`` separates the limits sharing the table.
limiter_events = sa.Table(
    "limiter_events",
    sa.MetaData(),
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("hashed_key", sa.String(80), nullable=False),
    sa.Column("token", sa.String(64)),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("pending", sa.Boolean(), nullable=False),
)

_HASHED_KEY = re.compile(r"[a-z_]{1,15}:[0-9a-f]{64}")
_KIND = re.compile(r"[a-z_]{1,16}")


def hashed_key(kind: str, value: str) -> str:
    """A limiter key: ``kind`` and the SHA-256 of ``value`` (the raw value is never kept).

    >>> hashed_key("session", "abc")[:16]
    'session:ba7816bf'
    """
    return f"{kind}:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


def _token_hash(token: str | None) -> str | None:
    return None if token is None else hashlib.sha256(token.encode("utf-8")).hexdigest()


def _checked_keys(keys: Iterable[str]) -> list[str]:
    """The distinct keys, sorted (the PostgreSQL lock order); refuses anything not made by :func:`hashed_key`."""
    if isinstance(keys, str):
        raise TypeError("keys must be a list of keys, got one string: wrap it as [key]")
    checked = sorted(set(keys))
    for key in checked:
        if not isinstance(key, str) or not _HASHED_KEY.fullmatch(key):
            # Do not echo the value: it might be the raw session id or account name.
            length = f" of length {len(key)}" if isinstance(key, str) else ""
            raise ValueError(
                f"a limiter key must look like 'kind:<64 hex digits>'; got a {type(key).__name__}{length} "
                "that does not: build keys with hashed_key(kind, value), never pass the raw value"
            )
    return checked


def _pg_lock_id(kind: str, key: str) -> int:
    """A signed 64-bit advisory lock id for one key of one limit."""
    digest = hashlib.sha256(f"bedarfsatlas-limiter|{kind}|{key}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SharedLimiter:
    """At most ``limit`` events per ``window_s`` seconds and key, shared through the database.

    Parameters
    ----------
    store : NeedStore
        The store whose database holds the events (any number of stores and
        processes on the same database share the limit).
    kind : str
        Which limit this is (``"report"``, ``"signin"``): limits sharing the
        table do not count each other's events.
    limit : int
        Events allowed per window and key.
    window_s : float
        Window length in seconds; an event counts while it is younger than this.
    clock : callable, optional
        Returns the current time as a timezone-aware datetime (tests pass a fake).

    Notes
    -----
    Every method takes a list of keys; an attempt must be allowed under all of
    them (a session key and a browser key, say). A ``token`` identifies one
    attempt (the form's client token): an attempt whose token is already counted
    under one of the keys is always allowed and never counted twice.
    """

    def __init__(self, store: NeedStore, kind: str, limit: int, window_s: float, *,
                 clock: Callable[[], datetime] = utc_now):
        if not isinstance(kind, str) or not _KIND.fullmatch(kind):
            raise ValueError(f"kind must be 1-16 lower-case letters or '_', such as 'report'; got {kind!r}")
        if limit < 1 or window_s <= 0:
            raise ValueError(f"limit must be >= 1 and window_s > 0, got limit={limit!r}, window_s={window_s!r}")
        self.store = store
        self.kind = kind
        self.limit = int(limit)
        self.window_s = float(window_s)
        self._clock = clock

    # -- the rules, on one connection --

    def _now(self) -> datetime:
        now = self._clock()
        if not isinstance(now, datetime) or now.tzinfo is None:
            raise ValueError(f"the limiter's clock must return a timezone-aware datetime, got {now!r}")
        return now

    def _hold(self, conn: Connection, keys: list[str]) -> None:
        """Serialise writers on these keys until the transaction ends (SQLite: BEGIN IMMEDIATE did)."""
        if conn.dialect.name == "postgresql":
            for key in keys:  # sorted: two transactions never wait for each other crosswise
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _pg_lock_id(self.kind, key)})

    def _purge(self, conn: Connection, now: datetime) -> None:
        cutoff = now - timedelta(seconds=self.window_s)
        conn.execute(limiter_events.delete().where(limiter_events.c.kind == self.kind,
                                                   limiter_events.c.at <= cutoff))

    def _wait(self, conn: Connection, keys: list[str], token: str | None, now: datetime) -> tuple[float, bool]:
        """``(seconds to wait, whether the token is already counted)`` under ``keys`` at ``now``."""
        cutoff = now - timedelta(seconds=self.window_s)
        hashed_token = _token_hash(token)
        wait = 0.0
        for key in keys:
            rows = conn.execute(
                sa.select(limiter_events.c.at, limiter_events.c.token)
                .where(limiter_events.c.kind == self.kind, limiter_events.c.hashed_key == key,
                       limiter_events.c.at > cutoff)
                .order_by(limiter_events.c.at)
            ).all()
            if hashed_token is not None and any(row.token == hashed_token for row in rows):
                return 0.0, True
            if len(rows) >= self.limit:
                # Below the limit again once all but limit - 1 of these events have left the window.
                frees_at = rows[len(rows) - self.limit].at + timedelta(seconds=self.window_s)
                wait = max(wait, (frees_at - now).total_seconds())
        return max(wait, 0.0), False

    def _insert(self, conn: Connection, keys: list[str], token: str | None, now: datetime, pending: bool) -> None:
        conn.execute(limiter_events.insert(), [
            {"kind": self.kind, "hashed_key": key, "token": _token_hash(token), "at": now, "pending": pending}
            for key in keys
        ])

    # -- public --

    def retry_after(self, keys: Iterable[str], token: str | None = None) -> float:
        """Seconds until another event may be counted under all ``keys``; ``0.0`` means now.

        Only reads: use it to tell someone how long to wait. To act on the
        answer, :meth:`reserve` (the check and the place in one transaction).
        """
        keys = _checked_keys(keys)
        now = self._now()
        return self.store.read(lambda conn: self._wait(conn, keys, token, now)[0])

    def reserve(self, keys: Iterable[str], token: str | None = None) -> float:
        """Check and, when allowed, count this attempt at once; return the seconds to wait (``0.0``: go ahead).

        With a ``token`` the event is *pending* until :meth:`record` confirms
        or :meth:`release` frees it; it counts towards the limit meanwhile. A
        token already counted is allowed again without a second event.
        """
        keys = _checked_keys(keys)

        def work(conn: Connection) -> float:
            now = self._now()
            self._hold(conn, keys)
            self._purge(conn, now)
            wait, seen = self._wait(conn, keys, token, now)
            if wait == 0.0 and not seen:
                self._insert(conn, keys, token, now, pending=token is not None)
            return wait

        return self.store.write(work)

    def record(self, keys: Iterable[str], token: str | None) -> None:
        """Count one event that happened (the store accepted the need): confirm its reservation, or add it.

        A ``token`` is counted at most once per key; without a token every call counts.
        """
        keys = _checked_keys(keys)
        hashed_token = _token_hash(token)

        def work(conn: Connection) -> None:
            now = self._now()
            self._hold(conn, keys)
            self._purge(conn, now)
            missing = keys
            if hashed_token is not None:
                counted = set(conn.execute(
                    sa.select(limiter_events.c.hashed_key).where(
                        limiter_events.c.kind == self.kind, limiter_events.c.hashed_key.in_(keys),
                        limiter_events.c.token == hashed_token)
                ).scalars())
                conn.execute(limiter_events.update().where(
                    limiter_events.c.kind == self.kind, limiter_events.c.hashed_key.in_(keys),
                    limiter_events.c.token == hashed_token).values(pending=False))
                missing = [key for key in keys if key not in counted]
            if missing:
                self._insert(conn, missing, token, now, pending=False)

        self.store.write(work)

    def release(self, keys: Iterable[str], token: str) -> None:
        """Free the places :meth:`reserve` held for ``token`` (the attempt was refused); confirmed events stay."""
        keys = _checked_keys(keys)
        hashed_token = _token_hash(token)

        def work(conn: Connection) -> None:
            self._hold(conn, keys)
            self._purge(conn, self._now())
            conn.execute(limiter_events.delete().where(
                limiter_events.c.kind == self.kind, limiter_events.c.hashed_key.in_(keys),
                limiter_events.c.token == hashed_token, limiter_events.c.pending.is_(True)))

        self.store.write(work)

    def forget(self, keys: Iterable[str]) -> None:
        """Delete every event of ``keys`` (a successful sign-in clears the failures)."""
        keys = _checked_keys(keys)

        def work(conn: Connection) -> None:
            self._hold(conn, keys)
            self._purge(conn, self._now())
            conn.execute(limiter_events.delete().where(limiter_events.c.kind == self.kind,
                                                       limiter_events.c.hashed_key.in_(keys)))

        self.store.write(work)


def reserve_together(parts: list[tuple[SharedLimiter, list[str]]], token: str | None) -> tuple[float, int | None]:
    """Reserve one attempt under several limits at once: all or nothing, in one write transaction.

    ``parts`` pairs each limiter (all on the same store) with its keys. Returns
    ``(seconds to wait, index of the part that refused)``; ``(0.0, None)`` means
    every part counted the attempt. A refused attempt counts under none of them,
    so a ceiling that is full does not use up the sender's own allowance.
    """
    if not parts:
        raise ValueError("reserve_together needs at least one limiter")
    checked = [(limiter, _checked_keys(keys)) for limiter, keys in parts]
    store = checked[0][0].store

    def work(conn: Connection) -> tuple[float, int | None]:
        now = checked[0][0]._now()
        if conn.dialect.name == "postgresql":  # every lock of every part, in one global order: no deadlock
            for lock in sorted({_pg_lock_id(limiter.kind, key) for limiter, keys in checked for key in keys}):
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock})
        worst, refused, seen_parts = 0.0, None, []
        for index, (limiter, keys) in enumerate(checked):
            limiter._purge(conn, now)
            wait, seen = limiter._wait(conn, keys, token, now)
            seen_parts.append(seen)
            if wait > worst:
                worst, refused = wait, index
        if refused is None:
            for (limiter, keys), seen in zip(checked, seen_parts):
                if not seen:
                    limiter._insert(conn, keys, token, now, pending=token is not None)
        return worst, refused

    return store.write(work)
