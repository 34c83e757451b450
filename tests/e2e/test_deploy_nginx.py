"""A workshop across two app processes behind nginx, in Chromium.

The deployment of docs/deploy.md on loopback (tests/deploy_fixtures.py): nginx with
deploy/nginx/bedarfsatlas.conf in front of two app processes on one PostgreSQL/PostGIS
database with an open workshop. The projector's browser is routed to one process, the
participant's phone to the other (each by its route cookie, as nginx assigns them). The
participant pins a need through process A; the projector served by process B shows it
within 5 s, without a reload. The access log proves which process served whom.
"""

from __future__ import annotations

import time
import uuid
import urllib.request
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import skip_or_fail
from tests.deploy_fixtures import deploy, nginx_binary, new_postgres_database
from tests.e2e.conftest import RequestLog
from tests.e2e.streamlit_helpers import map_view, watch
from tests.e2e.test_workshop import PINS, open_presenter, pin_a_need

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def city(settings_with_data):
    """nginx + two app processes on a new PostGIS database with one open workshop."""
    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook

    if nginx_binary() is None:
        skip_or_fail("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    try:
        url, drop = new_postgres_database()
    except sa.exc.OperationalError as error:
        skip_or_fail(f"PostgreSQL does not answer ({error.orig})")
    store = open_store(settings_with_data, database_url=url)
    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt Mitte", date.today(), focus_level="BEZ", focus_id="01").code).code
    running = deploy({"BEDARFSATLAS_DATA_DIR": str(settings_with_data.data_dir)}, processes=2,
                     database_url=url, cleanups=[store.close, drop])
    yield running, book, code
    running.stop()


def routes_to_each_process(deployment) -> dict[str, str]:
    """A route cookie value for each process: {upstream: route}, found by asking nginx."""
    found: dict[str, str] = {}
    for i in range(64):
        route = f"probe-{i}"
        request = urllib.request.Request(f"{deployment.url}/_stcore/health", headers={"Cookie": f"atlas_route={route}"})
        urllib.request.urlopen(request, timeout=10).read()
    for _, upstream, route in deployment.served_by():
        if route.startswith("probe-"):
            found.setdefault(upstream, route)
    assert set(found) == {app.upstream for app in deployment.apps}, found
    return found


def routed_page(browser, deployment, route: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="de-DE")
    host = deployment.url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "atlas_route", "value": route, "domain": host, "path": "/"}])
    page = context.new_page()
    log = RequestLog()
    log.attach(page)
    watch(page)
    return context, page, log


def test_a_pin_through_one_process_reaches_the_projector_on_the_other_within_5_s(city, browser):
    from playwright.sync_api import expect

    deployment, book, code = city
    a, b = (app.upstream for app in deployment.apps)
    routes = routes_to_each_process(deployment)
    projector_ctx, projector, projector_log = routed_page(browser, deployment, routes[b],
                                                          {"width": 1400, "height": 1000})
    phone_ctx, phone, phone_log = routed_page(browser, deployment, routes[a], {"width": 430, "height": 1400})
    try:
        link = open_presenter(projector, deployment, code)
        assert link == f"{deployment.url}/melden?workshop={code}"
        before = map_view(projector).locator(PINS).count()
        title = f"Sichere Schulwege {uuid.uuid4().hex[:6]}"
        pin_a_need(phone, link, title)
        acknowledged = time.monotonic()
        [need] = [n for n in book.needs(code) if n.title == title]
        assert need.unit("BEZ") == "01"
        expect(map_view(projector).locator(PINS)).to_have_count(before + 1, timeout=5_000)
        lag = time.monotonic() - acknowledged
        assert lag <= 5.0, f"the pin took {lag:.1f} s across processes"
        projector_log.assert_clean()
        phone_log.assert_clean()
    except Exception:
        print(deployment.logs())
        raise
    finally:
        projector_ctx.close()
        phone_ctx.close()
    # Each browser's websocket went through nginx to its own process, and only there (nginx
    # logs a websocket when it closes).
    deadline = time.monotonic() + 10
    while True:
        streams: dict[str, set[str]] = {}
        for request, upstream, route in deployment.served_by():
            if "/_stcore/stream" in request:
                streams.setdefault(route, set()).add(upstream)
        if (routes[a] in streams and routes[b] in streams) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert streams.get(routes[a]) == {a} and streams.get(routes[b]) == {b}, streams
