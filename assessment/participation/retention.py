"""The retention job: delete or anonymise what has been kept long enough.

Run it daily (cron, a systemd timer): ``python -m assessment retention``
(``--dry-run`` only counts). The periods come from the settings:

* ``BEDARFSATLAS_RETENTION_REJECTED_DAYS``: rejected and merged needs are
  deleted this many days after the moderator's decision (the latest audit row
  of the need; its creation time when there is none);
* ``BEDARFSATLAS_RETENTION_PUBLISHED_DAYS``: published needs are deleted this
  many days after they were sent, together with the duplicates merged into
  them;
* ``BEDARFSATLAS_RETENTION_TOKEN_DAYS``: the random browser tokens stored
  with needs (for idempotent resubmits) are removed, and the hashed browser
  keys of supports, residents' reports and workshop dots are replaced by
  meaningless values, so that nothing links two actions of one browser any
  more; the counts stay (two dots of one voter in a round stay one voter).

The rate limits' events (:mod:`assessment.participation.limits`, hashed keys only) are deleted
once they are older than the longest limiter window, also for a limit that has
not been used since (each use deletes its own old events anyway), and so are
expired staff sign-in sessions (:class:`assessment.participation.auth.StaffSessions`).

Pending and hidden needs wait for a moderator and are never deleted here.
Deleting a need also deletes its supports, residents' reports and workshop
votes, and clears the ``details`` of its audit rows (they may hold the text a
moderator removed); who decided what and when stays. Each deletion writes an
audit row by ``system:retention`` in the same transaction, and the job
returns (and the command prints) what it did.

Examples
--------
>>> from datetime import datetime, timezone
>>> from assessment.needs.store import open_store
>>> store = open_store(database_url="sqlite://")
>>> run_retention(store, RetentionPolicy(90, 730, 30), now=datetime(2027, 1, 1, tzinfo=timezone.utc)).summary()
'0 rejected/merged needs deleted, 0 published needs deleted, 0 need tokens, 0 support tokens, 0 report keys and 0 voter keys anonymised, 0 expired limiter events and 0 expired staff sessions deleted'
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assessment.needs import audit
from assessment.participation.auth import SIGNIN_WINDOW_S, staff_sessions
from assessment.participation.limits import limiter_events
from assessment.participation.moderation import need_reports
from assessment.needs.model import utc_now
from assessment.participation.residents import FLAG_WINDOW_S, RATE_WINDOW_S
from assessment.needs.store import NeedStore, needs, supports
from core.settings import Settings

log = logging.getLogger(__name__)
SUPPORT_TOKEN_PREFIX = "anonymised:"
# The workshop module's table (migration 0004).
_votes = sa.table("votes", sa.column("need_id"), sa.column("round_id"), sa.column("voter"), sa.column("created_at"))
#: Limiter events older than this count for no limit any more.
# The day-long ceilings of /melden (submission.DAY_S) keep their events for 24 hours.
LIMITER_EVENTS_MAX_AGE_S = max(RATE_WINDOW_S, SIGNIN_WINDOW_S, FLAG_WINDOW_S, 86400.0)


@dataclass(frozen=True)
class RetentionPolicy:
    """Retention periods in days (see the module docstring)."""

    rejected_days: int
    published_days: int
    token_days: int

    def __post_init__(self):
        for name in ("rejected_days", "published_days", "token_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of days >= 0, got {value!r}")

    @classmethod
    def from_settings(cls, settings: Settings) -> "RetentionPolicy":
        """The periods configured by the ``BEDARFSATLAS_RETENTION_*`` settings."""
        return cls(settings.retention_rejected_days, settings.retention_published_days,
                   settings.retention_token_days)


@dataclass(frozen=True)
class RetentionResult:
    """What one run did (or, in a dry run, would do): need ids and numbers."""

    deleted_rejected: tuple[str, ...]
    deleted_published: tuple[str, ...]
    anonymised_need_tokens: int
    anonymised_support_tokens: int
    deleted_limiter_events: int = 0
    deleted_staff_sessions: int = 0
    anonymised_report_keys: int = 0
    anonymised_voter_keys: int = 0

    def summary(self) -> str:
        """One line for the log."""
        return (f"{len(self.deleted_rejected)} rejected/merged needs deleted, "
                f"{len(self.deleted_published)} published needs deleted, "
                f"{self.anonymised_need_tokens} need tokens, {self.anonymised_support_tokens} support tokens, "
                f"{self.anonymised_report_keys} report keys and {self.anonymised_voter_keys} voter keys "
                f"anonymised, {self.deleted_limiter_events} expired limiter events and "
                f"{self.deleted_staff_sessions} expired staff sessions deleted")


def run_retention(store: NeedStore, policy: RetentionPolicy, *, now: datetime | None = None,
                  dry_run: bool = False) -> RetentionResult:
    """Apply ``policy`` at time ``now`` (default: the current UTC time) in one transaction.

    Parameters
    ----------
    store : NeedStore
    policy : RetentionPolicy
    now : datetime, optional
        Timezone-aware; tests pass a fixed time.
    dry_run : bool
        Count what is due, change nothing.
    """
    now = now or utc_now()
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    rejected_cutoff = now - timedelta(days=policy.rejected_days)
    published_cutoff = now - timedelta(days=policy.published_days)
    token_cutoff = now - timedelta(days=policy.token_days)

    def work(conn: Connection) -> RetentionResult:
        last_decision = (sa.select(audit.audit_log.c.need_id, sa.func.max(audit.audit_log.c.at).label("at"))
                         .where(audit.audit_log.c.need_id.is_not(None))
                         .group_by(audit.audit_log.c.need_id).subquery())
        decided_at = sa.func.coalesce(last_decision.c.at, needs.c.created_at)
        rejected = conn.execute(
            sa.select(needs.c.id).select_from(needs.outerjoin(last_decision, last_decision.c.need_id == needs.c.id))
            .where(needs.c.status.in_(["rejected", "merged"]), decided_at < rejected_cutoff)
            .order_by(needs.c.id)
        ).scalars().all()
        published = conn.execute(
            sa.select(needs.c.id).where(needs.c.status == "published", needs.c.created_at < published_cutoff)
            .order_by(needs.c.id)
        ).scalars().all()
        # Duplicates merged into a deleted need go with it (they point to it), also along chains.
        followers: list[str] = []
        targets = list(published) + list(rejected)
        while targets:
            targets = [i for i in conn.execute(sa.select(needs.c.id).where(needs.c.merged_into.in_(targets)))
                       .scalars().all() if i not in followers]
            followers = targets + followers  # the farthest duplicate first
        need_tokens = conn.execute(sa.select(sa.func.count()).select_from(needs).where(
            needs.c.client_token.is_not(None), needs.c.created_at < token_cutoff)).scalar_one()
        old_supports = conn.execute(sa.select(supports.c.need_id, supports.c.client_token).where(
            supports.c.created_at < token_cutoff,
            sa.not_(supports.c.client_token.startswith(SUPPORT_TOKEN_PREFIX)))).all()
        old_reports = conn.execute(sa.select(need_reports.c.need_id, need_reports.c.reporter_key).where(
            need_reports.c.created_at < token_cutoff,
            sa.not_(need_reports.c.reporter_key.startswith(SUPPORT_TOKEN_PREFIX)))).all()
        # A voter's dots in one round go together: the round still counts them as one person.
        old_voters = conn.execute(sa.select(_votes.c.round_id, _votes.c.voter).where(
            sa.not_(_votes.c.voter.startswith(SUPPORT_TOKEN_PREFIX)))
            .group_by(_votes.c.round_id, _votes.c.voter)
            .having(sa.func.min(_votes.c.created_at) < token_cutoff)).all()
        doomed = list(dict.fromkeys([*followers, *rejected, *published]))
        limiter_cutoff = now - timedelta(seconds=LIMITER_EVENTS_MAX_AGE_S)
        expired = limiter_events.c.at <= limiter_cutoff
        expired_events = conn.execute(sa.select(sa.func.count()).select_from(limiter_events).where(expired)).scalar_one()
        session_expired = staff_sessions.c.expires_at <= now
        expired_sessions = conn.execute(
            sa.select(sa.func.count()).select_from(staff_sessions).where(session_expired)).scalar_one()
        result = RetentionResult(tuple(rejected), tuple(published), int(need_tokens), len(old_supports),
                                 int(expired_events), int(expired_sessions), len(old_reports), len(old_voters))
        if dry_run:
            return result
        conn.execute(limiter_events.delete().where(expired))
        conn.execute(staff_sessions.delete().where(session_expired))
        for need_id in doomed:
            status = conn.execute(sa.select(needs.c.status).where(needs.c.id == need_id)).scalar_one()
            conn.execute(audit.audit_log.update().where(audit.audit_log.c.need_id == need_id).values(details=None))
            audit.record(conn, actor="system:retention", action="retention_delete", need_id=need_id,
                         status_before=status, status_after=None, reason="retention_period", at=now)
            conn.execute(supports.delete().where(supports.c.need_id == need_id))
            conn.execute(need_reports.delete().where(need_reports.c.need_id == need_id))
            conn.execute(_votes.delete().where(_votes.c.need_id == need_id))
        # Followers first: they reference the others through merged_into.
        for need_id in doomed:
            conn.execute(needs.delete().where(needs.c.id == need_id))
        conn.execute(needs.update().where(needs.c.client_token.is_not(None), needs.c.created_at < token_cutoff)
                     .values(client_token=None))
        for need_id, token in old_supports:
            conn.execute(supports.update().where(supports.c.need_id == need_id, supports.c.client_token == token)
                         .values(client_token=SUPPORT_TOKEN_PREFIX + secrets.token_hex(16)))
        for need_id, key in old_reports:
            conn.execute(need_reports.update().where(need_reports.c.need_id == need_id,
                                                     need_reports.c.reporter_key == key)
                         .values(reporter_key=SUPPORT_TOKEN_PREFIX + secrets.token_hex(16)))
        for round_id, voter in old_voters:
            conn.execute(_votes.update().where(_votes.c.round_id == round_id, _votes.c.voter == voter)
                         .values(voter=SUPPORT_TOKEN_PREFIX + secrets.token_hex(16)))
        return result

    result = store.write(work)
    log.info("retention%s at %s: %s", " (dry run)" if dry_run else "", now.isoformat(), result.summary())
    return result
