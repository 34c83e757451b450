"""pytest runs the doctests of this package; Alembic's env.py only runs inside Alembic."""

collect_ignore = ["migrations/env.py"]
