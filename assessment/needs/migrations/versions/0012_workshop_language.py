"""Workshops: the language of their join link.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

A facilitator who runs a workshop in Turkish sets the workshop's language; the join
link and QR code then carry ``&sprache=tr`` and every phone that scans it opens
``/melden`` in Turkish. ``NULL`` (every existing workshop): the link names no
language, and each phone gets its browser's language as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(sa.Column("language", sa.String(2)))


def downgrade() -> None:
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("language")
