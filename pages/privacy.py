"""Privacy page (``/datenschutz``, public): what is stored, what for, how long, and residents' rights.

The retention periods shown are the configured ones (``BEDARFSATLAS_RETENTION_*``),
the same the retention job (:mod:`assessment.participation.retention`) applies, and the
window of the residents' rate limit (:data:`assessment.participation.residents.RATE_WINDOW_S`),
after which its hashed keys are deleted. The texts agree with the privacy note
on the residents' page (``report.privacy``).
"""

from __future__ import annotations

import streamlit as st

from assessment.participation.residents import RATE_WINDOW_S
from core.i18n import t
from geodata.profile import active_profile
from ui.context import page_context

ctx = page_context()
settings, lang = ctx.settings, ctx.lang

st.title(t("privacy.title", lang))
st.subheader(t("privacy.stored_title", lang))
st.write(t("privacy.stored", lang, limiter_minutes=round(RATE_WINDOW_S / 60)))
st.subheader(t("privacy.purpose_title", lang))
st.write(t("privacy.purpose", lang))
st.subheader(t("privacy.retention_title", lang))
st.write(t("privacy.retention", lang, published=settings.retention_published_days,
           rejected=settings.retention_rejected_days, tokens=settings.retention_token_days))
st.subheader(t("privacy.rights_title", lang))
# Where residents complain depends on the city (Berlin: its own commissioner): the profile words it.
st.write(active_profile().text("privacy.rights", lang))
st.caption(t("privacy.contact", lang))
