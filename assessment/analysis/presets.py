"""Starting points for the priority index: documented presets (Berlin has four, from its profile).

Each preset is a list of indicators with weights (directions come from the
catalogue). They are where a planner starts, not a recommendation: the
weights are meant to be changed and the robustness check shows how much
they matter.

* ``social`` - social disadvantage (MSS 2021): status index (weight 3),
  child poverty (2), transfer benefits (1), unemployment (1), dynamics (1).
* ``environment`` - environmental justice: air, noise, heat, green-space
  provision (1 each) and residents' needs about green space and climate (1).
  The green-space direction is inferred, not verified (see the catalogue).
* ``participation`` - what residents report: needs per 1,000 residents (3),
  and the supply of the facilities needs most often ask for: Kita places,
  youth centres, pharmacies (1 each, fewer = more need).
* ``balanced`` - four equal blocks: social (MSS status, 1), environment
  (air, noise, heat, green space, 1/4 each), residents (needs per 1,000, 1),
  supply (Kita places, schools, youth centres, pharmacies, 1/4 each).

Class indicators (MSS status, noise class, ...) exist at PLR level only. At
coarser levels a preset uses their derived share instead ("share of
residents living in PLR with MSS status low or very low"), with the same
weight; MSS indicators published without numerator and denominator
(unemployment, transfer benefits, child poverty) cannot be aggregated and are
dropped there. :meth:`Preset.components` does both and says so in ``notes``.

A planner edits a *spec*: a list of ``(key, direction, weight)``, starting from a
preset (:func:`preset_spec`). :func:`spec_for` decides what a change of level or
preset does to it (own weights go along to another level, :func:`carry_over`),
:func:`addable` and :func:`added` which indicators can join and how, and
:func:`is_preset` whether the weights are still the preset's, in which case the
preset's name is what the assessment records. :func:`weights_notes` says in
words what the weights are: the preset at this level (:func:`preset_summary`), or
own weights, and what a carried-over spec lost (:func:`carried_summary`).

Examples
--------
>>> [c.key for c in PRESETS["social"].components("BZR")[0]]
['mss_status_low_share', 'mss_dynamics_negative_share']
>>> PRESETS["balanced"].components("PLR")[0][0]
Component(key='mss_status', direction=1, weight=1.0)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from assessment.analysis.priority import Component, as_components, catalogue_direction
from assessment.analysis.priority import label as indicator_label
from assessment.analysis.smoothing import needs_keys
from core.i18n import format_number, t
from geodata.indicators import INDICATORS, available_indicators
from geodata.lor import Level, get_level
from geodata.profile import active_profile

Spec = list[tuple[str, int, float]]
"""A planner's weights: ``(indicator key, direction, weight)`` in the order shown."""

DEFAULT_PRESET: str = getattr(active_profile().helpers, "DEFAULT_PRESET", "all_indicators")
"""Where /bewertung starts (Berlin: ``social``): it should need no submitted needs, so it ranks every
area on a fresh installation."""
WEIGHT_MAX = 5.0
"""The largest weight a planner can set for one indicator (the presets use at most 3)."""


@dataclass(frozen=True)
class Preset:
    """A named, documented list of ``(indicator key, weight)`` pairs; its texts are messages keyed by ``name``."""

    name: str
    weights: tuple[tuple[str, float], ...]

    def label(self, lang: str) -> str:
        """The preset's name in ``lang`` (message ``preset.<name>.label``).

        >>> PRESETS["social"].label("de"), PRESETS["social"].label("en")
        ('Sozial', 'Social')
        """
        return t(f"preset.{self.name}.label", lang)

    def description(self, lang: str) -> str:
        """What the preset weighs, in ``lang`` (message ``preset.<name>.description``)."""
        return t(f"preset.{self.name}.description", lang)

    def components(self, level: str | Level) -> tuple[tuple[Component, ...], list[str]]:
        """The preset's components at ``level`` and notes on what was substituted or dropped.

        Examples
        --------
        >>> components, notes = PRESETS["social"].components("BEZ")
        >>> notes[0]
        'mss_status -> mss_status_low_share (class indicator, PLR only)'
        """
        code = get_level(level).code
        chosen: list[Component] = []
        notes: list[str] = []
        for key, weight in self.weights:
            ind = INDICATORS.get(key)
            if ind is None or code in ind.levels:
                chosen.append(Component(key, None, weight))
            elif ind.derived_share:
                chosen.append(Component(ind.derived_share, None, weight))
                notes.append(f"{key} -> {ind.derived_share} (class indicator, PLR only)")
            else:
                notes.append(f"{key} dropped (published for PLR only, cannot be aggregated)")
        return as_components(chosen), notes

    def notes_text(self, level: str, lang: str = "de") -> list[str]:
        """What :meth:`components` substituted or dropped at ``level``, in words for readers.

        >>> PRESETS["social"].notes_text("BEZ", "en")[0]
        'MSS status index: replaced by Share of residents in PLR with MSS status low or very low (class indicator, planning areas only).'
        """
        code = get_level(level).code
        lines = []
        for key, _ in self.weights:
            ind = INDICATORS.get(key)
            if ind is None or code in ind.levels:
                continue
            published = get_level(ind.levels[0]).in_sentence(lang)  # the finest level it has values for
            if ind.derived_share:
                lines.append(t("assess.note_replaced", lang, indicator=ind.label(lang),
                               share=INDICATORS[ind.derived_share].label(lang), levels=published))
            else:
                lines.append(t("assess.note_dropped", lang, indicator=ind.label(lang), levels=published))
        return lines


def carry_over(spec, level: str) -> tuple[list[tuple[str, int, float]], list[str]]:
    """A planner's own weights, taken to ``level``: what stays, and the keys that had to go.

    ``spec`` holds ``(key, direction, weight)``. An indicator the level has stays as it
    is; a class indicator published per PLR only becomes its residents' share (with the
    share's stated direction), as in :meth:`Preset.components`; an indicator the level
    does not have (the crime atlas per PLR) is dropped and named.

    >>> carry_over([("mss_status", 1, 3.0), ("crime_offences_per_100k", 1, 2.0), ("needs_per_1000", 1, 1.0)], "PLR")
    ([('mss_status', 1, 3.0), ('needs_per_1000', 1, 1.0)], ['crime_offences_per_100k'])
    >>> carry_over([("mss_status", 1, 3.0), ("share_65plus", -1, 0.5)], "BZR")[0]
    [('mss_status_low_share', 1, 3.0), ('share_65plus', -1, 0.5)]
    """
    code = get_level(level).code
    kept: dict[str, tuple[str, int, float]] = {}
    dropped: list[str] = []
    for key, direction, weight in spec:
        ind = INDICATORS.get(key)
        if ind is not None and code not in ind.levels:
            share = ind.derived_share
            if not share or code not in INDICATORS[share].levels:
                dropped.append(key)
                continue
            stated = catalogue_direction(share)
            key, direction = share, stated if stated in (1, -1) else direction
        kept.setdefault(key, (key, direction, weight))
    return list(kept.values()), dropped


def preset_spec(name: str, level: str) -> Spec:
    """The preset's weights at ``level`` as a spec (directions from the catalogue).

    >>> preset_spec("social", "BZR")
    [('mss_status_low_share', 1, 3.0), ('mss_dynamics_negative_share', 1, 1.0)]
    """
    components, _ = get_preset(name).components(level)
    return [(c.key, int(c.direction), float(c.weight)) for c in components]


def spec_for(level: str, preset: str, *, loaded: tuple[str, str] | None,
             own: Iterable[tuple[str, int, float]] | None) -> tuple[Spec, tuple[str, ...] | None]:
    """The spec to show after the planner chose ``level`` and ``preset``, and what had to go.

    ``loaded`` is the ``(level, preset)`` the spec on screen was made for (``None`` on a
    first visit); ``own`` is that spec when the planner changed the preset's weights
    (``None`` while they are the preset's). Own weights of the same preset go along to
    another level, so nothing the planner set is lost (:func:`carry_over`); the keys the
    level does not have come back as the second value. Otherwise (a first visit, another
    preset, unchanged weights, or nothing the new level has) the preset's weights at
    ``level`` are loaded, and the second value is ``None``.

    >>> spec_for("BZR", "social", loaded=("PLR", "social"), own=[("mss_status", 1, 2.0), ("mss_transfer", 1, 1.0)])
    ([('mss_status_low_share', 1, 2.0)], ('mss_transfer',))
    >>> spec_for("BZR", "social", loaded=("PLR", "environment"), own=[("mss_status", 1, 2.0)])[1] is None
    True
    """
    if loaded is not None and loaded[1] == preset and own:
        carried, dropped = carry_over(own, level)
        if carried:
            return carried, tuple(dropped)
    return preset_spec(preset, level), None


def is_preset(spec: Iterable[tuple[str, int, float]], preset: str, level: str) -> bool:
    """Whether ``spec`` is exactly the preset's weights at ``level`` (same keys, order, directions, weights).

    Then the assessment gets the preset's name, so the page's report and its input hash
    match ``python -m assessment report --preset ...`` for the same data.

    >>> is_preset([("mss_status_low_share", 1, 3.0), ("mss_dynamics_negative_share", 1, 1.0)], "social", "BZR")
    True
    >>> is_preset([("mss_status_low_share", 1, 2.5), ("mss_dynamics_negative_share", 1, 1.0)], "social", "BZR")
    False
    """
    return preset_spec(preset, level) == list(spec)


def has_weight(spec: Iterable[tuple[str, int, float]]) -> bool:
    """Whether any weight is positive: with all weights zero there is no index to compute."""
    return sum(weight for _, _, weight in spec) > 0


def addable(level: str, keys: Collection[str]) -> list[str]:
    """Indicators a planner can add at ``level`` besides ``keys``, catalogue order, needs rates last.

    Every indicator the level has and every needs rate, except raw counts without a
    stated direction (residents, places, facilities): they say more about an area's
    size than about its need.

    >>> "mss_status" in addable("PLR", []), "mss_status" in addable("BZR", [])
    (True, False)
    >>> "population" in addable("PLR", []), addable("BEZ", [])[-1]
    (False, 'needs_per_1000_other')
    """
    return [key for key in available_indicators(level) + list(needs_keys())
            if key not in keys and (key in needs_keys() or catalogue_direction(key) in (1, -1)
                                    or INDICATORS[key].kind != "count")]


def added(key: str) -> tuple[str, int, float]:
    """The spec entry of an indicator the planner adds: its stated direction (else +1), weight 1.

    >>> added("pharmacies_per_10k"), added("needs_per_1000")
    (('pharmacies_per_10k', -1, 1.0), ('needs_per_1000', 1, 1.0))
    """
    direction = catalogue_direction(key) if key in needs_keys() or key in INDICATORS else None
    return key, direction if direction in (1, -1) else 1, 1.0


def preset_summary(name: str, level: str, lang: str = "de") -> str:
    """The preset in words: its description, what it is at ``level`` (keys and weights), what it loses there.

    Class indicators stand in by their shares above PLR, indicators published for PLR
    only drop out; the description names the PLR set, so the level's set is said too.
    Plain text (for Markdown, escape it).
    """
    preset = get_preset(name)
    components, _ = preset.components(level)
    used = ", ".join(f"{indicator_label(c.key, lang)} ({format_number(c.weight, 2 if c.weight % 1 else 0, lang)})"
                     for c in components)
    kept = {c.key for c in components}
    dropped = [indicator_label(key, lang) for key, _ in preset.weights
               if key not in kept and (INDICATORS[key].derived_share if key in INDICATORS else None) not in kept]
    lines = [preset.description(lang),
             t("assess.preset_at_level", lang, level=get_level(level).plural(lang), components=used)]
    if dropped:
        lines.append(t("assess.preset_dropped", lang, indicators=", ".join(dropped)))
    return " ".join(lines)


def weights_notes(spec: Iterable[tuple[str, int, float]], preset: str, level: str, lang: str = "de", *,
                  carried: tuple[str, Iterable[str]] | None = None) -> tuple[bool, str, str | None]:
    """Whether ``spec`` is still the preset's, the line that says what it is, and a note on carried weights.

    While the weights are the preset's, the line is :func:`preset_summary`; once changed,
    it says the weights are the planner's own, starting from the preset. ``carried`` is
    ``(level, dropped keys)`` from :func:`spec_for` when own weights came along to a
    level; the note (:func:`carried_summary`) is given only for that level and only while
    the weights differ from the preset's, else ``None``.

    >>> unchanged, line, note = weights_notes([("mss_status_low_share", 1, 1.0)], "social", "BZR", "en",
    ...                                       carried=("BZR", ("mss_transfer",)))
    >>> unchanged, line.startswith("Own weights (starting from “Social”)")
    (False, True)
    >>> print(note)
    Your weights still apply, now to the District regions. Not available at this level and therefore removed: Transfer benefits (MSS S3).
    >>> weights_notes([("mss_status_low_share", 1, 3.0), ("mss_dynamics_negative_share", 1, 1.0)], "social",
    ...               "BZR", carried=("BZR", ("mss_transfer",)))[::2]
    (True, None)
    """
    spec = list(spec)
    if is_preset(spec, preset, level):
        return True, preset_summary(preset, level, lang), None
    line = t("assess.preset_changed", lang, preset=get_preset(preset).label(lang))
    note = carried_summary(level, carried[1], lang) if carried and carried[0] == level else None
    return False, line, note


def carried_summary(level: str, dropped: Iterable[str], lang: str = "de") -> str:
    """That own weights came along to ``level`` (:func:`spec_for`), naming the indicators that had to go."""
    lines = [t("assess.carried", lang, level=get_level(level).plural(lang))]
    if dropped := list(dropped):
        lines.append(t("assess.carried_dropped", lang,
                       indicators=", ".join(indicator_label(key, lang) for key in dropped)))
    return " ".join(lines)


def _presets() -> tuple[Preset, ...]:
    """The city profile's presets (its helpers' ``PRESETS``), else one that weighs every indicator alike.

    The fallback, ``all_indicators``, takes each indicator with a direction (weight 1) and the
    needs per 1,000 residents (weight 1): a start for a city that has not written its own.
    """
    given = getattr(active_profile().helpers, "PRESETS", None)
    if given:
        return tuple(Preset(name, tuple(weights)) for name, weights in given)
    directed = tuple((key, 1.0) for key, ind in INDICATORS.items() if ind.direction)
    return (Preset("all_indicators", (*directed, ("needs_per_1000", 1.0))),)


PRESETS: dict[str, Preset] = {p.name: p for p in _presets()}
"""The presets by name."""


def get_preset(name: str) -> Preset:
    """The :class:`Preset` called ``name``, with a helpful error otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
