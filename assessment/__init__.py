"""The needs domain of Bedarfsatlas Berlin, in three parts that import one way.

``participation -> analysis -> needs`` (an import-linter contract keeps it so).
Plain Python: nothing here imports streamlit.

Subpackages
-----------
needs
    What a need is and where it is kept: model, taxonomy, validation, geography,
    store (SQLite or PostgreSQL/PostGIS), exchange (import/export), audit, migrations,
    procedures (the participation rounds every need belongs to).
analysis
    What the needs and the official data say together: priority, presets, smoothing,
    robustness, hotspots, unheard, inventory, assess (all steps in one call), tables
    (the assessment's tables in words), goals, report, view_links (a view of ``/`` or
    /bewertung as a shareable link).
participation
    How residents and staff take part: residents (the residents' page rules), submission
    (one send of /melden), places (a need's place), limits, auth, oidc_setup (whether
    single sign-on can work with the secrets), moderation, workshops, workshop_report, retention.

``python -m assessment {export,import,backup,report,retention,...}`` is the command line
(see ``__main__``).
"""
