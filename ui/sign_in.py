"""Who is signed in on this run, checked again on every run; and signing out.

Streamlit keeps what a tab knows in its session state, so a signed-in
:class:`~assessment.participation.auth.User` stayed there until the tab was
closed: past the end of a kept sign-in, after its account was removed from
the secrets, after a sign-out in another tab. ``app.py`` therefore asks
:func:`signed_in_user` at the top of every run, which re-checks:

* a built-in account's sign-in with
  :func:`~assessment.participation.auth.recheck_sign_in` (one query by
  primary key in ``staff_sessions``, or the secrets alone when sign-ins are
  not kept);
* an OIDC sign-in with ``st.user``: still logged in, roles mapped afresh from
  the secrets (:func:`~assessment.participation.auth.oidc_user`);
* nobody signed in yet: a token from the ``bedarfsatlas_staff`` cookie
  (a reload, a new tab), looked up once per session.

A sign-in that no longer holds is forgotten, with its cookie, and the reason
is kept for :func:`ended_notice`, which the app shows above the page until the
user moves to another page.
"""

from __future__ import annotations

from typing import Mapping

import streamlit as st

from assessment.participation.auth import (
    RESIDENT,
    SESSION_COOKIE,
    Account,
    SecretsError,
    StaffSessions,
    User,
    account_fingerprint,
    accounts_from_secrets,
    oidc_user,
    recheck_sign_in,
    session_cookie_script,
)
from core.settings import Settings
from ui.context import needs_store, page_context


def _accounts(section: Mapping) -> dict[str, Account]:
    try:
        return accounts_from_secrets(section)
    except SecretsError:
        # The sign-in page names what is wrong; meanwhile no built-in sign-in holds.
        return {}


def _sessions(settings: Settings) -> StaffSessions | None:
    """The kept sign-ins, or ``None`` when ``BEDARFSATLAS_STAFF_SESSION_HOURS=0`` keeps none."""
    hours = settings.staff_session_hours
    return StaffSessions(needs_store(settings), hours * 3600) if hours else None


def keep_sign_in(user: User, account: Account, settings: Settings) -> None:
    """Remember a built-in sign-in in this tab and, if sign-ins are kept, in the database and a cookie."""
    state = st.session_state
    state.update(user=user, staff_fingerprint=account_fingerprint(account))
    state.pop("signin_ended", None)
    sessions = _sessions(settings)
    if sessions is not None:
        # Kept for a reload and new tabs: the cookie is set by the script app.py renders.
        token = sessions.start(user, account)
        state.update(staff_token=token, staff_token_checked=token,
                     staff_cookie=session_cookie_script(token, int(sessions.lifetime_s)))


def _forget_built_in_sign_in(settings: Settings, end_in_database: bool) -> None:
    token = st.session_state.pop("staff_token", None)
    st.session_state.pop("staff_fingerprint", None)
    if token:
        if end_in_database:
            StaffSessions(needs_store(settings), max(settings.staff_session_hours, 1) * 3600).end(token)
        st.session_state["staff_cookie"] = session_cookie_script(None, 0)


def signed_in_user(settings: Settings, secrets: Mapping) -> User:
    """The user of this run, re-checked (see the module's docstring); also kept in ``st.session_state["user"]``."""
    state = st.session_state
    section = secrets.get("bedarfsatlas", {}) or {}
    user: User = state.get("user", RESIDENT)
    claims = st.user.to_dict() if "auth" in secrets else {}
    ended = None
    if claims.get("is_logged_in") is True:
        try:
            user = oidc_user(claims, section.get("oidc"))
        except SecretsError:  # a malformed role mapping grants nothing; the sign-in page names the fix
            user = oidc_user(claims, None)
    elif user.via == "oidc":
        user, ended = RESIDENT, "signed_out"  # st.logout ran, or [auth] left the secrets
    elif user.via == "password":
        check = recheck_sign_in(user, _accounts(section), sessions=_sessions(settings),
                                token=state.get("staff_token"), fingerprint=state.get("staff_fingerprint"))
        user, ended = check.user, check.ended
        if ended:
            _forget_built_in_sign_in(settings, end_in_database=False)  # check() ended it already
    elif settings.staff_session_hours:
        # A built-in sign-in kept in a cookie survives a reload and a new tab. st.context.cookies
        # is what the browser sent when this tab connected; each token is looked up once per
        # session, so a resident with a stale cookie costs no query per rerun.
        token = st.context.cookies.get(SESSION_COOKIE)
        if token and state.get("staff_token_checked") != token:
            state["staff_token_checked"] = token
            accounts = _accounts(section)
            kept = _sessions(settings).restore(token, accounts)
            if kept is not None:
                user = kept
                state.update(staff_token=token, staff_fingerprint=account_fingerprint(accounts[kept.name]))
    if ended:
        state["signin_ended"] = ended
        state.pop("signin_ended_on", None)
    state["user"] = user
    return user


def app_secrets() -> dict:
    """The app's secrets (staff accounts, OIDC), or none without a secrets file: residents only."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:
        return {}


def still_signed_in(roles: frozenset[str] | set[str]) -> bool:
    """Whether this tab's user still has one of ``roles``, checked again now.

    ``app.py`` re-checks the sign-in at every run of a page, but a click inside a fragment
    reruns the fragment alone: a staff action there (hiding a pin on ``/workshop`` or
    ``/live``) asks here first, so an expired or removed account does nothing more.
    """
    return bool(signed_in_user(page_context().settings, app_secrets()).roles & roles)


def ended_notice(url_path: str) -> str | None:
    """Why this tab's sign-in ended (a text key of :mod:`core.i18n`), while the user stays on that page.

    Shown from the run that noticed it on, so a rerun that follows at once (a map
    reporting its view) does not take the message away; gone once the user opens
    another page or signs in again.
    """
    reason = st.session_state.get("signin_ended")
    if reason is None:
        return None
    shown_on = st.session_state.setdefault("signin_ended_on", url_path)
    if shown_on != url_path:
        st.session_state.pop("signin_ended", None)
        st.session_state.pop("signin_ended_on", None)
        return None
    return f"auth.ended.{reason}"


def sign_out(user: User, settings: Settings) -> None:
    """Sign ``user`` out of this tab (and the browser's kept sign-in, or the OIDC provider's session)."""
    st.session_state.pop("user", None)
    st.session_state.pop("signin_ended", None)
    if user.via == "oidc":
        # The browser leaves for Streamlit's /auth/logout and the provider, and comes back in a new
        # session. No rerun here: its navigation could cancel that redirect before the browser left.
        st.logout()
        st.stop()
    _forget_built_in_sign_in(settings, end_in_database=True)
    st.rerun()
