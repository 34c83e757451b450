"""Whether single sign-on can work with the secrets as they are, and what to fix if not.

Streamlit's ``st.login`` reads an ``[auth]`` section from the app's secrets
(``.streamlit/secrets.toml``). When a key is missing it raises at the click,
and when Authlib is not installed it raises ``StreamlitMissingAuthlibError``:
a crash in front of the member of staff who wanted to sign in, with nothing
that says what to do. :func:`oidc_setup_problems` checks the same things
before the sign-in page offers the button, plus what Streamlit does not
check (a ``redirect_uri`` that cannot be the app's callback, a short cookie
secret, the role mapping ``[bedarfsatlas.oidc]``), and returns each problem
as a :class:`SetupProblem` whose message names what is missing and how to
fix it, in the interface's languages (texts ``auth.setup.*`` in
:mod:`core.i18n`). Secret values never appear in a message.

A well-formed ``[auth]`` can still name a provider that is not there: a
``server_metadata_url`` nobody answers at, or that answers with something other
than the provider's discovery document. Streamlit then ends the click on its
bare "Authentication error" page. :func:`provider_problems` fetches that
document the way Streamlit would (from this server, with a timeout of
:data:`METADATA_TIMEOUT_S`), at most once per :data:`METADATA_CACHE_S` per
address, and names what is wrong; the sign-in page asks it only when nothing
else blocks single sign-on.

The app uses Streamlit's default provider: ``client_id``, ``client_secret``
and ``server_metadata_url`` directly in ``[auth]`` (or in ``[auth.default]``).

Examples
--------
>>> complete = {"auth": {"redirect_uri": "https://atlas.example.berlin/oauth2callback",
...                      "cookie_secret": "x" * 40, "client_id": "bedarfsatlas", "client_secret": "s",
...                      "server_metadata_url": "https://login.example.berlin/.well-known/openid-configuration"},
...             "bedarfsatlas": {"oidc": {"role_claim": "roles"}}}
>>> oidc_setup_problems(complete, authlib_version="1.9.10")
[]
>>> del complete["auth"]["cookie_secret"]
>>> [p.message("en") for p in oidc_setup_problems(complete, authlib_version="1.9.10")]
['`[auth]` has no `cookie_secret`: a long random secret that signs the sign-in cookie, e.g. the output of `python -c "import secrets; print(secrets.token_urlsafe(32))"`.']
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from typing import Mapping
from urllib.parse import urlsplit, urlunsplit

from assessment.participation.auth import SecretsError, oidc_role_map
from core.i18n import t

#: Streamlit 1.67 refuses older Authlib versions (``streamlit.auth_util.is_authlib_installed``).
AUTHLIB_MINIMUM = (1, 3, 2)
#: A shorter ``cookie_secret`` could be guessed, and with it any identity and its roles forged.
COOKIE_SECRET_MIN_CHARS = 32
#: What Streamlit's default provider needs besides ``redirect_uri`` and ``cookie_secret``.
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
CALLBACK_PATH = "/oauth2callback"
#: Seconds the sign-in page waits for the provider's discovery document before calling it unreachable.
METADATA_TIMEOUT_S = 3.0
#: Seconds an answer of the provider (good or bad) is kept: each address is asked at most once a minute.
METADATA_CACHE_S = 60.0
#: What Streamlit's sign-in needs from the discovery document (where to send the browser, where to get tokens).
METADATA_KEYS = ("authorization_endpoint", "token_endpoint")
#: A discovery document is a few kB; more is not one.
_METADATA_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class SetupProblem:
    """One thing that keeps single sign-on from working (``blocking``) or from granting roles.

    ``key`` names the text in :mod:`core.i18n`; ``values`` fill its placeholders (``name``,
    a key of ``[auth]``, also fills ``what`` with what that key is for; a value with an
    ``in_language`` method, such as an error, is shown in the note's language).
    A blocking problem makes ``st.login`` fail, so the sign-in page does not offer
    the button while it stands.
    """

    key: str
    values: Mapping[str, object] = field(default_factory=dict)
    blocking: bool = True

    def message(self, lang: str) -> str:
        """What is wrong and how to fix it, in ``lang``."""
        values = dict(self.values)
        if "name" in values:  # what the named key of [auth] is for, in the same language
            values.setdefault("what", t(f"auth.setup.key.{values['name']}", lang))
        return t(self.key, lang, **values)


@lru_cache(maxsize=1)
def installed_authlib_version() -> str | None:
    """The installed Authlib's version, or ``None`` when it is missing."""
    try:
        return metadata.version("Authlib")
    except metadata.PackageNotFoundError:
        return None


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _shown(value: object) -> str:
    """An operator's (non-secret) value for a message in a code span: no backticks, not too long."""
    text = str(value).replace("`", "'")
    return text if len(text) <= 120 else text[:117] + "..."


def _absolute_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    except ValueError:
        return False


def oidc_setup_problems(secrets: Mapping, authlib_version: str | None | object = ...) -> list[SetupProblem]:
    """What keeps single sign-on from working with these secrets; empty when nothing does.

    Parameters
    ----------
    secrets
        All of the app's secrets (``st.secrets.to_dict()``): the ``[auth]``
        section and ``[bedarfsatlas]`` with its ``oidc`` role mapping.
    authlib_version
        The installed Authlib's version, ``None`` for none; by default the one
        this Python has (tests pass it to check both cases).

    Returns
    -------
    list of SetupProblem
        Nothing for secrets without ``[auth]`` and without ``[bedarfsatlas.oidc]``:
        single sign-on is simply not used. A role mapping without ``[auth]`` is a
        problem (someone meant to set it up); so is a mapping that grants no role
        or is malformed (not blocking: signing in works, only without staff roles).
    """
    if authlib_version is ...:
        authlib_version = installed_authlib_version()
    auth = secrets.get("auth")
    role_section = (secrets.get("bedarfsatlas") or {}).get("oidc") if isinstance(
        secrets.get("bedarfsatlas"), Mapping) else None
    if auth is None:
        return [SetupProblem("auth.setup.no_auth")] if role_section is not None else []
    if not isinstance(auth, Mapping):
        return [SetupProblem("auth.setup.not_a_table")]

    problems: list[SetupProblem] = []
    if authlib_version is None or _version_tuple(str(authlib_version)) < AUTHLIB_MINIMUM:
        problems.append(SetupProblem("auth.setup.authlib", {
            "found": _shown(authlib_version) if authlib_version else "-",
            "minimum": ".".join(map(str, AUTHLIB_MINIMUM))}))

    redirect_uri = auth.get("redirect_uri")
    if not redirect_uri:
        problems.append(SetupProblem("auth.setup.missing", {"name": "redirect_uri"}))
    elif not (_absolute_http_url(redirect_uri) and urlsplit(redirect_uri.strip()).path == CALLBACK_PATH):
        problems.append(SetupProblem("auth.setup.redirect_uri", {"value": _shown(redirect_uri)}))

    cookie_secret = auth.get("cookie_secret")
    if not cookie_secret:
        problems.append(SetupProblem("auth.setup.missing", {"name": "cookie_secret"}))
    elif len(str(cookie_secret)) < COOKIE_SECRET_MIN_CHARS:
        problems.append(SetupProblem("auth.setup.cookie_secret_short", {"n": str(COOKIE_SECRET_MIN_CHARS)}))

    provider = auth.get("default") if isinstance(auth.get("default"), Mapping) else auth
    for key in PROVIDER_KEYS:
        if not provider.get(key):
            problems.append(SetupProblem("auth.setup.missing", {"name": key}))
    metadata_url = provider.get("server_metadata_url")
    if metadata_url and not _absolute_http_url(metadata_url):
        problems.append(SetupProblem("auth.setup.metadata_url", {"value": _shown(metadata_url), "name": "server_metadata_url"}))

    try:
        mapping = oidc_role_map(role_section)
    except SecretsError as error:
        problems.append(SetupProblem("auth.setup.roles", {"detail": _ShownDetail(error)}, blocking=False))
    else:
        if not (mapping.role_claim or mapping.emails or mapping.subjects):
            problems.append(SetupProblem("auth.setup.no_roles", blocking=False))
    return problems


@dataclass(frozen=True)
class _ShownDetail:
    """The role mapping's own message (it names the entry and the fix) for a note in a language.

    It holds e-mail addresses and subject ids, never a secret; backticks become quotes, as
    the note sets it inside its own text.
    """

    error: SecretsError

    def in_language(self, lang: str) -> str:
        return self.error.in_language(lang).replace("`", "'")


def oidc_usable(problems: list[SetupProblem]) -> bool:
    """Whether the sign-in page may offer the single sign-on button: no blocking problem."""
    return not any(problem.blocking for problem in problems)


# --- the provider itself ---------------------------------------------------------------------------


def provider_metadata_url(secrets: Mapping) -> str | None:
    """The configured provider's ``server_metadata_url`` if it is a full http(s) address, else ``None``.

    >>> provider_metadata_url({"auth": {"default": {"server_metadata_url": "https://login.example/x"}}})
    'https://login.example/x'
    >>> provider_metadata_url({"auth": {"server_metadata_url": "login.example"}}) is None
    True
    """
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        return None
    provider = auth.get("default") if isinstance(auth.get("default"), Mapping) else auth
    url = provider.get("server_metadata_url")
    return url.strip() if _absolute_http_url(url) else None


_checked: dict[str, tuple[float, SetupProblem | None]] = {}
_checked_lock = threading.Lock()


def forget_provider_checks() -> None:
    """Forget every provider's answer: the next :func:`provider_problems` asks again (for tests)."""
    with _checked_lock:
        _checked.clear()


def _fetch_metadata(url: str, timeout: float) -> bytes:
    """The body at ``url`` (raises ``urllib.error.URLError``, ``OSError`` or ``ValueError`` when there is none)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the operator's http(s) URL)
        return response.read(_METADATA_MAX_BYTES)


def _without_credentials(url: str) -> str:
    """``url`` for a message: a user name or password in it left out."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def _why_unreachable(error: BaseException) -> str:
    """A short, technical reason (the system's words, as an operator would search for them)."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _check_provider(url: str) -> SetupProblem | None:
    shown = {"value": _shown(_without_credentials(url))}
    try:
        body = _fetch_metadata(url, METADATA_TIMEOUT_S)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return SetupProblem("auth.setup.metadata_unreachable", {**shown, "reason": _shown(_why_unreachable(error))})
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not (isinstance(document, dict) and all(isinstance(document.get(key), str) for key in METADATA_KEYS)):
        return SetupProblem("auth.setup.metadata_invalid", shown)
    return None


def provider_problems(url: str | None, *, now: float | None = None) -> list[SetupProblem]:
    """What keeps the provider at ``url`` (its discovery address) from signing anyone in; empty when nothing.

    The document is fetched from this server, as Streamlit does at the click, and
    each answer is kept for :data:`METADATA_CACHE_S` seconds (``now``: a
    :func:`time.monotonic` reading, for tests), so a page that is opened often
    asks the provider at most once a minute. A provider that was down shows as
    fixed within that minute. ``None`` (no usable address) is not looked up.
    """
    if url is None:
        return []
    now = time.monotonic() if now is None else now
    with _checked_lock:
        kept = _checked.get(url)
    if kept is not None and now - kept[0] < METADATA_CACHE_S:
        problem = kept[1]
    else:
        problem = _check_provider(url)
        with _checked_lock:
            _checked[url] = (now, problem)
    return [problem] if problem is not None else []
