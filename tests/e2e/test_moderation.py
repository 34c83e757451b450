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
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import RequestLog, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 60_000
PASSWORD = "e2e-nur-fuer-tests-1"
BRANDENBURG_GATE = (52.5163, 13.3777)  # Mitte (01)
RATHAUS_SPANDAU = (52.5355, 13.2005)  # Spandau (05)
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


@pytest.fixture(scope="module")
def staff_server(settings_with_data, request):
    """The app with two pending needs and the accounts ``mod-e2e`` (moderator) and ``admin-e2e`` (admin)."""
    from assessment.auth import hash_password
    from assessment.model import NeedInput
    from assessment.store import open_store

    folder = tempfile.TemporaryDirectory(prefix="moderation-e2e-")
    root = Path(folder.name)
    url = f"sqlite:///{root / 'needs.sqlite'}"
    store = open_store(settings_with_data, database_url=url)
    approve = store.submit(NeedInput(category="mobility", title="Zebrastreifen am Tor",
                                     lat=BRANDENBURG_GATE[0], lon=BRANDENBURG_GATE[1]))
    reject = store.submit(NeedInput(category="housing", title="Werbung für Ferienwohnungen",
                                    lat=RATHAUS_SPANDAU[0], lon=RATHAUS_SPANDAU[1]))
    store.close()
    (root / ".streamlit").mkdir()
    (root / ".streamlit" / "secrets.toml").write_text(
        f'[bedarfsatlas.accounts.mod-e2e]\npassword_hash = "{hash_password(PASSWORD)}"\nroles = ["moderator"]\n\n'
        f'[bedarfsatlas.accounts.admin-e2e]\npassword_hash = "{hash_password(PASSWORD)}"\nroles = ["admin"]\n',
        encoding="utf-8",
    )
    # Streamlit reads ~/.streamlit/secrets.toml: a home folder of its own keeps the test accounts here.
    server = start_server({"DATABASE_URL": url, "HOME": str(root)})
    server.needs = {"approve": approve, "reject": reject}
    yield server
    stop_server(server)
    if any(getattr(item, "failed_call", False) for item in request.session.items):
        sys.stderr.write(f"\n--- streamlit log ({server.log_path}) ---\n{server.log()}\n")
    server.log_path.unlink(missing_ok=True)
    folder.cleanup()


class DeepLinkRequestLog(RequestLog):
    """Lets through only Streamlit's base-path probe of a page URL (``/<page>/_stcore/...`` -> 404)."""

    def _on_response(self, response) -> None:
        if response.status == 404 and re.search(r"/[a-z]+/_stcore/(health|host-config)$", response.url):
            return
        super()._on_response(response)


@pytest.fixture
def network():
    return DeepLinkRequestLog()


def dismiss_page_not_found(page) -> None:
    """Close Streamlit's 'Page not found' dialog that a direct page link opens (see test_planner_map)."""
    from playwright.sync_api import expect

    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    try:
        expect(dialog).to_be_visible(timeout=10_000)
    except AssertionError:
        return
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0, timeout=TIMEOUT_MS)


def sign_in(page, server, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/anmelden", timeout=TIMEOUT_MS)
    dismiss_page_not_found(page)
    expect(page.get_by_role("heading", name="Anmeldung für Mitarbeitende")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_label("Kennung").fill(name)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_text(re.compile(f"Angemeldet als {name}")).first).to_be_visible(timeout=TIMEOUT_MS)


@pytest.mark.parametrize("path", ["moderation", "audit", "workshop"])
def test_a_resident_gets_the_sign_in_not_the_staff_page(staff_server, page, network, path):
    from playwright.sync_api import expect

    page.goto(f"{staff_server.url}/{path}", timeout=TIMEOUT_MS)
    dismiss_page_not_found(page)
    expect(page.get_by_role("heading", name="Anmeldung für Mitarbeitende")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile("Diese Seite ist nur für angemeldete Mitarbeitende"))).to_be_visible()
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

    approve, reject = staff_server.needs["approve"], staff_server.needs["reject"]
    sign_in(page, staff_server, "mod-e2e")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Moderation", exact=True).click()
    expect(page.get_by_role("heading", name="Moderation: neue und gemeldete Bedarfe")).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(page.get_by_text("2 Bedarfe warten auf eine Entscheidung.")).to_be_visible(timeout=TIMEOUT_MS)

    page.locator(f".st-key-approve_{approve.id} button").click()
    expect(page.get_by_text(f"Gespeichert: {approve.reference} ist jetzt veröffentlicht.")).to_be_visible(
        timeout=TIMEOUT_MS)
    reason = page.locator(f".st-key-reason_{reject.id}").get_by_role("combobox")
    reason.click()
    page.get_by_role("option", name="Werbung oder Spam", exact=True).click()
    expect(reason).to_have_value("Werbung oder Spam", timeout=TIMEOUT_MS)
    page.locator(f".st-key-reject_{reject.id} button").click()
    expect(page.get_by_text(f"Gespeichert: {reject.reference} ist jetzt abgelehnt.")).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(page.get_by_text("Nichts zu tun: keine Bedarfe warten.")).to_be_visible(timeout=TIMEOUT_MS)

    # The public map, in a resident's own browser context: exactly the approved need.
    resident = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    public = resident.new_page()
    public_log = DeepLinkRequestLog()
    public_log.attach(public)
    public.goto(f"{staff_server.url}/karte?ebene=BEZ", timeout=TIMEOUT_MS)
    dismiss_page_not_found(public)
    expect(public.get_by_text("1 Bedarf entspricht den Filtern.")).to_be_visible(timeout=TIMEOUT_MS)
    expect(public.frame_locator(MAP_FRAME).locator("path.planner-area")).to_have_count(12, timeout=TIMEOUT_MS)
    # The map may be drawn again once it reports its view: locate through the iframe each time.
    frame = public.frame_locator(MAP_FRAME)
    expect(frame.locator("path.planner-need, .marker-cluster")).not_to_have_count(0, timeout=TIMEOUT_MS)
    singles = frame.locator("path.planner-need").count()
    clusters = sum(int(text) for text in frame.locator(".marker-cluster span").all_inner_texts())
    assert singles + clusters == 1
    grid = public.get_by_test_id("stDataFrame").last.locator("table[role=grid]")
    expect(grid.locator("[role=row]")).to_have_count(13, timeout=TIMEOUT_MS)
    counts = {}
    for row in grid.locator("[role=row]").all()[1:]:
        cells = [c.inner_text().strip() for c in row.locator("[role=gridcell]").all()]
        counts[cells[0]] = cells[3]
    assert counts["01"] == "1" and counts["05"] in ("0", "")  # Mitte has the approved need, Spandau none
    resident.close()
    public_log.assert_clean()

    # The admin's audit log shows both decisions, by whom and why.
    admin = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    audit_page = admin.new_page()
    admin_log = DeepLinkRequestLog()
    admin_log.attach(audit_page)
    sign_in(audit_page, staff_server, "admin-e2e")
    audit_page.get_by_test_id("stSidebarNav").get_by_role("link", name="Prüfprotokoll", exact=True).click()
    expect(audit_page.get_by_role("heading", name="Prüfprotokoll")).to_be_visible(timeout=TIMEOUT_MS)
    grid = audit_page.get_by_test_id("stDataFrame").locator("table[role=grid]")
    expect(grid.locator("[role=row]")).to_have_count(3, timeout=TIMEOUT_MS)
    rows = [[c.inner_text().strip() for c in row.locator("[role=gridcell]").all()]
            for row in grid.locator("[role=row]").all()[1:]]
    # Columns: time, actor, action, reference, status before, status after, reason, details.
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        ("mod-e2e", "reject", reject.reference, "pending", "rejected"),
        ("mod-e2e", "approve", approve.reference, "pending", "published"),
    ]
    assert rows[0][6] == "advertising"
    admin.close()
    admin_log.assert_clean()
