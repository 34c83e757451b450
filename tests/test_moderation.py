"""Moderation decisions on SQLite and PostgreSQL: queue order, approve/reject, edit, merge, bulk, reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from assessment.participation.moderation import REPORT_THRESHOLD, REPORT_WINDOW_S, DecisionError, Moderation
from assessment.needs.store import NeedNotFoundError
from assessment.needs.validation import ValidationError
from moderation_fixtures import *  # noqa: F401,F403 - fixtures
from moderation_fixtures import audit_rows, need_input


def test_queue_is_pending_oldest_first(store, moderation):
    first = store.submit(need_input(title="Erster Bedarf"))
    second = store.submit(need_input(title="Zweiter Bedarf"))
    store.submit(need_input(title="Schon öffentlich"), status="published")
    assert [n.id for n in moderation.queue()] == [first.id, second.id]
    frame = moderation.queue_frame()
    assert list(frame["id"]) == [first.id, second.id]
    assert set(frame["PLR_ID"]) == {"01100206"}  # the Brandenburg Gate's planning area, with the map position
    assert list(frame["reports"]) == [0, 0]


def test_approve_and_reject_change_what_the_public_sees(store, moderation):
    kept = store.submit(need_input(title="Bitte veröffentlichen"))
    refused = store.submit(need_input(title="Max Mustermann wohnt hier"))
    moderation.approve(kept.id, actor="mod-anna")
    moderation.reject(refused.id, actor="mod-anna", reason="personal_data")
    assert [n.id for n in store.query()] == [kept.id]
    assert store.get(refused.id).status == "rejected"
    rows = audit_rows(store)
    assert [(r["actor"], r["action"], r["need_id"], r["status_before"], r["status_after"], r["reason"])
            for r in rows] == [
        ("mod-anna", "approve", kept.id, "pending", "published", None),
        ("mod-anna", "reject", refused.id, "pending", "rejected", "personal_data"),
    ]


def test_reject_needs_a_reason_from_the_list(store, moderation):
    need = store.submit(need_input())
    with pytest.raises(ValidationError) as refused:
        moderation.reject(need.id, actor="mod-anna", reason="I just don't like it")
    assert "I just don't like it" in refused.value.errors[0].text("en")
    assert store.get(need.id).status == "pending" and audit_rows(store) == []


def test_edit_keeps_the_original_only_in_the_audit_log(store, moderation):
    need = store.submit(need_input(title="Spielplatz", description="Erika Musterfrau aus dem dritten Stock fragt"))
    edited = moderation.edit(need.id, actor="mod-anna", description="Eine Nachbarin fragt")
    assert edited.description == "Eine Nachbarin fragt" and edited.status == "pending"
    [row] = audit_rows(store)
    details = json.loads(row["details"])
    assert details == {"before": {"description": "Erika Musterfrau aus dem dritten Stock fragt"},
                       "after": {"description": "Eine Nachbarin fragt"}}
    assert (row["action"], row["reason"]) == ("edit", "personal_data")


def test_merge_moves_supports_counting_each_browser_once(store, moderation):
    kept = store.submit(need_input(title="Mehr Bänke im Park"), status="published")
    duplicate = store.submit(need_input(title="Bänke im Park fehlen"), status="published")
    for token in ("browser-aaaaaaaa-1", "browser-bbbbbbbb-2"):
        store.support(kept.id, token)
    for token in ("browser-bbbbbbbb-2", "browser-cccccccc-3", "browser-dddddddd-4"):
        store.support(duplicate.id, token)
    result = moderation.merge(duplicate.id, into=kept.id, actor="mod-anna")
    # a, b from before; c and d move; b supported both and counts once: 4 by hand.
    assert result.support_count == 4
    gone = store.get(duplicate.id)
    assert (gone.status, gone.merged_into, gone.support_count) == ("merged", kept.id, 0)
    # A later "me too" from a moved browser still counts once on the kept need.
    assert store.support(kept.id, "browser-cccccccc-3") == 4
    [row] = audit_rows(store)
    assert (row["action"], row["need_id"], json.loads(row["details"])["into"]) == ("merge", duplicate.id, kept.id)


def test_merge_into_itself_or_a_missing_need_is_refused(store, moderation):
    need = store.submit(need_input())
    with pytest.raises(ValidationError):
        moderation.merge(need.id, into=need.id, actor="mod-anna")
    with pytest.raises(NeedNotFoundError):
        moderation.merge(need.id, into="00000000-0000-0000-0000-000000000000", actor="mod-anna")
    assert store.get(need.id).status == "pending" and audit_rows(store) == []


def test_three_reports_hide_a_need_until_a_moderator_decides(store, moderation):
    need = store.submit(need_input(), status="published")
    assert moderation.report(need.id, "session:" + "a" * 64, "offensive").hidden is False
    # The same session reporting again counts once.
    assert moderation.report(need.id, "session:" + "a" * 64, "offensive").reports == 1
    assert moderation.report(need.id, "session:" + "b" * 64, "spam").hidden is False
    assert store.query() != []
    third = moderation.report(need.id, "session:" + "c" * 64, "offensive")
    assert (third.reports, third.hidden) == (REPORT_THRESHOLD, True)
    assert store.query() == [] and store.get(need.id).status == "hidden"
    assert [n.id for n in moderation.queue()] == [need.id]
    assert moderation.queue_frame()["reports"].tolist() == [3]
    # The moderator finds it fine: public again, and the old reports no longer count.
    moderation.approve(need.id, actor="mod-anna")
    assert [n.id for n in store.query()] == [need.id]
    assert moderation.report(need.id, "session:" + "d" * 64, "spam").reports == 1
    actions = [(r["actor"], r["action"], r["status_after"]) for r in audit_rows(store)]
    assert actions == [("system:reports", "hide", "hidden"), ("mod-anna", "approve", "published")]


def browser(letter: str) -> str:
    """A hashed browser key, as residents.reporter_key makes them."""
    return "reporter:" + letter * 64


START = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


# Reports as (browser, hours after the first) -> hidden after the last one. REPORT_THRESHOLD = 3 different
# browsers within REPORT_WINDOW_S = 24 h hide a need no moderator approved.
@pytest.mark.parametrize(("reports", "hidden"), [
    ([("a", 0), ("b", 1), ("c", 2)], True),
    ([("a", 0), ("a", 0.1), ("a", 0.2)], False),  # report, reload, report: one browser
    ([("a", 0), ("b", 12), ("c", 23.9)], True),
    ([("a", 0), ("b", 12), ("c", 24.1)], False),  # the first report left the window: 2 recent ones
    ([("a", 0), ("b", 30), ("c", 31), ("d", 32)], True),  # b, c, d within a day
])
def test_reports_hide_a_need_only_from_several_browsers_within_the_window(store, reports, hidden):
    assert (REPORT_THRESHOLD, REPORT_WINDOW_S) == (3, 24 * 3600)
    need = store.submit(need_input(), status="published")  # published at once: no moderator has seen it
    now = [START]
    moderation = Moderation(store, clock=lambda: now[0])
    for letter, hours in reports:
        now[0] = START + timedelta(hours=hours)
        result = moderation.report(need.id, browser(letter), "offensive")
    assert result.hidden is hidden
    assert store.get(need.id).status == ("hidden" if hidden else "published")
    assert [n.id for n in moderation.queue()] == [need.id]  # reported: the moderators see it either way


@pytest.mark.parametrize("first_decision", ["approve a pending need", "approve after reports hid it"])
def test_reports_never_hide_a_need_a_moderator_approved(store, moderation, first_decision):
    if first_decision == "approve a pending need":
        need = store.submit(need_input())
    else:
        need = store.submit(need_input(), status="published")
        for letter in "abc":
            moderation.report(need.id, browser(letter), "offensive")
        assert store.get(need.id).status == "hidden"
    moderation.approve(need.id, actor="mod-anna")
    # The attack: fresh browsers report it again and again. It stays public and waits for the moderators.
    for count, letter in enumerate("defgh", start=1):
        result = moderation.report(need.id, browser(letter), "offensive")
        assert (result.reports, result.hidden) == (count, False)
    assert store.get(need.id).status == "published" and [n.id for n in store.query()] == [need.id]
    assert [n.id for n in moderation.queue()] == [need.id]
    assert moderation.queue_frame()["reports"].tolist() == [5]
    # The moderator keeps it: the reports are settled, the need leaves the queue, and stays published.
    kept = moderation.approve(need.id, actor="mod-ben")
    assert kept.status == "published" and moderation.queue() == [] and moderation.report_counts() == {}
    last = audit_rows(store)[-1]
    assert (last["actor"], last["action"], last["status_before"], last["status_after"]) == (
        "mod-ben", "approve", "published", "published")
    assert json.loads(last["details"]) == {"reports_cleared": 5}
    # A second moderator approving the same reports a moment later is told someone was first.
    with pytest.raises(DecisionError, match="it is 'published'"):
        moderation.approve(need.id, actor="mod-carl")
    for letter in "ijk":
        moderation.report(need.id, browser(letter), "spam")
    assert store.get(need.id).status == "published" and [n.id for n in moderation.queue()] == [need.id]


def test_the_queue_shows_reported_needs_first_most_reports_first(store, moderation):
    old_pending = store.submit(need_input(title="Alter Bedarf"))
    quiet = store.submit(need_input(title="Niemand meldet mich"), status="published")
    approved = store.submit(need_input(title="Geprüft und gemeldet"))
    moderation.approve(approved.id, actor="mod-anna")
    hidden = store.submit(need_input(title="Dreimal gemeldet"), status="published")
    new_pending = store.submit(need_input(title="Neuer Bedarf"))
    moderation.report(approved.id, browser("a"), "spam")
    for letter in "bcd":
        moderation.report(hidden.id, browser(letter), "offensive")
    # Hidden by 3 reports, then the approved one with 1 (still published), then the rest oldest first.
    assert [n.title for n in moderation.queue()] == [
        "Dreimal gemeldet", "Geprüft und gemeldet", "Alter Bedarf", "Neuer Bedarf"]
    assert moderation.queue_frame()["reports"].tolist() == [3, 1, 0, 0]
    assert quiet.id not in {n.id for n in moderation.queue()}
    assert [n.id for n in moderation.queue(limit=1)] == [hidden.id]
    assert {old_pending.id, new_pending.id} < {n.id for n in moderation.queue()}


def test_only_published_needs_can_be_reported(store, moderation):
    need = store.submit(need_input())
    with pytest.raises(DecisionError, match="only published needs"):
        moderation.report(need.id, "session:" + "a" * 64, "spam")


def test_bulk_approves_a_workshop_all_or_nothing(store, moderation):
    ours = [store.submit(need_input(title=f"Werkstatt {i}", workshop_id="KIEZ01", channel="workshop"))
            for i in range(3)]
    other = store.submit(need_input(title="Online"))
    assert [n.id for n in moderation.queue(workshop_id="KIEZ01")] == [n.id for n in ours]
    moderation.reject(ours[2].id, actor="mod-anna", reason="duplicate")
    # ours[2] is rejected already; a rejected need may be approved, but a merged one may not:
    moderation.merge(ours[1].id, into=ours[0].id, actor="mod-anna")
    with pytest.raises(DecisionError, match="merged"):
        moderation.bulk([n.id for n in ours], "approve", actor="mod-anna")
    assert store.get(ours[0].id).status == "pending"  # nothing of the failed bulk stayed
    done = moderation.bulk([ours[0].id, ours[2].id], "approve", actor="mod-anna")
    assert [n.status for n in done] == ["published", "published"]
    assert store.get(other.id).status == "pending"
    assert [r["action"] for r in audit_rows(store)] == ["reject", "merge", "approve", "approve"]


def test_decisions_need_an_actor(store, moderation):
    need = store.submit(need_input())
    with pytest.raises(ValueError, match="actor"):
        moderation.approve(need.id, actor=" ")
    assert store.get(need.id).status == "pending"
