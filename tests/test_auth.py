"""Roles, built-in accounts with argon2 hashes, OIDC role mapping and page access."""

from __future__ import annotations

import pytest

from assessment.__main__ import main
from assessment.participation.auth import (
    PAGE_ROLES,
    Account,
    RESIDENT,
    SecretsError,
    User,
    accounts_from_secrets,
    authenticate,
    hash_password,
    listed_in_menu,
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


@pytest.mark.parametrize(("url_path", "roles", "listed"), [
    # Workshop rooms: reached by QR code or link; listed to those who run workshops.
    ("live", {"resident"}, False),
    ("abstimmen", {"resident"}, False),
    ("live", {"moderator", "planner"}, False),
    ("live", {"facilitator"}, True),
    ("abstimmen", {"facilitator"}, True),
    ("abstimmen", {"admin"}, True),
    # Every other page the user may open is listed.
    ("melden", {"resident"}, True),
    ("uebersicht", {"resident"}, True),
    ("moderation", {"resident"}, False),
    ("moderation", {"moderator"}, True),
])
def test_menu_lists(url_path, roles, listed):
    assert listed_in_menu(User("x", frozenset(roles), "password"), url_path) is listed


def test_residents_may_open_the_workshop_rooms_by_url():
    assert may_open(RESIDENT, "live") and may_open(RESIDENT, "abstimmen")


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

    from assessment.participation.auth import SignInThrottle
    from assessment.needs.store import open_store

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


# --- sign-ins kept for a reload (StaffSessions), on SQLite and PostgreSQL ------------------------

from datetime import datetime, timedelta, timezone  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from assessment.participation.auth import SESSION_COOKIE, StaffSessions, session_cookie_script, staff_sessions  # noqa: E402
from needs_fixtures import database_url, postgres_database_url  # noqa: E402,F401

HOURS_8 = 8 * 3600


class FrozenClock:
    """A clock that stands still until the test moves it."""

    def __init__(self):
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
def kept(database_url):  # noqa: F811 - the fixture imported above
    """``(StaffSessions on a fresh database with a frozen clock, the clock, a second instance's StaffSessions)``."""
    from assessment.needs.store import open_store

    first = open_store(database_url=database_url)
    second = open_store(database_url=database_url, migrate_schema=False)
    with first.engine.begin() as conn:  # the PostgreSQL database is shared by the test session
        conn.execute(staff_sessions.delete())
    clock = FrozenClock()
    yield StaffSessions(first, HOURS_8, clock=clock), clock, StaffSessions(second, HOURS_8, clock=clock)
    first.close()
    second.close()


def stored_rows(sessions: StaffSessions) -> list[dict]:
    with sessions.store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(staff_sessions))]


def sign_in(accounts, name, password=PASSWORD):
    user = authenticate(accounts, name, password)
    assert user is not None
    return user


def test_a_kept_sign_in_stores_only_the_tokens_hash_and_is_known_to_every_instance(kept, accounts):
    import hashlib

    sessions, clock, other_instance = kept
    token = sessions.start(sign_in(accounts, "anna"), accounts["anna"])
    assert len(token) == 43 and token != sessions.start(sign_in(accounts, "anna"), accounts["anna"])
    rows = stored_rows(sessions)
    assert len(rows) == 2
    mine = [r for r in rows if r["token_hash"] == hashlib.sha256(token.encode()).hexdigest()]
    assert len(mine) == 1 and mine[0]["account"] == "anna" and mine[0]["roles"] == "moderator"
    assert mine[0]["expires_at"] == clock.now + timedelta(hours=8)
    assert not any(token in str(value) for row in rows for value in row.values())
    restored = other_instance.restore(token, accounts)
    assert restored == User("anna", frozenset({"moderator"}), "password")


def test_a_kept_sign_in_expires(kept, accounts):
    sessions, clock, _ = kept
    token = sessions.start(sign_in(accounts, "carla", PASSWORD + "!"), accounts["carla"])
    clock.now += timedelta(hours=8) - timedelta(seconds=1)
    assert sessions.restore(token, accounts).roles == {"admin", "planner"}
    clock.now += timedelta(seconds=1)
    assert sessions.restore(token, accounts) is None
    assert stored_rows(sessions) == []  # the expired row is gone


def test_the_next_sign_in_deletes_expired_rows(kept, accounts):
    sessions, clock, _ = kept
    sessions.start(sign_in(accounts, "anna"), accounts["anna"])
    clock.now += timedelta(hours=9)
    fresh = sessions.start(sign_in(accounts, "anna"), accounts["anna"])
    assert len(stored_rows(sessions)) == 1 and sessions.restore(fresh, accounts) is not None


def test_sign_out_revokes_on_every_instance(kept, accounts):
    sessions, _, other_instance = kept
    token = sessions.start(sign_in(accounts, "anna"), accounts["anna"])
    kept_too = sessions.start(sign_in(accounts, "anna"), accounts["anna"])  # another browser
    other_instance.end(token)
    assert sessions.restore(token, accounts) is None
    assert sessions.restore(kept_too, accounts) is not None  # signing out in one browser ends only that one
    sessions.end(token)  # twice: nothing happens
    sessions.end(None)


@pytest.mark.parametrize("change", ["removed", "new password", "role taken away"])
def test_a_changed_account_is_not_restored(kept, accounts, change):
    sessions, _, _ = kept
    token = sessions.start(sign_in(accounts, "carla", PASSWORD + "!"), accounts["carla"])
    now = dict(accounts)
    if change == "removed":
        del now["carla"]
    elif change == "new password":
        now["carla"] = Account("carla", hash_password(PASSWORD + "?"), accounts["carla"].roles)
    else:
        now["carla"] = Account("carla", accounts["carla"].password_hash, frozenset({"planner"}))
    assert sessions.restore(token, now) is None
    assert sessions.restore(token, accounts) is None  # ended for good, not only hidden


@pytest.mark.parametrize("token", [None, "", "x" * 43, "a" * 42, "a" * 43 + "'", "a" * 500])
def test_unknown_or_malformed_tokens_are_ignored(kept, accounts, token):
    sessions, _, _ = kept
    sessions.start(sign_in(accounts, "anna"), accounts["anna"])
    assert sessions.restore(token, accounts) is None
    assert len(stored_rows(sessions)) == 1


def test_only_password_sign_ins_of_that_account_are_kept(kept, accounts):
    sessions, _, _ = kept
    with pytest.raises(ValueError, match="only a sign-in with the built-in account"):
        sessions.start(User("anna@bezirk.berlin.de", frozenset({"moderator"}), "oidc"), accounts["anna"])
    with pytest.raises(ValueError, match="only a sign-in with the built-in account"):
        sessions.start(sign_in(accounts, "anna"), accounts["carla"])
    with pytest.raises(ValueError, match="BEDARFSATLAS_STAFF_SESSION_HOURS=0"):
        StaffSessions(sessions.store, 0)


def test_cookie_script_sets_and_deletes_the_cookie():
    token = "A" * 20 + "-_" + "b" * 21
    script = session_cookie_script(token, HOURS_8)
    assert f'"{SESSION_COOKIE}={token}; Max-Age=28800; Path=/; SameSite=Strict"' in script
    assert "'https:'" in script and "; Secure" in script and "window.parent" in script
    assert f'"{SESSION_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict"' in session_cookie_script(None, HOURS_8)
    with pytest.raises(ValueError, match="token must come from StaffSessions.start"):
        session_cookie_script('x"; alert(1); "', HOURS_8)
