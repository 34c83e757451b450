"""What the residents' page needs besides the store: abuse limits, workshops, nearby needs.

Plain Python, no streamlit, so every rule here is tested without a browser.

* :class:`RateLimiter` — at most ``limit`` needs per ``window_s`` seconds per key
  (a browser session, a browser). It lives in the server process, keyed by a
  SHA-256 hash of a random session or browser value (:func:`hashed_key`): no IP
  address, nothing that identifies a person, and it is gone after a restart.
  A repeated client token (a double click, a rerun) counts once.
* :func:`honeypot_filled` — the page carries a field humans are told to leave
  empty; automated form fillers tend to fill every field.
* :class:`WorkshopDirectory` — how ``/melden?workshop=CODE`` finds the workshop.
  :class:`TableWorkshopDirectory` reads the ``workshops`` table of
  :mod:`assessment.workshops` (``code``, ``title``, ``status``, ``publish_immediately``). :class:`StaticWorkshopDirectory` holds workshops in memory.
* :func:`nearby_bbox` and :func:`nearby_needs` — published needs around a chosen place.

Examples
--------
>>> limiter = RateLimiter(limit=2, window_s=600)
>>> key = hashed_key("session", "a-random-session-value")
>>> limiter.retry_after([key], now=0.0)
0.0
>>> limiter.record([key], "token-1", now=1.0); limiter.record([key], "token-1", now=2.0)
>>> limiter.record([key], "token-2", now=3.0)
>>> limiter.retry_after([key], now=4.0)  # two needs stored: wait until the first leaves the window
597.0
>>> StaticWorkshopDirectory([Workshop("kiez-1", "Kiezspaziergang", "open")]).get("kiez-1").title
'Kiezspaziergang'
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Iterable, Protocol

import sqlalchemy as sa

from assessment.model import Need

#: The residents' page: at most this many needs per window, per session and per browser.
RATE_LIMIT = 5
RATE_WINDOW_S = 600.0
#: Half the side of the square searched for needs near a point, in metres.
NEARBY_RADIUS_M = 1000.0
NEARBY_LIMIT = 20


def hashed_key(kind: str, value: str) -> str:
    """A limiter key: ``kind`` and the SHA-256 of ``value`` (the raw value is never kept).

    >>> hashed_key("session", "abc")[:16]
    'session:ba7816bf'
    """
    return f"{kind}:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


class RateLimiter:
    """A sliding-window limit on stored needs per key, safe across Streamlit's threads.

    Parameters
    ----------
    limit : int
        Needs allowed per window and key.
    window_s : float
        Window length in seconds.

    Notes
    -----
    The page asks :meth:`retry_after` before it submits and calls :meth:`record`
    once the store has accepted the need, so refused or invalid attempts do not
    use up the allowance. Keys that fall silent are dropped, so memory stays
    bounded by the number of recently active sessions.
    """

    def __init__(self, limit: int = RATE_LIMIT, window_s: float = RATE_WINDOW_S):
        if limit < 1 or window_s <= 0:
            raise ValueError(f"limit must be >= 1 and window_s > 0, got limit={limit!r}, window_s={window_s!r}")
        self.limit = limit
        self.window_s = float(window_s)
        self._events: dict[str, deque[tuple[float, str]]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[tuple[float, str]]:
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and events[0][0] <= now - self.window_s:
            events.popleft()
        if not events:
            del self._events[key]
        return events

    def retry_after(self, keys: Iterable[str], token: str | None = None, now: float | None = None) -> float:
        """Seconds until another need may be stored under all ``keys``; ``0.0`` means now.

        A ``token`` that was already recorded (a resubmit of a stored need) is
        always allowed: the store returns the first need and nothing new is stored.
        """
        now = time.monotonic() if now is None else now
        wait = 0.0
        with self._lock:
            for key in keys:
                events = self._recent(key, now)
                if token is not None and any(t == token for _, t in events):
                    return 0.0
                if len(events) >= self.limit:
                    wait = max(wait, events[0][0] + self.window_s - now)
        return wait

    def record(self, keys: Iterable[str], token: str, now: float | None = None) -> None:
        """Count one stored need (identified by its client ``token``) under every key, once."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                events = self._recent(key, now)
                if any(t == token for _, t in events):
                    continue
                events.append((now, token))
                self._events[key] = events


#: The limiter of the residents' page, shared by all sessions of this server process.
PAGE_RATE_LIMITER = RateLimiter()


def honeypot_filled(value: object) -> bool:
    """Whether the field humans are asked to leave empty holds anything but whitespace.

    >>> honeypot_filled(""), honeypot_filled("  "), honeypot_filled(None), honeypot_filled("https://spam")
    (False, False, False, True)
    """
    return isinstance(value, str) and value.strip() != ""


# --- workshops ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Workshop:
    """A workshop residents can report in: its code (from the link or QR code), title and status."""

    code: str
    title: str
    status: str  # "open", "closed" or "frozen" (see assessment.workshops)
    #: Needs from the room are stored as published (the facilitator moderates the room).
    publish_immediately: bool = False

    @property
    def is_open(self) -> bool:
        """Whether needs may still be tagged with this workshop."""
        return self.status == "open"


class WorkshopDirectory(Protocol):
    """Looks up a workshop by the code in ``/melden?workshop=CODE``."""

    def get(self, code: str) -> Workshop | None: ...


class StaticWorkshopDirectory:
    """Workshops held in memory (tests, demos)."""

    def __init__(self, workshops: Iterable[Workshop] = ()):
        self._by_code = {w.code: w for w in workshops}

    def get(self, code: str) -> Workshop | None:
        """The workshop with ``code``, or ``None``."""
        return self._by_code.get(code)


class TableWorkshopDirectory:
    """Workshops from the ``workshops`` table of the needs database, if it has one.

    Reads the columns ``code``, ``title``, ``status`` and ``publish_immediately``
    of the table :mod:`assessment.workshops` keeps (migration ``0004``); other
    columns are ignored. Without the table (an unmigrated database) every code is unknown.
    """

    def __init__(self, engine: sa.engine.Engine):
        self.engine = engine

    def get(self, code: str) -> Workshop | None:
        """The workshop with ``code``, or ``None`` when there is none (or no table yet)."""
        if not isinstance(code, str) or not code:
            return None
        if not sa.inspect(self.engine).has_table("workshops"):
            return None
        table = sa.table(
            "workshops", sa.column("code"), sa.column("title"), sa.column("status"), sa.column("publish_immediately")
        )
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(table.c.code, table.c.title, table.c.status, table.c.publish_immediately)
                .where(table.c.code == code)
            ).first()
        if row is None:
            return None
        return Workshop(str(row.code), str(row.title), str(row.status), bool(row.publish_immediately))


def workshop_directory(store) -> WorkshopDirectory:
    """The directory the residents' page uses: the store's database."""
    return TableWorkshopDirectory(store.engine)


# --- needs near a place -------------------------------------------------------------------


def nearby_bbox(lat: float, lon: float, radius_m: float = NEARBY_RADIUS_M) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` of a square ``2 * radius_m`` wide around a point.

    One degree of latitude is about 111.3 km; a degree of longitude shrinks with
    the cosine of the latitude (about 67.8 km in Berlin).

    >>> [round(v, 4) for v in nearby_bbox(52.52, 13.40)]
    [13.3852, 52.511, 13.4148, 52.529]
    """
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * math.cos(math.radians(lat)))
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def nearby_needs(store, place: dict, limit: int = NEARBY_LIMIT) -> list[Need]:
    """Published needs near ``place``, newest first.

    Parameters
    ----------
    store : NeedStore
    place : dict
        ``{"lat": ..., "lon": ...}`` for a point (needs within :data:`NEARBY_RADIUS_M`),
        or ``{"level": "PLR", "area_id": "..."}`` for an area chosen from the lists
        (needs in that area).
    """
    if place.get("level"):
        return store.query(level=place["level"], area_ids=[place["area_id"]], limit=limit)
    return store.query(bbox=nearby_bbox(place["lat"], place["lon"]), limit=limit)
