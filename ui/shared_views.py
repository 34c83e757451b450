"""Shareable views of the overview (``/``) and of ``/bewertung``: the address bar holds the page's state.

What a link means is :mod:`assessment.analysis.view_links` (pure, tested without a
browser); here it meets the session. :func:`restore_overview` and
:func:`restore_assessment` run before a page's widgets: on the first run of a visit
they put the link's state into the widgets' session state and say which of its values
were ignored; later runs keep what the user chose. :func:`mirror` writes the state
back into the address bar (only when it changed, so a rerun does not push history), as
``/karte`` does, and a copied address reproduces the view.
"""

from __future__ import annotations

import streamlit as st

from assessment.analysis.view_links import (
    AssessmentView,
    LinkProblem,
    assessment_from_query,
    assessment_query,
    overview_from_query,
    with_language,
)
from core.i18n import escape_markdown


def mirror(params: dict[str, str], lang: str, default_lang: str) -> None:
    """Put ``params`` (and ``sprache`` unless the language is the configured one) into the address bar."""
    wanted = with_language(params, lang, default_lang)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def mirror_assessment(level: str, preset: str, method: str, spec, lang: str, default_lang: str) -> None:
    """Put ``/bewertung``'s state into the address bar: its weights only when they are not the preset's."""
    mirror(assessment_query(AssessmentView(level, preset, method, tuple(spec))), lang, default_lang)


def _tell(problems: list[LinkProblem], lang: str) -> None:
    for problem in problems:  # a link's values are untrusted: named back as text, never as Markdown
        st.warning(escape_markdown(problem.text(lang)), icon=":material/link_off:")


def restore_overview(lang: str) -> None:
    """On the first run of a visit: the overview's level and indicator from the link."""
    state = st.session_state
    if "overview_level" in state:
        return
    view, problems = overview_from_query(st.query_params.to_dict())
    state["overview_level"] = view.level
    if view.indicator is not None:
        state["overview_indicator"] = view.indicator
    _tell(problems, lang)


def restore_assessment(lang: str) -> None:
    """On the first run of a visit: level, preset, normalisation and (when the link has them) weights and directions.

    A link's own weights count as the planner's (``assess_own``), loaded for the link's level
    and preset, so the page takes them as they are instead of loading the preset's.
    """
    state = st.session_state
    if "assess_level" in state:
        return
    view, problems = assessment_from_query(st.query_params.to_dict())
    state["assess_level"], state["assess_preset"], state["assess_method"] = view.level, view.preset, view.method
    if view.spec is not None:
        state["assess_keys"] = [key for key, _, _ in view.spec]
        for key, direction, weight in view.spec:
            state[f"assess_d_{key}"], state[f"assess_w_{key}"] = direction, weight
        state["assess_loaded"], state["assess_own"], state["assess_carried"] = (view.level, view.preset), True, None
    _tell(problems, lang)
