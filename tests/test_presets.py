"""The weights a planner edits on /bewertung: loading, carrying to another level, adding, describing.

These rules moved out of ``pages/assessment.py`` into :mod:`assessment.analysis.presets`.
Expected specs come from the preset definitions and the catalogue by hand: at BZR
level and coarser the MSS class indicators become their residents' shares, and the
MSS indicators published without numerator and denominator drop out.
"""

from __future__ import annotations

import pytest

from assessment.analysis.presets import (
    DEFAULT_PRESET,
    PRESETS,
    WEIGHT_MAX,
    addable,
    added,
    carried_summary,
    has_weight,
    is_preset,
    preset_spec,
    preset_summary,
    spec_for,
    weights_notes,
)
from assessment.analysis.smoothing import needs_keys

SOCIAL_PLR = [("mss_status", 1, 3.0), ("mss_child_poverty", 1, 2.0), ("mss_transfer", 1, 1.0),
              ("mss_unemployment", 1, 1.0), ("mss_dynamics", 1, 1.0)]
SOCIAL_BZR = [("mss_status_low_share", 1, 3.0), ("mss_dynamics_negative_share", 1, 1.0)]
ENVIRONMENT_BEZ = [("ug_air_high_share", 1, 1.0), ("ug_noise_high_share", 1, 1.0), ("ug_heat_high_share", 1, 1.0),
                   ("ug_green_poor_share", 1, 1.0), ("needs_per_1000_green_climate", 1, 1.0)]
OWN_PLR = [("mss_status", 1, 2.0), ("mss_transfer", 1, 1.0), ("share_65plus", -1, 0.5)]


def test_the_page_starts_with_the_social_preset_and_weights_up_to_five():
    assert DEFAULT_PRESET == "social" and DEFAULT_PRESET in PRESETS
    assert WEIGHT_MAX == 5.0
    assert max(weight for preset in PRESETS.values() for _, weight in preset.weights) <= WEIGHT_MAX


@pytest.mark.parametrize(("name", "level", "expected"), [
    ("social", "PLR", SOCIAL_PLR),
    ("social", "BZR", SOCIAL_BZR),
    ("social", "bzr", SOCIAL_BZR),
    ("environment", "BEZ", ENVIRONMENT_BEZ),
])
def test_preset_spec(name, level, expected):
    assert preset_spec(name, level) == expected


@pytest.mark.parametrize(("case", "level", "preset", "loaded", "own", "spec", "dropped"), [
    ("first visit", "BZR", "social", None, None, SOCIAL_BZR, None),
    ("unchanged weights, another level", "BZR", "social", ("PLR", "social"), None, SOCIAL_BZR, None),
    ("own weights, another level: they come along", "BZR", "social", ("PLR", "social"), OWN_PLR,
     [("mss_status_low_share", 1, 2.0), ("share_65plus", -1, 0.5)], ("mss_transfer",)),
    ("own weights of a share, back to PLR: the share stays", "PLR", "social", ("BZR", "social"),
     [("mss_status_low_share", 1, 2.0)], [("mss_status_low_share", 1, 2.0)], ()),
    ("own weights, another preset: the new preset's", "BEZ", "environment", ("BEZ", "social"), OWN_PLR,
     ENVIRONMENT_BEZ, None),
    ("own weights of which the level has none: the preset's", "PLR", "social", ("BZR", "social"),
     [("crime_offences_per_100k", 1, 2.0)], SOCIAL_PLR, None),
    ("no own weights at all", "PLR", "social", ("BZR", "social"), [], SOCIAL_PLR, None),
])
def test_spec_for_a_new_level_or_preset(case, level, preset, loaded, own, spec, dropped):
    assert spec_for(level, preset, loaded=loaded, own=own) == (spec, dropped), case


@pytest.mark.parametrize(("spec", "expected"), [
    (SOCIAL_BZR, True),
    ([tuple(entry) for entry in SOCIAL_BZR], True),
    ([("mss_status_low_share", 1, 3), ("mss_dynamics_negative_share", 1, 1)], True),  # 3 == 3.0
    (SOCIAL_BZR[::-1], False),  # the order is part of the spec
    ([("mss_status_low_share", -1, 3.0), ("mss_dynamics_negative_share", 1, 1.0)], False),
    ([("mss_status_low_share", 1, 2.75), ("mss_dynamics_negative_share", 1, 1.0)], False),
    (SOCIAL_BZR[:1], False),
])
def test_is_preset(spec, expected):
    assert is_preset(spec, "social", "BZR") is expected


@pytest.mark.parametrize(("weights", "expected"), [((0.0, 0.0), False), ((0.0, 0.25), True), ((), False)])
def test_has_weight(weights, expected):
    assert has_weight([(f"key{n}", 1, w) for n, w in enumerate(weights)]) is expected


def test_addable_offers_what_the_level_has_except_directionless_counts():
    plr = addable("PLR", ["mss_status"])
    assert "mss_status" not in plr  # already shown
    assert "mss_child_poverty" in plr and "share_65plus" in plr
    assert "population" not in plr and "kita_places" not in plr  # raw counts without a direction
    assert plr[-len(needs_keys()):] == list(needs_keys())  # every needs rate, last
    bzr = addable("BZR", [])
    assert "mss_status" not in bzr and "mss_status_low_share" in bzr  # class indicators exist for PLR only
    assert "crime_offences_per_100k" in bzr and "crime_offences_per_100k" not in addable("PLR", [])


@pytest.mark.parametrize(("key", "entry"), [
    ("pharmacies_per_10k", ("pharmacies_per_10k", -1, 1.0)),  # fewer pharmacies = more need
    ("share_65plus", ("share_65plus", 1, 1.0)),
    ("needs_per_1000_mobility", ("needs_per_1000_mobility", 1, 1.0)),
    ("ug_green", ("ug_green", 1, 1.0)),
])
def test_an_added_indicator_gets_its_stated_direction_and_weight_one(key, entry):
    assert added(key) == entry


def test_preset_summary_names_the_level_s_components_and_what_it_lacks():
    assert preset_summary("social", "BZR", "de") == (
        "Soziale Benachteiligung nach MSS 2021: Statusindex (3), Kinderarmut (2), Transferbezug (1), "
        "Arbeitslosigkeit (1), Dynamik (1). "
        "Auf der Ebene Bezirksregionen: Anteil Einwohner in PLR mit MSS-Status niedrig oder sehr niedrig (3), "
        "Anteil Einwohner in PLR mit negativer MSS-Dynamik (1). "
        "Auf dieser Ebene nicht veröffentlicht und daher hier nicht enthalten: Kinderarmut (MSS S4), "
        "Transferbezug (MSS S3), Arbeitslosigkeit (MSS S1).")
    # At PLR nothing is replaced or dropped; quarter weights keep two decimals.
    balanced = preset_summary("balanced", "PLR", "en")
    assert "Air pollution (environmental justice) (0.25)" in balanced
    assert "Published for planning areas only" not in balanced


def test_carried_summary():
    assert carried_summary("BZR", (), "de") == "Ihre Gewichtung gilt weiter, jetzt für die Bezirksregionen."
    assert carried_summary("BZR", ("mss_transfer", "mss_unemployment"), "en") == (
        "Your weights still apply, now to the District regions. Not available at this level and therefore "
        "removed: Transfer benefits (MSS S3), Unemployment (MSS S1).")


OWN_BZR = [("mss_status_low_share", 1, 2.0), ("share_65plus", -1, 0.5)]


@pytest.mark.parametrize(("spec", "carried", "unchanged", "line_start", "note"), [
    (SOCIAL_BZR, None, True, "Soziale Benachteiligung nach MSS 2021", None),
    # Back to the preset's weights: its text again, no word about carried weights.
    (SOCIAL_BZR, ("BZR", ("mss_transfer",)), True, "Soziale Benachteiligung nach MSS 2021", None),
    (OWN_BZR, None, False, "Eigene Gewichtung (ausgehend von „Sozial“)", None),
    (OWN_BZR, ("BZR", ()), False, "Eigene Gewichtung", "Ihre Gewichtung gilt weiter, jetzt für die Bezirksregionen."),
    # Carried to another level earlier: not this level's news.
    (OWN_BZR, ("PGR", ()), False, "Eigene Gewichtung", None),
])
def test_weights_notes(spec, carried, unchanged, line_start, note):
    found = weights_notes(spec, "social", "BZR", "de", carried=carried)
    assert (found[0], found[1].startswith(line_start), found[2]) == (unchanged, True, note)
