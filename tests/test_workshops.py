"""Workshops, voting rounds and the dot cap, on SQLite and PostgreSQL (real LOR geography)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from assessment.participation.residents import browser_secret, workshop_directory
from assessment.participation.workshops import (
    JOIN_ALPHABET,
    VoteRefused,
    VoteRound,
    Workshop,
    WorkshopBook,
    WorkshopError,
    WorkshopNotFoundError,
    rank_votes,
    room_invitation,
    voter_key,
    voting_phase,
)
from needs_fixtures import *  # noqa: F401,F403 - the store fixtures
from needs_fixtures import BRANDENBURG_GATE, RATHAUS_SPANDAU, ROTES_RATHAUS, need_input


@pytest.fixture
def book(store):
    # The shared fixture empties needs and supports only; start every test without workshops too.
    with store.engine.begin() as conn:
        for table in ("votes", "vote_rounds", "workshops"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    return WorkshopBook(store)


def room_need(store, book, code, place=BRANDENBURG_GATE, **changes):
    return store.submit(
        need_input(lat=place[0], lon=place[1], workshop_id=code, channel="workshop", **changes),
        status=book.submission_status(code),
    )


def test_create_list_open_close_freeze(book):
    mitte = book.create("Kiezwerkstatt Mitte", date(2026, 12, 3), focus_level="BEZ", focus_id="01")
    drawn = book.create("Spaziergang", date(2025, 5, 1), bbox=(13.37, 52.51, 13.39, 52.52), publish_immediately=False)
    assert len(mitte.code) == 6 and set(mitte.code) <= set(JOIN_ALPHABET) and mitte.code != drawn.code
    assert mitte.status == "new" and mitte.focus_level == "BEZ" and mitte.bbox is None
    assert book.close(mitte.code).status == "new"  # closing what never opened leaves it "not opened yet"
    assert drawn.bbox == (13.37, 52.51, 13.39, 52.52) and drawn.focus_level is None
    assert [w.code for w in book.list()] == [mitte.code, drawn.code]  # latest date first
    assert book.open(mitte.code).is_open
    assert workshop_directory(book.store).find(mitte.code).is_open
    closed = book.close(mitte.code)
    assert not closed.is_open and closed.status == "closed"
    assert workshop_directory(book.store).find(mitte.code).status == "closed"
    frozen = book.freeze(mitte.code)
    assert frozen.is_frozen and not workshop_directory(book.store).find(mitte.code).is_open
    with pytest.raises(WorkshopError, match="is closed: its results are final"):
        book.open(mitte.code)
    with pytest.raises(WorkshopError, match="is closed: no new voting round"):
        book.start_round(mitte.code, 3)
    with pytest.raises(WorkshopNotFoundError, match="NOPE"):
        book.get("NOPE")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(title=" ", focus_level="BEZ", focus_id="01"), "title"),
        (dict(title="x", focus_level="BEZ", focus_id="99"), "no such area"),
        (dict(title="x", focus_level="XYZ", focus_id="01"), "no area level 'XYZ'"),
        (dict(title="x"), "exactly one focus area"),
        (dict(title="x", focus_level="BEZ", focus_id="01", bbox=(13.3, 52.5, 13.4, 52.6)), "exactly one"),
        (dict(title="x", bbox=(13.4, 52.5, 13.3, 52.6)), "west must be less than east"),
        (dict(title="x", bbox=(11.0, 52.5, 13.3, 52.6)), "outside the city"),
    ],
)
def test_create_refuses_bad_input_and_says_why(book, kwargs, message):
    kwargs = dict(kwargs)
    title = kwargs.pop("title")
    with pytest.raises(WorkshopError, match=message):
        book.create(title, date(2026, 12, 3), **kwargs)
    assert book.list() == []


def test_room_needs_follow_the_publish_choice_and_reach_the_area_counts(book, store):
    instant = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code)
    moderated = book.open(book.create("B", date(2026, 12, 3), focus_level="BEZ", focus_id="01",
                                      publish_immediately=False).code)
    assert room_need(store, book, instant.code).status == "published"
    assert room_need(store, book, moderated.code).status == "pending"
    room_need(store, book, instant.code, place=RATHAUS_SPANDAU, category="housing")
    room_need(store, book, instant.code, place=ROTES_RATHAUS)
    book.freeze(instant.code)
    # Ordinary needs: the planners' counts see the frozen workshop's published needs (2 in Mitte, 1 in Spandau).
    counts = store.counts_by_area("BEZ", workshop_id=instant.code)
    assert counts.to_dict("records") == [
        {"BEZ_ID": "01", "category": "mobility", "count": 2},
        {"BEZ_ID": "05", "category": "housing", "count": 1},
    ]
    everything = store.counts_by_area("BEZ", by_category=False)
    assert everything.set_index("BEZ_ID")["count"].to_dict() == {"01": 2, "05": 1}  # the pending one is not counted
    assert book.category_counts(instant.code)[["category", "count"]].values.tolist() == [["mobility", 2], ["housing", 1]]


def test_dot_voting_counts_caps_and_withdraws(book, store):
    code = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    first, second = room_need(store, book, code, title="Bänke"), room_need(store, book, code, title="Bäume")
    other = book.open(book.create("B", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    foreign = room_need(store, book, other)
    with pytest.raises(WorkshopError, match="Dots per person"):
        book.start_round(code, 0)
    voting = book.start_round(code, dots=3)
    assert [book.cast_vote(voting.id, "session-aaa", n.id) for n in (first, first, second)] == [1, 2, 3]
    with pytest.raises(VoteRefused, match=r"All your dots of this round are placed \(3 per person\)"):
        book.cast_vote(voting.id, "session-aaa", second.id)
    with pytest.raises(VoteRefused, match="not a published need of this workshop"):
        book.cast_vote(voting.id, "session-bbb", foreign.id)
    assert book.withdraw_vote(voting.id, "session-aaa", first.id) == 2
    assert book.cast_vote(voting.id, "session-aaa", second.id) == 3  # the dot moved
    book.cast_vote(voting.id, "session-bbb", second.id)
    assert book.my_votes(voting.id, "session-aaa") == {first.id: 1, second.id: 2}
    results = book.results(voting.id)
    assert results[["title", "votes", "voters"]].values.tolist() == [["Bäume", 3, 2], ["Bänke", 1, 1]]
    # A new round ends the old one; its votes are final.
    again = book.start_round(code, dots=1)
    assert not book.get_round(voting.id).is_open and book.latest_round(code).id == again.id
    with pytest.raises(VoteRefused, match="ended"):
        book.cast_vote(voting.id, "session-ccc", first.id)
    assert book.results(again.id)["votes"].sum() == 0
    exported = book.votes_frame(code)
    assert len(exported) == 4 and "session-aaa" not in set(exported["voter"])


def test_one_session_cannot_exceed_its_dots_with_parallel_clicks(book, store):
    code = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    needs = [room_need(store, book, code, title=f"Bedarf {i}") for i in range(3)]
    voting = book.start_round(code, dots=3)
    outcomes: list[object] = []
    barrier = threading.Barrier(12)

    def click(index: int, voter: str) -> None:
        barrier.wait()
        try:
            outcomes.append(book.cast_vote(voting.id, voter, needs[index % 3].id))
        except VoteRefused as refused:
            outcomes.append(refused)

    # 8 parallel clicks from one session, 4 from another: each session ends with exactly 3 dots.
    threads = [threading.Thread(target=click, args=(i, "greedy-session")) for i in range(8)]
    threads += [threading.Thread(target=click, args=(i, "modest-session")) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(o, int) for o in outcomes) == 6
    assert sum(isinstance(o, VoteRefused) for o in outcomes) == 6
    assert sum(book.my_votes(voting.id, "greedy-session").values()) == 3
    assert sum(book.my_votes(voting.id, "modest-session").values()) == 3
    assert book.results(voting.id)["votes"].sum() == 6


def test_freeze_ends_the_open_round(book, store):
    code = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = room_need(store, book, code)
    voting = book.start_round(code, dots=2)
    book.cast_vote(voting.id, "session-aaa", need.id)
    book.freeze(code)
    with pytest.raises(VoteRefused, match="ended"):
        book.cast_vote(voting.id, "session-aaa", need.id)
    assert book.results(voting.id)["votes"].tolist() == [1]


def test_results_drop_a_need_rejected_after_it_got_dots(book, store):
    """The projector is public: a need hidden or rejected later vanishes from the results."""
    code = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    kept, rejected = room_need(store, book, code, title="Bänke"), room_need(store, book, code, title="Max Mustermann")
    voting = book.start_round(code, dots=2)
    book.cast_vote(voting.id, "session-aaa", kept.id)
    book.cast_vote(voting.id, "session-aaa", rejected.id)
    store.set_status(rejected.id, "rejected")
    assert book.results(voting.id)["title"].tolist() == ["Bänke"]
    staff_view = book.results(voting.id, published_only=False)
    assert sorted(staff_view["title"]) == ["Bänke", "Max Mustermann"]


@pytest.mark.parametrize("year", [1899, 2999])
def test_an_implausible_date_is_refused_naming_the_field_and_nothing_is_created(book, year):
    with pytest.raises(WorkshopError) as refused:
        book.create("Kiezwerkstatt", date(year, 11, 26), focus_level="BEZ", focus_id="01")
    assert "im Feld „Datum“" in refused.value.in_language("de") and f"26.11.{year}" in refused.value.in_language("de")
    assert "field 'Date'" in str(refused.value)
    assert book.list() == []


@pytest.mark.parametrize(("title", "focus_id", "field", "fix"), [
    ("  ", "011001", "“Title”", "Der Titel fehlt. Bitte geben Sie im Feld „Titel“ einen kurzen Namen"),
    ("Stadtteilforum", None, "“Area”", "Das Fokusgebiet fehlt. Bitte wählen Sie im Feld „Gebiet“ ein Gebiet der "
                                       "Ebene „Bezirksregion“ aus der Liste"),
    ("Stadtteilforum", "", "“Area”", "Das Fokusgebiet fehlt."),
])
def test_a_missing_title_or_area_is_refused_naming_the_form_field(book, title, focus_id, field, fix):
    """The setup page shows this refusal as it is and checks neither field itself."""
    with pytest.raises(WorkshopError) as refused:
        book.create(title, date(2026, 12, 3), focus_level="BZR", focus_id=focus_id)
    assert refused.value.in_language("de").startswith(fix), refused.value.in_language("de")
    if focus_id is None:
        assert "level “District region” in the field “Area”" in refused.value.in_language("en")
    assert f"field {field}" in str(refused.value)
    assert book.list() == []


# -- what the room's screens show: rank and ties, the voting phase, the projector's invitation --

@pytest.mark.parametrize(("votes", "expected"), [
    ([3, 1], [(1, False), (2, False)]),
    ([2, 2, 1], [(1, True), (1, True), (3, False)]),  # two share the first place; the next is third
    ([4, 2, 2, 2, 1], [(1, False), (2, True), (2, True), (2, True), (5, False)]),
    ([1, 0, 0], [(1, False), (None, False), (None, False)]),  # no dot yet: no place, no tie
    ([0, 0], [(None, False), (None, False)]),  # before the first dot nothing is "tied for first"
    ([1, 2, 2], [(3, False), (1, True), (1, True)]),  # the order of the input does not matter
    ([], []),
])
def test_ranks_share_a_place_on_equal_dots(votes, expected):
    assert rank_votes(votes) == expected


def test_results_carry_the_rank_and_mark_ties(book, store):
    code = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    benches, trees, water, _ = (room_need(store, book, code, title=t) for t in ("Bänke", "Bäume", "Wasser", "Schatten"))
    voting = book.start_round(code, dots=2)
    for voter, need in [("session-aaa", benches), ("session-aaa", trees), ("session-bbb", benches),
                        ("session-bbb", trees), ("session-ccc", water)]:
        book.cast_vote(voting.id, voter, need.id)
    results = book.results(voting.id)
    assert results["title"].tolist() == ["Bänke", "Bäume", "Wasser", "Schatten"]
    assert results["rank"].tolist() == [1, 1, 3, None]
    assert results["tied"].tolist() == [True, True, False, False]


def workshop_in(status: str) -> Workshop:
    return Workshop("K7MP3Q", "Kiezwerkstatt", date(2026, 12, 3), status, True, "BEZ", "01", None,
                    datetime(2026, 12, 1, tzinfo=UTC))


OPEN_ROUND = VoteRound("r2", "K7MP3Q", 3, datetime(2026, 12, 3, 18, tzinfo=UTC), None)
ENDED_ROUND = replace(OPEN_ROUND, closed_at=datetime(2026, 12, 3, 18, 20, tzinfo=UTC))


@pytest.mark.parametrize(("status", "voting", "phase"), [
    ("open", None, "waiting"),
    ("open", OPEN_ROUND, "open"),
    ("closed", OPEN_ROUND, "open"),  # closing the workshop for needs does not end a running vote
    ("open", ENDED_ROUND, "over"),
    ("closed", ENDED_ROUND, "over"),
    ("frozen", ENDED_ROUND, "frozen"),
    ("frozen", None, "frozen"),
])
def test_voting_phase_says_what_a_phone_on_the_voting_page_shows(status, voting, phase):
    assert voting_phase(workshop_in(status), voting) == phase


@pytest.mark.parametrize(("status", "voting", "invitation"), [
    ("new", None, "join"),  # people who scan early are told it has not started
    ("open", None, "join"),
    ("open", ENDED_ROUND, "join"),
    ("open", OPEN_ROUND, "vote"),
    ("closed", OPEN_ROUND, "vote"),
    ("closed", None, None),  # the form would refuse: invite to nothing
    ("closed", ENDED_ROUND, None),
    ("frozen", ENDED_ROUND, None),
])
def test_the_projector_invites_only_to_what_the_room_can_do_now(status, voting, invitation):
    assert room_invitation(workshop_in(status), voting) == invitation


# One browser's XSRF cookie on three loads of /abstimmen: the token 02040608 under three masks.
THREE_LOADS = ("2|01020304|0306050c|1700000000", "2|ffffffff|fdfbf9f7|1700000000", "2|10203040|12243648|1700000000")


def test_three_loads_of_the_voting_page_in_one_browser_are_one_voter_with_the_rounds_dots(book, store):
    """The attack: reload twice and vote again each time. 3 loads x 3 clicks give 3 dots, not 9."""
    code = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = room_need(store, book, code)
    voting = book.start_round(code, dots=3)
    placed, refused = 0, 0
    for cookie in THREE_LOADS:
        for _ in range(3):
            try:
                book.cast_vote(voting.id, voter_key(code, browser_secret(cookie)), need.id)
                placed += 1
            except VoteRefused:
                refused += 1
    assert (placed, refused) == (3, 6)
    results = book.results(voting.id)
    assert results[["votes", "voters"]].values.tolist() == [[3, 1]]


@pytest.mark.parametrize(("cookie", "voter"), [
    (None, None),  # no cookie at all: no voter, so no fresh allowance per page load
    ("", None),
    ("2|zz|zz|1", None),  # a cookie that is not Streamlit's
    ("2|01020304|0306050c|1700000000", voter_key("K7MP3Q", "02040608")),
])
def test_a_browser_without_its_secret_is_no_voter(cookie, voter):
    assert voter_key("K7MP3Q", browser_secret(cookie)) == voter


def test_the_facilitator_hides_a_pin_from_the_projector_and_it_waits_for_the_moderators(book, store):
    from assessment.needs.audit import entries
    from assessment.participation.moderation import Moderation

    code = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    kept, offensive = room_need(store, book, code, title="Bänke"), room_need(store, book, code, title="Max wohnt hier")
    voting = book.start_round(code, dots=2)
    book.cast_vote(voting.id, "voter-aaaa", offensive.id)
    hidden = book.hide_pin(code, offensive.id, actor="fac-frieda")
    assert hidden.status == "hidden"
    # Gone from what the projector reads (published needs, results) ...
    assert [n.id for n in book.needs(code)] == [kept.id]
    assert book.results(voting.id)["title"].tolist() == ["Bänke"]
    # ... waiting for the moderators, with who hid it and why in the audit log.
    assert [n.id for n in Moderation(store).queue()] == [offensive.id]
    [row] = [r for r in entries(store).to_dict("records") if r["need_id"] == offensive.id]
    assert (row["actor"], row["action"], row["need_id"], row["status_before"], row["status_after"]) == (
        "fac-frieda", "workshop_hide", offensive.id, "published", "hidden")
    assert json.loads(row["details"]) == {"workshop": code}


@pytest.mark.parametrize(("which", "message"), [
    ("another workshop's", "ist kein Bedarf dieses Workshops: bitte einen Pin aus der Liste wählen"),
    ("pending", "ist nicht (mehr) auf dem Projektor"),
    ("hidden already", "ist nicht (mehr) auf dem Projektor"),
    ("unknown", "ist kein Bedarf dieses Workshops: bitte einen Pin aus der Liste wählen"),
])
def test_hiding_a_pin_that_is_not_on_this_projector_is_refused_and_changes_nothing(book, store, which, message):
    from assessment.needs.audit import entries

    code = book.open(book.create("A", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    other = book.open(book.create("B", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = {
        "another workshop's": lambda: room_need(store, book, other),
        "pending": lambda: store.submit(need_input(workshop_id=code, channel="workshop")),
        "hidden already": lambda: store.set_status(room_need(store, book, code).id, "hidden"),
        "unknown": lambda: replace(room_need(store, book, other), id="00000000-0000-0000-0000-000000000000"),
    }[which]()
    status = None if which == "unknown" else store.get(need.id).status
    with pytest.raises(WorkshopError) as refused:
        book.hide_pin(code, need.id, actor="fac-frieda")
    assert need.reference in refused.value.in_language("de") and refused.value.in_language("de").endswith(message)
    assert status is None or store.get(need.id).status == status
    assert need.id not in set(entries(store)["need_id"])  # no audit row without a change
