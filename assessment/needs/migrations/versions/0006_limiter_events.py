"""Rate-limit events shared by every app instance on one database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

``limiter_events`` holds one row per counted event of a sliding-window limit
(:mod:`assessment.participation.limits`): a need stored on ``/melden`` (``kind`` ``report``,
one row per hashed session and browser key) or a sign-in attempt on
``/anmelden`` (``kind`` ``signin``, keyed by the hashed account name). It
holds hashes only: ``hashed_key`` is ``"<kind of key>:<SHA-256 hex>"`` and
``token`` the SHA-256 of the form's client token, so that a resubmit counts
once. ``pending`` marks a place reserved before the store was asked; it is
released when the store refuses the need.

Rows live no longer than their limit's window (10 and 15 minutes): every write
of a limiter deletes its kind's rows that left the window. The indexes serve
the lookup per key and that clean-up.
"""

import sqlalchemy as sa
from alembic import op

from assessment.needs.store import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "limiter_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("hashed_key", sa.String(80), nullable=False),
        sa.Column("token", sa.String(64), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_limiter_events_key", "limiter_events", ["kind", "hashed_key", "at"])
    op.create_index("ix_limiter_events_at", "limiter_events", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_limiter_events_at", "limiter_events")
    op.drop_index("ix_limiter_events_key", "limiter_events")
    op.drop_table("limiter_events")
