"""The moderation queue page's rules, without the page: paging and numbering, merge targets, messages.

These moved out of ``pages/moderation_queue.py`` into :mod:`assessment.participation.moderation`;
the page tests (AppTest) check the wiring, these check each rule case by case.
Expected numbers and texts are written out by hand.
"""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from assessment.needs.model import Need
from assessment.participation.moderation import (
    OPEN_AT_FIRST,
    PAGE_SIZE,
    decision_message,
    located_area,
    merge_message,
    position_text,
    queue_marker,
    queue_page,
    sent_text,
    topic_text,
)
from maps.moderation import QueueMarker
from moderation_fixtures import *  # noqa: F401,F403 - fixtures
from moderation_fixtures import need_input
from needs_fixtures import ROTES_RATHAUS

# --- paging and numbering ------------------------------------------------------------------------


def ids(*names: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(id=name) for name in names]


@pytest.mark.parametrize(
    ("queue", "numbers", "selected", "size", "shown", "number", "opened_new", "kept_selected", "more"),
    [
        # A first visit: numbers 1, 2, 3 in list order; a queue of three opens each need.
        (ids("a", "b", "c"), {}, None, 20, ["a", "b", "c"], {"a": 1, "b": 2, "c": 3}, True, None, False),
        # Four waiting: none opens by itself.
        (ids("a", "b", "c", "d"), {}, None, 20, ["a", "b", "c", "d"], {"a": 1, "b": 2, "c": 3, "d": 4}, False,
         None, False),
        # "a" (number 1) was decided: the others keep 2 and 3; a newcomer gets 4, not 1.
        (ids("b", "c", "e"), {"a": 1, "b": 2, "c": 3}, "c", 20, ["b", "c", "e"], {"b": 2, "c": 3, "e": 4}, True,
         "c", False),
        # The selected need was decided meanwhile: nothing stays selected.
        (ids("b", "c"), {"a": 1, "b": 2, "c": 3}, "a", 20, ["b", "c"], {"b": 2, "c": 3}, None, None, False),
        # Five waiting, two per page: the first two are shown, every need is numbered; a need
        # selected but behind the page is not selected.
        (ids("a", "b", "c", "d", "e"), {}, "d", 2, ["a", "b"], {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, False,
         None, True),
    ],
)
def test_queue_page_numbers_for_the_session_and_cuts_the_page(queue, numbers, selected, size, shown, number,
                                                               opened_new, kept_selected, more):
    known = set(numbers)
    opened = {need_id: False for need_id in numbers}
    page = queue_page(queue, numbers, opened, selected, size=size)
    assert [n.id for n in page.needs] == shown
    assert page.number == number
    assert (page.selected, page.more) == (kept_selected, more)
    # The session's dicts grew by the newcomers, with their opening decided once.
    assert {k for k in numbers if k not in known} == {n.id for n in queue if n.id not in known}
    assert all(opened[n.id] is opened_new for n in queue if n.id not in known)


def test_a_need_keeps_its_first_opening_when_the_queue_grows():
    numbers, opened = {}, {}
    queue_page(ids("a"), numbers, opened, None)
    queue_page(ids("a", "b", "c", "d"), numbers, opened, None)
    assert opened == {"a": True, "b": False, "c": False, "d": False}
    assert numbers == {"a": 1, "b": 2, "c": 3, "d": 4}


def test_the_page_size_and_the_short_queue_are_what_the_page_says():
    assert (PAGE_SIZE, OPEN_AT_FIRST) == (20, 3)
    page = queue_page(ids(*map(str, range(21))), {}, {}, None)
    assert len(page.needs) == 20 and page.more and page.number["20"] == 21


# --- a need in words and as a marker ----------------------------------------------------------------


def need(**changes) -> Need:
    values = dict(id="3f2c9a1e-8b7d-4c6e-9f00-1a2b3c4d5e6f",
                  created_at=datetime(2026, 11, 26, 23, 30, tzinfo=timezone.utc),
                  lat=52.516312, lon=13.377704, located_by="point", area_level=None,
                  units={"PLR": "01100206", "BZR": "011002", "PGR": "0110", "BEZ": "01"}, category="mobility", title="Mehr Fahrradbügel",
                  description="", status="pending", merged_into=None, support_count=0, workshop_id=None,
                  channel="online", language="de")
    values.update(changes)
    return Need(**values)


BY_BZR = dict(located_by="area", area_level="BZR", units={"PLR": None, "BZR": "011002", "PGR": "0110", "BEZ": "01"})
BY_BEZ = dict(located_by="area", area_level="BEZ", units={"PLR": None, "BZR": None, "PGR": None, "BEZ": "01"})


@pytest.mark.parametrize(("changes", "area", "position_de", "position_en"), [
    ({}, ("PLR", "01100206"), "52.51631, 13.37770", "52.51631, 13.37770"),
    (BY_BZR, ("BZR", "011002"), "kein Punkt, nur das Gebiet", "no point, only the area"),
    (BY_BEZ, ("BEZ", "01"), "kein Punkt, nur das Gebiet", "no point, only the area"),
    # A point without a PLR (never stored so, but the rule falls back to the finest area known).
    (dict(units={"PLR": None, "BZR": "011002", "PGR": "0110", "BEZ": "01"}), ("BZR", "011002"), "52.51631, 13.37770", "52.51631, 13.37770"),
])
def test_where_a_need_is_shown(changes, area, position_de, position_en):
    assert located_area(need(**changes)) == area
    assert (position_text(need(**changes), "de"), position_text(need(**changes), "en")) == (position_de, position_en)


def test_topic_and_arrival_in_words():
    assert (topic_text(need(), "de"), topic_text(need(), "en")) == ("Mobilität und Verkehr", "Mobility and transport")
    assert topic_text(need(category="retired_topic")) == "retired_topic"
    # 23:30 UTC on 26 November is 00:30 on the 27th in Berlin (CET, UTC+1); in summer (CEST) +2.
    assert sent_text(need().created_at, "de") == "27.11.2026, 00:30"
    assert sent_text(need().created_at, "en") == "2026-11-27 00:30"
    assert sent_text(datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc), "de") == "01.07.2026, 12:00"


def test_a_need_becomes_the_marker_of_its_number():
    names = {"PLR": {"01100206": "Unter den Linden"}, "BZR": {"011002": "Regierungsviertel"}}
    assert queue_marker(7, need(), names.get, "en") == QueueMarker(
        7, "3F2C9A1E", 52.516312, 13.377704, "Mehr Fahrradbügel", "Mobility and transport", "PLR", "01100206",
        "Unter den Linden", by_area=False)
    by_area = queue_marker(2, need(**BY_BZR), names.get, "de")
    assert (by_area.area_level, by_area.area_id, by_area.area_name, by_area.by_area) == (
        "BZR", "011002", "Regierungsviertel", True)
    # An area the names do not know is shown by its id alone.
    assert queue_marker(1, need(), lambda level: {}, "de").area_name == ""


# --- merge targets and the messages after a decision (on SQLite and PostgreSQL) ----------------------


def test_merge_targets_are_the_other_live_needs_of_the_same_area(store, moderation):
    duplicate = store.submit(need_input(title="Fahrradbügel fehlen"))
    published = store.submit(need_input(title="Mehr Fahrradbügel"), status="published")
    pending = store.submit(need_input(title="Abstellplätze"))
    hidden = store.submit(need_input(title="Bügel am Tor"), status="published")
    for n in range(3):
        moderation.report(hidden.id, f"reporter-{n:04d}", "spam")
    rejected = store.submit(need_input(title="Abgelehnt"))
    moderation.reject(rejected.id, actor="mod-anna", reason="off_topic")
    merged = store.submit(need_input(title="Schon zusammengeführt"))
    moderation.merge(merged.id, into=published.id, actor="mod-anna")
    store.submit(need_input(title="Anderer Planungsraum", lat=ROTES_RATHAUS[0], lon=ROTES_RATHAUS[1]),
                 status="published")
    assert store.get(hidden.id).status == "hidden"
    targets = moderation.merge_targets(duplicate)
    # Newest first; not the need itself, not rejected or merged ones, not another planning area.
    assert [n.id for n in targets] == [hidden.id, pending.id, published.id]
    # The limit counts the area's needs before the need itself is left out.
    assert [n.id for n in moderation.merge_targets(store.get(hidden.id), limit=2)] == [pending.id]


def test_a_need_located_by_area_is_merged_within_that_area(store, moderation):
    by_area = store.submit(need_input(title="Jugendclub fehlt", lat=None, lon=None, area_level="BZR",
                                      area_id="011002"))
    pinned = store.submit(need_input(title="Jugendclub am Tor"), status="published")  # PLR 01100206 lies in 011002
    elsewhere = store.submit(need_input(title="Rathaus", lat=ROTES_RATHAUS[0], lon=ROTES_RATHAUS[1]),
                             status="published")
    assert elsewhere.unit("BZR") != "011002"
    assert [n.id for n in moderation.merge_targets(by_area)] == [pinned.id]
    # The pinned need looks in its planning area, where the need located only by the BZR has no id.
    assert moderation.merge_targets(pinned) == []


def test_decision_messages_say_what_happened(store, moderation):
    one, two, three = (store.submit(need_input(title=f"Bedarf {n}")) for n in range(3))
    assert decision_message(moderation.approve, one.id, actor="mod-anna", lang="de") == (
        "success", f"Gespeichert: {one.reference} ist jetzt veröffentlicht.")
    assert decision_message(moderation.reject, two.id, actor="mod-anna", lang="en", reason="spam_free_text") == (
        "error", "Please choose a reason from the list (got 'spam_free_text'): personal_data, offensive, "
                 "advertising, off_topic, outside_scope, duplicate.")
    assert store.get(two.id).status == "pending"
    # Someone else decided first: nothing saved, and the page is told why.
    kind, text = decision_message(moderation.approve, one.id, actor="mod-ben", lang="de")
    assert (kind, text) == ("error", f"Nicht gespeichert: Bedarf {one.reference} kann nicht freigegeben werden: Er hat "
                                     "den Status „veröffentlicht“. Freigeben ist nur möglich bei: wartet, ausgeblendet, "
                                     "abgelehnt. Laden Sie die Seite neu: Vielleicht hat schon jemand anderes entschieden.")
    kind, text = decision_message(moderation.approve, one.id, actor="mod-ben", lang="en")
    assert text == (f"Not saved: cannot approve need {one.reference}: it is 'published'; approve is possible from "
                    "pending, hidden, rejected. Reload the queue: someone else may have decided already.")
    kind, text = decision_message(moderation.approve, "00000000-0000-0000-0000-000000000000", actor="mod-ben")
    assert (kind, text) == ("error", "Nicht gespeichert: Kein Bedarf hat die Kennung "
                                     "'00000000-0000-0000-0000-000000000000'; prüfen Sie die Kennung (oder die "
                                     "vollständige Kennung hinter dem Referenzcode)")
    assert decision_message(moderation.bulk, [two.id, three.id], "approve", actor="mod-anna", lang="en") == (
        "success", "Saved: 2 needs.")
    kind, text = decision_message(moderation.edit, three.id, actor="mod-anna", lang="en", title="Bank",
                                  done="moderation.done_edit")
    assert kind == "success" and text.startswith(f"Saved: text of {three.reference} changed (status: published)")


def test_a_merge_happens_only_into_the_need_chosen(store, moderation):
    kept = store.submit(need_input(title="Mehr Fahrradbügel"), status="published")
    duplicate = store.submit(need_input(title="Fahrradbügel fehlen"))
    kind, text = merge_message(moderation, duplicate.id, None, duplicate.reference, actor="mod-anna", lang="de")
    assert kind == "error" and text.startswith("Nicht zusammengeführt: Bitte wählen Sie zuerst")
    assert store.get(duplicate.id).status == "pending"
    kind, text = merge_message(moderation, duplicate.id, duplicate.id, duplicate.reference, actor="mod-anna",
                               lang="en")
    assert (kind, text) == ("error", f"A need can only be merged into another need that is not merged itself "
                                     f"(got {duplicate.id!r}).")
    kind, text = merge_message(moderation, duplicate.id, kept.id, duplicate.reference, actor="mod-anna", lang="de")
    assert kind == "success" and text.startswith(f"Gespeichert: {duplicate.reference} mit {kept.reference} "
                                                 "zusammengeführt")
    assert store.get(duplicate.id).merged_into == kept.id
