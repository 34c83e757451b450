"""Every page of the app scanned with axe-core in a real Chromium (BITV 2.0 / WCAG 2.1 AA).

German public bodies must meet BITV 2.0, which points to WCAG 2.1 AA. Each
page is opened as its user would (residents' and workshop pages by URL, staff
pages as a signed-in admin through the menu), with content on it: published
needs, an open workshop with an open voting round, a need waiting for
moderation. axe-core (served from ``static/node_modules``, as the app serves
Leaflet) runs in the page and in every visible map iframe; any violation of
impact *serious* or *critical* of a WCAG 2.0/2.1 A/AA rule fails the test,
listing rule, impact, the elements (CSS targets) and axe's help URL.

Only elements of Streamlit's own frontend that the app cannot change may be
excluded, each by a narrow selector in :data:`STREAMLIT_OWN` with the reason.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.e2e.streamlit_helpers import (
    MAP_FRAME,
    TIMEOUT_MS,
    choose,
    current,
    open_app,
    rerun_after,
    sign_in,
    staff_home,
    wait_idle,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parents[2] / "static/node_modules/axe-core/axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
PASSWORD = "e2e-nur-fuer-tests-1"
BRANDENBURG_GATE = (52.5163, 13.3777)  # PLR 01100206 "Unter den Linden", Mitte (official LOR map)
WORKSHOP_TITLE = "Kiezwerkstatt Barrierefrei"

#: Parts of Streamlit's own frontend that the app cannot influence, excluded from the scan
#: by a selector (Chromium's own ``querySelectorAll``) that matches only them.
STREAMLIT_OWN: list[str] = [
    # The label of a disabled widget (st.selectbox(disabled=True): on /melden the Bezirksregion and
    # Planungsraum lists until a Bezirk is chosen). Streamlit greys it to 2.6:1 and marks the <label>
    # `disabled`; no theme option changes that grey. WCAG 1.4.3 exempts text of inactive components.
    # axe usually skips it (the control is disabled) but not always: the label is not tied to the input.
    'label[data-testid="stWidgetLabel"][disabled]',
]
#: A scan that a rerun overlapped is repeated: while Streamlit reruns it fades the old elements
#: and greys widgets, which is no state a user reads.
SCAN_ATTEMPTS = 3


@pytest.fixture(scope="module")
def a11y_server(settings_with_data, start_app, tmp_path_factory):
    """The app with published and pending needs, an open workshop with an open voting round, an admin account."""
    from assessment.needs.model import NeedInput
    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook

    if not AXE.is_file():
        skip_or_fail(f"axe-core missing at {AXE}: run `npm ci --prefix static`")
    url = start_app.database_url()
    store = open_store(settings_with_data, database_url=url)
    book = WorkshopBook(store)
    code = book.open(book.create(WORKSHOP_TITLE, date.today(), focus_level="BEZ", focus_id="01").code).code
    lat, lon = BRANDENBURG_GATE
    store.submit(NeedInput(category="mobility", title="Abgesenkter Bordstein am Tor", lat=lat, lon=lon),
                 status="published")
    for title in ("Sitzbänke am Pariser Platz", "Trinkbrunnen im Kiez"):
        store.submit(NeedInput(category="public_space_safety" if "Sitz" in title else "green_climate", title=title, lat=lat, lon=lon,
                               workshop_id=code, channel="workshop"), status="published")
    store.submit(NeedInput(category="mobility", title="Ampel zu kurz grün", lat=lat + 0.002, lon=lon))  # pending
    book.start_round(code, dots=3)
    store.close()
    home = staff_home(tmp_path_factory.mktemp("home"), PASSWORD, {"admin-a11y": ("admin",)})
    server = start_app({"DATABASE_URL": url, "HOME": str(home)})
    server.data["code"] = code
    return server


def violations(frame, exclude: list[str] = ()) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of impact serious or critical in ``frame``'s document, one line each."""
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.add_script_tag(path=str(AXE))
    result = frame.evaluate(
        """([exclude, tags]) => axe.run(
               {include: [document], exclude: exclude.flatMap(s => [...document.querySelectorAll(s)])},
               {runOnly: {type: 'tag', values: tags}, iframes: false, resultTypes: ['violations']})""",
        [list(exclude), WCAG_21_AA],
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}\n"
        + "\n".join(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}\n      {why(node)}"
                    for node in v["nodes"][:8])
        + (f"\n    … and {len(v['nodes']) - 8} more" if len(v["nodes"]) > 8 else "")
        for v in result["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


def why(node: dict) -> str:
    """axe's reason for one element, e.g. the measured colours and contrast ratio."""
    return " ".join((node.get("failureSummary") or "").split())[:300]


def scan(page, language: str = "de") -> list[str]:
    """Violations in the page and in each of its visible map iframes, scanned while no run is going on.

    The maps are scanned once Leaflet has drawn them (a map reports its first view with a
    rerun). A rerun during the scan makes it start again: the watcher counts the runs.
    """
    watcher = watch(page)
    for attempt in range(SCAN_ATTEMPTS):
        wait_idle(page)
        mark = len(watcher.events)
        found = []
        maps = current(page).locator(MAP_FRAME).filter(visible=True)
        for index in range(maps.count()):
            frame = maps.nth(index).element_handle(timeout=TIMEOUT_MS).content_frame()
            assert frame is not None, f"map {index} has no document"
            frame.wait_for_function("() => window.L && document.querySelector('.leaflet-container')",
                                    timeout=TIMEOUT_MS)
            frame.wait_for_load_state("load", timeout=TIMEOUT_MS)
            found += [f"map {index}: {line}" for line in violations(frame)]
            # streamlit-folium's page says lang="en"; the map's texts are in the page's language
            # (``language``, an HTML lang value: German by default) (WCAG 3.1.1).
            said = frame.evaluate("document.documentElement.lang")
            if said != language:
                found.append(f"map {index}: its document's language is {said!r}, its texts are {language!r} "
                             "(WCAG 3.1.1): add maps.base.DocumentLanguage to the map")
        found += [f"page: {line}" for line in violations(page, STREAMLIT_OWN)]
        page.wait_for_timeout(50)  # lets Playwright deliver the websocket events of the scan's time
        if len(watcher.events) == mark:
            return found
    # /live refreshes itself every 2 s (a fragment): its scans always overlap a run.
    return found


def report(path: str, found: list[str]) -> str:
    return f"{len(found)} serious/critical WCAG 2.1 AA violation(s) on {path}:\n" + "\n".join(found)


PUBLIC_PAGES = [
    ("/", "Übersichtskarte"),
    ("/karte", "Planungskarte: Indikatoren und Bedarfe"),
    # One area in focus (its profile tables and needs), three compared, facilities and needs as heat on the map.
    pytest.param("/karte?ebene=BEZ&gebiet=01&vergleich=01,02,05&einrichtungen=kitas,pharmacies&bedarfe=heat",
                 "Planungskarte: Indikatoren und Bedarfe", id="/karte-focus-compare-facilities-heat"),
    ("/bewertung", "Bewertung: Prioritätsindex je Gebiet"),
    ("/melden", "Was fehlt in Ihrem Kiez?"),
    ("/live?workshop={code}", WORKSHOP_TITLE),
    ("/abstimmen?workshop={code}", f"Abstimmen: {WORKSHOP_TITLE}"),
    ("/quellen", "Quellen und Impressum"),
    ("/datenschutz", "Datenschutz"),
    ("/anmelden", "Anmeldung für Mitarbeitende"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_has_no_serious_accessibility_violations(a11y_server, page, network, path, heading):
    path = path.format(code=a11y_server.data["code"])
    open_app(page, a11y_server.url + path, heading)
    found = scan(page)
    assert not found, report(path, found)


def open_expander(page, title: str) -> None:
    """Open the expander titled ``title`` (its content is hidden, so unscanned, until then)."""
    from playwright.sync_api import expect

    expander = page.get_by_test_id("stExpander").filter(has=page.locator("summary", has_text=title))
    expander.locator("summary").click()
    expect(expander.locator("details")).to_have_attribute("open", "", timeout=TIMEOUT_MS)
    wait_idle(page)


def test_residents_page_with_an_area_chosen_from_the_lists_has_no_serious_violations(a11y_server, page, network):
    """The way without the map: the area from the lists, then the needs nearby and the form."""
    from playwright.sync_api import expect

    open_app(page, a11y_server.url + "/melden", "Was fehlt in Ihrem Kiez?")
    choose(page, "Bezirk", "Mitte", done=current(page).get_by_role("combobox", name="Bezirksregion", exact=True))
    choose(page, "Bezirksregion", "Regierungsviertel",
           done=current(page).get_by_role("combobox", name="Planungsraum", exact=True))
    choose(page, "Planungsraum", "Unter den Linden",
           done=current(page).get_by_text(re.compile("Gewähltes Gebiet: Planungsraum Unter den Linden")))
    expect(current(page).get_by_role("button", name="Ich auch").first).to_be_visible(timeout=TIMEOUT_MS)
    found = scan(page)
    assert not found, report("/melden (area from the lists)", found)


def test_assessment_method_in_words_has_no_serious_violations(a11y_server, page, network):
    open_app(page, a11y_server.url + "/bewertung", "Bewertung: Prioritätsindex je Gebiet")
    open_expander(page, "Methode in Worten")
    found = scan(page)
    assert not found, report("/bewertung (method in words)", found)


STAFF_PAGES = [
    ("Workshop leiten", "Workshop einrichten und leiten"),
    ("Moderation", "Moderation: neue und gemeldete Bedarfe"),
    ("Prüfprotokoll", "Prüfprotokoll"),
]


def sign_in_as_admin(page, server) -> None:
    sign_in(page, server.url, "admin-a11y", PASSWORD)


def open_staff_page(page, link: str, heading: str, attempts: int = 3) -> None:
    """Follow the menu link ``link`` (a typed URL would start a new session, without the sign-in).

    Only the click is repeated, when a rerun (the sign-in's own) swallowed it.
    """
    from playwright.sync_api import expect

    for attempt in range(attempts):
        wait_idle(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
        try:
            expect(current(page).get_by_role("heading", name=heading)).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


@pytest.mark.parametrize(("link", "heading"), STAFF_PAGES, ids=[h for h, _ in STAFF_PAGES])
def test_staff_page_has_no_serious_accessibility_violations(a11y_server, page, network, link, heading):
    sign_in_as_admin(page, a11y_server)
    open_staff_page(page, link, heading)
    found = scan(page)
    assert not found, report(link, found)


def test_new_workshop_form_with_its_drawing_map_has_no_serious_violations(a11y_server, page, network):
    """The form to set up a workshop: the rectangle drawn on a map, or typed as four corners."""
    sign_in_as_admin(page, a11y_server)
    open_staff_page(page, "Workshop leiten", "Workshop einrichten und leiten")
    open_expander(page, "Neuer Workshop")
    found = scan(page)
    assert not found, report("Workshop leiten (new workshop)", found)


def tab_to(page, target, presses: int = 80) -> None:
    """Press Tab until ``target`` (a locator) has the keyboard focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} did not get the focus within {presses} presses of Tab")


def choose_by_keyboard(page, label: str, option: str) -> None:
    """Tab to the list ``label``, type to filter, Enter: the option is chosen and its run has ended."""
    from playwright.sync_api import expect

    box = current(page).get_by_role("combobox", name=label, exact=True)
    expect(box).to_be_enabled(timeout=TIMEOUT_MS)
    tab_to(page, box)
    page.keyboard.type(option)
    expect(page.get_by_role("option", name=option, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    with rerun_after(page):
        page.keyboard.press("Enter")
    expect(box).to_have_value(option, timeout=TIMEOUT_MS)


def test_a_need_is_reported_by_keyboard_alone_without_the_map(a11y_server, page, network):
    """Residents who use no mouse: area from the lists, topic, title, send, all with Tab, typing and Enter."""
    from playwright.sync_api import expect

    open_app(page, a11y_server.url + "/melden", "Was fehlt in Ihrem Kiez?")
    page.locator("body").focus()
    choose_by_keyboard(page, "Bezirk", "Mitte")
    choose_by_keyboard(page, "Bezirksregion", "Regierungsviertel")
    choose_by_keyboard(page, "Planungsraum", "Unter den Linden")
    expect(current(page).get_by_text(re.compile("Gewähltes Gebiet: Planungsraum Unter den Linden"))).to_be_visible()
    choose_by_keyboard(page, "Thema", "Mobilität und Verkehr")
    title = current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    tab_to(page, title)
    page.keyboard.type("Querungshilfe per Tastatur")
    # The field for bots is not on the way to the button: Tab never lands in it (it used to show
    # there and collapse when left, moving the button away under the pointer).
    send = current(page).get_by_role("button", name="Bedarf senden")
    for _ in range(20):
        page.keyboard.press("Tab")
        assert not page.evaluate("() => !!document.activeElement.closest('.st-key-report_hp_box')"), \
            "Tab reached the field for bots"
        if send.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab from the title did not reach the send button")
    page.keyboard.press("Enter")
    expect(current(page).get_by_text(re.compile(r"Ihre Kennung: [0-9A-F]{8}"))).to_be_visible(timeout=TIMEOUT_MS)

