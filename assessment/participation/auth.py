"""Roles, staff accounts and who may open which page.

Residents use the app anonymously (role ``resident``). Staff sign in:

* with **OpenID Connect** (``st.login``) when the operator configures an
  ``[auth]`` section in the app's secrets (Berlin runs Keycloak-style identity
  providers). The signed-in user's roles come from a claim the provider sends
  (``role_claim``, e.g. Keycloak's realm roles mapped to ``roles``), from a
  list of e-mail addresses (counted only when the provider has verified the
  address) and from a list of subject ids (claim ``sub``), each list looked up
  with its own claim only (:func:`roles_from_oidc`);
* otherwise with **built-in accounts** whose argon2id password hashes live in
  the secrets (make one with ``python -m assessment hash-password``).

The secrets (``.streamlit/secrets.toml``, never committed; see
``.streamlit/secrets.example.toml`` and the README)::

    [bedarfsatlas.accounts.anna]
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."
    roles = ["moderator"]

    [bedarfsatlas.oidc]
    role_claim = "roles"            # optional: claim holding role names
    [bedarfsatlas.oidc.emails]      # optional: verified e-mail address -> roles
    "anna.beispiel@ba-mitte.berlin.de" = ["moderator", "facilitator"]
    [bedarfsatlas.oidc.subjects]    # optional: exact sub -> roles
    "f81d4fae-7dec-11d0-a765-00a0c91e6bf6" = ["admin"]

This module is plain Python (no streamlit): ``app.py`` hands it the secrets
and the OIDC claims and gets a :class:`User` back.

Examples
--------
>>> hashed = hash_password("correct horse battery staple")
>>> hashed.startswith("$argon2id$")
True
>>> accounts = accounts_from_secrets({"accounts": {"anna": {"password_hash": hashed, "roles": ["moderator"]}}})
>>> user = authenticate(accounts, "anna", "correct horse battery staple")
>>> user.name, sorted(user.roles), may_open(user, "moderation"), may_open(user, "audit")
('anna', ['moderator'], True, False)
>>> authenticate(accounts, "anna", "wrong") is None
True
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timedelta
from typing import Callable, Iterable, Mapping

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from assessment.participation.limits import SharedLimiter, hashed_key
from assessment.needs.model import utc_now
from assessment.needs.store import NeedStore, UTCDateTime
from core.i18n import Message, TranslatedError

ROLES = ("resident", "moderator", "facilitator", "planner", "admin")
"""Every role. ``resident`` is everyone who has not signed in."""

STAFF_ROLES = ROLES[1:]

PAGE_ROLES: dict[str, frozenset[str]] = {
    "moderation": frozenset({"moderator", "admin"}),
    "audit": frozenset({"admin"}),
    "workshop": frozenset({"facilitator", "admin"}),
    # Participation procedures: those who run participation rounds.
    "verfahren": frozenset({"facilitator", "admin"}),
    # Not a page of its own: the goals form on /bewertung (everyone may read goals).
    "goals": frozenset({"planner", "admin"}),
}
"""Staff pages (by URL path) and the roles that may open them; every other page is public."""

ROOM_PAGES: dict[str, frozenset[str]] = {
    "live": PAGE_ROLES["workshop"],
    "abstimmen": PAGE_ROLES["workshop"],
}
"""Public pages of a workshop room (by URL path) and the roles whose menu lists them.

Participants reach them by the QR code or link the facilitator shows, which carries
the workshop's code; from a resident's menu they would only ask for a code the
resident does not have. Everyone may still open them by URL."""

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this when the account is unknown makes "no such user" take as long as
    "wrong password", so response times do not reveal account names. Made on first use: an
    argon2 hash costs ~0.2 s, which every start of the app paid at import."""
    return _hasher.hash("no such account")


class PasswordTooShortError(TranslatedError, ValueError):
    """A staff password shorter than :data:`MIN_PASSWORD_LENGTH`; the message says the minimum."""


#: The fewest characters of a staff password.
MIN_PASSWORD_LENGTH = 12


class SecretsError(TranslatedError, ValueError):
    """The account or OIDC section of the secrets is malformed; the message names the entry and the fix.

    Its :class:`core.i18n.Message` gives ``str()`` in English; the sign-in page shows :meth:`in_language`.
    """


@dataclass(frozen=True)
class User:
    """Who uses the app: a name (empty for residents), roles, and how they signed in."""

    name: str
    roles: frozenset[str]
    via: str  # "anonymous", "password" or "oidc"

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & set(STAFF_ROLES))


RESIDENT = User("", frozenset({"resident"}), "anonymous")


@dataclass(frozen=True)
class Account:
    """One built-in staff account from the secrets."""

    name: str
    password_hash: str
    roles: frozenset[str]


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` for the secrets file (salted; differs on every call)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShortError(Message("auth.error.password_short", minimum=MIN_PASSWORD_LENGTH))
    return _hasher.hash(password)


def _roles(value: object, where: str) -> frozenset[str]:
    """The roles of a secrets entry; ``where`` names it (``[bedarfsatlas.accounts.anna]``)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise SecretsError(Message("auth.secrets.roles_not_a_list", where=where, value=repr(value)))
    roles = frozenset(str(r) for r in value)
    unknown = sorted(roles - set(STAFF_ROLES))
    if unknown:
        raise SecretsError(Message("auth.secrets.unknown_role", where=where, role=repr(unknown[0]),
                                   roles=", ".join(STAFF_ROLES)))
    return roles


def accounts_from_secrets(section: Mapping | None) -> dict[str, Account]:
    """The built-in accounts of the ``[bedarfsatlas]`` secrets section (``accounts.<name>``).

    Raises
    ------
    SecretsError
        For an account without an argon2 hash or with unknown roles.
    """
    accounts: dict[str, Account] = {}
    for name, entry in dict((section or {}).get("accounts", {}) or {}).items():
        where = f"[bedarfsatlas.accounts.{name}]"
        password_hash = (entry or {}).get("password_hash", "")
        if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
            raise SecretsError(Message("auth.secrets.password_hash", where=where))
        accounts[str(name)] = Account(str(name), password_hash, _roles(entry.get("roles", ()), where))
    return accounts


def authenticate(accounts: Mapping[str, Account], name: str, password: str) -> User | None:
    """The :class:`User` for a correct name and password, else ``None`` (same time either way)."""
    account = accounts.get((name or "").strip())
    try:
        _hasher.verify(account.password_hash if account else _dummy_hash(), password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if account is None:  # pragma: no cover - the dummy hash never matches a real password
        return None
    return User(account.name, account.roles, "password")


@dataclass(frozen=True)
class OidcRoleMap:
    """Which OIDC identities get which staff roles: the ``[bedarfsatlas.oidc]`` secrets, checked.

    ``role_claim`` names a claim whose values are role names (set by the
    provider's administrators); ``emails`` maps e-mail addresses (lower case)
    and ``subjects`` maps ``sub`` values (exactly as the provider sends them)
    to roles. Each list is looked up with its own claim only: a ``sub`` never
    matches an e-mail address nor a user name.
    """

    role_claim: str | None = None
    emails: Mapping[str, frozenset[str]] = field(default_factory=dict)
    subjects: Mapping[str, frozenset[str]] = field(default_factory=dict)


_OIDC_KEYS = ("role_claim", "emails", "subjects")


def _role_table(section: Mapping, key: str) -> dict[str, frozenset[str]]:
    where = f"[bedarfsatlas.oidc.{key}]"
    table = section.get(key) or {}
    if not isinstance(table, Mapping):
        raise SecretsError(Message("auth.secrets.role_table", where=where, value=repr(table)))
    return {str(who): _roles(roles, f"{where} {str(who)!r}") for who, roles in table.items()}


def oidc_role_map(section: Mapping | None) -> OidcRoleMap:
    """The checked ``[bedarfsatlas.oidc]`` section (none: nobody gets a role through OIDC).

    Raises
    ------
    SecretsError
        For an unknown key, a role list that is not one, an unknown role, an
        entry of ``emails`` that is no e-mail address, and for the old shared
        list ``users`` (it let a user name the user chose match a listed
        ``sub``; its entries belong in ``emails`` or ``subjects``).

    >>> oidc_role_map({"emails": {"Anna@Bezirk.Berlin.de": ["moderator"]}}).emails
    {'anna@bezirk.berlin.de': frozenset({'moderator'})}
    >>> oidc_role_map({"users": {"anna@bezirk.berlin.de": ["moderator"]}})
    Traceback (most recent call last):
    ...
    assessment.participation.auth.SecretsError: secrets [bedarfsatlas.oidc.users] is no longer read: ...
    """
    section = section or {}
    if not isinstance(section, Mapping):
        raise SecretsError(Message("auth.secrets.oidc_not_a_table", value=repr(section)))
    if "users" in section:
        # It matched e-mail addresses, subject ids and user names in one list: a user name that
        # someone chose could match a listed subject. The message says where each entry goes.
        raise SecretsError(Message("auth.secrets.oidc_users"))
    unknown = sorted(str(key) for key in section if key not in _OIDC_KEYS)
    if unknown:
        raise SecretsError(Message("auth.secrets.oidc_unknown_key", key=repr(unknown[0]), keys=", ".join(_OIDC_KEYS)))
    claim = section.get("role_claim")
    if claim is not None and (not isinstance(claim, str) or not claim.strip()):
        raise SecretsError(Message("auth.secrets.role_claim", value=repr(claim)))
    emails = {}
    for address, roles in _role_table(section, "emails").items():
        if "@" not in address:
            raise SecretsError(Message("auth.secrets.not_an_email", address=repr(address)))
        emails[address.strip().lower()] = emails.get(address.strip().lower(), frozenset()) | roles
    return OidcRoleMap(claim.strip() if claim else None, emails, _role_table(section, "subjects"))


def email_verified(claims: Mapping) -> bool:
    """Whether the provider says it has verified the ``email`` claim (``email_verified`` true).

    Some providers send the flag as the string ``"true"``; anything else (missing,
    ``false``, ``1``) is unverified: many providers let users type in any address.

    >>> email_verified({"email": "a@b.de", "email_verified": True}), email_verified({"email": "a@b.de"})
    (True, False)
    """
    value = claims.get("email_verified")
    return bool(claims.get("email")) and (
        value is True or (isinstance(value, str) and value.strip().lower() == "true"))


def roles_from_oidc(claims: Mapping, config: Mapping | OidcRoleMap | None) -> frozenset[str]:
    """Staff roles of an OIDC user from the claims the provider sent and the ``[bedarfsatlas.oidc]`` config.

    A role counts when the provider vouches for it: the claim named
    ``role_claim`` (a list, or a space/comma separated string) holds it, or the
    **verified** e-mail address (:func:`email_verified`) is listed in
    ``emails``, or the exact ``sub`` is listed in ``subjects``. A user name
    (``preferred_username``) never grants a role: users often choose it
    themselves. Anything else is ignored: an unknown user is a resident.

    Raises
    ------
    SecretsError
        When the config is malformed (see :func:`oidc_role_map`).

    >>> roles_from_oidc({"sub": "s1", "roles": ["planner", "offline_access"]}, {"role_claim": "roles"})
    frozenset({'planner'})
    >>> config = {"emails": {"a@b.de": ["moderator"]}, "subjects": {"s-42": ["admin"]}}
    >>> sorted(roles_from_oidc({"sub": "s1", "email": "A@b.de", "email_verified": True}, config))
    ['moderator']
    >>> roles_from_oidc({"sub": "s1", "email": "a@b.de"}, config)  # not verified
    frozenset()
    >>> roles_from_oidc({"sub": "s1", "preferred_username": "s-42"}, config)  # chosen by the user
    frozenset()
    """
    mapping = config if isinstance(config, OidcRoleMap) else oidc_role_map(config)
    roles: set[str] = set()
    if mapping.role_claim:
        value = claims.get(mapping.role_claim) or ()
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        if isinstance(value, Iterable):
            roles |= {str(r) for r in value} & set(STAFF_ROLES)
    if email_verified(claims):
        roles |= mapping.emails.get(str(claims["email"]).strip().lower(), frozenset())
    sub = claims.get("sub")
    if isinstance(sub, str) and sub:
        roles |= mapping.subjects.get(sub, frozenset())
    return frozenset(roles)


def oidc_user(claims: Mapping, config: Mapping | OidcRoleMap | None) -> User:
    """The :class:`User` of a signed-in OIDC identity (a resident if it has no staff role).

    Its name, which the audit log records, is what the provider vouches for: the
    verified e-mail address, else the user name with the ``sub`` that makes it
    unique, else the ``sub``.
    """
    roles = roles_from_oidc(claims, config)
    sub = str(claims.get("sub") or "")
    if email_verified(claims):
        name = str(claims["email"])
    elif claims.get("preferred_username") and sub:
        name = f"{claims['preferred_username']} ({sub})"
    else:
        name = sub or "oidc-user"
    return User(name, roles or frozenset({"resident"}), "oidc")


#: After this many failed sign-ins for one account name within :data:`SIGNIN_WINDOW_S`, the name waits.
SIGNIN_MAX_FAILURES = 5
SIGNIN_WINDOW_S = 900.0


class SignInThrottle:
    """Slows down password guessing: after ``max_failures`` failed sign-ins for one account name
    within ``window_s`` seconds, further attempts for that name wait until the window has passed.

    Kept in the needs database (:class:`assessment.participation.limits.SharedLimiter`, kind ``signin``), so
    guesses on every app instance count together and a restart forgets nothing. Keyed by the
    SHA-256 of the account name typed in (trimmed, lower case), never by an IP address; the rows
    are deleted once they leave the window. The price: someone can keep a known account name
    locked by failing on purpose; the account's owner then waits or signs in through OIDC.

    The page calls :meth:`attempt` before it checks the password: the check and the count
    happen in one transaction, and the attempt counts as a failure until :meth:`succeeded`
    clears the name, so parallel guesses on several instances cannot pass the limit together.

    >>> from datetime import datetime, timedelta, timezone
    >>> from assessment.needs.store import open_store
    >>> now = [datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)]
    >>> throttle = SignInThrottle(open_store(database_url="sqlite://"), max_failures=2, window_s=60,
    ...                           clock=lambda: now[0])
    >>> throttle.attempt("anna"), throttle.attempt("Anna ")  # two wrong passwords
    (0.0, 0.0)
    >>> throttle.attempt("anna")
    60.0
    >>> now[0] += timedelta(seconds=61)
    >>> throttle.retry_after("anna")
    0.0
    """

    def __init__(self, store: NeedStore, max_failures: int = SIGNIN_MAX_FAILURES,
                 window_s: float = SIGNIN_WINDOW_S, clock: Callable[[], datetime] = utc_now):
        self._limiter = SharedLimiter(store, "signin", max_failures, window_s, clock=clock)
        self.max_failures = self._limiter.limit
        self.window_s = self._limiter.window_s

    @staticmethod
    def _keys(name: str) -> list[str]:
        return [hashed_key("account", (name or "").strip().lower())]

    def retry_after(self, name: str) -> float:
        """Seconds until ``name`` may try again; 0 when it may now (only reads)."""
        return self._limiter.retry_after(self._keys(name))

    def attempt(self, name: str) -> float:
        """Seconds ``name`` has to wait, or ``0.0`` and this attempt is counted as failed until it succeeds."""
        return self._limiter.reserve(self._keys(name))

    def failed(self, name: str) -> None:
        """Count one failed sign-in for ``name`` (not needed after :meth:`attempt`, which counted it)."""
        self._limiter.record(self._keys(name), None)

    def succeeded(self, name: str) -> None:
        """Forget the failures of ``name`` after a successful sign-in."""
        self._limiter.forget(self._keys(name))


def may_open(user: User, url_path: str) -> bool:
    """Whether ``user`` may see the page at ``url_path``; public pages are open to everyone."""
    allowed = PAGE_ROLES.get(url_path)
    return allowed is None or bool(user.roles & allowed)


def listed_in_menu(user: User, url_path: str) -> bool:
    """Whether the menu lists the page at ``url_path`` for ``user``.

    Pages the user may open, except the workshop rooms (:data:`ROOM_PAGES`): those only
    staff who run workshops see listed.

    >>> listed_in_menu(RESIDENT, "melden"), listed_in_menu(RESIDENT, "live")
    (True, False)
    >>> listed_in_menu(User("anna", frozenset({"facilitator"}), "password"), "live")
    True
    """
    listed = ROOM_PAGES.get(url_path)
    return may_open(user, url_path) and (listed is None or bool(user.roles & listed))


# --- staff sign-ins that survive a reload ------------------------------------------------------

#: The cookie that carries a built-in account's sign-in token (see :class:`StaffSessions`).
SESSION_COOKIE = "bedarfsatlas_staff"

#: Sign-ins kept for a reload (migration 0007); only the token's SHA-256 is stored.
staff_sessions = sa.Table(
    "staff_sessions",
    sa.MetaData(),
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("roles", sa.String(200), nullable=False),
    sa.Column("account_fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def account_fingerprint(account: Account) -> str:
    """The SHA-256 of ``account``'s password hash: changes when its password does, reveals nothing more."""
    return _sha256(account.password_hash)


#: Why a signed-in tab lost its sign-in on a run (texts ``auth.ended.<reason>`` in :mod:`core.i18n`).
ENDED_REASONS = ("expired", "changed", "ended", "signed_out")


@dataclass(frozen=True)
class SignInCheck:
    """Who is signed in after a run's check, and why a sign-in ended (``None`` while it holds).

    ``ended`` is one of :data:`ENDED_REASONS`; then ``user`` is :data:`RESIDENT`.
    """

    user: User
    ended: str | None = None


class StaffSessions:
    """Sign-ins with built-in accounts that survive a reload and a new tab, for ``lifetime_s`` seconds.

    Streamlit keeps its session state per browser tab and connection, so a reload
    (F5) would sign staff out. On sign-in, :meth:`start` makes a random token
    for the browser's cookie and stores only its SHA-256 with the account name,
    the roles, the account's password fingerprint and the expiry, in the needs
    database: every app instance on it knows the sign-in. :meth:`restore` turns
    a token back into a :class:`User` only while it has not expired and the
    account still exists in the secrets with the same password hash and (at
    least) those roles; :meth:`check` does the same on every run of a signed-in
    tab (:func:`recheck_sign_in`), so an open tab loses a sign-in that expired or
    whose account changed; :meth:`end` deletes it (sign-out). OIDC sign-ins do
    not need this: Streamlit's own cookie keeps them.

    >>> from datetime import datetime, timedelta, timezone
    >>> from assessment.needs.store import open_store
    >>> now = [datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)]
    >>> sessions = StaffSessions(open_store(database_url="sqlite://"), lifetime_s=8 * 3600, clock=lambda: now[0])
    >>> accounts = {"anna": Account("anna", "$argon2id$v=19$...", frozenset({"facilitator"}))}
    >>> token = sessions.start(User("anna", frozenset({"facilitator"}), "password"), accounts["anna"])
    >>> sessions.restore(token, accounts)
    User(name='anna', roles=frozenset({'facilitator'}), via='password')
    >>> now[0] += timedelta(hours=8)
    >>> sessions.restore(token, accounts) is None  # expired
    True
    """

    def __init__(self, store: NeedStore, lifetime_s: float, clock: Callable[[], datetime] = utc_now):
        if not lifetime_s > 0:
            raise ValueError(f"lifetime_s must be > 0 seconds, got {lifetime_s!r}: "
                             "with BEDARFSATLAS_STAFF_SESSION_HOURS=0 do not keep sign-ins at all")
        self.store = store
        self.lifetime_s = float(lifetime_s)
        self._clock = clock

    def _now(self) -> datetime:
        now = self._clock()
        if not isinstance(now, datetime) or now.tzinfo is None:
            raise ValueError(f"the clock must return a timezone-aware datetime, got {now!r}")
        return now

    def start(self, user: User, account: Account) -> str:
        """Keep ``user``'s sign-in with ``account``; return the token for the browser (shown nowhere else)."""
        if user.via != "password" or user.name != account.name:
            raise ValueError(f"only a sign-in with the built-in account itself is kept, got {user.name!r} "
                             f"via {user.via!r} for account {account.name!r}")
        token = secrets.token_urlsafe(32)
        now = self._now()

        def work(conn) -> None:
            conn.execute(staff_sessions.delete().where(staff_sessions.c.expires_at <= now))
            conn.execute(staff_sessions.insert().values(
                token_hash=_sha256(token), account=account.name, roles=" ".join(sorted(user.roles)),
                account_fingerprint=account_fingerprint(account), created_at=now,
                expires_at=now + timedelta(seconds=self.lifetime_s)))

        self.store.write(work)
        return token

    def check(self, token: str | None, accounts: Mapping[str, Account]) -> SignInCheck:
        """Whether the sign-in of ``token`` still holds: its :class:`User`, or why it ended.

        One query by the table's primary key. A sign-in that has expired
        (``"expired"``), whose account is gone from the secrets, has a new
        password or lost one of its roles (``"changed"``) is ended here (its row
        deleted); an unknown token was signed out, in this browser or by an
        operator (``"ended"``).
        """
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return SignInCheck(RESIDENT, "ended")
        token_hash = _sha256(token)
        now = self._now()
        row = self.store.read(lambda conn: conn.execute(
            sa.select(staff_sessions).where(staff_sessions.c.token_hash == token_hash)).first())
        if row is None:
            return SignInCheck(RESIDENT, "ended")
        roles = frozenset(row.roles.split())
        account = accounts.get(row.account)
        ended = None
        if row.expires_at <= now:
            ended = "expired"
        elif not (account is not None and account_fingerprint(account) == row.account_fingerprint
                  and roles <= account.roles and roles):
            ended = "changed"
        if ended:
            self.end(token)
            return SignInCheck(RESIDENT, ended)
        return SignInCheck(User(account.name, roles, "password"))

    def restore(self, token: str | None, accounts: Mapping[str, Account]) -> User | None:
        """The :class:`User` of a kept sign-in, or ``None`` for an unknown, expired or no longer valid token.

        As :meth:`check`, for a browser that brings a token from its cookie.
        """
        check = self.check(token, accounts)
        return None if check.ended else check.user

    def end(self, token: str | None) -> None:
        """End the sign-in of ``token`` (sign-out); nothing happens for an unknown token."""
        if not isinstance(token, str) or not token:
            return
        token_hash = _sha256(token)
        self.store.write(lambda conn: conn.execute(
            staff_sessions.delete().where(staff_sessions.c.token_hash == token_hash)))


def recheck_sign_in(user: User, accounts: Mapping[str, Account], *, sessions: StaffSessions | None,
                    token: str | None, fingerprint: str | None) -> SignInCheck:
    """Whether a tab's built-in sign-in still holds on this run; other users pass unchanged.

    Streamlit keeps the signed-in :class:`User` in the tab's session state, which
    nothing else re-checks: without this an open tab stayed signed in past the
    session's length and after its account was removed from the secrets. The app
    calls this on every run:

    * a sign-in kept in the database (``token`` from :meth:`StaffSessions.start`)
      holds while :meth:`StaffSessions.check` says so: one query by primary key;
    * a sign-in kept only by the tab (``BEDARFSATLAS_STAFF_SESSION_HOURS=0``) holds
      while the account is in the secrets with the password ``fingerprint``
      (:func:`account_fingerprint`) it had at sign-in and (at least) its roles.

    OIDC sign-ins are Streamlit's (``st.user``): the app checks those itself.

    >>> anna = Account("anna", "$argon2id$v=19$...", frozenset({"moderator"}))
    >>> user = User("anna", frozenset({"moderator"}), "password")
    >>> check = recheck_sign_in(user, {"anna": anna}, sessions=None, token=None, fingerprint=account_fingerprint(anna))
    >>> check.user == user, check.ended
    (True, None)
    >>> recheck_sign_in(user, {}, sessions=None, token=None, fingerprint=account_fingerprint(anna)).ended
    'changed'
    """
    if user.via != "password":
        return SignInCheck(user)
    if token is not None and sessions is not None:
        return sessions.check(token, accounts)
    account = accounts.get(user.name)
    if (account is None or fingerprint is None or account_fingerprint(account) != fingerprint
            or not user.roles <= account.roles):
        return SignInCheck(RESIDENT, "changed")
    return SignInCheck(user)


def session_cookie_script(token: str | None, max_age_s: int) -> str:
    """A ``<script>`` that sets (or, with ``token=None``, deletes) :data:`SESSION_COOKIE` for the app's page.

    Streamlit scripts cannot send a ``Set-Cookie`` header, so the app renders this
    with ``st.html`` and ``unsafe_allow_javascript`` in its own page (in an
    iframe of the app's origin, such as ``st.iframe``'s with ``allow-same-origin``,
    it writes the parent page's cookie just the same). The cookie is
    ``SameSite=Strict``, ``Path=/`` and ``Secure`` when the page is served over
    https; it cannot be ``HttpOnly`` (JavaScript sets it).

    >>> "Max-Age=0" in session_cookie_script(None, 0)
    True
    """
    if token is not None and not _TOKEN.fullmatch(token):
        raise ValueError("token must come from StaffSessions.start (43 URL-safe characters)")
    value = f"{SESSION_COOKIE}={token or ''}; Max-Age={int(max_age_s) if token else 0}; Path=/; SameSite=Strict"
    return ("<script>(function () {"
            "var w = window.parent || window;"
            f"var cookie = {json.dumps(value)};"
            "if (w.location.protocol === 'https:') { cookie += '; Secure'; }"
            "w.document.cookie = cookie;"
            "})();</script>")
