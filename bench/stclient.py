"""A minimal Streamlit client: one browser session over ``/_stcore/stream``, without a browser.

The load tool (:mod:`bench.load`) drives the real server the way Streamlit's frontend does,
with the installed Streamlit's own protobuf messages (``BackMsg``, ``ForwardMsg``,
``ClientState``, ``WidgetStates``), so what the server does per interaction is what it does
for a browser: a whole script run (or a fragment's) per click or typed field.

How a session starts, as the frontend does it (``connection`` code in Streamlit's
``static/js/index.*.js``, server side ``web/server/starlette/starlette_websocket.py``):

1. an HTTP request to the server (here ``/_stcore/health``) sets the ``_streamlit_xsrf``
   cookie, and behind the nginx of ``deploy/`` the sticky ``atlas_route`` cookie;
2. the websocket to ``/_stcore/stream`` offers the subprotocols ``streamlit`` and the XSRF
   cookie's value, sends the cookies and a same-origin ``Origin``;
3. the first ``rerun_script`` names the page by its URL path (``page_name``, empty
   ``page_script_hash``) with the query string; the server answers ``new_session`` (which
   gives the page's script hash for later runs), the deltas, and ``script_finished``.

Each interaction sends every widget value the session holds (as the frontend sends its
widget manager's states) plus the changed one, scoped to the widget's fragment when the
widget was drawn inside one, and is timed from the send to the final ``script_finished``
(a script that calls ``st.rerun()`` finishes early once and then runs again: the time
covers both). A fragment with ``run_every`` asks the client (``auto_rerun``) to rerun it on
a timer; :meth:`Session.idle` does that while a simulated person thinks. Large elements the
session has seen are remembered by hash and announced in ``cached_message_hashes``; the
server then sends references (``ref_hash``), as it does to a browser.

Nothing is hidden: exception elements of a run, a page-not-found, a run that does not
finish in time and a closed connection are counted in :class:`Run` and raised as
:class:`SessionError` where a flow cannot go on.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

FINISHED = ForwardMsg.ScriptFinishedStatus
#: Statuses after which the server runs nothing more for the request (not FINISHED_EARLY_FOR_RERUN).
FINAL = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
         FINISHED.FINISHED_WITH_COMPILE_ERROR}
#: The element types that are widgets, and the WidgetState field their value goes into.
WIDGET_VALUE_FIELD = {
    "button": "trigger_value", "checkbox": "bool_value", "radio": "string_value", "selectbox": "string_value",
    "multiselect": "string_array_value", "text_input": "string_value", "text_area": "string_value",
    "number_input": "double_value", "component_instance": "json_value", "date_input": "string_array_value",
}
#: Elements whose text a run's :attr:`Run.texts` collects (what a reader of the page sees).
TEXT_FIELDS = {"markdown": "body", "alert": "body", "text": "body", "heading": "body"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SessionError(RuntimeError):
    """The session cannot go on: the connection closed, a run did not finish, a widget is missing."""


@dataclass
class Widget:
    """A widget drawn by the latest run: its id, user key, element type, label and fragment."""

    id: str
    key: str | None
    kind: str
    label: str
    fragment_id: str
    proto: Any = field(repr=False)

    @property
    def options(self) -> list[str]:
        return list(getattr(self.proto, "options", []))

    @property
    def disabled(self) -> bool:
        return bool(getattr(self.proto, "disabled", False))

    @property
    def component_name(self) -> str:
        return self.proto.component_name if self.kind == "component_instance" else ""

    @property
    def value(self) -> Any:
        """The value the server gave the widget (its default or a value it set), as the browser shows it."""
        p = self.proto
        if self.kind == "selectbox":
            if p.HasField("raw_value"):
                return p.raw_value
            return p.options[p.default] if p.HasField("default") and 0 <= p.default < len(p.options) else None
        if self.kind in ("text_input", "text_area"):
            return p.value if p.HasField("value") else (p.default if p.HasField("default") else "")
        return None


@dataclass
class Run:
    """One interaction: what was sent, how long until the last ``script_finished``, what came back."""

    kind: str
    seconds: float = 0.0
    status: str = ""
    fragment_id: str = ""
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    elements: int = 0
    bytes_received: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.exceptions


@dataclass
class _Node:
    element: Any  # Element proto (or None for a block)
    fragment_id: str
    run_id: str


def loopback_only(url: str) -> str:
    """``url`` if its host is this machine; the load tool never talks to another.

    >>> loopback_only("http://127.0.0.1:8501")
    'http://127.0.0.1:8501'
    >>> loopback_only("https://bedarfsatlas.berlin.de")
    Traceback (most recent call last):
    ...
    ValueError: only loopback servers may be driven (127.0.0.1, localhost, ::1), got host 'bedarfsatlas.berlin.de'
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
        raise ValueError(f"only loopback servers may be driven (127.0.0.1, localhost, ::1), got host {parts.hostname!r}")
    return url.rstrip("/")


class Session:
    """One simulated browser tab on one page of the app (:meth:`open`, then interact, then :meth:`close`)."""

    def __init__(self, base_url: str, *, timeout: float = 120.0, locale: str = "de-DE"):
        self.base_url = loopback_only(base_url)
        self.timeout = timeout
        self.locale = locale
        self.cookies: dict[str, str] = {}
        self.page_script_hash = ""
        self.page_urls: dict[str, str] = {}
        self.page_path = ""
        self.query = ""
        self.states: dict[str, WidgetState] = {}  # what the frontend's widget manager holds
        self.nodes: dict[tuple[int, ...], _Node] = {}
        self.auto_reruns: dict[str, tuple[float, float]] = {}  # fragment id -> (interval, next due)
        self.cache: dict[str, ForwardMsg] = {}
        self.runs: list[Run] = []
        self.disconnects = 0
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._finished: asyncio.Queue = asyncio.Queue()
        self._run_id = ""
        self._current: Run | None = None
        self._closed_reason: str | None = None

    # --- connection ------------------------------------------------------------------------------
    def _fetch_cookies(self) -> None:
        request = urllib.request.Request(f"{self.base_url}/_stcore/health", headers=self._cookie_header())
        with urllib.request.urlopen(request, timeout=30) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                self.cookies.update({name: morsel.value for name, morsel in jar.items()})

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    async def open(self, path: str, query: str = "") -> Run:
        """Load ``path`` (``"/melden"``) with ``query`` (``"workshop=AB12CD"``) as a new browser tab."""
        await asyncio.to_thread(self._fetch_cookies)
        parts = urlsplit(self.base_url)
        ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path}/_stcore/stream"
        xsrf = self.cookies.get("_streamlit_xsrf")
        self._ws = await connect(
            ws_url, subprotocols=["streamlit", *([xsrf] if xsrf else [])], origin=f"{parts.scheme}://{parts.netloc}",
            additional_headers=self._cookie_header(), max_size=None, open_timeout=self.timeout,
            ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())
        self.page_path, self.query = path.strip("/"), query
        return await self._rerun(f"open {path}")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - closing: the reader's end is expected
                pass

    # --- reading ---------------------------------------------------------------------------------
    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                if self._current is not None:
                    self._current.bytes_received += len(data)
                self._handle(msg)
        except ConnectionClosed as closed:
            self._closed_reason = f"connection closed ({closed.rcvd.code if closed.rcvd else 'no close frame'})"
        else:
            self._closed_reason = "connection closed"
        self.disconnects += 1
        await self._finished.put(None)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                self._note_error(f"the server referred to a message this session never got ({msg.ref_hash})")
                return
            metadata = ForwardMsg()
            metadata.metadata.CopyFrom(msg.metadata)
            msg = ForwardMsg()
            msg.CopyFrom(cached)
            msg.metadata.CopyFrom(metadata.metadata)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        if msg.metadata.HasField("run") and msg.metadata.run.script_run_id:
            self._run_id = msg.metadata.run.script_run_id
        if kind == "new_session":
            self.page_script_hash = msg.new_session.page_script_hash
        elif kind == "navigation":  # st.navigation names the page this run showed
            self.page_script_hash = msg.navigation.page_script_hash
            self.page_urls = {page.url_pathname: page.page_script_hash for page in msg.navigation.app_pages}
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta":
            self._apply_delta(msg)
        elif kind == "auto_rerun":
            interval = msg.auto_rerun.interval
            self.auto_reruns[msg.auto_rerun.fragment_id] = (interval, time.monotonic() + interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment_id, None)
        elif kind == "page_not_found":
            self._note_error(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
            exc = msg.session_event.script_compilation_exception
            self._note_error(f"compile error {exc.type}: {exc.message}")
        elif kind == "script_finished":
            self._finished.put_nowait(msg.script_finished)

    def _apply_delta(self, msg: ForwardMsg) -> None:
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        which = delta.WhichOneof("type")
        if which == "new_element":
            self.nodes[path] = _Node(delta.new_element, delta.fragment_id, self._run_id)
            element_type = delta.new_element.WhichOneof("type")
            if element_type == "exception" and self._current is not None:
                exc = delta.new_element.exception
                self._current.exceptions.append(f"{exc.type}: {exc.message}")
            if self._current is not None:
                self._current.elements += 1
        elif which == "add_block":
            self.nodes[path] = _Node(None, delta.fragment_id, self._run_id)

    def _note_error(self, text: str) -> None:
        if self._current is not None:
            self._current.exceptions.append(text)

    def _forget_stale(self, fragment_id: str) -> None:
        """Drop what the finished run did not draw again (the frontend clears it the same way)."""
        for path, node in list(self.nodes.items()):
            if node.run_id != self._run_id and (not fragment_id or node.fragment_id == fragment_id):
                del self.nodes[path]
        ids = {w.id for w in self.widgets()}
        for widget_id in list(self.states):
            if widget_id not in ids:
                del self.states[widget_id]

    # --- what the page shows ---------------------------------------------------------------------
    def widgets(self) -> list[Widget]:
        """Every widget of the page as the latest runs left it, in page order."""
        found = []
        for path in sorted(self.nodes):
            node = self.nodes[path]
            if node.element is None:
                continue
            kind = node.element.WhichOneof("type")
            if kind not in WIDGET_VALUE_FIELD:
                continue
            proto = getattr(node.element, kind)
            # Streamlit's element ids end with the user key ("$$ID-<hash>-<key>", "None" without one).
            key = proto.id.split("-", 2)[2] if proto.id.startswith("$$ID-") else None
            found.append(Widget(proto.id, None if key == "None" else key, kind, getattr(proto, "label", ""),
                                node.fragment_id, proto))
        return found

    def widget(self, *, key: str | None = None, key_prefix: str | None = None, label: str | None = None,
               kind: str | None = None, enabled: bool = False) -> Widget:
        """The first widget that matches every given criterion; :class:`SessionError` if none does."""
        for w in self.widgets():
            if ((key is None or w.key == key) and (key_prefix is None or (w.key or "").startswith(key_prefix))
                    and (label is None or w.label == label) and (kind is None or w.kind == kind)
                    and not (enabled and w.disabled)):
                return w
        raise SessionError(f"no widget with key={key!r} key_prefix={key_prefix!r} label={label!r} kind={kind!r} "
                           f"on /{self.page_path}; widgets: {[(w.kind, w.key) for w in self.widgets()]}")

    def texts(self) -> list[str]:
        """The texts of the page (Markdown, alerts, headings, plain text), in page order."""
        out = []
        for path in sorted(self.nodes):
            element = self.nodes[path].element
            kind = element.WhichOneof("type") if element is not None else None
            if kind in TEXT_FIELDS:
                out.append(getattr(getattr(element, kind), TEXT_FIELDS[kind]))
        return out

    # --- interacting -----------------------------------------------------------------------------
    async def set_value(self, widget: Widget, value: Any, kind: str = "") -> Run:
        """Give ``widget`` a value as a user would (an option's label, a text, a dict for a component)."""
        state = WidgetState(id=widget.id)
        name = WIDGET_VALUE_FIELD[widget.kind]
        if name == "json_value":
            state.json_value = json.dumps(value)
        elif name == "string_array_value":
            state.string_array_value.data.extend(value)
        elif name == "trigger_value":
            state.trigger_value = bool(value)
        else:
            setattr(state, name, value)
        self.states[widget.id] = state
        return await self._rerun(kind or f"set {widget.kind}", fragment_id=widget.fragment_id,
                                 triggers=[state] if name == "trigger_value" else ())

    async def choose(self, widget: Widget, option: str, kind: str = "") -> Run:
        if option not in widget.options:
            raise SessionError(f"{option!r} is not an option of {widget.key or widget.label}: {widget.options}")
        return await self.set_value(widget, option, kind or f"choose {widget.key}")

    async def click(self, widget: Widget, kind: str = "") -> Run:
        if widget.disabled:
            raise SessionError(f"button {widget.key or widget.label} is disabled")
        return await self.set_value(widget, True, kind or f"click {widget.key}")

    async def rerun(self, kind: str = "rerun", fragment_id: str = "", auto: bool = False) -> Run:
        return await self._rerun(kind, fragment_id=fragment_id, auto=auto)

    async def idle(self, seconds: float) -> list[Run]:
        """Wait ``seconds`` as an open tab does: rerun fragments that asked for it (``run_every``) when due."""
        runs = []
        until = time.monotonic() + seconds
        while (now := time.monotonic()) < until:
            due = [(nxt, fid) for fid, (_, nxt) in self.auto_reruns.items()]
            if not due:
                await asyncio.sleep(until - now)
                break
            nxt, fid = min(due)
            if nxt > now:
                await asyncio.sleep(min(nxt, until) - now)
                continue
            interval = self.auto_reruns[fid][0]
            self.auto_reruns[fid] = (interval, time.monotonic() + interval)
            runs.append(await self._rerun("fragment refresh", fragment_id=fid, auto=True))
        return runs

    async def _rerun(self, kind: str, *, fragment_id: str = "", auto: bool = False, triggers=()) -> Run:
        if self._closed_reason:
            raise SessionError(self._closed_reason)
        run = Run(kind, fragment_id=fragment_id)
        self._current = run
        while not self._finished.empty():  # a stray finish (a fragment's own) must not end this run
            self._finished.get_nowait()
        client_state = ClientState(query_string=self.query, page_script_hash=self.page_script_hash,
                                   page_name="" if self.page_script_hash else self.page_path,
                                   fragment_id=fragment_id, is_auto_rerun=auto)
        client_state.widget_states.widgets.extend(self.states.values())
        client_state.cached_message_hashes.extend(self.cache)
        info = client_state.context_info
        info.timezone, info.timezone_offset, info.locale = "Europe/Berlin", -60, self.locale
        info.url = f"{self.base_url}/{self.page_path}" + (f"?{self.query}" if self.query else "")
        if not fragment_id:  # a full run registers the page's timed fragments anew
            self.auto_reruns.clear()
        started = time.perf_counter()
        await self._ws.send(BackMsg(rerun_script=client_state).SerializeToString())
        for trigger in triggers:  # a click is one event: the next run no longer sends it
            self.states.pop(trigger.id, None)
        try:
            while True:
                status = await asyncio.wait_for(self._finished.get(), timeout=max(0.1, started + self.timeout
                                                                                  - time.perf_counter()))
                if status is None:
                    run.error = self._closed_reason or "connection closed"
                    break
                if status in FINAL:
                    run.status = FINISHED.Name(status)
                    break
        except TimeoutError:
            run.error = f"no script_finished within {self.timeout:.0f} s"
        run.seconds = time.perf_counter() - started
        if run.error is None:
            self._forget_stale(fragment_id if run.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" else "")
        run.texts = self.texts()
        self._current = None
        self.runs.append(run)
        return run
