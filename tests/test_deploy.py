"""deploy/: nginx in front of two app processes on loopback, as docs/deploy.md sets it up.

Real nginx (Debian's package) with the shipped configuration, real ``streamlit run app.py``
processes started at the same moment on a new database. Checked here without a browser:
both processes come up and migrate the database once, nginx sends a browser's requests to
one process (sticky route cookie) and different browsers to both, sets the security headers
and compresses assets. tests/e2e/test_deploy_nginx.py drives the same set-up in Chromium.
"""

from __future__ import annotations

import gzip
import subprocess
import urllib.request

import pytest
import sqlalchemy as sa

from conftest import skip_or_fail
from deploy_fixtures import deploy, nginx_binary, new_postgres_database, render_nginx

pytestmark = pytest.mark.slow


def _nginx() -> str:
    binary = nginx_binary()
    if binary is None:
        skip_or_fail("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    return binary


def _get(url: str, cookie: str | None = None, gzip_ok: bool = False):
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", f"atlas_route={cookie}")
    if gzip_ok:
        request.add_header("Accept-Encoding", "gzip")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def _alembic_versions(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()


def test_the_shipped_configuration_passes_nginx_t(tmp_path):
    conf = render_nginx(tmp_path, 18080, [18501, 18502])
    result = subprocess.run([_nginx(), "-t", "-p", str(tmp_path), "-c", str(conf)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.fixture(scope="module")
def deployment(settings_with_data):
    _nginx()
    running = deploy({"BEDARFSATLAS_DATA_DIR": str(settings_with_data.data_dir)}, processes=2)
    yield running
    running.stop()


def test_two_processes_starting_at_once_migrate_a_new_sqlite_database_once(deployment):
    from assessment.needs.store import MIGRATIONS
    heads = sorted(p.stem for p in MIGRATIONS.joinpath("versions").glob("0*.py"))
    assert _alembic_versions(deployment.database_url) == [heads[-1].split("_")[0]]
    for app in deployment.apps:
        assert app.process.poll() is None, app.log()


def test_security_headers_and_a_route_cookie_for_a_new_browser(deployment):
    status, headers, body = _get(f"{deployment.url}/")
    assert status == 200 and b"<html" in body.lower()
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("atlas_route=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A browser that has its route keeps it: no new cookie.
    route = cookie.split(";")[0].split("=", 1)[1]
    _, again, _ = _get(f"{deployment.url}/", cookie=route)
    assert again.get("Set-Cookie") is None


def test_one_browser_stays_on_one_process_and_browsers_spread_over_both(deployment):
    before = len(deployment.served_by())
    for _ in range(6):
        _get(f"{deployment.url}/_stcore/health", cookie="browser-one")
    routes = [f"browser-{i}" for i in range(20)]
    for route in routes:
        _get(f"{deployment.url}/_stcore/health", cookie=route)
    served = deployment.served_by()[before:]
    one = {upstream for _, upstream, route in served if route == "browser-one"}
    assert len(one) == 1
    used = {upstream for _, upstream, route in served if route in routes}
    assert used == {app.upstream for app in deployment.apps}


def test_assets_are_served_by_the_app_and_compressed(deployment):
    status, headers, body = _get(f"{deployment.url}/app/static/node_modules/leaflet/dist/leaflet.js",
                                 gzip_ok=True)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert b"Leaflet" in gzip.decompress(body)[:2000]


@pytest.mark.postgres
def test_two_processes_starting_at_once_on_a_new_postgres_database_both_come_up(settings_with_data):
    _nginx()
    try:
        url, drop = new_postgres_database()
    except sa.exc.OperationalError as error:
        skip_or_fail(f"PostgreSQL does not answer ({error.orig})")
    running = deploy({"BEDARFSATLAS_DATA_DIR": str(settings_with_data.data_dir)}, processes=2,
                     database_url=url, cleanups=[drop])
    try:
        status, _, _ = _get(f"{running.url}/_stcore/health")
        assert status == 200
        assert len(_alembic_versions(url)) == 1
        assert all(app.process.poll() is None for app in running.apps)
    finally:
        running.stop()
