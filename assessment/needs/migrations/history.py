"""What earlier migrations stored as data, for code that must recognise it unchanged.

Migration 0011 created the default procedure "Allgemein" with a description and an area label
written for Berlin, before there were city profiles; :mod:`assessment.needs.procedures` shows
them in the active city's words as long as nobody edited them.
"""

MIGRATION_DEFAULT_DESCRIPTION = {
    "de": "Bedarfe aus ganz Berlin, die zu keinem eigenen Beteiligungsverfahren gehören.",
    "en": "Needs from all of Berlin that belong to no procedure of their own.",
}
"""The default procedure's description as migration 0011 wrote it."""
MIGRATION_DEFAULT_AREA = "Berlin"
"""The default procedure's area label as migration 0011 wrote it."""
