"""Residents take part in their language, in a real Chromium: a need reported on /melden in
Turkish (from the lists) and in Arabic (on the map, the page laid out right to left), each
stored with the language it was written in. Every text the test looks for is taken from the
catalogues (core.i18n.t), so the test checks what a Turkish or Arabic reader sees, not a copy."""

from __future__ import annotations

import re
import uuid

import pytest

from assessment.needs.taxonomy import CATEGORIES
from core.i18n import t
from tests.e2e.streamlit_helpers import (
    TIMEOUT_MS,
    choose,
    click_map_until,
    current,
    map_frame,
    map_view,
    open_app,
    wait_idle,
)
from tests.e2e.test_accessibility import report, scan
from tests.e2e.test_report_need import (  # noqa: F401  (fixtures)
    AREAS,
    BRANDENBURG_GATE,
    expect_shown,
    server,
    stored,
    store,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def up_to(text: str, placeholder: str) -> str:
    """The part of a translated text before ``{placeholder}``, as a pattern."""
    return re.escape(text.split("{" + placeholder + "}")[0].strip())


def open_in(page, server, lang: str) -> None:
    from playwright.sync_api import expect

    open_app(page, f"{server.url}/melden?sprache={lang}", t("report.title", lang))
    expect(map_view(page).locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)  # 12 Bezirke


def fill_and_send(page, lang: str, title: str, category: str = "green_climate") -> None:
    from playwright.sync_api import expect

    chosen = CATEGORIES[category]
    choose(page, t("report.category", lang), chosen.label(lang),
           done=current(page).get_by_text(chosen.explanation(lang)))
    box = current(page).get_by_label(t("report.title_label", lang))
    box.fill(title)
    box.press("Enter")
    expect(box).to_have_value(title)
    current(page).get_by_role("button", name=t("report.submit", lang)).click()
    receipt = re.compile(up_to(t("report.done", lang), "reference") + r"\s*[0-9A-F]{8}")
    expect_shown(page, receipt)


def test_a_resident_reports_a_need_in_turkish_from_the_lists(server, store, page, network):
    from playwright.sync_api import expect

    open_in(page, server, "tr")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["tr", "ltr"]
    bez, bzr, plr = (t(f"report.{level}", "tr") for level in ("bezirk", "bzr", "plr"))
    choose(page, bez, "Mitte", done=current(page).get_by_role("combobox", name=bzr, exact=True))
    choose(page, bzr, "Regierungsviertel", done=current(page).get_by_role("combobox", name=plr, exact=True))
    chosen = re.compile(up_to(t("report.place_area", "tr"), "level"))
    choose(page, plr, "Unter den Linden", done=current(page).get_by_text(chosen))
    expect(current(page).get_by_text(chosen)).to_be_visible()
    title = f"Bank yok {uuid.uuid4().hex[:6]}"
    fill_and_send(page, "tr", title)
    [need] = stored(store, title)
    assert (need.language, need.unit("PLR"), need.located_by) == ("tr", "01100206", "area")
    network.assert_clean()


def test_a_resident_reports_a_need_in_arabic_on_the_map_right_to_left(server, store, page, network):
    from playwright.sync_api import expect

    open_in(page, server, "ar")
    # The page runs right to left and says it is Arabic; the map stays a left-to-right document,
    # so its zoom buttons and attribution are where map users expect them.
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    frame = map_frame(page)
    assert frame.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).direction") == "ltr"
    found = scan(page, language="ar")
    assert not found, report("/melden?sprache=ar", found)
    shown = re.compile(up_to(t("report.place_point", "ar"), "plr") + r"\s*Unter den Linden")
    click_map_until(page, *BRANDENBURG_GATE, shown)
    # The map's own controls still work: zoom in with its button (the pin drew the map anew).
    wait_idle(page)
    frame = map_frame(page)
    before = frame.evaluate("Object.values(window).find(v => v instanceof L.Map).getZoom()")
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_function(
        "([before]) => { const f = document.querySelector('iframe[title=\"streamlit_folium.st_folium\"]');"
        " const w = f && f.contentWindow; const m = w && Object.values(w).find(v => v instanceof w.L.Map);"
        " return m && m.getZoom() > before; }", arg=[before], timeout=TIMEOUT_MS)
    title = f"إنارة أفضل {uuid.uuid4().hex[:6]}"
    fill_and_send(page, "ar", title, category="mobility")
    [need] = stored(store, title)
    assert (need.language, need.unit("PLR"), need.located_by) == ("ar", "01100206", "point")
    network.assert_clean()
