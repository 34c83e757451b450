"""Helpers for the browser benches: run the app from this tree or from an older commit.

A same-run baseline for a browser figure needs the old code served next to the
new one. :func:`export_tree` writes the tracked files of a commit into a folder
(``git archive``, no change to the repository or its worktrees) and copies the
installed web assets (``static/node_modules``, not tracked) into it;
:func:`start` runs ``streamlit run app.py`` from a folder with this repository's
virtual environment. Python puts the script's folder first on ``sys.path``, so
``geodata`` and ``assessment`` come from that folder, not from the editable
install of this tree. The data folder is passed explicitly
(``BEDARFSATLAS_DATA_DIR``), so both read the same verified open data.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STREAMLIT = ROOT / ".venv/bin/streamlit"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def export_tree(rev: str, dest: Path) -> Path:
    """The tracked files of ``rev`` in ``dest``, with a copy of this tree's ``static/node_modules``."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    # Copied, not linked: the static file server refuses files that resolve outside ./static.
    shutil.copytree(ROOT / "static/node_modules", dest / "static/node_modules", symlinks=True)
    return dest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class App:
    """A running ``streamlit run app.py``: URL, log, and seconds to healthy and to warmed up."""

    url: str
    process: subprocess.Popen = field(repr=False)
    log_path: Path
    started_at: float
    healthy_s: float = 0.0
    warmed_s: float = 0.0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start(root: Path, env: dict[str, str], timeout: float = 120) -> App:
    """Start the app in ``root`` on a free loopback port; wait for health and the warm-up run.

    The warm-up (``/_stcore/script-health-check``, one server-side run of
    ``app.py``) is what ``./run`` does after every start, so it is part of a
    start as users get it.
    """
    port = free_port()
    log = tempfile.NamedTemporaryFile("w", prefix="bench-streamlit-", suffix=".log", delete=False)
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(STREAMLIT), "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         # Others edit this working tree while a bench runs: a "File change" prompt would
         # stay on the page (and keep Streamlit's status widget visible).
         "--server.fileWatcherType", "none"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
    )
    app = App(f"http://127.0.0.1:{port}", process, Path(log.name), started)
    deadline = started + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{app.log()}")
        if time.perf_counter() > deadline:
            stop(app)
            raise RuntimeError(f"streamlit not healthy within {timeout:.0f} s:\n{app.log()}")
        try:
            with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    app.healthy_s = time.perf_counter() - started
    with urllib.request.urlopen(f"{app.url}/_stcore/script-health-check", timeout=timeout) as response:
        if response.status != 200:
            raise RuntimeError(f"the script health check answered {response.status}")
    app.warmed_s = time.perf_counter() - started
    return app


def stop(app: App) -> None:
    app.process.terminate()
    try:
        app.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.process.kill()
        app.process.wait()
    app.log_path.unlink(missing_ok=True)


def spread(values: list[float], unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
    """``median (min–max)`` of ``values`` for the tables."""
    import statistics

    v = sorted(x * scale for x in values)
    return f"{statistics.median(v):.{digits}f} {unit} ({v[0]:.{digits}f}–{v[-1]:.{digits}f})"
