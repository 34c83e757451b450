"""One page context for every screen: settings, language, user, the needs store, asset paths.

Every page starts with ``ctx = page_context()`` instead of reading settings, the
session's language and user, and opening a store of its own. The store is ONE
:class:`~assessment.needs.store.NeedStore` per database and process
(:func:`needs_store`, a ``st.cache_resource``): its engine and connection pool
are shared by every session, so a process holds one pool per database, not one
per page (before, nine copies of the cached function opened six engines).

Language: ``app.py`` binds the sidebar's language radio to
``st.session_state["lang"]``; a page opened without it (an AppTest of one page,
say) falls back to the configured language (``BEDARFSATLAS_LANGUAGE``, else the
city profile's ``default_language``), never to a hard-coded one. The settings a page
gets carry the city profile's defaults (:func:`geodata.profile.profile_settings`). User: ``app.py`` puts the signed-in
:class:`~assessment.participation.auth.User` into ``st.session_state["user"]``;
nobody signed in is :data:`~assessment.participation.auth.RESIDENT`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
import streamlit.delta_generator

from assessment.needs.store import NeedStore, open_store
from assessment.participation.auth import RESIDENT, User
from assessment.participation.residents import browser_secret
from core.settings import Settings, load_settings
from geodata.profile import profile_settings
from maps.base import ASSET_BASE
from ui.links import app_link, phones_cannot_open

# At the first element of a process Streamlit checks whether it runs in a Python REPL, to print a
# hint: ``inspect.stack()`` in the script thread, which reads the source file of every frame, 0.35 s
# of each process's first page run (bench/cold_start.py). The app only runs under ``streamlit run``
# or AppTest, never in a REPL, so the check is marked as done. (A private flag of Streamlit 1.67's
# ``delta_generator``; should it go, this line sets an unused name and costs the 0.35 s again.)
streamlit.delta_generator._use_warning_has_been_displayed = True


@st.cache_resource(show_spinner=False)
def _store_for(database_url: str, _settings: Settings) -> NeedStore:
    # Keyed by the URL alone: settings that differ only in other fields share the database's store.
    return open_store(_settings, database_url=database_url)


def needs_store(settings: Settings | None = None) -> NeedStore:
    """The needs store of ``settings.database_url``: one per database and process."""
    settings = settings or load_settings()
    return _store_for(settings.database_url, settings)


#: The folder of the app's own front-end assets (npm packages), served at :data:`maps.base.ASSET_BASE`.
STATIC_NODE_MODULES = Path(__file__).resolve().parents[1] / "static" / "node_modules"


def asset_base() -> str:
    """Where the browser finds the app's own Leaflet assets, below ``server.baseUrlPath``."""
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}{ASSET_BASE}" if prefix else ASSET_BASE


def browser_value() -> str | None:
    """The token in Streamlit's XSRF cookie: random per browser, the same after a reload (a new session).

    Nothing that identifies a person: the residents' page hashes it into its rate
    limit and "Ich auch" keys (:func:`assessment.participation.residents.browser_secret`
    unmasks it from the cookie, which changes with every page load).
    """
    return browser_secret(st.context.cookies.get("_streamlit_xsrf"))


def app_url(path: str) -> str:
    """An absolute link into this app (QR codes, join links): under ``BEDARFSATLAS_PUBLIC_URL`` when set,
    else as the browser sees it (:func:`ui.links.app_link`)."""
    return app_link(st.context.url, st.get_option("server.baseUrlPath"), path, load_settings().public_url)


def links_stay_on_this_machine() -> bool:
    """True when join links would lead to ``localhost``: no public address set and the browser is on the server."""
    return phones_cannot_open(st.context.url, load_settings().public_url)


@dataclass(frozen=True)
class PageContext:
    """What every screen needs: settings, the interface language and the signed-in user."""

    settings: Settings
    lang: str
    user: User

    @property
    def store(self) -> NeedStore:
        """The process's store for this database (opened on first use: the overview needs none)."""
        return needs_store(self.settings)

    @property
    def asset_base(self) -> str:
        return asset_base()


def page_context() -> PageContext:
    """The context of this run: read once at the top of a page."""
    settings = profile_settings(load_settings())
    state = st.session_state
    return PageContext(settings, state.get("lang", settings.language), state.get("user", RESIDENT))
