"""What the residents' page needs besides the store: abuse limits, workshops, nearby needs.

Plain Python, no streamlit, so every rule here is tested without a browser.

* :func:`page_rate_limiter` — at most :data:`RATE_LIMIT` needs per
  :data:`RATE_WINDOW_S` seconds per key (a browser session, a browser; a workshop's
  table device and its facilitators get more:
  :func:`assessment.participation.submission.report_allowance`), kept in
  the needs database (:class:`assessment.participation.limits.SharedLimiter`), so that all app
  instances on one database count together and a restart forgets nothing. Keys
  are SHA-256 hashes of random session or browser values (:func:`hashed_key`):
  no IP address, nothing that identifies a person, deleted once they leave the
  window. A repeated client token (a double click, a rerun) counts once.
* :func:`honeypot_filled` — the page carries a field humans are told to leave
  empty; automated form fillers tend to fill every field.
* :class:`WorkshopDirectory` — how ``/melden?workshop=CODE`` finds the workshop
  (a :class:`~assessment.participation.workshops.Workshop`): the page's directory is the
  store's :class:`~assessment.participation.workshops.WorkshopBook`
  (:func:`workshop_directory`); :class:`StaticWorkshopDirectory` holds workshops in memory.
  :func:`workshop_link` decides what the page says about the code and whether
  its needs are tagged with the workshop; :func:`open_vote_round` whether the
  page points the room to the workshop's open voting round.
* :func:`nearby_needs` — published needs around a chosen place, nearest first, each
  with its distance (:func:`distance_m`), which :func:`distance_text` says as
  a resident would ("ca. 120 m"); :func:`nearby_line` is a listed need's line.
* :func:`support_token` and :func:`supported_needs` — "Ich auch" counts once per
  browser and need, also after a reload: the support's client token is the hashed
  browser key, and the page asks which needs it supported already.
  :func:`support_need` records one; a browser without its cookie cannot support.
* :func:`flag_need` — "Problem melden": a resident reports a published need to the
  moderators, counted once per browser (:func:`reporter_key`), at most
  :data:`FLAG_LIMIT` needs per :data:`FLAG_WINDOW_S` per browser; a browser
  without its cookie cannot report.

How one send of the form is decided (limit, honeypot, status, outcome) is in
:mod:`assessment.participation.submission`; the place (map click or lists) in
:mod:`assessment.participation.places`.

Examples
--------
>>> from assessment.needs.store import open_store
>>> limiter = page_rate_limiter(open_store(database_url="sqlite://"))
>>> keys = [hashed_key("session", "a-random-session-value"), hashed_key("browser", "a-cookie-value")]
>>> limiter.limit, limiter.reserve(keys, "token-1")
(5, 0.0)
>>> from datetime import UTC, date, datetime
>>> walk = Workshop("kiez-1", "Kiezspaziergang", date(2026, 12, 3), "open", False, "BEZ", "01", None,
...                 datetime(2026, 12, 1, tzinfo=UTC))
>>> StaticWorkshopDirectory([walk]).find("kiez-1").title
'Kiezspaziergang'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable, Mapping, Protocol

import sqlalchemy as sa

from assessment.needs.model import Need, utc_now
from assessment.needs.procedures import ProcedureBook
from assessment.needs.taxonomy import category_label
from assessment.needs.store import (
    NeedNotFoundError,
    NeedStore,
    StoreBusyError,
    supports,
)
from assessment.needs.validation import FormattedMessage, check_workshop_id
from assessment.participation.limits import SharedLimiter, hashed_key
from assessment.participation.moderation import DecisionError, Moderation
from assessment.participation.workshops import VoteRound, Workshop, WorkshopBook
from core.i18n import LANGUAGES, TranslatedError, format_number, t

#: The residents' page: at most this many needs per window, per session and per browser.
RATE_LIMIT = 5
RATE_WINDOW_S = 600.0
#: A table's shared device in an open workshop (a device link, ``&tisch=SECRET``): per window and device.
TABLE_RATE_LIMIT = 60
#: A signed-in facilitator or admin typing up a workshop's cards: per window and account. Not the
#: residents' five, yet a bound: a runaway script in a staff session stops here.
STAFF_RATE_LIMIT = 300
#: "Problem melden": at most this many reported needs per window and browser (:func:`flag_need`); the window
#: is the residents' page's, so the privacy page's "hashed keys are deleted after 10 minutes" holds for both.
FLAG_LIMIT = 5
FLAG_WINDOW_S = RATE_WINDOW_S
#: Half the side of the square searched for needs near a point, in metres.
NEARBY_RADIUS_M = 1000.0
#: The page lists this many needs, the nearest first ...
NEARBY_LIMIT = 20
#: ... out of at most this many of the newest in the square (or the area): one query, bounded
#: work per run; only where even more needs crowd the square is an older, nearer one left out.
NEARBY_CANDIDATES = 500
#: The mean radius of the Earth in metres (IUGG), for :func:`distance_m`.
EARTH_RADIUS_M = 6_371_008.8


def page_rate_limiter(store: NeedStore, *, clock: Callable[[], datetime] = utc_now) -> SharedLimiter:
    """The residents' page limit on stored needs, shared by every app instance on ``store``'s database.

    The page reserves a place under the session and browser keys before it
    submits (:meth:`SharedLimiter.reserve`), records it once the store accepted
    the need and releases it when the store refused it, so refused or invalid
    attempts do not use up the allowance and parallel submits cannot pass the
    limit together.
    """
    return SharedLimiter(store, "report", RATE_LIMIT, RATE_WINDOW_S, clock=clock)


def honeypot_filled(value: object) -> bool:
    """Whether the field humans are asked to leave empty holds anything but whitespace.

    >>> honeypot_filled(""), honeypot_filled("  "), honeypot_filled(None), honeypot_filled("https://spam")
    (False, False, False, True)
    """
    return isinstance(value, str) and value.strip() != ""


# --- workshops ----------------------------------------------------------------------------


class WorkshopDirectory(Protocol):
    """Looks up a workshop by the code in ``/melden?workshop=CODE``: the workshop, or ``None`` for an unknown code."""

    def find(self, code: str) -> Workshop | None: ...


class StaticWorkshopDirectory:
    """Workshops held in memory (tests, demos)."""

    def __init__(self, workshops: Iterable[Workshop] = ()):
        self._by_code = {w.code: w for w in workshops}

    def find(self, code: str) -> Workshop | None:
        """The workshop with ``code``, or ``None``."""
        return self._by_code.get(code)


def workshop_directory(store) -> WorkshopDirectory:
    """The directory the residents' page uses: the workshops of the store's database (:meth:`WorkshopBook.find`)."""
    return WorkshopBook(store)


#: The text key per status of a workshop that takes no needs now; any other status reads as paused.
_NOT_OPEN = {"new": "report.workshop_new", "frozen": "report.workshop_frozen"}


@dataclass(frozen=True)
class WorkshopLink:
    """What ``/melden?workshop=CODE`` means for the form.

    ``workshop`` is the open workshop new needs are tagged with, else ``None``:
    residents may still report, the need is then simply not the workshop's.
    ``notice`` is the text key of what the page says about the code (with its
    ``values``), ``None`` without a code. ``voting_code`` is the code of a known
    workshop that is not frozen: the page watches whether its voting round is
    open (:func:`open_vote_round`), also while it takes no needs (facilitators
    often close the needs, then let the room vote).
    """

    workshop: Workshop | None = None
    notice: str | None = None
    values: dict = field(default_factory=dict)
    voting_code: str | None = None
    named: Workshop | None = None  # the workshop the code names, whatever its status: its area is where the map starts

    def start_bbox(self, area_bbox: Callable[[str, str], tuple[float, float, float, float] | None]):
        """Where the residents' map starts: the named workshop's drawn rectangle or its area, else ``None`` (Berlin).

        ``area_bbox(level, area_id)`` is the bounding box of an LOR area
        (:func:`geodata.display.area_bbox`); an area it does not know starts on Berlin.

        >>> from datetime import UTC, date, datetime
        >>> def room(focus_level=None, focus_id=None, bbox=None):
        ...     return WorkshopLink(named=Workshop("AB12CD", "Kiezwerkstatt", date(2026, 12, 3), "open", True,
        ...                                        focus_level, focus_id, bbox, datetime(2026, 12, 1, tzinfo=UTC)))
        >>> room(bbox=(13.40, 52.49, 13.44, 52.51)).start_bbox(lambda level, area: None)
        (13.4, 52.49, 13.44, 52.51)
        >>> room("BEZ", "02").start_bbox(lambda level, area: (13.36, 52.48, 13.46, 52.52))
        (13.36, 52.48, 13.46, 52.52)
        >>> WorkshopLink().start_bbox(lambda level, area: (0, 0, 1, 1)), room().start_bbox(lambda level, area: (0, 0, 1, 1))
        (None, None)
        """
        if self.named is None:
            return None
        if self.named.bbox is not None:
            return tuple(self.named.bbox)
        if self.named.focus_level is None or self.named.focus_id is None:  # a directory that knows no areas
            return None
        return area_bbox(self.named.focus_level, self.named.focus_id)


def workshop_link(store, code: str | None) -> WorkshopLink:
    """The workshop a residents' link names, and what to tell the resident about it.

    An unknown or malformed code is named back (cut to 64 characters, the
    longest valid id); a known workshop that takes no needs now says whether it
    has not begun, is paused or has ended. The directory is
    :func:`workshop_directory`.

    >>> workshop_link(None, None)
    WorkshopLink(workshop=None, notice=None, values={}, voting_code=None, named=None)
    >>> workshop_link(None, "bad code!")
    WorkshopLink(workshop=None, notice='report.workshop_unknown', values={'code': 'bad code!'}, voting_code=None, named=None)
    """
    if not code:
        return WorkshopLink()
    found = None if check_workshop_id(code) else workshop_directory(store).find(code)
    if found is None:
        return WorkshopLink(notice="report.workshop_unknown", values={"code": code[:64]})
    voting_code = None if found.status == "frozen" else found.code
    if not found.is_open:
        return WorkshopLink(notice=_NOT_OPEN.get(found.status, "report.workshop_closed"), values={"title": found.title},
                            voting_code=voting_code, named=found)
    return WorkshopLink(found, "report.workshop", {"title": found.title}, voting_code, named=found)


#: How often ``/melden?workshop=CODE`` looks whether the workshop's voting round is open (seconds):
#: phones in the room notice the vote without a reload, at one small query per phone and interval.
VOTING_CHECK_S = 5.0


def open_vote_round(store, code: str | None) -> VoteRound | None:
    """The workshop's voting round while it is open, else ``None``: ``/melden`` then points to ``/abstimmen``.

    ``None`` also for no code or a malformed one (never looked up); an unknown code
    has no rounds. The newest round decides (:meth:`WorkshopBook.latest_round`).

    >>> from datetime import date
    >>> from assessment.needs.store import open_store
    >>> class Anywhere:  # a stand-in geography that knows every area
    ...     def area_point(self, level, area_id):
    ...         return (52.52, 13.40)
    >>> store = open_store(database_url="sqlite://", geography=Anywhere())
    >>> book = WorkshopBook(store)
    >>> code = book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code
    >>> open_vote_round(store, code) is None
    True
    >>> book.start_round(code, dots=3).dots, open_vote_round(store, code).dots
    (3, 3)
    >>> book.stop_round(code); open_vote_round(store, code) is None, open_vote_round(store, "bad code!")
    (True, None)
    """
    if not code or check_workshop_id(code):
        return None
    voting = WorkshopBook(store).latest_round(code)
    return voting if voting is not None and voting.is_open else None


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


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The distance between two WGS84 points in metres, along the Earth's surface (haversine).

    By hand: 0.001 degrees of latitude are 6,371,008.8 m * pi / 180 / 1000 = 111.2 m.

    >>> round(distance_m(52.5163, 13.3777, 52.5173, 13.3777), 1)
    111.2
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class NearbyNeed:
    """A published need near the chosen place, and its distance from it in metres.

    ``distance_m`` is measured from the pin, or from the point inside an area chosen
    in the lists (the point the store places area needs at); ``None`` when that area
    has no point. A need located by an area is measured from its area's point.
    """

    need: Need
    distance_m: float | None


def place_point(store, place: dict) -> tuple[float, float] | None:
    """``(lat, lon)`` of a place: the pin, or the point inside an area chosen in the lists."""
    if place.get("level"):
        return store.geography.area_point(place["level"], place["area_id"])
    return place["lat"], place["lon"]


def nearby_needs(store, place: dict, limit: int = NEARBY_LIMIT) -> list[NearbyNeed]:
    """Published needs near ``place``, the nearest first, each with its distance.

    Parameters
    ----------
    store : NeedStore
    place : dict
        ``{"lat": ..., "lon": ...}`` for a point (needs in the square of
        :func:`nearby_bbox`, :data:`NEARBY_RADIUS_M`), or ``{"level": "PLR", "area_id": "..."}``
        for an area chosen from the lists (needs in that area, measured from its point).
    limit : int
        At most this many, chosen among the :data:`NEARBY_CANDIDATES` newest.

    Needs at the same distance (area needs share their area's point) keep the newest first.

    Examples
    --------
    >>> from assessment.needs.model import NeedInput
    >>> from assessment.needs.store import open_store
    >>> class OnePlace:  # a stand-in geography: every point lies in one planning area
    ...     def locate(self, lat, lon):
    ...         return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"}
    >>> store = open_store(database_url="sqlite://", geography=OnePlace())
    >>> for title, lat in [("Weiter weg", 52.5253), ("Gleich nebenan", 52.5211)]:
    ...     _ = store.submit(NeedInput(category="housing", title=title, lat=lat, lon=13.40), status="published")
    >>> [(n.need.title, round(n.distance_m)) for n in nearby_needs(store, {"lat": 52.52, "lon": 13.40})]
    [('Gleich nebenan', 122), ('Weiter weg', 589)]
    """
    if place.get("level"):
        found = store.query(level=place["level"], area_ids=[place["area_id"]], limit=NEARBY_CANDIDATES)
    else:
        found = store.query(bbox=nearby_bbox(place["lat"], place["lon"]), limit=NEARBY_CANDIDATES)
    centre = place_point(store, place)
    measured = [NearbyNeed(n, None if centre is None else distance_m(*centre, n.lat, n.lon)) for n in found]
    if centre is not None:
        measured.sort(key=lambda near: near.distance_m)  # stable: equally far ones stay newest first
    return measured[:limit]


def nearby_line(near: NearbyNeed, area: str, lang: str) -> str:
    """The line under a listed need's title: how far, its topic, its ``area`` (a name) and its supports.

    Plain text: the page escapes it for Markdown.

    >>> from datetime import datetime, timezone
    >>> from assessment.needs.model import Need
    >>> need = Need(id="n1", created_at=datetime(2026, 11, 26, tzinfo=timezone.utc), category="housing",
    ...             title="Mehr Bänke", description="", lat=52.52, lon=13.40, located_by="point", area_level=None,
    ...             units={"PLR": "01100206", "BZR": "011002", "PGR": "0110", "BEZ": "01"}, status="published",
    ...             merged_into=None,
    ...             support_count=2, workshop_id=None, channel="online", language="de")
    >>> nearby_line(NearbyNeed(need, 118.0), "Planungsraum Unter den Linden", "de")
    'ca. 120 m · Wohnen · Planungsraum Unter den Linden · Unterstützungen: 2'
    """
    return t("report.nearby_item", lang, distance=distance_text(near.distance_m, lang),
             category=category_label(near.need.category, lang), area=area, supports=near.need.support_count)


def distance_text(metres: float | None, lang: str) -> str:
    """A distance as a resident reads it: to 10 m below a kilometre, to 100 m above; "ca." says it is rounded.

    >>> [distance_text(m, "de") for m in (4, 118, 995, 1234)]
    ['weniger als 10 m', 'ca. 120 m', 'ca. 1,0 km', 'ca. 1,2 km']
    >>> distance_text(118, "en"), distance_text(None, "en")
    ('about 120 m', 'in the chosen area')
    """
    if metres is None:
        return t("report.distance_area", lang)
    if metres < 10:
        return t("report.distance_close", lang)
    tens = round(metres / 10) * 10
    if tens < 1000:
        return t("report.distance_m", lang, m=format_number(tens, 0, lang))
    return t("report.distance_km", lang, km=format_number(round(metres / 100) / 10, 1, lang))


# --- "Ich auch" -----------------------------------------------------------------------------


def browser_secret(xsrf_cookie: object) -> str | None:
    """The random value of Streamlit's XSRF cookie that stays the same for a browser, or ``None``.

    The cookie reads ``2|mask|masked token|timestamp``: the server keeps the token
    but masks it with a new random mask on every page load, so the cookie's text
    changes with each reload. The token (the masked bytes XOR the mask, repeated)
    does not. Another form (an old unmasked token) is returned as it is.

    >>> browser_secret("2|01020304|0306050c|1700000000"), browser_secret("2|ffffffff|fdfbf9f7|1700000000")
    ('02040608', '02040608')
    >>> browser_secret(""), browser_secret(None), browser_secret("2|zz|zz|1")
    (None, None, None)
    """
    if not isinstance(xsrf_cookie, str) or not xsrf_cookie.strip("\"'"):
        return None
    value = xsrf_cookie.strip("\"'")
    if not value.startswith("2|"):
        return value
    try:
        _, mask_hex, masked_hex, _timestamp = value.split("|")
        mask, masked = bytes.fromhex(mask_hex), bytes.fromhex(masked_hex)
    except ValueError:
        return None
    if not mask or not masked:
        return None
    return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked)).hex()


def support_token(browser: str | None, session: str) -> str:
    """The client token of a support: one per browser, so a reload cannot count twice.

    ``browser`` is a random value the browser keeps across reloads (the token in
    Streamlit's XSRF cookie, :func:`browser_secret`); without it (no cookie) the session value stands in,
    only to look up supports (:func:`support_need` counts none without the cookie). Only the SHA-256 of
    the value is used (:func:`hashed_key`), written with ``-`` so that it is a valid
    client token (:func:`assessment.needs.validation.check_client_token`).

    >>> support_token("cookie-value", "session-1") == support_token("cookie-value", "session-2")
    True
    >>> token = support_token(None, "session-1")
    >>> token.startswith("session-"), len(token), token == support_token(None, "session-2")
    (True, 72, False)
    """
    kind, value = ("browser", browser) if browser else ("session", session)
    return hashed_key(kind, value).replace(":", "-")


def supported_needs(store: NeedStore, client_token: str, need_ids: Iterable[str]) -> set[str]:
    """Which of ``need_ids`` ``client_token`` has supported already.

    >>> from assessment.needs.model import NeedInput
    >>> from assessment.needs.store import open_store
    >>> class OnePlace:  # a stand-in geography: every point lies in one planning area
    ...     def locate(self, lat, lon):
    ...         return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"}
    >>> store = open_store(database_url="sqlite://", geography=OnePlace())
    >>> need = store.submit(NeedInput(category="housing", title="Mehr Bänke", lat=52.52, lon=13.40))
    >>> token = support_token("cookie-value", "session-1")
    >>> supported_needs(store, token, [need.id])
    set()
    >>> store.support(need.id, token)
    1
    >>> supported_needs(store, token, [need.id]) == {need.id}
    True
    """
    ids = list(need_ids)
    if not ids:
        return set()
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(supports.c.need_id).where(supports.c.client_token == client_token, supports.c.need_id.in_(ids))
        )
        return {row.need_id for row in rows}


class ProcedureClosedError(TranslatedError, ValueError):
    """The need's procedure is closed: it is read-only and shows its results.

    The message names the procedure by the title staff gave it in the reader's language
    (:attr:`title`, ``{lang: text}``; German where that language has none): ``str()`` in
    English, :meth:`in_language` in any language, Leichte Sprache too (residents read it).

    >>> error = ProcedureClosedError({"de": "Kiezplan Moabit", "en": "Moabit neighbourhood plan"})
    >>> str(error)
    'The procedure “Moabit neighbourhood plan” is closed: it takes no more needs or supports.'
    >>> error.in_language("de")
    'Das Verfahren „Kiezplan Moabit“ ist abgeschlossen: Es nimmt keine Bedarfe und keine Unterstützungen mehr an.'
    """

    def __init__(self, title: Mapping[str, str]):
        super().__init__(FormattedMessage("procedure.error.closed", procedure=dict(title)))
        self.title = dict(title)
        self.args = (self.title,)  # what a copy is rebuilt from

    def __str__(self) -> str:
        return str(self.message)


class NoBrowserError(ValueError):
    """The browser sent no cookie: a support cannot be counted once, so it is not counted at all."""

    def __str__(self) -> str:
        return "the browser sent no XSRF cookie: without it a support would count again after every reload"


def support_need(store: NeedStore, need_id: str, browser: str | None, session: str) -> bool:
    """Count "Ich auch" from one browser (:func:`support_token`); ``False`` when the database was too busy.

    A second support from the same browser counts once (the store keeps the token). A need of a
    closed procedure takes no more supports: :class:`ProcedureClosedError`. Without the
    browser's secret (no cookie) nothing is counted: :class:`NoBrowserError`. A page session
    cannot stand in, since a reload is a new session and would bring a fresh support.
    """
    if not browser:
        raise NoBrowserError()
    procedure = ProcedureBook(store).get(store.get(need_id).procedure_id)
    if not procedure.is_open():
        raise ProcedureClosedError({lang: procedure.title_in(lang) for lang in LANGUAGES})
    try:
        store.support(need_id, support_token(browser, session))
    except StoreBusyError:
        return False
    return True


# --- "Problem melden" ----------------------------------------------------------------------


@dataclass(frozen=True)
class FlagAnswer:
    """What the page says after a report: a text key with its ``values``, shown as success (``ok``) or error.

    A settled report disables the need's "Problem melden" button for the session; an
    unsettled one (the database was busy, the limit was reached, no cookie)
    may be tried again.
    """

    message: str
    settled: bool
    ok: bool = True
    values: dict = field(default_factory=dict)


#: The database was too busy: nothing was counted, try again.
BUSY = FlagAnswer("report.busy", settled=False, ok=False)
#: The need's procedure is closed: it takes no more supports.
SUPPORT_CLOSED = FlagAnswer("procedure.support_closed", settled=False, ok=False)
#: The browser sent no cookie: no support is counted (:class:`NoBrowserError`).
SUPPORT_NO_COOKIE = FlagAnswer("report.support_no_cookie", settled=False, ok=False)


def reporter_key(browser: str | None) -> str | None:
    """Who reports: the SHA-256 of the browser's secret (:func:`browser_secret`), or ``None`` without one.

    A page session cannot stand in: a reload is a new session, and one person
    reporting, reloading and reporting again would count as several. The
    ``reporter`` kind keeps these hashes apart from the ones of "Ich auch"
    (:func:`support_token`), so reports and supports of a browser cannot be
    matched.

    >>> reporter_key("02040608") == reporter_key("02040608"), reporter_key(None), reporter_key("")
    (True, None, None)
    >>> reporter_key("02040608")[:9]
    'reporter:'
    """
    return hashed_key("reporter", browser) if isinstance(browser, str) and browser else None


def flag_rate_limiter(store: NeedStore, *, clock: Callable[[], datetime] = utc_now) -> SharedLimiter:
    """The limit on reports: :data:`FLAG_LIMIT` needs per :data:`FLAG_WINDOW_S` per browser, in the database."""
    return SharedLimiter(store, "flag", FLAG_LIMIT, FLAG_WINDOW_S, clock=clock)


def flag_need(store: NeedStore, need_id: str, browser: str | None, reason: str | None, *,
              clock: Callable[[], datetime] = utc_now) -> FlagAnswer:
    """A resident reports ("Problem melden") a published need to the moderators.

    Parameters
    ----------
    browser : str or None
        The browser's secret (:func:`browser_secret`). Without it there is no
        report: a browser that sends no cookie would otherwise count as a new
        reporter on every page load.
    reason : str or None
        One of :data:`~assessment.participation.moderation.REPORT_REASONS`;
        none chosen counts as ``"other"``.

    Notes
    -----
    The reporter is :func:`reporter_key`, never an IP address; the store counts
    a browser once per need, and :meth:`Moderation.report` decides whether the
    need is hidden or only queued for the moderators. A browser reports at most
    :data:`FLAG_LIMIT` different needs per :data:`FLAG_WINDOW_S`
    (:func:`flag_rate_limiter`, shared by every app instance); reporting a need
    again uses up nothing. A refused or failed report frees its place.
    """
    key = reporter_key(browser)
    if key is None:
        return FlagAnswer("report.flag_no_cookie", settled=False, ok=False)
    limiter = flag_rate_limiter(store, clock=clock)
    try:
        wait = limiter.reserve([key], need_id)
    except StoreBusyError:
        return BUSY
    if wait > 0:
        return FlagAnswer("report.flag_limited", settled=False, ok=False, values={
            "limit": FLAG_LIMIT, "window": round(FLAG_WINDOW_S / 60), "minutes": max(1, math.ceil(wait / 60))})
    try:
        result = Moderation(store, clock=clock).report(need_id, key, reason or "other")
    except (DecisionError, NeedNotFoundError):
        # Hidden, rejected or deleted meanwhile (e.g. the third report came from someone else).
        limiter.release([key], need_id)
        return FlagAnswer("report.flag_already", settled=True)
    except StoreBusyError:
        # The pending place stays until it leaves the window: it errs on the side of the limit.
        return BUSY
    limiter.record([key], need_id)
    return FlagAnswer("report.flag_done" if result.counted else "report.flag_known", settled=True)
