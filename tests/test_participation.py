"""assessment.participation.residents (honeypot, workshops, needs nearby; rate limit: test_rate_limits.py) and the store's
initial status. Tests taking ``store`` run on SQLite and on PostgreSQL (``needs_fixtures``).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from assessment.participation.residents import (
    StaticWorkshopDirectory,
    distance_m,
    distance_text,
    honeypot_filled,
    nearby_bbox,
    nearby_needs,
    workshop_directory,
)
from assessment.participation.workshops import Workshop, WorkshopBook
from needs_fixtures import (  # noqa: F401
    BRANDENBURG_GATE,
    RATHAUS_SPANDAU,
    database_url,
    geography,
    need_input,
    postgres_database_url,
    store,
    workshop_row,
)

# --- honeypot (the rate limit: tests/test_rate_limits.py) -------------------------------------


def test_honeypot():
    assert not honeypot_filled("")
    assert not honeypot_filled(" \n")
    assert honeypot_filled("x")


# --- workshops --------------------------------------------------------------------------------


def test_the_page_directory_knows_no_unknown_code(store):
    directory = workshop_directory(store)
    assert directory.find("kiez-1") is None
    assert directory.find("") is None and directory.find(None) is None  # a link may carry anything


def test_the_page_directory_reads_the_workshops_of_the_book(store):
    # One Workshop class: the page finds a workshop as the facilitators' book stores it.
    book = WorkshopBook(store)
    kiez = book.open(book.create("Kiezspaziergang", date(2026, 12, 1), focus_level="BEZ", focus_id="01").code)
    old = book.create("Alt", date(2026, 1, 1), focus_level="BEZ", focus_id="01", publish_immediately=False)
    directory = workshop_directory(store)
    found = directory.find(kiez.code)
    assert isinstance(found, Workshop)
    assert (found.code, found.title, found.status, found.publish_immediately, found.focus_level, found.focus_id,
            found.bbox) == (kiez.code, "Kiezspaziergang", "open", True, "BEZ", "01", None)
    drawn = book.create("Am Kanal", date(2026, 12, 1), bbox=(13.40, 52.49, 13.44, 52.51))
    assert directory.find(drawn.code).bbox == (13.40, 52.49, 13.44, 52.51)  # the focus area: where /melden starts
    assert directory.find(drawn.code).focus_level is None
    assert directory.find(kiez.code).is_open
    assert not directory.find(old.code).is_open and not directory.find(old.code).publish_immediately
    assert directory.find("nope") is None


def test_static_directory():
    directory = StaticWorkshopDirectory([workshop_row("a", "A", "open")])
    assert directory.find("a").title == "A" and directory.find("b") is None


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
    assert [n.need.id for n in nearby_needs(store, {"lat": lat, "lon": lon})] == [near.id]
    # By area: needs in that Bezirk (Spandau is 05).
    assert [n.need.id for n in nearby_needs(store, {"level": "BEZ", "area_id": "05"})] == [far.id]


def test_nearby_needs_come_nearest_first_with_their_distance(store):
    """Issue 18: the list had no distances and no visible order (it was newest first)."""
    lat, lon = BRANDENBURG_GATE
    # Sent in this order, so newest first would be south, east, north.
    north = store.submit(need_input(title="Nord", lat=lat + 0.005, lon=lon), status="published")
    east = store.submit(need_input(title="Ost", lat=lat, lon=lon + 0.003), status="published")
    south = store.submit(need_input(title="Süd", lat=lat - 0.001, lon=lon), status="published")
    found = nearby_needs(store, {"lat": lat, "lon": lon})
    assert [n.need.id for n in found] == [south.id, east.id, north.id]
    # By hand (Earth radius 6,371,008.8 m): a degree of latitude is 111,195 m; of longitude at
    # 52.5163 degrees, 111,195 m * cos(52.5163) = 67,688 m.
    assert [n.distance_m for n in found] == pytest.approx([111.2, 203.1, 556.0], abs=0.2)
    assert [distance_text(n.distance_m, "de") for n in found] == ["ca. 110 m", "ca. 200 m", "ca. 560 m"]


def test_nearby_needs_in_an_area_are_measured_from_its_point(store, geography):  # noqa: F811
    lat, lon = geography.area_point("BEZ", "05")
    near = store.submit(need_input(title="Nah an der Mitte", lat=lat + 0.001, lon=lon), status="published")
    store.submit(need_input(title="Weiter", lat=lat + 0.01, lon=lon), status="published")
    found = nearby_needs(store, {"level": "BEZ", "area_id": "05"})
    assert [n.need.title for n in found] == ["Nah an der Mitte", "Weiter"]
    assert found[0].need.id == near.id and found[0].distance_m == pytest.approx(111.2, abs=0.2)


def test_nearby_needs_are_at_most_the_limit_and_the_nearest_of_them():
    from assessment.needs.model import NeedInput
    from assessment.needs.store import open_store

    class OnePlace:  # a stand-in geography: every point lies in one planning area
        def locate(self, lat, lon):
            return {"PLR_ID": "01100101", "BZR_ID": "011001", "PGR_ID": "0110", "BEZ_ID": "01"}

    memory = open_store(database_url="sqlite://", geography=OnePlace())
    for i in range(5):  # the nearest sent first: newest first would list the farthest
        memory.submit(NeedInput(category="housing", title=f"Bedarf {i}", lat=52.52 + 0.001 * i, lon=13.40),
                      status="published")
    assert [n.need.title for n in nearby_needs(memory, {"lat": 52.52, "lon": 13.40}, limit=3)] == \
        ["Bedarf 0", "Bedarf 1", "Bedarf 2"]


@pytest.mark.parametrize(("metres", "de", "en"), [
    (0, "weniger als 10 m", "less than 10 m"),
    (9.9, "weniger als 10 m", "less than 10 m"),
    (10, "ca. 10 m", "about 10 m"),
    (124, "ca. 120 m", "about 120 m"),
    (125.1, "ca. 130 m", "about 130 m"),
    (994, "ca. 990 m", "about 990 m"),
    (996, "ca. 1,0 km", "about 1.0 km"),
    (1449, "ca. 1,4 km", "about 1.4 km"),
    (12_345, "ca. 12,3 km", "about 12.3 km"),
    (None, "im gewählten Gebiet", "in the chosen area"),
])
def test_distances_are_said_rounded_in_each_language(metres, de, en):
    assert (distance_text(metres, "de"), distance_text(metres, "en")) == (de, en)


def test_distance_by_hand():
    # A quarter of the meridian: pi / 2 * 6,371,008.8 m.
    assert distance_m(0, 0, 90, 0) == pytest.approx(10_007_557.2, abs=0.5)
    assert distance_m(52.5, 13.4, 52.5, 13.4) == 0


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
