"""Table devices of a workshop: a shared tablet that may send more needs than one resident.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

``workshop_devices`` holds one row per device link a facilitator made for a
workshop (``/melden?workshop=CODE&tisch=SECRET``,
:meth:`assessment.participation.workshops.WorkshopBook.add_table_device`). A
table's tablet is used by many people in turn, so the residents' limit of
five needs per ten minutes would lock it; a valid link gives it the workshop's
allowance instead (:func:`assessment.participation.submission.report_allowance`).

The secret stays in the link only: the table keeps its SHA-256 (``secret_hash``),
so a copy of the database opens no device link. ``label`` names the device for
the facilitator ("Tisch 3"), ``created_by`` the facilitator who made it. A link
counts only for its workshop (``workshop_code``, indexed for the facilitator's
list) and only while that workshop is open.
"""

import sqlalchemy as sa
from alembic import op

from assessment.needs.store import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_devices",
        sa.Column("secret_hash", sa.String(64), primary_key=True),
        sa.Column("workshop_code", sa.String(16), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(128)),
    )
    op.create_index("ix_workshop_devices_workshop_code", "workshop_devices", ["workshop_code"])


def downgrade() -> None:
    op.drop_index("ix_workshop_devices_workshop_code", "workshop_devices")
    op.drop_table("workshop_devices")
