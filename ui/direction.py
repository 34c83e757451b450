"""The page's language and writing direction: ``<html lang="ar" dir="rtl">`` for Arabic.

Streamlit writes ``<html lang="en">`` whatever the app's language, and has no setting
for the direction. :func:`direction_script` gives one fixed script per language that
sets both on the page's root element; rendered on every run, it runs again only when
the language changes (Streamlit keeps an element whose HTML is unchanged). With
``dir="rtl"`` the browser lays out the whole page right to left: text, form order,
the menu, legends and tables. The maps keep left-to-right, as they should: each is a
document of its own in an iframe, so Leaflet's zoom buttons and attribution stay where
map users look for them. Screen readers pick the voice from ``lang``.
"""

from __future__ import annotations

from core.i18n import LANGUAGES, html_language, text_direction


def direction_script(lang: str) -> str:
    """The fixed script that marks the page as written in ``lang``; no user text.

    >>> direction_script("ar")
    '<script>document.documentElement.lang = "ar"; document.documentElement.dir = "rtl";</script>'
    >>> direction_script("ls")
    '<script>document.documentElement.lang = "de"; document.documentElement.dir = "ltr";</script>'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return (f'<script>document.documentElement.lang = "{html_language(lang)}"; '
            f'document.documentElement.dir = "{text_direction(lang)}";</script>')
