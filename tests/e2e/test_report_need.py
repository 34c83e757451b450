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
import uuid
from pathlib import Path

import pytest

from assessment.needs.model import NeedInput
from assessment.needs.store import open_store
from assessment.needs.taxonomy import CATEGORIES
from core.i18n import break_autolinks
from tests.conftest import skip_or_fail
from tests.e2e.streamlit_helpers import (
    TIMEOUT_MS,
    choose,
    click_map_until,
    current,
    keyed,
    map_frame,
    map_view,
    open_app,
    rerun_after,
    wait_idle,
    wait_quiet,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREAS = "path.leaflet-interactive"
AXE = Path(__file__).resolve().parents[2] / "static/node_modules/axe-core/axe.min.js"
# Pariser Platz at the Brandenburg Gate: PLR 01100206 "Unter den Linden" (official LOR map).
BRANDENBURG_GATE = (52.5163, 13.3777)
AREA_SHOWN = re.compile(r"Gewähltes Gebiet: Planungsraum Unter den Linden")
PLACE_SHOWN = re.compile(r"Ihr Ort liegt im Planungsraum Unter den Linden")
# The boulevard Unter den Linden at Friedrichstraße: 250 m and more inside PLR 01100206 in every
# direction, so a tap at city zoom (a pixel is about 150 m there) still lands in it.
UNTER_DEN_LINDEN_MIDDLE = (52.5172, 13.3895)
HENNIGSDORF = (52.638, 13.205)  # Brandenburg, north-west of Spandau; inside the map's view
HOSTILE = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "[x](javascript:window.__xss=1)",
    "![](http://evil/x.png)",
    "${window.__xss=1} `x` {{window.__xss=1}}",
)


@pytest.fixture(scope="module")
def server(start_app):
    """The app on loopback with an empty needs database of its own, warmed up."""
    return start_app({"DATABASE_URL": start_app.database_url()})


@pytest.fixture
def store(server, settings_with_data):
    opened = open_store(settings_with_data, database_url=server.database_url)
    yield opened
    opened.close()


def open_page(page, server, query: str = ""):
    from playwright.sync_api import expect

    open_app(page, server.url + "/melden" + query, "Was fehlt in Ihrem Kiez?")
    expect(map_view(page).locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)  # 12 Bezirke


def choose_area(page) -> None:
    """Mitte -> Regierungsviertel -> Unter den Linden in the lists."""
    choose(page, "Bezirk", "Mitte", done=current(page).get_by_role("combobox", name="Bezirksregion", exact=True))
    choose(page, "Bezirksregion", "Regierungsviertel",
           done=current(page).get_by_role("combobox", name="Planungsraum", exact=True))
    choose(page, "Planungsraum", "Unter den Linden", done=current(page).get_by_text(AREA_SHOWN))


CATEGORY_EXPLANATIONS = {c.label("de"): c.explanation("de") for c in CATEGORIES.values()}


def fill_form(page, title: str, category: str = "Grün, Klima und Umwelt", description: str = "") -> None:
    from playwright.sync_api import expect

    choose(page, "Thema", category, done=current(page).get_by_text(CATEGORY_EXPLANATIONS[category]))
    title_box = current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    title_box.fill(title)
    if description:
        current(page).get_by_label("Beschreibung (freiwillig, höchstens 1.000 Zeichen)").fill(description)
    title_box.press("Enter")  # commit the text before the button click
    expect(title_box).to_have_value(title)


def submit(page) -> None:
    current(page).get_by_role("button", name="Bedarf senden").click()


RECEIPT = re.compile(r"Ihre Kennung: [0-9A-F]{8}")
REFUSED = re.compile(r"^Nicht gespeichert\. Bitte prüfen Sie: ")


def expect_shown(page, text) -> None:
    """Wait until the run that shows ``text`` has ended (the text comes with the run's first elements)."""
    from playwright.sync_api import expect

    expect(current(page).get_by_text(text)).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


def stored(store, title: str) -> list:
    return [n for n in store.query(statuses=None) if n.title == title]


def test_map_click_shows_the_planning_area_and_submit_stores_one_need(server, store, page, network):
    from playwright.sync_api import expect

    open_page(page, server)
    click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
    expect(current(page).get_by_role("combobox", name="Planungsraum", exact=True)).to_have_value("Unter den Linden")
    title = f"Mehr Schatten {uuid.uuid4().hex[:6]}"
    fill_form(page, title, description="Im Sommer ist es hier sehr heiß.")
    # The count under each field: the limit is visible before it is hit.
    expect(current(page).get_by_text(f"{len(title)} von 120 Zeichen", exact=True)).to_be_visible()
    expect(current(page).get_by_text("32 von 1.000 Zeichen", exact=True)).to_be_visible()
    submit(page)
    expect_shown(page, RECEIPT)
    [need] = stored(store, title)
    assert (need.unit("PLR"), need.located_by, need.status) == ("01100206", "point", "pending")
    assert abs(need.lat - BRANDENBURG_GATE[0]) < 0.0005 and abs(need.lon - BRANDENBURG_GATE[1]) < 0.0005
    expect(current(page).get_by_text(f"Ihre Kennung: {need.reference}")).to_be_visible()
    # The texts are empty again, the place stays; clicking the button of the new form stores nothing more.
    expect(current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")).to_have_value("")
    expect(current(page).get_by_text(PLACE_SHOWN)).to_be_visible()
    submit(page)
    expect_shown(page, REFUSED)
    expect(current(page).get_by_text("Das Thema fehlt. Bitte wählen Sie ein Thema aus der Liste „Thema“.")).to_be_visible()
    assert len(stored(store, title)) == 1
    network.assert_clean()


def test_area_names_stand_on_the_map_bezirke_first_then_the_planning_areas_around_the_place(server, page, network):
    from playwright.sync_api import expect

    open_page(page, server)
    labels = map_view(page).locator(".leaflet-tooltip.area-label")
    # City zoom: the 12 Bezirke by name, without hovering (a touch screen cannot hover).
    expect(labels).to_have_count(12, timeout=TIMEOUT_MS)
    expect(map_view(page).locator(".area-label-bez", has_text="Friedrichshain-Kreuzberg")).to_be_visible()
    click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
    # Zoomed in on the place: the Planungsräume around it instead, a few, not all 542.
    chosen = map_view(page).locator(".area-label-plr", has_text="Unter den Linden")
    expect(chosen).to_be_visible(timeout=TIMEOUT_MS)
    expect(map_view(page).locator(".area-label-bez")).to_have_count(0)
    assert 3 <= map_view(page).locator(".area-label-plr").count() <= 40
    # The names stand where they belong: "Unter den Linden" is near the pin, inside the map.
    box, pin = chosen.bounding_box(), map_view(page).locator(".leaflet-marker-icon").bounding_box()
    assert abs(box["x"] - pin["x"]) < 400 and abs(box["y"] - pin["y"]) < 300, (box, pin)
    network.assert_clean()


def test_too_long_texts_are_kept_counted_and_refused_with_their_messages(server, store, page, network):
    from playwright.sync_api import expect

    open_page(page, server)
    click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
    choose(page, "Thema", "Wohnen", done=current(page).get_by_text(CATEGORY_EXPLANATIONS["Wohnen"]))
    title = ("Mehr Schatten und Bänke " * 6).strip()  # 143 characters
    description = "Im Sommer ist es auf dem Platz sehr heiß. " * 29  # 1,218 characters
    title_box = current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    title_box.fill(title)
    with rerun_after(page):
        title_box.press("Enter")
    description_box = current(page).get_by_label("Beschreibung (freiwillig, höchstens 1.000 Zeichen)")
    description_box.click()
    page.keyboard.insert_text(description)  # what a paste does
    with rerun_after(page):
        description_box.press("ControlOrMeta+Enter")
    # Nothing is dropped; the count says by how much to shorten, in the error colour.
    expect(title_box).to_have_value(title)
    expect(description_box).to_have_value(description)
    over_title = current(page).get_by_text("143 von höchstens 120 Zeichen – bitte um 23 Zeichen kürzen")
    over_description = current(page).get_by_text("1.218 von höchstens 1.000 Zeichen – bitte um 218 Zeichen kürzen")
    expect(over_title).to_be_visible()
    expect(over_description).to_be_visible()
    colour = over_description.evaluate("e => getComputedStyle(e).color")
    r, g, b = (int(v) for v in re.findall(r"\d+", colour)[:3])
    assert r > g + 60 and r > b + 60, f"the count is not in the error colour: {colour}"
    before = store.count()
    submit(page)
    expect_shown(page, REFUSED)
    expect(current(page).get_by_text(re.compile(r"^Der Titel .*120"))).to_be_visible()
    expect(current(page).get_by_text(re.compile(r"^Die Beschreibung .*1\.?000"))).to_be_visible()
    assert store.count() == before
    expect(title_box).to_have_value(title)
    expect(description_box).to_have_value(description)
    network.assert_clean()


def test_the_counts_follow_every_keystroke_before_the_field_is_left(server, page, network):
    from playwright.sync_api import expect

    from tests.e2e.streamlit_helpers import WATCHERS

    open_page(page, server)
    wait_idle(page)
    title_box = current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    title_counter = current(page).locator('.ba-count[data-field^="report_title_"]')
    expect(title_counter).to_have_text("0 von 120 Zeichen")
    sent_before = WATCHERS[page].events.count("sent")
    title_box.click()
    page.keyboard.type("Bänke", delay=20)
    expect(title_counter).to_have_text("5 von 120 Zeichen")
    page.keyboard.type(" 🌳")  # one character for a resident (and for the store), two UTF-16 units
    expect(title_counter).to_have_text("7 von 120 Zeichen")
    page.keyboard.press("Backspace")
    expect(title_counter).to_have_text("6 von 120 Zeichen")
    assert WATCHERS[page].events.count("sent") == sent_before  # counted in the browser, no rerun yet
    # Past the limit the count turns into the request to shorten, in the error colour, at once.
    description_box = current(page).get_by_label("Beschreibung (freiwillig, höchstens 1.000 Zeichen)")
    description_counter = current(page).locator('.ba-count[data-field^="report_description_"]')
    with rerun_after(page):  # leaving the title sends it
        description_box.click()
    expect(title_counter).to_have_text("6 von 120 Zeichen")  # the server's count says the same
    sent_before = WATCHERS[page].events.count("sent")
    page.keyboard.insert_text("x" * 1001)  # what a paste does
    expect(description_counter).to_have_text("1.001 von höchstens 1.000 Zeichen – bitte um 1 Zeichen kürzen")
    colour = description_counter.evaluate("e => getComputedStyle(e).color")
    r, g, b = (int(v) for v in re.findall(r"\d+", colour)[:3])
    assert r > g + 60 and r > b + 60, f"the count is not in the error colour: {colour}"
    assert WATCHERS[page].events.count("sent") == sent_before  # counted in the browser, no rerun yet
    with rerun_after(page):
        description_box.press("Tab")
    expect(description_counter).to_have_text("1.001 von höchstens 1.000 Zeichen – bitte um 1 Zeichen kürzen")
    expect(description_box).to_have_value("x" * 1001)
    network.assert_clean()


def test_the_chosen_topic_follows_the_language(server, page, network):
    from playwright.sync_api import expect

    open_page(page, server)
    choose(page, "Thema", "Grün, Klima und Umwelt",
           done=current(page).get_by_text(CATEGORY_EXPLANATIONS["Grün, Klima und Umwelt"]))
    with rerun_after(page):
        page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    expect(current(page).get_by_role("heading", name="2. What is missing?")).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    topic = current(page).get_by_role("combobox", name="Topic", exact=True)
    expect(topic).to_have_value("Green space, climate and environment", timeout=10_000)
    english = next(c.explanation("en") for c in CATEGORIES.values() if c.label("de") == "Grün, Klima und Umwelt")
    expect(current(page).get_by_text(english)).to_be_visible()
    network.assert_clean()


def test_click_outside_berlin_is_refused_and_nothing_stored(server, store, page, network):
    from playwright.sync_api import expect

    open_page(page, server)
    before = store.count()
    click_map_until(page, *HENNIGSDORF, re.compile(r"Dieser Ort liegt außerhalb Berlins"))
    fill_form(page, "Ein Bedarf außerhalb")
    submit(page)
    expect_shown(page, REFUSED)
    assert store.count() == before
    network.assert_clean()


def tab_until(page, predicate: str, limit: int = 60) -> None:
    """Press Tab until ``predicate`` (JS on ``document.activeElement``) holds; no key if it holds already."""
    for _ in range(limit):
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"no element matching {predicate} reached with {limit} Tab presses")


def pick_by_keyboard(page, label: str, typed: str, done, attempts: int = 3) -> None:
    """Tab to the list ``label``, type to filter it, Enter to choose; ``done`` shows the server took it.

    A rerun landing while the list is open can swallow the choice (the box shows it, the
    server never gets it): then the choice is made again, by keyboard, as a user would.
    """
    from playwright.sync_api import expect

    box = current(page).get_by_role("combobox", name=label, exact=True)
    for attempt in range(attempts):
        wait_idle(page)
        expect(box).to_be_enabled(timeout=TIMEOUT_MS)
        tab_until(page, f"el.getAttribute('aria-label') === {label!r}")
        page.keyboard.press("ControlOrMeta+A")  # replace what an earlier attempt typed
        page.keyboard.type(typed)
        try:
            expect(page.get_by_role("option", name=typed, exact=True)).to_be_visible(timeout=15_000)
            with rerun_after(page, request_timeout=10_000):
                page.keyboard.press("Enter")
            expect(box).to_have_value(typed, timeout=5_000)
            expect(done).to_be_visible(timeout=10_000)
            expect(done).to_be_enabled(timeout=10_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def test_keyboard_only_path_submits_a_need_located_by_area(server, store, page, network):
    from playwright.sync_api import expect

    open_page(page, server)
    pick_by_keyboard(page, "Bezirk", "Mitte", current(page).get_by_role("combobox", name="Bezirksregion", exact=True))
    pick_by_keyboard(
        page, "Bezirksregion", "Regierungsviertel",
        current(page).get_by_role("combobox", name="Planungsraum", exact=True),
    )
    pick_by_keyboard(page, "Planungsraum", "Unter den Linden", current(page).get_by_text(AREA_SHOWN))
    pick_by_keyboard(page, "Thema", "Mobilität und Verkehr",
                     current(page).get_by_text(CATEGORY_EXPLANATIONS["Mobilität und Verkehr"]))
    title = f"Sichere Querung {uuid.uuid4().hex[:6]}"
    tab_until(page, "el.getAttribute('aria-label') === 'Kurzer Titel (3 bis 120 Zeichen)'")
    page.keyboard.type(title)
    with rerun_after(page):
        page.keyboard.press("Tab")  # leaving the field sends it: a rerun
    expect(current(page).get_by_label("Beschreibung (freiwillig, höchstens 1.000 Zeichen)")).to_be_focused()
    page.keyboard.type("Ampel fehlt.")
    with rerun_after(page):
        tab_until(page, "el.innerText === 'Bedarf senden'")  # leaving the description sends it
    page.keyboard.press("Enter")
    expect_shown(page, RECEIPT)
    [need] = stored(store, title)
    assert (need.located_by, need.area_level, need.unit("PLR"), need.category) == ("area", "PLR", "01100206", "mobility")
    assert need.description == "Ampel fehlt."
    network.assert_clean()


def test_phone_viewport_has_no_horizontal_scroll_and_the_form_works(server, store, browser):
    from playwright.sync_api import expect

    from tests.e2e.conftest import RequestLog

    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="de-DE", has_touch=True)
    page = context.new_page()
    network = RequestLog()
    network.attach(page)
    try:
        open_page(page, server)
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"horizontal scroll on a 375 px screen: {width}"
        # Streamlit scrolls inside its main container: nothing in it may reach past the screen.
        too_wide = page.evaluate(
            """() => Array.from(document.querySelectorAll('[data-testid=stMain] *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .map(e => e.tagName + ' ' + (e.getAttribute('data-testid') || ''))"""
        )
        assert too_wide == [], f"wider than the 375 px screen: {too_wide[:5]}"
        click_map_until(page, *UNTER_DEN_LINDEN_MIDDLE, PLACE_SHOWN, tap=True)
        # Zoomed in on a phone, the name of the place's Planungsraum stands in the view.
        label = map_view(page).locator(".area-label-plr", has_text="Unter den Linden")
        expect(label).to_be_visible(timeout=TIMEOUT_MS)
        frame_box, label_box = map_view(page).locator(".leaflet-container").bounding_box(), label.bounding_box()
        assert frame_box["x"] <= label_box["x"] and label_box["x"] + label_box["width"] <= frame_box["x"] + frame_box["width"] + 1
        assert frame_box["y"] <= label_box["y"] and label_box["y"] + label_box["height"] <= frame_box["y"] + frame_box["height"] + 1
        title = f"Bank am Ufer {uuid.uuid4().hex[:6]}"
        fill_form(page, title)
        submit(page)
        expect_shown(page, RECEIPT)
        assert len(stored(store, title)) == 1
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"horizontal scroll after submitting: {width}"
    finally:
        context.close()
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
    open_page(page, server)
    choose_area(page)
    for i, payload in enumerate(HOSTILE):
        # Shown literally; an invisible word joiner keeps "http://" from becoming a link.
        expect(current(page).get_by_text(break_autolinks(f"{payload} {i}"), exact=True)).to_be_visible(
            timeout=TIMEOUT_MS)
    # On the map: 12 Bezirke and one dot per need; a tap on a dot opens its popup.
    areas = map_view(page).locator(AREAS)
    expect(areas).to_have_count(12 + len(HOSTILE), timeout=TIMEOUT_MS)
    # The needs share their area's point, so the dots overlap: open every dot's popup through
    # Leaflet (one at a time, as taps would), which puts each one's HTML into the page.
    frame = map_frame(page)
    seen = frame.evaluate(
        """() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const seen = [];
            map.eachLayer(layer => {
                if (!(layer instanceof L.CircleMarker)) return;
                layer.openPopup();
                const shown = layer.getPopup().getElement().querySelector('.leaflet-popup-content');
                seen.push(shown.innerText);
                if (shown.querySelector('img, script')) seen.push('MARKUP');
            });
            return seen;
        }"""
    )
    for i, payload in enumerate(HOSTILE):
        assert any(f"{payload} {i}" in text for text in seen), (payload, seen)
    assert "MARKUP" not in seen
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert frame.evaluate("typeof window.__xss") == "undefined"
    assert frame.evaluate("document.querySelectorAll('script:not([src])').length") > 0  # the map's own code only
    assert page.evaluate("document.querySelectorAll('[data-testid=stMain] img[src*=evil], [data-testid=stMain] a[href^=javascript]').length") == 0
    expect(current(page).get_by_role("heading", name="3. Bedarfe in der Nähe")).to_be_visible()
    assert dialogs == []
    assert not [url for url in network.requests if "evil" in url]
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
    open_page(page, server)
    assert serious_violations(page) == []
    # With a place, the needs list with its buttons, and a pin on the map.
    click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
    expect(current(page).get_by_role("button", name="Ich auch").first).to_be_visible(timeout=TIMEOUT_MS)
    # While a rerun swaps the map component, two map iframes exist for a moment: the run has
    # ended (click_map_until waits for it) and map_view looks into the current, visible one.
    expect(map_view(page).locator(".leaflet-marker-icon")).to_be_visible(timeout=TIMEOUT_MS)
    assert serious_violations(page) == []
    assert serious_violations(map_frame(page)) == []
    network.assert_clean()


def test_me_too_counts_once_per_browser_also_after_a_reload(server, store, page, network):
    from playwright.sync_api import expect

    need = store.submit(
        NeedInput(category="mobility", title=f"Fahrradbügel {uuid.uuid4().hex[:6]}", area_level="PLR", area_id="01100206"),
        status="published",
    )
    try:
        open_page(page, server)
        click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
        card = keyed(page, f"report_need_{need.id}")
        expect(card).to_be_visible(timeout=TIMEOUT_MS)
        current(card).get_by_role("button", name="Ich auch").click()
        expect(current(card).get_by_text("Sie unterstützen diesen Bedarf.")).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(current(card).get_by_text(re.compile(r"Unterstützungen: 1$"))).to_be_visible()
        expect(current(card).get_by_role("button", name="Ich auch")).to_be_disabled()
        assert store.get(need.id).support_count == 1
        # A reload is a new session in the same browser: the support is still counted, once.
        open_page(page, server)
        click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
        card = keyed(page, f"report_need_{need.id}")
        expect(current(card).get_by_text("Sie unterstützen diesen Bedarf.")).to_be_visible(timeout=TIMEOUT_MS)
        button = current(card).get_by_role("button", name="Ich auch – gezählt")
        expect(button).to_be_disabled()
        button.click(force=True)  # a disabled button does nothing, even when forced
        wait_idle(page)
        expect(current(card).get_by_text(re.compile(r"Unterstützungen: 1$"))).to_be_visible()
        assert store.get(need.id).support_count == 1
    finally:
        store.set_status(need.id, "hidden")
    network.assert_clean()


# --- issue 18: what a phone and a keyboard showed on /melden ------------------------------------

#: The words of the page in each language that these tests act on.
WORDS = {
    "de": {"heading": "Was fehlt in Ihrem Kiez?", "topic": "Thema", "housing": "Wohnen", "send": "Bedarf senden",
           "title": "Kurzer Titel (3 bis 120 Zeichen)", "description": "Beschreibung (freiwillig, höchstens 1.000 Zeichen)",
           "place": PLACE_SHOWN, "receipt": RECEIPT},
    "en": {"heading": "What is missing in your neighbourhood?", "topic": "Topic", "housing": "Housing", "send": "Send need",
           "title": "Short title (3 to 120 characters)", "description": "Description (optional, at most 1,000 characters)",
           "place": re.compile(r"Your place is in the planning area Unter den Linden"),
           "receipt": re.compile(r"Your reference: [0-9A-F]{8}")},
}


@pytest.fixture
def phone(browser):
    """A phone-sized page (390 x 844 CSS pixels, touch), German; external or failed requests fail the test."""
    from tests.e2e.conftest import RequestLog
    from tests.e2e.streamlit_helpers import watch

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE", has_touch=True)
    page = context.new_page()
    network = RequestLog()
    network.attach(page)
    watch(page)
    yield page
    context.close()
    network.assert_clean()


def open_in(page, server, lang: str, query: str = "") -> None:
    """/melden in ``lang`` (a link may name it: ``?sprache=en``), its 12 Bezirke drawn."""
    from playwright.sync_api import expect

    query = "?" + "&".join(part for part in (query.lstrip("?"), "sprache=en" if lang == "en" else "") if part)
    open_app(page, server.url + "/melden" + query.rstrip("?"), WORDS[lang]["heading"])
    expect(map_view(page).locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)


def tap(page, locator) -> None:
    """One finger's tap at the middle of ``locator``, where it is now (no scrolling, no retry)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_after_tab_from_the_description_one_tap_on_send_stores_the_need(server, store, phone, lang):
    """Issue 18: Tab (or a phone keyboard's "next") used to land in the anti-bot field, which then showed;
    leaving it collapsed the form and the send button jumped away under the finger: nothing stored."""
    from playwright.sync_api import expect

    words, page = WORDS[lang], phone
    open_in(page, server, lang)
    click_map_until(page, *UNTER_DEN_LINDEN_MIDDLE, words["place"], tap=True)
    choose(page, words["topic"], words["housing"], done=current(page).get_by_text(
        next(c.explanation(lang) for c in CATEGORIES.values() if c.label(lang) == words["housing"])))
    title = f"Tisch und Bank {lang} {uuid.uuid4().hex[:6]}"
    title_box = current(page).get_by_label(words["title"])
    title_box.click()
    page.keyboard.type(title)
    with rerun_after(page):
        page.keyboard.press("Tab")  # leaving the title sends it
    expect(current(page).get_by_label(words["description"])).to_be_focused()
    page.keyboard.type("Zum Ausruhen.")
    with rerun_after(page):
        page.keyboard.press("Tab")  # leaving the description sends it; the focus moves on in the form
    in_honeypot = page.evaluate("() => !!document.activeElement.closest('.st-key-report_hp_box')")
    # Not even a script's focus() reaches it: hidden fields take no focus, so nothing can show it.
    assert page.evaluate("""() => { const field = document.querySelector('.st-key-report_hp_box input');
                                    field.focus(); return document.activeElement !== field; }""")
    tap(page, current(page).get_by_role("button", name=words["send"]))
    expect(current(page).get_by_text(words["receipt"])).to_be_visible(timeout=20_000)
    wait_idle(page)
    assert len(stored(store, title)) == 1
    assert not in_honeypot, "Tab reached the field for bots"


def leaflet_marker_position(page) -> list[float]:
    """``[lat, lon]`` of the pin (the one Leaflet marker) on the current map."""
    return map_frame(page).evaluate(
        """() => { const map = Object.values(window).find(v => v instanceof L.Map); let at = null;
                   map.eachLayer(l => { if (l instanceof L.Marker) { at = [l.getLatLng().lat, l.getLatLng().lng]; } });
                   return at; }""")


def test_a_second_pin_moves_on_the_same_map_which_then_rests(server, page, network):
    """Issue 13: a pin no longer brings a new map; the browser keeps its map and gets the place.

    Proven in the browser: a mark set on the Leaflet map before the second pin is still
    there after it (a new map would not have it), the one pin stands at the new place with
    the names around it, and the page then rests (no run asks for another: no loop).
    """
    from playwright.sync_api import expect

    open_page(page, server)
    click_map_until(page, *BRANDENBURG_GATE, PLACE_SHOWN)
    wait_quiet(page, quiet_s=2)
    map_frame(page).evaluate("() => { window.map.__sameMap = true; }")
    second = (BRANDENBURG_GATE[0] - 0.004, BRANDENBURG_GATE[1])  # about 450 m south, another Planungsraum
    other = current(page).get_by_text(re.compile(r"Ihr Ort liegt im Planungsraum (?!Unter den Linden)"))
    click_map_until(page, *second, other)
    assert map_frame(page).evaluate("() => window.map.__sameMap === true"), "the pin brought a new map"
    pin = leaflet_marker_position(page)
    assert pin == pytest.approx(list(second), abs=0.0005), pin
    assert map_view(page).locator(".leaflet-marker-icon").count() == 1
    expect(map_view(page).locator(".area-label-plr").first).to_be_visible(timeout=TIMEOUT_MS)
    wait_quiet(page, quiet_s=3)
    view = map_frame(page).evaluate("() => [window.map.getZoom(), window.map.getCenter().lat, window.map.getCenter().lng]")
    page.wait_for_timeout(1500)
    assert map_frame(page).evaluate(
        "() => [window.map.getZoom(), window.map.getCenter().lat, window.map.getCenter().lng]") == view  # resting
    network.assert_clean()


def test_tapping_a_need_dot_shows_the_need_and_leaves_the_pin_where_it_was(server, store, phone):
    """Issue 18: a tap on a neighbour's dot was taken as a map click: the pin jumped onto it, silently."""
    from playwright.sync_api import expect

    from tests.e2e.streamlit_helpers import map_point

    page = phone
    lat, lon = UNTER_DEN_LINDEN_MIDDLE
    dot = (lat, lon + 0.0025)  # about 170 m east: clear of the pin's image above the place
    need = store.submit(NeedInput(category="mobility", title=f"Fahrradständer {uuid.uuid4().hex[:6]}", lat=dot[0],
                                  lon=dot[1]), status="published")
    try:
        open_in(page, server, "de")
        click_map_until(page, lat, lon, PLACE_SHOWN, tap=True)
        expect(current(page).get_by_text(need.title, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        pin = leaflet_marker_position(page)
        # The tap lands on the city-wide map, where a pixel is about 100 m: the pin is within two of them.
        assert pin is not None and abs(pin[0] - lat) < 0.0025 and abs(pin[1] - lon) < 0.0025, pin
        x, y = map_point(page, *dot)
        page.touchscreen.tap(x, y)
        # The tap opens the need (its title and topic) on the map ...
        popup = map_view(page).locator(".leaflet-popup-content")
        expect(popup).to_contain_text(need.title, timeout=TIMEOUT_MS)
        expect(popup).to_contain_text("Mobilität und Verkehr")
        # ... and is no click on the map: the map component never hears of it, so the pin cannot move.
        clicked = map_frame(page).evaluate("() => window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.lat_lng_clicked")
        assert clicked is None or abs(clicked["lng"] - dot[1]) > 0.001, f"the tap on the dot was a map click: {clicked}"
        # No tooltip stays open over the map on a touch screen (the area names are no tooltips to open).
        expect(map_view(page).locator(".leaflet-tooltip:not(.area-label)")).to_have_count(0)
        # A later run (a topic chosen) draws the pin where it was.
        choose(page, "Thema", "Wohnen", done=current(page).get_by_text(CATEGORY_EXPLANATIONS["Wohnen"]))
        assert leaflet_marker_position(page) == pytest.approx(pin, abs=1e-6)
        expect(current(page).get_by_text(PLACE_SHOWN)).to_be_visible()
    finally:
        store.set_status(need.id, "hidden")


def test_the_skip_link_before_the_map_moves_the_focus_to_the_first_area_list(server, page, network):
    """Issue 18: keyboard users had to tab through the map's controls to reach the area lists."""
    from playwright.sync_api import expect

    open_page(page, server)
    page.locator("body").focus()
    tab_until(page, "el.innerText === 'Karte überspringen'")
    # It comes before the map: Tab reached it without entering the map's frame.
    assert page.evaluate("""() => !!(document.activeElement.compareDocumentPosition(
        document.querySelector('iframe[title="streamlit_folium.st_folium"]')) & Node.DOCUMENT_POSITION_FOLLOWING)""")
    page.keyboard.press("Enter")
    bezirk = current(page).get_by_role("combobox", name="Bezirk", exact=True)
    expect(bezirk).to_be_focused()
    # From there the keyboard path goes on as usual.
    page.keyboard.type("Mitte")
    expect(page.get_by_role("option", name="Mitte", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    with rerun_after(page):
        page.keyboard.press("Enter")
    expect(bezirk).to_have_value("Mitte")
    network.assert_clean()


def test_after_a_send_the_confirmation_has_the_focus_and_is_a_status_message(server, store, page, network):
    """Issue 18: after a send the pressed button was gone and the focus fell to the top of the page;
    a screen reader said nothing. A refusal names the fields to check."""
    from playwright.sync_api import expect

    open_page(page, server)
    choose_area(page)
    submit(page)  # nothing filled in: refused, and the summary names what to check
    expect(current(page).get_by_text("Nicht gespeichert. Bitte prüfen Sie: Thema, Titel.")).to_be_visible(
        timeout=TIMEOUT_MS)
    # ... as an alert, which a screen reader reads out when it appears
    expect(current(page).get_by_role("alert").filter(has_text="Bitte prüfen Sie: Thema, Titel.")).to_have_count(1)
    wait_idle(page)
    title = f"Querungshilfe {uuid.uuid4().hex[:6]}"
    fill_form(page, title)
    submit(page)
    focused = page.locator(":focus")
    expect(focused).to_contain_text(RECEIPT, timeout=TIMEOUT_MS)
    expect(focused).to_have_attribute("role", "status")  # a live region: read out as it takes the focus
    wait_idle(page)
    [need] = stored(store, title)
    expect(focused).to_contain_text(f"Ihre Kennung: {need.reference}")
    # Typing the next need keeps the focus where the resident puts it (the confirmation took it once).
    title_box = current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    title_box.click()
    with rerun_after(page):
        page.keyboard.type("Noch ein Bedarf")
        page.keyboard.press("Tab")
    expect(current(page).get_by_label("Beschreibung (freiwillig, höchstens 1.000 Zeichen)")).to_be_focused()
    network.assert_clean()


def test_a_phone_in_the_workshop_is_told_when_the_vote_starts_without_a_reload(server, store, phone):
    """Issue 18: phones on /melden?workshop=CODE were not told when the voting started."""
    from datetime import date

    from playwright.sync_api import expect

    from assessment.participation.workshops import WorkshopBook

    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt Ufer", date.today(), focus_level="BEZ", focus_id="01").code).code
    page = phone
    try:
        open_in(page, server, "de", f"workshop={code}")
        expect(current(page).get_by_text("Sie melden im Workshop: Kiezwerkstatt Ufer")).to_be_visible()
        page.evaluate("window.__not_reloaded = true")
        book.start_round(code, dots=3)
        invitation = keyed(page, "voting_invitation")
        expect(invitation).to_contain_text("Die Abstimmung hat begonnen: Sie haben 3 Punkte", timeout=20_000)
        link = invitation.get_by_role("link", name="Zur Abstimmung")
        expect(link).to_have_attribute("href", f"{server.url}/abstimmen?workshop={code}")
        assert page.evaluate("window.__not_reloaded") is True  # noticed by the page as it was
        book.stop_round(code)  # and the invitation goes when the round ends
        expect(invitation).to_have_count(0, timeout=20_000)
    finally:
        book.freeze(code)
