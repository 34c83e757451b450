"""Goals: findings of the assessment turned into planning goals, with their evidence.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

``goals`` holds one row per goal (title, field of action = a need category
id, LOR level, who created it - empty until sign-in exists). ``goal_links``
holds what the goal rests on, one row each: the areas (``kind = 'area'``,
LOR ids of the goal's level), linked needs (``'need'``, need ids) and
indicators (``'indicator'``, indicator or needs-rate keys). A link table
instead of a JSON column lets both databases answer "which goals cite this
area / need" with an index. Deleting a goal deletes its links.
"""

import sqlalchemy as sa
from alembic import op

from assessment.needs.store import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("field_of_action", sa.String(32), nullable=False),
        sa.Column("level", sa.String(3), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
    )
    op.create_table(
        "goal_links",
        sa.Column("goal_id", sa.String(36), sa.ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("ref", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_goal_links_ref", "goal_links", ["kind", "ref"])


def downgrade() -> None:
    op.drop_index("ix_goal_links_ref", "goal_links")
    op.drop_table("goal_links")
    op.drop_table("goals")
