"""Audit log (``/audit``, role admin): every decision and edit, newest first, with a CSV export.

``app.py`` registers this page only for admins. The rows come from
:mod:`assessment.needs.audit`; details (e.g. the original text of an edited need)
are shown as plain text in the table. The table shows Berlin local time and
words in the interface language; the CSV export keeps the stored values (UTC, ids).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from assessment.needs import audit
from assessment.participation.auth import PAGE_ROLES
from assessment.participation.moderation import REJECT_REASONS, REPORT_REASONS, reason_text
from core.i18n import escape_markdown, format_datetime, has_text, t
from geodata.lor import CITY_TIMEZONE
from geodata.profile import active_profile
from ui.context import page_context

ctx = page_context()
settings, lang, user = ctx.settings, ctx.lang, ctx.user
if not user.roles & PAGE_ROLES["audit"]:  # app.py never routes here without the role; defence in depth
    st.stop()


COLUMNS = ("at", "actor", "action", "reference", "status_before", "status_after", "reason", "details")


def local_time(at: datetime | None) -> str:
    """A stored UTC time as the city's local time with its zone: ``26.11.2026, 17:05:09 MEZ``."""
    if at is None:
        return ""
    return format_datetime(at if at.tzinfo else at.replace(tzinfo=timezone.utc), lang, seconds=True,
                           zone=CITY_TIMEZONE.key, zone_name=True)


def label(kind: str, value: str | None) -> str:
    """An action, status, reason or system actor in words; values without a text show as stored."""
    if value is None:
        return ""
    if kind == "reason":
        for reasons in (REJECT_REASONS, REPORT_REASONS):
            if value in reasons:
                return reason_text(reasons, value, lang)
    key = f"moderation.status.{value}" if kind == "status" else f"moderation.audit_{kind}.{value}"
    return t(key, lang) if has_text(key) else str(value)


def readable(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as an admin reads them: Berlin time, words instead of ids, headers in ``lang``.

    The CSV export keeps the stored values (UTC, ids), for archives and other tools.
    """
    shown = pd.DataFrame({
        "at": rows["at"].map(local_time),
        "actor": rows["actor"].map(lambda a: label("actor", a)),
        "action": rows["action"].map(lambda a: label("action", a)),
        "reference": rows["need_id"].map(lambda i: i[:8].upper() if isinstance(i, str) else ""),
        "status_before": rows["status_before"].map(lambda s: label("status", s)),
        "status_after": rows["status_after"].map(lambda s: label("status", s)),
        "reason": rows["reason"].map(lambda r: label("reason", r)),
        "details": rows["details"].map(lambda d: "" if d is None else str(d)),
    })
    return shown.rename(columns={c: t(f"moderation.audit_col.{c}", lang) for c in COLUMNS})


store = ctx.store
st.title(t("moderation.audit_title", lang))
st.write(t("moderation.audit_intro", lang))
reference = st.text_input(t("moderation.audit_filter", lang), max_chars=8, key="audit_reference").strip().lower()
if reference and not re.fullmatch(r"[0-9a-f]{1,8}", reference):
    # A need's reference is the start of its id: 8 characters 0-9 and A-F, e.g. 4622EDD7.
    st.error(escape_markdown(t("moderation.audit_bad_reference", lang, reference=reference.upper())))
    reference = ""
rows = audit.entries(store, limit=None if reference else 500)
if reference:
    rows = rows[rows["need_id"].fillna("").str.startswith(reference)]
if rows.empty:
    st.info(t("moderation.audit_none_for", lang, reference=reference.upper()) if reference
            else t("moderation.audit_empty", lang))
else:
    st.dataframe(readable(rows), hide_index=True, width="stretch")
    st.caption(t("moderation.audit_time_note", lang, city=active_profile().city_label(lang)))
st.download_button(t("moderation.audit_download", lang), data=audit.export_csv(store),
                   file_name="bedarfsatlas-pruefprotokoll.csv", mime="text/csv", on_click="ignore")
