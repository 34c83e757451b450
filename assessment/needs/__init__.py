"""What a need is and where it is kept.

Modules
-------
taxonomy
    The need categories (stable ids, labels and explanations).
model
    :class:`~assessment.needs.model.NeedInput` (what a page sends) and
    :class:`~assessment.needs.model.Need` (what is stored), statuses and channels.
validation
    The server-side rules; :class:`~assessment.needs.validation.ValidationError` lists
    :class:`~assessment.needs.validation.FieldError` per field.
geography
    The interface the store uses to locate needs (LOR ids, area points).
store
    :func:`~assessment.needs.store.open_store` -> :class:`~assessment.needs.store.NeedStore`
    (SQLite or PostgreSQL/PostGIS), with its Alembic migrations in ``migrations/``.
exchange
    Export (CSV, GeoJSON, GeoPackage) and import (GeoJSON, CSV) of needs.
audit
    The audit log: who changed which need, when, what and why.
procedures
    Participation procedures (Beteiligungsverfahren): area, period, categories, questions
    and moderation rule of each round; every need, workshop and goal belongs to one.
"""
