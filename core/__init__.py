"""The floor every other package stands on: settings, interface texts and number formatting.

Modules
-------
settings
    Every setting (``BEDARFSATLAS_*``, ``DATABASE_URL``), read in one place and listed in the
    README's table (a test keeps the two in step).
basemaps
    The named official base maps (``BEDARFSATLAS_BASEMAP``): WMS endpoint, layer, attribution, licence.
i18n
    Interface texts per language, and number formatting per language.
command_line
    The command lines' argument parser, whose own texts (``usage:``, "invalid choice") come from
    the catalogues in the run's language.

Plain Python: nothing here imports streamlit, and nothing here imports another package of the app.
"""
