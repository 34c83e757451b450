"""The command lines' argument parser, speaking the language of the run.

``argparse`` writes its own texts (``usage:``, "the following arguments are required",
"invalid choice", the headings of ``--help``) through ``gettext``, looking them up by their
English wording in its ``argparse`` domain, for which the app has no catalogue. An
:class:`ArgumentParser` of this module answers those look-ups from the app's catalogues
instead (keys ``cli.argparse.*``, scope ``staff``), while it builds its options, parses or
formats help, so ``LANG=de_DE.UTF-8 python -m geodata nonsense`` is German from ``usage:`` to
the last word. A text argparse adds in a later Python version stays English until it is
added to :data:`ARGPARSE_TEXTS`.

The translation is in effect only inside those calls and only for the parser's own language,
so two parsers in one process (tests) do not disturb each other.

Examples
--------
>>> parser = ArgumentParser(prog="tool", lang="de")
>>> _ = parser.add_argument("--count", type=int)
>>> print(parser.format_usage().strip())
Aufruf: tool [-h] [--count COUNT]
>>> parser.error_message(["--count", "x"])
"tool: Fehler: Argument --count: ungültiger int-Wert: 'x'"
"""

from __future__ import annotations

import argparse
import contextlib
import io
import threading
from collections.abc import Iterator, Sequence

from core.i18n import plural_index, t, text_forms

#: argparse's texts (their English wording in Python's ``argparse.py``, the ``msgid`` it asks
#: gettext for) -> the key of the app's catalogue and the ``%`` conversion of each placeholder.
ARGPARSE_TEXTS: dict[str, tuple[str, dict[str, str]]] = {
    "usage: ": ("cli.argparse.usage", {}),
    "positional arguments": ("cli.argparse.positional_arguments", {}),
    "options": ("cli.argparse.options", {}),
    "show this help message and exit": ("cli.argparse.help", {}),
    "%(prog)s: error: %(message)s\n": ("cli.argparse.error", {"prog": "%(prog)s", "message": "%(message)s"}),
    "argument %(argument_name)s: %(message)s": (
        "cli.argparse.argument", {"argument": "%(argument_name)s", "message": "%(message)s"}),
    "the following arguments are required: %s": ("cli.argparse.required", {"arguments": "%s"}),
    "one of the arguments %s is required": ("cli.argparse.one_required", {"arguments": "%s"}),
    "unrecognized arguments: %s": ("cli.argparse.unrecognized", {"arguments": "%s"}),
    "not allowed with argument %s": ("cli.argparse.not_allowed_with", {"argument": "%s"}),
    "ignored explicit argument %r": ("cli.argparse.ignored_explicit", {"value": "%r"}),
    "expected one argument": ("cli.argparse.expected_one", {}),
    "expected at most one argument": ("cli.argparse.expected_at_most_one", {}),
    "expected at least one argument": ("cli.argparse.expected_at_least_one", {}),
    "ambiguous option: %(option)s could match %(matches)s": (
        "cli.argparse.ambiguous", {"option": "%(option)s", "matches": "%(matches)s"}),
    "unexpected option string: %s": ("cli.argparse.unexpected_option", {"option": "%s"}),
    "invalid %(type)s value: %(value)r": ("cli.argparse.invalid_value", {"type": "%(type)s", "value": "%(value)r"}),
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "cli.argparse.invalid_choice", {"value": "%(value)r", "choices": "%(choices)s"}),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "cli.argparse.unknown_parser", {"parser": "%(parser_name)r", "choices": "%(choices)s"}),
    "can't open '%(filename)s': %(error)s": ("cli.argparse.cannot_open", {"file": "%(filename)s", "error": "%(error)s"}),
}
#: The counting text argparse asks ``ngettext`` for ("expected 2 arguments").
ARGPARSE_PLURALS: dict[tuple[str, str], str] = {
    ("expected %s argument", "expected %s arguments"): "cli.argparse.expected_count",
}

_LOCK = threading.RLock()


def argparse_text(message: str | None, lang: str) -> str | None:
    """argparse's ``message`` as a ``%`` format in ``lang``; a text the catalogues lack, as written.

    >>> argparse_text("invalid choice: %(value)r (choose from %(choices)s)", "de")
    'ungültige Auswahl: %(value)r (möglich sind %(choices)s)'
    >>> argparse_text("something new in Python 3.99", "de")
    'something new in Python 3.99'
    """
    if message not in ARGPARSE_TEXTS:
        return message
    key, conversions = ARGPARSE_TEXTS[message]
    return _as_percent_format(key, lang, conversions)


def _as_percent_format(key: str, lang: str, conversions: dict[str, str], **values: object) -> str:
    # The catalogue's text has {placeholders}; argparse fills in with %: escape the text's own %,
    # then put argparse's conversions where the placeholders were.
    marks = {name: f"\0{name}\0" for name in conversions}
    text = t(key, lang, **marks, **values).replace("%", "%%")
    for name, conversion in conversions.items():
        text = text.replace(marks[name], conversion)
    return text


@contextlib.contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """Within the block, argparse's own texts are in ``lang`` (process-wide, so a lock keeps runs apart)."""
    def gettext(message):
        return argparse_text(message, lang)

    def ngettext(singular, plural, n):
        key = ARGPARSE_PLURALS.get((singular, plural))
        if key is None:
            return singular if n == 1 else plural
        forms = text_forms(key, lang)
        form = forms[min(plural_index(lang, n), len(forms) - 1)]
        return form.replace("%", "%%").format(n="%s")

    with _LOCK:
        saved = argparse._, argparse.ngettext
        argparse._, argparse.ngettext = gettext, ngettext
        try:
            yield
        finally:
            argparse._, argparse.ngettext = saved


class ArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose own texts come from the catalogues in ``lang``.

    Its sub-parsers (``add_subparsers().add_parser``) are of the same class and language.
    """

    def __init__(self, *args, lang: str = "en", **kwargs):
        self.lang = lang
        with argparse_language(lang):
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("parser_class", lambda **options: type(self)(lang=self.lang, **options))
        with argparse_language(self.lang):
            return super().add_subparsers(**kwargs)

    def parse_args(self, args: Sequence[str] | None = None, namespace=None):
        with argparse_language(self.lang):
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Sequence[str] | None = None, namespace=None):
        with argparse_language(self.lang):
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with argparse_language(self.lang):
            return super().format_usage()

    def format_help(self) -> str:
        with argparse_language(self.lang):
            return super().format_help()

    def error(self, message: str):
        with argparse_language(self.lang):
            super().error(message)

    def error_message(self, argv: Sequence[str]) -> str | None:
        """The last line argparse would print for ``argv`` (for tests and doctests); ``None`` if it parses."""
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                self.parse_args(argv)
            except SystemExit:
                return err.getvalue().strip().splitlines()[-1]
        return None
