"""Interface texts: counting texts pick the singular for exactly one, in both languages;
a new visitor gets the link's language, else the browser's, else the configured one;
escaped text never becomes a link."""

from __future__ import annotations

import re

import pytest

from core.i18n import WORD_JOINER, escape_markdown, interface_language, t


@pytest.mark.parametrize(
    ("key", "lang", "n", "expected"),
    [
        ("live.count", "de", 1, "1 Meldung"),
        ("live.count", "de", 2, "2 Meldungen"),
        ("live.count", "de", 0, "0 Meldungen"),
        ("live.count", "de", 1500, "1.500 Meldungen"),
        ("live.count", "en", 1, "1 need"),
        ("live.count", "en", 1500, "1,500 needs"),
        ("moderation.count", "de", 1, "1 Bedarf wartet auf eine Entscheidung."),
        ("moderation.count", "de", 3, "3 Bedarfe warten auf eine Entscheidung."),
        ("moderation.count", "en", 1, "1 need is waiting for a decision."),
        ("workshop.round_open", "de", 1, "Eine Runde läuft: 1 Punkt pro Person."),
        ("workshop.round_open", "de", 5, "Eine Runde läuft: 5 Punkte pro Person."),
    ],
)
def test_counting_texts_use_the_singular_for_exactly_one(key, lang, n, expected):
    assert t(key, lang, n=n) == expected


def test_a_counting_text_refuses_a_count_that_is_no_number():
    with pytest.raises(TypeError, match=r"'live.count' counts something: pass the count as a number n=…, got n='1'"):
        t("live.count", "de", n="1")
    with pytest.raises(TypeError, match="got n=None"):
        t("live.count", "de")


@pytest.mark.parametrize(
    ("link", "accept_language", "locale", "default", "expected"),
    [
        # The browser's first offered language, its region ignored.
        (None, "en-GB,en;q=0.9,de;q=0.8", "en-GB", "de", "en"),
        (None, "de-AT", None, "en", "de"),
        (None, "EN-us", None, "de", "en"),
        # Not offered: the configured language, never a guess.
        (None, "pl-PL", "pl-PL", "de", "de"),
        (None, "pl-PL", "pl-PL", "en", "en"),
        # A later language the browser also reads counts, in the order of its q-values.
        (None, "pl-PL,pl;q=0.9,en;q=0.8,de;q=0.7", None, "de", "en"),
        (None, "de;q=0.5,en;q=0.9", None, "de", "en"),
        (None, "fr, en;q=0.6, de;q=0.8", None, "en", "de"),
        # Equal q: the order written.
        (None, "en;q=0.8,de;q=0.8", None, "de", "en"),
        # q=0 is "not this one"; the wildcard, malformed and empty entries name no language.
        (None, "en;q=0,de;q=0.1", None, "en", "de"),
        (None, "en;q=0", None, "de", "de"),
        (None, "*,en;q=0.5", None, "de", "en"),
        (None, "en;q=abc,de;q=0.2", None, "en", "de"),
        (None, "en;q=2", None, "de", "de"),
        (None, ", ;q=1,", None, "en", "en"),
        # No header (or none offered): navigator.language, then the default.
        (None, None, "en-GB", "de", "en"),
        (None, "", "en_GB", "de", "en"),
        (None, "pl", "en-US", "de", "en"),
        (None, None, None, "en", "en"),
        # The link's ?sprache= wins when offered; an unknown one is ignored.
        ("de", "en-GB,en;q=0.9", "en-GB", "en", "de"),
        ("en", "de-DE", "de-DE", "de", "en"),
        ("pl", "en-GB", None, "de", "en"),
        ("", "de-DE", None, "en", "de"),
        ("EN", None, None, "de", "de"),  # the radio's values are lower case; so are links the app writes
    ],
)
def test_a_new_visitor_gets_the_links_else_the_browsers_else_the_configured_language(
    link, accept_language, locale, default, expected
):
    assert interface_language(link, accept_language, locale, default) == expected


def test_only_offered_languages_are_chosen():
    assert interface_language(None, "tr-TR,en;q=0.5", None, "de", offered=("de", "tr")) == "tr"
    assert interface_language("en", None, None, "de", offered=("de", "tr")) == "de"


# What Streamlit's Markdown renderer (remark-gfm's autolink literals, as bundled in streamlit 1.67:
# static/js/StreamlitMarkdown.*.js) turns into links, run on the text once the backslash escapes
# are read. Python's re has no \p{P}: a non-word, non-space character stands in for punctuation.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"(?:(?<=^)|(?<=[\s\W]))([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
READ_ESCAPES = re.compile(r"\\(.)")


def as_rendered(markdown: str) -> str:
    """The text the renderer searches for autolinks: the escapes read, so ``\\:`` is ``:`` again."""
    return READ_ESCAPES.sub(r"\1", markdown)


@pytest.mark.parametrize("resident_text", [
    "Infos auf http://example.org",
    "https://example.org/a?b=c#d",
    "HTTP://EXAMPLE.ORG",
    "siehe www.example.org",
    "(www.example.org)",
    "http://www.example.org",  # a www. inside a URL would be linked on its own
    "Schreiben Sie an info@example.org",
    "mailto:info@example.org",
    "xmpp:kiez@example.org",
    "[Seite](https://example.org)",
])
def test_escaped_text_holds_no_autolink_and_reads_the_same(resident_text):
    escaped = escape_markdown(resident_text)
    shown = as_rendered(escaped)
    assert GFM_URL.search(as_rendered(resident_text)) or GFM_EMAIL.search(as_rendered(resident_text))
    assert not GFM_URL.search(shown), shown
    assert not GFM_EMAIL.search(shown), shown
    assert shown.replace(WORD_JOINER, "") == resident_text  # on screen, nothing else changed


@pytest.mark.parametrize("plain", ["Wwwandern am See", "httpd läuft", "Bänke: 3 Stück", "www-Seite", "http:/kaputt"])
def test_escaping_adds_no_word_joiner_where_no_link_would_start(plain):
    assert as_rendered(escape_markdown(plain)) == plain
