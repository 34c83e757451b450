"""Rate limits kept in the database (assessment.participation.limits): shared by app instances, hashes only, short-lived.

Every test runs on SQLite and on PostgreSQL (``needs_fixtures.database_url``).
"Two instances" are two stores opened separately on the same database, each
with its own engine and connections, as two app processes would. Time comes
from a fake clock, so the windows are exact.

The module doubles as the worker of the multi-process test:
``python tests/test_rate_limits.py reserve URL GO_FILE ATTEMPTS WORKER``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from assessment.participation.auth import SignInThrottle
from assessment.participation.limits import SharedLimiter, hashed_key, limiter_events
from assessment.participation.residents import RATE_LIMIT, RATE_WINDOW_S, page_rate_limiter
from assessment.needs.store import open_store
from needs_fixtures import database_url, postgres_database_url  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
# The key every worker process and thread competes for.
SHARED_KEY = hashed_key("browser", "one-cookie-many-tabs")


class FakeClock:
    """A settable UTC clock: ``clock()`` is now, ``clock.advance(s)`` moves it on."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def instances(database_url):  # noqa: F811 - the fixture imported above
    """Two stores on one migrated database with no limiter events: two app instances."""
    first = open_store(database_url=database_url)
    second = open_store(database_url=database_url, migrate_schema=False)
    with first.engine.begin() as conn:  # the PostgreSQL database is shared by the test session
        conn.execute(limiter_events.delete())
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 26 Nov 2026, 12:00 UTC."""
    return FakeClock()


def rows(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(limiter_events).order_by(limiter_events.c.id))]


def session_keys(n: int) -> list[str]:
    return [hashed_key("session", f"session-{n}"), SHARED_KEY]


# --- the residents' page limit ------------------------------------------------------------------


def test_the_page_limit_is_five_needs_in_ten_minutes(instances):
    limiter = page_rate_limiter(instances[0])
    assert (limiter.kind, limiter.limit, limiter.window_s) == ("report", RATE_LIMIT, RATE_WINDOW_S) == (
        "report", 5, 600.0)


def test_two_instances_share_the_limit(instances, clock):
    a, b = (page_rate_limiter(store, clock=clock) for store in instances)
    keys = [hashed_key("session", "s1")]
    for i in range(5):
        instance = (a, b)[i % 2]  # a load balancer sends the requests to either instance
        assert instance.reserve(keys, f"token-{i}") == 0.0
        instance.record(keys, f"token-{i}")
        clock.advance(10)
    # The sixth, 50 s after the first: refused on both instances until the first leaves the window.
    assert a.reserve(keys, "token-5") == pytest.approx(550.0)
    assert b.reserve(keys, "token-5") == pytest.approx(550.0)
    assert b.retry_after(keys, "token-5") == pytest.approx(550.0)
    clock.advance(550)
    assert b.reserve(keys, "token-5") == 0.0


def test_a_new_store_object_remembers_the_limit(instances, database_url, clock):  # noqa: F811
    keys = [hashed_key("session", "s1")]
    limiter = SharedLimiter(instances[0], "report", limit=1, window_s=600, clock=clock)
    assert limiter.reserve(keys, "a") == 0.0
    limiter.record(keys, "a")
    restarted = open_store(database_url=database_url, migrate_schema=False)  # an app restart
    try:
        assert SharedLimiter(restarted, "report", 1, 600, clock=clock).reserve(keys, "b") == pytest.approx(600.0)
    finally:
        restarted.close()


def test_a_resubmitted_token_counts_once_and_is_let_through(instances, clock):
    a, b = (SharedLimiter(store, "report", limit=2, window_s=600, clock=clock) for store in instances)
    keys = [hashed_key("session", "s1")]
    assert a.reserve(keys, "first") == 0.0
    assert b.reserve(keys, "first") == 0.0  # a double click that reached the other instance
    a.record(keys, "first")
    b.record(keys, "first")
    assert len(rows(a.store)) == 1
    assert a.reserve(keys, "second") == 0.0
    a.record(keys, "second")
    assert b.reserve(keys, "third") > 0
    # The resubmit of a stored need is allowed (the store returns the first need) and adds nothing.
    assert b.reserve(keys, "second") == 0.0
    b.record(keys, "second")
    assert [r["pending"] for r in rows(a.store)] == [False, False]


def test_a_refused_need_frees_its_place_but_a_stored_one_does_not(instances, clock):
    a, b = (SharedLimiter(store, "report", limit=1, window_s=600, clock=clock) for store in instances)
    keys = [hashed_key("session", "s1")]
    assert a.reserve(keys, "invalid") == 0.0
    assert b.reserve(keys, "other") > 0  # the pending place counts meanwhile
    a.release(keys, "invalid")  # the store refused it
    assert b.reserve(keys, "valid") == 0.0
    b.record(keys, "valid")
    b.release(keys, "valid")  # too late: the need was stored, its event stays
    assert a.reserve(keys, "next") == pytest.approx(600.0)


def test_any_exhausted_key_refuses(instances, clock):
    # A browser that opens new sessions (reloads) is still limited by its browser key.
    limiter = SharedLimiter(instances[0], "report", limit=1, window_s=600, clock=clock)
    browser = hashed_key("browser", "cookie-value")
    assert limiter.reserve([hashed_key("session", "one"), browser], "a") == 0.0
    assert limiter.reserve([hashed_key("session", "two"), browser], "b") == pytest.approx(600.0)
    assert limiter.reserve([hashed_key("session", "two")], "b") == 0.0


def test_events_that_left_the_window_are_deleted_by_the_next_write(instances, clock):
    a, b = (SharedLimiter(store, "report", limit=5, window_s=600, clock=clock) for store in instances)
    signin = SignInThrottle(instances[0], clock=clock)
    a.record([hashed_key("session", "old-1")], "t1")
    a.record([hashed_key("session", "old-2")], "t2")
    signin.attempt("anna")  # another limit, with its own 15-minute window
    clock.advance(600)
    b.reserve([hashed_key("session", "new")], "t3")
    left = rows(a.store)
    assert sorted((r["kind"], r["hashed_key"]) for r in left) == sorted(
        [("report", hashed_key("session", "new")), ("signin", hashed_key("account", "anna"))])
    clock.advance(300)
    signin.attempt("carla")
    assert {r["hashed_key"] for r in rows(a.store)} == {hashed_key("session", "new"), hashed_key("account", "carla")}


def test_limits_of_different_kinds_do_not_count_each_other(instances, clock):
    key = [hashed_key("session", "s1")]
    SharedLimiter(instances[0], "report", limit=1, window_s=600, clock=clock).record(key, "a")
    assert SharedLimiter(instances[1], "other", limit=1, window_s=600, clock=clock).reserve(key, "b") == 0.0


def test_threads_on_two_instances_cannot_exceed_the_limit(instances, clock):
    limiters = [SharedLimiter(store, "report", limit=5, window_s=600, clock=clock) for store in instances]
    granted, errors = [], []
    barrier = threading.Barrier(8)

    def submit(n: int) -> None:
        limiter = limiters[n % 2]
        barrier.wait()
        try:
            for i in range(4):
                token = f"thread-{n}-{i}"
                if limiter.reserve(session_keys(n), token) == 0.0:
                    granted.append(token)
                    limiter.record(session_keys(n), token)  # the store accepted it
        except Exception as error:  # noqa: BLE001 - the test reports what a caller would see
            errors.append(repr(error))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(granted) == 5  # 32 attempts, one shared browser key: exactly the limit
    assert sum(r["hashed_key"] == SHARED_KEY for r in rows(instances[0])) == 5


@pytest.mark.slow
def test_processes_cannot_exceed_the_limit(instances, database_url, tmp_path):  # noqa: F811
    go = tmp_path / "go"
    workers = [
        subprocess.Popen([sys.executable, __file__, "reserve", database_url, str(go), "8", str(n)],
                         cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        go.touch()
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    assert all(worker.returncode == 0 for worker in workers), [err for _, err in outputs]
    granted = [line for out, _ in outputs for line in out.split()]
    assert len(granted) == 6, granted  # 32 attempts on one browser key, limit 6
    assert sum(r["hashed_key"] == SHARED_KEY for r in rows(instances[0])) == 6


# --- the sign-in throttle -----------------------------------------------------------------------


def test_sign_in_throttle_blocks_after_five_failures_across_two_instances(instances, clock):
    a, b = (SignInThrottle(store, clock=clock) for store in instances)
    for i in range(5):
        assert (a, b)[i % 2].attempt(["anna", " Anna", "ANNA "][i % 3]) == 0.0  # wrong password each time
        clock.advance(60)
    assert a.attempt("anna") == pytest.approx(600.0)  # 900 s after the first failure, 300 s ago
    assert b.attempt("anna") == pytest.approx(600.0)
    assert b.retry_after("anna") == pytest.approx(600.0)
    assert b.attempt("carla") == 0.0  # other accounts are not affected
    clock.advance(600)
    assert b.attempt("anna") == 0.0


def test_a_successful_sign_in_clears_the_failures_on_every_instance(instances, clock):
    a, b = (SignInThrottle(store, max_failures=2, clock=clock) for store in instances)
    a.attempt("anna")
    b.failed("anna")
    assert a.retry_after("anna") == pytest.approx(900.0)
    b.succeeded("anna")
    assert a.retry_after("anna") == 0.0 and a.attempt("anna") == 0.0


def test_parallel_guesses_cannot_pass_the_sign_in_limit(instances, clock):
    throttles = [SignInThrottle(store, max_failures=5, clock=clock) for store in instances]
    allowed, barrier = [], threading.Barrier(6)

    def guess(n: int) -> None:
        barrier.wait()
        for _ in range(3):
            if throttles[n % 2].attempt("bert") == 0.0:
                allowed.append(n)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 5


# --- privacy and errors -------------------------------------------------------------------------


def test_the_table_holds_no_raw_key_or_token(instances, clock):
    raw = ["raw-session-id-4711", "raw-xsrf-cookie-0815", "client-token-42", "Anna.Beispiel"]
    limiter = page_rate_limiter(instances[0], clock=clock)
    keys = [hashed_key("session", raw[0]), hashed_key("browser", raw[1])]
    limiter.reserve(keys, raw[2])
    limiter.record(keys, raw[2])
    SignInThrottle(instances[1], clock=clock).attempt(raw[3])
    stored = rows(instances[0])
    assert len(stored) == 3
    cells = " ".join(str(v) for row in stored for v in row.values()).lower()
    assert not any(value.lower() in cells for value in raw)
    assert all(re.fullmatch(r"(session|browser|account):[0-9a-f]{64}", r["hashed_key"]) for r in stored)
    assert all(r["token"] is None or re.fullmatch(r"[0-9a-f]{64}", r["token"]) for r in stored)


@pytest.mark.parametrize("key", ["raw-session-id-4711", "session:raw-session-id-4711", "session:" + "A" * 64, 42])
def test_a_raw_key_is_refused_without_repeating_it(instances, key):
    limiter = SharedLimiter(instances[0], "report", limit=1, window_s=600)
    with pytest.raises(ValueError, match=r"build keys with hashed_key\(kind, value\)") as refused:
        limiter.reserve([key], "t")
    assert "raw-session-id" not in str(refused.value)
    assert rows(instances[0]) == []


def test_nonsense_parameters_are_refused(instances):
    with pytest.raises(ValueError, match="limit must be >= 1"):
        SharedLimiter(instances[0], "report", limit=0, window_s=600)
    with pytest.raises(ValueError, match="kind must be"):
        SharedLimiter(instances[0], "Report!", limit=1, window_s=600)
    with pytest.raises(TypeError, match=r"wrap it as \[key\]"):
        SharedLimiter(instances[0], "report", 1, 600).reserve(hashed_key("session", "s"), "t")
    naive = SharedLimiter(instances[0], "report", 1, 600, clock=lambda: datetime(2026, 11, 26, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        naive.reserve([hashed_key("session", "s")], "t")


@pytest.mark.parametrize("lang, says", [
    ("de", "gehashte Schlüssel in der Datenbank; sie werden nach Ablauf von 10 Minuten gelöscht"),
    ("en", "hashed keys in the database; they are deleted once 10 minutes have passed"),
])
def test_the_privacy_page_says_where_the_limiter_keys_are_and_how_long(lang, says):
    from streamlit.testing.v1 import AppTest

    page = AppTest.from_file(str(REPO / "pages/privacy.py"), default_timeout=30)
    page.session_state["lang"] = lang
    page.run()
    assert not page.exception, page.exception
    text = "\n".join(str(e.value) for e in page.markdown)
    assert says in text and "memory" not in text and "Arbeitsspeicher" not in text
    assert RATE_WINDOW_S == 600.0  # the 10 minutes above come from the limiter's window


# --- worker process -----------------------------------------------------------------------------


def _reserve_loop(argv: list[str]) -> None:
    """``reserve URL GO_FILE ATTEMPTS WORKER``: race for places on the shared key, print each granted token."""
    import time

    database_url, go_file, attempts, worker = argv
    store = open_store(database_url=database_url, migrate_schema=False)
    limiter = SharedLimiter(store, "report", limit=6, window_s=600)
    print("ready", flush=True)
    while not Path(go_file).exists():
        time.sleep(0.005)
    for i in range(int(attempts)):
        token = f"worker-{worker}-{i}"
        keys = [hashed_key("session", f"worker-{worker}"), SHARED_KEY]
        if limiter.reserve(keys, token) == 0.0:
            limiter.record(keys, token)
            print(token, flush=True)
    store.close()


if __name__ == "__main__":
    {"reserve": _reserve_loop}[sys.argv[1]](sys.argv[2:])
