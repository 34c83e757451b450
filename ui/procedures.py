"""Participation procedures on the screens: the planners' filter, the residents' choice, the staff form.

The rules live in :mod:`assessment.needs.procedures` (what a procedure is, its
validation, its status) and :func:`assessment.participation.submission.procedure_for_send`
(which procedure a need from /melden goes into); these widgets only read and show them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st

from assessment.needs.model import AREA_LEVELS
from geodata.lor import CITY_NAME
from assessment.needs.procedures import (
    MODERATION_RULES,
    Procedure,
    ProcedureBook,
    ProcedureInput,
    keep_translations,
    own_categories_text,
    parse_own_categories,
    parse_questions,
    questions_text,
)
from assessment.needs.taxonomy import CATEGORIES
from assessment.participation.submission import procedure_for_send
from core.i18n import SCOPES, escape_markdown, t


#: How many closed procedures /melden lists with their result while none is open.
CLOSED_SHOWN = 5


def option_text(procedure: Procedure, lang: str) -> str:
    """``Kiezrunde (offen, 2026-03-01 – 2026-05-31)``: how a procedure is named in a list."""
    return t("procedure.option", lang, title=procedure.title_in(lang), period=procedure.period_text(),
             status=t(f"procedure.status.{procedure.status()}", lang))


def procedure_picker(container: Any, store: Any, lang: str, key: str, none_text: str = "procedure.all") -> str | None:
    """A select box of every procedure (first: ``none_text``, all of them); returns the chosen id or ``None``.

    An id from a link that names no procedure falls back to all procedures.
    """
    names = {p.id: option_text(p, lang) for p in ProcedureBook(store).list()}
    if st.session_state.get(key) not in names:
        st.session_state[key] = None
    return container.selectbox(t("procedure.label", lang), [None, *names], key=key,
                               format_func=lambda p: t(none_text, lang) if p is None else names[p],
                               placeholder=t(none_text, lang))  # Streamlit shows None as its placeholder


def resident_procedure(store: Any, lang: str, workshop: Any) -> Procedure | None:
    """The open procedure a resident sends into (the workshop's, the only one, or the one chosen here).

    With several open procedures and no workshop, a select box asks (the form says the chosen one's
    area and period: :func:`area_note`). ``?verfahren=ID`` of a closed procedure shows its result.
    """
    book = ProcedureBook(store)
    open_now = book.open_procedures()
    wanted = st.query_params.get("verfahren")
    # A closed procedure is read-only and shows its result: the one a link names, or, while none is
    # open, the latest few.
    closed = [p for p in book.list() if p.status() == "closed" and (p.id == wanted or not open_now)]
    for procedure in closed[:CLOSED_SHOWN]:
        count = store.count(statuses=("published",), procedure_id=procedure.id)
        st.info(escape_markdown(t("procedure.closed_results", lang, title=procedure.title_in(lang), count=count)))
    if not open_now:
        st.warning(t("procedure.none_open", lang))
        return None
    chosen = procedure_for_send(open_now, st.session_state.get("report_procedure") or wanted, workshop)
    if workshop is not None and chosen is None:
        st.warning(t("procedure.workshop_not_open", lang))
    if workshop is None and len(open_now) > 1:
        names = {p.id: option_text(p, lang) for p in open_now}
        chosen_id = st.selectbox(t("procedure.choose", lang), list(names), format_func=names.get, key="report_procedure",
                                 index=list(names).index(chosen.id) if chosen else 0)
        chosen = next(p for p in open_now if p.id == chosen_id)
    return chosen


def area_note(procedure: Procedure | None, lang: str) -> None:
    """Say where and until when the procedure takes needs (in the form, not above the map: nothing moves it)."""
    if procedure is not None:
        st.markdown(f"{escape_markdown(t('procedure.label', lang))}: **{escape_markdown(procedure.title_in(lang))}**")
        if description := procedure.description_in(lang):
            st.caption(escape_markdown(description))
        st.caption(escape_markdown(t("procedure.area_note", lang, area=procedure.area_label,
                                     period=procedure.period_text())))


def category_choices(procedure: Procedure | None) -> dict[str, Any]:
    """Category id -> category (``.label(lang)``, ``.explanation(lang)``) for the residents' form."""
    if procedure is None:
        return dict(CATEGORIES)
    return {c.id: c for c in procedure.categories}


def answer_widgets(procedure: Procedure | None, lang: str, form: int) -> dict[str, str]:
    """A select box per question of the procedure (all optional); returns question id -> answer."""
    answers = {}
    for question in procedure.questions if procedure is not None else ():
        answers[question.id] = st.selectbox(question.text(lang), list(question.options), index=None,
                                            key=f"report_answer_{question.id}_{form}",
                                            placeholder=t("procedure.question_none", lang))
    return {k: v for k, v in answers.items() if v is not None}


def procedure_form(store: Any, lang: str, procedure: Procedure | None) -> ProcedureInput | None:
    """The staff form for a new procedure (``None``) or an edit; returns the input when saved, else ``None``."""
    key = procedure.id if procedure else "new"
    today = date.today()
    with st.form(f"procedure_form_{key}"):
        # Staff write the procedure's texts in the staff languages (German required); others fall back to German.
        titles = {code: st.text_input(t(f"procedures.title_{code}", lang),
                                      procedure.title.get(code, "") if procedure else "") for code in SCOPES["staff"]}
        descriptions = {code: st.text_area(t(f"procedures.description_{code}", lang),
                                           procedure.description.get(code, "") if procedure else "")
                        for code in SCOPES["staff"]}
        start_col, end_col, has_end_col = st.columns(3)
        starts_on = start_col.date_input(t("procedures.starts_on", lang), procedure.starts_on if procedure else today,
                                         key=f"proc_start_{key}")
        ends_on = end_col.date_input(t("procedures.ends_on", lang), (procedure.ends_on if procedure else None)
                                     or today + timedelta(days=60), key=f"proc_end_{key}")
        has_end = has_end_col.checkbox(t("procedures.has_end", lang), procedure is None or procedure.ends_on is not None,
                                       key=f"proc_has_end_{key}")
        kinds = ("city", "lor", "polygon")
        kind_now = "polygon" if procedure and procedure.area_geojson else "lor" if procedure and procedure.area_level else "city"
        area_kind = st.radio(t("procedures.area_kind", lang), kinds, index=kinds.index(kind_now), horizontal=True,
                             format_func=lambda k: t(f"procedures.area_{k}", lang, city=CITY_NAME), key=f"proc_kind_{key}")
        level_col, ids_col = st.columns([1, 3])
        area_level = level_col.selectbox(t("procedures.area_level", lang), AREA_LEVELS, key=f"proc_level_{key}",
                                         index=AREA_LEVELS.index(procedure.area_level) if procedure and procedure.area_level
                                         else len(AREA_LEVELS) - 1)
        area_ids = ids_col.text_input(t("procedures.area_ids", lang), ", ".join(procedure.area_ids) if procedure else "",
                                      key=f"proc_ids_{key}")
        polygon = st.text_area(t("procedures.area_polygon_text", lang), (procedure.area_geojson or "") if procedure else "",
                               key=f"proc_polygon_{key}")
        area_label = st.text_input(t("procedures.area_label", lang), procedure.area_label if procedure else "",
                                   key=f"proc_label_{key}")
        standard = st.multiselect(t("procedures.categories", lang), list(CATEGORIES), key=f"proc_cats_{key}",
                                  default=[c.id for c in procedure.categories if not c.own] if procedure else list(CATEGORIES),
                                  format_func=lambda c: CATEGORIES[c].label(lang),
                                  placeholder=t("planner.choose_options", lang))
        own = st.text_area(t("procedures.own_categories", lang), own_categories_text(procedure) if procedure else "",
                           key=f"proc_own_{key}")
        questions = st.text_area(t("procedures.questions", lang), questions_text(procedure) if procedure else "",
                                 key=f"proc_questions_{key}")
        moderation = st.radio(t("procedures.moderation", lang), MODERATION_RULES, horizontal=True, key=f"proc_mod_{key}",
                              index=MODERATION_RULES.index(procedure.moderation) if procedure else 0,
                              format_func=lambda m: t(f"procedures.moderation.{m}", lang))
        if not st.form_submit_button(t("procedures.save", lang), type="primary"):
            return None
    kept = keep_translations(procedure, parse_own_categories(own), parse_questions(questions))
    return ProcedureInput(
        title=titles, description=descriptions,
        starts_on=starts_on, ends_on=ends_on if has_end else None,
        area_level=area_level if area_kind == "lor" else None,
        area_ids=tuple(a.strip() for a in area_ids.split(",")) if area_kind == "lor" else (),
        area_polygon=polygon if area_kind == "polygon" else None, area_label=area_label,
        # The other languages' texts of an unchanged German text are kept; edited questions keep their ids.
        categories=(*standard, *kept[0]),
        questions=tuple(kept[1]),
        moderation=moderation,
    )


def procedure_report(store: Any, procedure_id: str | None) -> dict:
    """The report's arguments for one procedure (its section and the answers' summary), or none for all."""
    if procedure_id is None:
        return {}
    return {"procedure": ProcedureBook(store).get(procedure_id), "procedure_needs": store.query(procedure_id=procedure_id)}
