"""Moderation: the queue of new needs and every decision on them, each one audited.

Needs sent on the residents' page start as ``pending``. A moderator

* **approves** a need (``published``: now the public sees it),
* **rejects** it with a reason from :data:`REJECT_REASONS`,
* **edits** title or description to remove personal data (the original text
  is kept only in the audit log, :mod:`assessment.needs.audit`),
* **merges** a duplicate into the need it repeats: the duplicate becomes
  ``merged`` and its supports ("me too") move to the kept need, counted once
  per browser token,
* decides on many needs of one workshop at once (:meth:`Moderation.bulk`).

Residents can **report** a published need (:meth:`Moderation.report`), once
per browser. A reported need comes first in the moderators' queue, with its
number of reports. Reports hide a need by themselves only while no moderator
has approved it: at :data:`REPORT_THRESHOLD` reports from different browsers
within :data:`REPORT_WINDOW_S` it is ``hidden`` until a moderator approves
(published again, reports cleared) or rejects it. Once a moderator has
approved a need, that decision stands: later reports put it back on the
queue, still published, and the moderator approves it again (which clears
them) or rejects it. So one person with a few fresh browsers cannot take an
approved need out of view, neither at once nor again and again.

Each change and its audit row are written in one transaction: a change that
fails (unknown need, a merge into a missing need, a decision the current
status does not allow) leaves no audit row, and the audit row never exists
without the change.

The rules of the queue page live here too, so ``/moderation`` only reads its
widgets and renders: which needs it shows with controls and how they are
numbered (:func:`queue_page`), what a need may be merged into
(:meth:`Moderation.merge_targets`), and what the moderator is told after a
decision (:func:`decision_message`, :func:`merge_message`). A need becomes a
map marker with :func:`queue_marker`; the drawing is :mod:`maps.moderation`.

Examples
--------
>>> from assessment.needs.model import NeedInput
>>> from assessment.needs.store import open_store
>>> class OneSquare:  # a stand-in geography: one planning area, 52-53 N, 13-14 E
...     def locate(self, lat, lon):
...         return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"}
...     def area_point(self, level, area_id):
...         return None
>>> store = open_store(database_url="sqlite://", geography=OneSquare())
>>> need = store.submit(NeedInput(category="mobility", title="Mehr Fahrradbügel", lat=52.5, lon=13.4))
>>> moderation = Moderation(store)
>>> [n.reference for n in moderation.queue()] == [need.reference]
True
>>> moderation.approve(need.id, actor="mod-anna").status
'published'
>>> moderation.queue()
[]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Mapping, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assessment.needs import audit
from assessment.needs.model import DESCRIPTION_MAX, TITLE_MAX, TITLE_MIN, Need, utc_now
from assessment.needs.store import NeedNotFoundError, NeedStore, UTCDateTime, needs, needs_frame, supports
from assessment.needs.taxonomy import CATEGORIES
from assessment.needs.validation import FieldError, ValidationError, check_text
from core.i18n import LANGUAGES, Message, TranslatedError, format_datetime, in_language, t
from geodata.lor import CITY_TIMEZONE
from maps.moderation import QueueMarker

REPORT_THRESHOLD = 3
"""Reports from this many different browsers within :data:`REPORT_WINDOW_S` hide a need no moderator approved."""
REPORT_WINDOW_S = 24 * 3600.0
"""Only reports younger than this count towards hiding: a few reports spread over weeks hide nothing."""

REJECT_REASONS: dict[str, str] = {
    reason: f"moderation.reject_reason.{reason}"
    for reason in ("personal_data", "offensive", "advertising", "off_topic", "outside_scope", "duplicate")
}
"""Why a need is rejected: id -> message key of its words. Moderators pick one; free text is not stored."""

REPORT_REASONS: dict[str, str] = {
    reason: f"report.reason.{reason}" for reason in ("personal_data", "offensive", "spam", "other")
}
"""Why a resident reports a published need: id -> message key of its words."""


def reason_text(reasons: dict[str, str], reason: str, lang: str) -> str:
    """The words of ``reason`` (an id of :data:`REJECT_REASONS` or :data:`REPORT_REASONS`) in ``lang``.

    >>> reason_text(REPORT_REASONS, "spam", "en")
    'Advertising or spam'
    """
    return t(reasons[reason], lang)


def reason_names(reasons: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Each reason's words in every language, for a list that keeps its choice across a change of language."""
    return {reason: tuple(t(key, code) for code in LANGUAGES) for reason, key in reasons.items()}

EDIT_REASONS = ("personal_data", "wording")
BULK_ACTIONS = ("approve", "reject")

PAGE_SIZE = 20
"""Needs the queue page shows with decision controls (and on its map); the rest follow as these are decided."""
OPEN_AT_FIRST = 3
"""A queue of at most this many needs shows each one opened: nothing to scroll past."""
MERGE_TARGET_STATUSES = ("published", "pending", "hidden")
"""A need may be merged into a need with one of these statuses (not rejected, not merged itself)."""
MERGE_CANDIDATES = 50
"""Most needs of the area looked at as merge targets (newest first)."""

# Which decision may follow which status. A merged need stays merged (its supports moved).
_ALLOWED_FROM = {
    # And from published while residents' reports are open (see Moderation._change).
    "approve": ("pending", "hidden", "rejected"),
    "reject": ("pending", "hidden", "published"),
    "hide": ("published",),
    "merge": ("pending", "hidden", "published", "rejected"),
    "edit": ("pending", "hidden", "published", "rejected"),
}

_metadata = sa.MetaData()
need_reports = sa.Table(
    "need_reports",
    _metadata,
    sa.Column("need_id", sa.String(36), primary_key=True),
    sa.Column("reporter_key", sa.String(80), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
)


class DecisionError(TranslatedError, ValueError):
    """A decision the need's current status does not allow; the message names both.

    ``str()`` is English (logs, tests); :meth:`in_language` gives the moderator's language,
    with the statuses as the moderation page names them.

    >>> error = DecisionError(Message("moderation.error.cannot_hide", reference="B-7K2Q",
    ...                               status=Message("moderation.status.pending"), allowed=Statuses(("published",))))
    >>> print(error)
    cannot hide need B-7K2Q: it is 'pending'; hide is possible from published. Reload the queue: someone else may have decided already.
    >>> print(error.in_language("de"))
    Bedarf B-7K2Q kann nicht ausgeblendet werden: Er hat den Status „wartet“. Ausblenden ist nur möglich bei: veröffentlicht. Laden Sie die Seite neu: Vielleicht hat schon jemand anderes entschieden.
    """


@dataclass(frozen=True)
class Statuses:
    """Need statuses as a list in the reader's language (a value of a :class:`core.i18n.Message`)."""

    statuses: tuple[str, ...]

    def in_language(self, lang: str) -> str:
        return ", ".join(status_word(status, lang) for status in self.statuses)

    def __str__(self) -> str:
        return self.in_language("en")


@dataclass(frozen=True)
class ReportResult:
    """After a resident's report: the need's number of reports, whether it is hidden now, and whether this one counted.

    ``counted`` is ``False`` when the browser had reported the need already (it counts once).
    """

    reports: int
    hidden: bool
    counted: bool = True


class Moderation:
    """Moderators' decisions on the needs of ``store``, each written with its audit row.

    ``clock`` gives the current time (timezone-aware) for residents' reports; tests pass a fake one.
    """

    def __init__(self, store: NeedStore, *, clock: Callable[[], datetime] | None = None):
        self.store = store
        self._clock = clock

    # -- reading --

    def queue(self, *, workshop_id: str | None = None, limit: int | None = None) -> list[Need]:
        """Needs waiting for a decision: reported ones first (most reports first), then the rest oldest first.

        Waiting are ``pending`` needs, ``hidden`` ones (by reports or by a
        workshop's facilitator) and ``published`` ones that residents reported
        since a moderator last decided on them.

        Parameters
        ----------
        workshop_id : str, optional
            Only needs collected in this workshop (for bulk decisions after a workshop).
        limit : int, optional
            At most this many.
        """
        reported = (
            sa.select(need_reports.c.need_id, sa.func.count().label("reports"))
            .group_by(need_reports.c.need_id).subquery()
        )
        reports = sa.func.coalesce(reported.c.reports, 0)
        statement = (
            self.store.select_needs()
            .outerjoin(reported, reported.c.need_id == needs.c.id)
            .where(sa.or_(needs.c.status.in_(["pending", "hidden"]),
                          sa.and_(needs.c.status == "published", reports > 0)))
            .order_by(reports.desc(), needs.c.created_at, needs.c.id)
        )
        if workshop_id is not None:
            statement = statement.where(needs.c.workshop_id == workshop_id)
        if limit is not None:
            statement = statement.limit(limit)
        with self.store.engine.connect() as conn:
            rows = conn.execute(statement).all()
        return [self.store.need_from_row(row) for row in rows]

    def report_counts(self, need_ids: Iterable[str] | None = None) -> dict[str, int]:
        """Number of residents' reports per need id (needs without reports are left out)."""
        statement = sa.select(need_reports.c.need_id, sa.func.count()).group_by(need_reports.c.need_id)
        if need_ids is not None:
            statement = statement.where(need_reports.c.need_id.in_(list(need_ids)))
        with self.store.engine.connect() as conn:
            return {need_id: int(count) for need_id, count in conn.execute(statement).all()}

    def queue_frame(self, *, workshop_id: str | None = None) -> pd.DataFrame:
        """:meth:`queue` as a table for the moderation page, with ``reference`` and ``reports``."""
        found = self.queue(workshop_id=workshop_id)
        frame = needs_frame(found, self.store.levels)
        counts = self.report_counts(frame["id"].tolist()) if len(frame) else {}
        frame["reports"] = [counts.get(i, 0) for i in frame["id"]]
        return frame

    def merge_targets(self, need: Need, *, limit: int = MERGE_CANDIDATES) -> list[Need]:
        """The needs ``need`` may be merged into: the others in its finest known area, newest first.

        A duplicate repeats a need about the same place, so only needs of one area
        are offered: the Planungsraum of a pinned need, or the area a resident
        chose from the list. Targets have a status of :data:`MERGE_TARGET_STATUSES`.
        At most ``limit`` needs of the area are looked at, ``need`` itself left out.
        """
        level = next(lvl for lvl in self.store.level_codes if need.unit(lvl))
        found = self.store.query(level=level, area_ids=[need.unit(level)], statuses=MERGE_TARGET_STATUSES,
                                 limit=limit)
        return [n for n in found if n.id != need.id]

    # -- decisions --

    def approve(self, need_id: str, *, actor: str) -> Need:
        """Publish ``need_id`` (from pending, hidden or rejected), or keep a reported one published; clears its reports.

        From then on reports no longer hide the need by themselves (:func:`approved_by_moderator`).
        """
        return self._decide(need_id, "approve", "published", actor=actor, reason=None)

    def reject(self, need_id: str, *, actor: str, reason: str) -> Need:
        """Reject ``need_id`` for ``reason``, one of :data:`REJECT_REASONS`.

        Raises
        ------
        ValidationError
            For a reason not in the list.
        """
        _check_reason(reason, REJECT_REASONS)
        return self._decide(need_id, "reject", "rejected", actor=actor, reason=reason)

    def bulk(self, need_ids: Iterable[str], action: str, *, actor: str, reason: str | None = None) -> list[Need]:
        """Approve or reject many needs (e.g. all of one workshop) in one transaction: all or none.

        Parameters
        ----------
        action : {"approve", "reject"}
        reason : str, optional
            Required for ``reject`` (one of :data:`REJECT_REASONS`).
        """
        if action not in BULK_ACTIONS:
            raise ValueError(f"bulk action must be one of {', '.join(BULK_ACTIONS)}, got {action!r}")
        if action == "reject":
            _check_reason(reason, REJECT_REASONS)
        status = "published" if action == "approve" else "rejected"
        ids = list(dict.fromkeys(need_ids))

        def work(conn: Connection) -> None:
            for need_id in ids:
                self._change(conn, need_id, action, status, actor=actor, reason=reason, details={"bulk": len(ids)})

        self.store.write(work)
        return [self.store.get(need_id) for need_id in ids]

    def edit(self, need_id: str, *, actor: str, title: str | None = None, description: str | None = None,
             reason: str = "personal_data") -> Need:
        """Replace title and/or description (e.g. to remove a name); the original goes to the audit log only.

        The status does not change. Texts are checked like a resident's (3-120 and
        at most 1,000 characters).

        Raises
        ------
        ValidationError
            For a text out of bounds or an unknown ``reason`` (one of :data:`EDIT_REASONS`).
        """
        if reason not in EDIT_REASONS:
            raise ValueError(f"edit reason must be one of {', '.join(EDIT_REASONS)}, got {reason!r}")
        changes: dict[str, str] = {}
        errors: list[FieldError] = []
        if title is not None:
            changes["title"], error = check_text("title", title, required=True, minimum=TITLE_MIN, maximum=TITLE_MAX)
            errors += [error] if error else []
        if description is not None:
            changes["description"], error = check_text("description", description, required=False, minimum=0,
                                                       maximum=DESCRIPTION_MAX)
            errors += [error] if error else []
        if errors:
            raise ValidationError(errors)
        if not changes:
            raise ValueError("edit needs a new title or description")

        def work(conn: Connection) -> None:
            current = _locked_need(self.store, conn, need_id)
            _allow("edit", current)
            before = {name: getattr(current, name) for name in changes if getattr(current, name) != changes[name]}
            if not before:
                return
            audit.record(conn, actor=actor, action="edit", need_id=need_id, status_before=current.status,
                         status_after=current.status, reason=reason,
                         details={"before": before, "after": {name: changes[name] for name in before}})
            conn.execute(needs.update().where(needs.c.id == need_id).values(**{n: changes[n] for n in before}))

        self.store.write(work)
        return self.store.get(need_id)

    def merge(self, duplicate_id: str, *, into: str, actor: str) -> Need:
        """Merge ``duplicate_id`` into the kept need ``into``; return the kept need.

        The duplicate becomes ``merged`` (``merged_into`` = ``into``). Its supports
        move to the kept need; a browser token that supported both counts once.
        Supports that came without a token (imported counts) move as a number.

        Raises
        ------
        ValidationError
            When ``into`` is the duplicate itself, or is itself merged.
        NeedNotFoundError
            When either need does not exist.
        """
        if duplicate_id == into:
            raise ValidationError([_merge_error(into)])

        def work(conn: Connection) -> None:
            duplicate = _locked_need(self.store, conn, duplicate_id)
            kept = _locked_need(self.store, conn, into)
            if kept.status == "merged":
                raise ValidationError([_merge_error(into)])
            _allow("merge", duplicate)
            tokens = conn.execute(sa.select(supports.c.client_token, supports.c.created_at)
                                  .where(supports.c.need_id == duplicate_id)).all()
            already = set(conn.execute(sa.select(supports.c.client_token).where(supports.c.need_id == into))
                          .scalars().all())
            moving = [(token, at) for token, at in tokens if token not in already]
            tokenless = max(0, duplicate.support_count - len(tokens))
            audit.record(conn, actor=actor, action="merge", need_id=duplicate_id, status_before=duplicate.status,
                         status_after="merged", reason="duplicate",
                         details={"into": into, "supports_moved": len(moving) + tokenless,
                                  "supports_counted_once": len(tokens) - len(moving)})
            conn.execute(supports.delete().where(supports.c.need_id == duplicate_id))
            if moving:
                conn.execute(supports.insert(), [{"need_id": into, "client_token": token, "created_at": at}
                                                 for token, at in moving])
            conn.execute(needs.update().where(needs.c.id == into)
                         .values(support_count=needs.c.support_count + len(moving) + tokenless))
            conn.execute(needs.update().where(needs.c.id == duplicate_id)
                         .values(status="merged", merged_into=into, support_count=0))
            conn.execute(need_reports.delete().where(need_reports.c.need_id == duplicate_id))

        self.store.write(work)
        return self.store.get(into)

    # -- residents' reports --

    def report(self, need_id: str, reporter_key: str, reason: str) -> ReportResult:
        """A resident reports the published need ``need_id``: it goes on the queue, and may be hidden.

        The need is hidden when :data:`REPORT_THRESHOLD` different reporters
        reported it within :data:`REPORT_WINDOW_S` and no moderator has approved
        it yet (:func:`approved_by_moderator`); otherwise it stays published and
        waits in :meth:`queue`.

        Parameters
        ----------
        reporter_key : str
            A hashed browser key (:func:`assessment.participation.limits.hashed_key`), never
            an IP address; the same key counts once per need.
        reason : str
            One of :data:`REPORT_REASONS`.

        Raises
        ------
        DecisionError
            When the need is not published (only what the public sees can be reported).
        """
        _check_reason(reason, REPORT_REASONS)
        if not isinstance(reporter_key, str) or not 8 <= len(reporter_key) <= 80:
            raise ValueError(f"reporter_key must be a hashed browser key of 8-80 characters, got {reporter_key!r}")

        def work(conn: Connection) -> ReportResult:
            now = (self._clock or utc_now)()  # looked up now: tests that freeze the module's clock reach it
            current = _locked_need(self.store, conn, need_id)
            if current.status != "published":
                raise DecisionError(Message("moderation.error.report_unpublished", reference=current.reference,
                                            status=Message(f"moderation.status.{current.status}")))
            exists = conn.execute(sa.select(sa.literal(1)).where(
                need_reports.c.need_id == need_id, need_reports.c.reporter_key == reporter_key)).first()
            if not exists:
                conn.execute(need_reports.insert().values(need_id=need_id, reporter_key=reporter_key,
                                                          created_at=now, reason=reason))
            count = conn.execute(sa.select(sa.func.count()).select_from(need_reports)
                                 .where(need_reports.c.need_id == need_id)).scalar_one()
            recent = conn.execute(sa.select(sa.func.count()).select_from(need_reports).where(
                need_reports.c.need_id == need_id,
                need_reports.c.created_at > now - timedelta(seconds=REPORT_WINDOW_S))).scalar_one()
            if recent < REPORT_THRESHOLD or approved_by_moderator(conn, need_id):
                return ReportResult(count, False, counted=not exists)
            audit.record(conn, actor="system:reports", action="hide", need_id=need_id,
                         status_before="published", status_after="hidden", reason="reports",
                         details={"reports": count, "within_hours": REPORT_WINDOW_S / 3600, "recent": recent})
            conn.execute(needs.update().where(needs.c.id == need_id).values(status="hidden"))
            return ReportResult(count, True, counted=not exists)

        return self.store.write(work)

    # -- internals --

    def _decide(self, need_id: str, action: str, status: str, *, actor: str, reason: str | None) -> Need:
        self.store.write(lambda conn: self._change(conn, need_id, action, status, actor=actor, reason=reason))
        return self.store.get(need_id)

    def _change(self, conn: Connection, need_id: str, action: str, status: str, *, actor: str, reason: str | None,
                details: dict | None = None) -> None:
        current = _locked_need(self.store, conn, need_id)
        reports = conn.execute(sa.select(sa.func.count()).select_from(need_reports)
                               .where(need_reports.c.need_id == need_id)).scalar_one()
        # Approving a published need keeps it published and settles its reports; without reports there is
        # nothing to decide (another moderator was first), and the moderator must hear that.
        if not (action == "approve" and current.status == "published" and reports):
            _allow(action, current)
        extra = {**(details or {}), **({"reports_cleared": reports} if reports else {})}
        audit.record(conn, actor=actor, action=action, need_id=need_id, status_before=current.status,
                     status_after=status, reason=reason, details=extra or None)
        # Everything below commits or rolls back together with the audit row above.
        conn.execute(needs.update().where(needs.c.id == need_id).values(status=status, merged_into=None))
        conn.execute(need_reports.delete().where(need_reports.c.need_id == need_id))


def approved_by_moderator(conn: Connection, need_id: str) -> bool:
    """Whether a moderator has ever approved ``need_id`` (then reports no longer hide it by themselves).

    The audit log is the record of that decision: every approval writes its
    row in the same transaction as the status change, rows are never deleted
    while the need exists, and ``system:...`` actors never approve. A second
    copy of the fact on the need could disagree with it; the log cannot.
    """
    row = conn.execute(sa.select(sa.literal(1)).where(
        audit.audit_log.c.need_id == need_id, audit.audit_log.c.action == "approve",
        audit.audit_log.c.status_after == "published").limit(1)).first()
    return row is not None


def _locked_need(store: NeedStore, conn: Connection, need_id: str) -> Need:
    statement = store.select_needs().where(needs.c.id == need_id)
    if conn.dialect.name == "postgresql":
        # Two moderators deciding at once: one waits. Only the need's row: its units are outer-joined.
        statement = statement.with_for_update(of=needs)
    row = conn.execute(statement).first()
    if row is None:
        raise NeedNotFoundError(need_id)
    return store.need_from_row(row)


def _allow(action: str, need: Need) -> None:
    if need.status not in _ALLOWED_FROM[action]:
        # One message per action: the verb is part of the sentence in every language.
        raise DecisionError(Message(f"moderation.error.cannot_{action}", reference=need.reference,
                                    status=Message(f"moderation.status.{need.status}"),
                                    allowed=Statuses(_ALLOWED_FROM[action])))


def _check_reason(reason: object, reasons: dict[str, str]) -> None:
    if reason not in reasons:
        raise ValidationError([FieldError("reason", "moderation.error.reason",
                                          {"value": repr(reason), "choices": ", ".join(reasons)})])


def _merge_error(into: object) -> FieldError:
    return FieldError("merged_into", "moderation.error.merge", {"value": repr(into)})


# --- the queue as the moderation page shows it ---------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    """What the queue page shows: the needs with controls, every need's number, the selected need.

    ``needs`` are the first :data:`PAGE_SIZE` of the queue (oldest first): they get
    decision controls and a marker on the map. ``number`` has every waiting need's
    number in the list. ``selected`` is the need chosen in the list or on the map,
    if it is still on this page. ``more`` says that further needs wait behind these.
    """

    needs: list[Need]
    number: dict[str, int]
    selected: str | None
    more: bool


def queue_page(queue: Sequence[Need], numbers: dict[str, int], opened: dict[str, bool],
               selected: str | None, *, size: int = PAGE_SIZE) -> QueuePage:
    """Number the queue and cut its page; ``numbers`` and ``opened`` are the session's and grow here.

    A need keeps its number for the session (``numbers``, need id -> number): after a
    decision the others do not move up under the moderator's eyes, and their expanders
    (whose label carries the number) stay as they were left. A need new to the session
    gets the next free number, and in ``opened`` whether it starts opened (in a queue
    of at most :data:`OPEN_AT_FIRST`). A selection no longer on the page (decided
    meanwhile) is dropped.

    >>> from types import SimpleNamespace as N
    >>> numbers, opened = {"b": 4}, {"b": False}
    >>> page = queue_page([N(id="a"), N(id="b")], numbers, opened, "c", size=1)
    >>> [n.id for n in page.needs], page.number, opened["a"], page.selected, page.more
    (['a'], {'a': 5, 'b': 4}, True, None, True)
    """
    for need in queue:
        if need.id not in numbers:
            numbers[need.id] = max(numbers.values(), default=0) + 1
            opened[need.id] = len(queue) <= OPEN_AT_FIRST
    shown = list(queue[:size])
    return QueuePage(shown, {need.id: numbers[need.id] for need in queue},
                     selected if selected in {need.id for need in shown} else None, len(queue) > size)


def status_word(status: str, lang: str = "de") -> str:
    """A need's status as moderators read it ("wartet", "veröffentlicht", ...)."""
    return t(f"moderation.status.{status}", lang)


def decision_message(action: Callable, *args, actor: str, lang: str = "de", done: str = "moderation.done",
                     merged: str = "", **kwargs) -> tuple[str, str]:
    """Run one decision (``action(*args, actor=actor, **kwargs)``); say what happened, or why not.

    Returns ``("success", text)`` (the text ``done`` names the need and its new
    status; a bulk decision names how many) or ``("error", text)``: the refused
    input's own message, or, when the need's status no longer allows the decision
    or the need is gone, that nothing was saved; another moderator may have
    decided first, and the page must say so rather than fail.
    """
    try:
        result = action(*args, actor=actor, **kwargs)
    except ValidationError as refused:
        return "error", " ".join(e.message(lang) for e in refused.errors)
    except (DecisionError, NeedNotFoundError) as error:
        return "error", t("moderation.stale", lang, error=in_language(error, lang))
    if isinstance(result, list):
        return "success", t("moderation.done_bulk", lang, n=len(result))
    return "success", t(done, lang, reference=result.reference, status=status_word(result.status, lang),
                        merged=merged)


def merge_message(moderation: Moderation, need_id: str, into: str | None, reference: str, *, actor: str,
                  lang: str = "de") -> tuple[str, str]:
    """Merge ``need_id`` (shown as ``reference``) into ``into``, the need the moderator chose.

    The choice starts empty and nothing is assumed: without one (``into`` is
    ``None``) nothing is merged and the moderator is asked to choose.
    """
    if into is None:
        return "error", t("moderation.merge_missing", lang)
    return decision_message(moderation.merge, need_id, into=into, actor=actor, lang=lang,
                            done="moderation.done_merge", merged=reference)


def located_area(need: Need) -> tuple[str, str]:
    """``(level, id)`` of the area shown with a need: the area the resident chose, or the PLR of its point."""
    if need.located_by == "area" and need.area_level and need.unit(need.area_level):
        return need.area_level, need.unit(need.area_level)
    return next((level, need.unit(level)) for level in need.units if need.unit(level))


def topic_text(need: Need, lang: str = "de") -> str:
    """The need's category in words (its id if the taxonomy no longer has it)."""
    return CATEGORIES[need.category].label(lang) if need.category in CATEGORIES else need.category


def position_text(need: Need, lang: str = "de") -> str:
    """The need's point, or that it has none: a need located by area is stored at its area's
    representative point, which is no place the resident gave."""
    return t("moderation.no_point", lang) if need.located_by == "area" else f"{need.lat:.5f}, {need.lon:.5f}"


def sent_text(created_at: datetime, lang: str = "de") -> str:
    """When a need arrived, in Berlin's local time (it is stored in UTC)."""
    return format_datetime(created_at, lang, zone=CITY_TIMEZONE.key)


def datetime_column_format(lang: str) -> str:
    """The ``format`` of a Streamlit ``DatetimeColumn`` that writes a moment as :func:`sent_text` does.

    >>> datetime_column_format("de"), datetime_column_format("en")
    ('DD.MM.YYYY, HH:mm', 'YYYY-MM-DD HH:mm')
    """
    sample = format_datetime(datetime(2001, 2, 3, 4, 5), lang)
    for value, token in (("2001", "YYYY"), ("02", "MM"), ("03", "DD"), ("04", "HH"), ("05", "mm")):
        sample = sample.replace(value, token)
    return sample


def queue_marker(number: int, need: Need, names: Callable[[str], Mapping[str, str]], lang: str = "de") -> QueueMarker:
    """The need listed as ``number`` as the map and the list's area column show it.

    ``names(level)`` maps the level's area ids to their names (e.g. the cached
    :func:`geodata.lor.names`); an area it does not know is shown by its id alone.
    """
    level, area_id = located_area(need)
    return QueueMarker(number, need.reference, need.lat, need.lon, need.title, topic_text(need, lang), level, area_id,
                       names(level).get(area_id, ""), by_area=need.located_by == "area")
