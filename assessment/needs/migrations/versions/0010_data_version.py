"""Table data_version: one number that every write transaction of the store raises.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

Several app processes share one database (``deploy/``), and each caches what it
derived from the needs (the needs counts of ``/bewertung``). A cache that expires
after a time shows another process's change late, or asks the database often.
``data_version`` holds a single row whose ``version`` each write transaction of
:class:`assessment.needs.store.NeedStore` raises in the same transaction
(:meth:`NeedStore.data_version`): a cache keyed by it is fresh at the next run
after any change on any process, and asking costs one read by primary key.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("data_version")
