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

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from typing import Mapping
from urllib.parse import urlsplit

from assessment.participation.auth import SecretsError, oidc_role_map
from core.i18n import t

#: Streamlit 1.67 refuses older Authlib versions (``streamlit.auth_util.is_authlib_installed``).
AUTHLIB_MINIMUM = (1, 3, 2)
#: A shorter ``cookie_secret`` could be guessed, and with it any identity and its roles forged.
COOKIE_SECRET_MIN_CHARS = 32
#: What Streamlit's default provider needs besides ``redirect_uri`` and ``cookie_secret``.
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
CALLBACK_PATH = "/oauth2callback"


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
