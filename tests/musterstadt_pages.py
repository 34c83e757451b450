"""The whole app on Musterstadt, the example city: every page, a need pinned and stored, exports, the report.

Not collected by a plain ``pytest`` run (the file name does not start with ``test_``): the app reads its
city profile once per process, so :func:`tests.test_example_profile.test_the_app_runs_on_musterstadt`
writes Musterstadt, fetches its files and runs this module in a process of its own with
``BEDARFSATLAS_PROFILE`` and a private ``BEDARFSATLAS_DATA_DIR``. Expectations come from the
example's own files (its blocks, ids and names), never from the code under test.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from google.protobuf.message import Message
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from assessment.needs.model import NeedInput
from assessment.needs.store import open_store
from assessment.participation.auth import User
from core.settings import SettingsError, load_settings
from geodata.profile import active_profile
from tests.staff_fixtures import sign_in_as
from tests.test_no_berlin_in_code import BEZIRKE

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT_S = 120
PLANNER = User("planerin", frozenset({"planner"}), "password")
ADMIN = User("admin", frozenset({"admin", "moderator", "planner", "facilitator"}), "password")
PAGES = ("pages/overview.py", "pages/planner_map.py", "pages/report_need.py", "pages/assessment.py",
         "pages/sources.py", "pages/privacy.py", "pages/workshop_live.py", "pages/workshop_vote.py",
         "pages/workshop_setup.py", "pages/moderation_queue.py", "pages/procedures.py", "pages/audit_log.py",
         "pages/signin.py")


@pytest.fixture(scope="module", autouse=True)
def musterstadt():
    """The active profile, which must be Musterstadt (this module runs only in a process made for it)."""
    profile = active_profile()
    if profile.name != "Musterstadt":
        pytest.skip("run by tests/test_example_profile.py with BEDARFSATLAS_PROFILE set to Musterstadt")
    return profile


@pytest.fixture(scope="module")
def blocks(musterstadt) -> gpd.GeoDataFrame:
    """Musterstadt's blocks as written by the example, in WGS84, by id."""
    return gpd.read_file(musterstadt.dataset("units_blocks").local_source).to_crs("EPSG:4326").set_index("BL_ID")


def middle(blocks: gpd.GeoDataFrame, block_id: str) -> tuple[float, float]:
    centre = blocks.geometry[block_id].centroid
    return centre.y, centre.x


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'needs.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def store(database_url):
    opened = open_store(load_settings(), database_url=database_url)
    yield opened
    opened.close()


def open_page(page: str, user: User | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if user is not None:
        sign_in_as(at, user)
    if lang is not None:
        at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page, database_url):
    at = open_page(page, user=ADMIN)
    assert at.title, page


def test_the_overview_offers_the_citys_levels_and_indicators(database_url):
    at = open_page("pages/overview.py")
    options = [box.options for box in at.selectbox]
    assert ["Blöcke", "Quartiere", "Stadtteile"] in options
    assert ["Einwohnerinnen und Einwohner", "Anteil ab 65 Jahren", "Grünflächenversorgung"] in options


def test_a_need_pinned_on_a_block_is_stored_with_the_ids_of_its_units(database_url, store, blocks, fake_map):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    at.switch_page("pages/report_need.py").run()
    fake_map.click(*middle(blocks, "020201"))
    at.run()
    at.run()
    assert not at.exception, at.exception
    said = "\n".join(str(e.value) for e in at.success).replace("\\", "")
    assert "Block Neustadt Nord, West" in said and "Stadtteil Neustadt" in said
    assert at.selectbox(key="report_bl").value == "020201" and at.selectbox(key="report_st").value == "02"
    form = at.session_state["report_form"]
    at.selectbox(key=f"report_category_{form}").set_value("green_climate")
    at.text_input(key=f"report_title_{form}").input("Mehr Bäume am Platz")
    at.text_area(key=f"report_description_{form}").input("Im Sommer ist es hier sehr heiß.")
    at.button(key=f"report_submit_{form}").click().run()
    assert not at.exception, at.exception
    [need] = store.query(statuses=None)
    assert (need.unit("BL"), need.unit("QU"), need.unit("ST")) == ("020201", "0202", "02")


@pytest.fixture
def published(store, blocks):
    """Three published needs: two in block 010101 (Altstadt), one in 030202 (Am Fluss)."""
    for block, category in (("010101", "mobility"), ("010101", "housing"), ("030202", "green_climate")):
        lat, lon = middle(blocks, block)
        need = store.submit(NeedInput(category=category, title=f"Bedarf ({category})", lat=lat, lon=lon))
        store.set_status(need.id, "published")
    return store


def planners_map_files(monkeypatch, kind: str) -> dict[str, bytes]:
    """The files /karte offers a planner at the Stadtteil level, built: ``kind`` "view" or "needs"."""
    import ui.downloads

    offered = []
    monkeypatch.setattr(ui.downloads, "download_buttons", lambda downloads, per_row=3: offered.extend(downloads))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    sign_in_as(at, PLANNER)
    at.query_params["ebene"] = "ST"
    at.run()
    at.query_params.clear()
    at.query_params["ebene"] = "ST"
    at.switch_page("pages/planner_map.py").run()
    assert not at.exception, at.exception
    return {d.file_name: d.build() for d in offered if d.file_name.startswith("bedarfsatlas_bedarfe_") == (kind == "needs")}


def test_the_planners_map_exports_its_table_and_areas(published, monkeypatch):
    files = planners_map_files(monkeypatch, "view")
    table = pd.read_csv(io.BytesIO(next(v for k, v in files.items() if k.endswith(".csv") and "_st_" in k)),
                        dtype={0: str})
    assert sorted(table.iloc[:, 0]) == ["01", "02", "03"]
    sheet = load_workbook(io.BytesIO(next(v for k, v in files.items() if k.endswith(".xlsx")))).worksheets[1]
    assert any("Bedarfsatlas Musterstadt" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    areas = json.loads(next(v for k, v in files.items() if k.endswith(".geojson") and "_st_" in k))
    assert len(areas["features"]) == 3


def test_the_planners_map_exports_the_needs_with_their_units(published, monkeypatch):
    from geodata.catalogue import DATASETS

    files = planners_map_files(monkeypatch, "needs")
    needs = json.loads(next(v for k, v in files.items() if k.startswith("bedarfsatlas_bedarfe_") and k.endswith(".geojson")))
    ids = sorted(f["properties"]["BL_ID"] for f in needs["features"])
    assert ids == ["010101", "010101", "030202"]
    # The attribution names Musterstadt's app and the source of its blocks' ids.
    assert needs["attribution"].startswith("Bedarfe: Bedarfsatlas Musterstadt (")
    assert needs["attribution"].endswith("Gebietsschlüssel: " + DATASETS["units_blocks"].citation())


def test_the_assessment_page_ranks_the_quarters(published):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    sign_in_as(at, PLANNER)
    at.query_params["ebene"] = "QU"
    at.run()
    at.switch_page("pages/assessment.py").run()
    assert not at.exception, at.exception
    assert at.dataframe, "no ranking shown"


def test_the_report_command_writes_the_report_of_the_quarters(published, database_url, tmp_path):
    out = tmp_path / "bericht.html"
    done = subprocess.run([sys.executable, "-m", "assessment", "report", "--level", "QU", "--preset",
                           "all_indicators", "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "Altstadt Süd" in html and "Am Fluss Nord" in html and "Quartiere" in html


def test_the_language_menu_offers_only_the_profiles_languages(database_url):
    at = open_page("pages/overview.py")
    assert list(at.sidebar.radio(key="lang").options) == ["Deutsch", "English"]


@pytest.mark.parametrize(("asked", "lang", "title"), [("en", "en", "Overview map"), ("tr", "de", "Übersichtskarte"),
                                                     ("xx", "de", "Übersichtskarte")])
def test_a_link_naming_a_language_the_profile_does_not_offer_opens_in_the_default(database_url, asked, lang, title):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.context = {"locale": "tr-TR"}  # a Turkish browser: Musterstadt does not offer Turkish either
    at.query_params["sprache"] = asked
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == title and at.session_state["lang"] == lang


def test_a_configured_language_the_profile_does_not_offer_stops_the_app(monkeypatch):
    from geodata.profile import profile_settings

    with pytest.raises(SettingsError, match=r"^BEDARFSATLAS_LANGUAGE must be one of de, en \(app.languages of the "
                                            r"city profile Musterstadt\), got 'uk'\. Unset it for the profile's 'de'\."):
        profile_settings(load_settings({"BEDARFSATLAS_LANGUAGE": "uk"}))
    assert profile_settings(load_settings({"BEDARFSATLAS_LANGUAGE": "en"})).language == "en"


def test_the_sources_page_shows_the_profiles_imprint(database_url, musterstadt, monkeypatch):
    monkeypatch.delenv("BEDARFSATLAS_IMPRINT_FILE", raising=False)
    at = open_page("pages/sources.py")
    imprint = "\n".join(str(m.value) for m in at.get("markdown"))
    assert "Stadt Musterstadt (erfunden), Amt für Stadtentwicklung" in imprint
    assert "bedarfsatlas@musterstadt.example" in imprint
    assert all("Impressum fehlt" not in str(w.value) for w in at.warning)
    # The operator's own file wins over the profile's.
    own = musterstadt.root / "eigenes_impressum.md"
    own.write_text("Betrieben von der Beispiel GmbH", encoding="utf-8")
    monkeypatch.setenv("BEDARFSATLAS_IMPRINT_FILE", str(own))
    at = open_page("pages/sources.py")
    shown = "\n".join(str(m.value) for m in at.get("markdown"))
    assert "Beispiel GmbH" in shown and "Amt für Stadtentwicklung" not in shown
    own.unlink()


def test_only_the_base_maps_the_profile_lists_are_offered():
    from maps.base import Basemap

    assert Basemap.from_settings(load_settings({"BEDARFSATLAS_BASEMAP": "basemapde-grau"})) is not None
    with pytest.raises(SettingsError, match=r"^BEDARFSATLAS_BASEMAP must be one of basemapde-farbe, basemapde-grau "
                                            r"\(the base maps of the city profile Musterstadt\), got 'geoportal-dop'\."):
        Basemap.from_settings(load_settings({"BEDARFSATLAS_BASEMAP": "geoportal-dop"}))


def test_a_pin_outside_the_city_is_refused_in_the_citys_words(database_url, fake_map):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    at.switch_page("pages/report_need.py").run()
    fake_map.click(52.5163, 13.3777)  # Berlin: far outside Musterstadt
    at.run()
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Dieser Ort liegt außerhalb des Gebiets von Musterstadt. Bitte wählen Sie einen Ort innerhalb der "
        "Stadtgrenze oder ein Gebiet aus den Listen. Es wurde nichts gespeichert."]


# --- no text of Berlin's ------------------------------------------------------------------------

BERLIN_WORDS = re.compile(
    r"\b(?:Berlin\w*|LOR|Bezirk\w*|Bezirksregion\w*|Planungsr(?:aum|äume)\w*|Prognoser(?:aum|äume)\w*"
    r"|planning areas?|district regions?|forecast areas?|MSS|" + "|".join(map(re.escape, BEZIRKE)) + r")\b",
    re.IGNORECASE)
"""Berlin's name, its LOR and level names (German and English) and its Bezirke, as whole words."""

PENDING_TEXTS: dict[str, str] = {
}
"""Texts still Berlin's on another city, each with the reason; the test fails once one is gone, so the
list only shrinks."""


def _strings(message: Message):
    for field, value in message.ListFields():
        for item in value if field.is_repeated else (value,):
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str):
                yield item


def shown_texts(at: AppTest) -> list[str]:
    """Every text of the page: each string of each element (labels, help, options, Markdown, captions,
    alerts, the maps' HTML), and the headers and text cells of its tables. Markdown escapes are removed."""
    texts: list[str] = []

    def walk(node) -> None:
        if isinstance(getattr(node, "proto", None), Message):
            texts.extend(_strings(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for table in [*at.dataframe, *at.table]:
        frame = table.value
        texts.extend(map(str, frame.columns))
        texts.extend(str(v) for column in frame.select_dtypes(include="object") for v in frame[column])
    return [text.replace("\\", "") for text in texts]


def berlin_words(texts: list[str]) -> list[str]:
    """Each Berlin word found in ``texts``, with its context, except where a pending text holds it."""
    found = []
    for text in texts:
        for pending in PENDING_TEXTS:
            text = text.replace(pending, "")
        found += [f"{m.group(0)!r} in …{text[max(0, m.start() - 60):m.end() + 40]}…" for m in BERLIN_WORDS.finditer(text)]
    return found


@pytest.fixture(scope="module")
def shown(musterstadt, tmp_path_factory, blocks) -> dict[tuple[str, str], list[str]]:
    """The texts of every page in German and English, an admin signed in, with published needs."""
    import os

    url = f"sqlite:///{tmp_path_factory.mktemp('texts') / 'needs.sqlite'}"
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        store = open_store(load_settings(), database_url=url)
        for block, category in (("010101", "mobility"), ("030202", "green_climate")):
            need = store.submit(NeedInput(category=category, title=f"Bedarf ({category})", lat=middle(blocks, block)[0],
                                          lon=middle(blocks, block)[1]))
            store.set_status(need.id, "published")
        store.close()
        return {(page, lang): shown_texts(open_page(page, user=ADMIN, lang=lang))
                for page in PAGES for lang in ("de", "en")}
    finally:
        if before is None:
            os.environ.pop("DATABASE_URL")
        else:
            os.environ["DATABASE_URL"] = before


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_page_speaks_of_berlin(shown, page, lang):
    texts = shown[page, lang]
    assert texts, page
    found = berlin_words(texts)
    assert not found, "\n".join(found)


def test_the_pending_texts_are_still_shown(shown):
    everything = "\n".join(text for texts in shown.values() for text in texts)
    assert [text for text in PENDING_TEXTS if text not in everything] == [], "remove them from PENDING_TEXTS"
