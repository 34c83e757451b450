"""Starting points for the priority index: four documented presets.

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

Examples
--------
>>> [c.key for c in PRESETS["social"].components("BZR")[0]]
['mss_status_low_share', 'mss_dynamics_negative_share']
>>> PRESETS["balanced"].components("PLR")[0][0]
Component(key='mss_status', direction=1, weight=1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.analysis.priority import Component, as_components, catalogue_direction
from core.i18n import t
from geodata.indicators import INDICATORS
from geodata.lor import get_level


@dataclass(frozen=True)
class Preset:
    """A named, documented list of ``(indicator key, weight)`` pairs."""

    name: str
    label_de: str
    label_en: str
    description_de: str
    description_en: str
    weights: tuple[tuple[str, float], ...]

    def label(self, lang: str) -> str:
        return self.label_de if lang == "de" else self.label_en

    def description(self, lang: str) -> str:
        return self.description_de if lang == "de" else self.description_en

    def components(self, level: str) -> tuple[tuple[Component, ...], list[str]]:
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
            if ind.derived_share:
                lines.append(t("assess.note_replaced", lang, indicator=ind.label(lang),
                               share=INDICATORS[ind.derived_share].label(lang)))
            else:
                lines.append(t("assess.note_dropped", lang, indicator=ind.label(lang)))
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


_SUPPLY = ("kita_places_per_100_under6", "schools_per_10k_6_18", "youth_centres_per_10k_6_25",
           "pharmacies_per_10k")

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "social", "Sozial", "Social",
            "Soziale Benachteiligung nach MSS 2021: Statusindex (3), Kinderarmut (2), "
            "Transferbezug (1), Arbeitslosigkeit (1), Dynamik (1).",
            "Social disadvantage (MSS 2021): status index (3), child poverty (2), transfer "
            "benefits (1), unemployment (1), dynamics (1).",
            (("mss_status", 3.0), ("mss_child_poverty", 2.0), ("mss_transfer", 1.0),
             ("mss_unemployment", 1.0), ("mss_dynamics", 1.0)),
        ),
        Preset(
            "environment", "Umwelt", "Environment",
            "Umweltgerechtigkeit: Luft, Lärm, Hitze, Grünversorgung (je 1) und Bedarfe zu Grün "
            "und Klima je 1.000 Einwohner (1). Richtung der Grünversorgung erschlossen, nicht belegt.",
            "Environmental justice: air, noise, heat, green-space provision (1 each) and needs "
            "about green space and climate per 1,000 residents (1). Green-space direction inferred.",
            (("ug_air", 1.0), ("ug_noise", 1.0), ("ug_heat", 1.0), ("ug_green", 1.0),
             ("needs_per_1000_green_climate", 1.0)),
        ),
        Preset(
            "participation", "Beteiligung", "Participation",
            "Was Bewohnerinnen und Bewohner melden: Bedarfe je 1.000 Einwohner (3) und das Angebot, "
            "nach dem Bedarfe oft fragen: Kita-Plätze, Jugendfreizeiteinrichtungen, Apotheken (je 1).",
            "What residents report: needs per 1,000 residents (3) and the supply needs most often "
            "ask for: Kita places, youth centres, pharmacies (1 each).",
            (("needs_per_1000", 3.0), ("kita_places_per_100_under6", 1.0),
             ("youth_centres_per_10k_6_25", 1.0), ("pharmacies_per_10k", 1.0)),
        ),
        Preset(
            "balanced", "Ausgewogen", "Balanced",
            "Vier gleich gewichtete Blöcke: Sozialstatus (1), Umwelt (Luft, Lärm, Hitze, Grün je "
            "1/4), Bewohnerbedarfe (1), Versorgung (Kita, Schulen, Jugendfreizeit, Apotheken je 1/4).",
            "Four equal blocks: social status (1), environment (air, noise, heat, green space, "
            "1/4 each), residents' needs (1), supply (Kita, schools, youth centres, pharmacies, 1/4 each).",
            (("mss_status", 1.0), ("ug_air", 0.25), ("ug_noise", 0.25), ("ug_heat", 0.25),
             ("ug_green", 0.25), ("needs_per_1000", 1.0), *((key, 0.25) for key in _SUPPLY)),
        ),
    )
}
"""The presets by name."""


def get_preset(name: str) -> Preset:
    """The :class:`Preset` called ``name``, with a helpful error otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
