"""Staff page /verfahren: create, edit and close participation procedures; download every need of one.

Access is the app's business (``app.py`` and :mod:`assessment.participation.auth`: facilitators
and admins). What a procedure is and how it is checked is in :mod:`assessment.needs.procedures`;
every change writes an audit row there. The form is :func:`ui.procedures.procedure_form`; the
downloads (CSV, GeoJSON, GeoPackage, every status, the answers as columns) are
:func:`assessment.analysis.inventory.procedure_exports`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.analysis.inventory import procedure_exports
from assessment.needs.procedures import ProcedureBook
from assessment.needs.validation import ValidationError
from assessment.participation.auth import PAGE_ROLES
from assessment.participation.workshops import WorkshopBook
from core.i18n import escape_markdown, t
from ui.context import page_context
from ui.downloads import download_buttons
from ui.procedures import option_text, procedure_form

ctx = page_context()
lang, user = ctx.lang, ctx.user
if not user.roles & PAGE_ROLES["verfahren"]:  # app.py never routes here without the role; defence in depth
    st.stop()
store = ctx.store
book = ProcedureBook(store)

st.title(t("procedures.title", lang))
st.write(t("procedures.intro", lang))
if done := st.session_state.pop("procedures_message", None):
    st.success(escape_markdown(done))

procedures = book.list()
counts = book.need_counts()
st.dataframe(pd.DataFrame({
    t("procedures.col.id", lang): [p.id for p in procedures],
    t("procedures.col.title", lang): [p.title_in(lang) for p in procedures],
    t("procedures.col.status", lang): [t(f"procedure.status.{p.status()}", lang) for p in procedures],
    t("procedures.col.period", lang): [p.period_text() for p in procedures],
    t("procedures.col.needs", lang): [counts.get(p.id, 0) for p in procedures],
}), hide_index=True, width="stretch")


def save(spec, procedure) -> None:
    """Store the form's input; a refusal names each field, and nothing changes."""
    try:
        saved = (book.update(procedure.id, spec, actor=user.name) if procedure
                 else book.create(spec, actor=user.name))
    except ValidationError as refused:
        st.error(t("procedures.not_saved", lang))
        for error in refused.errors:
            st.error(escape_markdown(f"{error.field}: {error.message(lang)}"))
        return
    st.session_state["procedures_message"] = t("procedures.saved", lang, title=saved.title_in(lang))
    st.session_state["procedures_pick"] = saved.id  # the select box takes it on the next run
    st.rerun()


names = {p.id: option_text(p, lang) for p in procedures}
if picked := st.session_state.pop("procedures_pick", None):
    st.session_state["procedures_chosen"] = picked
if st.session_state.get("procedures_chosen") not in names:
    st.session_state["procedures_chosen"] = None
chosen_id = st.selectbox(t("procedures.choose", lang), [None, *names], key="procedures_chosen",
                         format_func=lambda p: t("procedures.new", lang) if p is None else names[p],
                         placeholder=t("procedures.new", lang))  # Streamlit shows None as its placeholder
chosen = next((p for p in procedures if p.id == chosen_id), None)
if chosen is None:
    st.subheader(t("procedures.new", lang))
else:
    st.subheader(chosen.title_in(lang))
    codes = [w.code for w in WorkshopBook(store).list() if w.procedure_id == chosen.id]
    st.caption(t("procedures.workshops", lang, codes=", ".join(codes)) if codes else t("procedures.no_workshops", lang))
    st.markdown(f"**{t('procedures.downloads', lang)}**")
    download_buttons(procedure_exports(store, chosen, lang))
    if chosen.status() != "closed" and st.button(t("procedures.close", lang), key="procedures_close"):
        closed = book.close(chosen.id, actor=user.name)
        st.session_state["procedures_message"] = t("procedures.closed", lang, title=closed.title_in(lang))
        st.rerun()
if (spec := procedure_form(store, lang, chosen)) is not None:
    save(spec, chosen)
