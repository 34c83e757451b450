"""Issue 12: cookieless senders share one allowance; a day's limit per browser; ceilings per workshop and overall
(per minute, per day).

Real SQLite store, a fake clock, hand-computed expectations. Every send comes
from a fresh session; ``browser`` is its cookie (None: the client sent none).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa

from assessment.participation.auth import RESIDENT
from assessment.participation.limits import limiter_events
from assessment.participation.submission import Submission, report_allowance, submit_report, wait_text
from core.i18n import t
from core.settings import load_settings
from tests.test_report_submission import GATE, GOOD, Clock, UnterDenLinden  # noqa: F401 (shared stand-ins)
from assessment.needs.store import open_store
from needs_fixtures import database_url, postgres_database_url, workshop_row  # noqa: F401

ROOM = workshop_row("kiez-1", "Kiezspaziergang", "open")
OTHER_ROOM = workshop_row("kiez-2", "Stiller Raum", "open")


@pytest.fixture
def store(database_url):
    """A migrated store on SQLite and on PostgreSQL (the ceilings lock differently on each), no limits used."""
    opened = open_store(database_url=database_url, geography=UnterDenLinden())
    with opened.engine.begin() as conn:  # the session's PostgreSQL database is shared by the tests
        conn.execute(sa.text("DELETE FROM limiter_events"))
    yield opened
    opened.close()


def limits(**ceilings):
    base = dict(limit_browser_per_day=1000, limit_overall_per_minute=1000, limit_overall_per_day=1000,
                limit_workshop_per_minute=1000, limit_workshop_per_day=1000)
    return dataclasses.replace(load_settings({}), **{**base, **ceilings})


def send(store, settings, clock, token, *, browser, workshop=None) -> Submission:
    allowance = report_allowance(store, session=f"session-{token}", browser=browser, user=RESIDENT, workshop=workshop)
    return submit_report(store, allowance.limiter(store, settings, clock=clock), GOOD, place=GATE, workshop=workshop,
                         lang="de", token=token, keys=list(allowance.keys), publish_immediately=False)


def events(store, kind) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(limiter_events)
                            .where(limiter_events.c.kind == kind)).scalar_one()


def test_settings_defaults_of_the_ceilings():
    settings = load_settings({})
    assert (settings.limit_browser_per_day, settings.limit_overall_per_minute, settings.limit_overall_per_day,
            settings.limit_workshop_per_minute, settings.limit_workshop_per_day) == (30, 60, 2000, 30, 500)


@pytest.mark.parametrize("name", ["BEDARFSATLAS_LIMIT_WORKSHOP_PER_DAY", "BEDARFSATLAS_LIMIT_BROWSER_PER_DAY"])
@pytest.mark.parametrize("value", ["0", "-1", "viele"])
def test_a_ceiling_must_be_at_least_one(name, value):
    with pytest.raises(ValueError, match=f"{name} must be a whole number >= 1"):
        load_settings({name: value})


@pytest.mark.parametrize(
    ("browsers", "outcomes"),
    [
        # Six fresh sessions without a cookie: they share the five per ten minutes.
        ([None] * 6, ["stored"] * 5 + ["rate_limited"]),
        # Five without a cookie use it up; a browser with a cookie has its own allowance.
        ([None] * 5 + ["cookie-a"], ["stored"] * 6),
        # Six fresh browsers with cookies: each its own allowance.
        ([f"cookie-{n}" for n in range(6)], ["stored"] * 6),
    ],
)
def test_cookieless_senders_share_one_allowance(store, browsers, outcomes):
    clock = Clock()
    got = []
    for n, browser in enumerate(browsers):
        got.append(send(store, limits(), clock, f"form-token-{n:06d}", browser=browser).outcome)
        clock.now += timedelta(seconds=30)
    assert got == outcomes


def test_the_cookieless_refusal_says_so_and_when(store):
    clock = Clock()
    for n in range(5):
        send(store, limits(), clock, f"form-token-{n:06d}", browser=None)
        clock.now += timedelta(seconds=30)
    # t = 150 s; the first send (t = 0) leaves the window at 600 s: 450 s = 7.5 minutes -> "8 Minuten".
    refused = send(store, limits(), clock, "form-token-000005", browser=None)
    assert (refused.limited_by, refused.wait_s, refused.limit) == ("no_browser", pytest.approx(450.0), 5)
    assert refused.messages("de") == [("form", t("report.limit_no_browser", "de", limit=5, when="in etwa 8 Minuten"))]


def test_one_browser_sends_at_most_its_days_limit_across_reloads(store):
    """Sends 11 minutes apart never meet the five per ten minutes; the day's limit still holds, per browser."""
    clock, settings = Clock(), limits(limit_browser_per_day=3)
    sent = []
    for n in range(4):  # every send from a fresh session (a reload) of one browser: t = 0, 660, 1320, 1980 s
        sent.append(send(store, settings, clock, f"form-token-{n:06d}", browser="cookie-a"))
        clock.now += timedelta(seconds=660)
    *stored, refused = sent
    assert [s.outcome for s in stored] == ["stored"] * 3
    # The first send leaves the 24 hours at 86400 s: the 4th (t = 1980 s) waits 84420 s = 1407 minutes -> 24 hours.
    assert (refused.outcome, refused.limited_by, refused.limit) == ("rate_limited", "browser_day", 3)
    assert refused.wait_s == pytest.approx(84420.0)
    assert refused.messages("de") == [("form", t("report.limit_browser_day", "de", limit=3, when="in etwa 24 Stunden"))]
    assert events(store, "ceil_br_day") == 3 * 2  # session and browser key of each stored send; the refused holds none
    assert send(store, settings, clock, "form-token-000009", browser="cookie-b").outcome == "stored"  # another browser


def test_cookieless_senders_share_one_days_limit_and_are_told_so(store):
    clock, settings = Clock(), limits(limit_browser_per_day=2)
    outcomes = []
    for n in range(3):  # three clients without cookies, 11 minutes apart: t = 0, 660, 1320 s
        outcomes.append(send(store, settings, clock, f"form-token-{n:06d}", browser=None))
        clock.now += timedelta(seconds=660)
    assert [s.outcome for s in outcomes] == ["stored", "stored", "rate_limited"]
    refused = outcomes[-1]
    # 86400 - 1320 = 85080 s = 1418 minutes -> "in etwa 24 Stunden".
    assert (refused.limited_by, refused.wait_s, refused.limit) == ("no_browser_day", pytest.approx(85080.0), 2)
    assert refused.messages("de") == [("form", t("report.limit_no_browser_day", "de", limit=2, when="in etwa 24 Stunden"))]
    assert "teilen sich 2 Meldungen am Tag" in refused.messages("de")[0][1]


def test_a_workshops_table_tablet_is_not_held_to_a_browsers_day(store):
    allowance = dataclasses.replace(
        report_allowance(store, session="s", browser="cookie-a", user=RESIDENT, workshop=ROOM), who="table")
    limiter = allowance.limiter(store, limits(limit_browser_per_day=1))
    assert [name for name, _, _ in limiter.ceilings] == ["workshop_minute", "workshop_day", "overall_minute",
                                                         "overall_day"]
    resident = report_allowance(store, session="s", browser="cookie-a", user=RESIDENT, workshop=ROOM)
    assert [name for name, _, _ in resident.limiter(store, limits()).ceilings][0] == "browser_day"


@pytest.mark.parametrize(
    ("ceilings", "workshops", "step_s", "refused_by", "wait_s"),
    [
        # 3 per minute in a workshop: 3 browsers at t = 0, 10, 20 s; the 4th at 30 s waits 60 - 30 = 30 s.
        (dict(limit_workshop_per_minute=3), [ROOM] * 4, 10, "workshop_minute", 30.0),
        # 2 per day in a workshop, sends a minute apart: the 3rd at 120 s waits 86400 - 120 s.
        (dict(limit_workshop_per_day=2), [ROOM] * 3, 60, "workshop_day", 86280.0),
        # 4 per minute overall, from two workshops and none: the 5th at 20 s waits 40 s.
        (dict(limit_overall_per_minute=4), [ROOM, OTHER_ROOM, None, ROOM, None], 5, "overall_minute", 40.0),
        # 3 per day overall: the 4th at 30 s waits 86400 - 30 s.
        (dict(limit_overall_per_day=3), [None, ROOM, None, OTHER_ROOM], 10, "overall_day", 86370.0),
    ],
)
def test_a_ceiling_holds_across_many_browsers(store, ceilings, workshops, step_s, refused_by, wait_s):
    clock, settings = Clock(), limits(**ceilings)
    sent = []
    for n, workshop in enumerate(workshops):
        sent.append(send(store, settings, clock, f"form-token-{n:06d}", browser=f"cookie-{n}", workshop=workshop))
        clock.now += timedelta(seconds=step_s)
    *stored, refused = sent
    assert [s.outcome for s in stored] == ["stored"] * len(stored)
    assert (refused.outcome, refused.limited_by, refused.wait_s) == ("rate_limited", refused_by, pytest.approx(wait_s))
    assert refused.limit == list(ceilings.values())[0]
    # All or nothing: the refused send holds no place in its own allowance or in any ceiling.
    assert events(store, "report") == len(stored) * 2  # session and browser key of each stored send
    assert store.count() == len(stored)


def test_a_full_workshop_leaves_other_workshops_alone(store):
    clock, settings = Clock(), limits(limit_workshop_per_minute=2)
    assert [send(store, settings, clock, f"form-token-{n:06d}", browser=f"c-{n}", workshop=ROOM).outcome for n in range(3)] == [
        "stored", "stored", "rate_limited"]
    assert send(store, settings, clock, "form-token-000009", browser="c-9", workshop=OTHER_ROOM).outcome == "stored"
    clock.now += timedelta(seconds=60)  # the minute has passed
    assert send(store, settings, clock, "form-token-000010", browser="c-10", workshop=ROOM).outcome == "stored"


@pytest.mark.parametrize(
    ("wait_s", "lang", "text"),
    [
        (1.0, "de", "in etwa 1 Minute"),
        (60.0, "en", "in about 1 minute"),
        (61.0, "de", "in etwa 2 Minuten"),
        (240.0, "de", "in etwa 4 Minuten"),
        (7140.0, "en", "in about 119 minutes"),   # 119 minutes: still minutes
        (7200.0, "de", "in etwa 2 Stunden"),      # 120 minutes: hours
        (86280.0, "de", "in etwa 24 Stunden"),    # 1438 minutes -> 23.97 h, rounded up
    ],
)
def test_the_wait_is_said_as_a_person_would(wait_s, lang, text):
    assert wait_text(wait_s, lang) == text


@pytest.mark.parametrize("by", ["workshop_minute", "workshop_day", "overall_minute", "overall_day"])
def test_each_ceiling_has_its_message_naming_the_limit_and_the_wait(by):
    shown = Submission("rate_limited", wait_s=230.0, limit=30, limited_by=by).messages("de")
    assert shown == [("form", t(f"report.limit_{by}", "de", limit=30, when="in etwa 4 Minuten"))]
    assert "30" in shown[0][1] and "in etwa 4 Minuten" in shown[0][1]
    assert ("Werkstatt" in shown[0][1]) == by.startswith("workshop")
