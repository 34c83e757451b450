"""The database has no column for residents' names, e-mail or IP addresses, in any table."""

from __future__ import annotations

import re

import sqlalchemy as sa

from moderation_fixtures import *  # noqa: F401,F403 - fixtures

# Column names that would hold who a resident is or where they connect from.
PERSONAL = re.compile(r"(^|_)(name|first_?name|last_?name|surname|e_?mail|mail|ip|ip_?addr(ess)?|remote_?addr"
                      r"|user_?agent|phone|telephone|address)($|_)", re.IGNORECASE)
# Columns that name staff, not residents: the audit actor and the creator of goals/workshops.
STAFF_COLUMNS = {("audit_log", "actor"), ("goals", "created_by"), ("workshops", "created_by")}


def test_the_pattern_catches_what_it_should():
    assert all(PERSONAL.search(c) for c in ("email", "reporter_email", "ip", "client_ip", "name", "user_agent"))
    assert not any(PERSONAL.search(c) for c in ("client_token", "reporter_key", "description", "zip_code_area"))


def test_no_table_has_a_column_for_personal_data_of_residents(store):
    with store.engine.connect() as conn:
        inspector = sa.inspect(conn)
        tables = [t for t in inspector.get_table_names() if t not in ("alembic_version", "spatial_ref_sys")]
        columns = {(t, c["name"]) for t in tables for c in inspector.get_columns(t)}
    assert {"needs", "supports", "audit_log", "need_reports"} <= set(tables)
    personal = sorted((t, c) for t, c in columns if PERSONAL.search(c) and (t, c) not in STAFF_COLUMNS)
    assert personal == []
