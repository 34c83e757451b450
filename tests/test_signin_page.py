"""The sign-in page and the app's sign-in state headless (AppTest): single sign-on set up wrongly,
OIDC identities and their roles.

AppTest cannot follow a redirect to an identity provider: the browser test
``tests/e2e/test_single_sign_on.py`` does. Here ``at.user`` stands for what
Streamlit read from its identity cookie (``st.user``), and ``st.login`` is
replaced by a recorder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assessment.needs.store import open_store

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = Path(APP).parent / "pages"
TIMEOUT_S = 90
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "c" * 43,
    "client_id": "bedarfsatlas",
    "client_secret": "vom-anbieter",
    "server_metadata_url": "https://login.example.berlin/.well-known/openid-configuration",
}
ROLES = {"oidc": {"emails": {"anna@bezirk.berlin.de": ["moderator"]}, "subjects": {"sub-carla": ["admin"]}}}
SSO_BUTTON = "Mit dem Dienstkonto anmelden (Single Sign-on)"


@pytest.fixture
def store(settings_with_data, tmp_path, monkeypatch):
    """A fresh SQLite needs database the app's pages open through DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    opened = open_store(database_url=url)
    yield opened
    opened.close()


@pytest.fixture
def logins(monkeypatch):
    """Calls of ``st.login`` (a real one would redirect the browser to the provider)."""
    import streamlit as st

    calls: list[tuple] = []
    monkeypatch.setattr(st, "login", lambda *args: calls.append(args))
    return calls


def app_with(secrets: dict, claims: dict | None = None, page: str | None = "signin.py") -> AppTest:
    """The app with ``secrets``, signed in through OIDC with ``claims`` if given, on ``page``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.secrets.update(secrets)
    at.user = {"is_logged_in": True, **claims} if claims is not None else {"is_logged_in": False}
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(str(PAGES / page)).run()
        assert not at.exception, at.exception
    return at


def sso_buttons(at: AppTest) -> list:
    return [b for b in at.button if b.label == SSO_BUTTON]


def test_a_complete_setup_offers_single_sign_on(store, logins):
    at = app_with({"auth": AUTH, "bedarfsatlas": ROLES})
    assert not at.error and not at.warning
    sso_buttons(at)[0].click().run()
    assert not at.exception, at.exception
    assert logins == [()]  # the default provider: the keys directly in [auth]


def test_a_missing_key_is_named_instead_of_a_button_that_crashes(store, logins):
    auth = {k: v for k, v in AUTH.items() if k != "server_metadata_url"}
    at = app_with({"auth": auth, "bedarfsatlas": ROLES})
    assert sso_buttons(at) == []
    [error] = [e.value for e in at.error]
    assert error.startswith("Die Anmeldung mit dem Dienstkonto (Single Sign-on) ist auf diesem Server nicht "
                            "richtig eingerichtet.")
    assert error.endswith("\n\n- In `[auth]` fehlt `server_metadata_url`: die Discovery-Adresse des Anbieters, "
                          "sie endet meist auf `/.well-known/openid-configuration`.")
    at.session_state["lang"] = "en"
    at.run()
    assert [e.value for e in at.error][0].endswith(
        "- `[auth]` has no `server_metadata_url`: the provider's discovery address, usually ending in "
        "`/.well-known/openid-configuration`.")


def test_without_authlib_the_page_says_how_to_install_it(store, logins, monkeypatch):
    from assessment.participation import oidc_setup

    monkeypatch.setattr(oidc_setup, "installed_authlib_version", lambda: None)
    at = app_with({"auth": AUTH, "bedarfsatlas": ROLES})
    assert sso_buttons(at) == []
    assert "- Auf dem Server fehlt Authlib ab Version 1.3.2 (gefunden: -)" in at.error[0].value
    assert "`pip install -e .`" in at.error[0].value


def test_a_role_mapping_that_grants_nothing_is_a_warning_next_to_the_button(store, logins):
    at = app_with({"auth": AUTH})
    assert len(sso_buttons(at)) == 1 and not at.error
    assert "Über Single Sign-on bekommt niemand eine Rolle" in at.warning[0].value


def test_malformed_accounts_are_named_not_raised(store):
    at = app_with({"bedarfsatlas": {"accounts": {"bert": {"password_hash": "klartext", "roles": ["moderator"]}}}})
    [error] = [e.value for e in at.error]
    assert error.startswith("Die eingebauten Konten in den Secrets sind fehlerhaft")
    assert "secrets [bedarfsatlas.accounts.bert]: password_hash must be an argon2 hash" in error
    assert not at.text_input  # no form that could not work


@pytest.mark.parametrize(("claims", "name", "roles"), [
    ({"sub": "sub-anna", "email": "anna@bezirk.berlin.de", "email_verified": True}, "anna@bezirk.berlin.de",
     {"moderator"}),
    ({"sub": "sub-carla", "preferred_username": "carla"}, "carla (sub-carla)", {"admin"}),
    # Neither an unverified address nor a user name equal to a listed sub grants anything.
    ({"sub": "sub-x", "email": "anna@bezirk.berlin.de", "email_verified": False}, "sub-x", {"resident"}),
    ({"sub": "sub-x", "preferred_username": "sub-carla"}, "sub-carla (sub-x)", {"resident"}),
])
def test_an_oidc_identity_gets_only_the_roles_the_provider_vouches_for(store, claims, name, roles):
    at = app_with({"auth": AUTH, "bedarfsatlas": ROLES}, claims, page=None)
    user = at.session_state["user"]
    assert (user.name, set(user.roles), user.via) == (name, roles, "oidc")


def test_a_malformed_role_mapping_signs_an_oidc_identity_in_as_a_resident(store):
    secrets = {"auth": AUTH, "bedarfsatlas": {"oidc": {"users": {"anna@bezirk.berlin.de": ["moderator"]}}}}
    at = app_with(secrets, {"sub": "sub-anna", "email": "anna@bezirk.berlin.de", "email_verified": True})
    assert not at.session_state["user"].is_staff
    assert "[bedarfsatlas.oidc.users] is no longer read" in at.warning[0].value
