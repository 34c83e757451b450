"""Staff sign-ins that survive a reload: one row per signed-in browser.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

``staff_sessions`` holds one row per sign-in with a built-in account
(:class:`assessment.participation.auth.StaffSessions`). The browser keeps a random token in a
cookie; the table keeps only the token's SHA-256 (``token_hash``), so a copy of
the database signs nobody in. ``account`` and ``roles`` say who signed in with
which roles, ``account_fingerprint`` is the SHA-256 of the account's password
hash at the time (a new password ends every earlier sign-in), ``expires_at``
ends it (``BEDARFSATLAS_STAFF_SESSION_HOURS`` after sign-in). Sign-out deletes
the row; every new sign-in deletes the expired rows (the index serves that).
"""

import sqlalchemy as sa
from alembic import op

from assessment.needs.store import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("account_fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_staff_sessions_expires_at", "staff_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_staff_sessions_expires_at", "staff_sessions")
    op.drop_table("staff_sessions")
