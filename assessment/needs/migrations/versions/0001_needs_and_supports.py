"""Needs and supports.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

On PostgreSQL the needs table also gets ``geom``, a PostGIS point (EPSG:4326)
generated from ``lon``/``lat`` with a GiST index, so that QGIS opens the table
as a layer and spatial SQL works; the application itself only writes
``lat``/``lon`` (one code path for both databases).
"""

import sqlalchemy as sa
from alembic import op

from assessment.needs.store import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "needs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("located_by", sa.String(8), nullable=False),
        sa.Column("area_level", sa.String(3), nullable=True),
        sa.Column("plr_id", sa.String(8), nullable=True),
        sa.Column("bzr_id", sa.String(6), nullable=True),
        sa.Column("pgr_id", sa.String(4), nullable=True),
        sa.Column("bez_id", sa.String(2), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("merged_into", sa.String(36), sa.ForeignKey("needs.id"), nullable=True),
        sa.Column("support_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("workshop_id", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("client_token", sa.String(128), nullable=True, unique=True),
    )
    for column in ("created_at", "plr_id", "bzr_id", "pgr_id", "bez_id", "category", "workshop_id", "lat"):
        op.create_index(f"ix_needs_{column}", "needs", [column])
    op.create_index("ix_needs_status_category", "needs", ["status", "category"])
    op.create_table(
        "supports",
        sa.Column("need_id", sa.String(36), sa.ForeignKey("needs.id"), primary_key=True),
        sa.Column("client_token", sa.String(128), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _require_postgis(bind)
        op.execute(
            "ALTER TABLE needs ADD COLUMN geom geometry(Point, 4326) "
            "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
        )
        op.execute("CREATE INDEX ix_needs_geom ON needs USING GIST (geom)")


def _require_postgis(bind) -> None:
    installed = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
    if installed:
        return
    try:
        with bind.begin_nested():  # a savepoint, so a refusal can be reported, not just aborted
            bind.execute(sa.text("CREATE EXTENSION postgis"))
    except sa.exc.DBAPIError as error:
        database = bind.execute(sa.text("SELECT current_database()")).scalar()
        raise RuntimeError(
            f"PostGIS is not installed in database {database!r} and this user may not install it "
            f"({str(error.orig).strip()}). Ask a superuser to run `CREATE EXTENSION postgis;` in "
            f"{database!r} (Debian: apt-get install postgresql-15-postgis-3 first), then start again."
        ) from None


def downgrade() -> None:
    op.drop_table("supports")
    op.drop_table("needs")
