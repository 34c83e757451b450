"""Sign a staff user into an AppTest of ``app.py`` as the sign-in page would.

``app.py`` checks the signed-in user again on every run (:mod:`ui.sign_in`): a
built-in account's sign-in holds only while the account is in the secrets with
the password it had at sign-in and its roles. A test that only put a
:class:`~assessment.participation.auth.User` into the session state would be
signed out on the first run, as a forged session should. :func:`sign_in_as`
puts the account into the test's secrets and its password fingerprint into the
session, as :func:`ui.sign_in.keep_sign_in` does. The hash is a placeholder:
nobody types a password here, and only its fingerprint is compared.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from assessment.participation.auth import Account, User, account_fingerprint

#: Stands in for an argon2 hash (accounts_from_secrets checks the prefix); no password matches it.
PLACEHOLDER_HASH = "$argon2id$v=19$m=65536,t=3,p=4$dGVzdC1vbmx5$bm8tcGFzc3dvcmQtbWF0Y2hlcy10aGlz"


def sign_in_as(at: AppTest, user: User) -> AppTest:
    """Make ``user`` (a built-in account's sign-in) the signed-in user of ``at``; returns ``at``."""
    if user.via != "password":
        raise ValueError(f"sign_in_as signs in built-in accounts, got {user.via!r}: set at.user for OIDC")
    section = at.secrets.setdefault("bedarfsatlas", {})
    section.setdefault("accounts", {})[user.name] = {"password_hash": PLACEHOLDER_HASH, "roles": sorted(user.roles)}
    at.session_state["user"] = user
    at.session_state["staff_fingerprint"] = account_fingerprint(Account(user.name, PLACEHOLDER_HASH, user.roles))
    return at
