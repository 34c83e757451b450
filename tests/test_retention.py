"""The retention job removes what is due and nothing else, on a frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import assessment.needs.audit
import assessment.participation.moderation
import assessment.needs.store
from assessment.__main__ import main
from assessment.participation.retention import SUPPORT_TOKEN_PREFIX, RetentionPolicy, run_retention
from assessment.needs.store import NeedNotFoundError
from moderation_fixtures import *  # noqa: F401,F403 - fixtures
from moderation_fixtures import audit_rows, need_input

NOW = datetime(2027, 6, 1, 3, 0, tzinfo=timezone.utc)
POLICY = RetentionPolicy(rejected_days=90, published_days=730, token_days=30)


@pytest.fixture
def clock(monkeypatch):
    """Set the time the store, the moderation and the audit log see: ``clock(days_before_now)``."""

    def set_clock(days_before_now: float) -> None:
        frozen = NOW - timedelta(days=days_before_now)
        for module in (assessment.needs.store, assessment.needs.audit, assessment.participation.moderation):
            monkeypatch.setattr(module, "utc_now", lambda: frozen)

    return set_clock


def exists(store, need_id) -> bool:
    try:
        store.get(need_id)
    except NeedNotFoundError:
        return False
    return True


def test_retention_deletes_what_is_due_and_nothing_else(store, moderation, clock):
    clock(200)
    rejected_long_ago = store.submit(need_input(title="Abgelehnt vor langer Zeit"))
    rejected_lately = store.submit(need_input(title="Abgelehnt vor kurzem"))
    pending_ancient = store.submit(need_input(title="Wartet noch immer"))
    hidden = store.submit(need_input(title="Gemeldet und versteckt"), status="published")
    clock(150)
    moderation.reject(rejected_long_ago.id, actor="mod-anna", reason="off_topic")  # 150 days > 90: due
    for key in "abc":
        moderation.report(hidden.id, f"session:{key * 64}", "spam")
    clock(90)
    on_the_day = store.submit(need_input(title="Genau an der Grenze"))
    moderation.reject(on_the_day.id, actor="mod-anna", reason="off_topic")  # exactly 90 days: not yet due
    clock(20)
    # Sent 200 days ago, decided 20 days ago: the decision counts, not the sending.
    moderation.reject(rejected_lately.id, actor="mod-anna", reason="off_topic")
    clock(731)
    published_old = store.submit(need_input(title="Öffentlich seit über zwei Jahren"), status="published")
    duplicate = store.submit(need_input(title="Doppelt zu dem alten"), status="published")
    clock(729)
    published_young = store.submit(need_input(title="Öffentlich seit knapp zwei Jahren"), status="published")
    clock(10)
    moderation.merge(duplicate.id, into=published_old.id, actor="mod-anna")

    result = run_retention(store, POLICY, now=NOW)

    assert set(result.deleted_rejected) == {rejected_long_ago.id}
    assert set(result.deleted_published) == {published_old.id}
    gone = {rejected_long_ago.id, published_old.id, duplicate.id}
    kept = {rejected_lately.id, pending_ancient.id, hidden.id, on_the_day.id, published_young.id}
    assert {n.id for n in store.query(statuses=None)} == kept
    assert not any(exists(store, need_id) for need_id in gone)
    # Who decided stays; what the text was does not; each deletion is logged by the job.
    rows = audit_rows(store)
    deletions = {r["need_id"] for r in rows if r["action"] == "retention_delete"}
    assert deletions == gone
    assert all(r["details"] is None for r in rows if r["need_id"] in gone)
    assert [r["actor"] for r in rows if r["need_id"] == rejected_long_ago.id] == ["mod-anna", "system:retention"]
    # A second run finds nothing more.
    again = run_retention(store, POLICY, now=NOW)
    assert (again.deleted_rejected, again.deleted_published) == ((), ())


def test_retention_anonymises_old_tokens_and_keeps_counts(store, clock):
    clock(31)
    old = store.submit(need_input(title="Alter Bedarf"), client_token="form-token-old-0001", status="published")
    store.support(old.id, "browser-old-000001")
    clock(29)
    young = store.submit(need_input(title="Junger Bedarf"), client_token="form-token-young-01", status="published")
    store.support(old.id, "browser-young-00001")

    result = run_retention(store, POLICY, now=NOW)

    assert (result.anonymised_need_tokens, result.anonymised_support_tokens) == (1, 1)
    with store.engine.connect() as conn:
        tokens = dict(conn.execute(sa.text("SELECT id, client_token FROM needs")).all())
        support_tokens = conn.execute(sa.text("SELECT client_token FROM supports")).scalars().all()
    assert tokens == {old.id: None, young.id: "form-token-young-01"}
    assert sorted(t.startswith(SUPPORT_TOKEN_PREFIX) for t in support_tokens) == [False, True]
    assert "browser-young-00001" in support_tokens and "browser-old-000001" not in support_tokens
    assert store.get(old.id).support_count == 2


def test_retention_anonymises_old_report_and_voter_keys_and_keeps_counts(store, moderation, clock):
    """Reports and dots are keyed by a browser's hash; after token_days nothing may link them to it."""
    from datetime import date

    from assessment.participation.workshops import WorkshopBook

    book = WorkshopBook(store)
    code = book.open(book.create("Alt", date(2027, 4, 1), focus_level="BEZ", focus_id="01").code).code
    clock(31)
    need = store.submit(need_input(title="Gemeldet", workshop_id=code, channel="workshop"), status="published")
    moderation.report(need.id, "reporter:" + "a" * 64, "spam")
    clock(29)
    moderation.report(need.id, "reporter:" + "b" * 64, "spam")
    voting = book.start_round(code, 3)
    for voter in ("voter:" + "a" * 64, "voter:" + "a" * 64, "voter:" + "b" * 64):
        book.cast_vote(voting.id, voter, need.id)
    with store.engine.begin() as conn:  # a's dots 31 days old, b's 29
        for voter, days in (("a", 31), ("b", 29)):
            conn.execute(sa.text("UPDATE votes SET created_at = :at WHERE voter = :voter"),
                         {"at": NOW - timedelta(days=days), "voter": "voter:" + voter * 64})

    result = run_retention(store, POLICY, now=NOW)

    assert (result.anonymised_report_keys, result.anonymised_voter_keys) == (1, 1)
    assert "1 report keys and 1 voter keys anonymised" in result.summary()
    with store.engine.connect() as conn:
        reporters = sorted(conn.execute(sa.text("SELECT reporter_key FROM need_reports")).scalars())
        voters = conn.execute(sa.text("SELECT voter FROM votes ORDER BY voter")).scalars().all()
    # Sorted, "anonymised:..." comes before "reporter:..." and "voter:...".
    assert reporters[0].startswith(SUPPORT_TOKEN_PREFIX) and reporters[1] == "reporter:" + "b" * 64
    assert voters[2] == "voter:" + "b" * 64 and voters[0] == voters[1] and voters[0].startswith(SUPPORT_TOKEN_PREFIX)
    assert moderation.report_counts() == {need.id: 2}
    assert book.results(voting.id)[["votes", "voters"]].values.tolist() == [[3, 2]]
    again = run_retention(store, POLICY, now=NOW)  # anonymised once, not again every day
    assert (again.anonymised_report_keys, again.anonymised_voter_keys) == (0, 0)


def test_dry_run_changes_nothing(store, moderation, clock):
    clock(400)
    need = store.submit(need_input())
    moderation.reject(need.id, actor="mod-anna", reason="off_topic")
    result = run_retention(store, POLICY, now=NOW, dry_run=True)
    assert result.deleted_rejected == (need.id,)
    assert exists(store, need.id) and [r["action"] for r in audit_rows(store)] == ["reject"]


def test_command_prints_what_it_did(store, moderation, capsys, monkeypatch):
    need = store.submit(need_input())
    moderation.reject(need.id, actor="mod-anna", reason="off_topic")
    monkeypatch.setenv("BEDARFSATLAS_RETENTION_REJECTED_DAYS", "0")
    assert main(["retention"], store=store) == 0
    out = capsys.readouterr().out
    assert "1 rejected/merged needs deleted" in out and f"deleted rejected/merged {need.id}" in out
    assert not exists(store, need.id)


def test_policy_refuses_negative_days():
    with pytest.raises(ValueError, match="rejected_days"):
        RetentionPolicy(-1, 730, 30)


def test_retention_deletes_expired_limiter_events_of_idle_limits(store):
    """A limit not used since its window ended still loses its old events (the privacy promise)."""
    from assessment.participation.auth import SIGNIN_WINDOW_S
    from assessment.participation.limits import SharedLimiter, hashed_key, limiter_events
    from assessment.participation.residents import page_rate_limiter
    from assessment.participation.retention import LIMITER_EVENTS_MAX_AGE_S

    def count() -> int:
        with store.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(limiter_events)).scalar_one()

    old_time, fresh_time = NOW - timedelta(seconds=LIMITER_EVENTS_MAX_AGE_S + 1), NOW - timedelta(seconds=60)
    # The residents' page limit, last used long ago; the sign-in limit, used a minute ago
    # (each limit deletes only its own old events when used).
    page_rate_limiter(store, clock=lambda: old_time).reserve([hashed_key("session", "old-session")], "token-old")
    SharedLimiter(store, "signin", 5, SIGNIN_WINDOW_S, clock=lambda: fresh_time).reserve([hashed_key("name", "anna")])
    assert count() == 2
    dry = run_retention(store, POLICY, now=NOW, dry_run=True)
    assert dry.deleted_limiter_events == 1 and count() == 2
    result = run_retention(store, POLICY, now=NOW)
    assert result.deleted_limiter_events == 1 and "1 expired limiter events and" in result.summary()
    assert count() == 1  # the fresh event still counts for its limit
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(limiter_events.c.kind)).scalars().all() == ["signin"]


def test_retention_deletes_expired_staff_sessions_and_keeps_valid_ones(store):
    """Sign-ins kept for a reload leave nothing behind once they expired, even if nobody signs in again."""
    from assessment.participation.auth import Account, StaffSessions, User, staff_sessions

    account = Account("anna", "$argon2id$v=19$test", frozenset({"facilitator"}))
    user = User("anna", frozenset({"facilitator"}), "password")
    # (Each sign-in deletes the sessions expired at its time: start the valid one first.)
    valid = StaffSessions(store, lifetime_s=3600, clock=lambda: NOW - timedelta(minutes=10)).start(user, account)
    StaffSessions(store, lifetime_s=3600, clock=lambda: NOW - timedelta(hours=2)).start(user, account)  # expired by NOW

    def count() -> int:
        with store.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(staff_sessions)).scalar_one()

    assert count() == 2
    assert run_retention(store, POLICY, now=NOW, dry_run=True).deleted_staff_sessions == 1 and count() == 2
    result = run_retention(store, POLICY, now=NOW)
    assert result.deleted_staff_sessions == 1 and "1 expired staff sessions deleted" in result.summary()
    assert count() == 1
    assert StaffSessions(store, lifetime_s=3600, clock=lambda: NOW).restore(valid, {"anna": account}) == user
