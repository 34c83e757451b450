"""Covering index for counts per area and category.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

``NeedStore.counts_by_area`` groups by one LOR id and the category, filtered by
status. With every column it reads in one index, SQLite and PostgreSQL answer
from the index alone instead of visiting 100,000 table rows (see
``bench/bench_store.py``: on SQLite 148 ms -> 18 ms for counts per PLR).
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_needs_counts", "needs", ["status", "category", "plr_id", "bzr_id", "pgr_id", "bez_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_needs_counts", "needs")
