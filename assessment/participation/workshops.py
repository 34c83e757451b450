"""Workshops: a room of residents pins needs together, then distributes dots on them.

A facilitator creates a workshop with a **title**, a **date** and a **focus
area** (an LOR unit, or a rectangle drawn on the map) and gets a short,
unguessable **join code** (6 characters from an alphabet without look-alikes
such as 0/O and 1/I/L). Residents open ``/melden?workshop=CODE`` (the QR code
on the projector); their needs are ordinary needs with ``workshop_id = CODE``
and ``channel = "workshop"``, so they flow into the planners' map and the
assessment like any other. When the facilitator chose *publish at once*, they
are stored as ``published`` (the facilitator moderates the room, and takes a
pin off the projector with :meth:`WorkshopBook.hide_pin`); otherwise they wait
for moderation.

A workshop is ``closed`` (the default: no needs are tagged with it), ``open``,
or ``frozen`` (final: closed for good, no more voting; its results stay as they
are for the export).

**Dot voting.** The facilitator starts a round with ``dots`` per participant.
Every browser (:func:`voter_key`: a hash of the random secret the browser
keeps in Streamlit's XSRF cookie, the same after a reload, in a new tab and
after a reconnect) may place up to ``dots`` dots on the workshop's published
needs, several on one need if it likes; a browser that sends no cookie cannot
vote, so it never gets a fresh allowance. The cap is kept by the database:
each dot takes one of the voter's ``dots`` slots, ``(round_id, voter, slot)``
is the primary key, so two parallel clicks that both saw the last free slot
collide and only one is stored.

**Table devices.** A table's tablet is used by many people in turn; the
residents' limit (five needs per ten minutes) would lock it. A facilitator
makes a device link for it (:meth:`WorkshopBook.add_table_device`,
``/melden?workshop=CODE&tisch=SECRET``), which gets a workshop-sized allowance
while the workshop is open (:func:`assessment.participation.submission.report_allowance`).
Only the SHA-256 of the secret is stored.

Tables ``workshops``, ``vote_rounds`` and ``votes`` (migration ``0004``) and
``workshop_devices`` (``0008``) live in the needs database and use the store's
transaction helpers, on SQLite and PostgreSQL alike.

Examples
--------
>>> from datetime import date
>>> from assessment.needs.model import NeedInput
>>> from assessment.needs.store import open_store
>>> class OneSquare:  # a stand-in geography: one planning area, 52-53 N, 13-14 E
...     def locate(self, lat, lon):
...         return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"}
...     def area_point(self, level, area_id):
...         return (52.5, 13.4) if "01100101".startswith(area_id) else None
>>> needs = open_store(database_url="sqlite://", geography=OneSquare())
>>> book = WorkshopBook(needs)
>>> workshop = book.create("Kiezwerkstatt Moabit", date(2026, 12, 3), focus_level="BZR", focus_id="011001")
>>> len(workshop.code), workshop.status, book.open(workshop.code).is_open
(6, 'new', True)
>>> need = needs.submit(NeedInput(category="mobility", title="Sichere Schulwege", lat=52.5, lon=13.4,
...     workshop_id=workshop.code, channel="workshop"), status=book.submission_status(workshop.code))
>>> voting = book.start_round(workshop.code, dots=2)
>>> book.cast_vote(voting.id, "session-a", need.id), book.cast_vote(voting.id, "session-a", need.id)
(1, 2)
>>> book.cast_vote(voting.id, "session-a", need.id)
Traceback (most recent call last):
...
assessment.participation.workshops.VoteRefused: All your dots of this round are placed (2 per person); withdraw one to move it.
>>> book.results(voting.id)[["need_id", "votes"]].values.tolist() == [[need.id, 2]]
True
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from assessment.needs import audit
from assessment.needs.geography import geography_levels
from assessment.needs.model import AREA_LEVELS, DEFAULT_PROCEDURE_ID, Need, utc_now
from assessment.needs.store import NeedStore, UTCDateTime
from assessment.needs.store import needs as needs_table
from assessment.needs.taxonomy import CATEGORIES, category_label
from assessment.needs.validation import FormattedMessage
from assessment.participation.limits import hashed_key
from core.i18n import LANGUAGES, TranslatedError
from geodata.profile import active_profile

#: Join-code letters: no 0/O, 1/I/L, so a code read off a projector is typed right.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
#: ``new``: created, never opened (people who scan the code early are told it has not started);
#: ``open``: needs are tagged with it; ``closed``: opened before, paused or ended; ``frozen``: final.
WORKSHOP_STATUSES = ("new", "open", "closed", "frozen")
TITLE_MAX = 200
MAX_DOTS = 20
#: A table device link's secret: 128 random bits, URL-safe (``secrets.token_urlsafe``), unguessable.
DEVICE_SECRET_BYTES = 16
DEVICE_LABEL_MAX = 80
def _focus_box() -> tuple[float, float, float, float]:
    """Where a drawn focus rectangle may lie (west, south, east, north): the profile helpers' ``FOCUS_BOX``,
    else the city's bounds and a tenth of their size around them."""
    profile = active_profile()
    (south, west), (north, east) = profile.bounds
    margin_lat, margin_lon = (north - south) / 10, (east - west) / 10
    return getattr(profile.helpers, "FOCUS_BOX", (west - margin_lon, south - margin_lat, east + margin_lon,
                                                    north + margin_lat))


#: The rectangle of a drawn focus area must lie around the city (WGS84 degrees).
FOCUS_BOX = _focus_box()


def default_focus_rectangle() -> tuple[float, float, float, float]:
    """Where the typed focus rectangle starts (west, south, east, north): the profile helpers'
    ``FOCUS_RECTANGLE``, else a few hundred metres around the middle of the city's bounds."""
    profile = active_profile()
    (south, west), (north, east) = profile.bounds
    lat, lon = round((south + north) / 2, 2), round((west + east) / 2, 2)
    return getattr(profile.helpers, "FOCUS_RECTANGLE", (lon - 0.02, lat - 0.01, lon + 0.02, lat + 0.01))

metadata = sa.MetaData()
workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("held_on", sa.Date(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("publish_immediately", sa.Boolean(), nullable=False),
    sa.Column("focus_level", sa.String(8)),
    sa.Column("focus_id", sa.String(8)),
    sa.Column("min_lon", sa.Float()),
    sa.Column("min_lat", sa.Float()),
    sa.Column("max_lon", sa.Float()),
    sa.Column("max_lat", sa.Float()),
    sa.Column("created_by", sa.String(128)),
    sa.Column("procedure_id", sa.String(36), nullable=False, server_default=DEFAULT_PROCEDURE_ID),
    sa.Column("language", sa.String(2)),
)
vote_rounds = sa.Table(
    "vote_rounds",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("workshop_code", sa.String(16), nullable=False),
    sa.Column("dots", sa.Integer(), nullable=False),
    sa.Column("opened_at", UTCDateTime(), nullable=False),
    sa.Column("closed_at", UTCDateTime()),
)
votes = sa.Table(
    "votes",
    metadata,
    sa.Column("round_id", sa.String(36), primary_key=True),
    sa.Column("voter", sa.String(128), primary_key=True),
    sa.Column("slot", sa.Integer(), primary_key=True),
    sa.Column("need_id", sa.String(36), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("procedure_id", sa.String(36), nullable=False, server_default=DEFAULT_PROCEDURE_ID),
)
#: Shared devices of a workshop (migration 0008): only the SHA-256 of each link's secret is kept.
workshop_devices = sa.Table(
    "workshop_devices",
    metadata,
    sa.Column("secret_hash", sa.String(64), primary_key=True),
    sa.Column("workshop_code", sa.String(16), nullable=False),
    sa.Column("label", sa.String(DEVICE_LABEL_MAX), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.String(128)),
)


DATE_YEARS_BACK, DATE_YEARS_AHEAD = 10, 5
"""A workshop's date lies at most this many years before or after today (a typo such as 1899 is refused)."""


class WorkshopError(TranslatedError, ValueError):
    """A workshop request that cannot be done; the message names the value and the fix.

    It carries a :class:`~assessment.needs.validation.FormattedMessage`: ``str(error)`` is
    English (logs, tests), :meth:`in_language` the page's language, with days, counts and
    corners written as that language writes them.

    >>> error = WorkshopError(FormattedMessage("workshop.error.title", maximum=200, count=0))
    >>> error.in_language("de")
    'Der Titel muss 1 bis 200 Zeichen haben (jetzt 0): bitte einen kurzen Titel eingeben'
    >>> str(error)
    'The title must have 1 to 200 characters (now 0): please enter a short title'
    """


class WorkshopNotFoundError(WorkshopError, KeyError):
    """No workshop has this join code (:attr:`code`, also ``args[0]``).

    >>> WorkshopNotFoundError("NOPE42").in_language("de")
    "Es gibt keinen Workshop mit dem Code 'NOPE42': Bitte prüfen Sie den Code (6 Buchstaben oder Ziffern aus dem Link)."
    """

    def __init__(self, code: object):
        super().__init__(FormattedMessage("workshop.error.not_found", code=repr(code)))
        self.code = code
        self.args = (code,)  # as a KeyError's: the key looked for (and what a copy is rebuilt from)

    def __str__(self) -> str:
        return str(self.message)  # the sentence, not a KeyError's quoted key


class VoteRefused(WorkshopError):
    """A dot that may not be placed: no open round, the voter's dots are used up, or not a votable need.

    Residents read it on the voting page, so its messages exist in every language, Leichte Sprache too.
    """


@dataclass(frozen=True)
class Workshop:
    """One workshop as stored. ``bbox`` is ``(min_lon, min_lat, max_lon, max_lat)`` or ``None``."""

    code: str
    title: str
    held_on: date
    status: str
    publish_immediately: bool
    focus_level: str | None
    focus_id: str | None
    bbox: tuple[float, float, float, float] | None
    created_at: datetime
    created_by: str | None = None
    #: The participation procedure the workshop is held in; its needs and dots belong to it.
    procedure_id: str = DEFAULT_PROCEDURE_ID
    #: The language its join link names (``&sprache=``), or ``None``: each phone its browser's.
    language: str | None = None

    @property
    def join_query(self) -> str:
        """The query of the join link: ``?workshop=CODE``, and ``&sprache=LANG`` when the workshop has a language.

        >>> from datetime import date, datetime
        >>> Workshop("AB12CD", "Kiez", date(2026, 3, 1), "open", True, None, None, None,
        ...          datetime(2026, 3, 1), language="tr").join_query
        '?workshop=AB12CD&sprache=tr'
        """
        return f"?workshop={self.code}" + (f"&sprache={self.language}" if self.language else "")

    @property
    def is_open(self) -> bool:
        """Whether needs from ``/melden?workshop=CODE`` are tagged with it now."""
        return self.status == "open"

    @property
    def is_frozen(self) -> bool:
        return self.status == "frozen"


@dataclass(frozen=True)
class TableDevice:
    """A shared device of a workshop (a table's tablet): its label, and the hash of its link's secret."""

    workshop_code: str
    label: str
    secret_hash: str
    created_at: datetime
    created_by: str | None = None


@dataclass(frozen=True)
class VoteRound:
    """A dot-voting round: ``dots`` per participant; open while ``closed_at`` is ``None``."""

    id: str
    workshop_code: str
    dots: int
    opened_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


#: What a phone on the voting page shows (:func:`voting_phase`).
VOTING_PHASES = ("waiting", "open", "over", "frozen")


def voting_phase(workshop: Workshop, voting: VoteRound | None) -> str:
    """Where the voting of ``workshop`` stands for a participant, given its latest round ``voting``.

    ``"frozen"``: the workshop is final, no round can come; ``"waiting"``: no round
    yet; ``"open"``: dots can be placed; ``"over"``: the latest round has ended (a
    new one may follow). The voting page shows one message per phase and watches
    the phase, so a phone notices an ended round without a reload. Closing the
    workshop for needs does not end a running vote: only the round decides.

    >>> from datetime import UTC, date, datetime
    >>> opened = datetime(2026, 12, 3, 18, tzinfo=UTC)
    >>> room = Workshop("K7MP3Q", "Kiezwerkstatt", date(2026, 12, 3), "open", True, "BEZ", "01", None, opened)
    >>> running = VoteRound("r1", "K7MP3Q", 3, opened, None)
    >>> voting_phase(room, None), voting_phase(room, running)
    ('waiting', 'open')
    >>> voting_phase(room, VoteRound("r1", "K7MP3Q", 3, opened, closed_at=opened))
    'over'
    """
    if workshop.is_frozen:
        return "frozen"
    if voting is None:
        return "waiting"
    return "open" if voting.is_open else "over"


def room_invitation(workshop: Workshop, voting: VoteRound | None) -> str | None:
    """What the projector invites the room to now: ``"vote"``, ``"join"`` (pin needs) or ``None``.

    An open round comes first: the QR code leads to the voting page. Otherwise a
    workshop that is open, or not opened yet (people who scan early are told it
    has not started), invites to pin needs. A closed or frozen workshop without an
    open round invites to nothing: its join form would refuse every need, so the
    projector shows no QR code and no code to type.

    >>> from datetime import UTC, date, datetime
    >>> opened = datetime(2026, 12, 3, 18, tzinfo=UTC)
    >>> def room(status):
    ...     return Workshop("K7MP3Q", "Kiezwerkstatt", date(2026, 12, 3), status, True, "BEZ", "01", None, opened)
    >>> running = VoteRound("r1", "K7MP3Q", 3, opened, None)
    >>> [room_invitation(room(status), voting) for status, voting in [("open", None), ("closed", running), ("closed", None)]]
    ['join', 'vote', None]
    """
    if voting is not None and voting.is_open:
        return "vote"
    if workshop.status in ("new", "open"):
        return "join"
    return None


def voter_key(code: str, browser: str | None) -> str | None:
    """Who votes in workshop ``code``: one key per browser, or ``None`` when the browser sent no secret.

    ``browser`` is the random value a browser keeps across reloads, tabs and
    reconnects (:func:`assessment.participation.residents.browser_secret` of
    Streamlit's XSRF cookie). A page session cannot stand in for it: every
    reload is a new session, and three reloads would be three voters with a
    full allowance each. So without the value there is no voter, and the page
    explains how to vote instead of handing out dots. Only the SHA-256 of the
    workshop code and the value is kept (:func:`~assessment.participation.limits.hashed_key`),
    so the votes of one browser in two workshops cannot be linked.

    >>> voter_key("K7MP3Q", "02040608") == voter_key("K7MP3Q", "02040608") != voter_key("H4XR2N", "02040608")
    True
    >>> voter_key("K7MP3Q", "02040608")[:6], len(voter_key("K7MP3Q", "02040608"))
    ('voter:', 70)
    >>> voter_key("K7MP3Q", None), voter_key("K7MP3Q", "")
    (None, None)
    """
    if not isinstance(browser, str) or not browser:
        return None
    return hashed_key("voter", f"{code}|{browser}")


def rank_votes(votes) -> list[tuple[int | None, bool]]:
    """The place of each dot count and whether it shares that place: ``(rank, tied)`` per count.

    Equal counts share a place and the next place is skipped ("1, 1, 3", the
    ranking of sports tables), so nobody reads a tie as a win. A need without a
    dot has no place and is not tied: before the first dot every need would
    otherwise be "tied for first". The order of ``votes`` does not matter.

    >>> rank_votes([5, 3, 3, 1, 0])
    [(1, False), (2, True), (2, True), (4, False), (None, False)]
    """
    counts = [int(v) for v in votes]
    how_many = Counter(counts)
    place, ahead = {}, 0
    for count in sorted(how_many, reverse=True):  # a place is 1 + the needs with more dots
        place[count] = ahead + 1
        ahead += how_many[count]
    return [(place[c], how_many[c] > 1) if c > 0 else (None, False) for c in counts]


def new_join_code(length: int = JOIN_CODE_LENGTH) -> str:
    """A random join code from :data:`JOIN_ALPHABET` (31**6, about 887 million codes).

    >>> code = new_join_code()
    >>> len(code), set(code) <= set(JOIN_ALPHABET)
    (6, True)
    """
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(length))


def _workshop(row) -> Workshop:
    bbox = None if row.min_lon is None else (row.min_lon, row.min_lat, row.max_lon, row.max_lat)
    return Workshop(
        code=row.code, title=row.title, held_on=row.held_on, status=row.status,
        publish_immediately=bool(row.publish_immediately), focus_level=row.focus_level,
        focus_id=row.focus_id, bbox=bbox, created_at=row.created_at, created_by=row.created_by,
        procedure_id=row.procedure_id, language=row.language,
    )


def _round(row) -> VoteRound:
    return VoteRound(row.id, row.workshop_code, int(row.dots), row.opened_at, row.closed_at)


def _device(row) -> TableDevice:
    return TableDevice(row.workshop_code, row.label, row.secret_hash, row.created_at, row.created_by)


def device_secret_hash(secret: str) -> str:
    """The SHA-256 of a device link's secret: what the database keeps instead of the secret.

    >>> device_secret_hash("abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_bbox(bbox) -> tuple[float, float, float, float]:
    """A drawn focus rectangle as four floats, or :class:`WorkshopError` naming what is wrong.

    >>> check_bbox([13.30, 52.50, 13.35, 52.53])
    (13.3, 52.5, 13.35, 52.53)
    >>> check_bbox([13.35, 52.50, 13.30, 52.53])
    Traceback (most recent call last):
    ...
    assessment.participation.workshops.WorkshopError: Rectangle (13.3500; 52.5000; 13.3000; 52.5300): west must be less than east and south less than north – please draw it again or correct the corners
    """
    try:
        values = tuple(float(v) for v in bbox)
    except (TypeError, ValueError):
        raise WorkshopError(FormattedMessage("workshop.error.bbox_numbers")) from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise WorkshopError(FormattedMessage("workshop.error.bbox_numbers"))
    min_lon, min_lat, max_lon, max_lat = values
    if not (min_lon < max_lon and min_lat < max_lat):
        raise WorkshopError(FormattedMessage("workshop.error.bbox_order", corners=values))
    west, south, east, north = FOCUS_BOX
    if min_lon < west or max_lon > east or min_lat < south or max_lat > north:
        raise WorkshopError(FormattedMessage("workshop.error.bbox_outside", corners=values))
    return values


class WorkshopBook:
    """Workshops, voting rounds and votes in the needs database of ``store``."""

    def __init__(self, store: NeedStore):
        self.store = store

    # -- workshops --

    def create(
        self,
        title: str,
        held_on: date,
        *,
        focus_level: str | None = None,
        focus_id: str | None = None,
        bbox=None,
        publish_immediately: bool = True,
        created_by: str | None = None,
        procedure_id: str = DEFAULT_PROCEDURE_ID,
    ) -> Workshop:
        """Create a closed workshop with a new join code; the focus is an LOR unit or a ``bbox``.

        Raises
        ------
        WorkshopError
            For a missing or too long title, a missing date, no or two focus
            areas, an LOR level without its unit (the form's area left empty),
            an unknown LOR unit, or a rectangle outside Berlin. A missing title
            or area names the form's field, so a page shows :meth:`WorkshopError.in_language`
            as it is and checks nothing itself.
        """
        title = title.strip() if isinstance(title, str) else ""
        if not title:
            raise WorkshopError(FormattedMessage("workshop.title_missing"))
        if len(title) > TITLE_MAX:
            raise WorkshopError(FormattedMessage("workshop.error.title", maximum=TITLE_MAX, count=len(title)))
        if not isinstance(held_on, date):
            raise WorkshopError(FormattedMessage("workshop.error.date_type", value=repr(held_on)))
        today = utc_now().date()
        earliest, latest = today.replace(year=today.year - DATE_YEARS_BACK, day=1), \
            today.replace(year=today.year + DATE_YEARS_AHEAD, day=1)
        if not earliest <= held_on <= latest:
            raise WorkshopError(FormattedMessage("workshop.error.date", date=held_on, earliest=earliest, latest=latest))
        if (focus_level is None) == (bbox is None):
            raise WorkshopError(FormattedMessage("workshop.error.focus_one"))
        box = None
        if bbox is not None:
            box = check_bbox(bbox)
            focus_id = None
        else:
            if focus_level not in AREA_LEVELS:
                raise WorkshopError(FormattedMessage("workshop.error.focus_level", value=repr(focus_level),
                                                     levels=", ".join(AREA_LEVELS)))
            if focus_id is None or focus_id == "":
                raise WorkshopError(FormattedMessage("workshop.area_missing", level=self._level_label(focus_level)))
            if not isinstance(focus_id, str) or self.store.geography.area_point(focus_level, focus_id) is None:
                raise WorkshopError(FormattedMessage("workshop.error.area"))
        row = {
            "created_at": utc_now(), "title": title, "held_on": held_on, "status": "new",
            "publish_immediately": bool(publish_immediately), "focus_level": focus_level, "focus_id": focus_id,
            "min_lon": box and box[0], "min_lat": box and box[1], "max_lon": box and box[2], "max_lat": box and box[3],
            "created_by": created_by, "procedure_id": procedure_id,
        }
        for _ in range(5):  # a collision among 887 million codes is rare; try a fresh code then
            row["code"] = new_join_code()
            try:
                self.store.write(lambda conn: conn.execute(workshops.insert().values(**row)))
            except IntegrityError:
                continue
            return self.get(row["code"])
        raise WorkshopError(FormattedMessage("workshop.error.no_code"))

    def _level_label(self, code: str) -> dict[str, str]:
        """The name of one area of the level ``code`` in each language ("Bezirksregion"), for a message."""
        spec = next((level for level in geography_levels(self.store.geography) if level.code == code), None)
        return {lang: spec.label.get(lang) if spec else code for lang in LANGUAGES}

    def get(self, code: str) -> Workshop:
        """The workshop with join ``code``; raises :class:`WorkshopNotFoundError`."""
        found = self.find(code)
        if found is None:
            raise WorkshopNotFoundError(code)
        return found

    def find(self, code: str) -> Workshop | None:
        """The workshop with join ``code``, or ``None``: how ``/melden?workshop=CODE`` looks a code up.

        A link may carry anything, so a value that is no text (or empty) is simply unknown.
        The book is the residents' page's :class:`~assessment.participation.residents.WorkshopDirectory`.
        """
        if not isinstance(code, str) or not code:
            return None
        row = self.store.read(lambda conn: conn.execute(sa.select(workshops).where(workshops.c.code == code)).first())
        return None if row is None else _workshop(row)

    def list(self) -> list[Workshop]:
        """Every workshop, the latest date first (past ones included)."""
        statement = sa.select(workshops).order_by(workshops.c.held_on.desc(), workshops.c.created_at.desc())
        return [_workshop(r) for r in self.store.read(lambda conn: conn.execute(statement).all())]

    def _set(self, code: str, **values) -> Workshop:
        def change(conn: Connection) -> None:
            status = conn.execute(sa.select(workshops.c.status).where(workshops.c.code == code)).scalar()
            if status is None:
                raise WorkshopNotFoundError(code)
            if status == "frozen":
                raise WorkshopError(FormattedMessage("workshop.error.frozen", code=code))
            conn.execute(workshops.update().where(workshops.c.code == code).values(**values))
            if values.get("status") in ("frozen",):
                conn.execute(
                    vote_rounds.update()
                    .where(vote_rounds.c.workshop_code == code, vote_rounds.c.closed_at.is_(None))
                    .values(closed_at=utc_now())
                )

        self.store.write(change)
        return self.get(code)

    def open(self, code: str) -> Workshop:
        """Accept needs for the workshop (``/melden?workshop=CODE`` tags them)."""
        return self._set(code, status="open")

    def close(self, code: str) -> Workshop:
        """Stop tagging needs with the workshop; it can be opened again. A never opened one stays ``new``."""
        workshop = self.get(code)
        if workshop.status == "new":
            return workshop
        return self._set(code, status="closed")

    def freeze(self, code: str) -> Workshop:
        """Close for good: no new needs, the open voting round ends, nothing changes any more."""
        return self._set(code, status="frozen")

    def set_publish_immediately(self, code: str, publish: bool) -> Workshop:
        """Whether needs from the room are published at once (the facilitator moderates the room)."""
        return self._set(code, publish_immediately=bool(publish))

    def set_language(self, code: str, language: str | None) -> Workshop:
        """The language of the workshop's join link (one of :data:`core.i18n.LANGUAGES`), or ``None`` for none."""
        if language is not None and language not in LANGUAGES:
            raise WorkshopError(FormattedMessage("workshop.error.language", value=str(language),
                                                 choices=", ".join(LANGUAGES)))
        return self._set(code, language=language)

    def submission_status(self, code: str) -> str:
        """The status a need from this workshop's room starts with: ``published`` or ``pending``."""
        return "published" if self.get(code).publish_immediately else "pending"

    def needs(self, code: str, statuses=("published",)) -> list[Need]:
        """The workshop's needs (default: published), newest first."""
        return self.store.query(workshop_id=code, statuses=statuses)

    def hide_pin(self, code: str, need_id: str, *, actor: str) -> Need:
        """Take a pin off every projector at once: the published need becomes ``hidden``, with an audit row.

        The facilitator moderates a room that publishes at once and must be able
        to take an offensive or personal pin off the wall with one click. The
        projector shows published needs only and asks the database every few
        seconds, so the pin disappears from every ``/live`` within its refresh
        interval, from the voting page's list and from the results and exports
        too. A hidden need waits in the moderators' queue, as one hidden by
        residents' reports does: they publish it again or reject it.

        Raises
        ------
        WorkshopError
            When ``need_id`` is not a need of this workshop, or is not shown
            (not published) any more, e.g. hidden a moment ago from another tab.
        """

        def hide(conn: Connection) -> None:
            statement = sa.select(needs_table.c.workshop_id, needs_table.c.status).where(needs_table.c.id == need_id)
            if conn.dialect.name == "postgresql":
                statement = statement.with_for_update()  # a moderator deciding at the same moment waits
            found = conn.execute(statement).first()
            reference = str(need_id)[:8].upper()
            if found is None or found.workshop_id != code:
                raise WorkshopError(FormattedMessage("workshop.error.not_a_pin", reference=reference))
            if found.status != "published":
                raise WorkshopError(FormattedMessage("workshop.error.not_on_projector", reference=reference))
            audit.record(conn, actor=actor, action="workshop_hide", need_id=need_id, status_before="published",
                         status_after="hidden", details={"workshop": code})
            conn.execute(needs_table.update().where(needs_table.c.id == need_id).values(status="hidden"))

        self.store.write(hide)
        return self.store.get(need_id)

    # -- voting --

    def start_round(self, code: str, dots: int) -> VoteRound:
        """Open a new voting round with ``dots`` per participant; an open round of the workshop ends."""
        if not isinstance(dots, int) or isinstance(dots, bool) or not 1 <= dots <= MAX_DOTS:
            raise WorkshopError(FormattedMessage("workshop.error.dots", maximum=MAX_DOTS))
        round_id = str(uuid.uuid4())

        def start(conn: Connection) -> None:
            status = conn.execute(sa.select(workshops.c.status).where(workshops.c.code == code)).scalar()
            if status is None:
                raise WorkshopNotFoundError(code)
            if status == "frozen":
                raise WorkshopError(FormattedMessage("workshop.error.frozen_round", code=code))
            now = utc_now()
            conn.execute(
                vote_rounds.update()
                .where(vote_rounds.c.workshop_code == code, vote_rounds.c.closed_at.is_(None))
                .values(closed_at=now)
            )
            conn.execute(vote_rounds.insert().values(id=round_id, workshop_code=code, dots=dots, opened_at=now))

        self.store.write(start)
        return self.get_round(round_id)

    def stop_round(self, code: str) -> None:
        """End the workshop's open voting round (if any); its results stay."""
        self.store.write(
            lambda conn: conn.execute(
                vote_rounds.update()
                .where(vote_rounds.c.workshop_code == code, vote_rounds.c.closed_at.is_(None))
                .values(closed_at=utc_now())
            )
        )

    def get_round(self, round_id: str) -> VoteRound:
        row = self.store.read(lambda conn: conn.execute(sa.select(vote_rounds).where(vote_rounds.c.id == round_id)).first())
        if row is None:
            raise WorkshopError(FormattedMessage("workshop.error.round_not_found", id=repr(round_id)))
        return _round(row)

    def latest_round(self, code: str) -> VoteRound | None:
        """The workshop's newest voting round, open or ended, or ``None``."""
        statement = (
            sa.select(vote_rounds).where(vote_rounds.c.workshop_code == code)
            .order_by(vote_rounds.c.opened_at.desc(), vote_rounds.c.id).limit(1)
        )
        row = self.store.read(lambda conn: conn.execute(statement).first())
        return None if row is None else _round(row)

    def cast_vote(self, round_id: str, voter: str, need_id: str) -> int:
        """Place one dot of ``voter`` on ``need_id``; return how many dots the voter has placed now.

        Raises
        ------
        VoteRefused
            When the round has ended, the voter's dots are all placed, or the
            need is not a published need of this workshop.
        """
        if not isinstance(voter, str) or not 8 <= len(voter) <= 128:
            raise VoteRefused(FormattedMessage("workshop.error.voter"))

        def place(conn: Connection) -> int:
            voting = conn.execute(sa.select(vote_rounds).where(vote_rounds.c.id == round_id)).first()
            if voting is None or voting.closed_at is not None:
                raise VoteRefused(FormattedMessage("workshop.error.round_ended"))
            need = conn.execute(
                sa.select(needs_table.c.workshop_id, needs_table.c.status).where(needs_table.c.id == need_id)
            ).first()
            if need is None or need.workshop_id != voting.workshop_code or need.status != "published":
                raise VoteRefused(FormattedMessage("workshop.error.not_votable"))
            used = set(
                conn.execute(sa.select(votes.c.slot).where(votes.c.round_id == round_id, votes.c.voter == voter)).scalars()
            )
            free = [slot for slot in range(voting.dots) if slot not in used]
            if not free:
                raise VoteRefused(FormattedMessage("workshop.error.dots_used", dots=voting.dots))
            procedure_id = conn.execute(sa.select(workshops.c.procedure_id)
                                        .where(workshops.c.code == voting.workshop_code)).scalar()
            conn.execute(votes.insert().values(
                round_id=round_id, voter=voter, slot=free[0], need_id=need_id, created_at=utc_now(),
                procedure_id=procedure_id or DEFAULT_PROCEDURE_ID))
            return len(used) + 1

        # A parallel click of the same voter that took the same slot first makes the insert
        # collide on the primary key (PostgreSQL); look again: the next free slot, or the cap.
        for _ in range(MAX_DOTS + 1):
            try:
                return self.store.write(place)
            except IntegrityError:
                continue
        raise VoteRefused(FormattedMessage("workshop.error.votes_at_once"))

    def withdraw_vote(self, round_id: str, voter: str, need_id: str) -> int:
        """Take back one dot of ``voter`` from ``need_id``; return the dots still placed."""

        def take(conn: Connection) -> int:
            voting = conn.execute(sa.select(vote_rounds.c.closed_at).where(vote_rounds.c.id == round_id)).first()
            if voting is None or voting.closed_at is not None:
                raise VoteRefused(FormattedMessage("workshop.error.round_final"))
            slot = conn.execute(
                sa.select(sa.func.max(votes.c.slot)).where(
                    votes.c.round_id == round_id, votes.c.voter == voter, votes.c.need_id == need_id)
            ).scalar()
            if slot is not None:
                conn.execute(votes.delete().where(votes.c.round_id == round_id, votes.c.voter == voter, votes.c.slot == slot))
            return conn.execute(
                sa.select(sa.func.count()).select_from(votes).where(votes.c.round_id == round_id, votes.c.voter == voter)
            ).scalar()

        return self.store.write(take)

    def my_votes(self, round_id: str, voter: str) -> dict[str, int]:
        """Dots of ``voter`` per need id in the round."""
        statement = (
            sa.select(votes.c.need_id, sa.func.count()).where(votes.c.round_id == round_id, votes.c.voter == voter)
            .group_by(votes.c.need_id)
        )
        return {need_id: int(n) for need_id, n in self.store.read(lambda conn: conn.execute(statement).all())}

    def results(self, round_id: str, *, published_only: bool = True) -> pd.DataFrame:
        """Dots per need of the round, most first: ``need_id``, ``title``, ``category``, ``votes``, ``voters``, ``rank``, ``tied``.

        Needs without a dot are listed with 0, so the table covers every published need of the workshop.
        ``rank`` and ``tied`` come from :func:`rank_votes` over the listed needs: equal counts share
        a place (``tied``), a need without a dot has no place (``None``).
        Only published needs are listed unless ``published_only=False`` (staff views): the
        projector and exports are public, and a need rejected or hidden after it received
        dots must disappear from them like from every other public surface.
        """
        voting = self.get_round(round_id)
        counted = (
            sa.select(votes.c.need_id, sa.func.count().label("votes"),
                      sa.func.count(sa.distinct(votes.c.voter)).label("voters"))
            .where(votes.c.round_id == round_id).group_by(votes.c.need_id)
        )
        rows = self.store.read(lambda conn: conn.execute(counted).all())
        tally = {need_id: (int(n), int(v)) for need_id, n, v in rows}
        listed = self.store.query(workshop_id=voting.workshop_code, statuses=None)
        frame = pd.DataFrame(
            [
                {"need_id": n.id, "reference": n.reference, "title": n.title, "category": n.category,
                 "votes": tally.get(n.id, (0, 0))[0], "voters": tally.get(n.id, (0, 0))[1]}
                for n in listed
                if n.status == "published" or (not published_only and n.id in tally)
            ],
            columns=["need_id", "reference", "title", "category", "votes", "voters"],
        )
        frame = frame.sort_values(["votes", "title"], ascending=[False, True], kind="stable").reset_index(drop=True)
        frame[["votes", "voters"]] = frame[["votes", "voters"]].astype("int64")
        places = rank_votes(frame["votes"])
        frame["rank"] = pd.Series([rank for rank, _ in places], index=frame.index, dtype="object")
        frame["tied"] = pd.Series([tied for _, tied in places], index=frame.index, dtype="bool")
        return frame

    def votes_frame(self, code: str, *, published_only: bool = True) -> pd.DataFrame:
        """The dots of the workshop, for the export: ``round_id``, ``dots``, ``voter`` (hashed), ``need_id``, ``created_at``.

        The voter token is replaced by a short hash, so the export shows which
        dots came from one browser without the token that browser holds.
        Only dots on needs that are published *now* are listed unless
        ``published_only=False``: a need hidden or rejected after it received
        dots leaves the exports as it leaves the projector (:meth:`results`).
        """
        import hashlib

        statement = (
            sa.select(votes.c.round_id, vote_rounds.c.dots, votes.c.voter, votes.c.need_id, votes.c.created_at)
            .join(vote_rounds, vote_rounds.c.id == votes.c.round_id)
            .where(vote_rounds.c.workshop_code == code)
            .order_by(votes.c.created_at, votes.c.voter, votes.c.slot)
        )
        if published_only:
            statement = statement.join(needs_table, needs_table.c.id == votes.c.need_id).where(
                needs_table.c.status == "published")
        rows = self.store.read(lambda conn: conn.execute(statement).all())
        return pd.DataFrame(
            [(r, d, hashlib.sha256(v.encode()).hexdigest()[:12], n, c) for r, d, v, n, c in rows],
            columns=["round_id", "dots", "voter", "need_id", "created_at"],
        )

    def category_counts(self, code: str, statuses=("published",)) -> pd.DataFrame:
        """Needs of the workshop per category: ``category``, ``count``; most first (labels: ``CATEGORIES[c].label``)."""
        found = self.needs(code, statuses=statuses)
        counts: dict[str, int] = {}
        for need in found:
            counts[need.category] = counts.get(need.category, 0) + 1
        frame = pd.DataFrame(
            [(c, n) for c, n in counts.items()], columns=["category", "count"],
        )
        return frame.sort_values(["count", "category"], ascending=[False, True]).reset_index(drop=True)

    # -- table devices (shared tablets with a workshop-sized allowance) --

    def add_table_device(self, code: str, label: str, *, created_by: str | None = None) -> tuple[TableDevice, str]:
        """Make a device link for a table of workshop ``code``: the device and its secret (shown once, then only hashed).

        The facilitator opens ``/melden?workshop=CODE&tisch=SECRET`` on the table's
        tablet; while the workshop is open, needs sent there count against the
        workshop-sized allowance of the device (:func:`assessment.participation.submission.report_allowance`),
        not against the five-per-ten-minutes of one resident.

        Raises
        ------
        WorkshopNotFoundError
            For an unknown code.
        WorkshopError
            For a frozen workshop, or a label that is empty or longer than :data:`DEVICE_LABEL_MAX`.

        Examples
        --------
        >>> from datetime import date
        >>> from assessment.needs.store import open_store
        >>> class Anywhere:  # a stand-in geography that knows every area
        ...     def area_point(self, level, area_id):
        ...         return (52.52, 13.40)
        >>> book = WorkshopBook(open_store(database_url="sqlite://", geography=Anywhere()))
        >>> code = book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code
        >>> device, secret = book.add_table_device(code, "Tisch 3")
        >>> book.table_device(code, secret).label, book.table_device(code, "guessed") is None
        ('Tisch 3', True)
        >>> [d.label for d in book.table_devices(code)], device.secret_hash == device_secret_hash(secret)
        (['Tisch 3'], True)
        """
        label = label.strip() if isinstance(label, str) else ""
        if not 1 <= len(label) <= DEVICE_LABEL_MAX:
            raise WorkshopError(FormattedMessage("workshop.error.device_label", maximum=DEVICE_LABEL_MAX,
                                                 count=len(label)))
        workshop = self.get(code)
        if workshop.is_frozen:
            raise WorkshopError(FormattedMessage("workshop.error.frozen_device", code=code))
        secret = secrets.token_urlsafe(DEVICE_SECRET_BYTES)
        device = TableDevice(code, label, device_secret_hash(secret), utc_now(), created_by)
        self.store.write(lambda conn: conn.execute(workshop_devices.insert().values(
            secret_hash=device.secret_hash, workshop_code=code, label=label, created_at=device.created_at,
            created_by=created_by)))
        return device, secret

    def table_device(self, code: str, secret: str | None) -> TableDevice | None:
        """The device of workshop ``code`` whose link carries ``secret``, or ``None`` (no secret, a wrong one,
        or another workshop's)."""
        if not isinstance(secret, str) or not secret or len(secret) > 128:
            return None
        statement = sa.select(workshop_devices).where(workshop_devices.c.secret_hash == device_secret_hash(secret),
                                                      workshop_devices.c.workshop_code == code)
        row = self.store.read(lambda conn: conn.execute(statement).first())
        return None if row is None else _device(row)

    def table_devices(self, code: str) -> list[TableDevice]:
        """The workshop's device links, oldest first (labels for the facilitator; the secrets are not kept)."""
        statement = (sa.select(workshop_devices).where(workshop_devices.c.workshop_code == code)
                     .order_by(workshop_devices.c.created_at, workshop_devices.c.label))
        return [_device(row) for row in self.store.read(lambda conn: conn.execute(statement).all())]
