"""What /melden does besides a send (assessment.participation.residents): workshop links, "Ich auch", "Problem melden".

On a real SQLite store with the real ``workshops`` table; the geography is a
stand-in with one Planungsraum, so no open data is needed.
"""

from __future__ import annotations

from datetime import date

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
    FlagAnswer,
    Workshop,
    WorkshopLink,
    flag_need,
    support_need,
    support_token,
    supported_needs,
    workshop_link,
)
from assessment.participation.workshops import WorkshopBook


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
    assert workshop_link(store, code) == WorkshopLink(None, notice, {"title": "Abendforum"}, voting_code)


def test_an_open_workshop_tags_the_needs_and_carries_its_publish_setting(store):
    book = WorkshopBook(store)
    code = book.create("Kiezspaziergang", date(2026, 12, 1), focus_level="BEZ", focus_id="01",
                       publish_immediately=False).code
    book.open(code)
    link = workshop_link(store, code)
    assert link == WorkshopLink(Workshop(code, "Kiezspaziergang", "open", False), "report.workshop",
                                {"title": "Kiezspaziergang"}, code)


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


def test_without_a_cookie_each_session_counts(store):
    need = published(store)
    support_need(store, need.id, None, "session-1")
    support_need(store, need.id, None, "session-2")
    assert store.get(need.id).support_count == 2


def test_a_busy_database_counts_no_support_and_says_so(store, monkeypatch):
    need = published(store)
    monkeypatch.setattr(store, "support", busy)
    assert support_need(store, need.id, "cookie-a", "session-1") is False
    assert store.get(need.id).support_count == 0


# --- "Problem melden" ----------------------------------------------------------------------------


def test_a_report_is_recorded_once_per_session(store):
    need = published(store)
    assert flag_need(store, need.id, "session-1", "offensive") == FlagAnswer("report.flag_done", settled=True)
    # The same session again (a stale button): the store counts its key once.
    assert flag_need(store, need.id, "session-1", "spam") == FlagAnswer("report.flag_done", settled=True)
    assert Moderation(store).report_counts() == {need.id: 1}
    assert store.get(need.id).status == "published"


def test_reports_from_three_sessions_hide_the_need_and_later_ones_are_told(store):
    need, other = published(store), published(store, "Sichere Querung")
    for session in range(REPORT_THRESHOLD):
        assert flag_need(store, need.id, f"session-{session}", "offensive").message == "report.flag_done"
    assert REPORT_THRESHOLD == 3 and store.get(need.id).status == "hidden"
    # The moderators look at it already: a fourth report is settled, not counted.
    assert flag_need(store, need.id, "session-9", "offensive") == FlagAnswer("report.flag_already", settled=True)
    assert store.get(other.id).status == "published"


@pytest.mark.parametrize(("chosen", "stored"), [(None, "other"), ("", "other"), ("personal_data", "personal_data")])
def test_the_reason_is_stored_and_none_chosen_counts_as_other(store, chosen, stored):
    need = published(store)
    assert flag_need(store, need.id, "session-1", chosen).message == "report.flag_done"
    with store.engine.connect() as conn:
        reasons = conn.execute(sa.select(need_reports.c.reason)).scalars().all()
    assert reasons == [stored]


def test_a_deleted_or_unpublished_need_cannot_be_reported(store):
    pending = store.submit(NeedInput(category="mobility", title="Noch in Prüfung", lat=52.5163, lon=13.3777))
    assert flag_need(store, pending.id, "session-1", "spam") == FlagAnswer("report.flag_already", settled=True)
    assert flag_need(store, "no-such-need", "session-1", "spam") == FlagAnswer("report.flag_already", settled=True)


def test_a_busy_database_leaves_the_report_open_to_try_again(store, monkeypatch):
    need = published(store)
    monkeypatch.setattr(moderation.Moderation, "report", busy)
    assert flag_need(store, need.id, "session-1", "spam") == FlagAnswer("report.busy", settled=False)
