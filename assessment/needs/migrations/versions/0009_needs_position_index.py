"""Index for the needs inside a map view: status, then latitude and longitude.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

``NeedStore.points_in_bounds`` (the planners' map at street zoom, issue 14)
asks for the published needs inside a small rectangle, whatever their number
in all of Berlin. With ``(status, lat, lon)`` both databases find them by one
range scan: the status is fixed, the latitude band of the view is a contiguous
slice of the index, and the longitude is tested in the index entries, so only
the needs inside the view are read from the table. The older single-column
``ix_needs_lat`` would read every need of the latitude band, of any status,
from the table (see ``bench/needs_in_view.py``: 1,000,000 needs).
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_needs_position", "needs", ["status", "lat", "lon"])


def downgrade() -> None:
    op.drop_index("ix_needs_position", "needs")
