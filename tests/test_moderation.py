"""Moderation decisions on SQLite and PostgreSQL: queue order, approve/reject, edit, merge, bulk, reports."""

from __future__ import annotations

import json

import pytest

from assessment.participation.moderation import REPORT_THRESHOLD, DecisionError
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
    assert set(frame["plr_id"]) == {"01100206"}  # the Brandenburg Gate's planning area, with the map position
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
    assert "I just don't like it" in refused.value.errors[0].message_en
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
