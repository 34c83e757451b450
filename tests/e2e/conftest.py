"""Real-browser fixtures: a streamlit server on loopback and Debian's Chromium.

``app_server`` starts ``streamlit run app.py`` on a free port, waits for
``/_stcore/health``; a module that needs a server of its own (its own database,
its own accounts) calls ``start_app(env)`` instead. When a test fails, its
report gets the tail of the log of the servers it used and a screenshot of its
page. ``page`` opens a fresh browser page and records every request; after the
test it fails on any request to a host other than the server, on any request
that failed, and on any response with status >= 400 (the app must work without
a CDN). The helpers that keep tests from racing Streamlit's reruns are in
:mod:`tests.e2e.streamlit_helpers`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import skip_or_fail
from tests.e2e.streamlit_helpers import TIMEOUT_MS, wait_idle, watch

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
START_TIMEOUT_S = 60
# Opened at a page's own URL (/melden), Streamlit's frontend first looks for its server under
# that path (/melden/_stcore/health, .../host-config; 404) and then at the root.
STREAMLIT_PATH_PROBE = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")
MEDIA_DOWNLOAD = re.compile(r"^/media/[0-9a-f]+\.\w+$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def warm_up(url: str) -> None:
    """Run the app once server-side, as `./run` does after every start.

    Streamlit runs the very first script run of a process in its legacy
    ``pages/`` folder mode, which shows a "Page not found" dialog on a direct
    link such as ``/melden``; one run through ``/_stcore/script-health-check``
    (enabled in ``.streamlit/config.toml``) switches the process to
    ``st.navigation`` before any visitor arrives.
    """
    with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=120) as response:
        if response.status != 200:
            raise RuntimeError(f"the app's script health check answered {response.status}")


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    warm_up(url)
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")


@dataclass
class Server:
    """A running app: its base URL, where its log goes, and its database if it has its own."""

    url: str
    log_path: Path
    process: subprocess.Popen = field(repr=False)
    database_url: str | None = None
    data: dict = field(default_factory=dict)  # what a module's fixture prepared (needs, codes)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


# Servers started and not yet stopped: a failing test's report shows their logs.
RUNNING: list[Server] = []
LOG_TAIL_LINES = 150


def start_server(env: dict[str, str] | None = None) -> Server:
    """Start ``streamlit run app.py`` on a free loopback port and wait until it is healthy."""
    port = free_port()
    log_file = tempfile.NamedTemporaryFile("w", prefix="streamlit-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/streamlit"), "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            # Others edit the tree while tests run: a watched file's change unloads every project
            # module, so a cached store raised a ValidationError class the page no longer catches.
            "--server.fileWatcherType", "none",
        ],
        cwd=ROOT,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    server = Server(f"http://127.0.0.1:{port}", Path(log_file.name), process,
                    database_url=(env or {}).get("DATABASE_URL"))
    RUNNING.append(server)
    try:
        wait_until_healthy(server.url, process, START_TIMEOUT_S)
    except RuntimeError:
        stop_server(server)
        sys.stderr.write(f"--- streamlit log ---\n{server.log()}\n")
        raise
    return server


def stop_server(server: Server) -> None:
    if server in RUNNING:
        RUNNING.remove(server)
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def servers_of(item) -> list[Server]:
    """The servers a test used (through its fixtures), or all running ones if that is unclear."""
    used = []
    for value in item.funcargs.values():
        for candidate in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(candidate, Server) and candidate not in used:
                used.append(candidate)
    return used or list(RUNNING)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed
    if not report.failed or report.when == "teardown" or not hasattr(item, "funcargs"):
        return
    page = item.funcargs.get("page")
    if page is not None and not page.is_closed():
        shot = Path(tempfile.gettempdir()) / f"e2e-{re.sub(r'[^A-Za-z0-9_.-]+', '_', item.name)}.png"
        try:
            page.screenshot(path=str(shot), full_page=True, timeout=10_000)
            report.sections.append(("screenshot", str(shot)))
        except Exception as error:  # the page may be what broke; the log below still helps
            report.sections.append(("screenshot", f"none: {error}"))
    for server in servers_of(item):
        tail = "\n".join(server.log().splitlines()[-LOG_TAIL_LINES:])
        report.sections.append((f"streamlit log {server.url} ({server.log_path}, last {LOG_TAIL_LINES} lines)", tail))


def warm_in_browser(browser, url: str) -> None:
    """Load the app once in a throwaway browser context and wait for its first run to end.

    The first page load of a fresh server can still show Streamlit's "Page not found"
    dialog (see :func:`tests.e2e.streamlit_helpers.dismiss_page_not_found`); after one
    load the tests' pages open without it.
    """
    context = browser.new_context()
    try:
        warm = context.new_page()
        warm.goto(url + "/", timeout=TIMEOUT_MS)
        wait_idle(warm)
    finally:
        context.close()


@pytest.fixture(scope="session")
def app_server(settings_with_data):
    """The app served on a free loopback port, on the configured database; shared by the session."""
    server = start_server()
    yield server
    stop_server(server)
    server.log_path.unlink(missing_ok=True)


class AppStarter:
    """Starts servers for one test module and stops them after it (see :func:`start_app`)."""

    def __init__(self, browser, folder: Path):
        self.browser = browser
        self.folder = folder
        self.started: list[Server] = []

    def database_url(self, name: str = "needs") -> str:
        """A SQLite URL in the module's own temporary folder (the file does not exist yet)."""
        return f"sqlite:///{self.folder / f'{name}.sqlite'}"

    def __call__(self, env: dict[str, str] | None = None, warm: bool = True) -> Server:
        server = start_server(env)
        self.started.append(server)
        if warm:
            warm_in_browser(self.browser, server.url)
        return server

    def stop_all(self) -> None:
        for server in self.started:
            stop_server(server)
            server.log_path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def start_app(settings_with_data, browser, tmp_path_factory):
    """``start_app(env)`` starts the app with extra environment (``DATABASE_URL``, ``HOME``), warmed up.

    Every server it started is stopped after the module; ``start_app.database_url()``
    names a fresh SQLite file in the module's own temporary folder.
    """
    starter = AppStarter(browser, tmp_path_factory.mktemp("app"))
    yield starter
    starter.stop_all()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright (``playwright install`` cannot download here)."""
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class RequestLog:
    """Every request a page made, and the ones that went wrong."""

    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    # Main-frame loads aborted (net::ERR_ABORTED), each with the number of navigations the page
    # had made when the load started: see assert_clean.
    main_aborted: list[tuple[str, int]] = field(default_factory=list)
    navigations: int = 0
    _started: dict = field(default_factory=dict)

    def attach(self, page) -> None:
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_failed)
        page.on("response", self._on_response)
        page.on("framenavigated", self._on_navigated)

    def _on_navigated(self, frame) -> None:
        if frame.parent_frame is None:
            self.navigations += 1

    def _on_request(self, request) -> None:
        self.requests.append(request.url)
        self._started[request] = self.navigations
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.hostname not in LOOPBACK:
            self.external.append(request.url)

    def assert_clean(self) -> None:
        """Fail when any request left the machine, failed, or got an HTTP error."""
        assert self.requests, "no request was recorded: is the log attached to the page?"
        assert not self.external, f"requests left the machine: {self.external}"
        # Reloading or opening another URL while the page still loads Streamlit's lazy chunks
        # aborts those loads; only an abort that no later navigation explains is a failure.
        unexplained = [f"{url} (net::ERR_ABORTED)" for url, started in self.main_aborted
                       if started >= self.navigations]
        assert not self.failed + unexplained, f"failed requests: {self.failed + unexplained}"

    def _on_failed(self, request) -> None:
        # Switching level, indicator or language replaces the map's iframe; loads the
        # old iframe still had running are aborted with it (net::ERR_ABORTED). That is
        # not a failure; blocked or missing files report other errors or a status >= 400.
        if request.failure == "net::ERR_ABORTED" and request.frame.parent_frame is not None:
            self.aborted.append(request.url)
            return
        # A download: Chromium hands an export's /media/ response to its download manager
        # and reports the navigation as aborted.
        if request.failure == "net::ERR_ABORTED" and MEDIA_DOWNLOAD.search(urlsplit(request.url).path):
            self.aborted.append(request.url)
            return
        if request.failure == "net::ERR_ABORTED" and request.frame.parent_frame is None:
            self.main_aborted.append((request.url, self._started.get(request, self.navigations)))
            return
        self.failed.append(f"{request.url} ({request.failure})")

    def _on_response(self, response) -> None:
        if response.status == 404 and STREAMLIT_PATH_PROBE.search(urlsplit(response.url).path):
            # Opening a page URL such as /quellen, Streamlit's frontend first tries
            # /quellen/_stcore/health and .../host-config (is /quellen a base path?),
            # gets 404 and continues with /_stcore/...: its probing, not a broken asset.
            return
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")


@pytest.fixture
def network():
    """The request log of the test's page; checked after the test."""
    return RequestLog()


@pytest.fixture
def page(browser, network):
    """A fresh page whose every request is recorded; external or failed requests fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    page = context.new_page()
    network.attach(page)
    watch(page)
    yield page
    context.close()
    network.assert_clean()
