"""Real-browser fixtures: a streamlit server on loopback and Debian's Chromium.

``app_server`` starts ``streamlit run app.py`` on a free port, waits for
``/_stcore/health`` and prints the server log when a test fails. ``page`` opens
a fresh browser page and records every request; after the test it fails on
any request to a host other than the server, on any request that failed, and
on any response with status >= 400 (the app must work without a CDN).
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

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
START_TIMEOUT_S = 60
STREAMLIT_PATH_PROBE = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def warm_up(url: str) -> None:
    """Run the app once server-side, as `.ci/app` does after every start.

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
    """A running app: its base URL and where its log goes."""

    url: str
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(env: dict[str, str] | None = None) -> Server:
    """Start ``streamlit run app.py`` on a free loopback port and wait until it is healthy."""
    port = free_port()
    log_file = tempfile.NamedTemporaryFile("w", prefix="streamlit-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/streamlit"), "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    server = Server(f"http://127.0.0.1:{port}", Path(log_file.name), process)
    try:
        wait_until_healthy(server.url, process, START_TIMEOUT_S)
    except RuntimeError:
        stop_server(server)
        sys.stderr.write(f"--- streamlit log ---\n{server.log()}\n")
        raise
    return server


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed


@pytest.fixture(scope="session")
def app_server(settings_with_data, request):
    """The app served on a free loopback port; the log is printed if any test failed."""
    server = start_server()
    yield server
    stop_server(server)
    if any(getattr(item, "failed_call", False) for item in request.session.items):
        sys.stderr.write(f"\n--- streamlit log ({server.log_path}) ---\n{server.log()}\n")
    server.log_path.unlink(missing_ok=True)


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

    def attach(self, page) -> None:
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_failed)
        page.on("response", self._on_response)

    def _on_request(self, request) -> None:
        self.requests.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.hostname not in LOOPBACK:
            self.external.append(request.url)

    def assert_clean(self) -> None:
        """Fail when any request left the machine, failed, or got an HTTP error."""
        assert self.requests, "no request was recorded: is the log attached to the page?"
        assert not self.external, f"requests left the machine: {self.external}"
        assert not self.failed, f"failed requests: {self.failed}"

    def _on_failed(self, request) -> None:
        # Switching level, indicator or language replaces the map's iframe; loads the
        # old iframe still had running are aborted with it (net::ERR_ABORTED). That is
        # not a failure; blocked or missing files report other errors or a status >= 400.
        if request.failure == "net::ERR_ABORTED" and request.frame.parent_frame is not None:
            self.aborted.append(request.url)
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
    yield page
    context.close()
    network.assert_clean()
