"""Bedarfsatlas Berlin: page config, navigation, the shared sidebar and the data check.

Run with ``streamlit run app.py``. The app refuses to show any page while the
open data is missing or corrupt, and says which dataset and how to fix it
(the message of :func:`geodata.fetch.require_data`). Pages read the chosen
language from ``st.session_state["lang"]``.
"""

from __future__ import annotations

import streamlit as st

from geodata.fetch import DataError, require_data
from geodata.i18n import LANGUAGE_NAMES, LANGUAGES, t
from geodata.settings import Settings, load_settings

st.set_page_config(page_title="Bedarfsatlas Berlin", layout="wide")


@st.cache_resource(show_spinner=False)
def _data_checked(_settings: Settings, raw_dir: str) -> bool:
    # Checksums of every file take ~0.3 s: once per process. A failure raises and
    # is not cached, so the app recovers on reload once the data step has run.
    require_data(_settings)
    return True


settings = load_settings()
if "lang" not in st.session_state:
    st.session_state["lang"] = settings.language
st.sidebar.radio(
    t("app.language", st.session_state["lang"]),
    LANGUAGES,
    format_func=LANGUAGE_NAMES.get,
    key="lang",
    horizontal=True,
)
lang = st.session_state["lang"]

try:
    _data_checked(settings, str(settings.raw_dir))
except DataError as error:
    st.error(t("app.data_error", lang))
    st.code(str(error), language=None, wrap_lines=True)
    st.stop()

page = st.navigation(
    [
        st.Page("pages/overview.py", title=t("nav.overview", lang), url_path="uebersicht", default=True),
        st.Page("pages/planner_map.py", title=t("nav.planner", lang), url_path="karte"),
        st.Page("pages/report_need.py", title=t("report.nav", lang), url_path="melden"),
        st.Page("pages/assessment.py", title=t("assess.nav", lang), url_path="bewertung"),
        st.Page("pages/workshop_setup.py", title=t("workshop.nav", lang), url_path="workshop"),
        st.Page("pages/workshop_live.py", title=t("live.nav", lang), url_path="live"),
        st.Page("pages/workshop_vote.py", title=t("workshop.vote_nav", lang), url_path="abstimmen"),
        st.Page("pages/sources.py", title=t("nav.sources", lang), url_path="quellen"),
    ]
)
page.run()
