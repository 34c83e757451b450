"""The app shell and the sources page, run headless with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import has_text, t
from geodata.catalogue import DATASETS, PACKAGED_DATASETS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT_S = 60


def all_markdown(at: AppTest) -> str:
    """Every text Streamlit would render on the page, as one string."""
    parts = [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    parts += [e.value for e in at.markdown] + [e.value for e in at.text] + [e.value for e in at.caption]
    for table in at.table:
        frame = table.value
        parts += [str(v) for v in frame.index] + [str(v) for v in frame.to_numpy().ravel()]
    return "\n".join(map(str, parts))


@pytest.fixture
def sources_page(settings_with_data) -> AppTest:
    """The app, switched to the sources page."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    at.switch_page("pages/sources.py").run()
    assert not at.exception, at.exception
    return at


def test_sources_page_lists_every_dataset_with_licence_and_attribution(sources_page):
    text = all_markdown(sources_page)
    subheaders = [s.value for s in sources_page.subheader]
    assert len(subheaders) == len(DATASETS) + len(PACKAGED_DATASETS)
    for ds in DATASETS.values():
        # Titles, attributions and notes are Markdown-escaped; compare without the escapes.
        unescaped = text.replace("\\", "")
        assert ds.title("de") in unescaped, ds.key
        assert ds.attribution in unescaped, ds.key
        assert ds.date_text("de") in unescaped, ds.key  # 31.12.2020, as German writes dates
        assert ds.citation("de") in unescaped, ds.key
        assert f"({ds.licence_url})" in text, ds.key  # the licence is a link
        if ds.licence_note:
            assert ds.licence_note_in("de") in unescaped and ds.licence_note_in("en") not in unescaped, ds.key
        for note in ds.notes_in("de"):
            assert note in unescaped, ds.key
    # The LOR files name their date once ("Stand"), not twice.
    assert all(line.count("Stand") <= 1 for line in unescaped.splitlines())
    assert "Impressum" in [h.value for h in sources_page.header]


def test_sources_page_names_the_packaged_stations_with_version_licence_and_attribution(sources_page):
    """The VBB stations of the place search come from an npm package: its version and the data's licence show."""
    text = all_markdown(sources_page)
    unescaped = text.replace("\\", "")
    stations = PACKAGED_DATASETS["vbb_stations"]
    assert "Haltestellen und Bahnhöfe im VBB" in [s.value for s in sources_page.subheader]
    assert "Daten aus Paketen" in [h.value for h in sources_page.header]
    assert "npm vbb-stations 8.31.0" in unescaped
    assert "VBB Verkehrsverbund Berlin-Brandenburg GmbH, GTFS timetable data" in unescaped
    assert "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)" in text.replace("\\", "")
    assert "ISC (Jannis R" in unescaped  # the code licence of the package, beside the data's
    assert stations.citation("de") in unescaped


def test_without_an_imprint_file_the_operator_is_told_to_write_one(sources_page):
    [notice] = sources_page.warning
    assert "Das Impressum fehlt noch" in notice.value and "BEDARFSATLAS_IMPRINT_FILE" in notice.value
    assert "(noch einzutragen)" not in all_markdown(sources_page)


def test_the_operators_imprint_file_is_shown_without_html_images_or_script_links(
    settings_with_data, tmp_path, monkeypatch
):
    imprint = tmp_path / "impressum.md"
    imprint.write_text(
        "**Bezirksamt Mitte von Berlin**  \nMathilde-Jacob-Platz 1, 10551 Berlin\n\n"
        "[post@ba-mitte.berlin.de](mailto:post@ba-mitte.berlin.de) [mehr](javascript:alert(1)) "
        "![Logo](https://tracker.example/p.png) <script>alert(2)</script>\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("BEDARFSATLAS_IMPRINT_FILE", str(imprint))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    at.switch_page("pages/sources.py").run()
    assert not at.exception and not at.warning
    [shown] = [m.value for m in at.markdown if "Bezirksamt Mitte" in m.value]
    assert "Mathilde-Jacob-Platz 1" in shown and "(mailto:post@ba-mitte.berlin.de)" in shown
    assert "[mehr\\](javascript:" in shown and "<script" not in shown and "![" not in shown and "tracker" not in shown


def test_an_imprint_file_that_is_missing_is_named_with_the_fix(settings_with_data, tmp_path, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_IMPRINT_FILE", str(tmp_path / "fehlt.md"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    [error] = at.error
    assert "Das Impressum kann nicht angezeigt werden" in error.value and "fehlt.md" in error.value.replace("\\", "")


def test_language_switch_changes_the_interface(sources_page):
    at = sources_page
    assert at.title[0].value == "Quellen und Impressum"
    assert at.sidebar.radio[0].value == "de"
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Sources and imprint"
    assert "Imprint" in [h.value for h in at.header]
    # Official titles stay as published (German); a description in English says what each is.
    shown = [s.value.replace("\\", "") for s in at.subheader]
    assert DATASETS["lor_bez"].title("en") in shown and DATASETS["lor_bez"].title("en") == DATASETS["lor_bez"].title("de")
    english = all_markdown(at).replace("\\", "")
    assert DATASETS["lor_bez"].description("en") in english
    assert DATASETS["lor_bez"].description("en") != DATASETS["lor_bez"].description("de")
    assert DATASETS["mss_indices"].citation("en") in english and "Lizenz" not in english and "Stand" not in english
    assert DATASETS["mss_indices"].notes_in("en")[0] in english
    assert DATASETS["mss_indices"].notes_in("de")[0] not in english


def test_app_refuses_to_start_without_data(tmp_path, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    assert "Die offenen Daten fehlen oder sind beschädigt" in at.error[0].value
    message = at.code[0].value
    # The data step's own message: which dataset, where, and the command that fixes it.
    assert "lor_plr (lor_2021_planungsraeume.geojson): missing" in message
    assert str(tmp_path / "opendata") in message
    assert "python -m geodata fetch" in message
    # No page ran: the overview map's title is not there.
    assert [t.value for t in at.title] == []


@pytest.mark.slow  # copies or rebuilds the open data, or starts a process: seconds each
def test_app_refuses_to_start_with_a_corrupt_file(tmp_path, monkeypatch, settings_with_data):
    raw = tmp_path / "opendata"
    raw.mkdir()
    for ds in DATASETS.values():
        (raw / ds.filename).symlink_to((settings_with_data.raw_dir / ds.filename).resolve())
    (raw / DATASETS["mss_indices"].filename).unlink()
    (raw / DATASETS["mss_indices"].filename).write_text("PLR_ID,EW\n01100101,1\n")
    monkeypatch.setenv("BEDARFSATLAS_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    message = at.code[0].value
    assert "mss_indices (mss_2021_indizes_plr.csv): checksum mismatch" in message
    assert "lor_plr" not in message  # only the broken dataset is named


def test_overview_page_runs_and_offers_a_table(settings_with_data):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Übersichtskarte"
    assert at.selectbox(key="overview_level").value == "PLR"
    assert at.selectbox(key="overview_indicator").value == "mss_status"
    table = at.dataframe[0].value
    assert len(table) == 542
    at.selectbox(key="overview_level").set_value("BEZ").run()
    assert not at.exception, at.exception
    # The PLR-only status class is replaced by its residents' share at Bezirk level.
    assert at.selectbox(key="overview_indicator").value == "mss_status_low_share"
    assert len(at.dataframe[0].value) == 12


def test_the_start_page_offers_residents_their_first_action_above_the_map(settings_with_data):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    [link] = at.get("page_link")
    assert link.proto.page == "melden"
    assert link.value.replace("*", "") == "Bedarf melden – Was fehlt in Ihrem Kiez?"
    assert at.selectbox(key="overview_level").value == "PLR"  # the overview map stays
    at.sidebar.radio[0].set_value("en").run()
    [link] = at.get("page_link")
    assert link.value.replace("*", "") == "Report a need – what is missing in your neighbourhood?"


def test_chosen_language_survives_other_interactions(settings_with_data):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Overview map"
    at.selectbox(key="overview_level").set_value("BEZ").run()
    assert at.title[0].value == "Overview map"
    assert at.session_state["lang"] == "en"


def test_default_language_comes_from_the_settings(settings_with_data, monkeypatch):
    monkeypatch.setenv("BEDARFSATLAS_LANGUAGE", "en")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert at.sidebar.radio[0].value == "en"
    assert at.title[0].value == "Overview map"


@pytest.mark.parametrize(("locale", "configured", "title"), [
    ("en-GB", "de", "Overview map"),  # an English browser gets English
    ("de-AT", "en", "Übersichtskarte"),  # an Austrian one German, whatever is configured
    ("pl-PL", "de", "Übersichtskarte"),  # a language the app does not offer: the configured one
    ("pl-PL", "en", "Overview map"),
    ("tr-TR", "de", "Genel harita"),  # Turkish is offered: the browser's language wins
])
def test_a_new_visitor_gets_the_browsers_language_if_offered(settings_with_data, monkeypatch, locale, configured, title):
    monkeypatch.setenv("BEDARFSATLAS_LANGUAGE", configured)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.context = {"locale": locale}
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == title


def test_a_link_that_names_the_language_wins_over_the_browser(settings_with_data):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.context = {"locale": "en-GB"}
    at.query_params["sprache"] = "de"
    at.run()
    assert at.title[0].value == "Übersichtskarte"
    # The radio decides after the first run: a German choice stays German.
    at.sidebar.radio[0].set_value("en").run()
    at.sidebar.radio[0].set_value("de").run()
    assert at.title[0].value == "Übersichtskarte"


@pytest.fixture
def menu(monkeypatch):
    """The URL paths the app's last ``st.navigation`` call registered, each with its menu visibility."""
    import streamlit as st

    registered: dict[str, str] = {}
    navigation = st.navigation

    def recording(pages, **options):
        registered.clear()
        registered.update({page.url_path: page.visibility for page in pages})
        return navigation(pages, **options)

    monkeypatch.setattr(st, "navigation", recording)
    return registered


def test_a_residents_menu_does_not_list_the_workshop_rooms_that_still_open_by_url(settings_with_data, menu):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert menu["live"] == menu["abstimmen"] == "hidden"
    assert menu["melden"] == menu["quellen"] == "visible"
    at.switch_page("pages/workshop_vote.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Abstimmen"
    assert menu["abstimmen"] == "hidden"


@pytest.mark.parametrize(("roles", "shown"), [({"facilitator"}, "visible"), ({"admin"}, "visible"),
                                              ({"moderator"}, "hidden")])
def test_staff_who_run_workshops_see_the_workshop_rooms_listed(settings_with_data, menu, roles, shown):
    from assessment.participation.auth import User
    from staff_fixtures import sign_in_as

    at = sign_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT_S), User("anna", frozenset(roles), "password"))
    at.run()
    assert not at.exception, at.exception
    assert menu["live"] == menu["abstimmen"] == shown


def test_every_page_carries_the_script_that_closes_the_menu_on_a_phone(settings_with_data):
    """What the script does is tested in Chromium (tests/e2e/test_app_shell.py); here: every page has it."""
    from ui.phone_menu import MENU_CLOSES_SCRIPT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    for page in (None, "pages/sources.py", "pages/report_need.py"):
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        [script] = [h for h in at.sidebar.get("html") if h.proto.body == MENU_CLOSES_SCRIPT]
        assert script.proto.unsafe_allow_javascript


def test_every_dataset_note_has_its_german_and_english_text():
    for ds in DATASETS.values():
        for key in ds.notes + ((ds.licence_note,) if ds.licence_note else ()):
            assert has_text(key), f"{ds.key}: {key} is no message"
            assert t(key, "de") != t(key, "en"), f"{ds.key}: {key} is not translated into English"
        assert ds.description("en") != ds.description("de"), ds.key
