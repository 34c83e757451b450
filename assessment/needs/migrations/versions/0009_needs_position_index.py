"""Index for the needs inside a map view: status, position, then time and id.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

``NeedStore.points_in_bounds`` (the planners' map at street zoom, issue 14)
asks for the newest published needs inside a small rectangle, whatever their
number in all of Berlin. With ``(status, lat, lon, created_at, id)`` both
databases find them in the index alone: the status is fixed, the latitude band
of the view is one contiguous slice of the index, the longitude is tested in
its entries, and the newest are picked by the time stored beside it; only the
few needs drawn are then read from the table, by id. The older single-column
``ix_needs_lat`` reads every need of the latitude band, of any status, from the
table (``bench/needs_in_view.py``, 1,000,000 needs).
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_needs_position", "needs", ["status", "lat", "lon", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_needs_position", "needs")
