"""Musterstadt, the example city, in a real Chromium: the overview and /melden, and a need pinned on a block.

The module writes Musterstadt (``python -m geodata example-profile``), fetches its files into a
data folder of its own and starts ``streamlit run`` with ``BEDARFSATLAS_PROFILE`` pointing at it.
This test process keeps Berlin's profile, so what the page stored is read from the database
directly (table ``need_units``), not through a store of Berlin's levels.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import geopandas as gpd
import pytest
import sqlalchemy as sa

from assessment.needs.taxonomy import CATEGORIES
from tests.e2e.streamlit_helpers import TIMEOUT_MS, choose, click_map_until, current, map_view, open_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
AREAS = "path.leaflet-interactive"
RECEIPT = re.compile(r"Ihre Kennung: [0-9A-F]{8}")


@pytest.fixture(scope="module")
def musterstadt(tmp_path_factory) -> dict[str, str]:
    """The environment of an app that runs on Musterstadt, with its files fetched and its own database."""
    folder = tmp_path_factory.mktemp("musterstadt")
    env = {**os.environ, "BEDARFSATLAS_PROFILE": str(folder / "profile"), "BEDARFSATLAS_DATA_DIR": str(folder / "data")}
    env.pop("BEDARFSATLAS_OPENDATA_MIRROR", None)
    # The example is written by the app on its default profile, then fetched on its own.
    for args, environment in ((["example-profile", str(folder / "profile")], dict(os.environ)), (["fetch"], env)):
        done = subprocess.run([sys.executable, "-m", "geodata", *args], cwd=ROOT, env=environment,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    return {"BEDARFSATLAS_PROFILE": env["BEDARFSATLAS_PROFILE"], "BEDARFSATLAS_DATA_DIR": env["BEDARFSATLAS_DATA_DIR"],
            "DATABASE_URL": f"sqlite:///{folder / 'needs.sqlite'}"}


@pytest.fixture(scope="module")
def server(start_app, musterstadt):
    return start_app(musterstadt)


def block_middle(musterstadt: dict[str, str], block_id: str) -> tuple[float, float]:
    """The middle of a block, from the example's own file."""
    blocks = gpd.read_file(Path(musterstadt["BEDARFSATLAS_PROFILE"]) / "data" / "bloecke.geojson")
    centre = blocks.set_index("BL_ID").to_crs("EPSG:4326").geometry[block_id].centroid
    return centre.y, centre.x


def test_the_overview_draws_the_blocks_of_musterstadt(server, page, network):
    from playwright.sync_api import expect

    open_app(page, server.url + "/", "Übersichtskarte")
    expect(map_view(page).locator(AREAS)).to_have_count(12, timeout=TIMEOUT_MS)  # 12 Blöcke
    network.assert_clean()


def test_a_need_pinned_on_a_block_is_stored_with_its_units(server, musterstadt, page, network):
    from playwright.sync_api import expect

    open_app(page, server.url + "/melden", "Was fehlt in Ihrem Kiez?")
    expect(map_view(page).locator(AREAS)).to_have_count(3, timeout=TIMEOUT_MS)  # 3 Stadtteile
    click_map_until(page, *block_middle(musterstadt, "020201"), re.compile(r"Block Neustadt Nord, West"))
    title = f"Mehr Bäume {uuid.uuid4().hex[:6]}"
    green = CATEGORIES["green_climate"]
    choose(page, "Thema", green.label("de"), done=current(page).get_by_text(green.explanation("de")))
    title_box = current(page).get_by_label("Kurzer Titel (3 bis 120 Zeichen)")
    title_box.fill(title)
    title_box.press("Enter")
    expect(title_box).to_have_value(title)
    current(page).get_by_role("button", name="Bedarf senden").click()
    expect(current(page).get_by_text(RECEIPT)).to_be_visible(timeout=TIMEOUT_MS)
    engine = sa.create_engine(musterstadt["DATABASE_URL"])
    with engine.connect() as conn:
        units = dict(conn.execute(sa.text(
            "SELECT u.level, u.unit_id FROM need_units u JOIN needs n ON n.id = u.need_id WHERE n.title = :title"),
            {"title": title}).all())
    engine.dispose()
    assert units == {"BL": "020201", "QU": "0202", "ST": "02"}
    network.assert_clean()
