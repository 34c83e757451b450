"""Roles, built-in accounts with argon2 hashes, OIDC role mapping and page access."""

from __future__ import annotations

import pytest

from assessment.__main__ import main
from assessment.auth import (
    PAGE_ROLES,
    RESIDENT,
    SecretsError,
    User,
    accounts_from_secrets,
    authenticate,
    hash_password,
    may_open,
    oidc_user,
    roles_from_oidc,
)
from argon2 import PasswordHasher

PASSWORD = "lange-genug-und-geheim"


@pytest.fixture(scope="module")
def accounts():
    """Two accounts as the secrets file would hold them."""
    return accounts_from_secrets({"accounts": {
        "anna": {"password_hash": hash_password(PASSWORD), "roles": ["moderator"]},
        "carla": {"password_hash": hash_password(PASSWORD + "!"), "roles": ["admin", "planner"]},
    }})


def test_hash_is_argon2id_salted_and_verifiable_by_the_library():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second
    assert PasswordHasher().verify(first, PASSWORD)


def test_short_passwords_are_refused():
    with pytest.raises(ValueError, match="12 characters"):
        hash_password("kurz")


@pytest.mark.parametrize(("name", "password", "expected"), [
    ("anna", PASSWORD, {"moderator"}),
    (" anna ", PASSWORD, {"moderator"}),
    ("carla", PASSWORD + "!", {"admin", "planner"}),
    ("anna", PASSWORD + "!", None),
    ("anna", "", None),
    ("nobody", PASSWORD, None),
    ("", "", None),
])
def test_authenticate(accounts, name, password, expected):
    user = authenticate(accounts, name, password)
    assert (None if user is None else set(user.roles)) == expected


@pytest.mark.parametrize(("entry", "message"), [
    ({"password_hash": "plaintext", "roles": ["moderator"]}, "argon2 hash"),
    ({"password_hash": "$argon2id$x", "roles": ["superuser"]}, "unknown role 'superuser'"),
    ({"password_hash": "$argon2id$x", "roles": "moderator"}, "must be a list"),
])
def test_malformed_accounts_are_named(entry, message):
    with pytest.raises(SecretsError, match=message) as refused:
        accounts_from_secrets({"accounts": {"bert": entry}})
    assert "bedarfsatlas.accounts.bert" in str(refused.value)


def test_no_accounts_configured_means_nobody_signs_in():
    assert accounts_from_secrets(None) == {} and authenticate({}, "anna", PASSWORD) is None


@pytest.mark.parametrize(("url_path", "roles", "allowed"), [
    ("moderation", {"moderator"}, True),
    ("moderation", {"admin"}, True),
    ("moderation", {"facilitator", "planner"}, False),
    ("moderation", {"resident"}, False),
    ("audit", {"moderator"}, False),
    ("audit", {"admin"}, True),
    ("workshop", {"facilitator"}, True),
    ("workshop", {"moderator"}, False),
    ("karte", {"resident"}, True),
    ("melden", {"resident"}, True),
])
def test_page_access(url_path, roles, allowed):
    assert may_open(User("x", frozenset(roles), "password"), url_path) is allowed


def test_residents_open_no_staff_page():
    assert not any(may_open(RESIDENT, path) for path in PAGE_ROLES)


def test_oidc_roles_from_claim_and_user_list():
    config = {"role_claim": "groups", "users": {"Anna@Bezirk.Berlin.de": ["facilitator"]}}
    claims = {"email": "anna@bezirk.berlin.de", "groups": "moderator offline_access admin-console"}
    assert roles_from_oidc(claims, config) == {"moderator", "facilitator"}
    stranger = oidc_user({"email": "x@example.org", "groups": ["uma_authorization"]}, config)
    assert stranger.roles == {"resident"} and not stranger.is_staff


def test_hash_password_command(monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["hash-password"]) == 0
    printed = capsys.readouterr().out.strip()
    assert PasswordHasher().verify(printed, PASSWORD)
    answers = iter([PASSWORD, PASSWORD + "x"])
    assert main(["hash-password"]) == 1


def test_throttle_locks_an_account_name_after_repeated_failures():
    # Across app instances and on PostgreSQL too: tests/test_rate_limits.py.
    from datetime import datetime, timedelta, timezone

    from assessment.auth import SignInThrottle
    from assessment.store import open_store

    now = [datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)]
    store = open_store(database_url="sqlite://")
    throttle = SignInThrottle(store, max_failures=3, window_s=900, clock=lambda: now[0])
    for _ in range(2):
        throttle.failed("anna")
    assert throttle.retry_after("anna") == 0.0
    now[0] += timedelta(seconds=100)
    assert throttle.attempt(" ANNA ") == 0.0  # the same name however typed; counted as failed until it succeeds
    assert throttle.retry_after("anna") == pytest.approx(800.0)  # 900 s after the first failure
    assert throttle.attempt("anna") == pytest.approx(800.0)
    assert throttle.retry_after("carla") == 0.0  # other accounts are not affected
    now[0] += timedelta(seconds=800)
    assert throttle.retry_after("anna") == 0.0
    throttle.failed("anna")
    throttle.succeeded("anna")
    assert throttle.retry_after("anna") == 0.0
    store.close()
