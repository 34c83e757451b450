"""A real deployment on loopback: nginx (deploy/nginx/bedarfsatlas.conf) in front of app processes.

:func:`deploy` starts N ``streamlit run app.py`` processes AT ONCE on one database (so their
migrations race, as on a real machine's boot), warms each with ``deploy/warm-up`` (what the
systemd unit runs), then starts Debian's nginx with the shipped configuration, changed only in
what a machine decides: the listening address, the upstream ports, the log and temp paths.
The access log (the configuration's ``atlas`` format) says which process served each request.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx" / "bedarfsatlas.conf"
WARM_UP = ROOT / "deploy" / "warm-up"
POSTGRES_URL = os.environ.get(
    "BEDARFSATLAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_postgres_database() -> tuple[str, callable]:
    """A new, empty PostgreSQL database: its URL and a function that drops it."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"bedarfsatlas_deploy_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), drop


@dataclass
class AppProcess:
    port: int
    log_path: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/streamlit"), "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=self.env,
        )

    def warm_up(self, timeout_s: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(WARM_UP), str(self.port), str(timeout_s)], capture_output=True, text=True,
                              timeout=timeout_s + 10)

    def stop(self, hard: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.kill() if hard else self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def upstream(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Deployment:
    url: str
    folder: Path
    apps: list[AppProcess]
    database_url: str
    nginx: subprocess.Popen | None = None
    cleanups: list = field(default_factory=list)

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def served_by(self) -> list[tuple[str, str, str]]:
        """(request line, upstream, route) for every logged request, oldest first."""
        rows = []
        for line in self.access_log.read_text().splitlines():
            match = re.search(r'"([^"]*)" \d+ \d+ upstream=(\S+) route=(\S+)', line)
            if match:
                rows.append(match.groups())
        return rows

    def logs(self) -> str:
        return "\n".join(f"--- app {a.port} ---\n{a.log()[-4000:]}" for a in self.apps) + \
            f"\n--- nginx ---\n{(self.folder / 'error.log').read_text(errors='replace')[-2000:]}"

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)
        for app in self.apps:
            app.stop()
        for cleanup in self.cleanups:
            cleanup()


def render_nginx(folder: Path, listen_port: int, upstream_ports: list[int]) -> Path:
    """The shipped configuration inside a minimal nginx.conf of its own (no /etc/nginx changes)."""
    site = NGINX_CONF.read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in upstream_ports)
    site, count = re.subn(r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, site)
    assert count == 1, "the upstream block of deploy/nginx/bedarfsatlas.conf changed shape"
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    site = site.replace("/var/log/nginx/bedarfsatlas.access.log", str(folder / "access.log"))
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    main = f"""
user root;
worker_processes 1;
daemon off;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder / 'site.conf'};
}}
"""
    (folder / "nginx.conf").write_text(main)
    return folder / "nginx.conf"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def deploy(data_env: dict[str, str], processes: int = 2, database_url: str | None = None,
           cleanups: list | None = None) -> Deployment:
    """Start ``processes`` app processes at once on ``database_url``, warm them, then nginx."""
    folder = Path(tempfile.mkdtemp(prefix="atlas-deploy-"))
    database_url = database_url or f"sqlite:///{folder / 'needs.sqlite'}"
    env = {**os.environ, **data_env, "DATABASE_URL": database_url}
    apps = [AppProcess(free_port(), folder / f"app{i}.log", env) for i in range(processes)]
    deployment = Deployment("", folder, apps, database_url, cleanups=list(cleanups or []))
    for app in apps:  # at once: no process waits for another before it migrates
        app.start()
    for app in apps:
        result = app.warm_up()
        if result.returncode != 0:
            logs = deployment.logs()
            deployment.stop()
            raise RuntimeError(f"{result.stderr.strip()}\n{logs}")
    port = free_port()
    conf = render_nginx(folder, port, [a.port for a in apps])
    deployment.nginx = subprocess.Popen([nginx_binary(), "-p", str(folder), "-c", str(conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deployment.url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"{deployment.url}/_stcore/health", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or deployment.nginx.poll() is not None:
                logs = deployment.logs()
                deployment.stop()
                raise RuntimeError(f"nginx did not come up\n{logs}")
            time.sleep(0.1)
    return deployment
