"""Bedarfsatlas Berlin: page config, navigation, the shared sidebar and the data check.

Run with ``streamlit run app.py``. The app refuses to show any page while the
open data is missing or corrupt, and says which dataset and how to fix it
(the message of :func:`geodata.fetch.require_data`). Pages read the chosen
language from ``st.session_state["lang"]`` and the signed-in user (an
:class:`assessment.participation.auth.User`, a resident when nobody signed in) from
``st.session_state["user"]``, which :func:`ui.sign_in.signed_in_user` checks again at the
top of every run: a tab loses its staff pages within one interaction once its sign-in
expired, its account changed or it was signed out elsewhere.
"""

from __future__ import annotations

import streamlit as st

from assessment.participation.auth import listed_in_menu, may_open
from assessment.participation.oidc_setup import oidc_setup_problems, provider_metadata_url
from core.i18n import LANGUAGE_NAMES, interface_language, t
from core.settings import Settings, load_settings
from ui.context import needs_store
from ui.sign_in import app_secrets, ended_notice, sign_out, signed_in_user
from ui.direction import direction_script
from ui.phone_menu import MENU_CLOSES_SCRIPT
from geodata.fetch import DataError, require_data
from geodata.lor import APP_NAME
from geodata.profile import active_profile, profile_settings
from maps.base import Basemap

st.set_page_config(page_title=APP_NAME, layout="wide")


@st.cache_resource(show_spinner=False)
def _data_checked(_settings: Settings, raw_dir: str) -> bool:
    # Checksums of every file take ~0.3 s: once per process. A failure raises and
    # is not cached, so the app recovers on reload once the data step has run.
    require_data(_settings)
    return True


# The city profile's defaults (language, imprint) where the operator set nothing.
settings = profile_settings(load_settings())
# A base map the city profile does not offer (BEDARFSATLAS_BASEMAP) stops every page here, naming its presets.
Basemap.from_settings(settings)
# The language radio below is bound to st.session_state["lang"]; a click is in the session
# state before this script reruns, so reading it here gives the page titles of this run.
# A new visitor gets the language the link names (`?sprache=en`, e.g. on a workshop's handout),
# else the browser's (Accept-Language, navigator.language) if the city profile offers it, else the
# configured one (core.i18n.interface_language); the radio decides after that. A link or browser
# language the profile does not offer (Turkish in a German-English city) counts as none.
if "lang" not in st.session_state:
    st.session_state["lang"] = interface_language(
        st.query_params.get("sprache"),
        ", ".join(st.context.headers.get_all("Accept-Language")),
        st.context.locale,
        settings.language,
        active_profile().languages,
    )
lang = st.session_state["lang"]

# --- who is signed in: checked again on every run (ui.sign_in says how) ------------------------
secrets = app_secrets()
oidc_configured = "auth" in secrets
user = signed_in_user(settings, secrets)
# What keeps single sign-on from working (Authlib missing, a key of [auth] missing or wrong): the
# sign-in page names it and offers the button only without a blocking problem, since st.login
# would raise at the click. Whether the provider answers, the sign-in page asks (at its address).
st.session_state.update(oidc_configured=oidc_configured,
                        oidc_setup=oidc_setup_problems(secrets),
                        oidc_metadata_url=provider_metadata_url(secrets),
                        secrets_section=secrets.get("bedarfsatlas", {}))

# --- navigation: staff pages are listed only for their roles ----------------------------------
# No URL path may equal the name of a script in pages/: Streamlit's frontend still knows the
# folder's scripts as pages, and a direct link to such a path then never runs this script.
# A staff page opened by URL without the role gets the sign-in page under the same URL path
# (hidden from the menu), never the page itself; after sign-in the app reruns and registers
# the real page there. The workshop rooms (/live, /abstimmen) are reached by QR code or link;
# only staff who run workshops see them listed (auth.listed_in_menu).
def listed(path: str) -> str:
    return "visible" if listed_in_menu(user, path) else "hidden"


public_pages = [
    st.Page("pages/overview.py", title=t("nav.overview", lang), url_path="uebersicht", default=True),
    st.Page("pages/planner_map.py", title=t("nav.planner", lang), url_path="karte"),
    st.Page("pages/report_need.py", title=t("report.nav", lang), url_path="melden"),
    st.Page("pages/assessment.py", title=t("assess.nav", lang), url_path="bewertung"),
    st.Page("pages/workshop_live.py", title=t("live.nav", lang), url_path="live", visibility=listed("live")),
    st.Page("pages/workshop_vote.py", title=t("workshop.vote_nav", lang), url_path="abstimmen",
            visibility=listed("abstimmen")),
    st.Page("pages/sources.py", title=t("nav.sources", lang), url_path="quellen"),
    st.Page("pages/privacy.py", title=t("privacy.nav", lang), url_path="datenschutz"),
    st.Page("pages/signin.py", title=t("auth.nav_account" if user.is_staff else "auth.nav_signin", lang),
            url_path="anmelden"),
]
staff_pages = [
    ("pages/moderation_queue.py", t("moderation.nav", lang), "moderation"),
    ("pages/audit_log.py", t("moderation.audit_nav", lang), "audit"),
    ("pages/workshop_setup.py", t("workshop.nav", lang), "workshop"),
    ("pages/procedures.py", t("nav.procedures", lang), "verfahren"),
]
pages = public_pages + [
    st.Page(script, title=title, url_path=path) if may_open(user, path)
    else st.Page("pages/signin.py", title=t("auth.nav_signin", lang), url_path=path, visibility="hidden")
    for script, title, path in staff_pages
]
# Always the whole menu: an admin has 13 pages, and past twelve Streamlit hides all but ten behind
# "View more", so the staff pages at the end were out of sight (and of a screen reader's list).
page = st.navigation(pages, expanded=True)

# --- the shared sidebar: after st.navigation, which puts its menu first in the sidebar.
# Sidebar widgets created before it were re-mounted on the next rerun in Streamlit 1.67:
# the first click on them was lost and the language fell back to its default.
st.sidebar.radio(
    t("app.language", lang),
    active_profile().languages,
    format_func=LANGUAGE_NAMES.get,
    key="lang",
    horizontal=True,
)
# The page's lang and dir attributes (Arabic is laid out right to left): a fixed script per language.
st.sidebar.html(direction_script(lang), unsafe_allow_javascript=True)
# On a phone the menu lies over the page: it closes after a choice (ui.phone_menu says why).
st.sidebar.html(MENU_CLOSES_SCRIPT, unsafe_allow_javascript=True)
# An OIDC identity without a staff role is signed in too: it needs the way out, to switch accounts.
if user.is_staff or user.via == "oidc":
    st.sidebar.caption(t("auth.signed_in", lang, name=user.name,
                         roles=", ".join(t(f"auth.role.{r}", lang) for r in sorted(user.roles))))
    if st.sidebar.button(t("auth.signout", lang)):
        sign_out(user, settings)
# The cookie a sign-in set or a sign-out deleted (Streamlit scripts cannot send Set-Cookie):
# our own fixed script, no user text. Rendered on every run until the next change, so a rerun
# right after cannot remove the element before its script ran (same HTML, same element).
if st.session_state.get("staff_cookie"):
    st.sidebar.html(st.session_state["staff_cookie"], unsafe_allow_javascript=True)

try:
    _data_checked(settings, str(settings.raw_dir))
except DataError as error:
    st.error(t("app.data_error", lang))
    st.code(str(error), language=None, wrap_lines=True)
    st.stop()
# The needs database is opened and migrated on a process's first run, which is the warm-up
# (`./run`, deploy/warm-up): processes that start together on a new database migrate it once
# (assessment.needs.store.migrate serialises them), and a wrong DATABASE_URL fails the warm-up
# and the service's start, not a visitor's page. Cached per process: later runs pay nothing.
needs_store(settings)

# A sign-in this tab had and lost (expired, account changed, signed out elsewhere): say why.
notice = ended_notice(page.url_path)
if notice:
    st.warning(t(notice, lang))
st.session_state["signin_for"] = page.url_path
page.run()
