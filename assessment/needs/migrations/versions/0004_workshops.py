"""Workshops, their voting rounds and the dots cast in them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

``workshops`` holds one row per workshop, keyed by its join code (the
``workshop_id`` that needs collected in the room carry). The focus area is
either an LOR unit (``focus_level`` + ``focus_id``) or a rectangle
(``min_lon`` .. ``max_lat``, WGS84). ``status`` is ``closed``, ``open``
(needs may be tagged with it) or ``frozen`` (final; nothing changes any more).

``vote_rounds`` holds the dot-voting rounds (``dots`` per participant), and
``votes`` the dots: one row per dot, keyed by ``(round_id, voter, slot)``
where ``slot`` runs from 0 to ``dots - 1``. A voter's n-th dot must take a
free slot below ``dots``, so two parallel clicks that both saw a free slot
collide on the primary key and only one is stored: the cap holds in the
database on SQLite and PostgreSQL alike, without table locks.

``votes.need_id`` has no foreign key on purpose: a key would make
``TRUNCATE needs`` (the test fixtures, an operator's reset) fail on
PostgreSQL; :meth:`assessment.participation.workshops.WorkshopBook.cast_vote` checks the
need in the same transaction instead.
"""

import sqlalchemy as sa
from alembic import op

from assessment.needs.store import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("publish_immediately", sa.Boolean(), nullable=False),
        sa.Column("focus_level", sa.String(3), nullable=True),
        sa.Column("focus_id", sa.String(8), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=True),
        sa.Column("min_lat", sa.Float(), nullable=True),
        sa.Column("max_lon", sa.Float(), nullable=True),
        sa.Column("max_lat", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(128), nullable=True),
    )
    op.create_table(
        "vote_rounds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("workshop_code", sa.String(16), sa.ForeignKey("workshops.code", ondelete="CASCADE"), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_vote_rounds_workshop", "vote_rounds", ["workshop_code"])
    op.create_table(
        "votes",
        sa.Column("round_id", sa.String(36), sa.ForeignKey("vote_rounds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("voter", sa.String(128), primary_key=True),
        sa.Column("slot", sa.Integer(), primary_key=True),
        sa.Column("need_id", sa.String(36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_votes_need", "votes", ["round_id", "need_id"])


def downgrade() -> None:
    op.drop_index("ix_votes_need", "votes")
    op.drop_table("votes")
    op.drop_index("ix_vote_rounds_workshop", "vote_rounds")
    op.drop_table("vote_rounds")
    op.drop_table("workshops")
