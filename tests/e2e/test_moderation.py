"""Staff pages in a real Chromium: closed to residents, a moderator's decisions, the public result.

The server gets its own needs database (``DATABASE_URL``) with two pending
needs, and its own home folder whose ``.streamlit/secrets.toml`` holds two
test accounts (argon2 hashes made here; nothing is written into the
repository). A resident opening ``/moderation``, ``/audit`` or ``/workshop``
by URL gets the sign-in, never the content. A moderator signs in, approves
one need and rejects the other; the public map then shows exactly the
approved one, and the admin's audit log lists both decisions.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import RequestLog
from tests.e2e.streamlit_helpers import (
    TIMEOUT_MS,
    choose,
    current,
    keyed,
    map_frame,
    map_view,
    open_app,
    rerun_after,
    sign_in,
    staff_home,
    wait_idle,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "e2e-nur-fuer-tests-1"
BRANDENBURG_GATE = (52.5163, 13.3777)  # Mitte (01)
RATHAUS_SPANDAU = (52.5355, 13.2005)  # Spandau (05)


@pytest.fixture(scope="module")
def staff_server(settings_with_data, start_app, tmp_path_factory):
    """The app with two pending needs and the accounts ``mod-e2e`` (moderator) and ``admin-e2e`` (admin)."""
    from assessment.needs.model import NeedInput
    from assessment.needs.store import open_store

    url = start_app.database_url()
    store = open_store(settings_with_data, database_url=url)
    approve = store.submit(NeedInput(category="mobility", title="Zebrastreifen am Tor",
                                     lat=BRANDENBURG_GATE[0], lon=BRANDENBURG_GATE[1]))
    reject = store.submit(NeedInput(category="housing", title="Werbung für Ferienwohnungen",
                                    lat=RATHAUS_SPANDAU[0], lon=RATHAUS_SPANDAU[1]))
    store.close()
    home = staff_home(tmp_path_factory.mktemp("home"), PASSWORD, {"mod-e2e": ("moderator",), "admin-e2e": ("admin",)})
    server = start_app({"DATABASE_URL": url, "HOME": str(home)})
    server.data.update(approve=approve, reject=reject, database_url=url)
    return server


def new_page(browser):
    """A page in a browser context of its own (another person), with its own request log."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    page = context.new_page()
    log = RequestLog()
    log.attach(page)
    watch(page)
    return context, page, log


def open_staff_page(page, link: str, heading: str) -> None:
    """Follow the sidebar link ``link`` and wait for the page's first run to end."""
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    expect(current(page).get_by_role("heading", name=heading)).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


@pytest.mark.parametrize("path", ["moderation", "audit", "workshop"])
def test_a_resident_gets_the_sign_in_not_the_staff_page(staff_server, page, network, path):
    from playwright.sync_api import expect

    open_app(page, f"{staff_server.url}/{path}", "Anmeldung für Mitarbeitende")
    # The run has ended: what is not there now does not come.
    expect(current(page).get_by_text(re.compile("Diese Seite ist nur für angemeldete Mitarbeitende"))).to_be_visible()
    # Neither the content nor the needs waiting for moderation, nor a menu entry for staff pages.
    for hidden in ("Moderation: neue und gemeldete Bedarfe", "Prüfprotokoll", "Workshop einrichten und leiten"):
        expect(page.get_by_role("heading", name=hidden)).to_have_count(0)
    expect(page.get_by_text("Zebrastreifen am Tor")).to_have_count(0)
    navigation = page.get_by_test_id("stSidebarNav")
    expect(navigation).to_contain_text("Datenschutz", timeout=TIMEOUT_MS)
    for entry in ("Moderation", "Prüfprotokoll", "Workshop leiten"):
        expect(navigation.get_by_role("link", name=entry, exact=True)).to_have_count(0)


def test_moderator_decides_the_public_map_follows_and_the_audit_log_records(staff_server, browser, page, network):
    from playwright.sync_api import expect

    approve, reject = staff_server.data["approve"], staff_server.data["reject"]
    sign_in(page, staff_server.url, "mod-e2e", PASSWORD)
    open_staff_page(page, "Moderation", "Moderation: neue und gemeldete Bedarfe")
    expect(current(page).get_by_text("2 Bedarfe warten auf eine Entscheidung.")).to_be_visible(timeout=TIMEOUT_MS)

    with rerun_after(page):
        keyed(page, f"approve_{approve.id}").get_by_role("button").click()
    expect(current(page).get_by_text(f"Gespeichert: {approve.reference} ist jetzt veröffentlicht.")).to_be_visible(
        timeout=TIMEOUT_MS)
    # The queue's map reports its first view after it is drawn: that rerun can close the list.
    choose(page, "Grund der Ablehnung", "Werbung oder Spam", scope=keyed(page, f"reason_{reject.id}"))
    with rerun_after(page):
        keyed(page, f"reject_{reject.id}").get_by_role("button").click()
    expect(current(page).get_by_text(f"Gespeichert: {reject.reference} ist jetzt abgelehnt.")).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(current(page).get_by_text("Nichts zu tun: keine Bedarfe warten.")).to_be_visible(timeout=TIMEOUT_MS)

    # The public map, in a resident's own browser context: exactly the approved need.
    resident, public, public_log = new_page(browser)
    try:
        open_app(public, f"{staff_server.url}/karte?ebene=BEZ", "Planungskarte: Indikatoren und Bedarfe")
        expect(current(public).get_by_text("1 Bedarf entspricht den Filtern.")).to_be_visible(timeout=TIMEOUT_MS)
        frame = map_view(public)
        expect(frame.locator("path.planner-area")).to_have_count(12, timeout=TIMEOUT_MS)
        expect(frame.locator("path.planner-need, .marker-cluster")).not_to_have_count(0, timeout=TIMEOUT_MS)
        wait_idle(public)  # the map may be drawn again once it reports its view
        frame = map_view(public)
        singles = frame.locator("path.planner-need").count()
        clusters = sum(int(text) for text in frame.locator(".marker-cluster span").all_inner_texts())
        assert singles + clusters == 1
        grid = current(public).get_by_test_id("stDataFrame").last.locator("table[role=grid]")
        expect(grid.locator("[role=row]")).to_have_count(13, timeout=TIMEOUT_MS)
        counts = {}
        for row in grid.locator("[role=row]").all()[1:]:
            cells = [c.inner_text().strip() for c in row.locator("[role=gridcell]").all()]
            counts[cells[0]] = cells[3]
        assert counts["01"] == "1" and counts["05"] in ("0", "")  # Mitte has the approved need, Spandau none
    finally:
        resident.close()
    public_log.assert_clean()

    # The admin's audit log shows both decisions, by whom and why.
    admin, audit_page, admin_log = new_page(browser)
    try:
        sign_in(audit_page, staff_server.url, "admin-e2e", PASSWORD)
        open_staff_page(audit_page, "Prüfprotokoll", "Prüfprotokoll")
        grid = current(audit_page).get_by_test_id("stDataFrame").locator("table[role=grid]")
        expect(grid.locator("[role=row]")).to_have_count(3, timeout=TIMEOUT_MS)
        rows = [[c.inner_text().strip() for c in row.locator("[role=gridcell]").all()]
                for row in grid.locator("[role=row]").all()[1:]]
    finally:
        admin.close()
    # Columns: time, actor, action, reference, status before, status after, reason, details (in words).
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        ("mod-e2e", "abgelehnt", reject.reference, "wartet", "abgelehnt"),
        ("mod-e2e", "freigegeben", approve.reference, "wartet", "veröffentlicht"),
    ]
    assert rows[0][6] == "Werbung oder Spam"  # the reason the moderator chose, none preselected
    admin_log.assert_clean()


def test_two_needs_located_by_the_same_area_both_show_on_the_moderation_map(staff_server, settings_with_data, page):
    """Both sit on the area's one representative point: their numbered badges must not cover each other."""
    from playwright.sync_api import expect

    from assessment.needs.model import NeedInput
    from assessment.needs.store import open_store

    store = open_store(settings_with_data, database_url=staff_server.data["database_url"])
    twins = [store.submit(NeedInput(category="culture_leisure", title=f"Jugendtreff {i}", area_level="BZR", area_id="011002"))
             for i in (1, 2)]
    store.close()
    assert (twins[0].lat, twins[0].lon) == (twins[1].lat, twins[1].lon)

    sign_in(page, staff_server.url, "mod-e2e", PASSWORD)
    open_staff_page(page, "Moderation", "Moderation: neue und gemeldete Bedarfe")
    expect(map_view(page).locator(".moderation-need.by-area")).to_have_count(2, timeout=TIMEOUT_MS)
    wait_idle(page)  # the map reports its first view: that rerun may redraw it
    frame = map_frame(page)
    frame.wait_for_function("() => document.querySelectorAll('.moderation-need.by-area').length === 2",
                            timeout=TIMEOUT_MS)
    # Each badge is where a click lands on it (nothing on top), and the two do not overlap.
    badges = frame.evaluate("""() => [...document.querySelectorAll('.moderation-need.by-area')].map(el => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return {number: el.textContent.trim(), left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                onTop: hit === el || el.contains(hit)};
    })""")
    assert len({b["number"] for b in badges}) == 2 and all(b["onTop"] for b in badges), badges
    first, second = badges
    assert (first["right"] <= second["left"] or second["right"] <= first["left"]
            or first["bottom"] <= second["top"] or second["bottom"] <= first["top"]), badges
