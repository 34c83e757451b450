"""Participation procedures: every need, support, workshop, dot and goal belongs to one.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

``procedures`` holds one row per participation procedure (Beteiligungsverfahren,
:mod:`assessment.needs.procedures`): title and description as JSON text per
language, the area (LOR units as ``area_level`` + ``area_ids`` JSON, or a drawn
polygon as GeoJSON text, or neither for all of Berlin), the period, an early
close, categories and questions as JSON text, and the moderation rule.

``needs``, ``supports``, ``workshops``, ``votes`` (the dots) and ``goals`` get
``procedure_id``. Every row that exists when this migration runs goes into the
procedure "Allgemein" (id ``allgemein``), which this migration creates, open
from the day of the oldest need with no end, with all standard categories, no
questions and the moderation rule ``pre`` (as before). The column's server
default is the same id, so code that does not name a procedure (an import, an
older app process during a rolling upgrade) writes into "Allgemein" too, and
nothing is lost or left without a procedure.

``needs.answers`` keeps the answers to the procedure's questions as JSON text.
``goals`` gets ``status`` (``active``/``withdrawn``) and ``updated_at``;
``goal_versions`` keeps every earlier state of a goal (edit and withdrawal
history) as JSON text with who and when.
"""

import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from assessment.needs.store import UTCDateTime
from assessment.needs.taxonomy import CATEGORIES

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DEFAULT = "allgemein"
TABLES = ("needs", "supports", "workshops", "votes", "goals")


def upgrade() -> None:
    op.create_table(
        "procedures",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("area_level", sa.String(3), nullable=True),
        sa.Column("area_ids", sa.Text(), nullable=True),
        sa.Column("area_geojson", sa.Text(), nullable=True),
        sa.Column("area_label", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("moderation", sa.String(8), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
    )
    bind = op.get_bind()
    oldest = bind.execute(sa.text("SELECT MIN(created_at) FROM needs")).scalar()
    if isinstance(oldest, str):  # SQLite hands the stored naive UTC time back as text
        oldest = datetime.fromisoformat(oldest)
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # stored as naive UTC, like UTCDateTime
    # Standard categories: only id and colour; their label and explanation come from the catalogues.
    categories = [{"id": cid, "colour": "#1f78b4", "own": False} for cid in CATEGORIES]
    procedures = sa.table(
        "procedures", *(sa.column(n) for n in (
            "id", "created_at", "updated_at", "title", "description", "area_label", "starts_on",
            "categories", "questions", "moderation", "created_by")))
    bind.execute(procedures.insert().values(
        id=DEFAULT, created_at=now, updated_at=now,
        title=json.dumps({"de": "Allgemein", "en": "General"}),
        description=json.dumps({"de": "Bedarfe aus ganz Berlin, die zu keinem eigenen Beteiligungsverfahren gehören.",
                                "en": "Needs from all of Berlin that belong to no procedure of their own."},
                               ensure_ascii=False),
        area_label="Berlin", starts_on=(oldest or now).date(),
        categories=json.dumps(categories, ensure_ascii=False), questions="[]", moderation="pre",
        created_by="system:migration",
    ))
    for table in TABLES:
        # SQLite adds a NOT NULL column in place when it has a default; no table copy is needed.
        op.add_column(table, sa.Column("procedure_id", sa.String(36), nullable=False, server_default=DEFAULT))
        # Explicit, though the server default already filled them: the intent is in the migration.
        bind.execute(sa.text(f"UPDATE {table} SET procedure_id = :p WHERE procedure_id IS NULL"), {"p": DEFAULT})
        op.create_index(f"ix_{table}_procedure", table, ["procedure_id"])
    op.add_column("needs", sa.Column("answers", sa.Text(), nullable=True))
    op.add_column("goals", sa.Column("status", sa.String(16), nullable=False, server_default="active"))
    op.add_column("goals", sa.Column("updated_at", UTCDateTime(), nullable=True))
    op.create_table(
        "goal_versions",
        sa.Column("goal_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("goal_versions")
    with op.batch_alter_table("goals") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("status")
    with op.batch_alter_table("needs") as batch:
        batch.drop_column("answers")
    for table in TABLES:
        op.drop_index(f"ix_{table}_procedure", table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("procedure_id")
    op.drop_table("procedures")
