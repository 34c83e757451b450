"""One send of the residents' form (assessment.participation.submission), on a real SQLite store.

The page test (test_report_page.py) drives the same flow through the widgets;
here every branch is checked directly: honeypot, rate limit, busy database,
status, the need as stored, the limit's allowance after a refusal, and where
each message of a refusal is shown. The geography is a stand-in with one
Planungsraum (Unter den Linden) north of 52.5° N and nothing south of it, so
"outside Berlin" is any point south of 52.5°. Time comes from a fake clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from assessment.needs.store import StoreBusyError, open_store
from assessment.needs.validation import FieldError
from assessment.participation.auth import RESIDENT, User
from assessment.participation.limits import hashed_key, limiter_events
from assessment.participation.residents import page_rate_limiter
from assessment.participation.submission import (
    NO_BROWSER_KEY,
    ReportForm,
    Submission,
    limit_keys,
    need_input,
    publishes_at_once,
    report_allowance,
    submit_report,
)
from assessment.participation.workshops import WorkshopBook
from core.i18n import t
from needs_fixtures import workshop_row

GATE = {"lat": 52.5163, "lon": 13.3777, "located": {"PLR_ID": "01100206", "BZR_ID": "011002", "BEZ_ID": "01"}}
OUTSIDE = {"lat": 52.39, "lon": 13.06, "located": {}}  # south of the stand-in city
ROOM = workshop_row("kiez-1", "Kiezspaziergang", "open", publish_immediately=True)
QUIET_ROOM = workshop_row("kiez-2", "Stiller Raum", "open", publish_immediately=False)
GOOD = ReportForm("green_climate", "Mehr Schatten am Spielplatz", "Es ist heiß.")


class UnterDenLinden:
    """A stand-in geography: one Planungsraum north of 52.5° N, nothing south of it."""

    def locate(self, lat, lon):
        if lat < 52.5:
            return None
        return {"PLR_ID": "01100206", "BZR_ID": "011002", "PGR_ID": "0110", "BEZ_ID": "01"}

    def area_point(self, level, area_id):
        return (52.5163, 13.3777) if "01100206".startswith(area_id) else None


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


@pytest.fixture
def store():
    opened = open_store(database_url="sqlite://", geography=UnterDenLinden())
    yield opened
    opened.close()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def limiter(store, clock):
    return page_rate_limiter(store, clock=clock)


def send(store, limiter, form=GOOD, *, place=GATE, workshop=None, lang="de", token="form-token-0001",
         session="session-a", browser=None, publish_immediately=False) -> Submission:
    return submit_report(store, limiter, form, place=place, workshop=workshop, lang=lang, token=token,
                         keys=limit_keys(session, browser), publish_immediately=publish_immediately)


def held(store) -> list[bool]:
    """The ``pending`` flag of every limiter event: True while a place is only reserved."""
    with store.engine.connect() as conn:
        return [row.pending for row in conn.execute(sa.select(limiter_events.c.pending))]


# --- what is stored -----------------------------------------------------------------------------


def test_a_good_send_stores_the_need_pending_and_counts_it_once(store, limiter):
    sent = send(store, limiter)
    assert sent.outcome == "stored" and sent.messages("de") == []
    [need] = store.query(statuses=None)
    assert need.id == sent.need.id
    assert (need.status, need.category, need.title, need.description) == (
        "pending", "green_climate", "Mehr Schatten am Spielplatz", "Es ist heiß.")
    assert (need.unit("PLR"), need.located_by, need.channel, need.workshop_id, need.language) == (
        "01100206", "point", "online", None, "de")
    assert held(store) == [False]  # counted, no longer only reserved


def test_the_same_token_again_returns_the_first_need_and_counts_once(store, limiter):
    first = send(store, limiter)
    again = send(store, limiter)
    assert again.outcome == "stored" and again.need.id == first.need.id
    assert store.count() == 1 and held(store) == [False]


@pytest.mark.parametrize(
    ("operator", "workshop", "status"),
    [
        (False, None, "pending"),  # moderated: the default
        (True, None, "published"),  # the operator publishes everything at once
        (False, ROOM, "published"),  # the facilitator moderates the room
        (False, QUIET_ROOM, "pending"),
        (True, QUIET_ROOM, "published"),  # the operator's setting wins
    ],
)
def test_status_from_the_operator_and_the_workshop(store, limiter, operator, workshop, status):
    assert publishes_at_once(operator, workshop) == (status == "published")
    sent = send(store, limiter, workshop=workshop, publish_immediately=operator)
    assert sent.need.status == status == store.get(sent.need.id).status


def test_a_need_from_a_workshop_link_is_the_workshops(store, limiter):
    sent = send(store, limiter, workshop=ROOM, lang="en")
    assert (sent.need.workshop_id, sent.need.channel, sent.need.language) == ("kiez-1", "workshop", "en")


def test_an_area_from_the_lists_is_stored_as_the_area():
    made = need_input(ReportForm("mobility", "Sichere Querung", None), {"level": "BZR", "area_id": "011002"},
                      None, "de")
    assert (made.area_level, made.area_id, made.lat, made.lon, made.description) == ("BZR", "011002", None, None, "")


def test_an_area_place_is_stored_located_by_area(store, limiter):
    sent = send(store, limiter, place={"level": "BZR", "area_id": "011002"})
    assert (sent.need.located_by, sent.need.area_level, sent.need.unit("BZR"), sent.need.unit("PLR")) == (
        "area", "BZR", "011002", None)


# --- what is refused ----------------------------------------------------------------------------


def test_a_filled_honeypot_stores_nothing_and_leaves_the_allowance_alone(store, limiter):
    sent = send(store, limiter, ReportForm("mobility", "Sichere Querung", "", honeypot="https://spam.example"))
    assert sent.outcome == "honeypot" and sent.need is None
    assert sent.messages("de") == [("form", t("report.honeypot_refused", "de"))]
    assert store.count() == 0 and held(store) == []


def test_whitespace_in_the_honeypot_is_not_a_bot(store, limiter):
    assert send(store, limiter, ReportForm("mobility", "Sichere Querung", "", honeypot=" \n")).outcome == "stored"


def test_the_sixth_need_in_ten_minutes_is_refused_with_the_wait(store, limiter, clock):
    for n in range(5):
        assert send(store, limiter, token=f"form-token-000{n}", browser="cookie-a").outcome == "stored"
        clock.now += timedelta(seconds=60)
    # 300 s after the first: it leaves the ten-minute window in 300 s, i.e. 5 minutes.
    sixth = send(store, limiter, token="form-token-0005", browser="cookie-a")
    assert (sixth.outcome, sixth.wait_s, sixth.limit) == ("rate_limited", pytest.approx(300.0), 5)
    assert sixth.messages("de") == [("form", t("report.rate_limited", "de", limit=5, minutes=5))]
    assert store.count() == 5
    # Another browser (its own cookie) has its own allowance.
    assert send(store, limiter, token="form-token-0006", session="session-b", browser="cookie-b").outcome == "stored"


def test_the_browser_key_counts_across_sessions(store, limiter):
    for n in range(5):
        assert send(store, limiter, token=f"form-token-000{n}", session=f"session-{n}", browser="cookie").outcome == (
            "stored")
    assert send(store, limiter, token="form-token-0009", session="session-9", browser="cookie").outcome == (
        "rate_limited")


@pytest.mark.parametrize(
    ("wait_s", "minutes"),
    [(1.0, 1), (59.0, 1), (60.0, 1), (61.0, 2), (599.0, 10)],  # whole minutes, rounded up, at least one
)
def test_the_wait_is_said_in_whole_minutes(wait_s, minutes):
    shown = Submission("rate_limited", wait_s=wait_s, limit=5).messages("en")
    assert shown == [("form", t("report.rate_limited", "en", limit=5, minutes=minutes))]


def test_a_refused_need_frees_its_place_in_the_limit(store, limiter):
    refused = send(store, limiter, ReportForm("mobility", "ab", ""))
    assert refused.outcome == "refused" and refused.need is None
    assert store.count() == 0 and held(store) == []  # a typo does not use up the allowance


def test_no_place_and_outside_berlin_are_shown_at_the_place(store, limiter):
    for place in (None, OUTSIDE):
        refused = send(store, limiter, place=place)
        assert refused.outcome == "refused"
        assert [slot for slot, _ in refused.messages("de")] == ["form", "place"]
        assert refused.messages("de")[0] == ("form", "Nicht gespeichert. Bitte prüfen Sie: Ort.")


def test_a_missing_topic_is_named_as_the_form_names_it(store, limiter):
    refused = send(store, limiter, ReportForm(None, "ab", ""))
    shown = refused.messages("de")
    assert [slot for slot, _ in shown] == ["form", "category", "title"]
    assert shown[1] == ("category", t("report.category_missing", "de"))
    assert "Thema" in shown[1][1] and "Kategorie" not in shown[1][1]


# Where each refused field's message goes: (field, topic chosen) -> slot, and whose text.
ROUTES = [
    ("location", True, "place", "store"),
    ("area_level", True, "place", "store"),
    ("area_id", True, "place", "store"),
    ("category", False, "category", "form's own"),  # no topic chosen: "Thema", not "Kategorie"
    ("category", True, "category", "store"),  # a topic the store does not know
    ("title", True, "title", "store"),
    ("description", True, "description", "store"),
    ("workshop", True, "form", "store"),  # no field of its own: under the send button
    ("client_token", True, "form", "store"),
]


#: The summary under the send button names the slot as the form labels it; "form" has no label.
SLOT_NAMED = {"place": ("Ort", "Place"), "category": ("Thema", "Topic"), "title": ("Titel", "Title"),
              "description": ("Beschreibung", "Description")}


@pytest.mark.parametrize(("field", "chosen", "slot", "text"), ROUTES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_each_refused_field_is_shown_at_its_slot(field, chosen, slot, text, lang):
    error = FieldError(field, "validation.workshop.invalid", {"value": repr(field)})
    shown = Submission("refused", errors=(error,), category_chosen=chosen).messages(lang)
    expected = t("report.category_missing", lang) if text == "form's own" else \
        t("validation.workshop.invalid", lang, value=repr(field))
    if slot in SLOT_NAMED:
        summary = t("report.not_saved_fields", lang, fields=SLOT_NAMED[slot][lang == "en"])
    else:
        summary = t("report.not_saved", lang)
    assert shown == [("form", summary), (slot, expected)]


# Issue 18: the summary said "correct the marked fields" and named none. Errors in any order ->
# the summary a resident reads under the button, fields in the form's order, each named once.
SUMMARIES = [
    (("title",), "de", "Nicht gespeichert. Bitte prüfen Sie: Titel."),
    (("title", "category"), "de", "Nicht gespeichert. Bitte prüfen Sie: Thema, Titel."),
    (("description", "title", "location", "category"), "de",
     "Nicht gespeichert. Bitte prüfen Sie: Ort, Thema, Titel, Beschreibung."),
    (("area_level", "area_id"), "de", "Nicht gespeichert. Bitte prüfen Sie: Ort."),
    (("title", "workshop"), "de", "Nicht gespeichert. Bitte prüfen Sie: Titel."),
    (("workshop",), "de", "Nicht gespeichert."),
    (("title", "category"), "en", "Not stored. Please check: Topic, Title."),
    (("location",), "en", "Not stored. Please check: Place."),
]


@pytest.mark.parametrize(("fields", "lang", "summary"), SUMMARIES)
def test_the_summary_under_the_button_names_the_fields_to_check(fields, lang, summary):
    errors = tuple(FieldError(field, "validation.location.missing") for field in fields)
    assert Submission("refused", errors=errors).messages(lang)[0] == ("form", summary)


# --- a busy database ----------------------------------------------------------------------------


def busy(*args, **kwargs):
    raise StoreBusyError("database is locked")


def test_busy_before_the_reservation_stores_nothing(store, limiter, monkeypatch):
    monkeypatch.setattr(limiter, "reserve", busy)
    sent = send(store, limiter)
    assert sent.outcome == "busy" and sent.messages("en") == [("form", t("report.busy", "en"))]
    assert store.count() == 0


def test_busy_while_storing_frees_the_place(store, limiter, monkeypatch):
    monkeypatch.setattr(store, "submit", busy)
    sent = send(store, limiter)
    assert sent.outcome == "busy" and held(store) == []


def test_busy_while_settling_keeps_the_place_counted(store, limiter, monkeypatch):
    # The need is stored; the place stays held until it leaves the window: errs on the side of the limit.
    monkeypatch.setattr(limiter, "record", busy)
    sent = send(store, limiter)
    assert sent.outcome == "stored" and store.count() == 1 and held(store) == [True]


# --- the keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("browser", "expected"),
    [
        (None, [NO_BROWSER_KEY]),  # no cookie: the one allowance all cookieless senders share
        ("", [NO_BROWSER_KEY]),
        ("cookie", [hashed_key("session", "s1"), hashed_key("browser", "cookie")]),
    ],
)
def test_limit_keys_are_hashed_session_and_browser(browser, expected):
    keys = limit_keys("s1", browser)
    assert keys == expected
    assert not any("s1" in key or "cookie" in key for key in keys)  # only hashes are kept


# --- whose limit: a resident's, a table device's, a facilitator's -------------------------------
# Issue 18: five needs per ten minutes locked out a table's shared tablet and a facilitator typing up
# the flipchart cards. Only an open workshop raises the limit; everyone else keeps a resident's five.


def user(*roles: str) -> User:
    return User("anna", frozenset(roles), "password") if roles else RESIDENT


@pytest.fixture
def room(store):
    """An open workshop with one table device, a closed one with another, and the devices' secrets."""
    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    closed = book.create("Ruhetag", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code
    _, table = book.add_table_device(code, "Tisch 3")
    _, other = book.add_table_device(closed, "Tisch 1")
    rooms = {"open": workshop_row(code, "Kiezwerkstatt", "open"), "closed": workshop_row(closed, "Ruhetag", "closed"),
             None: None}
    return {"workshops": rooms, "secrets": {"valid": table, "other": other, "wrong": "x" * 22, None: None}}


# (roles, workshop, table link) -> (whose limit, needs per ten minutes, what the page says)
ALLOWANCES = [
    ((), "open", None, "resident", 5, None),
    (("facilitator",), "open", None, "staff", 300, "report.allowance_staff"),
    (("admin",), "open", None, "staff", 300, "report.allowance_staff"),
    (("moderator", "planner"), "open", None, "resident", 5, None),  # they do not run the room
    (("facilitator",), "closed", None, "resident", 5, None),  # a closed workshop tags nothing
    (("facilitator",), None, None, "resident", 5, None),  # no workshop link
    ((), "open", "valid", "table", 60, "report.allowance_table"),
    (("facilitator",), "open", "valid", "staff", 300, "report.allowance_staff"),  # the larger one
    ((), "open", "wrong", "resident", 5, "report.table_link_invalid"),
    ((), "open", "other", "resident", 5, "report.table_link_invalid"),  # another workshop's device
    ((), "closed", "other", "resident", 5, "report.table_link_invalid"),  # its own, but not open
    ((), None, "wrong", "resident", 5, "report.table_link_invalid"),
]


@pytest.mark.parametrize(("roles", "workshop", "table", "who", "limit", "notice"), ALLOWANCES)
def test_whose_limit_a_send_counts_against(store, room, roles, workshop, table, who, limit, notice):
    allowance = report_allowance(store, session="session-a", browser="cookie", user=user(*roles),
                                 workshop=room["workshops"][workshop], table_secret=room["secrets"][table])
    assert (allowance.who, allowance.limit, allowance.notice) == (who, limit, notice)
    expected_keys = {"resident": limit_keys("session-a", "cookie"), "staff": [hashed_key("account", "anna")]}
    if who in expected_keys:
        assert list(allowance.keys) == expected_keys[who]
    else:  # the device, by the hash of its secret's hash: whoever holds the tablet
        assert len(allowance.keys) == 1 and allowance.keys[0].startswith("table:")
    if notice:
        assert "{" not in t(notice, "de", **allowance.values) and "{" not in t(notice, "en", **allowance.values)


def send_as(store, allowance, clock, n: int, *, session: str = "session-a") -> Submission:
    return submit_report(store, allowance.limiter(store, clock=clock), GOOD, place=GATE, workshop=None, lang="de",
                         token=f"form-token-{session}-{n:04d}", keys=list(allowance.keys), publish_immediately=False)


def test_a_table_device_sends_sixty_needs_in_ten_minutes_whoever_holds_it(store, room, clock):
    secret = room["secrets"]["valid"]
    for n in range(60):  # a different person (a new session) now and then, the same tablet (browser)
        allowance = report_allowance(store, session=f"person-{n // 5}", browser="tablet", user=RESIDENT,
                                     workshop=room["workshops"]["open"], table_secret=secret)
        assert send_as(store, allowance, clock, n, session=f"person-{n // 5}").outcome == "stored"
        clock.now += timedelta(seconds=5)
    over = send_as(store, allowance, clock, 60, session="person-12")
    assert (over.outcome, over.limit) == ("rate_limited", 60)
    # The device's sends are its own: the tablet's browser still has a resident's five without the link.
    plain = report_allowance(store, session="person-13", browser="tablet", user=RESIDENT,
                             workshop=room["workshops"]["open"])
    assert send_as(store, plain, clock, 61, session="person-13").outcome == "stored"


def test_a_facilitator_typing_up_cards_is_not_held_to_the_residents_five(store, room, clock):
    allowance = report_allowance(store, session="session-a", browser="laptop", user=user("facilitator"),
                                 workshop=room["workshops"]["open"])
    for n in range(30):
        assert send_as(store, allowance, clock, n).outcome == "stored"
        clock.now += timedelta(seconds=2)
    assert store.count() == 30
    # Signed out on the same laptop, a resident's five are still all there.
    resident = report_allowance(store, session="session-a", browser="laptop", user=RESIDENT,
                                workshop=room["workshops"]["open"])
    assert [send_as(store, resident, clock, 100 + n).outcome for n in range(6)] == ["stored"] * 5 + ["rate_limited"]


def test_the_staff_allowance_is_bounded_too(store, room, clock):
    allowance = report_allowance(store, session="session-a", browser=None, user=user("admin"),
                                 workshop=room["workshops"]["open"])
    limiter = allowance.limiter(store, clock=clock)
    for n in range(300):
        assert limiter.reserve(list(allowance.keys), f"token-{n}") == 0.0
    assert limiter.reserve(list(allowance.keys), "token-300") > 0
