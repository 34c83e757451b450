"""assessment.participation (rate limit, honeypot, workshops, needs nearby) and the store's
initial status. Tests taking ``store`` run on SQLite and on PostgreSQL (``needs_fixtures``).
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from assessment.participation import (
    RateLimiter,
    StaticWorkshopDirectory,
    TableWorkshopDirectory,
    Workshop,
    hashed_key,
    honeypot_filled,
    nearby_bbox,
    nearby_needs,
)
from needs_fixtures import (  # noqa: F401
    BRANDENBURG_GATE,
    RATHAUS_SPANDAU,
    database_url,
    geography,
    need_input,
    postgres_database_url,
    store,
)

# --- rate limit -------------------------------------------------------------------------------


def test_limiter_allows_five_then_refuses_until_the_first_leaves_the_window():
    limiter = RateLimiter(limit=5, window_s=600)
    key = [hashed_key("session", "s1")]
    for i in range(5):
        assert limiter.retry_after(key, f"token-{i}", now=float(i)) == 0.0
        limiter.record(key, f"token-{i}", now=float(i))
    # The sixth at t=10 s: the first need (t=0) leaves the window at t=600.
    assert limiter.retry_after(key, "token-5", now=10.0) == pytest.approx(590.0)
    assert limiter.retry_after(key, "token-5", now=600.0) == 0.0


def test_limiter_counts_a_resubmitted_token_once_and_lets_it_through():
    limiter = RateLimiter(limit=2, window_s=600)
    key = [hashed_key("session", "s1")]
    limiter.record(key, "a", now=0.0)
    limiter.record(key, "a", now=1.0)  # a double click: the same need
    assert limiter.retry_after(key, "b", now=2.0) == 0.0
    limiter.record(key, "b", now=2.0)
    assert limiter.retry_after(key, "c", now=3.0) > 0
    # The resubmit of a stored need is allowed: the store returns the first one.
    assert limiter.retry_after(key, "b", now=3.0) == 0.0


def test_limiter_refuses_when_any_key_is_exhausted():
    # A browser that opens new sessions (reloads) is still limited by its browser key.
    limiter = RateLimiter(limit=1, window_s=600)
    browser = hashed_key("browser", "cookie-value")
    limiter.record([hashed_key("session", "one"), browser], "a", now=0.0)
    assert limiter.retry_after([hashed_key("session", "two"), browser], "b", now=1.0) > 0
    assert limiter.retry_after([hashed_key("session", "two")], "b", now=1.0) == 0.0


def test_limiter_keys_hold_no_raw_value_and_forget_silent_keys():
    limiter = RateLimiter(limit=1, window_s=10)
    key = hashed_key("session", "secret-session-id")
    assert "secret-session-id" not in key and len(key) == len("session:") + 64
    limiter.record([key], "a", now=0.0)
    assert limiter.retry_after([key], "b", now=11.0) == 0.0
    assert key not in limiter._events


def test_limiter_is_exact_under_many_threads():
    limiter = RateLimiter(limit=1000, window_s=600)
    key = [hashed_key("session", "shared")]

    def record(start):
        for i in range(100):
            limiter.record(key, f"{start}-{i}", now=1.0)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(limiter._events[key[0]]) == 800


def test_limiter_rejects_nonsense_parameters():
    with pytest.raises(ValueError, match="limit must be >= 1"):
        RateLimiter(limit=0)


def test_honeypot():
    assert not honeypot_filled("")
    assert not honeypot_filled(" \n")
    assert honeypot_filled("x")


# --- workshops --------------------------------------------------------------------------------


def test_table_directory_knows_no_unknown_code(store):
    assert TableWorkshopDirectory(store.engine).get("kiez-1") is None


def test_table_directory_reads_code_title_status(store):
    # The workshops table of assessment.workshops (migration 0004).
    from datetime import date

    from assessment.workshops import WorkshopBook

    book = WorkshopBook(store)
    kiez = book.open(book.create("Kiezspaziergang", date(2026, 12, 1), focus_level="BEZ", focus_id="01").code)
    old = book.create("Alt", date(2026, 1, 1), focus_level="BEZ", focus_id="01", publish_immediately=False)
    directory = TableWorkshopDirectory(store.engine)
    assert directory.get(kiez.code) == Workshop(kiez.code, "Kiezspaziergang", "open", True)
    assert directory.get(kiez.code).is_open
    assert not directory.get(old.code).is_open and not directory.get(old.code).publish_immediately
    assert directory.get("nope") is None


def test_static_directory():
    directory = StaticWorkshopDirectory([Workshop("a", "A", "open")])
    assert directory.get("a").title == "A" and directory.get("b") is None


# --- needs nearby -----------------------------------------------------------------------------


def test_nearby_bbox_is_two_kilometres_wide_in_berlin():
    min_lon, min_lat, max_lon, max_lat = nearby_bbox(52.5, 13.4)
    # By hand: 1 km is 1/111.32 degrees of latitude; longitude degrees shrink with cos(52.5°) = 0.6088.
    assert max_lat - min_lat == pytest.approx(2 / 111.32, rel=1e-6)
    assert max_lon - min_lon == pytest.approx(2 / (111.32 * 0.60876), rel=1e-4)


def test_nearby_needs_only_published_and_only_near(store):
    lat, lon = BRANDENBURG_GATE
    near = store.submit(need_input(title="Nah dran", lat=lat + 0.005, lon=lon), status="published")  # ~560 m north
    store.submit(need_input(title="Zu weit", lat=lat + 0.012, lon=lon), status="published")  # ~1.3 km north
    store.submit(need_input(title="Noch in Prüfung", lat=lat, lon=lon))
    far = store.submit(need_input(title="Spandau", lat=RATHAUS_SPANDAU[0], lon=RATHAUS_SPANDAU[1]), status="published")
    assert [n.id for n in nearby_needs(store, {"lat": lat, "lon": lon})] == [near.id]
    # By area: needs in that Bezirk (Spandau is 05).
    assert [n.id for n in nearby_needs(store, {"level": "BEZ", "area_id": "05"})] == [far.id]


# --- the store's initial status ---------------------------------------------------------------


def test_submit_stores_pending_by_default_and_published_on_request(store):
    assert store.submit(need_input()).status == "pending"
    published = store.submit(need_input(title="Sofort sichtbar"), status="published")
    assert store.get(published.id).status == "published"
    assert [n.id for n in store.query()] == [published.id]


def test_submit_refuses_other_initial_statuses(store):
    with pytest.raises(ValueError, match="'pending' or 'published'.*'rejected'"):
        store.submit(need_input(), status="rejected")
    assert store.count() == 0


def test_resubmit_with_the_same_token_keeps_the_first_status(store):
    first = store.submit(need_input(), client_token="token-abcdef", status="pending")
    again = store.submit(need_input(), client_token="token-abcdef", status="published")
    assert again.id == first.id and store.get(first.id).status == "pending"
    assert store.count() == 1
