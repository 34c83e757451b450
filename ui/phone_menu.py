"""On a narrow screen, the menu closes once a page is chosen from it.

Below Streamlit's ``md`` breakpoint (768 px) the sidebar with the menu opens over the
page (the ``>>`` button). Streamlit 1.67 closes it after a choice only when the
browser's user agent says "mobile": in a narrow desktop window, on a tablet or in a
phone browser's "desktop site" mode it stayed open over the page just chosen.
:data:`MENU_CLOSES_SCRIPT`, one fixed script rendered once per run (it installs
itself once per tab), closes it there by pressing the menu's own collapse button,
so Streamlit keeps its state (and remembers it, as after a user's click) itself.

A closed menu is only moved off screen (``transform``): its links and the language
choice stayed in the Tab order, eight invisible stops before anything on the page.
:data:`MENU_CLOSES_SCRIPT` therefore also carries one fixed style rule that hides
the closed menu (``visibility: hidden`` takes it out of the Tab order and from
screen readers); Streamlit marks it ``data-collapsed="true"`` while it is closed.
"""

from __future__ import annotations

MENU_CLOSES_SCRIPT = """<style>section[data-testid="stSidebar"][data-collapsed="true"] {visibility: hidden}</style><script>(function () {
  var w = window;
  if (w.__bedarfsatlasMenuCloses) { return; }
  w.__bedarfsatlasMenuCloses = true;
  w.document.addEventListener('click', function (event) {
    var target = event.target;
    if (!target || !target.closest || !target.closest('[data-testid="stSidebarNav"] a')) { return; }
    if (w.innerWidth >= 768) { return; }  // beside the page, not over it: it stays
    // After Streamlit's own handling of the click, which on a "mobile" user agent has closed
    // the menu already: press the button only while the menu is still open, never toggle it back.
    w.setTimeout(function () {
      var close = w.document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (close && close.getAttribute('aria-expanded') === 'true') { close.click(); }
    }, 0);
  }, true);
})();</script>"""
"""Closes the open menu after a choice from it on screens narrower than 768 px (render on every run)."""
