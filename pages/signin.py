"""Sign-in for staff (``/anmelden``), also shown instead of a staff page opened without its role.

``app.py`` registers this script at ``/anmelden`` and, hidden from the
navigation, under the URL path of every staff page the user may not open
(``st.session_state["signin_for"]`` names which). Built-in accounts are
checked against their argon2 hashes in the secrets
(:func:`assessment.participation.auth.authenticate`); with an ``[auth]`` section in the
secrets, the button signs in through the OpenID Connect provider
(``st.login``). A successful sign-in reruns the app, which then registers the
real page under the same URL path. When single sign-on is set up wrongly (Authlib missing, a
key of ``[auth]`` missing or wrong, a provider that does not answer at ``server_metadata_url``,
see :mod:`assessment.participation.oidc_setup`), the page names each problem and its fix instead
of a button that would crash. A built-in sign-in is also kept for
``BEDARFSATLAS_STAFF_SESSION_HOURS`` (:class:`assessment.participation.auth.StaffSessions`): the
token goes into a cookie that ``app.py`` sets and reads back after a reload. Failed sign-ins are counted per account name
in the needs database (:class:`assessment.participation.auth.SignInThrottle`), so every app
instance on it counts together.
"""

from __future__ import annotations

import streamlit as st

from assessment.participation.auth import (
    PAGE_ROLES,
    SecretsError,
    SignInThrottle,
    accounts_from_secrets,
    authenticate,
)
from assessment.participation.oidc_setup import oidc_usable, provider_problems
from core.i18n import t
from ui.context import needs_store, page_context
from ui.sign_in import keep_sign_in

ctx = page_context()
lang, user = ctx.lang, ctx.user
wanted = st.session_state.get("signin_for")
secrets = st.session_state.get("secrets_section", {})


def role_names(roles) -> str:
    return ", ".join(t(f"auth.role.{role}", lang) for role in sorted(roles))


st.title(t("auth.title", lang))
if wanted in PAGE_ROLES:
    key = "auth.no_role" if user.is_staff else "auth.needed"
    st.warning(t(key, lang, roles=role_names(PAGE_ROLES[wanted])))

if user.is_staff:
    st.write(t("auth.signed_in", lang, name=user.name, roles=role_names(user.roles)))
    if user.via == "password" and st.session_state.get("staff_token"):
        st.caption(t("auth.kept", lang, n=ctx.settings.staff_session_hours))
    st.stop()
setup_problems = st.session_state.get("oidc_setup", [])
if st.session_state.get("oidc_configured") and oidc_usable(setup_problems):
    # A well-formed [auth] whose provider does not answer (or not as one) would end the click on
    # Streamlit's bare "Authentication error": asked here, where the button is, at most once a minute.
    setup_problems = setup_problems + provider_problems(st.session_state.get("oidc_metadata_url"))
if setup_problems:
    notes = "\n".join(f"- {problem.message(lang)}" for problem in setup_problems)
    (st.warning if oidc_usable(setup_problems) else st.error)(f"{t('auth.setup.title', lang)}\n\n{notes}")
if user.via == "oidc":
    # Signed in at the provider, but no role here: the button would only return the same identity.
    st.info(t("auth.oidc_no_role", lang, name=user.name))
    st.stop()

st.caption(t("auth.residents", lang))
# A malformed secrets file is the operator's to fix: say what is wrong instead of raising here.
try:
    accounts = accounts_from_secrets(secrets)
except SecretsError as error:
    accounts = {}
    st.error(t("auth.accounts_broken", lang, detail=error.in_language(lang)))
if st.session_state.get("oidc_configured") and oidc_usable(setup_problems):
    if st.button(t("auth.oidc", lang), type="primary"):
        st.login()
if accounts:
    with st.form("signin_form"):
        name = st.text_input(t("auth.name", lang), max_chars=64, autocomplete="username")
        password = st.text_input(t("auth.password", lang), type="password", max_chars=256,
                                 autocomplete="current-password")
        if st.form_submit_button(t("auth.submit", lang)):
            settings = ctx.settings
            throttle = SignInThrottle(needs_store(settings))
            # Checks and counts this attempt as failed in one transaction: parallel guesses on
            # several instances cannot pass the limit together; a success clears the count.
            wait_s = throttle.attempt(name)
            signed_in = None if wait_s else authenticate(accounts, name, password)
            if wait_s:
                st.error(t("auth.throttled", lang, minutes=max(1, round(wait_s / 60))))
            elif signed_in is None:
                st.error(t("auth.failed", lang))
            else:
                throttle.succeeded(name)
                # Kept in this tab, and for a reload and new tabs unless the settings say otherwise.
                keep_sign_in(signed_in, accounts[signed_in.name], settings)
                st.rerun()
elif not st.session_state.get("oidc_configured") and not setup_problems:
    st.info(t("auth.none_configured", lang))
