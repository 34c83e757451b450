"""What /melden does besides a send (assessment.participation.residents): workshop links, "Ich auch", "Problem melden".

On a real SQLite store with the real ``workshops`` table; the geography is a
stand-in with one Planungsraum, so no open data is needed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from assessment.needs.model import NeedInput
from assessment.needs.store import StoreBusyError, open_store
from assessment.participation import moderation
from assessment.participation.moderation import (
    REPORT_THRESHOLD,
    Moderation,
    need_reports,
)
from assessment.participation.residents import (
    BUSY,
    FLAG_LIMIT,
    FLAG_WINDOW_S,
    FlagAnswer,
    NoBrowserError,
    WorkshopLink,
    browser_secret,
    flag_need,
    reporter_key,
    support_need,
    support_token,
    supported_needs,
    workshop_link,
)
from assessment.participation.workshops import WorkshopBook
from core.i18n import t


class OnePlace:
    def locate(self, lat, lon):
        return {"PLR_ID": "01100206", "BZR_ID": "011002", "PGR_ID": "0110", "BEZ_ID": "01"}

    def area_point(self, level, area_id):
        return (52.5163, 13.3777) if "01100206".startswith(area_id) else None


@pytest.fixture
def store():
    opened = open_store(database_url="sqlite://", geography=OnePlace())
    yield opened
    opened.close()


def published(store, title="Mehr Fahrradbügel"):
    return store.submit(NeedInput(category="mobility", title=title, lat=52.5163, lon=13.3777), status="published")


def busy(*args, **kwargs):
    raise StoreBusyError("database is locked")


# --- /melden?workshop=CODE ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "notice"),
    [
        ("new", "report.workshop_new"),  # not begun: the facilitator opens it shortly
        ("closed", "report.workshop_closed"),  # paused
        ("frozen", "report.workshop_frozen"),  # ended
    ],
)
def test_a_workshop_that_takes_no_needs_now_says_why_and_tags_nothing(store, status, notice):
    book = WorkshopBook(store)
    code = book.create("Abendforum", date(2026, 12, 1), focus_level="BEZ", focus_id="01").code
    if status in ("closed", "frozen"):
        book.open(code)
        (book.close if status == "closed" else book.freeze)(code)
    # The page still watches for a voting round, except in a frozen workshop (no round can open there).
    voting_code = None if status == "frozen" else code
    # Its area is still where the map starts: people scan the code before the facilitator opens the workshop.
    named = book.get(code)
    assert (named.title, named.status, named.focus_level, named.focus_id) == ("Abendforum", status, "BEZ", "01")
    assert workshop_link(store, code) == WorkshopLink(None, notice, {"title": "Abendforum"}, voting_code, named)


def test_an_open_workshop_tags_the_needs_and_carries_its_publish_setting(store):
    book = WorkshopBook(store)
    code = book.create("Kiezspaziergang", date(2026, 12, 1), focus_level="BEZ", focus_id="01",
                       publish_immediately=False).code
    book.open(code)
    link = workshop_link(store, code)
    room = book.get(code)
    assert (room.status, room.publish_immediately, room.focus_level, room.focus_id) == ("open", False, "BEZ", "01")
    assert link == WorkshopLink(room, "report.workshop", {"title": "Kiezspaziergang"}, code, named=room)


def test_a_workshop_link_starts_the_map_on_its_drawn_rectangle_or_its_area(store):
    book = WorkshopBook(store)
    drawn = book.create("Am Kanal", date(2026, 12, 1), bbox=(13.40, 52.49, 13.44, 52.51)).code
    area = book.create("Im Kiez", date(2026, 12, 1), focus_level="BZR", focus_id="011002").code
    asked = []

    def area_bbox(level, area_id):
        asked.append((level, area_id))
        return (13.33, 52.51, 13.37, 52.53)

    assert workshop_link(store, drawn).start_bbox(area_bbox) == (13.40, 52.49, 13.44, 52.51) and not asked
    assert workshop_link(store, area).start_bbox(area_bbox) == (13.33, 52.51, 13.37, 52.53)
    assert asked == [("BZR", "011002")]
    assert workshop_link(store, "NOSUCH").start_bbox(area_bbox) is None and workshop_link(store, None).named is None


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ("gibt-es-nicht", "gibt-es-nicht"),  # well-formed, unknown
        ("x y<script>", "x y<script>"),  # malformed: not even looked up; named back (the page escapes it)
        ("a" * 100, "a" * 64),  # cut to the longest valid id
    ],
)
def test_an_unknown_code_is_named_back(store, code, named):
    assert workshop_link(store, code) == WorkshopLink(None, "report.workshop_unknown", {"code": named})


@pytest.mark.parametrize("code", [None, ""])
def test_no_code_says_nothing(store, code):
    assert workshop_link(store, code) == WorkshopLink()


def test_an_open_voting_round_is_found_while_it_is_open(store):
    """Issue 18: phones on /melden?workshop=CODE were not told when the voting started."""
    from assessment.participation.residents import open_vote_round

    book = WorkshopBook(store)
    code = book.open(book.create("Abendforum", date(2026, 12, 1), focus_level="BEZ", focus_id="01").code).code
    other = book.create("Nebenan", date(2026, 12, 1), focus_level="BEZ", focus_id="01").code
    assert open_vote_round(store, code) is None  # no round yet
    voting = book.start_round(code, dots=3)
    assert open_vote_round(store, code) == voting and open_vote_round(store, other) is None
    book.close(code)  # no more needs, the vote goes on
    assert open_vote_round(store, code) == voting
    book.stop_round(code)
    assert open_vote_round(store, code) is None
    newer = book.start_round(code, dots=2)  # a second round: the newest decides
    assert open_vote_round(store, code) == newer
    book.freeze(code)  # ends the round, for good
    assert open_vote_round(store, code) is None


@pytest.mark.parametrize("code", [None, "", "x y<script>", "GIBTSNICHT"])
def test_no_code_a_malformed_or_unknown_one_has_no_vote(store, code):
    from assessment.participation.residents import open_vote_round

    assert open_vote_round(store, code) is None


# --- "Ich auch" ---------------------------------------------------------------------------------


def test_support_counts_once_per_browser(store):
    need = published(store)
    assert support_need(store, need.id, "cookie-a", "session-1")
    assert support_need(store, need.id, "cookie-a", "session-2")  # a reload: the same browser
    assert store.get(need.id).support_count == 1
    assert supported_needs(store, support_token("cookie-a", "session-3"), [need.id]) == {need.id}
    assert support_need(store, need.id, "cookie-b", "session-4")  # another browser
    assert store.get(need.id).support_count == 2


@pytest.mark.parametrize("cookie", [None, "", "2|zz|zz|1"])
def test_without_a_cookie_no_session_counts_a_support(store, cookie):
    """A reload is a new session: counting per session would give a cookieless client a support per load."""
    need = published(store)
    for session in ("session-1", "session-2"):
        with pytest.raises(NoBrowserError, match="no XSRF cookie"):
            support_need(store, need.id, browser_secret(cookie), session)
    assert store.get(need.id).support_count == 0


def test_a_busy_database_counts_no_support_and_says_so(store, monkeypatch):
    need = published(store)
    monkeypatch.setattr(store, "support", busy)
    assert support_need(store, need.id, "cookie-a", "session-1") is False
    assert store.get(need.id).support_count == 0


# --- "Problem melden" ----------------------------------------------------------------------------

# One browser's XSRF cookie on three page loads: the token 02040608 under three masks (browser_secret).
THREE_LOADS = ("2|01020304|0306050c|1700000000", "2|ffffffff|fdfbf9f7|1700000000", "2|10203040|12243648|1700000000")
START = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


def test_report_reload_report_counts_one_browser_and_hides_nothing(store):
    """The attack: report, reload, report, reload, report. Before, each load was a new reporter."""
    need = published(store)
    answers = [flag_need(store, need.id, browser_secret(cookie), "offensive") for cookie in THREE_LOADS]
    assert [a.message for a in answers] == ["report.flag_done", "report.flag_known", "report.flag_known"]
    assert all(a.settled and a.ok for a in answers)
    assert Moderation(store).report_counts() == {need.id: 1}
    assert store.get(need.id).status == "published"
    assert [n.id for n in Moderation(store).queue()] == [need.id]  # on the moderators' list all the same


def test_reports_from_three_browsers_hide_the_need_and_later_ones_are_told(store):
    need, other = published(store), published(store, "Sichere Querung")
    for browser in ("browser-a", "browser-b", "browser-c"):
        assert flag_need(store, need.id, browser, "offensive").message == "report.flag_done"
    assert REPORT_THRESHOLD == 3 and store.get(need.id).status == "hidden"
    # The moderators look at it already: a fourth report is settled, not counted.
    assert flag_need(store, need.id, "browser-d", "offensive") == FlagAnswer("report.flag_already", settled=True)
    assert store.get(other.id).status == "published"


@pytest.mark.parametrize("cookie", [None, "", "2|zz|zz|1"])
def test_a_browser_without_its_cookie_cannot_report_and_is_told_how_to(store, cookie):
    need = published(store)
    answer = flag_need(store, need.id, browser_secret(cookie), "offensive")
    assert answer == FlagAnswer("report.flag_no_cookie", settled=False, ok=False)
    assert Moderation(store).report_counts() == {}


def test_a_browser_reports_at_most_five_needs_in_ten_minutes(store):
    assert (FLAG_LIMIT, FLAG_WINDOW_S) == (5, 600)
    needs = [published(store, f"Bedarf Nummer {i}") for i in range(7)]
    now = [START]
    clock = lambda: now[0]  # noqa: E731
    for minute, need in enumerate(needs[:5]):
        now[0] = START + timedelta(minutes=minute)  # at 0, 1, 2, 3 and 4 minutes
        assert flag_need(store, need.id, "browser-a", "spam", clock=clock).message == "report.flag_done"
    # Reporting one of them again uses up nothing and is said to count once.
    assert flag_need(store, needs[0].id, "browser-a", "spam", clock=clock).message == "report.flag_known"
    now[0] = START + timedelta(minutes=4, seconds=30)
    refused = flag_need(store, needs[5].id, "browser-a", "spam", clock=clock)
    # The report at 0 minutes leaves the window at 10 minutes: 5.5 minutes from now, said as about 6.
    assert refused == FlagAnswer("report.flag_limited", settled=False, ok=False,
                                 values={"limit": 5, "window": 10, "minutes": 6})
    assert t(refused.message, "de", **refused.values) == (
        "Nicht gesendet: Aus diesem Browser kamen in den letzten 10 Minuten schon 5 Hinweise. Bitte versuchen "
        "Sie es in etwa 6 Minuten noch einmal.")
    assert needs[5].id not in Moderation(store).report_counts()
    assert flag_need(store, needs[5].id, "browser-b", "spam", clock=clock).message == "report.flag_done"  # others may
    now[0] = START + timedelta(minutes=10, seconds=1)
    assert flag_need(store, needs[5].id, "browser-a", "spam", clock=clock).message == "report.flag_done"


def test_a_report_that_is_refused_uses_up_no_place(store):
    needs = [published(store, f"Bedarf Nummer {i}") for i in range(5)]
    pending = store.submit(NeedInput(category="mobility", title="Noch in Prüfung", lat=52.5163, lon=13.3777))
    for _ in range(3):
        assert flag_need(store, pending.id, "browser-a", "spam").message == "report.flag_already"
    assert all(flag_need(store, n.id, "browser-a", "spam").message == "report.flag_done" for n in needs)


@pytest.mark.parametrize(("chosen", "stored"), [(None, "other"), ("", "other"), ("personal_data", "personal_data")])
def test_the_reason_is_stored_and_none_chosen_counts_as_other(store, chosen, stored):
    need = published(store)
    assert flag_need(store, need.id, "browser-a", chosen).message == "report.flag_done"
    with store.engine.connect() as conn:
        reasons = conn.execute(sa.select(need_reports.c.reason, need_reports.c.reporter_key)).all()
    assert reasons == [(stored, reporter_key("browser-a"))]
    assert reporter_key("browser-a") != support_token("browser-a", "session-1")  # reports and supports stay apart


def test_a_deleted_or_unpublished_need_cannot_be_reported(store):
    pending = store.submit(NeedInput(category="mobility", title="Noch in Prüfung", lat=52.5163, lon=13.3777))
    assert flag_need(store, pending.id, "browser-a", "spam") == FlagAnswer("report.flag_already", settled=True)
    assert flag_need(store, "no-such-need", "browser-a", "spam") == FlagAnswer("report.flag_already", settled=True)


def test_a_busy_database_leaves_the_report_open_to_try_again(store, monkeypatch):
    need = published(store)
    monkeypatch.setattr(moderation.Moderation, "report", busy)
    assert flag_need(store, need.id, "browser-a", "spam") == BUSY == FlagAnswer("report.busy", settled=False, ok=False)
