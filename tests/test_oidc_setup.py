"""The single sign-on setup check: each wrong ``[auth]`` -> the exact notes the sign-in page shows."""

from __future__ import annotations

import pytest

from assessment.participation.oidc_setup import SetupProblem, installed_authlib_version, oidc_setup_problems, oidc_usable

AUTH = {
    "redirect_uri": "https://bedarfsatlas.example.berlin/oauth2callback",
    "cookie_secret": "k" * 43,
    "client_id": "bedarfsatlas",
    "client_secret": "geheim-vom-anbieter",
    "server_metadata_url": "https://login.example.berlin/realms/bezirk/.well-known/openid-configuration",
}
ROLES = {"oidc": {"emails": {"anna@bezirk.berlin.de": ["moderator"]}}}
NEW_SECRET = '`python -c "import secrets; print(secrets.token_urlsafe(32))"`'


def secrets_with(auth: object = AUTH, drop: tuple[str, ...] = (), roles: object = ROLES, **changed) -> dict:
    """Secrets with a complete ``[auth]``, less the keys in ``drop`` and with ``changed`` values."""
    secrets: dict = {"bedarfsatlas": roles} if roles is not None else {}
    if auth is not None:
        secrets["auth"] = {k: v for k, v in {**auth, **changed}.items() if k not in drop} \
            if isinstance(auth, dict) else auth
    return secrets


def notes(secrets: dict, authlib: str | None = "1.9.10", lang: str = "en") -> list[str]:
    return [problem.message(lang) for problem in oidc_setup_problems(secrets, authlib_version=authlib)]


def test_a_complete_setup_has_no_problem():
    assert oidc_setup_problems(secrets_with(), authlib_version="1.9.10") == []
    # Streamlit's [auth.default] table holds the provider's keys just as well.
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    nested = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"], "default": provider}
    assert oidc_setup_problems(secrets_with(nested), authlib_version="1.9.10") == []


def test_without_any_single_sign_on_nothing_is_wrong():
    assert oidc_setup_problems({}, authlib_version=None) == []
    assert oidc_setup_problems({"bedarfsatlas": {"accounts": {}}}, authlib_version=None) == []


@pytest.mark.parametrize(("secrets", "authlib", "expected"), [
    (secrets_with(), None, [
        "The server lacks Authlib 1.3.2 or newer (found: -), which Streamlit needs to sign anyone in. Install the "
        "app again with `pip install -e .`: that brings `streamlit[auth]` with Authlib."]),
    (secrets_with(), "1.3.1", [
        "The server lacks Authlib 1.3.2 or newer (found: 1.3.1), which Streamlit needs to sign anyone in. Install "
        "the app again with `pip install -e .`: that brings `streamlit[auth]` with Authlib."]),
    (secrets_with(None), "1.9.10", [
        "`[bedarfsatlas.oidc]` assigns roles, but there is no `[auth]` section, so single sign-on is off. Add "
        "`[auth]` with `redirect_uri`, `cookie_secret`, `client_id`, `client_secret` and `server_metadata_url`."]),
    (secrets_with("on"), "1.9.10", [
        "`auth` must be a section (`[auth]` followed by `redirect_uri`, `cookie_secret`, `client_id`, "
        "`client_secret` and `server_metadata_url`), not a single value."]),
    (secrets_with(drop=("redirect_uri",)), "1.9.10", [
        "`[auth]` has no `redirect_uri`: the app's full address followed by `/oauth2callback`, e.g. "
        "`https://bedarfsatlas.example.org/oauth2callback`; register it at the provider as an allowed redirect."]),
    (secrets_with(redirect_uri="https://bedarfsatlas.example.berlin/"), "1.9.10", [
        "`redirect_uri` is \"https://bedarfsatlas.example.berlin/\" but must be the app's full address followed "
        "by `/oauth2callback` (with `http://` or `https://`), e.g. `https://bedarfsatlas.example.org/oauth2callback`."]),
    (secrets_with(redirect_uri="/oauth2callback"), "1.9.10", [
        "`redirect_uri` is \"/oauth2callback\" but must be the app's full address followed by `/oauth2callback` "
        "(with `http://` or `https://`), e.g. `https://bedarfsatlas.example.org/oauth2callback`."]),
    (secrets_with(drop=("cookie_secret",)), "1.9.10", [
        f"`[auth]` has no `cookie_secret`: a long random secret that signs the sign-in cookie, e.g. the output "
        f"of {NEW_SECRET}."]),
    (secrets_with(cookie_secret="xxx"), "1.9.10", [
        f"`cookie_secret` is shorter than 32 characters: it could be guessed, and with it any sign-in forged. "
        f"Make a new one, e.g. with {NEW_SECRET}."]),
    (secrets_with(drop=("client_id", "client_secret")), "1.9.10", [
        "`[auth]` has no `client_id`: the id the provider (e.g. Keycloak) gave this app.",
        "`[auth]` has no `client_secret`: the secret the provider gave this app."]),
    (secrets_with(drop=("server_metadata_url",)), "1.9.10", [
        "`[auth]` has no `server_metadata_url`: the provider's discovery address, usually ending in "
        "`/.well-known/openid-configuration`."]),
    (secrets_with(server_metadata_url="login.example.berlin/.well-known/openid-configuration"), "1.9.10", [
        "`server_metadata_url` is \"login.example.berlin/.well-known/openid-configuration\", not a full address "
        "with `http://` or `https://`; it should be the provider's discovery address, usually ending in "
        "`/.well-known/openid-configuration`."]),
])
def test_each_blocking_problem_names_what_is_missing_and_the_fix(secrets, authlib, expected):
    assert notes(secrets, authlib) == expected
    assert not oidc_usable(oidc_setup_problems(secrets, authlib_version=authlib))


@pytest.mark.parametrize(("roles", "expected"), [
    ({"oidc": {"users": {"anna@bezirk.berlin.de": ["moderator"]}}},
     "The role mapping `[bedarfsatlas.oidc]` is malformed, so nobody gets a role through single sign-on: secrets "
     "[bedarfsatlas.oidc.users] is no longer read: it matched e-mail addresses, subject ids and user names in one "
     "list, so a user name that someone chose could match a listed subject. Move each e-mail address to "
     "[bedarfsatlas.oidc.emails] (counts only when the provider has verified it) and each subject id (claim sub) "
     "to [bedarfsatlas.oidc.subjects]"),
    (None, "Nobody gets a role through single sign-on: `[bedarfsatlas.oidc]` names no `role_claim`, `emails` or "
           "`subjects`. Whoever signs in that way uses the app like a resident."),
])
def test_a_role_mapping_that_grants_nothing_is_named_but_sign_in_still_works(roles, expected):
    secrets = secrets_with(roles=roles)
    assert notes(secrets) == [expected]
    assert oidc_usable(oidc_setup_problems(secrets, authlib_version="1.9.10"))


def test_every_problem_is_named_at_once_and_in_german_too():
    secrets = secrets_with(drop=("redirect_uri", "client_secret"), cookie_secret="kurz")
    assert notes(secrets, None, lang="de") == [
        "Auf dem Server fehlt Authlib ab Version 1.3.2 (gefunden: -), ohne das Streamlit nicht anmelden kann. "
        "Installieren Sie die App neu mit `pip install -e .`: Das bringt `streamlit[auth]` mit Authlib.",
        "In `[auth]` fehlt `redirect_uri`: die volle Adresse der App mit `/oauth2callback` am Ende, z. B. "
        "`https://bedarfsatlas.example.org/oauth2callback`; beim Anbieter als erlaubte Weiterleitung eintragen.",
        f"`cookie_secret` ist kürzer als 32 Zeichen: Es ließe sich erraten und damit jede Anmeldung fälschen. "
        f"Erzeugen Sie ein neues, z. B. mit {NEW_SECRET}.",
        "In `[auth]` fehlt `client_secret`: das Geheimnis, das der Anbieter für diese App vergeben hat.",
    ]


def test_no_secret_value_appears_in_any_note():
    secrets = secrets_with(cookie_secret="streng-geheim", client_secret="", redirect_uri="ftp://x")
    text = " ".join(notes(secrets, None) + notes(secrets, None, lang="de"))
    assert "streng-geheim" not in text and "geheim-vom-anbieter" not in text


def test_the_installed_authlib_is_new_enough():
    # The install step (pip install -e .) must bring it: pyproject pins streamlit[auth] and Authlib.
    version = installed_authlib_version()
    assert version is not None, "Authlib is missing: run `pip install -e .[test]` (.ci/install)"
    assert not [p for p in oidc_setup_problems(secrets_with()) if p.key == "auth.setup.authlib"]


def test_a_problem_shows_in_both_languages():
    problem = SetupProblem("auth.setup.missing", {"name": "client_id"})
    assert problem.message("de") == "In `[auth]` fehlt `client_id`: die Kennung, die der Anbieter (z. B. Keycloak) " \
                                    "für diese App vergeben hat."
    assert problem.message("en") == "`[auth]` has no `client_id`: the id the provider (e.g. Keycloak) gave this app."


# --- the provider itself: its discovery document, fetched by the server ----------------------------


@pytest.fixture
def provider_checks(monkeypatch):
    """The setup check's memory of providers, empty before and after the test."""
    from assessment.participation import oidc_setup

    oidc_setup.forget_provider_checks()
    yield oidc_setup
    oidc_setup.forget_provider_checks()


def test_a_provider_nobody_answers_at_is_named_with_its_address_and_the_fix(provider_checks):
    from tests.provider_fixtures import closed_port_url

    url = closed_port_url()
    secrets = secrets_with(server_metadata_url=url)
    assert provider_checks.provider_metadata_url(secrets) == url
    [problem] = provider_checks.provider_problems(url)
    assert problem.blocking and not oidc_usable([problem])
    assert problem.message("en") == (
        f"The provider's discovery address `server_metadata_url` = `{url}` cannot be reached from this server "
        "(Connection refused). Check the address (it usually ends in `/.well-known/openid-configuration`), "
        "that the provider is running and that this server may reach it (firewall, proxy).")
    assert problem.message("de") == (
        f"Die Discovery-Adresse des Anbieters `server_metadata_url` = `{url}` ist von diesem Server aus nicht "
        "erreichbar (Connection refused). Prüfen Sie die Adresse (sie endet meist auf "
        "`/.well-known/openid-configuration`), ob der Anbieter läuft und ob dieser Server ihn erreichen darf "
        "(Firewall, Proxy).")


@pytest.mark.parametrize(("body", "content_type", "status", "reason"), [
    ("<html><body>Willkommen im Intranet</body></html>", "text/html", 200, None),
    ('{"issuer": "http://127.0.0.1"}', "application/json", 200, None),  # JSON, but no endpoints
    ("not here", "text/plain", 404, "HTTP 404"),
])
def test_an_address_that_answers_wrongly_is_named_too(provider_checks, body, content_type, status, reason):
    from tests.provider_fixtures import serving

    with serving(body, content_type, status) as (url, _):
        [problem] = provider_checks.provider_problems(url)
    assert problem.blocking
    if reason:
        assert f"`{url}` cannot be reached from this server ({reason})." in problem.message("en")
    else:
        assert problem.message("en") == (
            f"The provider's discovery address `server_metadata_url` = `{url}` answers, but not with an OpenID "
            "Connect configuration (JSON with `authorization_endpoint` and `token_endpoint`). Check the address: "
            "it usually ends in `/.well-known/openid-configuration`.")


def test_a_provider_is_asked_at_most_once_a_minute(provider_checks):
    from tests.provider_fixtures import GOOD_METADATA, serving

    with serving(GOOD_METADATA, "application/json") as (url, asked):
        assert provider_checks.provider_problems(url, now=1000.0) == []
        assert provider_checks.provider_problems(url, now=1000.0 + provider_checks.METADATA_CACHE_S - 1) == []
        assert len(asked) == 1
        provider_checks.provider_problems(url, now=1000.0 + provider_checks.METADATA_CACHE_S + 1)
        assert len(asked) == 2
    # Gone now: the answer kept from a moment ago still holds for the rest of the minute.
    assert provider_checks.provider_problems(url, now=1000.0 + provider_checks.METADATA_CACHE_S + 2) == []
    [gone] = provider_checks.provider_problems(url, now=1000.0 + 3 * provider_checks.METADATA_CACHE_S)
    assert gone.key == "auth.setup.metadata_unreachable"


def test_a_provider_that_never_answers_costs_the_page_no_more_than_the_timeout(provider_checks, monkeypatch):
    import time

    from tests.provider_fixtures import silent

    monkeypatch.setattr(provider_checks, "METADATA_TIMEOUT_S", 0.5)
    with silent() as url:
        started = time.monotonic()
        [problem] = provider_checks.provider_problems(url)
        assert time.monotonic() - started < 3
    assert problem.key == "auth.setup.metadata_unreachable" and "(timed out)" in problem.message("en")


def test_without_single_sign_on_or_with_a_wrong_address_nothing_is_fetched(provider_checks):
    assert provider_checks.provider_metadata_url({}) is None
    assert provider_checks.provider_metadata_url(secrets_with(server_metadata_url="login.example")) is None
    assert provider_checks.provider_problems(None) == []


def test_a_password_in_the_discovery_address_is_left_out_of_the_note(provider_checks):
    from tests.provider_fixtures import closed_port_url

    url = closed_port_url().replace("http://", "http://betrieb:streng-geheim@")
    [problem] = provider_checks.provider_problems(url)
    assert "streng-geheim" not in problem.message("en") and "betrieb" not in problem.message("en")
    assert url.replace("betrieb:streng-geheim@", "") in problem.message("en")
