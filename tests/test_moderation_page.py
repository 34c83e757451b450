"""Staff pages headless (AppTest): gating by role, sign-in, moderation decisions, audit log, privacy page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from assessment.needs.audit import entries
from assessment.participation.auth import User, hash_password
from assessment.needs.store import open_store
from needs_fixtures import need_input
from staff_fixtures import sign_in_as

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = Path(APP).parent / "pages"
TIMEOUT_S = 90
PASSWORD = "lange-genug-und-geheim"
MODERATOR = User("mod-anna", frozenset({"moderator"}), "password")
ADMIN = User("admin-carla", frozenset({"admin"}), "password")


@pytest.fixture
def store(settings_with_data, tmp_path, monkeypatch):
    """A fresh SQLite needs database the app's pages open through DATABASE_URL."""
    from assessment.needs.geography import geography_from_settings

    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    opened = open_store(database_url=url, geography=geography_from_settings(settings_with_data))
    yield opened
    opened.close()


def app_as(user: User | None = None, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if secrets is not None:
        at.secrets["bedarfsatlas"] = secrets
    if user is not None:
        sign_in_as(at, user)
    at.run()
    assert not at.exception, at.exception
    return at


def registered(at: AppTest, script: str) -> bool:
    try:
        at.switch_page(str(PAGES / script))
    except ValueError:
        return False
    return True


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in (at.title, at.markdown, at.text, at.caption, at.warning, at.info)
                     for e in kind)


def test_residents_get_no_staff_page_only_the_sign_in(store):
    at = app_as()
    for script in ("moderation_queue.py", "audit_log.py", "workshop_setup.py"):
        assert not registered(at, script), script
    at.switch_page(str(PAGES / "signin.py")).run()
    assert at.title[0].value == "Anmeldung für Mitarbeitende"
    # No accounts and no OIDC configured: nobody can sign in, and the page says so.
    assert "keine Anmeldung eingerichtet" in texts(at)


def test_a_moderator_sees_moderation_but_not_the_audit_log(store):
    at = app_as(MODERATOR)
    assert registered(at, "moderation_queue.py") and not registered(at, "audit_log.py")
    assert not registered(at, "workshop_setup.py")


def test_sign_in_with_a_built_in_account(store):
    secrets = {"accounts": {"anna": {"password_hash": hash_password(PASSWORD), "roles": ["moderator"]}}}
    at = app_as(secrets=secrets)
    at.switch_page(str(PAGES / "signin.py")).run()
    at.text_input[0].set_value("anna")
    at.text_input[1].set_value(PASSWORD + "x")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [
        "Benutzername oder Passwort stimmt nicht. Bitte prüfen Sie beide Felder (Groß- und Kleinschreibung zählt)."]
    assert "user" not in at.session_state or not at.session_state["user"].is_staff
    at.text_input[1].set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["user"].roles == {"moderator"}
    assert registered(at, "moderation_queue.py")


@pytest.fixture
def browser_cookies(monkeypatch):
    """The cookies ``st.context.cookies`` reports, as a dict the test fills (AppTest cannot send any)."""
    import streamlit as st

    jar: dict[str, str] = {}
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: jar))
    return jar


def test_a_built_in_sign_in_survives_a_reload_until_sign_out(store, browser_cookies):
    from assessment.participation.auth import SESSION_COOKIE, StaffSessions, accounts_from_secrets, staff_sessions

    secrets = {"accounts": {"anna": {"password_hash": hash_password(PASSWORD), "roles": ["moderator"]}}}
    at = app_as(secrets=secrets)
    at.switch_page(str(PAGES / "signin.py")).run()
    at.text_input[0].set_value("anna")
    at.text_input[1].set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    token = at.session_state["staff_token"]
    assert ("Sie bleiben in diesem Browser 8 Stunden lang angemeldet, auch wenn Sie die Seite neu laden oder einen "
            "neuen Tab öffnen. Bitte melden Sie sich an einem gemeinsam genutzten Gerät ab.") in texts(at)
    assert f"{SESSION_COOKIE}={token}; Max-Age=28800" in at.session_state["staff_cookie"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(staff_sessions.c.account)).scalars().all() == ["anna"]

    browser_cookies[SESSION_COOKIE] = token  # what the browser sends after the reload
    reloaded = app_as(secrets=secrets)
    assert reloaded.session_state["user"] == User("anna", frozenset({"moderator"}), "password")
    assert registered(reloaded, "moderation_queue.py")
    reloaded.sidebar.button[0].click().run()  # "Abmelden"
    assert not reloaded.exception, reloaded.exception
    assert not reloaded.session_state["user"].is_staff
    assert f"{SESSION_COOKIE}=; Max-Age=0" in reloaded.session_state["staff_cookie"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(staff_sessions)).scalar_one() == 0
    # The browser may still send the old cookie (or a copy of it): it signs nobody in.
    assert not app_as(secrets=secrets).session_state["user"].is_staff
    # A valid token of an account since removed from the secrets is not restored either.
    accounts = accounts_from_secrets(secrets)
    browser_cookies[SESSION_COOKIE] = StaffSessions(store, 3600).start(
        User("anna", frozenset({"moderator"}), "password"), accounts["anna"])
    assert not app_as(secrets={"accounts": {}}).session_state["user"].is_staff


def test_moderator_approves_one_need_and_rejects_another(store):
    approved = store.submit(need_input(title="Bitte veröffentlichen"))
    rejected = store.submit(need_input(title="Bitte ablehnen"))
    published = store.submit(need_input(title="Schon öffentlich"), status="published")
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    assert not at.exception, at.exception
    assert "2 Bedarfe warten" in texts(at)
    assert [e.label for e in at.expander] == [f"1 · {approved.reference} – Bitte veröffentlichen",
                                             f"2 · {rejected.reference} – Bitte ablehnen"]
    at.button(key=f"approve_{approved.id}").click().run()
    assert not at.exception, at.exception
    approved_text = f"Gespeichert: {approved.reference} ist jetzt veröffentlicht."
    assert [e.value for e in at.success] == [approved_text]
    at.run()  # a rerun nobody asked for (the queue map reports its view): the outcome stays readable
    assert [e.value for e in at.success] == [approved_text]
    at.selectbox(key=f"reason_{rejected.id}").set_value("off_topic").run()
    at.button(key=f"reject_{rejected.id}").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.success] == [f"Gespeichert: {rejected.reference} ist jetzt abgelehnt."]
    assert {n.id for n in store.query()} == {approved.id, published.id}
    assert store.get(rejected.id).status == "rejected"
    log = entries(store)
    assert list(zip(log["actor"], log["action"], log["need_id"], log["reason"])) == [
        ("mod-anna", "reject", rejected.id, "off_topic"), ("mod-anna", "approve", approved.id, None)]


def test_reported_needs_come_first_and_approving_keeps_a_reported_one_published(store):
    from assessment.participation.moderation import Moderation

    waiting = store.submit(need_input(title="Wartet schon lange"))
    approved = store.submit(need_input(title="Geprüfter Spielplatz"))
    moderation = Moderation(store)
    moderation.approve(approved.id, actor="mod-ben")
    for letter in "abcd":  # four browsers report it: once approved, it stays public
        moderation.report(approved.id, "reporter:" + letter * 64, "offensive")
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    assert not at.exception, at.exception
    assert [e.label for e in at.expander] == [f"1 · {approved.reference} – Geprüfter Spielplatz",
                                             f"2 · {waiting.reference} – Wartet schon lange"]
    assert at.dataframe[0].value["Meldungen"].tolist() == [4, 0]
    assert [w.value for w in at.warning][0].startswith("Von Bürgerinnen und Bürgern gemeldet: 4-mal.")
    at.button(key=f"approve_{approved.id}").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.success] == [f"Gespeichert: {approved.reference} ist jetzt veröffentlicht."]
    assert store.get(approved.id).status == "published" and moderation.report_counts() == {}
    assert [e.label for e in at.expander] == [f"2 · {waiting.reference} – Wartet schon lange"]


REASON_MISSING = "Nicht abgelehnt: Bitte wählen Sie zuerst im Feld „Grund der Ablehnung“ einen Grund aus."


def test_rejecting_without_a_reason_is_refused_and_names_the_field(store):
    need = store.submit(need_input(title="Ohne Grund"))
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    reason = at.selectbox(key=f"reason_{need.id}")
    assert reason.value is None and reason.placeholder == "Bitte Grund auswählen"  # nothing preselected
    at.button(key=f"reject_{need.id}").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [REASON_MISSING] and not at.success
    assert store.get(need.id).status == "pending" and entries(store).empty  # nothing decided, nothing logged
    at.run()  # a rerun (the map reporting its view) keeps the message until a reason is chosen
    assert [e.value for e in at.error] == [REASON_MISSING]
    at.selectbox(key=f"reason_{need.id}").set_value("advertising").run()
    assert not at.error
    at.button(key=f"reject_{need.id}").click().run()
    assert store.get(need.id).status == "rejected"
    assert entries(store)["reason"].tolist() == ["advertising"]


def test_bulk_rejection_without_a_reason_is_refused(store):
    needs = [store.submit(need_input(title=f"Werkstatt {i}", workshop_id="KIEZ01", channel="workshop"))
             for i in (1, 2)]
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    at.text_input(key="moderation_workshop").set_value("KIEZ01").run()
    assert at.selectbox(key="bulk_reason").value is None
    at.button(key="bulk_reject").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [REASON_MISSING]
    assert {store.get(n.id).status for n in needs} == {"pending"} and entries(store).empty
    assert at.text_input(key="moderation_workshop").value == "KIEZ01"  # what the moderator typed stays
    at.selectbox(key="bulk_reason").set_value("off_topic").run()
    at.button(key="bulk_reject").click().run()
    assert {store.get(n.id).status for n in needs} == {"rejected"}
    assert entries(store)["reason"].tolist() == ["off_topic", "off_topic"]


def test_a_decision_made_elsewhere_first_or_a_need_gone_is_explained_in_german(store):
    from assessment.needs.store import needs
    from assessment.participation.moderation import Moderation

    decided = store.submit(need_input(title="Schon entschieden"))
    gone = store.submit(need_input(title="Inzwischen gelöscht"))
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    Moderation(store).approve(decided.id, actor="mod-ben")  # another moderator, a moment earlier
    at.button(key=f"approve_{decided.id}").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        f"Nicht gespeichert: Bedarf {decided.reference} kann nicht freigegeben werden: Er hat den Status "
        "„veröffentlicht“. Freigeben ist nur möglich bei: wartet, ausgeblendet, abgelehnt. Laden Sie die Seite "
        "neu: Vielleicht hat schon jemand anderes entschieden."]
    with store.engine.begin() as conn:  # deleted behind the page (say, by hand in the database)
        conn.execute(needs.delete().where(needs.c.id == gone.id))
    at.button(key=f"approve_{gone.id}").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        f"Nicht gespeichert: Kein Bedarf hat die Kennung '{gone.id}'; prüfen Sie die Kennung (oder die "
        "vollständige Kennung hinter dem Referenzcode)"]
    assert entries(store)["actor"].tolist() == ["mod-ben"]  # nothing else decided, nothing logged


def test_each_need_in_the_list_shows_when_it_came_in_berlin_time_and_its_topic(store, monkeypatch):
    from datetime import datetime, timezone

    from assessment.needs import store as store_module

    # 26 Nov 2026, 16:05 UTC is 17:05 in Berlin (CET); 1 Jul 2026, 10:30 UTC is 12:30 (CEST).
    for when, title, category in [(datetime(2026, 11, 26, 16, 5, tzinfo=timezone.utc), "Winter", "mobility"),
                                  (datetime(2026, 7, 1, 10, 30, tzinfo=timezone.utc), "Sommer", "green_climate")]:
        monkeypatch.setattr(store_module, "utc_now", lambda when=when: when)
        store.submit(need_input(title=title, category=category))
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    assert not at.exception, at.exception
    # Captions are markdown-escaped; read them as the moderator does.
    captions = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption if "Eingang" in c.value]
    assert [c.split(" · Gebiet")[0] for c in captions] == [
        "Eingang: 01.07.2026, 12:30 · Thema: Grün, Klima und Umwelt",
        "Eingang: 26.11.2026, 17:05 · Thema: Mobilität und Verkehr",
    ]
    # The table: local time as a time (it sorts as one), shown as German dates; German headers only.
    frame = at.dataframe[0]
    assert [str(v) for v in frame.value["Eingang"]] == ["2026-07-01 12:30:00", "2026-11-26 17:05:00"]
    assert not [c for c in frame.value.columns if "/" in c]
    assert "DD.MM.YYYY, HH:mm" in frame.proto.columns


class QueueMapFake:
    """Stands in for ``st_folium`` on /moderation: records each call; ``click(text)`` clicks a marker.

    A click does what streamlit-folium does in a browser: the clicked marker's tooltip text
    becomes the component's value under its key, ``on_change`` runs, and the script reruns.
    """

    def __init__(self):
        self.calls: list[tuple[object, str | None, dict]] = []
        self.pending: str | None = None

    def __call__(self, fig, key=None, **kwargs):
        import streamlit as st

        self.calls.append((fig, key, kwargs))
        if self.pending is not None:
            st.session_state[key] = {"last_object_clicked_tooltip": self.pending, "last_object_clicked_count": 1}
            self.pending = None
            kwargs["on_change"]()
            st.rerun()
        return st.session_state.get(key)

    def click(self, tooltip_html: str) -> None:
        self.pending = html.unescape(re.sub(r"<[^>]+>", "", tooltip_html))  # the tooltip's text content

    def rows(self) -> list[list]:
        """The marker rows of the last map: [lat, lon, number, by_area, selected, tooltip, name]."""
        from maps.moderation import NumberedMarkers

        _, _, kwargs = self.calls[-1]
        [markers] = [c for c in kwargs["feature_group_to_add"][1]._children.values() if isinstance(c, NumberedMarkers)]
        return markers.rows


@pytest.fixture
def queue_map(monkeypatch):
    """``streamlit_folium.st_folium`` replaced by a :class:`QueueMapFake` for one test."""
    import streamlit_folium

    fake = QueueMapFake()
    monkeypatch.setattr(streamlit_folium, "st_folium", fake)
    return fake


def test_the_queue_map_shows_each_need_numbered_at_its_place_with_its_area(store, queue_map, settings_with_data):
    from geodata.display import display_units
    from shapely.geometry import shape

    pinned = store.submit(need_input(title="**Fett** [Link](http://example.org)"))
    by_area = store.submit(need_input(title="Jugendclub fehlt", lat=None, lon=None, area_level="BZR",
                                      area_id="011002"))
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    assert not at.exception, at.exception
    fig, key, kwargs = queue_map.calls[-1]
    assert key == "moderation_map" and kwargs["center"] is None and kwargs["zoom"] is None
    assert "moderation-need" in fig.get_root().render() and "var rows" not in fig.get_root().render()  # base only
    rows = queue_map.rows()
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        (round(pinned.lat, 6), round(pinned.lon, 6), 1, False, False),
        (round(by_area.lat, 6), round(by_area.lon, 6), 2, True, False),
    ]
    assert "Planungsraum: " in rows[0][5] and f"({pinned.unit('PLR')})" in rows[0][5]
    assert "Nur als Gebiet angegeben – Bezirksregion: Regierungsviertel (011002)" in rows[1][5]
    # The areas drawn are the display geometry of the pinned need's PLR and of the chosen BZR.
    areas = [shape(child.data["features"][0]["geometry"])
             for child in kwargs["feature_group_to_add"][0]._children.values() if hasattr(child, "data")]
    expected = [display_units(settings_with_data, "PLR").geometry.loc[pinned.unit("PLR")],
                display_units(settings_with_data, "BZR").geometry.loc["011002"]]
    assert sorted(a.area for a in areas) == pytest.approx(sorted(e.area for e in expected))
    # The list: numbered like the map, resident text as plain text, no point for a need located by area.
    table = at.dataframe[0].value
    assert table["Nr."].tolist() == [1, 2]
    assert table["Position"].tolist() == [f"{pinned.lat:.5f}, {pinned.lon:.5f}", "kein Punkt, nur das Gebiet"]
    assert [e.label for e in at.expander] == [
        # The word joiner after "http" keeps the renderer from making a link of its own (escape_markdown).
        f"1 · {pinned.reference} – \\*\\*Fett\\*\\* \\[Link\\]\\(http\u2060\\://example\\.org\\)",
        f"2 · {by_area.reference} – Jugendclub fehlt"]


def test_a_click_on_a_marker_opens_that_need_and_highlights_it(store, queue_map):
    from maps.moderation import QueueMarker, marker_tooltip

    needs = [store.submit(need_input(title=f"Bedarf Nummer {i}")) for i in range(1, 6)]
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    assert not at.exception, at.exception
    assert [e.proto.expanded for e in at.expander] == [False] * 5  # more than three: all closed
    assert not any(r[4] for r in queue_map.rows())
    third = needs[2]
    queue_map.click(marker_tooltip(QueueMarker(3, third.reference, third.lat, third.lon, third.title, "Mobilität",
                                               "PLR", third.unit("PLR"), "Tiergarten Süd")))
    at.run()
    assert not at.exception, at.exception
    assert [e.proto.expanded for e in at.expander] == [False, False, True, False, False]
    assert [r[4] for r in queue_map.rows()] == [False, False, True, False, False]
    assert queue_map.calls[-1][2]["center"] is None  # a click on the map does not move it

    # Once the first need is decided, the others keep their numbers (nothing moves under the
    # moderator's eyes); the clicked one stays open and highlighted.
    at.button(key=f"approve_{needs[0].id}").click().run()
    assert not at.exception, at.exception
    assert [e.label.split(" – ")[0] for e in at.expander] == [
        f"{i} · {n.reference}" for i, n in enumerate(needs[1:], start=2)]
    assert [e.proto.expanded for e in at.expander] == [False, True, False, False]
    assert [r[4] for r in queue_map.rows()] == [False, True, False, False]
    assert [r[2] for r in queue_map.rows()] == [2, 3, 4, 5]  # the map's numbers match the list's

    # An expander the moderator opened stays open when another need is decided.
    at.session_state[f"need_{needs[3].id}"] = True  # what a click on the header of number 4 sets
    at.button(key=f"approve_{needs[1].id}").click().run()
    assert not at.exception, at.exception
    assert [e.label.split(" · ")[0] for e in at.expander] == ["3", "4", "5"]
    assert [e.proto.expanded for e in at.expander] == [True, True, False]  # 3 clicked on the map, 4 opened


def test_admin_reads_the_audit_log(store):
    import io
    from zoneinfo import ZoneInfo

    import pandas as pd

    from assessment.needs.audit import export_csv
    from assessment.participation.moderation import Moderation

    need = store.submit(need_input())
    Moderation(store).reject(need.id, actor="mod-anna", reason="advertising")
    at = app_as(ADMIN)
    at.switch_page(str(PAGES / "audit_log.py")).run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    # Headers, actions, statuses and reasons in words; Berlin time with its zone, not UTC.
    assert list(frame.columns) == ["Zeitpunkt", "Wer", "Aktion", "Kennung", "Status vorher", "Status nachher",
                                   "Grund", "Einzelheiten"]
    assert list(frame[["Wer", "Aktion", "Kennung", "Status vorher", "Status nachher", "Grund"]].itertuples(
        index=False, name=None)) == [("mod-anna", "abgelehnt", need.reference, "wartet", "abgelehnt", "Werbung oder Spam")]
    [decided] = entries(store)["at"]
    berlin = decided.astimezone(ZoneInfo("Europe/Berlin"))
    zone = {"CET": "MEZ", "CEST": "MESZ"}[berlin.tzname()]
    assert frame["Zeitpunkt"][0] == f"{berlin:%d.%m.%Y, %H:%M:%S} {zone}"
    assert "None" not in frame.to_string()
    at.session_state["lang"] = "en"
    at.run()
    frame = at.dataframe[0].value
    assert list(frame.iloc[0])[1:7] == ["mod-anna", "rejected", need.reference, "pending", "rejected", "Advertising or spam"]
    assert frame.iloc[0, 0] == f"{berlin:%Y-%m-%d %H:%M:%S %z}"  # ISO order, the zone as its offset
    # The export keeps the stored values (UTC, ids) for archives and other tools.
    exported = pd.read_csv(io.BytesIO(export_csv(store)))
    assert list(exported[["action", "reason", "status_after"]].iloc[0]) == ["reject", "advertising", "rejected"]


def test_privacy_page_shows_the_configured_periods(store, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_RETENTION_PUBLISHED_DAYS", "365")
    at = app_as()
    at.switch_page(str(PAGES / "privacy.py")).run()
    assert not at.exception, at.exception
    text = texts(at)
    assert "365 Tage nach dem Absenden" in text and "90 Tage nach der Entscheidung" in text
    assert "IP-Adresse" in text


def test_repeated_wrong_passwords_lock_the_account_name_then_sign_out(store):
    secrets = {"accounts": {"bert": {"password_hash": hash_password(PASSWORD), "roles": ["moderator"]}}}
    at = app_as(secrets=secrets)
    at.switch_page(str(PAGES / "signin.py")).run()
    at.text_input[0].set_value("bert")
    for _ in range(5):
        at.text_input[1].set_value("falsch-falsch-falsch")
        at.button[0].click().run()
    at.text_input[1].set_value(PASSWORD)  # right now, but too late
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "Zu viele fehlgeschlagene Anmeldungen" in at.error[0].value
    assert not at.session_state["user"].is_staff

    signed_in = app_as(MODERATOR)
    assert registered(signed_in, "moderation_queue.py")
    signed_in.sidebar.button[0].click().run()  # "Abmelden"
    assert not signed_in.exception, signed_in.exception
    assert not signed_in.session_state["user"].is_staff
    assert not registered(signed_in, "moderation_queue.py")


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_the_status_filter_on_the_planners_map_is_for_moderators_only(store):
    store.submit(need_input(title="Wartet auf Prüfung"))
    store.submit(need_input(title="Öffentlich"), status="published")
    resident = app_as()
    resident.switch_page(str(PAGES / "planner_map.py")).run()
    assert not resident.exception, resident.exception
    assert "planner_statuses" not in [m.key for m in resident.multiselect]
    assert "1 Bedarf entspricht den Filtern." in texts(resident).replace("\\", "")

    moderator = app_as(MODERATOR)
    moderator.switch_page(str(PAGES / "planner_map.py")).run()
    assert "1 Bedarf entspricht den Filtern." in texts(moderator).replace("\\", "")  # published by default
    moderator.multiselect(key="planner_statuses").set_value(["pending", "published"]).run()
    assert not moderator.exception, moderator.exception
    assert "2 Bedarfe entsprechen den Filtern." in texts(moderator).replace("\\", "")


def test_a_merge_needs_a_chosen_target_and_says_what_was_merged(store):
    kept = store.submit(need_input(title="Ampel an der Kreuzung"), status="published")
    store.support(kept.id, "someone-1")
    duplicate = store.submit(need_input(title="Ampel fehlt an der Kreuzung"))
    store.support(duplicate.id, "someone-2")
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    assert at.selectbox(key=f"target_{duplicate.id}").value is None  # nothing preselected
    at.button(key=f"merge_{duplicate.id}").click().run()
    assert [e.value for e in at.error] == [
        "Nicht zusammengeführt: Bitte wählen Sie zuerst im Feld „Doppelt zu“ den Bedarf, der bleiben soll."]
    assert store.get(duplicate.id).status == "pending"
    at.selectbox(key=f"target_{duplicate.id}").set_value(kept.id).run()
    at.button(key=f"merge_{duplicate.id}").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.success] == [
        f"Gespeichert: {duplicate.reference} mit {kept.reference} zusammengeführt; "
        f"die Unterstützungen zählen jetzt bei {kept.reference}."]
    assert store.get(kept.id).support_count == 2


def test_audit_filter_names_a_malformed_reference_and_an_unknown_one(store):
    from assessment.participation.moderation import Moderation

    need = store.submit(need_input())
    Moderation(store).approve(need.id, actor="mod-anna")
    at = app_as(ADMIN)
    at.switch_page(str(PAGES / "audit_log.py")).run()
    at.text_input(key="audit_reference").set_value("ZZZ").run()
    assert [re.sub(r"\\(.)", r"\1", e.value) for e in at.error] == [
        "„ZZZ“ ist keine Kennung: sie hat 8 Zeichen aus 0–9 und A–F, z. B. 4622EDD7. Gezeigt wird das ganze Protokoll."]
    assert len(at.dataframe[0].value) == 1  # the whole log, not "no entries yet"
    other = "0" * 8 if not need.reference.startswith("0") else "f" * 8
    at.text_input(key="audit_reference").set_value(other).run()
    assert [i.value for i in at.info] == [f"Kein Eintrag zur Kennung {other.upper()}."]


def test_moderation_names_a_workshop_code_without_waiting_needs(store):
    store.submit(need_input())
    at = app_as(MODERATOR)
    at.switch_page(str(PAGES / "moderation_queue.py")).run()
    at.text_input(key="moderation_workshop").set_value("NOPE99").run()
    shown = [re.sub(r"\\(.)", r"\1", i.value) for i in at.info]
    assert shown == ["Für den Workshop-Code „NOPE99“ wartet nichts. Stimmt der Code? Er steht auf der Seite "
                     "„Workshop leiten“; ein leeres Feld zeigt alle wartenden Bedarfe."]
