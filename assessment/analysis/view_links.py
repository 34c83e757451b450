"""Shareable views: the state of the overview (``/``) and of ``/bewertung`` as URL query parameters.

A planner who tuned the priority index sends the address bar's link to a colleague,
who sees the same level, preset, normalisation, weights and directions. Like ``/karte``
(:func:`assessment.analysis.inventory.state_to_query`), a link names only what differs
from the page's defaults, in German parameter names, and every bad value in a link is
ignored and named (:class:`LinkProblem`, a text key of :mod:`core.i18n`), never raised:
links come from outside and are untrusted.

Parameters
----------
Overview: ``ebene`` (PLR, BZR, PGR, BEZ), ``indikator`` (a catalogue key).
Assessment: ``ebene``, ``vorlage`` (a preset), ``normierung`` (rank, zscore, minmax),
``gewichte`` (the indicators in the order shown, ``KEY:WEIGHT`` comma-separated; only when
they differ from the preset's) and ``richtung`` (``KEY:-1`` or ``KEY:1`` where a direction
differs from the indicator's stated one). Both pages add ``sprache`` unless the language is
the configured one (:func:`with_language`).

Examples
--------
>>> view = AssessmentView("BZR", "social", "rank", (("mss_status_low_share", 1, 2.5), ("share_65plus", -1, 1.0)))
>>> query = assessment_query(view)
>>> query
{'gewichte': 'mss_status_low_share:2.5,share_65plus:1', 'richtung': 'share_65plus:-1'}
>>> assessment_from_query(query) == (view, [])
True
>>> overview_from_query({"ebene": "BEZ", "indikator": "nope"})[0]
OverviewView(level='BEZ', indicator=None)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from assessment.analysis import presets
from assessment.analysis.priority import NORMALISATIONS
from core.i18n import t
from geodata.indicators import DEFAULT_INDICATOR, INDICATORS
from geodata.lor import LEVEL_ORDER

#: A value from a link is named back at most this long (the page escapes it).
SHOWN_MAX = 64
#: The weights' slider moves in these steps; a link's weight must be one of them.
WEIGHT_STEP = 0.25


@dataclass(frozen=True)
class LinkProblem:
    """One value of a link that was ignored: the text key of :mod:`core.i18n` and its values."""

    key: str
    values: dict = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """Plain text (escape it for Markdown): names the parameter, the value and what holds instead."""
        return t(self.key, lang, **self.values)


def _one(params: Mapping[str, object], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return None if value is None else str(value).strip()


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_MAX else value[: SHOWN_MAX - 1] + "…"


def _choice(params, param: str, valid, default: str, problems: list[LinkProblem], normalise=str) -> str:
    """The link's value of ``param`` if it is one of ``valid``, else ``default`` and a named problem."""
    text = _one(params, param)
    if not text:
        return default
    if normalise(text) in valid:
        return normalise(text)
    problems.append(LinkProblem("view_link.unknown_value",
                                {"param": param, "value": _shown(text), "valid": ", ".join(valid), "default": default}))
    return default


def with_language(params: dict[str, str], lang: str, default_lang: str) -> dict[str, str]:
    """``params`` and ``sprache`` unless ``lang`` is the configured language: a link opens in its language.

    >>> with_language({"ebene": "BEZ"}, "en", "de"), with_language({"ebene": "BEZ"}, "de", "de")
    ({'ebene': 'BEZ', 'sprache': 'en'}, {'ebene': 'BEZ'})
    """
    return {**params, "sprache": lang} if lang != default_lang else dict(params)


# --- the overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewView:
    """What the overview shows: a level and an indicator (``None``: the page's default)."""

    level: str = LEVEL_ORDER[0]
    indicator: str | None = None


#: The overview's defaults: the first level and the profile's default indicator (Berlin: the MSS
#: status index, the city's own summary of need).
OVERVIEW_INDICATOR = DEFAULT_INDICATOR


def overview_query(view: OverviewView) -> dict[str, str]:
    """The query of a link to the overview: what differs from its defaults.

    >>> overview_query(OverviewView("BEZ", "share_65plus")), overview_query(OverviewView("PLR", "mss_status"))
    ({'ebene': 'BEZ', 'indikator': 'share_65plus'}, {})
    """
    params = {}
    if view.level != LEVEL_ORDER[0]:
        params["ebene"] = view.level
    if view.indicator not in (None, OVERVIEW_INDICATOR):
        params["indikator"] = view.indicator
    return params


def overview_from_query(params: Mapping[str, object]) -> tuple[OverviewView, list[LinkProblem]]:
    """The overview a link names; an unknown level or indicator is ignored and named.

    An indicator the level does not have is kept: the page shows its residents' share
    or says why it shows another (:func:`geodata.indicators.indicator_at_level`).

    >>> view, problems = overview_from_query({"ebene": "Kiez", "indikator": "share_65plus"})
    >>> view, [p.text("en") for p in problems]  # doctest: +NORMALIZE_WHITESPACE
    (OverviewView(level='PLR', indicator='share_65plus'),
     ["The link's parameter “ebene” has the unknown value “Kiez” and was ignored (valid: PLR, BZR, PGR, BEZ); showing PLR."])
    """
    problems: list[LinkProblem] = []
    level = _choice(params, "ebene", LEVEL_ORDER, LEVEL_ORDER[0], problems, normalise=str.upper)
    indicator = _one(params, "indikator") or None
    if indicator is not None and indicator not in INDICATORS:
        problems.append(LinkProblem("view_link.unknown_indicator", {"param": "indikator", "value": _shown(indicator)}))
        indicator = None
    return OverviewView(level, indicator), problems


# --- the assessment -------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentView:
    """What ``/bewertung`` computes: level, preset, normalisation and the planner's weights.

    ``spec`` is ``((key, direction, weight), ...)`` in the order shown, ``None`` for the
    preset's own weights at the level.
    """

    level: str = LEVEL_ORDER[1]
    preset: str = presets.DEFAULT_PRESET
    method: str = NORMALISATIONS[0]
    spec: tuple[tuple[str, int, float], ...] | None = None


ASSESSMENT_DEFAULT = AssessmentView()


def _weight_text(weight: float) -> str:
    return f"{weight:g}"


def assessment_query(view: AssessmentView) -> dict[str, str]:
    """The query of a link to ``view``: what differs from the page's defaults; weights only when not the preset's.

    >>> assessment_query(AssessmentView("PLR", "environment", "zscore"))
    {'ebene': 'PLR', 'vorlage': 'environment', 'normierung': 'zscore'}
    >>> assessment_query(AssessmentView(spec=tuple(presets.preset_spec("social", "BZR"))))
    {}
    """
    params = {}
    if view.level != ASSESSMENT_DEFAULT.level:
        params["ebene"] = view.level
    if view.preset != ASSESSMENT_DEFAULT.preset:
        params["vorlage"] = view.preset
    if view.method != ASSESSMENT_DEFAULT.method:
        params["normierung"] = view.method
    if view.spec is not None and list(view.spec) != presets.preset_spec(view.preset, view.level):
        params["gewichte"] = ",".join(f"{key}:{_weight_text(weight)}" for key, _, weight in view.spec)
        turned = [f"{key}:{direction}" for key, direction, _ in view.spec if direction != presets.added(key)[1]]
        if turned:
            params["richtung"] = ",".join(turned)
    return params


def weighable(level: str) -> list[str]:
    """The indicators ``/bewertung`` can weigh at ``level``: those a planner can add and those of the presets."""
    keys = presets.addable(level, ())
    for name in presets.PRESETS:
        keys += [key for key, _, _ in presets.preset_spec(name, level) if key not in keys]
    return keys


def _weight(text: str) -> float | None:
    """A weight as the slider has them: 0 to :data:`presets.WEIGHT_MAX` in steps of :data:`WEIGHT_STEP`."""
    try:
        weight = float(text)
    except ValueError:
        return None
    if not math.isfinite(weight) or not 0 <= weight <= presets.WEIGHT_MAX:
        return None
    steps = weight / WEIGHT_STEP
    return weight if abs(steps - round(steps)) < 1e-9 else None


def _pairs(text: str | None) -> list[tuple[str, str, str]]:
    """``KEY:VALUE`` items of a comma-separated list: ``(item, key, value)``; an item without ``:`` has value ''."""
    if not text:
        return []
    items = [item.strip() for item in text.split(",") if item.strip()]
    return [(item, *(part.strip() for part in item.partition(":")[::2])) for item in items]


def _example_weight(known: set[str]) -> str:
    """An indicator a weight may name at the level, for the message: the map's first (or its share), else any."""
    preferred = (INDICATORS[DEFAULT_INDICATOR].derived_share, DEFAULT_INDICATOR)
    return next((key for key in preferred if key in known), min(known, default=DEFAULT_INDICATOR))


def assessment_from_query(params: Mapping[str, object]) -> tuple[AssessmentView, list[LinkProblem]]:
    """The view a link to ``/bewertung`` names; every bad value is ignored and named.

    A weight that is no indicator of the level, or no number from 0 to 5 in steps of
    0.25, is left out; when no weight is left, the preset's weights hold. A direction
    for an indicator the link does not weigh, or other than 1 or -1, is left out.

    >>> view, problems = assessment_from_query({"ebene": "BEZ", "gewichte": "share_65plus:9,nope:1,share_65plus:2"})
    >>> view.spec, [p.values["value"] for p in problems]
    ((('share_65plus', 1, 2.0),), ['share_65plus:9', 'nope:1'])
    >>> assessment_from_query({"richtung": "share_65plus:-1"})[1][0].key
    'view_link.bad_direction'
    """
    problems: list[LinkProblem] = []
    level = _choice(params, "ebene", LEVEL_ORDER, ASSESSMENT_DEFAULT.level, problems, normalise=str.upper)
    preset = _choice(params, "vorlage", tuple(presets.PRESETS), ASSESSMENT_DEFAULT.preset, problems, normalise=str.lower)
    method = _choice(params, "normierung", NORMALISATIONS, ASSESSMENT_DEFAULT.method, problems, normalise=str.lower)

    known = set(weighable(level))
    weights: dict[str, float] = {}
    weights_text = _one(params, "gewichte")
    for item, key, value in _pairs(weights_text):
        weight = _weight(value)
        if key in weights:
            problems.append(LinkProblem("view_link.duplicate", {"param": "gewichte", "value": _shown(key)}))
        elif key not in known or weight is None:
            problems.append(LinkProblem("view_link.bad_weight", {"param": "gewichte", "value": _shown(item),
                                                                 "level": level, "max": _weight_text(presets.WEIGHT_MAX),
                                                                 "example": _example_weight(known)}))
        else:
            weights[key] = weight
    if weights_text and not weights:
        problems.append(LinkProblem("view_link.no_weights", {"param": "gewichte"}))

    directions = {key: presets.added(key)[1] for key in weights}
    for item, key, value in _pairs(_one(params, "richtung")):
        if key in weights and value in ("1", "-1", "+1"):
            directions[key] = int(value)
        else:
            problems.append(LinkProblem("view_link.bad_direction", {"param": "richtung", "value": _shown(item)}))
    spec = tuple((key, directions[key], weight) for key, weight in weights.items()) or None
    return AssessmentView(level, preset, method, spec), problems
