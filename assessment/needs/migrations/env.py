"""Alembic environment: migrations run on the connection :func:`assessment.needs.store.migrate` hands in.

The store opens the transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an
advisory lock) before calling Alembic, so two app processes starting at the
same moment apply a migration once, one after the other.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
