"""The load tool speaks Streamlit's protocol: bench/stclient.py against a real server, no browser.

If these pass, the figures of ``bench/load.py`` come from real page runs: a resident's
pin, topic, title and send through the websocket store exactly one need and bring back
its receipt, and a planner's click on the map reruns the map's fragment and focuses the area.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re

import pytest

from bench import apphost
from bench.stclient import Session, loopback_only

pytestmark = pytest.mark.slow

PIN = (52.5219, 13.4132)  # Alexanderplatz


@pytest.fixture(scope="module")
def server(settings_with_data, tmp_path_factory):
    """The app on a free loopback port with a new SQLite database: (url, database url)."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('load') / 'needs.sqlite'}"
    app = apphost.start(apphost.ROOT, {"DATABASE_URL": database_url,
                                       "BEDARFSATLAS_DATA_DIR": str(settings_with_data.data_dir)})
    yield app.url, database_url
    print(app.log()[-4000:])  # shown when a test of the module failed
    apphost.stop(app)


def run_loop(coroutine_function):
    """Run the client in an event loop of its own thread: Playwright's sync API (the browser
    tests in the same pytest process) keeps a loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function()).result()


def test_a_resident_sends_one_need_through_the_websocket(server, settings_with_data):
    from assessment.needs.store import open_store

    url, database_url = server
    title = "Bänke am Alexanderplatz"

    async def resident():
        session = Session(url)
        try:
            steps = [await session.open("/melden")]
            steps.append(await session.set_value(session.widget(kind="component_instance"),
                                                 {"last_clicked": {"lat": PIN[0], "lng": PIN[1]}}, "pin"))
            topic = session.widget(key_prefix="report_category_", kind="selectbox")
            assert topic.label == "Thema"
            steps.append(await session.choose(topic, topic.options[0], "category"))
            steps.append(await session.set_value(session.widget(key_prefix="report_title_"), title, "title"))
            send = session.widget(key_prefix="report_submit_")
            assert send.label == "Bedarf senden"
            steps.append(await session.click(send, "submit"))
            return steps, session.texts()
        finally:
            await session.close()

    steps, texts = run_loop(resident)
    # Each step finished without an exception: a whole-page run or, for a widget drawn in a fragment, the fragment's.
    assert [(s.kind, s.ok) for s in steps] == [(kind, True) for kind in ("open /melden", "pin", "category", "title",
                                                                       "submit")], [s.exceptions for s in steps]
    assert all(s.status in ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY") for s in steps)
    assert any("Ihr Ort liegt im Planungsraum Alexanderplatzviertel" in t for t in steps[1].texts)
    store = open_store(settings_with_data, database_url=database_url)
    try:
        stored = [n for n in store.query(statuses=None) if n.title == title]
    finally:
        store.close()
    assert len(stored) == 1
    assert abs(stored[0].lat - PIN[0]) < 1e-6 and abs(stored[0].lon - PIN[1]) < 1e-6
    assert f"Danke! Ihr Bedarf ist gespeichert. Ihre Kennung: {stored[0].reference}" in texts


def test_a_planner_click_on_the_map_reruns_its_fragment_and_focuses_the_area(server):
    url, _ = server

    async def planner():
        session = Session(url)
        try:
            opened = await session.open("/karte")
            focus = session.widget(key="planner_focus")
            area = next(m.group(1) for o in focus.options if (m := re.search(r"\((\w+)\)$", o)))
            clicked = await session.set_value(
                session.widget(kind="component_instance"),
                {"last_active_drawing": {"properties": {"id": area}}, "last_object_clicked": {"lat": 52.5, "lng": 13.4}},
                "focus")
            return opened, clicked, focus.fragment_id, area, session.widget(key="planner_focus").value
        finally:
            await session.close()

    opened, clicked, fragment, area, focused = run_loop(planner)
    assert opened.ok and opened.status == "FINISHED_SUCCESSFULLY", opened.exceptions
    assert fragment, "the focus list is drawn inside the map's fragment"
    assert clicked.ok and clicked.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY", clicked.exceptions
    assert clicked.fragment_id == fragment
    assert focused.endswith(f"({area})")


@pytest.mark.parametrize("url", ["http://example.org:8501", "http://10.0.0.5:8501", "ftp://127.0.0.1"])
def test_the_client_refuses_anything_but_loopback(url):
    with pytest.raises(ValueError, match="only loopback servers"):
        loopback_only(url)
