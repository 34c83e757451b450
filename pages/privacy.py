"""Privacy page (``/datenschutz``, public): what is stored, what for, how long, and residents' rights.

The retention periods shown are the configured ones (``BEDARFSATLAS_RETENTION_*``),
the same the retention job (:mod:`assessment.retention`) applies. The texts
agree with the privacy note on the residents' page (``report.privacy``).
"""

from __future__ import annotations

import streamlit as st

from geodata.i18n import t
from geodata.settings import load_settings

lang = st.session_state.get("lang", "de")
settings = load_settings()

st.title(t("privacy.title", lang))
for section in ("stored", "purpose"):
    st.subheader(t(f"privacy.{section}_title", lang))
    st.write(t(f"privacy.{section}", lang))
st.subheader(t("privacy.retention_title", lang))
st.write(t("privacy.retention", lang, published=settings.retention_published_days,
           rejected=settings.retention_rejected_days, tokens=settings.retention_token_days))
st.subheader(t("privacy.rights_title", lang))
st.write(t("privacy.rights", lang))
st.caption(t("privacy.contact", lang))
