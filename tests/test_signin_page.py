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


@pytest.fixture(autouse=True)
def provider(monkeypatch):
    """The sign-in page fetches the provider's discovery document: for ``AUTH``'s example address it gets a
    good one without the network; any other address (a loopback one in a test) is really fetched."""
    from assessment.participation import oidc_setup
    from tests.provider_fixtures import GOOD_METADATA

    real = oidc_setup._fetch_metadata
    monkeypatch.setattr(oidc_setup, "_fetch_metadata", lambda url, timeout: GOOD_METADATA.encode()
                        if url == AUTH["server_metadata_url"] else real(url, timeout))
    oidc_setup.forget_provider_checks()
    yield
    oidc_setup.forget_provider_checks()


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


def test_a_provider_that_cannot_be_reached_is_named_instead_of_streamlits_bare_error_page(store, logins):
    from tests.provider_fixtures import closed_port_url

    url = closed_port_url()
    at = app_with({"auth": {**AUTH, "server_metadata_url": url}, "bedarfsatlas": ROLES})
    assert sso_buttons(at) == [] and not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("Die Anmeldung mit dem Dienstkonto (Single Sign-on) ist auf diesem Server nicht ")
    assert error.endswith(
        f"\n\n- Die Discovery-Adresse des Anbieters `server_metadata_url` = `{url}` ist von diesem Server aus "
        "nicht erreichbar (Connection refused). Prüfen Sie die Adresse (sie endet meist auf "
        "`/.well-known/openid-configuration`), ob der Anbieter läuft und ob dieser Server ihn erreichen darf "
        "(Firewall, Proxy).")


def test_an_address_that_answers_with_no_provider_configuration_is_named(store, logins):
    from tests.provider_fixtures import serving

    with serving("<html><body>Anmeldung</body></html>") as (url, asked):
        at = app_with({"auth": {**AUTH, "server_metadata_url": url}, "bedarfsatlas": ROLES})
        assert sso_buttons(at) == []
        assert (f"- Die Discovery-Adresse des Anbieters `server_metadata_url` = `{url}` antwortet, aber nicht mit "
                "der OpenID-Connect-Konfiguration") in at.error[0].value
        at.run()  # asked once: the answer is kept for a minute
        assert len(asked) == 1 and sso_buttons(at) == []


def test_a_role_mapping_that_grants_nothing_is_a_warning_next_to_the_button(store, logins):
    at = app_with({"auth": AUTH})
    assert len(sso_buttons(at)) == 1 and not at.error
    assert "Über Single Sign-on bekommt niemand eine Rolle" in at.warning[0].value


def test_malformed_accounts_are_named_not_raised(store):
    at = app_with({"bedarfsatlas": {"accounts": {"bert": {"password_hash": "klartext", "roles": ["moderator"]}}}})
    [error] = [e.value for e in at.error]
    assert error.startswith("Die eingebauten Konten in den Secrets sind fehlerhaft")
    # The secrets' own problem in the page's language, as the sentence around it.
    assert "Secrets [bedarfsatlas.accounts.bert]: password_hash muss ein argon2-Hash sein" in error
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
    assert "[bedarfsatlas.oidc.users] wird nicht mehr gelesen" in at.warning[0].value


# --- a signed-in tab is checked again on every run --------------------------------------------------

PASSWORD = "lange-genug-und-geheim"
MODERATION = "moderation_queue.py"


def registered(at: AppTest, script: str) -> bool:
    try:
        at.switch_page(str(PAGES / script))
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def anna_hash():
    """The argon2 hash of anna's password (made once: it costs a fifth of a second)."""
    from assessment.participation.auth import hash_password

    return hash_password(PASSWORD)


def signed_in_moderator(anna_hash) -> AppTest:
    """A tab in which anna (moderator) signed in on /anmelden and then opened /moderation."""
    at = app_with({"bedarfsatlas": {"accounts": {"anna": {"password_hash": anna_hash, "roles": ["moderator"]}}}})
    at.text_input[0].set_value("anna")
    at.text_input[1].set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["user"].is_staff
    at.switch_page(str(PAGES / MODERATION)).run()
    assert at.title[0].value == "Moderation: neue und gemeldete Bedarfe"
    return at


def assert_signed_out_with(at: AppTest, message: str) -> None:
    """The tab is a resident's again: no staff page, the sign-in offered in its place, and why."""
    assert not at.exception, at.exception
    assert not at.session_state["user"].is_staff
    assert at.title[0].value == "Anmeldung für Mitarbeitende"  # /moderation now shows the sign-in
    assert [w.value for w in at.warning][:2] == [
        message, "Diese Seite ist nur für angemeldete Mitarbeitende mit der Rolle Administration, Moderation. "
                 "Bitte melden Sie sich an."]
    assert not registered(at, MODERATION)
    assert not [c for c in at.sidebar.caption if "Angemeldet als" in c.value]


EXPIRED = "Ihre Anmeldung ist abgelaufen, deshalb sind Sie abgemeldet. Bitte melden Sie sich erneut an."
CHANGED = ("Ihre Anmeldung gilt nicht mehr, weil Ihr Konto geändert oder entfernt wurde (Passwort oder Rollen). "
           "Bitte melden Sie sich erneut an oder wenden Sie sich an die Administration.")
ENDED = ("Ihre Anmeldung wurde beendet, zum Beispiel durch Abmelden in einem anderen Tab. Bitte melden Sie sich "
         "erneut an, um weiterzuarbeiten.")


def test_an_open_tab_loses_a_sign_in_that_expired(store, anna_hash):
    import sqlalchemy as sa

    from assessment.participation.auth import SESSION_COOKIE, staff_sessions

    at = signed_in_moderator(anna_hash)
    with store.engine.begin() as conn:  # eight hours later
        conn.execute(staff_sessions.update().values(expires_at=staff_sessions.c.created_at))
    at.run()  # the next interaction
    assert_signed_out_with(at, EXPIRED)
    assert f"{SESSION_COOKIE}=; Max-Age=0" in at.session_state["staff_cookie"]  # the browser forgets it too
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(staff_sessions)).scalar_one() == 0
    at.run()  # a rerun right after (a map reporting its view) keeps the message
    assert at.warning[0].value == EXPIRED
    at.switch_page(str(PAGES / "overview.py")).run()  # gone once the user moves on
    assert EXPIRED not in [w.value for w in at.warning]


@pytest.mark.parametrize("change", ["removed", "new password", "role taken away"])
def test_an_open_tab_loses_a_sign_in_whose_account_changed(store, anna_hash, change):
    from assessment.participation.auth import hash_password

    at = signed_in_moderator(anna_hash)
    accounts = at.secrets["bedarfsatlas"]["accounts"]
    if change == "removed":
        del accounts["anna"]
    elif change == "new password":
        accounts["anna"]["password_hash"] = hash_password(PASSWORD + "!")
    else:
        accounts["anna"]["roles"] = ["planner"]
    at.run()
    assert_signed_out_with(at, CHANGED)


def test_signing_out_in_another_tab_ends_this_one_too(store, anna_hash):
    from assessment.participation.auth import StaffSessions

    at = signed_in_moderator(anna_hash)
    StaffSessions(store, 3600).end(at.session_state["staff_token"])  # the other tab's "Abmelden"
    at.run()
    assert_signed_out_with(at, ENDED)


def test_without_kept_sign_ins_the_secrets_alone_decide(store, anna_hash, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_STAFF_SESSION_HOURS", "0")
    at = signed_in_moderator(anna_hash)
    assert "staff_token" not in at.session_state
    at.run()
    assert registered(at, MODERATION)  # still signed in while the account is unchanged
    at.secrets["bedarfsatlas"]["accounts"]["anna"]["roles"] = ["facilitator"]
    at.switch_page(str(PAGES / MODERATION)).run()
    assert_signed_out_with(at, CHANGED)


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_an_open_tab_loses_an_oidc_sign_in_that_ended(store):
    claims = {"sub": "sub-anna", "email": "anna@bezirk.berlin.de", "email_verified": True}
    at = app_with({"auth": AUTH, "bedarfsatlas": ROLES}, claims, page=MODERATION)
    assert at.session_state["user"].roles == {"moderator"}
    at.user = {"is_logged_in": False}  # st.user after the identity cookie is gone
    at.run()
    assert_signed_out_with(at, "Ihre Anmeldung über Single Sign-on ist beendet. Bitte melden Sie sich erneut an.")
    # Roles are mapped afresh on every run: a role taken away in the secrets goes at once.
    at = app_with({"auth": AUTH, "bedarfsatlas": ROLES}, claims, page=MODERATION)
    at.secrets["bedarfsatlas"] = {"oidc": {"role_claim": "roles"}}
    at.run()
    assert not at.session_state["user"].is_staff and not registered(at, MODERATION)


def test_an_oidc_identity_without_a_staff_role_is_told_so_and_can_sign_out(store, logins):
    claims = {"sub": "sub-bert", "email": "bert@example.org", "email_verified": True}
    at = app_with({"auth": AUTH, "bedarfsatlas": ROLES}, claims)
    assert not at.session_state["user"].is_staff
    # Not the single sign-on button again (it would only come back to the same identity) ...
    assert sso_buttons(at) == []
    assert at.info[0].value == ("Sie sind über Single Sign-on als bert@example.org angemeldet, aber dieses Konto hat "
                                "keine Rolle für Mitarbeitende. Bitte wenden Sie sich an die Administration, oder "
                                "melden Sie sich ab, um ein anderes Konto zu nutzen.")
    # ... but a way out, to sign in with another identity.
    [sign_out] = [b for b in at.sidebar.button if b.label == "Abmelden"]
    sign_out.click().run()
    assert not at.exception, at.exception
    assert at.user == {"is_logged_in": False}  # st.logout ran; the browser goes to the provider
    at.run()  # and comes back, a resident
    assert len(sso_buttons(at)) == 1 and not at.session_state["user"].is_staff


def test_a_removed_facilitators_click_in_the_pin_list_hides_nothing(store, anna_hash, settings_with_data):
    """A click runs its callback before ``app.py`` re-checks the sign-in, and a click in the pin list's
    fragment skips ``app.py`` altogether: the hide checks the sign-in itself first."""
    from datetime import date

    from assessment.needs.model import NeedInput
    from assessment.participation.workshops import WorkshopBook
    from tests.test_report_page import BRANDENBURG_GATE

    located = open_store(settings_with_data, database_url=str(store.engine.url))
    book = WorkshopBook(located)
    code = book.open(book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = located.submit(NeedInput(category="mobility", title="Mehr Bänke", lat=BRANDENBURG_GATE[0],
                                  lon=BRANDENBURG_GATE[1], workshop_id=code, channel="workshop"), status="published")
    at = app_with({"bedarfsatlas": {"accounts": {"frieda": {"password_hash": anna_hash, "roles": ["facilitator"]}}}})
    at.text_input[0].set_value("frieda")
    at.text_input[1].set_value(PASSWORD)
    at.button[0].click().run()
    at.switch_page(str(PAGES / "workshop_setup.py")).run()
    assert not at.exception, at.exception
    at.selectbox(key="ws_selected").set_value(code).run()
    hide = at.button(key=f"ws_hide_{need.id}")
    del at.secrets["bedarfsatlas"]["accounts"]["frieda"]  # the admin removed the account meanwhile
    hide.click().run()
    assert not at.exception, at.exception
    assert store.get(need.id).status == "published"
    assert not at.session_state["user"].is_staff
