"""The residents' page /melden run headless with AppTest, the map replaced by a fake.

``st_folium`` is swapped for :class:`tests.fake_folium.FakeMap` (fixture
``fake_map``), which behaves like the real component: the map is drawn in one
run, a click on it becomes the component's value in
``st.session_state["report_map"]`` and triggers the next run. Each
test gets its own SQLite database (``DATABASE_URL``), opened again with
``open_store`` to count what the page stored. Places are checked against the
official LOR polygons (``settings_with_data``).
"""

from __future__ import annotations

import html
import re

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assessment.participation import residents as participation
from assessment.needs.model import NeedInput
from assessment.participation.residents import StaticWorkshopDirectory
from assessment.needs.store import open_store
from needs_fixtures import workshop_row
from tests.fake_folium import FakeMap

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages/report_need.py")
APP = str(ROOT / "app.py")
TIMEOUT_S = 60
# Pariser Platz at the Brandenburg Gate: PLR 01100206 "Unter den Linden" (official LOR map).
BRANDENBURG_GATE = (52.5163, 13.3777)
POTSDAM_CENTRE = (52.3906, 13.0645)  # Brandenburg, not Berlin


@pytest.fixture
def database_url(tmp_path, monkeypatch, settings_with_data):
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def store(database_url, settings_with_data):
    opened = open_store(settings_with_data, database_url=database_url)
    yield opened
    opened.close()


@pytest.fixture
def at(fake_map, database_url) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    app.run()
    assert not app.exception, app.exception
    return app


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.success] + [e.value for e in at.error] + [e.value for e in at.info]
    parts += [e.value for e in at.warning] + [e.value for e in at.markdown] + [e.value for e in at.caption]
    return "\n".join(str(p).replace("\\", "") for p in parts)


def click(at: AppTest, fake: FakeMap, lat: float, lon: float) -> None:
    fake.click(lat, lon)
    at.run()  # the click lands on the map drawn in this run
    at.run()  # the rerun the component triggers
    assert not at.exception, at.exception


def fill(at: AppTest, category="green_climate", title="Mehr Schatten am Spielplatz", description="Es ist heiß.") -> None:
    form = at.session_state["report_form"]
    at.selectbox(key=f"report_category_{form}").set_value(category)
    at.text_input(key=f"report_title_{form}").input(title)
    at.text_area(key=f"report_description_{form}").input(description)


def submit(at: AppTest) -> None:
    at.button(key=f"report_submit_{at.session_state['report_form']}").click().run()
    assert not at.exception, at.exception


def test_map_click_in_berlin_names_the_planning_area_and_sets_the_lists(at, fake_map):
    click(at, fake_map, *BRANDENBURG_GATE)
    shown = texts(at)
    assert "Planungsraum Unter den Linden" in shown
    assert "Bezirksregion Regierungsviertel, Bezirk Mitte" in shown
    assert at.selectbox(key="report_plr").value == "01100206"
    assert at.selectbox(key="report_bez").value == "01"
    # The pin is on the map that is drawn after the click, named in the page's language.
    assert fake_map.place()["pin"] == pytest.approx(list(BRANDENBURG_GATE))
    assert 'pinLabel = "Ihr Ort"' in fake_map.html()


def test_map_click_outside_berlin_is_refused_and_nothing_is_stored(at, fake_map, store):
    click(at, fake_map, *POTSDAM_CENTRE)
    assert "außerhalb Berlins" in texts(at)
    fill(at)
    submit(at)
    assert store.count() == 0
    assert "Nicht gespeichert" in texts(at)


def test_submit_stores_exactly_one_need_and_resets_topic_and_texts_but_keeps_the_place(at, fake_map, store):
    click(at, fake_map, *BRANDENBURG_GATE)
    token = at.session_state["report_token"]
    fill(at)
    submit(at)
    needs = store.query(statuses=None)
    assert len(needs) == 1
    need = needs[0]
    assert (need.unit("PLR"), need.located_by, need.category, need.status) == ("01100206", "point", "green_climate", "pending")
    assert need.title == "Mehr Schatten am Spielplatz" and need.language == "de" and need.channel == "online"
    assert f"Ihre Kennung: {need.reference}" in texts(at)
    # Where to ask about it: the contact in the imprint, named by the page it is on.
    assert "an die Kontaktstelle im Impressum (Seite „Quellen und Impressum“)" in texts(at)
    # A fresh form: new token, empty topic and texts; the place stays for a second need there.
    assert at.session_state["report_token"] != token
    form = at.session_state["report_form"]
    assert at.text_input(key=f"report_title_{form}").value == ""
    assert at.text_area(key=f"report_description_{form}").value == ""
    assert at.selectbox(key=f"report_category_{form}").value is None
    place = at.session_state["report_place"]
    assert place["located"]["PLR_ID"] == "01100206"
    assert "Ihr Ort liegt im Planungsraum Unter den Linden" in texts(at)
    assert at.selectbox(key="report_plr").value == "01100206"
    at.run()
    assert store.count() == 1 and at.session_state["report_place"] == place
    # A second need at the same place needs only topic and title.
    fill(at, category="mobility", title="Sichere Querung", description="")
    submit(at)
    assert sorted(n.unit("PLR") for n in store.query(statuses=None)) == ["01100206", "01100206"]


def test_a_repeated_submit_with_the_same_token_stores_one_need(at, fake_map, store):
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at)
    token = at.session_state["report_token"]
    form = at.session_state["report_form"]
    submit(at)
    # A second click that arrives after the first was stored, with the old form's values
    # (e.g. a double click racing the rerun): the store returns the first need.
    at.session_state["report_token"] = token
    at.session_state["report_form"] = form
    at.session_state["report_place"] = {"lat": BRANDENBURG_GATE[0], "lon": BRANDENBURG_GATE[1],
                                        "located": {"PLR_ID": "01100206", "PLR_NAME": "", "BZR_ID": "011002",
                                                    "BZR_NAME": "", "BEZ_ID": "01", "BEZ_NAME": ""}}
    at.run()
    fill(at)
    submit(at)
    assert store.count() == 1


def test_area_lists_without_the_map_store_a_need_located_by_area(at, fake_map, store):
    at.selectbox(key="report_bez").set_value("01").run()
    at.selectbox(key="report_bzr").set_value("011002").run()
    at.selectbox(key="report_plr").set_value("01100206").run()
    assert "Gewähltes Gebiet: Planungsraum Unter den Linden" in texts(at)
    fill(at, category="mobility", title="Sichere Querung")
    submit(at)
    [need] = store.query(statuses=None)
    assert (need.located_by, need.area_level, need.unit("PLR"), need.unit("BEZ")) == ("area", "PLR", "01100206", "01")
    assert fake_map.maps  # the map was still drawn


def test_validation_errors_are_shown_per_field_and_nothing_is_stored(at, fake_map, store):
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at, title="ab")
    submit(at)
    assert store.count() == 0
    errors = [e.value for e in at.error]
    assert any("Titel" in e and "3" in e for e in errors), errors
    assert at.text_input(key=f"report_title_{at.session_state['report_form']}").value == "ab"


@pytest.mark.parametrize(
    ("field", "typed", "shown", "refused"),
    [
        ("description", "x" * 1200, "1.200 von höchstens 1.000 Zeichen – bitte um 200 Zeichen kürzen", "1000"),
        ("title", "Schatten " * 15, "135 von höchstens 120 Zeichen – bitte um 15 Zeichen kürzen", "120"),
    ],
)
def test_too_long_text_is_kept_counted_and_refused_with_its_message(at, fake_map, store, field, typed, shown, refused):
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at, **{field: typed})
    at.run()
    counts = [h.value for h in at.get("html") if "<p class=\"ba-count" in h.value]
    assert any(shown in c and 'class="ba-count ba-over"' in c for c in counts), counts
    submit(at)
    assert store.count() == 0
    form = at.session_state["report_form"]
    widget = at.text_area(key=f"report_{field}_{form}") if field == "description" else at.text_input(key=f"report_{field}_{form}")
    assert widget.value == typed  # nothing the resident typed is lost
    errors = [e.value for e in at.error]
    assert f"Nicht gespeichert. Bitte prüfen Sie: {'Titel' if field == 'title' else 'Beschreibung'}." in errors
    assert any(refused in e.replace(".", "") for e in errors if e.startswith(("Der Titel", "Die Beschreibung"))), errors


def counts(at) -> list[str]:
    """The texts of the character counts under title and description."""
    return [html.unescape(re.search(r'<p class="ba-count[^>]*>(.*)</p>', h.value).group(1))
            for h in at.get("html") if "<p class=\"ba-count" in h.value]


def test_the_limits_of_title_and_description_are_shown_before_they_are_reached(at, fake_map):
    assert counts(at) == ["0 von 120 Zeichen", "0 von 1.000 Zeichen"]
    fill(at, description="y" * 812)
    at.run()
    assert counts(at)[1] == "812 von 1.000 Zeichen"


def test_missing_topic_is_named_as_the_field_shows_it(at, fake_map, store):
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at, category=None)
    submit(at)
    assert store.count() == 0
    errors = [e.value for e in at.error]
    assert "Das Thema fehlt. Bitte wählen Sie ein Thema aus der Liste „Thema“." in errors
    assert not any("Kategorie" in e for e in errors), errors


def test_the_chosen_topic_follows_the_language(at, fake_map):
    fill(at, category="green_climate")
    at.run()
    form = at.session_state["report_form"]
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    box = at.selectbox(key=f"report_category_{form}")
    assert box.value == "green_climate"
    assert box.options[box.index] == "Green space, climate and environment"
    assert "Grün, Klima und Umwelt" not in box.options
    at.session_state["lang"] = "de"
    at.run()
    box = at.selectbox(key=f"report_category_{form}")
    assert box.value == "green_climate" and box.options[box.index] == "Grün, Klima und Umwelt"


def test_no_place_is_refused_with_a_message_at_the_place(at, fake_map, store):
    fill(at)
    submit(at)
    assert store.count() == 0
    assert any("Ort" in e.value or "Gebiet" in e.value for e in at.error)


def test_filled_honeypot_stores_nothing(at, fake_map, store):
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at)
    at.text_input(key=f"report_hp_{at.session_state['report_form']}").input("https://spam.example")
    submit(at)
    assert store.count() == 0
    assert "Bitte leer lassen" in texts(at)


def test_rate_limit_refuses_the_sixth_need_in_ten_minutes(at, fake_map, store):
    for i in range(5):
        click(at, fake_map, BRANDENBURG_GATE[0], BRANDENBURG_GATE[1] + i * 0.0001)
        fill(at, title=f"Bedarf Nummer {i + 1}")
        submit(at)
    assert store.count() == 5
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at, title="Bedarf Nummer 6")
    submit(at)
    assert store.count() == 5
    assert "Alle Meldungen ohne Cookie teilen sich 5 Meldungen" in texts(at)  # AppTest sends no cookie


def test_publish_immediately_setting_publishes_at_once(at, fake_map, store, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_PUBLISH_IMMEDIATELY", "true")
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at)
    submit(at)
    [need] = store.query()
    assert need.status == "published"
    assert "ab sofort öffentlich" in texts(at)


def test_nearby_needs_are_listed_as_text_and_supported_once(at, fake_map, store, monkeypatch):
    import streamlit

    hostile = '<img src=x onerror="window.__xss=1"> [x](javascript:alert(1))'
    lat, lon = BRANDENBURG_GATE
    need = store.submit(NeedInput(category="housing", title=hostile, lat=lat + 0.001, lon=lon), status="published")
    far = store.submit(NeedInput(category="housing", title="Weit weg in Spandau", lat=52.5355, lon=13.2005), status="published")
    store.submit(NeedInput(category="housing", title="Noch nicht geprüft", lat=lat, lon=lon + 0.001))  # pending
    click(at, fake_map, lat, lon)
    shown = texts(at)
    assert hostile.replace("\\", "") in shown and far.title not in shown and "Noch nicht geprüft" not in shown
    assert "Wohnen · Planungsraum Unter den Linden · Unterstützungen: 0" in shown
    assert "1 veröffentlichter Bedarf in der Nähe (auch als Punkt auf der Karte):" in shown
    # The title is Markdown-escaped (shown literally, never a link or an image) ...
    [title_md] = [m.value for m in at.markdown if "onerror" in m.value]
    assert "\\[x\\]\\(javascript" in title_md and "\\<img" in title_md
    # ... and an escaped JSON string in the map's tooltip.
    html = fake_map.html()
    assert "window.__xss" in html and "<img" not in html.split("circle_marker")[-1]
    monkeypatch.setattr(streamlit, "context", BrowserContext("2|01020304|0306050c|1700000000"))  # a browser's cookie
    button = at.button(key=f"report_support_{need.id}")
    button.click().run()
    assert store.get(need.id).support_count == 1
    assert at.button(key=f"report_support_{need.id}").disabled
    assert "Unterstützungen: 1" in texts(at)
    at.run()
    assert store.get(need.id).support_count == 1


def test_a_browser_without_the_cookie_cannot_support_and_is_told_how_to(fake_map, database_url, store):
    """The attack: "Ich auch", reload, "Ich auch" without a cookie. Before, each page session counted once more."""
    lat, lon = BRANDENBURG_GATE
    need = store.submit(NeedInput(category="housing", title="Mehr Bänke", lat=lat, lon=lon), status="published")
    for _load in range(3):  # AppTest sends no cookie; every fresh session is a reload
        session = fresh_session(fake_map, lat, lon)
        session.button(key=f"report_support_{need.id}").click().run()
        assert not session.exception, session.exception
        assert [e.value for e in session.error] == [
            "Nicht gezählt: „Ich auch“ geht nur mit dem Cookie dieser Seite – daran erkennt sie, dass eine "
            "Unterstützung einmal zählt, ohne zu wissen, wer Sie sind. Ihr Browser hat es nicht mitgeschickt. "
            "Bitte erlauben Sie Cookies für diese Seite und laden Sie sie dann neu."]
        assert not session.button(key=f"report_support_{need.id}").disabled  # after allowing cookies: try again
    assert store.get(need.id).support_count == 0


def test_workshop_link_tags_the_need_and_names_the_workshop(fake_map, database_url, store, monkeypatch):
    directory = StaticWorkshopDirectory([workshop_row("kiez-1", "Kiezspaziergang Moabit", "open"),
                                         workshop_row("alt-2", "Frühjahrsforum", "frozen")])
    monkeypatch.setattr(participation, "workshop_directory", lambda _store: directory)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = "kiez-1"
    at.run()
    assert "Sie melden im Workshop: Kiezspaziergang Moabit" in texts(at)
    click(at, fake_map, *BRANDENBURG_GATE)
    fill(at)
    submit(at)
    [need] = store.query(statuses=None)
    assert (need.workshop_id, need.channel) == ("kiez-1", "workshop")

    closed = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    closed.query_params["workshop"] = "alt-2"
    closed.run()
    assert "Frühjahrsforum“ ist beendet" in texts(closed)


@pytest.mark.parametrize(
    ("status", "said", "not_said"),
    [
        ("new", "„Abendforum“ hat noch nicht begonnen", "beendet"),
        ("closed", "„Abendforum“ nimmt gerade keine Meldungen an", "beendet"),
        ("frozen", "„Abendforum“ ist beendet", "noch nicht begonnen"),
    ],
)
def test_a_workshop_not_open_says_whether_it_has_not_begun_paused_or_ended(fake_map, database_url, monkeypatch,
                                                                            status, said, not_said):
    directory = StaticWorkshopDirectory([workshop_row("abend-3", "Abendforum", status)])
    monkeypatch.setattr(participation, "workshop_directory", lambda _store: directory)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = "abend-3"
    at.run()
    assert said in texts(at) and not_said not in texts(at)


def test_unknown_workshop_code_gets_a_clear_message(fake_map, database_url):
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = "gibt-es-nicht"
    at.run()
    assert "Einen Workshop mit dem Code „gibt-es-nicht“ gibt es nicht" in texts(at)


def test_english_interface(at, fake_map):
    at.session_state["lang"] = "en"
    at.run()
    assert at.title[0].value == "What is missing in your neighbourhood?"
    click(at, fake_map, *POTSDAM_CENTRE)
    assert "This place is outside Berlin" in texts(at)


def test_page_is_in_the_navigation_at_melden(fake_map, database_url):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    at.switch_page("pages/report_need.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Was fehlt in Ihrem Kiez?"


def test_braces_in_a_need_are_not_a_template_on_the_server(at, fake_map, store):
    # branca compiles rendered map scripts as Jinja templates: "{{ 7*7 }}" must stay text.
    lat, lon = BRANDENBURG_GATE
    store.submit(NeedInput(category="housing", title="Preis {{ 7*7 }} {% if 1 %}x{% endif %}", lat=lat, lon=lon),
                 status="published")
    click(at, fake_map, lat, lon)
    html = fake_map.html()
    assert "Preis \\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125;" in html and "Preis 49" not in html
    assert "Preis \\{\\{ 7\\*7 \\}\\}" in "\n".join(m.value for m in at.markdown)



def report_need(at: AppTest, need_id: str, reason: str = "offensive") -> None:
    at.selectbox(key=f"report_flag_reason_{need_id}").set_value(reason)
    at.button(key=f"report_flag_{need_id}").click().run()
    assert not at.exception, at.exception


def fresh_session(fake_map: FakeMap, lat: float, lon: float) -> AppTest:
    session = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    session.run()
    click(session, fake_map, lat, lon)
    return session


# One browser's XSRF cookie on three page loads: the token 02040608 under three masks.
THREE_LOADS = ("2|01020304|0306050c|1700000000", "2|ffffffff|fdfbf9f7|1700000000", "2|10203040|12243648|1700000000")
# Three other browsers: three tokens under one mask.
THREE_BROWSERS = ("2|01020304|aabbccdd|1700000000", "2|01020304|11223344|1700000000", "2|01020304|55667788|1700000000")


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_report_reload_report_counts_one_browser_and_hides_nothing(fake_map, store, monkeypatch):
    """The attack: report, reload, report, reload, report. Each load is a new session, the browser is the same."""
    import streamlit

    from assessment.participation.moderation import Moderation

    lat, lon = BRANDENBURG_GATE
    need = store.submit(NeedInput(category="housing", title="Werbung für Ferienwohnungen", lat=lat, lon=lon),
                        status="published")
    said = []
    for cookie in THREE_LOADS:
        monkeypatch.setattr(streamlit, "context", BrowserContext(cookie))
        session = fresh_session(fake_map, lat, lon)
        assert need.title in texts(session)
        report_need(session, need.id)
        said += [s.value for s in session.success if "Hinweis" in s.value or "Danke" in s.value]
        assert session.button(key=f"report_flag_{need.id}").disabled
        # A stale button or a double click racing the rerun: even when the page forgot it, one report.
        session.session_state["report_flagged"] = set()
        session.run()
        report_need(session, need.id, reason="spam")
    assert said == ["Danke, das Moderationsteam prüft den Beitrag."] + 2 * [
        "Ihr Hinweis zu diesem Beitrag liegt schon vor; er zählt einmal. Das Moderationsteam prüft ihn."]
    assert Moderation(store).report_counts() == {need.id: 1}
    assert store.get(need.id).status == "published"


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_three_browsers_reporting_hide_the_need_from_the_nearby_list(fake_map, store, monkeypatch):
    import streamlit

    lat, lon = BRANDENBURG_GATE
    need = store.submit(NeedInput(category="housing", title="Beleidigender Beitrag", lat=lat, lon=lon),
                        status="published")
    other = store.submit(NeedInput(category="mobility", title="Sichere Querung", lat=lat, lon=lon + 0.0005),
                         status="published")
    for cookie in THREE_BROWSERS:
        monkeypatch.setattr(streamlit, "context", BrowserContext(cookie))
        session = fresh_session(fake_map, lat, lon)
        assert need.title in texts(session)
        report_need(session, need.id)
    assert store.get(need.id).status == "hidden"
    later = fresh_session(fake_map, lat, lon)
    shown = texts(later)
    assert need.title not in shown and other.title in shown
    assert store.get(other.id).status == "published"


def test_a_browser_without_the_cookie_cannot_report_and_is_told_how_to(at, fake_map, store):
    from assessment.participation.moderation import Moderation

    lat, lon = BRANDENBURG_GATE
    need = store.submit(NeedInput(category="housing", title="Werbung für Ferienwohnungen", lat=lat, lon=lon),
                        status="published")
    click(at, fake_map, lat, lon)
    report_need(at, need.id)  # AppTest sends no cookie
    assert [e.value for e in at.error] == [
        "Nicht gesendet: Hinweise gehen nur mit dem Cookie dieser Seite – daran erkennt sie, dass ein Hinweis einmal "
        "zählt, ohne zu wissen, wer Sie sind. Ihr Browser hat es nicht mitgeschickt. Bitte erlauben Sie Cookies "
        "für diese Seite und laden Sie sie dann neu."]
    assert not at.button(key=f"report_flag_{need.id}").disabled  # after allowing cookies, it can be tried again
    assert Moderation(store).report_counts() == {}


def test_privacy_note_names_the_configured_retention(fake_map, database_url, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_RETENTION_PUBLISHED_DAYS", "412")
    monkeypatch.setenv("BEDARFSATLAS_RETENTION_REJECTED_DAYS", "61")
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.run()
    [note] = [m.value for m in at.markdown if "Wie lange" in m.value]
    assert "412 Tage nach dem Absenden" in note and "61 Tage nach der Entscheidung" in note
    assert "2028" not in note


class BrowserContext:
    """Stands in for ``st.context`` with the XSRF cookie of one browser, masked anew per page load."""

    def __init__(self, cookie: str):
        self.cookies = {"_streamlit_xsrf": cookie}


def test_me_too_counts_once_per_browser_across_sessions(fake_map, database_url, store, monkeypatch):
    import streamlit

    lat, lon = BRANDENBURG_GATE
    need = store.submit(NeedInput(category="mobility", title="Fahrradbügel", lat=lat, lon=lon), status="published")
    store.submit(NeedInput(category="mobility", title="Sichere Querung", lat=lat, lon=lon + 0.0005), status="published")
    # The same token 02040608 under two masks: two loads of the page in one browser.
    for load, cookie in enumerate(("2|01020304|0306050c|1700000000", "2|ffffffff|fdfbf9f7|1700000000")):
        monkeypatch.setattr(streamlit, "context", BrowserContext(cookie))
        session = fresh_session(fake_map, lat, lon)
        assert "2 veröffentlichte Bedarfe in der Nähe, die nächsten zuerst (auch als Punkte auf der Karte):" in texts(session)
        button = session.button(key=f"report_support_{need.id}")
        if load == 0:
            assert not button.disabled and button.label == "Ich auch"
            button.click().run()
            assert not session.exception, session.exception
        else:  # after the reload: counted already, said so, and a click changes nothing
            assert button.disabled and button.label == "Ich auch – gezählt"
            assert "Sie unterstützen diesen Bedarf." in texts(session)
            # Even when the session forgets it, the page asks the store again.
            session.session_state["report_supported"] = set()
            session.run()
            assert session.button(key=f"report_support_{need.id}").disabled
        assert store.get(need.id).support_count == 1
    # Another browser counts.
    monkeypatch.setattr(streamlit, "context", BrowserContext("2|01020304|aabbccdd|1700000000"))
    other = fresh_session(fake_map, lat, lon)
    other.button(key=f"report_support_{need.id}").click().run()
    assert store.get(need.id).support_count == 2


def planning_area_names(fake: FakeMap) -> list[str]:
    """The names of Planungsräume the last map drawn writes around the place."""
    return [name for _, _, name in fake.place()["labels"]]


def test_the_map_hint_says_what_the_map_does_names_of_planning_areas_come_with_the_pin(at, fake_map):
    """Issue 18: the hint promised the planning areas' names after zooming; they come with a pin."""
    hint = texts(at)
    assert "Sobald die Stecknadel gesetzt ist, zeigt die Karte die Planungsräume rund um Ihren Ort mit Namen." in hint
    assert "Vergrößern" not in hint
    assert planning_area_names(fake_map) == []  # no place: zooming alone names no planning area
    click(at, fake_map, *BRANDENBURG_GATE)
    assert "Unter den Linden" in planning_area_names(fake_map)


def test_nearby_needs_are_listed_nearest_first_with_their_distance(at, fake_map, store):
    """Issue 18: the cards had no distance and no visible order (they came newest first)."""
    lat, lon = BRANDENBURG_GATE
    near = store.submit(NeedInput(category="mobility", title="Gleich hier", lat=lat + 0.001, lon=lon), status="published")
    far = store.submit(NeedInput(category="housing", title="Weiter weg", lat=lat + 0.004, lon=lon), status="published")
    click(at, fake_map, lat, lon)
    shown = texts(at)
    assert "2 veröffentlichte Bedarfe in der Nähe, die nächsten zuerst (auch als Punkte auf der Karte):" in shown
    assert shown.index(near.title) < shown.index(far.title)  # the newer one, farther away, comes second
    # By hand: 0.001 and 0.004 degrees of latitude are 111 m and 445 m.
    assert "ca. 110 m · Mobilität und Verkehr · Planungsraum Unter den Linden · Unterstützungen: 0" in shown
    assert "ca. 440 m · Wohnen · " in shown


def test_the_flag_button_says_it_flags_a_post_not_reports_a_need(at, fake_map, store):
    """Issue 18: a button "Melden" on a page called "Bedarf melden" was read as sending one's own need."""
    lat, lon = BRANDENBURG_GATE
    store.submit(NeedInput(category="housing", title="Werbung", lat=lat, lon=lon), status="published")
    click(at, fake_map, lat, lon)
    labels = [p.proto.popover.label for p in at.get("popover")]
    assert labels == ["Problem melden"]
    at.session_state["lang"] = "en"
    at.run()
    assert [p.proto.popover.label for p in at.get("popover")] == ["Report a problem"]


@pytest.mark.parametrize(("lang", "placeholder"), [("de", "Bitte wählen oder tippen"), ("en", "Choose or type")])
def test_every_list_on_the_page_has_a_placeholder_in_the_pages_language(at, fake_map, store, lang, placeholder):
    """Issue 18: a list without one showed Streamlit's English "Choose an option" in the German page."""
    lat, lon = BRANDENBURG_GATE
    store.submit(NeedInput(category="housing", title="Werbung", lat=lat, lon=lon), status="published")
    at.session_state["lang"] = lang
    click(at, fake_map, lat, lon)
    boxes = list(at.selectbox)
    assert len(boxes) == 5  # Bezirk, Bezirksregion, Planungsraum, Thema, the reason of a flag
    assert {box.proto.placeholder for box in boxes} == {placeholder}


def test_a_skip_link_before_the_map_leads_to_the_first_area_list(at, fake_map):
    """Issue 18: keyboard users had no way past the map to the lists (the browser test follows it)."""
    [link] = [h.value for h in at.get("html") if "ba-skip" in h.value]
    assert link.startswith('<a class="ba-skip" href="#ohne-karte" data-ba-focus="report_bez">Karte überspringen</a>')
    assert at.subheader[0].proto.anchor == "ohne-karte" and at.subheader[0].value == "Ort ohne Karte wählen"


def test_an_open_voting_round_is_announced_with_a_link_to_the_vote(fake_map, database_url, store):
    """Issue 18: phones on /melden?workshop=CODE were not told when the voting started."""
    from datetime import date

    from assessment.participation.workshops import WorkshopBook

    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    at.run()
    assert "Die Abstimmung hat begonnen" not in texts(at)
    book.start_round(code, dots=3)
    at.run()
    assert "Die Abstimmung hat begonnen: Sie haben 3 Punkte für die wichtigsten Bedarfe." in texts(at)
    [button] = at.get("link_button")
    assert button.proto.label == "Zur Abstimmung" and button.proto.url.endswith(f"/abstimmen?workshop={code}")
    book.stop_round(code)
    at.run()
    assert "Die Abstimmung hat begonnen" not in texts(at) and not at.get("link_button")


@pytest.fixture
def open_room(store):
    """An open workshop and the secret of its table device "Tisch 3"."""
    from datetime import date

    from assessment.participation.workshops import WorkshopBook

    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01").code).code
    return code, book.add_table_device(code, "Tisch 3")[1]


def send_six(at, fake_map) -> None:
    for i in range(6):
        click(at, fake_map, BRANDENBURG_GATE[0], BRANDENBURG_GATE[1] + i * 0.0001)
        fill(at, title=f"Karte vom Flipchart {i + 1}")
        submit(at)


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
@pytest.mark.parametrize("who", ["table", "facilitator"])
def test_a_table_device_and_a_facilitator_are_not_held_to_the_residents_five(fake_map, database_url, store,
                                                                               open_room, who):
    """Issue 18: the five per ten minutes locked out a shared table tablet and a facilitator typing up cards."""
    from assessment.participation.auth import User

    code, secret = open_room
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    if who == "table":
        at.query_params["tisch"] = secret
    else:
        at.session_state["user"] = User("anna", frozenset({"facilitator"}), "password")
    at.run()
    said = {"table": "Tisch-Gerät „Tisch 3“ des Workshops: Von hier aus können alle am Tisch zusammen bis zu 60 "
                     "Bedarfe in 10 Minuten senden.",
            "facilitator": "Sie sind als Moderation angemeldet: Für Ihre Meldungen im Workshop gilt nicht die Grenze "
                           "für Einzelpersonen, sondern bis zu 300 Bedarfe in 10 Minuten."}[who]
    assert said in texts(at)
    send_six(at, fake_map)
    assert store.count() == 6 and "schon 5 Bedarfe" not in texts(at)
    assert {n.workshop_id for n in store.query(statuses=None)} == {code}


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_a_wrong_table_link_is_said_and_keeps_the_residents_five(fake_map, database_url, store, open_room):
    code, _ = open_room
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.query_params["workshop"] = code
    at.query_params["tisch"] = "<b>falsch</b>"
    at.run()
    assert "Dieser Tisch-Link gilt nicht (mehr) für einen offenen Workshop." in texts(at)
    send_six(at, fake_map)
    assert store.count() == 5 and "ohne Cookie teilen sich 5" in texts(at)  # AppTest sends no cookie
