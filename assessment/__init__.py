"""The needs domain of Bedarfsatlas Berlin: residents' needs and the assessment per area.

Plain Python: nothing here imports streamlit.

Modules
-------
taxonomy
    The twelve need categories (stable ids, DE/EN labels and explanations).
model
    :class:`~assessment.model.NeedInput` (what a page sends) and
    :class:`~assessment.model.Need` (what is stored), statuses and channels.
validation
    The server-side rules; :class:`~assessment.validation.ValidationError` lists
    :class:`~assessment.validation.FieldError` (``field``, ``message_de``, ``message_en``).
geography
    The interface the store uses to locate needs (LOR ids, area points).
store
    :func:`~assessment.store.open_store` -> :class:`~assessment.store.NeedStore`
    (SQLite or PostgreSQL/PostGIS): submit, get, query, counts_by_area, support,
    set_status, backup.
exchange
    Export (CSV, GeoJSON, GeoPackage) and import (GeoJSON, CSV) of needs.
priority, smoothing, robustness, hotspots, unheard, presets
    The steps of the assessment: priority index with explained contributions,
    empirical-Bayes needs rates, rank intervals under weight changes, Gi*/Moran
    hotspots with FDR, areas that are not heard; presets to start from.
analysis
    :func:`~assessment.analysis.assess` runs all steps in one call and returns an
    :class:`~assessment.analysis.Assessment` (table, method in words, sources, fingerprint).

``python -m assessment {export,import,backup}`` is the command line (see ``__main__``).
"""
