"""The workshop pages (/workshop, /live, /abstimmen) run headless with AppTest.

Each test gets its own SQLite database (``DATABASE_URL``); what the pages do
is checked in the store. The maps are replaced by a fake ``st_folium``
(:class:`tests.fake_folium.FakeMap`, fixture ``fake_map``) that records what
the page passed (the base map and the layers) and returns what a user drew.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import folium.plugins
import pytest
from streamlit.testing.v1 import AppTest

from assessment.participation.auth import User

from assessment.needs.model import NeedInput
from assessment.needs.store import open_store
from assessment.participation.workshops import WorkshopBook, WorkshopError
from tests.fake_folium import install

ROOT = Path(__file__).resolve().parents[1]
SETUP = str(ROOT / "pages/workshop_setup.py")
LIVE = str(ROOT / "pages/workshop_live.py")
VOTE = str(ROOT / "pages/workshop_vote.py")
TIMEOUT_S = 90
BRANDENBURG_GATE = (52.5163, 13.3777)  # PLR 01100206, Mitte (official LOR map)


@pytest.fixture
def book(tmp_path, monkeypatch, settings_with_data):
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = open_store(settings_with_data, database_url=url)
    yield WorkshopBook(store)
    store.close()


def room_need(book, code, title):
    need = NeedInput(category="mobility", title=title, lat=BRANDENBURG_GATE[0], lon=BRANDENBURG_GATE[1],
                     workshop_id=code, channel="workshop")
    return book.store.submit(need, status=book.submission_status(code))


FACILITATOR = User("fac-frieda", frozenset({"facilitator"}), "password")
# One browser's XSRF cookie on three page loads: the token 02040608 under three masks.
THREE_LOADS = ("2|01020304|0306050c|1700000000", "2|ffffffff|fdfbf9f7|1700000000", "2|10203040|12243648|1700000000")


class BrowserContext:
    """Stands in for ``st.context``: the cookies one page load of a browser sends (none: ``{}``)."""

    def __init__(self, cookie: str | None):
        self.cookies = {} if cookie is None else {"_streamlit_xsrf": cookie}


@pytest.fixture
def load_in_browser(monkeypatch):
    """``load_in_browser(cookie)``: the next page runs as a load with this XSRF cookie (``None``: no cookie)."""
    import streamlit

    def load(cookie: str | None) -> None:
        monkeypatch.setattr(streamlit, "context", BrowserContext(cookie))

    load(THREE_LOADS[0])
    return load


@pytest.fixture
def signed_in_as_in_session(monkeypatch):
    """These pages run here without ``app.py``, whose sign-in a hide checks again: the user put into the
    session counts as signed in (tests/test_signin_page.py checks the real re-check)."""
    import streamlit as st

    from ui import projector_pins

    monkeypatch.setattr(projector_pins, "still_signed_in",
                        lambda roles: bool(st.session_state.get("user", FACILITATOR).roles & roles))


def setup_page(user=FACILITATOR) -> AppTest:
    """/workshop as ``user`` would get it (app.py puts the signed-in user into the session)."""
    at = AppTest.from_file(SETUP, default_timeout=TIMEOUT_S)
    if user is not None:
        at.session_state["user"] = user
    return at


def test_setup_shows_nothing_without_a_facilitator_or_admin():
    """Opened without app.py's routing (e.g. a first run by file name), the page checks the role itself."""
    for user in (None, User("mod-anna", frozenset({"moderator"}), "password")):
        at = setup_page(user)
        at.run()
        assert not at.exception
        assert not at.title and not at.button and not at.text_input


def texts(at) -> list[str]:
    return [e.value for e in at.text]


def test_setup_creates_opens_and_shows_the_join_link_and_qr(book):
    at = setup_page()
    at.run()
    assert not at.exception
    at.text_input(key="ws_new_title").input("Kiezwerkstatt Mitte")
    at.selectbox(key="ws_new_level").select("BEZ").run()
    at.selectbox(key="ws_new_area_BEZ").select("01")
    at.button(key="ws_create").click().run()
    assert not at.exception
    [workshop] = book.list()
    assert workshop.title == "Kiezwerkstatt Mitte" and workshop.focus_id == "01" and workshop.status == "new"
    assert workshop.created_by == "fac-frieda"  # who set it up is on record
    assert f"/melden?workshop={workshop.code}" in " ".join(texts(at))
    [qr] = at.get("image")  # the QR code, made on the server
    # Its alt text says where it leads, for those who cannot scan it (WCAG 1.1.1).
    assert qr.proto.imgs[0].alt == f"QR-Code: /melden?workshop={workshop.code}"
    at.button(key="ws_open").click().run()
    assert book.get(workshop.code).is_open
    at.number_input(key="ws_dots").set_value(2)
    at.button(key="ws_start").click().run()
    voting = book.latest_round(workshop.code)
    assert voting.is_open and voting.dots == 2
    assert at.button(key="ws_freeze").disabled  # not without the tick: it cannot be undone
    at.checkbox(key=f"ws_freeze_sure_{workshop.code}").check().run()
    at.button(key="ws_freeze").click().run()
    assert book.get(workshop.code).is_frozen and not book.get_round(voting.id).is_open
    assert not at.exception


def test_after_a_create_the_form_starts_afresh_so_a_second_click_makes_no_duplicate(book):
    at = setup_page()
    at.run()
    at.text_input(key="ws_new_title").input("Kiezwerkstatt Mitte")
    at.date_input(key="ws_new_date").set_value(date(2026, 12, 3))
    at.selectbox(key="ws_new_level").select("BEZ").run()
    at.selectbox(key="ws_new_area_BEZ").select("01")
    at.button(key="ws_create").click().run()
    assert not at.exception
    [workshop] = book.list()
    assert f"Workshop angelegt. Zugangscode: {workshop.code}" in [s.value for s in at.success]
    assert at.text_input(key="ws_new_title").value == ""
    assert at.selectbox(key="ws_new_area_BEZ").value is None
    assert at.date_input(key="ws_new_date").value == date.today()
    at.button(key="ws_create").click().run()  # the same click again: refused, nothing new
    assert [w.code for w in book.list()] == [workshop.code]
    assert "Der Titel fehlt" in at.error[0].value


@pytest.mark.parametrize(("lang", "message"), [
    ("de", "Nicht gespeichert: Das Fokusgebiet fehlt. Bitte wählen Sie im Feld „Gebiet“ ein Gebiet der Ebene "
           "„Bezirksregion“ aus der Liste"),
    ("en", "Not saved: The focus area is missing. Please choose an area of the level “District region” in the field"),
])
def test_a_missing_area_is_named_with_the_fix_and_the_form_keeps_what_was_typed(book, lang, message):
    at = setup_page()
    at.session_state["lang"] = lang
    at.run()
    at.text_input(key="ws_new_title").input("Stadtteilforum")
    at.selectbox(key="ws_new_level").select("BZR").run()
    at.button(key="ws_create").click().run()
    assert book.list() == []
    [error] = at.error
    assert error.value.startswith(message), error.value
    assert "Bitte wählen oder tippen" not in error.value and "Choose or type" not in error.value
    assert at.text_input(key="ws_new_title").value == "Stadtteilforum"
    assert at.selectbox(key="ws_new_level").value == "BZR"


def test_the_date_field_shows_the_german_date_format(book):
    at = setup_page()
    at.run()
    assert at.date_input(key="ws_new_date").proto.format == "DD.MM.YYYY"


def test_setup_refuses_a_bad_rectangle_and_says_why(book):
    at = setup_page()
    at.run()
    at.text_input(key="ws_new_title").input("Spaziergang")
    at.radio(key="ws_new_kind").set_value("rect").run()
    at.number_input(key="ws_w").set_value(13.5)
    at.number_input(key="ws_e").set_value(13.4)
    at.button(key="ws_create").click().run()
    assert book.list() == []
    assert any("(13,5000; 52,5100; 13,4000; 52,5300): West muss kleiner als Ost" in e.value for e in at.error)


def test_setup_takes_the_focus_rectangle_drawn_on_the_map(book, monkeypatch):
    # What Leaflet.draw returns for a rectangle around Alexanderplatz (lon/lat, ring from any corner).
    drawing = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
        [13.40213, 52.51874], [13.40213, 52.52571], [13.41866, 52.52571], [13.41866, 52.51874], [13.40213, 52.51874]]]}}
    fake = install(monkeypatch, value={"last_active_drawing": drawing})
    at = setup_page()
    at.run()
    at.text_input(key="ws_new_title").input("Rund um den Alex")
    at.radio(key="ws_new_kind").set_value("rect").run()
    assert not at.exception
    [(fig, key, kwargs)] = fake.keyed("ws_draw_map")[-1:]
    assert kwargs["returned_objects"] == ["last_active_drawing"]
    assert any(isinstance(child, folium.plugins.Draw) for child in fig._children.values())
    # The drawing prefills the typed fields (the keyboard alternative), rounded to 4 decimals as shown.
    assert [at.number_input(key=k).value for k in ("ws_w", "ws_s", "ws_e", "ws_n")] == [13.4021, 52.5187, 13.4187, 52.5257]
    at.button(key="ws_create").click().run()
    assert not at.exception
    [workshop] = book.list()
    assert workshop.bbox == (13.4021, 52.5187, 13.4187, 52.5257) and workshop.focus_id is None


def test_a_rectangle_drawn_outside_berlin_is_refused_with_the_reason(book, monkeypatch):
    # Frankfurt (Oder), ~80 km east of Berlin: far outside any box around the city.
    frankfurt = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
        [14.53, 52.33], [14.53, 52.36], [14.57, 52.36], [14.57, 52.33], [14.53, 52.33]]]}}
    install(monkeypatch, value={"last_active_drawing": frankfurt})
    at = setup_page()
    at.run()
    at.text_input(key="ws_new_title").input("Frankfurt (Oder)")
    at.radio(key="ws_new_kind").set_value("rect").run()
    at.button(key="ws_create").click().run()
    assert book.list() == []
    [error] = at.error
    assert "Rechteck (14,5300; 52,3300; 14,5700; 52,3600) reicht über die Stadt hinaus" in error.value


def test_live_view_shows_pins_counts_ticker_and_results(book, fake_map):
    code = book.open(book.create("Live", date(2026, 12, 3), focus_level="BZR", focus_id="011001").code).code
    first, second = room_need(book, code, "Mehr Bänke <b>"), room_need(book, code, "Tempo 30")
    at = AppTest.from_file(LIVE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    at.run()
    assert not at.exception
    base, _, kwargs = fake_map.calls[-1]
    change = pins_sent(kwargs)
    assert change["full"] and sorted(pin_titles(change).values()) == ["Mehr Bänke &lt;b&gt;", "Tempo 30"]
    assert "workshop-pin" in kwargs["overlay_script"] and "<b>" not in kwargs["overlay_script"]
    assert "workshop-focus" in base.get_root().render()  # the outline is part of the base map, sent once
    shown = texts(at)
    assert f"/melden?workshop={code}" in " ".join(shown)
    label = "Mobilität und Verkehr"
    assert f"{label}: 2" in shown and f"{label}: Mehr Bänke <b>" in shown  # st.text: plain, unrendered
    voting = book.start_round(code, 3)
    book.cast_vote(voting.id, "voter-one-x", second.id)
    book.cast_vote(voting.id, "voter-one-x", second.id)
    book.cast_vote(voting.id, "voter-two-x", first.id)
    at.run()
    shown = texts(at)
    assert f"/abstimmen?workshop={code}" in " ".join(shown)
    assert shown.index("1. 2 Pkt. – Tempo 30") < shown.index("2. 1 Pkt. – Mehr Bänke <b>")


def test_live_view_with_an_unknown_code_says_so(book, fake_map):
    at = AppTest.from_file(LIVE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = "NOPE22"
    at.run()
    assert at.error and not fake_map.calls
    assert "Einen Workshop mit dem Code „NOPE22“ gibt es nicht" in at.error[0].value
    assert at.text_input(key="live_code").value == "NOPE22"  # the wrong code stays for correction


@pytest.mark.parametrize(("page", "field"), [(LIVE, "live_code"), (VOTE, "vote_code")])
def test_opened_from_the_menu_without_a_code_the_page_asks_for_it(book, fake_map, page, field):
    code = book.open(book.create("Kiezforum", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    at = AppTest.from_file(page, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception and not at.error  # nothing was typed, so nothing is wrong yet
    assert at.text_input(key=field).label == "Zugangscode des Workshops"
    assert "Zugangscode des Workshops ein" in at.markdown[-1].value
    at.text_input(key=field).input("nope22")
    at.button[0].click().run()
    assert "Einen Workshop mit dem Code „NOPE22“ gibt es nicht" in at.error[0].value
    at.text_input(key=field).input(f" {code.lower()} ")  # typed in lower case with spaces: still found
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.query_params["workshop"] == code
    assert "Kiezforum" in at.title[0].value


def test_vote_page_caps_at_the_round_dots(book, load_in_browser):
    code = book.open(book.create("Vote", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = room_need(book, code, "Spielplatz")
    at = AppTest.from_file(VOTE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    at.run()
    assert at.info  # no round yet
    voting = book.start_round(code, 2)
    at.run()
    for _ in range(2):
        at.button(key=f"vote_add_{need.id}").click().run()
    assert at.button(key=f"vote_add_{need.id}").disabled
    assert book.results(voting.id)["votes"].tolist() == [2]
    assert "Sie haben 0 von 2 Punkten übrig." in " ".join(m.value for m in at.markdown)
    at.button(key=f"vote_remove_{need.id}").click().run()
    assert book.results(voting.id)["votes"].tolist() == [1]
    assert not at.exception


@pytest.mark.parametrize("lang, refused", [
    ("de", "Nicht gezählt: Dieser Bedarf ist kein veröffentlichter Bedarf dieses Workshops: Bitte wählen Sie einen "
           "Bedarf aus der Liste."),
    ("ls", "Nicht gezählt. Grund: Für diesen Bedarf können Sie hier nicht abstimmen. Bitte wählen Sie einen Bedarf "
           "aus der Liste."),
])
def test_a_dot_on_a_pin_hidden_meanwhile_is_refused_in_the_page_language(book, load_in_browser, lang, refused):
    code = book.open(book.create("Vote", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = room_need(book, code, "Spielplatz")
    book.start_round(code, 2)
    at = AppTest.from_file(VOTE, default_timeout=TIMEOUT_S)
    at.session_state["lang"] = lang
    at.query_params["workshop"] = code
    at.run()
    book.hide_pin(code, need.id, actor="fac-frieda")  # the facilitator takes it off the wall a moment before
    at.button(key=f"vote_add_{need.id}").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [refused]
    assert book.votes_frame(code).empty  # nothing was counted


def test_vote_page_of_an_ended_workshop_says_it_ended_not_that_a_round_may_come(book, load_in_browser):
    code = book.open(book.create("Vorbei", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    book.close(code)
    book.freeze(code)
    at = AppTest.from_file(VOTE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    at.run()
    assert [i.value for i in at.info] == [
        "Dieser Workshop ist abgeschlossen; es gibt keine Abstimmung mehr. Die Ergebnisse hat die Moderation."]
    assert not at.button


def test_live_view_says_not_open_yet_before_the_first_opening_and_closed_after(book, fake_map):
    code = book.create("Vorab", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code
    at = AppTest.from_file(LIVE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    at.run()
    shown = " ".join(m.value for m in at.markdown)
    assert "Meldungen sind noch nicht geöffnet" in shown and "0 Meldungen" in shown
    book.open(code)
    room_need(book, code, "Bank am Teich")
    book.close(code)
    at.run()
    shown = " ".join(m.value for m in at.markdown)
    assert "Meldungen sind geschlossen" in shown and "noch nicht" not in shown and "1 Meldung" in shown
    assert "1 Meldungen" not in shown


def live_page(code) -> AppTest:
    at = AppTest.from_file(LIVE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    return at


def pins_sent(kwargs) -> dict | None:
    """The pin changes one run of /live gave its map (None: no pin data at all)."""
    script = kwargs.get("overlay_script")
    if script is None:
        return None
    return json.loads(re.search(r"\}\)\(map_div, (.*)\);\s*$", script, re.S).group(1))


def pin_titles(change: dict) -> dict[str, str]:
    """The titles of the pins a change adds (as their tooltips show them), by the pin's name."""
    return {row[0]: row[4].split("<br>", 1)[1] for row in change["add"]}


def test_live_view_sends_its_map_only_what_changed_since_its_last_refresh(book, fake_map):
    code = book.open(book.create("Delta", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    room_need(book, code, "Bänke"), room_need(book, code, "Bäume")
    live = live_page(code)
    live.run()
    assert sorted(pin_titles(pins_sent(fake_map.calls[-1].kwargs)).values()) == ["Bänke", "Bäume"]
    live.run()  # a refresh with no change: the map gets no pin data again
    assert not live.exception
    assert pins_sent(fake_map.calls[-1].kwargs) is None and fake_map.calls[-1].kwargs["feature_group_to_add"] is None
    room_need(book, code, "Wasser")
    live.run()
    change = pins_sent(fake_map.calls[-1].kwargs)
    assert (change["full"], list(pin_titles(change).values()), change["remove"]) == (False, ["Wasser"], [])
    # Another projector (a new session) gets every pin.
    other = live_page(code)
    other.run()
    assert len(pins_sent(fake_map.calls[-1].kwargs)["add"]) == 3


def test_live_view_marks_a_tie_and_says_when_the_round_is_over(book, fake_map):
    code = book.open(book.create("Gleichstand", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    benches, trees, water = (room_need(book, code, title) for title in ("Bänke", "Bäume", "Wasser"))
    voting = book.start_round(code, 2)
    for voter, need in [("voter-one-x", benches), ("voter-one-x", trees), ("voter-two-x", benches),
                        ("voter-two-x", trees), ("voter-three", water)]:
        book.cast_vote(voting.id, voter, need.id)
    at = live_page(code)
    at.run()
    assert not at.exception
    # Equal dots share the first place, marked as a tie; the next need is third, not second.
    assert [line for line in texts(at) if "Pkt." in line] == [
        "1. (gleichauf) 2 Pkt. – Bänke", "1. (gleichauf) 2 Pkt. – Bäume", "3. 1 Pkt. – Wasser"]
    assert "Die Abstimmung ist beendet" not in " ".join(m.value for m in at.markdown)
    book.stop_round(code)
    at.run()
    assert "Die Abstimmung ist beendet. Das Ergebnis:" in [m.value for m in at.markdown]
    assert f"/melden?workshop={code}" in " ".join(texts(at))  # the workshop is still open for needs


def test_live_view_shows_the_join_code_large_and_hides_the_invitation_once_closed(book, fake_map):
    code = book.open(book.create("Kiezforum", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    at = live_page(code)
    at.run()
    [shown_code] = at.metric
    assert (shown_code.label, shown_code.value) == ("Zugangscode", code)
    assert at.get("image") and "Mitmachen: QR-Code scannen oder" in [m.value for m in at.markdown]
    for end in (book.close, book.freeze):  # closed, then frozen for good: nothing left to join
        end(code)
        at.run()
        assert not at.exception
        shown = [m.value for m in at.markdown]
        assert "Meldungen sind geschlossen." in shown
        assert not at.get("image") and not at.metric and "Mitmachen: QR-Code scannen oder" not in shown
        assert f"workshop={code}" not in " ".join(texts(at))


def test_live_view_of_a_closed_workshop_still_invites_to_a_running_vote(book, fake_map):
    code = book.open(book.create("Abstimmung", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    room_need(book, code, "Spielplatz")
    book.start_round(code, 3)
    book.close(code)  # no more needs, but the dots are still being placed
    at = live_page(code)
    at.run()
    assert f"/abstimmen?workshop={code}" in " ".join(texts(at))
    assert [m.value for m in at.metric] == [code]


def test_setup_shows_the_join_code_large(book):
    code = book.create("Kiezforum", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code
    at = setup_page()
    at.run()
    assert [(m.label, m.value) for m in at.metric] == [("Zugangscode", code)]


def test_vote_page_says_the_round_is_over_and_forgets_a_dot_refused_by_the_end(book, load_in_browser):
    code = book.open(book.create("Runde", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = room_need(book, code, "Spielplatz")
    book.start_round(code, 2)
    at = AppTest.from_file(VOTE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    at.run()
    book.stop_round(code)  # the facilitator ends the round while the phone still shows "+"
    at.button(key=f"vote_add_{need.id}").click().run()
    assert not at.exception
    assert [i.value for i in at.info] == [(
        "Die Abstimmungsrunde ist beendet – danke fürs Mitmachen! Das Ergebnis sehen Sie am Beamer. Startet die "
        "Moderation eine neue Runde, erscheint sie hier von selbst.")]
    assert not at.button and not at.error
    book.start_round(code, 1)
    at.run()
    assert at.button(key=f"vote_add_{need.id}") and not at.error  # the refused dot of the last round is not news


def test_setup_makes_a_table_link_shown_once_and_kept_only_as_a_hash(book):
    """Issue 18: a table's shared tablet gets a device link with a workshop-sized allowance on /melden."""
    import re

    import sqlalchemy as sa

    from assessment.participation.workshops import workshop_devices

    code = book.open(book.create("Kiezforum", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    at = setup_page()
    at.run()
    at.button(key="ws_device_create").click().run()  # no name: refused, with the fix
    assert any("Name des Geräts" in e.value for e in at.error)
    at.text_input(key="ws_device_label").input("Tisch 3")
    at.button(key="ws_device_create").click().run()
    assert not at.exception
    shown = [s.value.replace("\\", "") for s in at.success]  # Markdown-escaped: the label is a facilitator's text
    assert "Tisch-Link für „Tisch 3“ – auf dem Tablet öffnen oder den QR-Code scannen:" in shown
    [link] = [text for text in texts(at) if "tisch=" in text]
    # (AppTest has no address of its own: the link is relative; in a browser it is absolute, like the join link.)
    secret = re.fullmatch(rf"(https?://[^/]+)?/melden\?workshop={code}&tisch=([A-Za-z0-9_-]{{22}})", link)[2]
    device = book.table_device(code, secret)
    assert (device.label, device.created_by) == ("Tisch 3", "fac-frieda")
    assert at.text_input(key="ws_device_label").value == ""  # a second click makes no second link by mistake
    with book.store.engine.connect() as conn:
        stored = conn.execute(sa.select(workshop_devices)).mappings().all()
    assert len(stored) == 1 and secret not in str(dict(stored[0]))  # only the hash is kept
    assert "Tisch-Links dieses Workshops: Tisch 3" in [m.value.replace("\\", "") for m in at.markdown]


def vote_page(code) -> AppTest:
    at = AppTest.from_file(VOTE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    return at


def test_three_loads_of_the_vote_page_in_one_browser_share_the_rounds_dots(book, load_in_browser):
    """Each load is a new session with a newly masked cookie: still one voter, 2 dots in all."""
    code = book.open(book.create("Runde", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = room_need(book, code, "Spielplatz")
    voting = book.start_round(code, 2)
    for load, cookie in enumerate(THREE_LOADS):
        load_in_browser(cookie)
        at = vote_page(code)
        at.run()
        assert not at.exception
        left = 2 - min(load, 2)
        assert f"Sie haben {left} von 2 Punkten übrig." in " ".join(m.value for m in at.markdown)
        button = at.button(key=f"vote_add_{need.id}")
        assert button.disabled == (left == 0)
        if not button.disabled:
            button.click().run()
    assert book.results(voting.id)[["votes", "voters"]].values.tolist() == [[2, 1]]


def test_a_browser_without_the_cookie_cannot_vote_and_is_told_how_to(book, load_in_browser):
    code = book.open(book.create("Runde", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    need = room_need(book, code, "Spielplatz")
    voting = book.start_round(code, 2)
    load_in_browser(None)
    at = vote_page(code)
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "Abstimmen geht nur mit dem Cookie dieser Seite: Daran erkennt sie Ihre Punkte wieder, ohne zu wissen, wer "
        "Sie sind. Ihr Browser hat es nicht mitgeschickt. Bitte erlauben Sie Cookies für diese Seite und laden Sie "
        "sie dann neu."]
    assert not at.button
    assert book.results(voting.id)["votes"].tolist() == [0] and need.id in set(book.results(voting.id)["need_id"])


PUBLISH_OPTIONS = [
    ("Sofort veröffentlichen",
     "Jede Meldung erscheint sofort auf dem Projektor, ohne Prüfung. Sie moderieren den Raum: Unpassendes nehmen Sie "
     "unter „Auf dem Projektor“ mit „Ausblenden“ wieder herunter."),
    ("Erst nach Freigabe veröffentlichen",
     "Meldungen warten auf Freigabe durch das Moderationsteam (Seite „Moderation“) und erscheinen erst danach auf "
     "dem Projektor."),
]


def publish_options(radio) -> list[tuple[str, str]]:
    return list(zip(radio.options, radio.proto.captions))


def test_the_facilitator_chooses_whether_the_room_publishes_at_once_seeing_what_it_means(book):
    at = setup_page()
    at.run()
    choice = at.radio(key="ws_new_publish")
    assert choice.label == "Meldungen aus dem Raum" and publish_options(choice) == PUBLISH_OPTIONS
    assert choice.value is True  # as before: a room publishes at once unless the facilitator says otherwise
    at.text_input(key="ws_new_title").input("Kiezrat")
    at.selectbox(key="ws_new_level").select("BEZ").run()
    at.selectbox(key="ws_new_area_BEZ").select("01")
    at.radio(key="ws_new_publish").set_value(False)
    at.button(key="ws_create").click().run()
    assert not at.exception
    [workshop] = book.list()
    assert workshop.publish_immediately is False and book.submission_status(workshop.code) == "pending"
    # The workshop's own setting shows the same two options, and changing it changes the store.
    current = at.radio(key=f"ws_publish_{workshop.code}")
    assert publish_options(current) == PUBLISH_OPTIONS and current.value is False
    current.set_value(True).run()
    assert book.get(workshop.code).publish_immediately is True


def test_the_facilitator_hides_a_pin_with_one_click_and_the_projector_drops_it(book, fake_map, signed_in_as_in_session):
    from assessment.needs.audit import entries

    code = book.open(book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    kept, offensive = room_need(book, code, "Mehr Bänke"), room_need(book, code, "Max Mustermann http://x.example")
    book.set_publish_immediately(code, False)
    waiting = room_need(book, code, "Wartet auf Freigabe")
    live = live_page(code)
    live.run()
    assert "Mobilität und Verkehr: Max Mustermann http://x.example" in texts(live)
    names = {title: name for name, title in pin_titles(pins_sent(fake_map.calls[-1].kwargs)).items()}
    at = setup_page()
    at.run()
    # The pins the projector shows, newest first, as plain text; a pending need is not among them.
    assert [c.key for c in at.get("flex_container") if (c.key or "").startswith("ws_pin_")] == [
        f"ws_pin_{offensive.id}", f"ws_pin_{kept.id}"]
    assert "Mobilität und Verkehr: Max Mustermann http://x.example" in texts(at)
    assert not any(waiting.title in text for text in texts(at))
    at.button(key=f"ws_hide_{offensive.id}").click().run()
    assert not at.exception
    assert book.store.get(offensive.id).status == "hidden"
    assert [s.value for s in at.success] == [
        f"Ausgeblendet: {offensive.reference} ist in wenigen Sekunden von jedem Projektor verschwunden."]
    assert not any("Max Mustermann" in text for text in texts(at))
    row = entries(book.store).iloc[0]
    assert (row.actor, row.action, row.need_id, row.status_before, row.status_after) == (
        "fac-frieda", "workshop_hide", offensive.id, "published", "hidden")
    # The projector's next refresh (a run of its fragment) shows the room without it.
    live.run()
    assert not any("Max Mustermann" in text for text in texts(live))
    # It sends the map the one pin to take off, and no pin again.
    assert pins_sent(fake_map.calls[-1].kwargs) == {"full": False, "add": [],
                                                    "remove": [names["Max Mustermann http://x.example"]]}


def test_a_workshop_sets_the_language_of_its_join_link(book):
    """A workshop held in Turkish: its join link and QR code open /melden in Turkish on every phone."""
    code = book.create("Atölye", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code
    at = setup_page()
    at.run()
    assert f"/melden?workshop={code}" in " ".join(texts(at)) and "sprache=" not in " ".join(texts(at))
    at.selectbox(key=f"ws_language_{code}").select("tr").run()
    assert not at.exception
    assert book.get(code).language == "tr"
    assert f"/melden?workshop={code}&sprache=tr" in " ".join(texts(at))
    [qr] = at.get("image")
    assert qr.proto.imgs[0].alt == f"QR-Code: /melden?workshop={code}&sprache=tr"
    at.selectbox(key=f"ws_language_{code}").select_index(0).run()
    assert book.get(code).language is None and "sprache=" not in " ".join(texts(at))


def test_a_join_language_the_app_does_not_offer_is_refused(book):
    code = book.create("Atölye", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code
    with pytest.raises(WorkshopError) as refused:
        book.set_language(code, "fr")
    assert refused.value.in_language("de") == "Die Sprache fr gibt es nicht: bitte eine von de, en, tr, ar, uk, ls wählen"
    assert book.get(code).language is None


def hide_buttons(at) -> list:
    return [b for b in at.button if (b.key or "").startswith("live_hide_")]


def test_a_signed_in_facilitator_hides_a_pin_on_the_live_view_which_others_see_without_controls(
        book, fake_map, signed_in_as_in_session):
    from assessment.needs.audit import entries
    from core.i18n import escape_markdown

    code = book.open(book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    kept, offensive = room_need(book, code, "Mehr Bänke"), room_need(book, code, "Max Mustermann http://x.example")
    projector = live_page(code)  # nobody signed in: the room's view, as before
    projector.run()
    assert not projector.exception and not hide_buttons(projector)
    assert "Mobilität und Verkehr: Max Mustermann http://x.example" in texts(projector)
    moderator = live_page(code)  # staff without a workshop role: no control either
    moderator.session_state["user"] = User("mod-anna", frozenset({"moderator"}), "password")
    moderator.run()
    assert not moderator.exception and not hide_buttons(moderator)

    at = live_page(code)
    at.session_state["user"] = FACILITATOR
    at.run()
    assert not at.exception
    # Every pin, newest first, each with a button whose name says which need it hides (as plain text).
    assert [(b.key, b.label) for b in hide_buttons(at)] == [
        (f"live_hide_{offensive.id}", f"Ausblenden: {escape_markdown(offensive.title)}"),
        (f"live_hide_{kept.id}", f"Ausblenden: {escape_markdown(kept.title)}")]
    at.button(key=f"live_hide_{offensive.id}").click().run()
    assert not at.exception
    assert book.store.get(offensive.id).status == "hidden"
    assert [s.value for s in at.success] == [
        f"Ausgeblendet: {offensive.reference} ist in wenigen Sekunden von jedem Projektor verschwunden."]
    assert [b.key for b in hide_buttons(at)] == [f"live_hide_{kept.id}"]
    row = entries(book.store).iloc[0]
    assert (row.actor, row.action, row.need_id, row.status_before, row.status_after) == (
        "fac-frieda", "workshop_hide", offensive.id, "published", "hidden")
    projector.run()  # the other projector's next refresh
    assert not any("Max Mustermann" in text for text in texts(projector))
    # While a voting round runs (results instead of the newest needs), every pin can still be hidden.
    book.start_round(code, 3)
    at.run()
    assert [b.key for b in hide_buttons(at)] == [f"live_hide_{kept.id}"]
    projector.run()
    assert not hide_buttons(projector)
