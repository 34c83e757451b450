"""A voting round ends while two phones vote: both notice it without a reload (real Chromium).

What a facilitator with two phones and a projector saw: after "Abstimmungsrunde
beenden" a phone kept its "+" buttons until someone reloaded it, and the
projector neither said that the round was over nor showed that two needs had
the same number of dots. Here the facilitator works on ``/workshop`` (signed in
with a built-in account), two phone-sized pages (390 x 844, touch) are on
``/abstimmen`` and a projector-sized page on ``/live``:

1. the phones wait; the facilitator starts a round, and both phones show it by themselves;
2. each phone puts one dot on each of two needs: a tie, 2 : 2;
3. the facilitator ends the round; within the voting page's refresh interval (plus
   the time a run takes) both phones say the round is over and have no "+" left,
   without a reload;
4. the projector says the round is over and marks both needs as sharing the first place;
5. the facilitator closes the workshop: the projector stops inviting the room (no QR code,
   no join code) and says that submissions are closed.
"""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.conftest import RequestLog
from tests.e2e.streamlit_helpers import (
    TIMEOUT_MS,
    current,
    keyed,
    open_app,
    rerun_after,
    sign_in,
    staff_home,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "e2e-nur-fuer-tests-3"
PHONE = {"width": 390, "height": 844}
BRANDENBURG_GATE = (52.5163, 13.3777)  # PLR 01100206, Mitte (official LOR map)
TITLE = "Kiezwerkstatt Wedding"
ROUND_OVER = "Die Abstimmungsrunde ist beendet"
# The voting page's refresh interval, read from the page so the two cannot drift apart.
REFRESH_S = float(re.search(r"^REFRESH_S = ([0-9.]+)", (ROOT / "pages/workshop_vote.py").read_text(), re.MULTILINE)[1])
# What a look at the round may take beyond the interval on a loaded 2-core machine: the fragment's
# query, then the page's full rerun.
RUN_SLACK_S = 2.5


@pytest.fixture(scope="module")
def round_server(settings_with_data, start_app, tmp_path_factory):
    """The app, a facilitator account, an open workshop with two needs; yields ``(server, book, code, needs)``."""
    from assessment.needs.model import NeedInput
    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook

    url = start_app.database_url()
    home = staff_home(tmp_path_factory.mktemp("home"), PASSWORD, {"fac-runde": ("facilitator",)})
    store = open_store(settings_with_data, database_url=url)
    book = WorkshopBook(store)
    code = book.open(book.create(TITLE, date.today(), focus_level="BEZ", focus_id="01").code).code
    lat, lon = BRANDENBURG_GATE
    needs = [store.submit(NeedInput(category="green_climate", title=title, lat=lat, lon=lon, workshop_id=code,
                                    channel="workshop"), status="published")
             for title in ("Schattige Bänke", "Trinkbrunnen")]
    server = start_app({"DATABASE_URL": url, "HOME": str(home)})
    yield server, book, code, needs
    store.close()


@pytest.fixture
def phones(browser):
    """Two phones (390 x 844, touch), each its own browser with its own request log."""
    opened = []
    for _ in range(2):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE")
        phone = context.new_page()
        log = RequestLog()
        log.attach(phone)
        watch(phone)
        opened.append((context, phone, log))
    yield [(phone, log) for _, phone, log in opened]
    for context, _, _ in opened:
        context.close()


@pytest.fixture
def projector(browser):
    """The projector's browser: a wide page on /live, with its request log."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="de-DE")
    page = context.new_page()
    log = RequestLog()
    log.attach(page)
    watch(page)
    yield page, log
    context.close()


def never_reloaded(phone) -> list[str]:
    """Marks ``phone``'s document and returns the list its later navigations are recorded in."""
    phone.evaluate("window.__phone = 'kept'")
    navigations: list[str] = []
    phone.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == phone.main_frame else None)
    return navigations


def place_dot(phone, need) -> None:
    """Tap "+ Punkt" at ``need`` and wait for the run the tap started."""
    with rerun_after(phone):
        keyed(phone, f"vote_add_{need.id}").get_by_role("button").tap()


def test_both_phones_notice_the_end_of_the_round_and_the_projector_marks_the_tie(
        round_server, page, network, phones, projector):
    from playwright.sync_api import expect

    server, book, code, needs = round_server
    facilitator = page
    sign_in(facilitator, server.url, "fac-runde", PASSWORD)
    open_app(facilitator, f"{server.url}/workshop", "Workshop einrichten und leiten")
    expect(keyed(facilitator, "ws_code")).to_contain_text(code)  # large, for reading it out

    screen, screen_log = projector
    open_app(screen, f"{server.url}/live?workshop={code}", TITLE)
    expect(keyed(screen, "live_code")).to_contain_text(code, timeout=TIMEOUT_MS)

    navigations = []
    for phone, _ in phones:
        open_app(phone, f"{server.url}/abstimmen?workshop={code}", f"Abstimmen: {TITLE}")
        expect(current(phone).get_by_text("Gerade läuft keine Abstimmung")).to_be_visible()
        navigations.append(never_reloaded(phone))

    # 1. A round starts on the facilitator's page; the waiting phones show it by themselves.
    with rerun_after(facilitator):
        keyed(facilitator, "ws_start").get_by_role("button").click()
    expect(current(facilitator).get_by_text("Eine Runde läuft: 3 Punkte pro Person.")).to_be_visible()
    for phone, _ in phones:
        expect(keyed(phone, "vote_left")).to_contain_text("3 von 3", timeout=(REFRESH_S + RUN_SLACK_S) * 1000)

    # 2. Each phone gives one dot to each need: 2 : 2.
    for phone, _ in phones:
        for need in needs:
            place_dot(phone, need)
        expect(keyed(phone, "vote_left")).to_contain_text("1 von 3")
    voting = book.latest_round(code)
    assert book.results(voting.id).set_index("title")["votes"].to_dict() == {need.title: 2 for need in needs}

    # 3. The facilitator ends the round; both phones notice within the refresh interval, without a reload.
    with rerun_after(facilitator):
        keyed(facilitator, "ws_stop").get_by_role("button").click()
    ended = time.monotonic()
    assert not book.latest_round(code).is_open
    for phone, _ in phones:
        expect(current(phone).get_by_text(ROUND_OVER)).to_be_visible(timeout=(REFRESH_S + RUN_SLACK_S) * 1000)
    lag = time.monotonic() - ended
    assert lag <= REFRESH_S + RUN_SLACK_S, f"the phones took {lag:.1f} s to notice the end of the round"
    for (phone, _), navigated in zip(phones, navigations):
        for need in needs:
            expect(keyed(phone, f"vote_add_{need.id}")).to_have_count(0)
        assert phone.evaluate("window.__phone") == "kept" and navigated == []

    # 4. The projector says so and shows the tie: both share the first place.
    expect(keyed(screen, "live_round_over")).to_contain_text("Die Abstimmung ist beendet", timeout=10_000)
    results = keyed(screen, "live_results")
    for need in needs:
        expect(results).to_contain_text(f"1. (gleichauf) 2 Pkt. – {need.title}")

    # 5. Closing the workshop: the projector invites to nothing any more.
    with rerun_after(facilitator):
        keyed(facilitator, "ws_close").get_by_role("button").click()
    expect(current(screen).get_by_text("Meldungen sind geschlossen.")).to_be_visible(timeout=10_000)
    expect(keyed(screen, "live_code")).to_have_count(0)
    expect(keyed(screen, "live_join_url")).to_have_count(0)
    expect(current(screen).get_by_text(re.compile("QR-Code scannen"))).to_have_count(0)
    expect(current(screen).get_by_role("img", name=re.compile("QR-Code"))).to_have_count(0)
    screen_log.assert_clean()
    for _, log in phones:
        log.assert_clean()
