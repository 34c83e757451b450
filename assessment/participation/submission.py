"""One send of the residents' form /melden: from what was typed to a stored need, or why not.

The page reads its widgets into a :class:`ReportForm` and calls
:func:`submit_report`; everything after the click is decided here and comes
back as a :class:`Submission` the page only shows. In order:

1. **The honeypot** (:func:`~assessment.participation.residents.honeypot_filled`):
   filled in, nothing is stored and the allowance is left alone.
2. **The rate limit**: a place is reserved in the sender's allowance
   (:func:`report_allowance`: a resident's five per ten minutes under the
   session and browser keys, :func:`limit_keys`; more for a workshop's table
   device or its signed-in facilitator); the check and the held place are one
   transaction, so parallel sends (other tabs, other app instances) cannot
   pass the limit together. A database too busy to answer refuses the send
   rather than let it past the limit.
3. **The status**: ``published`` at once when the operator says so or the
   workshop's facilitator moderates the room (:func:`publishes_at_once`),
   else ``pending`` until a moderator decides.
4. **The store** checks and stores the :class:`~assessment.needs.model.NeedInput`
   (:func:`need_input`). The form's client token makes a repeated click return
   the first need instead of storing a second.
5. **Settling**: the held place is confirmed when the store accepted the need
   and freed when it refused it, so a typo does not use up the allowance.

A refusal names each field it is about; :meth:`Submission.messages` says where
on the form each message belongs.

Examples
--------
>>> from assessment.needs.store import open_store
>>> from assessment.participation.residents import page_rate_limiter
>>> class OnePlace:  # a stand-in geography: every point lies in one planning area
...     def locate(self, lat, lon):
...         return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"}
>>> store = open_store(database_url="sqlite://", geography=OnePlace())
>>> send = dict(place={"lat": 52.52, "lon": 13.40, "located": {}}, workshop=None, lang="de",
...             keys=limit_keys("a-session", None), publish_immediately=False)
>>> done = submit_report(store, page_rate_limiter(store), ReportForm("mobility", "Sichere Querung", ""),
...                      token="form-token-1", **send)
>>> done.outcome, done.need.status, done.messages("de")
('stored', 'pending', [])
>>> refused = submit_report(store, page_rate_limiter(store), ReportForm(None, "ab", ""), token="form-token-2", **send)
>>> refused.outcome, [slot for slot, _ in refused.messages("de")]
('refused', ['form', 'category', 'title'])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from assessment.needs.model import Need, NeedInput, utc_now
from assessment.needs.procedures import Procedure
from assessment.needs.store import NeedStore, StoreBusyError
from assessment.needs.validation import FieldError, ValidationError
from assessment.participation.auth import PAGE_ROLES, User
from assessment.participation.limits import SharedLimiter, hashed_key, reserve_together
from assessment.participation.places import need_location
from assessment.participation.residents import (
    RATE_LIMIT,
    RATE_WINDOW_S,
    STAFF_RATE_LIMIT,
    TABLE_RATE_LIMIT,
    honeypot_filled,
)
from assessment.participation.workshops import Workshop, WorkshopBook
from core.i18n import t

#: Fields of a refused need whose message belongs at the place (the map and the lists), not at a text field.
PLACE_FIELDS = ("location", "area_level", "area_id")
#: Fields the form shows with a message slot of their own.
FORM_FIELDS = ("category", "title", "description")
#: The name of each slot as the form labels it, in the form's order, for the summary under the button.
SLOT_NAMES = {"place": "report.field_place", "category": "report.field_category",
              "title": "report.field_title", "description": "report.field_description"}


@dataclass(frozen=True)
class ReportForm:
    """What the resident typed and chose in step 2 of the form."""

    category: str | None
    title: str
    description: str | None = ""
    #: The field humans are asked to leave empty.
    honeypot: str = ""
    #: Answers to the procedure's questions: question id -> the chosen option (unanswered: left out).
    answers: dict | None = None


def limit_keys(session: str, browser: str | None) -> list[str]:
    """The keys the rate limit counts under: the browser session and, when known, the browser.

    ``browser`` is the token in Streamlit's XSRF cookie
    (:func:`~assessment.participation.residents.browser_secret`): random per
    browser and the same after a reload, which starts a new session. Both are
    hashed (:func:`~assessment.participation.limits.hashed_key`); nothing that
    identifies a person is kept.

    >>> [key.split(":")[0] for key in limit_keys("s1", "cookie")], limit_keys("s1", None) == [NO_BROWSER_KEY]
    (['session', 'browser'], True)
    """
    if not browser:  # no cookie: every such sender shares one allowance, so dropping cookies gains nothing
        return [NO_BROWSER_KEY]
    return [hashed_key("session", session), hashed_key("browser", browser)]


#: The one key of every sender without a browser cookie (a kind of its own: no cookie value can match it).
NO_BROWSER_KEY = hashed_key("no_browser", "shared")
#: The ceilings' windows: per minute and per day.
MINUTE_S, DAY_S = 60.0, 86400.0


#: The limiter kind of each sender's allowance: they never count each other's sends.
ALLOWANCE_KINDS = {"resident": "report", "table": "report_table", "staff": "report_staff"}


@dataclass(frozen=True)
class Allowance:
    """Which limit one sender on /melden is held to: whose, how many per ten minutes, under which keys.

    ``who`` is ``"resident"`` (one person: :data:`~assessment.participation.residents.RATE_LIMIT`
    under the session and browser keys), ``"table"`` (a workshop's shared device,
    keyed by its link) or ``"staff"`` (a signed-in facilitator or admin, keyed by
    the account). Every key is hashed. ``notice`` is the text key of what the page
    says about it (with ``values``), ``None`` for a plain resident.
    """

    who: str
    limit: int
    keys: tuple[str, ...]
    notice: str | None = None
    values: dict = field(default_factory=dict)
    #: The open workshop the send is tagged with, whose ceiling it counts against too.
    workshop_code: str | None = None

    def limiter(self, store: NeedStore, settings=None, *,
                clock: Callable[[], datetime] = utc_now) -> "SharedLimiter | ReportLimits":
        """The limit in the needs database, shared by every app instance (its own kind per ``who``).

        With ``settings`` (:class:`core.settings.Settings`) the ceilings per workshop
        and overall, and for a resident the day's allowance of the browser
        (``"browser_day"``: the same keys, ``limit_browser_per_day`` per 24 hours),
        are checked in the same reservation (:class:`ReportLimits`).
        """
        own = SharedLimiter(store, ALLOWANCE_KINDS[self.who], self.limit, RATE_WINDOW_S, clock=clock)
        if settings is None:
            return own
        parts = ceilings(store, settings, self.workshop_code, clock=clock)
        if self.who == "resident":  # a table's tablet and a facilitator have their own, larger allowances
            parts.insert(0, ("browser_day", SharedLimiter(store, "ceil_br_day", settings.limit_browser_per_day, DAY_S,
                                                          clock=clock), list(self.keys)))
        return ReportLimits(own, parts)


#: Each ceiling: its name (the text keys), the limiter kind, the settings field of its limit, its window.
CEILINGS = (
    ("workshop_minute", "ceil_ws_minute", "limit_workshop_per_minute", MINUTE_S),
    ("workshop_day", "ceil_ws_day", "limit_workshop_per_day", DAY_S),
    ("overall_minute", "ceil_all_minute", "limit_overall_per_minute", MINUTE_S),
    ("overall_day", "ceil_all_day", "limit_overall_per_day", DAY_S),
)


def ceilings(store: NeedStore, settings, workshop_code: str | None, *,
             clock: Callable[[], datetime] = utc_now) -> list[tuple[str, SharedLimiter, list[str]]]:
    """The ceilings a send counts against: its workshop's (when tagged with one) and the overall ones."""
    parts = []
    for name, kind, setting, window in CEILINGS:
        if name.startswith("workshop") and workshop_code is None:
            continue
        key = hashed_key("workshop", workshop_code) if name.startswith("workshop") else hashed_key("overall", "all")
        parts.append((name, SharedLimiter(store, kind, getattr(settings, setting), window, clock=clock), [key]))
    return parts


class ReportLimits:
    """The sender's own allowance and the ceilings, reserved together (all or nothing).

    Behaves like the sender's :class:`SharedLimiter` for :func:`submit_report`;
    after a refusal :attr:`refused` names the limit (``"own"`` or a ceiling of
    :data:`CEILINGS`), :attr:`limit` and :attr:`window_s` are that limit's.
    """

    def __init__(self, own: SharedLimiter, ceiling_parts: list[tuple[str, SharedLimiter, list[str]]]):
        self.own = own
        self.ceilings = ceiling_parts
        self.refused: str | None = None
        self.limit, self.window_s = own.limit, own.window_s

    def reserve(self, keys: list[str], token: str | None = None) -> float:
        parts = [(self.own, list(keys))] + [(limiter, ceiling_keys) for _, limiter, ceiling_keys in self.ceilings]
        wait, index = reserve_together(parts, token)
        if index is not None:
            limiter = parts[index][0]
            self.refused = "own" if index == 0 else self.ceilings[index - 1][0]
            self.limit, self.window_s = limiter.limit, limiter.window_s
        return wait

    def record(self, keys: list[str], token: str | None) -> None:
        self.own.record(keys, token)
        for _, limiter, ceiling_keys in self.ceilings:
            limiter.record(ceiling_keys, token)

    def release(self, keys: list[str], token: str) -> None:
        self.own.release(keys, token)
        for _, limiter, ceiling_keys in self.ceilings:
            limiter.release(ceiling_keys, token)


def report_allowance(
    store: NeedStore,
    *,
    session: str,
    browser: str | None,
    user: User,
    workshop: Workshop | None,
    table_secret: str | None = None,
) -> Allowance:
    """Which limit a send from /melden counts against; only an open workshop raises it.

    * A signed-in **facilitator or admin** (the roles of the workshop page) on
      ``/melden?workshop=CODE`` of an open workshop, typing up the room's flipchart
      cards: :data:`~assessment.participation.residents.STAFF_RATE_LIMIT` per account.
    * A **table device** of that open workshop (``&tisch=SECRET``, a link the
      facilitator made: :meth:`~assessment.participation.workshops.WorkshopBook.add_table_device`),
      used by many people in turn: :data:`~assessment.participation.residents.TABLE_RATE_LIMIT`
      per device, whoever holds it.
    * Everyone else, also with a device link that is wrong, of another workshop or
      of one that is not open: a **resident's** five per ten minutes, per session
      and browser. A wrong link is said (``report.table_link_invalid``), so a
      facilitator notices before the table is locked out.

    Examples
    --------
    >>> from assessment.needs.store import open_store
    >>> from assessment.participation.auth import RESIDENT
    >>> store = open_store(database_url="sqlite://")
    >>> from datetime import UTC, date, datetime
    >>> room = Workshop("K7MP3Q", "Kiezwerkstatt", date(2026, 12, 3), "open", False, "BEZ", "01", None,
    ...                 datetime(2026, 12, 1, tzinfo=UTC))
    >>> report_allowance(store, session="s1", browser=None, user=RESIDENT, workshop=room).limit
    5
    >>> anna = User("anna", frozenset({"facilitator"}), "password")
    >>> staff = report_allowance(store, session="s1", browser=None, user=anna, workshop=room)
    >>> staff.who, staff.limit, staff.keys == (hashed_key("account", "anna"),)
    ('staff', 300, True)
    >>> report_allowance(store, session="s1", browser=None, user=anna, workshop=None).who  # no workshop link
    'resident'
    """
    allowance = _allowance(store, session=session, browser=browser, user=user, workshop=workshop,
                           table_secret=table_secret)
    code = workshop.code if workshop is not None and workshop.is_open else None
    return Allowance(allowance.who, allowance.limit, allowance.keys, allowance.notice, allowance.values, code)


def _allowance(store, *, session, browser, user, workshop, table_secret) -> Allowance:
    if workshop is not None and workshop.is_open:
        if user.roles & PAGE_ROLES["workshop"]:
            return Allowance("staff", STAFF_RATE_LIMIT, (hashed_key("account", user.name),), "report.allowance_staff",
                             {"limit": STAFF_RATE_LIMIT, "minutes": round(RATE_WINDOW_S / 60)})
        device = WorkshopBook(store).table_device(workshop.code, table_secret) if table_secret else None
        if device is not None:
            return Allowance("table", TABLE_RATE_LIMIT, (hashed_key("table", device.secret_hash),),
                             "report.allowance_table",
                             {"label": device.label, "limit": TABLE_RATE_LIMIT, "minutes": round(RATE_WINDOW_S / 60)})
    resident = tuple(limit_keys(session, browser))
    if table_secret:
        return Allowance("resident", RATE_LIMIT, resident, "report.table_link_invalid",
                         {"limit": RATE_LIMIT, "minutes": round(RATE_WINDOW_S / 60)})
    return Allowance("resident", RATE_LIMIT, resident)


def publishes_at_once(publish_immediately: bool, workshop: Workshop | None) -> bool:
    """Whether a new need goes public without moderation: the operator's setting, or the workshop's.

    A workshop's facilitator may publish the room's needs at once: they moderate the room.

    >>> from datetime import UTC, date, datetime
    >>> room = Workshop("kiez-1", "Kiez", date(2026, 12, 3), "open", True, "BEZ", "01", None,
    ...                 datetime(2026, 12, 1, tzinfo=UTC))
    >>> publishes_at_once(False, None), publishes_at_once(True, None), publishes_at_once(False, room)
    (False, True, True)
    """
    return bool(publish_immediately) or (workshop is not None and workshop.publish_immediately)


def need_input(form: ReportForm, place: dict | None, workshop: Workshop | None, lang: str,
               procedure: Procedure | None = None) -> NeedInput:
    """The need as the store receives it: the form, the place, the workshop it was sent in, the language,
    the procedure and the answers to its questions."""
    return NeedInput(
        procedure_id=procedure.id if procedure is not None else None,
        answers={k: v for k, v in (form.answers or {}).items() if v not in (None, "")} or None,
        category=form.category,
        title=form.title,
        description=form.description or "",
        workshop_id=workshop.code if workshop else None,
        channel="workshop" if workshop else "online",
        language=lang,
        **need_location(place),
    )


@dataclass(frozen=True)
class Submission:
    """The outcome of one send, for the page to show.

    ``outcome`` is one of

    * ``"stored"``: ``need`` is the stored need (or the first one stored with the same token);
    * ``"honeypot"``: the field to leave empty was filled; nothing stored;
    * ``"busy"``: the database stayed locked; nothing stored, the resident may try again;
    * ``"rate_limited"``: ``limit`` needs were sent in the window; ``wait_s`` seconds until the next;
    * ``"refused"``: the store refused the need; ``errors`` names every bad field.
    """

    outcome: str
    need: Need | None = None
    wait_s: float = 0.0
    limit: int = 0
    #: Which limit refused a ``"rate_limited"`` send: ``"own"``, ``"no_browser"``, ``"browser_day"``,
    #: ``"no_browser_day"`` or a ceiling of :data:`CEILINGS`.
    limited_by: str = "own"
    errors: tuple[FieldError, ...] = ()
    #: Whether a topic was chosen: a missing one is named as the form names the field ("Thema").
    category_chosen: bool = True

    def messages(self, lang: str) -> list[tuple[str, str]]:
        """``(slot, text)`` pairs to show as errors, in order; none for a stored need.

        The slot is ``"form"`` (under the send button), ``"place"`` (under the
        map) or a field of :data:`FORM_FIELDS` (under that field). Each refused
        field gets the store's message at its slot, after a summary under the
        button that names those fields in the form's order ("Nicht gespeichert.
        Bitte prüfen Sie: Ort, Thema, Titel."): a screen reader hears at the
        button what to fix, and a phone user learns that something above is marked.
        """
        if self.outcome == "stored":
            return []
        if self.outcome == "honeypot":
            return [("form", t("report.honeypot_refused", lang))]
        if self.outcome == "busy":
            return [("form", t("report.busy", lang))]
        if self.outcome == "rate_limited":
            if self.limited_by == "own":
                minutes = max(1, math.ceil(self.wait_s / 60))
                return [("form", t("report.rate_limited", lang, limit=self.limit, minutes=minutes))]
            return [("form", t(f"report.limit_{self.limited_by}", lang, limit=self.limit,
                               when=wait_text(self.wait_s, lang)))]
        shown = []
        for error in self.errors:
            if error.field in PLACE_FIELDS:
                shown.append(("place", error.message(lang)))
            elif error.field == "category" and not self.category_chosen:
                # The store says "Kategorie"; the form calls the field "Thema".
                shown.append(("category", t("report.category_missing", lang)))
            elif error.field in FORM_FIELDS:
                shown.append((error.field, error.message(lang)))
            else:
                shown.append(("form", error.message(lang)))
        marked = [t(name, lang) for slot, name in SLOT_NAMES.items() if any(s == slot for s, _ in shown)]
        summary = t("report.not_saved_fields", lang, fields=", ".join(marked)) if marked else t("report.not_saved", lang)
        return [("form", summary), *shown]


def submit_report(
    store: NeedStore,
    limiter: SharedLimiter,
    form: ReportForm,
    *,
    place: dict | None,
    workshop: Workshop | None,
    lang: str,
    token: str,
    keys: list[str],
    publish_immediately: bool,
    procedure: Procedure | None = None,
) -> Submission:
    """Send one need from the residents' form: check, hold a place in the limit, store, settle.

    Parameters
    ----------
    store : NeedStore
    limiter : SharedLimiter
        The sender's limit (:meth:`Allowance.limiter` of :func:`report_allowance`).
    form : ReportForm
    place : dict or None
        The chosen place (:mod:`assessment.participation.places`); none is refused by the store.
    workshop : Workshop or None
        The open workshop the page was opened for; the need is tagged with it.
    lang : {"de", "en"}
        The interface language, stored with the need.
    token : str
        The form's client token: one per form, so a repeated click stores one need.
    keys : list of str
        The rate limit's keys (:attr:`Allowance.keys`; a resident's are :func:`limit_keys`).
    publish_immediately : bool
        The operator's setting (``BEDARFSATLAS_PUBLISH_IMMEDIATELY``).
    procedure : Procedure, optional
        The participation procedure the need goes into (:func:`procedure_for_send`); the store
        refuses a point outside its area, a closed procedure and answers it did not ask for.
        Its moderation rule ``post`` publishes at once. Without it: "Allgemein".
    """
    if honeypot_filled(form.honeypot):
        return Submission("honeypot")
    try:
        wait = limiter.reserve(keys, token)
    except StoreBusyError:
        return Submission("busy")
    if wait > 0:
        by = getattr(limiter, "refused", None) or "own"
        if by in ("own", "browser_day") and NO_BROWSER_KEY in keys:  # the allowance all cookieless senders share
            by = "no_browser" if by == "own" else "no_browser_day"
        return Submission("rate_limited", wait_s=wait, limit=limiter.limit, limited_by=by)
    post_moderation = procedure is not None and procedure.moderation == "post"
    status = "published" if publishes_at_once(publish_immediately, workshop) or post_moderation else "pending"
    try:
        need = store.submit(need_input(form, place, workshop, lang, procedure), client_token=token, status=status,
                            procedure=procedure)
    except ValidationError as refused:
        _settle(limiter, keys, token, stored=False)
        return Submission("refused", errors=tuple(refused.errors), category_chosen=bool(form.category))
    except StoreBusyError:
        _settle(limiter, keys, token, stored=False)
        return Submission("busy")
    _settle(limiter, keys, token, stored=True)
    return Submission("stored", need=need)


def procedure_for_send(open_procedures: list[Procedure], chosen: str | None,
                       workshop: Workshop | None) -> Procedure | None:
    """The procedure a need from /melden goes into: the workshop's, else the chosen one, else the only open one.

    ``None`` when there is nothing to send into (no open procedure, the workshop's procedure
    is not open, or several are open and none is chosen).

    >>> from datetime import date
    >>> def open_one(pid):
    ...     return Procedure(pid, {"de": pid}, {}, None, (), None, "Berlin", date(2000, 1, 1), None, None, (), (), "pre")
    >>> [procedure_for_send([open_one("a")], None, None).id, procedure_for_send([open_one("a"), open_one("b")], None, None)]
    ['a', None]
    >>> procedure_for_send([open_one("a"), open_one("b")], "b", None).id
    'b'
    >>> from datetime import UTC, datetime
    >>> room = Workshop("K7MP3Q", "Kiezwerkstatt", date(2026, 12, 3), "open", False, "BEZ", "01", None,
    ...                 datetime(2026, 12, 1, tzinfo=UTC), procedure_id="c")
    >>> procedure_for_send([open_one("a")], None, room) is None
    True
    """
    by_id = {p.id: p for p in open_procedures}
    if workshop is not None:  # a workshop's needs belong to its procedure, or to none while it is not open
        return by_id.get(workshop.procedure_id)
    if chosen in by_id:
        return by_id[chosen]
    return open_procedures[0] if len(open_procedures) == 1 else None


def wait_text(wait_s: float, lang: str) -> str:
    """When one may send again, as a person says it: "in etwa 4 Minuten", past two hours in hours.

    >>> wait_text(200, "de"), wait_text(30, "en"), wait_text(5 * 3600 + 1, "de")
    ('in etwa 4 Minuten', 'in about 1 minute', 'in etwa 6 Stunden')
    """
    minutes = max(1, math.ceil(wait_s / 60))
    if minutes < 120:
        return t("report.wait_minute" if minutes == 1 else "report.wait_minutes", lang, n=minutes)
    return t("report.wait_hours", lang, n=math.ceil(minutes / 60))


def _settle(limiter: SharedLimiter, keys: list[str], token: str, *, stored: bool) -> None:
    """Confirm the held place (the store accepted the need) or free it (the store refused it)."""
    try:
        if stored:
            limiter.record(keys, token)
        else:
            limiter.release(keys, token)
    except StoreBusyError:
        pass  # the place stays held and counted until it leaves the window: errs on the side of the limit
