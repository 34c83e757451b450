"""What residents' needs and the official data say together, area by area.

Modules
-------
priority, smoothing, robustness, hotspots, unheard, presets
    The steps of the assessment: priority index with explained contributions,
    empirical-Bayes needs rates, rank intervals under weight changes, Gi*/Moran
    hotspots with FDR, areas that are not heard; presets to start from, and the
    rules for the weights a planner changes from there.
assess
    :func:`~assessment.analysis.assess.assess` runs all steps in one call and returns an
    :class:`~assessment.analysis.assess.Assessment` (table, method in words, sources, fingerprint).
inventory
    The planners' inventory: indicators and needs per area side by side, with exports.
goals
    Goals: a finding of the assessment turned into a planning goal with its evidence.
    Goals live here, not in ``participation``: the report cites them, and a goal is defined
    from the analysis (its evidence are the assessment's figures).
report
    The report "Integrierte räumliche Bestandsaufnahme und Bedarfsanalyse" (HTML, PDF).
view_links
    Shareable views: the state of the overview (``/``) and of /bewertung as URL query parameters.
tables
    The assessment's tables in the reader's words, as /bewertung shows them: ranking,
    one area explained, hotspots, unheard areas (the same areas the report lists).
"""
