"""Drive a Streamlit page in a real browser without racing its reruns.

Every widget change makes Streamlit run the page script again (a rerun). While
it runs, the old elements stay in the DOM, marked ``data-stale="true"`` on their
``[data-testid="stElementContainer"]``, until the new run has replaced them or
the run ends; a component such as ``st_folium`` may exist twice for a moment
while it remounts; an open selectbox list closes when a rerun re-renders it.
The rules these helpers follow:

* wait for the run an action started to end: :func:`rerun_after` watches the
  page's websocket for the rerun request the browser sends and the end of the
  run that follows (the DOM alone cannot tell "not started yet" from "done");
  :func:`wait_idle` waits for the run to end once the test has seen an effect
  that only the new run can show;
* look only at elements of the current run (:func:`current`);
* look into the visible map iframe of the current run only (:func:`map_frame`);
* retry only the user action a rerun can swallow (a map click, a choice in a
  list), never a whole test, and never wait a fixed time instead;
* to show that a page *rests* (no run starts by itself, e.g. a map that keeps
  reporting views the page sends back), :func:`wait_quiet` waits for a stretch
  without any rerun request and fails, counting them, if none comes.
"""

from __future__ import annotations

import re
import time
import weakref
from contextlib import contextmanager
from pathlib import Path

TIMEOUT_MS = 60_000
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
ELEMENT = '[data-testid="stElementContainer"]'
# Finds the Leaflet map in a folium page (folium names it map_<id>; streamlit-folium also sets window.map).
LEAFLET_MAP = "(window.map instanceof L.Map ? window.map : Object.values(window).find(v => v instanceof L.Map))"


class RunWatcher:
    """What went over a page's Streamlit websocket, in order: rerun requests sent, runs finished.

    Streamlit's frontend sends a ``rerun_script`` BackMsg for every widget or component
    value; the server ends every run with a ``script_finished`` ForwardMsg. Runs that a
    newer request cut short (``FINISHED_EARLY_FOR_RERUN``) are not counted as finished.
    """

    def __init__(self) -> None:
        self.events: list[str] = []  # "sent" | "finished"
        self.requests: dict[int, bytes] = {}  # index in events of a "sent" -> the BackMsg bytes
        self.sent_at: list[float] = []  # time.monotonic() of every rerun request, in order

    def attach(self, page) -> None:
        page.on("websocket", self._on_socket)

    def _on_socket(self, socket) -> None:
        if socket.url.endswith("/_stcore/stream"):
            socket.on("framesent", self._on_sent)
            socket.on("framereceived", self._on_received)

    def _on_sent(self, payload) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.requests[len(self.events)] = payload
            self.events.append("sent")
            self.sent_at.append(time.monotonic())

    def _on_received(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        message = ForwardMsg.FromString(payload)
        if message.WhichOneof("type") == "script_finished" and message.script_finished in (
            ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ):
            self.events.append("finished")

    def settled_since(self, mark: int, carrying: bytes | None = None) -> bool:
        """A request was sent after ``mark`` and a run finished after the last request.

        With ``carrying``, only once a request after ``mark`` held those bytes (e.g. a
        component's value such as ``b'"zoom":12'``).
        """
        later = self.events[mark:]
        if carrying is not None and not self.sent_since(mark, carrying):
            return False
        return "sent" in later and "finished" in later[len(later) - later[::-1].index("sent"):]

    def snippets(self, mark: int, like: bytes, width: int = 12) -> list[bytes]:
        """Where the requests after ``mark`` hold the start of ``like`` (for failure messages)."""
        head = like[: max(1, like.find(b":") + 1)]
        return [body[i:i + len(head) + width] for j, body in list(self.requests.items()) if j >= mark
                for i in [body.find(head)] if i >= 0]

    def sent_since(self, mark: int, carrying: bytes) -> bool:
        return any(i >= mark and carrying in body for i, body in list(self.requests.items()))


WATCHERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def watch(page) -> RunWatcher:
    """Record ``page``'s Streamlit traffic (see :class:`RunWatcher`); call before ``page.goto``."""
    if page not in WATCHERS:
        WATCHERS[page] = RunWatcher()
        WATCHERS[page].attach(page)
    return WATCHERS[page]


@contextmanager
def rerun_after(page, timeout: float = TIMEOUT_MS, request_timeout: float = 15_000, carrying: bytes | None = None):
    """Around a user action that makes Streamlit rerun: afterwards, wait until that run has ended.

    Waits for the app to be idle first, so the first run to finish after the request is
    the one it started. Fails, naming the cause, if the action sent no rerun request
    within ``request_timeout`` (it was lost, e.g. under a remounting map: the caller may
    repeat the action) or the run did not end within ``timeout``.

    ``carrying``: wait for the request that holds these bytes, not just any request. A map
    reports its view debounced, and another report (its first value after loading) can
    come first; without this the wait could end before the report the action causes.
    """
    if page not in WATCHERS:
        raise RuntimeError("the page's websocket is not watched: call watch(page) before page.goto (open_app does)")
    watcher = WATCHERS[page]
    wait_idle(page, timeout)
    mark = len(watcher.events)
    yield
    started = time.monotonic()
    while not watcher.settled_since(mark, carrying):
        waited = time.monotonic() - started
        sent = "sent" in watcher.events[mark:] if carrying is None else watcher.sent_since(mark, carrying)
        if not sent and waited > request_timeout / 1000:
            wanted = "" if carrying is None else f" carrying {carrying!r} (sent: {watcher.snippets(mark, carrying)})"
            raise AssertionError(f"the action sent no rerun request{wanted} within {request_timeout / 1000:.0f} s")
        if waited > timeout / 1000:
            raise AssertionError(f"the run the action started did not end within {timeout / 1000:.0f} s")
        page.wait_for_timeout(50)  # lets Playwright deliver the websocket events
    wait_idle(page, timeout)


def wait_quiet(page, quiet_s: float = 5.0, timeout_s: float = 30.0) -> None:
    """Wait until no rerun request was sent for ``quiet_s`` seconds and the last run has ended.

    The proof that a page rests after the user stopped: a map whose reports make
    the page move it again (and so report again) never gets quiet. Fails after
    ``timeout_s`` naming how many rerun requests came in that time. A stretch of
    ``quiet_s`` must fit after the last report of the user's action (streamlit-folium
    reports 250 ms after the map stopped moving).
    """
    watcher = WATCHERS[page]
    started = time.monotonic()
    while True:
        now = time.monotonic()
        last = max([started, *watcher.sent_at])
        if now - last >= quiet_s and page.get_by_test_id("stApp").get_attribute("data-test-script-state") == "notRunning":
            return
        if now - started > timeout_s:
            count = sum(1 for at in watcher.sent_at if at >= started)
            raise AssertionError(f"the page did not rest: {count} rerun requests in {timeout_s:.0f} s without any "
                                 f"user action, the last {now - last:.1f} s ago")
        page.wait_for_timeout(100)  # lets Playwright deliver the websocket events


def wait_idle(page, timeout: float = TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished the current run, then close a stray "Page not found" dialog.

    Only meaningful once the run has started: right after a click the state can still
    read "notRunning" from the run before. Wait for an effect of the action first.
    """
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    dismiss_page_not_found(page)


def current(scope):
    """The element containers of the current run in ``scope`` (a page or a locator), not the stale ones.

    While a rerun replaces the page, the old elements stay in the DOM with ``data-stale="true"``;
    a locator over the whole page would then match a widget twice (a strict-mode error) or the
    old one.
    """
    return scope.locator(f'{ELEMENT}:not([data-stale="true"])')


def keyed(scope, key: str):
    """The element or container with Streamlit key ``key`` (class ``st-key-<key>``), not a stale copy.

    An element's key class sits on its element container itself, so ``current(scope)``
    cannot find it inside; a container's (``st.container(key=...)``) is never stale.
    """
    return scope.locator(f'.st-key-{key}:not([data-stale="true"])')


def dismiss_page_not_found(page) -> None:
    """Close Streamlit's "Page not found" dialog if the frontend raced a direct link.

    The app has a ``pages/`` folder, so Streamlit's frontend first knows the folder's
    scripts as pages (``report_need``, not ``melden``) and may show this dialog on a
    direct link (``/melden``, ``/karte``, also ``/quellen``) before the app's own
    navigation arrives; the requested page then runs normally, but the dialog makes it
    inert. The dialog comes with the run's start, so after :func:`wait_idle` it is
    either there or not coming.
    """
    from playwright.sync_api import expect

    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    if dialog.count():
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0, timeout=TIMEOUT_MS)


def open_app(page, url: str, heading: str | re.Pattern, timeout: float = TIMEOUT_MS) -> None:
    """Open ``url``, wait for the page's ``heading`` and for the first run to end."""
    from playwright.sync_api import expect

    watch(page)
    page.goto(url, timeout=timeout)
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=timeout)
    wait_idle(page, timeout)


def map_iframe(page, index: int = 0):
    """The ``index``-th visible map iframe of the current run (a remount briefly leaves two)."""
    return current(page).locator(MAP_FRAME).filter(visible=True).nth(index)


def map_view(page, index: int = 0):
    """A frame locator into :func:`map_iframe`, for ``expect`` on what the map draws."""
    return map_iframe(page, index).content_frame


def map_frame(page, index: int = 0, timeout: float = TIMEOUT_MS):
    """The :class:`Frame` of :func:`map_iframe`, for ``evaluate`` on the Leaflet map."""
    frame = map_iframe(page, index).element_handle(timeout=timeout).content_frame()
    assert frame is not None, "the map iframe has no document"
    return frame


def map_point(page, lat: float, lon: float, index: int = 0) -> tuple[float, float]:
    """Page coordinates of a WGS84 point on the map, computed by Leaflet (``latLngToContainerPoint``)."""
    iframe = map_iframe(page, index)
    iframe.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
    frame = map_frame(page, index)
    frame.wait_for_function(f"() => window.L && {LEAFLET_MAP}", timeout=TIMEOUT_MS)
    point = frame.evaluate(
        f"""([lat, lon]) => {{
            const map = {LEAFLET_MAP};
            const p = map.latLngToContainerPoint([lat, lon]);
            const size = map.getSize();
            const r = map.getContainer().getBoundingClientRect();
            return {{x: p.x + r.left, y: p.y + r.top, px: p.x, py: p.y, w: size.x, h: size.y}};
        }}""",
        [lat, lon],
    )
    assert 0 < point["px"] < point["w"] and 0 < point["py"] < point["h"], f"{lat}, {lon} is not in the view: {point}"
    box = iframe.bounding_box(timeout=TIMEOUT_MS)
    assert box is not None, "the map iframe is not displayed"
    return box["x"] + point["x"], box["y"] + point["y"]


def click_map(page, lat: float, lon: float, index: int = 0, tap: bool = False, hover: bool = False) -> None:
    """Click the map at a WGS84 point like a user: a real mouse click (or a finger's tap) there.

    It lands on whatever is drawn there (an area) and bubbles to the map. (Playwright's
    forced element click does not reach Leaflet's map handler.) ``hover`` moves the
    mouse there first and waits for the tooltip, as a user's pointer would.
    """
    from playwright.sync_api import expect

    x, y = map_point(page, lat, lon, index)
    if hover:
        page.mouse.move(x, y)
        expect(map_view(page, index).locator(".leaflet-tooltip")).to_be_visible(timeout=TIMEOUT_MS)
    if tap:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)


def click_map_until(page, lat: float, lon: float, shown, *, index: int = 0, tap: bool = False,
                    hover: bool = False, attempts: int = 3) -> None:
    """Click the map at a point and wait for the run it starts; until ``shown`` (text, pattern, locator) shows.

    A click is repeated only when it was lost: a rerun that remounts the map (its first
    value, a reported view) can swallow a click, as a user would tap again.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    target = shown if hasattr(shown, "wait_for") else current(page).get_by_text(shown)
    for attempt in range(attempts):
        try:
            with rerun_after(page, request_timeout=10_000):
                click_map(page, lat, lon, index=index, tap=tap, hover=hover)
            expect(target.first).to_be_visible(timeout=10_000)
            return
        except (AssertionError, PlaywrightError):  # Error: the iframe went away under the click
            if attempt == attempts - 1:
                raise


def choose(page, label: str, option: str, done=None, scope=None, attempts: int = 3) -> None:
    """Pick ``option`` in the selectbox labelled exactly ``label`` and wait for the run it starts.

    Typing filters the virtualised list so the option is rendered. A rerun that lands
    between typing and the click closes the list: then the choice is made again.
    ``done``, a locator, must show after the run (e.g. the next list, enabled).
    ``scope`` narrows the search for the box (default: elements of the current run).
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    box = (scope if scope is not None else current(page)).get_by_role("combobox", name=label, exact=True)
    for attempt in range(attempts):
        # The box may be disabled until the rerun after a coarser choice: wait for it.
        wait_idle(page)
        expect(box).to_be_enabled(timeout=TIMEOUT_MS)
        try:
            box.click(timeout=15_000)
            box.fill(option, timeout=15_000)
            with rerun_after(page, request_timeout=10_000):
                page.get_by_role("option", name=option, exact=True).click(timeout=15_000)
            expect(box).to_have_value(option, timeout=5_000)
            if done is not None:
                expect(done.first).to_be_visible(timeout=10_000)
                expect(done.first).to_be_enabled(timeout=10_000)
            return
        except (AssertionError, PlaywrightError):
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def staff_home(home: Path, password: str, accounts: dict[str, tuple[str, ...]]) -> Path:
    """Make ``home`` a home folder whose ``.streamlit/secrets.toml`` holds built-in staff accounts.

    Streamlit reads ``~/.streamlit/secrets.toml``: a server started with ``HOME=home`` gets these
    accounts (argon2 hashes made here; nothing is written into the repository).
    """
    from assessment.participation.auth import hash_password

    hashed = hash_password(password)
    (home / ".streamlit").mkdir(parents=True, exist_ok=True)
    (home / ".streamlit" / "secrets.toml").write_text("\n".join(
        f'[bedarfsatlas.accounts.{name}]\npassword_hash = "{hashed}"\nroles = {list(roles)!r}\n'.replace("'", '"')
        for name, roles in accounts.items()), encoding="utf-8")
    return home


def sign_in(page, url: str, name: str, password: str) -> None:
    """Sign in on ``url``/anmelden with a built-in account and wait until the signed-in run has ended."""
    from playwright.sync_api import expect

    open_app(page, f"{url}/anmelden", "Anmeldung für Mitarbeitende")
    current(page).get_by_label("Benutzername").fill(name)
    current(page).get_by_label("Passwort", exact=True).fill(password)
    current(page).get_by_role("button", name="Anmelden", exact=True).click()
    expect(current(page).get_by_text(re.compile(f"Angemeldet als {re.escape(name)}")).first).to_be_visible(
        timeout=TIMEOUT_MS)
    wait_idle(page)
