"""Links to the overview and to /bewertung: what a view writes into the address bar reads back the same,
and every bad value of a link is ignored and named (table-driven: link -> the message a planner sees)."""

from __future__ import annotations

import pytest

from assessment.analysis import presets
from assessment.analysis.view_links import (
    AssessmentView,
    OverviewView,
    assessment_from_query,
    assessment_query,
    overview_from_query,
    overview_query,
    weighable,
)

SOCIAL_BZR = presets.preset_spec("social", "BZR")  # [('mss_status_low_share', 1, 3.0), ('mss_dynamics_negative_share', 1, 1.0)]


@pytest.mark.parametrize("view", [
    AssessmentView(),
    AssessmentView("PLR", "environment", "zscore"),
    AssessmentView("BEZ", "balanced", "minmax", (("needs_per_1000", 1, 0.25), ("share_65plus", -1, 5.0))),
    # own weights: the preset's indicators, one weight changed, one direction turned, one indicator added
    AssessmentView("BZR", "social", "rank", (("mss_status_low_share", -1, 3.0), ("mss_dynamics_negative_share", 1, 0.0),
                                             ("pharmacies_per_10k", -1, 1.0))),
])
def test_an_assessment_view_reads_back_from_its_link(view):
    parsed, problems = assessment_from_query(assessment_query(view))
    assert problems == []
    assert parsed == view


def test_the_presets_own_weights_are_not_written_and_read_back_as_the_preset():
    assert assessment_query(AssessmentView("BZR", "social", "rank", tuple(SOCIAL_BZR))) == {}
    assert assessment_from_query({}) == (AssessmentView("BZR", "social", "rank", None), [])


def test_own_weights_are_written_in_order_with_only_turned_directions():
    spec = (("mss_dynamics_negative_share", 1, 1.5), ("mss_status_low_share", -1, 3.0), ("pharmacies_per_10k", -1, 0.25))
    # pharmacies: fewer = more need is its stated direction (-1), so it needs no "richtung"
    assert assessment_query(AssessmentView(spec=spec)) == {
        "gewichte": "mss_dynamics_negative_share:1.5,mss_status_low_share:3,pharmacies_per_10k:0.25",
        "richtung": "mss_status_low_share:-1",
    }


@pytest.mark.parametrize("query, expected", [
    ({"ebene": "bez", "vorlage": "ENVIRONMENT", "normierung": "ZScore"}, AssessmentView("BEZ", "environment", "zscore")),
    ({"gewichte": "mss_status_low_share:2, share_65plus:0", "richtung": "share_65plus:+1"},
     AssessmentView(spec=(("mss_status_low_share", 1, 2.0), ("share_65plus", 1, 0.0)))),
    ({"gewichte": ["mss_status_low_share:1", "mss_status_low_share:4"]},  # a repeated parameter: the last holds
     AssessmentView(spec=(("mss_status_low_share", 1, 4.0),))),
])
def test_a_link_is_read_forgivingly_where_nothing_is_lost(query, expected):
    assert assessment_from_query(query) == (expected, [])


@pytest.mark.parametrize("query, view, message", [
    ({"ebene": "Kiez"}, AssessmentView(),
     "Der Link-Parameter „ebene“ hat den unbekannten Wert „Kiez“ und wurde ignoriert (gültig: PLR, BZR, PGR, BEZ); "
     "es gilt BZR."),
    ({"vorlage": "<b>x</b>"}, AssessmentView(),
     "Der Link-Parameter „vorlage“ hat den unbekannten Wert „<b>x</b>“ und wurde ignoriert "
     "(gültig: social, environment, participation, balanced); es gilt social."),
    ({"normierung": "log"}, AssessmentView(),
     "Der Link-Parameter „normierung“ hat den unbekannten Wert „log“ und wurde ignoriert (gültig: rank, zscore, minmax); "
     "es gilt rank."),
    ({"gewichte": "mss_status_low_share:2,mss_status:1"}, AssessmentView(spec=(("mss_status_low_share", 1, 2.0),)),
     "Der Link-Parameter „gewichte“: „mss_status:1“ ist kein Indikator der Ebene BZR mit einem Gewicht von 0 bis 5 in "
     "Schritten von 0.25 (z. B. mss_status_low_share:2.5); ignoriert."),  # MSS status classes exist per PLR only
    ({"gewichte": "share_65plus:1,mss_status_low_share:5.5"}, AssessmentView(spec=(("share_65plus", 1, 1.0),)),
     "Der Link-Parameter „gewichte“: „mss_status_low_share:5.5“ ist kein Indikator der Ebene BZR mit einem Gewicht "
     "von 0 bis 5 in Schritten von 0.25 (z. B. mss_status_low_share:2.5); ignoriert."),
    ({"gewichte": "share_65plus:1,share_65plus:2"}, AssessmentView(spec=(("share_65plus", 1, 1.0),)),
     "Der Link-Parameter „gewichte“ nennt „share_65plus“ mehrfach; es gilt die erste Angabe."),
    ({"gewichte": "share_65plus:1", "richtung": "share_65plus:2"}, AssessmentView(spec=(("share_65plus", 1, 1.0),)),
     "Der Link-Parameter „richtung“: „share_65plus:2“ ist keine Richtung wie schluessel:-1 oder schluessel:1 für einen "
     "gewichteten Indikator; ignoriert."),
])
def test_a_bad_value_is_ignored_and_named_with_its_parameter(query, view, message):
    parsed, problems = assessment_from_query(query)
    assert parsed == view
    assert [p.text("de") for p in problems] == [message]


@pytest.mark.parametrize("weights", ["share_65plus:nan", "share_65plus:inf", "share_65plus:-1", "share_65plus:1.1",
                                     "share_65plus", ":", "share_65plus:1e400"])
def test_no_weight_left_means_the_presets_weights_and_says_so(weights):
    parsed, problems = assessment_from_query({"gewichte": weights})
    assert parsed.spec is None
    assert problems[-1].text("en") == "The link's parameter “gewichte” holds no valid weight; the preset's weights hold."


def test_a_very_long_value_is_named_back_cut_short():
    parsed, problems = assessment_from_query({"ebene": "X" * 5000})
    assert parsed == AssessmentView() and len(problems[0].values["value"]) == 64


def test_every_preset_indicator_can_be_weighed_at_its_level():
    for level in ("PLR", "BZR", "PGR", "BEZ"):
        for name in presets.PRESETS:
            assert {key for key, _, _ in presets.preset_spec(name, level)} <= set(weighable(level))


@pytest.mark.parametrize("view", [OverviewView(), OverviewView("BEZ", "share_65plus"), OverviewView("PGR", "mss_status")])
def test_an_overview_view_reads_back_from_its_link(view):
    parsed, problems = overview_from_query(overview_query(view))
    assert problems == []
    assert (parsed.level, parsed.indicator or "mss_status") == (view.level, view.indicator or "mss_status")


def test_an_unknown_indicator_in_an_overview_link_is_named():
    parsed, problems = overview_from_query({"ebene": "BZR", "indikator": "{{7*7}}"})
    assert parsed == OverviewView("BZR", None)
    assert [p.text("en") for p in problems] == [
        "The link's parameter “indikator” names the unknown indicator “{{7*7}}”; it was ignored, showing the default."]
