"""Roles, staff accounts and who may open which page.

Residents use the app anonymously (role ``resident``). Staff sign in:

* with **OpenID Connect** (``st.login``) when the operator configures an
  ``[auth]`` section in the app's secrets (Berlin runs Keycloak-style identity
  providers). The signed-in user's roles come from a claim the provider sends
  (``role_claim``, e.g. Keycloak's realm roles mapped to ``roles``) and/or from
  a list of e-mail addresses or subject ids per role
  (:func:`roles_from_oidc`);
* otherwise with **built-in accounts** whose argon2id password hashes live in
  the secrets (make one with ``python -m assessment hash-password``).

The secrets (``.streamlit/secrets.toml``, never committed; see
``.streamlit/secrets.example.toml`` and the README)::

    [bedarfsatlas.accounts.anna]
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."
    roles = ["moderator"]

    [bedarfsatlas.oidc]
    role_claim = "roles"            # optional: claim holding role names
    [bedarfsatlas.oidc.users]       # optional: e-mail or sub -> roles
    "anna.beispiel@ba-mitte.berlin.de" = ["moderator", "facilitator"]

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

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from assessment.limits import SharedLimiter, hashed_key
from assessment.model import utc_now
from assessment.store import NeedStore

ROLES = ("resident", "moderator", "facilitator", "planner", "admin")
"""Every role. ``resident`` is everyone who has not signed in."""

STAFF_ROLES = ROLES[1:]

PAGE_ROLES: dict[str, frozenset[str]] = {
    "moderation": frozenset({"moderator", "admin"}),
    "audit": frozenset({"admin"}),
    "workshop": frozenset({"facilitator", "admin"}),
    # Not a page of its own: the goals form on /bewertung (everyone may read goals).
    "goals": frozenset({"planner", "admin"}),
}
"""Staff pages (by URL path) and the roles that may open them; every other page is public."""

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this when the account is unknown makes "no such user" take as long as
# "wrong password", so response times do not reveal account names.
_DUMMY_HASH = _hasher.hash("no such account")


class SecretsError(ValueError):
    """The account or OIDC section of the secrets is malformed; the message names the entry and the fix."""


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
    if not isinstance(password, str) or len(password) < 12:
        raise ValueError("a staff password needs at least 12 characters")
    return _hasher.hash(password)


def _roles(value: object, where: str) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise SecretsError(f"{where}: roles must be a list such as [\"moderator\"], got {value!r}")
    roles = frozenset(str(r) for r in value)
    unknown = sorted(roles - set(STAFF_ROLES))
    if unknown:
        raise SecretsError(f"{where}: unknown role {unknown[0]!r}; use {', '.join(STAFF_ROLES)}")
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
        where = f"secrets [bedarfsatlas.accounts.{name}]"
        password_hash = (entry or {}).get("password_hash", "")
        if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
            raise SecretsError(f"{where}: password_hash must be an argon2 hash; make one with "
                               "`python -m assessment hash-password`")
        accounts[str(name)] = Account(str(name), password_hash, _roles(entry.get("roles", ()), where))
    return accounts


def authenticate(accounts: Mapping[str, Account], name: str, password: str) -> User | None:
    """The :class:`User` for a correct name and password, else ``None`` (same time either way)."""
    account = accounts.get((name or "").strip())
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if account is None:  # pragma: no cover - the dummy hash never matches a real password
        return None
    return User(account.name, account.roles, "password")


def roles_from_oidc(claims: Mapping, config: Mapping | None) -> frozenset[str]:
    """Staff roles of an OIDC user from the claims the provider sent and the ``[bedarfsatlas.oidc]`` config.

    Roles named in ``config["role_claim"]`` (a list, or a space/comma separated
    string) count when they are known roles; ``config["users"]`` maps an e-mail
    address or ``sub`` to roles. Anything else is ignored: an unknown user is a
    resident.

    >>> roles_from_oidc({"email": "a@b.de", "roles": ["planner", "offline_access"]}, {"role_claim": "roles"})
    frozenset({'planner'})
    >>> sorted(roles_from_oidc({"email": "A@b.de"}, {"users": {"a@b.de": ["moderator", "admin"]}}))
    ['admin', 'moderator']
    """
    config = config or {}
    roles: set[str] = set()
    claim = config.get("role_claim")
    if claim:
        value = claims.get(claim) or ()
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        roles |= {str(r) for r in value} & set(STAFF_ROLES)
    users = {str(k).lower(): v for k, v in dict(config.get("users", {}) or {}).items()}
    for key in ("email", "sub", "preferred_username"):
        who = claims.get(key)
        if who and str(who).lower() in users:
            roles |= _roles(users[str(who).lower()], f"secrets [bedarfsatlas.oidc.users] {who!r}")
    return frozenset(roles)


def oidc_user(claims: Mapping, config: Mapping | None) -> User:
    """The :class:`User` of a signed-in OIDC identity (a resident if it has no staff role)."""
    roles = roles_from_oidc(claims, config)
    name = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "oidc-user")
    return User(name, roles or frozenset({"resident"}), "oidc")


#: After this many failed sign-ins for one account name within :data:`SIGNIN_WINDOW_S`, the name waits.
SIGNIN_MAX_FAILURES = 5
SIGNIN_WINDOW_S = 900.0


class SignInThrottle:
    """Slows down password guessing: after ``max_failures`` failed sign-ins for one account name
    within ``window_s`` seconds, further attempts for that name wait until the window has passed.

    Kept in the needs database (:class:`assessment.limits.SharedLimiter`, kind ``signin``), so
    guesses on every app instance count together and a restart forgets nothing. Keyed by the
    SHA-256 of the account name typed in (trimmed, lower case), never by an IP address; the rows
    are deleted once they leave the window. The price: someone can keep a known account name
    locked by failing on purpose; the account's owner then waits or signs in through OIDC.

    The page calls :meth:`attempt` before it checks the password: the check and the count
    happen in one transaction, and the attempt counts as a failure until :meth:`succeeded`
    clears the name, so parallel guesses on several instances cannot pass the limit together.

    >>> from datetime import datetime, timedelta, timezone
    >>> from assessment.store import open_store
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
