"""Audit log (``/audit``, role admin): every decision and edit, newest first, with a CSV export.

``app.py`` registers this page only for admins. The rows come from
:mod:`assessment.audit`; details (e.g. the original text of an edited need)
are shown as plain text in the table.
"""

from __future__ import annotations

import streamlit as st

from assessment import audit
from assessment.auth import PAGE_ROLES, RESIDENT
from assessment.store import NeedStore, open_store
from geodata.i18n import t
from geodata.settings import Settings, load_settings

lang = st.session_state.get("lang", "de")
user = st.session_state.get("user", RESIDENT)
if not user.roles & PAGE_ROLES["audit"]:  # app.py never routes here without the role; defence in depth
    st.stop()
settings = load_settings()


@st.cache_resource(show_spinner=False)
def needs_store(database_url: str, _settings: Settings) -> NeedStore:
    """One store per database and process."""
    return open_store(_settings, database_url=database_url)


store = needs_store(settings.database_url, settings)
st.title(t("moderation.audit_title", lang))
st.write(t("moderation.audit_intro", lang))
reference = st.text_input(t("moderation.audit_filter", lang), max_chars=8, key="audit_reference").strip().lower()
rows = audit.entries(store, limit=None if reference else 500)
if reference:
    rows = rows[rows["need_id"].fillna("").str.startswith(reference)]
if rows.empty:
    st.info(t("moderation.audit_empty", lang))
else:
    shown = rows.assign(at=rows["at"].map(lambda at: at.strftime("%Y-%m-%d %H:%M:%S UTC")),
                        reference=rows["need_id"].map(lambda i: i[:8].upper() if isinstance(i, str) else ""))
    st.dataframe(shown[["at", "actor", "action", "reference", "status_before", "status_after", "reason", "details"]],
                 hide_index=True, width="stretch")
st.download_button(t("moderation.audit_download", lang), data=audit.export_csv(store),
                   file_name="bedarfsatlas-pruefprotokoll.csv", mime="text/csv", on_click="ignore")
