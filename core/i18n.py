"""Interface texts from gettext catalogues, and numbers formatted for the language.

Every text the app shows lives in ``core/locale``: the template ``bedarfsatlas.pot``
(German, the source language) and one catalogue per language,
``core/locale/<code>/LC_MESSAGES/bedarfsatlas.po``, the files translators open in
Poedit or Weblate. A message's ``msgctxt`` is its stable key (``nav.overview``), its
``msgid`` the German text, and a ``#. scope:`` comment says who reads it:
``residents`` (the residents' pages: every language, also Leichte Sprache),
``public`` (every public page: German, English, Turkish, Arabic, Ukrainian) or
``staff`` (pages behind the staff sign-in: German and English). The install step
compiles the catalogues (``pybabel compile -d core/locale -D bedarfsatlas``); a
catalogue whose ``.mo`` is missing or older than its ``.po`` is read from the ``.po``.
See docs/translations.md.

Examples
--------
>>> t("nav.overview", "de")
'Übersichtskarte'
>>> t("nav.overview", "en")
'Overview map'
>>> t("legend.count", "de", n=3)
'3 Gebiete'
>>> format_number(1234.5, 1, "de")
'1.234,5'
>>> format_number(1234.5, 1, "en")
'1,234.5'

A text that counts something has the plural forms of its language (two in German,
six in Arabic); pass the count as ``n`` (a number) and ``t`` picks the form and
formats ``n``:

>>> t("live.count", "de", n=1), t("live.count", "de", n=1200)
('1 Meldung', '1.200 Meldungen')
"""

from __future__ import annotations

import gettext
import math
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

#: Where the catalogues live, and their gettext domain.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "bedarfsatlas"

#: The interface languages, German (the source) first. ``ls`` is Leichte Sprache, German
#: easy-to-read language (no ISO code of its own; ``ls`` is none of ISO 639-1's).
LANGUAGES = ("de", "en", "tr", "ar", "uk", "ls")
#: Each language in its own words, as the language menu shows it.
LANGUAGE_NAMES = {
    "de": "Deutsch", "en": "English", "tr": "Türkçe", "ar": "العربية", "uk": "Українська",
    "ls": "Leichte Sprache",
}
#: Who reads a message (its ``#. scope:`` comment) and the languages each must exist in.
SCOPES = {
    "residents": LANGUAGES,
    "public": ("de", "en", "tr", "ar", "uk"),
    "staff": ("de", "en"),
}
#: Languages written right to left.
RIGHT_TO_LEFT = frozenset({"ar"})
#: The locale whose numbers, dates and plural rules a language uses, where it is not its own code.
_BABEL_LOCALE = {"ls": "de"}


@dataclass(frozen=True)
class Catalogue:
    """The texts of one language: message key -> text, or the plural forms of a counting text."""

    language: str
    texts: dict[str, str | tuple[str, ...]]
    plural: object  # n -> index of the plural form

    def __contains__(self, key: str) -> bool:
        return key in self.texts


class MissingTextError(KeyError):
    """A text key that is in no catalogue."""


_LOCK = threading.Lock()


def catalogue_path(lang: str, suffix: str = ".po") -> Path:
    """``core/locale/<lang>/LC_MESSAGES/bedarfsatlas.po`` (or ``.mo``)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> Catalogue:
    """The compiled catalogue of ``lang``, read once per process.

    The ``.mo`` that the install step compiled is read when it is at least as new as
    the ``.po``; otherwise (a fresh checkout, a translator's edit) the ``.po`` itself.
    A language without a catalogue is empty: its texts fall back to German.

    >>> catalogue("en").texts["nav.overview"]
    'Overview map'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    po, mo = catalogue_path(lang), catalogue_path(lang, ".mo")
    with _LOCK:
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as f:
                read = read_mo(f)
        elif po.exists():
            with po.open("rb") as f:
                read = read_po(f, locale=None, domain=DOMAIN)
        else:
            return Catalogue(lang, {}, _plural_function(lang))
    texts: dict[str, str | tuple[str, ...]] = {}
    for message in read:
        if not message.id or not message.context or message.fuzzy:
            continue
        if isinstance(message.id, (list, tuple)):
            forms = tuple(message.string)
            if all(forms):
                texts[message.context] = forms
        elif message.string:
            texts[message.context] = message.string
    return Catalogue(lang, texts, _plural_function(lang))


def _plural_function(lang: str):
    from babel.messages.plurals import get_plural

    return gettext.c2py(get_plural(babel_locale(lang)).plural_expr)


def babel_locale(lang: str) -> str:
    """The Babel locale whose numbers, dates and plural rules ``lang`` follows.

    >>> babel_locale("ls"), babel_locale("ar")
    ('de', 'ar')
    """
    return _BABEL_LOCALE.get(lang, lang)


def html_language(lang: str) -> str:
    """The ``lang`` attribute of a page in ``lang`` (Leichte Sprache is German).

    >>> html_language("ls"), html_language("tr")
    ('de', 'tr')
    """
    return _BABEL_LOCALE.get(lang, lang)


def text_direction(lang: str) -> str:
    """``rtl`` for a language written right to left, else ``ltr``.

    >>> text_direction("ar"), text_direction("uk")
    ('rtl', 'ltr')
    """
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def has_text(key: str) -> bool:
    """Whether ``key`` is a message of the German source catalogue."""
    return key in catalogue("de")


def text_forms(key: str, lang: str) -> tuple[str, ...]:
    """The raw forms of ``key`` in ``lang`` (one, or the plural forms), before placeholders are filled."""
    entry = _entry(key, lang)
    return entry if isinstance(entry, tuple) else (entry,)


def plural_index(lang: str, n: float) -> int:
    """Which plural form of ``lang`` a count ``n`` takes (gettext order); fractions take the last."""
    if not float(n).is_integer():
        return _form_count(lang) - 1
    return catalogue(lang).plural(int(abs(n)))


def _form_count(lang: str) -> int:
    from babel.messages.plurals import get_plural

    return get_plural(babel_locale(lang)).num_plurals


def _entry(key: str, lang: str) -> str | tuple[str, ...]:
    entry = catalogue(lang).texts.get(key) if lang in LANGUAGES else None
    if entry is None:
        entry = catalogue("de").texts.get(key)
        lang = "de"
        if entry is None:
            raise MissingTextError(
                f"no text {key!r} in core/locale: add it to bedarfsatlas.pot and the catalogues "
                "(German and English at least; see docs/translations.md)")
    return entry


def plural_cases(key: str, lang: str) -> dict[str, str]:
    """The forms of counting text ``key`` by CLDR plural category, for scripts (``Intl.PluralRules``).

    >>> plural_cases("live.count", "de")
    {'other': '{n} Meldungen', 'one': '{n} Meldung'}
    """
    forms = text_forms(key, lang)
    found = lang if isinstance(catalogue(lang).texts.get(key), tuple) else "de"
    rules = Locale.parse(babel_locale(found)).plural_form
    cases: dict[str, str] = {}
    for n in range(0, 200):
        cases.setdefault(rules(n), forms[min(plural_index(found, n), len(forms) - 1)])
    return cases


def t(key: str, lang: str, /, **values: object) -> str:
    """The text ``key`` in language ``lang``, with ``{placeholders}`` filled from ``values``.

    A text missing in ``lang`` (an unknown language, or a staff text in Turkish) falls
    back to German, the source; an unknown key is a bug and raises
    :class:`MissingTextError` naming it. A counting text needs the count as ``n``: the
    language's plural rule picks the form, and ``n`` is shown formatted for the language.

    Examples
    --------
    >>> t("overview.selected", "en", name="Moabit", id="0120", value="12.5 %")
    'Selected: Moabit (0120): 12.5 %'
    >>> t("moderation.count", "en", n=1)
    '1 need is waiting for a decision.'

    ``key`` and ``lang`` are positional, so a text may have placeholders of those names.
    A value that is itself a :class:`Message` (or an error carrying one) is shown in ``lang``.
    """
    values = {name: in_language(value, lang) if _translatable(value) else value
              for name, value in values.items()}
    entry = _entry(key, lang)
    if isinstance(entry, tuple):
        count = values.get("n")
        if isinstance(count, bool) or not isinstance(count, (int, float)):
            raise TypeError(f"text {key!r} counts something: pass the count as a number n=…, got n={count!r}")
        found = lang if isinstance(catalogue(lang).texts.get(key) if lang in LANGUAGES else None, tuple) else "de"
        text = entry[min(plural_index(found, count), len(entry) - 1)]
        values = {**values, "n": format_number(count, 0 if float(count).is_integer() else 1, lang)}
    else:
        text = entry
    return text.format(**values) if values else text


class Message:
    """A text of the catalogues not yet put into a language: its key and the values of its placeholders.

    Errors carry one, so that the command line (or a page) shows them in the reader's
    language at its edge, while ``str()`` gives English, the language of logs and of the
    tracebacks that operators search for. Values may be messages themselves.

    >>> missing = Message("settings.error.whole_number", name="BEDARFSATLAS_MIN_NEEDS", minimum=0, value="'x'")
    >>> str(missing)
    "BEDARFSATLAS_MIN_NEEDS must be a whole number >= 0, got 'x'."
    >>> missing.in_language("de")
    "BEDARFSATLAS_MIN_NEEDS muss eine ganze Zahl >= 0 sein, nicht 'x'."
    """

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: object):
        self.key, self.values = key, values

    def in_language(self, lang: str) -> str:
        """The text in ``lang`` (German where ``lang`` lacks it), placeholders filled."""
        return t(self.key, lang, **self.values)

    def __str__(self) -> str:
        return self.in_language("en")

    def __repr__(self) -> str:
        values = "".join(f", {name}={value!r}" for name, value in self.values.items())
        return f"Message({self.key!r}{values})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.values) == (other.key, other.values)

    __hash__ = None  # values may be lists


class TranslatedError(Exception):
    """An error whose text is a :class:`Message`: ``str()`` is English, :meth:`in_language` any language.

    >>> error = TranslatedError(Message("cli.argparse.expected_one"))
    >>> str(error), error.in_language("de")
    ('expected one argument', 'erwartet ein Argument')
    """

    def __init__(self, message: Message | str, *args: object):
        self.message = message
        super().__init__(str(message), *args)

    def in_language(self, lang: str) -> str:
        """The error's text in ``lang``; a plain-text error as written."""
        return in_language(self.message, lang)


class NotFoundError(TranslatedError, KeyError):
    """A lookup by id that found nothing: a ``KeyError`` (``args[0]`` and :attr:`key` are the id
    looked for) whose message names it; ``str()`` is the sentence, not a quoted key.

    A subclass names its message in :attr:`message_key`, with the placeholder ``{id}``.

    >>> class NoSuchThing(NotFoundError):
    ...     message_key = "goal.error.not_found"
    >>> error = NoSuchThing("g-17")
    >>> isinstance(error, KeyError), error.args, str(error)
    (True, ('g-17',), "no goal with id 'g-17': list the goals to find its id")
    """

    message_key = ""

    def __init__(self, key: object):
        super().__init__(Message(self.message_key, id=repr(key)))
        self.key = key
        self.args = (key,)  # as a KeyError's: the key looked for (and what a copy is rebuilt from)

    def __str__(self) -> str:
        return str(self.message)


def _translatable(value: object) -> bool:
    return isinstance(value, (Message, TranslatedError)) or callable(getattr(value, "in_language", None))


def in_language(thing: object, lang: str) -> str:
    """``thing`` in ``lang`` when it is a :class:`Message` or carries one (an error), else ``str(thing)``.

    The command lines print every error through this, so an error from a library that
    knows no catalogue still shows, in its own words.

    >>> in_language(Message("cli.argparse.expected_one"), "de"), in_language(KeyError("x"), "de")
    ('erwartet ein Argument', "'x'")
    """
    render = getattr(thing, "in_language", None)
    return render(lang) if callable(render) else str(thing)


def count_areas(n: int, lang: str) -> str:
    """'1 Gebiet' / '12 Gebiete' (and English), for legends.

    >>> count_areas(1, "de"), count_areas(7, "en")
    ('1 Gebiet', '7 areas')
    """
    return t("legend.count_one", lang) if n == 1 else t("legend.count", lang, n=format_number(n, 0, lang))


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


#: U+2060 WORD JOINER: invisible and never a line break, but not a letter of a web address either.
WORD_JOINER = "\u2060"
# Where GitHub-flavoured Markdown starts a link of its own ("autolink literals"): after the scheme of
# http:// and https://, after the "www" of www., and at the "@" of an e-mail address (mailto: and
# xmpp: links need one too).
_AUTOLINK_START = re.compile(r"(?i)(?:https?(?=://)|www(?=\.)|@)")


def break_autolinks(text: str) -> str:
    """``text`` with a :data:`WORD_JOINER` wherever GitHub-flavoured Markdown would start a link of its own.

    This is what :func:`escape_markdown` shows of a text, apart from the escapes
    (tests look for it on the page).

    >>> break_autolinks("www.x.de und http://y.de").replace(WORD_JOINER, "|")
    'www|.x.de und http|://y.de'
    """
    return _AUTOLINK_START.sub(lambda found: found.group(0) + WORD_JOINER, str(text))


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown (and Streamlit directive) character backslash-escaped, and no link.

    Streamlit renders captions, table cells and headers as Markdown; residents'
    text and data such as area names or attributions must show literally, never
    become links or markup.

    >>> print(escape_markdown("[click](javascript:x) *bold* :red[x]"))
    \\[click\\]\\(javascript\\:x\\) \\*bold\\* \\:red\\[x\\]

    Backslashes are not enough against GitHub-flavoured Markdown's *autolinks*:
    Streamlit's renderer finds ``http://…``, ``https://…``, ``www.…`` and e-mail
    addresses in the text *after* the escapes are read, so ``http\\://x`` still
    became a clickable link. An invisible :data:`WORD_JOINER` after ``http``,
    ``https`` and ``www`` and after every ``@`` breaks the pattern; the text
    reads the same on screen (shown here as ``|``):

    >>> def shown(text):
    ...     return escape_markdown(text).replace(WORD_JOINER, "|")
    >>> print(shown("Infos: http://evil.example, HTTPS://x.de, www.x.de"))
    Infos\\: http|\\://evil\\.example, HTTPS|\\://x\\.de, www|\\.x\\.de
    >>> print(shown("an info@kiez.de"))
    an info@|kiez\\.de
    >>> shown("Wwwandern am See"), shown("httpd")  # only where a link would start
    ('Wwwandern am See', 'httpd')
    """
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in break_autolinks(text))


def format_number(value: float | int | None, decimals: int, lang: str) -> str:
    """``value`` with ``decimals`` places, separators of the language (Babel, CLDR); missing gives ''.

    German uses a decimal comma and a dot for thousands (``1.234,5``), English
    the opposite (``1,234.5``), Ukrainian a space for thousands. Digits stay Latin in
    every language (Arabic too), so figures read the same on the projector and in
    exports. NaN and ``None`` are missing values, not zero.

    >>> format_number(float("nan"), 1, "de")
    ''
    >>> format_number(-0.25, 2, "de")
    '-0,25'
    >>> format_number(1234.5, 1, "ar"), format_number(1234.5, 1, "uk")
    ('1,234.5', '1\xa0234,5')
    """
    if value is None:
        return ""
    try:
        if math.isnan(value):
            return ""
    except TypeError:
        raise TypeError(f"format_number needs a number, got {value!r} ({type(value).__name__})") from None
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=babel_locale(lang if lang in LANGUAGES else "de"),
                          decimal_quantization=True, group_separator=True)


#: How each language writes a day (Babel/CLDR patterns). English keeps ISO 8601, which planners'
#: spreadsheets sort; the others use their locale's own order.
_DATE_PATTERN = {"de": "dd.MM.yyyy", "en": "yyyy-MM-dd", "tr": "dd.MM.yyyy", "ar": "dd/MM/yyyy",
                 "uk": "dd.MM.yyyy", "ls": "dd.MM.yyyy"}
#: The same order for Streamlit's date picker, which knows only a few formats.
_DATE_INPUT = {"dd.MM.yyyy": "DD.MM.YYYY", "yyyy-MM-dd": "YYYY-MM-DD", "dd/MM/yyyy": "DD/MM/YYYY"}


def format_date(day, lang: str) -> str:
    """A calendar day as ``lang`` writes it (Babel).

    >>> from datetime import date
    >>> [format_date(date(2026, 3, 1), lang) for lang in ("de", "en", "ar")]
    ['01.03.2026', '2026-03-01', '01/03/2026']
    """
    from babel.dates import format_date as babel_format_date

    return babel_format_date(day, _DATE_PATTERN.get(lang, _DATE_PATTERN["de"]), locale=babel_locale(_known(lang)))


def format_datetime(moment, lang: str, *, seconds: bool = False, zone: str | None = None,
                    zone_name: bool = False) -> str:
    """A moment as ``lang`` writes it, in ``zone`` (e.g. ``Europe/Berlin``) if given; ``zone_name``
    adds the zone as the language names it (German ``MEZ``/``MESZ``, else the UTC offset).

    >>> from datetime import datetime, timezone
    >>> moment = datetime(2026, 12, 5, 14, 3, 9, tzinfo=timezone.utc)
    >>> format_datetime(moment, "de", zone="Europe/Berlin", seconds=True, zone_name=True)
    '05.12.2026, 15:03:09 MEZ'
    >>> format_datetime(moment, "en", zone="Europe/Berlin")
    '2026-12-05 15:03'
    """
    from babel.dates import format_datetime as babel_format_datetime

    lang = _known(lang)
    separator = ", " if babel_locale(lang) == "de" else " "
    pattern = _DATE_PATTERN[lang] + separator + ("HH:mm:ss" if seconds else "HH:mm") + (" z" if zone_name else "")
    return babel_format_datetime(moment, pattern, tzinfo=zone, locale=babel_locale(lang))


def date_input_format(lang: str) -> str:
    """The ``format`` of ``st.date_input`` that writes days as ``lang`` does.

    >>> date_input_format("de"), date_input_format("en"), date_input_format("ar")
    ('DD.MM.YYYY', 'YYYY-MM-DD', 'DD/MM/YYYY')
    """
    return _DATE_INPUT[_DATE_PATTERN[_known(lang)]]


def _known(lang: str) -> str:
    return lang if lang in LANGUAGES else "de"


#: The language of the command line when the environment names none it speaks: today's output.
COMMAND_LINE_DEFAULT = "en"


def command_line_language(environ: Mapping[str, str], offered: tuple[str, ...] = SCOPES["staff"]) -> str:
    """The language of the command line's messages, from the environment as gettext programs read it.

    The command line is a staff tool, so it speaks the staff languages (German and
    English). The locale that decides messages is the first set of ``LC_ALL``,
    ``LC_MESSAGES`` and ``LANG``; ``LANGUAGE`` (a colon-separated list of preferences,
    ``de:en``) is read before it, except when that locale is ``C`` or ``POSIX``, where
    GNU gettext ignores it too. The first of these names whose language part
    (``de`` of ``de_DE.UTF-8``) is offered wins; anything else, or nothing set, gives
    English, the output scripts and tests have always seen. The command lines pass
    :func:`core.settings.locale_variables` (the one module that reads the environment).

    Examples
    --------
    >>> command_line_language({"LANG": "de_DE.UTF-8"})
    'de'
    >>> command_line_language({"LANGUAGE": "fr:de", "LANG": "fr_FR.UTF-8"})
    'de'
    >>> command_line_language({"LC_ALL": "C", "LANGUAGE": "de", "LANG": "de_DE.UTF-8"})
    'en'
    >>> command_line_language({"LANG": "tr_TR.UTF-8"}), command_line_language({})
    ('en', 'en')
    """
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    if locale.split(".")[0] in ("C", "POSIX"):
        return COMMAND_LINE_DEFAULT
    for name in environ.get("LANGUAGE", "").split(":") + [locale]:
        language = name.replace("-", "_").split("_")[0].split(".")[0].split("@")[0].strip().lower()
        if language in offered:
            return language
    return COMMAND_LINE_DEFAULT


def interface_language(
    link: str | None,
    accept_language: str | None,
    browser_locale: str | None,
    default: str,
    offered: tuple[str, ...] = LANGUAGES,
) -> str:
    """The language a new visitor sees: the link's, else the browser's, else ``default``.

    ``link`` is the ``?sprache=`` of the address (a workshop's handout names it); it
    counts only if the app offers it. Otherwise the browser decides:
    ``accept_language`` (its ``Accept-Language`` header, every language the visitor
    reads, ranked by ``q``) is searched in order of preference, ties in the order
    written; ``q=0`` means "not this one", and a malformed entry or the wildcard
    ``*`` names no language. A regional tag counts as its language (``en-GB`` is
    ``en``). Without a match, ``browser_locale`` (``navigator.language``) is tried,
    and then ``default``, the operator's ``BEDARFSATLAS_LANGUAGE``: a resident
    whose browser asks for Polish (not offered) gets the city's language, not a guess.

    Examples
    --------
    >>> interface_language(None, "en-GB,en;q=0.9,de;q=0.8", None, "de")
    'en'
    >>> interface_language(None, "tr-TR,tr;q=0.9", "tr-TR", "de")
    'tr'
    >>> interface_language(None, "pl-PL,pl;q=0.9", "pl-PL", "de")
    'de'
    >>> interface_language("de", "en-GB", "en-GB", "en")
    'de'
    """
    if link in offered:
        return link
    ranked: list[tuple[float, str]] = []
    for entry in (accept_language or "").split(","):
        tag, *parameters = (part.strip() for part in entry.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0  # "q=abc": nothing to rank it by
        if tag and tag != "*" and 0 < quality <= 1:
            ranked.append((quality, tag))
    ranked.sort(key=lambda ranked_tag: -ranked_tag[0])  # stable: equal q keep the order written
    for tag in [tag for _, tag in ranked] + [browser_locale or ""]:
        language = tag.replace("_", "-").split("-")[0].strip().lower()
        if language in offered:
            return language
    return default
