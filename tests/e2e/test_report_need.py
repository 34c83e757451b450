"""The residents' page /melden in a real Chromium against ``streamlit run``.

The server gets its own SQLite database (``DATABASE_URL`` in a temporary
folder); the tests open the same file with ``open_store`` to count what the
page stored. Map clicks land at known coordinates: the pixel is computed by
Leaflet itself (``latLngToContainerPoint``) inside the map's iframe. Every test
also fails, through the ``page`` fixture, on any request that leaves the
machine or fails.
"""

from __future__ import annotations

import re
import sys
import uuid
from pathlib import Path

import pytest

from assessment.model import NeedInput
from assessment.store import open_store
from assessment.taxonomy import CATEGORIES
from tests.conftest import skip_or_fail
from tests.e2e.conftest import start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
AREAS = "path.leaflet-interactive"
TIMEOUT_MS = 60_000
AXE = Path(__file__).resolve().parents[2] / "static/node_modules/axe-core/axe.min.js"
# Pariser Platz at the Brandenburg Gate: PLR 01100206 "Unter den Linden" (official LOR map).
BRANDENBURG_GATE = (52.5163, 13.3777)
AREA_SHOWN = re.compile(r"Gewähltes Gebiet: Planungsraum Unter den Linden")
PLACE_SHOWN = re.compile(r"Ihr Ort liegt im Planungsraum Unter den Linden")
HENNIGSDORF = (52.638, 13.205)  # Brandenburg, north-west of Spandau; inside the map's view
HOSTILE = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "[x](javascript:window.__xss=1)",
    "![](http://evil/x.png)",
    "${window.__xss=1} `x` {{window.__xss=1}}",
)


@pytest.fixture(scope="module")
def server(settings_with_data, tmp_path_factory, browser, request):
    """The app on loopback with an empty needs database of its own, warmed up."""
    url = f"sqlite:///{tmp_path_factory.mktemp('melden') / 'needs.sqlite'}"
    running = start_server({"DATABASE_URL": url})
    # The very first page load of a fresh server can show Streamlit's "Page not found" dialog
    # (any URL path, also /quellen): load the app once before the tests.
    context = browser.new_context()
    warm = context.new_page()
    warm.goto(running.url + "/", timeout=TIMEOUT_MS)
    wait_idle(warm)
    context.close()
    yield running, url
    stop_server(running)
    if any(getattr(item, "failed_call", False) for item in request.session.items):
        sys.stderr.write(f"\n--- streamlit log ({running.log_path}) ---\n{running.log()}\n")
    running.log_path.unlink(missing_ok=True)


@pytest.fixture
def store(server, settings_with_data):
    opened = open_store(settings_with_data, database_url=server[1])
    yield opened
    opened.close()


# Opened at a page's own URL, Streamlit's frontend first looks for its server under that
# path (`/melden/_stcore/health`, `/melden/_stcore/host-config`; 404) and then at the root.
# These two probes are the frontend's base-path discovery, not a failure of this page.
BASE_PATH_PROBE = re.compile(r"/melden/_stcore/(health|host-config) \(HTTP 404\)$")


def open_page(page, server, network, query: str = ""):
    from playwright.sync_api import expect

    page.goto(server[0].url + "/melden" + query, timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Was fehlt in Ihrem Kiez?")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.frame_locator(MAP_FRAME).locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)  # 12 Bezirke
    wait_idle(page)
    drop_base_path_probes(network)


def dismiss_page_not_found(page) -> None:
    """Close Streamlit's "Page not found" dialog if the frontend raced the navigation.

    The app has a ``pages/`` folder, so Streamlit's frontend first knows the folder's
    scripts as pages (``report_need``, not ``melden``) and may show this dialog on a
    direct link before the app's own navigation arrives; the page itself then runs
    normally. Reported to the app-shell owner; here it must not block the test.
    """
    from playwright.sync_api import expect

    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    if dialog.count():
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0, timeout=TIMEOUT_MS)


def drop_base_path_probes(network) -> None:
    network.failed[:] = [failure for failure in network.failed if not BASE_PATH_PROBE.search(failure)]


def map_frame(page):
    return page.frame(url=lambda url: "streamlit_folium" in url)


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run (its status widget is gone)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT_MS)
    dismiss_page_not_found(page)


def current(page):
    """The page without the elements Streamlit keeps, marked stale, while a rerun replaces them."""
    return page.locator('[data-testid="stElementContainer"]:not([data-stale="true"])')


def click_map_until(page, lat: float, lon: float, shown: re.Pattern, tap: bool = False) -> None:
    """Click the map at a point until ``shown`` appears; a second try only if the first was lost.

    Right after the page loads, the map component's first value can start a rerun that
    remounts the map; a click in that moment may be dropped (the user would tap again).
    """
    from playwright.sync_api import expect

    for attempt in range(3):
        wait_idle(page)
        click_map(page, lat, lon, tap=tap)
        try:
            expect(page.get_by_text(shown)).to_be_visible(timeout=15_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def click_map(page, lat: float, lon: float, tap: bool = False) -> None:
    """Click the Leaflet map at a WGS84 point, wherever the view is."""
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    frame = map_frame(page)
    point = frame.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const p = map.latLngToContainerPoint([lat, lon]);
            const size = map.getSize();
            return {x: p.x, y: p.y, w: size.x, h: size.y};
        }""",
        [lat, lon],
    )
    assert 0 < point["x"] < point["w"] and 0 < point["y"] < point["h"], f"{lat}, {lon} is not in the view: {point}"
    # A real mouse click at page coordinates: it lands on whatever is drawn there (an area)
    # and bubbles to the map, as a finger or mouse would. (Playwright's forced element click
    # does not reach Leaflet's map handler.)
    box = page.frame_locator(MAP_FRAME).locator(".leaflet-container").bounding_box()
    if tap:  # a finger on a touch screen
        page.touchscreen.tap(box["x"] + point["x"], box["y"] + point["y"])
    else:
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def choose(page, label: str, option: str, done=None) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label`` (typing filters the list).

    ``done`` is a locator that becomes visible and enabled once the server has taken the
    choice (the typed text alone already shows in the box, so the box is no proof).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name=label, exact=True)
    for attempt in range(3):
        # The finer lists are enabled by the rerun after the coarser choice: wait for it.
        wait_idle(page)
        expect(box).to_be_enabled(timeout=TIMEOUT_MS)
        box.click(timeout=TIMEOUT_MS)
        box.fill(option, timeout=TIMEOUT_MS)
        try:
            # A rerun landing between typing and the click closes the list: open it again.
            page.get_by_role("option", name=option, exact=True).click(timeout=15_000)
            expect(box).to_have_value(option, timeout=5_000)
            if done is not None:
                expect(done).to_be_enabled(timeout=20_000)
            return
        except (AssertionError, PlaywrightTimeoutError):
            if attempt == 2:
                raise
            page.keyboard.press("Escape")


def choose_area(page) -> None:
    """Mitte -> Regierungsviertel -> Unter den Linden in the lists."""
    choose(page, "Bezirk", "Mitte", done=page.get_by_role("combobox", name="Bezirksregion", exact=True))
    choose(page, "Bezirksregion", "Regierungsviertel", done=page.get_by_role("combobox", name="Planungsraum", exact=True))
    choose(page, "Planungsraum", "Unter den Linden", done=page.get_by_text(AREA_SHOWN))


CATEGORY_EXPLANATIONS = {c.label_de: c.explanation_de for c in CATEGORIES.values()}


def fill_form(page, title: str, category: str = "Grün, Klima und Umwelt", description: str = "") -> None:
    from playwright.sync_api import expect

    choose(page, "Thema", category, done=page.get_by_text(CATEGORY_EXPLANATIONS[category]))
    title_box = page.get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    title_box.fill(title)
    if description:
        page.get_by_label("Beschreibung (freiwillig, höchstens 1.000 Zeichen)").fill(description)
    title_box.press("Enter")  # commit the text before the button click
    expect(title_box).to_have_value(title)


def submit(page) -> None:
    page.get_by_role("button", name="Bedarf senden").click()


def stored(store, title: str) -> list:
    return [n for n in store.query(statuses=None) if n.title == title]


def test_map_click_shows_the_planning_area_and_submit_stores_one_need(server, store, page, network):
    from playwright.sync_api import expect

    open_page(page, server, network)
    click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
    expect(page.get_by_role("combobox", name="Planungsraum", exact=True)).to_have_value("Unter den Linden")
    title = f"Mehr Schatten {uuid.uuid4().hex[:6]}"
    fill_form(page, title, description="Im Sommer ist es hier sehr heiß.")
    # The counter Streamlit shows for max_chars: the limit is visible before it is hit.
    expect(page.get_by_text(f"{len(title)}/120")).to_be_visible()
    submit(page)
    expect(page.get_by_text(re.compile(r"Ihre Kennung: [0-9A-F]{8}"))).to_be_visible(timeout=TIMEOUT_MS)
    [need] = stored(store, title)
    assert (need.plr_id, need.located_by, need.status) == ("01100206", "point", "pending")
    assert abs(need.lat - BRANDENBURG_GATE[0]) < 0.0005 and abs(need.lon - BRANDENBURG_GATE[1]) < 0.0005
    expect(page.get_by_text(f"Ihre Kennung: {need.reference}")).to_be_visible()
    # The form is empty again; clicking the button of the new form stores nothing more.
    # Until the run ends, the old form's elements stay in the page, marked stale.
    wait_idle(page)
    expect(current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")).to_have_value("")
    submit(page)
    expect(page.get_by_text("Nicht gespeichert. Bitte korrigieren Sie die markierten Angaben.")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert len(stored(store, title)) == 1
    drop_base_path_probes(network)
    network.assert_clean()


def test_click_outside_berlin_is_refused_and_nothing_stored(server, store, page, network):
    from playwright.sync_api import expect

    open_page(page, server, network)
    before = store.count()
    click_map_until(page, *HENNIGSDORF, re.compile(r"Dieser Ort liegt außerhalb Berlins"))
    fill_form(page, "Ein Bedarf außerhalb")
    submit(page)
    expect(page.get_by_text("Nicht gespeichert. Bitte korrigieren Sie die markierten Angaben.")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert store.count() == before
    drop_base_path_probes(network)
    network.assert_clean()


def tab_until(page, predicate: str, limit: int = 60) -> None:
    """Press Tab until ``predicate`` (JS on ``document.activeElement``) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"no element matching {predicate} reached with {limit} Tab presses")


def pick_by_keyboard(page, label: str, typed: str, done) -> None:
    """Tab to the list ``label``, type to filter it, Enter to choose; ``done`` shows the server took it."""
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name=label, exact=True)
    wait_idle(page)
    expect(box).to_be_enabled(timeout=TIMEOUT_MS)
    tab_until(page, f"el.getAttribute('aria-label') === {label!r}")
    page.keyboard.type(typed)
    expect(page.get_by_role("option", name=typed, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page.keyboard.press("Enter")
    expect(box).to_have_value(typed, timeout=TIMEOUT_MS)
    expect(done).to_be_enabled(timeout=TIMEOUT_MS)


def test_keyboard_only_path_submits_a_need_located_by_area(server, store, page, network):
    from playwright.sync_api import expect

    open_page(page, server, network)
    pick_by_keyboard(page, "Bezirk", "Mitte", page.get_by_role("combobox", name="Bezirksregion", exact=True))
    pick_by_keyboard(
        page, "Bezirksregion", "Regierungsviertel", page.get_by_role("combobox", name="Planungsraum", exact=True)
    )
    pick_by_keyboard(page, "Planungsraum", "Unter den Linden", page.get_by_text(AREA_SHOWN))
    expect(page.get_by_text(AREA_SHOWN)).to_be_visible(timeout=TIMEOUT_MS)
    pick_by_keyboard(page, "Thema", "Mobilität und Verkehr", page.get_by_text(CATEGORY_EXPLANATIONS["Mobilität und Verkehr"]))
    title = f"Sichere Querung {uuid.uuid4().hex[:6]}"
    tab_until(page, "el.getAttribute('aria-label') === 'Kurzer Titel (3 bis 120 Zeichen)'")
    page.keyboard.type(title)
    page.keyboard.press("Tab")  # leaving the field sends it: a rerun
    wait_idle(page)
    expect(page.get_by_label("Beschreibung (freiwillig, höchstens 1.000 Zeichen)")).to_be_focused()
    page.keyboard.type("Ampel fehlt.")
    tab_until(page, "el.innerText === 'Bedarf senden'")
    wait_idle(page)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Ihre Kennung: [0-9A-F]{8}"))).to_be_visible(timeout=TIMEOUT_MS)
    [need] = stored(store, title)
    assert (need.located_by, need.area_level, need.plr_id, need.category) == ("area", "PLR", "01100206", "mobility")
    assert need.description == "Ampel fehlt."
    drop_base_path_probes(network)
    network.assert_clean()


def test_phone_viewport_has_no_horizontal_scroll_and_the_form_works(server, store, browser):
    from playwright.sync_api import expect

    from tests.e2e.conftest import RequestLog

    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="de-DE", has_touch=True)
    page = context.new_page()
    network = RequestLog()
    network.attach(page)
    try:
        open_page(page, server, network)
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"horizontal scroll on a 375 px screen: {width}"
        # Streamlit scrolls inside its main container: nothing in it may reach past the screen.
        too_wide = page.evaluate(
            """() => Array.from(document.querySelectorAll('[data-testid=stMain] *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .map(e => e.tagName + ' ' + (e.getAttribute('data-testid') || ''))"""
        )
        assert too_wide == [], f"wider than the 375 px screen: {too_wide[:5]}"
        click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN, tap=True)
        title = f"Bank am Ufer {uuid.uuid4().hex[:6]}"
        fill_form(page, title)
        submit(page)
        expect(page.get_by_text(re.compile(r"Ihre Kennung: [0-9A-F]{8}"))).to_be_visible(timeout=TIMEOUT_MS)
        assert len(stored(store, title)) == 1
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"horizontal scroll after submitting: {width}"
    finally:
        context.close()
    drop_base_path_probes(network)
    network.assert_clean()


@pytest.fixture
def hostile_needs(store):
    """Published needs with script and HTML payloads in Unter den Linden (PLR 01100206)."""
    made = [
        store.submit(
            NeedInput(category="housing", title=f"{payload} {i}", description=payload,
                      area_level="PLR", area_id="01100206"),
            status="published",
        )
        for i, payload in enumerate(HOSTILE)
    ]
    yield made
    for need in made:
        store.set_status(need.id, "hidden")


def test_hostile_texts_show_as_text_in_the_list_and_the_map_and_run_nothing(server, hostile_needs, page, network):
    from playwright.sync_api import expect

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_page(page, server, network)
    choose_area(page)
    for i, payload in enumerate(HOSTILE):
        expect(page.get_by_text(f"{payload} {i}", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    # On the map: 12 Bezirke and one dot per need; hover each dot to open its tooltip.
    areas = page.frame_locator(MAP_FRAME).locator(AREAS)
    expect(areas).to_have_count(12 + len(HOSTILE), timeout=TIMEOUT_MS)
    # The needs share their area's point, so the dots overlap: open every dot's tooltip
    # through Leaflet, which puts each one's HTML into the page as a hover would.
    frame = map_frame(page)
    frame.evaluate(
        """() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.eachLayer(layer => { if (layer instanceof L.CircleMarker) layer.openTooltip(); });
        }"""
    )
    seen = frame.evaluate("Array.from(document.querySelectorAll('.leaflet-tooltip')).map(t => t.innerText)")
    for i, payload in enumerate(HOSTILE):
        assert any(f"{payload} {i}" in text for text in seen), (payload, seen)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert frame.evaluate("typeof window.__xss") == "undefined"
    assert frame.evaluate("document.querySelectorAll('script:not([src])').length") > 0  # the map's own code only
    assert frame.evaluate("document.querySelectorAll('.leaflet-tooltip img, .leaflet-tooltip script').length") == 0
    assert page.evaluate("document.querySelectorAll('[data-testid=stMain] img[src*=evil], [data-testid=stMain] a[href^=javascript]').length") == 0
    expect(page.get_by_role("heading", name="3. Bedarfe in der Nähe")).to_be_visible()
    assert dialogs == []
    assert not [url for url in network.requests if "evil" in url]
    drop_base_path_probes(network)
    network.assert_clean()


def serious_violations(frame) -> list[str]:
    """WCAG 2.1 A/AA violations of impact 'serious' or 'critical' found by axe-core."""
    frame.add_script_tag(path=str(AXE))
    result = frame.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['html'][:160]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_page_has_no_serious_accessibility_violations(server, hostile_needs, page, network):
    from playwright.sync_api import expect

    if not AXE.is_file():
        skip_or_fail(f"axe-core missing at {AXE}: run `npm ci --prefix static`")
    open_page(page, server, network)
    assert serious_violations(page) == []
    # With a place, the needs list with its buttons, and a pin on the map.
    click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
    expect(page.get_by_role("button", name="Ich auch").first).to_be_visible(timeout=TIMEOUT_MS)
    # While a rerun swaps the map component, two map iframes exist for a moment: wait for the
    # run to end and look into the visible one.
    wait_idle(page)
    expect(page.frame_locator(f"{MAP_FRAME} >> visible=true").locator(".leaflet-marker-icon")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert serious_violations(page) == []
    assert serious_violations(map_frame(page)) == []
    drop_base_path_probes(network)
    network.assert_clean()


def test_me_too_counts_once_per_browser_session(server, store, page, network):
    from playwright.sync_api import expect

    need = store.submit(
        NeedInput(category="mobility", title=f"Fahrradbügel {uuid.uuid4().hex[:6]}", area_level="PLR", area_id="01100206"),
        status="published",
    )
    try:
        open_page(page, server, network)
        click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
        card = page.locator(f".st-key-report_need_{need.id}")
        expect(card).to_be_visible(timeout=TIMEOUT_MS)
        card.get_by_role("button", name="Ich auch").click()
        expect(card.get_by_text("Sie unterstützen diesen Bedarf.")).to_be_visible(timeout=TIMEOUT_MS)
        expect(card.get_by_text(re.compile(r"Unterstützungen: 1$"))).to_be_visible()
        expect(card.get_by_role("button", name="Ich auch")).to_be_disabled()
        assert store.get(need.id).support_count == 1
    finally:
        store.set_status(need.id, "hidden")
    drop_base_path_probes(network)
    network.assert_clean()
