"""A character count under a text field that follows every keystroke.

Streamlit counts a field's characters live only with ``max_chars``, and with
``max_chars`` it silently drops the rest of a longer paste: a resident would
lose text without a word. The residents' page therefore has no ``max_chars``
and shows its own count: :func:`count_html` renders it from the server (right
after every run, also without JavaScript), and :data:`LIVE_COUNT_SCRIPT`, one
fixed script for the page, updates it on every ``input`` event of the field
it names. The count contains no user text, only numbers and the app's own
templates.

The count is in code points, as Python's ``len`` and the needs store count
(JavaScript's ``String.length`` counts UTF-16 units: an emoji would count twice).
"""

from __future__ import annotations

import html
import re

from core.i18n import format_number, html_language, plural_cases, t, text_forms

_KEY = re.compile(r"[A-Za-z0-9_-]+")

OVER_COLOUR = "#b3261e"
"""The count's colour past the limit: 6.2:1 on white (WCAG AA for small text)."""


def count_html(field_key: str, text: str | None, limit: int, lang: str) -> str:
    """The count of ``text`` against ``limit`` for the widget with Streamlit key ``field_key``.

    The element carries the templates (``report.length``, ``report.length_over``) in
    ``lang`` so that :data:`LIVE_COUNT_SCRIPT` writes the same words as the server.

    >>> "12 von 120 Zeichen" in count_html("report_title_0", "Mehr Bäume!!", 120, "de")
    True
    >>> 'class="ba-count ba-over"' in count_html("report_title_0", "x" * 121, 120, "de")
    True
    """
    if not _KEY.fullmatch(field_key):
        raise ValueError(f"field_key must be a Streamlit key of letters, digits, _ and -: {field_key!r}")
    length = len(text or "")
    over = length > limit
    if over:
        shown = t("report.length_over", lang, n=length - limit, length=format_number(length, 0, lang),
                  limit=format_number(limit, 0, lang))
    else:
        shown = t("report.length", lang, n=format_number(length, 0, lang), limit=format_number(limit, 0, lang))
    over_texts = plural_cases("report.length_over", lang)
    attributes = {
        "class": "ba-count ba-over" if over else "ba-count",
        "data-field": field_key,
        "data-limit": str(int(limit)),
        "data-lang": html_language(lang),
        "data-ok": text_forms("report.length", lang)[0],
        # One form per CLDR plural category ("data-over-few", ...): the script picks with Intl.PluralRules.
        **{f"data-over-{case}": form for case, form in over_texts.items()},
    }
    rendered = " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in attributes.items())
    return (f"<style>.ba-count{{margin:0;font-size:0.875rem;line-height:1.4;color:inherit}}"
            f".ba-count.ba-over{{color:{OVER_COLOUR};font-weight:600}}</style>"
            f"<p {rendered}>{html.escape(shown)}</p>")


LIVE_COUNT_SCRIPT = """<script>(function () {
  var w = window;
  if (w.__bedarfsatlasLiveCount) { return; }
  w.__bedarfsatlasLiveCount = true;
  // Latin digits in every language, as the server writes them (core.i18n.format_number).
  function format(n, lang) { return n.toLocaleString(lang + '-u-nu-latn'); }
  function overTemplate(counter, n, lang) {
    var name = new Intl.PluralRules(lang).select(n);
    return counter.dataset['over' + name.charAt(0).toUpperCase() + name.slice(1)] || counter.dataset.overOther;
  }
  function fill(template, values) {
    return template.replace(/\\{(n|length|limit)\\}/g, function (_, name) { return values[name]; });
  }
  w.document.addEventListener('input', function (event) {
    var field = event.target;
    if (!field || !field.closest || !('value' in field)) { return; }
    var box = field.closest('[class*="st-key-"]');
    if (!box) { return; }
    var key = Array.prototype.find.call(box.classList, function (c) { return c.indexOf('st-key-') === 0; });
    if (!key) { return; }
    var counters = w.document.querySelectorAll('.ba-count[data-field]');
    var counter = Array.prototype.find.call(counters, function (c) { return 'st-key-' + c.dataset.field === key; });
    if (!counter) { return; }
    var length = Array.from(field.value).length, limit = Number(counter.dataset.limit), lang = counter.dataset.lang;
    var over = length > limit;
    var template = !over ? counter.dataset.ok : overTemplate(counter, length - limit, lang);
    counter.textContent = fill(template, {
      n: format(over ? length - limit : length, lang), length: format(length, lang), limit: format(limit, lang)
    });
    counter.classList.toggle('ba-over', over);
  }, true);
})();</script>"""
"""Updates every :func:`count_html` element on each keystroke in the field it names (render once per page)."""
