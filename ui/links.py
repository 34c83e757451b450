"""Absolute links into the app as people outside the server see it (QR codes, join links).

A QR code on the projector must lead phones to the same host the facilitator's
browser uses. The page's own address (Streamlit's ``st.context.url``) gives the
scheme and host; the app's root is that host plus ``server.baseUrlPath``. The
page path is not used: after moving between pages in the app, Streamlit still
reports the address the browser first connected to (e.g. ``/anmelden``).

Examples
--------
>>> app_link("http://192.168.0.5:8501/anmelden", "", "/melden?workshop=AB12CD")
'http://192.168.0.5:8501/melden?workshop=AB12CD'
>>> app_link("https://beteiligung.berlin.de/bedarfsatlas/workshop", "/bedarfsatlas/", "/live?workshop=AB12CD")
'https://beteiligung.berlin.de/bedarfsatlas/live?workshop=AB12CD'
"""

from __future__ import annotations

from urllib.parse import urlsplit


def app_link(page_url: str | None, base_path: str | None, path: str) -> str:
    """``path`` (starting with ``/``) under the app's root on the host of ``page_url``.

    Without a page address (a test, a script) the link stays relative: ``path`` under the base path.
    """
    if not path.startswith("/"):
        raise ValueError(f"path must start with '/', got {path!r}")
    prefix = "/" + base_path.strip("/") if base_path and base_path.strip("/") else ""
    parts = urlsplit(page_url or "")
    if not (parts.scheme and parts.netloc):
        return f"{prefix}{path}"
    return f"{parts.scheme}://{parts.netloc}{prefix}{path}"
