"""Moderation: the audit log and residents' reports of published needs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

``audit_log`` holds one row per decision or edit: who (the staff account or a
``system:...`` actor), when, what (``action``, the need id, the status before
and after, changed fields as JSON text in ``details``) and why (``reason``).
:mod:`assessment.needs.audit` writes it in the same transaction as the change, so a
change that fails leaves no row. It has no foreign key to ``needs`` on
purpose: the trail outlives a need that the retention job deletes.

``need_reports`` holds a resident's report of a published need ("this breaks
the rules"), keyed by the need and a hashed session key (never an IP
address), so one session counts once. Three reports hide the need
(:mod:`assessment.participation.moderation`). No foreign key either, so that truncating or
deleting needs never fails on it; the moderation code deletes a need's
reports with the need.
"""

import sqlalchemy as sa
from alembic import op

from assessment.needs.store import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("need_id", sa.String(36), nullable=True),
        sa.Column("status_before", sa.String(16), nullable=True),
        sa.Column("status_after", sa.String(16), nullable=True),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_need", "audit_log", ["need_id"])
    op.create_table(
        "need_reports",
        sa.Column("need_id", sa.String(36), primary_key=True),
        sa.Column("reporter_key", sa.String(80), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("need_reports")
    op.drop_index("ix_audit_log_need", "audit_log")
    op.drop_index("ix_audit_log_at", "audit_log")
    op.drop_table("audit_log")
