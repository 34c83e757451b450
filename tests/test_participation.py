"""assessment.participation.residents (honeypot, workshops, needs nearby; rate limit: test_rate_limits.py) and the store's
initial status. Tests taking ``store`` run on SQLite and on PostgreSQL (``needs_fixtures``).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from assessment.participation.residents import (
    StaticWorkshopDirectory,
    TableWorkshopDirectory,
    Workshop,
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

# --- honeypot (the rate limit: tests/test_rate_limits.py) -------------------------------------


def test_honeypot():
    assert not honeypot_filled("")
    assert not honeypot_filled(" \n")
    assert honeypot_filled("x")


# --- workshops --------------------------------------------------------------------------------


def test_table_directory_knows_no_unknown_code(store):
    assert TableWorkshopDirectory(store.engine).get("kiez-1") is None


def test_table_directory_reads_code_title_status(store):
    # The workshops table of assessment.participation.workshops (migration 0004).
    from datetime import date

    from assessment.participation.workshops import WorkshopBook

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
