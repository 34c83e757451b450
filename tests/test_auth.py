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
    oidc_role_map,
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


# --- OIDC role mapping: only what the provider vouches for grants a role -------------------------

SUB_ANNA = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
OIDC_CONFIG = {
    "role_claim": "groups",
    "emails": {"Anna.Beispiel@BA-Mitte.Berlin.de": ["moderator"]},
    "subjects": {SUB_ANNA: ["admin"]},
}


@pytest.mark.parametrize(("claims", "roles"), [
    # A verified e-mail in [bedarfsatlas.oidc.emails] (any case) grants its roles.
    ({"sub": "s1", "email": "anna.beispiel@ba-mitte.berlin.de", "email_verified": True}, {"moderator"}),
    ({"sub": "s1", "email": "ANNA.BEISPIEL@ba-mitte.berlin.de", "email_verified": "true"}, {"moderator"}),
    # An e-mail the provider has not verified grants nothing: anyone can type one in at many providers.
    ({"sub": "s1", "email": "anna.beispiel@ba-mitte.berlin.de"}, set()),
    ({"sub": "s1", "email": "anna.beispiel@ba-mitte.berlin.de", "email_verified": False}, set()),
    ({"sub": "s1", "email": "anna.beispiel@ba-mitte.berlin.de", "email_verified": "false"}, set()),
    ({"sub": "s1", "email": "anna.beispiel@ba-mitte.berlin.de", "email_verified": 1}, set()),
    # The exact subject id in [bedarfsatlas.oidc.subjects] grants its roles; nothing else matches it.
    ({"sub": SUB_ANNA}, {"admin"}),
    ({"sub": SUB_ANNA.upper()}, set()),
    ({"sub": "s1", "preferred_username": SUB_ANNA}, set()),  # a self-chosen user name equal to a listed sub
    ({"sub": "s1", "email": SUB_ANNA, "email_verified": True}, set()),  # subjects are not e-mail addresses
    ({"sub": "anna.beispiel@ba-mitte.berlin.de"}, set()),  # nor are e-mail addresses subjects
    ({"sub": "s1", "preferred_username": "anna.beispiel@ba-mitte.berlin.de"}, set()),
    # The role claim: known roles count, the provider's other groups are ignored.
    ({"sub": "s1", "groups": ["planner", "offline_access"]}, {"planner"}),
    ({"sub": "s1", "groups": "moderator, uma_authorization facilitator"}, {"moderator", "facilitator"}),
    ({"sub": "s1", "roles": ["admin"]}, set()),  # another claim than the configured one
    # Everything together adds up.
    ({"sub": SUB_ANNA, "email": "anna.beispiel@ba-mitte.berlin.de", "email_verified": True, "groups": ["planner"]},
     {"admin", "moderator", "planner"}),
    ({}, set()),
])
def test_oidc_roles(claims, roles):
    assert roles_from_oidc(claims, OIDC_CONFIG) == roles
    user = oidc_user(claims, OIDC_CONFIG)
    assert user.via == "oidc" and user.roles == (roles or {"resident"}) and user.is_staff is bool(roles)


@pytest.mark.parametrize(("claims", "name"), [
    ({"sub": "s1", "email": "anna@bezirk.berlin.de", "email_verified": True, "preferred_username": "anna"},
     "anna@bezirk.berlin.de"),
    # The name goes into the audit log: an unverified e-mail or a user name alone could be anyone's.
    ({"sub": "s1", "email": "anna@bezirk.berlin.de", "preferred_username": "anna"}, "anna (s1)"),
    ({"sub": "s1", "email": "anna@bezirk.berlin.de"}, "s1"),
    ({"sub": "s1"}, "s1"),
])
def test_an_oidc_users_name_is_what_the_provider_vouches_for(claims, name):
    assert oidc_user(claims, {}).name == name


def test_without_a_role_mapping_every_oidc_user_is_a_resident():
    claims = {"sub": SUB_ANNA, "email": "anna@bezirk.berlin.de", "email_verified": True, "roles": ["admin"]}
    assert roles_from_oidc(claims, None) == set() and roles_from_oidc(claims, {}) == set()


@pytest.mark.parametrize(("config", "message"), [
    # The old shared list looked sub, e-mail and user name up together: refused, with the way out.
    ({"users": {"anna@bezirk.berlin.de": ["moderator"]}},
     r"\[bedarfsatlas.oidc.users\] is no longer read.*\[bedarfsatlas.oidc.emails\].*\[bedarfsatlas.oidc.subjects\]"),
    ({"emails": {"anna": ["moderator"]}}, r"\[bedarfsatlas.oidc.emails\] 'anna' is not an e-mail address.*subjects"),
    ({"emails": {"anna@bezirk.berlin.de": ["superuser"]}}, r"\[bedarfsatlas.oidc.emails\].*unknown role 'superuser'"),
    ({"subjects": {SUB_ANNA: "admin"}}, r"\[bedarfsatlas.oidc.subjects\].*must be a list"),
    ({"subjects": ["admin"]}, r"\[bedarfsatlas.oidc.subjects\] must be a table"),
    ({"role_claim": ["roles"]}, r"role_claim must be the name of one claim"),
    ({"rolle_claim": "roles"}, r"unknown key 'rolle_claim'.*role_claim, emails, subjects"),
])
def test_malformed_oidc_role_mappings_are_named_with_the_fix(config, message):
    with pytest.raises(SecretsError, match=message):
        oidc_role_map(config)
    with pytest.raises(SecretsError, match=message):
        roles_from_oidc({"sub": "s1"}, config)


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


# --- every run re-checks a signed-in tab (recheck_sign_in) ---------------------------------------

from assessment.participation.auth import SignInCheck, account_fingerprint, recheck_sign_in  # noqa: E402


@pytest.mark.parametrize(("change", "ended"), [
    (None, None),
    ("almost expired", None),
    ("expired", "expired"),
    ("removed", "changed"),
    ("new password", "changed"),
    ("role taken away", "changed"),
    ("signed out in another tab", "ended"),
])
def test_a_kept_sign_in_is_rechecked_on_every_run(kept, accounts, change, ended):
    sessions, clock, other_instance = kept
    carla = sign_in(accounts, "carla", PASSWORD + "!")
    token = sessions.start(carla, accounts["carla"])
    now = dict(accounts)
    if change == "almost expired":
        clock.now += timedelta(hours=8) - timedelta(seconds=1)
    elif change == "expired":
        clock.now += timedelta(hours=8)
    elif change == "removed":
        del now["carla"]
    elif change == "new password":
        now["carla"] = Account("carla", hash_password(PASSWORD + "?"), accounts["carla"].roles)
    elif change == "role taken away":
        now["carla"] = Account("carla", accounts["carla"].password_hash, frozenset({"planner"}))
    elif change == "signed out in another tab":
        other_instance.end(token)
    check = recheck_sign_in(carla, now, sessions=sessions, token=token,
                            fingerprint=account_fingerprint(accounts["carla"]))
    assert check == (SignInCheck(carla) if ended is None else SignInCheck(RESIDENT, ended))
    if ended:  # ended for good: the row is gone, the old secrets do not bring it back
        assert stored_rows(sessions) == [] and sessions.restore(token, accounts) is None


@pytest.mark.parametrize(("change", "ended"), [
    (None, None),
    ("removed", "changed"),
    ("new password", "changed"),
    ("role taken away", "changed"),
])
def test_a_sign_in_kept_only_by_the_tab_is_rechecked_against_the_secrets(accounts, change, ended):
    # BEDARFSATLAS_STAFF_SESSION_HOURS=0: no row in the database, only the tab's memory of the account.
    anna = sign_in(accounts, "anna")
    now = dict(accounts)
    if change == "removed":
        del now["anna"]
    elif change == "new password":
        now["anna"] = Account("anna", hash_password(PASSWORD + "?"), accounts["anna"].roles)
    elif change == "role taken away":
        now["anna"] = Account("anna", accounts["anna"].password_hash, frozenset({"planner"}))
    check = recheck_sign_in(anna, now, sessions=None, token=None, fingerprint=account_fingerprint(accounts["anna"]))
    assert check == (SignInCheck(anna) if ended is None else SignInCheck(RESIDENT, ended))


def test_only_built_in_sign_ins_are_rechecked_here(accounts):
    oidc = User("anna@bezirk.berlin.de", frozenset({"moderator"}), "oidc")
    assert recheck_sign_in(oidc, {}, sessions=None, token=None, fingerprint=None) == SignInCheck(oidc)
    assert recheck_sign_in(RESIDENT, {}, sessions=None, token=None, fingerprint=None) == SignInCheck(RESIDENT)
    # A built-in sign-in the tab knows nothing about (no fingerprint) does not hold.
    anna = sign_in(accounts, "anna")
    assert recheck_sign_in(anna, accounts, sessions=None, token=None, fingerprint=None).ended == "changed"


def test_a_recheck_costs_one_indexed_query(kept, accounts):
    sessions, _, _ = kept
    anna = sign_in(accounts, "anna")
    token = sessions.start(anna, accounts["anna"])
    statements = []
    sa.event.listen(sessions.store.engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *args: statements.append(statement))
    recheck_sign_in(anna, accounts, sessions=sessions, token=token, fingerprint=account_fingerprint(accounts["anna"]))
    queries = [s for s in statements if s.split()[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE")]
    assert len(queries) == 1 and "WHERE staff_sessions.token_hash =" in queries[0]  # by the primary key
