"""Where the keyboard focus goes: a skip link past a map, and to a confirmation once it appears.

Streamlit gives the app no way to move the focus, so this module carries one
fixed script (:data:`FOCUS_SCRIPT`, no user text in it) that does two things:

* **Skip links** (:func:`skip_link`): a link before a map that moves the focus to
  a widget after it (e.g. the first of the area lists on /melden). A keyboard
  user otherwise tabs through every control of the map; a phone user scrolls
  past a map that takes the whole screen. Without JavaScript the link still
  jumps to its ``anchor`` (a heading), and the next Tab continues from there.
* **Focus once** (:func:`focus_here`): a container whose content should take
  the focus as soon as it appears, such as the confirmation after a send. The
  send button the resident pressed is gone after the send (the form starts
  afresh with new widgets), so the focus would fall back to the top of the page
  and a screen reader would say nothing. The script focuses the status message
  inside (``st.success`` is ``role="status"``, ``st.error`` ``role="alert"``:
  live regions) once per ``name``, so later runs that draw it again (the next
  keystroke in the form) leave the focus where the resident put it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: Containers whose key starts with this take the focus once (see :func:`focus_here`).
FOCUS_PREFIX = "ba_focus_"

FOCUS_SCRIPT = """<script>(function () {
  var w = window, d = w.document;
  if (w.__bedarfsatlasFocus) { return; }
  w.__bedarfsatlasFocus = true;
  var focused = {};
  d.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-ba-focus]');
    if (!link) { return; }
    var box = d.querySelector('.st-key-' + link.dataset.baFocus);
    var target = box && box.querySelector('input, textarea, button, select, [tabindex]');
    if (!target) { return; }
    event.preventDefault();
    target.scrollIntoView({block: 'center'});
    target.focus();
  });
  function focusNew() {
    d.querySelectorAll('[class*="st-key-""" + FOCUS_PREFIX + """"]').forEach(function (box) {
      var key = Array.prototype.find.call(box.classList, function (c) { return c.indexOf('st-key-') === 0; });
      if (!key || focused[key]) { return; }
      var message = box.querySelector('[role="status"], [role="alert"]');
      if (!message) { return; }
      focused[key] = true;
      message.setAttribute('tabindex', '-1');
      message.focus();
    });
  }
  var waiting = false;
  new MutationObserver(function () {
    if (waiting) { return; }
    waiting = true;
    w.requestAnimationFrame(function () { waiting = false; focusNew(); });
  }).observe(d.body, {childList: true, subtree: true});
  focusNew();
})();</script>"""
"""Moves the focus for :func:`skip_link` and :func:`focus_here`, which both render it (it installs once)."""


def skip_link_html(text: str, target_key: str, anchor: str) -> str:
    """The skip link's HTML: its text escaped, the widget key and the anchor checked.

    >>> skip_link_html("Karte <überspringen>", "report_bez", "ort-ohne-karte")
    '<a class="ba-skip" href="#ort-ohne-karte" data-ba-focus="report_bez">Karte &lt;überspringen&gt;</a>'
    """
    for name, value in (("target_key", target_key), ("anchor", anchor)):
        if not _KEY.fullmatch(value):
            raise ValueError(f"{name} must be letters, digits, _ and -, got {value!r}")
    return f'<a class="ba-skip" href="#{anchor}" data-ba-focus="{target_key}">{html.escape(text)}</a>'


def skip_link(text: str, target_key: str, anchor: str) -> None:
    """A link that moves the focus to the widget with key ``target_key`` (its first control).

    Put it right before what it skips. ``anchor`` is the id of a heading near the
    target (``st.subheader(..., anchor=...)``): where the link jumps without JavaScript.
    """
    st.html(skip_link_html(text, target_key, anchor) + FOCUS_SCRIPT, unsafe_allow_javascript=True)


@contextmanager
def focus_here(name: str) -> Iterator[None]:
    """A container whose status message takes the focus once, when it first appears.

    ``name`` must differ for each message that should take the focus (e.g. the
    reference of the need just stored). Use it as
    ``with focus_here(f"done_{reference}"): st.success(...)``.
    """
    if not _KEY.fullmatch(name):
        raise ValueError(f"name must be letters, digits, _ and -, got {name!r}")
    with st.container(key=FOCUS_PREFIX + name):
        st.html(FOCUS_SCRIPT, unsafe_allow_javascript=True)
        yield
