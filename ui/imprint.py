"""The operator's imprint (§ 5 DDG): a Markdown file named by ``BEDARFSATLAS_IMPRINT_FILE``.

Every instance of the app has its own operator, so the imprint cannot live in the
code. The operator writes it as a small Markdown file; :func:`read_imprint` reads
it and :func:`sanitise_markdown` makes it safe to show with ``st.markdown``:
headings, lists, emphasis and ``https:``/``http:``/``mailto:``/``tel:`` links stay;
raw HTML shows as text, images become their alt text, and a link to any other
target (``javascript:``, ``data:``, a relative path) shows as plain text.

Examples
--------
>>> print(sanitise_markdown("## Impressum\\n[Mail](mailto:info@example.berlin) <b>fett</b>"))
## Impressum
[Mail](mailto:info@example.berlin) &lt;b>fett&lt;/b>
>>> print(sanitise_markdown("[klick](javascript:alert(1)) ![Logo](https://x.example/l.png)"))
[klick\\](javascript:alert(1)) Logo
"""

from __future__ import annotations

import re
from pathlib import Path

from core.i18n import Message, TranslatedError

#: Link targets an imprint may have: web pages, e-mail and phone numbers.
SAFE_SCHEMES = ("https://", "http://", "mailto:", "tel:")
#: Longer than any imprint; a bigger file is a wrong path (e.g. a database), not an imprint.
MAX_CHARS = 20_000

_IMAGE = re.compile(r"!\[([^\]\n]*)\](?:\([^)\n]*\)|\[[^\]\n]*\])")
# "](target" of an inline link and "]: target" of a reference definition.
_TARGET = re.compile(r"\](\(|:)[ \t]*<?([^\s)>]*)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImprintError(TranslatedError, ValueError):
    """The imprint file cannot be used; the message names the file and the fix (``str()`` English,
    :meth:`in_language` the page's language)."""


def sanitise_markdown(text: str) -> str:
    """``text`` as Markdown that can only format, link to safe targets and never run anything.

    >>> sanitise_markdown("[x](JavaScript:void(0)) [ok](https://berlin.de)")
    '[x\\\\](JavaScript:void(0)) [ok](https://berlin.de)'
    >>> sanitise_markdown("[a]: data:text/html,hi")
    '[a\\\\]: data:text/html,hi'
    """
    text = _CONTROL.sub("", text).replace("<", "&lt;")
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = text.replace("![", "!\\[")  # an image the pattern missed (nested brackets) shows as text

    def check(match: re.Match) -> str:
        target = match.group(2).lower()
        if target.startswith(SAFE_SCHEMES):
            return match.group(0)
        return "\\" + match.group(0)  # an escaped "]" ends no link: the text shows as written

    return _TARGET.sub(check, text)


def read_imprint(path: str | Path) -> str:
    """The imprint file at ``path`` as sanitised Markdown (UTF-8).

    Raises
    ------
    ImprintError
        When the file is missing, unreadable, not UTF-8, empty or too long.
    """
    path = Path(path)
    shown = repr(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImprintError(Message("imprint.error.not_found", path=shown)) from None
    except (OSError, UnicodeDecodeError) as problem:
        raise ImprintError(Message("imprint.error.unreadable", path=shown, problem=str(problem))) from None
    if not text.strip():
        raise ImprintError(Message("imprint.error.empty", path=shown))
    if len(text) > MAX_CHARS:
        raise ImprintError(Message("imprint.error.too_long", path=shown, count=len(text), maximum=MAX_CHARS))
    return sanitise_markdown(text)
