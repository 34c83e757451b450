"""Unit ids per level in a child table: any city profile's levels, not four Berlin columns.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

Until now ``needs`` had one column per LOR level (``plr_id``, ``bzr_id``, ``pgr_id``,
``bez_id``), so a city with other levels (issue 17: a city profile says which) would have
needed a schema of its own. ``need_units`` holds one row per need and level instead:
``(need_id, level, unit_id)`` with the level code of the city profile (Berlin: PLR, BZR,
PGR, BEZ) and the id of the unit the need lies in. Levels a need has no id for (finer than
the area it was located by) have no row.

Every existing need keeps its LOR ids: each non-empty ``plr_id`` … ``bez_id`` becomes a row
(this historical migration names the old columns; they are Berlin's, and only Berlin had
a database before it). Then the old columns go, with their indexes (``ix_needs_plr_id`` …
from 0001 and the covering ``ix_needs_counts`` from 0002).

Indexes: the primary key ``(need_id, level)`` reads a need's units; ``ix_need_units_unit``
``(level, unit_id, need_id)`` answers "needs in these areas".

The counts per area (``NeedStore.counts_by_area``, the choropleths and the index) must not
join 100,000 needs to their units: measured on SQLite, the join took 150–190 ms against 47 ms
of the old covering index ``ix_needs_counts`` (``bench/bench_store.py``, 100,000 needs). So
``need_units`` carries a copy of the need's ``status`` and ``category``, and
``ix_need_units_counts`` ``(level, status, category, unit_id)`` answers the counts from the
index alone, as ``ix_needs_counts`` did. The copy is kept by the database, not by the code:
a trigger on ``needs`` (``AFTER UPDATE OF status, category``) rewrites it, whichever code path
moderates, merges or hides a need; the store writes it with each new need, and the columns are
``NOT NULL``, so a writer that forgets them fails at once.

``need_units.need_id`` refers to ``needs.id`` with ``ON DELETE CASCADE``: a need deleted by
the retention rules takes its units along.

The old columns are dropped in place (``ALTER TABLE … DROP COLUMN``, SQLite >= 3.35) and not
with Alembic's batch mode: batch mode copies ``needs`` and drops the original, and with
foreign keys on, dropping ``needs`` deletes every need first, which ``supports`` refuses
and ``need_units`` (cascade) would follow. The level columns of ``needs``, ``workshops``,
``goals`` and ``procedures`` grow from 3 to 8 characters, the length of a profile's level
code (PostgreSQL only; SQLite does not enforce lengths).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD = (("PLR", "plr_id"), ("BZR", "bzr_id"), ("PGR", "pgr_id"), ("BEZ", "bez_id"))
LEVEL_COLUMNS = (("needs", "area_level"), ("workshops", "focus_level"), ("goals", "level"),
                 ("procedures", "area_level"))


def upgrade() -> None:
    op.create_table(
        "need_units",
        sa.Column("need_id", sa.String(36), sa.ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("level", sa.String(8), primary_key=True),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
    )
    for level, column in OLD:
        op.execute(sa.text(
            f"INSERT INTO need_units (need_id, level, unit_id, status, category) "
            f"SELECT id, :level, {column}, status, category FROM needs WHERE {column} IS NOT NULL AND {column} <> ''"
        ).bindparams(level=level))
    op.create_index("ix_need_units_unit", "need_units", ["level", "unit_id", "need_id"])
    op.create_index("ix_need_units_counts", "need_units", ["level", "status", "category", "unit_id"])
    _create_sync_trigger()
    op.drop_index("ix_needs_counts", "needs")
    for _, column in OLD:
        op.drop_index(f"ix_needs_{column}", "needs")
        op.execute(f"ALTER TABLE needs DROP COLUMN {column}")
    if op.get_bind().dialect.name == "postgresql":
        for table, column in LEVEL_COLUMNS:
            op.alter_column(table, column, type_=sa.String(8), existing_type=sa.String(3))


SYNC = "UPDATE need_units SET status = NEW.status, category = NEW.category WHERE need_id = NEW.id;"


def _create_sync_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION need_units_sync() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {SYNC} RETURN NULL; END $$")
        op.execute("CREATE TRIGGER tr_need_units_sync AFTER UPDATE OF status, category ON needs "
                   "FOR EACH ROW EXECUTE FUNCTION need_units_sync()")
    else:
        op.execute("CREATE TRIGGER tr_need_units_sync AFTER UPDATE OF status, category ON needs "
                   f"FOR EACH ROW BEGIN {SYNC} END")


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP TRIGGER tr_need_units_sync" + (" ON needs" if bind.dialect.name == "postgresql" else ""))
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION need_units_sync()")
    if bind.dialect.name == "postgresql":
        for table, column in LEVEL_COLUMNS:
            op.alter_column(table, column, type_=sa.String(3), existing_type=sa.String(8))
    for _, column in OLD:
        op.add_column("needs", sa.Column(column, sa.String(8), nullable=True))
        op.create_index(f"ix_needs_{column}", "needs", [column])
    for level, column in OLD:
        op.execute(sa.text(
            f"UPDATE needs SET {column} = (SELECT unit_id FROM need_units "
            f"WHERE need_units.need_id = needs.id AND need_units.level = :level)"
        ).bindparams(level=level))
    op.create_index("ix_needs_counts", "needs", ["status", "category", "plr_id", "bzr_id", "pgr_id", "bez_id"])
    op.drop_index("ix_need_units_counts", "need_units")
    op.drop_index("ix_need_units_unit", "need_units")
    op.drop_table("need_units")
