"""The audit log is written in the same transaction as the change it records."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

import assessment.participation.moderation as moderation_module
from assessment.needs.audit import export_csv, record
from assessment.participation.moderation import DecisionError
from moderation_fixtures import *  # noqa: F401,F403 - fixtures
from moderation_fixtures import audit_rows, need_input


def test_a_failed_status_change_leaves_no_audit_row(store, moderation, monkeypatch):
    need = store.submit(need_input())
    # Break the last statement of the change, after the audit row and the status update are
    # written: the whole transaction must roll back, the audit row included.
    broken = sa.Table("need_reports_missing", sa.MetaData(), sa.Column("need_id", sa.String(36)))
    monkeypatch.setattr(moderation_module, "need_reports", broken)
    with pytest.raises(sa.exc.DBAPIError):
        moderation.approve(need.id, actor="mod-anna")
    monkeypatch.undo()
    assert store.get(need.id).status == "pending"
    assert audit_rows(store) == []
    # The same change without the fault writes exactly one row.
    moderation.approve(need.id, actor="mod-anna")
    assert [r["action"] for r in audit_rows(store)] == ["approve"]


def test_a_refused_decision_leaves_no_audit_row(store, moderation):
    need = store.submit(need_input())
    moderation.reject(need.id, actor="mod-anna", reason="off_topic")
    with pytest.raises(DecisionError, match="rejected"):
        moderation.reject(need.id, actor="mod-bert", reason="advertising")
    assert [r["actor"] for r in audit_rows(store)] == ["mod-anna"]


def test_an_audit_row_that_cannot_be_written_stops_the_change(store):
    need = store.submit(need_input())
    with pytest.raises(ValueError, match="actor"):
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE needs SET status = 'published' WHERE id = :id"), {"id": need.id})
            record(conn, actor="", action="approve", need_id=need.id)
    assert store.get(need.id).status == "pending"


def test_export_lists_every_decision_oldest_first(store, moderation):
    first = store.submit(need_input(title="Erster Bedarf"))
    second = store.submit(need_input(title="Zweiter Bedarf"))
    moderation.approve(first.id, actor="mod-anna")
    moderation.reject(second.id, actor="admin-carla", reason="duplicate")
    rows = list(csv.DictReader(io.StringIO(export_csv(store).decode("utf-8"))))
    assert [(r["actor"], r["action"], r["need_id"], r["reason"]) for r in rows] == [
        ("mod-anna", "approve", first.id, ""),
        ("admin-carla", "reject", second.id, "duplicate"),
    ]
    assert rows[0]["at"].endswith("+00:00")
