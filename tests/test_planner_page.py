"""The planners' map page (/karte) headless with AppTest: deep links, filters, focus, tables.

The app runs against its own SQLite database (``DATABASE_URL`` to a temp file)
holding a few published needs at places whose areas are known independently
(see ``tests/needs_fixtures.py``), one pending need that must never show, and a
hostile title that must stay plain text.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.staff_fixtures import sign_in_as

from assessment.needs.model import NeedInput
from assessment.needs.store import open_store
from core.i18n import format_number
from geodata.indicators import INDICATORS
from needs_fixtures import BRANDENBURG_GATE, RATHAUS_SPANDAU, ROTES_RATHAUS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/planner_map.py"
TIMEOUT_S = 120
HOSTILE = "=HYPERLINK(\"http://x\") <script>alert(1)</script>"


@pytest.fixture
def planner_db(settings_with_data, tmp_path, monkeypatch):
    """A fresh needs database for the app: 3 published needs in Mitte (01), 1 in Spandau (05), 1 pending."""
    url = f"sqlite:///{tmp_path / 'planner.sqlite'}"
    store = open_store(settings_with_data, database_url=url)
    published = [
        (BRANDENBURG_GATE, "mobility", "Mehr Fahrradbügel"),
        (BRANDENBURG_GATE, "housing", HOSTILE),
        (ROTES_RATHAUS, "mobility", "Sichere Kreuzung"),
        (RATHAUS_SPANDAU, "green_climate", "Schatten am Markt"),
    ]
    for (lat, lon), category, title in published:
        need = store.submit(NeedInput(category=category, title=title, lat=lat, lon=lon))
        store.set_status(need.id, "published")
    store.submit(NeedInput(category="mobility", title="ungeprüft", lat=ROTES_RATHAUS[0], lon=ROTES_RATHAUS[1]))
    store.close()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def open_page(query: dict[str, str] | None = None, user=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if user is not None:
        sign_in_as(at, user)  # app.py checks a sign-in again on every run: a bare User is signed out
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    # The link opens /karte itself: the overview's run wrote its own view into the address bar.
    at.query_params.clear()
    at.query_params.update(query or {})
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning])


def test_default_view_shows_every_planning_area_and_only_published_needs(planner_db):
    at = open_page()
    assert at.title[0].value == "Planungskarte: Indikatoren und Bedarfe"
    assert at.selectbox(key="planner_level").value == "PLR"
    assert at.selectbox(key="planner_indicator").value == "mss_status"
    assert "4 Bedarfe entsprechen den Filtern" in texts(at).replace("\\", "")
    view = at.dataframe[-1].value
    assert len(view) == 542
    assert int(view["Bedarfe"].sum()) == 4  # the pending need is not counted
    # Every figure names its source with reference date and licence.
    sources = texts(at).replace("\\", "")
    assert "Monitoring Soziale Stadtentwicklung 2021 (Stand 31.12.2020, Lizenz dl-de/zero-2.0)" in sources
    assert dict(at.query_params) == {}


def test_a_deep_link_reproduces_level_indicator_filter_and_focus(planner_db):
    at = open_page({"ebene": "BEZ", "indikator": "share_65plus", "kategorie": "mobility", "gebiet": "01"})
    assert at.selectbox(key="planner_level").value == "BEZ"
    assert at.selectbox(key="planner_indicator").value == "share_65plus"
    assert at.multiselect(key="planner_categories").value == ["mobility"]
    assert at.selectbox(key="planner_focus").value == "01"
    assert "Mitte (01)" in [s.value for s in at.subheader]
    assert "2 Bedarfe entsprechen den Filtern" in texts(at).replace("\\", "")
    view = at.dataframe[-1].value.set_index("Schlüssel")
    assert len(view) == 12 and view.at["01", "Bedarfe"] == 2 and view.at["05", "Bedarfe"] == 0
    assert not at.warning


def test_invalid_link_parameters_are_named_and_fall_back(planner_db):
    at = open_page({"ebene": "KIEZ", "gebiet": "99999999", "von": "morgen"})
    warnings = texts(at).replace("\\", "")
    assert "Unbekannte Ebene 'KIEZ'" in warnings
    assert "Gebiet '99999999' ist kein Schlüssel der Ebene PLR" in warnings
    assert "Anfangsdatum 'morgen' ist kein Datum" in warnings
    assert at.selectbox(key="planner_level").value == "PLR"
    assert at.selectbox(key="planner_focus").value is None
    # The corrected view replaces the bad link.
    assert dict(at.query_params) == {}


def test_filters_and_focus_change_the_needs_and_the_link(planner_db):
    at = open_page({"ebene": "BEZ"})
    at.multiselect(key="planner_categories").set_value(["green_climate"]).run()
    assert "1 Bedarf entspricht den Filtern" in texts(at).replace("\\", "")
    assert at.query_params["kategorie"] == "green_climate"
    view = at.dataframe[-1].value.set_index("Schlüssel")
    assert view["Bedarfe"].to_dict()["05"] == 1 and view["Bedarfe"].sum() == 1

    at.multiselect(key="planner_categories").set_value([]).run()
    at.selectbox(key="planner_focus").set_value("01").run()
    assert not at.exception, at.exception
    assert at.query_params["gebiet"] == "01"
    profile, by_category, listed = (d.value for d in at.dataframe[:3])
    assert "Berlin" in profile.columns and profile["Quelle (Stand, Lizenz)"].str.contains("Lizenz").all()
    totals = by_category.set_index("Kategorie")
    assert totals.at["Alle Kategorien", "Bedarfe"] == 3
    assert totals.at["Mobilität und Verkehr", "Bedarfe"] == 2
    # Residents' titles are data in a table cell, never markup.
    assert HOSTILE in listed["Titel"].tolist()
    assert all("<script>" not in m.value for m in at.markdown)


def test_comparing_areas_fills_a_table_and_charts(planner_db):
    at = open_page({"ebene": "BEZ", "vergleich": "01,05"})
    compared = at.dataframe[0].value
    assert list(compared.columns) == ["Mitte (01)", "Spandau (05)"]
    assert compared.loc["Bedarfe"].tolist() == [3.0, 1.0]
    assert at.query_params["vergleich"] == "01,05"
    # Shown rounded to each indicator's decimals, with German separators (the numbers stay numbers).
    import pyarrow as pa

    shown = pa.ipc.open_stream(at.dataframe[0].proto.arrow_data.styler.display_values).read_pandas()
    assert shown.at["Bedarfe", "Mitte (01)"] == "3"
    assert shown.at["Einwohnerinnen und Einwohner", "Mitte (01)"] == format_number(
        compared.at["Einwohnerinnen und Einwohner", "Mitte (01)"], 0, "de")
    assert re.fullmatch(r"\d+,\d", shown.at["Anteil unter 18 Jahren (%)", "Spandau (05)"])  # 1 decimal, comma
    assert not any("." in v and "," not in v and len(v.split(".")[-1]) != 3 for v in shown.to_numpy().ravel())
    assert at.multiselect(key="planner_compare").proto.placeholder == "Bitte auswählen"
    assert at.date_input(key="planner_period").proto.format == "DD.MM.YYYY"


def test_facilities_overlay_and_needs_layer_modes(planner_db):
    at = open_page({"ebene": "BEZ", "einrichtungen": "kitas,pharmacies", "bedarfe": "heat"})
    assert at.multiselect(key="planner_facilities").value == ["kitas", "pharmacies"]
    assert at.radio(key="planner_needs_layer").value == "heat"
    assert at.query_params["einrichtungen"] == "kitas,pharmacies"
    at.radio(key="planner_needs_layer").set_value("off").run()
    assert not at.exception, at.exception
    assert at.query_params["bedarfe"] == "off"
    # The needs still count in the table when the map layer is off.
    assert int(at.dataframe[-1].value["Bedarfe"].sum()) == 4


def map_view_passed(at: AppTest) -> tuple:
    """The zoom and centre the page passes to the browser's map (st_folium's arguments)."""
    import json

    args = json.loads(at.get("component_instance")[0].proto.json_args)
    return args["zoom"], args["center"]


def test_the_map_moves_only_to_a_links_view_or_a_new_focus(planner_db):
    at = open_page({"ebene": "BEZ", "zoom": "13.5", "mitte": "52.52000,13.40500"})
    assert map_view_passed(at) == (13.5, [52.52, 13.405])
    assert (at.query_params["zoom"], at.query_params["mitte"]) == ("13.5", "52.52000,13.40500")
    # Another needs layer: the same values, which the browser ignores (the map stays where it is).
    at.radio(key="planner_needs_layer").set_value("off").run()
    assert map_view_passed(at) == (13.5, [52.52, 13.405])
    # Spandau into focus: the map is fitted to it, once.
    at.selectbox(key="planner_focus").set_value("05").run()
    zoom, (lat, lon) = map_view_passed(at)
    assert 10 < zoom < 13.5 and 52.45 < lat < 52.6 and 13.1 < lon < 13.3
    at.radio(key="planner_needs_layer").set_value("points").run()
    assert map_view_passed(at) == (zoom, [lat, lon])


def test_one_bezirks_areas_are_listed_exported_and_compared_all_at_once(planner_db):
    at = open_page({"ebene": "BZR", "bezirk": "08"})  # Neukölln: 12 Bezirksregionen
    view = at.dataframe[-1].value
    assert len(view) == 12 and set(view["Bezirk"]) == {"Neukölln"} and view["Schlüssel"].str.startswith("08").all()
    assert list(view.columns[:3]) == ["Schlüssel", "Name", "Bezirk"]
    assert all(o == "— keines —" or o.endswith(")") and "(08" in o for o in at.selectbox(key="planner_focus").options)
    assert len(at.selectbox(key="planner_focus").options) == 13
    # Comparing all of them takes one click (the limit used to stop at 4, in English).
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert len(at.multiselect(key="planner_compare").value) == 12
    compared = at.dataframe[-2].value
    assert len(compared.columns) == 12
    assert at.query_params["bezirk"] == "08" and len(at.query_params["vergleich"].split(",")) == 12
    # The map was fitted to Neukölln (south-east of the centre), once.
    zoom, (lat, lon) = map_view_passed(at)
    assert zoom > 10 and 52.39 < lat < 52.50 and 13.40 < lon < 13.53
    # At the level of Bezirke the filter has nothing to restrict.
    at.selectbox(key="planner_level").set_value("BEZ").run()
    assert at.selectbox(key="planner_bezirk").disabled and len(at.dataframe[-1].value) == 12


def test_every_choice_box_speaks_the_pages_language(planner_db):
    at = open_page()
    for key in ("planner_level", "planner_bezirk", "planner_indicator", "planner_focus"):
        assert at.selectbox(key=key).proto.placeholder == "Bitte auswählen", key
    for key in ("planner_categories", "planner_facilities", "planner_compare"):
        assert at.multiselect(key=key).proto.placeholder == "Bitte auswählen", key
    # No limit in the widget: Streamlit's own "You can only select up to 20 options" is English.
    assert at.multiselect(key="planner_compare").proto.max_selections == 0


def test_more_areas_than_the_comparison_takes_are_cut_with_a_message_in_the_pages_language(planner_db):
    at = open_page({"ebene": "PLR"})
    chosen = list(at.multiselect(key="planner_compare").options[:23])
    at.multiselect(key="planner_compare").set_value(chosen).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning if "höchstens 20 Gebiete" in w.value] == [
        "Es werden höchstens 20 Gebiete verglichen: die ersten 20 von 23 gewählten. "
        "Entfernen Sie Gebiete, um andere zu vergleichen."]
    assert len(at.dataframe[-2].value.columns) == 20


def download_labels(at: AppTest) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


@pytest.mark.parametrize(
    "roles, offered",
    [
        (None, False),  # a resident, nobody signed in
        ({"facilitator"}, False),
        ({"planner"}, True),
        ({"moderator"}, True),
        ({"admin"}, True),
    ],
)
def test_staff_may_export_the_needs_as_points(planner_db, roles, offered):
    from assessment.participation.auth import User

    at = open_page({"ebene": "BEZ"}, user=None if roles is None else User("staff", frozenset(roles), "password"))
    labels = download_labels(at)
    assert labels[:6] == ["Tabelle als CSV", "Tabelle als Excel-Datei (.xlsx)", "Gebiete als GeoJSON",
                          "Gebiete als GeoPackage", "Karte als HTML-Datei", "Karte als PNG-Bild"]
    assert ("Bedarfe als Punkte (CSV)" in labels and "Bedarfe als Punkte (GeoJSON)" in labels) == offered


def legends(at: AppTest) -> list[str]:
    """The HTML of every legend beside the map (``st.html``), top to bottom."""
    return [element.proto.body for element in at.get("html")]


def test_heat_has_a_legend_of_its_own_not_the_category_colours(planner_db):
    at = open_page({"ebene": "BEZ", "bedarfe": "heat"})
    shown = legends(at)
    assert any('aria-label="Dichte der Bedarfe (Wärmekarte): gering → hoch"' in html for html in shown)
    assert not any("Mobilität" in html for html in shown)  # heat does not colour by category
    at.radio(key="planner_needs_layer").set_value("points").run()
    shown = legends(at)
    assert any("Mobilität" in html for html in shown) and not any("Wärmekarte" in html for html in shown)


def test_the_period_filter_counts_whole_days_and_goes_into_the_link(planner_db):
    at = open_page({"ebene": "BEZ"})
    today = datetime.now(timezone.utc).date()
    at.date_input(key="planner_period").set_value((today, today)).run()
    assert not at.exception, at.exception
    assert "4 Bedarfe entsprechen den Filtern" in texts(at).replace("\\", "")
    assert at.query_params["von"] == today.isoformat() and at.query_params["bis"] == today.isoformat()
    tomorrow = today + timedelta(days=1)
    at.date_input(key="planner_period").set_value((tomorrow, tomorrow + timedelta(days=7))).run()
    assert "0 Bedarfe entsprechen den Filtern" in texts(at).replace("\\", "")
    assert int(at.dataframe[-1].value["Bedarfe"].sum()) == 0


def test_the_crime_atlas_shows_from_bzr_up_with_its_source_and_falls_back_at_plr(planner_db):
    at = open_page({"ebene": "BZR", "indikator": "crime_offences_per_100k", "gebiet": "011002"})
    assert at.selectbox(key="planner_indicator").value == "crime_offences_per_100k"
    sources = texts(at).replace("\\", "")
    assert "Polizei Berlin, Kriminalitätsatlas Berlin 2014–2023 (Stand 31.12.2023, Lizenz CC BY-SA, noch zu prüfen)" in sources
    assert "noch zu prüfen); Polizei Berlin, Kriminalitätsatlas" not in sources  # cases and rates: cited once
    assert INDICATORS["crime_offences_per_100k"].note_text("de") in sources  # where offences are counted
    view = at.dataframe[-1].value.set_index("Schlüssel")
    column = next(c for c in view.columns if c.startswith("Straftaten insgesamt je 100.000"))
    assert len(view) == 143 and view[column].notna().sum() >= 140
    # The published frequency number of Regierungsviertel is 47,982 (rounded).
    assert abs(view.at["011002", column] - 47_982) < 1
    # The focused area's profile lists it beside the Berlin value (from the Bezirke's sums).
    profile = next(d.value for d in at.dataframe if "Berlin" in d.value.columns)
    row = profile[profile.iloc[:, 0].str.startswith("Straftaten insgesamt")].iloc[0]
    assert row["Berlin"] not in ("", "keine Angabe") and "Polizei Berlin" in row.iloc[-1]
    # Per Planungsraum there is no crime atlas: the page falls back to an indicator that exists there.
    at.selectbox(key="planner_level").set_value("PLR").run()
    assert not at.exception
    assert at.selectbox(key="planner_indicator").value != "crime_offences_per_100k"
    options = at.selectbox(key="planner_indicator").options  # as shown: labels
    assert not [o for o in options if "je 100.000 Einwohner" in o and "Straftaten" in o] and len(options) > 20


def test_in_english_sources_and_compared_indicators_follow_the_language(planner_db):
    at = open_page({"ebene": "BEZ"})
    chosen = ["population", "share_65plus", "pharmacies_per_10k"]
    at.multiselect(key="planner_compare_keys_BEZ_de").set_value(chosen).run()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    compared = at.multiselect(key="planner_compare_keys_BEZ_en")
    assert compared.value == chosen  # the choice carries over ...
    assert "Residents" in compared.options and "Einwohnerinnen und Einwohner" not in compared.options  # ... in English
    assert len(compared.value) == len(set(compared.value))
    shown = texts(at).replace("\\", "")
    assert "Bedarfsatlas Berlin (published submissions of residents)" in shown
    assert "(as of 2020-12-31, licence dl-de/zero-2.0)" in shown
    assert "Stand " not in shown and "Lizenz" not in shown and "veröffentlichte Meldungen" not in shown


def test_the_chosen_indicator_is_not_compared_twice(planner_db):
    at = open_page({"ebene": "BEZ", "indikator": "population"})
    assert at.multiselect(key="planner_compare_keys_BEZ_de").value == ["population", "share_under18", "share_65plus"]


@pytest.mark.slow  # over 1.5 s on this machine: the full suite, not the fast tier
def test_a_level_without_the_chosen_indicator_says_what_it_shows_instead(planner_db):
    at = open_page({"ebene": "BZR", "indikator": "crime_kieztaten_per_100k"})
    at.selectbox(key="planner_level").set_value("PLR").run()
    shown = at.selectbox(key="planner_indicator").value
    label = INDICATORS[shown].label("de")
    assert [i.value for i in at.info] == [
        f"„Kieztaten je 100.000 Einwohner“ gibt es nur für Bezirksregionen, Prognoseräume und Bezirke; gezeigt wird „{label}“."
    ]
    at.run()  # e.g. the map's report: the note stays until the planner chooses again
    assert len(at.info) == 1
    at.selectbox(key="planner_indicator").set_value("share_65plus").run()
    assert not at.info


def test_a_link_to_an_indicator_of_another_level_names_it_not_unknown(planner_db):
    at = open_page({"ebene": "PLR", "indikator": "crime_offences_per_100k"})
    warnings = texts(at).replace("\\", "")
    assert "„Straftaten insgesamt je 100.000 Einwohner“ gibt es nur für Bezirksregionen" in warnings
    assert "Unbekannter Indikator" not in warnings and "crime_offences_per_100k" not in warnings


def test_a_link_may_name_the_language_and_a_view_in_english_keeps_it(planner_db):
    at = open_page({"sprache": "en", "ebene": "BEZ"})
    assert at.title[0].value == "Planners' map: indicators and needs"
    assert at.query_params["sprache"] == "en" and at.query_params["ebene"] == "BEZ"
    at.sidebar.radio(key="lang").set_value("de").run()
    assert at.title[0].value == "Planungskarte: Indikatoren und Bedarfe"
    assert "sprache" not in at.query_params  # German is the default: the link does not need it
    unknown = open_page({"sprache": "fr"})
    assert unknown.title[0].value == "Planungskarte: Indikatoren und Bedarfe"
