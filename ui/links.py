"""Absolute links into the app as people outside the server see it (QR codes, join links).

A QR code on the projector must lead phones to an address they can open. The
operator's ``BEDARFSATLAS_PUBLIC_URL`` (the app's root as phones reach it) wins.
Without it, the page's own address (Streamlit's ``st.context.url``) gives the
scheme and host; the app's root is that host plus ``server.baseUrlPath``. The
page path is not used: after moving between pages in the app, Streamlit still
reports the address the browser first connected to (e.g. ``/anmelden``). On a
laptop that runs the app that host is ``localhost``, which no phone can open:
:func:`phones_cannot_open` says when to tell the facilitator.

Examples
--------
>>> app_link("http://192.168.0.5:8501/anmelden", "", "/melden?workshop=AB12CD")
'http://192.168.0.5:8501/melden?workshop=AB12CD'
>>> app_link("https://beteiligung.berlin.de/bedarfsatlas/workshop", "/bedarfsatlas/", "/live?workshop=AB12CD")
'https://beteiligung.berlin.de/bedarfsatlas/live?workshop=AB12CD'
>>> app_link("http://localhost:8501/workshop", "", "/melden?workshop=AB12CD", public_url="https://atlas.example.org/app")
'https://atlas.example.org/app/melden?workshop=AB12CD'
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

#: Host names that name the machine itself: a link with one works only on the machine that runs the app.
LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "0.0.0.0", "::"})


def app_link(page_url: str | None, base_path: str | None, path: str, public_url: str | None = None) -> str:
    """``path`` (starting with ``/``) under the app's public root, else under the root on the host of ``page_url``.

    ``public_url`` is the operator's root (already checked by :mod:`core.settings`): the
    reverse proxy's prefix is in it, so ``base_path`` is not added again. Without either
    (a test, a script) the link stays relative: ``path`` under the base path.
    """
    if not path.startswith("/"):
        raise ValueError(f"path must start with '/', got {path!r}")
    if public_url:
        return f"{public_url.rstrip('/')}{path}"
    prefix = "/" + base_path.strip("/") if base_path and base_path.strip("/") else ""
    parts = urlsplit(page_url or "")
    if not (parts.scheme and parts.netloc):
        return f"{prefix}{path}"
    return f"{parts.scheme}://{parts.netloc}{prefix}{path}"


def is_local_host(host: str | None) -> bool:
    """Whether ``host`` names the machine itself (``localhost``, ``127.0.0.1``, ``::1``, …).

    >>> [is_local_host(h) for h in ("localhost", "LOCALHOST", "127.0.0.2", "::1", "192.168.0.5", "atlas.berlin.de")]
    [True, True, True, True, False, False]
    """
    if not host:
        return False
    name = host.strip("[]").rstrip(".").lower()
    if name in LOCAL_HOSTS or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def phones_cannot_open(page_url: str | None, public_url: str | None) -> bool:
    """True when join links would point at the machine itself: no public address set, the page on ``localhost``.

    >>> phones_cannot_open("http://localhost:8501/workshop", None)
    True
    >>> phones_cannot_open("http://localhost:8501/workshop", "https://atlas.example.org")
    False
    >>> phones_cannot_open("http://192.168.0.5:8501/workshop", None), phones_cannot_open(None, None)
    (False, False)
    """
    if public_url:
        return False
    try:
        host = urlsplit(page_url or "").hostname
    except ValueError:
        return False
    return is_local_host(host)
