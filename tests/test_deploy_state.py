"""State that must hold across app processes: nginx + 2 processes on loopback, driven without a browser.

The deployment of ``deploy/`` (:func:`deploy_fixtures.deploy`) on a new database,
SQLite and PostgreSQL; the clients are :mod:`bench.stclient` sessions (Streamlit's own websocket
protocol, as the browser speaks it) that pick their process with nginx's route
cookie, as a browser that keeps it does. Checked here:

* restarting one process while residents send needs loses no acknowledged need:
  each is stored exactly once with the reference the page showed, or was never
  acknowledged;
* one browser's limits count on both processes: at most five needs per ten
  minutes, at most the round's dots;
* a facilitator signed in through one process is signed in on the other (the
  sign-in kept in the database, found by the browser's cookie);
* a change made through one process reaches the cached needs counts of
  ``/bewertung`` on the other at its next run (the database's data version).

Bounded: a few sessions, about a minute of load, loopback only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import time
import urllib.request
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from bench.load import SERVER_ENV, Target, people_run, stored_needs
from bench.stclient import Session
from conftest import skip_or_fail
from deploy_fixtures import deploy, new_postgres_database, nginx_binary
from tests.e2e.streamlit_helpers import staff_home

pytestmark = pytest.mark.slow

PIN = (52.5219, 13.4132)  # Alexanderplatz, Mitte
RECEIPT = re.compile(r"Ihre Kennung: ([0-9A-F]{8})")
FACILITATOR, PASSWORD = "leitung-deploy", "Prozesse-wechseln-2026"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def deployment(request, settings_with_data, tmp_path_factory):
    """nginx + 2 app processes on a new database of each backend."""
    if nginx_binary() is None:
        skip_or_fail("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    database_url, cleanups = None, []
    if request.param == "postgres":
        try:
            database_url, drop = new_postgres_database()
        except sa.exc.OperationalError as error:
            skip_or_fail(f"PostgreSQL is not reachable ({error.orig}); .ci/run starts it")
        cleanups.append(drop)
    # A home folder whose secrets hold a facilitator's account, for both processes.
    home = staff_home(tmp_path_factory.mktemp("home"), PASSWORD, {FACILITATOR: ("facilitator",)})
    # The overall ceilings raised (as bench/load.py does); the per-browser limits stay as shipped.
    running = deploy({**SERVER_ENV, "BEDARFSATLAS_DATA_DIR": str(settings_with_data.data_dir), "HOME": str(home)},
                     processes=2, database_url=database_url, cleanups=cleanups)
    yield running
    print(running.logs())  # shown when a test of the module failed
    running.stop()


def run_loop(coroutine_function, *args):
    """The client in an event loop of its own thread (Playwright may hold the main thread's)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function(*args)).result(timeout=300)


def route_to(deployment, app) -> str:
    """A value of nginx's route cookie that sends a browser to ``app``."""
    for n in range(200):
        route = f"test-route-{n}"
        request = urllib.request.Request(f"{deployment.url}/_stcore/health", headers={"Cookie": f"atlas_route={route}"})
        urllib.request.urlopen(request, timeout=10).read()
        if deployment.served_by()[-1][1] == app.upstream:
            return route
    raise AssertionError(f"no route among 200 led to {app.upstream}")


def browser_cookies(deployment) -> dict[str, str]:
    """The cookies of one new browser: the XSRF cookie Streamlit gives it (its identity for the limits)."""
    with urllib.request.urlopen(f"{deployment.url}/_stcore/health", timeout=10) as response:
        cookies = dict(re.match(r"([^=]+)=([^;]*)", h).groups() for h in response.headers.get_all("Set-Cookie"))
    return {"_streamlit_xsrf": cookies["_streamlit_xsrf"]}


def session_on(deployment, app, cookies: dict[str, str]) -> Session:
    """A new tab of the browser with ``cookies``, served by ``app``."""
    session = Session(deployment.url)
    session.cookies.update(cookies, atlas_route=route_to(deployment, app))
    return session


async def send_need(session: Session, title: str, said: list | None = None) -> str | None:
    """Open /melden, pin, choose a topic, type ``title``, send; the receipt, or None when refused.

    ``said``, when given, holds the texts the page showed after the send (replacing what it held).
    """
    try:
        await session.open("/melden")
        await session.set_value(session.widget(kind="component_instance"), {"last_clicked": {"lat": PIN[0],
                                                                                           "lng": PIN[1]}})
        topic = session.widget(key_prefix="report_category_", kind="selectbox")
        await session.choose(topic, topic.options[0])
        await session.set_value(session.widget(key_prefix="report_title_"), title)
        sent = await session.click(session.widget(key_prefix="report_submit_"))
        assert sent.ok, sent.exceptions
        if said is not None:
            said[:] = sent.texts
        return next((m.group(1) for text in sent.texts if (m := RECEIPT.search(text))), None)
    finally:
        await session.close()


def test_restarting_one_process_while_residents_send_loses_no_acknowledged_need(deployment):
    target = Target("deployment", deployment.url, deployment.database_url, None)
    victim = deployment.apps[0]
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        load = pool.submit(asyncio.run, people_run(target, 6, 45.0, 1.0, "1:0:0", 13))
        time.sleep(15)
        victim.stop()  # as `systemctl restart` does: SIGTERM, then a new process on the same port
        victim.start()
        assert victim.warm_up().returncode == 0
        tally = load.result(timeout=240)
    stored = stored_needs(target)
    times_stored = Counter(title for title, _ in stored)
    references = {title: reference for title, reference in stored}
    assert len(tally.acknowledged) >= 5, tally.errors  # the residents did get through, before and after
    # The restart cut sessions in the middle of their flows ...
    assert any("connection closed" in error for error in tally.errors), tally.errors
    # ... and every need a page acknowledged is stored once, under the reference it showed.
    assert {title: times_stored[title] for title in tally.acknowledged} == {t: 1 for t in tally.acknowledged}
    assert {title: references[title] for title in tally.acknowledged} == tally.acknowledged
    assert [title for title, n in times_stored.items() if n > 1] == []
    assert set(times_stored) <= set(tally.submitted_titles)


def test_one_browsers_need_limit_counts_on_both_processes(deployment):
    first, second = deployment.apps
    cookies = browser_cookies(deployment)

    last_page: list[str] = []

    async def six_needs():
        receipts = []
        for i in range(6):  # a new tab each time, on the first process three times, then on the second
            session = session_on(deployment, first if i < 3 else second, cookies)
            receipts.append(await send_need(session, f"Grenze über Prozesse {chr(65 + i)}", last_page))
        return receipts

    receipts = run_loop(six_needs)
    # Five per ten minutes and browser (assessment.participation.residents.RATE_LIMIT), wherever they were sent.
    assert [r is not None for r in receipts] == [True] * 5 + [False]
    assert any(text.startswith("Nicht gespeichert: Sie haben in kurzer Zeit schon 5 Bedarfe gemeldet.")
               for text in last_page), last_page
    served = {upstream for request, upstream, _ in deployment.served_by() if "_stcore/stream" in request}
    assert {first.upstream, second.upstream} <= served


def test_one_browsers_dots_count_on_both_processes(deployment, settings_with_data):
    from assessment.needs.model import NeedInput
    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook

    store = open_store(settings_with_data, database_url=deployment.database_url)
    book = WorkshopBook(store)
    code = book.open(book.create("Über Prozesse", date(2026, 12, 5), focus_level="BEZ", focus_id="01").code).code
    needs = [store.submit(NeedInput(category="mobility", title=f"Punkt {name}", lat=PIN[0], lon=PIN[1],
                                    workshop_id=code, channel="workshop"), status="published")
             for name in ("Nord", "Ost", "Süd", "West")]
    voting = book.start_round(code, 3)
    first, second = deployment.apps
    cookies = browser_cookies(deployment)

    async def four_dots():
        for need, app in zip(needs, (first, first, second, second)):
            session = session_on(deployment, app, cookies)
            try:
                await session.open("/abstimmen", f"workshop={code}")
                button = session.widget(key=f"vote_add_{need.id}")
                if not button.disabled:
                    await session.click(button)
            finally:
                await session.close()

    try:
        run_loop(four_dots)
        results = book.results(voting.id)
        assert int(results["votes"].sum()) == 3  # the round's three dots, two placed on each process
    finally:
        store.close()


def test_a_change_through_one_process_reaches_the_others_cached_counts_at_its_next_run(deployment,
                                                                                      settings_with_data):
    """/bewertung caches the needs counts by the database's data version: a need sent through the
    other process raises it, so the next run of the page on this process counts afresh."""
    from assessment.needs.store import open_store

    first, second = deployment.apps
    store = open_store(settings_with_data, database_url=deployment.database_url)

    async def planner_and_resident():
        planner = session_on(deployment, first, browser_cookies(deployment))
        try:
            opened = await planner.open("/bewertung", "ebene=BEZ")
            before = store.data_version()
            receipt = await send_need(session_on(deployment, second, browser_cookies(deployment)),
                                      "Über Prozesse gezählt")
            return opened, before, receipt, await planner.rerun("page run")
        finally:
            await planner.close()

    try:
        counted_before = int(store.counts_by_area("BEZ")["count"].sum())
        opened, before, receipt, again = run_loop(planner_and_resident)
        assert opened.ok and again.ok, (opened.exceptions, again.exceptions)
        assert receipt is not None
        assert store.data_version() > before  # what the page's cache of the counts is keyed by
        assert int(store.counts_by_area("BEZ")["count"].sum()) == counted_before + 1
    finally:
        store.close()


def test_a_sign_in_through_one_process_holds_on_the_other(deployment):
    from assessment.participation.auth import SESSION_COOKIE

    first, second = deployment.apps
    cookies = browser_cookies(deployment)

    async def sign_in_then_move():
        session = session_on(deployment, first, cookies)
        try:
            await session.open("/anmelden")
            await session.set_value(session.widget(label="Benutzername"), FACILITATOR)
            await session.set_value(session.widget(label="Passwort"), PASSWORD)
            signed_in = await session.click(session.widget(label="Anmelden", kind="button"))
            assert signed_in.ok, signed_in.exceptions
            # The script that sets the browser's sign-in cookie (the browser would run it).
            script = " ".join(node.element.html.body for node in session.nodes.values()
                              if node.element is not None and node.element.WhichOneof("type") == "html")
            token = re.search(rf"{SESSION_COOKIE}=([A-Za-z0-9_-]+);", script).group(1)
        finally:
            await session.close()
        elsewhere = session_on(deployment, second, {**cookies, SESSION_COOKIE: token})
        stranger = session_on(deployment, second, browser_cookies(deployment))
        try:
            return (await elsewhere.open("/workshop")).texts, (await stranger.open("/workshop")).texts
        finally:
            await elsewhere.close()
            await stranger.close()

    on_second, strangers = run_loop(sign_in_then_move)
    assert any(f"Angemeldet als {FACILITATOR}" in text for text in on_second), on_second
    assert not any("Angemeldet als" in text for text in strangers)  # the cookie, not the process, signs in
