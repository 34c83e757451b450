"""One goal on /bewertung: its lines, its history, and for planners an edit of its title and a withdrawal.

The rules (what may change, what the history keeps) are in :class:`assessment.analysis.goals.GoalBook`
(:meth:`~assessment.analysis.goals.GoalBook.update`, :meth:`~assessment.analysis.goals.GoalBook.withdraw`,
:meth:`~assessment.analysis.goals.GoalBook.history`); this widget only shows them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import streamlit as st

from assessment.analysis.goals import Goal, GoalBook, GoalInput, goal_lines
from assessment.needs.validation import ValidationError
from core.i18n import escape_markdown, t


def goal_card(book: GoalBook, goal: Goal, names: Mapping[str, str], lang: str, *, actor: str | None) -> None:
    """The goal as text; ``actor`` (a signed-in planner or admin) may edit its title or withdraw it."""
    with st.container(border=True):
        for line in goal_lines(goal, names, lang):
            st.text(line)
        history = book.history(goal.id)
        if history:
            with st.expander(t("goals.history", lang, count=len(history))):
                for version in history:
                    st.text(t("goals.history_line", lang, version=version.version, at=version.at.strftime("%Y-%m-%d %H:%M"),
                              action=t(f"goals.action.{version.action}", lang), actor=version.actor or "–",
                              title=version.title))
        if actor is None:
            return
        edit, withdraw = st.columns(2)
        with edit.popover(t("goals.edit", lang)):
            title = st.text_input(t("goals.edit_title", lang), goal.title, max_chars=200, key=f"goal_title_{goal.id}")
            if st.button(t("goals.save", lang), key=f"goal_save_{goal.id}"):
                _edit(book, goal, title, actor, lang)
        if withdraw.button(t("goals.withdraw", lang), key=f"goal_withdraw_{goal.id}"):
            book.withdraw(goal.id, actor=actor)
            st.session_state["goal_message"] = t("goals.withdrawn", lang)
            st.rerun()


def _edit(book: GoalBook, goal: Goal, title: str, actor: str, lang: str) -> None:
    changed = GoalInput(goal.title, goal.field_of_action, goal.level, goal.area_ids, goal.need_ids, goal.indicator_keys)
    try:
        book.update(goal.id, replace(changed, title=title), actor=actor)
    except ValidationError as refused:
        for error in refused.errors:
            st.error(escape_markdown(error.message(lang)))
        return
    st.session_state["goal_message"] = t("goals.saved", lang)
    st.rerun()


def goal_message(lang: str) -> None:
    """The confirmation of the last edit or withdrawal, once."""
    if message := st.session_state.pop("goal_message", None):
        st.success(message)


